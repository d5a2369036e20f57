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
  /** A conflict was already reported for this segment. */
  conflicted: boolean;
}

/** Reports from a reassembler besides the bytes: what a capture of a messy network looks like. */
export interface ReassemblyEvents {
  /** A retransmission carried bytes that differ from the copy already received; the first copy is kept. */
  conflict(length: number, frame: FrameRef, timeMicros: number): void;
  /** The out-of-order buffer went over its cap: the hole before the buffered bytes is given up. */
  overflow(buffered: number, frame: FrameRef, timeMicros: number): void;
  /** A retransmission reached back further than the bytes remembered: its older bytes were not compared. */
  forgotten(length: number, frame: FrameRef, timeMicros: number): void;
}

/** Delivered bytes remembered per direction by default (AnalyzerOptions.maxRememberedBytes). */
const RECENT_BYTES = 1024;

/**
 * The largest receive window TCP can offer (RFC 7323 §2.3: 65535 << 14, just under 2^30). A
 * segment that starts further ahead than this cannot be in any window: it is not buffered (a
 * damaged sequence number would otherwise open a gap of up to 2 GiB).
 */
export const MAX_WINDOW = 1 << 30;

/** Signed distance from `b` to `a` in 32-bit sequence space (RFC 793 modular comparison). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/**
 * Reassembles one direction of a TCP connection into ordered bytes.
 *
 * Bytes are delivered exactly once in sequence order: retransmitted and overlapping bytes are
 * dropped (the first copy wins; when the copies differ, `events.conflict` says so, as far as the
 * last `rememberedBytes` delivered bytes and the buffered ones allow comparing; `events.forgotten`
 * says when a retransmission reaches back further), segments that arrive
 * early are buffered until the hole before them is filled. When the buffered bytes exceed
 * `maxBuffered` (`events.overflow`), or at `flush()`, the hole is given up: a gap marker with its
 * length is delivered and the buffered bytes follow it.
 */
export class StreamReassembler {
  private nextSeq: number | null = null;
  private pending: PendingSegment[] = [];
  private pendingBytes = 0;
  /** Bytes given up as gaps so far. */
  gapBytes = 0;
  /** Times the out-of-order buffer reached its cap. */
  overflows = 0;
  /** Segments whose overlapping bytes differed from the copy kept. */
  conflicts = 0;
  /** The last delivered bytes, as a ring indexed by sequence number; allocated at first delivery. */
  private recent: Buffer | null = null;
  /**
   * Bytes delivered since the last gap: the ring holds the last min(this, rememberedBytes) of them.
   * Bytes before a gap are not compared with: the ring's places for the gap's bytes hold nothing.
   */
  private delivered = 0;
  /** Segments dropped because they started beyond any window (see MAX_WINDOW). */
  outOfWindow = 0;

  constructor(
    private readonly sink: (chunk: ReassembledChunk) => void,
    private readonly maxBuffered: number,
    private readonly events: Partial<ReassemblyEvents> = {},
    /**
     * Delivered bytes remembered to compare retransmissions with (control lines are short); 0 for
     * bulk data, where the copy per segment costs more than a conflict report is worth.
     */
    private readonly rememberedBytes: number = RECENT_BYTES,
  ) {}

  /** Sets the sequence number of the first payload byte (ISN + 1 after a SYN). */
  start(seq: number): void {
    if (this.nextSeq === null) this.nextSeq = seq >>> 0;
  }

  get started(): boolean {
    return this.nextSeq !== null;
  }

  /**
   * Whether a segment starting at `seq` continues the stream with nothing buffered and no bytes
   * remembered: then its caller may take the bytes itself and `advance` past them, which is the
   * same as `push` without making a view of the frame for them (bulk data, the common case).
   */
  continuesAt(seq: number): boolean {
    return this.nextSeq === seq && this.pending.length === 0 && this.rememberedBytes === 0;
  }

  /** The caller took `length` bytes that continued the stream (see `continuesAt`). */
  advance(length: number): void {
    this.nextSeq = ((this.nextSeq as number) + length) >>> 0;
  }

  /** Feeds a segment's payload starting at sequence number `seq`. */
  push(seq: number, payload: Buffer, frame: FrameRef, timeMicros: number): void {
    if (payload.length === 0) return;
    if (this.nextSeq === null) this.nextSeq = seq >>> 0;
    let offset = seqDiff(seq, this.nextSeq);
    let bytes = payload;
    if (offset < 0) {
      // Starts before what was already delivered: keep only the new tail, if any.
      this.checkDelivered(offset, bytes, frame, timeMicros);
      if (offset + bytes.length <= 0) return;
      bytes = bytes.subarray(-offset);
      offset = 0;
    }
    if (offset === 0) {
      this.deliver(bytes, frame, timeMicros);
      this.drain();
      return;
    }
    if (offset > MAX_WINDOW) {
      this.outOfWindow++;
      return;
    }
    this.store(offset, bytes, frame, timeMicros);
    if (this.pendingBytes > this.maxBuffered) {
      this.overflows++;
      this.events.overflow?.(this.pendingBytes, frame, timeMicros);
      this.skipToFirstPending();
    }
  }

