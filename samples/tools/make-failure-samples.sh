#!/usr/bin/env bash
# make-failure-samples.sh — record the NAT and firewall failure samples of
# ftpcap with real FTP software, real NAT and real firewalls (nftables, the
# kernel's FTP conntrack / NAT helper).
#
#   sudo samples/tools/make-failure-samples.sh               # all cases
#   sudo samples/tools/make-failure-samples.sh data-refused  # only the named cases
#   sudo samples/tools/make-failure-samples.sh lab up|down   # only build / remove the lab
#
# Cases (one directory each under samples/):
#   nat-pasv-private          server behind a port-forwarding NAT announces its
#                             private address in 227: clients that dial it fail,
#                             clients that dial the control address succeed
#   pasv-address-wrong        vsftpd pasv_address= names a public address where
#                             nothing listens
#   nat-no-helper             client behind a masquerading NAT, active mode, no
#                             FTP helper: PORT / EPRT leak the private address, 500
#   nat-helper                the same NAT with the FTP helper: PORT / EPRT are
#                             rewritten, transfers work (captured inside and outside)
#   firewall-passive-blocked  server-side firewall opens port 21 only: passive
#                             data SYNs go unanswered
#   firewall-active-blocked   client host firewall drops the server's active-mode
#                             SYN: 425 Failed to establish connection
#   data-refused              server-side firewall rejects the passive range with
#                             a TCP reset
#   data-missing              active mode, the server-side firewall drops the
#                             server's SYN before the capture point: the capture
#                             sees the transfer command and the 425, no SYN
#   nat-helper-passive        server behind a NAT with the FTP helper: the 227 is
#                             rewritten to the public address (captured on both sides)
#   firewall-rejects-icmp     the server-side firewall rejects passive data SYNs with
#                             ICMP: administratively prohibited, then port unreachable
#
# Every case builds a fresh lab (below), so no conntrack state, expectation or
# firewall rule survives from one case to the next, starts its own vsftpd with
# the case's config, loads the case's nftables rulesets, starts tcpdump on one
# or two interfaces, runs the clients one after the other, stops tcpdump and
# writes samples/<case>/{capture.pcap,<second vantage>.pcap,README.md,
# tshark-frames.txt,<second vantage>.tshark-frames.txt,clients.log}.
#
# Lab (namespaces fd-*, documentation and shared-address-space addresses only,
# no link to the host; the core router blackholes 100.64.0.0/10):
#
#   fd-cli1 100.64.0.10  fd-cli2 100.64.0.11            clients inside a NAT
#        \               /
#   fd-crtr  in0  100.64.0.1/24 (bridge)                 client-side NAT router
#            out0 198.51.100.2/24                        (nft masquerade on out0)
#        |
#   fd-core  br0  198.51.100.1/24 (bridge: out0 of fd-crtr, fd-pcli)   "internet"
#            s1   203.0.113.1/24                         blackhole 100.64.0.0/10
#        |                 \
#        |                  fd-pcli 198.51.100.20       public client, no NAT
#   fd-srtr  wan0 203.0.113.2/24, 203.0.113.10/24 (the NAT server's public address)
#            dmz0 192.0.2.1/24   -- fd-srv  192.0.2.10   public server
#            lan0 100.64.1.1/24  -- fd-psrv 100.64.1.10  server behind DNAT
#
# Needs: root, iproute2, ethtool, nft (nftables; kernel with nf_conntrack_ftp
# and nf_nat_ftp), tcpdump, tshark + capinfos, vsftpd, lftp, curl, tnftp
# (package ftp), /usr/bin/python3.
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$TOOLS/lab.sh" # SAMPLES, PYTHON, veth, bridge, servers, recorders, clients
ALL_CASES=(nat-pasv-private pasv-address-wrong nat-no-helper nat-helper firewall-passive-blocked
  firewall-active-blocked data-refused data-missing nat-helper-passive firewall-rejects-icmp)
# Namespace prefix: NS_PREFIX=fz runs a second lab beside one already up (fd-* by default).
lab_prefix fd
ALL_NS=($P-cli1 $P-cli2 $P-crtr $P-pcli $P-core $P-srtr $P-srv $P-psrv)

# ------------------------------------------------------------------- lab --

lab_down() {
  ns_delete "${ALL_NS[@]}" # lab.sh: ends what runs inside, by pid
}
lab_up() {
  local ns
  lab_down
  for ns in "${ALL_NS[@]}"; do ns_base "$ns"; done
  for ns in $P-crtr $P-core $P-srtr; do nsx "$ns" sysctl -qw net.ipv4.ip_forward=1; done
  # clients inside the NAT
  bridge $P-crtr in0 02:fd:64:00:00:01 100.64.0.1/24
  veth $P-cli1 eth0 02:fd:64:00:00:10 $P-crtr c1 02:fd:64:00:01:10
  veth $P-cli2 eth0 02:fd:64:00:00:11 $P-crtr c2 02:fd:64:00:01:11
  nsx $P-crtr ip link set c1 master in0
  nsx $P-crtr ip link set c2 master in0
  nsx $P-cli1 ip addr add 100.64.0.10/24 dev eth0
  nsx $P-cli1 ip route add default via 100.64.0.1
  nsx $P-cli2 ip addr add 100.64.0.11/24 dev eth0
  nsx $P-cli2 ip route add default via 100.64.0.1
  # the public client segment
  bridge $P-core br0 02:fd:51:00:00:01 198.51.100.1/24
  veth $P-crtr out0 02:fd:51:00:00:02 $P-core n2 02:fd:51:00:01:02
  veth $P-pcli eth0 02:fd:51:00:00:20 $P-core n20 02:fd:51:00:01:20
  nsx $P-core ip link set n2 master br0
  nsx $P-core ip link set n20 master br0
  nsx $P-crtr ip addr add 198.51.100.2/24 dev out0
  nsx $P-crtr ip route add default via 198.51.100.1
  nsx $P-pcli ip addr add 198.51.100.20/24 dev eth0
  nsx $P-pcli ip route add default via 198.51.100.1
  # core <-> server-side router
  veth $P-core s1 02:fd:13:00:00:01 $P-srtr wan0 02:fd:13:00:00:02
  nsx $P-core ip addr add 203.0.113.1/24 dev s1
  nsx $P-core ip route add 192.0.2.0/24 via 203.0.113.2
  # like an internet router: no route to shared address space, silently
  nsx $P-core ip route add blackhole 100.64.0.0/10
  nsx $P-srtr ip addr add 203.0.113.2/24 dev wan0
  nsx $P-srtr ip addr add 203.0.113.10/24 dev wan0
  nsx $P-srtr ip route add default via 203.0.113.1
  # servers
  veth $P-srtr dmz0 02:fd:02:00:00:01 $P-srv eth0 02:fd:02:00:00:10
  nsx $P-srtr ip addr add 192.0.2.1/24 dev dmz0
  nsx $P-srv ip addr add 192.0.2.10/24 dev eth0
  nsx $P-srv ip route add default via 192.0.2.1
  veth $P-srtr lan0 02:fd:64:01:00:01 $P-psrv eth0 02:fd:64:01:00:10
  nsx $P-srtr ip addr add 100.64.1.1/24 dev lan0
  nsx $P-psrv ip addr add 100.64.1.10/24 dev eth0
  nsx $P-psrv ip route add default via 100.64.1.1
  # reachability (ARP / neighbour entries settle here, before any capture)
  local pair
  for pair in $P-pcli:192.0.2.10 $P-pcli:203.0.113.10 $P-srtr:100.64.1.10 $P-cli1:100.64.0.1 \
    $P-cli2:100.64.0.1 $P-crtr:192.0.2.10 $P-srv:198.51.100.20 $P-psrv:100.64.1.1; do
    nsx "${pair%%:*}" ping -n -q -c 1 -W 2 "${pair#*:}" >/dev/null || die "lab: ${pair%%:*} cannot ping ${pair#*:}"
  done
}

