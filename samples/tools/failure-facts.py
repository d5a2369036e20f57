#!/usr/bin/env python3
"""failure-facts.py CAPTURE [CONTROL_PORT] — Markdown facts about one capture
of the NAT / firewall sample cases (make-failure-samples.sh).

Written for captures in which data connections fail, so unlike
describe-capture.py it follows every SYN, not only answered ones:

  * capinfos summary;
  * the FTP control connections (sessions);
  * the key frames, in order: announcements (PORT / EPRT / PASV / EPSV and
    their replies), transfer commands, ABOR, 1xx / 2xx transfer replies and
    every 4xx / 5xx reply, every SYN, SYN-ACK and RST outside the control
    connections (SYN retransmissions counted, with the time since the first
    SYN), and every ICMP error with the TCP ports it quotes;
  * every data-connection attempt (one row per SYN 4-tuple): SYNs sent, the
    time they span, what answered (SYN-ACK, RST, ICMP, nothing), payload bytes;
  * the control dialogue of every session, line by line with frame numbers
    (passwords are NOT masked: throw-away lab accounts).

Everything comes from capinfos and tshark (Wireshark 4.x dissectors),
independently of ftpcap. Times are seconds since the first frame.
"""
import subprocess
import sys

TRANSFER = {"LIST", "NLST", "MLSD", "RETR", "STOR", "STOU", "APPE"}
SETUP_CMDS = {"PORT", "EPRT", "PASV", "EPSV", "LPRT", "LPSV"}


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def show(b: bytes) -> str:
    out = []
    for c in b:
        if c == 0x5C:
            out.append("\\\\")
        elif 0x20 <= c < 0x7F:
            out.append(chr(c))
        else:
            out.append(f"\\x{c:02x}")
    return "".join(out)


def ep(a, p) -> str:
    return f"{a}:{p}"


