#!/usr/bin/env python3
"""proto-describe.py CAPTURE [CONTROL_PORT...] — Markdown facts about one
protocol-level sample capture (samples/tools/make-protocol-samples.sh).

The same idea as describe-capture.py, from capinfos and tshark only (never
ftpcap's code), extended for the protocol cases:

  * control connections on any of the given ports (default 21; 990 is
    listed as implicit TLS);
  * every command is paired with its replies (preliminary 1xx and final);
  * every PORT / EPRT / PASV / EPSV / LPRT / LPSV, accepted or refused, with
    its reply, the endpoint it names (or why it names none), the data
    connection that followed (SYN, and SYN-ACK or RST), and the transfer
    command that used it with its replies and byte count;
  * after "234" (AUTH accepted) a control connection is TLS: its lines are
    no longer readable; connections with a TLS ClientHello are marked;
  * Telnet bytes (IAC ...) and other non-printable bytes are shown as \\xNN.

Passwords are NOT masked: these are throw-away lab accounts.
"""
import re
import subprocess
import sys

TRANSFER_CMDS = {"LIST", "NLST", "MLSD", "RETR", "STOR", "STOU", "APPE"}
ANNOUNCE_CMDS = {"PORT", "EPRT", "LPRT", "PASV", "EPSV", "LPSV"}


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def endpoint(ip: str, port) -> str:
    return (f"[{ip}]" if ":" in ip else ip) + f":{port}"


def show(raw: bytes) -> str:
    out = []
    for b in raw:
        out.append(chr(b) if 32 <= b < 127 else f"\\x{b:02x}")
    return "".join(out)


def md(text: str) -> str:
    """A table cell: pipes escaped (also inside code spans, as GFM requires)."""
    return text.replace("|", "\\|")


def verb_of(text: str) -> str:
    t = re.sub(r"^(\\x[0-9a-f]{2})+", "", text)  # Telnet bytes before the command
    return t.split(" ", 1)[0].upper()


def parse_port(arg: str):
    m = re.fullmatch(r"\s*(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\s*", arg)
    if not m:
        return None, "not six comma-separated numbers"
    g = [int(x) for x in m.groups()]
    if any(x > 255 for x in g):
        return None, "a number is > 255"
    port = g[4] * 256 + g[5]
    if port == 0:
        return None, "port 0"
    return (".".join(map(str, g[:4])), port), ""


def parse_eprt(arg: str):
    m = re.fullmatch(r"\s*(.)(\d+)\1(.*?)\1(\d+)\1\s*", arg)
    if not m:
        return None, "not <d>proto<d>addr<d>port<d>"
    proto, addr, port = m.group(2), m.group(3), int(m.group(4))
    if proto == "1":
        parts = addr.split(".")
        if len(parts) != 4 or not all(p.isdigit() and int(p) <= 255 for p in parts):
            return None, "not an IPv4 address"
    elif proto == "2":
        if ":" not in addr:
            return None, "not an IPv6 address"
    else:
        return None, f"unknown protocol {proto}"
    if not 0 < port < 65536:
        return None, f"port {port} outside 1-65535"
    return (addr, port), ""


