# lab.sh — the one library of the sample recording scripts: configuration,
# logging, the lifecycle of a run (work directory, cleanup on exit), network
# namespaces and the lab topologies, servers, recorders (tcpdump), client runs
# and the case bookkeeping every make-*.sh shares. Source it
# (`. "$TOOLS/lab.sh"`), do not run it. netns.sh and proto-lab.sh are small
# command-line front ends to the topologies built here; make.sh runs a family.
# Function reference: samples/README.md, "Regenerate".
#
# Configuration (environment, read when sourced):
#   NS_PREFIX=xy     names the namespaces of the lab xy-* (each script has its
#                    own default prefix, set with lab_prefix), so that two
#                    labs can run side by side;
#   SAMPLES_OUT=DIR  writes the case directories into DIR instead of samples/
#                    (a scratch recording to compare with the committed one);
#   KEEP_WORK=1      keeps the temporary work directory after the run.
#
# Everything here stays inside namespaces the calling script created; nothing
# touches the host's own network.

TOOLS=${TOOLS:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
# Where case directories are written (samples/ unless SAMPLES_OUT says otherwise).
SAMPLES=${SAMPLES_OUT:-$(dirname "$TOOLS")}
# The checkout's samples/ directory, for what a script reads (never written by a scratch run).
SAMPLES_SRC=$(dirname "$TOOLS")
PYTHON=${PYTHON:-/usr/bin/python3}

# The name in log lines: the calling script's, without .sh.
LAB_NAME=${LAB_NAME:-$(basename "$0" .sh)}

log() { printf '[%s %s] %s\n' "$LAB_NAME" "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# nsx NS CMD...: run CMD inside network namespace NS.
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# lab_prefix DEFAULT: P (and NS_PREFIX) = $NS_PREFIX if set, else DEFAULT.
lab_prefix() { export NS_PREFIX=${NS_PREFIX:-$1}; P=$NS_PREFIX; }

# ------------------------------------------------------------------ preflight --
# need_root WHY: stop unless running as root.
need_root() { [ "$(id -u)" = 0 ] || die "run as root ($*)"; }
# need_commands CMD...: stop naming the first command that is not installed.
need_commands() { local c; for c in "$@"; do command -v "$c" >/dev/null || die "missing command: $c"; done; }
# select_cases "ALL CASES" [ARG...]: CASES = the ARGs (each must be one of ALL), or all of them.
select_cases() {
  local all=$1 c
  shift
  if [ $# -gt 0 ]; then CASES=("$@"); else read -r -a CASES <<<"$all"; fi
  for c in "${CASES[@]}"; do
    [[ " $all " == *" $c "* ]] || die "unknown case: $c (known: $all)"
  done
}
# wanted CASE: whether CASE is one of CASES.
wanted() { [[ " ${CASES[*]} " == *" $1 "* ]]; }

# ------------------------------------------------------------------ versions --
# deb_version PKG: the installed Debian package's version, or '?'.
deb_version() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo '?'; }
# tool_versions: the version strings the READMEs quote (VSFTPD_VER, LFTP_VER,
# CURL_VER, PY_VER, TNFTP_VER, TCPDUMP_VER, TSHARK_VER, NFT_VER, OPENSSL_VER,
# EDITCAP_VER, DUMPCAP_VER, LIBPCAP_VER, KERNEL_VER, TODAY); a tool that is
# not installed leaves its variable empty.
tool_versions() {
  local has='command -v'
  VSFTPD_VER="" LFTP_VER="" CURL_VER="" TNFTP_VER="" NFT_VER="" OPENSSL_VER="" EDITCAP_VER="" DUMPCAP_VER="" TSHARK_VER=""
  ! $has vsftpd >/dev/null || VSFTPD_VER="$(vsftpd -v 0>&1 | sed 's/^vsftpd: version //') (Debian package $(deb_version vsftpd))"
  ! $has lftp >/dev/null || LFTP_VER="$(lftp --version | head -1 | sed -n 's/.*Version \([^ ]*\).*/\1/p') (Debian package $(deb_version lftp))"
  ! $has curl >/dev/null || CURL_VER="$(curl --version | head -1 | awk '{print $2}') (Debian package $(deb_version curl))"
  ! $has ftp >/dev/null || TNFTP_VER="tnftp $(deb_version tnftp) (Debian package ftp)"
  ! $has nft >/dev/null || NFT_VER="$(nft --version | head -1)"
  ! $has openssl >/dev/null || OPENSSL_VER="$(openssl version | awk '{print $1, $2}')"
  ! $has editcap >/dev/null || EDITCAP_VER="$(editcap --version 2>/dev/null | head -1 | sed 's/\.$//' || true)"
  ! $has dumpcap >/dev/null || DUMPCAP_VER="$(dumpcap --version 2>/dev/null | head -1 | sed 's/\.$//')"
  ! $has tshark >/dev/null || TSHARK_VER="$(tshark --version 2>/dev/null | head -1 | sed 's/\.$//')"
  PY_VER="$($PYTHON --version 2>&1) ftplib ($PYTHON)"
  TCPDUMP_VER="$(tcpdump --version 2>&1 | head -1)"
  LIBPCAP_VER="$(tcpdump --version 2>&1 | sed -n 's/^libpcap version \([^ ]*\).*/libpcap \1/p')"
  KERNEL_VER="$(uname -r)"
  TODAY="$(date -u +%Y-%m-%d)"
}

# ----------------------------------------------------------------- lifecycle --
# lab_begin TAG: a work directory WORK=/tmp/ftpcap-TAG.XXXXXX (mode 755),
# START_TS, and the traps that run lab_end on exit, error or Ctrl-C.
LAB_EXIT_STEPS=()
lab_begin() {
  START_TS=$(date +%s)
  WORK=$(mktemp -d "/tmp/ftpcap-$1.XXXXXX")
  chmod 755 "$WORK"
  trap lab_end EXIT
  trap 'exit 130' INT TERM
}
# on_exit CMD...: one more teardown step (run in order, after the recorders
# and servers are stopped and before the work directory is removed). The
# script's lab_down (deleting its namespaces) is the usual last one.
on_exit() { LAB_EXIT_STEPS+=("$*"); }
# lab_end: the EXIT trap: stop every recorder, background client and server
# this script started (by pid), run the on_exit steps, remove WORK, log the outcome.
lab_end() {
  local rc=$? step name
  set +e
  # a second Ctrl-C must not interrupt the teardown (children inherit SIG_IGN)
  trap '' INT TERM
  for name in "${!REC_PID[@]}"; do kill -INT "${REC_PID[$name]}" 2>/dev/null; wait "${REC_PID[$name]}" 2>/dev/null; done
  for name in "${!BG_PID[@]}"; do kill "${BG_PID[$name]}" 2>/dev/null; wait "${BG_PID[$name]}" 2>/dev/null; done
  for name in "${!SERVER_PID[@]}"; do kill "${SERVER_PID[$name]}" 2>/dev/null; wait "${SERVER_PID[$name]}" 2>/dev/null; done
  for step in "${LAB_EXIT_STEPS[@]}"; do eval "$step"; done
  if [ -n "${WORK:-}" ]; then
    if [ -n "${KEEP_WORK:-}" ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  fi
  if [ "$rc" = 0 ]; then log "done in $(($(date +%s) - ${START_TS:-$(date +%s)})) s"; else log "failed (exit $rc), cleaned up"; fi
  exit "$rc"
}

# ---------------------------------------------------------------- namespaces --
# no_offload NS DEV: no segmentation or checksum offload, as on a real NIC, so
# every captured frame is at most 1514 bytes and its TCP checksum is correct.
no_offload() {
  local ns=$1 dev=$2
  nsx "$ns" ethtool -K "$dev" tx off rx off tso off gso off gro off >/dev/null 2>&1 ||
    nsx "$ns" ethtool -K "$dev" tx off tso off gso off >/dev/null 2>&1 || true
}

# ns_base NS: a new namespace with loopback up and no IPv6 autoconfiguration.
ns_base() {
  local ns=$1
  ip netns add "$ns"
  nsx "$ns" ip link set lo up
  nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
    net.ipv6.conf.all.autoconf=0 net.ipv6.conf.default.autoconf=0
}

# ns_exists NS: whether namespace NS is there.
ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

# ns_delete NS...: end what runs inside each namespace (started by the calling
# script: servers, recorders, clients), by pid, then delete the namespace.
ns_delete() {
  local ns pid
  for ns in "$@"; do
    ns_exists "$ns" || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    sleep 0.2
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns"
  done
}

# veth NS_A DEV_A MAC_A NS_B DEV_B MAC_B: a veth pair between two namespaces,
# both ends up, no offload (an empty MAC: the kernel picks one).
veth() {
  ip link add "$2" netns "$1" ${3:+address "$3"} type veth peer name "$5" netns "$4" ${6:+address "$6"}
  nsx "$1" ip link set "$2" up
  nsx "$4" ip link set "$5" up
  no_offload "$1" "$2"
  no_offload "$4" "$5"
}

# bridge NS DEV MAC [ADDR4 [ADDR6]]: a bridge without STP or forwarding delay, up, no offload.
bridge() {
  nsx "$1" ip link add "$2" address "$3" type bridge stp_state 0 forward_delay 0
  [ -z "${4:-}" ] || nsx "$1" ip addr add "$4" dev "$2"
  [ -z "${5:-}" ] || nsx "$1" ip -6 addr add "$5" dev "$2" nodad
  nsx "$1" ip link set "$2" up
  no_offload "$1" "$2"
}

# host_if NS DEV ADDR4 ADDR6 GW4 GW6: address a host's interface, bring it up,
# default routes through the router, no offload (ADDR6/GW6 empty: IPv4 only).
host_if() {
  local ns=$1 dev=$2 a4=$3 a6=$4 gw4=$5 gw6=$6
  nsx "$ns" ip addr add "$a4" dev "$dev"
  [ -z "$a6" ] || nsx "$ns" ip -6 addr add "$a6" dev "$dev" nodad
  nsx "$ns" ip link set "$dev" up
  nsx "$ns" ip route add default via "$gw4"
  [ -z "$gw6" ] || nsx "$ns" ip -6 route add default via "$gw6"
  no_offload "$ns" "$dev"
}

# router_if NS DEV ADDR4 ADDR6: address a router's interface, bring it up, no offload.
router_if() {
  local ns=$1 dev=$2 a4=$3 a6=$4
  nsx "$ns" ip addr add "$a4" dev "$dev"
  [ -z "$a6" ] || nsx "$ns" ip -6 addr add "$a6" dev "$dev" nodad
  nsx "$ns" ip link set "$dev" up
  no_offload "$ns" "$dev"
}

# forwarding NS: a router (IPv4 and IPv6 forwarding on).
forwarding() { nsx "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1; }

# ping_check NS... -- DST...: every NS pings every DST (three tries each, the
# first can be lost to neighbour discovery); returns 1 naming what failed.
ping_check() {
  local nss=() ns dst tries ok=0
  while [ "$1" != -- ]; do nss+=("$1"); shift; done
  shift
  for ns in "${nss[@]}"; do
    for dst in "$@"; do
      for tries in 1 2 3; do
        if nsx "$ns" ping -n -q -c 1 -W 1 "$dst" >/dev/null 2>&1; then break; fi
        if [ "$tries" = 3 ]; then log "$ns cannot ping $dst"; ok=1; fi
      done
    done
  done
  return "$ok"
}

# The addresses of the lab topologies (documentation ranges only, RFC 5737 / RFC 3849).
SRV4=192.0.2.10 SRV6=2001:db8:2::10
RTR_S4=192.0.2.1 RTR_S6=2001:db8:2::1
RTR_C4=198.51.100.1 RTR_C6=2001:db8:1::1
CLI4=(198.51.100.20 198.51.100.21 198.51.100.22)
CLI6=(2001:db8:1::20 2001:db8:1::21 2001:db8:1::22)

# star_up PREFIX MAC [SERVER_BRIDGE]: the lab of netns.sh, proto-lab.sh, the
# loss and other-server families. Namespaces PREFIX-srv, PREFIX-rtr,
# PREFIX-cli1..3; MAC is the second byte of every MAC address (02:MAC:...):
#
#   PREFIX-srv  eth0 192.0.2.10/24      2001:db8:2::10/64   gw .1 / ::1
#     |  (veth)
#   PREFIX-rtr  srv0 192.0.2.1/24       2001:db8:2::1/64    <- capture point
#               br0  198.51.100.1/24    2001:db8:1::1/64    (bridge: cli1 cli2 cli3)
#     |  (veth, one per client, enslaved to br0)
#   PREFIX-cli1 eth0 198.51.100.20/24   2001:db8:1::20/64   gw .1 / ::1
#   PREFIX-cli2 eth0 198.51.100.21/24   2001:db8:1::21/64
#   PREFIX-cli3 eth0 198.51.100.22/24   2001:db8:1::22/64
#
# With SERVER_BRIDGE, the server's addresses sit on a bridge of that name
# whose only port is eth0 (nftables rules of the bridge family can then drop
# frames on the server's link), sending one TCP segment per packet. The
# router has only its connected routes: nothing can leave the lab. The
# namespaces must not exist (star_down first).
star_up() {
  local p=$1 m=$2 sbr=${3:-} ns i
  for ns in "$p-srv" "$p-rtr" "$p-cli1" "$p-cli2" "$p-cli3"; do ns_base "$ns"; done
  forwarding "$p-rtr"
  veth "$p-rtr" srv0 "02:$m:00:02:00:01" "$p-srv" eth0 "02:$m:00:02:00:10"
  router_if "$p-rtr" srv0 "$RTR_S4/24" "$RTR_S6/64"
  bridge "$p-rtr" br0 "02:$m:00:01:00:01" "$RTR_C4/24" "$RTR_C6/64"
  if [ -n "$sbr" ]; then
    nsx "$p-srv" ip link set eth0 address "02:$m:00:02:00:11"
    bridge "$p-srv" "$sbr" "02:$m:00:02:00:10"
    nsx "$p-srv" ip link set eth0 master "$sbr"
    # with segmentation offload off the kernel still builds multi-segment
    # (GSO) packets and splits them only at eth0, after the bridge's hooks
    nsx "$p-srv" ip link set dev "$sbr" gso_max_segs 1
    host_if "$p-srv" "$sbr" "$SRV4/24" "$SRV6/64" "$RTR_S4" "$RTR_S6"
  else
    host_if "$p-srv" eth0 "$SRV4/24" "$SRV6/64" "$RTR_S4" "$RTR_S6"
  fi
  for i in 0 1 2; do
    ns="$p-cli$((i + 1))"
    veth "$p-rtr" "cli$((i + 1))" "02:$m:00:01:01:$((20 + i))" "$ns" eth0 "02:$m:00:01:00:$((20 + i))"
    nsx "$p-rtr" ip link set "cli$((i + 1))" master br0
    host_if "$ns" eth0 "${CLI4[$i]}/24" "${CLI6[$i]}/64" "$RTR_C4" "$RTR_C6"
  done
}
# star_down PREFIX: end what runs in the star lab's namespaces, delete them.
star_down() { ns_delete "$1-srv" "$1-rtr" "$1-cli1" "$1-cli2" "$1-cli3"; }

# line_up SRV RTR CLI: the smallest lab, one server and one client namespace
# on either side of a router (the files, hostile and transfer families):
#   SRV eth0 192.0.2.10/24 2001:db8:2::10/64 -- srv0 RTR cli0 -- eth0 198.51.100.20/24 2001:db8:1::20/64 CLI
line_up() {
  local srv=$1 rtr=$2 cli=$3 ns
  for ns in "$srv" "$rtr" "$cli"; do ns_base "$ns"; done
  veth "$srv" eth0 "" "$rtr" srv0 ""
  veth "$cli" eth0 "" "$rtr" cli0 ""
  forwarding "$rtr"
  router_if "$rtr" srv0 "$RTR_S4/24" "$RTR_S6/64"
  router_if "$rtr" cli0 "$RTR_C4/24" "$RTR_C6/64"
  host_if "$srv" eth0 "$SRV4/24" "$SRV6/64" "$RTR_S4" "$RTR_S6"
  host_if "$cli" eth0 "${CLI4[0]}/24" "${CLI6[0]}/64" "$RTR_C4" "$RTR_C6"
  sleep 0.5
}

# line_lab DEFAULT_PREFIX TAG: a run (lab_begin TAG) in a line lab built
# afresh: NS_SRV, NS_RTR, NS_CLI (and NS, all three) are $P-srv, $P-rtr,
# $P-cli; they are deleted on exit.
line_lab() {
  lab_prefix "$1"
  NS_SRV=$P-srv NS_RTR=$P-rtr NS_CLI=$P-cli
  NS=("$NS_SRV" "$NS_RTR" "$NS_CLI")
  lab_begin "$2"
  on_exit 'ns_delete "${NS[@]}"'
  ns_delete "${NS[@]}"
  line_up "${NS[@]}"
}

# wait_tcp NS HOST PORT: wait up to 5 s until HOST:PORT accepts a connection from NS.
wait_tcp() {
  local i
  for i in $(seq 50); do nsx "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# lab_user NAME PASSWORD: the local user NAME (created with a home directory
# if missing) with the lab's password; NAME_HOME... is left to the caller:
# prints the home directory.
lab_user() {
  if ! id "$1" >/dev/null 2>&1; then
    log "creating local user $1"
    useradd -m -s /bin/bash "$1"
  fi
  echo "$1:$2" | chpasswd
  getent passwd "$1" | cut -d: -f6
}

# lab_status NS...: each namespace's addresses (or that it is absent).
lab_status() {
  local ns
  for ns in "$@"; do
    echo "== $ns"
    nsx "$ns" ip -br addr 2>/dev/null || echo "(absent)"
  done
}

# ------------------------------------------------------------------- servers --
# server_start NAME NS LOG CMD...: run a server in the foreground of a
# background job inside NS, output to LOG; SERVER_PID[NAME] is its pid.
declare -A SERVER_PID=()
server_start() {
  local name=$1 ns=$2 logf=$3
  shift 3
  log "starting $name in $ns"
  ip netns exec "$ns" "$@" >"$logf" 2>&1 &
  SERVER_PID[$name]=$!
  SERVER_LOG[$name]=$logf
}
declare -A SERVER_LOG=()
# server_listening NAME NS PORT: wait up to 5 s until a socket listens on PORT
# in NS; stop when the server has exited.
server_listening() {
  local name=$1 ns=$2 port=$3
  for _ in $(seq 50); do
    nsx "$ns" ss -Hltn "sport = :$port" | grep -q . && return 0
    kill -0 "${SERVER_PID[$name]}" 2>/dev/null || die "$name exited: $(cat "${SERVER_LOG[$name]}")"
    sleep 0.1
  done
  die "$name does not listen on port $port"
}
# ftp_banner NS HOST PORT: read the server's first reply line from NS (done
# before a capture starts, so that the check leaves nothing in it).
ftp_banner() {
  local banner
  banner=$(nsx "$1" timeout 5 bash -c "exec 3<>/dev/tcp/$2/$3; head -1 <&3; echo QUIT >&3") ||
    die "no FTP banner from $2 port $3"
  log "  answers on $2 port $3: ${banner%$'\r'}"
}
# server_stop NAME...: end the servers (by pid) and wait for them.
server_stop() {
  local name
  for name in "$@"; do
    [ -n "${SERVER_PID[$name]:-}" ] || continue
    kill "${SERVER_PID[$name]}" 2>/dev/null || true
    wait "${SERVER_PID[$name]}" 2>/dev/null || true
    unset "SERVER_PID[$name]"
  done
}
# vsftpd_start NAME NS CONF BANNER_NS [ADDR:PORT...]: vsftpd with CONF in NS,
# waiting until it listens on every PORT and answers with its banner on every
# ADDR:PORT from BANNER_NS ("-": only the listening sockets are checked).
vsftpd_start() {
  local name=$1 ns=$2 conf=$3 from=$4 ep host port
  shift 4
  server_start "$name" "$ns" "$WORK/$name.log" vsftpd "$conf"
  for ep in "$@"; do
    port=${ep##*:} host=${ep%:*}
    host=${host#[} host=${host%]}
    server_listening "$name" "$ns" "$port"
    [ "$from" = - ] || ftp_banner "$from" "$host" "$port"
  done
}
# vsftpd_conf ANON_ROOT EMPTY_DIR [PASV_MIN PASV_MAX]: the settings every lab
# vsftpd shares (standalone in the foreground, anonymous tree, passive range
# PASV_MIN-PASV_MAX, default 40000-40100,
# active data from port 20, no sandbox, no logs); the caller adds its listen_*,
# user and write settings.
vsftpd_conf() {
  cat <<CONF
# foreground (the lab script stops it by pid)
background=NO
# anonymous tree
anonymous_enable=YES
anon_root=$1
# passive range; active data connections come from port 20
pasv_enable=YES
pasv_min_port=${3:-40000}
pasv_max_port=${4:-40100}
port_enable=YES
connect_from_port_20=YES
# lab housekeeping
seccomp_sandbox=NO
secure_chroot_dir=$2
xferlog_enable=NO
dirmessage_enable=NO
use_localtime=NO
CONF
}

# line_vsftpd SCRIPT: the line lab's server: vsftpd on $SRV4:21 in NS_SRV
# serving WORK/anon to anonymous users, who may upload into anon/incoming/
# (made by the caller), answering NS_CLI; the config says which SCRIPT wrote it.
line_vsftpd() {
  {
    echo "# written by samples/tools/$1"
    echo "listen=YES"
    echo "listen_address=$SRV4"
    vsftpd_conf "$WORK/anon" "$WORK/empty"
    printf '%s\n' write_enable=YES anon_upload_enable=YES anon_umask=022 local_enable=NO
  } >"$WORK/vsftpd.conf"
  vsftpd_start vsftpd "$NS_SRV" "$WORK/vsftpd.conf" "$NS_CLI" "$SRV4:21"
}

# ----------------------------------------------------------------- recorders --
# record_start NAME NS IF FILE FILTER [TCPDUMP_OPTION...]: tcpdump on IF inside
# NS into FILE (log FILE.log), every packet handed over as it arrives; returns
# once it listens. REC_PID[NAME] is its pid (tcpdump itself, so SIGINT reaches it).
declare -A REC_PID=() REC_FILE=()
record_start() {
  local name=$1 ns=$2 dev=$3 file=$4 filter=$5
  shift 5
  rm -f "$file.log"
  ip netns exec "$ns" tcpdump --immediate-mode -i "$dev" -s 0 -U -Z root "$@" -w "$file" "$filter" 2>"$file.log" &
  REC_PID[$name]=$! REC_FILE[$name]=$file
  for _ in $(seq 50); do
    grep -qs 'listening on' "$file.log" && return 0
    kill -0 "${REC_PID[$name]}" 2>/dev/null || die "tcpdump exited: $(cat "$file.log")"
    sleep 0.1
  done
  die "tcpdump did not start on $ns/$dev"
}
# record_stop NAME...: SIGINT, wait until the last packet is written, show the
# counts; returns 1 when the kernel or the interface dropped packets (the
# capture lacks some).
record_stop() {
  local name file rc=0
  for name in "$@"; do
    [ -n "${REC_PID[$name]:-}" ] || continue
    file=${REC_FILE[$name]}
    kill -INT "${REC_PID[$name]}" 2>/dev/null || true
    wait "${REC_PID[$name]}" 2>/dev/null || true
    unset "REC_PID[$name]"
    grep -E 'packets (captured|received|dropped)' "$file.log" | sed "s/^/    tcpdump $name: /" >&2
    if grep -Eq '^[1-9][0-9]* packets dropped by (kernel|interface)' "$file.log"; then
      log "  tcpdump $name dropped packets"
      rc=1
    fi
  done
  return "$rc"
}
# publish_capture FILE DIR [NAME [PORT...]]: install FILE as DIR/NAME.pcap
# (default capture) and write its tshark cross-check next to it
# (tshark-frames.txt, or NAME.tshark-frames.txt): one PORT is the control port
# tshark must decode as FTP; with several, one section per port.
publish_capture() {
  local file=$1 dir=$2 name=${3:-capture} out p
  shift 3 2>/dev/null || shift $#
  mkdir -p "$dir"
  install -m 644 "$file" "$dir/$name.pcap"
  out="$dir/tshark-frames.txt"
  [ "$name" = capture ] || out="$dir/$name.tshark-frames.txt"
  if [ $# -le 1 ]; then
    "$TOOLS/tshark-frames.sh" "$dir/$name.pcap" ${1:+"$1"} >"$out"
  else
    : >"$out"
    for p in "$@"; do
      echo "######## samples/tools/tshark-frames.sh $name.pcap $p" >>"$out"
      "$TOOLS/tshark-frames.sh" "$dir/$name.pcap" "$p" >>"$out"
      echo >>"$out"
    done
  fi
}

# --------------------------------------------------------------------- cases --
# The case bookkeeping of the README-writing families. A case starts with
# case_begin; each client command is a bash snippet run in a client namespace,
# in a fresh working directory (RUN_FILES are copied into it), with an empty
# HOME (no ~/.lftprc, ~/.curlrc, ~/.netrc) and CLIENT_ENV; the snippet text
# is also what the README shows (CMDS_MD), with @TOOLS@ standing for samples/tools.
#   CLIENT_LOG      the case's clients.log
#   CLIENT_TIMEOUT  seconds a snippet may run (90)
#   CLIENT_ENV      extra VAR=VALUE for every snippet (array)
#   CMD_NUMBERED=1  number the commands in CMDS_MD ("1. In `ns` — note:")
#   CLIENT_TIMING=1 the exit status line says how long the snippet ran
CMDS_MD="" CMD_NO=0 RUN_SEQ=0 CLIENT_LOG="" CLIENT_TIMEOUT=90 RUN_FILES=() CLIENT_ENV=()
declare -A BG_PID=() BG_LOG=()
# case_begin CASE: log it, empty the command list, start DIR/clients.log.
case_begin() {
  log "case $1"
  CMDS_MD="" CMD_NO=0
  mkdir -p "$SAMPLES/$1"
  CLIENT_LOG="$SAMPLES/$1/clients.log"
  : >"$CLIENT_LOG"
}
# case_capture_start CASE [NS IF [SETTLE]]: record the case's traffic (tcp) on
# CAPTURE_NS/CAPTURE_IF, SETTLE seconds (1) before the first client.
case_capture_start() {
  record_start case "${2:-$CAPTURE_NS}" "${3:-$CAPTURE_IF}" "$WORK/$1.pcap" tcp
  sleep "${4:-1}"
}
# case_capture_stop CASE [PORT...]: 1 s for the last FIN/ACKs, stop, fail on
# drops, write DIR/capture.pcap and DIR/tshark-frames.txt.
case_capture_stop() {
  local case=$1
  shift
  sleep 1
  record_stop case || die "tcpdump dropped packets in $case"
  publish_capture "$WORK/$case.pcap" "$SAMPLES/$case" capture "$@"
}
# run_dir NS: RUN_DIR = a fresh working directory holding RUN_FILES.
run_dir() {
  RUN_SEQ=$((RUN_SEQ + 1))
  RUN_DIR="$WORK/run/$RUN_SEQ-$1"
  rm -rf "$RUN_DIR"
  mkdir -p "$RUN_DIR"
  [ ${#RUN_FILES[@]} = 0 ] || cp "${RUN_FILES[@]}" "$RUN_DIR/"
}
# show_cmd NS CMD [NOTE]: add the command to CMDS_MD.
show_cmd() {
  local pretty=${2//@TOOLS@/samples/tools}
  if [ -n "${CMD_NUMBERED:-}" ]; then
    CMDS_MD+=$'\n'"$((++CMD_NO)). In \`$1\`${3:+ — $3}:"$'\n\n```sh\n'"$pretty"$'\n```\n'
  else
    CMDS_MD+=$'\n'"In \`$1\`${3:+ ($3)}:"$'\n\n```sh\n'"$pretty"$'\n```\n'
  fi
}
# note_md TEXT: a numbered free-text step in CMDS_MD (server-side actions).
note_md() { CMDS_MD+=$'\n'"$((++CMD_NO)). $1"$'\n'; }
# client_exec NS CMD LOGFILE: run the snippet in RUN_DIR, appending
# "### NS $ CMD", its output and "### exit status N" to LOGFILE; returns N.
client_exec() {
  local ns=$1 cmd=$2 logf=$3 rc t0 took=""
  echo "### $ns \$ ${cmd//@TOOLS@/samples/tools}" >>"$logf"
  t0=$(date +%s%N)
  set +e
  (cd "$RUN_DIR" && timeout "$CLIENT_TIMEOUT" ip netns exec "$ns" env HOME="$WORK/home" "${CLIENT_ENV[@]}" \
    bash -c "${cmd//@TOOLS@/$TOOLS}") >>"$logf" 2>&1
  rc=$?
  set -e
  if [ -n "${CLIENT_TIMING:-}" ]; then
    t0=$((($(date +%s%N) - t0) / 100000000))
    took=" (after $((t0 / 10)).$((t0 % 10)) s)"
  fi
  echo "### exit status $rc$took" >>"$logf"
  return "$rc"
}
# client_run NS CMD [NOTE]: run a snippet in the foreground; returns its exit status.
client_run() {
  local ns=$1 cmd=$2
  run_dir "$ns"
  show_cmd "$ns" "$cmd" "${3:-}"
  log "  $ns: $(head -1 <<<"${cmd//@TOOLS@/samples/tools}")"
  client_exec "$ns" "$cmd" "$CLIENT_LOG"
}
# client_ok NS CMD [NOTE] / client_fails NS CMD [NOTE]: the snippet must exit 0 / must not.
client_ok() {
  local rc=0
  client_run "$@" || rc=$?
  [ "$rc" = 0 ] || die "client failed in $1 (exit $rc): $(tail -20 "$CLIENT_LOG")"
}
client_fails() {
  local rc=0
  client_run "$@" || rc=$?
  [ "$rc" != 0 ] || die "client should have failed in $1: $(tail -15 "$CLIENT_LOG")"
}
# client_bg NS CMD [NOTE]: run a snippet in the background, output in its own
# log file (BG_LAST_LOG, live); wait_bg collects them.
client_bg() {
  local ns=$1 cmd=$2 lf
  run_dir "$ns"
  show_cmd "$ns" "$cmd" "${3:-}"
  log "  $ns (background): $(head -1 <<<"${cmd//@TOOLS@/samples/tools}")"
  lf="$RUN_DIR.log"
  : >"$lf"
  client_exec "$ns" "$cmd" "$lf" &
  BG_PID[$RUN_SEQ]=$! BG_LOG[$RUN_SEQ]=$lf
  BG_LAST_LOG=$lf
}
# wait_bg: wait for the background snippets (in start order), append their
# logs to CLIENT_LOG; returns 1 when one failed.
wait_bg() {
  local seq failed=0
  for seq in $(printf '%s\n' "${!BG_PID[@]}" | sort -n); do
    wait "${BG_PID[$seq]}" || failed=1
    cat "${BG_LOG[$seq]}" >>"$CLIENT_LOG"
    unset "BG_PID[$seq]" "BG_LOG[$seq]"
  done
  return "$failed"
}

# readme_server_clients SERVER_MD CLIENTS_MD HOW: the README's "Server" and
# "Clients and exact command lines" sections; HOW ends the sentence "Each
# snippet ran as ... with an empty HOME (no rc files)" (the environment, the
# timeout, the order), followed by the command list (CMDS_MD).
readme_server_clients() {
  echo "## Server"
  echo
  echo "$1"
  echo
  echo "## Clients and exact command lines"
  echo
  echo "$2"
  echo
  echo "Each snippet ran as \`ip netns exec NS bash -c '...'\` in an empty working directory with an"
  echo "empty \`HOME\` (no rc files)$3"
  echo "$CMDS_MD"
}
