#!/usr/bin/env python3
"""vlan-tags.py DEV TAG[,TAG...] — make DEV a VLAN trunk port without the 8021q module.

    ip netns exec fc-rtr python3 samples/tools/vlan-tags.py srv0 802.1Q:100
    ip netns exec fc-rtr python3 samples/tools/vlan-tags.py srv0 802.1ad:200,802.1Q:100

Tags are listed outermost first. Every frame DEV sends leaves with these tags
(802.1Q = TPID 0x8100, 802.1ad = TPID 0x88a8), and as many tags are taken off
every frame DEV receives before the IP stack sees it — what an access port of a
VLAN switch, or a VLAN sub-interface (`ip link add link DEV type vlan`) whose
parent is the capture interface, does.

Why: the lab kernel is built without CONFIG_VLAN_8021Q (no vlan links, no
bridge VLAN filtering, no tc vlan action), so the tags are pushed and popped
by two tiny eBPF programs (helpers bpf_skb_vlan_push / bpf_skb_vlan_pop, the
same kernel functions the vlan driver and act_vlan use) attached to DEV with
tcx (BPF_LINK_CREATE, Linux >= 6.6) from this process. Nothing is compiled and
nothing is pinned: the programs are a dozen raw eBPF instructions, loaded with
the bpf(2) system call through ctypes, and they stay attached only while this
process runs. It prints one line when both are attached and waits; SIGINT or
SIGTERM ends it (exit status 0), which detaches them.

An AF_PACKET recorder on DEV (tcpdump -i DEV) sees the tags: on transmit it
runs after the tcx egress hook, on receive before the tcx ingress hook, and
libpcap writes the outermost tag (kept by the kernel in the packet's metadata,
as with any VLAN-accelerated NIC) back into the frame.
"""
import ctypes
import os
import platform
import signal
import socket
import struct
import sys

SYS_BPF = {"x86_64": 321, "aarch64": 280}
BPF_PROG_LOAD = 5
BPF_LINK_CREATE = 28
BPF_PROG_TYPE_SCHED_CLS = 3
BPF_TCX_INGRESS = 46  # enum bpf_attach_type, Linux 6.6
BPF_TCX_EGRESS = 47
BPF_FUNC_skb_vlan_push = 18
BPF_FUNC_skb_vlan_pop = 19
TPID = {"802.1q": 0x8100, "802.1ad": 0x88A8}


def insn(code: int, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> bytes:
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


MOV64_REG = 0xBF  # BPF_ALU64 | BPF_MOV | BPF_X
MOV64_IMM = 0xB7  # BPF_ALU64 | BPF_MOV | BPF_K
CALL = 0x85  # BPF_JMP | BPF_CALL
EXIT = 0x95  # BPF_JMP | BPF_EXIT


def program(tags, push: bool) -> bytes:
    """r6 = skb; push (innermost first) or pop each tag; return TCX_PASS (0)."""
    code = insn(MOV64_REG, 6, 1)
    for tpid, vid in (reversed(tags) if push else tags):
        code += insn(MOV64_REG, 1, 6)
        if push:
            # vlan_proto is __be16: the helper compares it with htons(ETH_P_8021Q / ETH_P_8021AD)
            code += insn(MOV64_IMM, 2, imm=socket.htons(tpid))
            code += insn(MOV64_IMM, 3, imm=vid)
            code += insn(CALL, imm=BPF_FUNC_skb_vlan_push)
        else:
            code += insn(CALL, imm=BPF_FUNC_skb_vlan_pop)
    return code + insn(MOV64_IMM, 0, imm=0) + insn(EXIT)


libc = ctypes.CDLL(None, use_errno=True)


def bpf(cmd: int, attr: ctypes.Array) -> int:
    fd = libc.syscall(SYS_BPF[platform.machine()], cmd, attr, len(attr))
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"bpf({cmd}): {os.strerror(err)}")
    return fd


def load(code: bytes, name: str) -> int:
    insns = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(65536)
    attr = ctypes.create_string_buffer(128)
    # union bpf_attr, BPF_PROG_LOAD: prog_type, insn_cnt, insns, license, log_level,
    # log_size, log_buf, kern_version, prog_flags, prog_name[16]
    struct.pack_into("<IIQQIIQII16s", attr, 0, BPF_PROG_TYPE_SCHED_CLS, len(code) // 8,
                     ctypes.addressof(insns), ctypes.addressof(lic), 1, len(log),
                     ctypes.addressof(log), 0, 0, name.encode()[:15])
    try:
        return bpf(BPF_PROG_LOAD, attr)
    except OSError as e:
        raise SystemExit(f"vlan-tags: loading {name} failed: {e}\n{log.value.decode(errors='replace')}")


def attach(prog_fd: int, ifindex: int, attach_type: int) -> int:
    attr = ctypes.create_string_buffer(64)
    # BPF_LINK_CREATE: prog_fd, target_ifindex, attach_type, flags (tcx: no relative, append)
    struct.pack_into("<IIII", attr, 0, prog_fd, ifindex, attach_type, 0)
    return bpf(BPF_LINK_CREATE, attr)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    dev, spec = sys.argv[1], sys.argv[2]
    tags = []
    for t in spec.split(","):
        kind, _, vid = t.partition(":")
        if kind.lower() not in TPID or not vid.isdigit() or not 1 <= int(vid) <= 4094:
            raise SystemExit(f"vlan-tags: bad tag {t!r} (want 802.1Q:VID or 802.1ad:VID, VID 1-4094)")
        tags.append((TPID[kind.lower()], int(vid)))
    ifindex = socket.if_nametoindex(dev)
    links = [
        attach(load(program(tags, push=True), "vlan_push"), ifindex, BPF_TCX_EGRESS),
        attach(load(program(tags, push=False), "vlan_pop"), ifindex, BPF_TCX_INGRESS),
    ]
    sigs = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    print(f"vlan-tags: {dev}: egress pushes, ingress pops {spec} (outermost first)", flush=True)
    signal.sigwait(sigs)
    for fd in links:
        os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
