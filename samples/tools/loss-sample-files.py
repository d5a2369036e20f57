#!/usr/bin/env python3
# the seeded files the loss cases download and upload (run by make-loss-samples.sh).
import random, sys
anon, local = sys.argv[1], sys.argv[2]
def blob(path, n, seed):
    with open(path, "wb") as f:
        f.write(random.Random(seed).randbytes(n))
blob(f"{anon}/big-4m.bin", 4 * 1024 * 1024, 3001)
blob(f"{anon}/data-256k.bin", 256 * 1024, 3002)
blob(f"{anon}/data-64k.bin", 64 * 1024, 3003)
blob(f"{local}/data-512k.bin", 512 * 1024, 3004)
blob(f"{local}/data-64k.bin", 64 * 1024, 3005)
blob(f"{local}/upload-512k.bin", 512 * 1024, 3006)
blob(f"{local}/upload-64k.bin", 64 * 1024, 3007)
with open(f"{anon}/readme.txt", "w") as f:
    f.write("ftpcap loss samples (vsftpd in network namespace fl-srv).\n"
            "Files: big-4m.bin, data-256k.bin, data-64k.bin, pub/ (60 small files).\n")
with open(f"{local}/hello.txt", "w") as f:
    f.write("hello from alice's ftpcap-loss directory\n")
# 60 small files: a STAT of pub/ is a reply of several TCP segments
for i in range(1, 61):
    with open(f"{anon}/pub/entry-{i:02d}-of-the-pub-directory-listing.txt", "w") as f:
        f.write(f"entry {i}\n" * i)
