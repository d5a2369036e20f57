#!/usr/bin/env bash
# make-transfer-samples.sh — record the ftpcap samples of transfers that go badly (slow, stalled,
# lossy, aborted, cut off from their control connection) with real FTP software.
#
#   sudo samples/tools/make-transfer-samples.sh               # all cases
#   sudo samples/tools/make-transfer-samples.sh zero-window   # only the named cases
#   KEEP_WORK=1 ...                                           # keep the temp dir (/tmp/ftpcap-transfer.*)
#
# Cases (each writes samples/<case>/{capture.pcap,clients.log,tshark-frames.txt,lab.txt}):
#   heavy-loss         curl downloads 1 MiB (EPSV) while nftables in the router drops 1 in 5 of
#                      the server's data packets toward the client, at random (after the capture point):
#                      many retransmissions. (The lab kernel has no netem.)
#   control-idle-drop  ftplib downloads 768 KiB through a 160 kbit/s link (tbf on the server, a
#                      queue long enough that it drops nothing); 20 s
#                      into the transfer an nftables rule in the router starts dropping the control
#                      connection (as a NAT or firewall that forgot an idle connection would). The
#                      data connection completes, the 226 never reaches the client, which gives up
#                      after 15 s and closes the control connection.
#   zero-window        ftplib downloads 256 KiB with a 4 KiB receive buffer and stops reading for
#                      8 s after 64 KiB: the client's window closes, the server probes it.
#   transfer-aborted   ftplib downloads 1 MiB through a 2 Mbit/s link and sends ABOR (ftplib's
#                      abort()) after 128 KiB.
#   transfer-stalled   ftplib uploads 256 KiB and stops sending for 8 s after 64 KiB (the sender
#                      idles; everything sent was acknowledged and the window is open).
#
# The lab is samples/tools/netns.sh's topology with the namespaces pf-srv, pf-rtr, pf-cli1..3
# (NS_PREFIX=pf); documentation addresses only, nothing connected to the host. The capture
# point is the router's client-side bridge br0: what the client's network sees.
# vsftpd runs in the foreground from this script's own config: anonymous downloads from a
# seeded tree, anonymous uploads into incoming/.
#
# Needs: root, iproute2 (tc with tbf), ethtool, ping, nft, tcpdump, tshark, vsftpd,
# curl, python3, sha256sum.
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$TOOLS/lab.sh" # SAMPLES, PYTHON, servers, recorders
ALL_CASES=(heavy-loss control-idle-drop zero-window transfer-aborted transfer-stalled)
lab_prefix pf # exported: netns.sh builds the same names
NETNS="$TOOLS/netns.sh"
NS_SRV=$P-srv NS_RTR=$P-rtr NS_CLI=$P-cli1
CAPTURE_IF=br0

need_root "network namespaces, tc, nftables, vsftpd, tcpdump"
need_commands ip tc ethtool ping nft tcpdump tshark vsftpd curl sha256sum "$PYTHON"
select_cases "${ALL_CASES[*]}" "$@"

lab_begin transfer
TIMER_PID=""
on_exit '[ -z "$TIMER_PID" ] || kill "$TIMER_PID" 2>/dev/null'
on_exit '"$NETNS" down'

# ------------------------------------------------------------ files --
ANON="$WORK/anon"
mkdir -p "$ANON/incoming" "$WORK/empty"
"$PYTHON" "$TOOLS/sample-files.py" make-transfer-samples.sh tree anon="$ANON"
chown ftp "$ANON/incoming"
chmod 755 "$ANON"
chmod 733 "$ANON/incoming"
find "$ANON" -maxdepth 1 -type f -exec touch -d '2024-01-01 12:00:00 UTC' {} +
{
  echo "# written by samples/tools/make-transfer-samples.sh; not /etc/vsftpd.conf"
  printf '%s\n' listen=YES listen_ipv6=NO
  vsftpd_conf "$ANON" "$WORK/empty"
  printf '%s\n' no_anon_password=YES write_enable=YES anon_upload_enable=YES anon_umask=022 local_enable=NO
} >"$WORK/vsftpd.conf"

