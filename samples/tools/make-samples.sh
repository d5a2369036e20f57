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
#   5. rewrites samples/README.md (index) and tears everything down, also on
#      error or Ctrl-C (trap).
#
# Needs: root, iproute2, ethtool, iputils-ping, tcpdump, tshark + capinfos
# (wireshark-common), vsftpd, lftp, curl, tnftp (package ftp), python3.
# Re-running regenerates everything; captures differ only in timestamps,
# ephemeral ports and the passive ports vsftpd picks (40000-40100).
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SAMPLES=$(dirname "$TOOLS")
NETNS="$TOOLS/netns.sh"
PYTHON=${PYTHON:-/usr/bin/python3}
ALL_CASES=(passive-pasv passive-epsv active-port active-eprt ipv6 vsftpd-mixed)

SRV4=192.0.2.10
SRV6=2001:db8:2::10
CAPTURE_NS=fc-rtr
CAPTURE_IF=srv0
ALICE_PASS=wonderland-42
# link rates for vsftpd-mixed (tc tbf units)
MIXED_SRV_RATE=4mbit
MIXED_CLI_RATE=2mbit

log() { printf '[make-samples %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- preflight --
[ "$(id -u)" = 0 ] || die "run as root (network namespaces, vsftpd, tcpdump)"
for c in ip ethtool ping tcpdump tshark capinfos vsftpd lftp curl ftp useradd chpasswd "$PYTHON"; do
  command -v "$c" >/dev/null || die "missing command: $c"
done
if [ $# -gt 0 ]; then CASES=("$@"); else CASES=("${ALL_CASES[@]}"); fi
for c in "${CASES[@]}"; do
  [[ " ${ALL_CASES[*]} " == *" $c "* ]] || die "unknown case: $c (known: ${ALL_CASES[*]})"
done

START_TS=$(date +%s)
WORK=$(mktemp -d /tmp/ftpcap-samples.XXXXXX)
chmod 755 "$WORK"
VSFTPD_PID=""
TCPDUMP_PID=""

# Tear down whatever was built, on success, error or interrupt.
cleanup() {
  local rc=$?
  set +e
  # a second Ctrl-C must not interrupt the teardown (children inherit SIG_IGN)
  trap '' INT TERM
  if [ -n "$TCPDUMP_PID" ]; then kill -INT "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; fi
  if [ -n "$VSFTPD_PID" ]; then kill "$VSFTPD_PID" 2>/dev/null; wait "$VSFTPD_PID" 2>/dev/null; fi
  "$NETNS" down
  rm -rf "$WORK"
  if [ "$rc" = 0 ]; then log "done in $(($(date +%s) - START_TS)) s"; else log "failed (exit $rc), cleaned up"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --------------------------------------------------------------- versions --
VSFTPD_VER="$(vsftpd -v 0>&1 | sed 's/^vsftpd: version //') (Debian package $(dpkg-query -W -f '${Version}' vsftpd 2>/dev/null || echo '?'))"
LFTP_VER="$(lftp --version | head -1 | sed -n 's/.*Version \([^ ]*\).*/\1/p') (Debian package $(dpkg-query -W -f '${Version}' lftp 2>/dev/null || echo '?'))"
CURL_VER="$(curl --version | head -1 | awk '{print $2}') (Debian package $(dpkg-query -W -f '${Version}' curl 2>/dev/null || echo '?'))"
PY_VER="$($PYTHON --version 2>&1) ftplib ($PYTHON)"
TNFTP_VER="tnftp $(dpkg-query -W -f '${Version}' tnftp 2>/dev/null || echo '?') (Debian package ftp)"
TCPDUMP_VER="$(tcpdump --version 2>&1 | head -1)"
TSHARK_VER="$(tshark --version 2>/dev/null | head -1 | sed 's/\.$//')"
KERNEL_VER="$(uname -r)"
TODAY="$(date -u +%Y-%m-%d)"

# ------------------------------------------------------------ sample files --
# Deterministic content (seeded PRNG) and fixed mtimes, so listings and
# payloads are the same on every run.
ANON="$WORK/anon"
mkdir -p "$ANON/pub" "$WORK/empty" "$WORK/home"
"$PYTHON" - "$ANON" "$WORK" <<'PY'
import random, sys
anon, work = sys.argv[1], sys.argv[2]
def blob(path, n, seed):
    with open(path, "wb") as f:
        f.write(random.Random(seed).randbytes(n))
blob(f"{anon}/one-mb.bin", 1024 * 1024, 959)
blob(f"{anon}/pub/data-64k.bin", 64 * 1024, 2428)
blob(f"{work}/upload-200k.bin", 200 * 1024, 4217)
with open(f"{anon}/readme.txt", "w") as f:
    f.write("ftpcap sample server (vsftpd in network namespace fc-srv).\n"
            "Files: one-mb.bin (1 MiB random), pub/ (a few small files).\n")
with open(f"{anon}/pub/notes.txt", "w") as f:
    f.write("Notes for the pub/ directory.\n" * 8)
with open(f"{anon}/pub/changelog.txt", "w") as f:
    f.write("".join(f"2024-01-{d:02d}  entry {d}\n" for d in range(1, 31)))
PY
chmod -R a+rX "$ANON"
chmod 755 "$ANON" "$WORK/empty"
find "$ANON" -exec touch -h -d '2024-01-01 12:00:00 UTC' {} +

# ------------------------------------------------------------ user alice --
if ! id alice >/dev/null 2>&1; then
  log "creating local user alice"
  useradd -m -s /bin/bash alice
fi
echo "alice:$ALICE_PASS" | chpasswd
ALICE_HOME=$(getent passwd alice | cut -d: -f6)
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
cat >"$VSFTPD_CONF" <<EOF
# written by samples/tools/make-samples.sh; not /etc/vsftpd.conf
# standalone, foreground, one IPv6 socket that also accepts IPv4 (mapped)
listen=NO
listen_ipv6=YES
background=NO
# anonymous read-only tree
anonymous_enable=YES
anon_root=$ANON
# local users (alice) may log in and upload into their home directory
local_enable=YES
write_enable=YES
local_umask=022
pam_service_name=vsftpd
# passive range; active data connections come from port 20
pasv_enable=YES
pasv_min_port=40000
pasv_max_port=40100
port_enable=YES
connect_from_port_20=YES
# lab housekeeping
seccomp_sandbox=NO
secure_chroot_dir=$WORK/empty
xferlog_enable=NO
dirmessage_enable=NO
use_localtime=NO
EOF
chmod 644 "$VSFTPD_CONF"

# -------------------------------------------------------------- network --
log "building topology"
"$NETNS" up

log "starting vsftpd in fc-srv"
ip netns exec fc-srv vsftpd "$VSFTPD_CONF" >"$WORK/vsftpd.log" 2>&1 &
VSFTPD_PID=$!
for _ in $(seq 50); do
  ip netns exec fc-srv ss -Hltn 'sport = :21' | grep -q . && break
  kill -0 "$VSFTPD_PID" 2>/dev/null || die "vsftpd exited: $(cat "$WORK/vsftpd.log")"
  sleep 0.1
done
# It must really answer on both addresses (read the 220 banner; this happens
# before any capture starts).
for dst in "$SRV4" "$SRV6"; do
  banner=$(ip netns exec fc-cli1 timeout 5 bash -c "exec 3<>/dev/tcp/$dst/21; head -1 <&3; echo QUIT >&3") ||
    die "no FTP banner from $dst"
  log "vsftpd answers on $dst:21: ${banner%$'\r'}"
done

# --------------------------------------------------------------- capture --
CAP_TMP=""
cap_start() { # CASE
  local case=$1
  CAP_TMP="$WORK/$case.pcap"
  ip netns exec "$CAPTURE_NS" tcpdump -i "$CAPTURE_IF" -s 0 -U -Z root -w "$CAP_TMP" 'tcp' \
    2>"$WORK/$case.tcpdump.log" &
  TCPDUMP_PID=$!
  for _ in $(seq 50); do
    grep -q 'listening on' "$WORK/$case.tcpdump.log" && break
    kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump exited: $(cat "$WORK/$case.tcpdump.log")"
    sleep 0.1
  done
  sleep 1 # let tcpdump settle before the first SYN
}

cap_stop() { # CASE
  local case=$1 dir="$SAMPLES/$1"
  sleep 1 # let the last FIN/ACKs arrive
  kill -INT "$TCPDUMP_PID"
  wait "$TCPDUMP_PID" || true
  TCPDUMP_PID=""
  grep -E 'packets (captured|received|dropped)' "$WORK/$case.tcpdump.log" | sed 's/^/    tcpdump: /' >&2
  if grep -Eq '^[1-9][0-9]* packets dropped by kernel' "$WORK/$case.tcpdump.log"; then
    die "tcpdump dropped packets in $case"
  fi
  mkdir -p "$dir"
  install -m 644 "$CAP_TMP" "$dir/capture.pcap"
  "$TOOLS/tshark-frames.sh" "$dir/capture.pcap" >"$dir/tshark-frames.txt"
}

# --------------------------------------------------------------- clients --
# Each client command is a bash snippet run in a client namespace, in a fresh
# working directory, with an empty HOME (no ~/.lftprc, ~/.curlrc, ~/.netrc).
# The snippet text is also what the README shows; @TOOLS@ stands for
# samples/tools.
CMDS_MD=""   # README text listing the commands of the current case
CLIENT_LOG=""
RUN_SEQ=0
run_dir() { # CASE NS -> sets RUN_DIR to a fresh working dir with the upload file in it
  RUN_SEQ=$((RUN_SEQ + 1))
  local d="$WORK/run/$1/$RUN_SEQ-$2"
  rm -rf "$d"
  mkdir -p "$d"
  cp "$WORK/upload-200k.bin" "$d/"
  RUN_DIR=$d
}
show_cmd() { # NS CMD [note]
  local pretty=${2//@TOOLS@/samples/tools}
  CMDS_MD+=$'\n'"In \`$1\`${3:+ ($3)}:"$'\n\n```sh\n'"$pretty"$'\n```\n'
}
client() { # CASE NS CMD [note] — run in the foreground, fail the run on error
  local case=$1 ns=$2 cmd=$3 note=${4:-} dir
  run_dir "$case" "$ns"
  dir=$RUN_DIR
  show_cmd "$ns" "$cmd" "$note"
  log "  $ns: $(head -1 <<<"${cmd//@TOOLS@/samples/tools}")"
  {
    echo "### $ns \$ ${cmd//@TOOLS@/samples/tools}"
    (cd "$dir" && timeout 90 ip netns exec "$ns" env HOME="$WORK/home" bash -c "${cmd//@TOOLS@/$TOOLS}") 2>&1
    echo "### exit status $?"
  } >>"$CLIENT_LOG" || true
  tail -1 "$CLIENT_LOG" | grep -q 'exit status 0$' || die "client failed in $case ($ns), see log: $(tail -20 "$CLIENT_LOG")"
}
BG_PIDS=()
client_bg() { # CASE NS CMD [note] — run in the background (vsftpd-mixed)
  local case=$1 ns=$2 cmd=$3 note=${4:-} dir
  run_dir "$case" "$ns"
  dir=$RUN_DIR
  show_cmd "$ns" "$cmd" "$note"
  log "  $ns (background): $(head -1 <<<"${cmd//@TOOLS@/samples/tools}")"
  (
    set +e
    out=$(cd "$dir" && timeout 90 ip netns exec "$ns" env HOME="$WORK/home" bash -c "${cmd//@TOOLS@/$TOOLS}" 2>&1)
    rc=$?
    printf '### %s $ %s\n%s\n### exit status %s\n' "$ns" "${cmd//@TOOLS@/samples/tools}" "$out" "$rc" >"$dir.log"
    exit "$rc"
  ) &
  BG_PIDS+=("$!:$dir.log")
}
wait_bg() { # CASE
  local ent pid logf failed=0
  for ent in "${BG_PIDS[@]}"; do
    pid=${ent%%:*}
    logf=${ent#*:}
    wait "$pid" || failed=1
    cat "$logf" >>"$CLIENT_LOG"
  done
  BG_PIDS=()
  [ "$failed" = 0 ] || die "a background client failed in $1: $(cat "$CLIENT_LOG")"
}

# ----------------------------------------------------------------- README --
# SERVER_MD: the server paragraph shared by every case README.
SERVER_MD="vsftpd $VSFTPD_VER, started by hand in namespace \`fc-srv\` (192.0.2.10, 2001:db8:2::10) with
its own config file (not /etc/vsftpd.conf): one standalone instance in the foreground,
\`listen=NO\`, \`listen_ipv6=YES\` (IPv4 clients arrive as IPv4-mapped addresses on the same socket),
anonymous login enabled (read-only tree: \`one-mb.bin\` 1 MiB, \`readme.txt\`, \`pub/\` with
\`data-64k.bin\`, \`notes.txt\`, \`changelog.txt\`), local user \`alice\` (password \`wonderland-42\`,
\`write_enable=YES\`, logs in to her home directory), \`pasv_min_port=40000\`, \`pasv_max_port=40100\`,
\`connect_from_port_20=YES\` (active data connections come from port 20), \`seccomp_sandbox=NO\`.
The full config is in [samples/README.md](../README.md#server-configuration)."

CAPTURE_MD="\`tcpdump -i srv0 -s 0 -U -w capture.pcap 'tcp'\` ($TCPDUMP_VER) in namespace \`fc-rtr\` (the
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
    echo "- **Capture point:** fc-rtr / srv0 (server side of the router)"
    echo "- **Cross-check:** [tshark-frames.txt](tshark-frames.txt) (\`samples/tools/tshark-frames.sh capture.pcap\`, $TSHARK_VER); client output: [clients.log](clients.log)"
    echo
    echo "## Server"
    echo
    echo "$SERVER_MD"
    echo
    echo "## Clients and exact command lines"
    echo
    echo "$clients"
    echo
    echo "Each snippet ran as \`ip netns exec NS bash -c '...'\` in an empty working directory with an"
    echo "empty \`HOME\` (no rc files), under \`timeout 90\`."
    echo "$CMDS_MD"
    echo "## What the session does and what the capture shows"
    echo
    echo "$story"
    echo
    echo "## Capture"
    echo
    echo "$CAPTURE_MD"
    echo
    echo "## Generated facts (capinfos + tshark, by samples/tools/describe-capture.py)"
    echo
    "$PYTHON" "$TOOLS/describe-capture.py" "$dir/capture.pcap" | sed 's/^###/###/'
  } >"$dir/README.md"
  log "  -> samples/$case/capture.pcap: $pkts packets, $(stat -c %s "$dir/capture.pcap") bytes"
}

begin_case() { # CASE
  log "case $1"
  CMDS_MD=""
  mkdir -p "$SAMPLES/$1"
  CLIENT_LOG="$SAMPLES/$1/clients.log"
  : >"$CLIENT_LOG"
  reset_alice
  cap_start "$1"
}

# ------------------------------------------------------------------ cases --
LFTP_BASE="set ftp:prefer-epsv no; set ftp:passive-mode yes; set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes"

case_passive_pasv() {
  begin_case passive-pasv
  client passive-pasv fc-cli1 "lftp -c '$LFTP_BASE; open ftp://$SRV4; ls; get one-mb.bin; get readme.txt; ls pub'"
  cap_stop passive-pasv
  write_readme passive-pasv "lftp, anonymous, PASV, one session with a listing and several transfers" \
    "One lftp session (anonymous) from 198.51.100.20 to vsftpd 192.0.2.10 over IPv4 in passive mode with PASV: \`ls\`, \`get one-mb.bin\`, \`get readme.txt\`, \`ls pub\`." \
    "lftp $LFTP_VER in \`fc-cli1\` (198.51.100.20). \`ftp:prefer-epsv no\` and \`ftp:passive-mode yes\` are set explicitly (both are lftp's defaults), so lftp uses PASV." \
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
  client passive-epsv fc-cli2 "curl -sS -o one-mb.bin ftp://$SRV4/one-mb.bin"
  client passive-epsv fc-cli2 "curl -sS ftp://$SRV4/pub/"
  cap_stop passive-epsv
  write_readme passive-epsv "curl, anonymous, EPSV over IPv4, two sessions" \
    "Two curl sessions (anonymous) from 198.51.100.21 to vsftpd 192.0.2.10 over IPv4, passive mode with EPSV (curl's default): a download of one-mb.bin, then a listing of pub/." \
    "curl $CURL_VER in \`fc-cli2\` (198.51.100.21), default options: passive, EPSV first (PASV only if EPSV is refused), user \`anonymous\`, password \`ftp@example.com\`." \
    "Session 1 downloads \`one-mb.bin\`: EPSV, answered with \`229 Entering Extended Passive Mode (|||port|)\`
(no address: the data connection goes to the control connection's server address), then
\`TYPE I\`, \`SIZE\`, \`RETR\` over that data connection. Session 2 is a new control connection
that lists \`pub/\` (\`CWD pub\`, EPSV, \`TYPE A\`, \`LIST\`). Expect two 229 announcements and two passive
data connections, each from the client's ephemeral port to a port in 40000–40100."
}

case_active_port() {
  begin_case active-port
  client active-port fc-cli3 "python3 @TOOLS@/ftplib-client.py $SRV4 --user alice --password $ALICE_PASS active list retr:readme.txt stor:upload-200k.bin:ftpcap-upload-200k.bin"
  cap_stop active-port
  write_readme active-port "Python ftplib, alice, active mode with PORT, one session" \
    "One Python ftplib session from 198.51.100.22 to vsftpd 192.0.2.10 over IPv4, logged in as local user alice, active mode (\`set_pasv(False)\`, PORT): LIST, RETR readme.txt, STOR of a 200 KiB file." \
    "$PY_VER in \`fc-cli3\` (198.51.100.22), driven by [samples/tools/ftplib-client.py](../tools/ftplib-client.py) (\`active\` = \`ftp.set_pasv(False)\`; \`retrlines('LIST')\`, \`retrbinary('RETR …')\`, \`storbinary('STOR …')\`). \`python3\` is $PYTHON." \
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
  client active-eprt fc-cli1 "curl -sS -P - -o readme.txt ftp://$SRV4/readme.txt"
  client active-eprt fc-cli1 "curl -sS -P - --disable-eprt -T upload-200k.bin ftp://alice:$ALICE_PASS@$SRV4/ftpcap-upload-curl.bin"
  cap_stop active-eprt
  write_readme active-eprt "curl, active mode: EPRT download, PORT upload" \
    "Two curl sessions from 198.51.100.20 to vsftpd 192.0.2.10 over IPv4 in active mode: an anonymous download of readme.txt announced with EPRT, then an upload as alice announced with PORT (\`--disable-eprt\`)." \
    "curl $CURL_VER in \`fc-cli1\` (198.51.100.20). \`-P -\` = active mode, listen on the address of the control connection; curl tries EPRT first and falls back to PORT; \`--disable-eprt\` makes it send PORT straight away." \
    "Session 1 (anonymous) sends \`EPRT |1|198.51.100.20|port|\`; vsftpd answers \`200 EPRT command
successful. Consider using EPSV.\` and, after \`RETR readme.txt\`, connects from 192.0.2.10 port 20 to
the announced port. Session 2 logs in as alice (\`PASS wonderland-42\` in clear text), sends
\`PORT 198,51,100,20,p1,p2\` and \`STOR ftpcap-upload-curl.bin\`; vsftpd again connects from port 20
and curl sends the 204 800 bytes over that connection. Expect two active data connections, both
opened by the server from port 20."
}

case_ipv6() {
  begin_case ipv6
  client ipv6 fc-cli2 "curl -sS -o one-mb.bin 'ftp://[$SRV6]/one-mb.bin'"
  client ipv6 fc-cli2 "curl -sS -P - -o readme.txt 'ftp://[$SRV6]/readme.txt'"
  client ipv6 fc-cli2 "python3 @TOOLS@/ftplib-client.py $SRV6 passive list active retr:readme.txt"
  cap_stop ipv6
  write_readme ipv6 "IPv6: curl EPSV, curl EPRT, ftplib EPSV + EPRT" \
    "Three sessions from 2001:db8:1::21 to vsftpd [2001:db8:2::10] over IPv6: curl passive (EPSV) download of one-mb.bin, curl active (\`-P -\`, EPRT) download of readme.txt, and Python ftplib doing a passive LIST (EPSV) and an active RETR (EPRT) in one session." \
    "curl $CURL_VER and $PY_VER (via [samples/tools/ftplib-client.py](../tools/ftplib-client.py)) in \`fc-cli2\` (2001:db8:1::21). On IPv6 both clients can only use the extended commands: curl sends EPSV / EPRT, ftplib's \`makepasv\` sends EPSV and \`makeport\` sends EPRT when the socket family is AF_INET6." \
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
  client_bg vsftpd-mixed fc-cli3 "curl -sS -o one-mb.bin ftp://$SRV4/one-mb.bin" "EPSV download"
  sleep 0.3
  client_bg vsftpd-mixed fc-cli1 "lftp -c '$LFTP_BASE; open ftp://$SRV4; ls pub; get pub/data-64k.bin'" "PASV listing + download"
  sleep 0.3
  client_bg vsftpd-mixed fc-cli2 "python3 @TOOLS@/ftplib-client.py $SRV4 --user alice --password $ALICE_PASS active list stor:upload-200k.bin:ftpcap-upload-mixed.bin" "active PORT listing + upload as alice"
  sleep 0.3
  client_bg vsftpd-mixed fc-cli1 "ftp -n -v -A $SRV4 <<'EOF'
user anonymous guest@example.com
dir
get readme.txt
bye
EOF" "tnftp, active mode (-A), non-interactive"
  wait_bg vsftpd-mixed
  cap_stop vsftpd-mixed
  "$NETNS" unshape
  write_readme vsftpd-mixed "four overlapping sessions from three clients (showcase)" \
    "Four FTP sessions at once against vsftpd 192.0.2.10 over IPv4, from three clients with four different client programs: curl EPSV download, lftp PASV listing + download, Python ftplib active PORT listing + upload as alice, tnftp active EPRT listing + download." \
    "- curl $CURL_VER in \`fc-cli3\` (198.51.100.22)
- lftp $LFTP_VER in \`fc-cli1\` (198.51.100.20)
- $PY_VER in \`fc-cli2\` (198.51.100.21), via [samples/tools/ftplib-client.py](../tools/ftplib-client.py)
- $TNFTP_VER in \`fc-cli1\` (198.51.100.20), \`-n\` (no auto-login), \`-v\` (verbose), \`-A\` (active mode), commands from a here-document

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

- **curl** (fc-cli3, anonymous, password \`ftp@example.com\`): EPSV → 229, RETR one-mb.bin (1 MiB).
  Its data connection spans nearly the whole capture; the other three sessions start and
  finish while it is running.
- **lftp** (fc-cli1, anonymous, password \`lftp@\`): PASV → 227 + LIST pub, PASV → 227 + RETR
  pub/data-64k.bin (65 536 bytes).
- **ftplib** (fc-cli2, alice, password \`wonderland-42\` in clear): PORT + LIST of alice's home, PORT +
  STOR ftpcap-upload-mixed.bin (204 800 bytes); both data connections are opened by the server
  from 192.0.2.10:20.
- **tnftp** (fc-cli1, anonymous, password \`guest@example.com\`): forced into active mode with \`-A\`;
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
)
write_index() {
  local c pkts size summary
  {
    cat <<EOF
# Sample captures

Real FTP sessions between real clients and a real vsftpd server, recorded in Linux network
namespaces on one machine with documentation addresses only (192.0.2.0/24, 198.51.100.0/24,
2001:db8::/32). Every case directory holds \`capture.pcap\` (classic pcap, Ethernet,
microsecond timestamps), \`README.md\` (server, client, exact command lines, what the capture
shows, frame by frame), \`tshark-frames.txt\` (Wireshark's view of every announcement and every
data-connection SYN/SYN-ACK, to cross-check ftpcap) and \`clients.log\` (the clients' own output).

| case | packets | bytes | what it shows |
|---|---:|---:|---|
EOF
    for c in "${ALL_CASES[@]}"; do
      [ -f "$SAMPLES/$c/capture.pcap" ] || continue
      pkts=$(capinfos -M -c "$SAMPLES/$c/capture.pcap" | awk -F': *' '/Number of packets/ {print $2}')
      size=$(stat -c %s "$SAMPLES/$c/capture.pcap")
      echo "| [$c]($c/README.md) | $pkts | $size | ${INDEX_LINE[$c]} |"
    done
    cat <<EOF

Last generated: $TODAY.

## Lab

\`\`\`
fc-srv   192.0.2.10/24, 2001:db8:2::10/64        vsftpd
   |
fc-rtr   srv0: 192.0.2.1/24, 2001:db8:2::1/64     <- capture point (tcpdump -i srv0 'tcp')
         br0:  198.51.100.1/24, 2001:db8:1::1/64  (bridge: cli1 cli2 cli3), forwarding on
   |
fc-cli1  198.51.100.20, 2001:db8:1::20
fc-cli2  198.51.100.21, 2001:db8:1::21
fc-cli3  198.51.100.22, 2001:db8:1::22
\`\`\`

The namespaces are not connected to the host; the router knows only its two connected
networks, so no packet can leave the lab. \`samples/tools/netns.sh up|down\` builds and removes
it (later firewall / NAT cases add nftables rules in \`fc-rtr\`).

## Software

| role | software |
|---|---|
| server | vsftpd $VSFTPD_VER |
| client | lftp $LFTP_VER |
| client | curl $CURL_VER |
| client | $PY_VER |
| client | $TNFTP_VER |
| capture | $TCPDUMP_VER |
| cross-check | $TSHARK_VER |
| kernel | Linux $KERNEL_VER |

## Server configuration

vsftpd runs in the foreground in \`fc-srv\` with this file (paths are the script's temp dir):

\`\`\`
$(sed "s#$WORK#/tmp/ftpcap-samples.XXXXXX#g" "$VSFTPD_CONF")
\`\`\`

Local user \`alice\` (password \`wonderland-42\`) is created with \`useradd -m\` if missing; her
home directory holds \`readme.txt\` and \`notes.txt\`, and uploads from earlier runs
(\`ftpcap-upload-*.bin\`) are removed at the start of every run. File contents are generated
from fixed seeds and have fixed mtimes, so payloads and listings are identical on every run;
only timestamps, ephemeral ports and vsftpd's choice of passive port change.

## Regenerate

\`\`\`sh
sudo samples/tools/make-samples.sh                  # all cases (about 30 s)
sudo samples/tools/make-samples.sh ipv6 active-port # only some cases
\`\`\`

Needs root, a kernel with network namespaces, veth, bridge and the tbf qdisc, and: iproute2, ethtool, iputils-ping, tcpdump, tshark and capinfos (Debian
packages \`tshark\`, \`wireshark-common\`), vsftpd, lftp, curl, ftp (tnftp), python3. On Debian 12:

\`\`\`sh
sudo apt-get install -y iproute2 ethtool iputils-ping tcpdump tshark vsftpd lftp curl ftp python3
\`\`\`

The script builds the lab, starts its own vsftpd (it does not touch /etc/vsftpd.conf or a
running system vsftpd; it only needs port 21 free inside its own namespace), records every
case, rewrites the case directories and this file, and tears everything down on exit, error
or Ctrl-C. Tools:

- \`tools/netns.sh up|down|check|status|shape|unshape\` — the lab network (shape: tbf rate limits, used by vsftpd-mixed).
- \`tools/make-samples.sh [case...]\` — everything above.
- \`tools/tshark-frames.sh CAPTURE\` — announcements and data-connection SYN/SYN-ACK frames per tshark.
- \`tools/describe-capture.py CAPTURE\` — the generated "facts" section of each case README.
- \`tools/ftplib-client.py\` — the Python ftplib client used by several cases.
EOF
  } >"$SAMPLES/README.md"
}
write_index
