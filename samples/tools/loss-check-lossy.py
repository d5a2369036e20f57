#!/usr/bin/env python3
# lossy: every transfer 226 with the file's size, and loss on the control connection (run by make-loss-samples.sh).
import json, sys
j = json.load(open(sys.argv[1]))
size = {"big-4m.bin": int(sys.argv[3]), "data-512k.bin": int(sys.argv[4]),
        "curl-upload-512k.bin": int(sys.argv[5]), "ftplib-upload-512k.bin": int(sys.argv[5])}
bad = []
seen = set()
for t in j["transfers"]:
    if not t["cmd"] or not (t["final"] or "").startswith("226") or t["data_stream"] is None:
        bad.append(f"transfer at frame {t['frame']}: {t['cmd']} -> {t['final']}")
        continue
    verb, _, arg = t["cmd"].partition(" ")
    name = arg.rsplit("/", 1)[-1]
    if verb in ("RETR", "STOR"):
        seen.add(name)
        if t["bytes"] != size.get(name) or t["unique"] != size.get(name):
            bad.append(f"{t['cmd']}: {t['bytes']} / {t['unique']} bytes, file has {size.get(name)}")
missing = set(size) - seen
if missing:
    bad.append(f"no transfer of {sorted(missing)}")
if len(j["transfers"]) != 6:
    bad.append(f"{len(j['transfers'])} announcements, expected 6")
for s in j["streams"]:
    for k, d in s["dir"].items():
        if d["holes"]:
            bad.append(f"stream {s['stream']} {k}: bytes missing from the capture {d['holes']}")
cd = j["drops"]["control_payload"]
fills = sum(len(d["fills"]) for s in j["streams"] if s["control"] for d in s["dir"].values())
level = int(sys.argv[2])
if level >= 1 and not (cd["c2s"] and cd["s2c"]):
    bad.append(f"loss on control connections with payload: {cd} (want both directions)")
if level >= 2 and not fills:
    bad.append("no control segment arrived after a later one (want a hole in a control stream filled late)")
if not (cd["c2s"] + cd["s2c"]):
    bad.append("no loss on a control connection")
if bad:
    print("\n".join(bad))
    sys.exit(1)
print(f"{cd['c2s']} client→server and {cd['s2c']} server→client control segments with payload dropped, "
      f"{fills} control segment(s) filling a hole late")
