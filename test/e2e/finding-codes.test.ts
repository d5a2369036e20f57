/**
 * Every finding code against every sample: each code is raised on the samples made to show it, and
 * on no sample where it does not apply. The rows are the exact set of codes per capture (session
 * and capture-level findings together), so a code that appears where it should not fails here.
 * How each sample was made, and why it shows what it shows: samples/<case>/README.md.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from './run-cli';

/** Capture (under samples/) -> the codes its report must contain, and no others. */
const expected: Record<string, string[]> = {
  'active-eprt/capture.pcap': ['cleartext-credentials'],
  'active-port/capture.pcap': ['cleartext-credentials'],
  'ipv6/capture.pcap': [],
  'passive-epsv/capture.pcap': [],
  'passive-pasv/capture.pcap': [],
  'vsftpd-mixed/capture.pcap': ['cleartext-credentials'],
  // Snap length 96: control lines cut short are bytes the capture lacks, and replies lose their commands.
  'capture-formats/snap96.pcap': ['capture-gap', 'capture-truncated', 'cleartext-credentials', 'reply-desync'],
  // 1 packet in 30 dropped each way on the server's link: retransmissions fill every hole, nothing is missing.
  'lossy/capture.pcap': ['cleartext-credentials'],
  'midstream/capture.pcap': ['capture-started-midstream', 'nonstandard-control-port'],
  // Frames cut out of original.pcap: a 227 and a PORT among them, so replies lose their commands.
  'gapped/capture.pcap': ['capture-gap', 'cleartext-credentials', 'reply-desync'],
  'gapped/original.pcap': ['cleartext-credentials'],
  'port-reuse/capture.pcap': [],
  'nat-pasv-private/capture.pcap': ['data-connect-unanswered', 'pasv-address-mismatch'],
  // The server's side of the NAT: its 227 names its own (inside) address; the client's SYNs never reach it.
  'nat-pasv-private/server-side.pcap': [],
  // The client's SYNs to the announced (unrouted) address get an ICMP host unreachable from its router.
  'pasv-address-wrong/capture.pcap': ['data-connect-unreachable', 'pasv-address-mismatch'],
  'pasv-address-wrong/server-side.pcap': ['pasv-address-mismatch'],
  'nat-no-helper/capture.pcap': ['announcement-refused', 'port-address-mismatch'],
  // Inside the NAT the PORT names the client itself: only the refusal shows.
  'nat-no-helper/inside.pcap': ['announcement-refused'],
  'nat-helper/capture.pcap': [],
  'nat-helper/inside.pcap': [],
  'nat-helper-passive/capture.pcap': [],
  'nat-helper-passive/server-side.pcap': [],
  'firewall-passive-blocked/capture.pcap': ['data-connect-unanswered', 'epsv-fallback'],
  'firewall-passive-blocked/server-side.pcap': [],
  'firewall-active-blocked/capture.pcap': ['data-connect-unanswered', 'transfer-failed'],
  'data-refused/capture.pcap': ['data-connect-refused', 'epsv-fallback'],
  // The firewall answers each data SYN with ICMP: administratively prohibited (curl), port unreachable (lftp).
  'firewall-rejects-icmp/capture.pcap': ['data-connect-unreachable', 'epsv-fallback'],
  'data-missing/capture.pcap': ['data-connection-missing', 'transfer-failed'],
  // Behind the firewall that drops them, the server's SYNs are seen going unanswered.
  'data-missing/server-side.pcap': ['data-connect-unanswered', 'transfer-failed'],
  'bounce/capture.pcap': ['announcement-refused', 'privileged-data-port', 'third-party-data-target', 'transfer-failed'],
  'epsv-all/capture.pcap': ['announcement-refused', 'epsv-all-violation'],
  // Markup in names is text like any other: only the refused login (a user name that is an <img> tag).
  'hostile-names/capture.pcap': ['login-failed'],
  // Clean downloads and an upload: no finding.
  'files-lab/capture.pcap': [],
  'address-family/capture.pcap': ['address-family-mismatch', 'announcement-refused', 'nonstandard-reply-format', 'pasv-address-mismatch'],
  'auth-tls/capture.pcap': ['login-failed', 'tls-control-channel'],
  'login-failed/capture.pcap': ['cleartext-credentials', 'login-failed'],
  'nonstandard-port/capture.pcap': ['nonstandard-control-port'],
  'malformed-port/capture.pcap': ['malformed-announcement'],
  // Both transfers were cut short: an ABOR, and a client that reset the data connection.
  'size-mismatch/capture.pcap': ['transfer-aborted', 'transfer-failed', 'transfer-size-mismatch'],
  'proftpd-epsv-refused/capture.pcap': ['announcement-refused', 'epsv-fallback'],
  'proftpd-masquerade/capture.pcap': ['data-connect-unanswered', 'pasv-address-mismatch'],
  'proftpd-mixed/capture.pcap': [
    'announcement-refused',
    'cleartext-credentials',
    'login-failed',
    'port-address-mismatch',
    'privileged-data-port',
    'third-party-data-target',
  ],
  // The kernel firewall lab's reference transfers: every mode over both families, all complete.
  'firewall-lab-vsftpd/capture.pcap': [],
  'firewall-lab-pureftpd/capture.pcap': ['nonstandard-control-port'],
  'pureftpd-forced-pasv-ip/capture.pcap': ['data-connect-unanswered', 'nonstandard-control-port', 'nonstandard-reply-format', 'pasv-address-mismatch'],
  'pureftpd-mixed/capture.pcap': [
    'announcement-refused',
    'cleartext-credentials',
    'login-failed',
    'nonstandard-control-port',
    'port-address-mismatch',
    'privileged-data-port',
    'third-party-data-target',
  ],
  // Other protocols on FTP's ports (samples/not-ftp): not FTP, so nothing to find.
  'not-ftp/capture.pcap': [],
  'not-ftp/midstream.pcap': [],
  // The data connection's handshake cut out: its payload after the PORT is matched, nothing missing.
  'data-handshake-missing/capture.pcap': [],
  'data-handshake-missing/original.pcap': [],
  // RETR / refused 550 before any connection; the LIST after it used the channel and completed.
  'refused-transfer/capture.pcap': ['transfer-failed'],
  // Port 21 of an address where nothing listens (RST), and of one whose firewall drops the SYNs.
  'control-unopened/capture.pcap': ['control-connect-refused', 'control-connect-unanswered'],
  // One recording merged with itself: by time (each frame next to its copy) and end to end.
  'duplicated/original.pcap': [],
  'duplicated/capture.pcap': ['duplicate-frames'],
  'duplicated/concatenated.pcap': ['duplicate-frames', 'time-goes-backwards'],
  // FTP inside VXLAN, read by its inner addresses; the VXLAN datagrams as IP fragments, reassembled.
  'tunnels/capture.pcap': [],
  'tunnels/fragmented.pcap': [],
  // How transfers went (samples/tools/make-transfer-samples.sh): one behaviour per capture.
  // 1 in 5 of the server's data packets dropped after the capture point: 10 % and more sent again.
  'heavy-loss/capture.pcap': ['heavy-loss'],
  // A router drops the control connection 20 s into a 40 s download: the 226 never arrives.
  'control-idle-drop/capture.pcap': ['control-idle-drop'],
  // The client stops reading for 8 s with a 4 KiB receive buffer.
  'zero-window/capture.pcap': ['zero-window'],
  // The client closes the data connection after 128 KiB and sends ABOR: 426, fewer bytes than announced.
  'transfer-aborted/capture.pcap': ['transfer-aborted', 'transfer-failed', 'transfer-size-mismatch'],
  // The client pauses its upload for 8 s (everything acknowledged, the window open).
  'transfer-stalled/capture.pcap': ['transfer-stalled'],
};

