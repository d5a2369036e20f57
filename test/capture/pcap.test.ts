import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, test } from 'vitest';
import { readCapture } from '../../src/capture';
import type { ReadCaptureOptions } from '../../src/capture';
import type { InputSummary } from '../../src/capture/types';
import type { CapturedFrame } from '../../src/types';
import { pcapFile, type PcapFileSpec, type PcapRecordSpec } from '../helpers/pcap';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpcap-pcap-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface FileSpec extends PcapFileSpec {
  records: PcapRecordSpec[];
}

/** A classic pcap as the helper writes it, with a 65535-byte snap length unless the spec says. */
function pcapBytes(spec: FileSpec): Buffer {
  return pcapFile(spec.records, { snapLength: 65535, ...spec });
}

let fileCount = 0;
function writeFile(bytes: Buffer | string, name = `f${fileCount++}.pcap`): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

async function read(file: string, options?: ReadCaptureOptions): Promise<{ summary: InputSummary; frames: CapturedFrame[] }> {
  const frames: CapturedFrame[] = [];
  // With transientFrames the data is only valid during the call: keep a copy, as the analyzer does.
  const summary = await readCapture(file, 3, (frame) => frames.push({ ...frame, data: Buffer.from(frame.data) }), options);
  return { summary, frames };
}

/** Distinct record bodies so a mix-up of records shows. */
const body = (length: number, fill: number): Buffer => Buffer.alloc(length, fill);

const threeRecords: PcapRecordSpec[] = [
  { sec: 1_700_000_000, usec: 1, data: body(60, 0xa1) },
  { sec: 1_700_000_000, usec: 999_999, data: body(1514, 0xb2) },
  { sec: 1_700_000_001, usec: 500_000, data: body(64, 0xc3), originalLength: 1514 }, // cut by the snap length
];

// Chunk sizes: the default 1 MiB read, byte by byte, and an odd size that splits headers.
const chunkSizes = [undefined, 1, 7];

/** The same records with nanosecond fractions: 789 ns more than each microsecond value, rounded away when read. */
const threeRecordsInNanoseconds: PcapRecordSpec[] = threeRecords.map((r) => ({ ...r, usec: r.usec * 1000 + 789 }));

describe('classic pcap: good files', () => {
  test.each(
    [false, true].flatMap((nanoseconds) =>
      [false, true].flatMap((bigEndian) =>
        chunkSizes.flatMap((readChunkSize) => [false, true].map((transientFrames) => ({ nanoseconds, bigEndian, readChunkSize, transientFrames }))),
      ),
    ),
  )('%o', async ({ nanoseconds, bigEndian, readChunkSize, transientFrames }) => {
    // Hand-built by pcapBytes(): 3 records, the last cut by the snap length; magic a1b2c3d4 or a1b23c4d.
    // transientFrames: whole records go to pcap-parser straight from the chunk (no copy).
    const records = nanoseconds ? threeRecordsInNanoseconds : threeRecords;
    const bytes = pcapBytes({ bigEndian, nanoseconds, linkType: 113, snapLength: 262144, records });
    const file = writeFile(bytes);
    const { summary, frames } = await read(file, { readChunkSize, transientFrames });
    expect(summary).toEqual({
      file,
      input: 3,
      format: nanoseconds ? 'pcap-nsec' : 'pcap',
      compressed: null,
      linkType: 113,
      linkTypeName: 'LINUX_SLL',
      snapLength: 262144,
      packets: 3,
      bytes: bytes.length,
      truncatedPackets: 1,
      problems: [],
      fatal: false,
    });
    expect(frames.map((f) => f.ref)).toEqual([1, 2, 3].map((frame) => ({ input: 3, frame })));
    expect(frames.map((f) => f.timeMicros)).toEqual([1_700_000_000_000_001, 1_700_000_000_999_999, 1_700_000_001_500_000]);
    expect(frames.map((f) => f.linkType)).toEqual([113, 113, 113]);
    expect(frames.map((f) => f.originalLength)).toEqual([60, 1514, 1514]);
    threeRecords.forEach((r, i) => {
      expect(frames[i].data.equals(r.data)).toBe(true);
    });
  });

  test('a header-only file has no packets and no problems', async () => {
    // Hand-built: the 24-byte file header alone.
    const { summary } = await read(writeFile(pcapBytes({ records: [] })));
    expect(summary).toMatchObject({ packets: 0, bytes: 24, problems: [], fatal: false, linkTypeName: 'EN10MB' });
  });

  test('FCS bits in the link type field are masked off', async () => {
    // Hand-built: link type field 0x44000001 = F bit (0x04000000) + FCS length 4 (bits 28-31) + EN10MB.
    const { summary } = await read(writeFile(pcapBytes({ linkType: 0x44000001, records: threeRecords })));
    expect(summary).toMatchObject({ linkType: 1, linkTypeName: 'EN10MB' });
  });

  test('records longer than the snap length but under 262144 bytes are read', async () => {
    // Hand-built: snap length 64 in the header (some writers put a wrong one), records of 1514 bytes.
    const { summary, frames } = await read(writeFile(pcapBytes({ snapLength: 64, records: threeRecords })));
    expect(summary).toMatchObject({ packets: 3, problems: [], fatal: false });
    expect(frames[1].data.length).toBe(1514);
  });

  test('version 2.2 is read like 2.4', async () => {
    // Hand-built: minor version 2 (older libpcap), same layout.
    const { summary } = await read(writeFile(pcapBytes({ minor: 2, records: threeRecords })));
    expect(summary).toMatchObject({ packets: 3, fatal: false, problems: [] });
  });
});

