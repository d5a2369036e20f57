#!/usr/bin/env python3
"""The files of samples/files-lab that make-files-samples.sh writes with Python: a 64x64 PNG of
random pixels and a text file with CRLF line ends. Unseeded on purpose: the server's own
sha256sum of them (served.sha256) is what ftpcap's hashes are checked against.

    files-lab-files.py DIR   # writes DIR/picture.png and DIR/notes.txt
"""
import random
import struct
import sys
import zlib

d = sys.argv[1]


def chunk(kind, data):
    """One PNG chunk: length, type, data, CRC-32 of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


w = h = 64
raw = b"".join(b"\0" + bytes(random.getrandbits(8) for _ in range(w * 3)) for _ in range(h))
with open(f"{d}/picture.png", "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
with open(f"{d}/notes.txt", "wb") as f:
    for i in range(1, 2001):
        f.write(f"line {i}: {random.random():.12f}\r\n".encode())
