#!/usr/bin/env bash
# make.sh — regenerate one family of sample captures, or all of them, with one
# command; then check what changed.
#
#   sudo samples/tools/make.sh list              # the families and what each records
#   sudo samples/tools/make.sh FAMILY [case...]  # record a family (or some of its cases)
#   sudo samples/tools/make.sh all               # every family, one after the other
#
# Each family is recorded by its own make-*.sh in a lab of network namespaces
# of its own (all built with lab.sh); see samples/tools/README.md. NS_PREFIX=xy
# names a family's namespaces xy-* instead, SAMPLES_OUT=DIR writes its case
# directories into DIR instead of samples/. After recording, regenerate and
# review the expected reports:
#
#   UPDATE_EXPECTED=1 npx vitest run test/e2e && git diff --stat samples/
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$TOOLS/lab.sh"

# family | script | what it records
FAMILIES="core|make-samples.sh|vsftpd with curl, lftp, ftplib, tnftp: PASV, EPSV, PORT, EPRT, IPv6, capture formats, link types (lab fc-*)
loss|make-loss-samples.sh|random loss, a capture started mid-session, frames cut out, a reused 4-tuple (lab fl-*)
other-server|make-other-server-samples.sh|ProFTPD and Pure-FTPd (lab fq-*)
failure|make-failure-samples.sh|NAT with and without the kernel helper, firewalls that drop or reject (lab fd-*)
protocol|make-protocol-samples.sh|bounce, EPSV ALL, address families, TLS, failed logins, odd ports, malformed announcements (lab fp-*)
foreign|make-foreign-samples.sh|other protocols on FTP's ports, missing handshakes, unopened control connections, duplicated packets (lab fx-*)
hostile|make-hostile-samples.sh|user and file names that are markup and script (lab ft-*)
files|make-files-samples.sh|files whose SHA-256 the server computed: hashes, types, REST offsets, --extract (lab xf-*)
transfer|make-transfer-samples.sh|transfers that go badly: heavy loss, a dropped control connection, zero window, ABOR, a stalled upload (lab pf-*)
firewall|make-firewall-samples.sh|the kernel firewall lab's reference transfers (through test/kernel)"

script_of() { printf '%s\n' "$FAMILIES" | awk -F'|' -v f="$1" '$1 == f { print $2 }'; }

family=${1:-list}
case "$family" in
  list | -h | --help)
    printf '%s\n' "$FAMILIES" | awk -F'|' '{ printf "  %-13s %-30s %s\n", $1, $2, $3 }'
    ;;
  all)
    need_root "network namespaces, servers, tcpdump"
    for f in $(printf '%s\n' "$FAMILIES" | cut -d'|' -f1); do
      log "family $f"
      "$TOOLS/$(script_of "$f")"
    done
    ;;
  *)
    script=$(script_of "$family")
    [ -n "$script" ] || die "unknown family '$family' (samples/tools/make.sh list)"
    need_root "network namespaces, servers, tcpdump"
    shift
    exec "$TOOLS/$script" "$@"
    ;;
esac
