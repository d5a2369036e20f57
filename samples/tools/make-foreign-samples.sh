#!/usr/bin/env bash
# make-foreign-samples.sh — record the ftpcap samples of traffic nobody made
# for ftpcap: other protocols on FTP's ports, data connections whose handshake
# the capture lacks, a refused transfer before the one that used the channel,
# control connections that never opened, and captures holding every packet twice.
#
#   sudo samples/tools/make-foreign-samples.sh                 # all cases
#   sudo samples/tools/make-foreign-samples.sh not-ftp         # only the named cases
#   sudo samples/tools/make-foreign-samples.sh up|down         # only build / remove the lab
#   KEEP_WORK=1 ...                                            # keep the temp dir (/tmp/ftpcap-foreign.*)
#
# Cases (each writes samples/<case>/{capture.pcap,README.md,tshark-frames.txt,clients.log};
# duplicated has tshark-frames.original.txt instead, tshark's view of original.pcap):
#   not-ftp              POP3 and IMAP (Dovecot), SMTP (aiosmtpd), NNTP (a scripted
#                        server, nntplib client) and HTTP (python3 http.server), each on
#                        its standard port, on port 21 and on port 2121, driven by curl
#                        pop3:// imap:// smtp:// http:// and nntplib. No FTP at all.
#   data-handshake-missing
#                        vsftpd, ftplib: PORT → 200, NLST → 150 … 226 over an active data
#                        connection; editcap removes the data connection's SYN, SYN-ACK
#                        and ACK from the recording (original.pcap is kept).
#   refused-transfer     vsftpd, ftplib: PORT → 200, RETR / → 550 (no 1xx, no connection),
#                        LIST → 150 → 226 over that PORT; then the same with PASV.
#   control-unopened     curl to 192.0.2.30:21 (an address of the server host where
#                        nothing listens: RST) and to 192.0.2.31:21 (dropped by the server
#                        host's nftables: SYNs unanswered), then one good FTP session.
#   tunnels              FTP inside VXLAN (ip link add ... type vxlan): fx-tc and fx-ts share an
#                        underlay link (203.0.113.1, 203.0.113.2; captured there), the
#                        overlay is 192.0.2.0/24 with vsftpd on 192.0.2.10; curl EPSV RETR and
#                        ftplib PORT NLST. (The lab kernel has no ipip, sit, gre or geneve.)
#   duplicated           one vsftpd session recorded once (original.pcap), then every
#                        packet twice: mergecap of the file with itself (capture.pcap:
#                        each frame next to its copy, as from two mirror ports) and
#                        mergecap -a (concatenated.pcap: the file twice in a row, time
#                        jumps back at the seam).
#
# Lab (namespaces fx-*, documentation addresses only, not connected to the host):
#   fx-srv  eth0 192.0.2.10/24 (+ .21 .22 .23 .24 .25 .30 .31)   servers
#     |
#   fx-rtr  srv0 192.0.2.1/24  <- capture point (tcpdump -i srv0 tcp)
#           cli0 198.51.100.1/24
#     |
#   fx-cli  eth0 198.51.100.20/24                                 clients
#
# Needs: root, iproute2, ethtool, nft, tcpdump, tshark, editcap, mergecap,
# vsftpd, dovecot (dovecot-pop3d, dovecot-imapd), python3-aiosmtpd, curl,
# /usr/bin/python3 (nntplib, ftplib, http.server).
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$TOOLS/lab.sh" # SAMPLES, PYTHON, veth, servers, recorders
ALL_CASES=(not-ftp data-handshake-missing refused-transfer control-unopened duplicated tunnels)
lab_prefix fx # NS_PREFIX=xy: namespaces xy-*

NS_SRV=$P-srv NS_RTR=$P-rtr NS_CLI=$P-cli
# The tunnels case: two hosts on one underlay link, FTP between them inside a tunnel.
NS_TC=$P-tc NS_TS=$P-ts
ALL_NS=("$NS_SRV" "$NS_RTR" "$NS_CLI" "$NS_TC" "$NS_TS")
SRV4=192.0.2.10 CLI4=198.51.100.20
# Other protocols on port 21 and 2121, one address each.
POP3_ALT=192.0.2.21 IMAP_ALT=192.0.2.22 SMTP_ALT=192.0.2.23 NNTP_ALT=192.0.2.24 HTTP_ALT=192.0.2.25
RST_HOST=192.0.2.30 DROP_HOST=192.0.2.31
CAPTURE_IF=srv0

down() {
  ns_delete "${ALL_NS[@]}" # lab.sh: ends what runs inside, by pid
}

