/**
 * Properties of the capture readers (src/capture/), checked by fast-check with the suite's fixed
 * seed (test/properties.ts): no bytes make a reader throw or loop, and any bytes cut into any
 * pieces read exactly as the whole (frames and the summary with its problems); frames written as
 * classic pcap (either byte order, micro- or nanosecond) or pcapng (pcapng-builder.ts) read back
 * as they were; gzip data decompresses to what was compressed however it arrives; pcapng's
 * timestamp units convert exactly.
 */
import { gzipSync } from 'zlib';
import { describe, expect, test } from 'vitest';
import { decodeCapture } from '../../src/capture';
import { describeNotCapture } from '../../src/capture/detect';
import { gunzipChunks, gzipHeaderLength, type GzipOutcome } from '../../src/capture/gzip';
import { decodeTsresol, holdsDates, timestampConverter } from '../../src/capture/pcapng';
import { MAX_TIME_MICROS } from '../../src/capture/types';
import type { CapturedFrame } from '../../src/types';
import { bounded, cutAt, cutPoints, fc, runs } from '../properties';
import { PcapngBuilder } from './pcapng-builder';

function plain(frame: CapturedFrame) {
  return { ...frame.ref, timeMicros: frame.timeMicros, linkType: frame.linkType, hex: frame.data.toString('hex'), originalLength: frame.originalLength };
}

function decode(pieces: Buffer[], options: { maxRecordLength?: number | undefined; maxBlockLength?: number | undefined } = {}) {
  const frames: Array<ReturnType<typeof plain>> = [];
  const summary = decodeCapture(pieces, (frame) => frames.push(plain(frame)), options);
  return { summary, frames };
}

/** A classic pcap file header: magic in the file's byte order, version 2.4, snap length, link type. */
function pcapHeader(bigEndian: boolean, nanoseconds: boolean, snapLength: number, linkType: number): Buffer {
  const h = Buffer.alloc(24);
  const magic = nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4;
  if (bigEndian) {
    h.writeUInt32BE(magic, 0);
    h.writeUInt16BE(2, 4);
    h.writeUInt16BE(4, 6);
    h.writeUInt32BE(snapLength, 16);
    h.writeUInt32BE(linkType, 20);
  } else {
    h.writeUInt32LE(magic, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(snapLength, 16);
    h.writeUInt32LE(linkType, 20);
  }
  return h;
}

function pcapRecord(bigEndian: boolean, seconds: number, fraction: number, data: Buffer, originalLength: number): Buffer {
  const h = Buffer.alloc(16);
  const write = (value: number, at: number) => (bigEndian ? h.writeUInt32BE(value >>> 0, at) : h.writeUInt32LE(value >>> 0, at));
  write(seconds, 0);
  write(fraction, 4);
  write(data.length, 8);
  write(originalLength, 12);
  return Buffer.concat([h, data]);
}

/** Starts of every format, then anything: most examples get past the format check. */
const captureNoise = fc
  .tuple(
    fc.constantFrom(
      Buffer.alloc(0),
      pcapHeader(false, false, 65535, 1),
      pcapHeader(true, true, 96, 113),
      pcapHeader(false, false, 0xffffffff, 0),
      new PcapngBuilder(false).shb(),
      Buffer.concat([new PcapngBuilder(true).shb(), new PcapngBuilder(true).idb({ tsresol: 9 })]),
      Buffer.concat([new PcapngBuilder(false).shb(), new PcapngBuilder(false).idb({ tsresol: 0xff })]),
      Buffer.from([0x1f, 0x8b]),
    ),
    fc.uint8Array({ maxLength: 300 }),
  )
  .map(([head, rest]) => Buffer.concat([head, rest]));

describe('any bytes', () => {
  test('never make the readers throw or loop, and read the same in any pieces as whole', () => {
    fc.assert(
      fc.property(captureNoise, cutPoints, fc.constantFrom(undefined, 64, 262144), (bytes, cuts, maxRecordLength) => {
        const whole = bounded(() => decode([bytes], { maxRecordLength, maxBlockLength: maxRecordLength }));
        expect(decode(cutAt(bytes, cuts), { maxRecordLength, maxBlockLength: maxRecordLength })).toEqual(whole);
        // Reading stopped early only with a problem saying why.
        if (whole.summary.fatal) expect(whole.summary.problems.length).toBeGreaterThan(0);
      }),
      runs(1500),
    );
  });

  test('byte by byte, too', () => {
    fc.assert(
      fc.property(captureNoise, (bytes) => {
        expect(decode([...bytes].map((b) => Buffer.of(b)))).toEqual(decode([bytes]));
      }),
      runs(200),
    );
  });

  test('an input of no known format is described in plain, printable words', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat({ max: 100 }), (bytes, size) => {
        const message = bounded(() => describeNotCapture(Buffer.from(bytes), size));
        expect(message).toMatch(/^[\x20-\x7e]+$/);
      }),
      runs(500),
    );
  });
});

const frameList = fc.array(
  fc.record({
    seconds: fc.nat({ max: 0xffffffff }),
    fraction: fc.nat({ max: 999_999_999 }),
    data: fc.uint8Array({ maxLength: 120 }),
    extra: fc.nat({ max: 2000 }),
  }),
  { maxLength: 12 },
);

