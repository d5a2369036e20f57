/**
 * Properties of TCP reassembly (src/tcp/reassembly.ts), checked by fast-check with the suite's
 * fixed seed (test/properties.ts): one byte stream cut into segments at any points, sent in any
 * order, with duplicates, overlapping retransmissions and losses, from any initial sequence number
 * (across the 2^32 wrap, RFC 9293 §3.4): the bytes come out once each, in order, each where it
 * belongs, and holes come out as gaps of the right length; when nothing is lost, the stream comes
 * out whole. Segments of any numbers and bytes never make it throw or loop.
 */
import { describe, expect, test } from 'vitest';
import { MAX_WINDOW, StreamReassembler, type ReassembledChunk } from '../../src/tcp/reassembly';
import type { FrameRef } from '../../src/types';
import { bounded, fc, runs } from '../properties';

interface Segment {
  /** Offset in the stream. */
  at: number;
  bytes: Buffer;
}

/** The stream cut into consecutive segments at the given points. */
function segmentsOf(stream: Buffer, cuts: number[]): Segment[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].filter((c) => c > 0 && c < stream.length).sort((a, b) => a - b);
  const bounds = [0, ...points, stream.length];
  return bounds.slice(0, -1).map((at, i) => ({ at, bytes: stream.subarray(at, bounds[i + 1]) }));
}

/** A retransmission that spans several segments (as a sender repacketises after a loss). */
function merged(segments: Segment[], from: number, count: number): Segment {
  const run = segments.slice(from, from + count);
  return { at: run[0].at, bytes: Buffer.concat(run.map((s) => s.bytes)) };
}

const frame: FrameRef = { input: 0, frame: 1 };

/**
 * Feeds the segments to a reassembler started at `isn` (the SYN's sequence number), flushes, and
 * checks the chunks against the stream as they come: contiguous, each data byte the stream's byte
 * at its place. Returns where the output ended and the gap bytes.
 */
function reassemble(stream: Buffer, isn: number, order: Segment[], maxBuffered: number, acks: Array<number | null> = []) {
  let position = 0;
  let gapBytes = 0;
  let conflicts = 0;
  const sink = (chunk: ReassembledChunk) => {
    if (chunk.kind === 'gap') {
      expect(chunk.length).toBeGreaterThan(0);
      position += chunk.length;
      gapBytes += chunk.length;
      return;
    }
    expect(Buffer.from(chunk.bytes).equals(stream.subarray(position, position + chunk.bytes.length))).toBe(true);
    position += chunk.bytes.length;
  };
  const r = new StreamReassembler(sink, maxBuffered, { conflict: () => conflicts++ });
  r.start((isn + 1) >>> 0);
  order.forEach((s, i) => {
    r.push((isn + 1 + s.at) >>> 0, s.bytes, frame, i);
    const ack = acks[i];
    if (ack !== undefined && ack !== null) r.acknowledge((isn + 1 + ack) >>> 0);
  });
  r.flush();
  return { position, gapBytes, conflicts };
}

const isn = fc.oneof(fc.nat({ max: 0xffffffff }), fc.constantFrom(0xffffffff, 0xfffffff0, 0x7fffffff, 0));
const stream = fc.uint8Array({ minLength: 1, maxLength: 3000 }).map((b) => Buffer.from(b));
const cuts = fc.array(fc.nat(), { maxLength: 30 });

