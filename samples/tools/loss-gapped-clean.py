#!/usr/bin/env python3
# gapped: no segment twice, no hole: every byte captured exactly once (run by make-loss-samples.sh).
import json, sys
j = json.load(open(sys.argv[1]))
bad = [(s["stream"], k) for s in j["streams"] for k, d in s["dir"].items()
       if d["retrans"] or d["partial"] or d["fills"] or d["after_hole"] or d["holes"]
       or len(s["syn_frames"]) > 1 or len(s["synack_frames"]) > 1]
sys.exit(1 if bad else 0)