describe('classic pcap: damaged files', () => {
  const full = pcapBytes({ records: threeRecords });
  const thirdRecordAt = 24 + 16 + 60 + 16 + 1514;

  test.each(chunkSizes)('file cut in the middle of a record body (chunk size %s)', async (readChunkSize) => {
    // Hand-built: the 3-record file cut 10 bytes into the body of record 3.
    const { summary, frames } = await read(writeFile(full.subarray(0, thirdRecordAt + 16 + 10)), { readChunkSize });
    expect(frames.length).toBe(2);
    expect(summary).toMatchObject({ packets: 2, bytes: thirdRecordAt, fatal: false });
    expect(summary.problems).toEqual([
      {
        message: `file ends in the middle of record 3 at byte ${thirdRecordAt} (header says 64 bytes, only 10 present)`,
        offset: thirdRecordAt,
        frame: 3,
      },
    ]);
  });

  test.each(chunkSizes)('file cut in the middle of a record header (chunk size %s)', async (readChunkSize) => {
    // Hand-built: the 3-record file cut 5 bytes into the header of record 3.
    const { summary } = await read(writeFile(full.subarray(0, thirdRecordAt + 5)), { readChunkSize });
    expect(summary).toMatchObject({ packets: 2, bytes: thirdRecordAt, fatal: false });
    expect(summary.problems).toEqual([
      {
        message: `file ends in the middle of the header of record 3 at byte ${thirdRecordAt} (5 of its 16 bytes present)`,
        offset: thirdRecordAt,
        frame: 3,
      },
    ]);
  });

  test('a record with an absurd length stops the reading instead of buffering the file', async () => {
    // Hand-built: record 2 claims 0x7fffffff captured bytes; 3 MiB of junk follow.
    const bytes = Buffer.concat([
      pcapBytes({ records: [threeRecords[0], { sec: 1, usec: 0, data: Buffer.alloc(0), capturedLength: 0x7fffffff }] }),
      Buffer.alloc(3 * 1024 * 1024, 0x55),
    ]);
    const started = Date.now();
    const { summary, frames } = await read(writeFile(bytes));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(frames.length).toBe(1);
    expect(summary).toMatchObject({ packets: 1, bytes: 100, fatal: true });
    expect(summary.problems).toHaveLength(1);
    expect(summary.problems[0]).toMatchObject({ offset: 100, frame: 2 });
    expect(summary.problems[0].message).toMatch(/^record 2 at byte 100 claims 2147483647 bytes, more than the snap length \(65535\)/);
  });

  test('the record cap follows maxRecordLength', async () => {
    // Hand-built: snap length 64, a 1514-byte record, maxRecordLength 1000.
    const { summary } = await read(writeFile(pcapBytes({ snapLength: 64, records: threeRecords })), { maxRecordLength: 1000 });
    expect(summary).toMatchObject({ packets: 1, fatal: true });
    expect(summary.problems[0].message).toMatch(/^record 2 at byte 100 claims 1514 bytes, more than the snap length \(64\) and the 1000-byte maximum/);
  });

  test('an absurd snap length does not raise the record cap', async () => {
    // Hand-built: snap length 0xffffffff, a record claiming 100 MB.
    const bytes = pcapBytes({ snapLength: 0xffffffff, records: [{ sec: 1, usec: 0, data: Buffer.alloc(10), capturedLength: 100_000_000 }] });
    const { summary } = await read(writeFile(bytes));
    expect(summary).toMatchObject({ packets: 0, fatal: true });
    expect(summary.problems[0].message).toMatch(/claims 100000000 bytes/);
  });

  test('captured length above the original length is reported once and not fatal', async () => {
    // Hand-built: records 1 and 3 say original 40 but hold more bytes.
    const records = threeRecords.map((r, i) => (i === 1 ? r : { ...r, originalLength: 40 }));
    const { summary, frames } = await read(writeFile(pcapBytes({ records })));
    expect(summary).toMatchObject({ packets: 3, fatal: false, truncatedPackets: 0 });
    expect(frames.map((f) => f.originalLength)).toEqual([60, 1514, 64]);
    expect(summary.problems).toEqual([
      {
        message:
          'record 1 at byte 24 has more captured bytes (60) than its original length (40); ' + 'its original length is taken as 60 (and so for 1 more record)',
        offset: 24,
        frame: 1,
      },
    ]);
  });

  test('nanoseconds over a second are reported once', async () => {
    // Hand-built: a nanosecond file whose fraction fields say 1,500,000,000.
    const records = threeRecords.map((r) => ({ ...r, usec: 1_500_000_000 }));
    const { summary, frames } = await read(writeFile(pcapBytes({ nanoseconds: true, records })));
    expect(summary.problems).toHaveLength(1);
    expect(summary.problems[0].message).toMatch(/^record 1 at byte 24 has 1500000000 in its nanoseconds field \(more than a second\)/);
    expect(frames[0].timeMicros).toBe(1_700_000_001_500_000);
  });

  test('microseconds over a second are reported once', async () => {
    // Hand-built: usec fields of 1,500,000 (a nanosecond file with a microsecond magic would do this).
    const records = threeRecords.map((r) => ({ ...r, usec: 1_500_000 }));
    const { summary, frames } = await read(writeFile(pcapBytes({ records })));
    expect(summary.problems).toHaveLength(1);
    expect(summary.problems[0]).toMatchObject({ offset: 28, frame: 1 });
    expect(summary.problems[0].message).toMatch(/1500000 in its microseconds field/);
    expect(frames[0].timeMicros).toBe(1_700_000_001_500_000);
  });
});

