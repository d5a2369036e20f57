#!/usr/bin/env python3
# link-types: the files its exchanges transfer (run by make-samples.sh).
import random, sys
with open(f"{sys.argv[1]}/upload-32k.bin", "wb") as f:
    f.write(random.Random(6101).randbytes(32 * 1024))
