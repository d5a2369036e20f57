#!/usr/bin/env bash
# proto-lab.sh — the isolated lab network of the protocol-level sample cases
# (samples/tools/make-protocol-samples.sh). Same construction as netns.sh,
# with its own namespace names (fp-*) and a fourth network for a
# "third-party" host that FTP bounce announcements can point at.
#
#   sudo samples/tools/proto-lab.sh up       # (re)build, then ping-check
#   sudo samples/tools/proto-lab.sh down     # kill what runs inside, delete namespaces
#   sudo samples/tools/proto-lab.sh status
#   sudo samples/tools/proto-lab.sh shape RATE   # tbf on the server's uplink
#   sudo samples/tools/proto-lab.sh unshape
#
# Topology (documentation addresses only, RFC 5737 / RFC 3849):
#
#   fp-srv  eth0 192.0.2.10/24 192.0.2.11/24  2001:db8:2::10/64    gw .1 / ::1
#     |  (veth)
#   fp-rtr  srv0 192.0.2.1/24       2001:db8:2::1/64    <- capture point
#           br0  198.51.100.1/24    2001:db8:1::1/64    (bridge: cli1 cli2 cli3)
#           far0 203.0.113.1/24     2001:db8:3::1/64
#     |  (veth, one per client, enslaved to br0)
#   fp-cli1 eth0 198.51.100.20/24   2001:db8:1::20/64   gw .1 / ::1
#   fp-cli2 eth0 198.51.100.21/24   2001:db8:1::21/64
#   fp-cli3 eth0 198.51.100.22/24   2001:db8:1::22/64
#   fp-far  eth0 203.0.113.50/24    2001:db8:3::50/64   (third-party host)
#
# 192.0.2.11 is a second address of the server host, for a second vsftpd
# instance with another configuration (bounce case). The namespaces have no
# link to the host namespace and the router knows only its three connected
# networks, so nothing can leave the lab.
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$TOOLS/lab.sh" # star_up / star_down build the common part; SRV4, CLI4, ... come from there

# NS_PREFIX=xy names the namespaces xy-srv, xy-rtr, xy-far, xy-cli1..3 instead.
lab_prefix fp
NS_SRV=$P-srv
NS_RTR=$P-rtr
NS_FAR=$P-far
NS_CLIS=("$P-cli1" "$P-cli2" "$P-cli3")
ALL_NS=("$NS_SRV" "$NS_RTR" "$NS_FAR" "${NS_CLIS[@]}")

SRV4B=192.0.2.11
FAR4=203.0.113.50 FAR6=2001:db8:3::50
TSQ_BYTES=16384

down() {
  ns_delete "$NS_FAR"
  star_down "$P"
}

up() {
  down
  star_up "$P" fa
  nsx "$NS_SRV" ip addr add "$SRV4B/24" dev eth0
  # third-party host <-> router
  ns_base "$NS_FAR"
  veth "$NS_RTR" far0 02:fa:00:03:00:01 "$NS_FAR" eth0 02:fa:00:03:00:50
  router_if "$NS_RTR" far0 203.0.113.1/24 2001:db8:3::1/64
  host_if "$NS_FAR" eth0 "$FAR4/24" "$FAR6/64" 203.0.113.1 2001:db8:3::1
  check
}

check() {
  ping_check "${NS_CLIS[@]}" -- "$RTR_S4" "$SRV4" "$SRV4B" "$SRV6" "$FAR4" "$FAR6" || return 1
  ping_check "$NS_FAR" -- "$RTR_S4" "$SRV4" "$SRV4B" "$SRV6" || return 1
  log "topology up"
}

# A slow server uplink (tbf at the sending host, TCP small queues limited as
# in netns.sh), so that a download lasts long enough to be aborted or to have
# its file cut short while it runs. The server's socket send buffers are
# capped at 64 KiB, so the server process stays close behind the wire (it
# has not already read the whole file into the socket when it is cut short).
shape() {
  nsx "$NS_SRV" sysctl -qw net.ipv4.tcp_limit_output_bytes="$TSQ_BYTES" \
    net.ipv4.tcp_wmem="4096 16384 65536"
  nsx "$NS_SRV" tc qdisc replace dev eth0 root tbf rate "$1" burst 4kb latency 200ms
}
unshape() {
  nsx "$NS_SRV" tc qdisc del dev eth0 root 2>/dev/null || true
  # back to the kernel defaults (a new namespace starts with them)
  nsx "$NS_SRV" sysctl -qw net.ipv4.tcp_limit_output_bytes=4194304 \
    net.ipv4.tcp_wmem="4096 16384 4194304"
}

status() { lab_status "${ALL_NS[@]}"; }

case "${1:-}" in
  up) up ;;
  down) down ;;
  check) check ;;
  status) status ;;
  shape) [ $# -eq 2 ] || { echo "usage: $0 shape RATE (tc units, e.g. 2mbit)" >&2; exit 2; }; shape "$2" ;;
  unshape) unshape ;;
  *) echo "usage: $0 up|down|check|status|shape RATE|unshape" >&2; exit 2 ;;
esac
