#!/usr/bin/env python3
"""compare-captures.py REF OTHER... — are several recordings of the same traffic
the same packets?  Markdown for samples/capture-formats/README.md.

Run it in the case directory; the file names are printed as given.

    compare-captures.py dumpcap.pcapng nano.pcap any.pcap ring/ring.pcap0,ring/ring.pcap1 ...

An argument with commas is a file set (a tcpdump ring buffer): its files are
read in the order given and treated as one recording; the output also says
which packets went into which file.

Everything comes from capinfos and tshark (the same Wireshark that wrote
tshark-frames.txt), plus the first bytes of every file for the magic number
and the link-layer header type, independently of ftpcap's own code.

A packet is identified by its IP/TCP header fields (addresses, ports, raw
sequence and acknowledgement numbers, flags, IP total length, IP ID, TCP
checksum, window), not by its link-layer header, so recordings with
different link types (Ethernet, Linux cooked v2) can be compared, and a
packet cut by the snap length is still recognised. The TCP checksum covers
the payload, so two packets with the same fingerprint carry the same bytes.
"""
import gzip
import os
import struct
import subprocess
import sys
from decimal import Decimal

FIELDS = ["frame.number", "frame.time_epoch", "frame.len", "frame.cap_len",
          "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw",
          "tcp.flags", "ip.len", "ip.id", "tcp.checksum", "tcp.window_size_value", "tcp.len",
          "tcp.stream"]
# a fingerprint is fields 4..14 (ip.src .. tcp.window_size_value)
FP = slice(4, 15)
ANN_FILTER = ('ftp.request.command == "PORT" || ftp.request.command == "EPRT" || '
              'ftp.response.code == 227 || ftp.response.code == 229')
SYN_FILTER = 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && !(tcp.port == 21)'

LINKTYPES = {1: "EN10MB (Ethernet)", 113: "LINUX_SLL (Linux cooked v1)", 276: "LINUX_SLL2 (Linux cooked v2)"}


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def tshark(path: str, *args: str) -> str:
    return run("tshark", "-n", "-r", path, *args)


