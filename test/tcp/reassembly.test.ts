import { describe, expect, test } from 'vitest';
import { StreamReassembler, type ReassembledChunk } from '../../src/tcp/reassembly';

const frame = (n: number) => ({ input: 0, frame: n });

/** Runs segments (seq, text) through a reassembler and returns what came out, gaps as «N». */
function run(segments: Array<[number, string]>, options: { isn?: number; cap?: number } = {}): string {
  let out = '';
  const r = new StreamReassembler(
    (c: ReassembledChunk) => {
      out += c.kind === 'data' ? c.bytes.toString('latin1') : `«${c.length}»`;
    },
    options.cap ?? 1 << 20,
  );
  if (options.isn !== undefined) r.start(options.isn);
  segments.forEach(([seq, text], i) => {
    r.push(seq >>> 0, Buffer.from(text, 'latin1'), frame(i + 1), i);
  });
  r.flush();
  return out;
}

/** Splits `text` starting at sequence `base` into segments of `size` bytes. */
function split(text: string, base: number, size: number): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (let i = 0; i < text.length; i += size) out.push([(base + i) >>> 0, text.slice(i, i + size)]);
  return out;
}

const message = 'USER anonymous\r\nPASS guest@\r\nPASV\r\nRETR one-mb.bin\r\n';

describe('StreamReassembler', () => {
  // Generated sequences: the same bytes must come out however the stream was cut.
  test.each([1, 2, 3, 7, 16, message.length])('in-order segments of %i bytes', (size) => {
    expect(run(split(message, 1000, size))).toBe(message);
  });

  test.each([1, 3, 5])('reversed segments of %i bytes', (size) => {
    expect(run(split(message, 1000, size).reverse(), { isn: 1000 })).toBe(message);
  });

  test.each([1, 4])('every segment sent twice (retransmission), %i-byte segments', (size) => {
    const segs = split(message, 5, size).flatMap((s) => [s, s]);
    expect(run(segs)).toBe(message);
  });

  test('random permutations with duplicates deliver the stream once', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let round = 0; round < 200; round++) {
      const size = 1 + Math.floor(random() * 8);
      const segs = split(message, 77, size);
      const shuffled = [...segs, ...segs.filter(() => random() < 0.3)].sort(() => random() - 0.5);
      expect(run(shuffled, { isn: 77 })).toBe(message);
    }
  });

  test('overlapping retransmission keeps the first copy and adds only the new tail', () => {
    expect(
      run([
        [0, 'abcd'],
        [2, 'XXef'],
        [6, 'gh'],
      ]),
    ).toBe('abcdefgh');
  });

  test('sequence numbers wrapping past 2^32', () => {
    const base = 0xffffffff - 5;
    expect(run(split(message, base, 4))).toBe(message);
    expect(run(split(message, base, 3).reverse(), { isn: base })).toBe(message);
  });

  test('a hole that is never filled becomes a gap marker at flush', () => {
    expect(
      run([
        [0, 'abc'],
        [6, 'ghi'],
      ]),
    ).toBe('abc«3»ghi');
  });

  test('out-of-order buffer cap: the hole is given up instead of growing memory', () => {
    const chunks: ReassembledChunk[] = [];
    const r = new StreamReassembler((c) => chunks.push(c), 8);
    r.start(0);
    r.push(0, Buffer.from('ab'), frame(1), 1);
    r.push(10, Buffer.from('0123456789'), frame(2), 2); // 10 bytes buffered > cap 8
    expect(chunks.map((c) => (c.kind === 'gap' ? `gap ${c.length}` : c.bytes.toString()))).toEqual(['ab', 'gap 8', '0123456789']);
    expect(r.overflows).toBe(1);
    expect(r.gapBytes).toBe(8);
  });

  test('delivered chunks name the frame that carried them', () => {
    const frames: number[] = [];
    const r = new StreamReassembler((c) => frames.push(c.frame.frame), 1000);
    r.start(0);
    r.push(3, Buffer.from('def'), frame(2), 2);
    r.push(0, Buffer.from('abc'), frame(3), 3);
    expect(frames).toEqual([3, 2]);
  });
});

