/**
 * The pcapng block reader on hand-built files (test/capture/pcapng-builder.ts, laid out per
 * draft-ietf-opsawg-pcapng). Every vector is decoded whole and again in 1-byte and 7-byte pieces
 * (STYLE habit 11); a few go through real files too.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, test } from 'vitest';
import { decodeCapture, readCapture } from '../../src/capture';
import { decodeTsresol, formatTsresol, timestampConverter } from '../../src/capture/pcapng';
import type { InputSummary } from '../../src/capture/types';
import type { CapturedFrame } from '../../src/types';
import { OPT, PcapngBuilder, pieces } from './pcapng-builder';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpcap-pcapng-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const chunkSizes = [undefined, 1, 7];

interface Decoded {
  summary: InputSummary;
  frames: Array<{ input: number; frame: number; timeMicros: number; linkType: number; hex: string; originalLength: number }>;
}

function plain(frame: CapturedFrame): Decoded['frames'][number] {
  return {
    input: frame.ref.input,
    frame: frame.ref.frame,
    timeMicros: frame.timeMicros,
    linkType: frame.linkType,
    hex: frame.data.toString('hex'),
    originalLength: frame.originalLength,
  };
}

function decode(bytes: Buffer, chunkSize?: number, options: { maxBlockLength?: number } = {}): Decoded {
  const frames: Decoded['frames'] = [];
  const summary = decodeCapture(pieces(bytes, chunkSize), (frame) => frames.push(plain(frame)), { file: 'test.pcapng', input: 2, ...options });
  return { summary, frames };
}

/** Decodes in every chunk size, checks they agree, and returns the result. */
function decodeEverywhichWay(bytes: Buffer, options: { maxBlockLength?: number } = {}): Decoded {
  const whole = decode(bytes, undefined, options);
  for (const size of [1, 7]) expect(decode(bytes, size, options)).toEqual(whole);
  return whole;
}

/** Distinct packet bodies so a mix-up shows. */
const body = (length: number, fill: number): Buffer => Buffer.alloc(length, fill);

/** 2023-11-14T22:13:20Z in seconds. */
const T0 = 1_700_000_000;

