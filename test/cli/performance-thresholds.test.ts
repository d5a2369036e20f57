/**
 * The thresholds of the transfer-performance findings on the command line (README: How well each
 * transfer went): each sample of samples/tools/make-transfer-samples.sh raises its finding with
 * the defaults, and not once the flag asks for more than the capture shows; bad values are the
 * user's mistake (exit status 2, a message naming the option).
 */
import { describe, expect, test } from 'vitest';
import { runCli } from '../e2e/run-cli';

async function codes(capture: string, ...args: string[]): Promise<string[]> {
  const result = await runCli('analyze', `samples/${capture}/capture.pcap`, '--format', 'json', ...args);
  expect(result.code).toBe(0);
  const report = JSON.parse(result.stdout) as { sessions: Array<{ findings: Array<{ code: string }> }> };
  return [...new Set(report.sessions.flatMap((s) => s.findings.map((f) => f.code)))].sort();
}

describe.each([
  // 8 s without new data from the client (an idle sender).
  { capture: 'transfer-stalled', code: 'transfer-stalled', raised: ['--stall', '7.5'], quiet: ['--stall', '9'] },
  // The client's window closed 8 s in all.
  { capture: 'zero-window', code: 'zero-window', raised: ['--zero-window', '7.5'], quiet: ['--zero-window', '9'] },
  // 21.72 % of the bytes, in 158 segments, sent again.
  { capture: 'heavy-loss', code: 'heavy-loss', raised: ['--loss', '20', '--loss-segments', '150'], quiet: ['--loss', '25'] },
  { capture: 'heavy-loss', code: 'heavy-loss', raised: ['--loss-segments', '150'], quiet: ['--loss-segments', '200'] },
  // The control connection silent 56 s, then closed without the 226.
  { capture: 'control-idle-drop', code: 'control-idle-drop', raised: ['--control-idle', '50'], quiet: ['--control-idle', '60'] },
])('$capture: $code', ({ capture, code, raised, quiet }) => {
  test('raised with the defaults', async () => {
    expect(await codes(capture)).toContain(code);
  });
  test(`raised with ${raised.join(' ')}`, async () => {
    expect(await codes(capture, ...raised)).toContain(code);
  });
  test(`not raised with ${quiet.join(' ')}`, async () => {
    expect(await codes(capture, ...quiet)).not.toContain(code);
  });
});

test('the zero-window stall becomes transfer-stalled when zero-window asks for more', async () => {
  expect(await codes('zero-window', '--zero-window', '9')).toEqual(['transfer-stalled']);
});

test.each([
  ['--stall', '0'],
  ['--stall', 'soon'],
  ['--zero-window', '-1'],
  ['--loss', '101'],
  ['--loss-segments', '2.5'],
  ['--control-idle', ''],
])('%s %j is refused', async (option, value) => {
  const result = await runCli('analyze', 'samples/transfer-stalled/capture.pcap', option, value);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(option);
});
