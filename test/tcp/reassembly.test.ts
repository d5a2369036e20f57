import { describe, expect, test } from 'vitest';
import { StreamReassembler, type ReassembledChunk } from '../../src/tcp/reassembly';

const frame = (n: number) => ({ input: 0, frame: n });

/** Runs segments (seq, text) through a reassembler and returns what came out, gaps as «N». */
function run(segments: Array<[number, string]>, options: { isn?: number; cap?: number } = {}): string {
  let out = '';
  const r = new StreamReassembler((c: ReassembledChunk) => {
    out += c.kind === 'data' ? c.bytes.toString('latin1') : `«${c.length}»`;
  }, options.cap ?? 1 << 20);
  if (options.isn !== undefined) r.start(options.isn);
  segments.forEach(([seq, text], i) => r.push(seq >>> 0, Buffer.from(text, 'latin1'), frame(i + 1), i));
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
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let round = 0; round < 200; round++) {
      const size = 1 + Math.floor(random() * 8);
      const segs = split(message, 77, size);
      const shuffled = [...segs, ...segs.filter(() => random() < 0.3)].sort(() => random() - 0.5);
      expect(run(shuffled, { isn: 77 })).toBe(message);
    }
  });

  test('overlapping retransmission keeps the first copy and adds only the new tail', () => {
    expect(run([[0, 'abcd'], [2, 'XXef'], [6, 'gh']])).toBe('abcdefgh');
  });

  test('sequence numbers wrapping past 2^32', () => {
    const base = 0xffffffff - 5;
    expect(run(split(message, base, 4))).toBe(message);
    expect(run(split(message, base, 3).reverse(), { isn: base })).toBe(message);
  });

  test('a hole that is never filled becomes a gap marker at flush', () => {
    expect(run([[0, 'abc'], [6, 'ghi']])).toBe('abc«3»ghi');
  });

  test('out-of-order buffer cap: the hole is given up instead of growing memory', () => {
    const chunks: ReassembledChunk[] = [];
    const r = new StreamReassembler((c) => chunks.push(c), 8);
    r.start(0);
    r.push(0, Buffer.from('ab'), frame(1), 1);
    r.push(10, Buffer.from('0123456789'), frame(2), 2); // 10 bytes buffered > cap 8
    expect(chunks.map((c) => (c.kind === 'gap' ? `gap ${c.length}` : c.bytes.toString()))).toEqual([
      'ab',
      'gap 8',
      '0123456789',
    ]);
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
