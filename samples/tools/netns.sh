#!/usr/bin/env bash
# netns.sh — build or tear down the isolated lab network used to record the
# ftpcap sample captures.
#
#   sudo samples/tools/netns.sh up      # (re)build the topology, then ping-check it
#   sudo samples/tools/netns.sh check   # ping every host from every client
#   sudo samples/tools/netns.sh down    # kill what runs inside, delete namespaces
#   sudo samples/tools/netns.sh status  # show namespaces, addresses, routes
#   sudo samples/tools/netns.sh shape SRV_RATE CLI_RATE  # e.g. 4mbit 2mbit
#   sudo samples/tools/netns.sh unshape # remove the shaping
#
# Topology (documentation addresses only, RFC 5737 / RFC 3849):
#
#   fc-srv  eth0 192.0.2.10/24      2001:db8:2::10/64   gw .1 / ::1
#     |  (veth)
#   fc-rtr  srv0 192.0.2.1/24       2001:db8:2::1/64    <- capture point
#           br0  198.51.100.1/24    2001:db8:1::1/64    (bridge: cli1 cli2 cli3)
#     |  (veth, one per client, enslaved to br0)
#   fc-cli1 eth0 198.51.100.20/24   2001:db8:1::20/64   gw .1 / ::1
#   fc-cli2 eth0 198.51.100.21/24   2001:db8:1::21/64
#   fc-cli3 eth0 198.51.100.22/24   2001:db8:1::22/64
#
# The namespaces have no link to the host namespace and the router has only
# its two connected routes, so nothing can leave the lab: a packet for any
# other address is dropped in fc-rtr ("no route").
#
# Later cases (firewall, NAT) add nftables rules inside fc-rtr; this script
# only builds plain IPv4+IPv6 forwarding.
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$TOOLS/lab.sh" # star_up / star_down build the topology; addresses SRV4, CLI4, ... come from there

# NS_PREFIX=xy names the namespaces xy-srv, xy-rtr, xy-cli1..3 instead (a second lab beside this one).
lab_prefix fc
NS_SRV=$P-srv
NS_RTR=$P-rtr
NS_CLIS=("$P-cli1" "$P-cli2" "$P-cli3")
ALL_NS=("$NS_SRV" "$NS_RTR" "${NS_CLIS[@]}")

down() { star_down "$P"; }
up() {
  down
  star_up "$P" fc
  check
}

# Ping the router and the server from every client, both families.
check() {
  ping_check "${NS_CLIS[@]}" -- "$RTR_C4" "$SRV4" "$RTR_C6" "$SRV6" || return 1
  log "topology up, all clients reach $SRV4 and $SRV6"
}

# Slow links: a token-bucket filter on the egress of the server's NIC and of
# every client's NIC (the host's own "uplink"). Shaping at the sending host
# (rather than in the router) paces TCP at the link rate; TCP small queues,
# limited to 16 KiB per socket here, keep each connection's share of the
# qdisc small, so the tbf queue never overflows (no loss, no retransmissions)
# and a control reply waits behind at most a few KiB of data. Concurrent
# transfers then interleave on the wire instead of finishing in a few
# milliseconds each.
TSQ_BYTES=16384
shape() {
  local srv_rate=$1 cli_rate=$2 ns
  for ns in "$NS_SRV" "${NS_CLIS[@]}"; do
    nsx "$ns" sysctl -qw net.ipv4.tcp_limit_output_bytes="$TSQ_BYTES"
  done
  nsx "$NS_SRV" tc qdisc replace dev eth0 root tbf rate "$srv_rate" burst 4kb latency 200ms
  for ns in "${NS_CLIS[@]}"; do
    nsx "$ns" tc qdisc replace dev eth0 root tbf rate "$cli_rate" burst 4kb latency 200ms
  done
}

unshape() {
  local ns
  for ns in "$NS_SRV" "${NS_CLIS[@]}"; do
    nsx "$ns" tc qdisc del dev eth0 root 2>/dev/null || true
    # back to the kernel default (a new namespace starts with it)
    nsx "$ns" sysctl -qw net.ipv4.tcp_limit_output_bytes=4194304
  done
}

status() { lab_status "${ALL_NS[@]}"; }

case "${1:-}" in
  up) up ;;
  down) down ;;
  check) check ;;
  status) status ;;
  shape) [ $# -eq 3 ] || { echo "usage: $0 shape SRV_RATE CLI_RATE (tc units, e.g. 4mbit)" >&2; exit 2; }
    shape "$2" "$3" ;;
  unshape) unshape ;;
  *) echo "usage: $0 up|down|check|status|shape SRV_RATE CLI_RATE|unshape" >&2; exit 2 ;;
esac
