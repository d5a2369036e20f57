/**
 * Several inputs at once: frames merged by timestamp (stable: ties keep command-line order, each
 * file keeps its own order), refs naming the file and the per-file frame number, summaries in
 * command-line order; and a ring buffer analyzed as a whole.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PassThrough, Readable } from 'stream';
import * as zlib from 'zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { readCaptures } from '../../src/capture';
import { mergeBatches } from '../../src/capture/merge';
import type { CapturedFrame } from '../../src/types';
import { runCli } from '../e2e/run-cli';
import { atMicros, pcapFile } from '../helpers/pcap';
import { hasEditcap, splitPcap } from './pcap-tools';
import { PcapngBuilder } from './pcapng-builder';

const root = path.resolve(__dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpcap-merge-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A little-endian classic pcap (draft-ietf-opsawg-pcap), one 20-byte record per time (microseconds), the record's bytes all `fill`. */
function pcap(times: number[], fill: number): Buffer {
  return pcapFile(
    times.map((t, i) => atMicros(t, Buffer.alloc(20, fill + i))),
    { snapLength: 65535 },
  );
}

/** The same as pcapng, big-endian, nanosecond timestamps. */
function pcapng(times: number[], fill: number): Buffer {
  const b = new PcapngBuilder(true);
  return Buffer.concat([b.shb(), b.idb({ tsresol: 9 }), ...times.map((t, i) => b.epb({ timestamp: BigInt(t) * 1000n, data: Buffer.alloc(20, fill + i) }))]);
}

let count = 0;
function write(bytes: Buffer): string {
  const file = path.join(dir, `m${count++}`);
  fs.writeFileSync(file, bytes);
  return file;
}

type Ref = [input: number, frame: number, time: number];

async function order(files: string[], readChunkSize?: number): Promise<Ref[]> {
  const refs: Ref[] = [];
  await readCaptures(files, (f) => refs.push([f.ref.input, f.ref.frame, f.timeMicros]), { readChunkSize });
  return refs;
}

