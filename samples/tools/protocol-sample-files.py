#!/usr/bin/env python3
# the seeded files of the protocol cases (run by make-protocol-samples.sh).
import random, sys
anon = sys.argv[1]
def blob(path, n, seed):
    with open(path, "wb") as f:
        f.write(random.Random(seed).randbytes(n))
blob(f"{anon}/one-mb.bin", 1024 * 1024, 959)
blob(f"{anon}/pub/data-64k.bin", 64 * 1024, 2428)
with open(f"{anon}/readme.txt", "w") as f:
    f.write("ftpcap protocol samples (vsftpd in network namespace fp-srv).\n"
            "Files: one-mb.bin (1 MiB random), app.log, pub/data-64k.bin.\n")
