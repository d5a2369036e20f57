#!/usr/bin/env bash
# make-other-server-samples.sh — record the ftpcap sample captures made with
# ProFTPD and Pure-FTPd, to show how their replies differ from vsftpd's in the
# same situations.
#
#   sudo samples/tools/make-other-server-samples.sh            # all cases
#   sudo samples/tools/make-other-server-samples.sh proftpd-mixed ...
#
# Cases: proftpd-mixed, proftpd-epsv-refused, proftpd-masquerade, pureftpd-mixed,
# pureftpd-forced-pasv-ip.
#
# What it does:
#   1. makes sure ProFTPD and Pure-FTPd are unpacked under $SERVERS
#      (default /opt/ftpcap-servers). Both packages conflict with the vsftpd
#      package the other samples need, so they are not installed: their Debian
#      packages are fetched with `apt-get download` and unpacked with
#      `dpkg -x` (with the few libraries ProFTPD needs that are not on a
#      vsftpd machine), and run from there;
#   2. builds its own lab network (namespaces fq-srv, fq-rtr, fq-cli1..3,
#      documentation addresses only, no link to the host; see lab_up below);
#   3. writes the anonymous tree and a home directory for alice into a temp
#      dir. Each server runs in its own mount namespace in which that temp
#      home is bind-mounted over alice's real home directory (and, for
#      Pure-FTPd, the anonymous tree over the home of the system user ftp), so
#      the real directories are neither read nor changed;
#   4. per case: (re)starts the server with that case's config, starts
#      tcpdump in fq-rtr on the server-facing veth (srv0), runs the clients,
#      stops tcpdump and writes samples/<case>/{capture.pcap,
#      tshark-frames.txt,clients.log,README.md};
#   5. tears everything down, also on error or Ctrl-C (trap).
#
# Needs: root, iproute2, ethtool, iputils-ping, util-linux (unshare, mount),
# tcpdump, tshark + capinfos, apt-get + dpkg-deb (first run only), lftp,
# curl, tnftp (package ftp), python3, and a local user alice with password
# wonderland-42 (created if missing) and the system user ftp (Pure-FTPd's
# anonymous account; the vsftpd package creates it).
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$TOOLS/lab.sh" # SAMPLES, PYTHON, star_up, servers, recorders, clients
SERVERS=${SERVERS:-/opt/ftpcap-servers}
ALL_CASES=(proftpd-mixed proftpd-epsv-refused proftpd-masquerade pureftpd-mixed pureftpd-forced-pasv-ip)

PROFTPD=$SERVERS/proftpd/usr/sbin/proftpd
PROFTPD_LIBS=$SERVERS/proftpd-libs/usr/lib/x86_64-linux-gnu
PUREFTPD=$SERVERS/pure-ftpd/usr/sbin/pure-ftpd

# Lab (namespaces fq-*), documentation addresses only:
#
#   fq-srv  eth0 192.0.2.10/24 (ProFTPD, port 21), 192.0.2.11/24 (Pure-FTPd, port 8021),
#                2001:db8:2::10/64, gw .1 / ::1
#     |  (veth)
#   fq-rtr  srv0 192.0.2.1/24   2001:db8:2::1/64    <- capture point
#           br0  198.51.100.1/24 2001:db8:1::1/64  (bridge: cli1 cli2 cli3)
#           203.0.113.0/24 and 100.64.0.0/10 via 192.0.2.99 on srv0: a
#           neighbour entry with a MAC nobody has, so packets to them (ProFTPD's
#           wrong MasqueradeAddress, Pure-FTPd's -P address) cross the capture
#           point and are never answered
#     |  (veth, one per client, enslaved to br0)
#   fq-cli1 eth0 198.51.100.20/24   2001:db8:1::20/64
#   fq-cli2 eth0 198.51.100.21/24   2001:db8:1::21/64
#   fq-cli3 eth0 198.51.100.22/24   2001:db8:1::22/64
lab_prefix fq # NS_PREFIX=xy: namespaces xy-*
NS_SRV=$P-srv
NS_RTR=$P-rtr
NS_CLIS=("$P-cli1" "$P-cli2" "$P-cli3")
PURE4=192.0.2.11
PURE_PORT=8021
BLACKHOLE_GW=192.0.2.99
BLACKHOLE_MAC=02:fc:00:02:00:99
MASQ_ADDR=203.0.113.77
INSIDE_ADDR=100.64.0.10 # Pure-FTPd -P: a NAT-inside address in every 227
CAPTURE_NS=$NS_RTR
CAPTURE_IF=srv0
ALICE_PASS=wonderland-42

# ---------------------------------------------------------------- preflight --
need_root "network namespaces, servers, tcpdump"
need_commands ip ethtool ping unshare mount tcpdump tshark capinfos lftp curl ftp useradd chpasswd "$PYTHON"
select_cases "${ALL_CASES[*]}" "$@"
getent passwd ftp >/dev/null || die "no system user ftp (Pure-FTPd's anonymous account; install vsftpd or: useradd -r -d /srv/ftp -s /usr/sbin/nologin ftp)"

