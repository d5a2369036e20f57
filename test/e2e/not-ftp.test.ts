/**
 * Other protocols are not FTP: POP3, IMAP (Dovecot), SMTP (aiosmtpd), NNTP and HTTP on their own
 * ports, on 21 and on 2121 (samples/not-ftp, made by samples/tools/make-foreign-samples.sh), seen
 * from the start and picked up mid-connection. Whatever ports are named FTP, and whether or not
 * FTP is looked for by content, the report holds no session and no finding.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runCli } from './run-cli';

const everyPort = ['-p', '2121', '-p', '110', '-p', '143', '-p', '25', '-p', '119', '-p', '80'];

/** File, options, connections on the FTP ports so named (all let go). */
test.each<[string, string[], number]>([
  // Port 21: POP3 and IMAP twice each, SMTP, NNTP, HTTP once.
  ['capture.pcap', [], 7],
  ['capture.pcap', everyPort, 21],
  ['capture.pcap', ['--no-detect'], 7],
  ['midstream.pcap', [], 7],
  ['midstream.pcap', everyPort, 21],
])('not-ftp/%s %j: no FTP session, no finding', async (file, args, letGo) => {
  const { code, stdout } = await runCli('analyze', join('samples', 'not-ftp', file), '--format', 'json', ...args);
  expect(code).toBe(0);
  const report = JSON.parse(stdout) as { sessions: unknown[]; findings: unknown[]; summary: { otherProtocolConnections: number } };
  expect(report.sessions).toEqual([]);
  expect(report.findings).toEqual([]);
  expect(report.summary.otherProtocolConnections).toBe(letGo);
});
