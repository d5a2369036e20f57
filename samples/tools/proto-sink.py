#!/usr/bin/env python3
"""proto-sink.py PORT... — the "third-party" host of the bounce sample
(samples/tools/make-protocol-samples.sh): accept TCP connections on the given
ports (IPv4 and IPv6), read each one to the end and print who connected and
how many bytes arrived. Runs until killed (SIGTERM).
"""
import selectors
import signal
import socket
import sys


def main() -> int:
    sel = selectors.DefaultSelector()
    for port in map(int, sys.argv[1:]):
        srv = socket.create_server(("::", port), family=socket.AF_INET6, dualstack_ipv6=True)
        srv.setblocking(False)
        sel.register(srv, selectors.EVENT_READ, ("listen", port))
        print(f"listening on port {port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    counts = {}
    while True:
        for key, _ in sel.select():
            kind, info = key.data
            if kind == "listen":
                conn, peer = key.fileobj.accept()
                conn.setblocking(False)
                host = peer[0].removeprefix("::ffff:")
                print(f"port {info}: connection from {host} port {peer[1]}", flush=True)
                sel.register(conn, selectors.EVENT_READ, ("conn", (info, host, peer[1])))
                counts[conn] = 0
            else:
                data = key.fileobj.recv(65536)
                if data:
                    counts[key.fileobj] += len(data)
                    continue
                port, host, sport = info
                print(f"port {port}: {counts.pop(key.fileobj)} bytes from {host} port {sport}, closed",
                      flush=True)
                sel.unregister(key.fileobj)
                key.fileobj.close()


if __name__ == "__main__":
    sys.exit(main())