# ------------------------------------------------------------ the servers --
# Debian 12 packages; PROFTPD_LIB_PKGS are the libraries proftpd-core links
# against that a machine with only vsftpd lacks (memcache, redis, pcre2-posix).
PROFTPD_PKGS=(proftpd-core)
PROFTPD_LIB_PKGS=(libhiredis0.14 libmemcached11 libmemcachedutil2 libhashkit2 libpcre2-posix3)
PUREFTPD_PKGS=(pure-ftpd pure-ftpd-common)
fetch_servers() {
  if [ -x "$PROFTPD" ] && [ -x "$PUREFTPD" ] && [ -s "$SERVERS/versions.txt" ]; then return; fi
  log "fetching ProFTPD and Pure-FTPd packages into $SERVERS (apt-get download + dpkg -x, not installed)"
  local dl deb
  dl=$(mktemp -d /tmp/ftpcap-debs.XXXXXX)
  chmod 755 "$dl" # apt-get download runs as _apt where it can
  apt-get update -qq
  (cd "$dl" && apt-get download -qq "${PROFTPD_PKGS[@]}" "${PROFTPD_LIB_PKGS[@]}" "${PUREFTPD_PKGS[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
  rm -rf "$SERVERS/proftpd" "$SERVERS/proftpd-libs" "$SERVERS/pure-ftpd"
  mkdir -p "$SERVERS"
  : >"$SERVERS/versions.txt"
  for deb in "$dl"/*.deb; do
    case "$(dpkg-deb -f "$deb" Package)" in
      proftpd-core) dpkg -x "$deb" "$SERVERS/proftpd" ;;
      pure-ftpd | pure-ftpd-common) dpkg -x "$deb" "$SERVERS/pure-ftpd" ;;
      *) dpkg -x "$deb" "$SERVERS/proftpd-libs" ;;
    esac
    echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)" >>"$SERVERS/versions.txt"
  done
  rm -rf "$dl"
  [ -x "$PROFTPD" ] && [ -x "$PUREFTPD" ] || die "unpacking the servers failed"
}
fetch_servers
pkg_ver() { awk -v p="$1" '$1 == p {print $2}' "$SERVERS/versions.txt"; }
proftpd_run() { env LD_LIBRARY_PATH="$PROFTPD_LIBS" "$PROFTPD" "$@"; }
PROFTPD_VER="ProFTPD $(proftpd_run -v 2>&1 | sed -n 's/^ProFTPD Version //p') (Debian package proftpd-core $(pkg_ver proftpd-core), unpacked in $SERVERS/proftpd)"
PUREFTPD_VER="Pure-FTPd $("$PUREFTPD" --help 2>&1 | head -1 | sed 's/^pure-ftpd //') (Debian package pure-ftpd $(pkg_ver pure-ftpd), unpacked in $SERVERS/pure-ftpd)"
tool_versions

lab_begin other-samples
on_exit lab_down

# ------------------------------------------------------------------- lab --
lab_down() { star_down "$P"; }
lab_up() {
  lab_down
  star_up "$P" fc
  nsx "$NS_SRV" ip addr add "$PURE4/24" dev eth0
  nsx "$NS_RTR" ip neigh replace "$BLACKHOLE_GW" lladdr "$BLACKHOLE_MAC" dev "$CAPTURE_IF" nud permanent
  nsx "$NS_RTR" ip route add 203.0.113.0/24 via "$BLACKHOLE_GW" dev "$CAPTURE_IF"
  nsx "$NS_RTR" ip route add 100.64.0.0/10 via "$BLACKHOLE_GW" dev "$CAPTURE_IF"
  ping_check "${NS_CLIS[@]}" -- "$RTR_C4" "$SRV4" "$PURE4" "$SRV6" || die "the lab does not answer pings"
  log "lab up: $NS_SRV ($SRV4, $PURE4, $SRV6), $NS_RTR, $P-cli1..3"
}

# ------------------------------------------------------------ sample files --
# Deterministic content and fixed mtimes, so listings and payloads are the
# same on every run.
ANON="$WORK/anon"
ALICE_TREE="$WORK/alice"
mkdir -p "$ANON/pub" "$ALICE_TREE" "$WORK/home"
"$PYTHON" "$TOOLS/sample-files.py" make-other-server-samples.sh tree anon="$ANON" work="$WORK"
chmod -R a+rX "$ANON"
chmod 755 "$ANON"
find "$ANON" -exec touch -h -d '2024-01-01 12:00:00 UTC' {} +

ALICE_HOME=$(lab_user alice "$ALICE_PASS")
FTP_HOME=$(getent passwd ftp | cut -d: -f6)
[ -d "$ALICE_HOME" ] || die "alice's home $ALICE_HOME does not exist (it is only a mount point here)"
[ -d "$FTP_HOME" ] || die "the ftp user's home $FTP_HOME does not exist (it is only a mount point here)"
# alice's files as the servers see them (bind-mounted over $ALICE_HOME in the
# servers' mount namespace); reset before every case
reset_alice() {
  rm -rf "${ALICE_TREE:?}"/*
  printf 'alice keeps her notes here.\n' >"$ALICE_TREE/notes.txt"
  cp "$ANON/readme.txt" "$ALICE_TREE/readme.txt"
  chown -R alice: "$ALICE_TREE"
  chmod 755 "$ALICE_TREE"
  chmod 644 "$ALICE_TREE"/*.txt
  touch -d '2024-01-01 12:00:00 UTC' "$ALICE_TREE"/*.txt
}

# --------------------------------------------------------------- servers --
# server_ns CMD...: run CMD in fq-srv in a private mount namespace where the
# temp trees replace alice's home and the ftp user's home.
SERVER_WRAP="mount --bind '$ALICE_TREE' '$ALICE_HOME' && mount --bind '$ANON' '$FTP_HOME' && exec \"\$@\""
start_server() { # NAME ADDR PORT CMD... — start in the foreground (background job), wait for the banner
  local name=$1 addr=$2 port=$3
  shift 3
  stop_server
  server_start "$name" "$NS_SRV" "$WORK/$name.log" unshare -m --propagation private sh -c "$SERVER_WRAP" server "$@"
  RUNNING_SERVER=$name
  server_listening "$name" "$NS_SRV" "$port"
  ftp_banner "$P-cli3" "$addr" "$port"
}
RUNNING_SERVER=""
stop_server() {
  [ -n "$RUNNING_SERVER" ] || return 0
  server_stop "$RUNNING_SERVER"
  RUNNING_SERVER=""
  sleep 0.3
}

# ProFTPD config: the common part; each case appends its own lines. $1 is the
# name of the case, the rest are extra lines (server context).
PROFTPD_CONF=""
proftpd_conf() {
  local case=$1
  shift
  PROFTPD_CONF="$WORK/proftpd-$case.conf"
  {
    cat <<EOF
# written by samples/tools/make-other-server-samples.sh for case $case; not /etc/proftpd
ServerName            "ftpcap sample ProFTPD"
ServerType            standalone
DefaultServer         on
Port                  21
UseIPv6               on
User                  nobody
Group                 nogroup
PidFile               @WORK@/proftpd.pid
ScoreboardFile        @WORK@/proftpd.scoreboard
DelayTable            none
DelayEngine           off
ControlsEngine        off
WtmpLog               off
UseReverseDNS         off
UseFtpUsers           off
AuthPAM               off
AuthOrder             mod_auth_unix.c
RequireValidShell     off
Umask                 022
AllowOverwrite        on
TimesGMT              on
SystemLog             @WORK@/proftpd.log
TransferLog           none
MaxLoginAttempts      3
# passive range; RootRevoke is left at its default, so active data connections
# come from an ephemeral port, not from port 20
PassivePorts          40000 40100
# local users (alice) log in to their home directory and may upload there;
# anonymous (or ftp) gets a read-only tree
<Anonymous @ANON@>
  User                ftp
  Group               nogroup
  UserAlias           anonymous ftp
  RequireValidShell   off
  <Limit WRITE>
    DenyAll
  </Limit>
</Anonymous>
EOF
    local l
    for l in "$@"; do echo "$l"; done
  } | sed -e "s|@WORK@|$WORK|g" -e "s|@ANON@|$ANON|g" >"$PROFTPD_CONF"
  chmod 644 "$PROFTPD_CONF"
}
start_proftpd() {
  start_server proftpd "$SRV4" 21 env LD_LIBRARY_PATH="$PROFTPD_LIBS" "$PROFTPD" -n -q -c "$PROFTPD_CONF"
}
# the config as the README shows it (temp paths spelled out as placeholders)
proftpd_conf_md() {
  sed -e "s|$WORK|/tmp/ftpcap-other-samples.XXXXXX|g" "$PROFTPD_CONF"
}

PUREFTPD_FLAGS=(-S "$PURE4,$PURE_PORT" -p 40000:40100 -l unix -H)
start_pureftpd() { # [EXTRA FLAGS...]
  start_server pure-ftpd "$PURE4" "$PURE_PORT" "$PUREFTPD" "${PUREFTPD_FLAGS[@]}" "$@"
}

# --------------------------------------------------------------- capture --
cap_start() { case_capture_start "$1"; }
cap_stop() { case_capture_stop "$@"; } # CASE [CONTROL_PORT]

# --------------------------------------------------------------- clients --
# lab.sh runs each snippet (client_ok, client_fails) in a client namespace, in
# a fresh working directory holding the upload file, with an empty HOME; the
# snippet text is also what the README shows; @TOOLS@ stands for samples/tools.
client() { # CASE NS EXPECT(ok|fail) CMD [note]
  local ns=$2 expect=$3
  shift 3
  if [ "$expect" = ok ]; then client_ok "$ns" "$@"; else client_fails "$ns" "$@"; fi
}

# ----------------------------------------------------------------- README --
CAPTURE_MD="\`tcpdump --immediate-mode -i srv0 -s 0 -U -Z root -w capture.pcap 'tcp'\` ($TCPDUMP_VER) in namespace \`$P-rtr\` (the
router between clients and server) on \`srv0\`, the veth facing the server: every packet between
any client and the server passes here, unchanged (no NAT, no firewall); so do packets the router
sends toward 203.0.113.0/24 and 100.64.0.0/10 (routed to a neighbour on the server segment that
does not exist).
Offloads are off on all veths, so frames are at most 1514 bytes and checksums are valid. Classic
pcap, Ethernet, microsecond timestamps. tcpdump started 1 s before the first client and stopped
(SIGINT) 1 s after the last one."

LAB_MD="Lab: namespaces \`$P-srv\` (192.0.2.10 and 192.0.2.11, 2001:db8:2::10), \`$P-rtr\` (router,
capture point), \`$P-cli1\`..\`$P-cli3\` (198.51.100.20–22), built by the script; no link to the host.
The router routes 203.0.113.0/24 and 100.64.0.0/10 to 192.0.2.99 on the server segment, a
permanent neighbour entry with a MAC address nobody has: packets to those addresses cross the
capture point and are never answered (there is no ICMP error either)."

begin_case() { # CASE
  case_begin "$1"
  RUN_FILES=("$WORK/upload-200k.bin")
  reset_alice
}

write_readme() { # CASE TITLE SUMMARY SERVER_MD CLIENTS_MD STORY_MD [CONTROL_PORT]
  local case=$1 title=$2 summary=$3 server=$4 clients=$5 story=$6 port=${7:-} dir="$SAMPLES/$1" pkts xport=""
  [ -n "$port" ] && xport=" $port"
  pkts=$(capinfos -M -c "$dir/capture.pcap" | awk -F': *' '/Number of packets/ {print $2}')
  {
    echo "# $case — $title"
    echo
    echo "$summary"
    echo
    echo "- **Packets:** $pkts (\`capinfos -c capture.pcap\`)"
    echo "- **Made:** $TODAY with \`samples/tools/make-other-server-samples.sh $case\` (Linux $KERNEL_VER, network namespaces)"
    echo "- **Capture point:** $P-rtr / srv0 (server side of the router)"
    echo "- **Cross-check:** [tshark-frames.txt](tshark-frames.txt) (\`samples/tools/tshark-frames.sh capture.pcap$xport\`, $TSHARK_VER); client output: [clients.log](clients.log)"
    echo
    readme_server_clients "$server" "$clients" ", under \`timeout 90\`."
    echo "## What the capture shows"
    echo
    echo "$story"
    echo
    echo "## Capture"
    echo
    echo "$CAPTURE_MD"
    echo
    echo "$LAB_MD"
    echo
    echo "## Generated facts (capinfos + tshark, by samples/tools/capture-facts.py)"
    echo
    echo "Frame numbers below are those of this recording; a new run changes ports and may shift frames."
    echo
    "$PYTHON" "$TOOLS/capture-facts.py" other-servers "$dir/capture.pcap" $port
  } >"$dir/README.md"
  log "  -> samples/$case/capture.pcap: $pkts packets, $(stat -c %s "$dir/capture.pcap") bytes"
}

proftpd_server_md() { # EXTRA_TEXT
  echo "$PROFTPD_VER, started by hand in namespace \`$P-srv\` as
\`proftpd -n -q -c proftpd.conf\` (foreground, standalone, one process per session; \`LD_LIBRARY_PATH\`
points at the unpacked libraries), in a private mount namespace where a temp directory is
bind-mounted over alice's home. Listens on port 21 of every address (IPv4 and IPv6). Anonymous
login (\`anonymous\` or \`ftp\`, read-only tree: \`readme.txt\` 117 bytes, \`pub/\` with \`data-64k.bin\`
and \`notes.txt\`) and local user \`alice\` (password \`wonderland-42\`, unix/shadow authentication, logs
in to her home directory: \`readme.txt\`, \`notes.txt\`; may upload). $1

Lab housekeeping in the config: \`DelayEngine off\` (ProFTPD would otherwise delay its USER/PASS
replies by a random amount), \`UseReverseDNS off\`, \`AuthPAM off\` + \`AuthOrder mod_auth_unix.c\`
(shadow passwords, no PAM service file needed), \`UseFtpUsers off\`, \`RequireValidShell off\`.
Defaults that matter here: \`AllowForeignAddress off\` (a PORT/EPRT must name the client's own
address, and a port ≥ 1024), and \`RootRevoke\` not set to \`off\`: the session process gives up root
after login, so **active data connections come from an ephemeral port, not from port 20**
(with \`RootRevoke off\` the same build connects from port 20).

The complete config file of this case:

\`\`\`apache
$(proftpd_conf_md)
\`\`\`"
}

LFTP_BASE="set ftp:prefer-epsv no; set ftp:passive-mode yes; set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes"

# ------------------------------------------------------------------ cases --
case_proftpd_mixed() {
  local c=proftpd-mixed
  begin_case $c
  proftpd_conf $c
  start_proftpd
  cap_start $c
  client $c $P-cli1 ok "curl -sS -o readme.txt ftp://$SRV4/readme.txt" "anonymous, EPSV"
  client $c $P-cli1 ok "lftp -c '$LFTP_BASE; open ftp://$SRV4; ls pub; get pub/data-64k.bin'" "anonymous, PASV"
  client $c $P-cli2 ok "python3 @TOOLS@/ftplib-client.py $SRV4 login:alice:wrong-password login:alice:$ALICE_PASS raw:'PORT 203,0,113,50,156,64' raw:'PORT 100,64,0,20,156,64' raw:'PORT 198,51,100,21,0,80' active list stor:upload-200k.bin:ftpcap-upload-200k.bin" "alice: failed login, good login, three refused PORTs, PORT LIST + STOR"
  client $c $P-cli3 ok "curl -sS -P - -o readme.txt ftp://$SRV4/readme.txt" "anonymous, active, EPRT"
  cap_stop $c
  write_readme $c "ProFTPD: EPSV, PASV, PORT, EPRT, refused PORTs, a failed login" \
    "Four sessions against ProFTPD 192.0.2.10:21 over IPv4: curl EPSV download, lftp PASV listing + download, Python ftplib as alice (a wrong password, then the right one; three PORT commands ProFTPD refuses; PORT listing and upload), curl active EPRT download." \
    "$(proftpd_server_md "This case adds nothing to the common config.")" \
    "- curl $CURL_VER in \`$P-cli1\` (198.51.100.20) and \`$P-cli3\` (198.51.100.22)
- lftp $LFTP_VER in \`$P-cli1\`
- $PY_VER in \`$P-cli2\` (198.51.100.21), via [samples/tools/ftplib-client.py](../tools/ftplib-client.py) (\`login:U:P\` = USER + PASS, going on after a 530; \`raw:CMD\` = \`sendcmd\`, going on after a 5xx; \`active\` = PORT; \`list\`, \`stor\`)" \
    "- **curl** ($P-cli1, anonymous, password \`ftp@example.com\`): EPSV → \`229 Entering Extended
  Passive Mode (|||port|)\`, RETR readme.txt (117 bytes). ProFTPD's 150 names the size:
  \`150 Opening BINARY mode data connection for readme.txt (117 bytes)\`; then \`226 Transfer complete\`.
- **lftp** ($P-cli1, anonymous, password \`lftp@\`): FEAT, CLNT, LANG, OPTS UTF8 ON, \`HOST 192.0.2.10\`
  (answered \`220 HOST command successful\`), PASV → \`227 Entering Passive Mode (192,0,2,10,p1,p2).\`
  (with a final period, like vsftpd), LIST pub; PASV, RETR pub/data-64k.bin (65 536 bytes).
- **ftplib** ($P-cli2, alice): \`USER alice\` → \`331 Password required for alice\`; \`PASS wrong-password\`
  → \`530 Login incorrect.\`; the session goes on: USER / \`PASS wonderland-42\` → \`230 User alice logged in\`
  (both passwords in clear text). Then three PORT commands that ProFTPD refuses, all with the same
  \`500 Illegal PORT command\` (no period; the reason is only in the server's log):
  \`PORT 203,0,113,50,156,64\` (another public host: FXP or a bounce), \`PORT 100,64,0,20,156,64\`
  (a NAT-inside address, as sent by a client behind a NAT without FTP helper) and
  \`PORT 198,51,100,21,0,80\` (the client's own address, but port 80). No data connection follows any
  of them. Then PORT + LIST and PORT + STOR ftpcap-upload-200k.bin (204 800 bytes) succeed:
  \`200 PORT command successful\`, \`150 Opening ASCII mode data connection for file list\`,
  \`150 Opening BINARY mode data connection for ftpcap-upload-200k.bin\` (no size for an upload).
- **curl -P -** ($P-cli3, anonymous): \`EPRT |1|198.51.100.22|port|\` → \`200 EPRT command successful\`,
  RETR readme.txt.

All three active data connections (LIST, STOR, EPRT RETR) come from **192.0.2.10 and an ephemeral
source port**, not port 20 (see Server). A firewall rule that expects active FTP data from port 20
does not match them. The 220 greeting names the server address as ProFTPD's IPv6 socket sees it:
\`[::ffff:192.0.2.10]\`.

Compared with vsftpd for the same commands: \`331 Password required for alice\` (vsftpd \`331 Please
specify the password.\`), \`230 User alice logged in\` (\`230 Login successful.\`), \`530 Login incorrect.\` (the
same), \`500 Illegal PORT command\` (vsftpd \`500 Illegal PORT command.\`), \`200 PORT command successful\`
and \`200 EPRT command successful\` (vsftpd adds \`Consider using PASV.\` / \`Consider using EPSV.\`),
\`150 Opening ASCII mode data connection for file list\` (\`150 Here comes the directory listing.\`),
\`226 Transfer complete\` (\`226 Transfer complete.\` / \`226 Directory send OK.\`), anonymous
\`331 Anonymous login ok, send your complete email address as your password\` and
\`230 Anonymous access granted, restrictions apply\`."
}

case_proftpd_epsv_refused() {
  local c=proftpd-epsv-refused
  begin_case $c
  proftpd_conf $c "# EPSV is refused to everyone (also inside <Anonymous>)" "<Limit EPSV>" "  DenyAll" "</Limit>"
  start_proftpd
  cap_start $c
  client $c $P-cli1 ok "curl -sS -o readme.txt ftp://$SRV4/readme.txt" "anonymous, EPSV refused, falls back to PASV"
  client $c $P-cli2 ok "ftp -n -v $SRV4 <<'EOF'
user anonymous guest@example.com
dir
get readme.txt
bye
EOF" "tnftp, passive (its default), EPSV refused, falls back to PASV"
  cap_stop $c
  write_readme $c "ProFTPD refuses EPSV; curl and tnftp fall back to PASV" \
    "Two anonymous sessions against ProFTPD 192.0.2.10:21 whose config refuses EPSV (\`<Limit EPSV> DenyAll </Limit>\`): curl and tnftp both try EPSV first, get a 5xx and fall back to PASV; every transfer succeeds." \
    "$(proftpd_server_md "This case adds \`<Limit EPSV> DenyAll </Limit>\` at server level, which ProFTPD also applies inside \`<Anonymous>\`.")" \
    "- curl $CURL_VER in \`$P-cli1\` (198.51.100.20), default options (EPSV first, PASV after a refused EPSV)
- $TNFTP_VER in \`$P-cli2\` (198.51.100.21), \`-n\` (no auto-login), \`-v\` (verbose), passive mode by default (\`epsv4\` on: EPSV first, then PASV), commands from a here-document" \
    "ProFTPD answers the refused EPSV with **\`501 EPSV: Operation not permitted\`** — 501 (\"syntax error
in parameters or arguments\"), not 500/502 (not implemented) or 550 — and leaves EPSV out of its
FEAT list (compare the FEAT reply in tnftp's session with the one in
[proftpd-mixed](../proftpd-mixed/README.md): EPRT is listed, EPSV is not).

- **curl** ($P-cli1, anonymous): EPSV → 501; curl sends PASV at once (well under a millisecond
  later) → \`227 Entering Passive Mode (192,0,2,10,p1,p2).\`, connects, RETR readme.txt → 226.
- **tnftp** ($P-cli2, anonymous, password \`guest@example.com\`): SYST, FEAT (no EPSV in it; tnftp
  tries EPSV anyway), EPSV → 501 → PASV → 227, LIST (\`dir\`) → 226; for the second transfer
  (\`get readme.txt\`) tnftp remembers the refusal and sends PASV directly. Its terminal output
  (clients.log) does not mention the refused EPSV at all.

Expect two refused EPSV announcements (no data connection for either), three PASV data
connections, and three transfers that end with \`226 Transfer complete\`. vsftpd has no per-command
switch for EPSV; with \`cmds_denied=EPSV\` it would answer \`550 Permission denied.\`"
}

case_proftpd_masquerade() {
  local c=proftpd-masquerade
  begin_case $c
  proftpd_conf $c "# a wrong public address in every 227 (nothing answers there)" "MasqueradeAddress     $MASQ_ADDR"
  start_proftpd
  cap_start $c
  client $c $P-cli1 fail "lftp -c 'set ftp:prefer-epsv no; set ftp:passive-mode yes; set ftp:fix-pasv-address no; set net:timeout 5; set net:max-retries 1; set net:reconnect-interval-base 1; set cmd:fail-exit yes; open ftp://$SRV4; ls'" "PASV, trusts the 227 address, fails"
  client $c $P-cli2 ok "curl -sS --disable-epsv -o readme.txt ftp://$SRV4/readme.txt" "PASV, ignores the 227 address, succeeds"
  client $c $P-cli3 ok "curl -sS -o readme.txt ftp://$SRV4/readme.txt" "EPSV (no address in a 229), succeeds"
  cap_stop $c
  write_readme $c "ProFTPD MasqueradeAddress names an unreachable address in the 227" \
    "Three anonymous sessions against ProFTPD 192.0.2.10:21 configured with \`MasqueradeAddress $MASQ_ADDR\`, an address where nothing answers: lftp, told to trust the 227 address, dials $MASQ_ADDR and times out; curl with \`--disable-epsv\` gets the same 227, ignores its address, dials 192.0.2.10 and succeeds; curl with EPSV never sees the wrong address." \
    "$(proftpd_server_md "This case adds \`MasqueradeAddress $MASQ_ADDR\`: ProFTPD puts this address in every 227 reply (and in its 220 greeting) instead of the address the client connected to.")" \
    "- lftp $LFTP_VER in \`$P-cli1\` (198.51.100.20): \`ftp:fix-pasv-address no\` (lftp would otherwise replace a 227 address it considers unusable), short timeouts (\`net:timeout 5\`, \`net:max-retries 1\`)
- curl $CURL_VER in \`$P-cli2\` (198.51.100.21) with \`--disable-epsv\` (PASV; curl ignores the 227 address by default, \`--ftp-skip-pasv-ip\`) and in \`$P-cli3\` (198.51.100.22) with default options (EPSV)" \
    "ProFTPD puts 203.0.113.77 in every 227 reply and also in its 220 greeting
(\`220 ProFTPD Server (ftpcap sample ProFTPD) [203.0.113.77]\`); the 229 reply to EPSV carries no
address and is not affected.

- **lftp** ($P-cli1, anonymous): PASV → \`227 Entering Passive Mode (203,0,113,77,p1,p2).\`; with
  \`ftp:fix-pasv-address no\` lftp dials 203.0.113.77:port. The SYN crosses the capture point and is
  retransmitted (1 s apart: this kernel's linear SYN timeouts) without any answer. After
  \`net:timeout\` (5 s) lftp gives up: it closes the control connection (FIN, no QUIT; it never sent
  LIST) and exits 1 with \`ls: Fatal error: max-retries exceeded\`.
- **curl --disable-epsv** ($P-cli2, anonymous): PASV → the same kind of 227 naming 203.0.113.77;
  curl ignores the address and connects to 192.0.2.10:port, the control connection's server;
  RETR readme.txt → 226.
- **curl** ($P-cli3, anonymous, default options): EPSV → \`229 Entering Extended Passive Mode
  (|||port|)\` → connects to 192.0.2.10:port; RETR readme.txt → 226.

vsftpd's counterpart is \`pasv_address=\` (vsftpd's greeting names no address)."
}

case_pureftpd_mixed() {
  local c=pureftpd-mixed u="ftp://$PURE4:$PURE_PORT"
  begin_case $c
  start_pureftpd
  cap_start $c
  client $c $P-cli1 ok "curl -sS -o readme.txt $u/readme.txt" "anonymous, EPSV"
  client $c $P-cli1 ok "lftp -c '$LFTP_BASE; open $u; ls pub; get pub/data-64k.bin'" "anonymous, PASV"
  client $c $P-cli2 ok "python3 @TOOLS@/ftplib-client.py $PURE4 --port $PURE_PORT login:alice:wrong-password login:alice:$ALICE_PASS raw:'PORT 100,64,0,20,156,64' raw:'PORT 203,0,113,50,156,64' raw:'PORT 198,51,100,21,0,80' active list stor:upload-200k.bin:ftpcap-upload-200k.bin" "alice: failed login, good login, three refused PORTs, PORT LIST + STOR"
  client $c $P-cli3 ok "curl -sS -P - -o readme.txt $u/readme.txt" "anonymous, active, EPRT"
  cap_stop $c $PURE_PORT
  write_readme $c "Pure-FTPd on port $PURE_PORT: EPSV, PASV, PORT, EPRT, refused PORTs, a failed login" \
    "Four sessions against Pure-FTPd on a non-standard control port, $PURE4:$PURE_PORT, over IPv4: curl EPSV download, lftp PASV listing + download, Python ftplib as alice (a wrong password, then the right one; three PORT commands Pure-FTPd refuses; PORT listing and upload), curl active EPRT download. Analyze with \`--ftp-port $PURE_PORT\`." \
    "$PUREFTPD_VER, started by hand in namespace \`$P-srv\` in the foreground with only command-line flags (no config file):

\`\`\`sh
pure-ftpd ${PUREFTPD_FLAGS[*]}
\`\`\`

\`-S $PURE4,$PURE_PORT\`: listen on $PURE4 port $PURE_PORT only (IPv4); \`-p 40000:40100\`: passive range;
\`-l unix\`: local users from /etc/passwd + /etc/shadow (alice, password \`wonderland-42\`, logs in to her
home directory: \`readme.txt\`, \`notes.txt\`; may upload); \`-H\`: no reverse DNS. Anonymous login is on
by default when the system user \`ftp\` exists: its home is the anonymous root (read-only tree:
\`readme.txt\` 117 bytes, \`pub/\` with \`data-64k.bin\` and \`notes.txt\`). The server runs in a private
mount namespace where temp directories are bind-mounted over alice's home and over the home of
\`ftp\`. Defaults that matter here: no FXP (\`-w\`/\`-W\` not given: a PORT must name the client's own
address), no ports below 1024 in PORT." \
    "- curl $CURL_VER in \`$P-cli1\` (198.51.100.20) and \`$P-cli3\` (198.51.100.22)
- lftp $LFTP_VER in \`$P-cli1\`
- $PY_VER in \`$P-cli2\` (198.51.100.21), via [samples/tools/ftplib-client.py](../tools/ftplib-client.py) (\`--port $PURE_PORT\`; \`login:U:P\` = USER + PASS, going on after a 530; \`raw:CMD\` = \`sendcmd\`, going on after a 5xx; \`active\` = PORT; \`list\`, \`stor\`)" \
    "- **curl** ($P-cli1): Pure-FTPd logs the anonymous user in on \`USER anonymous\` alone →
  \`230 Anonymous user logged in\`: no 331 and no PASS at all. EPSV → \`229 Extended Passive mode OK
  (|||port|)\`; RETR readme.txt → \`150 Accepted data connection\` (no size), then a two-line
  \`226-File successfully transferred\` / \`226 0.000 seconds (measured here), … Mbytes per second\`.
- **lftp** ($P-cli1, anonymous): FEAT (lists PRET), \`OPTS UTF8 ON\` → \`504 Unknown command\` (Pure-FTPd
  without \`-8\`), \`PRET LIST pub\` → \`200 Ready to proceed\`, PASV → \`227 Entering Passive Mode
  (192,0,2,11,p1,p2)\` (no final period), LIST pub → \`226-Options: -l \` / \`226 2 matches total\`;
  \`PRET RETR pub/data-64k.bin\`, PASV, RETR → a two-line 150, \`150-Accepted data connection\` /
  \`150 64.0 kbytes to download\`, then 226 (65 536 bytes).
- **ftplib** ($P-cli2, alice): \`USER alice\` → \`331 User alice OK. Password required\`;
  \`PASS wrong-password\` → \`530 Login authentication failed\`, sent about **5 s** after the PASS
  (Pure-FTPd delays a failed login); the session goes on: USER / \`PASS wonderland-42\` →
  \`230 OK. Current directory is /home/alice\`. Three refused PORTs:
  \`PORT 100,64,0,20,156,64\` → \`500 I won't open a connection to 100.64.0.20 (only to 198.51.100.21)\`,
  \`PORT 203,0,113,50,156,64\` → \`500 I won't open a connection to 203.0.113.50 (only to 198.51.100.21)\`,
  \`PORT 198,51,100,21,0,80\` → \`501 Sorry, but I won't connect to ports < 1024\`; no data connection
  follows any of them. Then PORT + LIST and PORT + STOR ftpcap-upload-200k.bin (204 800 bytes):
  \`200 PORT command successful\`, the server connects **from 192.0.2.11 port 20**, and says
  \`150 Connecting to port N\`.
- **curl -P -** ($P-cli3, anonymous): \`EPRT |1|198.51.100.22|port|\` → \`200 PORT command successful\`
  (Pure-FTPd says PORT for an EPRT too), connection from port 20, RETR readme.txt → 226.

Every greeting is a five-line 220 in one segment (\`220---------- Welcome to Pure-FTPd [privsep] [TLS]
----------\`, …, \`220 You will be disconnected after 15 minutes of inactivity.\`; one line holds the
local time, so it changes with every run), and every QUIT is answered with a two-line
\`221-Goodbye. You uploaded N and downloaded M kbytes.\` / \`221 Logout.\`. The control port is 8021:
analyze with \`--ftp-port 8021\`; tshark needs \`-d tcp.port==8021,ftp\`.

Compared with vsftpd for the same situations: PORT to another address → vsftpd
\`500 Illegal PORT command.\`, Pure-FTPd names both addresses; failed login → vsftpd
\`530 Login incorrect.\`; EPSV → vsftpd \`229 Entering Extended Passive Mode (|||port|)\`; 150 → vsftpd
\`150 Opening BINARY mode data connection for readme.txt (117 bytes).\` /
\`150 Here comes the directory listing.\` / \`150 Ok to send data.\`; 226 → vsftpd one line." "$PURE_PORT"
}

case_pureftpd_forced_pasv_ip() {
  local c=pureftpd-forced-pasv-ip u="ftp://$PURE4:$PURE_PORT"
  begin_case $c
  start_pureftpd -P "$INSIDE_ADDR"
  cap_start $c
  client $c $P-cli1 fail "lftp -c 'set ftp:prefer-epsv no; set ftp:passive-mode yes; set net:timeout 5; set net:max-retries 1; set net:reconnect-interval-base 1; set cmd:fail-exit yes; open $u; ls'" "PASV, default ftp:fix-pasv-address yes, which does not cover 100.64.0.0/10: fails"
  client $c $P-cli2 ok "ftp -n -v $PURE4 $PURE_PORT <<'EOF'
user anonymous guest@example.com
epsv4
dir
bye
EOF" "tnftp, passive, EPSV turned off"
  client $c $P-cli3 ok "python3 @TOOLS@/ftplib-client.py $PURE4 --port $PURE_PORT login:anonymous:guest@example.com passive list" "PASV, ignores the 227 address"
  cap_stop $c $PURE_PORT
  write_readme $c "Pure-FTPd -P announces a NAT-inside address in the 227" \
    "Three anonymous sessions against Pure-FTPd $PURE4:$PURE_PORT started with \`-P $INSIDE_ADDR\` (ForcePassiveIP set to an inside address, as on a server behind a NAT that announces its private side)." \
    "$PUREFTPD_VER, started by hand in namespace \`$P-srv\` in the foreground with only command-line flags (no config file):

\`\`\`sh
pure-ftpd ${PUREFTPD_FLAGS[*]} -P $INSIDE_ADDR
\`\`\`

As in [pureftpd-mixed](../pureftpd-mixed/README.md), plus \`-P $INSIDE_ADDR\`: Pure-FTPd puts this address in every 227
reply instead of the address the client connected to. $INSIDE_ADDR (RFC 6598 shared space, a typical
NAT inside) is routed by the lab router to a neighbour that does not exist." \
    "- lftp $LFTP_VER in \`$P-cli1\` (198.51.100.20), PASV, \`ftp:fix-pasv-address\` left at its default (yes)
- $TNFTP_VER in \`$P-cli2\` (198.51.100.21), \`epsv4\` toggled off so that it sends PASV
- $PY_VER in \`$P-cli3\` (198.51.100.22), via [samples/tools/ftplib-client.py](../tools/ftplib-client.py) (\`--port $PURE_PORT\`, passive: PASV; ftplib ignores the 227 address)" \
    "- **lftp** ($P-cli1, anonymous): \`PRET LIST\`, PASV → \`227 Entering Passive Mode (100,64,0,10,p1,p2)\`.
  lftp's \`ftp:fix-pasv-address\` (on by default) replaces a 227 address only when its own private-network
  test tells the two addresses apart, and that test does not include 100.64.0.0/10: lftp dials
  100.64.0.10:port, the SYN is retransmitted without an answer, and after 5 s (\`net:timeout\`) lftp
  closes the control connection (FIN, no QUIT) and exits 1 (\`ls: Fatal error: max-retries exceeded\`).
  Pure-FTPd then sends **\`227 Logout.\`**: its goodbye on a connection the client closed reuses the
  code of its previous reply, so a 227 appears that answers no command and carries no address. lftp
  answers it with RST.
- **tnftp** ($P-cli2, anonymous, \`epsv4\` toggled off): PASV → 227 naming 100.64.0.10; tnftp refuses
  it (\`Passive mode address mismatch.\` on its terminal, nothing on the wire), makes no connection,
  sends no data command, and QUITs at \`bye\`. Its exit status is still 0.
- **ftplib** ($P-cli3, anonymous): PASV → 227 naming 100.64.0.10; ftplib ignores the address and
  connects to 192.0.2.11:port; LIST → 150, \`226-Options: -l \` / \`226 2 matches total\`.

Expect three 227 replies naming 100.64.0.10, one unanswered data SYN to 100.64.0.10 (lftp), no
data connection for tnftp's, one data connection to 192.0.2.11 that succeeds (ftplib), and the
stray \`227 Logout.\` at the end of lftp's control connection." "$PURE_PORT"
}

# ------------------------------------------------------------------- run --
log "building the lab"
lab_up
for c in "${CASES[@]}"; do
  "case_${c//-/_}"
  stop_server
done
log "index rows for samples/README.md:"
for c in "${CASES[@]}"; do
  printf '| [%s](%s/README.md) | %s | %s | |\n' "$c" "$c" \
    "$(capinfos -M -c "$SAMPLES/$c/capture.pcap" | awk -F': *' '/Number of packets/ {print $2}')" \
    "$(stat -c %s "$SAMPLES/$c/capture.pcap")" >&2
done