if [ "${1:-}" = lab ]; then
  [ "$(id -u)" = 0 ] || die "run as root"
  case "${2:-}" in
    up) lab_up; log "lab up" ;;
    down) lab_down; log "lab down" ;;
    *) echo "usage: $0 lab up|down" >&2; exit 2 ;;
  esac
  exit 0
fi

# ---------------------------------------------------------------- preflight --
need_root "network namespaces, nft, vsftpd, tcpdump"
need_commands ip ethtool ping nft tcpdump tshark capinfos vsftpd lftp curl ftp "$PYTHON"
select_cases "${ALL_CASES[*]}" "$@"

lab_begin failure-samples
on_exit lab_down
tool_versions

# ------------------------------------------------------------ served files --
ANON="$WORK/anon"
mkdir -p "$ANON/pub" "$WORK/empty" "$WORK/home"
printf 'ftpcap failure sample server (vsftpd in a network namespace).\n' >"$ANON/readme.txt"
printf 'Notes for the pub/ directory.\n' >"$ANON/pub/notes.txt"
chmod -R a+rX "$ANON"
chmod 755 "$ANON" "$WORK/empty"
find "$ANON" -exec touch -h -d '2024-01-01 12:00:00 UTC' {} +

# ------------------------------------------------------------------ vsftpd --
# The base config of every case; a case appends its own lines (shown in its
# README). IPv4 only: the lab has no IPv6 addresses.
failure_conf() { # EXTRA_LINES -> prints the config
  echo "# written by samples/tools/make-failure-samples.sh; not /etc/vsftpd.conf"
  printf '%s\n' listen=YES listen_ipv6=NO
  vsftpd_conf "$ANON" "$WORK/empty"
  printf '%s\n' local_enable=NO write_enable=NO
  if [ -n "$1" ]; then printf '%s\n' "$1"; fi
}
VSFTPD_CONF_SHOWN=""
start_vsftpd() { # NS ADDR EXTRA_LINES — the banner is read from the server-side router (never captured)
  local conf="$WORK/vsftpd.conf"
  failure_conf "$3" >"$conf"
  chmod 644 "$conf"
  VSFTPD_CONF_SHOWN=$(sed "s#$WORK#/tmp/ftpcap-failure-samples.XXXXXX#g" "$conf")
  vsftpd_start vsftpd "$1" "$conf" "$P-srtr" "$2:21"
}
stop_vsftpd() { server_stop vsftpd; }

# ---------------------------------------------------------------- nftables --
RULES_MD=""
load_rules() { # NS RULESET_TEXT
  printf '%s\n' "$2" | nsx "$1" nft -f - || die "nft -f failed in $1"
  RULES_MD+=$'\n'"In \`$1\` (\`nft -f\` of this file, nothing else loaded):"$'\n\n```\n'"$2"$'\n```\n'
}

# ----------------------------------------------------------------- capture --
CAP_FILES=() # the recorders of the case, by name
cap_start() { # NAME NS IF
  record_start "$1" "$2" "$3" "$WORK/cap-$1.pcap" 'tcp or icmp'
  CAP_FILES+=("$1")
}
cap_stop() { # CASE
  local name
  sleep 1 # let the last FIN/ACKs arrive
  record_stop "${CAP_FILES[@]}" || die "tcpdump dropped packets"
  for name in "${CAP_FILES[@]}"; do publish_capture "$WORK/cap-$name.pcap" "$SAMPLES/$1" "$name"; done
}

# ----------------------------------------------------------------- clients --
# lab.sh runs each snippet (client_run): a client namespace, a fresh working
# directory, an empty HOME (no rc files); the snippet is also what the README
# shows (@TOOLS@ = samples/tools), numbered, and clients.log says how long it ran.
CMD_NUMBERED=1 CLIENT_TIMING=1
client() { # NS EXPECT CMD [note] — EXPECT: ok (exit 0), fail (exit != 0) or any
  local ns=$1 expect=$2 rc=0
  shift 2
  client_run "$ns" "$@" || rc=$?
  case "$expect" in
    ok) [ "$rc" = 0 ] || die "client should have succeeded (exit $rc): $(tail -15 "$CLIENT_LOG")" ;;
    fail) [ "$rc" != 0 ] || die "client should have failed: $(tail -15 "$CLIENT_LOG")" ;;
  esac
  sleep 0.5 # sessions do not overlap
}

# ----------------------------------------------------------------- README --
LAB_MD='```
fd-cli1 100.64.0.10   fd-cli2 100.64.0.11      clients inside a NAT
        \                 /
fd-crtr  in0  100.64.0.1/24 (bridge)           client-side NAT router
         out0 198.51.100.2/24                  (masquerade when the case says so)
        |
fd-core  br0  198.51.100.1/24 (bridge) ------- fd-pcli 198.51.100.20   public client
         s1   203.0.113.1/24                   routes 192.0.2.0/24 via 203.0.113.2;
        |                                      100.64.0.0/10 blackholed (dropped silently)
fd-srtr  wan0 203.0.113.2/24 + 203.0.113.10/24 server-side router (203.0.113.10 = the NAT server)
         dmz0 192.0.2.1/24  ----------------- fd-srv  192.0.2.10    public server
         lan0 100.64.1.1/24 ----------------- fd-psrv 100.64.1.10   server behind DNAT
