#!/usr/bin/env bash
# record-noise.sh — records the real non-FTP traffic that bench/generate.js replicates into the
# "95% other traffic" benchmark capture: HTTP downloads (TCP) and DNS queries (UDP) between two
# network namespaces, captured on the server's interface.
#
#   sudo bench/tools/record-noise.sh [OUT]   # default bench/templates/noise.pcap.gz
#
# Lab (documentation addresses only, RFC 5737; no link to the host namespace):
#
#   fb-srv  eth0 203.0.113.10/24   python3 -m http.server 8080, bench/tools/dns-pair.py serve
#     |  (veth)                    <- capture point: tcpdump -i eth0 in fb-srv
#   fb-cli  eth0 203.0.113.20/24   curl, bench/tools/dns-pair.py query
#
# Offloads are off on both ends (every frame at most 1514 bytes, correct checksums) and IPv6 is
# disabled on the link (no neighbour discovery in the capture). The namespaces are removed at the
# end, whatever happens.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/../templates/noise.pcap.gz}
SRV=fb-srv CLI=fb-cli
SRV4=203.0.113.10 CLI4=203.0.113.20
WORK=$(mktemp -d)

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

teardown() {
  local ns pid
  for ns in $SRV $CLI; do
    if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
      sleep 0.3
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
      ip netns del "$ns"
    fi
  done
  rm -rf "$WORK"
}
trap teardown EXIT

teardown
mkdir -p "$WORK"
for ns in $SRV $CLI; do
  ip netns add "$ns"
  nsx "$ns" ip link set lo up
done
ip link add fb-veth-s type veth peer name fb-veth-c
ip link set fb-veth-s netns $SRV
ip link set fb-veth-c netns $CLI
nsx $SRV ip link set fb-veth-s name eth0
nsx $CLI ip link set fb-veth-c name eth0
for ns in $SRV $CLI; do
  nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  nsx "$ns" ethtool -K eth0 tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
done
nsx $SRV ip addr add $SRV4/24 dev eth0
nsx $CLI ip addr add $CLI4/24 dev eth0
nsx $SRV ip link set eth0 up
nsx $CLI ip link set eth0 up
nsx $CLI ping -c 1 -W 2 $SRV4 >/dev/null

# Served files: a 1 MiB text file (it compresses well, so the template stays small) and a page.
mkdir -p "$WORK/www"
python3 - "$WORK/www" <<'PY'
import sys
with open(sys.argv[1] + "/big.txt", "w") as f:
    n = 0
    while f.tell() < 1 << 20:
        f.write(f"line {n:07d} of a plain text file served over HTTP for the ftpcap benchmark\n")
        n += 1
with open(sys.argv[1] + "/index.html", "w") as f:
    f.write("<!doctype html><title>bench</title><p>ftpcap benchmark background traffic</p>\n")
PY

(cd "$WORK/www" && exec ip netns exec $SRV python3 -m http.server 8080 --bind $SRV4 >"$WORK/http.log" 2>&1) &
nsx $SRV python3 "$HERE/dns-pair.py" serve $SRV4 &
for _ in $(seq 50); do
  nsx $SRV ss -Hltn 'sport = :8080' | grep -q . && break
  sleep 0.1
done

# Not through nsx: `ip netns exec` execs tcpdump, so $! is tcpdump itself and the signal reaches it.
ip netns exec $SRV tcpdump -i eth0 -s 0 -U -w "$WORK/noise.pcap" 'tcp or udp' 2>"$WORK/tcpdump.log" &
TCPDUMP=$!
sleep 1

nsx $CLI python3 "$HERE/dns-pair.py" query $SRV4 20
for _ in 1 2 3; do
  nsx $CLI curl -sS -o /dev/null "http://$SRV4:8080/index.html"
  nsx $CLI curl -sS -o /dev/null "http://$SRV4:8080/big.txt"
done
nsx $CLI python3 "$HERE/dns-pair.py" query $SRV4 20

sleep 1
kill -INT $TCPDUMP
wait $TCPDUMP || true
cat "$WORK/tcpdump.log" >&2
gzip -9 -n -c "$WORK/noise.pcap" >"$OUT"
echo "wrote $OUT"
