/**
 * Exact duplicates and backward time steps, frame by frame. The frames are short byte strings
 * written here; what matters is which bytes are equal and how far apart in time they are.
 */
import { describe, expect, test } from 'vitest';
import { DuplicateFilter, fingerprint } from '../../src/capture/duplicates';
import type { CapturedFrame } from '../../src/types';

let number = 0;
function frame(bytes: string, timeMicros: number, input = 0): CapturedFrame {
  const data = Buffer.from(bytes, 'latin1');
  return { ref: { input, frame: ++number }, timeMicros, linkType: 1, data, originalLength: data.length };
}

describe('exact duplicates', () => {
  // biome-ignore format: a table, one row a line
  test.each<[string, Array<[string, number]>, boolean[]]>([
    ['a copy with the same time', [['abc', 0], ['abc', 0]], [false, true]],
    ['a copy 0.3 ms later', [['abc', 0], ['abc', 300]], [false, true]],
    ['a copy 0.3 ms earlier (merged out of order)', [['abc', 300], ['abc', 0]], [false, true]],
    // A retransmission may carry the same bytes (IP ID 0, no TCP timestamps): it comes later.
    ['the same bytes 1 ms later: a retransmission', [['abc', 0], ['abc', 1000]], [false, false]],
    ['other bytes', [['abc', 0], ['abd', 0]], [false, false]],
    ['three copies', [['abc', 0], ['abc', 0], ['abc', 0]], [false, true, true]],
    ['interleaved pairs, as from two mirror ports', [['a1', 0], ['a1', 1], ['b2', 5], ['b2', 6]], [false, true, false, true]],
  ])('%s', (_name, frames, expected) => {
    const filter = new DuplicateFilter(500, 1024);
    expect(frames.map(([bytes, time]) => filter.isDuplicate(frame(bytes, time)))).toEqual(expected);
    expect(filter.duplicates).toBe(expected.filter(Boolean).length);
  });

  test('the table is bounded: a full table overwrites older fingerprints', () => {
    const filter = new DuplicateFilter(500, 2);
    for (let i = 0; i < 100; i++) filter.isDuplicate(frame(`f${i}`, 0));
    // The newest is still known; most of the 100 cannot be (2 slots).
    expect(filter.isDuplicate(frame('f99', 0))).toBe(true);
    const known = Array.from({ length: 99 }, (_, i) => filter.isDuplicate(frame(`f${i}`, 0))).filter(Boolean).length;
    expect(known).toBeLessThanOrEqual(2);
  });

  test('only the length, the first 80 and the last 16 bytes are fingerprinted', () => {
    const long = (middle: string) => Buffer.from(`${'h'.repeat(80)}${middle}${'t'.repeat(16)}`);
    const print = (bytes: Buffer, length: number) => {
      const out = new Int32Array(2);
      fingerprint(bytes, length, out);
      return [...out];
    };
    expect(print(long('x'), 97)).toEqual(print(long('y'), 97));
    expect(print(long('x'), 97)).not.toEqual(print(long('xx'), 98));
  });
});

describe('time going backwards', () => {
  // biome-ignore format: a table, one row a line
  test.each<[string, Array<[number, number]>, Array<[number, number, number]>]>([
    ['in order', [[0, 0], [0, 10], [0, 10]], []],
    ['one step back', [[0, 100], [0, 200], [0, 50]], [[0, 1, 150]]],
    ['two steps back, the largest kept', [[0, 100], [0, 50], [0, 500], [0, 100]], [[0, 2, 400]]],
    ['per input: two files each in order', [[0, 100], [1, 50], [0, 150], [1, 60]], []],
    ['a step back within the tolerance (recorder jitter)', [[0, 100], [0, 95], [0, 200]], []],
  ])('%s', (_name, frames, expected) => {
    const filter = new DuplicateFilter(0, 16, 5);
    frames.forEach(([input, time], i) => { filter.watchTime(frame(`f${i}`, time, input)); });
    expect([...filter.reversals].map(([input, r]) => [input, r.count, r.largestStepMicros])).toEqual(expected);
  });
});
