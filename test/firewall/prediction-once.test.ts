/**
 * The helper prediction (would nf_conntrack_ftp have followed the session?) is worked out once per
 * session: the report's session carries it, and the firewall plan takes it from there. Counted on
 * real samples (samples/<case>/README.md) in each way a report is built: sessions released as they
 * end, picked among them at the end (--session: every session is built as it ends, its number not
 * yet known), and `ftpcap firewall`.
 */
import { afterEach, expect, test, vi } from 'vitest';
import * as helper from '../../src/firewall/helper';
import { runCli } from '../e2e/run-cli';

vi.mock('../../src/firewall/helper', async (original) => {
  const actual = await original<typeof import('../../src/firewall/helper')>();
  return { ...actual, predictHelper: vi.fn(actual.predictHelper) };
});

const predictions = vi.mocked(helper.predictHelper);

afterEach(() => {
  predictions.mockClear();
});

test.each([
  // [sample, arguments after the capture, sessions in the report, sessions in the capture]
  ['vsftpd-mixed', ['--format', 'json'], 4, 4],
  ['firewall-passive-blocked', ['--format', 'json'], 2, 2],
  ['firewall-passive-blocked', ['--format', 'json', '--session', '2'], 1, 2],
  ['firewall-passive-blocked', ['--format', 'json', '--session', '1', '--session', '2'], 2, 2],
] as const)('analyze %s %j: one prediction per session', async (sample, args, sessions, analyzed) => {
  const result = await runCli('analyze', `samples/${sample}/capture.pcap`, ...args);
  expect(result.code).toBe(0);
  const report = JSON.parse(result.stdout) as { sessions: { helper: { session: number } }[] };
  expect(report.sessions).toHaveLength(sessions);
  expect(report.sessions.every((s) => typeof s.helper.session === 'number')).toBe(true);
  expect(predictions).toHaveBeenCalledTimes(analyzed);
});

test('ftpcap firewall: one prediction per session', async () => {
  const result = await runCli('firewall', 'samples/firewall-passive-blocked/capture.pcap', '--format', 'json');
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout).plan.servers[0].sessions).toHaveLength(2);
  expect(predictions).toHaveBeenCalledTimes(2);
});
