/**
 * Where the report goes can fail: the real program (bin/ftpcap.js, built first) run on
 * samples/vsftpd-mixed/capture.pcap with its standard output on /dev/full (a disk that is full),
 * on a pipe whose reader has gone (`| head -1`), and closed (`>&-`). README "Exit status": 4 with
 * one line saying why when the report could not be written; a reader that stopped reading gets no
 * message and the analysis's own status; never a stack trace.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { beforeAll, expect, test } from 'vitest';

const root = path.resolve(__dirname, '../..');
const program = path.join(root, 'bin', 'ftpcap.js');
const SAMPLE = path.join(root, 'samples', 'vsftpd-mixed', 'capture.pcap');

beforeAll(() => {
  // `npm run build`: the spawned program runs the compiled dist/, which must be this source's.
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
  if (!fs.existsSync(path.join(root, 'dist', 'src', 'cli', 'entry.js'))) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
}, 120_000);

const noStackTrace = (stderr: string) => expect(stderr).not.toMatch(/^\s+at |node:internal|Error: /m);

test.runIf(fs.existsSync('/dev/full'))('a full disk: one line saying so, status 4', () => {
  const full = fs.openSync('/dev/full', 'w');
  try {
    for (const format of ['text', 'json']) {
      const run = spawnSync(process.execPath, [program, 'analyze', SAMPLE, '--format', format], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
      expect(run.stderr).toBe('ftpcap: cannot write the report to standard output: no space left on the device (ENOSPC)\n');
      expect(run.status).toBe(4);
    }
  } finally {
    fs.closeSync(full);
  }
});

test('a reader that goes away (EPIPE): no message, the status of the analysis', async () => {
  for (const args of [[], ['--fail-on', 'warning']]) {
    const child = spawn(process.execPath, [program, 'analyze', SAMPLE, '--format', 'json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader closes its end before ftpcap has written anything: every write meets EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(stderr).toBe('');
    // vsftpd-mixed has a cleartext password (a warning).
    expect(status).toBe(args.length === 0 ? 0 : 3);
  }
});

test('a reader that reads a little and stops (| head -1): no message, status 0', () => {
  const run = spawnSync('bash', ['-c', `"${process.execPath}" "${program}" analyze "${SAMPLE}" --format json | head -1; echo "status \${PIPESTATUS[0]}"`], {
    encoding: 'utf8',
  });
  expect(run.stdout).toBe('{\nstatus 0\n');
  expect(run.stderr).toBe('');
});

test.runIf(process.platform === 'linux')('a closed standard output: one line saying so, status 4', () => {
  const run = spawnSync('bash', ['-c', `"${process.execPath}" "${program}" analyze "${SAMPLE}" >&-`], { encoding: 'utf8' });
  expect(run.stderr).toBe('ftpcap: standard output is closed: there is nowhere to write the report\n');
  noStackTrace(run.stderr);
  expect(run.status).toBe(4);
});

test('standard output on /dev/null (discarding on purpose) is no error', () => {
  const run = spawnSync('bash', ['-c', `"${process.execPath}" "${program}" analyze "${SAMPLE}" > /dev/null`], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
});
