#!/usr/bin/env python3
"""capture-facts.py STYLE CAPTURE [CONTROL_PORT...] — Markdown facts about one sample capture,
the generated half of its case README, so the frame numbers and ports in the README always match
the capture that was just recorded. Everything comes from capinfos and tshark (Wireshark 4.x
dissectors), independently of ftpcap's own code.

One script for every family of samples; STYLE says which README layout:

  core           make-samples.sh (and link-types, capture-formats): connections, announcements
                 with the connection that answered them, the control dialogue
  protocol       make-protocol-samples.sh: also malformed announcements, urgent data, TLS
  failure        make-failure-samples.sh, make-firewall-samples.sh: unanswered and refused SYNs,
                 ICMP errors, one control port
  other-servers  make-other-server-samples.sh: replies side by side, one control port

The styles share how the capture is read (capinfos, one tshark pass over the TCP frames) and
differ in what they print. What each prints, as its README section says:
--- core ---

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

--- protocol ---
protocol-level sample capture (samples/tools/make-protocol-samples.sh).

The same idea as the core style, from capinfos and tshark only (never
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

--- failure ---
of the NAT / firewall sample cases (make-failure-samples.sh).

Written for captures in which data connections fail, so unlike
the core style it follows every SYN, not only answered ones:

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

--- other-servers ---
sample capture, for the ProFTPD / Pure-FTPd cases of make-other-server-samples.sh.

The same idea as the core style (everything comes from capinfos and
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
ANNOUNCE_CMDS = {"PORT", "EPRT", "LPRT", "PASV", "EPSV", "LPSV"}
TRANSFER = TRANSFER_CMDS
SETUP_CMDS = ANNOUNCE_CMDS


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def endpoint(ip: str, port) -> str:
    return (f"[{ip}]" if ":" in ip else ip) + f":{port}"


def capinfos(cap: str) -> dict:
    """capinfos -M as a dict: "Number of packets" -> "163", ..."""
    info = {}
    for line in run("capinfos", "-M", cap).splitlines():
        if ":" in line:
            k, _, v = line.partition(":")
            info[k.strip()] = v.strip()
    return info


def tcp_frames(cap: str, *, ipv6: bool = True, display_filter: str = "tcp", options=(), first_occurrence: bool = False) -> list:
    """Every TCP frame of the capture from one tshark pass: number, relative time, stream, endpoints,
    flags, length, relative sequence number and payload. `ipv6=False` keeps IPv4 addresses only
    (an IPv6 frame then has empty addresses, as the failure READMEs were written); `first_occurrence` takes a field's first value where
    a frame has several (an ICMP error quoting a TCP header)."""
    fields = ["frame.number", "frame.time_relative", "tcp.stream", "ip.src", "ipv6.src",
              "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport", "tcp.flags.syn",
              "tcp.flags.ack", "tcp.flags.fin", "tcp.flags.reset", "tcp.flags.urg", "tcp.len",
              "tcp.seq", "tcp.payload"]
    occurrence = ["-E", "occurrence=f"] if first_occurrence else []
    out = run("tshark", "-n", "-r", cap, *options, "-Y", display_filter, "-T", "fields", "-E", "separator=/t",
              *occurrence, *sum((["-e", f] for f in fields), []))
    yes = ("1", "True")
    frames = []
    for line in out.splitlines():
        c = line.split("\t")
        c += [""] * (len(fields) - len(c))
        frames.append(dict(
            no=int(c[0]), t=float(c[1]), stream=int(c[2]), src=c[3] or (c[4] if ipv6 else ""), sport=int(c[5]),
            dst=c[6] or (c[7] if ipv6 else ""), dport=int(c[8]), syn=c[9] in yes, ack=c[10] in yes,
            fin=c[11] in yes, rst=c[12] in yes, urg=c[13] in yes, len=int(c[14] or 0), seq=int(c[15] or 0),
            payload=bytes.fromhex(c[16].replace(":", "")) if c[16] else b""))
    return frames


# ---- shared by the styles ---------------------------------------------------

CAPINFOS_ROWS = ("Number of packets", "File size", "File type", "File encapsulation",
                 "File timestamp precision", "Packet size limit", "First packet time",
                 "Last packet time", "Capture duration")


def print_capinfos(info: dict, heading: bool = True) -> None:
    """The capture file table (capinfos), under its heading unless heading=False."""
    if heading:
        print("### Capture file (capinfos)\n")
    print("| | |\n|---|---|")
    for k in CAPINFOS_ROWS:
        if k in info:
            print(f"| {k} | {info[k]} |")
    print()


def tcp_connections(frames: list) -> dict:
    """TCP connections by tshark stream number, from tcp_frames(): first/last frame and time, frame
    count, the first SYN (frame) and how many SYNs, the first SYN-ACK and RST frames, client and
    server (the SYN's sender and receiver; without a SYN, the first frame's), unique payload bytes
    per direction (highest relative sequence number reached, so retransmissions are not counted
    twice) and how many segments re-sent old bytes, FIN/RST seen, and the frame of a TLS
    ClientHello. Sets f["conn"] on every frame."""
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
        if s["cli"] is None:  # no SYN seen: guess from the first frame
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
    return conns


def control_lines(frames: list, port: int) -> list:
    """The lines of every control connection on PORT, reassembled per direction:
    (frame where the line starts, stream, from_client, text)."""
    lines = []
    buf = {}
    for f in frames:
        if port not in (f["sport"], f["dport"]) or not f["payload"]:
            continue
        from_client = f["dport"] == port
        k = (f["stream"], from_client)
        start, data = buf.get(k, (None, b""))
        data += f["payload"]
        start = start or f["no"]
        while b"\n" in data:
            raw, _, data = data.partition(b"\n")
            lines.append((start, f["stream"], from_client, raw.rstrip(b"\r").decode("latin-1")))
            start = f["no"]
        buf[k] = (start if data else None, data)
    return lines


def print_dialogue(conns: dict, lines: list, port: int) -> None:
    """The control dialogue of every connection on PORT, one code block each."""
    print("### Control dialogue\n")
    for s in conns.values():
        if port not in (s["srv"][1], s["cli"][1]):
            continue
        print(f"Stream {s['stream']}: {endpoint(*s['cli'])} → {endpoint(*s['srv'])} "
              f"(frames {s['first']}–{s['last']})\n")
        print("```")
        for no, stream, from_client, text in lines:
            if stream == s["stream"]:
                print(f"{no:>6}  {'C>' if from_client else 'S<'} {text}")
        print("```\n")


# ---- protocol style: bytes and announcements ------------------------------

def show_bytes(raw: bytes) -> str:
    out = []
    for b in raw:
        out.append(chr(b) if 32 <= b < 127 else f"\\x{b:02x}")
    return "".join(out)

def md_cell(text: str) -> str:
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

# ---- failure style --------------------------------------------------------

def show_escaped(b: bytes) -> str:
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

# ---- other-servers style --------------------------------------------------

def md_code(text: str) -> str:
    """A line of the capture inside a Markdown table cell, as code."""
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def describe_core(argv: list) -> int:
    cap = argv[0]

    info = capinfos(cap)
    frames = tcp_frames(cap)

    conns = tcp_connections(frames)

    lines = control_lines(frames, 21)  # (frame, stream, from_client, text)

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
    print_capinfos(info)

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

    print_dialogue(conns, lines, 21)
    return 0


def describe_protocol(argv: list) -> int:
    cap = argv[0]
    ctl_ports = {int(p) for p in argv[1:]} or {21}

    info = capinfos(cap)
    frames = tcp_frames(cap, options=("-o", "tcp.analyze_sequence_numbers:TRUE"))

    conns = tcp_connections(frames)

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
            text = show_bytes(raw.rstrip(b"\r"))
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
    print_capinfos(info)

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
            reply = f"`{md_cell(c['final'][1])}` ({c['final'][0]})" if c["final"] else "—"
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
                xf = f"`{md_cell(x['text'])}` ({x['no']})"
                rep = [f"`{md_cell(t)}` ({n})" for n, t in x["prelim"]]
                if x["final"]:
                    rep.append(f"`{md_cell(x['final'][1])}` ({x['final'][0]})")
                xr = "<br>".join(rep)
            else:
                xf, xr = "—", ""
            p(f"| {c['stream']} | {c['no']} | `{md_cell(c['text'])}` | {reply} | {md_cell(epx)} | {synno} | {dc} | {ans} | {xf} | {xr} | {nbytes} |")
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


def describe_failure(argv: list) -> int:
    cap = argv[0]
    ctl_port = int(argv[1]) if len(argv) > 1 else 21
    dec = [] if ctl_port == 21 else ["-d", f"tcp.port=={ctl_port},ftp"]

    info = capinfos(cap)
    frames = tcp_frames(cap, ipv6=False, display_filter="tcp && !icmp", options=dec, first_occurrence=True)

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
            lines.append((start[0], start[1], f["stream"], from_client, show_escaped(raw.rstrip(b"\r"))))
            start = (f["no"], f["t"])
        buf[k] = (start if data else None, data)
    for (stream, from_client), (start, data) in buf.items():
        if data:
            lines.append((start[0], start[1], stream, from_client, show_escaped(data) + "  (no line end)"))
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
    print_capinfos(info, heading=False)
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


def describe_other_servers(argv: list) -> int:
    cap = argv[0]
    ctl_port = int(argv[1]) if len(argv) > 1 else 21

    info = capinfos(cap)
    frames = tcp_frames(cap)

    conns = tcp_connections(frames)

    def is_control(s):
        return s["srv"][1] == ctl_port

    lines = control_lines(frames, ctl_port)  # (frame, stream, from_client, text)

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
    print_capinfos(info)

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
                elif s["rstframe"]:
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
            xcmd = f"{md_code(x['text'])} ({x['no']})" if x else "—"
            xfin = next((rr for rr in x["replies"] if not rr["code"].startswith("1")), None) if x else None
            xrep = f"{md_code(reply_text(xfin))} ({xfin['no']})" if xfin else "—"
            p(f"| {c['no']} | {a['stream']} | {md_code(c['text'])} | {r['no'] if r else '—'} | {md_code(reply_text(r)) if r else '—'} "
              f"| {ep} | {synno} | {answer} | {dc} | {xcmd} | {xrep} | {nbytes} |")
        p()

    p("### Logins\n")
    p("| stream | frame | command | reply frame | reply |")
    p("|---:|---:|---|---:|---|")
    for stream, st in per_stream.items():
        for c in st["cmds"]:
            if c["verb"] in ("USER", "PASS"):
                r = next((rr for rr in c["replies"] if not rr["code"].startswith("1")), None)
                p(f"| {stream} | {c['no']} | {md_code(c['text'])} | {r['no'] if r else '—'} | {md_code(reply_text(r)) if r else '—'} |")
    p()

    print_dialogue(conns, lines, ctl_port)
    return 0


STYLES = {"core": describe_core, "protocol": describe_protocol, "failure": describe_failure, "other-servers": describe_other_servers}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in STYLES:
        sys.exit(f"usage: capture-facts.py {{{'|'.join(STYLES)}}} CAPTURE [CONTROL_PORT...]")
    sys.exit(STYLES[sys.argv[1]](sys.argv[2:]))
