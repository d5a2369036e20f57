#!/usr/bin/env python3
"""Recreate the files the sample labs served and uploaded, and print their SHA-256 sums.

Every lab script (samples/tools/make-*.sh) writes its server's files from seeded generators or
fixed text, so the files are the same on every run. The generators live in one table,
samples/tools/sample_files.py, which the labs write their files from (sample-files.py); this
script prints one line per file of that table:

    <sha256>  <size>  <script>  <path as the lab names it>

The result is committed as samples/served-files.sha256; test/e2e/served-files.test.ts checks
that ftpcap's hashes of every complete transfer in the samples are the sums of these files.

    python3 samples/tools/served-files.py > samples/served-files.sha256
    python3 samples/tools/served-files.py --write DIR   # also writes the files, DIR/<script>/<path>
"""
import hashlib
import os
import sys

from sample_files import FILES, data

write_dir = sys.argv[2] if len(sys.argv) == 3 and sys.argv[1] == "--write" else None

for script, _part, path, make in FILES:
    content = data(make)
    if write_dir is not None:
        target = os.path.join(write_dir, script, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(content)
    print(f"{hashlib.sha256(content).hexdigest()}  {len(content)}  {script}  {path}")

# Not here: firewall-lab-vsftpd and firewall-lab-pureftpd serve payload-64k.bin, random bytes
# made anew on every run by test/kernel/lab.ts (makePayload); the recorder checked each download
# against the file's SHA-256, and the e2e test checks that the downloads agree with each other.
