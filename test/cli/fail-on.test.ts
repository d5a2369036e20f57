/**
 * `--fail-on warning|error`: the exit status tells a script or CI pipeline whether the capture
 * shows problems of that severity (README: exit statuses).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { framesToPcap } from '../capture/pcap-tools';
import { c, s, script } from '../correlate/script';
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