/** The codes of the diagnoses the tool promises (README: Findings); each must be shown by a real sample. */
const promised = [
  'pasv-address-mismatch',
  'port-address-mismatch',
  'third-party-data-target',
  'privileged-data-port',
  'announcement-refused',
  'data-connect-unanswered',
  'data-connect-refused',
  'data-connect-unreachable',
  'data-connection-missing',
  'transfer-failed',
  'transfer-size-mismatch',
  'epsv-fallback',
  'epsv-all-violation',
  'address-family-mismatch',
  'tls-control-channel',
  'cleartext-credentials',
  'login-failed',
  'nonstandard-control-port',
  'control-connect-refused',
  'control-connect-unanswered',
  'nonstandard-reply-format',
  'malformed-announcement',
  'capture-truncated',
  'capture-gap',
  'duplicate-frames',
  'time-goes-backwards',
  'control-idle-drop',
  'transfer-stalled',
  'zero-window',
  'heavy-loss',
  'transfer-aborted',
];

/** How-well-did-it-go codes: raised on their own samples and on no sample made to be clean (no finding at all). */
const performanceCodes = ['control-idle-drop', 'transfer-stalled', 'zero-window', 'heavy-loss', 'transfer-aborted'];

async function codes(capture: string): Promise<string[]> {
  const { stdout } = await runCli('analyze', join('samples', capture), '--format', 'json');
  const report = JSON.parse(stdout) as { findings: Array<{ code: string }>; sessions: Array<{ findings: Array<{ code: string }> }> };
  const all = [...report.findings, ...report.sessions.flatMap((s) => s.findings)].map((f) => f.code);
  return [...new Set(all)].sort();
}

describe.each(Object.entries(expected))('%s', (capture, want) => {
  test('raises exactly its codes', async () => {
    expect(await codes(capture)).toEqual([...want].sort());
  });
});

test('every sample with a capture.pcap has a row', () => {
  const cases = readdirSync('samples', { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join('samples', d.name, 'capture.pcap')))
    .map((d) => `${d.name}/capture.pcap`);
  expect(cases.filter((c) => !(c in expected))).toEqual([]);
});

test.each(performanceCodes)('%s is raised on no clean sample', (code) => {
  const clean = Object.entries(expected).filter(
    ([, list]) => list.length === 0 || list.every((c) => c === 'cleartext-credentials' || c === 'nonstandard-control-port'),
  );
  expect(clean.length).toBeGreaterThan(10);
  expect(clean.filter(([, list]) => list.includes(code))).toEqual([]);
});

test.each(promised)('%s is shown by at least one real sample', (code) => {
  expect(
    Object.entries(expected)
      .filter(([, list]) => list.includes(code))
      .map(([capture]) => capture),
  ).not.toEqual([]);
});
