#!/usr/bin/env python3
"""tun-link.py NS_A DEV_A NS_B DEV_B — a point-to-point IP link made of two tun devices.

    python3 samples/tools/tun-link.py fc-rtr srvtun fc-srv tun0

Creates the tun device DEV_A (IFF_TUN | IFF_NO_PI: the packets are bare IP
datagrams, no Ethernet header, no ARP) in network namespace NS_A and DEV_B in
NS_B, and copies every datagram one side sends into the other, unchanged — a
wire between two IP interfaces. Addresses, link state and routes are left to
`ip`. A recorder on either device (tcpdump -i DEV_A) gets link type RAW
(LINKTYPE_RAW, 101): libpcap maps the tun device's ARPHRD_NONE to DLT_RAW.

Why: the lab kernel has no ipip / sit / gre tunnels (and no modules), but it
has tun. It prints one line when both devices exist and runs until SIGINT or
SIGTERM (exit status 0); the devices disappear when it exits.
"""
import ctypes
import fcntl
import os
import select
import signal
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)


def enter_netns(name: str) -> None:
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise SystemExit(f"tun-link: setns({name}): {os.strerror(err)}")
    finally:
        os.close(fd)


def open_tun(ns: str, dev: str) -> int:
    enter_netns(ns)  # a tun device is created in the caller's network namespace
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", dev.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    ns_a, dev_a, ns_b, dev_b = sys.argv[1:]
    a = open_tun(ns_a, dev_a)
    b = open_tun(ns_b, dev_b)
    peer = {a: b, b: a}
    stop_r, stop_w = os.pipe()
    signal.signal(signal.SIGINT, lambda *_: os.write(stop_w, b"x"))
    signal.signal(signal.SIGTERM, lambda *_: os.write(stop_w, b"x"))
    print(f"tun-link: {ns_a}/{dev_a} <-> {ns_b}/{dev_b}", flush=True)
    while True:
        ready, _, _ = select.select([a, b, stop_r], [], [])
        if stop_r in ready:
            return 0
        for fd in ready:
            try:
                pkt = os.read(fd, 65536)
            except OSError:  # EIO while the interface is down
                continue
            try:
                os.write(peer[fd], pkt)
            except OSError:  # peer down: the datagram is lost, as on a cut wire
                pass


if __name__ == "__main__":
    sys.exit(main())
