#!/usr/bin/env bash
# tshark-frames.sh CAPTURE — ground truth from Wireshark's dissectors, to
# cross-check the frame numbers ftpcap reports.
#
# Prints two tables:
#   1. every data-channel announcement on an FTP control connection (port 21, or CONTROL_PORT):
#      PORT and EPRT commands, 227 and 229 replies — frame number, TCP stream,
#      direction, the line as sent, and the endpoint tshark decoded from it;
#   2. every TCP SYN and SYN-ACK that is not to or from port 21 (i.e. the data
#      connections) — frame number, SYN or SYN-ACK, source and destination.
#
# Frame numbers are 1-based, as in Wireshark and tshark.
#
# Inside a tunnel (VXLAN, GRE, IP in IP) tshark lists every IP layer's addresses; the tables show
# the innermost, the FTP session's own.
#
# With a second argument PORT, the control connection is on PORT instead of
# 21: tshark is told to decode it as FTP (-d tcp.port==PORT,ftp) and the SYN
# table leaves out PORT instead of 21.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ ! -r "$1" ]; then
  echo "usage: $0 CAPTURE [CONTROL_PORT]" >&2
  exit 2
fi
cap=$1
ctl=${2:-21}
decode_as=()
[ "$ctl" = 21 ] || decode_as=(-d "tcp.port==$ctl,ftp")

ts() { tshark -n -r "$cap" "${decode_as[@]}" "$@" 2>/dev/null; }

echo "# tshark-frames: $(basename "$(dirname "$(readlink -f "$cap")")")/$(basename "$cap")"
echo "# $(tshark --version 2>/dev/null | head -1)"
echo
echo "## Announcements (PORT / EPRT commands, 227 / 229 replies)"
echo
printf '%-7s %-6s %-45s %-55s %s\n' frame stream "src -> dst" text decoded
# Fields are tab-separated; several FTP lines in one frame are joined by " | ".
ts -Y 'ftp.request.command == "PORT" || ftp.request.command == "EPRT" || ftp.response.code == 227 || ftp.response.code == 229' \
  -T fields -E separator=/t -E occurrence=a -E 'aggregator= | ' \
  -e frame.number -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport \
  -e ftp.request.command -e ftp.request.arg -e ftp.response.code -e ftp.response.arg \
  -e ftp.active.cip -e ftp.active.port -e ftp.eprt.ip -e ftp.eprt.ipv6 -e ftp.eprt.port \
  -e ftp.passive.ip -e ftp.passive.port -e ftp.epsv.ip -e ftp.epsv.ipv6 -e ftp.epsv.port |
  awk -F'\t' '
    function ep(a, p) { if (a == "") return ""; sub(/.*[ ,|]+/, "", a); sub(/.*[ ,|]+/, "", p); return (a ~ /:/ ? "[" a "]" : a) ":" p }
    {
      src = ep($3 $4, $5); dst = ep($6 $7, $8)
      text = ($9 != "") ? $9 " " $10 : $11 " " $12
      dec = ""
      if ($13 != "") dec = ep($13, $14)
      else if ($15 $16 != "") dec = ep($15 $16, $17)
      else if ($18 != "") dec = ep($18, $19)
      else if ($22 != "") dec = ($20 $21 != "" ? ep($20 $21, $22) : "port " $22)
      printf "%-7s %-6s %-45s %-55s %s\n", $1, $2, src " -> " dst, text, dec
    }'
echo
echo "## TCP SYN and SYN-ACK not to/from port $ctl (data connections)"
echo
printf '%-7s %-6s %-8s %s\n' frame stream flags "src -> dst"
ts -Y "tcp.flags.syn == 1 && !(tcp.port == $ctl)" \
  -T fields -E separator=/t \
  -e frame.number -e tcp.stream -e tcp.flags.ack -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport |
  awk -F'\t' '
    function ep(a, p) { sub(/.*[ ,|]+/, "", a); sub(/.*[ ,|]+/, "", p); return (a ~ /:/ ? "[" a "]" : a) ":" p }
    { printf "%-7s %-6s %-8s %s -> %s\n", $1, $2, ($3 == "1" || $3 == "True" ? "SYN-ACK" : "SYN"), ep($4 $5, $6), ep($7 $8, $9) }'
