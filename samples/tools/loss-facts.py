#!/usr/bin/env python3
"""Facts about one capture of FTP over lossy or incomplete TCP, from tshark only.

    loss-facts.py md CAPTURE [--ctl PORT]... [--drops NFLOG.pcap] [--json OUT]
    loss-facts.py frames CAPTURE [--ctl PORT]... FRAME...      (JSON: what each frame carries)

Every TCP direction is rebuilt by sequence number, not by arrival order, so a
segment that appears twice (the copy that was lost further on, then the
retransmission) counts once, and bytes that never appear are reported as holes.
"""
import argparse
import bisect
import json
import re
import subprocess
import sys

TRANSFER = {"LIST", "NLST", "MLSD", "RETR", "STOR", "STOU", "APPE"}
FROM_SERVER = {"LIST", "NLST", "MLSD", "RETR"}
M32 = 1 << 32


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def tsfields(cap, fields, filt=None, extra=(), occ="f"):
    args = ["tshark", "-n", "-r", cap, *extra]
    if filt:
        args += ["-Y", filt]
    args += ["-T", "fields", "-E", "separator=/t", "-E", f"occurrence={occ}", "-E", "aggregator=|"]
    for f in fields:
        args += ["-e", f]
    rows = []
    for line in run(*args).splitlines():
        c = line.split("\t")
        rows.append(c + [""] * (len(fields) - len(c)))
    return rows


def ep(a, p):
    return (f"[{a}]" if ":" in a else a) + f":{p}"


class Intervals:
    """Merged, sorted [start, end) intervals."""

    def __init__(self):
        self.s, self.e = [], []

    def covered(self, a, b):
        n = 0
        i = max(bisect.bisect_right(self.s, a) - 1, 0)
        while i < len(self.s) and self.s[i] < b:
            n += max(0, min(b, self.e[i]) - max(a, self.s[i]))
            i += 1
        return n

    def add(self, a, b):
        if a >= b:
            return
        i = bisect.bisect_left(self.e, a)
        j = i
        while j < len(self.s) and self.s[j] <= b:
            a, b = min(a, self.s[j]), max(b, self.e[j])
            j += 1
        self.s[i:j], self.e[i:j] = [a], [b]

    def total(self):
        return sum(e - s for s, e in zip(self.s, self.e))

    def holes(self, lo, hi):
        out, cur = [], lo
        for s, e in zip(self.s, self.e):
            if s > cur:
                out.append((cur, min(s, hi)))
            cur = max(cur, e)
        if cur < hi:
            out.append((cur, hi))
        return [h for h in out if h[0] < h[1]]


def load(cap, ctl_ports):
    extra = []
    for p in ctl_ports:
        if p != 21:
            extra += ["-d", f"tcp.port=={p},ftp"]
    fields = ["frame.number", "frame.time_epoch", "frame.time_relative", "tcp.stream", "ip.src", "ipv6.src",
              "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw",
              "tcp.len", "tcp.payload"]
    frames = []
    for c in tsfields(cap, fields, "tcp", extra):
        fl = int(c[10], 16)
        frames.append(dict(no=int(c[0]), ts=float(c[1]), t=float(c[2]), stream=int(c[3]),
                           src=c[4] or c[5], sport=int(c[6]), dst=c[7] or c[8], dport=int(c[9]),
                           flags=fl, syn=bool(fl & 2), ack=bool(fl & 16), fin=bool(fl & 1), rst=bool(fl & 4),
                           seq=int(c[11]), acknum=int(c[12] or 0), len=int(c[13] or 0),
                           payload=bytes.fromhex(c[14].replace(":", "")) if c[14] else b""))
    # tshark's own TCP analysis (expert messages)
    expert = {}
    for c in tsfields(cap, ["frame.number", "_ws.expert.message"], "tcp.analysis.flags || tcp.options.sack_le",
                      extra, occ="a"):
        expert[int(c[0])] = c[1]
    return frames, expert, extra


def flagstr(f):
    s = []
    for bit, name in ((2, "SYN"), (1, "FIN"), (4, "RST"), (8, "PSH"), (16, "ACK")):
        if f["flags"] & bit:
            s.append(name)
    return ",".join(s)


