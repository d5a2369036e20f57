/**
 * Records the samples samples/firewall-lab-vsftpd and samples/firewall-lab-pureftpd: the reference
 * transfers of the kernel firewall lab (lab.ts), with no firewall, as tcpdump sees them on the
 * router. Run by samples/tools/make-firewall-samples.sh (compiled with tsc, run with node, as
 * root); writes capture.pcap, clients.log and README.md into each sample directory. The script
 * adds tshark-frames.txt and the README's generated facts.
 *
 *   node record-samples.js SAMPLES_DIR [vsftpd|pure-ftpd ...]
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ADDRESSES, ensurePureFtpd, Lab, makePayload, PASSIVE, TRANSFER_KINDS, type TransferResult } from './lab';

type Software = 'vsftpd' | 'pure-ftpd';

const SAMPLE: Record<Software, { dir: string; prefix: string; port: number }> = {
  vsftpd: { dir: 'firewall-lab-vsftpd', prefix: 'fk21', port: 21 },
  'pure-ftpd': { dir: 'firewall-lab-pureftpd', prefix: 'fk22', port: 2121 },
};

/** Size of the downloaded file in the samples (the tests download 300 KiB; the samples stay small). */
const SAMPLE_PAYLOAD = 64 * 1024;

function version(cmd: string, args: string[], pattern: RegExp): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return pattern.exec(out)?.[1] ?? out.split('\n')[0];
  } catch (error) {
    const out = String((error as { stdout?: string }).stdout ?? '');
    return pattern.exec(out)?.[1] ?? '?';
  }
}

function debianVersion(pkg: string): string {
  try {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' });
  } catch {
    return '?';
  }
}

function readme(software: Software, results: TransferResult[], packets: number, pureFtpd: string | null): string {
  const s = SAMPLE[software];
  const ns = (role: 'srv' | 'rtr' | 'cli' | 'str') => `${s.prefix}-${role}`;
  const curl = `curl ${version('curl', ['--version'], /^curl (\S+)/)} (Debian package ${debianVersion('curl')})`;
  const lftp = `lftp ${version('lftp', ['--version'], /Version (\S+)/)} (Debian package ${debianVersion('lftp')})`;
  const tcpdump = version('tcpdump', ['--version'], /^(tcpdump version \S+)/);
  const kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
  const today = new Date().toISOString().slice(0, 10);
  const title =
    software === 'vsftpd'
      ? "firewall-lab-vsftpd — the kernel firewall lab's reference transfers: vsftpd on port 21, EPSV, PASV, EPRT, PORT over IPv4 and IPv6"
      : "firewall-lab-pureftpd — the kernel firewall lab's reference transfers: Pure-FTPd on port 2121, EPSV, PASV, EPRT, PORT over IPv4 and IPv6";
  const serverAddr = `${ADDRESSES.server.ipv4} and [${ADDRESSES.server.ipv6}]`;
  const server =
    software === 'vsftpd'
      ? `vsftpd ${debianVersion('vsftpd').replace(/-.*/, '')} (Debian package vsftpd ${debianVersion('vsftpd')}), run in the foreground in namespace \`${ns('srv')}\` as \`vsftpd vsftpd.conf\` with this file (the directories are the lab's temp dirs):

\`\`\`
${Lab.vsftpdConfig('/tmp/ftpcap-kernel-XXXXXX/anon', '/tmp/ftpcap-kernel-XXXXXX/empty').trimEnd()}
\`\`\`

One IPv6 socket on port 21 accepts both families; passive connections go to ${PASSIVE.min}-${PASSIVE.max}, active ones
come from port 20. The anonymous tree holds one file, \`payload-64k.bin\` (${SAMPLE_PAYLOAD} random bytes).`
      : `Pure-FTPd ${version(pureFtpd ?? 'pure-ftpd', ['--help'], /^pure-ftpd (\S+)/)} (Debian package pure-ftpd ${readFileSync(join(dirname(dirname(dirname(pureFtpd ?? '/x/x/x'))), 'debian-version.txt'), 'utf8').trim()}, fetched with \`apt-get download pure-ftpd\` and unpacked with \`dpkg -x\`: it conflicts with the vsftpd package), run in the foreground in namespace \`${ns('srv')}\` with only command-line flags:

\`\`\`sh
pure-ftpd ${Lab.pureFtpdFlags(s.port).join(' ')}
\`\`\`

\`-S ,${s.port}\`: every address of both families, port ${s.port}; \`-p ${PASSIVE.min}:${PASSIVE.max}\`: passive range; \`-e\`: anonymous
users only; \`-H\`: no reverse DNS; \`-I 1\`: idle sessions end after a minute. Anonymous users get the
home of the system user \`ftp\`: the server runs in a private mount namespace (\`unshare -m\`) where the
lab's temp directory is bind-mounted over it; it holds one file, \`payload-64k.bin\` (${SAMPLE_PAYLOAD} random
bytes). Active connections come from port 20. Analyze with \`--ftp-port ${s.port}\` if content detection
is off; tshark needs \`-d tcp.port==${s.port},ftp\`.`;
  const commands = results
    .map(
      (r, i) =>
        `${i + 1}. ${r.kind.id}${i >= TRANSFER_KINDS.length ? ' (second round)' : ''}:\n\n   \`\`\`sh\n   ${r.command.map((a) => (/[\s;|'"]/.test(a) ? `'${a}'` : a)).join(' ')}\n   \`\`\``,
    )
    .join('\n');
  return `# ${title}

The transfers the kernel firewall tests (test/kernel) run before any rule is loaded: curl in the
four data-connection modes and lftp with PASV over IPv4, curl with EPSV and EPRT over IPv6, each
kind twice, downloading the same file from ${software === 'vsftpd' ? 'vsftpd' : 'Pure-FTPd'} on ${serverAddr} port ${s.port}. Every transfer
completes. \`ftpcap firewall\` on a capture like this one is what the tests load into the kernel.

- **Packets:** ${packets} (\`capinfos -c capture.pcap\`)
- **Made:** ${today} with \`samples/tools/make-firewall-samples.sh\` (Linux ${kernel}, network namespaces)
- **Capture point:** ${ns('rtr')} / s0 (server side of the router)
- **Cross-check:** [tshark-frames.txt](tshark-frames.txt) (\`samples/tools/tshark-frames.sh capture.pcap${s.port === 21 ? '' : ` ${s.port}`}\`); client output: [clients.log](clients.log)

## Lab

\`\`\`
${ns('cli')}  eth0 ${ADDRESSES.client.ipv4}/24  ${ADDRESSES.client.ipv6}/64      curl, lftp
   |
${ns('rtr')}  c0 198.51.100.1/24  2001:db8:1::1/64   forwarding
          s0 192.0.2.1/24     2001:db8:2::1/64   <- capture point
          x0 203.0.113.1/24   2001:db8:3::1/64   (the stranger's network; no traffic here)
   |
${ns('srv')}  eth0 ${ADDRESSES.server.ipv4}/24  ${ADDRESSES.server.ipv6}/64   ${software === 'vsftpd' ? 'vsftpd :21' : 'Pure-FTPd :2121'}
\`\`\`

Built by test/kernel/lab.ts: network namespaces with no link to the host, IPv6 addresses with
\`nodad\` and no router advertisements, no segmentation or checksum offload on the veths (ethtool),
no firewall rules.

## Server

${server}

## Clients and exact command lines

- ${curl}, \`--connect-timeout 2 --max-time 8\`; modes: EPSV (default), PASV (\`--disable-epsv\`), EPRT
  (\`--ftp-port -\`: the control connection's local address), PORT (\`--ftp-port - --disable-eprt\`)
- ${lftp}, PASV (\`ftp:passive-mode yes\`, \`ftp:prefer-epsv no\`), short timeouts

Each ran in \`${ns('cli')}\` (${ADDRESSES.client.ipv4}, ${ADDRESSES.client.ipv6}) as \`nsenter --net=/run/netns/${ns('cli')} ...\` in an empty directory
with an empty \`HOME\`, one after the other, in this order:

${commands}

Each download was checked: ${SAMPLE_PAYLOAD} bytes, the file's SHA-256.

## What the capture shows

${TRANSFER_KINDS.length * 2} anonymous sessions, one download each, every one ending in 226: per round, IPv4 EPSV
(229), PASV (227, curl), EPRT (\`|1|\`), PORT, PASV (227, lftp), then IPv6 EPSV and EPRT (\`|2|\`). Passive
data connections go to ${PASSIVE.min}-${PASSIVE.max}; active ones come from ${ADDRESSES.server.ipv4}:20 and
[${ADDRESSES.server.ipv6}]:20 to the client's temporary ports.

## Capture

\`tcpdump -i s0 -s 0 --immediate-mode -U -Z root -w capture.pcap tcp\` (${tcpdump}) in \`${ns('rtr')}\`, started before the first
client and stopped with SIGINT a second after the last one. Classic pcap, Ethernet,
microsecond timestamps.
`;
}

