#!/usr/bin/env python3
"""The files make-transfer-samples.sh's server offers: seeded random bytes, the same on every run.

    python3 samples/tools/transfer-files.py DIR
"""
import random
import sys

for name, size, seed in (("big-1m.bin", 1 << 20, 4101), ("slow-768k.bin", 768 << 10, 4102), ("data-256k.bin", 256 << 10, 4103)):
    with open(f"{sys.argv[1]}/{name}", "wb") as f:
        f.write(random.Random(seed).randbytes(size))