describe('good files', () => {
  test.each([false, true].flatMap((bigEndian) => chunkSizes.map((chunkSize) => ({ bigEndian, chunkSize }))))(
    'one interface, three EPBs, byte order %o',
    ({ bigEndian, chunkSize }) => {
      // Hand-built: SHB (with a comment), IDB EN10MB snap 65535 (no if_tsresol: microseconds), three
      // EPBs, the last cut by the snap length and carrying an epb_flags option.
      const b = new PcapngBuilder(bigEndian);
      const bytes = Buffer.concat([
        b.shb({ options: [b.option(OPT.comment, 'made by hand')] }),
        b.idb({ linkType: 1, snapLength: 65535, options: [b.option(OPT.if_name, 'eth0')] }),
        b.epb({ timestamp: BigInt(T0) * 1_000_000n + 1n, data: body(60, 0xa1) }),
        b.epb({ timestamp: BigInt(T0) * 1_000_000n + 999_999n, data: body(1514, 0xb2) }),
        b.epb({ timestamp: BigInt(T0 + 1) * 1_000_000n + 500_000n, data: body(63, 0xc3), originalLength: 1514, options: [b.option(OPT.epb_flags, b.u32(1))] }),
      ]);
      const { summary, frames } = decode(bytes, chunkSize);
      expect(summary).toEqual({
        file: 'test.pcapng',
        input: 2,
        format: 'pcapng',
        compressed: null,
        linkType: 1,
        linkTypeName: 'EN10MB',
        snapLength: 65535,
        interfaces: [{ linkType: 1, linkTypeName: 'EN10MB', snapLength: 65535, tsresol: '1e-6' }],
        packets: 3,
        bytes: bytes.length,
        truncatedPackets: 1,
        problems: [],
        fatal: false,
      });
      expect(frames).toEqual([
        { input: 2, frame: 1, timeMicros: 1_700_000_000_000_001, linkType: 1, hex: body(60, 0xa1).toString('hex'), originalLength: 60 },
        { input: 2, frame: 2, timeMicros: 1_700_000_000_999_999, linkType: 1, hex: body(1514, 0xb2).toString('hex'), originalLength: 1514 },
        { input: 2, frame: 3, timeMicros: 1_700_000_001_500_000, linkType: 1, hex: body(63, 0xc3).toString('hex'), originalLength: 1514 },
      ]);
    },
  );

  test('interfaces with different link types and timestamp units', () => {
    // Hand-built: four interfaces in one section; each EPB names one of them.
    //   0: EN10MB, microseconds (if_tsresol 6)         1: RAW (101), nanoseconds (if_tsresol 9)
    //   2: LINUX_SLL, 2^-10 s (if_tsresol 0x8a)        3: LINUX_SLL2 (276), milliseconds + if_tsoffset 100 s
    const b = new PcapngBuilder();
    const bytes = Buffer.concat([
      b.shb(),
      b.idb({ linkType: 1, snapLength: 262144, tsresol: 6 }),
      b.idb({ linkType: 101, snapLength: 65535, tsresol: 9 }),
      b.idb({ linkType: 113, snapLength: 0, tsresol: 0x8a }),
      b.idb({ linkType: 276, snapLength: 1500, tsresol: 3, tsoffset: 100n }),
      b.epb({ interfaceId: 1, timestamp: 1_700_000_000_123_456_789n, data: body(40, 1) }),
      b.epb({ interfaceId: 0, timestamp: 1_700_000_000_123_456n, data: body(41, 2) }),
      b.epb({ interfaceId: 2, timestamp: BigInt(T0) * 1024n + 512n, data: body(42, 3) }),
      b.epb({ interfaceId: 3, timestamp: BigInt(T0) * 1000n + 123n, data: body(43, 4) }),
    ]);
    const { summary, frames } = decodeEverywhichWay(bytes);
    expect(summary).toMatchObject({ linkType: 1, linkTypeName: 'EN10MB', snapLength: 262144, packets: 4, problems: [], fatal: false });
    expect(summary.interfaces).toEqual([
      { linkType: 1, linkTypeName: 'EN10MB', snapLength: 262144, tsresol: '1e-6' },
      { linkType: 101, linkTypeName: 'RAW', snapLength: 65535, tsresol: '1e-9' },
      { linkType: 113, linkTypeName: 'LINUX_SLL', snapLength: 0, tsresol: '2^-10' },
      { linkType: 276, linkTypeName: 'LINUX_SLL2', snapLength: 1500, tsresol: '1e-3' },
    ]);
    expect(frames.map((f) => [f.frame, f.linkType, f.timeMicros])).toEqual([
      [1, 101, 1_700_000_000_123_456], // nanoseconds rounded down
      [2, 1, 1_700_000_000_123_456],
      [3, 113, 1_700_000_000_500_000], // 512/1024 s
      [4, 276, 1_700_000_100_123_000], // milliseconds, plus 100 s of if_tsoffset
    ]);
  });

  test('several sections with different byte orders: interface ids restart per section', () => {
    // Hand-built: section 1 little-endian (EN10MB), section 2 big-endian (RAW and EN10MB),
    // section 3 little-endian again (LINUX_SLL); each EPB names interface 0 or 1 of its own section.
    const le = new PcapngBuilder(false);
    const be = new PcapngBuilder(true);
    const bytes = Buffer.concat([
      le.shb(),
      le.idb({ linkType: 1 }),
      le.epb({ timestamp: 1_000_000n, data: body(20, 1) }),
      be.shb(),
      be.idb({ linkType: 101 }),
      be.idb({ linkType: 1, tsresol: 9 }),
      be.epb({ interfaceId: 0, timestamp: 2_000_000n, data: body(21, 2) }),
      be.epb({ interfaceId: 1, timestamp: 3_000_000_000n, data: body(22, 3) }),
      le.shb(),
      le.idb({ linkType: 113 }),
      le.epb({ interfaceId: 0, timestamp: 4_000_000n, data: body(23, 4) }),
    ]);
    const { summary, frames } = decodeEverywhichWay(bytes);
    expect(summary).toMatchObject({ linkType: 1, packets: 4, bytes: bytes.length, problems: [], fatal: false });
    expect(summary.interfaces?.map((i) => i.linkTypeName)).toEqual(['EN10MB', 'RAW', 'EN10MB', 'LINUX_SLL']);
    expect(frames.map((f) => [f.frame, f.linkType, f.timeMicros, f.hex.length / 2])).toEqual([
      [1, 1, 1_000_000, 20],
      [2, 101, 2_000_000, 21],
      [3, 1, 3_000_000, 22],
      [4, 113, 4_000_000, 23],
    ]);
  });

  test('statistics, custom and unknown blocks are skipped by their length', () => {
    // Hand-built: between the packets an ISB, a name resolution block (type 4, body is not parsed),
    // a decryption secrets block (type 10), both custom block types, and a type no draft defines.
    const b = new PcapngBuilder(true);
    const bytes = Buffer.concat([
      b.shb(),
      b.idb(),
      b.custom({ data: Buffer.from('wireshark-private') }),
      b.epb({ timestamp: 10n, data: body(30, 5) }),
      b.isb({ timestamp: 11n }),
      b.block(4, Buffer.concat([b.u16(1), b.u16(8), Buffer.from([192, 0, 2, 1]), Buffer.from('ftp\0'), b.u32(0)])),
      b.block(10, Buffer.concat([b.u32(0x544c534b), b.u32(4), Buffer.from('keys')])),
      b.custom({ copiable: false, data: Buffer.alloc(33, 0xee) }),
      b.block(0x12345678, Buffer.alloc(100, 0x77)),
      b.epb({ timestamp: 12n, data: body(31, 6) }),
    ]);
    const { summary, frames } = decodeEverywhichWay(bytes);
    expect(summary).toMatchObject({ packets: 2, bytes: bytes.length, problems: [], fatal: false });
    expect(frames.map((f) => [f.frame, f.timeMicros])).toEqual([
      [1, 10],
      [2, 12],
    ]);
  });

  test('simple packet blocks: interface 0, no timestamp, captured length = min(original, snap length, room)', () => {
    // Hand-built: IDB snap length 64; EPB at T; SPB original 100 with 100 bytes (cut to 64 by the snap
    // length); then a second section whose interface has no snap length and an SPB holding 60 bytes of
    // a 1514-byte packet (cut by the writer: the block's room); its time is still the last packet's.
    const b = new PcapngBuilder();
    const first = Buffer.concat([b.shb(), b.idb({ snapLength: 64 }), b.epb({ timestamp: 1_700_000_000_250_000n, data: body(60, 1) })]);
    const spbAt = first.length;
    const bytes = Buffer.concat([
      first,
      b.spb({ data: body(100, 2) }),
      b.shb(),
      b.idb({ linkType: 101, snapLength: 0 }),
      b.spb({ data: body(60, 3), originalLength: 1514 }),
    ]);
    const { summary, frames } = decodeEverywhichWay(bytes);
    expect(summary).toMatchObject({ packets: 3, truncatedPackets: 2, fatal: false });
    expect(frames.map((f) => [f.frame, f.linkType, f.timeMicros, f.hex.length / 2, f.originalLength])).toEqual([
      [1, 1, 1_700_000_000_250_000, 60, 60],
      [2, 1, 1_700_000_000_250_000, 64, 100],
      [3, 101, 1_700_000_000_250_000, 60, 1514],
    ]);
    expect(summary.problems).toEqual([
      {
        message:
          `simple packet block at byte ${spbAt} (frame 2) carries no timestamp: it is given the time of the packet before it ` +
          '(and so for 1 more simple packet block)',
        offset: spbAt,
        frame: 2,
      },
    ]);
  });

  test('a simple packet block before any timed packet gets time 0, and says so', () => {
    // Hand-built: SHB, IDB, SPB, EPB.
    const b = new PcapngBuilder();
    const bytes = Buffer.concat([b.shb(), b.idb(), b.spb({ data: body(20, 1) }), b.epb({ timestamp: 5n, data: body(20, 2) })]);
    const { summary, frames } = decodeEverywhichWay(bytes);
    expect(frames.map((f) => f.timeMicros)).toEqual([0, 5]);
    expect(summary.problems).toHaveLength(1);
    expect(summary.problems[0].message).toMatch(
      /^simple packet block at byte 48 \(frame 1\) carries no timestamp: no packet comes before it, so it is given time 0/,
    );
  });

  test('obsolete packet blocks (type 2) are read like enhanced ones', () => {
    // Hand-built: two interfaces; OPBs (16-bit interface id, 16-bit drops count) on each.
    const b = new PcapngBuilder(true);
    const bytes = Buffer.concat([
      b.shb(),
      b.idb({ linkType: 1 }),
      b.idb({ linkType: 101, tsresol: 9 }),
      b.opb({ interfaceId: 1, drops: 3, timestamp: 7_000_000_001n, data: body(44, 9), originalLength: 90 }),
      b.opb({ interfaceId: 0, timestamp: 8_000_000n, data: body(45, 8) }),
    ]);
    const { summary, frames } = decodeEverywhichWay(bytes);
    expect(summary).toMatchObject({ packets: 2, truncatedPackets: 1, problems: [], fatal: false });
    expect(frames.map((f) => [f.frame, f.linkType, f.timeMicros, f.hex.length / 2, f.originalLength])).toEqual([
      [1, 101, 7_000_000, 44, 90],
      [2, 1, 8_000_000, 45, 45],
    ]);
  });

  test('a section header alone is a valid file with no packets', () => {
    // First 28 bytes of /work/shared/corpus/packets/tickedoffdeveloper.pcapng, its options left out
    // (an SHB of length 28, little-endian, version 1.0, section length -1).
    const bytes = Buffer.from('0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000', 'hex');
    const { summary, frames } = decodeEverywhichWay(bytes);
    expect(frames).toEqual([]);
    expect(summary).toMatchObject({
      format: 'pcapng',
      packets: 0,
      bytes: 28,
      linkType: -1,
      linkTypeName: 'unknown',
      interfaces: [],
      problems: [],
      fatal: false,
    });
  });
});