```'

LAB_MD=${LAB_MD//fd-/$P-}

VANTAGE_MD=""
vantage() { # NAME WHAT
  VANTAGE_MD+="  - \`$1.pcap\` — $2"$'\n'
}

begin_case() { # CASE
  case_begin "$1"
  RULES_MD="" VANTAGE_MD="" CAP_FILES=()
  rm -f "$SAMPLES/$1"/*.pcap "$SAMPLES/$1"/*tshark-frames.txt
  lab_up
}

# write_readme CASE TITLE SUMMARY SERVER_MD CLIENTS_MD STORY_MD FINDINGS_MD
write_readme() {
  local case=$1 dir="$SAMPLES/$1" ent name ns dev pkts
  pkts=$(capinfos -M -c "$dir/capture.pcap" | awk -F': *' '/Number of packets/ {print $2}')
  {
    echo "# $case — $2"
    echo
    echo "$3"
    echo
    echo "- **Packets:** $pkts in \`capture.pcap\` (\`capinfos -c\`)"
    echo "- **Made:** $TODAY with \`samples/tools/make-failure-samples.sh $case\` (Linux $KERNEL_VER, network namespaces)"
    echo "- **Captures** (capture point: namespace / interface):"
    printf '%s' "$VANTAGE_MD"
    echo "- **Cross-check:** \`tshark-frames.txt\` for capture.pcap, \`<name>.tshark-frames.txt\` for the others"
    echo "  (\`samples/tools/tshark-frames.sh FILE\`, $TSHARK_VER); the clients' own output: [clients.log](clients.log)"
    echo
    echo "## What ftpcap must find"
    echo
    echo "$7"
    echo
    echo "## What happens"
    echo
    echo "$6"
    echo
    echo "## Lab"
    echo
    echo "Network namespaces on one machine, no link to the host; documentation addresses"
    echo "(192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) and shared address space (100.64.0.0/10) for"
    echo "the NAT insides. Offloads are off on every veth and bridge (frames of at most 1514 bytes, valid"
    echo "checksums). The lab is rebuilt for every case."
    echo
    echo "$LAB_MD"
    echo
    echo "## Server"
    echo
    echo "$4"
    echo
    echo "Config file (\`vsftpd CONFIG\` in the foreground; paths are the script's temp dir):"
    echo
    echo '```'
    echo "$VSFTPD_CONF_SHOWN"
    echo '```'
    echo
    echo "## Firewall and NAT (nftables)"
    echo
    echo "$NFT_VER. Namespaces not listed here have no ruleset."
    echo "$RULES_MD"
    echo "## Clients and exact command lines"
    echo
    echo "$5"
    echo
    echo "Each snippet ran as \`ip netns exec NS bash -c '...'\` in an empty working directory with an"
    echo "empty \`HOME\` (no rc files), under \`timeout 90\`, one after the other (0.5 s apart), in this order:"
    echo "$CMDS_MD"
    echo "## Capture"
    echo
    echo "\`tcpdump --immediate-mode -i IF -s 0 -U -Z root -w FILE 'tcp or icmp'\` ($TCPDUMP_VER) on each interface named above,"
    echo "all started before the first client and stopped (SIGINT) 1 s after the last one. Classic pcap,"
    echo "Ethernet, microsecond timestamps. A capture on a router interface sees a packet that arrives"
    echo "on it before the router's firewall decides about it, and one that leaves it after NAT."
    echo
    echo "## Generated facts (capinfos + tshark, by samples/tools/capture-facts.py)"
    for ent in "${CAP_FILES[@]}"; do
      IFS='|' read -r name ns dev <<<"$ent"
      echo
      echo "### $name.pcap ($ns / $dev)"
      echo
      "$PYTHON" "$TOOLS/capture-facts.py" failure "$dir/$name.pcap"
    done
  } >"$dir/README.md"
  log "  -> samples/$case: capture.pcap $pkts packets, $(stat -c %s "$dir/capture.pcap") bytes"
}

