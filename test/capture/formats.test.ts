/**
 * Real captures in every format, and gzip: the same packets must come out whatever the container.
 *
 * - samples/active-port/capture.pcap (classic pcap, microseconds, 331 records; see its README)
 *   converted at test time with `editcap -F pcapng`, `editcap -F nsecpcap` and `gzip -n` (where
 *   Wireshark is not installed, with the stand-ins of pcap-tools.ts and zlib): every frame
 *   (number, time, link type, bytes, original length) must equal the original's.
 * - public pcapng and gzip captures from other projects (test/fixtures/corpus/README.md), whose
 *   packet counts, first and last times and data sizes are `capinfos -c -d -a -e` output, written
 *   here literally (Wireshark 4.0.17).
 * - gzip damage: hand-built from the sample.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeCapture, readCapture } from '../../src/capture';
import type { InputSummary } from '../../src/capture/types';
import type { CapturedFrame } from '../../src/types';
import { hasEditcap, pcapToNanosecondPcap, pcapToPcapng } from './pcap-tools';
import { pieces } from './pcapng-builder';

const root = path.resolve(__dirname, '../..');
const SAMPLE = path.join(root, 'samples', 'active-port', 'capture.pcap');
const CORPUS = path.join(root, 'test', 'fixtures', 'corpus');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpcap-formats-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface PlainFrame {
  frame: number;
  timeMicros: number;
  linkType: number;
  data: string;
  originalLength: number;
}

function plain(frame: CapturedFrame): PlainFrame {
  return {
    frame: frame.ref.frame,
    timeMicros: frame.timeMicros,
    linkType: frame.linkType,
    data: frame.data.toString('hex'),
    originalLength: frame.originalLength,
  };
}

async function read(file: string, readChunkSize?: number): Promise<{ summary: InputSummary; frames: PlainFrame[] }> {
  const frames: PlainFrame[] = [];
  const summary = await readCapture(file, 0, (frame) => frames.push(plain(frame)), { readChunkSize });
  return { summary, frames };
}

describe(`samples/active-port converted with ${hasEditcap ? 'editcap' : 'the stand-ins for editcap (no editcap here)'} and gzip`, () => {
  const files: Record<string, string> = {};
  let original: PlainFrame[] = [];

  beforeAll(async () => {
    files.pcapng = path.join(dir, 'capture.pcapng');
    files.nsec = path.join(dir, 'capture.nsec.pcap');
    files.gzip = path.join(dir, 'capture.pcap.gz');
    files.pcapngGzip = path.join(dir, 'capture.pcapng.gz');
    if (hasEditcap) {
      execFileSync('editcap', ['-F', 'pcapng', SAMPLE, files.pcapng]);
      execFileSync('editcap', ['-F', 'nsecpcap', SAMPLE, files.nsec]);
    } else {
      fs.writeFileSync(files.pcapng, pcapToPcapng(fs.readFileSync(SAMPLE)));
      fs.writeFileSync(files.nsec, pcapToNanosecondPcap(fs.readFileSync(SAMPLE)));
    }
    // `gzip -n` where there is one (a real gzip header), else zlib: both write RFC 1952.
    const gzip = (file: string): Buffer => {
      const run = spawnSync('gzip', ['-n', '-c', file]);
      return run.status === 0 ? run.stdout : zlib.gzipSync(fs.readFileSync(file));
    };
    fs.writeFileSync(files.gzip, gzip(SAMPLE));
    fs.writeFileSync(files.pcapngGzip, gzip(files.pcapng));
    original = (await read(SAMPLE)).frames;
    expect(original).toHaveLength(331);
  });

  // biome-ignore format: a table, one row a line
  test.each([
    { name: 'pcapng', format: 'pcapng', compressed: null },
    { name: 'nsec', format: 'pcap-nsec', compressed: null },
    { name: 'gzip', format: 'pcap', compressed: 'gzip' },
    { name: 'pcapngGzip', format: 'pcapng', compressed: 'gzip' },
  ].flatMap((c) => [undefined, 7].map((readChunkSize) => ({ ...c, readChunkSize }))))(
    '$name, fed $readChunkSize bytes at a time: the same frames as the original',
    async ({ name, format, compressed, readChunkSize }) => {
      const { summary, frames } = await read(files[name], readChunkSize);
      expect(summary).toMatchObject({ format, compressed, linkType: 1, linkTypeName: 'EN10MB', packets: 331, truncatedPackets: 0, problems: [], fatal: false });
      expect(frames).toEqual(original);
    },
  );

  test.each(['pcapng', 'nsec'])('%s decoded from memory in 1-byte pieces: the same frames', (name) => {
    const frames: PlainFrame[] = [];
    const summary = decodeCapture(pieces(fs.readFileSync(files[name]), 1), (frame) => frames.push(plain(frame)));
    expect(summary.problems).toEqual([]);
    expect(frames).toEqual(original);
  });

  test('the pcapng conversion says what editcap wrote: one interface, microseconds', async () => {
    const { summary } = await read(files.pcapng);
    expect(summary.interfaces).toEqual([{ linkType: 1, linkTypeName: 'EN10MB', snapLength: 262144, tsresol: '1e-6' }]);
    expect(summary.bytes).toBe(fs.statSync(files.pcapng).size);
  });
});

describe('public captures from other projects', () => {
  // capinfos -c -d -a -e (Wireshark 4.0.17) on each file; times converted to microseconds since the epoch.
  // biome-ignore format: a table, one row a line
  test.each([
    { file: 'packets/tickedoffdeveloper.pcapng', format: 'pcapng', compressed: null, packets: 93, dataSize: 26129, first: 1271625829992909, last: 1271625837804034 },
    { file: 'packets/wrongdissector.pcapng', format: 'pcapng', compressed: null, packets: 52, dataSize: 3434, first: 1258553208781034, last: 1258553228431499 },
    // pcapng under a .cap name, with seven blocks of type 0x80000001 (local use) to skip.
    { file: 'pcapsamples/ftp.cap', format: 'pcapng', compressed: null, packets: 26, dataSize: 1774, first: 1681937107973940, last: 1681937125511316 },
    { file: 'zeek/testing/btest/Traces/ftp/ftp-many-port-expected.pcap.gz', format: 'pcap', compressed: 'gzip', packets: 1008, dataSize: 66235, first: 1700000000000000, last: 1700000001007000 },
  ].flatMap((c) => [undefined, 7].map((readChunkSize) => ({ ...c, readChunkSize }))))(
    '$file (fed $readChunkSize bytes at a time)',
    async ({ file, format, compressed, packets, dataSize, first, last, readChunkSize }) => {
      const { summary, frames } = await read(path.join(CORPUS, file), readChunkSize);
      expect(summary).toMatchObject({ format, compressed, packets, problems: [], fatal: false, linkTypeName: 'EN10MB' });
      expect(frames.map((f) => f.frame)).toEqual(Array.from({ length: packets }, (_, i) => i + 1));
      expect(frames[0].timeMicros).toBe(first);
      expect(frames[frames.length - 1].timeMicros).toBe(last);
      expect(frames.reduce((sum, f) => sum + f.data.length / 2, 0)).toBe(dataSize);
    },
  );
});

describe('gzip', () => {
  const sample = fs.readFileSync(SAMPLE);
  const compressed = zlib.gzipSync(sample);
  let count = 0;
  const write = (bytes: Buffer): string => {
    const file = path.join(dir, `g${count++}.gz`);
    fs.writeFileSync(file, bytes);
    return file;
  };
  /** Offsets of the sample's records (little-endian classic pcap). */
  const recordOffsets: number[] = [];
  for (let at = 24; at + 16 <= sample.length; at += 16 + sample.readUInt32LE(at + 8)) recordOffsets.push(at);

  test('several members one after the other, and zero padding, read as one capture', async () => {
    // Hand-built: the sample split at record 100 into two gzip members (as `cat a.gz b.gz` makes), then 512 zero bytes.
    const cut = recordOffsets[99];
    const file = write(Buffer.concat([zlib.gzipSync(sample.subarray(0, cut)), zlib.gzipSync(sample.subarray(cut)), Buffer.alloc(512)]));
    const { summary, frames } = await read(file);
    expect(summary).toMatchObject({ format: 'pcap', compressed: 'gzip', packets: 331, bytes: sample.length, problems: [], fatal: false });
    expect(frames).toEqual((await read(SAMPLE)).frames);
  });

  test.each([undefined, 1, 7])('a small gzip fed %s bytes at a time', async (readChunkSize) => {
    // Hand-built: the sample's first 5 records, gzip with a file name and a comment in its header (FNAME, FCOMMENT).
    const head = sample.subarray(0, recordOffsets[5]);
    const deflated = zlib.deflateRawSync(head);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(zlib.crc32(head), 0);
    trailer.writeUInt32LE(head.length, 4);
    const header = Buffer.concat([Buffer.from('1f8b0818000000000003', 'hex'), Buffer.from('capture.pcap\0a comment\0')]);
    const { summary, frames } = await read(write(Buffer.concat([header, deflated, trailer])), readChunkSize);
    expect(summary).toMatchObject({ compressed: 'gzip', packets: 5, problems: [], fatal: false });
    expect(frames.map((f) => f.frame)).toEqual([1, 2, 3, 4, 5]);
  });

  interface GzipCase {
    name: string;
    bytes: () => Buffer;
    problems: Array<{ message: RegExp; offset: number | null; frame: number | null }>;
    packets: number;
    fatal: boolean;
    /** The last frame read may hold garbage (damaged deflate data inflates to garbage before zlib notices). */
    lastSuspect?: boolean;
  }
  const half = compressed.subarray(0, compressed.length >> 1);
  // biome-ignore format: a table, one row a line
  const gzipCases: GzipCase[] = [
    {
      // Hand-built: the first half of the compressed sample (a download cut short).
      name: 'cut in the middle of the compressed data',
      bytes: () => half,
      problems: [
        { message: new RegExp(`^the gzip data is cut short: the file ends \\(at byte ${half.length}\\) in the middle of the compressed data; the \\d+ bytes decompressed before that are read$`), offset: null, frame: null },
        { message: /^decompressed data ends in the middle of record \d+ at byte \d+ \(header says \d+ bytes, only \d+ present\)$/, offset: null, frame: null },
      ],
      packets: -1, // some: checked as a prefix of the sample
      fatal: false,
    },
    {
      // Hand-built: the sample gzipped, without its 8-byte trailer.
      name: 'trailer missing',
      bytes: () => compressed.subarray(0, compressed.length - 8),
      problems: [{ message: /^the gzip data is cut short: the file ends \(at byte \d+\) before the end of the gzip member \(its CRC and length are missing\)/, offset: sample.length, frame: null }],
      packets: 331,
      fatal: false,
    },
    {
      // Hand-built: the CRC in the trailer with one byte inverted.
      name: 'CRC mismatch',
      bytes: () => {
        const copy = Buffer.from(compressed);
        copy[copy.length - 6] ^= 0xff;
        return copy;
      },
      problems: [{ message: /^gzip member 1 fails its check \(CRC-32 [0-9a-f]{8}, length 233019; the trailer at byte \d+ of the file says [0-9a-f]{8}, 233019\): its decompressed data is damaged somewhere$/, offset: sample.length, frame: null }],
      packets: 331,
      fatal: false,
    },
    {
      // Hand-built: the sample gzipped, then 9 bytes of text.
      name: 'trailing garbage',
      bytes: () => Buffer.concat([compressed, Buffer.from('garbage!\n')]),
      problems: [{ message: new RegExp(`^the gzip data ends at byte ${compressed.length} of the file and is followed by bytes that are not gzip \\(67 61 72 62 \\.\\.\\.\\): they are ignored$`), offset: sample.length, frame: null }],
      packets: 331,
      fatal: false,
    },
    {
      // Hand-built: a good member holding records 1-10, then a member header with compression method 7.
      name: 'damaged second member header',
      bytes: () => Buffer.concat([zlib.gzipSync(sample.subarray(0, recordOffsets[10])), Buffer.from('1f8b07000000000000ff', 'hex'), Buffer.alloc(20)]),
      problems: [{ message: /^the gzip member header at byte \d+ of the file is damaged \(unknown compression method 7\): the rest of it cannot be read$/, offset: recordOffsets[10], frame: null }],
      packets: 10,
      fatal: true,
    },
    {
      // Hand-built: the sample's deflate data with 64 bytes in its middle overwritten by 0xff. Inflating
      // damaged data yields garbage before zlib notices: here the pcap reader stops first, at a record
      // that claims an absurd length; either way reading stops there and the records before it are kept.
      name: 'damaged deflate data',
      bytes: () => {
        const copy = Buffer.from(compressed);
        copy.fill(0xff, copy.length >> 1, (copy.length >> 1) + 64);
        return copy;
      },
      problems: [{ message: /^(the gzip data is damaged \([^)]+\) after \d+ bytes of decompressed data|record \d+ at byte \d+ claims \d+ bytes, more than)/, offset: null, frame: null }],
      packets: -1,
      fatal: true,
      lastSuspect: true,
    },
    {
      // Hand-built: gzip of nothing.
      name: 'empty inside',
      bytes: () => zlib.gzipSync(Buffer.alloc(0)),
      problems: [{ message: /^the decompressed data is empty \(0 bytes\): not a capture$/, offset: 0, frame: null }],
      packets: 0,
      fatal: true,
    },
    {
      // Hand-built: the sample gzipped twice.
      name: 'gzip inside gzip',
      bytes: () => zlib.gzipSync(compressed),
      problems: [{ message: /^not a capture file: it starts with 1f 8b 08 00; it looks like gzip-compressed \(again, inside the gzip data\): decompress it first \(gunzip\)$/, offset: 0, frame: null }],
      packets: 0,
      fatal: true,
    },
    {
      // Hand-built: a zip archive's local header, gzipped.
      name: 'a zip archive inside',
      bytes: () => zlib.gzipSync(Buffer.concat([Buffer.from('504b0304140000000800', 'hex'), Buffer.alloc(30)])),
      problems: [{ message: /^not a capture file: it starts with 50 4b 03 04; it looks like a zip archive/, offset: 0, frame: null }],
      packets: 0,
      fatal: true,
    },
    {
      // Hand-built: only the two magic bytes.
      name: 'only the magic',
      bytes: () => Buffer.from('1f8b', 'hex'),
      problems: [
        { message: /^the gzip data is cut short: the file ends \(at byte 2\) in the middle of a gzip member header/, offset: 0, frame: null },
        { message: /^the decompressed data is empty \(0 bytes\): not a capture$/, offset: 0, frame: null },
      ],
      packets: 0,
      fatal: true,
    },
  ];

  test.each(gzipCases)('$name', async ({ bytes, problems, packets, fatal, lastSuspect }) => {
    const { summary, frames } = await read(write(bytes()));
    expect(summary.compressed).toBe('gzip');
    expect(summary.fatal).toBe(fatal);
    expect(summary.problems).toHaveLength(problems.length);
    problems.forEach((expected, i) => {
      expect(summary.problems[i].message).toMatch(expected.message);
      if (expected.offset !== null) expect(summary.problems[i].offset).toBe(expected.offset);
      expect(summary.problems[i].frame === null || expected.frame === null || summary.problems[i].frame === expected.frame).toBe(true);
    });
    // The frames before the damage are kept, and they are the sample's.
    const original = (await read(SAMPLE)).frames;
    if (packets >= 0) expect(frames).toHaveLength(packets);
    else expect(frames.length).toBeGreaterThan(0);
    const trusted = lastSuspect ? frames.length - 1 : frames.length;
    expect(frames.slice(0, trusted)).toEqual(original.slice(0, trusted));
  });
});