  /**
   * The peer acknowledged bytes up to `ack`: when that is past a hole, the peer has bytes the
   * capture never showed, so no retransmission will fill the hole; it is given up at once, so the
   * bytes after it are not held back behind the other direction.
   */
  acknowledge(ack: number): void {
    if (this.nextSeq === null) return;
    while (this.pending.length > 0 && seqDiff(ack >>> 0, this.nextSeq) > 0) this.skipToFirstPending();
  }

  /** Gives up on every hole: delivers gaps and the buffered bytes. Call at the end of the capture. */
  flush(): void {
    while (this.pending.length > 0) this.skipToFirstPending();
  }

  private deliver(bytes: Buffer, frame: FrameRef, timeMicros: number): void {
    this.remember(bytes);
    this.nextSeq = ((this.nextSeq as number) + bytes.length) >>> 0;
    this.sink({ kind: 'data', bytes, frame, timeMicros });
  }

  /** Copies delivered bytes into the ring, at the positions of their sequence numbers. */
  private remember(bytes: Buffer): void {
    if (this.rememberedBytes === 0) return;
    const size = this.rememberedBytes;
    this.recent ??= Buffer.alloc(size);
    const from = Math.max(0, bytes.length - size);
    const seq = (this.nextSeq as number) + from;
    for (let i = from; i < bytes.length; i++) this.recent[(seq + i - from) % size] = bytes[i];
    this.delivered += bytes.length;
  }

  /**
   * Compares the part of a segment that lies before `nextSeq` (it starts `offset` < 0 bytes
   * before) with the delivered bytes still in the ring.
   */
  private checkDelivered(offset: number, bytes: Buffer, frame: FrameRef, timeMicros: number): void {
    const recent = this.recent;
    if (recent === null) return;
    const size = this.rememberedBytes;
    const remembered = Math.min(this.delivered, size);
    const overlapEnd = Math.min(bytes.length, -offset);
    const next = this.nextSeq as number;
    // Bytes delivered but no longer remembered: the ring was too small to compare them.
    const unremembered = Math.min(overlapEnd, -offset - remembered, this.delivered - remembered);
    if (unremembered > 0) this.events.forgotten?.(unremembered, frame, timeMicros);
    for (let i = Math.max(0, -offset - remembered); i < overlapEnd; i++) {
      const seq = (next + offset + i) >>> 0;
      if (recent[seq % size] !== bytes[i]) {
        this.conflict(overlapEnd, frame, timeMicros);
        return;
      }
    }
  }

  private conflict(length: number, frame: FrameRef, timeMicros: number): void {
    this.conflicts++;
    this.events.conflict?.(length, frame, timeMicros);
  }

  /** Stores an early segment; offsets are kept relative to the current `nextSeq`. */
  private store(offset: number, bytes: Buffer, frame: FrameRef, timeMicros: number): void {
    const seq = ((this.nextSeq as number) + offset) >>> 0;
    const conflicted = this.checkPending(seq, bytes, frame, timeMicros);
    // A segment wholly inside one already buffered adds nothing.
    if (this.pending.some((p) => seqDiff(seq, p.seq) >= 0 && seqDiff(seq, p.seq) + bytes.length <= p.bytes.length)) return;
    // Copy: the frame buffer belongs to the capture reader and may be reused.
    const copy = Buffer.from(bytes);
    let index = this.pending.length;
    while (index > 0 && seqDiff(this.pending[index - 1].seq, seq) > 0) index--;
    this.pending.splice(index, 0, { seq, bytes: copy, frame, timeMicros, conflicted });
    this.pendingBytes += copy.length;
  }

  /** Compares a segment with the buffered segments it overlaps; true when they differ. */
  private checkPending(seq: number, bytes: Buffer, frame: FrameRef, timeMicros: number): boolean {
    for (const other of this.pending) {
      const shift = seqDiff(other.seq, seq);
      const start = Math.max(0, shift);
      const end = Math.min(bytes.length, shift + other.bytes.length);
      for (let i = start; i < end; i++) {
        if (bytes[i] !== other.bytes[i - shift]) {
          this.conflict(end - start, frame, timeMicros);
          return true;
        }
      }
    }
    return false;
  }

  /** Delivers every buffered segment that now continues the stream, trimming overlaps. */
  private drain(): void {
    while (this.pending.length > 0) {
      const head = this.pending[0];
      const offset = seqDiff(head.seq, this.nextSeq as number);
      if (offset > 0) return;
      this.pending.shift();
      this.pendingBytes -= head.bytes.length;
      if (offset < 0 && !head.conflicted) this.checkDelivered(offset, head.bytes, head.frame, head.timeMicros);
      if (offset + head.bytes.length <= 0) continue;
      this.deliver(head.bytes.subarray(-offset), head.frame, head.timeMicros);
    }
  }

  private skipToFirstPending(): void {
    const head = this.pending[0];
    const missing = seqDiff(head.seq, this.nextSeq as number);
    if (missing > 0) {
      this.gapBytes += missing;
      this.delivered = 0;
      this.nextSeq = head.seq;
      this.sink({ kind: 'gap', length: missing, frame: head.frame, timeMicros: head.timeMicros });
    }
    this.drain();
  }
}
