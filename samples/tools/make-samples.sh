#!/usr/bin/env bash
# make-samples.sh — record the ftpcap sample captures with real FTP software.
#
#   sudo samples/tools/make-samples.sh            # all cases
#   sudo samples/tools/make-samples.sh ipv6 ...   # only the named cases
#
# What it does:
#   1. builds the lab network with netns.sh (namespaces fc-srv, fc-rtr,
#      fc-cli1..3, documentation addresses only, no link to the host);
#   2. creates the local user alice (password wonderland-42) if missing and
#      resets the sample files in her home directory;
#   3. writes a vsftpd config and the anonymous tree into a temp dir and runs
#      vsftpd in the foreground inside fc-srv (one instance, IPv4 + IPv6);
#   4. for every case: starts tcpdump in fc-rtr on the server-facing veth
#      (srv0), runs the clients in the client namespaces, stops tcpdump, and
#      writes samples/<case>/{capture.pcap,tshark-frames.txt,clients.log,README.md};
#      capture-formats instead records one traffic run with five recorders at
#      once (dumpcap pcapng, tcpdump -i any in fc-srv, nanosecond pcap, snap
#      length 96, a ring buffer) and converts with editcap / gzip / mergecap;
#      link-types records one small file per link-layer variant (802.1Q,
#      802.1ad QinQ, Linux cooked v1, raw IP over tun, IPv4 fragments), each
#      in a freshly built lab changed for it, and copies a public BSD-loopback
#      capture (samples/link-types/README.md);
#   5. rewrites samples/README.md (index) and tears everything down, also on
#      error or Ctrl-C (trap).
#
# Needs: root, iproute2, ethtool, iputils-ping, tcpdump, tshark + capinfos,
# dumpcap, editcap, mergecap (wireshark-common), gzip, vsftpd, lftp, curl,
# tnftp (package ftp), python3.
# Re-running regenerates everything; captures differ only in timestamps,
# ephemeral ports and the passive ports vsftpd picks (40000-40100).
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$TOOLS/lab.sh" # SAMPLES, PYTHON, the addresses, servers, recorders, clients
NETNS="$TOOLS/netns.sh"
ALL_CASES=(passive-pasv passive-epsv active-port active-eprt ipv6 vsftpd-mixed capture-formats link-types)
lab_prefix fc # NS_PREFIX=xy: namespaces xy-* (netns.sh builds the same names)

CAPTURE_NS=$P-rtr
CAPTURE_IF=srv0
ALICE_PASS=wonderland-42
# link rates for vsftpd-mixed (tc tbf units)
MIXED_SRV_RATE=4mbit
MIXED_CLI_RATE=2mbit
# link rates for capture-formats: slow enough that the two sessions overlap
# and five recorders on one veth never fall behind, fast enough for a short run
FORMATS_SRV_RATE=16mbit
FORMATS_CLI_RATE=8mbit

# ---------------------------------------------------------------- preflight --
need_root "network namespaces, vsftpd, tcpdump"
need_commands ip ethtool ping tcpdump tshark capinfos dumpcap editcap mergecap gzip sha256sum vsftpd lftp curl ftp useradd chpasswd "$PYTHON" python3
select_cases "${ALL_CASES[*]}" "$@"

lab_begin samples
HELPER_PIDS=() # link-types: vlan-tags.py / tun-link.py
# Tear down whatever was built, on success, error or interrupt (lab.sh lab_end
# stops the recorders, clients and vsftpd first).
on_exit 'for pid in "${HELPER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done'
on_exit '[ -z "${ALICE_HOME:-}" ] || rm -rf "$ALICE_HOME/ftpcap-archive"'
on_exit '"$NETNS" down'

tool_versions

# ------------------------------------------------------------ sample files --
# Deterministic content (seeded PRNG) and fixed mtimes, so listings and
# payloads are the same on every run.
ANON="$WORK/anon"
mkdir -p "$ANON/pub" "$WORK/empty" "$WORK/home"
"$PYTHON" "$TOOLS/sample-files.py" make-samples.sh core anon="$ANON" work="$WORK"
chmod -R a+rX "$ANON"
chmod 755 "$ANON" "$WORK/empty"
find "$ANON" -exec touch -h -d '2024-01-01 12:00:00 UTC' {} +

# ------------------------------------------------------------ user alice --
ALICE_HOME=$(lab_user alice "$ALICE_PASS")
mkdir -p "$ALICE_HOME"
chown alice: "$ALICE_HOME"
chmod 755 "$ALICE_HOME"
# Before every case: remove uploads of earlier cases/runs and seed two files,
# so that a LIST of alice's home always shows the same two entries.
reset_alice() {
  rm -f "$ALICE_HOME"/ftpcap-upload-*.bin
  install -o alice -g alice -m 644 "$ANON/readme.txt" "$ALICE_HOME/readme.txt"
  printf 'alice keeps her notes here.\n' | install -o alice -g alice -m 644 /dev/stdin "$ALICE_HOME/notes.txt"
  touch -d '2024-01-01 12:00:00 UTC' "$ALICE_HOME/readme.txt" "$ALICE_HOME/notes.txt"
}
reset_alice

# ------------------------------------------------------------ vsftpd config --
VSFTPD_CONF="$WORK/vsftpd.conf"
{
  echo "# written by samples/tools/make-samples.sh; not /etc/vsftpd.conf"
  echo "# standalone, one IPv6 socket that also accepts IPv4 (mapped)"
  echo "listen=NO"
  echo "listen_ipv6=YES"
  vsftpd_conf "$ANON" "$WORK/empty"
  echo "# local users (alice) may log in and upload into their home directory"
  printf '%s\n' local_enable=YES write_enable=YES local_umask=022 pam_service_name=vsftpd
} >"$VSFTPD_CONF"
chmod 644 "$VSFTPD_CONF"

# -------------------------------------------------------------- network --
log "building topology"
"$NETNS" up

start_vsftpd() { # and check that it answers on both addresses (before any capture starts)
  vsftpd_start vsftpd "$P-srv" "$VSFTPD_CONF" "$P-cli1" "$SRV4:21" "[$SRV6]:21"
}
stop_vsftpd() { server_stop vsftpd; }
start_vsftpd

# --------------------------------------------------------------- clients --
# lab.sh runs the client snippets (client_ok, client_bg, wait_bg): each in a
# fresh working directory holding RUN_FILES, with an empty HOME; the snippet
# text is also what the README shows; @TOOLS@ stands for samples/tools.
RUN_FILES=("$WORK/upload-200k.bin")