describe('frames written and read back', () => {
  test('classic pcap, either byte order, micro- or nanoseconds, in any pieces', () => {
    fc.assert(
      fc.property(frameList, fc.boolean(), fc.boolean(), cutPoints, (list, bigEndian, nanoseconds, cuts) => {
        const perSecond = nanoseconds ? 1e9 : 1e6;
        const records = list.map((f) => pcapRecord(bigEndian, f.seconds, f.fraction % perSecond, Buffer.from(f.data), f.data.length + f.extra));
        const file = Buffer.concat([pcapHeader(bigEndian, nanoseconds, 65535, 1), ...records]);
        const { summary, frames } = decode(cutAt(file, cuts));
        expect(summary.problems).toEqual([]);
        expect(summary.format).toBe(nanoseconds ? 'pcap-nsec' : 'pcap');
        expect(frames).toEqual(
          list.map((f, i) => ({
            input: 0,
            frame: i + 1,
            timeMicros: f.seconds * 1e6 + (nanoseconds ? Math.floor((f.fraction % 1e9) / 1000) : f.fraction % 1e6),
            linkType: 1,
            hex: Buffer.from(f.data).toString('hex'),
            originalLength: f.data.length + f.extra,
          })),
        );
        expect(summary.truncatedPackets).toBe(list.filter((f) => f.extra > 0).length);
      }),
      runs(300),
    );
  });

  test('pcapng, either byte order, micro- or nanosecond interfaces, in any pieces', () => {
    fc.assert(
      fc.property(frameList, fc.boolean(), fc.constantFrom(6, 9), cutPoints, (list, bigEndian, tsresol, cuts) => {
        const b = new PcapngBuilder(bigEndian);
        const unit = 10n ** BigInt(tsresol);
        const blocks = list.map((f) =>
          b.epb({ timestamp: BigInt(f.seconds) * unit + (BigInt(f.fraction) % unit), data: Buffer.from(f.data), originalLength: f.data.length + f.extra }),
        );
        const file = Buffer.concat([b.shb(), b.idb({ linkType: 1, tsresol }), ...blocks]);
        const { summary, frames } = decode(cutAt(file, cuts));
        expect(summary.problems).toEqual([]);
        expect(frames).toEqual(
          list.map((f, i) => ({
            input: 0,
            frame: i + 1,
            timeMicros: f.seconds * 1e6 + Math.floor((f.fraction % Number(unit)) / (tsresol === 9 ? 1000 : 1)),
            linkType: 1,
            hex: Buffer.from(f.data).toString('hex'),
            originalLength: f.data.length + f.extra,
          })),
        );
      }),
      runs(300),
    );
  });

  test('pcapng timestamps in any unit convert exactly (rounded down), as BigInt arithmetic says', () => {
    fc.assert(
      fc.property(fc.nat({ max: 255 }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (byte, high, low) => {
        const resolution = decodeTsresol(byte);
        if (!holdsDates(resolution)) return;
        const divisor = resolution.base === 10 ? 10n ** BigInt(resolution.exponent) : 1n << BigInt(resolution.exponent);
        const exact = (((BigInt(high) << 32n) + BigInt(low)) * 1_000_000n) / divisor;
        // Only times a report can show matter; beyond them the reader refuses the time anyway.
        if (exact > BigInt(MAX_TIME_MICROS)) return;
        const micros = timestampConverter(resolution, 0)(high, low);
        expect(Math.abs(micros - Number(exact))).toBeLessThanOrEqual(Number(exact) > 2 ** 53 ? Number(exact) * 2 ** -52 : 0);
      }),
      runs(3000),
    );
  });
});

/** Everything gunzipChunks yields for `raw` cut into `pieces`, and how it ended. */
async function gunzip(raw: Buffer[], pieceSize: number) {
  async function* chunks() {
    for (const chunk of raw.slice(1)) yield chunk;
  }
  const outcome: GzipOutcome = { problem: null, fatal: false };
  const out: Buffer[] = [];
  const start = performance.now();
  for await (const chunk of gunzipChunks(raw[0] ?? Buffer.alloc(0), chunks(), pieceSize, { bytes: 0, rawBytes: 0 }, outcome)) out.push(Buffer.from(chunk));
  expect(performance.now() - start).toBeLessThan(5000);
  return { bytes: Buffer.concat(out), outcome };
}

describe('gzip (RFC 1952)', () => {
  test('members, however the compressed bytes arrive, decompress to what was compressed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 2000 }), { minLength: 1, maxLength: 3 }),
        cutPoints,
        fc.constantFrom(1, 7, 512, 65536),
        async (members, cuts, pieceSize) => {
          const compressed = Buffer.concat(members.map((m) => gzipSync(Buffer.from(m))));
          const pieces = cutAt(compressed, cuts).filter((p) => p.length > 0);
          const { bytes, outcome } = await gunzip(pieces, pieceSize);
          expect(outcome.problem).toBeNull();
          expect(bytes.equals(Buffer.concat(members.map((m) => Buffer.from(m))))).toBe(true);
        },
      ),
      runs(150),
    );
  });

  test('damaged or cut gzip data never throws: it ends with a problem saying what happened', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 1500 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 4 }),
        fc.nat(),
        cutPoints,
        async (data, flips, cut, cuts) => {
          const compressed = Buffer.from(gzipSync(Buffer.from(data)));
          for (const [at, value] of flips) compressed[at % compressed.length] = value;
          const damaged = compressed.subarray(0, compressed.length - (cut % 3 === 0 ? cut % compressed.length : 0));
          if (damaged.length < 2 || damaged[0] !== 0x1f || damaged[1] !== 0x8b) return;
          const { outcome } = await gunzip(
            cutAt(damaged, cuts).filter((p) => p.length > 0),
            7,
          );
          if (outcome.problem !== null) expect(outcome.problem.message).toMatch(/\S/);
        },
      ),
      runs(200),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => void bounded(() => gzipHeaderLength(Buffer.from(bytes)))),
      runs(500),
    );
  });
});
