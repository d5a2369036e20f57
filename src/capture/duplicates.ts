/**
 * Frames a capture holds twice, and time that runs backwards. Two mirror ports feeding one
 * capture, two interfaces on one path, or a file merged with itself put every packet in the
 * capture twice: as two sessions, or retransmissions that never happened. A frame whose bytes are
 * those of a frame less than a short window away in time is an exact duplicate (as `editcap -d`
 * and `-w` decide), analyzed once and counted. Time that jumps back within one file by more than a
 * small tolerance (a file concatenated with another, or with itself) is recorded where it happens;
 * steps of a few microseconds are common in real captures (several CPUs or NIC queues hand frames
 * to the recorder) and say nothing.
 *
 * A bare TCP RST is left to the caller: a host answers every stray segment of a closed connection
 * with the same RST, byte for byte (IP ID 0), so identical RSTs are no sign of a doubled capture.
 *
 * Frames are compared by a fingerprint of their length, their first bytes (every header up to and
 * including TCP's sequence numbers and checksum, which covers the payload) and their last bytes,
 * not byte by byte: no copy of any frame is kept. Fingerprints are kept for at most `capacity`
 * frames (oldest forgotten first), so a file merged with itself end to end is recognised when it
 * has at most that many frames.
 */
import type { CapturedFrame, FrameRef } from '../types';

/** Bytes fingerprinted at the start and at the end of a frame. */
const HEAD_BYTES = 128;
const TAIL_BYTES = 64;

/** Where time first ran backwards in an input, how often, and by how much at most. */
export interface TimeReversal {
  /** The first frame whose time is earlier than the frame before it in the same input. */
  first: FrameRef;
  /** How far back it went there, in microseconds. */
  firstStepMicros: number;
  count: number;
  largestStepMicros: number;
}

export class DuplicateFilter {
  /** Fingerprint -> time of the frame that had it. */
  private readonly seen = new Map<number, number>();
  /** Latest time per input, to see time running backwards. */
  private readonly lastTime = new Map<number, number>();
  /** Time reversals per input. */
  readonly reversals = new Map<number, TimeReversal>();
  /** Frames found to be duplicates. */
  duplicates = 0;
  /** The first duplicate frame. */
  firstDuplicate: FrameRef | null = null;

  constructor(
    private readonly windowMicros: number,
    private readonly capacity: number,
    private readonly reversalToleranceMicros = 0,
  ) {}

  /** Records the frame; true when it is an exact copy of an earlier one within the window. */
  isDuplicate(frame: CapturedFrame): boolean {
    const key = fingerprint(frame.data, frame.originalLength);
    const earlier = this.seen.get(key);
    if (earlier !== undefined && Math.abs(frame.timeMicros - earlier) <= this.windowMicros) {
      this.duplicates++;
      this.firstDuplicate ??= frame.ref;
      return true;
    }
    if (earlier !== undefined) this.seen.delete(key);
    else if (this.seen.size >= this.capacity) this.seen.delete(this.seen.keys().next().value as number);
    this.seen.set(key, frame.timeMicros);
    return false;
  }

  /** Follows the frames' times per input, to see time running backwards. Every frame goes here. */
  watchTime(frame: CapturedFrame): void {
    const input = frame.ref.input;
    const last = this.lastTime.get(input);
    this.lastTime.set(input, frame.timeMicros);
    if (last === undefined || frame.timeMicros >= last) return;
    const step = last - frame.timeMicros;
    if (step <= this.reversalToleranceMicros) return;
    const reversal = this.reversals.get(input);
    if (reversal === undefined) {
      this.reversals.set(input, { first: frame.ref, firstStepMicros: step, count: 1, largestStepMicros: step });
    } else {
      reversal.count++;
      if (step > reversal.largestStepMicros) reversal.largestStepMicros = step;
    }
  }
}

/**
 * Two 32-bit FNV-1a style hashes with different primes over the length, the first HEAD_BYTES and
 * the last TAIL_BYTES of the frame, folded into one 53-bit number (a safe integer Map key).
 */
export function fingerprint(data: Uint8Array, originalLength: number): number {
  let a = 0x811c9dc5 ^ originalLength;
  let b = 0x01000193 ^ (data.length * 2654435761);
  const head = Math.min(data.length, HEAD_BYTES);
  for (let i = 0; i < head; i++) {
    a = Math.imul(a ^ data[i], 0x01000193);
    b = Math.imul(b ^ data[i], 0x5bd1e995);
  }
  for (let i = Math.max(head, data.length - TAIL_BYTES); i < data.length; i++) {
    a = Math.imul(a ^ data[i], 0x01000193);
    b = Math.imul(b ^ data[i], 0x5bd1e995);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 11) & 0x1fffff);
}
