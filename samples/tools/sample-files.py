#!/usr/bin/env python3
"""Write one part of a lab's seeded files (samples/tools/sample_files.py) into its directories.

    python3 samples/tools/sample-files.py SCRIPT PART ROOT=DIR...

e.g. `sample-files.py make-samples.sh core anon=$ANON work=$WORK` writes the core tree of
make-samples.sh: each file whose path starts with anon/ goes below $ANON, work/ below $WORK.
A file of the part whose root is not given is an error (the lab would miss it).
"""
import os
import sys

from sample_files import FILES, data

script, part = sys.argv[1], sys.argv[2]
roots = dict(arg.split("=", 1) for arg in sys.argv[3:])
chosen = [(path, make) for s, p, path, make in FILES if s == script and p == part]
if not chosen:
    sys.exit(f"sample-files.py: no files for {script} part {part}")
for path, make in chosen:
    root, rest = path.split("/", 1)
    if root not in roots:
        sys.exit(f"sample-files.py: {path}: no directory given for {root}=")
    target = os.path.join(roots[root], rest)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as f:
        f.write(data(make))
