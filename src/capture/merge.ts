/**
 * Merges the frames of several inputs by timestamp. Each input is an async iterator of batches
 * (the frames decoded from one read chunk, in file order); the merge itself is synchronous over the
 * batch heads and only awaits when an input's batch runs out, so per-frame work stays synchronous.
 *
 * Stable: frames with equal timestamps keep command-line order (then file order), and every
 * input's frames keep their file order even when its own timestamps go backwards.
 */
import type { CapturedFrame } from '../types';

export type FrameBatches = AsyncIterator<CapturedFrame[], void, undefined>;

interface Lane {
  /** Position on the command line: breaks ties. */
  order: number;
  batches: FrameBatches;
  batch: CapturedFrame[];
  position: number;
}

/** The next non-empty batch, or null when the input is finished. */
async function nextBatch(batches: FrameBatches): Promise<CapturedFrame[] | null> {
  for (;;) {
    const next = await batches.next();
    if (next.done) return null;
    if (next.value.length > 0) return next.value;
  }
}

/**
 * Calls `onFrame` for every frame of every input in timestamp order. If `onFrame` throws, the
 * inputs are closed (`return()`) and the error is rethrown.
 */
export async function mergeBatches(inputs: FrameBatches[], onFrame: (frame: CapturedFrame) => void): Promise<void> {
  let lanes: Lane[] = [];
  try {
    const firsts = await Promise.all(inputs.map((batches) => nextBatch(batches)));
    firsts.forEach((batch, order) => {
      if (batch !== null) lanes.push({ order, batches: inputs[order], batch, position: 0 });
    });
    while (lanes.length > 0) {
      // The lane with the earliest head (lowest order on ties), and the earliest head among the others.
      let best = lanes[0];
      let bestTime = best.batch[best.position].timeMicros;
      let runnerUp: Lane | null = null;
      let runnerUpTime = 0;
      for (let i = 1; i < lanes.length; i++) {
        const lane = lanes[i];
        const time = lane.batch[lane.position].timeMicros;
        if (time < bestTime) {
          runnerUp = best;
          runnerUpTime = bestTime;
          best = lane;
          bestTime = time;
        } else if (runnerUp === null || time < runnerUpTime) {
          runnerUp = lane;
          runnerUpTime = time;
        }
      }
      // Deliver from `best` while its frames come before the runner-up's head.
      const batch = best.batch;
      let position = best.position;
      if (runnerUp === null) {
        while (position < batch.length) onFrame(batch[position++]);
      } else {
        const bestFirstOnTies = best.order < runnerUp.order;
        do {
          onFrame(batch[position++]);
        } while (position < batch.length && (batch[position].timeMicros < runnerUpTime || (bestFirstOnTies && batch[position].timeMicros === runnerUpTime)));
      }
      best.position = position;
      if (position === batch.length) {
        const next = await nextBatch(best.batches);
        if (next === null) lanes = lanes.filter((lane) => lane !== best);
        else {
          best.batch = next;
          best.position = 0;
        }
      }
    }
  } catch (error) {
    await Promise.all(inputs.map((batches) => batches.return?.()));
    throw error;
  }
}
