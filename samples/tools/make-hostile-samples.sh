#!/usr/bin/env bash
# make-hostile-samples.sh — record samples/hostile-names: real FTP traffic whose
# user and file names are markup and script (`<img src=x onerror=alert(1)>`,
# `<script>`, `&amp;`, quotes), so every report that shows captured text is
# tested against it: the HTML report must show them as text.
#
#   sudo samples/tools/make-hostile-samples.sh
#
# What it does:
#   1. builds a small lab of network namespaces (ft-srv, ft-rtr, ft-cli;
#      documentation addresses only, no link to the host):
#        ft-srv  eth0 192.0.2.10/24   2001:db8:2::10/64   vsftpd
#        ft-rtr  srv0 192.0.2.1/24    2001:db8:2::1/64    <- capture point
#                cli0 198.51.100.1/24 2001:db8:1::1/64
#        ft-cli  eth0 198.51.100.20/24 2001:db8:1::20/64  curl, ftplib
#   2. writes an anonymous tree whose file names are the hostile strings, and
#      a writable incoming/ directory;
#   3. starts vsftpd in ft-srv and tcpdump in ft-rtr, runs curl (EPSV RETR,
#      PORT RETR, a RETR of a missing hostile name: 550) and Python ftplib
#      (a USER that is markup: 530; then anonymous PASV LIST, EPRT STOR with a
#      hostile name), stops everything and writes
#      samples/hostile-names/{capture.pcap,tshark-frames.txt,clients.log};
#   4. tears the lab down, also on error (trap).
#
# Needs: root, iproute2, ethtool, tcpdump, tshark, vsftpd, curl, python3.
# The README of the case is written by hand; re-running changes timestamps,
# ephemeral ports and the passive ports vsftpd picks (40000-40100).
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SAMPLES=$(dirname "$TOOLS")
OUT="$SAMPLES/hostile-names"
PYTHON=/usr/bin/python3
SRV4=192.0.2.10
CLI4=198.51.100.20
NS=(ft-srv ft-rtr ft-cli)

