#!/usr/bin/env python3
"""Recreate the files the sample labs served and uploaded, and print their SHA-256 sums.

Every lab script (samples/tools/make-*.sh) writes its server's files from seeded generators or
fixed text, so the files are the same on every run. This script repeats those generators (the
code is copied from the scripts named below, unchanged) and prints one line per file:

    <sha256>  <size>  <script>  <path as the lab names it>

The result is committed as samples/served-files.sha256; test/e2e/served-files.test.ts checks
that ftpcap's hashes of every complete transfer in the samples are the sums of these files.

    python3 samples/tools/served-files.py > samples/served-files.sha256
    python3 samples/tools/served-files.py --write DIR   # also writes the files, DIR/<script>/<path>
"""
import hashlib
import os
import random
import sys

files = []
write_dir = sys.argv[2] if len(sys.argv) == 3 and sys.argv[1] == "--write" else None


def add(script, path, data):
    if isinstance(data, str):
        data = data.encode()
    files.append((hashlib.sha256(data).hexdigest(), len(data), script, path))
    if write_dir is not None:
        target = os.path.join(write_dir, script, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(data)


def blob(n, seed):
    return random.Random(seed).randbytes(n)


# make-samples.sh (lab fc-*): the anonymous tree, alice's home, the uploads.
s = "make-samples.sh"
add(s, "anon/one-mb.bin", blob(1024 * 1024, 959))
add(s, "anon/pub/data-64k.bin", blob(64 * 1024, 2428))
add(s, "work/upload-200k.bin", blob(200 * 1024, 4217))
add(s, "anon/readme.txt", "ftpcap sample server (vsftpd in network namespace fc-srv).\n"
    "Files: one-mb.bin (1 MiB random), pub/ (a few small files).\n")
add(s, "anon/pub/notes.txt", "Notes for the pub/ directory.\n" * 8)
add(s, "anon/pub/changelog.txt", "".join(f"2024-01-{d:02d}  entry {d}\n" for d in range(1, 31)))
add(s, "alice/notes.txt", "alice keeps her notes here.\n")


def text(size, seed, line):
    r = random.Random(seed)
    out, n, i = [], 0, 0
    while n < size:
        t = line(r, i)
        out.append(t)
        n += len(t)
        i += 1
    return "".join(out).encode()[:size - 1] + b"\n"


paths = ["/", "/index.html", "/pub/", "/pub/notes.txt", "/pub/changelog.txt", "/one-mb.bin",
         "/img/logo.png", "/css/site.css", "/api/v1/items", "/robots.txt", "/favicon.ico"]
agents = ["curl/7.88.1", "lftp/4.9.2", "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0",
          "Wget/1.21.3", "python-requests/2.28.1"]


def log_line(r, i):
    ip = r.choice(["198.51.100.", "203.0.113.", "192.0.2."]) + str(r.randint(1, 254))
    p = r.choice(paths)
    if p == "/api/v1/items":
        p += f"/{r.randint(1, 99999)}"
    st = r.choice([200] * 12 + [304, 404, 206, 301])
    ts = f"{1 + i // 40000:02d}/Jan/2024:{(i // 1800) % 24:02d}:{(i // 30) % 60:02d}:{i % 60:02d} +0000"
    return f'{ip} - - [{ts}] "GET {p} HTTP/1.1" {st} {r.randint(0, 1048576)} "-" "{r.choice(agents)}"\n'


def csv_line(r, i):
    if i == 0:
        return "id,sensor,timestamp,temperature_c,humidity_pct,pressure_hpa\n"
    return (f"{i},{r.choice(['north', 'south', 'east', 'west'])}-{r.randint(1, 8)},"
            f"2024-01-{1 + i // 8640:02d}T{(i // 360) % 24:02d}:{(i // 6) % 60:02d}:{(i % 6) * 10:02d}Z,"
            f"{r.uniform(-5, 30):.2f},{r.uniform(20, 90):.1f},{r.uniform(990, 1030):.1f}\n")


add(s, "anon/formats/access.log", text(1_150_000, 5101, log_line))
add(s, "anon/formats/records.csv", text(750_000, 5102, csv_line))
add(s, "anon/formats/random.bin", blob(300_000, 5103))
add(s, "work/upload-500k.bin", blob(500 * 1024, 5104))
add(s, "work/upload-32k.bin", blob(32 * 1024, 6101))

# make-protocol-samples.sh (lab fp-*).
s = "make-protocol-samples.sh"
add(s, "anon/one-mb.bin", blob(1024 * 1024, 959))
add(s, "anon/pub/data-64k.bin", blob(64 * 1024, 2428))
add(s, "anon/readme.txt", "ftpcap protocol samples (vsftpd in network namespace fp-srv).\n"
    "Files: one-mb.bin (1 MiB random), app.log, pub/data-64k.bin.\n")
app = b"".join(
    f"2024-01-01T12:00:00Z app: request {i:06d} served in {i % 97:2d} ms".ljust(62, ".").encode() + b"\r\n"
    for i in range(1, 16385))
add(s, "anon/app.log", app)
add(s, "anon/snapshot.bin", blob(1 << 20, 7))
add(s, "alice/notes.txt", "alice keeps her notes here.\n")

# make-other-server-samples.sh (lab fq-*: ProFTPD, Pure-FTPd).
s = "make-other-server-samples.sh"
add(s, "anon/pub/data-64k.bin", blob(64 * 1024, 2428))
add(s, "work/upload-200k.bin", blob(200 * 1024, 4217))
add(s, "anon/readme.txt", "ftpcap sample server (ProFTPD / Pure-FTPd in network namespace fq-srv).\n"
    "Files: readme.txt, pub/ (a few small files).\n")
add(s, "anon/pub/notes.txt", "Notes for the pub/ directory.\n" * 8)
add(s, "alice/notes.txt", "alice keeps her notes here.\n")

# make-loss-samples.sh (lab fl-*).
s = "make-loss-samples.sh"
add(s, "anon/big-4m.bin", blob(4 * 1024 * 1024, 3001))
add(s, "anon/data-256k.bin", blob(256 * 1024, 3002))
add(s, "anon/data-64k.bin", blob(64 * 1024, 3003))
add(s, "local/data-512k.bin", blob(512 * 1024, 3004))
add(s, "local/data-64k.bin", blob(64 * 1024, 3005))
add(s, "local/upload-512k.bin", blob(512 * 1024, 3006))
add(s, "local/upload-64k.bin", blob(64 * 1024, 3007))
add(s, "anon/readme.txt", "ftpcap loss samples (vsftpd in network namespace fl-srv).\n"
    "Files: big-4m.bin, data-256k.bin, data-64k.bin, pub/ (60 small files).\n")
add(s, "local/hello.txt", "hello from alice's ftpcap-loss directory\n")
for i in range(1, 61):
    add(s, f"anon/pub/entry-{i:02d}-of-the-pub-directory-listing.txt", f"entry {i}\n" * i)

# make-failure-samples.sh (labs fd-*, fz-*).
s = "make-failure-samples.sh"
add(s, "anon/readme.txt", "ftpcap failure sample server (vsftpd in a network namespace).\n")
add(s, "anon/pub/notes.txt", "Notes for the pub/ directory.\n")

# make-hostile-samples.sh (lab ft-*).
s = "make-hostile-samples.sh"
add(s, "anon/<img src=x onerror=alert(1)>.txt", "an image that is not one\n")
add(s, "anon/<script>alert(2)<\\script>", "a script that is not one\n")
add(s, "anon/&lt;b&gt; &amp; \"quotes\" 'too'.txt", "entities stay entities\n")

add(s, "client/<script>alert(5)<\\script>.bin", b"x" * 4096)

# make-foreign-samples.sh (lab ff-*).
s = "make-foreign-samples.sh"
add(s, "anon/pub/readme.txt", "ftpcap foreign-capture sample file\n")
add(s, "anon/pub/twenty-k.txt", "x" * 20000)

# make-transfer-samples.sh (lab pf-*): the anonymous tree and transfer-client.py's upload.
s = "make-transfer-samples.sh"
add(s, "anon/big-1m.bin", blob(1 << 20, 4101))
add(s, "anon/slow-768k.bin", blob(768 << 10, 4102))
add(s, "anon/data-256k.bin", blob(256 << 10, 4103))
add(s, "client/paused-upload.bin", blob(262144, 4151))

# Not here: firewall-lab-vsftpd and firewall-lab-pureftpd serve payload-64k.bin, random bytes
# made anew on every run by test/kernel/lab.ts (makePayload); the recorder checked each download
# against the file's SHA-256, and the e2e test checks that the downloads agree with each other.

for sha, size, script, path in files:
    print(f"{sha}  {size}  {script}  {path}")