def analyse(cap, ctl_ports):
    frames, expert, extra = load(cap, ctl_ports)
    byno = {f["no"]: f for f in frames}
    conns = {}
    for f in frames:
        s = conns.setdefault(f["stream"], dict(stream=f["stream"], frames=[], first=f["no"], t0=f["t"]))
        s["frames"].append(f)
        s["last"], s["t1"] = f["no"], f["t"]
    for s in conns.values():
        fr = s["frames"]
        syn = next((f for f in fr if f["syn"] and not f["ack"]), None)
        synack = next((f for f in fr if f["syn"] and f["ack"]), None)
        s["syn"] = syn["no"] if syn else None
        s["syn_frames"] = [f["no"] for f in fr if f["syn"] and not f["ack"]]
        s["synack_frames"] = [f["no"] for f in fr if f["syn"] and f["ack"]]
        a, b = (fr[0]["src"], fr[0]["sport"]), (fr[0]["dst"], fr[0]["dport"])
        how = None
        if syn:
            cli, srv, how = (syn["src"], syn["sport"]), (syn["dst"], syn["dport"]), "SYN"
        elif synack:
            cli, srv, how = (synack["dst"], synack["dport"]), (synack["src"], synack["sport"]), "SYN-ACK"
        else:
            cli, srv = a, b
        s["ctl"] = a[1] in ctl_ports or b[1] in ctl_ports
        if s["ctl"] and not how:
            # no handshake in the capture: the FTP server is the side whose
            # first payload starts with a 3-digit reply code
            for f in fr:
                if f["payload"]:
                    if re.match(rb"^\d{3}[ -]", f["payload"]):
                        srv, cli = (f["src"], f["sport"]), (f["dst"], f["dport"])
                    else:
                        cli, srv = (f["src"], f["sport"]), (f["dst"], f["dport"])
                    how = "3-digit replies"
                    break
        if not how:
            how = "first frame"
        s["cli"], s["srv"], s["how"] = cli, srv, how
        # per-direction reassembly
        s["dir"] = {}
        for key, other in ((cli, srv), (srv, cli)):
            segs = [f for f in fr if (f["src"], f["sport"]) == key]
            d = dict(frames=len(segs), isn=None, base=None, fin=None, segs=[], iv=Intervals(),
                     retrans=[], fills=[], after_hole=[], partial=[], first_byte_frame={})
            synf = next((f for f in segs if f["syn"]), None)
            if synf:
                d["isn"] = synf["seq"]
                d["base"] = (synf["seq"] + 1) % M32
            elif segs:
                d["base"] = next((f["seq"] for f in segs if f["len"]), segs[0]["seq"])
            maxend = None
            for f in segs:
                if d["base"] is None:
                    break
                r = ((f["seq"] - d["base"] + (M32 >> 1)) % M32) - (M32 >> 1)
                if f["syn"]:
                    r = -1
                f["rel"] = r
                if f["fin"]:
                    fe = r + f["len"]
                    d["fin"] = fe if d["fin"] is None else d["fin"]
                if not f["len"]:
                    continue
                a0, b0 = r, r + f["len"]
                cov = d["iv"].covered(a0, b0)
                # bytes of this segment never captured before and below the
                # highest byte captured so far: it fills a hole
                below = 0
                if maxend is not None and a0 < maxend:
                    m = min(b0, maxend)
                    below = (m - a0) - d["iv"].covered(a0, m)
                if cov == f["len"]:
                    d["retrans"].append(f["no"])
                    f["kind"] = "retransmission"
                elif below:
                    d["fills"].append(f["no"])
                    f["kind"] = "fills a hole"
                elif cov:
                    d["partial"].append(f["no"])
                    f["kind"] = "partial retransmission"
                elif maxend is not None and a0 > maxend:
                    d["after_hole"].append(f["no"])
                    f["kind"] = "after a hole"
                else:
                    f["kind"] = "new"
                d["iv"].add(a0, b0)
                maxend = b0 if maxend is None else max(maxend, b0)
                d["segs"].append(f)
            d["maxend"] = maxend or 0
            lo = min(d["iv"].s) if d["iv"].s else 0
            lo = min(lo, 0)
            hi = d["fin"] if d["fin"] is not None else d["maxend"]
            hi = max(hi, d["maxend"])
            d["lo"], d["hi"] = lo, hi
            d["unique"] = d["iv"].total()
            d["span"] = hi - lo
            d["holes"] = d["iv"].holes(lo, hi)
            s["dir"]["c2s" if key == cli else "s2c"] = d
        s["closed"] = "RST" if any(f["rst"] for f in fr) else ("FIN" if any(f["fin"] for f in fr) else "open")
    # control lines, rebuilt by sequence number
    lines = []
    for s in conns.values():
        if not s["ctl"]:
            continue
        s["lines"] = []
        for dkey in ("c2s", "s2c"):
            d = s["dir"][dkey]
            # earliest frame per byte offset
            owner = {}
            for f in sorted(d["segs"], key=lambda f: f["no"]):
                for i, byte in enumerate(f["payload"]):
                    owner.setdefault(f["rel"] + i, (byte, f["no"]))
            offs = sorted(owner)
            cur, start, gapbytes, prev = bytearray(), None, [], None
            pieces = []
            for o in offs:
                if prev is not None and o != prev + 1:
                    if cur:  # the gap is inside a line
                        cur += b"\x00GAP%d\x00" % (o - prev - 1)
                    else:  # the gap starts at a line boundary: a line of its own
                        pieces.append(((prev + 1, owner[o][1]), b"\x00GAP%d\x00" % (o - prev - 1), True))
                    gapbytes.append(o - prev - 1)
                byte, no = owner[o]
                if start is None:
                    start = (o, no)
                cur.append(byte)
                prev = o
                if byte == 0x0A:
                    pieces.append((start, bytes(cur), True))
                    cur, start = bytearray(), None
            if cur:
                pieces.append((start, bytes(cur), False))
            for (o, no), raw, complete in pieces:
                text = raw.rstrip(b"\r\n").decode("latin-1")
                gaps = [int(g) for g in re.findall(r"\x00GAP(\d+)\x00", text)]
                text = re.sub(r"\x00GAP(\d+)\x00", lambda m: f"⟨{m.group(1)} bytes missing⟩", text)
                ln = dict(no=no, stream=s["stream"], from_client=dkey == "c2s", text=text, offset=o,
                          gaps=gaps, complete=complete)
                lines.append(ln)
                s["lines"].append(ln)
    lines.sort(key=lambda l: (l["no"], l["offset"]))
    # announcements and the data connections they set up
    data_syns = [(s["syn"], s) for s in conns.values() if not s["ctl"] and s["syn"]]
    data_syns.sort(key=lambda x: x[0])
    claimed = set()
    anns = []
    for i, ln in enumerate(lines):
        ctl = conns[ln["stream"]]
        text, fc = ln["text"], ln["from_client"]
        mp = re.match(r"(?i)^PORT\s+(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", text) if fc else None
        me = re.match(r"(?i)^EPRT\s+(.)(\d)\1([^|]+)\1(\d+)\1", text) if fc else None
        m7 = re.match(r"^227[ -].*?(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", text) if not fc else None
        m9 = re.match(r"^229[ -].*\((.)\1\1(\d+)\1\)", text) if not fc else None
        if mp:
            g = [int(x) for x in mp.groups()]
            method, active, target = "PORT", True, (".".join(map(str, g[:4])), g[4] * 256 + g[5])
        elif me:
            method, active, target = "EPRT", True, (me.group(3), int(me.group(4)))
        elif m7:
            g = [int(x) for x in m7.groups()]
            method, active, target = "PASV (227)", False, (".".join(map(str, g[:4])), g[4] * 256 + g[5])
        elif m9:
            method, active, target = "EPSV (229)", False, (ctl["srv"][0], int(m9.group(2)))
        else:
            continue
        data = None
        for no, s in data_syns:
            if no <= ln["no"] or no in claimed:
                continue
            if s["srv"] != target:
                continue
            if s["cli"][0] != (ctl["srv"][0] if active else ctl["cli"][0]):
                continue
            data = s
            claimed.add(no)
            break
        cmd = final = prelim = None
        for l2 in lines[i + 1:]:
            if l2["stream"] != ln["stream"]:
                continue
            if cmd is None:
                if not l2["from_client"]:
                    continue
                verb = l2["text"].split(" ", 1)[0].upper()
                if verb in TRANSFER:
                    cmd = l2
                elif verb in ("PORT", "EPRT", "PASV", "EPSV"):
                    break
                continue
            if l2["from_client"]:
                continue
            m = re.match(r"^(\d{3}) ", l2["text"])
            if not m:
                continue
            if m.group(1)[0] == "1":
                prelim = prelim or l2
            else:
                final = l2
                break
        a = dict(frame=ln["no"], stream=ln["stream"], method=method, text=text, target=ep(*target),
                 active=active, data=data, cmd=cmd, prelim=prelim, final=final)
        if data and cmd:
            verb = cmd["text"].split(" ", 1)[0].upper()
            # data direction: from the FTP server (RETR, LIST) or from the FTP client (STOR)
            from_srv = verb in FROM_SERVER
            if active:
                dkey = "c2s" if from_srv else "s2c"
            else:
                dkey = "s2c" if from_srv else "c2s"
            a["dkey"] = dkey
        anns.append(a)
    return dict(frames=frames, byno=byno, expert=expert, conns=conns, lines=lines, anns=anns, extra=extra)


