#!/usr/bin/env bash
# make-protocol-samples.sh — record the protocol-level ftpcap sample captures
# (bounce, EPSV ALL, address families, TLS, failed logins, non-standard
# control ports, malformed announcements, transfers shorter than announced)
# with real FTP software.
#
#   sudo samples/tools/make-protocol-samples.sh               # all cases
#   sudo samples/tools/make-protocol-samples.sh bounce ...    # only the named cases
#
# What it does:
#   1. builds the lab network with proto-lab.sh (namespaces fp-srv, fp-rtr,
#      fp-cli1..3 and fp-far, the third-party host; documentation addresses
#      only, no link to the host);
#   2. writes the anonymous tree, a chroot tree for the local user alice
#      (password wonderland-42; created if missing) and a self-signed
#      certificate into a temp dir;
#   3. for every case: starts the vsftpd instances the case needs (each in
#      the foreground in fp-srv with its own config file), starts tcpdump in
#      fp-rtr on the server-facing veth (srv0), runs the clients in the client
#      namespaces, stops tcpdump and the servers, and writes
#      samples/<case>/{capture.pcap,tshark-frames.txt,clients.log,README.md};
#   4. tears everything down, also on error or Ctrl-C (trap).
#
# Needs: root, iproute2, ethtool, iputils-ping, tc (tbf), tcpdump, tshark +
# capinfos, vsftpd, lftp, curl, python3, openssl.
# Re-running regenerates everything; captures differ only in timestamps,
# ephemeral ports, the passive ports vsftpd picks (40000-40100), the TLS
# bytes, and (size-mismatch) how far a download got before it was cut.
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$TOOLS/lab.sh" # SAMPLES, PYTHON, the addresses, servers, recorders, clients
LAB="$TOOLS/proto-lab.sh"
ALL_CASES=(bounce epsv-all address-family auth-tls login-failed nonstandard-port malformed-port size-mismatch)
lab_prefix fp # NS_PREFIX=xy: namespaces xy-* (proto-lab.sh builds the same names)

SRV4B=192.0.2.11
FAR4=203.0.113.50
CLI1=198.51.100.20
CLI2=198.51.100.21
CLI1_6=2001:db8:1::20
CAPTURE_NS=$P-rtr
CAPTURE_IF=srv0
ALICE_PASS=wonderland-42
# server uplink rate for size-mismatch (tc tbf units)
SHAPE_RATE=2mbit
CLIENT_PATH=/usr/sbin:/usr/bin:/sbin:/bin

# ---------------------------------------------------------------- preflight --
need_root "network namespaces, vsftpd, tcpdump"
need_commands ip ethtool ping tc tcpdump tshark capinfos vsftpd lftp curl openssl truncate "$PYTHON"
select_cases "${ALL_CASES[*]}" "$@"

lab_begin proto
SINK_PID=""
on_exit '[ -z "$SINK_PID" ] || { kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; }'
on_exit '"$LAB" down'
tool_versions

# ------------------------------------------------------------ sample files --
# Deterministic content (seeded PRNG) and fixed mtimes.
ANON="$WORK/anon"
ALICE_ROOT="$WORK/alice"
mkdir -p "$ANON/pub" "$WORK/empty" "$WORK/home" "$ALICE_ROOT" "$WORK/tls"
"$PYTHON" "$TOOLS/sample-files.py" make-protocol-samples.sh tree anon="$ANON"
# app.log: 1 MiB of text with CRLF line ends (16384 lines of 64 bytes), so an
# ASCII-mode download sends it unchanged; recreated before size-mismatch.
make_app_log() {
  "$PYTHON" "$TOOLS/sample-files.py" make-protocol-samples.sh app-log anon="$ANON"
  touch -d '2024-01-01 12:00:00 UTC' "$ANON/app.log"
}
make_app_log
README_SIZE=$(stat -c %s "$ANON/readme.txt")
chmod -R a+rX "$ANON"
chmod 755 "$ANON" "$WORK/empty"
find "$ANON" -exec touch -h -d '2024-01-01 12:00:00 UTC' {} +

# Local user alice: created if missing (with the lab password); her FTP root
# is a chroot in the temp dir (local_root + chroot_local_user), so her real
# home directory is never read or written.
lab_user alice "$ALICE_PASS" >/dev/null
install -o alice -g alice -m 644 "$ANON/readme.txt" "$ALICE_ROOT/readme.txt"
printf 'alice keeps her notes here.\n' | install -o alice -g alice -m 644 /dev/stdin "$ALICE_ROOT/notes.txt"
touch -d '2024-01-01 12:00:00 UTC' "$ALICE_ROOT/readme.txt" "$ALICE_ROOT/notes.txt"
chown root:root "$ALICE_ROOT"
chmod 755 "$ALICE_ROOT"

# Self-signed certificate for the TLS case (a new key on every run).
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=ftp.example.net" \
  -keyout "$WORK/tls/key.pem" -out "$WORK/tls/cert.pem" 2>/dev/null
chmod 600 "$WORK/tls/key.pem"

