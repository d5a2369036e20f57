/**
 * The progress line: the pure renderer, the drawing rules (terminal only, big inputs only, at most
 * every 100 ms, wiped at the end) with a fake clock, and the CLI wiring (--quiet, standard input).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run, type Io } from '../../src/cli/main';
import { pcapHeader, pcapRecordHeader } from '../helpers/pcap';
import {
  formatDuration,
  formatMegabytes,
  PROGRESS_INTERVAL_MS,
  PROGRESS_MIN_BYTES,
  ProgressLine,
  renderProgress,
  type ProgressState,
} from '../../src/cli/progress';

const MB = 1e6;

describe('renderProgress', () => {
  // biome-ignore format: a table, one row a line
  test.each<[string, ProgressState, string]>([
    ['start: no throughput before a first interval', { bytes: 0, total: 1091 * MB, elapsedMs: 0, columns: 80 }, '[------------------------------]   0%  0.0/1091 MB'],
    ['a third read at 500 MB/s', { bytes: 363.5 * MB, total: 1090.5 * MB, elapsedMs: 727, columns: 80 }, '[##########--------------------]  33%  364/1091 MB  500 MB/s  ETA 0:02'],
    ['done', { bytes: 1091 * MB, total: 1091 * MB, elapsedMs: 2000, columns: 80 }, '[##############################] 100%  1091/1091 MB  546 MB/s  ETA 0:00'],
    ['small amounts keep a decimal', { bytes: 12.34 * MB, total: 50 * MB, elapsedMs: 1000, columns: 80 }, '[#######-----------------------]  24%  12.3/50.0 MB  12.3 MB/s  ETA 0:04'],
    ['a slow read: hours', { bytes: 1 * MB, total: 8000 * MB, elapsedMs: 1000, columns: 80 }, '[------------------------------]   0%  1.0/8000 MB  1.0 MB/s  ETA 2:13:19'],
    ['narrow terminal: a shorter bar', { bytes: 500 * MB, total: 1000 * MB, elapsedMs: 1000, columns: 60 }, '[##########---------]  50%  500/1000 MB  500 MB/s  ETA 0:01'],
    ['very narrow terminal: no bar', { bytes: 500 * MB, total: 1000 * MB, elapsedMs: 1000, columns: 45 }, '50%  500/1000 MB  500 MB/s  ETA 0:01'],
    ['standard input: bytes and throughput only', { bytes: 263 * MB, total: null, elapsedMs: 600, columns: 80 }, '263 MB read  438 MB/s'],
    ['standard input at the start', { bytes: 8.4 * MB, total: null, elapsedMs: 0, columns: 80 }, '8.4 MB read'],
  ])('%s', (_name, state, expected) => {
    const line = renderProgress(state);
    expect(line).toBe(expected);
    expect(line.length).toBeLessThan(state.columns);
  });

  test('a read past the announced total stays at 100% (a file that grew)', () => {
    expect(renderProgress({ bytes: 1200 * MB, total: 1000 * MB, elapsedMs: 1000, columns: 80 })).toMatch(/^\[#{30}\] 100% .* ETA 0:00$/);
  });

  test.each([
    [0, '0.0'],
    [99.94 * MB, '99.9'],
    [100 * MB, '100'],
    [2179.46 * MB, '2179'],
  ])('formatMegabytes(%d) = %s', (bytes, text) => expect(formatMegabytes(bytes)).toBe(text));

  test.each([
    [0, '0:00'],
    [0.2, '0:01'],
    [59, '0:59'],
    [61, '1:01'],
    [3600, '1:00:00'],
    [-3, '0:00'],
  ])('formatDuration(%d) = %s', (seconds, text) => expect(formatDuration(seconds)).toBe(text));
});

/** A terminal that records what is written, with a clock the test moves. */
function fakeTerminal(columns = 80): { output: { write(text: string): void; columns: number; now(): number }; written: string[]; advance(ms: number): void } {
  let time = 1000;
  const written: string[] = [];
  return {
    output: { write: (text) => written.push(text), columns, now: () => time },
    written,
    advance: (ms) => {
      time += ms;
    },
  };
}