describe('merge by timestamp', () => {
  test.each([undefined, 1, 7])('two files whose frames interleave (chunk size %s)', async (readChunkSize) => {
    // Hand-built: a pcap at 10, 30, 50 s and a pcapng at 20, 40, 60 s (plus one equal to the pcap's 50 s).
    const a = write(pcap([10e6, 30e6, 50e6], 0x10));
    const b = write(pcapng([20e6, 40e6, 50e6, 60e6], 0x20));
    expect(await order([a, b], readChunkSize)).toEqual([
      [0, 1, 10e6],
      [1, 1, 20e6],
      [0, 2, 30e6],
      [1, 2, 40e6],
      [0, 3, 50e6], // equal times: command-line order
      [1, 3, 50e6],
      [1, 4, 60e6],
    ]);
    // And the other way round on the command line: the tie follows it.
    expect((await order([b, a], readChunkSize)).slice(4, 6)).toEqual([
      [0, 3, 50e6],
      [1, 3, 50e6],
    ]);
  });

  test('the frames keep their data and link type through the merge', async () => {
    // Hand-built: record bodies filled with 0x10+i (pcap) and 0x20+i (pcapng).
    const frames: CapturedFrame[] = [];
    await readCaptures([write(pcap([2, 4], 0x10)), write(pcapng([1, 3], 0x20))], (f) => frames.push(f));
    expect(frames.map((f) => [f.ref.input, f.ref.frame, f.data[0], f.data.length, f.linkType])).toEqual([
      [1, 1, 0x20, 20, 1],
      [0, 1, 0x10, 20, 1],
      [1, 2, 0x21, 20, 1],
      [0, 2, 0x11, 20, 1],
    ]);
  });

  test('a file whose own timestamps go backwards keeps its order', async () => {
    // Hand-built: file A at 10, 5, 20 s (out of order, as multi-queue NICs write); file B at 7 s.
    const a = write(pcap([10e6, 5e6, 20e6], 0));
    const b = write(pcap([7e6], 0));
    expect(await order([a, b])).toEqual([
      [1, 1, 7e6],
      [0, 1, 10e6],
      [0, 2, 5e6],
      [0, 3, 20e6],
    ]);
  });

  test('bad inputs among good ones: summaries in command-line order, the good frames merged', async () => {
    // Hand-built: a missing file, an empty file, a good pcap, a zip header.
    const files = [path.join(dir, 'missing.pcap'), write(Buffer.alloc(0)), write(pcap([1, 2], 0)), write(Buffer.from('504b030414000000', 'hex'))];
    const refs: Ref[] = [];
    const summaries = await readCaptures(files, (f) => refs.push([f.ref.input, f.ref.frame, f.timeMicros]));
    expect(summaries.map((s) => [s.file, s.input, s.packets, s.fatal])).toEqual([
      [files[0], 0, 0, true],
      [files[1], 1, 0, true],
      [files[2], 2, 2, false],
      [files[3], 3, 0, true],
    ]);
    expect(summaries.map((s) => s.problems[0]?.message)).toEqual([
      'cannot open the file: no such file',
      'the file is empty (0 bytes): not a capture',
      undefined,
      expect.stringMatching(/^not a capture file: it starts with 50 4b 03 04; it looks like a zip archive/),
    ]);
    expect(refs).toEqual([
      [2, 1, 1],
      [2, 2, 2],
    ]);
  });

  test('no inputs: nothing', async () => {
    expect(await readCaptures([], () => undefined)).toEqual([]);
  });

  test('an exception in onFrame rejects and closes every input', async () => {
    // Hand-built: two files; onFrame throws at the second frame.
    const files = [write(pcap([1, 3], 0)), write(pcap([2, 4], 0))];
    let seen = 0;
    await expect(
      readCaptures(files, () => {
        if (++seen === 2) throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(seen).toBe(2);
  });

  test('mergeBatches over hand-made batches: ties go to the earlier input, batches may be any size', async () => {
    // Hand-built batches: input 0 has times [1, 2, 2] [5], input 1 [2] [2, 3], input 2 nothing, input 3 [] [0].
    const frame = (input: number, n: number, timeMicros: number): CapturedFrame => ({
      ref: { input, frame: n },
      timeMicros,
      linkType: 1,
      data: Buffer.alloc(0),
      originalLength: 0,
    });
    async function* batches(input: number, lists: number[][]): AsyncGenerator<CapturedFrame[], void, undefined> {
      let n = 0;
      for (const list of lists) yield list.map((t) => frame(input, ++n, t));
    }
    const out: string[] = [];
    // biome-ignore format: a table, one row a line
    await mergeBatches(
      [batches(0, [[1, 2, 2], [5]]), batches(1, [[2], [2, 3]]), batches(2, []), batches(3, [[], [0]])],
      (f) => out.push(`${f.ref.input}:${f.ref.frame}@${f.timeMicros}`),
    );
    expect(out).toEqual(['3:1@0', '0:1@1', '0:2@2', '0:3@2', '1:1@2', '1:2@2', '1:3@3', '0:4@5']);
  });
});

describe('standard input among files', () => {
  test("'-' reads the given stdin stream, in any format, merged with the files", async () => {
    // Hand-built: stdin carries a pcapng in 3-byte pieces; a file carries a pcap.
    const bytes = pcapng([2, 4], 0x20);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 3) }, (_, i) => bytes.subarray(i * 3, i * 3 + 3));
    const refs: Ref[] = [];
    const summaries = await readCaptures([write(pcap([1, 3], 0)), '-'], (f) => refs.push([f.ref.input, f.ref.frame, f.timeMicros]), {
      stdin: Readable.from(chunks),
    });
    expect(summaries[1]).toMatchObject({ file: '-', format: 'pcapng', packets: 2, problems: [], fatal: false });
    expect(refs).toEqual([
      [0, 1, 1],
      [1, 1, 2],
      [0, 2, 3],
      [1, 2, 4],
    ]);
  });

  test('frames are handed out as they arrive, not after the input ends (streaming, merged with a file)', async () => {
    // Hand-built: stdin gets a pcap header and one record at 1 s, and only after that record has reached
    // onFrame its second record (3 s) and its end; a file holds one record at 2 s.
    const stdin = new PassThrough();
    const bytes = pcap([1e6, 3e6], 0);
    const firstRecordEnd = 24 + 16 + 20;
    stdin.write(bytes.subarray(0, firstRecordEnd));
    const refs: Ref[] = [];
    const done = readCaptures(
      ['-', write(pcap([2e6], 0))],
      (f) => {
        refs.push([f.ref.input, f.ref.frame, f.timeMicros]);
        if (refs.length === 1) setImmediate(() => stdin.end(bytes.subarray(firstRecordEnd)));
      },
      { stdin },
    );
    await done;
    expect(refs).toEqual([
      [0, 1, 1e6],
      [1, 1, 2e6],
      [0, 2, 3e6],
    ]);
  });

  test("'-' twice: the second is refused", async () => {
    const summaries = await readCaptures(['-', '-'], () => undefined, { stdin: Readable.from([pcap([1], 0)]) });
    expect(summaries[0]).toMatchObject({ packets: 1, fatal: false });
    expect(summaries[1]).toMatchObject({
      packets: 0,
      fatal: true,
      problems: [{ message: 'standard input is already read as input 1: it can be read only once', offset: null, frame: null }],
    });
  });

  test('empty standard input', async () => {
    const [summary] = await readCaptures(['-'], () => undefined, { stdin: Readable.from([]) });
    expect(summary).toMatchObject({ fatal: true, problems: [{ message: 'standard input is empty (0 bytes): not a capture', offset: 0, frame: null }] });
  });

  test('gzip on standard input, cut short: "standard input" is not a file', async () => {
    // Hand-built: a 3-record pcap, gzipped, the last 20 bytes of the gzip data missing.
    const gz = zlib.gzipSync(pcap([1, 2, 3], 0));
    const [summary] = await readCaptures(['-'], () => undefined, { stdin: Readable.from([gz.subarray(0, gz.length - 20)]) });
    expect(summary).toMatchObject({ compressed: 'gzip', fatal: false });
    expect(summary.problems[0].message).toMatch(/^the gzip data is cut short/);
  });
});

