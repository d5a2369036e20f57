/**
 * `--fail-on warning|error`: the exit status tells a script or CI pipeline whether the capture
 * shows problems of that severity (README: exit statuses).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { framesToPcap } from '../helpers/pcap';
import { c, s, script } from '../correlate/script';
import type { Report } from '../../src/report/build';
import { runCli } from '../e2e/run-cli';

const control = { client: { ip: '198.51.100.20', port: 50000 }, server: { ip: '192.0.2.10', port: 21 } };
const greeting = [s('220 (vsFTPd 3.0.3)')];
const login = (user: string) => [c(`USER ${user}`), s('331 Please specify the password.'), c('PASS secret'), s('230 Login successful.')];

function capture(name: string, steps: Parameters<typeof script>[1]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ftpcap-fail-on-')), `${name}.pcap`);
  writeFileSync(file, framesToPcap(script([control], steps).frames));
  return file;
}

const clean = capture('clean', [greeting, login('anonymous')]);
// A named user's password in cleartext: a warning.
const warning = capture('warning', [greeting, login('alice')]);
// PORT refused: an error.
const error = capture('error', [greeting, login('anonymous'), c('PORT 100,64,0,20,200,1'), s('500 Illegal PORT command.')]);

describe('exit status with --fail-on', () => {
  test.each([
    ['clean', clean, [], 0],
    ['clean', clean, ['--fail-on', 'warning'], 0],
    ['warning', warning, [], 0],
    ['warning', warning, ['--fail-on', 'error'], 0],
    ['warning', warning, ['--fail-on', 'warning'], 3],
    ['error', error, ['--fail-on', 'error'], 3],
    ['error', error, ['--fail-on', 'warning'], 3],
  ])('%s capture, %j: %i', async (_name, file, args, code) => {
    const result = await runCli('analyze', file as string, '--format', 'json', ...(args as string[]));
    expect(result.code).toBe(code);
    // The report is printed whatever the status.
    expect(JSON.parse(result.stdout).sessions).toHaveLength(1);
  });

  test('an unknown severity is a usage error', async () => {
    const result = await runCli('analyze', clean, '--fail-on', 'info');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Allowed choices are warning, error/);
  });
});

/**
 * The counts, the findings list and the exit status say the same thing. A capture whose record 6
 * claims 2^31-1 bytes (the clean session above, its length field overwritten): reading stops there,
 * the five records before it are analyzed, and the unreadable record is an error finding.
 */
describe('input problems are findings', () => {
  const pcap = framesToPcap(script([control], [greeting, login('anonymous'), c('NOOP'), s('200 NOOP ok.')]).frames);
  let offset = 24;
  for (let record = 1; record < 6; record++) offset += 16 + pcap.readUInt32LE(offset + 8);
  const damaged = Buffer.from(pcap);
  damaged.writeUInt32LE(0x7fffffff, offset + 8);
  const file = join(mkdtempSync(join(tmpdir(), 'ftpcap-fail-on-')), 'damaged.pcap');
  writeFileSync(file, damaged);

  test('JSON: summary counts equal the findings listed', async () => {
    const result = await runCli('analyze', file, '--format', 'json');
    const report = JSON.parse(result.stdout) as Report;
    const listed = [...report.findings, ...report.sessions.flatMap((s) => s.findings)];
    for (const severity of ['info', 'warning', 'error'] as const) {
      expect(listed.filter((f) => f.severity === severity)).toHaveLength(report.summary.findings[severity]);
    }
    expect(report.findings).toEqual([
      expect.objectContaining({
        code: 'input-problem',
        severity: 'error',
        frame: 6,
        message: expect.stringMatching(/damaged\.pcap: record 6 at byte \d+ claims 2147483647 bytes/),
      }),
    ]);
    expect(result.code).toBe(0);
  });

  test('text: the finding is listed where the summary counts it', async () => {
    const result = await runCli('analyze', file);
    expect(result.stdout).not.toMatch(/none: nothing in the capture points to a problem/);
    expect(result.stdout).toMatch(/What went wrong\n {2}✗ input-problem — frame 6\n/);
    expect(result.stdout).toMatch(/Findings\n {2}error {3}input-problem \(frame 6\)/);
  });

  test.each([
    [['--fail-on', 'error'], 3],
    [['--fail-on', 'warning'], 3],
    [[], 0],
  ])('%j: %i', async (args, code) => {
    expect((await runCli('analyze', file, ...args)).code).toBe(code);
  });

  test('a warning-only input problem fails --fail-on warning, not --fail-on error', async () => {
    // The file cut inside its last record: everything before the cut is read.
    const cut = join(mkdtempSync(join(tmpdir(), 'ftpcap-fail-on-')), 'cut.pcap');
    writeFileSync(cut, pcap.subarray(0, pcap.length - 3));
    const json = JSON.parse((await runCli('analyze', cut, '--format', 'json')).stdout) as Report;
    expect(json.findings.map((f) => [f.code, f.severity])).toEqual([['input-problem', 'warning']]);
    expect(json.summary.findings).toEqual({ info: 0, warning: 1, error: 0 });
    expect((await runCli('analyze', cut, '--fail-on', 'error')).code).toBe(0);
    expect((await runCli('analyze', cut, '--fail-on', 'warning')).code).toBe(3);
  });
});