# ----------------------------------------------------------------- README --
# SERVER_MD: the server paragraph shared by every case README.
SERVER_MD="vsftpd $VSFTPD_VER, started by hand in namespace \`$P-srv\` (192.0.2.10, 2001:db8:2::10) with
its own config file (not /etc/vsftpd.conf): one standalone instance in the foreground,
\`listen=NO\`, \`listen_ipv6=YES\` (IPv4 clients arrive as IPv4-mapped addresses on the same socket),
anonymous login enabled (read-only tree: \`one-mb.bin\` 1 MiB, \`readme.txt\`, \`pub/\` with
\`data-64k.bin\`, \`notes.txt\`, \`changelog.txt\`), local user \`alice\` (password \`wonderland-42\`,
\`write_enable=YES\`, logs in to her home directory), \`pasv_min_port=40000\`, \`pasv_max_port=40100\`,
\`connect_from_port_20=YES\` (active data connections come from port 20), \`seccomp_sandbox=NO\`.
The full config is in [samples/README.md](../README.md#server-configuration)."

CAPTURE_MD="\`tcpdump --immediate-mode -i srv0 -s 0 -U -Z root -w capture.pcap 'tcp'\` ($TCPDUMP_VER) in namespace \`$P-rtr\` (the
router between clients and server) on \`srv0\`, the veth facing the server: every packet between
any client and the server passes here, unchanged (no NAT, no firewall). Offloads are off on all
veths, so frames are at most 1514 bytes and checksums are valid. Classic pcap, Ethernet,
microsecond timestamps. tcpdump started 1 s before the first client and stopped (SIGINT) 1 s after
the last one."

write_readme() { # CASE TITLE SUMMARY CLIENTS_MD STORY_MD
  local case=$1 title=$2 summary=$3 clients=$4 story=$5 dir="$SAMPLES/$1" pkts
  pkts=$(capinfos -M -c "$dir/capture.pcap" | awk -F': *' '/Number of packets/ {print $2}')
  {
    echo "# $case — $title"
    echo
    echo "$summary"
    echo
    echo "- **Packets:** $pkts (\`capinfos -c capture.pcap\`)"
    echo "- **Made:** $TODAY with \`samples/tools/make-samples.sh\` (Linux $KERNEL_VER, network namespaces)"
    echo "- **Capture point:** $P-rtr / srv0 (server side of the router)"
    echo "- **Cross-check:** [tshark-frames.txt](tshark-frames.txt) (\`samples/tools/tshark-frames.sh capture.pcap\`, $TSHARK_VER); client output: [clients.log](clients.log)"
    echo
    readme_server_clients "$SERVER_MD" "$clients" ", under \`timeout 90\`."
    echo "## What the session does and what the capture shows"
    echo
    echo "$story"
    echo
    echo "## Capture"
    echo
    echo "$CAPTURE_MD"
    echo
    echo "## Generated facts (capinfos + tshark, by samples/tools/capture-facts.py)"
    echo
    "$PYTHON" "$TOOLS/capture-facts.py" core "$dir/capture.pcap" | sed 's/^###/###/'
  } >"$dir/README.md"
  log "  -> samples/$case/capture.pcap: $pkts packets, $(stat -c %s "$dir/capture.pcap") bytes"
}

begin_case() { # CASE
  RUN_FILES=("$WORK/upload-200k.bin")
  case_begin "$1"
  reset_alice
  case_capture_start "$1"
}

# ------------------------------------------------------------------ cases --
LFTP_BASE="set ftp:prefer-epsv no; set ftp:passive-mode yes; set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes"

case_passive_pasv() {
  begin_case passive-pasv
  client_ok $P-cli1 "lftp -c '$LFTP_BASE; open ftp://$SRV4; ls; get one-mb.bin; get readme.txt; ls pub'"
  case_capture_stop passive-pasv
  write_readme passive-pasv "lftp, anonymous, PASV, one session with a listing and several transfers" \
    "One lftp session (anonymous) from 198.51.100.20 to vsftpd 192.0.2.10 over IPv4 in passive mode with PASV: \`ls\`, \`get one-mb.bin\`, \`get readme.txt\`, \`ls pub\`." \
    "lftp $LFTP_VER in \`$P-cli1\` (198.51.100.20). \`ftp:prefer-epsv no\` and \`ftp:passive-mode yes\` are set explicitly (both are lftp's defaults), so lftp uses PASV." \
    "lftp connects once, logs in as \`anonymous\` (lftp's default password \`lftp@\`), and then runs the
four commands over the same control connection. Every transfer gets its own PASV: vsftpd answers
each with a \`227 Entering Passive Mode (192,0,2,10,p1,p2).\` naming a fresh port in 40000–40100,
and lftp opens the data connection from an ephemeral port to that port. Expect four
announcement/data-connection pairs: LIST (\`ls\`), RETR one-mb.bin (1 048 576 bytes), RETR readme.txt,
LIST pub. Around them lftp sends FEAT (before logging in), PWD, \`TYPE I\` / \`TYPE A\`, and
\`SIZE\` + \`MDTM\` before each RETR; see the control dialogue below. In passive mode the client
opens the data connection right after the 227 reply, before it sends the transfer command."
}

case_passive_epsv() {
  begin_case passive-epsv
  client_ok $P-cli2 "curl -sS -o one-mb.bin ftp://$SRV4/one-mb.bin"
  client_ok $P-cli2 "curl -sS ftp://$SRV4/pub/"
  case_capture_stop passive-epsv
  write_readme passive-epsv "curl, anonymous, EPSV over IPv4, two sessions" \
    "Two curl sessions (anonymous) from 198.51.100.21 to vsftpd 192.0.2.10 over IPv4, passive mode with EPSV (curl's default): a download of one-mb.bin, then a listing of pub/." \
    "curl $CURL_VER in \`$P-cli2\` (198.51.100.21), default options: passive, EPSV first (PASV only if EPSV is refused), user \`anonymous\`, password \`ftp@example.com\`." \
    "Session 1 downloads \`one-mb.bin\`: EPSV, answered with \`229 Entering Extended Passive Mode (|||port|)\`
(no address: the data connection goes to the control connection's server address), then
\`TYPE I\`, \`SIZE\`, \`RETR\` over that data connection. Session 2 is a new control connection
that lists \`pub/\` (\`CWD pub\`, EPSV, \`TYPE A\`, \`LIST\`). Expect two 229 announcements and two passive
data connections, each from the client's ephemeral port to a port in 40000–40100."
}

case_active_port() {
  begin_case active-port
  client_ok $P-cli3 "python3 @TOOLS@/ftplib-client.py $SRV4 --user alice --password $ALICE_PASS active list retr:readme.txt stor:upload-200k.bin:ftpcap-upload-200k.bin"
  case_capture_stop active-port
  write_readme active-port "Python ftplib, alice, active mode with PORT, one session" \
    "One Python ftplib session from 198.51.100.22 to vsftpd 192.0.2.10 over IPv4, logged in as local user alice, active mode (\`set_pasv(False)\`, PORT): LIST, RETR readme.txt, STOR of a 200 KiB file." \
    "$PY_VER in \`$P-cli3\` (198.51.100.22), driven by [samples/tools/ftplib-client.py](../tools/ftplib-client.py) (\`active\` = \`ftp.set_pasv(False)\`; \`retrlines('LIST')\`, \`retrbinary('RETR …')\`, \`storbinary('STOR …')\`). \`python3\` is $PYTHON." \
    "ftplib logs in with \`USER alice\` / \`PASS wonderland-42\` — the password is in clear text in the
capture (ftpcap should mask it). Before each transfer ftplib opens a listening socket on an
ephemeral port of 198.51.100.22 and sends \`PORT 198,51,100,22,p1,p2\`; vsftpd answers \`200 PORT
command successful. Consider using PASV.\`, and after the transfer command (LIST, RETR, STOR) it
connects **from 192.0.2.10 port 20** (\`connect_from_port_20=YES\`) to the announced port. Expect
three PORT announcements and three active data connections initiated by the server: LIST
of alice's home (readme.txt, notes.txt), RETR readme.txt (119 bytes), STOR
ftpcap-upload-200k.bin (204 800 bytes client→server). In active mode vsftpd connects only after
it has received the transfer command, and sends its 150 reply once the connection is up."
}

case_active_eprt() {
  begin_case active-eprt
  client_ok $P-cli1 "curl -sS -P - -o readme.txt ftp://$SRV4/readme.txt"
  client_ok $P-cli1 "curl -sS -P - --disable-eprt -T upload-200k.bin ftp://alice:$ALICE_PASS@$SRV4/ftpcap-upload-curl.bin"
  case_capture_stop active-eprt
  write_readme active-eprt "curl, active mode: EPRT download, PORT upload" \
    "Two curl sessions from 198.51.100.20 to vsftpd 192.0.2.10 over IPv4 in active mode: an anonymous download of readme.txt announced with EPRT, then an upload as alice announced with PORT (\`--disable-eprt\`)." \
    "curl $CURL_VER in \`$P-cli1\` (198.51.100.20). \`-P -\` = active mode, listen on the address of the control connection; curl tries EPRT first and falls back to PORT; \`--disable-eprt\` makes it send PORT straight away." \
    "Session 1 (anonymous) sends \`EPRT |1|198.51.100.20|port|\`; vsftpd answers \`200 EPRT command
successful. Consider using EPSV.\` and, after \`RETR readme.txt\`, connects from 192.0.2.10 port 20 to
the announced port. Session 2 logs in as alice (\`PASS wonderland-42\` in clear text), sends
\`PORT 198,51,100,20,p1,p2\` and \`STOR ftpcap-upload-curl.bin\`; vsftpd again connects from port 20
and curl sends the 204 800 bytes over that connection. Expect two active data connections, both
opened by the server from port 20."
}

case_ipv6() {
  begin_case ipv6
  client_ok $P-cli2 "curl -sS -o one-mb.bin 'ftp://[$SRV6]/one-mb.bin'"
  client_ok $P-cli2 "curl -sS -P - -o readme.txt 'ftp://[$SRV6]/readme.txt'"
  client_ok $P-cli2 "python3 @TOOLS@/ftplib-client.py $SRV6 passive list active retr:readme.txt"
  case_capture_stop ipv6
  write_readme ipv6 "IPv6: curl EPSV, curl EPRT, ftplib EPSV + EPRT" \
    "Three sessions from 2001:db8:1::21 to vsftpd [2001:db8:2::10] over IPv6: curl passive (EPSV) download of one-mb.bin, curl active (\`-P -\`, EPRT) download of readme.txt, and Python ftplib doing a passive LIST (EPSV) and an active RETR (EPRT) in one session." \
    "curl $CURL_VER and $PY_VER (via [samples/tools/ftplib-client.py](../tools/ftplib-client.py)) in \`$P-cli2\` (2001:db8:1::21). On IPv6 both clients can only use the extended commands: curl sends EPSV / EPRT, ftplib's \`makepasv\` sends EPSV and \`makeport\` sends EPRT when the socket family is AF_INET6." \
    "Session 1 (curl): EPSV → \`229 Entering Extended Passive Mode (|||port|)\`, RETR one-mb.bin over a
passive data connection to [2001:db8:2::10]:port. Session 2 (curl \`-P -\`): \`EPRT |2|2001:db8:1::21|port|\`,
RETR readme.txt, vsftpd connects from [2001:db8:2::10]:20. Session 3 (ftplib, anonymous, password
\`anonymous@\`): EPSV + LIST (passive), then \`EPRT |2|2001:db8:1::21|port|\` + RETR readme.txt (active,
from port 20). Expect two 229 replies, two EPRT commands and four data connections."
}

case_vsftpd_mixed() {
  # Slow links for this case only (tbf at the sending hosts, see netns.sh):
  # the server's uplink and every client's uplink are limited, so the four
  # sessions, started 0.3 s apart, really interleave on the wire.
  "$NETNS" shape "$MIXED_SRV_RATE" "$MIXED_CLI_RATE"
  begin_case vsftpd-mixed
  client_bg $P-cli3 "curl -sS -o one-mb.bin ftp://$SRV4/one-mb.bin" "EPSV download"
  sleep 0.3
  client_bg $P-cli1 "lftp -c '$LFTP_BASE; open ftp://$SRV4; ls pub; get pub/data-64k.bin'" "PASV listing + download"
  sleep 0.3
  client_bg $P-cli2 "python3 @TOOLS@/ftplib-client.py $SRV4 --user alice --password $ALICE_PASS active list stor:upload-200k.bin:ftpcap-upload-mixed.bin" "active PORT listing + upload as alice"
  sleep 0.3
  client_bg $P-cli1 "ftp -n -v -A $SRV4 <<'EOF'
user anonymous guest@example.com
dir
get readme.txt
bye
EOF" "tnftp, active mode (-A), non-interactive"
  wait_bg || die "a background client failed in vsftpd-mixed: $(cat "$CLIENT_LOG")"
  case_capture_stop vsftpd-mixed
  "$NETNS" unshape
  write_readme vsftpd-mixed "four overlapping sessions from three clients (showcase)" \
    "Four FTP sessions at once against vsftpd 192.0.2.10 over IPv4, from three clients with four different client programs: curl EPSV download, lftp PASV listing + download, Python ftplib active PORT listing + upload as alice, tnftp active EPRT listing + download." \
    "- curl $CURL_VER in \`$P-cli3\` (198.51.100.22)
- lftp $LFTP_VER in \`$P-cli1\` (198.51.100.20)
- $PY_VER in \`$P-cli2\` (198.51.100.21), via [samples/tools/ftplib-client.py](../tools/ftplib-client.py)
- $TNFTP_VER in \`$P-cli1\` (198.51.100.20), \`-n\` (no auto-login), \`-v\` (verbose), \`-A\` (active mode), commands from a here-document

The four were started in the background 0.3 s apart, in the order below; the script waited
for all four before stopping the capture. For this case only, the links are slowed down
(\`samples/tools/netns.sh shape $MIXED_SRV_RATE $MIXED_CLI_RATE\`: a tbf qdisc on the egress of the
server's NIC at $MIXED_SRV_RATE and of each client's NIC at $MIXED_CLI_RATE, TCP small queues limited
to 16 KiB per socket so the shaper never drops), so the 1 MiB download takes about 2 s and the
other sessions run while it is in progress. No client-side rate limit is used (curl's
\`--limit-rate\` was tried first: it only throttles reads from the socket, so the data still
crossed the wire in a 0.2 s burst, with receive-side drops and retransmissions)." \
    "This is the sample the top-level quick start analyzes. The control and data connections of
the four sessions are interleaved on the wire (see the frame numbers below):

- **curl** ($P-cli3, anonymous, password \`ftp@example.com\`): EPSV → 229, RETR one-mb.bin (1 MiB).
  Its data connection spans nearly the whole capture; the other three sessions start and
  finish while it is running.
- **lftp** ($P-cli1, anonymous, password \`lftp@\`): PASV → 227 + LIST pub, PASV → 227 + RETR
  pub/data-64k.bin (65 536 bytes).
- **ftplib** ($P-cli2, alice, password \`wonderland-42\` in clear): PORT + LIST of alice's home, PORT +
  STOR ftpcap-upload-mixed.bin (204 800 bytes); both data connections are opened by the server
  from 192.0.2.10:20.
- **tnftp** ($P-cli1, anonymous, password \`guest@example.com\`): forced into active mode with \`-A\`;
  tnftp tries the extended command first on IPv4 too (\`epsv4\` is on by default), so it sends
  EPRT, not PORT: SYST, FEAT, EPRT + LIST (\`dir\`, in vsftpd's default ASCII type), TYPE I, SIZE,
  EPRT + RETR readme.txt, MDTM;
  vsftpd connects from port 20.

Things a correlator has to get right here: two sessions come from the same client address
198.51.100.20 (lftp and tnftp), so data connections must be matched on the announced port, not on
the client address alone; between an announcement and the SYN of its data connection there are
frames of the other sessions (compare the frame numbers in the announcement table); and with
these link rates ftplib's STOR connection from 192.0.2.10:20 normally is still open when
vsftpd opens tnftp's data connections from the same 192.0.2.10:20, so the two are told apart
only by the client port. The TCP connection table below gives the times of this recording and
says whether the port-20 connections really overlapped."
}

# ------------------------------------------------------- capture-formats --
# ONE traffic run (lftp PASV downloads + ftplib PORT upload, overlapping),
# recorded by five recorders at the same time, then converted with editcap,
# gzip and mergecap. Every recorder and conversion command is a string run
# as is (in the case's scratch directory), so the README shows exactly what
# ran. The files the clients transfer exist only during this case (anon
# tree formats/, alice's upload), so the listings of the other cases do not
# change.
FORMATS_COMMENT="ftpcap sample capture-formats: dumpcap in namespace $P-rtr on srv0 (the router interface facing the server), capture filter tcp; recorded by samples/tools/make-samples.sh"
REC_NAMES=(dumpcap any nano snap96 ring)
declare -A REC_NS=([dumpcap]=$P-rtr [any]=$P-srv [nano]=$P-rtr [snap96]=$P-rtr [ring]=$P-rtr)
declare -A REC_CMD=(
  [dumpcap]="dumpcap -i srv0 -f 'tcp' --capture-comment '$FORMATS_COMMENT' -w dumpcap.pcapng"
  [any]="tcpdump -i any -s 0 -U -Z root -w any.pcap 'tcp'"
  [nano]="tcpdump -i srv0 -s 0 -U -Z root --time-stamp-precision=nano -w nano.pcap 'tcp'"
  [snap96]="tcpdump -i srv0 -s 96 -U -Z root -w snap96.pcap 'tcp'"
  [ring]="tcpdump -i srv0 -s 0 -U -Z root -C 1 -W 10 -w ring/ring.pcap 'tcp'"
)
FORMATS_CONVERT="mkdir converted
editcap -F pcap dumpcap.pcapng converted/from-pcapng.pcap
editcap -F nsecpcap dumpcap.pcapng converted/nsec.pcap
gzip -n -c dumpcap.pcapng >converted/dumpcap.pcapng.gz
gzip -n -c converted/from-pcapng.pcap >converted/from-pcapng.pcap.gz
mergecap -F pcapng -w converted/ring-merged.pcapng ring/*"

formats_files() { # write the files the clients transfer (fixed seeds, fixed sizes)
  mkdir -p "$ANON/formats"
  "$PYTHON" "$TOOLS/sample-files.py" make-samples.sh formats anon="$ANON" work="$WORK"
  chmod -R a+rX "$ANON/formats"
  find "$ANON/formats" -exec touch -h -d '2024-01-01 12:00:00 UTC' {} +
}

rec_start() { # NAME DIR — start one recorder, return when it is capturing
  local n=$1 dir=$2 logf="$WORK/formats-logs/$1.log"
  (cd "$dir" && exec ip netns exec "${REC_NS[$n]}" bash -c "exec ${REC_CMD[$n]}") 2>"$logf" &
  REC_PID[$n]=$!
  for _ in $(seq 100); do
    grep -Eq "^(tcpdump: )?listening on|^Capturing on" "$logf" && return 0
    kill -0 "${REC_PID[$n]}" 2>/dev/null || die "recorder $n exited: $(cat "$logf")"
    sleep 0.1
  done
  die "recorder $n did not start: $(cat "$logf")"
}

# capinfos packet count of one file; fails (and so the run) on a damaged file
cap_count() {
  local out err
  err=$(capinfos -M -c "$1" 2>&1 >/dev/null) || die "capinfos failed on $1: $err"
  [ -z "$err" ] || die "capinfos complains about $1: $err"
  capinfos -M -c "$1" | awk -F': *' '/Number of packets/ {print $2}'
}

case_capture_formats() {
  local case=capture-formats dir="$SAMPLES/capture-formats" cf="$WORK/formats" n f x pkts want dropped total
  local -a files
  log "case $case"
  CMDS_MD=""
  mkdir -p "$dir" "$cf/ring" "$WORK/formats-logs"
  CLIENT_LOG="$dir/clients.log"
  : >"$CLIENT_LOG"
  reset_alice
  formats_files
  RUN_FILES=("$WORK/upload-200k.bin" "$WORK/upload-500k.bin")
  "$NETNS" shape "$FORMATS_SRV_RATE" "$FORMATS_CLI_RATE"

  # --- five recorders, one after the other, each listening before the next
  for n in "${REC_NAMES[@]}"; do
    log "  recorder $n in ${REC_NS[$n]}: ${REC_CMD[$n]}"
    rec_start "$n" "$cf"
  done
  sleep 1 # let them settle before the first SYN

  # --- the traffic: two sessions, the second starts 0.3 s after the first
  client_bg $P-cli1 "lftp -c '$LFTP_BASE; open ftp://$SRV4; ls formats; get formats/access.log; get formats/records.csv; get formats/random.bin'" "PASV: LIST + three downloads, anonymous"
  sleep 0.3
  client_bg $P-cli3 "python3 @TOOLS@/ftplib-client.py $SRV4 --user alice --password $ALICE_PASS active list stor:upload-500k.bin:ftpcap-upload-500k.bin" "active PORT: LIST + upload as alice, started 0.3 s later"
  wait_bg || die "a background client failed in $case: $(cat "$CLIENT_LOG")"

  # --- stop: 1 s for the last FIN/ACKs, SIGINT to all, wait until each has
  # flushed and closed its file(s)
  sleep 1
  for n in "${REC_NAMES[@]}"; do kill -INT "${REC_PID[$n]}"; done
  for n in "${REC_NAMES[@]}"; do
    wait "${REC_PID[$n]}" || die "recorder $n exited with status $?: $(cat "$WORK/formats-logs/$n.log")"
    unset "REC_PID[$n]"
  done
  "$NETNS" unshape
  rm -rf "$ANON/formats"
  reset_alice

  # --- every file complete, nothing dropped, file counts = recorder counts
  FORMATS_STATS=""
  for n in "${REC_NAMES[@]}"; do
    f="$WORK/formats-logs/$n.log"
    if [ "$n" = dumpcap ]; then
      # Packets received/dropped on interface 'srv0': 2419/0 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (100.0%)
      read -r want dropped < <(sed -n "s|^Packets received/dropped on interface '[^']*': \([0-9]*\)/\([0-9]*\) .*|\1 \2|p" "$f") || true
      files=("$cf/dumpcap.pcapng")
    else
      want=$(sed -n 's/^\([0-9]*\) packets captured$/\1/p' "$f")
      dropped=$(sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$f")
      case $n in
        any) files=("$cf/any.pcap") ;;
        nano) files=("$cf/nano.pcap") ;;
        snap96) files=("$cf/snap96.pcap") ;;
        ring) files=("$cf"/ring/ring.pcap*) ;;
      esac
    fi
    [ -n "$want" ] && [ -n "$dropped" ] || die "no packet counts from recorder $n: $(cat "$f")"
    [ "$dropped" = 0 ] || die "recorder $n dropped $dropped packets"
    total=0
    for x in "${files[@]}"; do
      pkts=$(cap_count "$x")
      total=$((total + pkts))
    done
    [ "$total" = "$want" ] || die "recorder $n reported $want packets, its file(s) hold $total"
    log "    $n: $want packets, 0 dropped, ${#files[@]} file(s)"
    FORMATS_STATS+="| $n | ${REC_NS[$n]} | $want | $dropped | ${#files[@]} |"$'\n'
  done
  [ "${#files[@]}" -lt 10 ] || die "the ring buffer wrapped around (10 files): traffic too big for -C 1 -W 10"

  # --- conversions
  chmod 644 "$cf"/*.pcap* "$cf"/ring/*
  (cd "$cf" && bash -euo pipefail -c "$FORMATS_CONVERT") || die "conversion failed"
  want=$(cap_count "$cf/dumpcap.pcapng")
  for x in converted/from-pcapng.pcap converted/nsec.pcap converted/dumpcap.pcapng.gz converted/from-pcapng.pcap.gz; do
    [ "$(cap_count "$cf/$x")" = "$want" ] || die "$x does not hold $want packets"
  done
  gzip -t "$cf"/converted/*.gz || die "gzip -t failed"
  [ "$(cap_count "$cf/converted/ring-merged.pcapng")" = "$total" ] || die "ring-merged.pcapng does not hold the $total packets of the ring"

  # --- into samples/capture-formats (only the files this case makes)
  rm -rf "$dir/ring" "$dir/converted"
  rm -f "$dir"/*.pcap "$dir"/*.pcapng "$dir"/tshark-frames*.txt
  cp -r "$cf/." "$dir/"
  chmod -R u=rwX,go=rX "$dir"
  (cd "$dir" && "$TOOLS/tshark-frames.sh" dumpcap.pcapng >tshark-frames.dumpcap.txt &&
    "$TOOLS/tshark-frames.sh" any.pcap >tshark-frames.any.txt)
  write_formats_readme
  log "  -> samples/$case: $(du -sk "$dir" | cut -f1) KiB on disk"
}

write_formats_readme() {
  local dir="$SAMPLES/capture-formats" ring_set compare n
  ring_set=$(cd "$dir" && ls ring/ring.pcap* | sort -V | paste -sd,)
  compare=$(cd "$dir" && "$PYTHON" "$TOOLS/compare-captures.py" dumpcap.pcapng \
    converted/from-pcapng.pcap converted/nsec.pcap converted/dumpcap.pcapng.gz converted/from-pcapng.pcap.gz \
    nano.pcap snap96.pcap "$ring_set" converted/ring-merged.pcapng any.pcap)
  {
    cat <<EOF
# capture-formats — one traffic run, recorded in every capture format users have

The same real FTP traffic (two overlapping IPv4 sessions against vsftpd: lftp in passive mode
with **PASV** downloading three files after a LIST, and Python ftplib as alice in active mode with
**PORT** doing a LIST and uploading 500 KiB) recorded **at the same time** by five recorders —
dumpcap (pcapng), tcpdump on the \`any\` device at the server (Linux cooked v2), tcpdump with
nanosecond timestamps, tcpdump with a 96-byte snap length, a tcpdump ring buffer of 1 MB files —
and then converted with editcap, gzip and mergecap. ftpcap has to give the same answer for all of
them (see [What ftpcap must do](#what-ftpcap-must-do-with-these-files)).

- **Made:** $TODAY with \`samples/tools/make-samples.sh capture-formats\` (Linux $KERNEL_VER, network namespaces)
- **Recorders:** $DUMPCAP_VER; $TCPDUMP_VER ($LIBPCAP_VER); editcap, mergecap, capinfos from the same Wireshark; gzip $(gzip --version | head -1 | awk '{print $2}')
- **Reference recording:** \`dumpcap.pcapng\` ($P-rtr / srv0). Its announcement table and control dialogue are under [Generated facts](#generated-facts-for-dumpcappcapng-capture-factspy).
- **Cross-check:** [tshark-frames.dumpcap.txt](tshark-frames.dumpcap.txt) and [tshark-frames.any.txt](tshark-frames.any.txt) (\`samples/tools/tshark-frames.sh\`, $TSHARK_VER); these are not named \`tshark-frames.txt\` because this directory has no \`capture.pcap\` (the e2e tests pair the two); client output: [clients.log](clients.log)

## Files

| file | made by | capture point |
|---|---|---|
| \`dumpcap.pcapng\` | dumpcap | $P-rtr / srv0 |
| \`any.pcap\` | tcpdump \`-i any\` | **$P-srv** (the server's own namespace: \`any\` = eth0 + lo, each packet once) |
| \`nano.pcap\` | tcpdump \`--time-stamp-precision=nano\` | $P-rtr / srv0 |
| \`snap96.pcap\` | tcpdump \`-s 96\` | $P-rtr / srv0 |
| \`ring/ring.pcap0\` … | tcpdump \`-C 1 -W 10\` (next file once one exceeds 1 000 000 bytes; at most 10, then it would overwrite ring.pcap0; names as tcpdump made them) | $P-rtr / srv0 |
| \`converted/from-pcapng.pcap\` | \`editcap -F pcap\` from dumpcap.pcapng | (copy) |
| \`converted/nsec.pcap\` | \`editcap -F nsecpcap\` from dumpcap.pcapng | (copy) |
| \`converted/dumpcap.pcapng.gz\`, \`converted/from-pcapng.pcap.gz\` | \`gzip -n\` | (copy) |
| \`converted/ring-merged.pcapng\` | \`mergecap -F pcapng\` from ring/* | (copy) |

$compare

## How each file was made

Lab: [samples/README.md](../README.md#lab). Capture filter \`tcp\` everywhere. For this case only, the
links are slowed down (\`samples/tools/netns.sh shape $FORMATS_SRV_RATE $FORMATS_CLI_RATE\`: tbf on the egress
of the server's NIC at $FORMATS_SRV_RATE and of each client's NIC at $FORMATS_CLI_RATE), so that the two
sessions overlap and the five recorders, all reading the same veth, never fall behind.

The recorders were started one after another, each in the namespace named below and in the same
empty directory, the next one only after the previous had reported that it was capturing
(\`listening on …\` / \`Capturing on 'srv0'\`); then 1 s pause, the traffic, 1 s pause, SIGINT to all
five, and the script waited until each had exited (that is when tcpdump and dumpcap flush and close
their files). Each command ran as \`ip netns exec NS bash -c 'exec COMMAND'\`:

\`\`\`sh
$(for n in "${REC_NAMES[@]}"; do echo "# ${REC_NS[$n]}"; echo "${REC_CMD[$n]}"; done)
\`\`\`

The recorders' own counters at exit (dumpcap: \`Packets received/dropped on interface 'srv0'\`,
tcpdump: \`packets captured\` / \`packets dropped by kernel\`); the script checks that every
recorder dropped nothing, that its file(s) hold exactly the packets it counted (capinfos), that
capinfos reads every file without complaint, and that the ring did not wrap around:

| recorder | namespace | packets | dropped | files |
|---|---|---:|---:|---:|
$FORMATS_STATS
Then, in the same directory:

\`\`\`sh
$FORMATS_CONVERT
\`\`\`

(\`ring/*\` expands in name order, ring.pcap0 first; mergecap merges by timestamp anyway.) gzip
\`-n\` leaves the name and time out of the gzip header, so the same input always gives the same
\`.gz\` bytes. dumpcap stored the capture comment \`$FORMATS_COMMENT\` in the pcapng section header;
the editcap conversions to pcap drop it (pcap has no comments).

## Server

$SERVER_MD

For this case only, a directory \`formats/\` is added to the anonymous tree (and removed afterwards):
\`access.log\` (1 150 000 bytes, a synthetic web-server log), \`records.csv\` (750 000 bytes of
sensor readings), \`random.bin\` (300 000 random bytes), made from fixed seeds. Text compresses, so
the \`.gz\` copies are smaller than their originals; the random parts (random.bin and the upload) do
not.

## Clients and exact command lines

- lftp $LFTP_VER in \`$P-cli1\` (198.51.100.20), anonymous, PASV (\`ftp:prefer-epsv no\`)
- $PY_VER in \`$P-cli3\` (198.51.100.22) as alice, active mode, via [samples/tools/ftplib-client.py](../tools/ftplib-client.py)

Both ran in the background, the second 0.3 s after the first; the script waited for both before
stopping the recorders. Each snippet ran as \`ip netns exec NS bash -c '...'\` in an empty working
directory with an empty \`HOME\`, under \`timeout 90\`.
$CMDS_MD
lftp: PASV → \`227 Entering Passive Mode (192,0,2,10,p1,p2).\` before each of LIST formats, RETR
access.log, RETR records.csv, RETR random.bin (plus FEAT, PWD, TYPE I, SIZE and MDTM, as lftp does).
ftplib: \`USER alice\` / \`PASS wonderland-42\` (clear text), PORT + LIST of alice's home, PORT + STOR
ftpcap-upload-500k.bin (512 000 bytes); vsftpd opens both data connections from 192.0.2.10:20.

## What ftpcap must do with these files

- **Copies of dumpcap.pcapng** — \`converted/from-pcapng.pcap\`, \`converted/nsec.pcap\`,
  \`converted/dumpcap.pcapng.gz\`, \`converted/from-pcapng.pcap.gz\` hold the same packets in the
  same order, so every frame number (announcements, SYNs, control lines) must be the same as for
  dumpcap.pcapng and the reports must be identical except for timestamps: dumpcap recorded
  nanoseconds (pcapng \`if_tsresol\` 9), \`from-pcapng.pcap\` keeps microseconds (editcap
  truncates), \`nsec.pcap\` keeps all nine digits. A \`.gz\` file must be read like the file inside
  it (or refused with a clear message — but not misread).
- **Separate recordings at the same point** — \`nano.pcap\`, \`snap96.pcap\` and the ring files were
  recorded by other processes on the same interface at the same time; the tables above say
  whether they got exactly the same packets with the same frame numbers (*In short* above). Two
  packets that cross srv0 in opposite directions at the same moment (from two CPUs) can reach two
  recorders in different orders, so a separate recording can have a few neighbouring frames
  swapped (while this case was developed, 2 of 8 runs had one or two such pairs in the ring
  and/or snap96.pcap; the other runs had none); each recorder also stamps packets itself (the same packet's timestamps differ by up to
  a few tens of µs, see *time offset*). \`nano.pcap\` is classic pcap with magic a1b23c4d: its timestamps are nanoseconds,
  not microseconds.
- **Timestamps need not increase** — the *time order* column of the file table says whether they
  do in these files; in some runs of this script a recording on srv0 had a few packets up to
  about 3 µs older than the one before them, for the same reason. ftpcap
  must keep file order (frame numbers), not sort by time, and must not turn a negative step
  into nonsense (durations, rates, gaps).
- **snap96.pcap** — every frame longer than 96 bytes is cut to 96 (Ethernet 14 + IPv4 20 + TCP 32 with timestamps
  = 66 bytes of headers, so at most 30 bytes of TCP payload). Control lines longer than 30 bytes
  are cut, among them every \`227 Entering Passive Mode (…)\` reply (see the **cut** cells in the
  announcement table); the PORT commands fit. ftpcap must not invent endpoints from a cut line,
  must not count the cut bytes as lost/missing data, and should say that the capture was
  truncated by the snap length.
- **any.pcap** — link type LINUX_SLL2 (276), recorded at the server: the same packets, but
  the order of packets that cross at nearly the same moment in opposite directions can differ
  from srv0's (a packet the server sends is seen at eth0 before srv0, a packet it receives after).
  The table above says whether frame numbers differ. The sessions, endpoints and data
  connections must be the same as for dumpcap.pcapng.
- **ring/** — the files together are one recording: read in order (ring.pcap0, ring.pcap1, …)
  they must give the same report as dumpcap.pcapng (same packets; frame numbers counted across
  the files, equal to dumpcap.pcapng's except for frames *In short* lists as moved — the
  announcement table shows whether an announcement or SYN is among them), and so must
  \`converted/ring-merged.pcapng\`. Connections cross file boundaries (see
  the ring table); a single ring file alone shows sessions without their beginning or end.

## Generated facts for dumpcap.pcapng (capture-facts.py)

EOF
    "$PYTHON" "$TOOLS/capture-facts.py" core "$dir/dumpcap.pcapng"
  } >"$dir/README.md"
}

# ------------------------------------------------------------- link-types --
# One short FTP exchange per link-layer variant ftpcap decodes, one file each.
# Every file is recorded in a lab built afresh for it (netns.sh up, vsftpd
# restarted), with the variant's own changes on top: helpers that run in the
# background while the file is recorded (vlan-tags.py, tun-link.py) and setup
# commands. Helper, setup, recorder and client commands are strings run as is
# and shown in the README. BSD loopback (LINKTYPE_NULL) cannot be recorded on
# Linux: that file is a copy of a public capture (OISF/suricata-verify).
LT_FILES=(vlan-8021q qinq-8021ad sll-v1 raw-ip ipv4-fragments)
# A directory in alice's home whose LIST command does not fit into one
# 576-byte datagram (ipv4-fragments): made before that file, removed after it.
LT_DEEP="ftpcap-archive/2024/network-measurements-collected-from-every-branch-office-by-the-operations-team-during-the-first-quarter-including-throughput-latency-jitter-and-packet-loss-figures-for-each-site/raw-data-exported-from-the-monitoring-system-before-the-yearly-capacity-review-meeting-together-with-the-scripts-that-produced-the-graphs-and-the-notes-taken-during-the-review/supporting-material-that-nobody-reads-but-everybody-wants-to-keep-just-in-case-someone-asks-about-the-numbers-again-next-year/final-versions-approved-by-the-board"
LT_BSD_SRC="${FTPCAP_CORPUS:-/work/shared/corpus}/suricata-verify/tests/detect-ftp/ftp-mode-02/input.pcap"
LT_BSD_SHA256=4ddd729e3e632673000cd2a4650aae2a181e77bef84029190c52e43282ff6769
LT_BSD_LICENSE_SRC="$SAMPLES_SRC/../test/fixtures/corpus/suricata-verify/LICENSE.txt"

declare -A LT_HELPERS=(
  [vlan-8021q]="ip netns exec $P-rtr python3 @TOOLS@/vlan-tags.py srv0 802.1Q:100
ip netns exec $P-srv python3 @TOOLS@/vlan-tags.py eth0 802.1Q:100"
  [qinq-8021ad]="ip netns exec $P-rtr python3 @TOOLS@/vlan-tags.py srv0 802.1ad:200,802.1Q:100
ip netns exec $P-srv python3 @TOOLS@/vlan-tags.py eth0 802.1ad:200,802.1Q:100"
  [sll-v1]=""
  [raw-ip]="python3 @TOOLS@/tun-link.py $P-rtr srvtun $P-srv tun0"
  [ipv4-fragments]=""
)
declare -A LT_SETUP=(
  [vlan-8021q]=""
  [qinq-8021ad]=""
  [sll-v1]=""
  [raw-ip]="ip netns exec $P-rtr ip addr del 192.0.2.1/24 dev srv0
ip netns exec $P-rtr ip addr add 192.0.2.1/24 dev srvtun
ip netns exec $P-rtr ethtool -K srvtun gso off
ip netns exec $P-rtr ip link set srvtun up
ip netns exec $P-srv ip addr del 192.0.2.10/24 dev eth0
ip netns exec $P-srv ip addr add 192.0.2.10/24 dev tun0
ip netns exec $P-srv ethtool -K tun0 gso off
ip netns exec $P-srv ip link set tun0 up
ip netns exec $P-srv ip route replace default via 192.0.2.1 dev tun0"
  [ipv4-fragments]="ip netns exec $P-rtr ip link set srv0 mtu 576
ip netns exec $P-srv ip link set eth0 mtu 576
ip netns exec $P-srv ip route replace default via 192.0.2.1 dev eth0 advmss 1460
for ns in $P-cli1 $P-cli2 $P-cli3; do ip netns exec \$ns sysctl -qw net.ipv4.ip_no_pmtu_disc=1; done"
)
declare -A LT_REC_NS=([vlan-8021q]=$P-rtr [qinq-8021ad]=$P-rtr [sll-v1]=$P-srv [raw-ip]=$P-rtr [ipv4-fragments]=$P-rtr)
declare -A LT_REC=(
  [vlan-8021q]="tcpdump -i srv0 -s 0 -U -Z root -w vlan-8021q.pcap 'vlan and tcp'"
  [qinq-8021ad]="tcpdump -i srv0 -s 0 -U -Z root -w qinq-8021ad.pcap 'vlan and vlan and tcp'"
  [sll-v1]="tcpdump -i any -y LINUX_SLL -s 0 -U -Z root -w sll-v1.pcap 'tcp'"
  [raw-ip]="tcpdump -i srvtun -s 0 -U -Z root -w raw-ip.pcap 'tcp'"
  [ipv4-fragments]="tcpdump -i srv0 -s 0 -U -Z root -w ipv4-fragments.pcap 'tcp'"
)
declare -A LT_CMDS=() LT_CHECK=() LT_COUNT=() LT_HELPER_LOG=()

lt_traffic() { # NAME — the clients of one file, one after the other
  case $1 in
    ipv4-fragments)
      client_ok $P-cli1 "python3 @TOOLS@/ftplib-client.py $SRV4 --user alice --password $ALICE_PASS active list:$LT_DEEP stor:upload-32k.bin:ftpcap-upload-frag-port.bin" \
        "Python ftplib as alice, active mode (PORT): LIST of a directory with a ${#LT_DEEP}-character path, upload of 32 KiB"
      client_ok $P-cli2 "curl -sS -T upload-32k.bin ftp://alice:$ALICE_PASS@$SRV4/ftpcap-upload-frag-epsv.bin" \
        "curl as alice, passive mode (EPSV): upload of 32 KiB"
      ;;
    *)
      client_ok $P-cli2 "curl -sS -o readme.txt ftp://$SRV4/readme.txt" \
        "curl, anonymous, passive mode (EPSV): download of readme.txt"
      client_ok $P-cli3 "python3 @TOOLS@/ftplib-client.py $SRV4 active list retr:pub/data-64k.bin" \
        "Python ftplib, anonymous, active mode (PORT): LIST, download of pub/data-64k.bin"
      ;;
  esac
}

lt_fresh_lab() { # stop vsftpd, rebuild the namespaces, start vsftpd again
  stop_vsftpd
  "$NETNS" up
  start_vsftpd
}

lt_helpers_start() { # NAME
  local cmd logf pid i=0
  while IFS= read -r cmd; do
    [ -n "$cmd" ] || continue
    i=$((i + 1))
    logf="$WORK/lt/$1.helper$i.log"
    log "  helper: ${cmd//@TOOLS@/samples/tools}"
    bash -c "exec ${cmd//@TOOLS@/$TOOLS}" >"$logf" 2>&1 &
    pid=$!
    HELPER_PIDS+=("$pid")
    for _ in $(seq 100); do
      grep -Eq '^(vlan-tags|tun-link): ' "$logf" && break
      kill -0 "$pid" 2>/dev/null || die "helper exited: ${cmd//@TOOLS@/samples/tools}: $(cat "$logf")"
      sleep 0.1
    done
    grep -Eq '^(vlan-tags|tun-link): ' "$logf" || die "helper did not start: $(cat "$logf")"
  done <<<"${LT_HELPERS[$1]}"
}

lt_helpers_stop() {
  local pid
  for pid in "${HELPER_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || die "helper $pid is gone before the end of the recording"
    wait "$pid" || die "helper $pid exited with status $?"
  done
  HELPER_PIDS=()
}

lt_check_ftp() { # every client namespace reads vsftpd's banner at 192.0.2.10 (before recording)
  local ns banner
  for ns in $P-cli1 $P-cli2 $P-cli3; do
    banner=$(ip netns exec "$ns" timeout 5 bash -c "exec 3<>/dev/tcp/$SRV4/21; head -1 <&3; echo QUIT >&3") ||
      die "$ns gets no FTP banner from $SRV4 after the setup"
  done
  log "  all clients reach vsftpd at $SRV4:21: ${banner%$'\r'}"
}

lt_count() { # FILE TSHARK-FILTER -> number of matching frames
  tshark -n -r "$1" -Y "$2" 2>/dev/null | wc -l
}
lt_tag_bytes() { # FILE HEX... -> number of frames whose bytes from offset 12 are HEX (classic pcap)
  "$PYTHON" "$TOOLS/core-vlan-tag-bytes.py" "$1" "$(printf %s "${@:2}")"
}

lt_record() { # NAME
  local n=$1 lt="$WORK/lt" logf pid want dropped pkts f
  log "  link-types: $n.pcap"
  lt_fresh_lab
  lt_helpers_start "$n"
  if [ -n "${LT_SETUP[$n]}" ]; then
    log "  setup: $(echo "${LT_SETUP[$n]}" | paste -sd ';')"
    bash -euo pipefail -c "${LT_SETUP[$n]}" || die "setup of $n failed"
  fi
  if [ "$n" = ipv4-fragments ]; then
    # alice's deep directory (the listing shows one file)
    install -d -o alice -g alice -m 755 "$ALICE_HOME/$LT_DEEP"
    printf 'final figures\n' | install -o alice -g alice -m 644 /dev/stdin "$ALICE_HOME/$LT_DEEP/figures.txt"
    find "$ALICE_HOME/ftpcap-archive" -exec touch -h -d '2024-01-01 12:00:00 UTC' {} +
  fi
  lt_check_ftp

  # recorder, then 1 s, the clients, 1 s, SIGINT
  logf="$lt/$n.rec.log"
  (cd "$lt" && exec ip netns exec "${LT_REC_NS[$n]}" bash -c "exec ${LT_REC[$n]}") 2>"$logf" &
  pid=$!
  REC_PID[link-types]=$pid
  for _ in $(seq 100); do
    grep -q 'listening on' "$logf" && break
    kill -0 "$pid" 2>/dev/null || die "recorder exited: $(cat "$logf")"
    sleep 0.1
  done
  grep -q 'listening on' "$logf" || die "recorder did not start: $(cat "$logf")"
  sleep 1
  CMDS_MD=""
  echo "#### $n.pcap" >>"$CLIENT_LOG"
  lt_traffic "$n"
  LT_CMDS[$n]=$CMDS_MD
  sleep 1
  kill -INT "$pid"
  wait "$pid" || die "recorder exited with status $?: $(cat "$logf")"
  unset "REC_PID[link-types]"
  lt_helpers_stop
  if [ "$n" = ipv4-fragments ]; then rm -rf "$ALICE_HOME/ftpcap-archive"; fi
  reset_alice

  # nothing dropped, the file holds what the recorder counted
  want=$(sed -n 's/^\([0-9]*\) packets captured$/\1/p' "$logf")
  dropped=$(sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$logf")
  [ -n "$want" ] && [ "$dropped" = 0 ] || die "recorder of $n: $(cat "$logf")"
  f="$lt/$n.pcap"
  pkts=$(cap_count "$f")
  [ "$pkts" = "$want" ] || die "$n.pcap holds $pkts packets, tcpdump counted $want"
  LT_COUNT[$n]="$want captured, 0 dropped by kernel"
  log "    $n.pcap: $pkts packets, $(stat -c %s "$f") bytes"

  # the link layer really is what the file is for
  local enc all a b c
  enc=$(capinfos -E "$f" | sed -n 's/^File encapsulation: *//p')
  case $n in
    vlan-8021q)
      a=$(lt_count "$f" 'eth.type == 0x8100 && vlan.id == 100 && vlan.etype == 0x0800 && tcp')
      b=$(lt_tag_bytes "$f" 8100006408 00)
      [ "$enc" = "Ethernet" ] && [ "$a" = "$pkts" ] && [ "$b" = "$pkts" ] ||
        die "$n: encapsulation $enc, $a (tshark) / $b (bytes) of $pkts frames tagged 802.1Q VLAN 100"
      LT_CHECK[$n]="all $pkts frames are \`eth.type == 0x8100 && vlan.id == 100 && vlan.etype == 0x0800 && tcp\` for tshark, and bytes 12–17 of every frame are \`81 00 00 64 08 00\` (TPID 0x8100, TCI: priority 0, VLAN 100; then IPv4)"
      ;;
    qinq-8021ad)
      a=$(lt_count "$f" 'eth.type == 0x88a8 && ieee8021ad.id == 200 && vlan.id == 100 && vlan.etype == 0x0800 && tcp')
      b=$(lt_tag_bytes "$f" 88a800c881000064 0800)
      [ "$enc" = "Ethernet" ] && [ "$a" = "$pkts" ] && [ "$b" = "$pkts" ] ||
        die "$n: encapsulation $enc, $a (tshark) / $b (bytes) of $pkts frames tagged 802.1ad 200 + 802.1Q 100"
      LT_CHECK[$n]="all $pkts frames are \`eth.type == 0x88a8 && ieee8021ad.id == 200 && vlan.id == 100 && vlan.etype == 0x0800 && tcp\` for tshark (its 802.1ad dissector decodes the service tag, its vlan dissector the inner one), and bytes 12–21 of every frame are \`88 a8 00 c8 81 00 00 64 08 00\` (TPID 0x88a8, VLAN 200; TPID 0x8100, VLAN 100; then IPv4)"
      ;;
    sll-v1)
      [ "$enc" = "Linux cooked-mode capture v1" ] || die "$n: encapsulation $enc"
      a=$(lt_count "$f" 'sll.pkttype == 0'); b=$(lt_count "$f" 'sll.pkttype == 4')
      c=$(lt_count "$f" 'sll.hatype == 1 && sll.halen == 6 && sll.etype == 0x0800 && tcp')
      [ "$c" = "$pkts" ] || die "$n: $c of $pkts frames are Ethernet-device IPv4 in the cooked header"
      LT_CHECK[$n]="capinfos: *$enc*; all $pkts frames are \`sll.hatype == 1 && sll.halen == 6 && sll.etype == 0x0800 && tcp\` (sent or received on an Ethernet device, 6-byte address, IPv4); \`sll.pkttype\` is 0 (addressed to the server) in $a frames and 4 (sent by the server) in $b"
      ;;
    raw-ip)
      [ "$enc" = "Raw IP" ] || die "$n: encapsulation $enc"
      LT_CHECK[$n]="capinfos: *$enc*; every frame starts with the IPv4 header (no link-layer header)"
      ;;
    ipv4-fragments)
      a=$(lt_count "$f" 'ip.flags.mf == 1 || ip.frag_offset > 0')
      b=$(lt_count "$f" 'ftp.request.command == "LIST" && ip.fragments')
      c=$(lt_count "$f" 'ip.fragments && tcp.len > 0 && !(tcp.port == 21)')
      [ "$enc" = "Ethernet" ] && [ "$a" -gt 0 ] && [ "$b" = 1 ] && [ "$c" -gt 0 ] ||
        die "$n: encapsulation $enc, $a fragments, $b fragmented LIST commands, $c fragmented data segments"
      LT_CHECK[$n]="$a frames are fragments (\`ip.flags.mf == 1 || ip.frag_offset > 0\`); tshark reassembles $(lt_count "$f" 'ip.fragments') datagrams from them (\`ip.fragments\`, shown at their last fragment): the \`LIST\` command ($b) and $c data segments of the two uploads (\`ip.fragments && tcp.len > 0 && !(tcp.port == 21)\`); $(lt_count "$f" 'ip.src == 192.0.2.10 && (ip.flags.mf == 1 || ip.frag_offset > 0)') fragments come from the server"
      ;;
  esac
  log "    check: ${LT_CHECK[$n]}"
}

case_link_types() {
  local case=link-types dir="$SAMPLES/link-types" n sha
  log "case $case"
  mkdir -p "$dir" "$WORK/lt"
  CLIENT_LOG="$dir/clients.log"
  : >"$CLIENT_LOG"
  reset_alice
  "$PYTHON" "$TOOLS/sample-files.py" make-samples.sh link-types work="$WORK"
  RUN_FILES=("$WORK/upload-200k.bin" "$WORK/upload-32k.bin")
  for n in "${LT_FILES[@]}"; do lt_record "$n"; done
  lt_fresh_lab # leave a plain lab for the cases after this one

  # the public BSD loopback capture: keep the copy if it is intact, else copy it
  if [ ! -f "$dir/bsd-null-suricata.pcap" ] ||
    [ "$(sha256sum <"$dir/bsd-null-suricata.pcap" | cut -d' ' -f1)" != "$LT_BSD_SHA256" ]; then
    [ -r "$LT_BSD_SRC" ] || die "bsd-null-suricata.pcap missing and $LT_BSD_SRC not found (set FTPCAP_CORPUS)"
    sha=$(sha256sum <"$LT_BSD_SRC" | cut -d' ' -f1)
    [ "$sha" = "$LT_BSD_SHA256" ] || die "$LT_BSD_SRC has sha256 $sha, not $LT_BSD_SHA256"
    install -m 644 "$LT_BSD_SRC" "$dir/bsd-null-suricata.pcap"
  fi
  if [ ! -s "$dir/bsd-null-suricata.LICENSE.txt" ]; then
    [ -r "$LT_BSD_LICENSE_SRC" ] || die "no licence text for bsd-null-suricata.pcap"
    install -m 644 "$LT_BSD_LICENSE_SRC" "$dir/bsd-null-suricata.LICENSE.txt"
  fi

  for n in "${LT_FILES[@]}"; do
    install -m 644 "$WORK/lt/$n.pcap" "$dir/$n.pcap"
  done
  for n in "${LT_FILES[@]}" bsd-null-suricata; do
    "$TOOLS/tshark-frames.sh" "$dir/$n.pcap" >"$dir/$n.tshark-frames.txt"
  done
  write_link_types_readme
  log "  -> samples/$case: $(du -sk "$dir" | cut -f1) KiB on disk"
}

declare -A LT_HEAD=(
  [vlan-8021q]="802.1Q VLAN tag on every frame"
  [qinq-8021ad]="802.1ad outer tag + 802.1Q inner tag (QinQ) on every frame"
  [sll-v1]="Linux cooked capture v1 (tcpdump -i any -y LINUX_SLL)"
  [raw-ip]="raw IP: a tun point-to-point link, no link-layer header"
  [ipv4-fragments]="IPv4 fragments of TCP segments (control and data)"
)
declare -A LT_AT=(
  [vlan-8021q]="$P-rtr / srv0"
  [qinq-8021ad]="$P-rtr / srv0"
  [sll-v1]="$P-srv / any (= eth0 + lo)"
  [raw-ip]="$P-rtr / srvtun (tun)"
  [ipv4-fragments]="$P-rtr / srv0 (after the fragmenting router)"
)

lt_story() { # NAME — how the variant is made and what is special in the file
  case $1 in
    vlan-8021q) cat <<EOF
Every frame on the router–server link carries an IEEE 802.1Q tag: TPID 0x8100, VLAN 100
(priority 0, DEI 0), then the IPv4 ethertype — as when \`srv0\` and the server's \`eth0\` are
ports of VLAN 100, or when a VLAN sub-interface \`srv0.100\` is used and its parent is recorded.
The lab kernel (Linux $KERNEL_VER) is built without 802.1Q support and without loadable modules:
\`ip link add link srv0 name srv0.100 type vlan id 100\` fails with *Error: Unknown device type.*,
and bridge VLAN filtering and the tc \`vlan\` action are missing too. So
[samples/tools/vlan-tags.py](../tools/vlan-tags.py) tags the frames instead: it attaches two
eBPF programs (a dozen instructions, loaded through the bpf(2) system call, attached with tcx)
to the interface — on egress \`bpf_skb_vlan_push(0x8100, 100)\`, on ingress \`bpf_skb_vlan_pop\`,
the kernel functions the vlan driver and the tc vlan action use. One runs on \`srv0\` in $P-rtr,
one on \`eth0\` in $P-srv; addresses and routes stay as in the plain lab. tcpdump on \`srv0\` sees
the tag on both directions (on transmit after the egress hook, on receive before the ingress
hook). As with any VLAN-offloading NIC (veth has \`tx-vlan-offload\` on), the kernel keeps the
tag in the packet's metadata and libpcap writes it back into the recorded frame, exactly as for
the parent of a vlan sub-interface. The capture filter \`vlan and tcp\` keeps only tagged TCP
frames, so an untagged frame could not have slipped in. Frames are 4 bytes longer than in the
other samples (a full-size one is 1518 bytes).
EOF
      ;;
    qinq-8021ad) cat <<EOF
Every frame carries two tags: an outer IEEE 802.1ad service tag (TPID 0x88a8, VLAN 200) and an
inner 802.1Q customer tag (TPID 0x8100, VLAN 100), then IPv4 — the frame of a QinQ provider
link, as \`ip link add link srv0 name srv0.200 type vlan protocol 802.1ad id 200\` plus
\`ip link add link srv0.200 name srv0.200.100 type vlan id 100\` would make (this kernel has no
vlan links, see [vlan-8021q.pcap](#vlan-8021q)).
[vlan-tags.py](../tools/vlan-tags.py) pushes 802.1Q 100 first and then 802.1ad 200 (the second
push moves the first tag from the metadata into the frame's bytes, where it stays), and pops
both on receive; otherwise as vlan-8021q. The capture filter is \`vlan and vlan and tcp\`.
Frames are 8 bytes longer than untagged ones (full size: 1522 bytes).
EOF
      ;;
    sll-v1) cat <<EOF
tcpdump on the \`any\` pseudo-device in the server's namespace, with \`-y LINUX_SLL\`: link type
LINUX_SLL (113), Linux cooked capture **v1**. Instead of an Ethernet header each frame starts
with the 16-byte cooked header: packet type (0 = addressed to this host, 4 = sent by it), ARPHRD
type (1 = Ethernet), address length (6) and the first 8 bytes of the link-layer source address,
then the protocol (0x0800). There is no destination address and no interface index (v2 adds
the index). Plain lab, nothing else changed. Without \`-y\`, tcpdump 4.99 with libpcap 1.10
writes v2 (LINUX_SLL2, 276): that variant is \`capture-formats/any.pcap\`.
EOF
      ;;
    raw-ip) cat <<EOF
The router–server link is a point-to-point IP link made of two tun devices, \`srvtun\` in $P-rtr
and \`tun0\` in $P-srv, joined by [samples/tools/tun-link.py](../tools/tun-link.py), which copies
every datagram one side sends into the other. The lab kernel has no ipip, sit or gre tunnels
(\`ip link add ipip0 type ipip …\` fails with *Error: Unknown device type.*), but has tun. The IPv4
addresses move from the veth pair to the tun devices and the server's default route goes
through \`tun0\`, so all FTP traffic (IPv4) crosses the tun link; the veth pair stays up with only
its IPv6 addresses. tcpdump on \`srvtun\` records link type RAW (101): a tun device has no
link-layer header (ARPHRD_NONE, which libpcap maps to DLT_RAW), so every frame is a bare IPv4
datagram. Generic segmentation offload is off on both tun devices (they have no other offload),
so every frame is one datagram of at most 1500 bytes. The file has more ACK-only frames than
the Ethernet ones (the receive path through a tun device coalesces fewer segments); the FTP
content is the same.
EOF
      ;;
    ipv4-fragments) cat <<EOF
The router–server link gets MTU 576 (\`srv0\` and the server's \`eth0\`); the clients keep 1500
and send TCP without the Don't Fragment bit (\`net.ipv4.ip_no_pmtu_disc=1\` in their namespaces:
Linux TCP sets DF unless path MTU discovery is off), and the server advertises MSS 1460 anyway
(\`advmss 1460\` on its default route: a server on a 1500-byte LAN behind a narrow link). So the
clients send up to 1500-byte datagrams and $P-rtr, forwarding them onto \`srv0\`, cuts each
one into fragments of at most 576 bytes, which tcpdump records there. The MTU is set on both
ends of the link because a veth drops a frame that is larger than the receiving end's MTU: a
1500-byte \`eth0\` could not send its 1500-byte segments to a 576-byte \`srv0\`.

Only the client→server direction is fragmented. The server's own TCP keeps to its 576-byte
link (and sets DF), and server→client datagrams could only be fragmented by $P-rtr on the
client side, after this capture point: with a single router, no one capture point sees both
directions fragmented. So the sessions upload, and control and data both travel client→server
in fragments wherever a segment is longer than 524 bytes (576 − 20 IPv4 − 32 TCP with
timestamps). Every client datagram is sent without DF except the SYN-ACKs of ftplib's
listening sockets (active mode), which are small anyway.

- the \`LIST\` command of the first session names a directory in alice's home with a
  ${#LT_DEEP}-character path (made for this file, removed afterwards), so the command line
  ($(( ${#LT_DEEP} + 7 )) bytes with \`LIST \` and CRLF) does not fit into one 576-byte datagram and
  is sent in two fragments;
- both uploads (32 768 bytes each, from fixed seeds) go in 1500-byte datagrams of 1448 bytes of
  payload, each cut into three fragments.

tshark reassembles fragments (\`ip.defragment\`, on by default) and shows the TCP segment at the
frame of its **last** fragment; the first fragments are listed as *Fragmented IP protocol*. The
frame numbers in the tables below and in the tshark-frames file are those of the last fragments.
EOF
      ;;
  esac
}

lt_must_find() { # NAME
  case $1 in
    ipv4-fragments) cat <<EOF
Two sessions, both as alice (password \`wonderland-42\`, in clear text):

1. Python ftplib from 198.51.100.20: \`PORT\` → \`LIST $LT_DEEP\` → active data
   connection from 192.0.2.10:20 to the announced port (a one-line listing: figures.txt); then
   \`PORT\` → \`STOR ftpcap-upload-frag-port.bin\` → active data connection from 192.0.2.10:20,
   32 768 bytes client→server. The \`LIST\` line is only readable after reassembling its two
   fragments: ftpcap must show it as the command of the first data connection, not as a gap or
   garbage in the control stream.
2. curl from 198.51.100.21: \`EPSV\` → \`229 Entering Extended Passive Mode (|||port|)\` →
   passive data connection to 192.0.2.10:port, \`STOR ftpcap-upload-frag-epsv.bin\`, 32 768 bytes.

Every uploaded byte must be counted once: the fragments are pieces of datagrams, not TCP
segments, so they must not show up as lost, out-of-order or retransmitted data. The frame
numbers of the announcements and SYNs (tshark-frames file, tables below) are not fragmented.
EOF
      ;;
    *) cat <<EOF
Two sessions, the same traffic as in the other link-layer files recorded here (only ports,
timestamps and perhaps the order of a few frames differ between recordings):

1. curl from 198.51.100.21, anonymous: \`EPSV\` → \`229 Entering Extended Passive Mode (|||port|)\`
   (no address: the data connection goes to the server address of the control connection) →
   passive data connection 198.51.100.21 → 192.0.2.10:port, \`RETR readme.txt\`, 119 bytes
   server→client.
2. Python ftplib from 198.51.100.22, anonymous (password \`anonymous@\`): \`PORT
   198,51,100,22,p1,p2\` → \`LIST\` → active data connection **from 192.0.2.10:20** to the
   announced port (the anonymous root listing); \`PORT\` → \`RETR pub/data-64k.bin\` → active
   data connection from 192.0.2.10:20, 65 536 bytes server→client.

So: 2 control connections, 3 announcements (one 229, two PORT), 3 data connections, each
opened by the frame the tshark-frames file lists, and nothing left unmatched.
EOF
      ;;
  esac
}

write_link_types_readme() {
  local dir="$SAMPLES/link-types" n f enc ltype pkts size cmd
  {
    cat <<EOF
# link-types — one short FTP exchange per link-layer encapsulation ftpcap decodes

Five small real recordings made in the lab, one per link-layer variant: **802.1Q VLAN**,
**802.1ad + 802.1Q (QinQ)**, **Linux cooked v1**, **raw IP** and **IPv4 fragments**; plus a copy
of a public capture with **BSD loopback (NULL)** framing, which Linux cannot record. Linux cooked
**v2** is in [capture-formats/any.pcap](../capture-formats/README.md) and not repeated here.

- **Made:** $TODAY with \`samples/tools/make-samples.sh link-types\` (Linux $KERNEL_VER, network namespaces), $TCPDUMP_VER ($LIBPCAP_VER)
- **Cross-check:** \`<file>.tshark-frames.txt\` next to each file (\`samples/tools/tshark-frames.sh <file>\`, $TSHARK_VER); client output: [clients.log](clients.log)

## Files

| file | link type (pcap header) | capinfos encapsulation | packets | bytes | recorded at | what it holds |
|---|---|---|---:|---:|---|---|
EOF
    for n in "${LT_FILES[@]}" bsd-null-suricata; do
      f="$dir/$n.pcap"
      ltype=$(od -An -tu4 -j20 -N4 "$f" | tr -d ' ')
      enc=$(capinfos -E "$f" | sed -n 's/^File encapsulation: *//p')
      pkts=$(capinfos -M -c "$f" | awk -F': *' '/Number of packets/ {print $2}')
      size=$(stat -c %s "$f")
      if [ "$n" = bsd-null-suricata ]; then
        echo "| [$n.pcap](#bsd-null-suricata) | $ltype (NULL) | $enc | $pkts | $size | (not recorded here: OISF/suricata-verify) | one loopback control connection to ProFTPD, two malformed PORT commands, no data connection |"
      else
        echo "| [$n.pcap](#$n) | $ltype ($(case $ltype in 1) echo ETHERNET ;; 113) echo LINUX_SLL ;; 101) echo RAW ;; *) echo '?' ;; esac)) | $enc | $pkts | $size | ${LT_AT[$n]} | ${LT_HEAD[$n]} |"
      fi
    done
    cat <<EOF

## How the files were made

Lab and server: [samples/README.md](../README.md#lab); vsftpd as in every case (anonymous
read-only tree, local user alice, passive ports 40000–40100, active connections from port 20).
Each recorded file has a lab of its own: the script runs \`samples/tools/netns.sh up\` (which
first removes the previous lab), starts vsftpd in $P-srv, then

1. starts the file's **helpers** in the background (from the host's namespace) and waits until
   each has printed its ready line;
2. runs the file's **setup** commands;
3. checks that every client namespace reads vsftpd's \`220\` banner from 192.0.2.10 (before the
   recorder starts, so this is not in the file);
4. starts the **recorder** as \`ip netns exec NS bash -c 'exec COMMAND'\` in an empty directory and
   waits for its \`listening on\` line; 1 s pause; the **clients**, one after the other, each as
   \`ip netns exec NS bash -c '...'\` in an empty working directory with an empty \`HOME\`, under
   \`timeout 90\`; 1 s pause; SIGINT to the recorder, then SIGTERM to the helpers;
5. checks that tcpdump dropped nothing, that the file holds the packets tcpdump counted, and
   that the link layer is what the file is for (the *check* line of each file below).

Helpers, setup and recorder commands of each file are shown exactly as they ran (\`samples/tools\`
stands for the script's own directory).

EOF
    for n in "${LT_FILES[@]}"; do
      f="$dir/$n.pcap"
      enc=$(capinfos -E "$f" | sed -n 's/^File encapsulation: *//p')
      pkts=$(capinfos -M -c "$f" | awk -F': *' '/Number of packets/ {print $2}')
      echo "<a id=\"$n\"></a>"
      echo
      echo "## $n.pcap — ${LT_HEAD[$n]}"
      echo
      echo "- **Packets:** $pkts; **encapsulation** (capinfos): $enc; **link type** $(od -An -tu4 -j20 -N4 "$f" | tr -d ' ') in the pcap header; $(stat -c %s "$f") bytes"
      echo "- **Recorded at:** ${LT_AT[$n]}; tcpdump: ${LT_COUNT[$n]}"
      echo "- **Check:** ${LT_CHECK[$n]}"
      echo "- **Cross-check:** [$n.tshark-frames.txt]($n.tshark-frames.txt)"
      echo
      lt_story "$n"
      echo
      echo "### Commands"
      echo
      if [ -n "${LT_HELPERS[$n]}" ]; then
        echo "Helpers (background, running while the file was recorded):"
        echo
        echo '```sh'
        echo "${LT_HELPERS[$n]//@TOOLS@/samples/tools}"
        echo '```'
        echo
      fi
      if [ -n "${LT_SETUP[$n]}" ]; then
        echo "Setup:"
        echo
        echo '```sh'
        echo "${LT_SETUP[$n]}"
        echo '```'
        echo
      fi
      if [ "$n" = ipv4-fragments ]; then
        echo "Server content for this file only (alice's home, removed afterwards): the directory"
        echo "\`$LT_DEEP\` with one file, \`figures.txt\` (14 bytes)."
        echo
      fi
      echo "Recorder, in \`${LT_REC_NS[$n]}\`:"
      echo
      echo '```sh'
      echo "${LT_REC[$n]}"
      echo '```'
      echo
      echo "Clients:"
      echo "${LT_CMDS[$n]}"
      echo "### What ftpcap must find"
      echo
      lt_must_find "$n"
      echo
      echo "### Generated facts (capinfos + tshark, by samples/tools/capture-facts.py)"
      echo
      "$PYTHON" "$TOOLS/capture-facts.py" core "$f" | sed 's/^### /#### /'
    done
    cat <<EOF
