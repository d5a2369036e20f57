#!/usr/bin/env python3
# port-reuse: the 4-tuples were reused (run by make-loss-samples.sh).
import json, sys
from collections import Counter
j = json.load(open(sys.argv[1]))
c = Counter((s["client"], s["server"]) for s in j["streams"])
reused = {k: n for k, n in c.items() if n > 1}
assert ("198.51.100.20:50021", "192.0.2.10:21") in reused, reused
assert ("192.0.2.10:20", "198.51.100.21:50020") in reused, reused
assert all((t["final"] or "").startswith("226") for t in j["transfers"]) and len(j["transfers"]) == 4, j["transfers"]