LFTP_BASE="set ftp:prefer-epsv no; set ftp:passive-mode yes; set net:max-retries 1; set net:timeout 5; set cmd:fail-exit yes"
TNFTP_LS() { # HOST -> a tnftp snippet: anonymous, PASV (epsv4 off), ls
  printf "ftp -n -v %s <<'EOF'\nuser anonymous ftpcap@example.org\nepsv4 off\nls\nquit\nEOF" "$1"
}
SRV_PUB_MD="vsftpd $VSFTPD_VER in \`$P-srv\`, 192.0.2.10 (public, no NAT), anonymous read-only tree
(\`readme.txt\` $(stat -c %s "$ANON/readme.txt") bytes, \`pub/notes.txt\`), passive ports 40000–40100, active data
connections from port 20 (\`connect_from_port_20=YES\`)."
SRV_NAT_MD="vsftpd $VSFTPD_VER in \`$P-psrv\`, 100.64.1.10, reachable from outside only as
203.0.113.10 through the DNAT of \`$P-srtr\`; anonymous read-only tree (\`readme.txt\`
$(stat -c %s "$ANON/readme.txt") bytes, \`pub/notes.txt\`), passive ports 40000–40100. No \`pasv_address\`:
vsftpd announces the address of the socket the control connection arrived on, 100.64.1.10."
ACTIVE_CLIENTS_MD="$PY_VER via [samples/tools/ftplib-client.py](../tools/ftplib-client.py)
(\`active\` = \`set_pasv(False)\`, PORT on IPv4) and curl $CURL_VER with \`-P -\` (active mode on the
control connection's local address: EPRT first, PORT after EPRT fails)."

# --------------------------------------------------------------------- cases --
NAT_ROUTER_RULES='table ip nat-router {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "in0" oifname "out0" accept
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "out0" masquerade
	}
}'
NAT_ROUTER_HELPER_RULES='table ip nat-router {
	ct helper ftp-std {
		type "ftp" protocol tcp;
	}

	chain prerouting {
		type filter hook prerouting priority filter; policy accept;
		iifname "in0" tcp dport 21 ct helper set "ftp-std"
	}

	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "in0" oifname "out0" accept
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "out0" masquerade
	}
}'

case_nat_pasv_private() {
  local c=nat-pasv-private
  begin_case $c
  start_vsftpd $P-psrv 100.64.1.10 ""
  load_rules $P-srtr 'table ip server-router {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "wan0" ip daddr 203.0.113.10 tcp dport { 21, 40000-40100 } dnat to 100.64.1.10
	}
}'
  vantage capture "\`$P-core\` / \`br0\`: the client's side, on the public segment of 198.51.100.20 (main vantage; sees the SYNs to the private address, which \`$P-core\` then drops)."
  vantage server-side "\`$P-srtr\` / \`lan0\`: the server's side of the DNAT (addresses after translation: the server is 100.64.1.10)."
  cap_start capture $P-core br0
  cap_start server-side $P-srtr lan0
  sleep 1
  client $P-pcli fail "lftp -d -c '$LFTP_BASE; set ftp:fix-pasv-address no; open ftp://203.0.113.10; get readme.txt'" "lftp honours the 227 address"
  client $P-pcli fail "lftp -d -c '$LFTP_BASE; open ftp://203.0.113.10; get readme.txt'" "lftp with its default ftp:fix-pasv-address yes"
  client $P-pcli ok "curl -sS -v --disable-epsv -o readme.txt ftp://203.0.113.10/readme.txt" "curl, PASV instead of its default EPSV"
  client $P-pcli ok "$PYTHON @TOOLS@/ftplib-client.py 203.0.113.10 passive list retr:readme.txt" "ftplib, PASV"
  cap_stop $c
  stop_vsftpd
  write_readme $c "server behind a NAT announces its private address in 227 (no FTP helper)" \
    "vsftpd at 100.64.1.10 behind a port-forwarding router (DNAT of 203.0.113.10 port 21 and 40000–40100, no FTP helper) answers PASV with \`227 Entering Passive Mode (100,64,1,10,p1,p2)\`. Four sessions from the public client 198.51.100.20 to 203.0.113.10: two lftp runs dial the private address and fail (SYN retransmitted, no answer), curl and Python ftplib ignore the 227 address, dial the control connection's address 203.0.113.10 and succeed." \
    "$SRV_NAT_MD" \
    "In \`$P-pcli\` (198.51.100.20): lftp $LFTP_VER (PASV with \`ftp:prefer-epsv no\`; \`net:timeout 5\` and
\`net:max-retries 1\` make it give up 5 s after the data SYN), curl $CURL_VER with \`--disable-epsv\`
(curl ignores the address of a 227 by default since 7.74.0, \`--ftp-skip-pasv-ip\`), and $PY_VER via
[samples/tools/ftplib-client.py](../tools/ftplib-client.py) (ftplib ignores the 227 address since 3.10:
\`trust_server_pasv_ipv4_address = False\`)." \
    "Every session logs in to 203.0.113.10:21 (DNATed to 100.64.1.10:21) and sends PASV; vsftpd answers
with its own address, \`227 Entering Passive Mode (100,64,1,10,p1,p2)\`, the 227 passes the router
unchanged (no helper). What each client does with it:

1. **lftp, \`ftp:fix-pasv-address no\`** dials 100.64.1.10:port. \`$P-core\` has no route to
   100.64.0.0/10 (blackhole) and drops the SYN without an ICMP error: in \`capture.pcap\` the SYN and its
   four retransmissions, one per second (this kernel retransmits a SYN at linear 1 s intervals four
   times, \`net.ipv4.tcp_syn_linear_timeouts=4\`), go unanswered; after \`net:timeout\` (5 s) lftp
   closes the data socket and the control connection (FIN, no \`QUIT\`) — it never sends \`RETR\`.
   Exit status 1 (\`max-retries exceeded\`).
2. **lftp with its default \`ftp:fix-pasv-address yes\`** does exactly the same: lftp 4.9.2 replaces only
   private (RFC 1918) and loopback addresses, not shared address space (100.64.0.0/10).
3. **curl \`--disable-epsv\`** logs \`Skip 100.64.1.10 for data connection, re-use 203.0.113.10 instead\`:
   its SYN goes to 203.0.113.10:port, is DNATed to the server, answered; \`RETR readme.txt\` → 150 / 226.
4. **ftplib** (PASV, LIST then RETR readme.txt) also dials 203.0.113.10:port: both transfers complete.

\`server-side.pcap\` (behind the DNAT) sees the same four control connections with the server as
100.64.1.10: there the 227 names the server's own address (no mismatch). It contains no SYN of
sessions 1 and 2 at all (they died in \`$P-core\`) and the data connections of sessions 3 and 4 arrive
at 100.64.1.10:port (the DNAT rewrote the destination)." \
    "- \`capture.pcap\`: 4 sessions, client 198.51.100.20, server 203.0.113.10:21. Every 227 names
  100.64.1.10 ≠ 203.0.113.10 → **\`pasv-address-mismatch\`** on each: in sessions 1 and 2 the client
  dialled the announced private address and the SYN went unanswered (**\`data-connect-unanswered\`**,
  5 SYNs over about 4 s, no transfer command); in sessions 3 and 4 the client dialled the control address
  and the transfer completed (rescued: warning, not error). No \`data-connection-missing\`
  (no transfer command was sent in sessions 1 and 2), no \`port-address-mismatch\`, no \`transfer-failed\`.
- \`server-side.pcap\`: no \`pasv-address-mismatch\` (the 227 names the server's own address as seen
  there); sessions 1 and 2 show a 227 that no SYN ever answered and no transfer command; sessions
  3 and 4 complete."
}

case_pasv_address_wrong() {
  local c=pasv-address-wrong
  begin_case $c
  start_vsftpd $P-srv 192.0.2.10 "# the case: a wrong public address announced in every 227
pasv_address=203.0.113.99"
  vantage capture "\`$P-core\` / \`br0\`: the client's side, on the public segment of 198.51.100.20 (main vantage; sees the SYN to 203.0.113.99 and the ICMP error from \`$P-core\`)."
  vantage server-side "\`$P-srtr\` / \`dmz0\`: the server's side (sees no SYN to 203.0.113.99 at all)."
  cap_start capture $P-core br0
  cap_start server-side $P-srtr dmz0
  sleep 1
  client $P-pcli any "$(TNFTP_LS 192.0.2.10)" "tnftp, PASV (\`epsv4 off\`)"
  client $P-pcli fail "lftp -d -c '$LFTP_BASE; open ftp://192.0.2.10; get readme.txt'" "lftp, PASV"
  client $P-pcli ok "curl -sS -v --disable-epsv -o readme.txt ftp://192.0.2.10/readme.txt" "curl, PASV instead of its default EPSV"
  cap_stop $c
  stop_vsftpd
  write_readme $c "vsftpd pasv_address names a wrong public address" \
    "vsftpd 192.0.2.10 with \`pasv_address=203.0.113.99\` (a public address where no host exists) answers every PASV with \`227 Entering Passive Mode (203,0,113,99,p1,p2)\`. tnftp refuses the mismatching reply without dialling, lftp dials 203.0.113.99 and gets an ICMP host unreachable, curl ignores the address and succeeds." \
    "$SRV_PUB_MD The case adds \`pasv_address=203.0.113.99\` (last line of the config)." \
    "In \`$P-pcli\` (198.51.100.20): $TNFTP_VER (\`epsv4 off\`: PASV instead of EPSV, which would
carry no address), lftp $LFTP_VER (PASV; its \`ftp:fix-pasv-address\` replaces only private
addresses, 203.0.113.99 is used as announced), curl $CURL_VER with \`--disable-epsv\`." \
    "1. **tnftp** logs in, \`epsv4 off\`, \`ls\`: PASV → \`227 … (203,0,113,99,p1,p2)\`, tnftp prints
   \`Passive mode address mismatch.\` and sends nothing else for the listing (no SYN, no \`LIST\`,
   no fallback to active mode); the next command is \`QUIT\` → 221 (exit status 0).
2. **lftp** \`get readme.txt\`: PASV → 227 (203.0.113.99), SYN from 198.51.100.20 to
   203.0.113.99:port, retransmitted at +1 s and +2 s. \`$P-core\` has a connected route to
   203.0.113.0/24 but nobody answers its ARP requests for .99; after about 3 s it gives up and sends
   one \`ICMP host unreachable\` (type 3 code 1, from 198.51.100.1) for each of the three SYNs it was
   holding; the client's kernel sends a fourth SYN in the same millisecond. lftp logs \`Data socket
   error (No route to host)\`, sends the Telnet interrupt bytes of an abort (\`IAC IP\`, then \`IAC DM\`
   as urgent data; no \`RETR\`, no \`ABOR\` line follows — its debug output lists both, but they never
   reach the wire) and closes the control connection; exit status 1 after 3 s.
3. **curl \`--disable-epsv\`**: \`Skip 203.0.113.99 for data connection, re-use 192.0.2.10 instead\`,
   SYN to 192.0.2.10:port, SYN-ACK, \`RETR readme.txt\` → 150 / 226.

Note for \`tshark-frames.txt\`: its SYN table uses the display filter \`tcp.flags.syn == 1\`, which
also matches the ICMP error (tshark decodes the TCP header the ICMP message quotes); that row has
two comma-separated addresses per side." \
    "- \`capture.pcap\`: 3 sessions, client 198.51.100.20, server 192.0.2.10:21. Every 227 names
  203.0.113.99 → **\`pasv-address-mismatch\`** ×3: session 1 (tnftp) the client did not dial at all;
  session 2 (lftp) dialled 203.0.113.99 and failed: 4 SYNs over about 3 s, no TCP answer, three
  ICMP host unreachable quoting that SYN (**\`data-connect-unanswered\`**, or an ICMP-aware
  equivalent; it must not be reported as a completed or refused-by-RST connection); session 3 (curl) dialled the control address and
  completed (rescued). No \`data-connection-missing\` (no transfer command in sessions 1 and 2), no
  \`transfer-failed\`.
- \`server-side.pcap\`: the same three 227 mismatches; no data SYN of sessions 1 and 2; session 3
  completes."
}

case_nat_no_helper() {
  local c=nat-no-helper
  begin_case $c
  start_vsftpd $P-srv 192.0.2.10 ""
  load_rules $P-crtr "$NAT_ROUTER_RULES"
  vantage capture "\`$P-srtr\` / \`dmz0\`: the server's side (main vantage; the clients appear as the NAT's public address 198.51.100.2)."
  vantage inside "\`$P-crtr\` / \`in0\`: inside the NAT (the clients as 100.64.0.10 and 100.64.0.11)."
  cap_start capture $P-srtr dmz0
  cap_start inside $P-crtr in0
  sleep 1
  client $P-cli1 fail "$PYTHON @TOOLS@/ftplib-client.py 192.0.2.10 active list" "ftplib, PORT"
  client $P-cli2 fail "curl -sS -v -P - -o readme.txt ftp://192.0.2.10/readme.txt" "curl, EPRT then PORT"
  cap_stop $c
  stop_vsftpd
  write_readme $c "client behind a masquerading NAT without FTP helper, active mode: PORT/EPRT refused" \
    "Two clients inside a NAT (100.64.0.10, 100.64.0.11 masqueraded to 198.51.100.2, no FTP helper) use active mode against vsftpd 192.0.2.10. Their PORT / EPRT name the private address, which passes the NAT unchanged; vsftpd refuses it (\`500 Illegal PORT command.\`, \`500 Illegal EPRT command.\`) because it is not the address of the control connection's client." \
    "$SRV_PUB_MD" \
    "In \`$P-cli1\` (100.64.0.10) and \`$P-cli2\` (100.64.0.11), behind \`$P-crtr\`: $ACTIVE_CLIENTS_MD" \
    "1. **ftplib** (100.64.0.10, seen outside as 198.51.100.2): \`TYPE A\`, \`PORT 100,64,0,10,p1,p2\` →
   \`500 Illegal PORT command.\`; ftplib raises \`error_perm\` and the script exits (status 1) without
   sending LIST, so no \`425\` follows; the control connection is closed (FIN) without \`QUIT\`.
2. **curl \`-P -\`** (100.64.0.11): \`EPRT |1|100.64.0.11|port|\` → \`500 Illegal EPRT command.\`, curl
   disables EPRT and sends \`PORT 100,64,0,11,p1,p2\` → \`500 Illegal PORT command.\`, curl gives up
   (\`Failed to do PORT\`, exit status 30), sends \`QUIT\` → 221.

No data connection is attempted. The two captures hold the same control bytes (the NAT without
helper changes only addresses and ports in the IP/TCP headers): \`inside.pcap\` has the clients as
100.64.0.10 / .11, \`capture.pcap\` as 198.51.100.2 with the NAT's source ports." \
    "- \`capture.pcap\` (server side): 2 sessions, client 198.51.100.2 (two source ports), server
  192.0.2.10:21. The PORT (session 1) and the EPRT and PORT (session 2) name 100.64.0.10 / 100.64.0.11,
  private and ≠ the client 198.51.100.2 → **\`port-address-mismatch\`** (a NAT without FTP helper) on
  each, and each answered 500 → **\`announcement-refused\`** ×3. No data connection, no
  \`data-connection-missing\` (no transfer command was sent), no \`third-party-data-target\`
  (the address is private: NAT, not FXP).
- \`inside.pcap\`: the same sessions from 100.64.0.10 and 100.64.0.11; the PORT/EPRT address equals
  the client's own: **no** \`port-address-mismatch\` from this vantage; \`announcement-refused\` ×3."
}

case_nat_helper() {
  local c=nat-helper
  begin_case $c
  start_vsftpd $P-srv 192.0.2.10 ""
  load_rules $P-crtr "$NAT_ROUTER_HELPER_RULES"
  vantage capture "\`$P-srtr\` / \`dmz0\`: the server's side (main vantage; the clients appear as the NAT's public address 198.51.100.2 and the PORT / EPRT as rewritten by the helper)."
  vantage inside "\`$P-crtr\` / \`in0\`: inside the NAT (the clients as 100.64.0.10 and 100.64.0.11, PORT / EPRT as the clients sent them)."
  cap_start capture $P-srtr dmz0
  cap_start inside $P-crtr in0
  sleep 1
  client $P-cli1 ok "$PYTHON @TOOLS@/ftplib-client.py 192.0.2.10 active list retr:readme.txt" "ftplib, PORT"
  client $P-cli2 ok "curl -sS -v -P - -o readme.txt ftp://192.0.2.10/readme.txt" "curl, EPRT"
  cap_stop $c
  stop_vsftpd
  write_readme $c "client behind a masquerading NAT with the FTP helper, active mode: PORT/EPRT rewritten" \
    "The NAT of nat-no-helper with the kernel FTP helper assigned to port 21 (\`ct helper set \"ftp-std\"\`). nf_conntrack_ftp / nf_nat_ftp rewrite the clients' \`PORT 100,64,0,x,…\` and \`EPRT |1|100.64.0.x|…|\` to the NAT's public address 198.51.100.2, fix the TCP sequence numbers for the changed length, and let the server's data connections from port 20 back in (RELATED, translated to the client). All transfers complete." \
    "$SRV_PUB_MD" \
    "In \`$P-cli1\` (100.64.0.10) and \`$P-cli2\` (100.64.0.11), behind \`$P-crtr\`: $ACTIVE_CLIENTS_MD" \
    "1. **ftplib** (100.64.0.10): inside, \`PORT 100,64,0,10,p1,p2\`; on the server side the same segment
   carries \`PORT 198,51,100,2,q1,q2\` (one byte longer: the sequence numbers of everything the client
   sends afterwards on this connection are shifted by one between the two captures). vsftpd: \`200 PORT
   command successful.\`, LIST → SYN from 192.0.2.10:20 to 198.51.100.2:q → translated by the NAT to
   100.64.0.10:p (the helper keeps the port if it is free: then q = p) → SYN-ACK; listing and 226. Then
   \`PORT\` + \`RETR readme.txt\` the same way.
2. **curl \`-P -\`** (100.64.0.11): inside \`EPRT |1|100.64.0.11|p|\`, outside \`EPRT |1|198.51.100.2|q|\`
   (nf_nat_ftp rewrites EPRT as well) → \`200 EPRT command successful.\`, \`RETR readme.txt\` → SYN
   from 192.0.2.10:20 → SYN-ACK → 150 / 226.

The data connections are the server's SYNs from port 20: outside to 198.51.100.2, inside to 100.64.0.x.
The masquerade kept the clients' source ports and the helper kept the announced ports (they were
free on the NAT), so only addresses differ between the two files, plus the one-byte shift of the
client's sequence numbers after each rewritten PORT / EPRT." \
    "- \`capture.pcap\` (server side): 2 sessions, client 198.51.100.2, server 192.0.2.10:21; every
  PORT/EPRT names 198.51.100.2 = the client: **no** \`port-address-mismatch\`, **no**
  \`announcement-refused\`; 3 active data connections (LIST, RETR by ftplib; RETR by curl) from
  192.0.2.10:20, each SYN answered by SYN-ACK, all 3 transfers complete. No findings of severity
  warning or error.
- \`inside.pcap\`: the same sessions with clients 100.64.0.10 / .11 and server 192.0.2.10; PORT/EPRT
  name the client's own address; the data SYNs come from 192.0.2.10:20 to 100.64.0.x. Also clean.
- Together (\`ftpcap analyze capture.pcap inside.pcap\`): the two vantages of each session differ in
  client address, client port and the announced endpoint — they are the rewrite, not two sessions
  with different traffic."
}

case_firewall_passive_blocked() {
  local c=firewall-passive-blocked
  begin_case $c
  start_vsftpd $P-srv 192.0.2.10 ""
  load_rules $P-srtr 'table ip server-firewall {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "wan0" ip daddr 192.0.2.10 tcp dport 21 accept
		iifname "dmz0" oifname "wan0" accept
	}
}'
  vantage capture "\`$P-srtr\` / \`wan0\`: the client's side of the server-side firewall (main vantage; sees every data SYN arrive, and that nothing answers)."
  vantage server-side "\`$P-srtr\` / \`dmz0\`: the server's side of the firewall (no data SYN gets here)."
  cap_start capture $P-srtr wan0
  cap_start server-side $P-srtr dmz0
  sleep 1
  client $P-pcli fail "curl -sS -v --connect-timeout 5 -o readme.txt ftp://192.0.2.10/readme.txt" "curl, EPSV (its default), PASV after EPSV fails"
  client $P-pcli fail "lftp -d -c '$LFTP_BASE; open ftp://192.0.2.10; get readme.txt'" "lftp, PASV"
  cap_stop $c
  stop_vsftpd
  write_readme $c "server-side firewall opens port 21 only: passive data connections unanswered" \
    "A stateful firewall in front of vsftpd 192.0.2.10 accepts new connections to port 21 only and has no FTP helper, so the passive range 40000–40100 is closed: the clients' data SYNs are dropped silently. curl (EPSV, then PASV) and lftp (PASV) retransmit their SYNs until they give up." \
    "$SRV_PUB_MD" \
    "In \`$P-pcli\` (198.51.100.20): curl $CURL_VER (default EPSV; \`--connect-timeout 5\`) and lftp
$LFTP_VER (PASV; \`net:timeout 5\`, \`net:max-retries 1\`)." \
    "1. **curl**: \`EPSV\` → \`229 Entering Extended Passive Mode (|||p|)\`, SYN to 192.0.2.10:p and four
   retransmissions one second apart (this kernel: \`net.ipv4.tcp_syn_linear_timeouts=4\`), no answer.
   After the connect timeout (5 s, counted from the start of the transfer) curl logs \`Failed EPSV
   attempt. Disabling EPSV\` and sends \`PASV\` → \`227 … (192,0,2,10,…)\` 5.0 s after the 229; its
   connect timeout has already run out, so it gives up on the second data connection without sending
   a single SYN (\`Connection time-out\`, exit status 28) and closes the control connection (FIN, no
   \`QUIT\`). The EPSV→PASV fallback cost the 5 s of the first attempt and did not help.
2. **lftp**: \`PASV\` → 227, SYN to 192.0.2.10:p and four retransmissions one second apart; after
   \`net:timeout\` (5 s) lftp closes the data socket and the control connection (FIN, no \`QUIT\`;
   \`max-retries exceeded\`, exit status 1).

No transfer command reaches the server: both clients send \`RETR\` only after the data connection is
up. \`server-side.pcap\` therefore shows the announcements and nothing after them." \
    "- \`capture.pcap\` (client side of the firewall): 2 sessions, client 198.51.100.20, server
  192.0.2.10:21. Session 1: 229 (EPSV) → data SYN unanswered (5 SYNs over about 4 s) →
  **\`data-connect-unanswered\`**; then, 5 s later, 227 (PASV, address = server, no mismatch) that no
  SYN follows (unused). Session 2: 227 → data SYN unanswered (5 SYNs over about 4 s) →
  **\`data-connect-unanswered\`**. No \`pasv-address-mismatch\`, no
  \`data-connect-refused\`, no \`data-connection-missing\`, no \`transfer-failed\` (no transfer command).
- \`server-side.pcap\`: the same announcements, no data SYN at all and no transfer command: neither
  \`data-connect-unanswered\` nor \`data-connection-missing\` (nothing was transferred or asked for)."
}

case_firewall_active_blocked() {
  local c=firewall-active-blocked
  begin_case $c
  start_vsftpd $P-srv 192.0.2.10 "# the case: give up an active data connection after 10 s (default 60)
connect_timeout=10"
  load_rules $P-pcli 'table inet host-firewall {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		iif "lo" accept
	}
}'
  vantage capture "\`$P-srtr\` / \`dmz0\`: the server's side (main vantage; sees the server's data SYNs and their retransmissions)."
  cap_start capture $P-srtr dmz0
  sleep 1
  client $P-pcli fail "$PYTHON @TOOLS@/ftplib-client.py 192.0.2.10 active list" "ftplib, PORT"
  client $P-pcli fail "curl -sS -v -P - -o readme.txt ftp://192.0.2.10/readme.txt" "curl, EPRT"
  cap_stop $c
  stop_vsftpd
  write_readme $c "client host firewall drops the server's active-mode SYN" \
    "The public client 198.51.100.20 runs a stateful host firewall without FTP helper (input: established/related only). Its PORT / EPRT are accepted by vsftpd 192.0.2.10, but the server's data SYN from port 20 is a new inbound connection and is dropped on the client: vsftpd retransmits it until \`connect_timeout\` (10 s), then \`425 Failed to establish connection.\`" \
    "$SRV_PUB_MD The case adds \`connect_timeout=10\` (vsftpd's default is 60 s)." \
    "In \`$P-pcli\` (198.51.100.20), behind its own host firewall: $ACTIVE_CLIENTS_MD" \
    "1. **ftplib**: \`PORT 198,51,100,20,p1,p2\` → \`200 PORT command successful. Consider using PASV.\`,
   \`LIST\` → SYN from 192.0.2.10:20 to 198.51.100.20:p, retransmitted at about +1, +2, +3, +4, +5
   and +7 s (7 SYNs; this kernel's linear SYN timeouts), dropped by the client's input chain; at
   +10 s vsftpd answers \`425 Failed to establish connection.\` (no 150 before it); ftplib raises
   \`error_temp\`, exit status 1, the connection is closed without QUIT.
2. **curl \`-P -\`**: \`EPRT |1|198.51.100.20|p|\` → \`200 EPRT command successful.\`, \`TYPE I\`,
   \`SIZE readme.txt\`, \`RETR readme.txt\` → server SYN from port 20 retransmitted the same way → after
   10 s \`425 Failed to establish connection.\`; curl sends \`QUIT\` and exits with status 19 and the
   message \`sa_addr inet_ntop() failed with errno 97\` (how curl 7.88 words this failure)." \
    "- \`capture.pcap\`: 2 sessions, client 198.51.100.20, server 192.0.2.10:21. Session 1: PORT →
  200, LIST, server SYN from 192.0.2.10:20 unanswered (7 SYNs over about 7 s) → **\`data-connect-unanswered\`**,
  425 to LIST → **\`transfer-failed\`**. Session 2: EPRT → 200, RETR, the same →
  **\`data-connect-unanswered\`**, **\`transfer-failed\`**. No \`port-address-mismatch\`, no
  \`announcement-refused\`, no \`data-connection-missing\`, no \`data-connect-refused\`."
}

case_data_refused() {
  local c=data-refused
  begin_case $c
  start_vsftpd $P-srv 192.0.2.10 ""
  load_rules $P-srtr 'table ip server-firewall {
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "wan0" ip daddr 192.0.2.10 tcp dport 40000-40100 reject with tcp reset
	}
}'
  vantage capture "\`$P-srtr\` / \`wan0\`: the client's side of the server-side firewall (sees each data SYN and the RST the firewall sends back in the server's name)."
  cap_start capture $P-srtr wan0
  sleep 1
  client $P-pcli fail "curl -sS -v --connect-timeout 5 -o readme.txt ftp://192.0.2.10/readme.txt" "curl, EPSV (its default), PASV after EPSV fails"
  client $P-pcli fail "lftp -d -c '$LFTP_BASE; open ftp://192.0.2.10; get readme.txt'" "lftp, PASV"
  cap_stop $c
  stop_vsftpd
  write_readme $c "firewall rejects the passive range with a TCP reset" \
    "A firewall in front of vsftpd 192.0.2.10 answers every SYN to the passive range 40000–40100 with a TCP RST (\`reject with tcp reset\`), sent in the server's name. curl tries EPSV, then PASV, both refused at once; lftp's PASV data connection is refused too." \
    "$SRV_PUB_MD" \
    "In \`$P-pcli\` (198.51.100.20): curl $CURL_VER (default EPSV) and lftp $LFTP_VER (PASV)." \
    "1. **curl**: \`EPSV\` → \`229 (|||p|)\`, SYN to 192.0.2.10:p → RST-ACK from \"192.0.2.10\" (the
   firewall) within a millisecond; curl: \`Failed EPSV attempt. Disabling EPSV\`, \`PASV\` → \`227
   (192,0,2,10,…)\`, SYN → RST-ACK again; curl gives up (exit status 7) and closes the control
   connection.
2. **lftp**: \`PASV\` → 227, SYN → RST-ACK; lftp (\`Data socket error (Connection refused)\`) sends the
   Telnet interrupt bytes of an abort and closes (exit status 1, \`max-retries exceeded\`).

No transfer command is sent (both clients send RETR only over an established data connection).
The RSTs are the firewall's, not the server's: at \`wan0\` they have IP TTL 64, the server's own
packets (forwarded once by \`$P-srtr\`) TTL 63." \
    "- \`capture.pcap\`: 2 sessions, client 198.51.100.20, server 192.0.2.10:21. Session 1: 229 → SYN →
  RST → **\`data-connect-refused\`**; 227 → SYN → RST → **\`data-connect-refused\`**. Session 2: 227 →
  SYN → RST → **\`data-connect-refused\`**. 3 × data-connect-refused, no \`data-connect-unanswered\`,
  no \`pasv-address-mismatch\`, no \`data-connection-missing\`, no \`transfer-failed\`."
}

case_data_missing() {
  local c=data-missing
  begin_case $c
  start_vsftpd $P-srv 192.0.2.10 "# the case: give up an active data connection after 10 s (default 60)
connect_timeout=10"
  load_rules $P-srtr 'table ip server-firewall {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "wan0" ip daddr 192.0.2.10 tcp dport { 21, 40000-40100 } accept
	}
}'
  vantage capture "\`$P-srtr\` / \`wan0\`: the client's side of the server-side firewall (main vantage; the server's data SYNs never get here)."
  vantage server-side "\`$P-srtr\` / \`dmz0\`: the server's side of the firewall (sees the server's SYNs and their retransmissions)."
  cap_start capture $P-srtr wan0
  cap_start server-side $P-srtr dmz0
  sleep 1
  client $P-pcli fail "$PYTHON @TOOLS@/ftplib-client.py 192.0.2.10 active list" "ftplib, PORT"
  client $P-pcli fail "curl -sS -v -P - -o readme.txt ftp://192.0.2.10/readme.txt" "curl, EPRT"
  cap_stop $c
  stop_vsftpd
  write_readme $c "the data SYN is dropped before the capture point: transfer command, no SYN, 425" \
    "The firewall in front of vsftpd 192.0.2.10 lets clients in (port 21 and the passive range) but drops every new connection the server opens (no FTP helper, so active-mode data connections are not RELATED). Captured on the firewall's outside, an active-mode session shows PORT/EPRT → 200, the transfer command, **no SYN at all**, and 10 s later \`425 Failed to establish connection.\`. The second capture, on the server's side, shows the SYNs being retransmitted." \
    "$SRV_PUB_MD The case adds \`connect_timeout=10\` (vsftpd's default is 60 s)." \
    "In \`$P-pcli\` (198.51.100.20): $ACTIVE_CLIENTS_MD

Why active mode: the passive-mode clients at hand (curl, lftp, ftplib, tnftp) all wait for the data
connection to be established before they send RETR or LIST, so a passive data SYN dropped upstream
of the capture point leaves a 227 with nothing after it (see firewall-passive-blocked/server-side.pcap),
never a transfer command without a SYN. In active mode the transfer command comes first and the
server's SYN after it." \
    "1. **ftplib**: \`PORT 198,51,100,20,p1,p2\` → 200, \`LIST\`; vsftpd connects from 192.0.2.10:20; the
   firewall drops the SYN (7 SYNs over about 7 s in \`server-side.pcap\`) before it leaves on
   \`wan0\`; after 10 s \`425 Failed to establish connection.\`; ftplib exits with status 1 (no QUIT).
2. **curl \`-P -\`**: \`EPRT |1|198.51.100.20|p|\` → 200, \`TYPE I\`, \`SIZE\`, \`RETR readme.txt\` → the same
   → 425; curl sends \`QUIT\` and exits with status 19 (\`sa_addr inet_ntop() failed with errno 97\`)." \
    "- \`capture.pcap\` (outside the firewall): 2 sessions, client 198.51.100.20, server 192.0.2.10:21.
  Session 1: PORT → 200, LIST, **no SYN** in the capture, 425 → **\`data-connection-missing\`** and
  **\`transfer-failed\`**. Session 2: EPRT → 200, RETR, no SYN, 425 → **\`data-connection-missing\`**,
  **\`transfer-failed\`**. No \`data-connect-unanswered\` (there is no SYN in this file), no
  \`announcement-refused\`, no \`port-address-mismatch\`.
- \`server-side.pcap\`: the same sessions; each transfer's server SYN from 192.0.2.10:20 is there,
  retransmitted, unanswered (7 SYNs over about 7 s each) → **\`data-connect-unanswered\`** ×2 and
  \`transfer-failed\` ×2, no \`data-connection-missing\`. Seen from here alone the drop could be
  anywhere between the server and the client."
}

case_nat_helper_passive() {
  local c=nat-helper-passive
  begin_case $c
  start_vsftpd $P-psrv 100.64.1.10 ""
  load_rules $P-srtr 'table ip server-router {
	ct helper ftp-std {
		type "ftp" protocol tcp;
	}

	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "wan0" ip daddr 203.0.113.10 tcp dport 21 dnat to 100.64.1.10
	}

	chain helpers {
		type filter hook prerouting priority filter; policy accept;
		iifname "wan0" ip daddr 100.64.1.10 tcp dport 21 ct helper set "ftp-std"
	}

	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "wan0" ip daddr 100.64.1.10 tcp dport 21 accept
		iifname "lan0" oifname "wan0" accept
	}
}'
  vantage capture "\`$P-srtr\` / \`wan0\`: outside the NAT, the client's side (main vantage; the server is 203.0.113.10 and every 227 names 203.0.113.10)."
  vantage server-side "\`$P-srtr\` / \`lan0\`: inside, the server's side (the server is 100.64.1.10 and every 227 names 100.64.1.10)."
  cap_start capture $P-srtr wan0
  cap_start server-side $P-srtr lan0
  sleep 1
  client $P-pcli ok "$(TNFTP_LS 203.0.113.10)" "tnftp, PASV (\`epsv4 off\`)"
  client $P-pcli ok "lftp -d -c '$LFTP_BASE; set ftp:fix-pasv-address no; open ftp://203.0.113.10; ls; get readme.txt'" "lftp, PASV, honours the 227 address"
  client $P-pcli ok "curl -sS -v -o readme.txt ftp://203.0.113.10/readme.txt" "curl, EPSV"
  cap_stop $c
  stop_vsftpd
  write_readme $c "server behind a NAT with the FTP helper: the 227 is rewritten to the public address" \
    "vsftpd 100.64.1.10 behind a DNAT (203.0.113.10 port 21 only) whose router runs the kernel FTP helper. The helper rewrites \`227 Entering Passive Mode (100,64,1,10,p1,p2)\` to \`(203,0,113,10,p1,p2)\` on the way out and expects the data connection, which it lets in (RELATED) and translates to 100.64.1.10 — the passive range is neither forwarded nor opened explicitly. tnftp (which refuses a mismatching 227), lftp (which dials the 227 address) and curl (EPSV) all succeed." \
    "$SRV_NAT_MD" \
    "In \`$P-pcli\` (198.51.100.20): $TNFTP_VER (\`epsv4 off\`: PASV), lftp $LFTP_VER (PASV,
\`ftp:fix-pasv-address no\`: uses the 227 address as given), curl $CURL_VER (default: EPSV)." \
    "1. **tnftp** \`ls\`: PASV → inside \`227 … (100,64,1,10,p1,p2).\`, outside \`227 … (203,0,113,10,p1,p2).\`
   (one byte longer: the server's sequence numbers after it differ by one between the two files, by
   two after lftp's two 227s); tnftp accepts it (the address equals its control
   peer), SYN to 203.0.113.10:p → DNATed by the expectation to 100.64.1.10:p → SYN-ACK → \`LIST\` →
   150 / 226.
2. **lftp** \`ls\` and \`get readme.txt\`: two PASV / 227 pairs, each rewritten the same way, each
   data connection to 203.0.113.10:p (outside) = 100.64.1.10:p (inside); LIST and RETR complete.
3. **curl**: \`EPSV\` → \`229 (|||p|)\` (no address, nothing to rewrite; the helper still expects the
   connection), SYN to 203.0.113.10:p → SYN-ACK, RETR → 150 / 226." \
    "- \`capture.pcap\` (outside): 3 sessions, client 198.51.100.20, server 203.0.113.10:21; every 227
  names 203.0.113.10 = the server: **no** \`pasv-address-mismatch\`; 4 passive data connections
  (tnftp LIST, lftp LIST + RETR, curl RETR), every SYN answered by SYN-ACK, all transfers complete.
  No warning or error findings.
- \`server-side.pcap\` (inside): the same 3 sessions, server 100.64.1.10:21; every 227 names
  100.64.1.10 = the server: no mismatch either; the same 4 data connections to 100.64.1.10. Clean.
- Only the two files side by side show the rewrite (same session, 227 address differs, data
  connection destination differs)."
}

case_firewall_rejects_icmp() {
  local c=firewall-rejects-icmp
  begin_case $c
  start_vsftpd $P-srv 192.0.2.10 ""
  load_rules $P-srtr 'table inet server-firewall {
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "wan0" ip daddr 192.0.2.10 tcp dport 40000-40100 reject with icmp type admin-prohibited
	}
}'
  vantage capture "\`$P-srtr\` / \`wan0\`: the client's side of the server-side firewall (sees each data SYN and the ICMP error the firewall sends back from 203.0.113.2)."
  cap_start capture $P-srtr wan0
  sleep 1
  client $P-pcli fail "curl -sS -v --connect-timeout 5 -o readme.txt ftp://192.0.2.10/readme.txt" "curl, EPSV (its default), PASV after EPSV fails; the firewall answers administratively prohibited"
  # The same firewall, now answering port unreachable (icmpx: the reject for either family).
  nsx $P-srtr nft delete table inet server-firewall
  load_rules $P-srtr 'table inet server-firewall {
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "wan0" ip daddr 192.0.2.10 tcp dport 40000-40100 reject with icmpx type port-unreachable
	}
}'
  client $P-pcli fail "lftp -d -c '$LFTP_BASE; open ftp://192.0.2.10; get readme.txt'" "lftp, PASV; the firewall answers port unreachable"
  cap_stop $c
  stop_vsftpd
  write_readme $c "firewall rejects the passive range with ICMP errors" \
    "A firewall in front of vsftpd 192.0.2.10 (the server-side router) rejects every SYN to the passive range 40000–40100 with an ICMP error from its own address 203.0.113.2: first \`reject with icmp type admin-prohibited\` (type 3, code 13) for curl, then, the rule replaced, \`reject with icmpx type port-unreachable\` (type 3, code 3) for lftp. Nothing reaches the server; the clients learn at once that the connection is refused." \
    "$SRV_PUB_MD" \
    "In \`$P-pcli\` (198.51.100.20): curl $CURL_VER (default EPSV) and lftp $LFTP_VER (PASV)." \
    "1. **curl**: \`EPSV\` → \`229 (|||p|)\`, SYN to 192.0.2.10:p → ICMP destination unreachable,
   administratively prohibited, from 203.0.113.2; curl falls back to \`PASV\` → 227, SYN → the same
   ICMP error; curl gives up and closes the control connection.
2. The firewall rule is replaced by one that rejects with port unreachable.
3. **lftp**: \`PASV\` → 227, SYN → ICMP port unreachable from 203.0.113.2; lftp gives up." \
    "- \`capture.pcap\`: 2 sessions, client 198.51.100.20, server 192.0.2.10:21. Every data SYN is
  answered by an ICMP error from 203.0.113.2 quoting it → **\`data-connect-unreachable\`** naming
  203.0.113.2 and the error (administratively prohibited in session 1, port unreachable in session
  2); no \`data-connect-unanswered\` (the SYNs were answered), no \`data-connect-refused\` (no RST)."
}

# ---------------------------------------------------------------------- run --
for c in "${CASES[@]}"; do
  "case_${c//-/_}"
  lab_down
done
