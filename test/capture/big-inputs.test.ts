/**
 * Inputs of several read chunks: a file's read buffers are read into again once the decoder keeps
 * nothing of them (classic pcap: pcap-parser copies), never while it may (pcapng, gzip), and
 * every frame comes out as it is in the file. Also the progress callback.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeCapture, readCaptures, READ_CHUNK_SIZE } from '../../src/capture';
import type { CapturedFrame } from '../../src/types';
import { newSourceState, readSourceBytes } from '../../src/capture/source';
import { pcapFile, type PcapRecordSpec } from '../helpers/pcap';
import { pcapToPcapng } from './pcap-tools';

/**
 * Hand-built: a little-endian microsecond pcap of `count` frames of varying length (60-1514
 * bytes), each filled with bytes derived from its number, so that a frame read from a reused
 * buffer would show.
 */
function patternedPcap(count: number): Buffer {
  const records: PcapRecordSpec[] = [];
  for (let i = 0; i < count; i++) {
    const data = Buffer.alloc(60 + ((i * 7919) % 1455));
    for (let b = 0; b < data.length; b++) data[b] = (i * 31 + b * 17) & 0xff;
    records.push({ sec: 1_700_000_000 + Math.floor(i / 1000), usec: (i % 1000) * 1000, data });
  }
  return pcapFile(records);
}

/** One digest over every frame's number, time and bytes. */
function digest(frames: CapturedFrame[]): string {
  const hash = createHash('sha256');
  for (const f of frames) {
    hash.update(`${f.ref.frame}|${f.timeMicros}|${f.originalLength}|`);
    hash.update(f.data);
  }
  return hash.digest('hex');
}

describe('inputs of several read chunks', () => {
  let dir: string;
  let pcap: Buffer;
  let expected: string;
  let count: number;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpcap-big-'));
    // About 3.5 read chunks: the first buffer is kept, the next ones take turns.
    count = Math.ceil((3.5 * READ_CHUNK_SIZE) / 800);
    pcap = patternedPcap(count);
    const frames: CapturedFrame[] = [];
    // Copies: the in-memory decoder hands out views into `pcap` itself.
    decodeCapture([pcap], (f) => frames.push({ ...f, data: Buffer.from(f.data) }));
    expect(frames).toHaveLength(count);
    expected = digest(frames);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    ['classic pcap (read buffers reused)', (p: Buffer) => p],
    ['pcapng (frames are views into the chunks: never reused)', (p: Buffer) => pcapToPcapng(p)],
    ['gzip-compressed pcap', (p: Buffer) => zlib.gzipSync(p, { level: 1 })],
  ])('%s: every frame as in the file', async (name, convert) => {
    const file = path.join(dir, `${name.split(' ')[0]}.cap`);
    fs.writeFileSync(file, convert(pcap));
    // Frames are kept (copied only after the reading) to catch a buffer overwritten under them.
    const frames: CapturedFrame[] = [];
    const [summary] = await readCaptures([file], (f) => frames.push(f));
    expect(summary.problems).toEqual([]);
    expect(frames).toHaveLength(count);
    expect(digest(frames)).toBe(expected);
  });

  test.each([
    ['classic pcap', (p: Buffer) => p],
    ['gzip-compressed pcap', (p: Buffer) => zlib.gzipSync(p, { level: 1 })],
  ])('%s with transientFrames (whole records fed straight from reused buffers): every frame as in the file', async (name, convert) => {
    const file = path.join(dir, `${name.split(' ')[0]}-transient.cap`);
    fs.writeFileSync(file, convert(pcap));
    // The data is valid during the call only: copy it then, as the analyzer does.
    const frames: CapturedFrame[] = [];
    const [summary] = await readCaptures([file], (f) => frames.push({ ...f, data: Buffer.from(f.data) }), { transientFrames: true });
    expect(summary.problems).toEqual([]);
    expect(frames).toHaveLength(count);
    expect(digest(frames)).toBe(expected);
  });

  test('two inputs merged: frames kept in batches stay intact', async () => {
    const a = path.join(dir, 'a.pcap');
    const b = path.join(dir, 'b.pcap');
    fs.writeFileSync(a, pcap);
    fs.writeFileSync(b, pcap);
    const frames: CapturedFrame[] = [];
    await readCaptures([a, b], (f) => frames.push(f));
    expect(frames).toHaveLength(2 * count);
    expect(digest(frames.filter((f) => f.ref.input === 0))).toBe(expected);
    expect(digest(frames.filter((f) => f.ref.input === 1))).toBe(expected);
  });

  test('onProgress: growing totals of the bytes read, ending at the sizes of all inputs', async () => {
    const a = path.join(dir, 'progress.pcap');
    const gz = path.join(dir, 'progress.pcap.gz');
    fs.writeFileSync(a, pcap);
    fs.writeFileSync(gz, zlib.gzipSync(pcap, { level: 1 }));
    const seen: number[] = [];
    await readCaptures([a, gz], () => undefined, { onProgress: (bytes) => seen.push(bytes) });
    expect(seen.length).toBeGreaterThan(3);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
    // Compressed bytes for the gzip file: its size on disk.
    expect(seen.at(-1)).toBe(fs.statSync(a).size + fs.statSync(gz).size);
  });
});

describe('readSourceBytes: a file read buffer is read into again only when the consumer released it', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpcap-recycle-'));
    file = path.join(dir, 'bytes.bin');
    fs.writeFileSync(file, Buffer.alloc(5 * 65536 + 100, 7));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    [false, 6],
    [true, 3],
  ])('chunks released: %s -> %d distinct buffers for 6 chunks', async (released, buffers) => {
    const state = newSourceState();
    const seen = new Set<ArrayBufferLike>();
    const contents: number[] = [];
    for await (const chunk of readSourceBytes({ kind: 'file', path: file }, { read: 65536, piece: 65536 }, state)) {
      seen.add(chunk.buffer);
      contents.push(chunk.length);
      state.chunksReleased = released;
    }
    expect(contents).toEqual([65536, 65536, 65536, 65536, 65536, 100]);
    // Released: the first buffer is kept (the format is recognised from it), then two take turns.
    // Not released: one per chunk.
    expect(seen.size).toBe(buffers);
  });
});
