/**
 * Shared settings of the property-based tests (fast-check): one fixed seed, so a failure shows
 * again on every run and machine (fast-check prints the seed and the shrunk counterexample), and
 * a time bound per example, so a decoder that loops on some input fails instead of hanging.
 */
import fc from 'fast-check';

/** The seed of every property in the suite: change it only to look at other examples on purpose. */
export const PROPERTY_SEED = 20261202;

/** fast-check parameters: the suite's seed and `numRuns` examples. */
export function runs(numRuns = 200): fc.Parameters<unknown> {
  return { seed: PROPERTY_SEED, numRuns };
}

/** Milliseconds one example may take: far above what any of these inputs needs (a few KB each). */
export const EXAMPLE_MILLIS = 2000;

/** Runs `body`, failing when it takes longer than EXAMPLE_MILLIS (a loop that ends, but far too late). */
export function bounded<T>(body: () => T, millis = EXAMPLE_MILLIS): T {
  const start = performance.now();
  const result = body();
  const took = performance.now() - start;
  if (took > millis) throw new Error(`took ${Math.round(took)} ms, more than ${millis} ms`);
  return result;
}

/** `bytes` cut at the given points (sorted, deduplicated, within the buffer) into consecutive pieces. */
export function cutAt(bytes: Uint8Array, points: number[]): Buffer[] {
  const cuts = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut < from) continue;
    pieces.push(Buffer.from(bytes.subarray(from, cut)));
    from = cut;
  }
  return pieces;
}

/** Arbitrary cut points for `cutAt`. */
export const cutPoints = fc.array(fc.nat({ max: 1 << 16 }), { maxLength: 12 });

/** Strings of latin1 characters (one per byte), as control lines are held. */
export const latin1 = (maxLength = 200) => fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength });

export { fc };
