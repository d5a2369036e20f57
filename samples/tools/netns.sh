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

# NS_PREFIX=xy names the namespaces xy-srv, xy-rtr, xy-cli1..3 instead (a second lab beside this one).
NS_PREFIX=${NS_PREFIX:-fc}
NS_SRV=$NS_PREFIX-srv
NS_RTR=$NS_PREFIX-rtr
NS_CLIS=("$NS_PREFIX-cli1" "$NS_PREFIX-cli2" "$NS_PREFIX-cli3")
ALL_NS=("$NS_SRV" "$NS_RTR" "${NS_CLIS[@]}")

SRV4=192.0.2.10      SRV6=2001:db8:2::10
RTR_S4=192.0.2.1     RTR_S6=2001:db8:2::1
RTR_C4=198.51.100.1  RTR_C6=2001:db8:1::1
CLI4=(198.51.100.20 198.51.100.21 198.51.100.22)
CLI6=(2001:db8:1::20 2001:db8:1::21 2001:db8:1::22)

# Interface in fc-rtr facing the server: capture here.
CAPTURE_IF=srv0

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$TOOLS/lab.sh"

down() {
  ns_delete "${ALL_NS[@]}" # lab.sh: ends what runs inside, by pid
}

up() {
  down
  local ns i
  for ns in "${ALL_NS[@]}"; do ns_base "$ns"; done

  # --- router --------------------------------------------------------------
  nsx "$NS_RTR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

  # server <-> router veth
  ip link add "$CAPTURE_IF" netns "$NS_RTR" address 02:fc:00:02:00:01 type veth \
    peer name eth0 netns "$NS_SRV" address 02:fc:00:02:00:10
  nsx "$NS_RTR" ip addr add "$RTR_S4/24" dev "$CAPTURE_IF"
  nsx "$NS_RTR" ip -6 addr add "$RTR_S6/64" dev "$CAPTURE_IF" nodad
  nsx "$NS_RTR" ip link set "$CAPTURE_IF" up
  no_offload "$NS_RTR" "$CAPTURE_IF"

  # client-side bridge
  nsx "$NS_RTR" ip link add br0 address 02:fc:00:01:00:01 type bridge stp_state 0 forward_delay 0
  nsx "$NS_RTR" ip addr add "$RTR_C4/24" dev br0
  nsx "$NS_RTR" ip -6 addr add "$RTR_C6/64" dev br0 nodad
  nsx "$NS_RTR" ip link set br0 up

  # --- server ----------------------------------------------------------------
  nsx "$NS_SRV" ip addr add "$SRV4/24" dev eth0
  nsx "$NS_SRV" ip -6 addr add "$SRV6/64" dev eth0 nodad
  nsx "$NS_SRV" ip link set eth0 up
  nsx "$NS_SRV" ip route add default via "$RTR_S4"
  nsx "$NS_SRV" ip -6 route add default via "$RTR_S6"
  no_offload "$NS_SRV" eth0

  # --- clients ---------------------------------------------------------------
  for i in 0 1 2; do
    ns=${NS_CLIS[$i]}
    ip link add "cli$((i + 1))" netns "$NS_RTR" address "02:fc:00:01:01:$((20 + i))" type veth \
      peer name eth0 netns "$ns" address "02:fc:00:01:00:$((20 + i))"
    nsx "$NS_RTR" ip link set "cli$((i + 1))" master br0
    nsx "$NS_RTR" ip link set "cli$((i + 1))" up
    no_offload "$NS_RTR" "cli$((i + 1))"
    nsx "$ns" ip addr add "${CLI4[$i]}/24" dev eth0
    nsx "$ns" ip -6 addr add "${CLI6[$i]}/64" dev eth0 nodad
    nsx "$ns" ip link set eth0 up
    nsx "$ns" ip route add default via "$RTR_C4"
    nsx "$ns" ip -6 route add default via "$RTR_C6"
    no_offload "$ns" eth0
  done
  check
}

# Ping the router and the server from every client, both families.
check() {
  local ns dst ok=1 tries
  for ns in "${NS_CLIS[@]}"; do
    for dst in "$RTR_C4" "$SRV4" "$RTR_C6" "$SRV6"; do
      # the first IPv6 ping can be lost while neighbour discovery runs
      for tries in 1 2 3; do
        if nsx "$ns" ping -n -q -c 1 -W 1 "$dst" >/dev/null 2>&1; then break; fi
        if [ "$tries" = 3 ]; then echo "netns.sh: $ns cannot ping $dst" >&2; ok=0; fi
      done
    done
  done
  [ "$ok" = 1 ] || return 1
  echo "netns.sh: topology up, all clients reach $SRV4 and $SRV6" >&2
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
  shape) [ $# -eq 3 ] || { echo "usage: $0 shape SRV_RATE CLI_RATE (tc units, e.g. 4mbit)" >&2; exit 2; }
    shape "$2" "$3" ;;
  unshape) unshape ;;
  *) echo "usage: $0 up|down|check|status|shape SRV_RATE CLI_RATE|unshape" >&2; exit 2 ;;
esac
