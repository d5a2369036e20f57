#!/usr/bin/env python3
# gapped: the Markdown table of the frames that were cut (run by make-loss-samples.sh).
import json, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
info = {d["frame"]: d for d in json.load(open(sys.argv[2]))}
removed = sorted(int(r[0]) for r in rows)
print("| original.pcap frame | gap in capture.pcap between frames | stream | direction | src → dst | flags | offset | bytes removed | what it carried |")
print("|---:|---|---:|---|---|---|---:|---:|---|")
total = {}
for r in rows:
    no = int(r[0]); d = info[no]
    before = sum(1 for x in removed if x < no)
    prev = no - 1 - before
    text = d["payload"]
    if d["control"]:
        shown = "`" + text.replace("\r\n", "␍␊").replace("|", "\\|")[:200] + "`"
    elif d["len"]:
        shown = r[2]
    else:
        shown = r[2]
    # the FTP server is 192.0.2.10 in this lab
    who = "FTP server → client" if d["src"].startswith("192.0.2.10:") else "FTP client → server"
    print(f"| {no} | {prev} and {prev + 1} | {d['stream']} | {who} | {d['src']} → {d['dst']} | {d['flags']} | "
          f"{d['rel_seq'] if d['len'] else '—'} | {d['len']} | {shown} |")
    k = (d["stream"], d["src"], d["dst"])
    total[k] = total.get(k, 0) + d["len"]
print()
print("Bytes removed per stream and direction: " + "; ".join(
    f"stream {st} {src} → {dst}: {n}" for (st, src, dst), n in sorted(total.items())) + ".")