describe('StreamReassembler: overlaps that disagree', () => {
  /** Runs segments and returns the output and the conflicts reported as [length, frame]. */
  function conflicts(segments: Array<[number, string]>, isn = 0): { out: string; reported: Array<[number, number]> } {
    let out = '';
    const reported: Array<[number, number]> = [];
    const r = new StreamReassembler(
      (c) => {
        out += c.kind === 'data' ? c.bytes.toString('latin1') : `«${c.length}»`;
      },
      1 << 20,
      { conflict: (length, f) => reported.push([length, f.frame]) },
    );
    r.start(isn);
    segments.forEach(([seq, text], i) => {
      r.push(seq >>> 0, Buffer.from(text, 'latin1'), frame(i + 1), i);
    });
    r.flush();
    return { out, reported };
  }

  // biome-ignore format: a table, one row a line
  test.each<[string, Array<[number, string]>, string, Array<[number, number]>]>([
    ['identical retransmission', [[0, 'abcd'], [0, 'abcd']], 'abcd', []],
    ['retransmission with other bytes (delivered copy wins)', [[0, 'abcd'], [0, 'abXd']], 'abcd', [[4, 2]]],
    ['overlap of the tail differs', [[0, 'abcd'], [2, 'cXef']], 'abcdef', [[2, 2]]],
    ['overlap of the tail agrees', [[0, 'abcd'], [2, 'cdef']], 'abcdef', []],
    ['two buffered copies differ (first buffered wins)', [[4, 'efgh'], [4, 'eXgh'], [0, 'abcd']], 'abcdefgh', [[4, 2]]],
    ['buffered segment overlapping delivered bytes differs', [[6, 'Xhij'], [0, 'abcdefg']], 'abcdefghij', [[1, 1]]],
    ['wrap-around: a differing retransmission across 2^32', [[0xfffffffe, 'abcd'], [0xfffffffe, 'abcX']], 'abcd', [[4, 2]]],
  ])('%s', (_name, segments, expected, reported) => {
    const isn = segments.reduce((min, [seq]) => (seqBefore(seq, min) ? seq : min), segments[0][0]);
    expect(conflicts(segments, isn)).toEqual({ out: expected, reported });
  });

  test('random duplicates and permutations never report a conflict', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let round = 0; round < 200; round++) {
      const base = round % 2 === 0 ? 0xfffffff0 : 1000;
      // Overlapping segments: random starts and lengths over the message.
      const segs: Array<[number, string]> = [];
      for (let i = 0; i < message.length; ) {
        const size = 1 + Math.floor(random() * 9);
        segs.push([(base + i) >>> 0, message.slice(i, i + size)]);
        const back = Math.floor(random() * 3);
        i += Math.max(1, size - back);
      }
      const shuffled = [...segs, ...segs.filter(() => random() < 0.3)].sort(() => random() - 0.5);
      expect(conflicts(shuffled, base)).toEqual({ out: message, reported: [] });
    }
  });

  test('a conflict older than the remembered window is not compared (no false alarm, no error)', () => {
    const long = 'x'.repeat(3000);
    expect(
      conflicts([
        [0, long],
        [0, 'y'.repeat(100)],
      ]).reported,
    ).toEqual([]);
  });

  test('the overflow event reports the buffered bytes', () => {
    const overflows: number[] = [];
    const r = new StreamReassembler(() => undefined, 8, { overflow: (buffered) => overflows.push(buffered) });
    r.start(0);
    r.push(4, Buffer.from('0123456789'), frame(1), 1);
    expect(overflows).toEqual([10]);
  });

  test('memory stays bounded: a stream of early segments never holds more than the cap', () => {
    const r = new StreamReassembler(() => undefined, 4096);
    r.start(0);
    // Every segment leaves a 1-byte hole: nothing can be delivered in order.
    for (let i = 0; i < 10_000; i++) r.push(1 + i * 101, Buffer.alloc(100, 0x41), frame(i + 1), i);
    expect((r as unknown as { pendingBytes: number }).pendingBytes).toBeLessThanOrEqual(4096);
    expect(r.overflows).toBeGreaterThan(100);
  });
});

/** True when sequence number `a` comes before `b` (modulo 2^32). */
function seqBefore(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

describe('StreamReassembler: bytes taken in order by the caller (continuesAt / advance)', () => {
  const frame = { input: 0, frame: 1 };
  test('only without remembered bytes, at the next sequence number, with nothing buffered', () => {
    const delivered: ReassembledChunk[] = [];
    const bulk = new StreamReassembler((c) => delivered.push(c), 1 << 20, {}, 0);
    bulk.start(1000);
    expect(bulk.continuesAt(1000)).toBe(true);
    expect(bulk.continuesAt(1001)).toBe(false);
    bulk.advance(10);
    expect(bulk.continuesAt(1010)).toBe(true);
    // A segment after a hole is buffered: the next in-order one must go through push.
    bulk.push(1020, Buffer.from('later'), frame, 0);
    expect(bulk.continuesAt(1010)).toBe(false);
    bulk.push(1010, Buffer.from('0123456789'), frame, 0);
    expect(delivered.map((c) => (c.kind === 'data' ? c.bytes.toString() : `gap ${c.length}`))).toEqual(['0123456789', 'later']);
    expect(bulk.continuesAt(1025)).toBe(true);
    // The control streams remember bytes to compare retransmissions: never taken past them.
    const control = new StreamReassembler(() => undefined, 1 << 20);
    control.start(5);
    expect(control.continuesAt(5)).toBe(false);
  });
});