# ------------------------------------------------------------ vsftpd configs --
# make_conf NAME LISTEN EXTRA...: LISTEN is "dual" (one IPv6 socket that also
# accepts IPv4 as mapped addresses: listen_ipv6=YES, as in Debian's default
# config) or "ipv4:ADDR" (an IPv4 socket on ADDR only); EXTRA lines are added
# at the end. Writes $WORK/NAME.conf.
make_conf() {
  local name=$1 listen=$2
  shift 2
  {
    echo "# written by samples/tools/make-protocol-samples.sh (instance $name); not /etc/vsftpd.conf"
    if [ "$listen" = dual ]; then
      echo "# standalone, foreground, one IPv6 socket that also accepts IPv4 (mapped)"
      echo "listen=NO"
      echo "listen_ipv6=YES"
    else
      echo "# standalone, foreground, one IPv4 socket on ${listen#ipv4:}"
      echo "listen=YES"
      echo "listen_ipv6=NO"
      echo "listen_address=${listen#ipv4:}"
    fi
    vsftpd_conf "$ANON" "$WORK/empty"
    echo "# local users (alice) log in, chrooted to a read-only tree"
    printf '%s\n' local_enable=YES write_enable=NO "local_root=$ALICE_ROOT" chroot_local_user=YES pam_service_name=vsftpd
    if [ $# -gt 0 ]; then
      echo "# this instance"
      printf '%s\n' "$@"
    fi
  } >"$WORK/$name.conf"
  chmod 644 "$WORK/$name.conf"
}
# the config as the README shows it (temp dir replaced)
conf_md() { # NAME...
  local n
  for n in "$@"; do
    printf '\n`%s`:\n\n```\n%s\n```\n' "$n" "$(sed "s#$WORK#/tmp/ftpcap-proto.XXXXXX#g" "$WORK/$n.conf")"
  done
}

make_conf default dual
make_conf bounce-default "ipv4:$SRV4"
make_conf bounce-promiscuous "ipv4:$SRV4B" "port_promiscuous=YES" "connect_from_port_20=NO"
make_conf ipv4-only "ipv4:$SRV4B"
make_conf tls dual "ssl_enable=YES" "rsa_cert_file=$WORK/tls/cert.pem" \
  "rsa_private_key_file=$WORK/tls/key.pem" "require_ssl_reuse=NO"
make_conf tls-implicit dual "listen_port=990" "implicit_ssl=YES" "ssl_enable=YES" \
  "rsa_cert_file=$WORK/tls/cert.pem" "rsa_private_key_file=$WORK/tls/key.pem" "require_ssl_reuse=NO"
make_conf port-2121 dual "listen_port=2121"
make_conf port-8021 dual "listen_port=8021" "connect_from_port_20=NO"
make_conf size dual "async_abor_enable=YES" "ascii_download_enable=YES"

# -------------------------------------------------------------- network --
log "building topology"
"$LAB" up

# start_vsftpd [--no-banner] NAME ADDR:PORT... — run the instance, wait until
# it listens, and read its 220 banner on every ADDR:PORT given (before the
# capture starts; --no-banner while a capture runs, so that the check leaves
# no connection in it; "tls:" in front of an address: implicit TLS, only the
# listening socket is checked).
start_vsftpd() {
  local name ep host port check=1
  if [ "$1" = --no-banner ]; then check=0; shift; fi
  name=$1
  shift
  server_start "$name" "$P-srv" "$WORK/vsftpd-$name.log" vsftpd "$WORK/$name.conf"
  for ep in "$@"; do
    port=${ep##*:} host=${ep%:*}
    host=${host#[} host=${host%]}
    server_listening "$name" "$P-srv" "$port"
    if [[ $host == tls:* ]] || [ "$check" = 0 ]; then continue; fi
    ftp_banner "$P-cli1" "$host" "$port"
  done
}
stop_vsftpd() { # NAME...
  server_stop "$@"
  sleep 0.3
}

# --------------------------------------------------------------- capture --
cap_stop() { # CASE [CONTROL_PORT...] — the ports besides 21 tshark must decode as FTP
  case_capture_stop "$@"
  shift
  TSHARK_PORTS=("$@")
}

# --------------------------------------------------------------- clients --
# lab.sh runs the snippets (client_ok): in a client namespace, a fresh working
# directory, an empty HOME (no ~/.lftprc, ~/.curlrc, ~/.netrc) and
# PATH=$CLIENT_PATH; the snippet text is also what the README shows, numbered;
# @TOOLS@ stands for samples/tools.
CMD_NUMBERED=1
CLIENT_ENV=("PATH=$CLIENT_PATH")
# client_truncating CASE NS CMD NOTE PATTERN FILE SIZE WHEN_MD — run the client
# in the background; once its output has a line matching PATTERN, wait 0.3 s
# and truncate FILE (in the anonymous tree, i.e. on the server's side) to SIZE.
client_truncating() {
  local case=$1 ns=$2 cmd=$3 note=$4 pattern=$5 file=$6 size=$7 when=$8 rc=0 bg
  run_dir "$ns"
  show_cmd "$ns" "$cmd" "$note"
  note_md "Meanwhile in \`$P-srv\`, on the server's file system, 0.3 s after that client printed $when: \`truncate -s $size $file\`."
  log "  $ns: ${cmd//@TOOLS@/samples/tools} (+ truncate $file on the server)"
  (cd "$RUN_DIR" && exec timeout 90 ip netns exec "$ns" env PATH="$CLIENT_PATH" HOME="$WORK/home" \
    bash -c "${cmd//@TOOLS@/$TOOLS}") >"$RUN_DIR/out.log" 2>&1 &
  bg=$!
  BG_PID[truncating]=$bg
  for _ in $(seq 100); do
    grep -q "$pattern" "$RUN_DIR/out.log" && break
    sleep 0.1
  done
  grep -q "$pattern" "$RUN_DIR/out.log" || die "client output never matched '$pattern': $(cat "$RUN_DIR/out.log")"
  sleep 0.3
  truncate -s "$size" "$ANON/$file"
  wait "$bg" || rc=$?
  unset "BG_PID[truncating]"
  { echo "### $ns \$ ${cmd//@TOOLS@/samples/tools}"; cat "$RUN_DIR/out.log";
    echo "### ($P-srv: truncate -s $size $file, 0.3 s after the client printed $when)"; echo "### exit status $rc"; } >>"$CLIENT_LOG"
  [ "$rc" = 0 ] || die "client failed in $case ($ns): $(cat "$RUN_DIR/out.log")"
}

# ----------------------------------------------------------------- README --
CAPTURE_MD="\`tcpdump --immediate-mode -i srv0 -s 0 -U -Z root -w capture.pcap 'tcp'\` ($TCPDUMP_VER) in namespace \`$P-rtr\` (the
router between the clients, the third-party network and the server) on \`srv0\`, the veth facing the
server: every packet to or from the server passes here, unchanged (no NAT, no firewall). Offloads
are off on all veths, so frames are at most 1514 bytes and checksums are valid. Classic pcap,
Ethernet, microsecond timestamps. tcpdump started 1 s before the first client and stopped
(SIGINT) 1 s after the last one."

LAB_MD="Lab (built by [proto-lab.sh](../tools/proto-lab.sh)): server \`$P-srv\` 192.0.2.10 and 192.0.2.11,
2001:db8:2::10; clients \`$P-cli1\` 198.51.100.20 / 2001:db8:1::20, \`$P-cli2\` 198.51.100.21 /
2001:db8:1::21, \`$P-cli3\` 198.51.100.22 / 2001:db8:1::22; third-party host \`$P-far\` 203.0.113.50 /
2001:db8:3::50; router \`$P-rtr\` between the three networks (capture point)."

write_readme() { # CASE TITLE SUMMARY SERVER_MD CLIENTS_MD STORY_MD FIND_MD
  local case=$1 title=$2 summary=$3 server=$4 clients=$5 story=$6 find=$7 dir="$SAMPLES/$1" pkts tsh
  pkts=$(capinfos -M -c "$dir/capture.pcap" | awk -F': *' '/Number of packets/ {print $2}')
  tsh='`samples/tools/tshark-frames.sh capture.pcap`'
  if [ ${#TSHARK_PORTS[@]} -gt 0 ]; then
    tsh="\`samples/tools/tshark-frames.sh capture.pcap PORT\` for PORT = ${TSHARK_PORTS[*]}"
  fi
  {
    echo "# $case — $title"
    echo
    echo "$summary"
    echo
    echo "- **Packets:** $pkts (\`capinfos -c capture.pcap\`), $(stat -c %s "$dir/capture.pcap") bytes"
    echo "- **Made:** $TODAY with \`samples/tools/make-protocol-samples.sh $case\` (Linux $KERNEL_VER, network namespaces)"
    echo "- **Capture point:** $P-rtr / srv0 (server side of the router)"
    echo "- **Cross-check:** [tshark-frames.txt](tshark-frames.txt) ($tsh, $TSHARK_VER); client output: [clients.log](clients.log)"
    echo
    echo "$LAB_MD"
    echo
    readme_server_clients "$server" "$clients" " and \`PATH=$CLIENT_PATH\`, under \`timeout 90\`, in this order:"
    echo "## What the capture shows"
    echo
    echo "$story"
    echo
    echo "## What ftpcap should find"
    echo
    echo "$find"
    echo
    echo "## Capture"
    echo
    echo "$CAPTURE_MD"
    echo
    echo "## Generated facts (capinfos + tshark, by samples/tools/capture-facts.py)"
    echo
    echo "Frame numbers are 1-based, as in Wireshark."
    echo
    "$PYTHON" "$TOOLS/capture-facts.py" protocol "$dir/capture.pcap" 21 "${DESCRIBE_PORTS[@]}"
  } >"$dir/README.md"
  log "  -> samples/$case/capture.pcap: $pkts packets, $(stat -c %s "$dir/capture.pcap") bytes"
}

begin_case() { # CASE
  case_begin "$1"
  DESCRIBE_PORTS=()
  TSHARK_PORTS=()
  case_capture_start "$1"
}

PFC="python3 @TOOLS@/proto-ftp-client.py"
ANON_LOGIN="--user anonymous --password guest@example.com"
LFTP_BASE="set ftp:prefer-epsv no; set ftp:passive-mode yes; set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes"
PFC_MD="$PY_VER, driven by [samples/tools/proto-ftp-client.py](../tools/proto-ftp-client.py): one control
session, one step per argument — \`cmd:LINE\` sends LINE as it is and prints the reply; \`listen[:ADDR]\`
opens a listening socket on the client (kernel-chosen port; \`{ip4}\`, \`{p1}\`, \`{p2}\`, \`{addr}\`,
\`{port}\` in later lines name it); \`dial\` connects to the port of the last 227/229 reply at the control
connection's server address; \`xfer:LINE\` sends a transfer command and moves its data over the socket
set up before (or, when the server was told to connect elsewhere, only reads the replies).
\`python3\` is $PYTHON."

# ------------------------------------------------------------------ cases --
case_bounce() {
  start_vsftpd bounce-default "$SRV4:21"
  start_vsftpd bounce-promiscuous "$SRV4B:21"
  ip netns exec $P-far "$PYTHON" "$TOOLS/proto-sink.py" 25 8025 10000 >"$WORK/sink.log" 2>&1 &
  SINK_PID=$!
  sleep 0.5
  begin_case bounce
  client_ok $P-cli1 "$PFC $SRV4 $ANON_LOGIN 'cmd:PORT 203,0,113,50,0,25' 'cmd:EPRT |1|203.0.113.50|8025|' 'cmd:PORT 203,0,113,50,39,16' 'cmd:PORT 198,51,100,20,0,80' xfer:LIST" \
    "to the default server 192.0.2.10"
  client_ok $P-cli1 "$PFC $SRV4B $ANON_LOGIN 'cmd:TYPE I' 'cmd:PORT 203,0,113,50,39,16' 'xfer:RETR readme.txt' 'cmd:EPRT |1|203.0.113.50|8025|' xfer:LIST 'cmd:PORT 203,0,113,50,0,25' 'xfer:RETR readme.txt'" \
    "to the promiscuous server 192.0.2.11"
  client_ok $P-cli1 "$PFC $SRV4B $ANON_LOGIN 'cmd:PORT 198,51,100,20,0,80' xfer:LIST" \
    "to the promiscuous server 192.0.2.11 again"
  cap_stop bounce
  kill "$SINK_PID"; wait "$SINK_PID" 2>/dev/null || true
  SINK_PID=""
  { echo "### $P-far \$ python3 samples/tools/proto-sink.py 25 8025 10000   (third-party host, ran during the whole case)"; cat "$WORK/sink.log"; } >>"$CLIENT_LOG"
  stop_vsftpd bounce-default bounce-promiscuous
  write_readme bounce "FTP bounce: PORT/EPRT naming a third host or a privileged port, refused and accepted" \
    "Three anonymous sessions from 198.51.100.20 that announce a third-party host (203.0.113.50: \`PORT 203,0,113,50,39,16\`, \`EPRT |1|203.0.113.50|8025|\`, \`PORT 203,0,113,50,0,25\`) and a privileged port on the client itself (\`PORT 198,51,100,20,0,80\`): to a default vsftpd (192.0.2.10), which refuses them all, and to a second vsftpd with \`port_promiscuous=YES\` (192.0.2.11), which accepts them all, **really connects to 203.0.113.50 ports 10000 and 8025**, and at the transfer command for a port below 1024 ends the session with \`500 OOPS: Illegal port request\`." \
    "Two vsftpd $VSFTPD_VER instances in \`$P-srv\`, each an IPv4 socket on its own address, port 21:
\`bounce-default\` with vsftpd's default \`port_promiscuous=NO\` (a PORT/EPRT must name the control
connection's client address and a port ≥ 1024, else \`500 Illegal PORT command.\`) and
\`bounce-promiscuous\` with \`port_promiscuous=YES\` (PORT/EPRT accepted whatever they name; vsftpd
still refuses to connect to a port below 1024 when the transfer starts, and that kills the session)
and \`connect_from_port_20=NO\` (active connections from an ephemeral port: with
\`port_promiscuous=YES\` vsftpd opens them from the unprivileged session process, which cannot bind
port 20 — with \`connect_from_port_20=YES\` every transfer would end in \`500 OOPS: vsf_sysutil_bind\`). A small listener on the third-party host \`$P-far\` 203.0.113.50
([proto-sink.py](../tools/proto-sink.py), ports 25, 8025, 10000) accepts whatever connects and counts
the bytes; its output is at the end of [clients.log](clients.log).
$(conf_md bounce-default bounce-promiscuous)" \
    "$PFC_MD" \
    "**Session 1** (198.51.100.20 → 192.0.2.10:21, anonymous): \`PORT 203,0,113,50,0,25\` → \`500 Illegal
PORT command.\`; \`EPRT |1|203.0.113.50|8025|\` → \`500 Illegal EPRT command.\`; \`PORT 203,0,113,50,39,16\`
(port 10000) → \`500 Illegal PORT command.\`; \`PORT 198,51,100,20,0,80\` (right address, port 80) →
\`500 Illegal PORT command.\`; \`LIST\` → \`425 Use PORT or PASV first.\` No data connection is attempted.

**Session 2** (198.51.100.20 → 192.0.2.11:21, anonymous): \`PORT 203,0,113,50,39,16\` → \`200 PORT
command successful. Consider using PASV.\`; \`RETR readme.txt\` → the server connects **from
192.0.2.11 (ephemeral port) to 203.0.113.50:10000** and sends the file there ($README_SIZE bytes arrive at the third
host), while the client only sees \`150 Opening BINARY mode data connection for readme.txt
($README_SIZE bytes).\` / \`226 Transfer complete.\` — the classic bounce. \`EPRT |1|203.0.113.50|8025|\` →
\`200 EPRT command successful. Consider using EPSV.\`; \`LIST\` → connection 192.0.2.11:ephemeral →
203.0.113.50:8025 carrying the listing, 150 / 226. \`PORT 203,0,113,50,0,25\` → \`200 PORT command
successful.\` (accepted!), but \`RETR readme.txt\` → \`500 OOPS: Illegal port request\` and vsftpd closes
the control connection; no SYN to port 25.

**Session 3** (198.51.100.20 → 192.0.2.11:21): \`PORT 198,51,100,20,0,80\` → 200; \`LIST\` → \`500 OOPS:
Illegal port request\`, connection closed; no SYN to port 80." \
    "- \`third-party-data-target\` for every announcement naming 203.0.113.50: three in session 1 (refused:
  the server did its job), three in session 2 (accepted: error), with the data connections
  192.0.2.11 → 203.0.113.50:10000 and → :8025 tied to the PORT / EPRT that asked for them.
- \`privileged-data-port\` for \`PORT 203,0,113,50,0,25\` and \`PORT 198,51,100,20,0,80\` (sessions 1, 2, 3);
  refused in session 1, accepted with 200 in sessions 2 and 3 (where the transfer then failed with
  \`500 OOPS\` and no SYN was sent).
- \`announcement-refused\` for the four 500 replies of session 1; \`transfer-failed\` for \`LIST\` → 425
  (session 1) and for the two transfers answered \`500 OOPS: Illegal port request\` (sessions 2, 3).
- Not \`port-address-mismatch\` (203.0.113.50 is not a private address); not \`data-connection-missing\`
  for the OOPS transfers if ftpcap reads the 500 as the transfer's failure."
}

case_epsv_all() {
  start_vsftpd default "$SRV4:21" "[$SRV6]:21"
  begin_case epsv-all
  client_ok $P-cli2 "$PFC $SRV4 $ANON_LOGIN 'cmd:EPSV ALL' cmd:PASV listen 'cmd:PORT {ip4},{p1},{p2}' 'cmd:EPRT |1|{addr}|{port}|' xfer:LIST cmd:EPSV dial 'xfer:RETR readme.txt'"
  cap_stop epsv-all
  stop_vsftpd default
  write_readme epsv-all "EPSV ALL, then PASV, PORT and EPRT" \
    "One anonymous ftplib session from 198.51.100.21 to vsftpd 192.0.2.10 (IPv4) that sends \`EPSV ALL\` and then tries PASV, PORT and EPRT before a well-behaved EPSV download. vsftpd refuses PASV and PORT after \`EPSV ALL\` but **accepts EPRT** and connects to it." \
    "vsftpd $VSFTPD_VER in \`$P-srv\`, one standalone instance (IPv6 socket that also accepts IPv4).
$(conf_md default)" \
    "$PFC_MD" \
    "\`EPSV ALL\` → \`200 EPSV ALL ok.\` From then on RFC 2428 forbids every other setup command. vsftpd
answers \`PASV\` with \`550 Permission denied.\` and \`PORT 198,51,100,21,p1,p2\` with \`550 Permission
denied.\` — but \`EPRT |1|198.51.100.21|port|\` gets \`200 EPRT command successful. Consider using
EPSV.\` (vsftpd 3.0.3 checks the EPSV ALL state only for PASV and PORT), and the following \`LIST\`
runs over an active connection from 192.0.2.10:20 to the client (150 / 226). Then the client behaves:
\`EPSV\` → \`229 Entering Extended Passive Mode (|||port|)\`, passive connection to 192.0.2.10:port,
\`RETR readme.txt\` (150 with $README_SIZE bytes, 226)." \
    "- \`epsv-all-violation\` for the PASV, the PORT and the EPRT sent after \`EPSV ALL\` (the client broke
  its promise; for the EPRT the server also broke it by accepting and connecting: error).
- \`announcement-refused\` for the PASV and the PORT (550).
- The EPSV after \`EPSV ALL\` and its data connection are fine (completed, $README_SIZE bytes)."
}

case_address_family() {
  start_vsftpd default "$SRV4:21" "[$SRV6]:21"
  begin_case address-family
  client_ok $P-cli1 "$PFC $SRV4 $ANON_LOGIN 'cmd:EPSV 2' listen:$CLI1_6 'cmd:EPRT |2|{addr}|{port}|' cmd:EPSV dial xfer:LIST" \
    "IPv4 control connection to the dual-stack server"
  client_ok $P-cli1 "$PFC $SRV6 $ANON_LOGIN cmd:PASV dial xfer:LIST listen:$CLI1 'cmd:PORT {ip4},{p1},{p2}' 'cmd:EPRT |1|{addr}|{port}|' 'cmd:EPSV 1' cmd:EPSV dial 'xfer:RETR readme.txt'" \
    "IPv6 control connection to the dual-stack server"
  stop_vsftpd default
  start_vsftpd --no-banner ipv4-only "$SRV4B:21"
  client_ok $P-cli1 "$PFC $SRV4B $ANON_LOGIN 'cmd:EPSV 2' listen:$CLI1_6 'cmd:EPRT |2|{addr}|{port}|' cmd:EPSV dial xfer:LIST" \
    "IPv4 control connection to the IPv4-only server (192.0.2.11; the dual-stack instance was stopped before this instance started)"
  cap_stop address-family
  stop_vsftpd ipv4-only
  write_readme address-family "extended commands naming the other address family, PASV on IPv6" \
    "Three anonymous ftplib sessions from $P-cli1: on IPv4 (198.51.100.20 → 192.0.2.10) \`EPSV 2\` and \`EPRT |2|2001:db8:1::20|…|\`; on IPv6 (2001:db8:1::20 → 2001:db8:2::10) \`PASV\` (answered \`227 … (0,0,0,0,p1,p2).\` and used), \`PORT\` / \`EPRT |1|…|\` with the client's IPv4 address and \`EPSV 1\`; then the IPv4 pair again against a vsftpd listening on an IPv4 socket (192.0.2.11), which answers with 522 / \`Bad EPRT protocol\`. Each session ends with a valid EPSV transfer." \
    "Two vsftpd $VSFTPD_VER instances in \`$P-srv\`, one after the other: \`default\` (one IPv6 socket
that also accepts IPv4 as mapped addresses, \`listen_ipv6=YES\`, as in Debian's packaged config) for
sessions 1 and 2, then \`ipv4-only\` (an IPv4 socket on 192.0.2.11) for session 3. vsftpd checks the
family of EPSV / EPRT against its own socket, so the answer depends on how it listens.
$(conf_md default ipv4-only)" \
    "$PFC_MD" \
    "**Session 1** (198.51.100.20 → 192.0.2.10:21, the dual-stack instance): \`EPSV 2\` → \`229 Entering
Extended Passive Mode (|||port|)\` — accepted although the control connection is IPv4 (vsftpd's socket
is IPv6 with a mapped address); the client does not use it. The client then listens on
[2001:db8:1::20] and sends \`EPRT |2|2001:db8:1::20|port|\` → \`500 Illegal EPRT command.\` (vsftpd
compares the address with the control connection's peer). \`EPSV\` → 229, \`LIST\` over IPv4: completed.

**Session 2** (2001:db8:1::20 → 2001:db8:2::10:21): \`PASV\` → \`227 Entering Passive Mode
(0,0,0,0,p1,p2).\` — vsftpd has no IPv4 address to put in the 227 and writes 0,0,0,0; the client
ignores the address (as ftplib does) and connects to [2001:db8:2::10]:p1*256+p2; \`LIST\` over that
IPv6 connection: completed. Then, with a listener on 198.51.100.20: \`PORT 198,51,100,20,p1,p2\` →
\`500 Illegal PORT command.\`, \`EPRT |1|198.51.100.20|port|\` → \`500 Illegal EPRT command.\`,
\`EPSV 1\` → \`229 Entering Extended Passive Mode (|||port|)\` (accepted; not used), \`EPSV\` → 229,
\`RETR readme.txt\` over IPv6: completed.

**Session 3** (198.51.100.20 → 192.0.2.11:21, the IPv4-only instance): \`EPSV 2\` → \`522 Bad network
protocol.\`; \`EPRT |2|2001:db8:1::20|port|\` → \`500 Bad EPRT protocol.\`; \`EPSV\` → 229, \`LIST\`: completed." \
    "- \`address-family-mismatch\` for \`EPSV 2\` and \`EPRT |2|…|\` on the IPv4 control connections
  (sessions 1 and 3: whatever the server answered), and for \`PASV\`, \`PORT\`, \`EPRT |1|…|\` and
  \`EPSV 1\` on the IPv6 control connection (session 2).
- \`announcement-refused\` for the 500 / 522 replies.
- The \`227 (0,0,0,0,p1,p2)\` of session 2 names 0.0.0.0: it is no endpoint; the data connection
  the client opened to the control address (IPv6) and port p1*256+p2 must still be matched to it
  (dialled: control address) and the LIST counted as completed. Whether that also raises
  \`pasv-address-mismatch\` / \`malformed-announcement\` / \`nonstandard-reply-format\` is a design
  choice; it is vsftpd's normal answer to PASV over IPv6.
- The accepted-but-unused 229 replies (to \`EPSV 2\` in session 1, to \`EPSV 1\` in session 2) expect a
  connection that never comes: no \`data-connect-*\` finding, the next announcement supersedes them."
}

case_auth_tls() {
  start_vsftpd tls "$SRV4:21" "[$SRV6]:21"
  start_vsftpd tls-implicit "tls:$SRV4:990"
  begin_case auth-tls
  client_ok $P-cli1 "lftp -c '$LFTP_BASE; set ssl:verify-certificate no; open -u alice,$ALICE_PASS ftp://$SRV4; ls; get readme.txt'" \
    "lftp, explicit TLS (AUTH TLS, lftp's default), PASV listing + download as alice"
  client_ok $P-cli2 "curl -sS --ssl-reqd -k ftp://alice:$ALICE_PASS@$SRV4/" \
    "curl, explicit TLS required (curl sends AUTH SSL first), EPSV listing as alice"
  client_ok $P-cli2 "curl -sS --ssl-reqd -k -o readme.txt ftp://alice:$ALICE_PASS@$SRV4/readme.txt" \
    "curl, explicit TLS, EPSV download as alice"
  client_ok $P-cli3 "curl -sS -o readme.txt ftp://$SRV4/readme.txt" \
    "curl, plain FTP, anonymous (vsftpd allows anonymous sessions without TLS: \`allow_anon_ssl=NO\`)"
  client_ok $P-cli3 "curl -sS ftp://alice:$ALICE_PASS@$SRV4/ || echo \"curl exit status \$?\"" \
    "curl, plain FTP as alice: refused (\`force_local_logins_ssl=YES\` is vsftpd's default)"
  client_ok $P-cli1 "lftp -c '$LFTP_BASE; set ssl:verify-certificate no; open -u alice,$ALICE_PASS ftps://$SRV4; ls'" \
    "lftp, implicit TLS (ftps://, port 990), PASV listing as alice"
  cap_stop auth-tls
  DESCRIBE_PORTS=(990)
  stop_vsftpd tls tls-implicit
  write_readme auth-tls "explicit FTPS (AUTH TLS / AUTH SSL), implicit FTPS on 990, and plain FTP for contrast" \
    "vsftpd with \`ssl_enable=YES\` on 192.0.2.10:21 and a second instance with \`implicit_ssl=YES\` on port 990. lftp (AUTH TLS) and curl (\`--ssl-reqd\`, AUTH SSL) log in as alice and list / download with encrypted control and data connections; an anonymous curl session stays in plain FTP; a plain-FTP login as alice is refused; lftp \`ftps://\` lists over implicit TLS on port 990." \
    "Two vsftpd $VSFTPD_VER instances in \`$P-srv\` (IPv6 socket that also accepts IPv4): \`tls\` on port 21
with \`ssl_enable=YES\` and a self-signed certificate ($OPENSSL_VER, \`openssl req -x509 -newkey rsa:2048
-nodes -days 3650 -subj /CN=ftp.example.net\`, new on every run), \`require_ssl_reuse=NO\` (curl does not
reuse the TLS session on data connections), and vsftpd's TLS defaults otherwise:
\`force_local_logins_ssl=YES\`, \`force_local_data_ssl=YES\` (alice must use TLS for login and data),
\`allow_anon_ssl=NO\` (anonymous sessions stay in plain text); \`tls-implicit\` the same on port 990
with \`implicit_ssl=YES\` (TLS from the first byte).
$(conf_md tls tls-implicit)" \
    "lftp $LFTP_VER (GnuTLS; \`ftp:ssl-allow\` is on by default, so lftp sends \`AUTH TLS\` whenever the
server offers it; \`ssl:verify-certificate no\` for the self-signed certificate) and curl $CURL_VER
(OpenSSL; \`--ssl-reqd\` = TLS or fail, \`-k\` = do not verify the certificate)." \
    "**Session 1** (lftp, 198.51.100.20): \`FEAT\` in plain text (vsftpd lists \`AUTH TLS\`, \`PBSZ\`,
\`PROT\`), \`AUTH TLS\` → \`234 Proceed with negotiation.\` — the last readable line of that control
connection; everything after it (USER/PASS, \`PBSZ 0\`, \`PROT P\`, PASV/227, LIST, RETR) is TLS. The data
connections are new TCP connections from 198.51.100.20 to 192.0.2.10 ports 40000–40100 that start
with a TLS ClientHello: one for \`ls\`, one for \`get readme.txt\`.

**Sessions 2 and 3** (curl, 198.51.100.21): \`AUTH SSL\` → \`234 Proceed with negotiation.\` (curl
tries AUTH SSL before AUTH TLS), then TLS; one encrypted EPSV data connection each (listing; RETR).

**Session 4** (curl, 198.51.100.22, anonymous, no TLS): readable from start to end — \`EPSV\` →
229, \`RETR readme.txt\` over a plain data connection ($README_SIZE bytes).

**Session 5** (curl, 198.51.100.22, plain FTP as alice): \`USER alice\` → \`530 Non-anonymous sessions
must use encryption.\`; curl gives up (exit status 67) without sending PASS.

**Session 6** (lftp \`ftps://\`, 198.51.100.20 → 192.0.2.10:990): TLS from the first payload byte (a
ClientHello), no readable FTP at all; one encrypted data connection to a port in 40000–40100." \
    "- \`tls-control-channel\` for sessions 1, 2 and 3 at the \`234\` reply (the frame after it is the
  ClientHello), with the data connections that follow counted as encrypted / not attributable to an
  announcement (their ports are in the passive range 40000–40100 and they carry TLS ClientHellos).
  The port-990 connection: at least recognisable as TLS on port 990 (implicit FTPS); ftpcap may
  or may not report it as an FTP session.
- Not \`data-connection-missing\` / \`data-connect-*\` for the encrypted sessions (no announcement is
  visible), and **not** \`cleartext-credentials\` for sessions 1–3 (USER/PASS are inside TLS) nor for
  session 4 (anonymous). Session 5 sent \`USER alice\` in clear but no password: \`login-failed\`
  (530) is right, \`cleartext-credentials\` is debatable (no PASS was sent).
- Session 4: one completed passive (EPSV) download, $README_SIZE bytes.
- The firewall section should open the passive range explicitly for 192.0.2.10 (the helper cannot
  read the encrypted 227/229), and port 990."
}

case_login_failed() {
  start_vsftpd default "$SRV4:21" "[$SRV6]:21"
  begin_case login-failed
  client_ok $P-cli3 "for i in 1 2 3 4 5; do curl -sS ftp://alice:guess-\$i@$SRV4/ || echo \"curl exit status \$?\"; done" \
    "five curl sessions with a wrong password for alice"
  client_ok $P-cli3 "$PFC $SRV4 login:alice:letmein login:alice:alice123 login:alice:wonderland" \
    "three wrong passwords in one connection"
  client_ok $P-cli3 "python3 @TOOLS@/ftplib-client.py $SRV4 --user alice --password $ALICE_PASS retr:readme.txt" \
    "the right password; one passive (PASV) download"
  client_ok $P-cli1 "curl -sS -o readme.txt ftp://$SRV4/readme.txt" \
    "anonymous (curl sends \`USER anonymous\`, \`PASS ftp@example.com\`)"
  client_ok $P-cli2 "lftp -c '$LFTP_BASE; open -u ftp,guest@example.com ftp://$SRV4; ls'" \
    "anonymous as user \`ftp\` (vsftpd treats \`ftp\` like \`anonymous\`)"
  cap_stop login-failed
  stop_vsftpd default
  write_readme login-failed "failed logins, then a successful cleartext login and anonymous sessions" \
    "From 198.51.100.22: five curl sessions with a wrong password for alice, then one ftplib connection with three wrong passwords (vsftpd closes it), then alice logs in with the right password over plain FTP and downloads readme.txt. Then two anonymous sessions (curl as \`anonymous\`, lftp as \`ftp\`) from the other clients." \
    "vsftpd $VSFTPD_VER in \`$P-srv\`, one standalone instance (IPv6 socket that also accepts IPv4), with
vsftpd's defaults for failed logins: \`delay_failed_login=1\` (each 530 comes 1 s after the PASS) and
\`max_login_fails=3\` (the connection is closed after the third failure); PAM (\`pam_unix\`) adds its
own delay of about 2 s to every failure.
$(conf_md default)" \
    "curl $CURL_VER, lftp $LFTP_VER, $PY_VER via [proto-ftp-client.py](../tools/proto-ftp-client.py) (\`login:USER:PASS\`
= ftplib \`login()\` again on the same connection) and [ftplib-client.py](../tools/ftplib-client.py)." \
    "**Sessions 1–5** (curl, 198.51.100.22): \`USER alice\` → \`331 Please specify the password.\`, \`PASS
guess-N\` → \`530 Login incorrect.\` about three seconds later (vsftpd's \`delay_failed_login=1\` on top of
PAM's own delay after a failure); curl closes the connection (exit status 67).

**Session 6** (ftplib, 198.51.100.22): \`USER alice\` / \`PASS letmein\` → 530, \`USER alice\` / \`PASS
alice123\` → 530, \`USER alice\` / \`PASS wonderland\` → 530 and vsftpd closes the connection
(\`max_login_fails=3\`); the client's QUIT finds it closed.

**Session 7** (ftplib, 198.51.100.22): \`USER alice\` / \`PASS wonderland-42\` → \`230 Login successful.\`
(chrooted to her tree), \`TYPE I\`, \`PASV\` → 227, \`RETR readme.txt\` ($README_SIZE bytes) → 226, QUIT.

**Session 8** (curl, 198.51.100.20): \`USER anonymous\` / \`PASS ftp@example.com\` → 230, EPSV, RETR
readme.txt. **Session 9** (lftp, 198.51.100.21): \`FEAT\`, \`AUTH TLS\` → \`530 Please login with USER and
PASS.\` (this vsftpd has no TLS; lftp carries on in plain text), \`USER ftp\` / \`PASS guest@example.com\` →
230, PASV, LIST." \
    "- \`login-failed\` for each 530 (eight failures in six sessions; all from 198.51.100.22 for user
  alice — worth one summary line: repeated failures from one client).
- \`cleartext-credentials\` for session 7 (alice's real password in clear text, login succeeded;
  the password masked in the report unless \`--show-passwords\`); arguably also for the failed
  attempts (passwords were sent in clear).
- **Not** \`cleartext-credentials\` for sessions 8 and 9 (anonymous: \`anonymous\` and \`ftp\`), and
  **not** \`login-failed\` for the 530 that answers lftp's \`AUTH TLS\` in session 9 (TLS refused, not a login).
- Session 7's download and sessions 8/9 complete normally; no data-channel findings."
}

case_nonstandard_port() {
  start_vsftpd port-2121 "$SRV4:2121" "[$SRV6]:2121"
  start_vsftpd port-8021 "$SRV4:8021" "[$SRV6]:8021"
  begin_case nonstandard-port
  client_ok $P-cli1 "curl -sS -o data-64k.bin ftp://$SRV4:2121/pub/data-64k.bin" \
    "port 2121, passive (EPSV) download"
  client_ok $P-cli2 "curl -sS -P - --disable-eprt ftp://$SRV4:2121/pub/" \
    "port 2121, active (PORT) listing"
  client_ok $P-cli3 "lftp -c '$LFTP_BASE; open ftp://$SRV4:2121; ls; get readme.txt'" \
    "port 2121, passive (PASV) listing + download"
  client_ok $P-cli1 "curl -sS -P - -o readme.txt ftp://$SRV4:8021/readme.txt" \
    "port 8021, active (EPRT) download; this instance connects from an ephemeral port"
  client_ok $P-cli2 "lftp -c '$LFTP_BASE; open ftp://[$SRV6]:8021; ls pub'" \
    "port 8021 over IPv6, passive (EPSV) listing"
  cap_stop nonstandard-port 2121 8021
  DESCRIBE_PORTS=(2121 8021)
  stop_vsftpd port-2121 port-8021
  write_readme nonstandard-port "FTP on ports 2121 and 8021" \
    "Five sessions to two vsftpd instances that listen on TCP port 2121 and 8021 instead of 21: passive (EPSV, PASV) and active (PORT, EPRT) transfers, IPv4 and IPv6. No packet uses port 21." \
    "Two vsftpd $VSFTPD_VER instances in \`$P-srv\` (IPv6 socket that also accepts IPv4): \`port-2121\`
(\`listen_port=2121\`; active connections still come from port 20, \`connect_from_port_20=YES\`) and
\`port-8021\` (\`listen_port=8021\`, \`connect_from_port_20=NO\`: active connections come from an
ephemeral port).
$(conf_md port-2121 port-8021)" \
    "curl $CURL_VER and lftp $LFTP_VER (anonymous; lftp with \`ftp:prefer-epsv no\`, so PASV on IPv4 and EPSV on IPv6)." \
    "Port 2121: curl \`EPSV\` → 229, \`RETR pub/data-64k.bin\` (65 536 bytes); curl \`-P - --disable-eprt\`
→ \`PORT 198,51,100,21,p1,p2\` → 200, \`LIST\` with the server connecting from 192.0.2.10:**20**; lftp
PASV → 227 twice (LIST, RETR readme.txt). Port 8021: curl \`-P -\` → \`EPRT |1|198.51.100.20|port|\` →
200, \`RETR readme.txt\` with the server connecting from 192.0.2.10:**ephemeral**; lftp over IPv6 →
\`EPSV\` → 229, LIST pub. All transfers complete." \
    "- Without \`--ftp-port\`: \`nonstandard-control-port\` (info) for servers 192.0.2.10:2121,
  [2001:db8:2::10]:8021 and 192.0.2.10:8021, and every session analyzed as if the port had been given:
  the 229 / 227 / PORT / EPRT announcements, their data connections and transfers (all completed).
- With \`--ftp-port 2121 --ftp-port 8021\`: the same sessions, and no \`nonstandard-control-port\` (or
  only as info).
- The firewall rules name control ports 2121 and 8021 (not 21); the active connections of the 8021
  instance come from ephemeral source ports, not 20."
}

case_malformed_port() {
  start_vsftpd default "$SRV4:21" "[$SRV6]:21"
  begin_case malformed-port
  client_ok $P-cli2 "$PFC $SRV4 $ANON_LOGIN listen 'cmd:PORT 300,1,1,1,1,1' 'cmd:PORT 198,51,100,21,1' 'cmd:PORT 198,51,100,21,4,256' 'cmd:EPRT |1|198.51.100.21|0|' 'cmd:EPRT |1|198.51.100.21|70000|' 'cmd:EPRT |1|198.51.100.321|{port}|' 'cmd:EPRT |3|198.51.100.21|{port}|' 'cmd:PORT {ip4},{p1},{p2}' xfer:LIST listen 'cmd:EPRT |1|{addr}|{port}|' 'xfer:RETR readme.txt'"
  cap_stop malformed-port
  stop_vsftpd default
  write_readme malformed-port "malformed PORT and EPRT arguments, then valid ones" \
    "One anonymous ftplib session from 198.51.100.21 to vsftpd 192.0.2.10 that sends seven malformed announcements (an octet of 300, five numbers, a port octet of 256, EPRT port 0, EPRT port 70000, an invalid IPv4 address, protocol 3), all refused, then a valid PORT with LIST and a valid EPRT with RETR." \
    "vsftpd $VSFTPD_VER in \`$P-srv\`, one standalone instance (IPv6 socket that also accepts IPv4).
$(conf_md default)" \
    "$PFC_MD" \
    "Replies, in order: \`PORT 300,1,1,1,1,1\` → \`500 Illegal PORT command.\`; \`PORT 198,51,100,21,1\` →
\`500 Illegal PORT command.\`; \`PORT 198,51,100,21,4,256\` → \`500 Illegal PORT command.\`;
\`EPRT |1|198.51.100.21|0|\` → \`500 Illegal EPRT command.\`; \`EPRT |1|198.51.100.21|70000|\` →
\`500 Bad EPRT command.\`; \`EPRT |1|198.51.100.321|port|\` and \`EPRT |3|198.51.100.21|port|\`: see
the table below (recorded as vsftpd answered). Then \`PORT 198,51,100,21,p1,p2\` → 200 and \`LIST\` with
the server connecting from 192.0.2.10:20; \`EPRT |1|198.51.100.21|port|\` → 200 and \`RETR
readme.txt\` ($README_SIZE bytes), again from port 20. No data connection is attempted for the malformed ones." \
    "- \`malformed-announcement\` for each of the seven malformed PORT/EPRT arguments (no endpoint may be
  derived from them, no data connection expected). Whether their 500 replies are also reported as
  \`announcement-refused\` is a design choice (nothing usable was announced).
- The valid PORT and EPRT: accepted, active connections from 192.0.2.10:20, both transfers completed.
- Nothing about \`port-address-mismatch\` or \`third-party-data-target\` for the malformed ones."
}

case_size_mismatch() {
  make_app_log
  "$PYTHON" "$TOOLS/sample-files.py" make-protocol-samples.sh size-mismatch anon="$ANON"
  chmod 644 "$ANON/app.log" "$ANON/snapshot.bin"
  touch -d '2024-01-01 12:00:00 UTC' "$ANON/app.log" "$ANON/snapshot.bin"
  start_vsftpd size "$SRV4:21" "[$SRV6]:21"
  "$LAB" shape "$SHAPE_RATE"
  begin_case size-mismatch
  client_ok $P-cli1 "$PFC $SRV4 $ANON_LOGIN 'cmd:TYPE I' cmd:PASV dial 'xfer:RETR one-mb.bin:abor@131072'" \
    "download aborted after 128 KiB: Telnet IP + Synch, then ABOR"
  client_ok $P-cli2 "$PFC $SRV4 $ANON_LOGIN 'cmd:TYPE I' cmd:EPSV dial 'xfer:RETR one-mb.bin:close@131072'" \
    "download whose data connection the client closes after 128 KiB"
  client_truncating size-mismatch $P-cli3 "$PFC $SRV4 $ANON_LOGIN 'cmd:TYPE I' cmd:EPSV dial-late:1 'xfer:RETR snapshot.bin'" \
    "binary download of snapshot.bin (1 MiB); the client connects to the passive port only 1 s after sending RETR" \
    '^> RETR' snapshot.bin 524288 "\`> RETR snapshot.bin\` (vsftpd has opened the file, taken its size for the 150 reply and waits for the data connection)"
  client_truncating size-mismatch $P-cli3 "$PFC $SRV4 $ANON_LOGIN 'cmd:TYPE A' cmd:EPSV dial 'xfer:RETR app.log'" \
    "ASCII-mode download of app.log (1 MiB of CRLF text)" \
    '^< 150 ' app.log 524288 "the \`150\` reply (the download is running)"
  client_ok $P-cli1 "$PFC $SRV4 $ANON_LOGIN 'cmd:TYPE I' 'cmd:REST 1000' cmd:EPSV dial 'xfer:RETR pub/data-64k.bin'" \
    "a restarted download: REST 1000, then RETR of a 65 536-byte file"
  cap_stop size-mismatch
  "$LAB" unshape
  stop_vsftpd size
  write_readme size-mismatch "downloads that deliver fewer bytes than the 150 reply announced" \
    "Five anonymous sessions, server uplink limited to $SHAPE_RATE: a 1 MiB download aborted with ABOR after 128 KiB; one whose data connection the client closes after 128 KiB; a binary download of a 1 MiB file that the server side truncates to 512 KiB after vsftpd has announced its size, and an ASCII-mode download of a 1 MiB file truncated to 512 KiB while it is sent — both end with **226 Transfer complete** for 524 288 of the 1 048 576 announced bytes; and a \`REST 1000\` download, where vsftpd's 150 announces the whole file size although 1000 bytes fewer follow." \
    "vsftpd $VSFTPD_VER in \`$P-srv\` (IPv6 socket that also accepts IPv4) with \`async_abor_enable=YES\`
(vsftpd acts on an ABOR sent as Telnet urgent data while a transfer runs; without it the ABOR waits
for the end of the transfer) and \`ascii_download_enable=YES\` (TYPE A downloads really use ASCII mode;
app.log has CRLF line ends, so its bytes are sent unchanged). The server's uplink is shaped with
\`tc qdisc replace dev eth0 root tbf rate $SHAPE_RATE burst 4kb latency 200ms\` in \`$P-srv\`, with
\`net.ipv4.tcp_limit_output_bytes=16384\` and \`net.ipv4.tcp_wmem=\"4096 16384 65536\"\` there (small
socket buffers: vsftpd stays close behind the wire); see \`proto-lab.sh shape\`. Files:
\`one-mb.bin\` and \`snapshot.bin\` (1 MiB of seeded random bytes each), \`app.log\` (1 MiB, 16 384 lines
of 64 bytes ending in CRLF), \`pub/data-64k.bin\` (65 536 bytes); snapshot.bin and app.log are
recreated at the start of the case.

How vsftpd reacts to a file that shrinks: for RETR it opens the file and takes its size for the
\`150 … (N bytes)\` text, then waits for the data connection; a binary download then sends as many
bytes as the file has *at that moment* (a fresh \`fstat\`) and reports 226 — a file cut before the
data connection exists is sent short but \"complete\"; a binary file cut *during* \`sendfile\` ends
in \`426 Failure writing network stream.\`; an ASCII download reads until end of file and reports 226.
$(conf_md size)" \
    "$PFC_MD \`xfer:LINE:abor@N\` reads N bytes, then sends \`IAC IP\` (Telnet Interrupt Process), \`IAC\`
as TCP urgent data, \`DM\` and \`ABOR\` (RFC 959 §4.1.3, as inetutils ftp and tnftp do) and reads what
still arrives; \`xfer:LINE:close@N\` reads N bytes and closes the data socket; \`dial-late:S\` connects to
the passive port S seconds after the next transfer command (the server waits for the connection).
(Python's own \`ftplib.abort()\` sends \`ABOR\` as urgent data without the Telnet bytes; vsftpd answers
that with \`500 Unknown command.\` and the transfer runs to its end, so it is not used here.)" \
    "**Session 1** (198.51.100.20, PASV): \`RETR one-mb.bin\` → \`150 Opening BINARY mode data connection
for one-mb.bin (1048576 bytes).\`; after 128 KiB the client sends \`\\xff\\xf4\\xff\` (the last byte
urgent) and \`\\xf2ABOR\`; the data still in flight arrives, vsftpd closes the data connection and
answers \`426 Failure writing network stream.\` (the RETR) and \`226 ABOR successful.\` (the ABOR).
About 200 KB of the 1 048 576 announced bytes crossed the wire (exact count in the tables).

**Session 2** (198.51.100.21, EPSV): same RETR; the client closes the data connection after 128 KiB
(its kernel answers further data with RST); vsftpd: \`426 Failure writing network stream.\`

**Session 3** (198.51.100.22, EPSV, binary): \`EPSV\` → 229; the client sends \`RETR snapshot.bin\` and
connects to the passive port only 1 s later; meanwhile the file is truncated to 524 288 bytes. Then:
SYN → \`150 Opening BINARY mode data connection for snapshot.bin (1048576 bytes).\` → 524 288 bytes →
FIN → \`226 Transfer complete.\` — a \"successful\" transfer with exactly half the announced bytes.

**Session 4** (198.51.100.22, EPSV, \`TYPE A\`): \`RETR app.log\` → \`150 Opening ASCII mode data
connection for app.log (1048576 bytes).\`; the file is truncated to 524 288 bytes while it is sent;
vsftpd reads to the new end of file, closes the data connection normally (FIN) and answers \`226
Transfer complete.\` after 524 288 bytes.

**Session 5** (198.51.100.20, EPSV): \`REST 1000\` → \`350 Restart position accepted (1000).\`; \`RETR
pub/data-64k.bin\` → \`150 Opening BINARY mode data connection for pub/data-64k.bin (65536 bytes).\` —
vsftpd announces the **file size, not the bytes to come**; 64 536 bytes (65 536 − 1000) follow, 226." \
    "- \`transfer-size-mismatch\` for sessions 3 and 4 (226 with 524 288 of 1 048 576 announced bytes:
  the final reply claims success). Session 4 is ASCII mode (\`TYPE A\`, \`150 Opening ASCII mode …\`),
  where a byte count may legitimately differ from the file size (line-end conversion), but not by half.
- Sessions 1 and 2: \`transfer-failed\` (426); a size mismatch is expected there and may be folded into
  the failure (announced 1 048 576, received the count in the tables). The ABOR in session 1 arrives
  with Telnet bytes (\`\\xff\\xf4\\xff\\xf2ABOR\`) split over two segments, the first with the urgent flag
  (the second may be retransmitted, as in this capture): it must be read as the command \`ABOR\`, and
  its reply \`226 ABOR successful.\` must not be taken for the RETR's final reply (the RETR's is the 426).
- Session 3's data connection comes after the RETR (the client dialled late): it still belongs to the
  EPSV before it; no \`data-connection-missing\`.
- **Not** \`transfer-size-mismatch\` for session 5: 64 536 = 65 536 − 1000 (REST offset)."
}

# ------------------------------------------------------------------- run --
for c in "${CASES[@]}"; do
  "case_${c//-/_}"
done
