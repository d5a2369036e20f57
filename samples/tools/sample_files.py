"""The files the sample labs serve and upload: one table, used to write them and to sum them.

Every lab script (samples/tools/make-*.sh) writes its server's files from seeded generators or
fixed text, so the files are the same on every run. FILES lists each of them once:

    (script, part, path, make)

`script` is the make-*.sh that serves the file, `part` the step of that script that writes it
(a script writes its parts at different moments: the core tree first, the capture-formats tree
only for that case), `path` starts with the directory the lab names (anon/, work/, local/,
alice/, client/), and `make()` returns the bytes.

Used by sample-files.py (writes a part into a lab's directories) and served-files.py (prints
every file's SHA-256, committed as samples/served-files.sha256).
"""
import random


def blob(n, seed):
    """n seeded random bytes."""
    return random.Random(seed).randbytes(n)


def text(size, seed, line):
    """size bytes of text from line(rng, index), cut to size and ending in a newline."""
    r = random.Random(seed)
    out, n, i = [], 0, 0
    while n < size:
        t = line(r, i)
        out.append(t)
        n += len(t)
        i += 1
    return "".join(out).encode()[:size - 1] + b"\n"


PATHS = ["/", "/index.html", "/pub/", "/pub/notes.txt", "/pub/changelog.txt", "/one-mb.bin",
         "/img/logo.png", "/css/site.css", "/api/v1/items", "/robots.txt", "/favicon.ico"]
AGENTS = ["curl/7.88.1", "lftp/4.9.2", "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0",
          "Wget/1.21.3", "python-requests/2.28.1"]


def log_line(r, i):
    """One line of a web server's access log."""
    ip = r.choice(["198.51.100.", "203.0.113.", "192.0.2."]) + str(r.randint(1, 254))
    p = r.choice(PATHS)
    if p == "/api/v1/items":
        p += f"/{r.randint(1, 99999)}"
    st = r.choice([200] * 12 + [304, 404, 206, 301])
    ts = f"{1 + i // 40000:02d}/Jan/2024:{(i // 1800) % 24:02d}:{(i // 30) % 60:02d}:{i % 60:02d} +0000"
    return f'{ip} - - [{ts}] "GET {p} HTTP/1.1" {st} {r.randint(0, 1048576)} "-" "{r.choice(AGENTS)}"\n'


def csv_line(r, i):
    """One line of a CSV of sensor readings (a header first)."""
    if i == 0:
        return "id,sensor,timestamp,temperature_c,humidity_pct,pressure_hpa\n"
    return (f"{i},{r.choice(['north', 'south', 'east', 'west'])}-{r.randint(1, 8)},"
            f"2024-01-{1 + i // 8640:02d}T{(i // 360) % 24:02d}:{(i // 6) % 60:02d}:{(i % 6) * 10:02d}Z,"
            f"{r.uniform(-5, 30):.2f},{r.uniform(20, 90):.1f},{r.uniform(990, 1030):.1f}\n")


def app_log():
    """1 MiB of text with CRLF line ends (16384 lines of 64 bytes): ASCII mode sends it unchanged."""
    return b"".join(
        f"2024-01-01T12:00:00Z app: request {i:06d} served in {i % 97:2d} ms".ljust(62, ".").encode() + b"\r\n"
        for i in range(1, 16385))


FILES = []


def add(script, part, path, make):
    FILES.append((script, part, path, make if callable(make) else (lambda data=make: data)))


ALICE_NOTES = "alice keeps her notes here.\n"
PUB_NOTES = "Notes for the pub/ directory.\n"

# make-samples.sh (lab fc-*): the anonymous tree, alice's home, the uploads.
s = "make-samples.sh"
add(s, "core", "anon/one-mb.bin", lambda: blob(1024 * 1024, 959))
add(s, "core", "anon/pub/data-64k.bin", lambda: blob(64 * 1024, 2428))
add(s, "core", "work/upload-200k.bin", lambda: blob(200 * 1024, 4217))
add(s, "core", "anon/readme.txt", "ftpcap sample server (vsftpd in network namespace fc-srv).\n"
    "Files: one-mb.bin (1 MiB random), pub/ (a few small files).\n")
add(s, "core", "anon/pub/notes.txt", PUB_NOTES * 8)
add(s, "core", "anon/pub/changelog.txt", "".join(f"2024-01-{d:02d}  entry {d}\n" for d in range(1, 31)))
add(s, "shell", "alice/notes.txt", ALICE_NOTES)
add(s, "formats", "anon/formats/access.log", lambda: text(1_150_000, 5101, log_line))
add(s, "formats", "anon/formats/records.csv", lambda: text(750_000, 5102, csv_line))
add(s, "formats", "anon/formats/random.bin", lambda: blob(300_000, 5103))
add(s, "formats", "work/upload-500k.bin", lambda: blob(500 * 1024, 5104))
add(s, "link-types", "work/upload-32k.bin", lambda: blob(32 * 1024, 6101))