describe('damaged files', () => {
  const b = new PcapngBuilder();
  const head = Buffer.concat([b.shb(), b.idb({ snapLength: 65535 }), b.epb({ timestamp: 1n, data: body(60, 1) })]);
  const at = head.length; // where the damage starts, after one good packet
  const good = b.epb({ timestamp: 2n, data: body(60, 2) });

  interface DamageCase {
    name: string;
    bytes: Buffer;
    message: string | RegExp;
    offset: number;
    frame: number | null;
    packets: number;
    fatal: boolean;
    /** Problems expected in all (default 1). */
    problems?: number;
  }

  // biome-ignore format: a table, one row a line
  const cases: DamageCase[] = [
    {
      // Hand-built: an EPB whose length field says 12 (the 12-byte minimum of any block), then good packets.
      name: 'EPB length smaller than its header',
      bytes: Buffer.concat([head, b.u32(6), b.u32(12), b.u32(12), good]),
      message: `pcapng block at byte ${at} has length 12, smaller than its header (an enhanced packet block has at least 32): the file is damaged here and the rest of it cannot be read`,
      offset: at,
      frame: null,
      packets: 1,
      fatal: true,
    },
    {
      // Hand-built: a block of unknown type whose length field says 8.
      name: 'block length below 12',
      bytes: Buffer.concat([head, b.u32(0x99), b.u32(8), Buffer.alloc(16), good]),
      message: `pcapng block at byte ${at} has length 8, smaller than its header: the file is damaged here and the rest of it cannot be read`,
      offset: at,
      frame: null,
      packets: 1,
      fatal: true,
    },
    {
      // Hand-built: an unknown block of 30 bytes (not padded), then a good EPB.
      name: 'length not a multiple of 4',
      bytes: Buffer.concat([head, b.u32(0x99), b.u32(30), Buffer.alloc(18), b.u32(30), good]),
      message: `pcapng block at byte ${at} has length 30, not a multiple of 4: the file is damaged here and the rest of it cannot be read`,
      offset: at,
      frame: null,
      packets: 1,
      fatal: true,
    },
    {
      // Hand-built: an EPB claiming 0x7ffffff0 bytes.
      name: 'length beyond the block maximum',
      bytes: Buffer.concat([head, b.u32(6), b.u32(0x7ffffff0), Buffer.alloc(40), good]),
      message: `pcapng block at byte ${at} claims 2147483632 bytes, more than the 16777216-byte maximum: the file is damaged here and the rest of it cannot be read`,
      offset: at,
      frame: null,
      packets: 1,
      fatal: true,
    },
    {
      // Hand-built: a good EPB whose trailing length copy says 96 instead of 92.
      name: 'leading and trailing lengths differ',
      bytes: Buffer.concat([head, b.epb({ timestamp: 2n, data: body(60, 2), override: { trailer: 96 } }), good]),
      message: `pcapng block at byte ${at} has length 92 at its start but 96 at its end: the file is damaged here and the rest of it cannot be read`,
      offset: at,
      frame: null,
      packets: 1,
      fatal: true,
    },
    {
      // Hand-built: an EPB whose length (1000) runs past the end of the file: the file was cut.
      name: 'length larger than the rest of the file',
      bytes: Buffer.concat([head, b.u32(6), b.u32(1000), Buffer.alloc(100)]),
      message: `file ends in the middle of an enhanced packet block at byte ${at} (frame 2: its length says 1000 bytes, only 108 present)`,
      offset: at,
      frame: 2,
      packets: 1,
      fatal: false,
    },
    {
      // Hand-built: the 3-block file plus a good EPB cut 50 bytes into its 92.
      name: 'file cut inside a packet block',
      bytes: Buffer.concat([head, good.subarray(0, 50)]),
      message: `file ends in the middle of an enhanced packet block at byte ${at} (frame 2: its length says 92 bytes, only 50 present)`,
      offset: at,
      frame: 2,
      packets: 1,
      fatal: false,
    },
    {
      // Hand-built: cut 5 bytes into the next block's 8-byte header.
      name: 'file cut inside a block header',
      bytes: Buffer.concat([head, good.subarray(0, 5)]),
      message: `file ends in the middle of the header of a block at byte ${at}, after frame 1 (5 of its 8 bytes present)`,
      offset: at,
      frame: null,
      packets: 1,
      fatal: false,
    },
    {
      // Hand-built: cut inside an interface statistics block.
      name: 'file cut inside a statistics block',
      bytes: Buffer.concat([head, b.isb({ timestamp: 3n }).subarray(0, 20)]),
      message: `file ends in the middle of an interface statistics block at byte ${at}, after frame 1 (its length says 24 bytes, only 20 present)`,
      offset: at,
      frame: null,
      packets: 1,
      fatal: false,
    },
    {
      // Hand-built: the first 20 bytes of a 28-byte SHB.
      name: 'file cut inside the first section header',
      bytes: b.shb().subarray(0, 20),
      message: 'the file is only 20 bytes long: too short for its pcapng section header block (its length says 28 bytes)',
      offset: 0,
      frame: null,
      packets: 0,
      fatal: true,
    },
    {
      // Hand-built: a second SHB whose byte-order magic is 0x11223344.
      name: 'bad byte-order magic',
      bytes: Buffer.concat([head, b.shb({ magic: 0x11223344 }), good]),
      message: `pcapng section header block at byte ${at} has the byte-order magic 44 33 22 11 instead of 1a 2b 3c 4d: the file is damaged here and the rest of it cannot be read`,
      offset: at + 8,
      frame: null,
      packets: 1,
      fatal: true,
    },
    {
      // Hand-built: a section of version 2.0.
      name: 'unsupported version',
      bytes: Buffer.concat([head, b.shb({ major: 2 }), b.idb(), good]),
      message: `unsupported pcapng version 2.0 in the section header block at byte ${at}: only version 1.x can be read`,
      offset: at + 12,
      frame: null,
      packets: 1,
      fatal: true,
    },
    {
      // Hand-built: EPBs naming interface 3 (the section has one); the packets after them are read.
      name: 'packet on an interface the section does not have',
      bytes: Buffer.concat([head, b.epb({ interfaceId: 3, timestamp: 2n, data: body(10, 3) }), b.epb({ interfaceId: 1, timestamp: 2n, data: body(10, 3) }), good]),
      message: `enhanced packet block at byte ${at} (frame 2) names interface 3, but its section has only interface 0: the packet is skipped (and so for 1 more packet block)`,
      offset: at,
      frame: 2,
      packets: 2,
      fatal: false,
    },
    {
      // Hand-built: an EPB whose captured length (200) is more than the block holds (60).
      name: 'captured length beyond the block',
      bytes: Buffer.concat([head, b.epb({ timestamp: 2n, data: body(60, 2), capturedLength: 200 }), good]),
      message: `enhanced packet block at byte ${at} (frame 2) says it holds 200 bytes but has room for 60: the packet is skipped`,
      offset: at,
      frame: 2,
      packets: 2,
      fatal: false,
    },
    {
      // Hand-built: an EPB with original length 40 but 60 captured bytes.
      name: 'captured length above the original length',
      bytes: Buffer.concat([head, b.epb({ timestamp: 2n, data: body(60, 2), originalLength: 40 })]),
      message: `enhanced packet block at byte ${at} (frame 2) has more captured bytes (60) than its original length (40); its original length is taken as 60`,
      offset: at,
      frame: 2,
      packets: 2,
      fatal: false,
    },
    {
      // Hand-built: an IDB whose option claims 200 bytes in a 28-byte block; the interface is kept
      // with the default timestamp unit.
      name: 'damaged interface options',
      bytes: Buffer.concat([head, b.block(1, Buffer.concat([b.u16(101), b.u16(0), b.u32(0), b.u16(OPT.if_tsresol), b.u16(200), Buffer.alloc(4)])), b.epb({ interfaceId: 1, timestamp: 7n, data: body(10, 4) })]),
      message: `the options of interface 2 (interface description block at byte ${at}) are damaged at byte ${at + 16}; the rest of them are ignored`,
      offset: at + 16,
      frame: null,
      packets: 2,
      fatal: false,
    },
  ];

  test.each(cases.flatMap((c) => chunkSizes.map((chunkSize) => ({ ...c, chunkSize }))))('$name (chunk size $chunkSize)', (c) => {
    const { summary, frames } = decode(c.bytes, c.chunkSize);
    expect(summary.problems).toHaveLength(c.problems ?? 1);
    expect(summary.problems[0]).toEqual({ message: c.message, offset: c.offset, frame: c.frame });
    expect(summary).toMatchObject({ packets: c.packets, fatal: c.fatal });
    expect(frames).toHaveLength(c.packets);
    if (c.packets > 0) expect(frames[0]).toMatchObject({ frame: 1, timeMicros: 1 });
  });

  test('frames after a skipped packet keep Wireshark numbering (every packet block counts)', () => {
    // Hand-built: good, skipped (interface 3), good.
    const { frames } = decodeEverywhichWay(Buffer.concat([head, b.epb({ interfaceId: 3, timestamp: 2n, data: body(10, 3) }), good]));
    expect(frames.map((f) => f.frame)).toEqual([1, 3]);
  });

  test('the block cap follows maxBlockLength', () => {
    // Hand-built: a 92-byte EPB with a 64-byte cap.
    const { summary } = decode(Buffer.concat([head, good]), undefined, { maxBlockLength: 64 });
    expect(summary).toMatchObject({ packets: 0, fatal: true });
    expect(summary.problems[0].message).toMatch(/^pcapng block at byte 48 claims 92 bytes, more than the 64-byte maximum/);
  });

  test.each(chunkSizes)('a damaged file read from disk says the same (chunk size %s)', async (readChunkSize) => {
    // Hand-built: the "EPB length smaller than its header" vector, written to a file.
    const file = path.join(dir, `small-length-${readChunkSize}.pcapng`);
    fs.writeFileSync(file, cases[0].bytes);
    const frames: CapturedFrame[] = [];
    const summary = await readCapture(file, 0, (frame) => frames.push(frame), { readChunkSize });
    expect(frames).toHaveLength(1);
    expect(summary.problems).toEqual([{ message: cases[0].message, offset: at, frame: null }]);
    expect(summary.fatal).toBe(true);
  });
});

