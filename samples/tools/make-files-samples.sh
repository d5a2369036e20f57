#!/usr/bin/env bash
# make-files-samples.sh — record samples/files-lab: real downloads and uploads of files whose
# SHA-256 the server computed itself, so ftpcap's hashes, types, REST offsets and --extract are
# checked against the files on the server's disk, not against a generator.
#
#   sudo samples/tools/make-files-samples.sh
#
# What it does:
#   1. builds a small lab of network namespaces (xf-srv, xf-rtr, xf-cli; documentation
#      addresses only, no link to the host):
#        xf-srv  eth0 192.0.2.10/24    vsftpd
#        xf-rtr  srv0 192.0.2.1/24     <- capture point
#                cli0 198.51.100.1/24
#        xf-cli  eth0 198.51.100.20/24 curl, Python ftplib
#   2. writes the server's files from /dev/urandom, gzip and Python (random bytes, a gzip
#      archive, a PNG image, a text file with CRLF line ends), and a writable incoming/;
#   3. starts vsftpd and tcpdump, runs curl (EPSV RETR, PORT RETR, TYPE A RETR, REST 1000 RETR)
#      and ftplib (LIST, NLST, STOR of a random file from the client), stops everything;
#   4. runs sha256sum on the server's files (and on the bytes from offset 1000 of the file
#      downloaded with REST) and writes samples/files-lab/{capture.pcap,served.sha256,
#      tshark-frames.txt,clients.log};
#   5. tears the lab down, also on error (trap).
#
# Needs: root, iproute2, ethtool, tcpdump, tshark, vsftpd, curl, gzip, python3.
# The content is random on every run: re-recording changes served.sha256 with the capture.
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SAMPLES=$(dirname "$TOOLS")
OUT="$SAMPLES/files-lab"
PYTHON=/usr/bin/python3
SRV4=192.0.2.10
NS=(xf-srv xf-rtr xf-cli)

