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
 * not byte by byte: no copy of any frame is kept. Fingerprints are kept in a table of `capacity`
 * slots (newer ones overwrite older ones when it fills), so a file merged with itself end to end
 * is recognised in full when it has well under that many frames.
 */
import type { CapturedFrame, FrameRef } from '../types';

/**
 * Bytes fingerprinted at the start and at the end of a frame: the start covers the link, IP and
 * TCP headers up to TCP's checksum (Ethernet + IPv6 + 18 bytes of TCP = 72; VLAN tags or IP
 * options push it on, the tail then helps).
 */
const HEAD_BYTES = 80;
const TAIL_BYTES = 16;

/** Where time first ran backwards in an input, how often, and by how much at most. */
export interface TimeReversal {
  /** The first frame whose time is earlier than the frame before it in the same input. */
  first: FrameRef;
  /** How far back it went there, in microseconds. */
  firstStepMicros: number;
  count: number;
  largestStepMicros: number;
}

/** Slots looked at from a fingerprint's home slot before the home slot is overwritten. */
const PROBES = 8;

export class DuplicateFilter {
  /**
   * Fingerprints of recent frames in an open-addressed table (two 32-bit hashes and a time per
   * slot; hash 0 marks an empty slot): no allocation per frame, and a full table simply overwrites
   * older entries, so memory stays at `capacity` slots.
   */
  private readonly first: Int32Array;
  private readonly second: Int32Array;
  private readonly times: Float64Array;
  private readonly mask: number;
  /** Latest time per input, to see time running backwards. */
  private readonly lastTime = new Map<number, number>();
  /** Time reversals per input. */
  readonly reversals = new Map<number, TimeReversal>();
  /** Frames found to be duplicates. */
  duplicates = 0;
  /** The first duplicate frame. */
  firstDuplicate: FrameRef | null = null;

  /** `capacity` is rounded up to a power of two. */
  constructor(
    private readonly windowMicros: number,
    capacity: number,
    private readonly reversalToleranceMicros = 0,
  ) {
    let size = 1;
    while (size < capacity) size *= 2;
    this.first = new Int32Array(size);
    this.second = new Int32Array(size);
    this.times = new Float64Array(size);
    this.mask = size - 1;
  }

  /** Records the frame; true when it is an exact copy of an earlier one within the window. */
  isDuplicate(frame: CapturedFrame): boolean {
    fingerprint(frame.data, frame.originalLength, hashes);
    const a = hashes[0] === 0 ? 1 : hashes[0];
    const b = hashes[1];
    const home = b & this.mask;
    let free = -1;
    for (let probe = 0; probe < PROBES; probe++) {
      const slot = (home + probe) & this.mask;
      const stored = this.first[slot];
      if (stored === 0) {
        if (free < 0) free = slot;
        break;
      }
      if (stored === a && this.second[slot] === b) {
        if (Math.abs(frame.timeMicros - this.times[slot]) <= this.windowMicros) {
          this.duplicates++;
          this.firstDuplicate ??= frame.ref;
          return true;
        }
        free = slot;
        break;
      }
    }
    const slot = free >= 0 ? free : home;
    this.first[slot] = a;
    this.second[slot] = b;
    this.times[slot] = frame.timeMicros;
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

/** Scratch for fingerprint's two hashes. */
const hashes = new Int32Array(2);

/**
 * Two 32-bit FNV-1a style hashes with different primes over the length, the first HEAD_BYTES and
 * the last TAIL_BYTES of the frame, into `out` (two slots).
 */
export function fingerprint(data: Uint8Array, originalLength: number, out: Int32Array): void {
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
  out[0] = a;
  out[1] = b;
}
