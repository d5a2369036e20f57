# lab.sh — what every sample recording script shares: logging, running commands
# inside a network namespace, building and tearing down namespaces and veths.
# Source it (`. "$TOOLS/lab.sh"`), do not run it. The scripts that use it:
# netns.sh, proto-lab.sh and every make-*.sh (see samples/README.md, "Regenerating").
#
# Everything here stays inside namespaces the calling script created; nothing
# touches the host's own network.

# The name in log lines: the calling script's, without .sh.
LAB_NAME=${LAB_NAME:-$(basename "$0" .sh)}

log() { printf '[%s %s] %s\n' "$LAB_NAME" "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# nsx NS CMD...: run CMD inside network namespace NS.
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# need_root WHY: stop unless running as root.
need_root() { [ "$(id -u)" = 0 ] || die "run as root ($*)"; }
# need_commands CMD...: stop naming the first command that is not installed.
need_commands() { local c; for c in "$@"; do command -v "$c" >/dev/null || die "missing command: $c"; done; }

# no_offload NS DEV: no segmentation or checksum offload, as on a real NIC, so
# every captured frame is at most 1514 bytes and its TCP checksum is correct.
no_offload() {
  local ns=$1 dev=$2
  nsx "$ns" ethtool -K "$dev" tx off rx off tso off gso off gro off >/dev/null 2>&1 ||
    nsx "$ns" ethtool -K "$dev" tx off tso off gso off >/dev/null 2>&1 || true
}

# ns_base NS: a new namespace with loopback up and no IPv6 autoconfiguration.
ns_base() {
  local ns=$1
  ip netns add "$ns"
  nsx "$ns" ip link set lo up
  nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
    net.ipv6.conf.all.autoconf=0 net.ipv6.conf.default.autoconf=0
}

# ns_exists NS: whether namespace NS is there.
ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

# ns_delete NS...: end what runs inside each namespace (started by the calling
# script: servers, recorders, clients), by pid, then delete the namespace.
ns_delete() {
  local ns pid
  for ns in "$@"; do
    ns_exists "$ns" || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    sleep 0.2
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns"
  done
}

# host_if NS DEV ADDR4 ADDR6 GW4 GW6: address a host's interface, bring it up,
# default routes through the router, no offload.
host_if() {
  local ns=$1 dev=$2 a4=$3 a6=$4 gw4=$5 gw6=$6
  nsx "$ns" ip addr add "$a4" dev "$dev"
  nsx "$ns" ip -6 addr add "$a6" dev "$dev" nodad
  nsx "$ns" ip link set "$dev" up
  nsx "$ns" ip route add default via "$gw4"
  nsx "$ns" ip -6 route add default via "$gw6"
  no_offload "$ns" "$dev"
}

# router_if NS DEV ADDR4 ADDR6: address a router's interface, bring it up, no offload.
router_if() {
  local ns=$1 dev=$2 a4=$3 a6=$4
  nsx "$ns" ip addr add "$a4" dev "$dev"
  nsx "$ns" ip -6 addr add "$a6" dev "$dev" nodad
  nsx "$ns" ip link set "$dev" up
  no_offload "$ns" "$dev"
}

# wait_tcp NS HOST PORT: wait up to 5 s until HOST:PORT accepts a connection from NS.
wait_tcp() {
  local i
  for i in $(seq 50); do nsx "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# capture_start NS IF FILE FILTER: tcpdump on IF inside NS into FILE, each
# packet handed over as it arrives (--immediate-mode, -U); returns once tcpdump
# listens. One capture at a time.
capture_start() {
  local ns=$1 dev=$2 file=$3 filter=$4 i
  CAPTURE_FILE=$file
  rm -f "$file.pid"
  nsx "$ns" sh -c 'echo $$ >"$1.pid"; exec tcpdump --immediate-mode -i "$2" -s 0 -U -w "$1" "$3"' sh "$file" "$dev" "$filter" 2>"$file.log" &
  for i in $(seq 50); do grep -q 'listening on' "$file.log" && return 0; sleep 0.1; done
  die "tcpdump did not start: $(cat "$file.log")"
}

# capture_stop: end the tcpdump capture_start started (by its pid) and wait
# until it has written its last packet and exited.
capture_stop() {
  local pid
  pid=$(cat "$CAPTURE_FILE.pid")
  kill -INT "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}