up() {
  down
  local ns a
  for ns in "${ALL_NS[@]}"; do
    ns_base "$ns"
    nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  done
  nsx "$NS_RTR" sysctl -qw net.ipv4.ip_forward=1
  veth "$NS_RTR" "$CAPTURE_IF" 02:fb:00:02:00:01 "$NS_SRV" eth0 02:fb:00:02:00:10
  veth "$NS_RTR" cli0 02:fb:00:01:00:01 "$NS_CLI" eth0 02:fb:00:01:00:20
  router_if "$NS_RTR" "$CAPTURE_IF" "$RTR_S4/24" ""
  router_if "$NS_RTR" cli0 "$RTR_C4/24" ""
  host_if "$NS_SRV" eth0 "$SRV4/24" "" "$RTR_S4" ""
  for a in "$POP3_ALT" "$IMAP_ALT" "$SMTP_ALT" "$NNTP_ALT" "$HTTP_ALT" "$RST_HOST" "$DROP_HOST"; do
    nsx "$NS_SRV" ip addr add "$a/24" dev eth0
  done
  host_if "$NS_CLI" eth0 "$CLI4/24" "" "$RTR_C4" ""
  sleep 0.5
  log "lab up"
}

case "${1:-}" in
  up) [ "$(id -u)" = 0 ] || die "run as root"; up; exit 0 ;;
  down) [ "$(id -u)" = 0 ] || die "run as root"; down; exit 0 ;;
esac

need_root "network namespaces, servers, tcpdump"
need_commands ip ethtool nft tcpdump tshark editcap mergecap capinfos vsftpd curl "$PYTHON"
select_cases "${ALL_CASES[*]}" "$@"
if wanted not-ftp; then
  need_commands dovecot
  "$PYTHON" -c 'import aiosmtpd' 2>/dev/null || die "missing: python3-aiosmtpd"
fi

lab_begin foreign
on_exit down

VERSIONS=$(
  echo "| software | version |"
  echo "|---|---|"
  echo "| vsftpd | $(dpkg-query -W -f '${Version}' vsftpd) (Debian package) |"
  echo "| Dovecot (POP3, IMAP) | $(dovecot --version) (Debian packages dovecot-pop3d, dovecot-imapd $(dpkg-query -W -f '${Version}' dovecot-core)) |"
  echo "| aiosmtpd (SMTP) | $(dpkg-query -W -f '${Version}' python3-aiosmtpd) (Debian package python3-aiosmtpd) |"
  echo "| curl | $(curl --version | head -1 | cut -d' ' -f2) (Debian package $(dpkg-query -W -f '${Version}' curl)) |"
  echo "| Python (ftplib, nntplib, http.server) | $("$PYTHON" -c 'import sys; print(sys.version.split()[0])') (/usr/bin/python3) |"
  echo "| capture | $(tcpdump --version 2>&1 | head -1) |"
  echo "| editing | $(editcap --version 2>&1 | head -1) |"
  echo "| kernel | Linux $(uname -r) |"
)

# ---------------------------------------------------------------- servers --
start_vsftpd() {
  mkdir -p "$WORK/anon/pub" "$WORK/empty"
  printf 'ftpcap foreign-capture sample file\n' >"$WORK/anon/pub/readme.txt"
  head -c 20000 /dev/zero | tr '\0' 'x' >"$WORK/anon/pub/twenty-k.txt"
  chmod -R a+rX "$WORK/anon"
  {
    printf '%s\n' listen=YES "listen_address=$SRV4"
    vsftpd_conf "$WORK/anon" "$WORK/empty"
    printf '%s\n' local_enable=NO write_enable=NO
  } >"$WORK/vsftpd.conf"
  server_start vsftpd "$NS_SRV" "$WORK/vsftpd.log" vsftpd "$WORK/vsftpd.conf"
  wait_port "$SRV4" 21
}

wait_port() { # ADDR PORT: wait until something listens there in fx-srv
  local i
  for i in $(seq 1 50); do
    if nsx "$NS_SRV" ss -Hltn "src $1 and sport = :$2" | grep -q .; then return 0; fi
    sleep 0.1
  done
  die "nothing listens on $1:$2"
}