describe('timestamp units', () => {
  // Hand-computed: 1700000000.123456789 s expressed in each unit, converted back to microseconds
  // (rounded down), with if_tsoffset where given.
  test.each([
    { byte: 6, text: '1e-6', units: 1_700_000_000_123_456n, offset: 0, micros: 1_700_000_000_123_456 },
    { byte: 9, text: '1e-9', units: 1_700_000_000_123_456_789n, offset: 0, micros: 1_700_000_000_123_456 },
    { byte: 9, text: '1e-9', units: 4_102_444_800_999_999_999n, offset: 0, micros: 4_102_444_800_999_999 }, // 2100-01-01, high word above 2^32 / 1000
    { byte: 12, text: '1e-12', units: 123_456_789_012_345n, offset: 0, micros: 123_456_789 }, // picoseconds: 64 bits hold 213 days
    { byte: 15, text: '1e-15', units: 1_700_000_000_123_456_789n, offset: 0, micros: 1_700_000_000 },
    { byte: 3, text: '1e-3', units: 1_700_000_000_123n, offset: -3600, micros: 1_699_996_400_123_000 },
    { byte: 0, text: '1e-0', units: 1_700_000_000n, offset: 0, micros: 1_700_000_000_000_000 },
    { byte: 0x8a, text: '2^-10', units: 1_700_000_000n * 1024n + 1n, offset: 0, micros: 1_700_000_000_000_976 }, // 1/1024 s = 976.5625 us
    { byte: 0x94, text: '2^-20', units: 1_700_000_000n * 1048576n + 524288n, offset: 0, micros: 1_700_000_000_500_000 },
  ])('if_tsresol $byte ($text), offset $offset s', ({ byte, text, units, offset, micros }) => {
    const resolution = decodeTsresol(byte);
    expect(formatTsresol(resolution)).toBe(text);
    const convert = timestampConverter(resolution, offset);
    expect(convert(Number(units >> 32n), Number(units & 0xffffffffn))).toBe(micros);
  });

  test('nanoseconds: the fast split division agrees with BigInt on awkward values', () => {
    // Generated: high words near multiples of 1000 and low words at the extremes.
    const convert = timestampConverter({ base: 10, exponent: 9 }, 0);
    for (const high of [0, 1, 999, 1000, 1001, 395_812_345, 0xffffffff]) {
      for (const low of [0, 1, 999, 1000, 0x7fffffff, 0xfffffc17, 0xffffffff]) {
        const expected = Number(((BigInt(high) << 32n) + BigInt(low)) / 1000n);
        expect(convert(high, low)).toBe(expected);
      }
    }
  });
});
