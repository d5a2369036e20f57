/**
 * `ftpcap analyze -` reads the capture from standard input, as the real program (bin/ftpcap.js,
 * built first) run with a sample piped in: `cat capture.pcap | ftpcap analyze - --format json`.
 * The analysis must equal the file's. The format is found from the first bytes, so a gzipped or
 * pcapng capture works too.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { beforeAll, expect, test } from 'vitest';
import { runCli } from '../e2e/run-cli';
import { pcapToPcapng } from './pcap-tools';

const root = path.resolve(__dirname, '../..');
const SAMPLE = path.join(root, 'samples', 'active-port', 'capture.pcap');

beforeAll(() => {
  // `npm run build`: the spawned program runs the compiled dist/, which must be this source's.
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
  // Type errors elsewhere still emit JavaScript; only a missing program is fatal here.
  if (!fs.existsSync(path.join(root, 'dist', 'src', 'cli', 'entry.js'))) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
}, 120_000);

function analyzeStdin(input: Buffer): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [path.join(root, 'bin', 'ftpcap.js'), 'analyze', '-', '--format', 'json', '--hash', 'always'], {
    cwd: root,
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const sample = fs.readFileSync(SAMPLE);

test.each([
  // samples/active-port/capture.pcap as it is, gzipped (zlib), and rewritten as pcapng (pcap-tools.ts).
  { name: 'pcap', bytes: () => sample, format: 'pcap' },
  { name: 'gzip', bytes: () => zlib.gzipSync(sample), format: 'pcap' },
  { name: 'pcapng', bytes: () => pcapToPcapng(sample), format: 'pcapng' },
])('$name piped into `ftpcap analyze -` gives the analysis of the file', async ({ bytes, format }) => {
  const piped = analyzeStdin(bytes());
  expect(piped.stderr).toBe('');
  expect(piped.status).toBe(0);
  const fromStdin = JSON.parse(piped.stdout);
  const fromFile = JSON.parse((await runCli('analyze', SAMPLE, '--format', 'json', '--hash', 'always')).stdout);
  expect(fromStdin.inputs).toEqual([expect.objectContaining({ file: '-', format, packets: 331, problems: [] })]);
  expect(fromStdin.sessions).toEqual(fromFile.sessions);
  expect(fromStdin.summary).toEqual(fromFile.summary);
});

test('garbage on standard input: status 1 and one line saying what it is', () => {
  // Hand-built: a line of text.
  const piped = analyzeStdin(Buffer.from('220 this is not a capture\r\n'));
  expect(piped.status).toBe(1);
  expect(piped.stderr).toBe(
    'ftpcap: -: not a capture file: it starts with 32 32 30 20; it looks like text, not a capture (save the capture itself, in pcap or pcapng format) (byte 0)\n',
  );
});

test('the compiled program is the one under test', () => {
  // Guards the beforeAll build: dist/src/capture/index.js exists and exports readCaptures.
  const built = execFileSync(process.execPath, ['-e', "process.stdout.write(typeof require('./dist/src/capture').readCaptures)"], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(built).toBe('function');
});