# ----------------------------------------------------------- the lab --
lab_up() {
  "$NETNS" up
  vsftpd_start vsftpd "$NS_SRV" "$WORK/vsftpd.conf" "$NS_CLI" "$SRV4:21"
}
lab_down() {
  server_stop vsftpd
  "$NETNS" down
}
cap_start() {
  CAP=$WORK/$1.pcap
  record_start case "$NS_RTR" "$CAPTURE_IF" "$CAP" tcp -B 16384
  sleep 1
}
cap_stop() {
  sleep 1
  record_stop case || die "tcpdump dropped packets"
}
# client CASE COMMAND...: runs in $NS_CLI, output (with the command line) into clients.log
client() {
  local case=$1; shift
  { echo "\$ $*"; } >>"$WORK/$case.clients.log"
  nsx "$NS_CLI" env -C "$WORK" timeout 120 "$@" >>"$WORK/$case.clients.log" 2>&1 || echo "(exit status $?)" >>"$WORK/$case.clients.log"
}
finish() { # CASE: installs the capture and its companions
  local case=$1 dir="$SAMPLES/$1"
  mkdir -p "$dir"
  install -m 644 "$CAP" "$dir/capture.pcap"
  sed "s#$WORK#/tmp/ftpcap-transfer.XXXXXX#g; s#$TOOLS#samples/tools#g" "$WORK/$case.clients.log" >"$dir/clients.log"
  "$TOOLS/tshark-frames.sh" "$dir/capture.pcap" >"$dir/tshark-frames.txt"
  {
    echo "made $(date -u +%Y-%m-%d) by samples/tools/make-transfer-samples.sh $case"
    echo "kernel $(uname -r); $(vsftpd -v 0>&1); $(curl --version | head -1 | cut -d' ' -f1-2); $($PYTHON --version 2>&1); $(tcpdump --version 2>&1 | head -1); $(nft --version)"
    echo "capture: tcpdump -i br0 in $NS_RTR (the client's side of the router): $(tshark -r "$dir/capture.pcap" 2>/dev/null | wc -l) frames, $(stat -c %s "$dir/capture.pcap") bytes"
    echo "files served (sha256):"
    (cd "$ANON" && sha256sum ./*.bin | sed 's#\./##; s/^/  /')
    for f in "$ANON"/incoming/*; do [ -e "$f" ] && echo "  $(sha256sum "$f" | sed "s#$ANON/##") (uploaded, $(stat -c %s "$f") bytes)"; done
    echo "tshark's TCP analysis:"
    for flag in retransmission fast_retransmission zero_window zero_window_probe window_full lost_segment; do
      echo "  tcp.analysis.$flag: $(tshark -r "$dir/capture.pcap" -Y "tcp.analysis.$flag" 2>/dev/null | wc -l) frames"
    done
  } >"$dir/lab.txt"
  rm -f "$ANON"/incoming/*
  log "  -> samples/$case: $(stat -c %s "$dir/capture.pcap") bytes"
}

# ------------------------------------------------------------ cases --
case_heavy_loss() {
  lab_up
  # The kernel of the lab has no netem: nftables drops the packets instead, in the bridge's output
  # hook toward the client's port, after tcpdump on br0 has seen them (the capture holds every
  # lost packet and its retransmission).
  nsx "$NS_RTR" nft -f - <<'NFT'
table bridge pf_loss {
  chain out {
    type filter hook output priority 0; policy accept;
    oifname "cli1" ip saddr 192.0.2.10 tcp sport != 21 numgen random mod 5 == 0 counter drop
  }
}
NFT
  cap_start heavy-loss
  client heavy-loss curl -sS --ftp-pasv -o /dev/null -w 'curl: %{size_download} bytes in %{time_total} s\n' "ftp://$SRV4/big-1m.bin"
  cap_stop
  nsx "$NS_RTR" nft list table bridge pf_loss >>"$WORK/heavy-loss.clients.log"
  finish heavy-loss
  lab_down
}

case_control_idle_drop() {
  lab_up
  # 160 kbit/s out of the server, with a queue (latency 3 s) that holds what TCP small queues let
  # in (16 KiB per socket): slow, and no packet dropped by the shaper.
  nsx "$NS_SRV" sysctl -qw net.ipv4.tcp_limit_output_bytes=16384
  nsx "$NS_SRV" tc qdisc replace dev eth0 root tbf rate 160kbit burst 4kb latency 3s
  cap_start control-idle-drop
  # 20 s after the client starts, the router drops every packet of the FTP control connection.
  (sleep 20; nsx "$NS_RTR" nft -f - <<'NFT'
table inet pf_idle {
  chain forward {
    type filter hook forward priority 0; policy accept;
    tcp dport 21 drop
    tcp sport 21 drop
  }
}
NFT
  ) &
  TIMER_PID=$!
  client control-idle-drop env TIMEOUT=15 "$PYTHON" "$TOOLS/transfer-client.py" retr "$SRV4" slow-768k.bin
  wait "$TIMER_PID" || true
  TIMER_PID=""
  cap_stop
  echo "nft rule added 20 s after the client started: tcp dport 21 drop; tcp sport 21 drop (chain forward of $NS_RTR)" >>"$WORK/control-idle-drop.clients.log"
  finish control-idle-drop
  lab_down
}

case_zero_window() {
  lab_up
  cap_start zero-window
  client zero-window env RCVBUF=4096 READ=65536 PAUSE=8 "$PYTHON" "$TOOLS/transfer-client.py" zero-window "$SRV4" data-256k.bin
  cap_stop
  finish zero-window
  lab_down
}

case_transfer_aborted() {
  lab_up
  "$NETNS" shape 2mbit 10mbit
  cap_start transfer-aborted
  client transfer-aborted env READ=131072 "$PYTHON" "$TOOLS/transfer-client.py" abort "$SRV4" big-1m.bin
  cap_stop
  finish transfer-aborted
  lab_down
}

case_transfer_stalled() {
  lab_up
  cap_start transfer-stalled
  client transfer-stalled env SIZE=262144 READ=65536 PAUSE=8 "$PYTHON" "$TOOLS/transfer-client.py" pause-upload "$SRV4" incoming/paused-upload.bin
  cap_stop
  finish transfer-stalled
  lab_down
}

for c in "${CASES[@]}"; do
  log "case $c"
  "case_${c//-/_}"
done
log "done"
