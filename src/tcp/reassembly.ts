import type { FrameRef } from '../types';

/** What the reassembler hands on: ordered bytes, or a marker for bytes the capture does not have. */
export type ReassembledChunk =
  | { kind: 'data'; bytes: Buffer; frame: FrameRef; timeMicros: number }
  | { kind: 'gap'; length: number; frame: FrameRef; timeMicros: number };

interface PendingSegment {
  /** Offset of the first byte relative to `nextSeq` at the time it was stored (uint32 space). */
  seq: number;
  bytes: Buffer;
  frame: FrameRef;
  timeMicros: number;
}

/** Signed distance from `b` to `a` in 32-bit sequence space (RFC 793 modular comparison). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/**
 * Reassembles one direction of a TCP connection into ordered bytes.
 *
 * Bytes are delivered exactly once in sequence order: retransmitted and overlapping bytes are
 * dropped (the first copy wins), segments that arrive early are buffered until the hole before
 * them is filled. When the buffered bytes exceed `maxBuffered`, or at `flush()`, the hole is given
 * up: a gap marker with its length is delivered and the buffered bytes follow it.
 */
export class StreamReassembler {
  private nextSeq: number | null = null;
  private pending: PendingSegment[] = [];
  private pendingBytes = 0;
  /** Bytes given up as gaps so far. */
  gapBytes = 0;
  /** Times the out-of-order buffer reached its cap. */
  overflows = 0;

  constructor(
    private readonly sink: (chunk: ReassembledChunk) => void,
    private readonly maxBuffered: number,
  ) {}

  /** Sets the sequence number of the first payload byte (ISN + 1 after a SYN). */
  start(seq: number): void {
    if (this.nextSeq === null) this.nextSeq = seq >>> 0;
  }

  get started(): boolean {
    return this.nextSeq !== null;
  }

  /** Feeds a segment's payload starting at sequence number `seq`. */
  push(seq: number, payload: Buffer, frame: FrameRef, timeMicros: number): void {
    if (payload.length === 0) return;
    if (this.nextSeq === null) this.nextSeq = seq >>> 0;
    let offset = seqDiff(seq, this.nextSeq);
    let bytes = payload;
    if (offset < 0) {
      // Starts before what was already delivered: keep only the new tail, if any.
      if (offset + bytes.length <= 0) return;
      bytes = bytes.subarray(-offset);
      offset = 0;
    }
    if (offset === 0) {
      this.deliver(bytes, frame, timeMicros);
      this.drain();
      return;
    }
    this.store(offset, bytes, frame, timeMicros);
    if (this.pendingBytes > this.maxBuffered) {
      this.overflows++;
      this.skipToFirstPending();
    }
  }

  /** Gives up on every hole: delivers gaps and the buffered bytes. Call at the end of the capture. */
  flush(): void {
    while (this.pending.length > 0) this.skipToFirstPending();
  }

  private deliver(bytes: Buffer, frame: FrameRef, timeMicros: number): void {
    this.nextSeq = ((this.nextSeq as number) + bytes.length) >>> 0;
    this.sink({ kind: 'data', bytes, frame, timeMicros });
  }

  /** Stores an early segment; offsets are kept relative to the current `nextSeq`. */
  private store(offset: number, bytes: Buffer, frame: FrameRef, timeMicros: number): void {
    const seq = ((this.nextSeq as number) + offset) >>> 0;
    // Copy: the frame buffer belongs to the capture reader and may be reused.
    const copy = Buffer.from(bytes);
    let index = this.pending.length;
    while (index > 0 && seqDiff(this.pending[index - 1].seq, seq) > 0) index--;
    this.pending.splice(index, 0, { seq, bytes: copy, frame, timeMicros });
    this.pendingBytes += copy.length;
  }

  /** Delivers every buffered segment that now continues the stream, trimming overlaps. */
  private drain(): void {
    while (this.pending.length > 0) {
      const head = this.pending[0];
      const offset = seqDiff(head.seq, this.nextSeq as number);
      if (offset > 0) return;
      this.pending.shift();
      this.pendingBytes -= head.bytes.length;
      if (offset + head.bytes.length <= 0) continue;
      this.deliver(head.bytes.subarray(-offset), head.frame, head.timeMicros);
    }
  }

  private skipToFirstPending(): void {
    const head = this.pending[0];
    const missing = seqDiff(head.seq, this.nextSeq as number);
    if (missing > 0) {
      this.gapBytes += missing;
      this.nextSeq = head.seq;
      this.sink({ kind: 'gap', length: missing, frame: head.frame, timeMicros: head.timeMicros });
    }
    this.drain();
  }
}
