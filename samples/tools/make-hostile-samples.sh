#!/usr/bin/env bash
# make-hostile-samples.sh — record samples/hostile-names: real FTP traffic whose
# user and file names are markup and script (`<img src=x onerror=alert(1)>`,
# `<script>`, `&amp;`, quotes), so every report that shows captured text is
# tested against it: the HTML report must show them as text.
#
#   sudo samples/tools/make-hostile-samples.sh
#   sudo NS_PREFIX=xy samples/tools/make-hostile-samples.sh   # other namespace names
#
# What it does:
#   1. builds a small lab of network namespaces (ft-srv, ft-rtr, ft-cli, or
#      $NS_PREFIX-srv ...;
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
. "$TOOLS/lab.sh"
OUT="$SAMPLES/hostile-names"
need_root "network namespaces, vsftpd, tcpdump"
need_commands ip tcpdump tshark vsftpd curl "$PYTHON"
line_lab ft hostile # lab.sh: namespaces ft-srv, ft-rtr, ft-cli (or $NS_PREFIX-...)

# ------------------------------------------------------- server and files --
mkdir -p "$WORK/anon/incoming" "$WORK/empty"
chmod 555 "$WORK/anon"
chown ftp:ftp "$WORK/anon/incoming" 2>/dev/null || chmod 777 "$WORK/anon/incoming"
printf 'an image that is not one\n' >"$WORK/anon/<img src=x onerror=alert(1)>.txt"
printf 'a script that is not one\n' >"$WORK/anon/<script>alert(2)<\\script>"
printf 'entities stay entities\n' >"$WORK/anon/&lt;b&gt; &amp; \"quotes\" 'too'.txt"
line_vsftpd make-hostile-samples.sh

# ---------------------------------------------------------------- capture --
mkdir -p "$OUT"
record_start capture "$NS_RTR" srv0 "$WORK/capture.pcap" tcp

url() { printf 'ftp://%s/%s' "$SRV4" "$($PYTHON -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")"; }
{
  echo "## curl EPSV RETR"
  nsx "$NS_CLI" curl -sS --max-time 10 -o /dev/null -w '%{http_code}\n' "$(url '<img src=x onerror=alert(1)>.txt')" || true
  sleep 0.3
  echo "## curl PORT RETR (active, -P -, --disable-eprt)"
  nsx "$NS_CLI" curl -sS --max-time 10 -P - --disable-eprt -o /dev/null -w '%{http_code}\n' "$(url '&lt;b&gt; &amp; "quotes" '"'"'too'"'"'.txt')" || true
  sleep 0.3
  echo "## curl RETR of a missing name (550)"
  nsx "$NS_CLI" curl -sS --max-time 10 -o /dev/null -w '%{http_code}\n' "$(url '"><svg onload=alert(3)>')" || true
  sleep 0.3
  echo "## ftplib: USER that is markup (530), then anonymous PASV LIST, EPRT STOR"
  nsx "$NS_CLI" "$PYTHON" "$TOOLS/hostile-ftplib-client.py" "$SRV4" || true
} >"$OUT/clients.log" 2>&1
sleep 0.5
record_stop capture || die "tcpdump dropped packets"
publish_capture "$WORK/capture.pcap" "$OUT"
log "wrote $OUT/capture.pcap ($(tshark -r "$OUT/capture.pcap" 2>/dev/null | wc -l) packets)"