start_dovecot() {
  local n
  mkdir -p "$WORK/dovecot/run" "$WORK/dovecot/state" "$WORK/mail/alice/Maildir"/{cur,new,tmp}
  # 1500 messages: POP3 LIST answers with 1500 lines that look like FTP replies to a parser that
  # takes any three digits for a reply code ("977 341382"). Message 977 is 341382 bytes long.
  for n in $(seq 1 1500); do
    f="$WORK/mail/alice/Maildir/cur/$((1764670000 + n)).M${n}P1.fx-srv:2,S"
    if [ "$n" = 977 ]; then
      { printf 'From: bob@example.org\r\nTo: alice@example.org\r\nSubject: large %s\r\n\r\n' "$n"; head -c 340000 /dev/zero | tr '\0' 'y' | fold -w 998 | sed 's/$/\r/'; } >"$f"
      truncate -s 341382 "$f"
    else
      printf 'From: bob@example.org\r\nTo: alice@example.org\r\nSubject: note %s\r\n\r\nmessage %s\r\n' "$n" "$n" >"$f"
    fi
  done
  chown -R nobody:nogroup "$WORK/mail"
  echo "alice:{PLAIN}wonderland-42" >"$WORK/dovecot/passwd"
  cat >"$WORK/dovecot/dovecot.conf" <<EOF
# written by samples/tools/make-foreign-samples.sh; not /etc/dovecot/dovecot.conf
protocols = pop3 imap
listen = $SRV4
base_dir = $WORK/dovecot/run
state_dir = $WORK/dovecot/state
log_path = $WORK/dovecot/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$WORK/mail/%u/Maildir
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN $WORK/dovecot/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$WORK/mail/%u
}
service pop3-login {
  inet_listener pop3 {
    address = $SRV4
    port = 110
  }
  inet_listener pop3-on-21 {
    address = $POP3_ALT
    port = 21
  }
  inet_listener pop3-on-2121 {
    address = $POP3_ALT
    port = 2121
  }
  inet_listener pop3s {
    port = 0
  }
}
service imap-login {
  inet_listener imap {
    address = $SRV4
    port = 143
  }
  inet_listener imap-on-21 {
    address = $IMAP_ALT
    port = 21
  }
  inet_listener imap-on-2121 {
    address = $IMAP_ALT
    port = 2121
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
  nsx "$NS_SRV" dovecot -F -c "$WORK/dovecot/dovecot.conf" >"$WORK/dovecot/stdout.log" 2>&1 &
  wait_port "$SRV4" 110
  wait_port "$IMAP_ALT" 2121
}

start_others() {
  local a p
  for spec in "$SRV4:25" "$SMTP_ALT:21" "$SMTP_ALT:2121"; do
    a=${spec%:*} p=${spec#*:}
    nsx "$NS_SRV" "$PYTHON" -m aiosmtpd -n -c aiosmtpd.handlers.Sink -l "$a:$p" >"$WORK/smtp-$p.log" 2>&1 &
  done
  nsx "$NS_SRV" "$PYTHON" "$TOOLS/nntp-server.py" "$SRV4:119" "$NNTP_ALT:21" "$NNTP_ALT:2121" >"$WORK/nntp.log" 2>&1 &
  mkdir -p "$WORK/www"
  printf '<!doctype html><title>ftpcap</title><p>not FTP\n' >"$WORK/www/index.html"
  for spec in "$SRV4:80" "$HTTP_ALT:21" "$HTTP_ALT:2121"; do
    a=${spec%:*} p=${spec#*:}
    nsx "$NS_SRV" "$PYTHON" -m http.server --bind "$a" --directory "$WORK/www" "$p" >"$WORK/http-$p.log" 2>&1 &
  done
  wait_port "$SRV4" 25
  wait_port "$SMTP_ALT" 2121
  wait_port "$NNTP_ALT" 2121
  wait_port "$HTTP_ALT" 2121
}

# ---------------------------------------------------------------- capture --
# --immediate-mode (lab.sh record_start): packets still in a capture ring
# block when tcpdump is stopped would be lost.
start_capture() { # NAME
  CAP_TMP="$WORK/$1.pcap"
  record_start capture "$NS_RTR" "$CAPTURE_IF" "$CAP_TMP" tcp
  sleep 0.3
}
stop_capture() {
  sleep 1
  record_stop capture || die "tcpdump dropped packets"
}

# client NAME COMMAND...: run in fx-cli, output to clients.log of the case
client() {
  local name=$1; shift
  { echo "## $name: $*"; nsx "$NS_CLI" "$@" 2>&1 || echo "(exit status $?)"; echo; } >>"$CLIENTS_LOG"
  sleep 0.3
}

# finish CASE FILE [CONTROL_PORT]: copy the capture into samples/CASE with its tshark view
finish_case() {
  local case=$1 file=$2 dir="$SAMPLES/$1"
  mkdir -p "$dir"
  cp "$file" "$dir/capture.pcap"
  cp "$CLIENTS_LOG" "$dir/clients.log"
  "$TOOLS/tshark-frames.sh" "$dir/capture.pcap" >"$dir/tshark-frames.txt"
}

facts() { # FILE: packets and bytes as capinfos counts them
  capinfos -c -d -M "$1" | awk -F': *' '/Number of packets/ {p=$2} /Data size/ {b=$2} END {gsub(/ .*/, "", b); print p " packets, " b " bytes"}'
}

# ------------------------------------------------------------------ cases --
case_not_ftp() {
  local dir="$SAMPLES/not-ftp" p host
  CLIENTS_LOG="$WORK/not-ftp.clients.log"; : >"$CLIENTS_LOG"
  start_capture not-ftp
  for spec in "$SRV4:110" "$POP3_ALT:21" "$POP3_ALT:2121"; do
    host=${spec%:*} p=${spec#*:}
    client "POP3 LIST on $spec" curl -sS --max-time 20 -o /dev/null -w '%{response_code}\n' "pop3://alice:wonderland-42@$host:$p/"
    client "POP3 RETR 2 on $spec" curl -sS --max-time 20 "pop3://alice:wonderland-42@$host:$p/2"
  done
  for spec in "$SRV4:143" "$IMAP_ALT:21" "$IMAP_ALT:2121"; do
    host=${spec%:*} p=${spec#*:}
    client "IMAP LIST on $spec" curl -sS --max-time 20 "imap://alice:wonderland-42@$host:$p/"
    client "IMAP FETCH on $spec" curl -sS --max-time 20 -o /dev/null -w '%{response_code}\n' "imap://alice:wonderland-42@$host:$p/INBOX;UID=3"
  done
  printf 'From: alice@example.org\r\nTo: bob@example.org\r\nSubject: not FTP\r\n\r\nUSER anonymous\r\nRETR file\r\n' >"$WORK/mail.txt"
  for spec in "$SRV4:25" "$SMTP_ALT:21" "$SMTP_ALT:2121"; do
    host=${spec%:*} p=${spec#*:}
    client "SMTP on $spec" curl -sS --max-time 20 "smtp://$host:$p/client.example" --mail-from alice@example.org --mail-rcpt bob@example.org -T "$WORK/mail.txt"
  done
  for spec in "$SRV4:119" "$NNTP_ALT:21" "$NNTP_ALT:2121"; do
    host=${spec%:*} p=${spec#*:}
    client "NNTP on $spec" "$PYTHON" "$TOOLS/nntp-client.py" "$host" "$p"
  done
  for spec in "$SRV4:80" "$HTTP_ALT:21" "$HTTP_ALT:2121"; do
    host=${spec%:*} p=${spec#*:}
    client "HTTP on $spec" curl -sS --max-time 20 -o /dev/null -w '%{http_code}\n' "http://$host:$p/index.html"
  done
  stop_capture
  finish_case not-ftp "$CAP_TMP"
  # The same connections as if the capture had started after their first exchange: no SYN, no
  # greeting (the server's first segment), so nothing says which protocol speaks.
  tshark -r "$dir/capture.pcap" -F pcap -w "$dir/midstream.pcap" \
    -Y '!(tcp.flags.syn == 1) && !(tcp.seq == 1 && tcp.len > 0 && tcp.srcport in {21,2121,110,143,25,119,80})' 2>/dev/null
  cat >"$dir/README.md" <<EOF
# not-ftp

Five other line protocols, each on its standard port, on port 21 and on port 2121 — no FTP at
all. ftpcap must report zero FTP sessions and no findings, also when every one of these ports is
named with \`--ftp-port\` (test/e2e/not-ftp.test.ts).

Recorded by \`samples/tools/make-foreign-samples.sh not-ftp\` at the router's server-facing
interface (\`tcpdump -i srv0 -s 0 'tcp'\`), lab \`fx-*\`: client 198.51.100.20, servers on
192.0.2.10 (standard ports) and on one address per protocol for ports 21 and 2121. $(facts "$dir/capture.pcap").

| protocol | server | ports (address) | client, what it does |
|---|---|---|---|
| POP3 | Dovecot, 1500 messages (message 977 is 341382 bytes) | 110 (192.0.2.10), 21 and 2121 ($POP3_ALT) | \`curl pop3://alice:…@host:port/\` (USER, PASS, LIST: 1500 lines such as \`977 341382\`), \`curl pop3://…/2\` (RETR 2) |
| IMAP | Dovecot | 143 (192.0.2.10), 21 and 2121 ($IMAP_ALT) | \`curl imap://…/\` (LIST), \`curl 'imap://…/INBOX;UID=3'\` (FETCH) |
| SMTP | aiosmtpd (Sink handler) | 25 (192.0.2.10), 21 and 2121 ($SMTP_ALT) | \`curl smtp://host:port/client.example --mail-from … --mail-rcpt … -T mail.txt\` (220, EHLO, MAIL, RCPT, DATA; the body holds the lines \`USER anonymous\` and \`RETR file\`) |
| NNTP | samples/tools/nntp-server.py (greets 200) | 119 (192.0.2.10), 21 and 2121 ($NNTP_ALT) | samples/tools/nntp-client.py: Python nntplib, CAPABILITIES, MODE READER, LIST, GROUP, ARTICLE 1, HEAD 2, QUIT |
| HTTP | python3 -m http.server | 80 (192.0.2.10), 21 and 2121 ($HTTP_ALT) | \`curl http://host:port/index.html\` |

What each shares with FTP: POP3 the verbs USER, PASS, LIST, RETR, DELE, QUIT and LIST lines that
begin with digits; SMTP the 220 greeting and reply grammar; NNTP reply codes (200, 211, 215) and
LIST; IMAP and HTTP only the ports here. The clients' output is in \`clients.log\`.

\`midstream.pcap\` holds the same connections as if the capture had started after their first
exchange: \`tshark -r capture.pcap -F pcap -w midstream.pcap -Y '!(tcp.flags.syn == 1) &&
!(tcp.seq == 1 && tcp.len > 0 && tcp.srcport in {21,2121,110,143,25,119,80})'\` removes every SYN,
SYN-ACK and the server's first segment (the greeting). $(facts "$dir/midstream.pcap").

## Software

$VERSIONS
EOF
}

case_data_handshake_missing() {
  local dir="$SAMPLES/data-handshake-missing" frames
  CLIENTS_LOG="$WORK/dhm.clients.log"; : >"$CLIENTS_LOG"
  start_capture dhm
  client "ftplib PORT NLST" "$PYTHON" "$TOOLS/foreign-ftp-client.py" "$SRV4" nlst-port
  stop_capture
  # The active data connection: the SYN from port 20, the SYN-ACK, the final ACK.
  frames=$(tshark -n -r "$CAP_TMP" -Y 'tcp.port == 20 && (tcp.flags.syn == 1 || (tcp.srcport == 20 && tcp.seq == 1 && tcp.ack == 1 && tcp.len == 0 && tcp.flags.fin == 0))' -T fields -e frame.number 2>/dev/null | head -3 | tr '\n' ' ')
  [ -n "$frames" ] || die "no data handshake found"
  mkdir -p "$dir"
  cp "$CAP_TMP" "$dir/original.pcap"
  # shellcheck disable=SC2086
  editcap -F pcap "$CAP_TMP" "$WORK/dhm-cut.pcap" $frames
  finish_case data-handshake-missing "$WORK/dhm-cut.pcap"
  cat >"$dir/README.md" <<EOF
# data-handshake-missing

An active data connection whose three-way handshake is not in the capture: PORT → 200, NLST →
150, the listing flows from the server's port 20 to the announced port, 226. ftpcap must match
the payload to the PORT (handshake \`midstream\`, "handshake not in the capture") instead of
reporting the connection missing.

Recorded by \`samples/tools/make-foreign-samples.sh data-handshake-missing\` at the router's
server-facing interface: vsftpd $(dpkg-query -W -f '${Version}' vsftpd) on 192.0.2.10:21 (anonymous,
\`connect_from_port_20=YES\`), client samples/tools/foreign-ftp-client.py (Python ftplib:
\`sendport\`, then \`NLST\`). \`original.pcap\` is the recording; \`capture.pcap\` is
\`editcap -F pcap original.pcap capture.pcap ${frames% }\`: the frames removed are the data connection's SYN,
SYN-ACK and ACK (frame numbers of original.pcap). $(facts "$dir/capture.pcap").

## Software

$VERSIONS
EOF
}

case_refused_transfer() {
  local dir="$SAMPLES/refused-transfer"
  CLIENTS_LOG="$WORK/rt.clients.log"; : >"$CLIENTS_LOG"
  start_capture rt
  client "ftplib PORT, RETR / refused, LIST" "$PYTHON" "$TOOLS/foreign-ftp-client.py" "$SRV4" refused-then-list
  client "ftplib PASV, RETR / refused, LIST" "$PYTHON" "$TOOLS/foreign-ftp-client.py" "$SRV4" refused-pasv
  stop_capture
  finish_case refused-transfer "$CAP_TMP"
  cat >"$dir/README.md" <<EOF
# refused-transfer

A transfer command refused before any data connection, and the next transfer command that used
the announced channel (RFC 959 §5.4: RETR may be answered 550 at once, with no 1yz and no
connection). ftpcap must charge the channel to the LIST, and report the RETR as a transfer that
failed without a channel.

Recorded by \`samples/tools/make-foreign-samples.sh refused-transfer\` at the router's
server-facing interface: vsftpd $(dpkg-query -W -f '${Version}' vsftpd) on 192.0.2.10:21 (anonymous,
active data from port 20), client samples/tools/foreign-ftp-client.py (Python ftplib, raw
commands). $(facts "$dir/capture.pcap").

1. session 1: \`PORT\` → 200, \`RETR /\` → \`550 Failed to open file.\`, \`LIST\` → 150, the listing
   over a data connection from port 20 to the PORT address, 226.
2. session 2: \`PASV\` → 227, \`RETR /\` → 550, then the client connects to the 227 port and sends
   \`LIST\` → 150, listing, 226.

## Software

$VERSIONS
EOF
}

case_control_unopened() {
  local dir="$SAMPLES/control-unopened"
  CLIENTS_LOG="$WORK/cu.clients.log"; : >"$CLIENTS_LOG"
  nsx "$NS_SRV" nft -f - <<EOF
table inet fx_filter {
  chain input {
    type filter hook input priority 0; policy accept;
    ip daddr $DROP_HOST tcp dport 21 drop
  }
}
EOF
  start_capture cu
  client "curl to $RST_HOST:21 (nothing listens)" curl -sS --max-time 5 "ftp://$RST_HOST/"
  client "curl to $RST_HOST:21 again" curl -sS --max-time 5 "ftp://$RST_HOST/"
  client "curl to $DROP_HOST:21 (dropped)" curl -sS --connect-timeout 4 "ftp://$DROP_HOST/"
  client "curl to $SRV4:21 (works)" curl -sS --max-time 10 -o /dev/null "ftp://$SRV4/pub/readme.txt"
  stop_capture
  nsx "$NS_SRV" nft delete table inet fx_filter
  finish_case control-unopened "$CAP_TMP"
  cat >"$dir/README.md" <<EOF
# control-unopened

FTP control connections that never opened: SYN answered by RST (nothing listens on port 21), and
SYNs nobody answers (a firewall drops them). ftpcap must report them as connection attempts
(\`unopenedControlConnections\`, findings \`control-connect-refused\` and
\`control-connect-unanswered\`), not as FTP sessions; the one good session stays a session.

Recorded by \`samples/tools/make-foreign-samples.sh control-unopened\` at the router's
server-facing interface (so the capture sees what reaches the server host and what it sends
back). The server host fx-srv has the addresses $RST_HOST (nothing listens on it) and $DROP_HOST
(its nftables input chain: \`ip daddr $DROP_HOST tcp dport 21 drop\`). $(facts "$dir/capture.pcap").

1. \`curl ftp://$RST_HOST/\` twice: SYN → RST, ACK each time (curl gives up at once).
2. \`curl --connect-timeout 4 ftp://$DROP_HOST/\`: the SYN and its retransmissions, no answer.
3. \`curl ftp://$SRV4/pub/readme.txt\` against vsftpd: a normal anonymous EPSV download.

## Software

$VERSIONS
EOF
}

case_duplicated() {
  local dir="$SAMPLES/duplicated"
  CLIENTS_LOG="$WORK/dup.clients.log"; : >"$CLIENTS_LOG"
  start_capture dup
  client "curl EPSV RETR" curl -sS --max-time 10 -o /dev/null "ftp://$SRV4/pub/twenty-k.txt"
  client "ftplib PORT NLST" "$PYTHON" "$TOOLS/foreign-ftp-client.py" "$SRV4" nlst-port
  stop_capture
  mkdir -p "$dir"
  cp "$CAP_TMP" "$dir/original.pcap"
  mergecap -F pcap -w "$WORK/dup-merged.pcap" "$CAP_TMP" "$CAP_TMP"
  mergecap -F pcap -a -w "$dir/concatenated.pcap" "$CAP_TMP" "$CAP_TMP"
  finish_case duplicated "$WORK/dup-merged.pcap"
  # tshark lists both copies of every frame of capture.pcap: its view is that of the recording.
  rm -f "$dir/tshark-frames.txt"
  "$TOOLS/tshark-frames.sh" "$dir/original.pcap" >"$dir/tshark-frames.original.txt"
  cat >"$dir/README.md" <<EOF
# duplicated

Every packet twice. ftpcap must recognise exact duplicates (same bytes, close in time), count
them once and say how many there were, and say where time goes backwards in a file.

Recorded by \`samples/tools/make-foreign-samples.sh duplicated\` at the router's server-facing
interface: vsftpd $(dpkg-query -W -f '${Version}' vsftpd) on 192.0.2.10:21, \`curl
ftp://$SRV4/pub/twenty-k.txt\` (EPSV download of 20000 bytes), then Python ftplib PORT + NLST
(samples/tools/foreign-ftp-client.py nlst-port).

- \`original.pcap\`: the recording ($(facts "$dir/original.pcap")).
- \`capture.pcap\`: \`mergecap -F pcap -w capture.pcap original.pcap original.pcap\`, merged by
  time: each frame followed by its copy with the same timestamp, as when two mirror ports feed
  one capture ($(facts "$dir/capture.pcap")).
- \`concatenated.pcap\`: \`mergecap -F pcap -a -w concatenated.pcap original.pcap original.pcap\`:
  the recording twice in a row; at the seam time jumps back to the start
  ($(facts "$dir/concatenated.pcap")).

\`tshark-frames.original.txt\` is tshark's view of original.pcap (of the doubled files it would list
every frame twice); test/e2e/duplicates.test.ts checks that both doubled files read as it.

## Software

$VERSIONS
EOF
}

# Both recordings must hold their whole sessions (2 and 1 transfers completed, 226); now and then
# the underlay capture lacks the later ones, so the case is recorded again (at most 3 times).
case_tunnels() {
  local attempt
  for attempt in 1 2 3; do
    record_tunnels
    if [ "$(completed_transfers "$SAMPLES/tunnels/capture.pcap")" = 2 ] && [ "$(completed_transfers "$SAMPLES/tunnels/fragmented.pcap")" = 1 ]; then return 0; fi
    log "tunnels: attempt $attempt lacks sessions, recording again"
    kill "$VSFTPD_TUN_PID" 2>/dev/null || true
    ip netns exec "$NS_TC" ip link del u0 2>/dev/null || true
    for ns in "$NS_TC" "$NS_TS"; do nsx "$ns" ip link del vx0 2>/dev/null || true; done
    sleep 0.5
  done
  die "tunnels: no complete recording in 3 attempts"
}

completed_transfers() { tshark -r "$1" -Y 'ftp.response.code == 226' 2>/dev/null | wc -l; }

record_tunnels() {
  local dir="$SAMPLES/tunnels" ns i
  CLIENTS_LOG="$WORK/tun.clients.log"; : >"$CLIENTS_LOG"
  # (fx-tc and fx-ts were made by up() with the other namespaces)
  ip link add u0 netns "$NS_TC" address 02:fb:00:03:00:01 type veth peer name u0 netns "$NS_TS" address 02:fb:00:03:00:02
  nsx "$NS_TC" ip addr add 203.0.113.1/24 dev u0
  nsx "$NS_TS" ip addr add 203.0.113.2/24 dev u0
  for ns in "$NS_TC" "$NS_TS"; do nsx "$ns" ip link set u0 up; no_offload "$ns" u0; done
  nsx "$NS_TC" ip link add vx0 address 02:fb:00:04:00:20 type vxlan id 42 local 203.0.113.1 remote 203.0.113.2 dstport 4789 dev u0
  nsx "$NS_TS" ip link add vx0 address 02:fb:00:04:00:10 type vxlan id 42 local 203.0.113.2 remote 203.0.113.1 dstport 4789 dev u0
  nsx "$NS_TC" ip addr add 192.0.2.20/24 dev vx0
  nsx "$NS_TS" ip addr add 192.0.2.10/24 dev vx0
  for ns in "$NS_TC" "$NS_TS"; do nsx "$ns" ip link set vx0 up; no_offload "$ns" vx0; done
  sed "s/^listen_address=.*/listen_address=192.0.2.10/" "$WORK/vsftpd.conf" >"$WORK/vsftpd-tun.conf"
  ip netns exec "$NS_TS" vsftpd "$WORK/vsftpd-tun.conf" >"$WORK/vsftpd-tun.log" 2>&1 &
  VSFTPD_TUN_PID=$!
  for i in $(seq 1 50); do nsx "$NS_TS" ss -Hltn 'sport = :21' | grep -q . && break; sleep 0.1; done
  CAP_TMP="$WORK/tun.pcap"
  record_start capture "$NS_TC" u0 "$CAP_TMP" ""
  sleep 0.3
  { echo "## curl EPSV RETR over VXLAN"; nsx "$NS_TC" curl -sS --max-time 10 -o /dev/null -w '%{size_download} bytes\n' "ftp://192.0.2.10/pub/twenty-k.txt" 2>&1; echo; } >>"$CLIENTS_LOG"
  { echo "## ftplib PORT NLST over VXLAN"; nsx "$NS_TC" "$PYTHON" "$TOOLS/foreign-ftp-client.py" 192.0.2.10 nlst-port 2>&1; echo; } >>"$CLIENTS_LOG"
  stop_capture
  finish_case tunnels "$CAP_TMP"
  # Again with the VXLAN devices made without "dev u0": their MTU is then 1500, so full-sized
  # inner frames make VXLAN datagrams larger than the underlay's MTU, sent as IP fragments.
  for ns in "$NS_TC" "$NS_TS"; do nsx "$ns" ip link del vx0; done
  nsx "$NS_TC" ip link add vx0 address 02:fb:00:04:00:20 type vxlan id 42 local 203.0.113.1 remote 203.0.113.2 dstport 4789
  nsx "$NS_TS" ip link add vx0 address 02:fb:00:04:00:10 type vxlan id 42 local 203.0.113.2 remote 203.0.113.1 dstport 4789
  nsx "$NS_TC" ip addr add 192.0.2.20/24 dev vx0
  nsx "$NS_TS" ip addr add 192.0.2.10/24 dev vx0
  for ns in "$NS_TC" "$NS_TS"; do nsx "$ns" ip link set vx0 up; no_offload "$ns" vx0; done
  record_start capture "$NS_TC" u0 "$WORK/fragmented.pcap" ""
  sleep 0.3
  { echo "## curl EPSV RETR over VXLAN, MTU 1500 (fragmented.pcap)"; nsx "$NS_TC" curl -sS --max-time 10 -o /dev/null -w '%{size_download} bytes\n' "ftp://192.0.2.10/pub/twenty-k.txt" 2>&1; echo; } >>"$CLIENTS_LOG"
  stop_capture
  install -m 644 "$WORK/fragmented.pcap" "$dir/fragmented.pcap"
  cp "$CLIENTS_LOG" "$dir/clients.log"
  cat >"$dir/README.md" <<EOF
# tunnels

FTP inside a tunnel: every frame on the capture's link is VXLAN (UDP 4789) between the two tunnel
endpoints, with the FTP session's Ethernet frames inside. ftpcap must read the inner addresses
and ports as if the capture had been made inside the tunnel.

Recorded by \`samples/tools/make-foreign-samples.sh tunnels\`: namespaces fx-tc (underlay
203.0.113.1) and fx-ts (underlay 203.0.113.2) share one veth link, captured in fx-tc with
\`tcpdump -i u0 -s 0\` (no filter: ARP and the VXLAN datagrams). The overlay is
\`ip link add vx0 type vxlan id 42 local 203.0.113.1 remote 203.0.113.2 dstport 4789 dev u0\` (MTU 1450; the
mirror image in fx-ts) with 192.0.2.20/24 (client) and 192.0.2.10/24 (vsftpd
$(dpkg-query -W -f '${Version}' vsftpd), anonymous, active data from port 20). $(facts "$dir/capture.pcap").

1. \`curl ftp://192.0.2.10/pub/twenty-k.txt\`: EPSV, RETR of 20000 bytes.
2. samples/tools/foreign-ftp-client.py nlst-port: Python ftplib PORT + NLST (the server connects
   back from port 20, through the tunnel).

\`fragmented.pcap\` is a second run of step 1 with the VXLAN devices made without \`dev u0\`: their MTU
is then 1500, so the datagrams carrying full-sized inner frames exceed the underlay's MTU and
travel as IP fragments: ftpcap must reassemble them before it decodes the VXLAN inside, and
then read the same session as from capture.pcap. $(facts "$dir/fragmented.pcap").

The lab kernel has no ipip, sit, ip_gre or geneve modules, so the other encapsulations ftpcap
reads (IP in IP, 6in4, GRE with IP or Ethernet inside, GENEVE, MPLS, PPPoE) are covered by the
decoder tests (test/decode/tunnels.test.ts), with frames built from their RFC headers.

## Software

$VERSIONS
EOF
}

up
need_vsftpd=0 need_others=0
for c in "${CASES[@]}"; do
  case "$c" in
    not-ftp) need_others=1 ;;
    data-handshake-missing | refused-transfer | control-unopened | duplicated | tunnels) need_vsftpd=1 ;;
    *) die "unknown case: $c" ;;
  esac
done
[ "$need_vsftpd" = 0 ] || start_vsftpd
if [ "$need_others" = 1 ]; then start_dovecot; start_others; fi
for c in "${CASES[@]}"; do
  log "case $c"
  "case_${c//-/_}"
done
log "done: ${CASES[*]}"