# make-protocol-samples.sh (lab fp-*).
s = "make-protocol-samples.sh"
add(s, "tree", "anon/one-mb.bin", lambda: blob(1024 * 1024, 959))
add(s, "tree", "anon/pub/data-64k.bin", lambda: blob(64 * 1024, 2428))
add(s, "tree", "anon/readme.txt", "ftpcap protocol samples (vsftpd in network namespace fp-srv).\n"
    "Files: one-mb.bin (1 MiB random), app.log, pub/data-64k.bin.\n")
add(s, "app-log", "anon/app.log", app_log)
add(s, "size-mismatch", "anon/snapshot.bin", lambda: blob(1 << 20, 7))
add(s, "shell", "alice/notes.txt", ALICE_NOTES)

# make-other-server-samples.sh (lab fq-*: ProFTPD, Pure-FTPd).
s = "make-other-server-samples.sh"
add(s, "tree", "anon/pub/data-64k.bin", lambda: blob(64 * 1024, 2428))
add(s, "tree", "work/upload-200k.bin", lambda: blob(200 * 1024, 4217))
add(s, "tree", "anon/readme.txt", "ftpcap sample server (ProFTPD / Pure-FTPd in network namespace fq-srv).\n"
    "Files: readme.txt, pub/ (a few small files).\n")
add(s, "tree", "anon/pub/notes.txt", PUB_NOTES * 8)
add(s, "shell", "alice/notes.txt", ALICE_NOTES)

# make-loss-samples.sh (lab fl-*).
s = "make-loss-samples.sh"
for path, size, seed in (("anon/big-4m.bin", 4 << 20, 3001), ("anon/data-256k.bin", 256 << 10, 3002),
                         ("anon/data-64k.bin", 64 << 10, 3003), ("local/data-512k.bin", 512 << 10, 3004),
                         ("local/data-64k.bin", 64 << 10, 3005), ("local/upload-512k.bin", 512 << 10, 3006),
                         ("local/upload-64k.bin", 64 << 10, 3007)):
    add(s, "tree", path, lambda size=size, seed=seed: blob(size, seed))
add(s, "tree", "anon/readme.txt", "ftpcap loss samples (vsftpd in network namespace fl-srv).\n"
    "Files: big-4m.bin, data-256k.bin, data-64k.bin, pub/ (60 small files).\n")
add(s, "tree", "local/hello.txt", "hello from alice's ftpcap-loss directory\n")
# 60 small files: a STAT of pub/ is a reply of several TCP segments
for i in range(1, 61):
    add(s, "tree", f"anon/pub/entry-{i:02d}-of-the-pub-directory-listing.txt", f"entry {i}\n" * i)

# make-failure-samples.sh (labs fd-*, fz-*).
s = "make-failure-samples.sh"
add(s, "shell", "anon/readme.txt", "ftpcap failure sample server (vsftpd in a network namespace).\n")
add(s, "shell", "anon/pub/notes.txt", PUB_NOTES)

# make-hostile-samples.sh (lab ft-*).
s = "make-hostile-samples.sh"
add(s, "shell", "anon/<img src=x onerror=alert(1)>.txt", "an image that is not one\n")
add(s, "shell", "anon/<script>alert(2)<\\script>", "a script that is not one\n")
add(s, "shell", "anon/&lt;b&gt; &amp; \"quotes\" 'too'.txt", "entities stay entities\n")
add(s, "shell", "client/<script>alert(5)<\\script>.bin", b"x" * 4096)

# make-foreign-samples.sh (lab ff-*).
s = "make-foreign-samples.sh"
add(s, "shell", "anon/pub/readme.txt", "ftpcap foreign-capture sample file\n")
add(s, "shell", "anon/pub/twenty-k.txt", "x" * 20000)

# make-transfer-samples.sh (lab pf-*): the anonymous tree and transfer-client.py's upload.
s = "make-transfer-samples.sh"
add(s, "tree", "anon/big-1m.bin", lambda: blob(1 << 20, 4101))
add(s, "tree", "anon/slow-768k.bin", lambda: blob(768 << 10, 4102))
add(s, "tree", "anon/data-256k.bin", lambda: blob(256 << 10, 4103))
add(s, "client", "client/paused-upload.bin", lambda: blob(262144, 4151))


def data(make):
    """The bytes make() returns (text encoded as UTF-8)."""
    d = make()
    return d.encode() if isinstance(d, str) else d
