#!/usr/bin/env bash
# make-firewall-samples.sh — record the samples of the kernel firewall lab:
# samples/firewall-lab-vsftpd (vsftpd on port 21) and samples/firewall-lab-pureftpd
# (Pure-FTPd on port 2121), the reference transfers test/kernel runs before it
# loads ftpcap's rules: curl EPSV, PASV, EPRT, PORT and lftp PASV over IPv4,
# curl EPSV and EPRT over IPv6, each twice, no firewall.
#
#   sudo samples/tools/make-firewall-samples.sh            # both
#   sudo samples/tools/make-firewall-samples.sh vsftpd     # or pure-ftpd
#
# The lab is test/kernel/lab.ts (namespaces fk21-* and fk22-*, documentation
# addresses only, no link to the host), compiled here with the project's tsc
# and run with node; test/kernel/record-samples.ts writes capture.pcap,
# clients.log and README.md. This script adds tshark-frames.txt and the
# README's generated facts, then the expected outputs of test/e2e.
#
# Needs: root, node + npm ci done, iproute2, ethtool, tcpdump, tshark +
# capinfos, curl, lftp, python3, vsftpd, apt-get + dpkg-deb (Pure-FTPd is
# fetched with `apt-get download pure-ftpd` and unpacked, not installed).
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# SAMPLES_OUT=DIR: the case directories go to DIR (the lab itself is test/kernel's).
SAMPLES=${SAMPLES_OUT:-$(dirname "$TOOLS")}
ROOT=$(cd "$TOOLS/../.." && pwd)
cd "$ROOT"

[ "$(id -u)" = 0 ] || { echo "make-firewall-samples.sh: run as root (network namespaces)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/ftpcap-firewall-samples.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

npx tsc --outDir "$WORK" --rootDir test/kernel --target ES2022 --module commonjs --moduleResolution node \
  --types node --strict --esModuleInterop --skipLibCheck test/kernel/record-samples.ts
cp test/kernel/probe.py "$WORK/"
node "$WORK/record-samples.js" "$SAMPLES" "$@"

declare -A PORT=([firewall-lab-vsftpd]=21 [firewall-lab-pureftpd]=2121)
for c in firewall-lab-vsftpd firewall-lab-pureftpd; do
  dir=$SAMPLES/$c
  [ -f "$dir/capture.pcap" ] || continue
  # only the cases just recorded (a capture newer than its tshark view)
  [ -f "$dir/tshark-frames.txt" ] && [ "$dir/tshark-frames.txt" -nt "$dir/capture.pcap" ] && continue
  port=${PORT[$c]}
  if [ "$port" = 21 ]; then
    "$TOOLS/tshark-frames.sh" "$dir/capture.pcap" >"$dir/tshark-frames.txt"
  else
    "$TOOLS/tshark-frames.sh" "$dir/capture.pcap" "$port" >"$dir/tshark-frames.txt"
  fi
  {
    echo
    echo "## Generated facts (capinfos + tshark, by samples/tools/capture-facts.py)"
    echo
    python3 "$TOOLS/capture-facts.py" failure "$dir/capture.pcap" ${port:+"$port"}
  } >>"$dir/README.md"
done

UPDATE_EXPECTED=1 npx vitest run test/e2e/samples.test.ts -t firewall-lab >/dev/null
echo "make-firewall-samples.sh: done; review git diff samples/firewall-lab-*" >&2
