#!/usr/bin/env python3
"""other-servers-facts.py CAPTURE [CONTROL_PORT] — Markdown facts about one
sample capture, for the ProFTPD / Pure-FTPd cases of make-other-server-samples.sh.

The same idea as describe-capture.py (everything comes from capinfos and
tshark, independently of ftpcap's code), with what these cases need on top:

  * the control port is a parameter (Pure-FTPd runs on 8021);
  * every command is paired with the server's reply, multi-line replies
    included (a reply "NNN-..." runs to the line that starts "NNN ");
  * every announcement (PORT, EPRT, PASV, EPSV, LPRT, LPSV) is listed with
    its reply, refused ones too, and the data connection it set up: the first
    later SYN to the announced endpoint (for 227 also to the control
    connection's server address, because many clients ignore the 227
    address), the number of SYNs sent, and the answer (SYN-ACK, RST or none);
  * the transfer command that used it and its final reply;
  * every login (USER / PASS and their replies).

Passwords are NOT masked: these are throw-away lab accounts.
"""
import re
import subprocess
import sys

TRANSFER_CMDS = {"LIST", "NLST", "MLSD", "RETR", "STOR", "STOU", "APPE"}
ANNOUNCE_CMDS = {"PORT", "EPRT", "PASV", "EPSV", "LPRT", "LPSV"}


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def endpoint(ip: str, port) -> str:
    return (f"[{ip}]" if ":" in ip else ip) + f":{port}"


