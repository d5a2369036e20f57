#!/usr/bin/env python3
"""A tiny DNS server and client (RFC 1035 wire format, A records only), used to record real UDP
traffic for the benchmark's non-FTP capture (bench/record-noise.sh).

  dns-pair.py serve ADDRESS            answer A queries on ADDRESS:53 until killed
  dns-pair.py query SERVER COUNT       send COUNT queries (host-N.example.com), wait for each answer

Answers name documentation addresses only (192.0.2.0/24).
"""
import socket
import struct
import sys


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\x00"


def question_end(message):
    at = 12
    while message[at] != 0:
        at += 1 + message[at]
    return at + 5  # the zero label, QTYPE, QCLASS


def serve(address):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, 53))
    while True:
        query, peer = sock.recvfrom(512)
        if len(query) < 17:
            continue
        (ident,) = struct.unpack("!H", query[:2])
        end = question_end(query)
        question = query[12:end]
        last = sum(question) % 200 + 20
        header = struct.pack("!HHHHHH", ident, 0x8180, 1, 1, 0, 0)
        answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + bytes([192, 0, 2, last])
        sock.sendto(header + question + answer, peer)


def query(server, count):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(2)
    for n in range(count):
        ident = (0x1234 + n * 7919) & 0xFFFF
        header = struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0)
        message = header + encode_name(f"host-{n}.example.com") + struct.pack("!HH", 1, 1)
        sock.sendto(message, (server, 53))
        sock.recvfrom(512)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    elif sys.argv[1] == "query":
        query(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