def nflog_time(text):
    # "Nov 21, 2026 11:28:21.826342000 UTC" -> epoch seconds (float)
    import datetime
    m = re.match(r"(\w+ +\d+, \d+ \d+:\d+:\d+)\.(\d+)", text.strip())
    if not m:
        return None
    t = datetime.datetime.strptime(m.group(1), "%b %d, %Y %H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return t.timestamp() + float("0." + m.group(2))


def load_drops(path, A):
    """Every packet in the NFLOG capture of the loss rules, matched to the capture.

    Packets dropped in the input hook carry the kernel's receive timestamp
    (NFULA_TIMESTAMP); packets dropped in the output hook carry none, and the
    NFLOG frames' own times are only when tcpdump read them (in batches). The
    kernel logs in drop order, so an output drop lies between the input drops
    logged before and after it."""
    rows = tsfields(path, ["nflog.timestamp", "nflog.prefix", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst",
                           "ipv6.dst", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.len", "tcp.flags"],
                    "tcp", A["extra"])
    by4 = {}
    for f in A["frames"]:
        by4.setdefault((f["src"], f["sport"], f["dst"], f["dport"]), []).append(f)
    t_first = A["frames"][0]["ts"] if A["frames"] else 0.0
    t_last = A["frames"][-1]["ts"] if A["frames"] else 0.0
    drops = []
    for c in rows:
        d = dict(ts=nflog_time(c[0]) if c[0] else None, hook=c[1].strip(), src=c[2] or c[3], sport=int(c[4]),
                 dst=c[5] or c[6], dport=int(c[7]), seq=int(c[8]), acknum=int(c[9] or 0), len=int(c[10] or 0),
                 flags=int(c[11], 16))
        d["syn"], d["fin"] = bool(d["flags"] & 2), bool(d["flags"] & 1)
        drops.append(d)
    # time window of each drop: exact for input drops, between the neighbouring
    # input drops for output drops
    prev = t_first
    for d in drops:
        if d["ts"] is not None:
            prev = d["ts"]
        d["t_lo"] = d["ts"] if d["ts"] is not None else prev
    nxt = t_last
    for d in reversed(drops):
        if d["ts"] is not None:
            nxt = d["ts"]
        d["t_hi"] = d["ts"] if d["ts"] is not None else nxt

    def exact(f, d):
        return (f["seq"], f["acknum"], f["len"], f["flags"]) == (d["seq"], d["acknum"], d["len"], d["flags"])

    used = set()
    for d in drops:
        fl = by4.get((d["src"], d["sport"], d["dst"], d["dport"]), [])
        d["frame"] = d["resent"] = None
        if d["hook"] == "in":
            # the lost copy is in the capture: it passed the capture point just before
            c = [f for f in fl if exact(f, d) and f["no"] not in used and f["ts"] <= d["t_lo"] + 0.001]
            if c:
                d["frame"] = c[-1]["no"]
                used.add(d["frame"])
        if d["len"] or d["syn"] or d["fin"]:
            for f in fl:
                if d["frame"] is not None and f["no"] <= d["frame"]:
                    continue
                if d["frame"] is None and f["ts"] < d["t_lo"] - 0.001:
                    continue
                rel = ((f["seq"] - d["seq"] + (M32 >> 1)) % M32) - (M32 >> 1)
                if d["syn"]:
                    hit = f["syn"] and rel == 0
                elif d["len"]:
                    hit = f["len"] and rel < d["len"] and rel + f["len"] > 0
                else:
                    hit = f["fin"] and rel + f["len"] == 0
                if hit:
                    d["resent"] = f["no"]
                    break
        d["stream"] = None
        if d["frame"] is not None:
            d["stream"] = A["byno"][d["frame"]]["stream"]
        elif d["resent"] is not None:
            d["stream"] = A["byno"][d["resent"]]["stream"]
        else:
            near = [f for f in fl if f["ts"] <= d["t_hi"] + 0.001]
            if near:
                d["stream"] = near[-1]["stream"]
            elif fl:
                d["stream"] = fl[0]["stream"]
    return drops


def describe_frame(A, no):
    f = A["byno"][no]
    s = A["conns"][f["stream"]]
    dkey = "c2s" if (f["src"], f["sport"]) == s["cli"] else "s2c"
    out = dict(frame=no, stream=f["stream"], src=ep(f["src"], f["sport"]), dst=ep(f["dst"], f["dport"]),
               flags=flagstr(f), len=f["len"], direction=dkey, control=s["ctl"],
               rel_seq=f.get("rel"), payload=f["payload"].decode("latin-1"))
    return out


def md(A, drops, control_ports):
    p = print
    conns, anns = A["conns"], A["anns"]
    # ---- connections
    p("### TCP connections\n")
    p("Client = the side that sent the SYN (for an active data connection: the FTP server); for a")
    p("connection whose handshake is not in the capture, the side that does not send 3-digit replies")
    p("(control) or the side that sent the first frame (data). Byte offsets are relative to the")
    p("sequence number after the SYN (or, without a SYN, to the first segment seen).\n")
    p("`unique` = payload bytes present in the capture (each byte once, however often it was sent);")
    p("`span` = from the first to the last byte of the direction (FIN included when seen);")
    p("`re-sent` = segments whose bytes had all been captured before (the copy that was lost later on");
    p("the path is in the capture as well, or the resend was spurious); `hole-fill` = segments that carry bytes")
    p("missing from the capture until then although later bytes were already there (the first copy")
    p("was lost before the capture point; the resend may also repeat bytes); `holes` = bytes inside the span")
    p("that are not in the capture at all.\n")
    p("| stream | SYN frame | client | server | found by | role | frames | c→s unique / span / re-sent / hole-fill / holes | s→c unique / span / re-sent / hole-fill / holes | closed |")
    p("|---:|---:|---|---|---|---|---:|---|---|---|")
    data_role = {a["data"]["stream"]: a for a in anns if a["data"]}
    for s in conns.values():
        if s["ctl"]:
            role = "control"
        elif s["stream"] in data_role:
            a = data_role[s["stream"]]
            role = (f"data ({'active' if a['active'] else 'passive'}, announced in frame {a['frame']}"
                    + (f", {a['cmd']['text'].split(' ')[0]}" if a["cmd"] else "") + ")")
        else:
            role = "data? (no announcement in the capture)"

        def dd(d):
            h = sum(b - a for a, b in d["holes"])
            return f"{d['unique']} / {d['span']} / {len(d['retrans']) + len(d['partial'])} / {len(d['fills'])} / {h}"
        syn = ", ".join(map(str, s["syn_frames"])) or "—"
        p(f"| {s['stream']} | {syn} | {ep(*s['cli'])} | {ep(*s['srv'])} | {s['how']} | {role} | {len(s['frames'])} "
          f"| {dd(s['dir']['c2s'])} | {dd(s['dir']['s2c'])} | {s['closed']} |")
    p()
    # ---- tshark's view
    ex = A["expert"]
    cats = [("retransmission", "(suspected) retransmission"), ("fast retransmission", "fast retransmission"),
            ("spurious retransmission", "spurious retransmission"), ("out-of-order", "out-of-order"),
            ("previous segment not captured", "Previous segment"), ("ACKed unseen segment", "ACKed segment that wasn't"),
            ("duplicate ACK", "Duplicate ACK"), ("D-SACK", "D-SACK"), ("zero window", "Zero Window segment"),
            ("window full", "completely full")]
    counts = {c: 0 for c, _ in cats}
    for msg in ex.values():
        for c, needle in cats:
            if needle in msg:
                counts[c] += 1
    sack = len(A["_sack"]) if "_sack" in A else None
    p("### tshark's TCP analysis (expert info)\n")
    p("| flag | frames |\n|---|---:|")
    for c, _ in cats:
        p(f"| {c} | {counts[c]} |")
    if sack is not None:
        p(f"| segments with a SACK option | {sack} |")
    p()
    # ---- announcements
    p("### Announcements, data connections and transfers\n")
    if not anns:
        p("(none)\n")
    else:
        p("| announced in frame | control stream | method | line | endpoint | data SYN frame(s) | SYN-ACK frame(s) | data stream | command (frame) | 1xx (frame) | final reply (frame) | data bytes (direction) | unique bytes in capture |")
        p("|---:|---:|---|---|---|---|---|---:|---|---|---|---:|---:|")
        for a in anns:
            d = a["data"]
            cmd = f"`{a['cmd']['text']}` ({a['cmd']['no']})" if a["cmd"] else "—"
            pre = f"{a['prelim']['text'][:3]} ({a['prelim']['no']})" if a["prelim"] else "—"
            fin = f"{a['final']['text'][:3]} ({a['final']['no']})" if a["final"] else "—"
            if d:
                dk = a.get("dkey")
                nb = f"{d['dir'][dk]['span']} ({'FTP server→client' if (dk == 's2c') != a['active'] else 'FTP client→server'})" if dk else ""
                uq = d["dir"][dk]["unique"] if dk else ""
                p(f"| {a['frame']} | {a['stream']} | {a['method']} | `{a['text']}` | {a['target']} | "
                  f"{', '.join(map(str, d['syn_frames']))} | {', '.join(map(str, d['synack_frames'])) or '—'} | {d['stream']} | {cmd} | {pre} | {fin} | {nb} | {uq} |")
            else:
                p(f"| {a['frame']} | {a['stream']} | {a['method']} | `{a['text']}` | {a['target']} | none | — | — | {cmd} | {pre} | {fin} | | |")
        p()
    # ---- drops (lossy)
    if drops is not None:
        p("### What the server's nftables rules dropped\n")
        p("From the NFLOG copy of every dropped packet (`log group` in the rules). `in` = dropped on")
        p("arrival at the server (the lost copy IS in the capture, it had passed the capture point);")
        p("`out` = dropped as the server sent it (never on the wire: the capture only has the")
        p("retransmission, or nothing for a pure ACK).\n")
        p("| stream | role | in: with payload / SYN,FIN / pure ACK | out: with payload / SYN,FIN / pure ACK |")
        p("|---:|---|---|---|")
        per = {}
        for d in drops:
            k = per.setdefault(d["stream"], {"in": [0, 0, 0], "out": [0, 0, 0]})
            i = 0 if d["len"] else (1 if (d["syn"] or d["fin"]) else 2)
            k[d["hook"]][i] += 1
        for st in sorted(per, key=lambda x: (x is None, x)):
            s = conns.get(st)
            role = ("control" if s["ctl"] else "data") if s else "?"
            p(f"| {st} | {role} | {' / '.join(map(str, per[st]['in']))} | {' / '.join(map(str, per[st]['out']))} |")
        p(f"\nTotal: {len(drops)} packets dropped ({sum(1 for d in drops if d['hook'] == 'in')} in, "
          f"{sum(1 for d in drops if d['hook'] == 'out')} out).\n")
        p("Every drop on a control connection:\n")
        p("| stream | hook | direction | flags | offset | len | lost copy in capture | first resend in capture | carried |")
        p("|---:|---|---|---|---:|---:|---:|---:|---|")
        for d in drops:
            s = conns.get(d["stream"])
            if not s or not s["ctl"]:
                continue
            dk = "c2s" if (d["src"], d["sport"]) == s["cli"] else "s2c"
            base = s["dir"][dk]["base"]
            rel = ((d["seq"] - base + (M32 >> 1)) % M32) - (M32 >> 1) if base is not None else ""
            carried = ""
            if d["resent"]:
                carried = A["byno"][d["resent"]]["payload"].decode("latin-1").replace("\r\n", "␍␊ ").strip()
            elif d["frame"]:
                carried = A["byno"][d["frame"]]["payload"].decode("latin-1").replace("\r\n", "␍␊ ").strip()
            fl = flagstr(dict(flags=d["flags"]))
            p(f"| {d['stream']} | {d['hook']} | {'client→server' if dk == 'c2s' else 'server→client'} | {fl} | {rel} | {d['len']} "
              f"| {d['frame'] or '—'} | {d['resent'] or '—'} | `{carried[:70]}` |")
        p()
    # ---- control dialogue
    p("### Control dialogue (rebuilt by sequence number)\n")
    p("Frame = the first frame that carried the line's first byte. Lines whose bytes were")
    p("captured more than once, or arrived only in a retransmission, are marked.\n")
    for s in conns.values():
        if not s["ctl"]:
            continue
        p(f"Stream {s['stream']}: client {ep(*s['cli'])}, server {ep(*s['srv'])} (found by: {s['how']}; "
          f"frames {s['first']}–{s['last']})\n")
        p("```")
        rmap = {}
        for dk in ("c2s", "s2c"):
            for no in s["dir"][dk]["retrans"] + s["dir"][dk]["partial"]:
                rmap[no] = "re-sent"
            for no in s["dir"][dk]["fills"]:
                rmap[no] = "hole-fill"
        for ln in sorted(s["lines"], key=lambda l: (l["no"], l["offset"])):
            notes = []
            f0 = A["byno"][ln["no"]]
            if ln["no"] in rmap:
                notes.append(f"first captured in a {rmap[ln['no']]} segment")
            # other frames carrying the same bytes
            dups = [f["no"] for f in s["frames"] if f["len"] and f["no"] != ln["no"]
                    and (f["src"], f["sport"]) == (f0["src"], f0["sport"])
                    and f["rel"] <= ln["offset"] < f["rel"] + f["len"]]
            if dups:
                notes.append("also in frame " + ", ".join(map(str, dups)))
            if not ln["complete"]:
                notes.append("no line end")
            note = f"   [{'; '.join(notes)}]" if notes else ""
            p(f"{ln['no']:>7}  {'C>' if ln['from_client'] else 'S<'} {ln['text']}{note}")
        p("```\n")


def write_drops_txt(fh, A, drops, cap, dpath):
    import os
    w = lambda x="": fh.write(x + "\n")
    w(f"# Every packet the server's nftables rules dropped while {os.path.basename(cap)} was recorded")
    w("# (from the NFLOG copy; times are seconds since the capture's first frame).")
    w("# hook: in = dropped on arrival at the server, so the lost copy IS in capture.pcap (lost frame);")
    w("#       out = dropped as the server sent it, never on the wire (no lost frame in the capture).")
    w("# resent: the first later frame of capture.pcap carrying any of the same bytes (or the same SYN / FIN).")
    w("# offset: bytes after the SYN's sequence number + 1 in that direction (-1 = the SYN itself).")
    w()
    t0 = A["frames"][0]["ts"] - A["frames"][0]["t"] if A["frames"] else 0
    w("# time: for in, the kernel's receive time of the dropped packet; for out (the kernel logs no time),")
    w("#       the window between the in-drops logged before and after it.")
    w(f"{'time':>19} {'hook':4} {'stream':>6} {'role':7} {'src -> dst':47} {'flags':13} {'offset':>9} {'len':>5} {'lost':>6} {'resent':>6}")
    for d in drops:
        s = A["conns"].get(d["stream"])
        rel = ""
        role = "?"
        if s:
            role = "control" if s["ctl"] else "data"
            dk = "c2s" if (d["src"], d["sport"]) == s["cli"] else "s2c"
            base = s["dir"][dk]["base"]
            if base is not None:
                rel = -1 if d["syn"] else ((d["seq"] - base + (M32 >> 1)) % M32) - (M32 >> 1)
        tm = f"{d['t_lo'] - t0:.6f}" if d["ts"] is not None else f"{d['t_lo'] - t0:.3f}-{d['t_hi'] - t0:.3f}"
        w(f"{tm:>19} {d['hook']:4} {d['stream'] if d['stream'] is not None else '?':>6} {role:7} "
          f"{ep(d['src'], d['sport']) + ' -> ' + ep(d['dst'], d['dport']):47} {flagstr(dict(flags=d['flags'])):13} "
          f"{rel:>9} {d['len']:>5} {d['frame'] or '-':>6} {d['resent'] or '-':>6}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["md", "frames"])
    ap.add_argument("cap")
    ap.add_argument("--ctl", type=int, action="append", default=[])
    ap.add_argument("--drops")
    ap.add_argument("--json")
    ap.add_argument("--drops-txt")
    ap.add_argument("rest", nargs="*", type=int)
    a = ap.parse_args()
    ctl = a.ctl or [21]
    A = analyse(a.cap, ctl)
    A["_sack"] = [int(c[0]) for c in tsfields(a.cap, ["frame.number"], "tcp.options.sack_le", A["extra"])]
    if a.mode == "frames":
        json.dump([describe_frame(A, n) for n in a.rest], sys.stdout, indent=1)
        return 0
    drops = load_drops(a.drops, A) if a.drops else None
    md(A, drops, ctl)
    if a.json:
        out = dict(streams=[], transfers=[], drops=None)
        for s in A["conns"].values():
            out["streams"].append(dict(
                stream=s["stream"], control=s["ctl"], client=ep(*s["cli"]), server=ep(*s["srv"]), how=s["how"],
                syn_frames=s["syn_frames"], synack_frames=s["synack_frames"], first=s["first"], last=s["last"],
                closed=s["closed"],
                dir={k: dict(unique=d["unique"], span=d["span"], retrans=d["retrans"], partial=d["partial"],
                             fills=d["fills"], after_hole=d["after_hole"], holes=d["holes"], base=d["base"],
                             segs=[[f["no"], f["rel"], f["len"]] for f in d["segs"]])
                     for k, d in s["dir"].items()},
                lines=[dict(frame=l["no"], from_client=l["from_client"], text=l["text"], offset=l["offset"],
                            gaps=l["gaps"]) for l in s.get("lines", [])]))
        for an in A["anns"]:
            d = an["data"]
            out["transfers"].append(dict(
                frame=an["frame"], stream=an["stream"], method=an["method"], text=an["text"], target=an["target"],
                active=an["active"], data_stream=d["stream"] if d else None,
                syn_frames=d["syn_frames"] if d else [], synack_frames=d["synack_frames"] if d else [],
                cmd=an["cmd"]["text"] if an["cmd"] else None, cmd_frame=an["cmd"]["no"] if an["cmd"] else None,
                prelim=an["prelim"]["text"] if an["prelim"] else None,
                prelim_frame=an["prelim"]["no"] if an["prelim"] else None,
                final=an["final"]["text"] if an["final"] else None,
                final_frame=an["final"]["no"] if an["final"] else None,
                dkey=an.get("dkey"),
                bytes=d["dir"][an["dkey"]]["span"] if d and an.get("dkey") else None,
                unique=d["dir"][an["dkey"]]["unique"] if d and an.get("dkey") else None))
        if drops is not None:
            cd = {"c2s": 0, "s2c": 0}
            for d in drops:
                s = A["conns"].get(d["stream"])
                if s and s["ctl"] and d["len"]:
                    cd["c2s" if (d["src"], d["sport"]) == s["cli"] else "s2c"] += 1
            out["drops"] = dict(total=len(drops), control_payload=cd,
                                list=[{k: v for k, v in d.items()} for d in drops])
        with open(a.json, "w") as fh:
            json.dump(out, fh, indent=1)
    if drops is not None and a.drops_txt:
        with open(a.drops_txt, "w") as fh:
            write_drops_txt(fh, A, drops, a.cap, a.drops)
    return 0


if __name__ == "__main__":
    sys.exit(main())
