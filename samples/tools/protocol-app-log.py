#!/usr/bin/env python3
# app.log: 1 MiB of text with CRLF line ends (16384 lines of 64 bytes) (run by make-protocol-samples.sh).
import sys
with open(sys.argv[1], "wb") as f:
    for i in range(1, 16385):
        line = f"2024-01-01T12:00:00Z app: request {i:06d} served in {i % 97:2d} ms"
        f.write(line.ljust(62, ".").encode() + b"\r\n")
