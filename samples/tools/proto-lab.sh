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

NS_SRV=fp-srv
NS_RTR=fp-rtr
NS_FAR=fp-far
NS_CLIS=(fp-cli1 fp-cli2 fp-cli3)
ALL_NS=("$NS_SRV" "$NS_RTR" "$NS_FAR" "${NS_CLIS[@]}")

SRV4=192.0.2.10 SRV4B=192.0.2.11 SRV6=2001:db8:2::10
FAR4=203.0.113.50 FAR6=2001:db8:3::50
CLI4=(198.51.100.20 198.51.100.21 198.51.100.22)
CLI6=(2001:db8:1::20 2001:db8:1::21 2001:db8:1::22)
CAPTURE_IF=srv0
TSQ_BYTES=16384

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$TOOLS/lab.sh"

down() {
  ns_delete "${ALL_NS[@]}" # lab.sh: ends what runs inside, by pid
}

up() {
  down
  local ns i
  for ns in "${ALL_NS[@]}"; do ns_base "$ns"; done
  nsx "$NS_RTR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

  # server <-> router
  ip link add "$CAPTURE_IF" netns "$NS_RTR" address 02:fa:00:02:00:01 type veth \
    peer name eth0 netns "$NS_SRV" address 02:fa:00:02:00:10
  nsx "$NS_RTR" ip addr add 192.0.2.1/24 dev "$CAPTURE_IF"
  nsx "$NS_RTR" ip -6 addr add 2001:db8:2::1/64 dev "$CAPTURE_IF" nodad
  nsx "$NS_RTR" ip link set "$CAPTURE_IF" up
  no_offload "$NS_RTR" "$CAPTURE_IF"
  host_if "$NS_SRV" eth0 "$SRV4/24" "$SRV6/64" 192.0.2.1 2001:db8:2::1
  nsx "$NS_SRV" ip addr add "$SRV4B/24" dev eth0

  # third-party host <-> router
  ip link add far0 netns "$NS_RTR" address 02:fa:00:03:00:01 type veth \
    peer name eth0 netns "$NS_FAR" address 02:fa:00:03:00:50
  nsx "$NS_RTR" ip addr add 203.0.113.1/24 dev far0
  nsx "$NS_RTR" ip -6 addr add 2001:db8:3::1/64 dev far0 nodad
  nsx "$NS_RTR" ip link set far0 up
  no_offload "$NS_RTR" far0
  host_if "$NS_FAR" eth0 "$FAR4/24" "$FAR6/64" 203.0.113.1 2001:db8:3::1

  # client bridge
  nsx "$NS_RTR" ip link add br0 address 02:fa:00:01:00:01 type bridge stp_state 0 forward_delay 0
  nsx "$NS_RTR" ip addr add 198.51.100.1/24 dev br0
  nsx "$NS_RTR" ip -6 addr add 2001:db8:1::1/64 dev br0 nodad
  nsx "$NS_RTR" ip link set br0 up
  for i in 0 1 2; do
    ns=${NS_CLIS[$i]}
    ip link add "cli$((i + 1))" netns "$NS_RTR" address "02:fa:00:01:01:$((20 + i))" type veth \
      peer name eth0 netns "$ns" address "02:fa:00:01:00:$((20 + i))"
    nsx "$NS_RTR" ip link set "cli$((i + 1))" master br0
    nsx "$NS_RTR" ip link set "cli$((i + 1))" up
    no_offload "$NS_RTR" "cli$((i + 1))"
    host_if "$ns" eth0 "${CLI4[$i]}/24" "${CLI6[$i]}/64" 198.51.100.1 2001:db8:1::1
  done
  check
}

check() {
  local ns dst ok=1 tries
  for ns in "${NS_CLIS[@]}" "$NS_FAR"; do
    for dst in 192.0.2.1 "$SRV4" "$SRV4B" "$SRV6" "$FAR4" "$FAR6"; do
      if [ "$ns" = "$NS_FAR" ] && { [ "$dst" = "$FAR4" ] || [ "$dst" = "$FAR6" ]; }; then continue; fi
      for tries in 1 2 3; do
        if nsx "$ns" ping -n -q -c 1 -W 1 "$dst" >/dev/null 2>&1; then break; fi
        if [ "$tries" = 3 ]; then echo "proto-lab.sh: $ns cannot ping $dst" >&2; ok=0; fi
      done
    done
  done
  [ "$ok" = 1 ] || return 1
  echo "proto-lab.sh: topology up" >&2
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

status() {
  local ns
  for ns in "${ALL_NS[@]}"; do
    echo "== $ns"
    nsx "$ns" ip -br addr 2>/dev/null || echo "(absent)"
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  check) check ;;
  status) status ;;
  shape) [ $# -eq 2 ] || { echo "usage: $0 shape RATE (tc units, e.g. 2mbit)" >&2; exit 2; }; shape "$2" ;;
  unshape) unshape ;;
  *) echo "usage: $0 up|down|check|status|shape RATE|unshape" >&2; exit 2 ;;
esac
