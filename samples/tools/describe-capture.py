#!/usr/bin/env python3
"""describe-capture.py CAPTURE — Markdown facts about one sample capture.

Used by make-samples.sh to write the generated half of each case README, so
the frame numbers and ports in the README always match the capture that was
just recorded. Everything comes from capinfos and tshark (Wireshark 4.x
dissectors), independently of ftpcap's own code:

  * capinfos summary (packet count, size, duration, link type, precision);
  * every TCP connection: SYN frame, endpoints, control or data, payload bytes;
  * every data-channel announcement (PORT/EPRT command, 227/229 reply), the
    endpoint it names, the data connection that was then opened to that
    endpoint (SYN frame) and the transfer command that used it;
  * the control dialogue of every session, line by line, with frame numbers
    (passwords are NOT masked: these are throw-away lab accounts).
"""
import re
import subprocess
import sys

TRANSFER_CMDS = {"LIST", "NLST", "MLSD", "RETR", "STOR", "STOU", "APPE"}


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def endpoint(ip: str, port) -> str:
    return (f"[{ip}]" if ":" in ip else ip) + f":{port}"


def main() -> int:
    cap = sys.argv[1]

    # ---- capinfos -------------------------------------------------------------
    info = {}
    for line in run("capinfos", "-M", cap).splitlines():
        if ":" in line:
            k, _, v = line.partition(":")
            info[k.strip()] = v.strip()

    # ---- every TCP frame ------------------------------------------------------
    fields = ["frame.number", "frame.time_relative", "tcp.stream", "ip.src", "ipv6.src",
              "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport", "tcp.flags.syn",
              "tcp.flags.ack", "tcp.flags.fin", "tcp.flags.reset", "tcp.len", "tcp.seq", "tcp.payload"]
    out = run("tshark", "-n", "-r", cap, "-Y", "tcp", "-T", "fields", "-E", "separator=/t",
              *sum((["-e", f] for f in fields), []))
    frames = []
    for line in out.splitlines():
        c = line.split("\t")
        c += [""] * (len(fields) - len(c))
        frames.append(dict(
            no=int(c[0]), t=float(c[1]), stream=int(c[2]), src=c[3] or c[4], sport=int(c[5]),
            dst=c[6] or c[7], dport=int(c[8]), syn=c[9] in ("1", "True"),
            ack=c[10] in ("1", "True"), fin=c[11] in ("1", "True"), rst=c[12] in ("1", "True"),
            len=int(c[13] or 0), seq=int(c[14] or 0),
            payload=bytes.fromhex(c[15].replace(":", "")) if c[15] else b""))

    # ---- connections ------------------------------------------------------------
    conns = {}
    for f in frames:
        s = conns.get(f["stream"])
        if s is None:
            s = conns[f["stream"]] = dict(stream=f["stream"], first=f["no"], last=f["no"], n=0,
                                          t0=f["t"], t1=f["t"],
                                          syn=None, cli=None, srv=None, bytes={}, fin=False, rst=False,
                                          retrans=0)
        s["n"] += 1
        s["last"] = f["no"]
        s["t1"] = f["t"]
        if f["syn"] and not f["ack"] and s["syn"] is None:
            s["syn"] = f["no"]
            s["cli"] = (f["src"], f["sport"])
            s["srv"] = (f["dst"], f["dport"])
        if s["cli"] is None:  # no SYN seen: guess from the first frame
            s["cli"], s["srv"] = (f["src"], f["sport"]), (f["dst"], f["dport"])
        # unique payload bytes per direction: highest relative sequence
        # number reached (tshark numbers the first payload byte 1), so
        # retransmissions are not counted twice
        key = (f["src"], f["sport"])
        if f["len"]:
            end = f["seq"] + f["len"] - 1
            if end <= s["bytes"].get(key, 0):
                s["retrans"] += 1
            s["bytes"][key] = max(s["bytes"].get(key, 0), end)
        s["fin"] |= f["fin"]
        s["rst"] |= f["rst"]
        f["conn"] = s

    # ---- control lines (port 21), reassembled per direction -------------------
    lines = []  # (frame, stream, from_client, text)
    buf = {}
    for f in frames:
        if 21 not in (f["sport"], f["dport"]) or not f["payload"]:
            continue
        from_client = f["dport"] == 21
        k = (f["stream"], from_client)
        data = buf.get(k, (None, b""))[1] + f["payload"]
        start = buf.get(k, (None, b""))[0] or f["no"]
        while b"\n" in data:
            raw, _, data = data.partition(b"\n")
            lines.append((start, f["stream"], from_client, raw.rstrip(b"\r").decode("latin-1")))
            start = f["no"]
        buf[k] = (start if data else None, data)

    # ---- announcements and their data connections -------------------------------
    data_syns = [f for f in frames if f["syn"] and not f["ack"] and 21 not in (f["sport"], f["dport"])]
    claimed = set()
    anns = []
    for i, (no, stream, from_client, text) in enumerate(lines):
        ctl = conns[stream]
        m_port = re.match(r"(?i)^PORT\s+(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", text) if from_client else None
        m_eprt = re.match(r"(?i)^EPRT\s+(.)(\d)\1([^|]+)\1(\d+)\1", text) if from_client else None
        m_227 = re.match(r"^227[ -].*?(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", text) if not from_client else None
        m_229 = re.match(r"^229[ -].*\((.)\1\1(\d+)\1\)", text) if not from_client else None
        if m_port:
            g = [int(x) for x in m_port.groups()]
            method, active, ep = "PORT", True, (".".join(map(str, g[:4])), g[4] * 256 + g[5])
        elif m_eprt:
            method, active, ep = "EPRT", True, (m_eprt.group(3), int(m_eprt.group(4)))
        elif m_227:
            g = [int(x) for x in m_227.groups()]
            method, active, ep = "PASV (227)", False, (".".join(map(str, g[:4])), g[4] * 256 + g[5])
        elif m_229:
            method, active, ep = "EPSV (229)", False, (ctl["srv"][0], int(m_229.group(2)))
        else:
            continue
        # the data connection: first unclaimed SYN after the announcement that
        # goes to the announced endpoint (active: from the server's address)
        syn = None
        for f in data_syns:
            if f["no"] <= no or f["no"] in claimed:
                continue
            if (f["dst"], f["dport"]) != ep:
                continue
            if active and f["src"] != ctl["srv"][0]:
                continue
            if not active and f["src"] != ctl["cli"][0]:
                continue
            syn = f
            claimed.add(f["no"])
            break
        # the transfer command: next one on this control connection
        cmd = None
        for no2, stream2, fc2, text2 in lines[i + 1:]:
            if stream2 != stream or not fc2:
                continue
            verb = text2.split(" ", 1)[0].upper()
            if verb in TRANSFER_CMDS:
                cmd = (no2, text2)
                break
            if verb in ("PORT", "EPRT", "PASV", "EPSV"):
                break
        anns.append(dict(no=no, stream=stream, method=method, text=text, ep=ep, active=active, syn=syn, cmd=cmd))

    # ---- output -------------------------------------------------------------------
    p = print
    p("### Capture file (capinfos)\n")
    p("| | |\n|---|---|")
    for k in ("Number of packets", "File size", "File type", "File encapsulation",
              "File timestamp precision", "Packet size limit", "First packet time",
              "Last packet time", "Capture duration"):
        if k in info:
            p(f"| {k} | {info[k]} |")
    p()

    p("### TCP connections\n")
    p("Initiator = the side that sent the SYN (for active-mode data connections, the FTP server).\n")
    p("Times are seconds since the first packet of the capture (first and last frame of the connection).\n")
    p("| stream | SYN frame | time | initiator | acceptor | role | frames | payload bytes initiator→acceptor / acceptor→initiator | segments re-sent | closed |")
    p("|---:|---:|---|---|---|---|---:|---|---:|---|")
    data_role = {}
    for a in anns:
        if a["syn"]:
            data_role[a["syn"]["conn"]["stream"]] = a
    for s in conns.values():
        if 21 in (s["srv"][1], s["cli"][1]):
            role = "control"
        elif s["stream"] in data_role:
            a = data_role[s["stream"]]
            role = f"data ({'active' if a['active'] else 'passive'}, announced in frame {a['no']}" + \
                   (f", {a['cmd'][1].split(' ')[0]}" if a["cmd"] else "") + ")"
        else:
            role = "data? (no matching announcement)"
        c2s = s["bytes"].get(s["cli"], 0)
        s2c = s["bytes"].get(s["srv"], 0)
        closed = "RST" if s["rst"] else ("FIN" if s["fin"] else "open")
        p(f"| {s['stream']} | {s['syn'] or '—'} | {s['t0']:.3f}–{s['t1']:.3f} | {endpoint(*s['cli'])} | {endpoint(*s['srv'])} | {role} "
          f"| {s['n']} | {c2s} / {s2c} | {s['retrans']} | {closed} |")
    p()

    # how many connections were open at the same time (by first/last frame)
    def max_open(kind):
        ev = []
        for s in conns.values():
            is_ctl = 21 in (s["srv"][1], s["cli"][1])
            if is_ctl == (kind == "control"):
                ev += [(s["first"], 1), (s["last"], -1)]
        best = cur = 0
        for _, d in sorted(ev, key=lambda e: (e[0], -e[1])):
            cur += d
            best = max(best, cur)
        return best
    port20 = sorted((s["first"], s["last"]) for s in conns.values() if s["cli"][1] == 20)
    overlap20 = any(b[0] < a[1] for a, b in zip(port20, port20[1:]))
    p(f"At most {max_open('control')} control connection(s) and {max_open('data')} data connection(s) "
      f"were open at the same time. Active data connections from port 20 "
      f"{'overlap in time' if overlap20 else 'do not overlap in time'}"
      f"{'' if port20 else ' (there are none)'}.\n")

    p("### Announcements and the data connections they set up\n")
    if not anns:
        p("(none)\n")
    else:
        p("| frame | control stream | method | line | endpoint | data SYN frame | data connection (stream) | command (frame) | data bytes |")
        p("|---:|---:|---|---|---|---:|---|---|---:|")
        for a in anns:
            if a["syn"]:
                f = a["syn"]
                s = f["conn"]
                dc = f"{endpoint(f['src'], f['sport'])} → {endpoint(f['dst'], f['dport'])} ({s['stream']})"
                nbytes = sum(s["bytes"].values())
                synno = str(f["no"])
            else:
                dc, nbytes, synno = "none opened", "", "—"
            cmd = f"`{a['cmd'][1]}` ({a['cmd'][0]})" if a["cmd"] else "—"
            p(f"| {a['no']} | {a['stream']} | {a['method']} | `{a['text']}` | {endpoint(*a['ep'])} | {synno} | {dc} | {cmd} | {nbytes} |")
        p()

    p("### Control dialogue\n")
    for s in conns.values():
        if 21 not in (s["srv"][1], s["cli"][1]):
            continue
        p(f"Stream {s['stream']}: {endpoint(*s['cli'])} → {endpoint(*s['srv'])} "
          f"(frames {s['first']}–{s['last']})\n")
        p("```")
        for no, stream, from_client, text in lines:
            if stream == s["stream"]:
                p(f"{no:>6}  {'C>' if from_client else 'S<'} {text}")
        p("```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
