#!/usr/bin/env python3
# the seeded files of the other-server cases (run by make-other-server-samples.sh).
import random, sys
anon, work = sys.argv[1], sys.argv[2]
with open(f"{anon}/pub/data-64k.bin", "wb") as f:
    f.write(random.Random(2428).randbytes(64 * 1024))
with open(f"{work}/upload-200k.bin", "wb") as f:
    f.write(random.Random(4217).randbytes(200 * 1024))
with open(f"{anon}/readme.txt", "w") as f:
    f.write("ftpcap sample server (ProFTPD / Pure-FTPd in network namespace fq-srv).\n"
            "Files: readme.txt, pub/ (a few small files).\n")
with open(f"{anon}/pub/notes.txt", "w") as f:
    f.write("Notes for the pub/ directory.\n" * 8)