def md(text: str) -> str:
    """A line of the capture inside a Markdown table cell, as code."""
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def main() -> int:
    cap = sys.argv[1]
    ctl_port = int(sys.argv[2]) if len(sys.argv) > 2 else 21

    info = {}
    for line in run("capinfos", "-M", cap).splitlines():
        if ":" in line:
            k, _, v = line.partition(":")
            info[k.strip()] = v.strip()

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
                                          t0=f["t"], t1=f["t"], syn=None, syns=0, synack=None,
                                          rstno=None, cli=None, srv=None, bytes={}, fin=False,
                                          rst=False, retrans=0)
        s["n"] += 1
        s["last"] = f["no"]
        s["t1"] = f["t"]
        if f["syn"] and not f["ack"]:
            s["syns"] += 1
            if s["syn"] is None:
                s["syn"] = f["no"]
                s["cli"] = (f["src"], f["sport"])
                s["srv"] = (f["dst"], f["dport"])
        if f["syn"] and f["ack"] and s["synack"] is None:
            s["synack"] = f["no"]
        if f["rst"] and s["rstno"] is None:
            s["rstno"] = f["no"]
        if s["cli"] is None:
            s["cli"], s["srv"] = (f["src"], f["sport"]), (f["dst"], f["dport"])
        key = (f["src"], f["sport"])
        if f["len"]:
            end = f["seq"] + f["len"] - 1
            if end <= s["bytes"].get(key, 0):
                s["retrans"] += 1
            s["bytes"][key] = max(s["bytes"].get(key, 0), end)
        s["fin"] |= f["fin"]
        s["rst"] |= f["rst"]
        f["conn"] = s

    def is_control(s):
        return s["srv"][1] == ctl_port

    # ---- control lines, reassembled per direction ---------------------------------
    lines = []  # (frame, stream, from_client, text)
    buf = {}
    for f in frames:
        if ctl_port not in (f["sport"], f["dport"]) or not f["payload"]:
            continue
        from_client = f["dport"] == ctl_port
        k = (f["stream"], from_client)
        start, data = buf.get(k, (None, b""))
        data += f["payload"]
        start = start or f["no"]
        while b"\n" in data:
            raw, _, data = data.partition(b"\n")
            lines.append((start, f["stream"], from_client, raw.rstrip(b"\r").decode("latin-1")))
            start = f["no"]
        buf[k] = (start if data else None, data)

    # ---- commands paired with replies ----------------------------------------------
    # A reply is one line "NNN text" or "NNN-text" ... "NNN text". 1xx replies are
    # preliminary: the command waits for its next reply too.
    per_stream = {}
    for no, stream, from_client, text in lines:
        st = per_stream.setdefault(stream, dict(cmds=[], pending=[], open=None, greeting=None))
        if from_client:
            cmd = dict(no=no, stream=stream, text=text, verb=text.split(" ", 1)[0].upper(), replies=[])
            st["cmds"].append(cmd)
            st["pending"].append(cmd)
            continue
        if st["open"] is not None:
            st["open"]["lines"].append(text)
            if text[:3] == st["open"]["code"] and text[3:4] == " ":
                reply, st["open"] = st["open"], None
            else:
                continue
        else:
            m = re.match(r"^(\d{3})([ -])", text)
            if not m:
                continue
            reply = dict(no=no, code=m.group(1), lines=[text])
            if m.group(2) == "-":
                st["open"] = reply
                continue
        if st["greeting"] is None and not st["cmds"]:
            st["greeting"] = reply
            continue
        if st["pending"]:
            cmd = st["pending"][0]
            cmd["replies"].append(reply)
            if not reply["code"].startswith("1"):
                st["pending"].pop(0)

    def reply_text(r):
        return " / ".join(r["lines"])

    # ---- announcements and their data connections ------------------------------------
    data_syn_conns = sorted((s for s in conns.values() if s["syn"] and not is_control(s)),
                            key=lambda s: s["syn"])
    claimed = set()
    anns = []
    for stream, st in per_stream.items():
        ctl = conns[stream]
        cmds = st["cmds"]
        for i, c in enumerate(cmds):
            if c["verb"] not in ANNOUNCE_CMDS:
                continue
            final = next((r for r in c["replies"] if not r["code"].startswith("1")), None)
            ep = None
            active = c["verb"] in ("PORT", "EPRT", "LPRT")
            if c["verb"] == "PORT":
                m = re.match(r"(?i)^PORT\s+(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", c["text"])
                if m:
                    g = [int(x) for x in m.groups()]
                    ep = (".".join(map(str, g[:4])), g[4] * 256 + g[5])
            elif c["verb"] == "EPRT":
                m = re.match(r"(?i)^EPRT\s+(.)(\d)\1([^|]+)\1(\d+)\1", c["text"])
                if m:
                    ep = (m.group(3), int(m.group(4)))
            elif final and final["code"] == "227":
                m = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", final["lines"][-1])
                if m:
                    g = [int(x) for x in m.groups()]
                    ep = (".".join(map(str, g[:4])), g[4] * 256 + g[5])
            elif final and final["code"] == "229":
                m = re.search(r"\((.)\1\1(\d+)\1\)", final["lines"][-1])
                if m:
                    ep = (ctl["srv"][0], int(m.group(2)))
            accepted = final is not None and final["code"][0] == "2"
            # the next announcement on this control connection bounds the search
            nxt = next((c2["no"] for c2 in cmds[i + 1:] if c2["verb"] in ANNOUNCE_CMDS), None)
            syn = None
            dialled = None
            if accepted and ep:
                targets = [ep]
                if c["verb"] in ("PASV", "LPSV"):
                    targets.append((ctl["srv"][0], ep[1]))
                for s in data_syn_conns:
                    if s["syn"] <= c["no"] or s["stream"] in claimed:
                        continue
                    if nxt is not None and s["syn"] > nxt:
                        break
                    if s["srv"] not in targets:
                        continue
                    want_src = ctl["srv"][0] if active else ctl["cli"][0]
                    if s["cli"][0] != want_src:
                        continue
                    syn, dialled = s, s["srv"]
                    claimed.add(s["stream"])
                    break
            xfer = None
            for c2 in cmds[i + 1:]:
                if c2["verb"] in TRANSFER_CMDS:
                    xfer = c2
                    break
                if c2["verb"] in ANNOUNCE_CMDS:
                    break
            anns.append(dict(cmd=c, final=final, ep=ep, active=active, accepted=accepted,
                             syn=syn, dialled=dialled, xfer=xfer, stream=stream))
    anns.sort(key=lambda a: a["cmd"]["no"])

    # ---- output ----------------------------------------------------------------------
    p = print
    p("### Capture file (capinfos)\n")
    p("| | |\n|---|---|")
    for k in ("Number of packets", "File size", "File type", "File encapsulation",
              "File timestamp precision", "Packet size limit", "First packet time",
              "Last packet time", "Capture duration"):
        if k in info:
            p(f"| {k} | {info[k]} |")
    p()

    p(f"### TCP connections (control port {ctl_port})\n")
    p("Initiator = the side that sent the SYN (for active-mode data connections, the FTP server). "
      "Times are seconds since the first packet of the capture. SYNs = SYN segments the "
      "initiator sent (more than 1: retransmitted, unanswered).\n")
    p("| stream | SYN frame | SYNs | SYN-ACK frame | time | initiator | acceptor | role | frames | payload bytes initiator→acceptor / acceptor→initiator | segments re-sent | closed |")
    p("|---:|---:|---:|---:|---|---|---|---|---:|---|---:|---|")
    data_role = {a["syn"]["stream"]: a for a in anns if a["syn"]}
    for s in conns.values():
        if is_control(s):
            role = "control"
        elif s["stream"] in data_role:
            a = data_role[s["stream"]]
            role = (f"data ({'active' if a['active'] else 'passive'}, announced in frame {a['cmd']['no']}"
                    + (f", {a['xfer']['verb']}" if a["xfer"] else "") + ")")
        else:
            role = "data? (no matching announcement)"
        c2s = s["bytes"].get(s["cli"], 0)
        s2c = s["bytes"].get(s["srv"], 0)
        closed = "RST" if s["rst"] else ("FIN" if s["fin"] else "open")
        p(f"| {s['stream']} | {s['syn'] or '—'} | {s['syns']} | {s['synack'] or '—'} | {s['t0']:.3f}–{s['t1']:.3f} "
          f"| {endpoint(*s['cli'])} | {endpoint(*s['srv'])} | {role} | {s['n']} | {c2s} / {s2c} | {s['retrans']} | {closed} |")
    p()

    p("### Announcements, their replies and the data connections they set up\n")
    if not anns:
        p("(none)\n")
    else:
        p("| frame | stream | command | reply frame | reply | endpoint | data SYN frame (SYNs) | answer | data connection (stream) | transfer (frame) | final reply (frame) | data bytes |")
        p("|---:|---:|---|---:|---|---|---|---|---|---|---|---:|")
        for a in anns:
            c, r = a["cmd"], a["final"]
            ep = endpoint(*a["ep"]) if a["ep"] else "—"
            if a["syn"]:
                s = a["syn"]
                if s["synack"]:
                    answer = f"SYN-ACK {s['synack']}"
                elif s["rstno"]:
                    answer = f"RST {s['rstno']}"
                else:
                    answer = "none"
                dc = f"{endpoint(*s['cli'])} → {endpoint(*s['srv'])} ({s['stream']})"
                if a["dialled"] != a["ep"]:
                    dc += " (not the announced address: the control connection's server)"
                synno = f"{s['syn']} ({s['syns']})"
                nbytes = str(sum(s["bytes"].values()))
            else:
                answer, dc, synno, nbytes = "—", ("none (refused)" if not a["accepted"] else "none opened"), "—", ""
            x = a["xfer"]
            xcmd = f"{md(x['text'])} ({x['no']})" if x else "—"
            xfin = next((rr for rr in x["replies"] if not rr["code"].startswith("1")), None) if x else None
            xrep = f"{md(reply_text(xfin))} ({xfin['no']})" if xfin else "—"
            p(f"| {c['no']} | {a['stream']} | {md(c['text'])} | {r['no'] if r else '—'} | {md(reply_text(r)) if r else '—'} "
              f"| {ep} | {synno} | {answer} | {dc} | {xcmd} | {xrep} | {nbytes} |")
        p()

    p("### Logins\n")
    p("| stream | frame | command | reply frame | reply |")
    p("|---:|---:|---|---:|---|")
    for stream, st in per_stream.items():
        for c in st["cmds"]:
            if c["verb"] in ("USER", "PASS"):
                r = next((rr for rr in c["replies"] if not rr["code"].startswith("1")), None)
                p(f"| {stream} | {c['no']} | {md(c['text'])} | {r['no'] if r else '—'} | {md(reply_text(r)) if r else '—'} |")
    p()

    p("### Control dialogue\n")
    for s in conns.values():
        if not is_control(s):
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
