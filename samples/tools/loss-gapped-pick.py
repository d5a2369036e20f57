#!/usr/bin/env python3
# gapped: the frames to cut out of the clean recording, from its facts (JSON): prints "FRAME<TAB>ID<TAB>what" lines (run by make-loss-samples.sh).
import json, sys
j = json.load(open(sys.argv[1]))
def ctl(ip):
    return next(s for s in j["streams"] if s["control"] and s["client"].startswith(ip + ":"))
lftp, ftpl, curl = ctl("198.51.100.20"), ctl("198.51.100.22"), ctl("198.51.100.21")
streams = {s["stream"]: s for s in j["streams"]}
def transfer(ctl_stream, cmd):
    return next(t for t in j["transfers"] if t["stream"] == ctl_stream["stream"] and t["cmd"] == cmd)
def line_frame(s, frame, text):
    """the frame must carry exactly this one line"""
    dk = "c2s" if text[0].isalpha() else "s2c"
    seg = next(x for x in s["dir"][dk]["segs"] if x[0] == frame)
    line = next(l for l in s["lines"] if l["frame"] == frame)
    assert seg[2] == len(line["text"]) + 2 and seg[1] == line["offset"], (frame, seg, line)
    return frame
out = []
# 1. a segment inside the multi-segment STAT reply, cut mid-line at both ends
lines = [l for l in lftp["lines"] if not l["from_client"]]
i0 = next(i for i, l in enumerate(lines) if l["text"].startswith("213-"))
i1 = next(i for i in range(i0 + 1, len(lines)) if lines[i]["text"].startswith("213 "))
lo, hi = lines[i0]["offset"], lines[i1]["offset"] + len(lines[i1]["text"]) + 2
starts = {l["offset"] for l in lines}
segs = [x for x in lftp["dir"]["s2c"]["segs"] if lo <= x[1] < hi]
inner = [x for x in segs[1:-1] if x[1] not in starts and x[1] + x[2] not in starts]
assert inner, f"no STAT reply segment starts and ends inside a line: {segs}"
x = inner[len(inner) // 2]
out.append((x[0], "stat", f"STAT reply segment: bytes {x[1]}-{x[1] + x[2] - 1} of the server's control stream"))
# 2. the 227 before lftp's RETR readme.txt
t = transfer(lftp, "RETR readme.txt")
out.append((line_frame(lftp, t["frame"], t["text"]), "227", f"the 227 reply announcing the data connection of RETR readme.txt: {t['text']}"))
# 3. ftplib's PORT before RETR ftpcap-loss/data-64k.bin
t = transfer(ftpl, "RETR ftpcap-loss/data-64k.bin")
out.append((line_frame(ftpl, t["frame"], t["text"]), "port", f"the PORT command of RETR ftpcap-loss/data-64k.bin: {t['text']}"))
# 4. the 150 of ftplib's LIST
t = transfer(ftpl, "LIST ftpcap-loss")
out.append((line_frame(ftpl, t["prelim_frame"], t["prelim"]), "150", f"the 150 reply to LIST ftpcap-loss: {t['prelim']}"))
# 5. three data segments in the middle of lftp's RETR data-256k.bin
t = transfer(lftp, "RETR data-256k.bin")
segs = [x for x in streams[t["data_stream"]]["dir"][t["dkey"]]["segs"] if x[2]]
k = len(segs) // 2
for x in segs[k:k + 3]:
    out.append((x[0], "retr", f"RETR data-256k.bin, data bytes {x[1]}-{x[1] + x[2] - 1}"))
# 6. two data segments in the middle of ftplib's STOR
t = transfer(ftpl, "STOR ftpcap-loss/gapped-upload-64k.bin")
segs = [x for x in streams[t["data_stream"]]["dir"][t["dkey"]]["segs"] if x[2]]
k = len(segs) // 2
for x in segs[k:k + 2]:
    out.append((x[0], "stor", f"STOR gapped-upload-64k.bin, data bytes {x[1]}-{x[1] + x[2] - 1}"))
# 7. the SYN-ACK of curl's EPSV data connection
t = next(t for t in j["transfers"] if t["stream"] == curl["stream"])
assert len(t["synack_frames"]) == 1
out.append((t["synack_frames"][0], "synack", f"the SYN-ACK of the data connection of {t['cmd']} (EPSV)"))
for no, tag, what in sorted(out):
    print(f"{no}\t{tag}\t{what}")