describe('ProgressLine', () => {
  test('draws at most every interval, each time over the previous line, and wipes it at the end', () => {
    const terminal = fakeTerminal();
    const line = new ProgressLine(terminal.output, 100 * MB);
    for (let i = 1; i <= 10; i++) {
      terminal.advance(PROGRESS_INTERVAL_MS / 2);
      line.update(i * 10 * MB);
    }
    // 10 updates over 5 intervals: the first and then one per interval.
    expect(terminal.written).toHaveLength(5);
    for (const text of terminal.written) expect(text).toMatch(/^\r\[.*\x1b\[K$/);
    expect(terminal.written.at(-1)).toContain(' 90%');
    line.finish();
    expect(terminal.written.at(-1)).toBe('\r\x1b[K');
  });

  test('nothing for an input smaller than the threshold', () => {
    const terminal = fakeTerminal();
    const line = new ProgressLine(terminal.output, PROGRESS_MIN_BYTES - 1);
    terminal.advance(1000);
    line.update(PROGRESS_MIN_BYTES - 1);
    line.finish();
    expect(terminal.written).toEqual([]);
  });

  test('an input of unknown size shows up once the threshold was read', () => {
    const terminal = fakeTerminal();
    const line = new ProgressLine(terminal.output, null);
    terminal.advance(1000);
    line.update(PROGRESS_MIN_BYTES - 1);
    expect(terminal.written).toEqual([]);
    terminal.advance(1000);
    line.update(2 * PROGRESS_MIN_BYTES);
    expect(terminal.written).toEqual([`\r${formatMegabytes(2 * PROGRESS_MIN_BYTES)} MB read  ${formatMegabytes(PROGRESS_MIN_BYTES)} MB/s\x1b[K`]);
  });
});

/**
 * A classic pcap of `records` Ethernet frames that are not IP (so the analysis is empty): big
 * enough for a progress line when records * 1530 > 8 MB.
 */
function bigPcap(records: number): Buffer {
  const data = Buffer.alloc(1514);
  data.writeUInt16BE(0x88b5, 12); // local experimental EtherType: not IP
  const record = Buffer.concat([pcapRecordHeader({ sec: 1_700_000_000, usec: 0, data }), data]);
  const parts = [pcapHeader()];
  for (let i = 0; i < records; i++) parts.push(record);
  return Buffer.concat(parts);
}

describe('the CLI draws progress on a terminal only', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpcap-progress-'));
    file = path.join(dir, 'big.pcap');
    fs.writeFileSync(file, bigPcap(Math.ceil((3 * PROGRESS_MIN_BYTES) / 1530)));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function runWith(args: string[], terminal: boolean, stdin?: Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    let time = 0;
    const io: Io = {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      isTty: false,
      stderrTty: terminal ? { columns: 80 } : undefined,
      // Every look at the clock is 40 ms later: the line is drawn every few chunks.
      now: () => (time += 40),
      // Standard input in 64 KiB pieces, as a pipe delivers it.
      stdin:
        stdin === undefined
          ? undefined
          : Readable.from(Array.from({ length: Math.ceil(stdin.length / 65536) }, (_, i) => stdin.subarray(i * 65536, (i + 1) * 65536))),
    };
    return { code: await run(['node', 'ftpcap', ...args], io), stdout, stderr };
  }

  test('a big file on a terminal: bar lines on stderr, wiped before the report', async () => {
    const result = await runWith(['analyze', '--format', 'json', file], true);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^\r\[[#-]+\] +\d+% /);
    expect(result.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(result.stdout).not.toContain('\r');
    expect(JSON.parse(result.stdout).inputs[0].packets).toBeGreaterThan(0);
  });

  test('--quiet: nothing on stderr', async () => {
    const result = await runWith(['analyze', '--format', 'json', '--quiet', file], true);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  test('stderr not a terminal: nothing on stderr', async () => {
    const result = await runWith(['analyze', '--format', 'json', file], false);
    expect(result.stderr).toBe('');
  });

  test('standard input: bytes and throughput, no bar', async () => {
    const result = await runWith(['analyze', '--format', 'json', '-'], true, fs.readFileSync(file));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/\r\d+(\.\d)? MB read/);
    expect(result.stderr).not.toMatch(/\[[#-]+\]/);
    expect(result.stderr.endsWith('\r\x1b[K')).toBe(true);
  });

  test('a small file: nothing, even on a terminal', async () => {
    const result = await runWith(['analyze', '--format', 'json', path.join(__dirname, '../../samples/active-eprt/capture.pcap')], true);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });
});
