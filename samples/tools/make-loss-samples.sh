#!/usr/bin/env bash
# make-loss-samples.sh — record the ftpcap sample captures of lossy and
# incomplete TCP with real FTP software.
#
#   sudo samples/tools/make-loss-samples.sh              # all cases
#   sudo samples/tools/make-loss-samples.sh lossy gapped # only the named cases
#   sudo samples/tools/make-loss-samples.sh up|down      # only build / remove the lab
#   KEEP_WORK=1 ...                                      # keep the temp dir (/tmp/ftpcap-loss.*)
#
# Cases (each writes samples/<case>/{capture.pcap,README.md,tshark-frames.txt,clients.log}):
#   lossy       random packet loss made by nftables in the server's namespace
#               (bridge-family input and output hooks on the server's link)
#               during a 4 MiB RETR, listings and
#               uploads in PASV, EPSV and PORT mode; recorded on the client
#               side of the router, so a segment lost on its way in to the
#               server is in the capture twice and a segment lost on its way
#               out is only there as the retransmission. Repeated until the
#               loss also hit both directions of a control connection and
#               every transfer still ended with 226. Also writes dropped.txt
#               (every dropped packet, from an NFLOG copy).
#   midstream   tcpdump starts after two sessions have logged in and done one
#               transfer each: no SYN, no login in the capture. One session is
#               on port 21, the other on a second vsftpd on port 2121 (active
#               data from port 2120).
#   gapped      a clean recording (original.pcap) from which editcap removes
#               chosen frames: a segment in the middle of a multi-segment STAT
#               reply, a 227 reply, a PORT command, a 150 reply, data segments
#               of a download and of an upload, and a data connection's SYN-ACK.
#   port-reuse  the same TCP 4-tuple used twice: two control connections from
#               one fixed client port, and two active data connections from
#               192.0.2.10:20 to one fixed client port.
#
# The lab is netns.sh's topology (lab.sh star_up) with its own namespaces (fl-srv,
# fl-rtr, fl-cli1..3) and documentation addresses only; nothing is connected
# to the host. One difference: in fl-srv the addresses sit on a bridge br-s
# whose only port is eth0 (where the lossy case drops frames). The capture point is the router's client-facing bridge (br0).
# vsftpd runs in the foreground from the script's own config file; the local
# user alice (password wonderland-42) gets a directory ftpcap-loss/ in her home
# for the files of these cases, removed again at the end.
#
# Needs: root, iproute2, ethtool, iputils-ping, nft (nftables with numgen and
# log group), tcpdump (with NFLOG support), tshark, capinfos, editcap, vsftpd,
# lftp, curl, python3, sha256sum.
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ALL_CASES=(lossy midstream gapped port-reuse)

. "$TOOLS/lab.sh" # SAMPLES, PYTHON, star_up, servers, recorders, clients
lab_prefix fl # NS_PREFIX=xy: namespaces xy-*
NS_SRV=$P-srv
NS_RTR=$P-rtr
NS_CLIS=("$P-cli1" "$P-cli2" "$P-cli3")
CAPTURE_NS=$NS_RTR
CAPTURE_IF=br0
ALICE_PASS=wonderland-42
ALT_PORT=2121      # second vsftpd (midstream)
ALT_DATA_PORT=2120 # its active data connections come from here
LOSS_MOD=30        # drop 1 packet in LOSS_MOD, at random, per hook
LOSS_GROUP=7       # NFLOG group receiving a copy of every dropped packet
LOSSY_ATTEMPTS=12
LFTP_BASE="set ftp:prefer-epsv no; set ftp:passive-mode yes; set net:max-retries 1; set net:timeout 20; set cmd:fail-exit yes"

# ------------------------------------------------------------------- lab --
# lab.sh star_up (the topology of netns.sh) with fl- namespaces, the server's
# addresses on a bridge br-s whose only port is eth0 (nftables rules of the
# bridge family there drop frames on the server's link, after TCP has sent
# them: see LOSS_NFT), one TCP segment per packet:
#   fl-srv  br-s 192.0.2.10/24 2001:db8:2::10/64 (bridge; port eth0, the veth to fl-rtr)
#   fl-rtr  srv0 192.0.2.1/24, br0 198.51.100.1/24 (bridge: cli1 cli2 cli3) <- capture on br0
#   fl-cli1..3 eth0 198.51.100.20..22/24, 2001:db8:1::20..22/64
lab_down() { star_down "$P"; }
lab_up() {
  lab_down
  star_up "$P" f1 br-s
  ping_check "${NS_CLIS[@]}" -- "$RTR_C4" "$SRV4" || die "the lab does not answer pings"
  log "lab up: $P-srv $P-rtr ${NS_CLIS[*]}"
}

if [ "${1:-}" = down ]; then lab_down; exit 0; fi
if [ "${1:-}" = up ]; then lab_up; exit 0; fi

# ------------------------------------------------------------- preflight --
need_root "network namespaces, nftables, vsftpd, tcpdump"
need_commands ip ethtool ping nft tcpdump tshark capinfos editcap sha256sum vsftpd lftp curl useradd "$PYTHON"
select_cases "${ALL_CASES[*]}" "$@"

lab_begin loss
ALICE_DIR=""
on_exit lab_down
on_exit '[ -z "$ALICE_DIR" ] || rm -rf "$ALICE_DIR"'
tool_versions

# ---------------------------------------------------------- sample files --
# Seeded random content and fixed mtimes: the same bytes on every run.
ANON="$WORK/anon"
mkdir -p "$ANON/pub" "$WORK/empty" "$WORK/home" "$WORK/local"
"$PYTHON" "$TOOLS/sample-files.py" make-loss-samples.sh tree anon="$ANON" local="$WORK/local"
chmod -R a+rX "$ANON"
chmod 755 "$ANON" "$WORK/empty"
find "$ANON" "$WORK/local" -exec touch -h -d '2024-01-01 12:00:00 UTC' {} +
size_of() { stat -c %s "$1"; }
sha_of() { sha256sum "$1" | awk '{print $1}'; }

# alice: her ftpcap-loss/ directory holds the files the cases download as her
# and receives the uploads (her other files are left alone).
ALICE_HOME=$(lab_user alice "$ALICE_PASS")
[ -d "$ALICE_HOME" ] || die "alice has no home directory"
ALICE_DIR="$ALICE_HOME/ftpcap-loss"
reset_alice_dir() {
  rm -rf "$ALICE_DIR"
  install -d -o alice -g alice -m 755 "$ALICE_DIR"
  local f
  for f in data-512k.bin data-64k.bin hello.txt; do
    install -o alice -g alice -m 644 "$WORK/local/$f" "$ALICE_DIR/$f"
    touch -d '2024-01-01 12:00:00 UTC' "$ALICE_DIR/$f"
  done
  touch -d '2024-01-01 12:00:00 UTC' "$ALICE_DIR"
}