log() { printf '[make-hostile-samples %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

[ "$(id -u)" = 0 ] || die "run as root (network namespaces, vsftpd, tcpdump)"
for c in ip tcpdump tshark vsftpd curl "$PYTHON"; do command -v "$c" >/dev/null || die "missing command: $c"; done

WORK=$(mktemp -d /tmp/ftpcap-hostile.XXXXXX)
PIDS=()
down() {
  local pid ns
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for ns in "${NS[@]}"; do
    if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
      ip netns del "$ns"
    fi
  done
}
trap 'down; rm -rf "$WORK"' EXIT

# ------------------------------------------------------------------- lab --
down
for ns in "${NS[@]}"; do
  ip netns add "$ns"
  nsx "$ns" ip link set lo up
  nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
done
ip link add eth0 netns ft-srv type veth peer name srv0 netns ft-rtr
ip link add eth0 netns ft-cli type veth peer name cli0 netns ft-rtr
nsx ft-rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
nsx ft-rtr ip addr add 192.0.2.1/24 dev srv0
nsx ft-rtr ip -6 addr add 2001:db8:2::1/64 dev srv0 nodad
nsx ft-rtr ip addr add 198.51.100.1/24 dev cli0
nsx ft-rtr ip -6 addr add 2001:db8:1::1/64 dev cli0 nodad
for dev in srv0 cli0; do nsx ft-rtr ip link set "$dev" up; nsx ft-rtr ethtool -K "$dev" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true; done
host_if() {
  local ns=$1 a4=$2 a6=$3 gw4=$4 gw6=$5
  nsx "$ns" ip addr add "$a4" dev eth0
  nsx "$ns" ip -6 addr add "$a6" dev eth0 nodad
  nsx "$ns" ip link set eth0 up
  nsx "$ns" ip route add default via "$gw4"
  nsx "$ns" ip -6 route add default via "$gw6"
  nsx "$ns" ethtool -K eth0 tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
}
host_if ft-srv 192.0.2.10/24 2001:db8:2::10/64 192.0.2.1 2001:db8:2::1
host_if ft-cli 198.51.100.20/24 2001:db8:1::20/64 198.51.100.1 2001:db8:1::1
sleep 0.5

# ------------------------------------------------------- server and files --
mkdir -p "$WORK/anon/incoming" "$WORK/empty"
chmod 555 "$WORK/anon"
chown ftp:ftp "$WORK/anon/incoming" 2>/dev/null || chmod 777 "$WORK/anon/incoming"
printf 'an image that is not one\n' >"$WORK/anon/<img src=x onerror=alert(1)>.txt"
printf 'a script that is not one\n' >"$WORK/anon/<script>alert(2)<\\script>"
printf 'entities stay entities\n' >"$WORK/anon/&lt;b&gt; &amp; \"quotes\" 'too'.txt"
cat >"$WORK/vsftpd.conf" <<EOF
# written by samples/tools/make-hostile-samples.sh
listen=YES
listen_address=$SRV4
background=NO
anonymous_enable=YES
anon_root=$WORK/anon
write_enable=YES
anon_upload_enable=YES
anon_umask=022
local_enable=NO
pasv_enable=YES
pasv_min_port=40000
pasv_max_port=40100
port_enable=YES
connect_from_port_20=YES
seccomp_sandbox=NO
secure_chroot_dir=$WORK/empty
xferlog_enable=NO
use_localtime=NO
EOF
nsx ft-srv vsftpd "$WORK/vsftpd.conf" >"$WORK/vsftpd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do nsx ft-cli bash -c "exec 3<>/dev/tcp/$SRV4/21" 2>/dev/null && break; sleep 0.1; done

# ---------------------------------------------------------------- capture --
mkdir -p "$OUT"
nsx ft-rtr tcpdump -i srv0 -s 0 -U -w "$WORK/capture.pcap" 'tcp' 2>"$WORK/tcpdump.log" &
TCPDUMP_PID=$!
PIDS+=("$TCPDUMP_PID")
for _ in $(seq 50); do grep -q 'listening on' "$WORK/tcpdump.log" && break; sleep 0.1; done

url() { printf 'ftp://%s/%s' "$SRV4" "$($PYTHON -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")"; }
{
  echo "## curl EPSV RETR"
  nsx ft-cli curl -sS --max-time 10 -o /dev/null -w '%{http_code}\n' "$(url '<img src=x onerror=alert(1)>.txt')" || true
  sleep 0.3
  echo "## curl PORT RETR (active, -P -, --disable-eprt)"
  nsx ft-cli curl -sS --max-time 10 -P - --disable-eprt -o /dev/null -w '%{http_code}\n' "$(url '&lt;b&gt; &amp; "quotes" '"'"'too'"'"'.txt')" || true
  sleep 0.3
  echo "## curl RETR of a missing name (550)"
  nsx ft-cli curl -sS --max-time 10 -o /dev/null -w '%{http_code}\n' "$(url '"><svg onload=alert(3)>')" || true
  sleep 0.3
  echo "## ftplib: USER that is markup (530), then anonymous PASV LIST, EPRT STOR"
  nsx ft-cli "$PYTHON" - "$SRV4" <<'PY' || true
import ftplib, io, sys
host = sys.argv[1]
ftp = ftplib.FTP()
ftp.connect(host, 21, timeout=10)
try:
    ftp.login('<img src=x onerror=alert(4)>', '<b>pw</b>')
except ftplib.error_perm as e:
    print('login refused:', e)
ftp.close()
ftp = ftplib.FTP()
ftp.connect(host, 21, timeout=10)
ftp.login()
ftp.set_pasv(True)
print(ftp.nlst())
ftp.set_pasv(False)
ftp.af = 2  # ftplib sends EPRT for IPv6 only; ask for it explicitly below
ftp.cwd('incoming')
conn_host, conn_port = ftp.sock.getsockname()[0], 0
import socket
listener = socket.create_server((conn_host, 0))
port = listener.getsockname()[1]
print(ftp.sendcmd(f'EPRT |1|{conn_host}|{port}|'))
ftp.putcmd('STOR <script>alert(5)<\\script>.bin')
data, _ = listener.accept()
print(ftp.getresp())
data.sendall(b'x' * 4096)
data.close()
print(ftp.getresp())
ftp.quit()
PY
} >"$OUT/clients.log" 2>&1
sleep 0.5
kill "$TCPDUMP_PID"; wait "$TCPDUMP_PID" 2>/dev/null || true
cp "$WORK/capture.pcap" "$OUT/capture.pcap"
chmod 644 "$OUT/capture.pcap"
"$TOOLS/tshark-frames.sh" "$OUT/capture.pcap" >"$OUT/tshark-frames.txt"
log "wrote $OUT/capture.pcap ($(tshark -r "$OUT/capture.pcap" 2>/dev/null | wc -l) packets)"