/** Frame references of a report with several inputs, rewritten as if the inputs were one file. */
function asOneFile(value: unknown, offsets: number[]): unknown {
  if (Array.isArray(value)) return value.map((v) => asOneFile(v, offsets));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(object)) {
    const inputKey = key === 'frame' ? 'input' : key.endsWith('Frame') ? key.replace(/Frame$/, 'Input') : null;
    if (inputKey !== null && typeof field === 'number' && typeof object[inputKey] === 'number') {
      out[key] = offsets[(object[inputKey] as number) - 1] + field;
    } else if (key === 'input' || (key.endsWith('Input') && typeof object[key.replace(/Input$/, 'Frame')] === 'number')) {
      // dropped: one file has no input fields
    } else {
      out[key] = asOneFile(field, offsets);
    }
  }
  return out;
}

describe('a ring buffer', () => {
  test('editcap -c 100 pieces of a sample, given in any order, give the analysis of the whole', async () => {
    // samples/active-port/capture.pcap (331 records) split by `editcap -c 100` (or its stand-in in
    // pcap-tools.ts where Wireshark is not installed) into 4 files of 100, 100, 100, 31 records.
    const whole = path.join(root, 'samples', 'active-port', 'capture.pcap');
    const ringDir = fs.mkdtempSync(path.join(dir, 'ring-'));
    if (hasEditcap) spawnSync('editcap', ['-c', '100', whole, path.join(ringDir, 'ring.pcap')]);
    else splitPcap(fs.readFileSync(whole), 100, ringDir);
    const pieces = fs
      .readdirSync(ringDir)
      .sort()
      .map((name) => path.join(ringDir, name));
    expect(pieces).toHaveLength(4);
    // Given newest first, as a shell glob over renamed files might: the merge restores time order.
    const given = [...pieces].reverse();
    const split = JSON.parse((await runCli('analyze', ...given, '--format', 'json')).stdout);
    const reference = JSON.parse((await runCli('analyze', whole, '--format', 'json')).stdout);
    expect(split.inputs.map((i: { packets: number }) => i.packets)).toEqual([31, 100, 100, 100]);
    // Input k (1-based, as given) is piece 4-k+1; its frame n is frame 100 * (piece index) + n of the whole.
    const offsets = given.map((file) => pieces.indexOf(file) * 100);
    expect(reference.sessions.length).toBeGreaterThan(0);
    expect(asOneFile(split.sessions, offsets)).toEqual(reference.sessions);
    expect(split.summary).toEqual(reference.summary);
  });
});
