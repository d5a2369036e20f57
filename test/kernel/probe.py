#!/usr/bin/env python3
"""Connection probes for the kernel firewall lab (test/kernel).

  probe.py listen PORT [PORT ...]
      accept TCP connections on [::]:PORT (IPv4 too, as mapped addresses) and close each one at
      once; runs until killed. Prints "listening" when every socket is bound.
  probe.py connect HOST PORT [SOURCE_PORT] [TIMEOUT]
      open one TCP connection and print what happened: "connected", "refused" (RST),
      "timeout" (nothing came back: dropped), or "error: ..." (no route, ...). Exit status 0.
      SOURCE_PORT 0 lets the kernel choose; a port below 1024 needs root.
  probe.py udp HOST PORT
      send one UDP datagram (makes the kernel resolve the next hop's link-layer address).
"""
import selectors
import socket
import sys


def listen(ports):
    sel = selectors.DefaultSelector()
    for port in ports:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", port))
        s.listen(16)
        sel.register(s, selectors.EVENT_READ)
    print("listening", flush=True)
    while True:
        for key, _ in sel.select():
            conn, _ = key.fileobj.accept()
            conn.close()


def connect(host, port, source_port, timeout):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if source_port:
        s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", source_port))
    s.settimeout(timeout)
    try:
        s.connect((host, port))
        print("connected")
    except ConnectionRefusedError:
        print("refused")
    except (socket.timeout, TimeoutError):
        print("timeout")
    except OSError as e:
        print(f"error: {e}")
    finally:
        s.close()


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "listen":
        listen([int(p) for p in sys.argv[2:]])
    elif len(sys.argv) == 4 and sys.argv[1] == "udp":
        family = socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET
        socket.socket(family, socket.SOCK_DGRAM).sendto(b"x", (sys.argv[2], int(sys.argv[3])))
    elif len(sys.argv) >= 4 and sys.argv[1] == "connect":
        connect(
            sys.argv[2],
            int(sys.argv[3]),
            int(sys.argv[4]) if len(sys.argv) > 4 else 0,
            float(sys.argv[5]) if len(sys.argv) > 5 else 1.5,
        )
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