log() { printf '[make-files-samples %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

[ "$(id -u)" = 0 ] || die "run as root (network namespaces, vsftpd, tcpdump)"
for c in ip tcpdump tshark vsftpd curl gzip sha256sum "$PYTHON"; do command -v "$c" >/dev/null || die "missing command: $c"; done

WORK=$(mktemp -d /tmp/ftpcap-files.XXXXXX)
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
ip link add eth0 netns xf-srv type veth peer name srv0 netns xf-rtr
ip link add eth0 netns xf-cli type veth peer name cli0 netns xf-rtr
nsx xf-rtr sysctl -qw net.ipv4.ip_forward=1
nsx xf-rtr ip addr add 192.0.2.1/24 dev srv0
nsx xf-rtr ip addr add 198.51.100.1/24 dev cli0
for dev in srv0 cli0; do nsx xf-rtr ip link set "$dev" up; nsx xf-rtr ethtool -K "$dev" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true; done
host_if() {
  local ns=$1 a4=$2 gw4=$3
  nsx "$ns" ip addr add "$a4" dev eth0
  nsx "$ns" ip link set eth0 up
  nsx "$ns" ip route add default via "$gw4"
  nsx "$ns" ethtool -K eth0 tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
}
host_if xf-srv 192.0.2.10/24 192.0.2.1
host_if xf-cli 198.51.100.20/24 198.51.100.1
sleep 0.5

# ------------------------------------------------------- server and files --
mkdir -p "$WORK/anon/incoming" "$WORK/empty" "$WORK/client"
chown ftp:ftp "$WORK/anon/incoming" 2>/dev/null || chmod 777 "$WORK/anon/incoming"
head -c 300000 /dev/urandom >"$WORK/anon/random-300k.bin"
"$PYTHON" - "$WORK/anon" <<'PY'
import random, struct, sys, zlib
d = sys.argv[1]
# A 64x64 RGB PNG of random pixels: signature, IHDR, IDAT, IEND.
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
w = h = 64
raw = b"".join(b"\0" + bytes(random.getrandbits(8) for _ in range(w * 3)) for _ in range(h))
with open(f"{d}/picture.png", "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
with open(f"{d}/notes.txt", "wb") as f:
    for i in range(1, 2001):
        f.write(f"line {i}: {random.random():.12f}\r\n".encode())
PY
gzip -c "$WORK/anon/notes.txt" >"$WORK/anon/archive.gz"
head -c 100000 /dev/urandom >"$WORK/client/upload-100k.bin"
chmod 644 "$WORK/anon"/*.* "$WORK/client"/*
chmod 555 "$WORK/anon"
cat >"$WORK/vsftpd.conf" <<CONF
# written by samples/tools/make-files-samples.sh
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
CONF
nsx xf-srv vsftpd "$WORK/vsftpd.conf" >"$WORK/vsftpd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do nsx xf-cli bash -c "exec 3<>/dev/tcp/$SRV4/21" 2>/dev/null && break; sleep 0.1; done

# ---------------------------------------------------------------- capture --
mkdir -p "$OUT"
nsx xf-rtr tcpdump -i srv0 -s 0 -U -w "$WORK/capture.pcap" 'tcp' 2>"$WORK/tcpdump.log" &
TCPDUMP_PID=$!
PIDS+=("$TCPDUMP_PID")
for _ in $(seq 50); do grep -q 'listening on' "$WORK/tcpdump.log" && break; sleep 0.1; done

{
  echo "## curl EPSV RETR random-300k.bin"
  nsx xf-cli curl -sS --max-time 10 -o /dev/null "ftp://$SRV4/random-300k.bin" || true
  sleep 0.3
  echo "## curl PORT RETR picture.png (active, -P -, --disable-eprt)"
  nsx xf-cli curl -sS --max-time 10 -P - --disable-eprt -o /dev/null "ftp://$SRV4/picture.png" || true
  sleep 0.3
  echo "## curl EPSV RETR archive.gz"
  nsx xf-cli curl -sS --max-time 10 -o /dev/null "ftp://$SRV4/archive.gz" || true
  sleep 0.3
  echo "## curl TYPE A RETR notes.txt (--use-ascii)"
  nsx xf-cli curl -sS --max-time 10 --use-ascii -o /dev/null "ftp://$SRV4/notes.txt" || true
  sleep 0.3
  echo "## curl REST 1000 RETR random-300k.bin (-C 1000)"
  nsx xf-cli curl -sS --max-time 10 -C 1000 -o "$WORK/client/partial.bin" "ftp://$SRV4/random-300k.bin" || true
  sleep 0.3
  echo "## ftplib: PASV LIST, PASV NLST, STOR incoming/upload-100k.bin"
  nsx xf-cli "$PYTHON" - "$SRV4" "$WORK/client/upload-100k.bin" <<'PY' || true
import ftplib, sys
ftp = ftplib.FTP()
ftp.connect(sys.argv[1], 21, timeout=10)
ftp.login()
ftp.set_pasv(True)
ftp.retrlines('LIST')
print(ftp.nlst())
with open(sys.argv[2], 'rb') as f:
    print(ftp.storbinary('STOR incoming/upload-100k.bin', f))
ftp.quit()
PY
} >"$OUT/clients.log" 2>&1
sleep 0.5
kill "$TCPDUMP_PID"; wait "$TCPDUMP_PID" 2>/dev/null || true

# ------------------------------------------------- the server's own sums --
{
  (cd "$WORK/anon" && sha256sum random-300k.bin picture.png archive.gz notes.txt incoming/upload-100k.bin)
  printf '%s  random-300k.bin@1000\n' "$(tail -c +1001 "$WORK/anon/random-300k.bin" | sha256sum | cut -d' ' -f1)"
} >"$OUT/served.sha256"
cp "$WORK/capture.pcap" "$OUT/capture.pcap"
chmod 644 "$OUT/capture.pcap" "$OUT/served.sha256"
"$TOOLS/tshark-frames.sh" "$OUT/capture.pcap" >"$OUT/tshark-frames.txt"
log "wrote $OUT/capture.pcap ($(tshark -r "$OUT/capture.pcap" 2>/dev/null | wc -l) packets) and served.sha256"