<a id="bsd-null-suricata"></a>

## bsd-null-suricata.pcap — BSD loopback, copied from OISF/suricata-verify

Linux cannot record LINKTYPE_NULL (0) or LINKTYPE_LOOP (108): they are the framing of the BSD
and macOS loopback interface (\`lo0\`; OpenBSD uses LOOP) — a 4-byte address family (NULL: in
the recording host's byte order; LOOP: big-endian), then the IP packet. Linux records its \`lo\`
with (zeroed) Ethernet headers instead. So this file is a byte-identical copy of a public capture:

- **origin:** [OISF/suricata-verify](https://github.com/OISF/suricata-verify), path
  \`tests/detect-ftp/ftp-mode-02/input.pcap\`, snapshot commit
  \`10a45e4bad6d29d0f1239d93119ea24e1bbdab19\`, last commit touching the file
  \`88adf0faa14bd8cbd446ba4b8b040c2046943bba\` (2025-05-14); taken from the shared corpus
  (\`/work/shared/corpus/suricata-verify/…\`, see its \`SOURCES.md\`)
- **sha256:** \`$LT_BSD_SHA256\`
- **licence:** MIT, Copyright (C) Open Information Security Foundation — the licence text is in
  [bsd-null-suricata.LICENSE.txt](bsd-null-suricata.LICENSE.txt) (the repository's \`LICENSE.txt\`,
  the same copy as \`test/fixtures/corpus/suricata-verify/LICENSE.txt\`).
- The test of that directory (\`test.yaml\`) reads \`../../ftp-epsv/input.pcap\`, not this file;
  Suricata's expectations therefore say nothing about it.

Contents (tshark): link type NULL with address family 2 (AF_INET) in little-endian order, 18
frames within 17 µs (hand-made timestamps), one TCP connection 127.0.0.1:62014 →
127.0.0.1:21 to a ProFTPD 1.3.0a banner: \`USER ftp\`, \`PASS ftp\`, \`SYST\`, then
\`PORT 1234\` and \`PORT 1234123412341234…\` (64 digits, no commas), to which the "server" answers
with a FEAT reply (\`211-Features:\` / \`211 End\`); \`PWD\` → \`257\`, and a last reply that is a
single NUL byte. There is no data connection, the connection is not closed, and every IPv4
and TCP checksum is 0 (the packets were made by a program, not recorded on a wire).

### What ftpcap must find

One session (127.0.0.1:62014 → 127.0.0.1:21, the whole file), its control dialogue, **no**
announcement (both \`PORT\` arguments are malformed: ftpcap may flag them, but must not turn them
into endpoints), no data connection, and the NUL-byte reply handled without breaking the output.
tshark lists the two PORT commands without decoding an endpoint
([bsd-null-suricata.tshark-frames.txt](bsd-null-suricata.tshark-frames.txt)).

### Generated facts (capinfos + tshark, by samples/tools/capture-facts.py)

EOF
    "$PYTHON" "$TOOLS/capture-facts.py" core "$dir/bsd-null-suricata.pcap" | sed 's/^### /#### /'
  } >"$dir/README.md"
}

# ------------------------------------------------------------------- run --
for c in "${CASES[@]}"; do
  "case_${c//-/_}"
done

# ------------------------------------------------------------- the index --
declare -A INDEX_LINE=(
  [passive-pasv]="lftp, anonymous, IPv4 passive **PASV/227**: one session, LIST + 2 RETR + LIST"
  [passive-epsv]="curl, anonymous, IPv4 passive **EPSV/229**: RETR one-mb.bin; second session LIST pub/"
  [active-port]="Python ftplib as alice, IPv4 active **PORT** (server connects from port 20): LIST, RETR, STOR 200 KiB"
  [active-eprt]="curl active: anonymous RETR with **EPRT**, upload as alice with **PORT** (\`--disable-eprt\`)"
  [ipv6]="IPv6: curl **EPSV** RETR, curl **EPRT** RETR, ftplib EPSV LIST + EPRT RETR in one session"
  [vsftpd-mixed]="showcase: 4 overlapping sessions, 3 clients (curl EPSV, lftp PASV, ftplib PORT as alice, tnftp EPRT)"
  [capture-formats]="one run (lftp PASV downloads + ftplib PORT upload) recorded at once as **pcapng** (dumpcap), **Linux cooked v2** (\`tcpdump -i any\` at the server), **nanosecond pcap**, **snap length 96**, a **ring buffer**; plus editcap / gzip / mergecap conversions. Packets and bytes: dumpcap.pcapng"
  [link-types]="one short exchange (curl EPSV + ftplib PORT, or uploads) per link layer: **802.1Q VLAN**, **802.1ad QinQ**, **Linux cooked v1**, **raw IP** (tun), **IPv4 fragments**; plus a public **BSD loopback (NULL)** capture from suricata-verify. Packets and bytes: the six files together"
)
write_index() {
  local c cap pkts size summary more
  # The "## More samples" section lists the cases the other recording scripts make
  # (make-loss-samples.sh, make-failure-samples.sh, ...); it is kept as it is.
  more=$(mktemp)
  [ -f "$SAMPLES/README.md" ] &&
    awk '/^## More samples/ {f = 1; print; next} f && /^## / {f = 0} f' "$SAMPLES/README.md" >"$more"
  {
    cat <<EOF
# Sample captures

Real FTP sessions between real clients and a real vsftpd server, recorded in Linux network
namespaces on one machine with documentation addresses only (192.0.2.0/24, 198.51.100.0/24,
2001:db8::/32). Every case directory holds \`capture.pcap\` (classic pcap, Ethernet,
microsecond timestamps), \`README.md\` (server, client, exact command lines, what the capture
shows, frame by frame), \`tshark-frames.txt\` (Wireshark's view of every announcement and every
data-connection SYN/SYN-ACK, to cross-check ftpcap) and \`clients.log\` (the clients' own output).
The exceptions are \`capture-formats\`: one traffic run recorded simultaneously by five recorders
and converted, in twelve files of different formats (no \`capture.pcap\`; its tshark views are
\`tshark-frames.dumpcap.txt\` and \`tshark-frames.any.txt\`), and \`link-types\`: one small file
per link-layer variant, each recorded in a lab changed for it, with \`<file>.tshark-frames.txt\`
next to it; see their READMEs.

| case | packets | bytes | what it shows |
|---|---:|---:|---|
EOF
    for c in "${ALL_CASES[@]}"; do
      cap="$SAMPLES/$c/capture.pcap"
      [ "$c" != capture-formats ] || cap="$SAMPLES/$c/dumpcap.pcapng"
      if [ "$c" = link-types ]; then
        [ -f "$SAMPLES/$c/vlan-8021q.pcap" ] || continue
        pkts=0 size=0
        for cap in "$SAMPLES/$c"/*.pcap; do
          pkts=$((pkts + $(capinfos -M -c "$cap" | awk -F': *' '/Number of packets/ {print $2}')))
          size=$((size + $(stat -c %s "$cap")))
        done
        echo "| [$c]($c/README.md) | $pkts | $size | ${INDEX_LINE[$c]} |"
        continue
      fi
      [ -f "$cap" ] || continue
      pkts=$(capinfos -M -c "$cap" | awk -F': *' '/Number of packets/ {print $2}')
      size=$(stat -c %s "$cap")
      echo "| [$c]($c/README.md) | $pkts | $size | ${INDEX_LINE[$c]} |"
    done
    cat <<EOF

Last generated: $TODAY.

EOF
    if [ -s "$more" ]; then cat "$more"; fi
    cat <<EOF
## Lab

\`\`\`
$P-srv   192.0.2.10/24, 2001:db8:2::10/64        vsftpd
   |
$P-rtr   srv0: 192.0.2.1/24, 2001:db8:2::1/64     <- capture point (tcpdump -i srv0 'tcp'; capture-formats also records in $P-srv)
         br0:  198.51.100.1/24, 2001:db8:1::1/64  (bridge: cli1 cli2 cli3), forwarding on
   |
$P-cli1  198.51.100.20, 2001:db8:1::20
$P-cli2  198.51.100.21, 2001:db8:1::21
$P-cli3  198.51.100.22, 2001:db8:1::22
\`\`\`

The namespaces are not connected to the host; the router knows only its two connected
networks, so no packet can leave the lab. \`samples/tools/netns.sh up|down\` builds and removes
it (later firewall / NAT cases add nftables rules in \`$P-rtr\`).

## Software

| role | software |
|---|---|
| server | vsftpd $VSFTPD_VER |
| client | lftp $LFTP_VER |
| client | curl $CURL_VER |
| client | $PY_VER |
| client | $TNFTP_VER |
| capture | $TCPDUMP_VER ($LIBPCAP_VER) |
| capture (capture-formats) | $DUMPCAP_VER, with editcap and mergecap |
| cross-check | $TSHARK_VER |
| kernel | Linux $KERNEL_VER |

## Server configuration

vsftpd runs in the foreground in \`$P-srv\` with this file (paths are the script's temp dir):

\`\`\`
$(sed "s#$WORK#/tmp/ftpcap-samples.XXXXXX#g" "$VSFTPD_CONF")
\`\`\`

Local user \`alice\` (password \`wonderland-42\`) is created with \`useradd -m\` if missing; her
home directory holds \`readme.txt\` and \`notes.txt\`, and uploads from earlier runs
(\`ftpcap-upload-*.bin\`) are removed at the start of every run. File contents are generated
from fixed seeds and have fixed mtimes, so payloads and listings are identical on every run;
only timestamps, ephemeral ports and vsftpd's choice of passive port change.

## Regenerate

One command regenerates any family of samples (each recorded by its own \`make-*.sh\` in a lab of
its own, all built with the one library \`tools/lab.sh\`), then the expected reports are
regenerated and reviewed:

\`\`\`sh
samples/tools/make.sh list                          # the families: core, loss, other-server, failure, protocol, foreign, hostile, files, transfer, firewall
sudo samples/tools/make.sh hostile                  # one family (hostile: about 10 s)
sudo samples/tools/make.sh core ipv6 active-port    # some cases of a family
sudo samples/tools/make.sh all                      # every family
sudo NS_PREFIX=xy SAMPLES_OUT=/tmp/scratch samples/tools/make.sh failure   # beside another lab, into a scratch directory
UPDATE_EXPECTED=1 npx vitest run test/e2e           # the expected reports of what changed; then git diff --stat samples/
\`\`\`

A recording changes timestamps, ephemeral ports and the passive ports the server picks, so the
captures differ byte for byte; their analysis must not (sessions, data channels, statuses and
findings). The core family (\`make-samples.sh\`, about 100 s; capture-formats about 15 s,
link-types about 40 s) needs root, a kernel with network namespaces, veth, bridge and the tbf
qdisc (link-types also: tun and eBPF with tcx, Linux >= 6.6), and: iproute2, ethtool,
iputils-ping, tcpdump, tshark, capinfos, dumpcap, editcap and mergecap (Debian packages \`tshark\`,
\`wireshark-common\`), gzip, vsftpd, lftp, curl, ftp (tnftp), python3. On Debian 12:

\`\`\`sh
sudo apt-get install -y iproute2 ethtool iputils-ping tcpdump tshark vsftpd lftp curl ftp python3
\`\`\`

Each script builds its lab, starts its own servers (it does not touch /etc/vsftpd.conf or a
running system vsftpd; it only needs port 21 free inside its own namespace), records every
case, rewrites the case directories (the core family also this file), and tears everything
down on exit, error or Ctrl-C. The scripts, the settings (\`NS_PREFIX\`, \`SAMPLES_OUT\`,
\`KEEP_WORK\`) and every function of the library: [tools/README.md](tools/README.md).
EOF
  } >"$SAMPLES/README.md"
  rm -f "$more"
}
write_index
