#!/usr/bin/env python3
# midstream: the capture holds what the case needs (run by make-loss-samples.sh).
import json, sys
j = json.load(open(sys.argv[1]))
want = {"data-256k.bin": int(sys.argv[2]), "readme.txt": int(sys.argv[3]), "data-64k.bin": int(sys.argv[4]),
        "midstream-upload-64k.bin": int(sys.argv[5])}
got = {}
for t in j["transfers"]:
    name = (t["cmd"] or "").partition(" ")[2].rsplit("/", 1)[-1]
    if (t["final"] or "").startswith("226"):
        got[name] = t["bytes"]
assert got == want, (got, want)
ctl = [s for s in j["streams"] if s["control"]]
assert len(ctl) == 2 and all(not s["syn_frames"] for s in ctl), ctl
