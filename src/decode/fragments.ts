/**
 * IP fragment reassembly (RFC 791 section 3.2, RFC 8200 section 4.5) for datagrams carrying TCP
 * or a tunnel.
 * Bounded: at most `maxDatagrams` datagrams wait at once (the oldest is dropped first), each at
 * most 65535 payload bytes, and a datagram not completed within `timeoutMicros` is dropped.
 */
import type { IpFragment } from './result';

interface Pending {
  key: string;
  firstMicros: number;
  /** Fragments in arrival order; overlaps are resolved at assembly (the first copy wins). */
  pieces: IpFragment[];
  /** Payload length, known once the last fragment (More Fragments clear) arrived. */
  total: number | null;
  bytes: number;
}

export interface FragmentStats {
  /** Datagrams reassembled. */
  reassembled: number;
  /** Datagrams dropped: cut by the snap length, too large, timed out, or evicted by the cap. */
  dropped: number;
}

/** The largest IP payload a datagram can carry. */
const MAX_DATAGRAM_PAYLOAD = 65535;

export class FragmentTable {
  private readonly pending = new Map<string, Pending>();
  readonly stats: FragmentStats = { reassembled: 0, dropped: 0 };

  constructor(
    private readonly maxDatagrams: number,
    private readonly timeoutMicros: number,
  ) {}

  /**
   * Adds a fragment; returns the whole datagram payload (the TCP segment or tunnel packet) once every byte from 0
   * to the end is present, otherwise null.
   */
  add(fragment: IpFragment, timeMicros: number): Buffer | null {
    this.expire(timeMicros);
    const key = `${fragment.ipVersion}|${fragment.src}|${fragment.dst}|${fragment.protocol}|${fragment.id}`;
    let entry = this.pending.get(key);
    if (!entry) {
      if (this.pending.size >= this.maxDatagrams) this.dropOldest();
      entry = { key, firstMicros: timeMicros, pieces: [], total: null, bytes: 0 };
      this.pending.set(key, entry);
    }
    if (fragment.cut || fragment.offset + fragment.data.length > MAX_DATAGRAM_PAYLOAD) {
      this.drop(entry);
      return null;
    }
    // The frame's bytes belong to the capture reader: keep a copy.
    entry.pieces.push({ ...fragment, data: Buffer.from(fragment.data), addresses: Buffer.from(fragment.addresses) });
    entry.bytes += fragment.data.length;
    if (!fragment.more) entry.total = fragment.offset + fragment.data.length;
    return this.assemble(entry);
  }

  /** Whether earlier fragments of this fragment's datagram are waiting. */
  has(fragment: IpFragment): boolean {
    return this.pending.has(`${fragment.ipVersion}|${fragment.src}|${fragment.dst}|${fragment.protocol}|${fragment.id}`);
  }

  get size(): number {
    return this.pending.size;
  }

  private assemble(entry: Pending): Buffer | null {
    if (entry.total === null) return null;
    const pieces = [...entry.pieces].sort((a, b) => a.offset - b.offset);
    let covered = 0;
    for (const piece of pieces) {
      if (piece.offset > covered) return null; // a hole
      covered = Math.max(covered, piece.offset + piece.data.length);
    }
    if (covered < entry.total) return null;
    const out = Buffer.alloc(entry.total);
    const written = new Uint8Array(entry.total);
    // Arrival order: the first copy of an overlapping byte wins.
    for (const piece of entry.pieces) {
      for (let i = 0; i < piece.data.length && piece.offset + i < entry.total; i++) {
        const at = piece.offset + i;
        if (written[at]) continue;
        out[at] = piece.data[i];
        written[at] = 1;
      }
    }
    this.pending.delete(entry.key);
    this.stats.reassembled++;
    return out;
  }

  private expire(now: number): void {
    for (const entry of this.pending.values()) {
      if (now - entry.firstMicros <= this.timeoutMicros) break; // insertion order = age order
      this.drop(entry);
    }
  }

  private dropOldest(): void {
    const oldest = this.pending.values().next();
    if (!oldest.done) this.drop(oldest.value);
  }

  private drop(entry: Pending): void {
    if (this.pending.delete(entry.key)) this.stats.dropped++;
  }
}