# --------------------------------------------------------------- vsftpd --
write_conf() { # FILE PORT DATA_PORT PASV_MIN PASV_MAX
  {
    echo "# written by samples/tools/make-loss-samples.sh; not /etc/vsftpd.conf"
    echo "# standalone, one IPv6 socket that also accepts IPv4 (mapped)"
    printf '%s\n' listen=NO listen_ipv6=YES "listen_port=$2"
    vsftpd_conf "$ANON" "$WORK/empty" "$4" "$5"
    echo "# active data connections come from port $3"
    echo "ftp_data_port=$3"
    echo "# local users (alice) may log in and upload into their home directory"
    printf '%s\n' local_enable=YES write_enable=YES local_umask=022 pam_service_name=vsftpd
  } >"$1"
  chmod 644 "$1"
}
write_conf "$WORK/vsftpd.conf" 21 20 40000 40100
write_conf "$WORK/vsftpd-$ALT_PORT.conf" "$ALT_PORT" "$ALT_DATA_PORT" 40200 40300
conf_md() { sed "s#$WORK#/tmp/ftpcap-loss.XXXXXX#g" "$1"; }

start_vsftpd() { # CONF PORT
  vsftpd_start "vsftpd-$2" "$NS_SRV" "$1" "${NS_CLIS[0]}" "$SRV4:$2"
}

# -------------------------------------------------------------- capture --
cap_start() { # OUTFILE [settle seconds]
  # -B: a 32 MiB kernel buffer, so tcpdump keeps up on a busy machine
  record_start case "$CAPTURE_NS" "$CAPTURE_IF" "$1" tcp -B 32768
  sleep "${2:-1}"
}
cap_stop() { # fails when tcpdump could not keep up (the capture lacks packets)
  sleep 1
  record_stop case
}

# Loss: two nftables chains in the server's namespace drop one TCP packet in
# LOSS_MOD at random on the way in and on the way out, and send a copy of
# each dropped packet to NFLOG group LOSS_GROUP (recorded by a second tcpdump).
# They are bridge-family chains on br-s, i.e. on the server's link: a drop in
# the inet output hook would fail TCP's send call, and TCP would send the same
# segment again at once, in order, so the loss would not show on the wire.
LOSS_NFT="table bridge ftpcap_loss {
	chain in {
		type filter hook input priority filter; policy accept;
		meta l4proto tcp numgen random mod $LOSS_MOD == 0 counter log prefix \"in\" group $LOSS_GROUP drop
	}
	chain out {
		type filter hook output priority filter; policy accept;
		meta l4proto tcp numgen random mod $LOSS_MOD == 0 counter log prefix \"out\" group $LOSS_GROUP drop
	}
}"
loss_on() {
  printf '%s\n' "$LOSS_NFT" >"$WORK/loss.nft"
  nsx "$NS_SRV" nft -f "$WORK/loss.nft"
}
loss_off() { # sets LOSS_COUNTED: packets the rules dropped (their counters)
  LOSS_COUNTED=$(nsx "$NS_SRV" nft list table bridge ftpcap_loss 2>/dev/null | grep -o 'packets [0-9]*' | awk '{s += $2} END {print s + 0}')
  nsx "$NS_SRV" nft delete table bridge ftpcap_loss 2>/dev/null || true
}
drops_start() { # OUTFILE
  record_start drops "$NS_SRV" "nflog:$LOSS_GROUP" "$1" ""
}
drops_stop() { record_stop drops || true; }

# -------------------------------------------------------------- clients --
# lab.sh runs each snippet (client_run, client_bg, wait_bg) in a client
# namespace, in a fresh working directory with the upload files in it, with an
# empty HOME; the snippet text is what the README shows; @TOOLS@ stands for
# samples/tools. client returns the client's exit status.
CLIENT_TIMEOUT=120
client() { client_run "$@"; }