async function record(samples: string, software: Software): Promise<void> {
  const s = SAMPLE[software];
  const lab = new Lab(s.prefix);
  const pureFtpd = software === 'pure-ftpd' ? await ensurePureFtpd() : null;
  try {
    await lab.up();
    const payload = makePayload(lab.work, 'payload-64k.bin', SAMPLE_PAYLOAD);
    if (software === 'vsftpd') await lab.startVsftpd(payload);
    else {
      if (!pureFtpd) throw new Error('Pure-FTPd is not available');
      await lab.startPureFtpd(payload, pureFtpd, s.port);
    }
    const capture = join(lab.work, 'capture.pcap');
    const recorder = await lab.startCapture(capture);
    const results: TransferResult[] = [];
    for (let round = 0; round < 2; round++) for (const kind of TRANSFER_KINDS) results.push(await lab.transfer(kind, payload));
    await recorder.stop();
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0) throw new Error(`transfers failed: ${failed.map((r) => `${r.kind.id}: ${r.detail}`).join('; ')}`);
    const dir = join(samples, s.dir);
    mkdirSync(dir, { recursive: true });
    copyFileSync(capture, join(dir, 'capture.pcap'));
    const packets = Number(/Number of packets:\s*(\d+)/.exec(execFileSync('capinfos', ['-M', '-c', capture], { encoding: 'utf8' }))?.[1] ?? 0);
    writeFileSync(
      join(dir, 'clients.log'),
      results
        .map((r, i) => `### ${i + 1}. ${r.kind.id}: ${r.command.join(' ')}\n${r.output}${r.output ? '\n' : ''}exit 0, ${payload.size} bytes, sha256 ok\n`)
        .join('\n'),
    );
    writeFileSync(join(dir, 'README.md'), readme(software, results, packets, pureFtpd));
    process.stderr.write(`${s.dir}: ${packets} packets, ${statSync(capture).size} bytes\n`);
  } finally {
    await lab.down();
  }
}

async function main(): Promise<void> {
  const [samples, ...which] = process.argv.slice(2);
  if (!samples) throw new Error('usage: record-samples.js SAMPLES_DIR [vsftpd|pure-ftpd ...]');
  const list = (which.length > 0 ? which : ['vsftpd', 'pure-ftpd']) as Software[];
  for (const software of list) {
    if (!(software in SAMPLE)) throw new Error(`unknown server ${software}`);
    await record(samples, software);
  }
}

main().catch((error) => {
  process.stderr.write(`record-samples: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
