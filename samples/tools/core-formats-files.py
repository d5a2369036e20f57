#!/usr/bin/env python3
# capture-formats: the files its run transfers (run by make-samples.sh).
import random, sys
d, work = sys.argv[1], sys.argv[2]

def text(path, size, seed, line):
    r = random.Random(seed)
    out, n, i = [], 0, 0
    while n < size:
        s = line(r, i)
        out.append(s)
        n += len(s)
        i += 1
    data = "".join(out).encode()[:size - 1] + b"\n"
    with open(path, "wb") as f:
        f.write(data)

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
text(f"{d}/access.log", 1_150_000, 5101, log_line)

def csv_line(r, i):
    if i == 0:
        return "id,sensor,timestamp,temperature_c,humidity_pct,pressure_hpa\n"
    return (f"{i},{r.choice(['north', 'south', 'east', 'west'])}-{r.randint(1, 8)},"
            f"2024-01-{1 + i // 8640:02d}T{(i // 360) % 24:02d}:{(i // 6) % 60:02d}:{(i % 6) * 10:02d}Z,"
            f"{r.uniform(-5, 30):.2f},{r.uniform(20, 90):.1f},{r.uniform(990, 1030):.1f}\n")
text(f"{d}/records.csv", 750_000, 5102, csv_line)

with open(f"{d}/random.bin", "wb") as f:
    f.write(random.Random(5103).randbytes(300_000))
with open(f"{work}/upload-500k.bin", "wb") as f:
    f.write(random.Random(5104).randbytes(500 * 1024))