wait_for_line() { # FILE REGEX TIMEOUT_S
  local i
  for i in $(seq $(($3 * 10))); do
    grep -Eq "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# --------------------------------------------------------------- README --
SERVER_MD="vsftpd $VSFTPD_VER, started by hand in namespace \`$P-srv\` (192.0.2.10, 2001:db8:2::10)
with its own config file (not /etc/vsftpd.conf), in the foreground: \`listen_ipv6=YES\` (IPv4 clients
arrive as IPv4-mapped addresses), anonymous login (read-only tree: \`big-4m.bin\` 4 MiB,
\`data-256k.bin\`, \`data-64k.bin\`, \`readme.txt\`, \`pub/\` with 60 small files), local user \`alice\`
(password \`wonderland-42\`, \`write_enable=YES\`; these cases use only her directory
\`ftpcap-loss/\`), \`pasv_min_port=40000\`, \`pasv_max_port=40100\`, \`connect_from_port_20=YES\`
(active data connections come from port 20), \`seccomp_sandbox=NO\`."
CAPTURE_MD="\`tcpdump --immediate-mode -i br0 -s 0 -U -Z root -B 32768 -w capture.pcap 'tcp'\` ($TCPDUMP_VER) in namespace \`$P-rtr\`, on
\`br0\`, the router's interface towards the clients (a bridge over the three client veths): the
client side of the path. Offloads are off on every veth and on the bridge, so frames are at most
1514 bytes and checksums are valid. Classic pcap, Ethernet, microsecond timestamps."
LAB_MD="Lab (namespaces made by the script, documentation addresses only, no link to the host):

\`\`\`
$P-srv   br-s: 192.0.2.10/24 (bridge, port eth0)   vsftpd
   |
$P-rtr   srv0: 192.0.2.1/24
         br0:  198.51.100.1/24   <- capture point (client side)
   |
$P-cli1  198.51.100.20   $P-cli2  198.51.100.21   $P-cli3  198.51.100.22
\`\`\`"

capinfos_md() { # CAPTURE
  echo "| | |"
  echo "|---|---|"
  capinfos -M "$1" | awk -F': +' '/^(Number of packets|File size|File type|File encapsulation|File timestamp precision|First packet time|Last packet time|Capture duration)/ {printf "| %s | %s |\n", $1, $2}'
}
packets_of() { capinfos -M -c "$1" | awk -F': *' '/Number of packets/ {print $2}'; }
readme_head() { # CASE TITLE SUMMARY
  local case=$1 dir="$SAMPLES/$1"
  echo "# $case — $2"
  echo
  echo "$3"
  echo
  echo "- **Packets:** $(packets_of "$dir/capture.pcap") (\`capinfos -c capture.pcap\`), $(size_of "$dir/capture.pcap") bytes"
  echo "- **Made:** $TODAY with \`samples/tools/make-loss-samples.sh $case\` (Linux $KERNEL_VER, network namespaces)"
  echo "- **Capture point:** $P-rtr / br0 (client side of the router)"
  echo "- **Cross-check:** [tshark-frames.txt](tshark-frames.txt) (\`samples/tools/tshark-frames.sh\`, $TSHARK_VER); client output: [clients.log](clients.log)"
  echo
}

begin_case() { # CASE — the case's clients.log stays in WORK until the case has a good recording
  log "case $1"
  CMDS_MD=""
  mkdir -p "$SAMPLES/$1"
  CLIENT_LOG="$WORK/$1.clients.log"
  : >"$CLIENT_LOG"
  RUN_FILES=("$WORK/local/upload-512k.bin" "$WORK/local/upload-64k.bin")
  reset_alice_dir
}
finish_case() { # CASE [control port]
  local dir="$SAMPLES/$1"
  install -m 644 "$CLIENT_LOG" "$dir/clients.log"
  "$TOOLS/tshark-frames.sh" "$dir/capture.pcap" >"$dir/tshark-frames.txt"
  if [ -n "${2:-}" ]; then
    { echo; "$TOOLS/tshark-frames.sh" "$dir/capture.pcap" "$2"; } >>"$dir/tshark-frames.txt"
  fi
}

# The facts script (tshark only, independent of ftpcap): rebuilds every TCP
# direction by sequence number, the control dialogue, announcements, data
# connections and transfers, and what the nftables rules dropped.
FACTS="$TOOLS/loss-facts.py"
facts() { "$PYTHON" "$FACTS" "$@"; }

# ------------------------------------------------------------------ lossy --
LOSSY_FILES=(big-4m.bin data-512k.bin upload-512k.bin)
lossy_check() { # FACTS_JSON STRICT — every transfer 226 with the file's size; loss on control
  "$PYTHON" "$TOOLS/loss-check-lossy.py" "$1" "$2" "$(size_of "$ANON/big-4m.bin")" "$(size_of "$WORK/local/data-512k.bin")" \
    "$(size_of "$WORK/local/upload-512k.bin")"
}

case_lossy() {
  local dir="$SAMPLES/lossy" attempt level failed why sha_up ok=0
  sha_up=$(sha_of "$WORK/local/upload-512k.bin")
  for attempt in $(seq "$LOSSY_ATTEMPTS"); do
    begin_case lossy
    log "  attempt $attempt of $LOSSY_ATTEMPTS"
    loss_on
    drops_start "$WORK/lossy-drops.pcap"
    cap_start "$WORK/lossy.pcap"
    failed=0
    client $P-cli1 "lftp -c '$LFTP_BASE; debug 5; open ftp://$SRV4; ls; get big-4m.bin' && sha256sum big-4m.bin" \
      "lftp, anonymous, PASV: LIST and RETR of the 4 MiB file" || failed=1
    client $P-cli2 "curl -sS -v -T upload-512k.bin ftp://alice:$ALICE_PASS@$SRV4/ftpcap-loss/curl-upload-512k.bin" \
      "curl as alice, EPSV: STOR of 512 KiB" || failed=1
    client $P-cli3 "python3 @TOOLS@/ftplib-client.py $SRV4 --user alice --password $ALICE_PASS active list:ftpcap-loss retr:ftpcap-loss/data-512k.bin stor:upload-512k.bin:ftpcap-loss/ftplib-upload-512k.bin" \
      "Python ftplib as alice, active, PORT: LIST, RETR of 512 KiB, STOR of 512 KiB" || failed=1
    cap_stop || failed=2
    drops_stop
    loss_off
    if [ "$failed" = 2 ]; then log "  again"; continue; fi
    if [ "$failed" = 1 ]; then log "  a client failed (see its output below); again"; tail -5 "$CLIENT_LOG" >&2; continue; fi
    if [ "$(packets_of "$WORK/lossy-drops.pcap")" != "$LOSS_COUNTED" ]; then
      log "  NFLOG has $(packets_of "$WORK/lossy-drops.pcap") copies, the counters say $LOSS_COUNTED drops; again"
      continue
    fi
    grep -q "^$(sha_of "$ANON/big-4m.bin")  big-4m.bin" "$CLIENT_LOG" || { log "  download corrupted; again"; continue; }
    for f in curl-upload-512k.bin ftplib-upload-512k.bin; do
      [ "$(sha_of "$ALICE_DIR/$f")" = "$sha_up" ] || die "upload $f differs on the server"
    done
    facts md "$WORK/lossy.pcap" --drops "$WORK/lossy-drops.pcap" --json "$WORK/lossy.json" \
      --drops-txt "$WORK/lossy-dropped.txt" >"$WORK/lossy.facts.md"
    # what the loss must have hit: a payload segment of a control connection
    # in each direction (in the last two attempts: in one direction)
    level=1
    [ "$attempt" -le $((LOSSY_ATTEMPTS - 2)) ] || level=0
    if why=$(lossy_check "$WORK/lossy.json" "$level"); then
      ok=1
      LOSSY_MET=$why
      break
    fi
    log "  not yet: $why"
  done
  [ "$ok" = 1 ] || die "lossy: no run in $LOSSY_ATTEMPTS met the conditions"
  install -m 644 "$WORK/lossy.pcap" "$dir/capture.pcap"
  install -m 644 "$WORK/lossy-dropped.txt" "$dir/dropped.txt"
  finish_case lossy
  local ndrop nin nout
  nin=$(awk '!/^#/ && $2 == "in"' "$dir/dropped.txt" | wc -l)
  nout=$(awk '!/^#/ && $2 == "out"' "$dir/dropped.txt" | wc -l)
  ndrop=$((nin + nout))
  {
    readme_head lossy "random packet loss during PASV, EPSV and PORT transfers" \
      "Three sessions from three clients to vsftpd 192.0.2.10 over IPv4 while nftables in the server's namespace drops one TCP packet in $LOSS_MOD at random, in both directions: lftp (anonymous, PASV) lists the root and downloads a 4 MiB file; curl (alice, EPSV) uploads 512 KiB; Python ftplib (alice, active, PORT) lists a directory, downloads 512 KiB and uploads 512 KiB. Every transfer still ends with \`226\` and the right number of bytes; the capture is full of retransmissions, duplicate ACKs, SACK blocks and holes filled late, on data and on control connections."
    echo "## Server"
    echo
    echo "$SERVER_MD"
    echo
    echo '```'
    conf_md "$WORK/vsftpd.conf"
    echo '```'
    echo
    echo "$LAB_MD"
    echo
    cat <<EOF
## Loss

Before the clients start, this ruleset is loaded in \`$P-srv\` (\`ip netns exec $P-srv nft -f loss.nft\`,
$NFT_VER) and removed after the capture stops:

\`\`\`
$LOSS_NFT
\`\`\`

\`numgen random mod $LOSS_MOD == 0\` is true for one packet in $LOSS_MOD, independently for every TCP packet the
server receives (\`input\`) or sends (\`output\`): SYNs, data, pure ACKs and FINs alike, on control and
data connections.

The rules are in the **bridge** family: in \`$P-srv\` the server's addresses (192.0.2.10, 2001:db8:2::10)
sit on a bridge \`br-s\` whose only port is \`eth0\`, the veth to the router, so the chains see every frame
on the server's link and a drop there is loss on the wire: the server's TCP has sent the segment
and learns of the loss only from the peer (duplicate ACKs, SACK, timeout). A drop in the \`inet\`
\`output\` hook would not do: it makes TCP's send call fail, and TCP sends the same segment again
as soon as it can, in order, so the capture shows no loss at all, only a delay. \`br-s\` has
\`gso_max_segs 1\` (\`ip link set dev br-s gso_max_segs 1\`), so each packet the chains see is one TCP
segment on the wire (without it the kernel builds multi-segment packets and splits them only at
\`eth0\`, after the bridge: one drop would lose a burst).

\`log group $LOSS_GROUP\` hands a copy of each dropped packet to NFLOG, recorded by a second
\`tcpdump -i nflog:$LOSS_GROUP\` in \`$P-srv\`; [dropped.txt](dropped.txt) lists all of them, matched to the frames of
the capture. This run dropped **$ndrop packets ($nin on the way in, $nout on the way out)**.

Because the capture point is on the client side of the router:

- a packet from a client dropped at the server's \`input\` hook **is in the capture**, and so is its
  retransmission: the same bytes twice (tshark: *retransmission*, often *fast retransmission* after
  duplicate ACKs with SACK blocks from the server);
- a packet from the server dropped at its \`output\` hook **is not in the capture**: the client's ACKs
  show a hole (tshark: *previous segment not captured* on the next segment, duplicate ACKs with SACK
  from the client), and the retransmission fills it later (tshark: *retransmission* or *out-of-order*).
  When the dropped segment was the last one in flight (a control reply, a FIN), the capture simply
  shows it once, later: only dropped.txt tells.

The script repeats the whole run (up to $LOSSY_ATTEMPTS times) until every transfer has ended with \`226\` with the
exact file size in the capture, the downloads and uploads have the right SHA-256 on the receiving side,
the NFLOG copies match the rules' counters, and the loss also hit a control-connection segment
with payload in each direction (in the last two attempts: in one direction). This recording is
attempt $attempt: $LOSSY_MET. (vsftpd and the clients leave Nagle's algorithm on: while a small
control segment is unacknowledged the next ones wait, and the resend carries them all, so a hole in
a control stream that later bytes overtake is rare; samples/gapped has such holes.)

## Clients and exact command lines

lftp $LFTP_VER in \`$P-cli1\` (198.51.100.20): \`ftp:prefer-epsv no\` and \`ftp:passive-mode yes\` (PASV);
\`debug 5\` prints the control dialogue into clients.log; \`net:timeout 20\`. curl $CURL_VER in \`$P-cli2\`
(198.51.100.21): default passive mode, EPSV. $PY_VER in \`$P-cli3\` (198.51.100.22) driven by
[samples/tools/ftplib-client.py](../tools/ftplib-client.py) (\`active\` = \`set_pasv(False)\`: PORT).
Each snippet ran as \`ip netns exec NS bash -c '...'\` in an empty working directory holding
\`upload-512k.bin\`, with an empty \`HOME\`, under \`timeout 120\`, one after the other.
$CMDS_MD
## Files transferred (sizes and SHA-256)

| transfer | file | bytes | SHA-256 |
|---|---|---:|---|
| lftp \`RETR big-4m.bin\` (PASV) | big-4m.bin (anonymous root) | $(size_of "$ANON/big-4m.bin") | \`$(sha_of "$ANON/big-4m.bin")\` |
| curl \`STOR curl-upload-512k.bin\` (EPSV, in \`ftpcap-loss/\`) | upload-512k.bin | $(size_of "$WORK/local/upload-512k.bin") | \`$sha_up\` |
| ftplib \`RETR ftpcap-loss/data-512k.bin\` (PORT) | data-512k.bin (alice's ftpcap-loss/) | $(size_of "$WORK/local/data-512k.bin") | \`$(sha_of "$WORK/local/data-512k.bin")\` |
| ftplib \`STOR ftpcap-loss/ftplib-upload-512k.bin\` (PORT) | upload-512k.bin | $(size_of "$WORK/local/upload-512k.bin") | \`$sha_up\` |

The two listings are the \`LIST\` of the anonymous root (lftp) and of \`ftpcap-loss/\` (ftplib; it
shows curl's upload made just before); their sizes are in the table below (*data bytes*). The
script checked the SHA-256 of lftp's download (\`sha256sum\` in clients.log) and of both uploads on
the server. Every data byte count in *Announcements, data connections and transfers* below equals the
file size; a test can assert that an analysis reports exactly these byte counts.

## What the capture shows

Six announcements, six data connections, six transfers, each ended by \`226\`:

- lftp's session (PASV): FEAT, login, PWD, \`PASV\` → \`227\`, \`LIST\` over the first data connection;
  \`PASV\` → \`227\`, \`SIZE\`/\`MDTM\`, \`RETR big-4m.bin\` over the second. In passive mode lftp opens the
  data connection right after the 227, before the transfer command.
- curl's session (EPSV): login as alice, \`CWD ftpcap-loss\`, \`EPSV\` → \`229\`, \`STOR\`.
- ftplib's session (PORT): login as alice, then three times \`PORT\` → \`200\`, the transfer command, and
  vsftpd connects from 192.0.2.10:20 to the announced port (after the command).

Loss makes the timing uneven: a dropped SYN is resent after 1 s, a dropped tail segment waits for the retransmission timer (200 ms and more), and the
large transfers show every form of recovery (fast retransmit after three duplicate ACKs, SACK,
segments arriving after later ones). See the tables below for the frame numbers: the drops on the
control connections are listed one by one, with the frame that lost the packet (when it is in the
capture) and the frame of the first resend.

## What a correct analysis reports

- three sessions: lftp anonymous from 198.51.100.20, curl as alice from 198.51.100.21, ftplib as
  alice from 198.51.100.22, each complete from SYN to \`221\` and FIN;
- six announcements (two \`227\`, one \`229\`, three \`PORT\`), each matched to the first SYN of its data
  connection (frames below; when a SYN was resent, the data connection has two SYN frames);
- six transfers ended by \`226\`, with exactly the byte counts above: retransmitted bytes are
  counted once, and bytes that were first missing at the capture point and came later are counted;
- each control line once: a command or reply whose segment was resent (see the control drops
  below) is still one command or reply, and no line is split or merged by the resend;
- no capture gap: every byte of every stream is in the capture (lost packets were resent and the
  capture saw the resend), so a report of missing bytes would be wrong here.

## Capture

$CAPTURE_MD tcpdump started 1 s before the first client and stopped 1 s after the last one.

## Generated facts (capinfos + tshark, by the facts script inside make-loss-samples.sh)

### Capture file (capinfos)

$(capinfos_md "$dir/capture.pcap")

EOF
    cat "$WORK/lossy.facts.md"
  } >"$dir/README.md"
  log "  -> samples/lossy/capture.pcap: $(packets_of "$dir/capture.pcap") packets, $(size_of "$dir/capture.pcap") bytes"
}

# -------------------------------------------------------------- midstream --
case_midstream() {
  local dir="$SAMPLES/midstream" log21 log2121
  begin_case midstream
  start_vsftpd "$WORK/vsftpd-$ALT_PORT.conf" "$ALT_PORT"
  client_bg $P-cli3 "python3 -u @TOOLS@/ftplib-client.py $SRV4 --user alice --password $ALICE_PASS passive retr:ftpcap-loss/hello.txt sleep:8 retr:ftpcap-loss/data-64k.bin active stor:upload-64k.bin:ftpcap-loss/midstream-upload-64k.bin" \
    "Python ftplib as alice, port 21: RETR (PASV) before the capture; after it RETR (PASV), STOR (PORT)"
  log21=$BG_LAST_LOG
  client_bg $P-cli1 "lftp -c '$LFTP_BASE; debug 5; open ftp://$SRV4:$ALT_PORT; ls; sleep 8; get data-256k.bin; set ftp:passive-mode no; get readme.txt'" \
    "lftp, anonymous, port $ALT_PORT: LIST (PASV) before the capture; after it RETR (PASV), RETR (PORT)"
  log2121=$BG_LAST_LOG
  # both sessions are logged in and have finished their first transfer
  wait_for_line "$log21" "226 Transfer complete" 20 || die "ftplib session did not finish its first transfer: $(cat "$log21")"
  wait_for_line "$log2121" "<--- 226 " 20 || die "lftp session did not finish its first transfer: $(cat "$log2121")"
  log "  both sessions are past their first transfer: starting the capture"
  cap_start "$WORK/midstream.pcap" 0
  wait_bg || die "a client failed in midstream: $(cat "$CLIENT_LOG")"
  cap_stop || die "midstream: the capture is incomplete, run again"
  [ "$(sha_of "$ALICE_DIR/midstream-upload-64k.bin")" = "$(sha_of "$WORK/local/upload-64k.bin")" ] || die "midstream upload differs"
  install -m 644 "$WORK/midstream.pcap" "$dir/capture.pcap"
  finish_case midstream "$ALT_PORT"
  facts md "$dir/capture.pcap" --ctl 21 --ctl "$ALT_PORT" --json "$WORK/midstream.json" >"$WORK/midstream.facts.md"
  "$PYTHON" "$TOOLS/loss-check-midstream.py" "$WORK/midstream.json" "$(size_of "$ANON/data-256k.bin")" "$(size_of "$ANON/readme.txt")" \
    "$(size_of "$WORK/local/data-64k.bin")" "$(size_of "$WORK/local/upload-64k.bin")" || die "midstream: unexpected capture"
  {
    readme_head midstream "the capture starts in the middle of two sessions (ports 21 and $ALT_PORT)" \
      "Two sessions that were already logged in, and had each finished one transfer, when tcpdump started: Python ftplib as alice on port 21 (then RETR with PASV, STOR with PORT, QUIT) and lftp anonymous on port $ALT_PORT of a second vsftpd (then RETR with PASV, RETR with PORT from port $ALT_DATA_PORT, QUIT). Neither control connection's handshake, greeting or login is in the capture; every data connection is complete."
    cat <<EOF
## Which side is which

| control connection | FTP client | FTP server | client software |
|---|---|---|---|
| port 21 | 198.51.100.22 (\`$P-cli3\`), ephemeral port | 192.0.2.10:21 | Python ftplib, user alice |
| port $ALT_PORT | 198.51.100.20 (\`$P-cli1\`), ephemeral port | 192.0.2.10:$ALT_PORT | lftp, anonymous |

Without a SYN, the server of each control connection is the side that sends 3-digit replies
(\`227 …\`, \`150 …\`, \`226 …\`, \`221 Goodbye.\`); the client sends the commands (\`PASV\`, \`PORT\`, \`RETR\`, …).
Port $ALT_PORT is not a standard FTP port: a tool needs either the hint (\`--ftp-port $ALT_PORT\`) or to
recognise the FTP dialogue. In both sessions the first frame of the control connection in the
capture is a command from the client: \`TYPE I\`, sent by both before their next transfer.
Active data connections of the second server come from port **$ALT_DATA_PORT** (\`ftp_data_port=$ALT_DATA_PORT\`), not 20.

## Servers

$SERVER_MD

Port 21 — this config:

\`\`\`
$(conf_md "$WORK/vsftpd.conf")
\`\`\`

Port $ALT_PORT — a second vsftpd process in the same namespace, same tree and users, with this config
(\`listen_port=$ALT_PORT\`, \`ftp_data_port=$ALT_DATA_PORT\`, passive ports 40200–40300):

\`\`\`
$(conf_md "$WORK/vsftpd-$ALT_PORT.conf")
\`\`\`

$LAB_MD

## Clients and exact command lines

$PY_VER in \`$P-cli3\` (198.51.100.22) driven by [samples/tools/ftplib-client.py](../tools/ftplib-client.py)
(\`-u\`: unbuffered, so the script can see its progress; \`sleep:8\` keeps the session open and idle
for 8 s). lftp $LFTP_VER in \`$P-cli1\` (198.51.100.20); lftp's own \`sleep 8\` does the same. Both ran
at the same time, in the background, each in an empty working directory (holding \`upload-64k.bin\`)
with an empty \`HOME\`, under \`timeout 120\`.
$CMDS_MD
The script waited until both clients had printed the \`226\` of their first transfer (ftplib:
\`*resp* '226 Transfer complete.'\`, lftp: \`<--- 226 Directory send OK.\`), then started tcpdump; both
sessions were idle in their \`sleep\` at that moment.

## Files transferred inside the capture

| session | transfer | mode | file | bytes | SHA-256 |
|---|---|---|---|---:|---|
| port 21 (ftplib) | \`RETR ftpcap-loss/data-64k.bin\` | PASV | data-64k.bin (alice's ftpcap-loss/) | $(size_of "$WORK/local/data-64k.bin") | \`$(sha_of "$WORK/local/data-64k.bin")\` |
| port 21 (ftplib) | \`STOR ftpcap-loss/midstream-upload-64k.bin\` | PORT, from 192.0.2.10:20 | upload-64k.bin | $(size_of "$WORK/local/upload-64k.bin") | \`$(sha_of "$WORK/local/upload-64k.bin")\` |
| port $ALT_PORT (lftp) | \`RETR data-256k.bin\` | PASV | data-256k.bin (anonymous root) | $(size_of "$ANON/data-256k.bin") | \`$(sha_of "$ANON/data-256k.bin")\` |
| port $ALT_PORT (lftp) | \`RETR readme.txt\` | PORT, from 192.0.2.10:$ALT_DATA_PORT | readme.txt (anonymous root) | $(size_of "$ANON/readme.txt") | \`$(sha_of "$ANON/readme.txt")\` |

Before the capture (not in it): ftplib's login and \`RETR ftpcap-loss/hello.txt\` (PASV, $(size_of "$WORK/local/hello.txt") bytes); lftp's
FEAT, login, PWD and \`LIST\` (PASV).

## What a correct analysis reports

- two sessions, both marked as started before the capture (no SYN, no greeting, no \`USER\`), with the
  client and server as in the table above, the user unknown (alice and anonymous logged in before);
- four announcements, each with its data connection (frames in the table below): on port 21 a
  \`227\` answered by a SYN from 198.51.100.22 and a \`PORT\` answered by a SYN from 192.0.2.10:20; on port
  $ALT_PORT a \`227\` (passive port in 40200–40300) and a \`PORT\` answered from 192.0.2.10:$ALT_DATA_PORT;
- four transfers, each ended by \`226\`, with the byte counts of the files above;
- the end of both sessions (\`QUIT\` / \`221\`, FIN);
- firewall rules for two servers: 192.0.2.10:21 (passive 40000–40100, active from port 20) and
  192.0.2.10:$ALT_PORT (passive 40200–40300, active from port $ALT_DATA_PORT).

## Cross-check

[tshark-frames.txt](tshark-frames.txt) holds two runs of \`samples/tools/tshark-frames.sh\`: \`capture.pcap\`
(port 21) and \`capture.pcap $ALT_PORT\` (port $ALT_PORT decoded as FTP). In the first run the SYN table also
lists the data connections of the port-$ALT_PORT session (and nothing of its control connection, which has
no SYN); in the second, those of the port-21 session.

## Capture

$CAPTURE_MD tcpdump started as soon as both clients had printed that first \`226\` (both sessions then sat idle
in their \`sleep 8\`) and stopped 1 s after both clients had exited.

## Generated facts (capinfos + tshark, by the facts script inside make-loss-samples.sh)

### Capture file (capinfos)

$(capinfos_md "$dir/capture.pcap")

EOF
    cat "$WORK/midstream.facts.md"
  } >"$dir/README.md"
  log "  -> samples/midstream/capture.pcap: $(packets_of "$dir/capture.pcap") packets, $(size_of "$dir/capture.pcap") bytes"
}

# ----------------------------------------------------------------- gapped --
# Frames to cut out of the clean recording, chosen from its facts (JSON):
# prints "FRAME<TAB>ID<TAB>what" lines.
gapped_pick() { # FACTS_JSON
  "$PYTHON" "$TOOLS/loss-gapped-pick.py" "$1"
}

gapped_clean() { # FACTS_JSON — no segment twice, no hole: every byte captured exactly once
  "$PYTHON" "$TOOLS/loss-gapped-clean.py" "$1"
}

case_gapped() {
  local dir="$SAMPLES/gapped" attempt ok=0
  for attempt in 1 2 3 4 5; do
    begin_case gapped
    cap_start "$WORK/gapped-original.pcap"
    client $P-cli1 "lftp -c '$LFTP_BASE; debug 5; open ftp://$SRV4; quote STAT pub; ls; get data-256k.bin; get readme.txt'" \
      "lftp, anonymous, PASV: STAT pub (a reply of several segments), LIST, two RETR" || die "lftp failed in gapped"
    client $P-cli3 "python3 @TOOLS@/ftplib-client.py $SRV4 --user alice --password $ALICE_PASS active list:ftpcap-loss retr:ftpcap-loss/data-64k.bin stor:upload-64k.bin:ftpcap-loss/gapped-upload-64k.bin" \
      "Python ftplib as alice, active, PORT: LIST, RETR, STOR" || die "ftplib failed in gapped"
    client $P-cli2 "curl -sS -v -o data-64k.bin ftp://$SRV4/data-64k.bin" "curl, anonymous, EPSV: RETR" || die "curl failed in gapped"
    cap_stop || continue
    facts md "$WORK/gapped-original.pcap" --json "$WORK/gapped-original.json" >"$WORK/gapped-original.facts.md"
    if gapped_clean "$WORK/gapped-original.json"; then ok=1; break; fi
    log "  the recording has a retransmission or a hole; again"
  done
  [ "$ok" = 1 ] || die "gapped: no clean recording in 5 attempts"
  gapped_pick "$WORK/gapped-original.json" >"$WORK/gapped-cut.tsv"
  local frames
  frames=$(cut -f1 "$WORK/gapped-cut.tsv" | tr '\n' ' ')
  log "  removing frames: $frames"
  install -m 644 "$WORK/gapped-original.pcap" "$dir/original.pcap"
  # shellcheck disable=SC2086
  editcap -F pcap "$dir/original.pcap" "$WORK/gapped.pcap" $frames
  install -m 644 "$WORK/gapped.pcap" "$dir/capture.pcap"
  finish_case gapped
  "$TOOLS/tshark-frames.sh" "$dir/original.pcap" >"$dir/tshark-frames.original.txt"
  facts md "$dir/capture.pcap" --json "$WORK/gapped.json" >"$WORK/gapped.facts.md"
  # shellcheck disable=SC2086
  facts frames "$dir/original.pcap" $frames >"$WORK/gapped-cut.json"
  local cut_md
  cut_md=$("$PYTHON" "$TOOLS/loss-gapped-cut-table.py" "$WORK/gapped-cut.tsv" "$WORK/gapped-cut.json")
  local sizes_md
  sizes_md="| \`RETR data-256k.bin\` (lftp, PASV) | data-256k.bin | $(size_of "$ANON/data-256k.bin") | \`$(sha_of "$ANON/data-256k.bin")\` |
| \`RETR readme.txt\` (lftp, PASV) | readme.txt | $(size_of "$ANON/readme.txt") | \`$(sha_of "$ANON/readme.txt")\` |
| \`RETR ftpcap-loss/data-64k.bin\` (ftplib, PORT) | data-64k.bin (alice's ftpcap-loss/) | $(size_of "$WORK/local/data-64k.bin") | \`$(sha_of "$WORK/local/data-64k.bin")\` |
| \`STOR ftpcap-loss/gapped-upload-64k.bin\` (ftplib, PORT) | upload-64k.bin | $(size_of "$WORK/local/upload-64k.bin") | \`$(sha_of "$WORK/local/upload-64k.bin")\` |
| \`RETR data-64k.bin\` (curl, EPSV) | data-64k.bin (anonymous root) | $(size_of "$ANON/data-64k.bin") | \`$(sha_of "$ANON/data-64k.bin")\` |"
  {
    readme_head gapped "frames cut out of a clean capture: gaps in control and data connections" \
      "A clean recording of three sessions (lftp PASV, Python ftplib PORT, curl EPSV; no loss, every segment exactly once: [original.pcap](original.pcap)) from which \`editcap\` removed $(wc -l <"$WORK/gapped-cut.tsv") frames: a segment in the middle of a multi-segment \`STAT\` reply (the gap starts and ends inside a line), a \`227\` reply, a \`PORT\` command, a \`150\` reply, three data segments of a download, two data segments of an upload, and the SYN-ACK of a data connection. This is what a capture that missed packets looks like (a busy capture host, a SPAN port under load): the endpoints received everything, the capture did not."
    cat <<EOF
## How it was made

1. The clients below ran one after the other against vsftpd, recorded with tcpdump on \`br0\` in
   \`$P-rtr\` (the client side); no loss, no shaping. The script checks that no TCP segment is in the
   recording twice and no byte is missing (else it records again): \`original.pcap\`, $(packets_of "$dir/original.pcap") packets.
2. It picks the frames to remove from tshark's view of \`original.pcap\` (frame numbers differ from run
   to run) and cuts them with $EDITCAP_VER:

\`\`\`sh
editcap -F pcap original.pcap capture.pcap $frames
\`\`\`

\`editcap -F pcap IN OUT FRAME...\` writes classic pcap (editcap's default would be pcapng) without the listed frames (1-based); every later frame moves up, so in
\`capture.pcap\` a frame number is the original one minus the number of removed frames before it.

## Frames removed

$cut_md

*offset*: where the removed segment's first byte lies in its direction of the TCP stream (0 = the
first byte after the SYN). *gap … between frames*: the frames of capture.pcap on either side of the hole.

What the cuts mean for the TCP streams (a frame removed from the capture, not from the network: the
receiver got the bytes and acknowledged them):

- the STAT segment: the server→client control stream misses those bytes. The first removed byte is in
  the middle of one line of the listing and the last in the middle of a later one, so the text
  before and after the gap joins into one broken line (\`⟨N bytes missing⟩\` in the control dialogue
  below); the lines before and after it, and the final \`213 End of status\`, are intact. tshark flags
  the next segment *previous segment not captured* and the client's ACK *ACKed segment that wasn't
  captured*;
- the \`227\`: lftp's data connection for \`RETR readme.txt\` (SYN from 198.51.100.20 to the announced
  port) is in the capture with no announcement before it; the transfer still completes (\`150\`, \`226\`);
- the \`PORT\`: vsftpd's \`200 PORT command successful\` answers a command that is not in the capture, and
  its SYN from 192.0.2.10:20 to ftplib's port arrives with no announcement;
- the \`150\`: the \`LIST\` transfer goes from the command straight to \`226\`, with the data connection complete;
- the data segments: the download and the upload each lack a run of bytes in the middle; the data
  connection's span (SYN to FIN) is still the file size, the bytes present in the capture are fewer;
- the SYN-ACK: the data connection of curl's \`RETR\` has SYN, then the client's ACK and data, with no
  SYN-ACK between them; the server's sequence numbers start from the first data segment.

## Files transferred (sizes and SHA-256)

| transfer | file | bytes | SHA-256 |
|---|---|---:|---|
$sizes_md

## What a correct analysis of capture.pcap still reports

- three sessions (lftp anonymous from 198.51.100.20, ftplib as alice from 198.51.100.22, curl
  anonymous from 198.51.100.21), all with their complete login and \`QUIT\`/\`221\`;
- every transfer with its data connection and its final \`226\` — including \`RETR readme.txt\`
  (its 227 is missing: the data connection is unannounced, or matched by the address of the control
  connection, but it is there) and ftplib's \`RETR\` (PORT missing: an active connection from port 20
  with no announcement);
- for the two transfers with removed data segments: a gap of exactly the bytes in the table above, in
  the stated direction; the transfer still ended with \`226\` (the data reached its destination) and its
  size by sequence numbers is the file size;
- for curl's data connection: a connection that was established (the client ACKs and the server sends
  data) even though the SYN-ACK is missing;
- a capture gap on the lftp control connection inside the STAT reply, without losing the replies
  and commands after it (\`LIST\`, \`RETR\`, \`227\`, \`150\`, \`226\` …), and two on ftplib's control
  connection (the \`150\` from the server, the \`PORT\` from the client), each with the replies after it
  still paired with the right commands;
- nothing else: everything outside the removed frames is identical to original.pcap, whose analysis
  is the reference.

## Server

$SERVER_MD

\`\`\`
$(conf_md "$WORK/vsftpd.conf")
\`\`\`

$LAB_MD

## Clients and exact command lines

lftp $LFTP_VER in \`$P-cli1\` (198.51.100.20), PASV; \`quote STAT pub\` makes vsftpd send the listing of \`pub/\`
(60 files) over the control connection as a multi-line \`213\` reply of several TCP segments. $PY_VER in
\`$P-cli3\` (198.51.100.22) driven by [samples/tools/ftplib-client.py](../tools/ftplib-client.py), active (PORT).
curl $CURL_VER in \`$P-cli2\` (198.51.100.21), EPSV. One after the other, each in an empty working
directory (holding \`upload-64k.bin\`) with an empty \`HOME\`, under \`timeout 120\`.
$CMDS_MD
## Cross-check

[tshark-frames.txt](tshark-frames.txt) is \`samples/tools/tshark-frames.sh capture.pcap\`;
[tshark-frames.original.txt](tshark-frames.original.txt) the same for original.pcap.

## Capture

$CAPTURE_MD tcpdump started 1 s before the first client and stopped 1 s after the last one; then
editcap as above.

## Generated facts for capture.pcap (capinfos + tshark, by the facts script inside make-loss-samples.sh)

### Capture file (capinfos)

$(capinfos_md "$dir/capture.pcap")

EOF
    cat "$WORK/gapped.facts.md"
    echo "## Generated facts for original.pcap"
    echo
    sed 's/^### /#### /' "$WORK/gapped-original.facts.md" | sed -n '/^#### Announcements/,/^#### Control dialogue/p' | sed '$d'
  } >"$dir/README.md"
  log "  -> samples/gapped/capture.pcap: $(packets_of "$dir/capture.pcap") packets, $(size_of "$dir/capture.pcap") bytes"
}

# ------------------------------------------------------------- port-reuse --
# Two ftplib sessions one after the other from the same client port: the
# control connection's socket is bound to 198.51.100.20:50021 with
# SO_REUSEADDR (ftplib's socket.create_connection replaced for the control
# connection only; data connections are passive, from ephemeral ports).

case_port_reuse() {
  local dir="$SAMPLES/port-reuse"
  begin_case port-reuse
  cap_start "$WORK/port-reuse.pcap"
  client $P-cli1 "python3 @TOOLS@/loss-port-reuse-client.py $SRV4" "two Python ftplib sessions, anonymous, PASV, both from 198.51.100.20:50021" || die "ftplib failed in port-reuse: $(tail -20 "$CLIENT_LOG")"
  client $P-cli2 "lftp -c '$LFTP_BASE; debug 5; set ftp:passive-mode no; set ftp:port-range 50020-50020; open ftp://$SRV4; ls; sleep 2; get readme.txt'" \
    "lftp, anonymous, active (PORT), every data port 50020: two data connections 192.0.2.10:20 → 198.51.100.21:50020" || die "lftp failed in port-reuse: $(tail -20 "$CLIENT_LOG")"
  cap_stop || die "port-reuse: the capture is incomplete, run again"
  install -m 644 "$WORK/port-reuse.pcap" "$dir/capture.pcap"
  finish_case port-reuse
  facts md "$dir/capture.pcap" --json "$WORK/port-reuse.json" >"$WORK/port-reuse.facts.md"
  "$PYTHON" "$TOOLS/loss-check-port-reuse.py" "$WORK/port-reuse.json" || die "port-reuse: the 4-tuples were not reused"
  {
    readme_head port-reuse "the same TCP 4-tuple used by two connections, for control and for data" \
      "Two pairs of connections with identical addresses and ports, one after the other: two Python ftplib control connections from 198.51.100.20:50021 to 192.0.2.10:21 (two sessions, a few seconds apart), and two active data connections from 192.0.2.10:20 to 198.51.100.21:50020 in one lftp session (lftp's \`ftp:port-range 50020-50020\` makes it announce the same port in both PORT commands). Each pair is two TCP connections: new SYN, new initial sequence numbers, after the first one was closed with FIN."
    cat <<EOF
## How the ports were pinned

- Control: Python's ftplib connects with \`socket.create_connection\`; for the control connection the
  script below swaps in a function that binds the socket to 198.51.100.20:50021 with \`SO_REUSEADDR\`
  before connecting (data connections keep ephemeral ports). The first session ends with \`QUIT\` /
  \`221\`, vsftpd closes first (its FIN comes before the client's), so the server holds the old
  connection in TIME_WAIT; two seconds later the second session's SYN from the same port (a new
  random initial sequence number, a newer TCP timestamp) is accepted on that TIME_WAIT connection.
- Data: lftp in active mode with \`set ftp:port-range 50020-50020\` listens on 198.51.100.21:50020 for
  every data connection and announces it with \`PORT 198,51,100,21,195,100\`; vsftpd
  (\`connect_from_port_20=YES\`) connects from 192.0.2.10:20 each time: \`LIST\`, two seconds of
  \`sleep\`, \`RETR readme.txt\`. vsftpd closes each data connection first (TIME_WAIT on its side);
  Linux lets its second \`connect()\` from the explicitly bound port 20 take over the TIME_WAIT
  4-tuple (TCP timestamps are on) and starts the new connection 65537 above the old one's last
  sequence number (compare the two SYNs from port 20 in the capture).

Kernel defaults only (no sysctl changed in this case).

A tool must keep the two connections of each pair apart (by the SYN after the FIN, or by the new
sequence numbers) and give each transfer its own data connection.

## Server

$SERVER_MD

\`\`\`
$(conf_md "$WORK/vsftpd.conf")
\`\`\`

$LAB_MD

## Clients and exact command lines

$PY_VER in \`$P-cli1\` (198.51.100.20), passive (PASV), anonymous; lftp $LFTP_VER in \`$P-cli2\`
(198.51.100.21), anonymous, active (PORT). One after the other, each in an empty working directory
with an empty \`HOME\`, under \`timeout 120\`.
$CMDS_MD
## What a correct analysis reports

- three sessions: two from 198.51.100.20:50021 (ftplib, \`LIST\`, then \`RETR readme.txt\`, $(size_of "$ANON/readme.txt") bytes)
  and one from 198.51.100.21 (lftp: \`LIST\`, \`RETR readme.txt\`);
- four data connections, each matched to its own announcement (two \`227\`, two \`PORT\`), the two
  lftp ones with the same 4-tuple 192.0.2.10:20 → 198.51.100.21:50020;
- every transfer ended by \`226\`, with the byte counts in *Announcements, data connections and
  transfers* below (LIST of the anonymous root: the same bytes in both sessions; readme.txt: $(size_of "$ANON/readme.txt") bytes).

## Capture

$CAPTURE_MD tcpdump started 1 s before the first client and stopped 1 s after the last one.

## Generated facts (capinfos + tshark, by the facts script inside make-loss-samples.sh)

tshark numbers the second connection of each pair as a new stream (it sees the SYN after the FIN).

### Capture file (capinfos)

$(capinfos_md "$dir/capture.pcap")

EOF
    cat "$WORK/port-reuse.facts.md"
  } >"$dir/README.md"
  log "  -> samples/port-reuse/capture.pcap: $(packets_of "$dir/capture.pcap") packets, $(size_of "$dir/capture.pcap") bytes"
}

# ------------------------------------------------------------------- main --
log "building the lab"
lab_up
start_vsftpd "$WORK/vsftpd.conf" 21
for c in "${CASES[@]}"; do
  "case_${c//-/_}"
done