def main() -> int:
    cap = sys.argv[1]
    ctl_ports = {int(p) for p in sys.argv[2:]} or {21}

    info = {}
    for line in run("capinfos", "-M", cap).splitlines():
        if ":" in line:
            k, _, v = line.partition(":")
            info[k.strip()] = v.strip()

    fields = ["frame.number", "frame.time_relative", "tcp.stream", "ip.src", "ipv6.src",
              "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport", "tcp.flags.syn",
              "tcp.flags.ack", "tcp.flags.fin", "tcp.flags.reset", "tcp.flags.urg", "tcp.len",
              "tcp.seq", "tcp.payload"]
    out = run("tshark", "-n", "-r", cap, "-o", "tcp.analyze_sequence_numbers:TRUE", "-Y", "tcp",
              "-T", "fields", "-E", "separator=/t", *sum((["-e", f] for f in fields), []))
    frames = []
    for line in out.splitlines():
        c = line.split("\t")
        c += [""] * (len(fields) - len(c))
        t = lambda v: v in ("1", "True")
        frames.append(dict(
            no=int(c[0]), t=float(c[1]), stream=int(c[2]), src=c[3] or c[4], sport=int(c[5]),
            dst=c[6] or c[7], dport=int(c[8]), syn=t(c[9]), ack=t(c[10]), fin=t(c[11]),
            rst=t(c[12]), urg=t(c[13]), len=int(c[14] or 0), seq=int(c[15] or 0),
            payload=bytes.fromhex(c[16].replace(":", "")) if c[16] else b""))

    # ---- connections --------------------------------------------------------
    conns = {}
    for f in frames:
        s = conns.get(f["stream"])
        if s is None:
            s = conns[f["stream"]] = dict(stream=f["stream"], first=f["no"], last=f["no"], n=0,
                                          t0=f["t"], t1=f["t"], syn=None, syns=0, synack=None,
                                          rstframe=None, cli=None, srv=None, bytes={}, fin=False,
                                          rst=False, retrans=0, hello=None)
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
        if s["cli"] is None:
            s["cli"], s["srv"] = (f["src"], f["sport"]), (f["dst"], f["dport"])
        key = (f["src"], f["sport"])
        if f["len"]:
            end = f["seq"] + f["len"] - 1
            if end <= s["bytes"].get(key, 0):
                s["retrans"] += 1
            s["bytes"][key] = max(s["bytes"].get(key, 0), end)
            if s["hello"] is None and f["payload"][:1] == b"\x16" and f["payload"][5:6] == b"\x01":
                s["hello"] = f["no"]
        s["fin"] |= f["fin"]
        if f["rst"]:
            s["rst"] = True
            if s["rstframe"] is None:
                s["rstframe"] = f["no"]
        f["conn"] = s

    def is_ctl(s) -> bool:
        return s["srv"][1] in ctl_ports

    # ---- control lines, reassembled per direction; TLS after 234 -------------
    lines = []   # dict(no, stream, client, text)
    buf = {}
    tls_from = {}  # stream -> frame where TLS starts
    next_seq = {}  # (stream, from_client) -> next new relative sequence number
    for f in frames:
        s = f["conn"]
        if not is_ctl(s) or not f["payload"]:
            continue
        if s["srv"][1] == 990 and s["stream"] not in tls_from:
            tls_from[s["stream"]] = f["no"]
        if s["stream"] in tls_from:
            continue
        from_client = (f["src"], f["sport"]) == s["cli"]
        k = (s["stream"], from_client)
        # only bytes not seen before (retransmissions carry old ones)
        payload, nxt = f["payload"], next_seq.get(k, 1)
        if f["seq"] + len(payload) <= nxt:
            continue
        if f["seq"] < nxt:
            payload = payload[nxt - f["seq"]:]
        next_seq[k] = f["seq"] + len(f["payload"])
        start, data, urg = buf.get(k, (None, b"", False))
        data += payload
        start = start or f["no"]
        urg = urg or f["urg"]
        while b"\n" in data:
            raw, _, data = data.partition(b"\n")
            text = show(raw.rstrip(b"\r"))
            lines.append(dict(no=start, stream=s["stream"], client=from_client, text=text,
                              urg=urg))
            start, urg = f["no"], False
            if not from_client and re.match(r"^234 ", text):
                tls_from[s["stream"]] = f["no"] + 1  # from the next frame on
        buf[k] = (start if data else None, data, urg if data else False)

    # ---- pair commands and replies ------------------------------------------------
    cmds = []    # dict(no, stream, text, verb, prelim: [(no,text)], final: (no,text)|None)
    pending = {}  # stream -> [cmd]
    multi = {}   # stream -> (code, first_no, [texts])
    greet = {}
    for ln in lines:
        st = ln["stream"]
        if ln["client"]:
            c = dict(no=ln["no"], stream=st, text=ln["text"], verb=verb_of(ln["text"]),
                     prelim=[], final=None)
            cmds.append(c)
            pending.setdefault(st, []).append(c)
            continue
        text = ln["text"]
        if st in multi:
            code, first, texts = multi[st]
            texts.append(text)
            if not text.startswith(code + " "):
                continue
            del multi[st]
            no, text = first, " / ".join(texts)
        else:
            m = re.match(r"^(\d{3})([ -])", text)
            if m and m.group(2) == "-":
                multi[st] = (m.group(1), ln["no"], [text])
                continue
            no = ln["no"]
        q = pending.get(st, [])
        if not q:
            greet.setdefault(st, (no, text))
            continue
        if text[:1] == "1":
            q[0]["prelim"].append((no, text))
        else:
            q.pop(0)["final"] = (no, text)

    # ---- announcements --------------------------------------------------------------
    data_syns = [f for f in frames if f["syn"] and not f["ack"] and not is_ctl(f["conn"])]
    claimed = set()
    anns = []
    for i, c in enumerate(cmds):
        if c["verb"] not in ANNOUNCE_CMDS:
            continue
        ctl = conns[c["stream"]]
        arg = c["text"].split(" ", 1)[1] if " " in c["text"] else ""
        ep, why, active = None, "", c["verb"] in ("PORT", "EPRT", "LPRT")
        rno, rtext = c["final"] if c["final"] else (None, "")
        code = rtext[:3]
        if c["verb"] == "PORT":
            ep, why = parse_port(arg)
        elif c["verb"] == "EPRT":
            ep, why = parse_eprt(arg)
        elif c["verb"] == "PASV" and code == "227":
            g = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", rtext)
            if g:
                v = [int(x) for x in g.groups()]
                ep = (".".join(map(str, v[:4])), v[4] * 256 + v[5])
        elif c["verb"] == "EPSV" and code == "229":
            m = re.search(r"\((.)\1\1(\d+)\1\)", rtext)
            if m:
                ep = (ctl["srv"][0], int(m.group(2)))
        accepted = code[:1] == "2"
        # the data connection: first unclaimed SYN after the reply, before the
        # session's next announcement
        nxt = next((c2["no"] for c2 in cmds[i + 1:]
                    if c2["stream"] == c["stream"] and c2["verb"] in ANNOUNCE_CMDS), None)
        syn = None
        if accepted and ep and rno:
            for f in data_syns:
                if f["no"] <= rno or f["no"] in claimed or (nxt and f["no"] > nxt):
                    continue
                if active:
                    ok = (f["dst"], f["dport"]) == ep
                else:
                    ok = f["src"] == ctl["cli"][0] and f["dport"] == ep[1] and \
                        f["dst"] in (ep[0], ctl["srv"][0])
                if ok:
                    syn = f
                    claimed.add(f["no"])
                    break
        xfer = None
        for c2 in cmds[i + 1:]:
            if c2["stream"] != c["stream"]:
                continue
            if c2["verb"] in TRANSFER_CMDS:
                xfer = c2
                break
            if c2["verb"] in ANNOUNCE_CMDS:
                break
        anns.append(dict(c=c, ep=ep, why=why, active=active, accepted=accepted, syn=syn,
                         xfer=xfer, ctl=ctl))

    # ---- output ---------------------------------------------------------------------
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
    p("Initiator = the side that sent the SYN (for active-mode data connections, the FTP server). "
      "Times are seconds since the first packet. Bytes are TCP payload bytes up to the highest "
      "sequence number seen in each direction (retransmissions not counted twice; bytes sent after "
      "a RST included). \"TLS\" = a TLS ClientHello was seen (frame).\n")
    p("| stream | SYN frame | SYN-ACK | time | initiator | acceptor | role | frames | bytes initiator→acceptor / acceptor→initiator | re-sent | closed |")
    p("|---:|---:|---:|---|---|---|---|---:|---|---:|---|")
    role_of = {}
    for a in anns:
        if a["syn"]:
            role_of[a["syn"]["conn"]["stream"]] = a
    for s in conns.values():
        if is_ctl(s):
            role = "control"
            if s["stream"] in tls_from:
                role += " (implicit TLS)" if s["srv"][1] == 990 else f" (TLS from frame {tls_from[s['stream']]})"
        elif s["stream"] in role_of:
            a = role_of[s["stream"]]
            role = f"data ({'active' if a['active'] else 'passive'}, {a['c']['verb']} in frame {a['c']['no']}" + \
                   (f", {a['xfer']['verb']}" if a["xfer"] else "") + ")"
        else:
            # an encrypted control session between the same hosts, open at the time?
            enc = [c for c in conns.values() if is_ctl(c) and c["stream"] in tls_from
                   and {c["cli"][0], c["srv"][0]} == {s["cli"][0], s["srv"][0]}
                   and c["first"] < s["first"] <= c["last"]]
            if enc:
                role = f"data of TLS control stream {enc[0]['stream']} (announcement encrypted)"
            else:
                role = "no matching announcement"
        if s["hello"]:
            role += f"; TLS ({s['hello']})"
        c2s = s["bytes"].get(s["cli"], 0)
        s2c = s["bytes"].get(s["srv"], 0)
        closed = f"RST ({s['rstframe']})" if s["rst"] else ("FIN" if s["fin"] else "open")
        synf = s["syn"] or "—"
        if s["syns"] > 1:
            synf = f"{synf} (×{s['syns']})"
        p(f"| {s['stream']} | {synf} | {s['synack'] or '—'} | {s['t0']:.3f}–{s['t1']:.3f} | {endpoint(*s['cli'])} | {endpoint(*s['srv'])} | {role} "
          f"| {s['n']} | {c2s} / {s2c} | {s['retrans']} | {closed} |")
    p()

    p("### Announcements, replies and the data connections they set up\n")
    if not anns:
        p("(none readable)\n")
    else:
        p("Every PORT / EPRT / PASV / EPSV command, accepted or not. *endpoint*: what the "
          "announcement names (for EPSV: the control connection's server address). *data SYN*: the "
          "first SYN to that endpoint after the reply; *answer*: SYN-ACK or RST frame.\n")
        p("| stream | frame | command | reply (frame) | endpoint | data SYN | data connection | answer | transfer (frame) | replies (frames) | bytes |")
        p("|---:|---:|---|---|---|---:|---|---|---|---|---:|")
        for a in anns:
            c = a["c"]
            reply = f"`{md(c['final'][1])}` ({c['final'][0]})" if c["final"] else "—"
            if a["ep"]:
                epx = endpoint(*a["ep"])
            else:
                epx = f"none ({a['why']})" if a["why"] else "—"
            if a["syn"]:
                f = a["syn"]
                s = f["conn"]
                dc = f"{endpoint(f['src'], f['sport'])} → {endpoint(f['dst'], f['dport'])} (stream {s['stream']})"
                ans = f"SYN-ACK {s['synack']}" if s["synack"] else (f"RST {s['rstframe']}" if s["rstframe"] else "none")
                if s["syns"] > 1:
                    ans += f" (SYN sent {s['syns']}×)"
                nbytes = str(sum(s["bytes"].values()))
                synno = str(f["no"])
            else:
                dc, ans, nbytes, synno = "none", "", "", "—"
            if a["xfer"]:
                x = a["xfer"]
                xf = f"`{md(x['text'])}` ({x['no']})"
                rep = [f"`{md(t)}` ({n})" for n, t in x["prelim"]]
                if x["final"]:
                    rep.append(f"`{md(x['final'][1])}` ({x['final'][0]})")
                xr = "<br>".join(rep)
            else:
                xf, xr = "—", ""
            p(f"| {c['stream']} | {c['no']} | `{md(c['text'])}` | {reply} | {md(epx)} | {synno} | {dc} | {ans} | {xf} | {xr} | {nbytes} |")
        p()

    p("### Control dialogue\n")
    for s in conns.values():
        if not is_ctl(s):
            continue
        p(f"Stream {s['stream']}: {endpoint(*s['cli'])} → {endpoint(*s['srv'])} "
          f"(frames {s['first']}–{s['last']})\n")
        p("```")
        n = 0
        for ln in lines:
            if ln["stream"] == s["stream"]:
                n += 1
                p(f"{ln['no']:>6}  {'C>' if ln['client'] else 'S<'} {ln['text']}"
                  + ("   [TCP urgent]" if ln["urg"] and ln["client"] else ""))
        if s["stream"] in tls_from:
            enc = sum(1 for f in frames if f["stream"] == s["stream"] and f["len"] and f["no"] >= tls_from[s["stream"]])
            p(f"{tls_from[s['stream']]:>6}  -- TLS from here on: {enc} frames with encrypted payload --")
        p("```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