describe('classic pcap: not a pcap file', () => {
  // biome-ignore format: a table, one row a line
  const notPcap: Array<{ name: string; bytes: Buffer | string; message: RegExp }> = [
    // Hand-built: Kuznetzov's modified pcap magic (a1b2cd34 little-endian).
    { name: 'modified pcap', bytes: Buffer.concat([Buffer.from('34cdb2a1', 'hex'), Buffer.alloc(20)]), message: /modified \(Kuznetzov\) pcap/ },
    // Hand-built: a zip local file header signature PK\3\4.
    { name: 'zip', bytes: Buffer.concat([Buffer.from('504b0304140000000800', 'hex'), Buffer.alloc(30)]), message: /starts with 50 4b 03 04; it looks like a zip archive/ },
    // Hand-built: tshark's text output.
    { name: 'text', bytes: '    1   0.000000 192.0.2.1 → 192.0.2.2 TCP 74 49152 → 21 [SYN]\n', message: /starts with 20 20 20 20; it looks like text, not a capture/ },
    // Hand-built: 32 bytes of binary that match no signature.
    { name: 'unknown binary', bytes: Buffer.from('deadbeef00112233'.repeat(4), 'hex'), message: /starts with de ad be ef; no capture format ftpcap knows$/ },
    // Hand-built: a short text file.
    { name: 'short text', bytes: 'hello\n', message: /starts with 68 65 6c 6c; it looks like text, not a capture .* \(the file is only 6 bytes long\)$/ },
    // Hand-built: the empty file.
    { name: 'empty', bytes: Buffer.alloc(0), message: /^the file is empty \(0 bytes\): not a capture$/ },
    // Hand-built: the first 10 bytes of a pcap file header.
    { name: 'pcap header cut', bytes: pcapBytes({ records: [] }).subarray(0, 10), message: /^the file is only 10 bytes long: too short for the 24-byte pcap file header$/ },
    // Hand-built: version 1.0 (pcap-parser itself rejects it).
    { name: 'version 1.0', bytes: pcapBytes({ major: 1, minor: 0, records: threeRecords }), message: /^unsupported pcap version 1\.0: only version 2\.x can be read$/ },
    // Hand-built: version 3.4 (pcap-parser's check lets it through; ours does not).
    { name: 'version 3.4', bytes: pcapBytes({ major: 3, minor: 4, records: threeRecords }), message: /^unsupported pcap version 3\.4: only version 2\.x can be read$/ },
  ];

  test.each(notPcap.flatMap((c) => [undefined, 1].map((readChunkSize) => ({ ...c, readChunkSize }))))(
    '$name (chunk size $readChunkSize)',
    async ({ bytes, message, readChunkSize }) => {
      const { summary, frames } = await read(writeFile(bytes), { readChunkSize });
      expect(frames).toEqual([]);
      expect(summary).toMatchObject({ packets: 0, fatal: true });
      expect(summary.problems).toHaveLength(1);
      expect(summary.problems[0].message).toMatch(message);
    },
  );

  test('a missing file', async () => {
    const file = path.join(dir, 'does-not-exist.pcap');
    const { summary } = await read(file);
    expect(summary).toMatchObject({ file, packets: 0, fatal: true, linkType: -1, linkTypeName: 'unknown', bytes: 0 });
    expect(summary.problems).toEqual([{ message: 'cannot open the file: no such file', offset: null, frame: null }]);
  });

  test('a directory', async () => {
    const { summary } = await read(dir);
    expect(summary.fatal).toBe(true);
    expect(summary.problems[0].message).toBe('cannot open the file: it is a directory, not a capture file');
  });

  test('a NUL byte in the path', async () => {
    const { summary } = await read('bad\0name.pcap');
    expect(summary.fatal).toBe(true);
    expect(summary.problems[0].message).toMatch(/^cannot open the file: /);
  });
});

