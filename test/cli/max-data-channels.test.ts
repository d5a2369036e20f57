/**
 * --max-data-channels on the command line (README: Memory): samples/active-port (one session,
 * three PORT downloads, every data connection closed) with one channel listed counts the other
 * two in the session, keeps the summary's totals, and says the limit was reached; a value that is
 * not a count is the user's mistake (exit status 2, a message naming the option).
 */
import { expect, test } from 'vitest';
import type { Report } from '../../src/report/build';
import { runCli } from '../e2e/run-cli';

async function report(...args: string[]): Promise<Report> {
  const result = await runCli('analyze', 'samples/active-port/capture.pcap', '--format', 'json', ...args);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Report;
}

test('--max-data-channels 1 lists one channel and counts the others', async () => {
  const full = await report();
  const capped = await report('--max-data-channels', '1');
  const session = capped.sessions[0];
  expect(full.sessions[0].dataChannels).toHaveLength(3);
  expect(session.dataChannels).toEqual(full.sessions[0].dataChannels.slice(0, 1));
  expect(session.unlistedDataChannels).toMatchObject({ count: 2, active: 2, passive: 0 });
  expect(capped.summary.dataChannels).toBe(3);
  expect(capped.summary.byStatus).toEqual(full.summary.byStatus);
  expect(capped.findings.map((f) => f.message)).toContainEqual(expect.stringMatching(/^limit maxDataChannelsPerSession \(1\) reached/));
  expect(full.sessions[0].unlistedDataChannels).toBeUndefined();
});

test.each(['many', '-1', '2.5'])('--max-data-channels %j is refused', async (value) => {
  const result = await runCli('analyze', 'samples/active-port/capture.pcap', '--max-data-channels', value);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('data channels');
});
