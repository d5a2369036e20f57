#!/usr/bin/env python3
# the seeded files of the core cases (run by make-samples.sh).
import random, sys
anon, work = sys.argv[1], sys.argv[2]
def blob(path, n, seed):
    with open(path, "wb") as f:
        f.write(random.Random(seed).randbytes(n))
blob(f"{anon}/one-mb.bin", 1024 * 1024, 959)
blob(f"{anon}/pub/data-64k.bin", 64 * 1024, 2428)
blob(f"{work}/upload-200k.bin", 200 * 1024, 4217)
with open(f"{anon}/readme.txt", "w") as f:
    f.write("ftpcap sample server (vsftpd in network namespace fc-srv).\n"
            "Files: one-mb.bin (1 MiB random), pub/ (a few small files).\n")
with open(f"{anon}/pub/notes.txt", "w") as f:
    f.write("Notes for the pub/ directory.\n" * 8)
with open(f"{anon}/pub/changelog.txt", "w") as f:
    f.write("".join(f"2024-01-{d:02d}  entry {d}\n" for d in range(1, 31)))