def header(path: str) -> dict:
    """Magic number, link-layer header type and (pcapng) if_tsresol, from the file itself."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read(4096)
    out = {"gzip": path.endswith(".gz")}
    magic = data[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        bom = data[8:12]
        e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
        out["magic"] = "pcapng SHB 0a0d0d0a, byte order " + ("little" if e == "<" else "big") + "-endian"
        shb_len = struct.unpack(e + "I", data[4:8])[0]
        idb = data[shb_len:]
        btype, blen, linktype, _res, snaplen = struct.unpack(e + "IIHHI", idb[:16])
        assert btype == 1, "second block is not an IDB"
        out["linktype"] = linktype
        out["snaplen"] = snaplen
        out["tsresol"] = 6  # pcapng default
        opts = idb[16:blen - 4]
        while len(opts) >= 4:
            code, olen = struct.unpack(e + "HH", opts[:4])
            if code == 0:
                break
            if code == 9:  # if_tsresol
                v = opts[4]
                out["tsresol"] = v if v < 128 else -(v & 0x7f)
            opts = opts[4 + ((olen + 3) & ~3):]
    else:
        le = struct.unpack("<I", magic)[0]
        e = "<" if le in (0xa1b2c3d4, 0xa1b23c4d) else ">"
        m = struct.unpack(e + "I", magic)[0]
        out["magic"] = f"pcap {m:08x}, " + ("little" if e == "<" else "big") + "-endian"
        out["tsresol"] = 9 if m == 0xa1b23c4d else 6
        _maj, _min, _tz, _sig, snaplen, linktype = struct.unpack(e + "HHiIII", data[4:24])
        out["linktype"] = linktype & 0x0fffffff
        out["snaplen"] = snaplen
    return out


def capinfos(path: str) -> dict:
    info = {}
    for line in run("capinfos", "-M", path).splitlines():
        if ":" in line and not line.startswith(" "):
            k, _, v = line.partition(":")
            info[k.strip()] = v.strip()
    return info


_FRAMES = {}


def frames(paths: list) -> list:
    """All frames of a file or file set, in order: dict with fp, t, len, caplen, file, no."""
    out = []
    for p in paths:
        if p in _FRAMES:
            out += [dict(f) for f in _FRAMES[p]]
            continue
        start = len(out)
        txt = tshark(p, "-T", "fields", "-E", "separator=/t", *sum((["-e", f] for f in FIELDS), []))
        for line in txt.splitlines():
            c = line.split("\t")
            c += [""] * (len(FIELDS) - len(c))
            out.append(dict(fp=tuple(c[FP]), t=Decimal(c[1]), len=int(c[2]), caplen=int(c[3]),
                            tcplen=int(c[15] or 0), file=p, no=int(c[0]), stream=c[16]))
        _FRAMES[p] = [dict(f) for f in out[start:]]
    for i, f in enumerate(out):
        f["idx"] = i + 1  # frame number in the whole recording (set: across its files)
    return out


def frame_numbers(path: str, flt: str) -> list:
    return [int(x) for x in tshark(path, "-Y", flt, "-T", "fields", "-e", "frame.number").split()]


def ranges(nums: list, limit: int = 8) -> str:
    out, nums = [], sorted(nums)
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f"{nums[i]}–{nums[j]}")
        i = j + 1
    return ", ".join(out[:limit]) + (f", … ({len(out)} runs)" if len(out) > limit else "")


def time_order(fr: list) -> str:
    back = [(a["t"] - b["t"], b["idx"]) for a, b in zip(fr, fr[1:]) if b["t"] < a["t"]]
    if not back:
        return "strict"
    worst = max(back)
    return (f"not strict: {len(back)} frame(s) older than the one before, "
            f"at most {fmt_dt(worst[0])} (frame {worst[1]})")


def fmt_dt(d: Decimal) -> str:
    ns = int(abs(d) * 1_000_000_000)
    if ns == 0:
        return "0"
    if ns < 1000:
        return f"{ns} ns"
    return f"{ns / 1000:.3f} µs" if ns < 1_000_000 else f"{ns / 1_000_000:.3f} ms"


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    specs = sys.argv[1:]
    sets = [s.split(",") for s in specs]
    label = lambda s: s[0] if len(s) == 1 else f"{os.path.dirname(s[0]) or '.'}/ ({len(s)} files)"
    p = print

    # ---- files ---------------------------------------------------------------
    p("### Files (capinfos, and the file headers themselves)\n")
    p("| file | bytes | format (magic) | link type | timestamps | snap length | packets | cut by snap length | time order |")
    p("|---|---:|---|---|---|---:|---:|---:|---|")
    recs = {}
    for s in sets:
        for path in s:
            h = header(path)
            info = capinfos(path)
            fr = frames([path])
            cut = sum(1 for f in fr if f["caplen"] < f["len"])
            fmt = info.get("File type", "?") + (" (gzip)" if h["gzip"] else "") + f", {h['magic']}"
            lt = f"{h['linktype']} {LINKTYPES.get(h['linktype'], '?')}"
            prec = info.get("File timestamp precision", "?")
            p(f"| {path} | {os.path.getsize(path)} | {fmt} | {lt} | {prec} | {h['snaplen']} | {info.get('Number of packets', '?')} | {cut} | {time_order(fr)} |")
        recs[tuple(s)] = frames(s)
    p()

    ref_set = tuple(sets[0])
    ref = recs[ref_set]
    ref_name = label(sets[0])
    ref_index = {}
    for f in ref:
        ref_index.setdefault(f["fp"], []).append(f)

    # match every frame of every recording to the reference
    match = {}
    for s in sets:
        used = {}
        m = []
        for f in recs[tuple(s)]:
            cands = ref_index.get(f["fp"], [])
            k = used.get(f["fp"], 0)
            used[f["fp"]] = k + 1
            m.append(cands[k] if k < len(cands) else None)
        match[tuple(s)] = m

    # ---- same packets? -----------------------------------------------------------
    summary = []
    p(f"### Same packets as {ref_name}?\n")
    p("A packet is the same if its IP and TCP headers are (addresses, ports, raw sequence and "
      "acknowledgement numbers, flags, IP length and ID, TCP checksum, window); the link-layer "
      "header is not compared. \"Same frame numbers\" means the n-th packet of the file is the "
      f"n-th packet of {ref_name}. Time offset: this file's timestamp minus {ref_name}'s for the same packet.\n")
    p(f"| recording | packets | not in {ref_name} | of {ref_name} missing | same frame numbers | frames at another number | time offset min / max |")
    p("|---|---:|---:|---:|---|---:|---|")
    for s in sets:
        fr = recs[tuple(s)]
        m = match[tuple(s)]
        extra = sum(1 for x in m if x is None)
        seen = {id(x) for x in m if x is not None}
        missing = sum(1 for f in ref if id(f) not in seen)
        moved = sum(1 for f, x in zip(fr, m) if x is not None and x["idx"] != f["idx"])
        same = extra == 0 and missing == 0 and moved == 0
        dts = [f["t"] - x["t"] for f, x in zip(fr, m) if x is not None]
        lo, hi = (min(dts), max(dts)) if dts else (Decimal(0), Decimal(0))
        sign = lambda d: ("−" if d < 0 else "+" if d > 0 else "") + fmt_dt(d)
        p(f"| {label(s)} | {len(fr)} | {extra} | {missing} | {'yes' if same else 'no'} | {moved} | {sign(lo)} / {sign(hi)} |")
        if tuple(s) == ref_set:
            continue
        cut = sum(1 for f in fr if f["caplen"] < f["len"])
        cut_txt = f" ({cut} of them cut by the snap length)" if cut else ""
        if same:
            t = "the same timestamps" if lo == hi == 0 else f"timestamps {sign(lo)} to {sign(hi)} off"
            summary.append(f"**{label(s)}**: exactly the same {len(fr)} packets in the same order{cut_txt} — "
                           f"same frame numbers as {ref_name}; {t}.")
        elif extra == 0 and missing == 0:
            where = [f["idx"] for f, x in zip(fr, m) if x["idx"] != f["idx"]]
            shift = max(abs(f["idx"] - x["idx"]) for f, x in zip(fr, m))
            summary.append(f"**{label(s)}**: the same {len(fr)} packets{cut_txt}, but {moved} of them at other "
                           f"frame numbers than in {ref_name} (frames {ranges(where)}; each at most {shift} "
                           f"frame(s) away from its number in {ref_name}); timestamps {sign(lo)} to {sign(hi)} off.")
        else:
            summary.append(f"**{label(s)}**: {len(fr)} packets; {extra} not in {ref_name}, {missing} of "
                           f"{ref_name}'s missing, {moved} at other frame numbers.")
    p()
    p("In short:\n")
    for x in summary:
        p(f"- {x}")
    p()

    # ---- announcements and data SYNs in every recording ----------------------------
    ann = frame_numbers(sets[0][0], ANN_FILTER) if len(sets[0]) == 1 else []
    syn = frame_numbers(sets[0][0], SYN_FILTER) if len(sets[0]) == 1 else []
    lines = {}
    txt = tshark(sets[0][0], "-Y", ANN_FILTER, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f",
                 "-e", "frame.number", "-e", "ftp.request.command", "-e", "ftp.request.arg",
                 "-e", "ftp.response.code", "-e", "ftp.response.arg")
    for line in txt.splitlines():
        c = line.split("\t") + [""] * 5
        lines[int(c[0])] = (f"{c[1]} {c[2]}" if c[1] else f"{c[3]} {c[4]}").strip()
    p(f"### Announcements and data-connection SYNs: frame number in every recording\n")
    p(f"Rows are the frames of {ref_name} that carry a PORT/EPRT command or a 227/229 reply, and the "
      "SYN of every data connection. A cell is the frame number of the same packet in that recording "
      "(for a file set: file and frame number in that file, then the number across the set); "
      "**cut** = the frame was truncated by the snap length (captured / original bytes on the wire).\n")
    head = [ref_name] + [label(s) for s in sets[1:]]
    p("| what | " + " | ".join(head) + " |")
    p("|---|" + "---:|" * len(head))
    for no in sorted(ann + syn):
        f0 = ref[no - 1]
        what = f"`{lines[no]}`" if no in lines else f"data SYN {f0['fp'][0]}:{f0['fp'][1]} → {f0['fp'][2]}:{f0['fp'][3]}"
        cells = []
        for s in sets:
            fr = recs[tuple(s)]
            m = match[tuple(s)]
            hit = [f for f, x in zip(fr, m) if x is f0]
            if not hit:
                cells.append("absent")
                continue
            f = hit[0]
            c = str(f["idx"]) if len(s) == 1 else f"{os.path.basename(f['file'])} #{f['no']} ({f['idx']})"
            if f["caplen"] < f["len"]:
                c += f" **cut** {f['caplen']}/{f['len']}"
            cells.append(c)
        p(f"| {what} | " + " | ".join(cells) + " |")
    p()

    # ---- file sets: which packets went where ---------------------------------------------
    for s in sets:
        if len(s) == 1:
            continue
        fr = recs[tuple(s)]
        p(f"### How the traffic is split over {label(s)}\n")
        p(f"Frame numbers are those of the whole set (= {ref_name}'s numbers when the row above says so).\n")
        p("| file | packets | frames | first / last packet time | announcements (frame) | data SYNs (frame) |")
        p("|---|---:|---|---|---|---|")
        ann_set = {ref[n - 1]["fp"] for n in ann}
        syn_set = {ref[n - 1]["fp"] for n in syn}
        for path in s:
            part = [f for f in fr if f["file"] == path]
            if not part:
                p(f"| {path} | 0 | | | | |")
                continue
            a = ", ".join(str(f["idx"]) for f in part if f["fp"] in ann_set) or "—"
            y = ", ".join(str(f["idx"]) for f in part if f["fp"] in syn_set) or "—"
            t0 = run("date", "-u", "-d", f"@{part[0]['t']}", "+%H:%M:%S.%N")[:-4]
            t1 = run("date", "-u", "-d", f"@{part[-1]['t']}", "+%H:%M:%S.%N")[:-4]
            p(f"| {path} | {len(part)} | {part[0]['idx']}–{part[-1]['idx']} | {t0} / {t1} | {a} | {y} |")
        p()
        # TCP connections that span more than one file
        by_stream = {}
        for f in fr:
            # tshark numbers streams per file; use the reference's stream of the same packet
            x = match[tuple(s)][f["idx"] - 1]
            key = x["stream"] if x is not None else ("?", f["file"], f["stream"])
            by_stream.setdefault(key, []).append(f)
        spans = []
        for key, fs in sorted(by_stream.items(), key=lambda kv: kv[1][0]["idx"]):
            files = []
            for f in fs:
                b = os.path.basename(f["file"])
                if b not in files:
                    files.append(b)
            if len(files) > 1:
                f0 = fs[0]
                spans.append(f"stream {key} ({f0['fp'][0]}:{f0['fp'][1]} ↔ {f0['fp'][2]}:{f0['fp'][3]}, "
                             f"frames {fs[0]['idx']}–{fs[-1]['idx']}): {' → '.join(files)}")
        p(f"TCP connections (stream numbers of {ref_name}) that continue from one file into the next:\n")
        for x in spans or ["none"]:
            p(f"- {x}")
        p()
    return 0


if __name__ == "__main__":
    sys.exit(main())