def main() -> int:
    cap = sys.argv[1]
    ctl_port = int(sys.argv[2]) if len(sys.argv) > 2 else 21
    dec = [] if ctl_port == 21 else ["-d", f"tcp.port=={ctl_port},ftp"]

    info = {}
    for line in run("capinfos", "-M", cap).splitlines():
        if ":" in line:
            k, _, v = line.partition(":")
            info[k.strip()] = v.strip()

    # ---- TCP frames (not ICMP errors that quote a TCP header) ---------------
    fields = ["frame.number", "frame.time_relative", "tcp.stream", "ip.src", "tcp.srcport", "ip.dst",
              "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.reset", "tcp.flags.fin",
              "tcp.len", "tcp.seq", "tcp.payload"]
    out = run("tshark", "-n", "-r", cap, *dec, "-Y", "tcp && !icmp", "-T", "fields", "-E", "separator=/t",
              "-E", "occurrence=f", *sum((["-e", f] for f in fields), []))
    yes = ("1", "True")
    frames = []
    for line in out.splitlines():
        c = line.split("\t") + [""] * len(fields)
        frames.append(dict(no=int(c[0]), t=float(c[1]), stream=int(c[2]), src=c[3], sport=int(c[4]),
                           dst=c[5], dport=int(c[6]), syn=c[7] in yes, ack=c[8] in yes,
                           rst=c[9] in yes, fin=c[10] in yes, len=int(c[11] or 0), seq=int(c[12] or 0),
                           payload=bytes.fromhex(c[13].replace(":", "")) if c[13] else b""))

    # ---- ICMP errors ----------------------------------------------------------
    icmp = []
    out = run("tshark", "-n", "-r", cap, "-Y", "icmp", "-T", "fields", "-E", "separator=/t",
              "-E", "occurrence=a", "-E", "aggregator=,",
              "-e", "frame.number", "-e", "frame.time_relative", "-e", "ip.src", "-e", "ip.dst",
              "-e", "icmp.type", "-e", "icmp.code", "-e", "tcp.srcport", "-e", "tcp.dstport",
              "-e", "_ws.col.Info")
    for line in out.splitlines():
        c = line.split("\t") + [""] * 9
        srcs, dsts = c[2].split(","), c[3].split(",")
        icmp.append(dict(no=int(c[0]), t=float(c[1]), src=srcs[0], dst=dsts[0],
                         inner=(ep(srcs[1], c[6]), ep(dsts[1], c[7])) if len(srcs) > 1 and c[6] else None,
                         type=c[4], code=c[5], info=c[8]))

    # ---- connections ----------------------------------------------------------
    conns = {}
    for f in frames:
        s = conns.setdefault(f["stream"], dict(stream=f["stream"], first=f["no"], last=f["no"], t0=f["t"],
                                                t1=f["t"], n=0, syns=[], synack=None, rst=None, fin=False,
                                                cli=None, srv=None, bytes={}))
        s["n"] += 1
        s["last"], s["t1"] = f["no"], f["t"]
        if f["syn"] and not f["ack"]:
            s["syns"].append(f)
            if s["cli"] is None:
                s["cli"], s["srv"] = (f["src"], f["sport"]), (f["dst"], f["dport"])
        if s["cli"] is None:
            s["cli"], s["srv"] = (f["src"], f["sport"]), (f["dst"], f["dport"])
        if f["syn"] and f["ack"] and s["synack"] is None:
            s["synack"] = f
        if f["rst"] and s["rst"] is None:
            s["rst"] = f
        s["fin"] |= f["fin"]
        if f["len"]:
            k = (f["src"], f["sport"])
            s["bytes"][k] = max(s["bytes"].get(k, 0), f["seq"] + f["len"] - 1)
        f["conn"] = s

    def is_ctl(s):
        return ctl_port in (s["srv"][1], s["cli"][1])

    # ---- control lines --------------------------------------------------------
    lines = []  # (frame, t, stream, from_client, text)
    buf = {}
    for f in frames:
        s = f["conn"]
        if not is_ctl(s) or not f["payload"]:
            continue
        from_client = (f["src"], f["sport"]) == s["cli"]
        k = (f["stream"], from_client)
        start, data = buf.get(k, (None, b""))
        data += f["payload"]
        start = start or (f["no"], f["t"])
        while b"\n" in data:
            raw, _, data = data.partition(b"\n")
            lines.append((start[0], start[1], f["stream"], from_client, show(raw.rstrip(b"\r"))))
            start = (f["no"], f["t"])
        buf[k] = (start if data else None, data)
    for (stream, from_client), (start, data) in buf.items():
        if data:
            lines.append((start[0], start[1], stream, from_client, show(data) + "  (no line end)"))
    lines.sort(key=lambda x: x[0])

    # ---- key frames -------------------------------------------------------------
    key = []  # (frame, t, src->dst, what)
    last_cmd = {}
    for no, t, stream, fc, text in lines:
        s = conns[stream]
        verb = text.split(" ", 1)[0].upper()
        src, dst = (s["cli"], s["srv"]) if fc else (s["srv"], s["cli"])
        sd = f"{ep(*src)} → {ep(*dst)}"
        if fc:
            last_cmd[stream] = verb
            if verb in SETUP_CMDS or verb in TRANSFER or verb == "ABOR" or not text[:1].isalpha():
                key.append((no, t, sd, f"control: `{text}`"))
        else:
            code = text[:3]
            prev = last_cmd.get(stream, "")
            if (code in ("227", "228", "229", "150", "125", "225", "226", "250") and text[3:4] == " ") or \
               code[:1] in ("4", "5") or (prev in SETUP_CMDS and text[3:4] == " "):
                key.append((no, t, sd, f"control: `{text}`"))
    for s in conns.values():
        if is_ctl(s):
            continue
        first = s["syns"][0] if s["syns"] else None
        for i, f in enumerate(s["syns"]):
            what = "SYN" if i == 0 else f"SYN retransmission {i} (+{f['t'] - first['t']:.3f} s)"
            key.append((f["no"], f["t"], f"{ep(f['src'], f['sport'])} → {ep(f['dst'], f['dport'])}", what))
        if s["synack"]:
            f = s["synack"]
            key.append((f["no"], f["t"], f"{ep(f['src'], f['sport'])} → {ep(f['dst'], f['dport'])}", "SYN-ACK"))
        if s["rst"]:
            f = s["rst"]
            key.append((f["no"], f["t"], f"{ep(f['src'], f['sport'])} → {ep(f['dst'], f['dport'])}",
                        "RST" + ("-ACK" if f["ack"] else "")))
    for i in icmp:
        q = f" (quotes TCP {i['inner'][0]} → {i['inner'][1]})" if i["inner"] else ""
        key.append((i["no"], i["t"], f"{i['src']} → {i['dst']}", f"ICMP type {i['type']} code {i['code']}: {i['info']}{q}"))
    key.sort(key=lambda k: k[0])

    # ---- output -------------------------------------------------------------------
    p = print
    p("| | |\n|---|---|")
    for k in ("Number of packets", "File size", "File type", "File encapsulation",
              "File timestamp precision", "Packet size limit", "First packet time",
              "Last packet time", "Capture duration"):
        if k in info:
            p(f"| {k} | {info[k]} |")
    p()
    p("Control connections (sessions):\n")
    p("| stream | SYN frame | time | client | server | frames | bytes client→server / server→client | closed |")
    p("|---:|---:|---|---|---|---:|---|---|")
    for s in conns.values():
        if not is_ctl(s):
            continue
        closed = "RST" if s["rst"] else ("FIN" if s["fin"] else "open")
        p(f"| {s['stream']} | {s['syns'][0]['no'] if s['syns'] else '—'} | {s['t0']:.3f}–{s['t1']:.3f} "
          f"| {ep(*s['cli'])} | {ep(*s['srv'])} | {s['n']} | {s['bytes'].get(s['cli'], 0)} / {s['bytes'].get(s['srv'], 0)} | {closed} |")
    p()
    p("Data-connection attempts (every TCP connection not on the control port; one row per SYN 4-tuple):\n")
    rows = [s for s in conns.values() if not is_ctl(s)]
    if not rows:
        p("(none: no SYN for a data connection is in this capture)\n")
    else:
        p("| stream | first SYN | initiator | acceptor | SYNs sent | SYN span | answer | payload bytes initiator→acceptor / back | closed |")
        p("|---:|---:|---|---|---:|---|---|---|---|")
        for s in rows:
            syns = s["syns"]
            span = f"{syns[-1]['t'] - syns[0]['t']:.3f} s" if syns else "—"
            if s["synack"]:
                ans = f"SYN-ACK (frame {s['synack']['no']}, +{(s['synack']['t'] - syns[0]['t']) * 1000:.1f} ms)" if syns else "SYN-ACK"
            elif s["rst"]:
                ans = f"RST (frame {s['rst']['no']}, +{(s['rst']['t'] - syns[0]['t']) * 1000:.1f} ms)" if syns else "RST"
            else:
                hit = [i for i in icmp if i["inner"] and i["inner"] == (ep(*s["cli"]), ep(*s["srv"]))]
                ans = (f"ICMP type {hit[0]['type']} code {hit[0]['code']} (frame {hit[0]['no']}, "
                       f"+{(hit[0]['t'] - syns[0]['t']):.3f} s)") if hit and syns else "none"
            closed = "RST" if s["rst"] else ("FIN" if s["fin"] else "—")
            p(f"| {s['stream']} | {syns[0]['no'] if syns else '—'} | {ep(*s['cli'])} | {ep(*s['srv'])} | {len(syns)} | {span} "
              f"| {ans} | {s['bytes'].get(s['cli'], 0)} / {s['bytes'].get(s['srv'], 0)} | {closed} |")
        p()
    p("Key frames (announcements and their replies, transfer commands and results, every 4xx/5xx, "
      "every data SYN / SYN-ACK / RST, every ICMP error):\n")
    p("| frame | time | from → to | what |")
    p("|---:|---:|---|---|")
    for no, t, sd, what in key:
        p(f"| {no} | {t:.3f} | {sd} | {what.replace('|', chr(92) + '|')} |")
    p()
    p("Control dialogue (C> client, S< server; frame of the segment that began the line):\n")
    for s in conns.values():
        if not is_ctl(s):
            continue
        p(f"Stream {s['stream']}: {ep(*s['cli'])} → {ep(*s['srv'])} (frames {s['first']}–{s['last']})\n")
        p("```")
        for no, t, stream, fc, text in lines:
            if stream == s["stream"]:
                p(f"{no:>6} {t:8.3f}  {'C>' if fc else 'S<'} {text}")
        p("```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