describe('a byte stream cut into segments', () => {
  test('in any order, with duplicates and overlapping retransmissions, comes out whole and once', () => {
    fc.assert(
      fc.property(stream, cuts, isn, fc.nat(), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 4 })), { maxLength: 6 }), (bytes, points, first, rotation, extra) => {
        const segments = segmentsOf(bytes, points);
        const order = segments.map((_, i) => segments[(i + rotation) % segments.length]);
        for (const [at, count] of extra) order.splice(at % (order.length + 1), 0, merged(segments, at % segments.length, count + 1));
        // The buffer holds every copy it keeps (overlapping ones too): room for all of them.
        const out = bounded(() => reassemble(bytes, first, order, 1 << 20));
        expect(out).toEqual({ position: bytes.length, gapBytes: 0, conflicts: 0 });
      }),
      runs(400),
    );
  });

  test('with losses, a small buffer and acknowledgements past the holes: every byte in its place, holes as gaps', () => {
    fc.assert(
      fc.property(
        stream,
        cuts,
        isn,
        fc.nat(),
        fc.array(fc.boolean(), { maxLength: 40 }),
        fc.integer({ min: 1, max: 4000 }),
        fc.array(fc.option(fc.nat({ max: 3000 })), { maxLength: 40 }),
        (bytes, points, first, rotation, lost, maxBuffered, acks) => {
          const segments = segmentsOf(bytes, points);
          const order = segments.map((_, i) => segments[(i + rotation) % segments.length]).filter((_, i) => !lost[i]);
          const out = bounded(() => reassemble(bytes, first, order, maxBuffered, acks));
          const end = Math.max(0, ...order.map((s) => s.at + s.bytes.length));
          // Everything up to the end of the last segment received came out, as bytes or as a gap.
          expect(out.position).toBe(end);
          expect(out.conflicts).toBe(0);
          if (order.length === segments.length && maxBuffered >= 2 * bytes.length && acks.every((a) => a === null)) expect(out.gapBytes).toBe(0);
        },
      ),
      runs(400),
    );
  });

  test('a retransmission with other bytes is reported, and the first copy kept', () => {
    fc.assert(
      fc.property(stream, cuts, isn, fc.nat(), (bytes, points, first, pick) => {
        const segments = segmentsOf(bytes, points);
        const target = segments[pick % segments.length];
        const changed = Buffer.from(target.bytes);
        changed[0] ^= 0xff;
        const out = reassemble(bytes, first, [...segments, { at: target.at, bytes: changed }], bytes.length);
        expect(out.position).toBe(bytes.length);
        expect(out.conflicts).toBe(1);
      }),
      runs(200),
    );
  });
});

describe('segments of any numbers and bytes', () => {
  test('never make the reassembler throw or loop, and no gap is wider than a TCP window', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), seq: fc.nat({ max: 0xffffffff }), length: fc.nat({ max: 3000 }), fill: fc.nat({ max: 255 }) }),
      fc.record({ kind: fc.constant('ack' as const), seq: fc.nat({ max: 0xffffffff }), length: fc.constant(0), fill: fc.constant(0) }),
      fc.record({ kind: fc.constant('near' as const), seq: fc.integer({ min: -5000, max: 5000 }), length: fc.nat({ max: 3000 }), fill: fc.nat({ max: 255 }) }),
    );
    fc.assert(
      fc.property(isn, fc.array(step, { maxLength: 60 }), fc.integer({ min: 1, max: 1 << 20 }), (first, steps, maxBuffered) => {
        let widest = 0;
        const r = new StreamReassembler((chunk) => {
          if (chunk.kind === 'gap') widest = Math.max(widest, chunk.length);
        }, maxBuffered);
        r.start(first);
        bounded(() => {
          for (const s of steps) {
            if (s.kind === 'ack') r.acknowledge(s.seq);
            else r.push(s.kind === 'near' ? (first + s.seq) >>> 0 : s.seq, Buffer.alloc(s.length, s.fill), frame, 0);
          }
          r.flush();
        });
        expect(widest).toBeLessThanOrEqual(MAX_WINDOW);
      }),
      runs(400),
    );
  });
});

describe('found by the properties', () => {
  test('a late copy of bytes already given up as a gap is not a conflicting retransmission', () => {
    // Bytes 0, 2, then an acknowledgement of byte 2 gives byte 1 up; byte 1 arrives after all.
    const stream = Buffer.from([0, 1, 0]);
    const segments = [2, 0, 1].map((at) => ({ at, bytes: stream.subarray(at, at + 1) }));
    expect(reassemble(stream, 0, segments, 1, [null, 2])).toEqual({ position: 3, gapBytes: 1, conflicts: 0 });
  });

  test('a segment beyond any window (a damaged sequence number) is dropped, not a 2 GiB gap', () => {
    const chunks: ReassembledChunk[] = [];
    const r = new StreamReassembler((chunk) => chunks.push(chunk), 1);
    r.start(1000);
    r.push((1000 + 2 ** 31 - 10) >>> 0, Buffer.from('garbage\r\n'), frame, 0);
    r.push(1000, Buffer.from('USER a\r\n'), frame, 1);
    r.flush();
    expect(chunks.map((c) => (c.kind === 'gap' ? `gap ${c.length}` : c.bytes.toString()))).toEqual(['USER a\r\n']);
    expect(r.outOfWindow).toBe(1);
  });
});