describe('classic pcap: callers', () => {
  test('an exception in onFrame rejects (it is a bug, not a bad file)', async () => {
    const file = writeFile(pcapBytes({ records: threeRecords }));
    await expect(
      readCapture(file, 0, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });

  test('pcap-parser prints no deprecation warning (DEP0005 is only for code outside node_modules)', () => {
    // pcap-parser calls `new Buffer(n)` whenever a record spans two reads; 7-byte reads force that.
    const file = writeFile(pcapBytes({ records: threeRecords }));
    const script =
      "const s = require('fs').createReadStream(process.argv[1], { highWaterMark: 7 });" +
      "let n = 0; const p = require('pcap-parser').parse(s);" +
      "p.on('packet', () => n++); p.on('end', () => process.stdout.write(String(n)));";
    const run = spawnSync(process.execPath, ['-e', script, file], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
    expect(run.stdout).toBe('3');
    expect(run.stderr).toBe('');
  });
});

// The project's own sample captures, checked against an independent reading of the record headers.
const samplesDir = path.resolve(__dirname, '../../samples');
const samples = fs.existsSync(samplesDir)
  ? fs
      .readdirSync(samplesDir)
      .map((name) => path.join(samplesDir, name, 'capture.pcap'))
      .filter((file) => fs.existsSync(file))
  : [];

describe.skipIf(samples.length === 0)('classic pcap: samples/*/capture.pcap', () => {
  test.each(samples)('%s', async (file) => {
    const bytes = fs.readFileSync(file);
    const expected: Array<{ timeMicros: number; length: number }> = [];
    for (let at = 24; at + 16 <= bytes.length; ) {
      const capturedLength = bytes.readUInt32LE(at + 8);
      expected.push({ timeMicros: bytes.readUInt32LE(at) * 1e6 + bytes.readUInt32LE(at + 4), length: capturedLength });
      at += 16 + capturedLength;
    }
    const { summary, frames } = await read(file, { readChunkSize: 4093 });
    expect(summary).toMatchObject({ packets: expected.length, bytes: bytes.length, fatal: false, problems: [] });
    expect(frames.map((f) => ({ timeMicros: f.timeMicros, length: f.data.length }))).toEqual(expected);
  });
});
