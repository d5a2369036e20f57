#!/usr/bin/env bash
# make-files-samples.sh — record samples/files-lab: real downloads and uploads of files whose
# SHA-256 the server computed itself, so ftpcap's hashes, types, REST offsets and --extract are
# checked against the files on the server's disk, not against a generator.
#
#   sudo samples/tools/make-files-samples.sh
#
# What it does:
#   1. builds a small lab of network namespaces (lab.sh line_up: xf-srv, xf-rtr, xf-cli, or
#      $NS_PREFIX-srv ...; documentation addresses only, no link to the host):
#        xf-srv  eth0 192.0.2.10/24    vsftpd
#        xf-rtr  srv0 192.0.2.1/24     <- capture point
#                cli0 198.51.100.1/24
#        xf-cli  eth0 198.51.100.20/24 curl, Python ftplib
#   2. writes the server's files from /dev/urandom, gzip and files-lab-files.py (random bytes, a gzip
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
. "$TOOLS/lab.sh"
OUT="$SAMPLES/files-lab"
need_root "network namespaces, vsftpd, tcpdump"
need_commands ip tcpdump tshark vsftpd curl gzip sha256sum "$PYTHON"
line_lab xf files # lab.sh: namespaces xf-srv, xf-rtr, xf-cli (or $NS_PREFIX-...)

# ------------------------------------------------------- server and files --
mkdir -p "$WORK/anon/incoming" "$WORK/empty" "$WORK/client"
chown ftp:ftp "$WORK/anon/incoming" 2>/dev/null || chmod 777 "$WORK/anon/incoming"
head -c 300000 /dev/urandom >"$WORK/anon/random-300k.bin"
"$PYTHON" "$TOOLS/files-lab-files.py" "$WORK/anon"
gzip -c "$WORK/anon/notes.txt" >"$WORK/anon/archive.gz"
head -c 100000 /dev/urandom >"$WORK/client/upload-100k.bin"
chmod 644 "$WORK/anon"/*.* "$WORK/client"/*
chmod 555 "$WORK/anon"
line_vsftpd make-files-samples.sh

# ---------------------------------------------------------------- capture --
mkdir -p "$OUT"
record_start capture "$NS_RTR" srv0 "$WORK/capture.pcap" tcp

{
  echo "## curl EPSV RETR random-300k.bin"
  nsx "$NS_CLI" curl -sS --max-time 10 -o /dev/null "ftp://$SRV4/random-300k.bin" || true
  sleep 0.3
  echo "## curl PORT RETR picture.png (active, -P -, --disable-eprt)"
  nsx "$NS_CLI" curl -sS --max-time 10 -P - --disable-eprt -o /dev/null "ftp://$SRV4/picture.png" || true
  sleep 0.3
  echo "## curl EPSV RETR archive.gz"
  nsx "$NS_CLI" curl -sS --max-time 10 -o /dev/null "ftp://$SRV4/archive.gz" || true
  sleep 0.3
  echo "## curl TYPE A RETR notes.txt (--use-ascii)"
  nsx "$NS_CLI" curl -sS --max-time 10 --use-ascii -o /dev/null "ftp://$SRV4/notes.txt" || true
  sleep 0.3
  echo "## curl REST 1000 RETR random-300k.bin (-C 1000)"
  nsx "$NS_CLI" curl -sS --max-time 10 -C 1000 -o "$WORK/client/partial.bin" "ftp://$SRV4/random-300k.bin" || true
  sleep 0.3
  echo "## ftplib: PASV LIST, PASV NLST, STOR incoming/upload-100k.bin"
  nsx "$NS_CLI" "$PYTHON" "$TOOLS/ftplib-client.py" --timeout 10 "$SRV4" passive list nlst \
    "stor:$WORK/client/upload-100k.bin:incoming/upload-100k.bin" || true
} >"$OUT/clients.log" 2>&1
sleep 0.5
record_stop capture || die "tcpdump dropped packets"

# ------------------------------------------------- the server's own sums --
{
  (cd "$WORK/anon" && sha256sum random-300k.bin picture.png archive.gz notes.txt incoming/upload-100k.bin)
  printf '%s  random-300k.bin@1000\n' "$(tail -c +1001 "$WORK/anon/random-300k.bin" | sha256sum | cut -d' ' -f1)"
} >"$OUT/served.sha256"
chmod 644 "$OUT/served.sha256"
publish_capture "$WORK/capture.pcap" "$OUT"
log "wrote $OUT/capture.pcap ($(tshark -r "$OUT/capture.pcap" 2>/dev/null | wc -l) packets) and served.sha256"
