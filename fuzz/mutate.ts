/**
 * Mutations of a real capture, as damage and hostile traffic produce them: bits flipped, the file
 * cut short, record and block lengths, IP and TCP header lengths corrupted, records duplicated,
 * dropped and reordered, giant lengths and timestamps, and FTP text rewritten into the payloads.
 * Each mutation returns a short description, so a finding says how its input was made.
 */
import { gzipSync } from 'zlib';
import { locateTcpFrame, TcpLocation } from '../src/decode';
import {
  BLOCK,
  packetSpans,
  parseContainer,
  pcapMagic,
  PCAP_RECORD_HEADER,
  serialize,
  setU16,
  setU32,
  u16,
  u32,
  type Container,
  type Piece,
} from './container';
import { ftpText } from './ftp-text';
import type { Random } from './random';

/** One capture the fuzzer starts from. */
export interface Seed {
  /** Path relative to the repository. */
  name: string;
  /** The capture's bytes (decompressed when the file is gzip). */
  bytes: Buffer;
  /** The file was gzip-compressed. */
  gzip: boolean;
  container: Container;
}

export interface MutatedInput {
  bytes: Buffer;
  /** What was done, in order. */
  mutations: string[];
}

/** Larger seeds are cut down first (a window of records, or every record cut short), to keep each input fast. */
export const MAX_INPUT_BYTES = 160 * 1024;

const INTERESTING_32 = [
  0,
  1,
  2,
  3,
  4,
  7,
  8,
  11,
  12,
  13,
  15,
  16,
  19,
  20,
  27,
  28,
  31,
  32,
  40,
  54,
  60,
  64,
  96,
  127,
  128,
  255,
  256,
  1500,
  1514,
  4096,
  65535,
  65536,
  262143,
  262144,
  262145,
  16 * 1024 * 1024,
  16 * 1024 * 1024 + 4,
  0x7ffffffc,
  0x7fffffff,
  0x80000000,
  0xfffffffc,
  0xffffffff,
];

function clonePieces(container: Container): Container {
  return { kind: container.kind, header: container.header, pieces: container.pieces.slice(), tail: container.tail };
}

/** A piece whose bytes may be written: copied on first write. */
function own(container: Container, index: number): Piece {
  const piece = container.pieces[index];
  const copy = { bytes: Buffer.from(piece.bytes), littleEndian: piece.littleEndian };
  container.pieces[index] = copy;
  return copy;
}

function interestingLength(rng: Random, current: number): number {
  const near = [current - 1, current + 1, current + 4, current - 4, current * 2, current + 0x10000];
  return (rng.chance(0.3) ? rng.pick(near) : rng.pick(INTERESTING_32)) >>> 0;
}

/** Indices of pieces that hold a packet. */
function packetIndices(container: Container): number[] {
  const spans = packetSpans(container);
  const out: number[] = [];
  spans.forEach((span, i) => {
    if (span !== null && span.length > 0) out.push(i);
  });
  return out;
}

/** Cuts a large capture down to at most MAX_INPUT_BYTES: a window of its records, or every record cut to a snap length. */
function reduce(container: Container, rng: Random): { container: Container; note: string } | null {
  const size = serialize(container).length;
  if (size <= MAX_INPUT_BYTES || container.kind === 'raw') return null;
  const spans = packetSpans(container);
  if (rng.chance(0.5)) {
    const snap = rng.pick([68, 96, 128, 200]);
    const cut = clonePieces(container);
    let total = cut.header.length;
    for (let i = 0; i < cut.pieces.length; i++) {
      const span = spans[i];
      if (span !== null && span.capturedLengthField >= 0 && span.length > snap) {
        cut.pieces[i] = snapPiece(cut.pieces[i], span.dataOffset, span.capturedLengthField, snap, cut.kind === 'pcapng');
      }
      total += cut.pieces[i].bytes.length;
    }
    if (total <= MAX_INPUT_BYTES * 2) return { container: { ...cut, tail: Buffer.alloc(0) }, note: `every record cut to ${snap} bytes` };
  }
  // A window: the first pieces that are not packets (pcapng section and interfaces) and a run of the rest.
  const keep: Piece[] = [];
  const packets: number[] = [];
  spans.forEach((span, i) => {
    if (span === null && packets.length === 0) keep.push(container.pieces[i]);
    else packets.push(i);
  });
  let budget = MAX_INPUT_BYTES - container.header.length - keep.reduce((n, p) => n + p.bytes.length, 0);
  const start = rng.chance(0.3) ? 0 : rng.int(packets.length);
  let end = start;
  while (end < packets.length && budget - container.pieces[packets[end]].bytes.length >= 0) {
    budget -= container.pieces[packets[end]].bytes.length;
    end++;
  }
  const window = packets.slice(start, Math.max(end, start + 1)).map((i) => container.pieces[i]);
  return {
    container: { kind: container.kind, header: container.header, pieces: [...keep, ...window], tail: Buffer.alloc(0) },
    note: `records ${start + 1}-${start + window.length} of ${packets.length}`,
  };
}

/** The piece with its packet data cut to `snap` bytes (the original length kept), block padding and length fixed. */
function snapPiece(piece: Piece, dataOffset: number, lengthField: number, snap: number, pcapng: boolean): Piece {
  const le = piece.littleEndian;
  if (!pcapng) {
    const out = Buffer.from(piece.bytes.subarray(0, dataOffset + snap));
    setU32(out, lengthField, snap, le);
    return { bytes: out, littleEndian: le };
  }
  const padded = (snap + 3) & ~3;
  const out = Buffer.alloc(dataOffset + padded + 4);
  piece.bytes.copy(out, 0, 0, dataOffset + snap);
  setU32(out, 4, out.length, le);
  setU32(out, lengthField, snap, le);
  setU32(out, out.length - 4, out.length, le);
  return { bytes: out, littleEndian: le };
}

interface Context {
  c: Container;
  rng: Random;
  seeds: readonly Seed[];
}

type Mutator = (ctx: Context) => string | null;

const location = new TcpLocation();

/** The TCP segment of piece `index`: where its IP and TCP headers are in the piece, or null. */
function locate(c: Container, index: number): { ipOffset: number; tcpOffset: number; payloadOffset: number; payloadEnd: number; ipVersion: 4 | 6 } | null {
  const span = packetSpans(c)[index];
  if (span === null) return null;
  const piece = c.pieces[index];
  const data = piece.bytes.subarray(span.dataOffset, span.dataOffset + span.length);
  const result = locateTcpFrame(span.linkType, data, data.length, location);
  if (result.kind !== 'located' || location.bytes !== data || location.addressOffset < 0) return null;
  const base = span.dataOffset;
  const ipOffset = location.addressOffset - (location.ipVersion === 4 ? 12 : 8);
  return {
    ipOffset: base + ipOffset,
    tcpOffset: base + location.tcpOffset,
    payloadOffset: base + location.payloadOffset,
    payloadEnd: base + location.payloadEnd,
    ipVersion: location.ipVersion,
  };
}

/** Whether a payload looks like control-connection text (a reply code or a command verb first). */
function looksLikeControl(bytes: Buffer, at: number, end: number): boolean {
  if (end - at < 3) return false;
  for (let i = at; i < at + 3; i++) {
    const b = bytes[i];
    if (!((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a))) return false;
  }
  return true;
}

/**
 * A mutator that changes a TCP segment (see pickSegment) in its record, a copy of its own: `change`
 * gets the segment with those bytes and says what it did; null when the input has no segment.
 */
function inOwnSegment(change: (found: NonNullable<ReturnType<typeof pickSegment>> & { bytes: Buffer }, rng: Random) => string): Mutator {
  return (ctx) => {
    const found = pickSegment(ctx, false);
    return found === null ? null : change({ ...found, bytes: own(ctx.c, found.index).bytes }, ctx.rng);
  };
}

/**
 * A piece holding a TCP segment, or null. With `withPayload`, one with payload, and with
 * `control`, preferably one that carries control-connection text (data connections are most
 * of the payload in a capture, and the control text is what the grammars read).
 */
function pickSegment(ctx: Context, withPayload: boolean, control = false) {
  const indices = packetIndices(ctx.c);
  let fallback: ({ index: number } & NonNullable<ReturnType<typeof locate>>) | null = null;
  for (let tries = 0; tries < 40 && indices.length > 0; tries++) {
    const index = ctx.rng.pick(indices);
    const found = locate(ctx.c, index);
    if (found === null) continue;
    if (withPayload && found.payloadEnd <= found.payloadOffset) continue;
    if (control && !looksLikeControl(ctx.c.pieces[index].bytes, found.payloadOffset, found.payloadEnd)) {
      fallback ??= { index, ...found };
      continue;
    }
    return { index, ...found };
  }
  return fallback;
}

/**
 * Piece `index` (a classic pcap record or an enhanced packet block holding a TCP segment whose
 * IP header is at `ipOffset`) with `inserted` put into its payload at `at`: the IP length and the
 * record's lengths grow with it, so the segment stays well formed and only its text changes.
 */
function growPayload(c: Container, index: number, found: NonNullable<ReturnType<typeof locate>>, at: number, inserted: Buffer): boolean {
  const piece = c.pieces[index];
  const span = packetSpans(c)[index];
  if (span === null || span.capturedLengthField < 0) return false;
  const le = piece.littleEndian;
  const data = Buffer.concat([piece.bytes.subarray(span.dataOffset, at), inserted, piece.bytes.subarray(at, span.dataOffset + span.length)]);
  const ip = found.ipOffset - span.dataOffset;
  if (found.ipVersion === 4) data.writeUInt16BE(Math.min(0xffff, data.readUInt16BE(ip + 2) + inserted.length), ip + 2);
  else data.writeUInt16BE(Math.min(0xffff, data.readUInt16BE(ip + 4) + inserted.length), ip + 4);
  const originalLength = u32(piece.bytes, span.capturedLengthField + 4, le) + inserted.length;
  if (c.kind === 'pcap') {
    const head = Buffer.from(piece.bytes.subarray(0, PCAP_RECORD_HEADER));
    setU32(head, 8, data.length, le);
    setU32(head, 12, originalLength, le);
    c.pieces[index] = { bytes: Buffer.concat([head, data]), littleEndian: le };
    return true;
  }
  const options = piece.bytes.subarray(span.dataOffset + ((span.length + 3) & ~3), piece.bytes.length - 4);
  const padded = (data.length + 3) & ~3;
  const out = Buffer.alloc(span.dataOffset + padded + options.length + 4);
  piece.bytes.copy(out, 0, 0, span.dataOffset);
  data.copy(out, span.dataOffset);
  options.copy(out, span.dataOffset + padded);
  setU32(out, 4, out.length, le);
  setU32(out, span.capturedLengthField, data.length, le);
  setU32(out, span.capturedLengthField + 4, originalLength, le);
  setU32(out, out.length - 4, out.length, le);
  c.pieces[index] = { bytes: out, littleEndian: le };
  return true;
}

const mutators: Array<{ name: string; weight: number; run: Mutator }> = [
  {
    name: 'duplicate',
    weight: 3,
    run: ({ c, rng }) => {
      if (c.pieces.length === 0) return null;
      const i = rng.int(c.pieces.length);
      const count = rng.small(8);
      const run = c.pieces.slice(i, i + rng.small(4));
      const at = rng.chance(0.6) ? i + run.length : rng.int(c.pieces.length + 1);
      const copies: Piece[] = [];
      for (let k = 0; k < count; k++) copies.push(...run);
      c.pieces.splice(at, 0, ...copies);
      return `duplicated records ${i + 1}-${i + run.length} ${count}x at ${at + 1}`;
    },
  },
  {
    name: 'drop',
    weight: 2,
    run: ({ c, rng }) => {
      if (c.pieces.length < 2) return null;
      const i = rng.int(c.pieces.length);
      const count = rng.small(16);
      c.pieces.splice(i, count);
      return `dropped records ${i + 1}-${i + count}`;
    },
  },
  {
    name: 'reorder',
    weight: 3,
    run: ({ c, rng }) => {
      if (c.pieces.length < 2) return null;
      const i = rng.int(c.pieces.length);
      const kind = rng.int(3);
      if (kind === 0) {
        const j = Math.min(c.pieces.length - 1, i + rng.small(20));
        [c.pieces[i], c.pieces[j]] = [c.pieces[j], c.pieces[i]];
        return `swapped records ${i + 1} and ${j + 1}`;
      }
      if (kind === 1) {
        const count = rng.small(30);
        const window = c.pieces.slice(i, i + count).reverse();
        c.pieces.splice(i, window.length, ...window);
        return `reversed records ${i + 1}-${i + window.length}`;
      }
      const [piece] = c.pieces.splice(i, 1);
      const to = rng.int(c.pieces.length + 1);
      c.pieces.splice(to, 0, piece);
      return `moved record ${i + 1} to ${to + 1}`;
    },
  },
  {
    name: 'splice',
    weight: 1,
    run: ({ c, rng, seeds }) => {
      const others = seeds.filter((s) => s.container.kind === c.kind && s.container.pieces.length > 0);
      if (others.length === 0 || c.kind === 'raw') return null;
      const other = rng.pick(others);
      if (
        c.kind === 'pcap' &&
        u32(other.container.header, 20, pcapMagic(other.container.header)?.littleEndian ?? true) !==
          u32(c.header, 20, pcapMagic(c.header)?.littleEndian ?? true)
      )
        return null;
      const from = rng.int(other.container.pieces.length);
      const run = other.container.pieces.slice(from, from + rng.small(40));
      const at = rng.int(c.pieces.length + 1);
      c.pieces.splice(at, 0, ...run);
      return `spliced ${run.length} records of ${other.name} at ${at + 1}`;
    },
  },
  {
    name: 'record-length',
    weight: 4,
    run: ({ c, rng }) => {
      if (c.pieces.length === 0) return null;
      const i = rng.int(c.pieces.length);
      const piece = own(c, i);
      const b = piece.bytes;
      const le = piece.littleEndian;
      if (c.kind === 'pcap') {
        const field = rng.chance(0.7) ? 8 : 12;
        const value = interestingLength(rng, u32(b, field, le));
        setU32(b, field, value, le);
        return `record ${i + 1}: ${field === 8 ? 'captured' : 'original'} length ${value}`;
      }
      const span = packetSpans(c)[i];
      const choice = rng.int(span !== null && span.capturedLengthField >= 0 ? 5 : 3);
      if (choice === 0 || choice === 2) setU32(b, 4, interestingLength(rng, u32(b, 4, le)), le);
      if (choice === 1 || choice === 2) setU32(b, b.length - 4, interestingLength(rng, u32(b, b.length - 4, le)), le);
      if (choice === 3 && span !== null) setU32(b, span.capturedLengthField, interestingLength(rng, span.length), le);
      if (choice === 4 && span !== null) setU32(b, span.capturedLengthField + 4, interestingLength(rng, span.length), le);
      return `block ${i + 1}: ${['length', 'trailing length', 'both lengths', 'captured length', 'original length'][choice]} corrupted`;
    },
  },
  {
    name: 'snap-cut',
    weight: 1,
    run: ({ c, rng }) => {
      const spans = packetSpans(c);
      const indices = packetIndices(c).filter((i) => (spans[i] as { capturedLengthField: number }).capturedLengthField >= 0);
      if (indices.length === 0) return null;
      const i = rng.pick(indices);
      const span = spans[i]!;
      const snap = rng.int(span.length);
      c.pieces[i] = snapPiece(c.pieces[i], span.dataOffset, span.capturedLengthField, snap, c.kind === 'pcapng');
      return `record ${i + 1} cut to ${snap} captured bytes`;
    },
  },
  {
    name: 'time',
    weight: 3,
    run: ({ c, rng }) => {
      const spans = packetSpans(c);
      const indices = packetIndices(c).filter((i) => spans[i]!.timeFields !== null);
      if (indices.length === 0) return null;
      const i = rng.pick(indices);
      const [high, low] = spans[i]!.timeFields!;
      const piece = own(c, i);
      const le = piece.littleEndian;
      const kind = rng.int(5);
      if (kind === 0) {
        setU32(piece.bytes, high, 0xffffffff, le);
        setU32(piece.bytes, low, 0xffffffff, le);
        return `record ${i + 1}: timestamp all ones`;
      }
      if (kind === 1) {
        const value = rng.pick([0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, rng.u32()]);
        setU32(piece.bytes, high, value, le);
        return `record ${i + 1}: ${c.kind === 'pcap' ? 'seconds' : 'high word'} ${value}`;
      }
      if (kind === 2) {
        const value = rng.pick([999999, 1000000, 999999999, 1000000000, 0xffffffff, rng.u32()]);
        setU32(piece.bytes, low, value, le);
        return `record ${i + 1}: ${c.kind === 'pcap' ? 'fraction' : 'low word'} ${value}`;
      }
      if (kind === 3) {
        const shift = rng.pick([-1, 1, -3600, 3600, -86400 * 365 * 100, 1 << 30, -(1 << 30)]);
        setU32(piece.bytes, high, u32(piece.bytes, high, le) + shift, le);
        return `record ${i + 1}: time moved by ${shift} ${c.kind === 'pcap' ? 's' : 'x 2^32 units'}`;
      }
      setU32(piece.bytes, high, 0, le);
      setU32(piece.bytes, low, 0, le);
      return `record ${i + 1}: timestamp 0`;
    },
  },
  {
    name: 'header',
    weight: 2,
    run: ({ c, rng }) => {
      if (c.kind === 'pcap') {
        const header = Buffer.from(c.header);
        c.header = header;
        const le = pcapMagic(header)?.littleEndian ?? true;
        const kind = rng.int(4);
        if (kind === 0) {
          const value = rng.pick([0, 1, 14, 54, 65535, 262144, 0x7fffffff, 0xffffffff]);
          setU32(header, 16, value, le);
          return `snap length ${value}`;
        }
        if (kind === 1) {
          const value = rng.pick([0, 1, 9, 12, 14, 101, 105, 108, 113, 127, 228, 229, 276, 0xffff, 0x10000001, rng.u32()]);
          setU32(header, 20, value, le);
          return `link type ${value}`;
        }
        if (kind === 2) {
          setU16(header, 4, rng.pick([1, 2, 3, 0xffff]), le);
          setU16(header, 6, rng.pick([0, 4, 0xffff]), le);
          return `version ${u16(header, 4, le)}.${u16(header, 6, le)}`;
        }
        header.writeUInt32BE(rng.pick([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0xa1b2cd34]), 0);
        return `magic ${header.toString('hex', 0, 4)}`;
      }
      if (c.kind !== 'pcapng') return null;
      const blocks = c.pieces.map((p, i) => ({ p, i })).filter(({ p }) => [0x0a0d0d0a, BLOCK.idb].includes(u32(p.bytes, 0, p.littleEndian)));
      if (blocks.length === 0) return null;
      const { i } = rng.pick(blocks);
      const piece = own(c, i);
      const le = piece.littleEndian;
      if (u32(piece.bytes, 0, le) === 0x0a0d0d0a) {
        setU16(piece.bytes, 12, rng.pick([0, 1, 2, 0xffff]), le);
        return `section header ${i + 1}: version ${u16(piece.bytes, 12, le)}`;
      }
      const kind = rng.int(3);
      if (kind === 0) {
        setU16(piece.bytes, 8, rng.pick([0, 1, 12, 101, 113, 228, 229, 276, 0xffff]), le);
        return `interface block ${i + 1}: link type ${u16(piece.bytes, 8, le)}`;
      }
      if (kind === 1) {
        setU32(piece.bytes, 12, rng.pick([0, 1, 14, 65535, 0xffffffff]), le);
        return `interface block ${i + 1}: snap length ${u32(piece.bytes, 12, le)}`;
      }
      c.pieces[i] = interfaceWithOptions(piece, rng);
      return `interface block ${i + 1}: timestamp options ${c.pieces[i].bytes.toString('hex', 16, c.pieces[i].bytes.length - 4)}`;
    },
  },
  {
    name: 'ip-header',
    weight: 4,
    run: inOwnSegment((found, rng) => {
      const b = found.bytes;
      const ip = found.ipOffset;
      if (found.ipVersion === 4) {
        const kind = rng.int(5);
        if (kind === 0) b[ip] = (b[ip] & 0xf0) | rng.int(16);
        else if (kind === 1) b.writeUInt16BE(rng.pick([0, 1, 19, 20, 40, b.readUInt16BE(ip + 2) - 1, b.readUInt16BE(ip + 2) + 1, 65535]) & 0xffff, ip + 2);
        else if (kind === 2) b[ip] = (rng.pick([0, 5, 6, 15]) << 4) | (b[ip] & 0x0f);
        else if (kind === 3) b.writeUInt16BE(rng.pick([0x2000, 0x2001, 0x0001, 0x1fff, 0x3fff, 0x4000 | rng.int(0x2000)]), ip + 6);
        else b[ip + 9] = rng.pick([0, 1, 4, 6, 17, 41, 47, 58, 255]);
        return `record ${found.index + 1}: IPv4 ${['header length', 'total length', 'version', 'fragment field', 'protocol'][kind]} ${b.toString('hex', ip, ip + 10)}`;
      }
      const kind = rng.int(3);
      if (kind === 0) b.writeUInt16BE(rng.pick([0, 1, 8, 20, b.readUInt16BE(ip + 4) - 1, b.readUInt16BE(ip + 4) + 1, 65535]) & 0xffff, ip + 4);
      else if (kind === 1) b[ip + 6] = rng.pick([0, 43, 44, 51, 58, 59, 60, 4, 41, 17, 47]);
      else b[ip] = (rng.pick([0, 4, 15]) << 4) | (b[ip] & 0x0f);
      return `record ${found.index + 1}: IPv6 ${['payload length', 'next header', 'version'][kind]} ${b.toString('hex', ip, ip + 8)}`;
    }),
  },
  {
    name: 'tcp-header',
    weight: 4,
    run: inOwnSegment((found, rng) => {
      const b = found.bytes;
      const t = found.tcpOffset;
      const kind = rng.int(5);
      if (kind === 0) b[t + 12] = (rng.int(16) << 4) | (b[t + 12] & 0x0f);
      else if (kind === 1) b[t + 13] = rng.pick([0x02, 0x12, 0x04, 0x14, 0x11, 0x01, 0x10, 0x18, 0x00, 0xff, 0x03, 0x06]);
      else if (kind === 2) b.writeUInt32BE((b.readUInt32BE(t + 4) + rng.pick([-1, 1, -100, 100, 0x80000000, rng.u32()])) >>> 0, t + 4);
      else if (kind === 3) b.writeUInt32BE((b.readUInt32BE(t + 8) + rng.pick([-1, 1, 0x10000, 0x80000000, rng.u32()])) >>> 0, t + 8);
      else b.writeUInt16BE(rng.pick([0, 20, 21, 990, 2121, 65535, rng.int(65536)]), t + (rng.chance(0.5) ? 0 : 2));
      return `record ${found.index + 1}: TCP ${['data offset', 'flags', 'sequence number', 'acknowledgement number', 'port'][kind]} ${b.toString('hex', t, t + 14)}`;
    }),
  },
  {
    name: 'ftp-text',
    weight: 5,
    run: (ctx) => {
      const found = pickSegment(ctx, true, true);
      if (found === null || found.payloadEnd <= found.payloadOffset) return null;
      const b = own(ctx.c, found.index).bytes;
      const text = ftpText(ctx.rng);
      const room = found.payloadEnd - found.payloadOffset;
      const at = found.payloadOffset + (ctx.rng.chance(0.7) ? 0 : ctx.rng.int(room));
      const written = text.copy(b, at, 0, Math.min(text.length, found.payloadEnd - at));
      if (ctx.rng.chance(0.5)) b.fill(0x20, at + written, found.payloadEnd);
      return `record ${found.index + 1}: payload text ${JSON.stringify(text.subarray(0, written).toString('latin1'))}`;
    },
  },
  {
    name: 'ftp-text-insert',
    weight: 4,
    run: (ctx) => {
      const found = pickSegment(ctx, true, true);
      if (found === null) return null;
      const { rng } = ctx;
      let text = ftpText(rng);
      if (rng.chance(0.15)) {
        // Many lines at once: pipelined commands, long multi-line replies, a line over every limit.
        const repeated = rng.chance(0.5)
          ? ftpText(rng)
          : Buffer.from(`${rng.pick(['PORT 192,0,2,1,4,1', 'PASV', '230-x', 'NOOP', '227 (192,0,2,1,4,1)'])}\r\n`);
        text = Buffer.concat([text, ...new Array<Buffer>(rng.small(400)).fill(repeated)]);
        if (rng.chance(0.3)) text = Buffer.concat([text, Buffer.alloc(rng.range(4000, 9000), 0x41)]);
      }
      text = text.subarray(0, 60000);
      const at = rng.chance(0.5) ? found.payloadOffset : found.payloadOffset + rng.int(found.payloadEnd - found.payloadOffset + 1);
      if (!growPayload(ctx.c, found.index, found, at, text)) return null;
      return `record ${found.index + 1}: ${text.length} bytes of text inserted ${JSON.stringify(text.subarray(0, 80).toString('latin1'))}`;
    },
  },
  {
    name: 'payload-bytes',
    weight: 2,
    run: (ctx) => {
      const found = pickSegment(ctx, true, ctx.rng.chance(0.7));
      if (found === null || found.payloadEnd <= found.payloadOffset) return null;
      const b = own(ctx.c, found.index).bytes;
      const count = ctx.rng.small(6);
      for (let k = 0; k < count; k++)
        b[found.payloadOffset + ctx.rng.int(found.payloadEnd - found.payloadOffset)] = ctx.rng.pick([
          0x00, 0x07, 0x0a, 0x0d, 0x1b, 0x7f, 0x9b, 0xc3, 0xe2, 0xff, 0x20, 0x2c, 0x7c, 0x28, 0x29,
        ]);
      return `record ${found.index + 1}: ${count} payload bytes changed`;
    },
  },
];

/** An IDB with the given link type kept and timestamp options replaced (if_tsresol, if_tsoffset). */
function interfaceWithOptions(piece: Piece, rng: Random): Piece {
  const le = piece.littleEndian;
  const options: Buffer[] = [];
  const option = (code: number, value: Buffer) => {
    const head = Buffer.alloc(4);
    setU16(head, 0, code, le);
    setU16(head, 2, value.length, le);
    options.push(head, value, Buffer.alloc((4 - (value.length % 4)) % 4));
  };
  if (rng.chance(0.8)) option(9, Buffer.from([rng.pick([0, 1, 3, 6, 9, 12, 13, 19, 20, 63, 0x80, 0x8a, 0xbf, 0xc0, 0xff])]));
  if (rng.chance(0.4)) {
    const offset = Buffer.alloc(8);
    const value = rng.pick([0n, -1n, 1n << 62n, -(1n << 62n), 10_000_000_000n, 253_402_300_800n]);
    if (le) offset.writeBigInt64LE(value);
    else offset.writeBigInt64BE(value);
    option(14, offset);
  }
  if (rng.chance(0.1)) option(9, Buffer.alloc(rng.int(3))); // a tsresol of the wrong length
  options.push(Buffer.alloc(4)); // opt_endofopt
  const body = Buffer.concat([piece.bytes.subarray(8, 16), ...options]);
  const out = Buffer.alloc(12 + body.length);
  setU32(out, 0, BLOCK.idb, le);
  setU32(out, 4, out.length, le);
  body.copy(out, 8);
  setU32(out, out.length - 4, out.length, le);
  return { bytes: out, littleEndian: le };
}

/** Byte-level damage to the whole file. */
const byteMutators: Array<{ weight: number; run: (bytes: Buffer, rng: Random) => { bytes: Buffer; note: string } }> = [
  {
    weight: 3,
    run: (bytes, rng) => {
      const out = Buffer.from(bytes);
      const count = rng.small(16);
      for (let k = 0; k < count && out.length > 0; k++) out[rng.int(out.length)] ^= 1 << rng.int(8);
      return { bytes: out, note: `${count} bits flipped` };
    },
  },
  {
    weight: 2,
    run: (bytes, rng) => {
      const at = rng.chance(0.5) ? bytes.length - rng.small(Math.max(1, bytes.length)) : rng.int(bytes.length + 1);
      return { bytes: bytes.subarray(0, Math.max(0, at)), note: `cut at byte ${Math.max(0, at)}` };
    },
  },
  {
    weight: 1,
    run: (bytes, rng) => {
      const out = Buffer.from(bytes);
      const count = rng.small(4);
      for (let k = 0; k < count && out.length >= 4; k++) {
        const at = rng.int(out.length - 3) & ~3;
        out.writeUInt32LE(rng.pick([0xffffffff, 0x7fffffff, 0x80000000, 0, 0xfffffffc]), at);
      }
      return { bytes: out, note: `${count} giant words written` };
    },
  },
  {
    weight: 1,
    run: (bytes, rng) => {
      const at = rng.int(bytes.length + 1);
      const inserted = rng.bytes(rng.small(64));
      return { bytes: Buffer.concat([bytes.subarray(0, at), inserted, bytes.subarray(at)]), note: `${inserted.length} bytes inserted at ${at}` };
    },
  },
  {
    weight: 1,
    run: (bytes, rng) => {
      const at = rng.int(bytes.length + 1);
      const count = rng.small(256);
      return { bytes: Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + count)]), note: `${count} bytes deleted at ${at}` };
    },
  },
];

function weighted<T extends { weight: number }>(items: readonly T[], rng: Random): T {
  const total = items.reduce((n, item) => n + item.weight, 0);
  let pick = rng.int(total);
  for (const item of items) {
    pick -= item.weight;
    if (pick < 0) return item;
  }
  return items[items.length - 1];
}

/** Gzip wrapping and damage to the compressed bytes. */
function compress(bytes: Buffer, rng: Random, mutations: string[]): Buffer {
  let out = gzipSync(bytes, { level: 1 });
  mutations.push('gzip-compressed');
  if (rng.chance(0.1)) {
    out = Buffer.concat([out, gzipSync(rng.bytes(rng.small(64)))]);
    mutations.push('a second gzip member of random bytes');
  }
  if (rng.chance(0.35)) {
    const kind = rng.int(4);
    if (kind === 0) {
      out = Buffer.from(out);
      out[10 + rng.int(Math.max(1, out.length - 10))] ^= 1 << rng.int(8);
      mutations.push('a compressed bit flipped');
    } else if (kind === 1) {
      const at = rng.int(out.length);
      out = out.subarray(0, at);
      mutations.push(`compressed data cut at byte ${at}`);
    } else if (kind === 2) {
      out = Buffer.concat([out, rng.chance(0.5) ? Buffer.alloc(rng.small(32)) : rng.bytes(rng.small(32))]);
      mutations.push('bytes after the gzip data');
    } else {
      out = Buffer.from(out);
      out[3] = rng.pick([0x04, 0x08, 0x10, 0x1e, 0xe0]);
      mutations.push(`gzip flags 0x${out[3].toString(16)}`);
    }
  }
  return out;
}

/** A mutated input made from `seed`. */
export function mutate(seed: Seed, seeds: readonly Seed[], rng: Random): MutatedInput {
  const mutations: string[] = [];
  let container = clonePieces(seed.container);
  const reduced = reduce(container, rng);
  if (reduced !== null) {
    container = reduced.container;
    mutations.push(reduced.note);
  }
  const ctx: Context = { c: container, rng, seeds };
  const count = rng.small(6);
  for (let k = 0; k < count; k++) {
    const note = weighted(mutators, rng).run(ctx);
    if (note !== null) mutations.push(note);
  }
  let bytes = serialize(ctx.c);
  if (rng.chance(0.3) || mutations.length === (reduced ? 1 : 0)) {
    const damage = weighted(byteMutators, rng).run(bytes, rng);
    bytes = damage.bytes;
    mutations.push(damage.note);
  }
  if (rng.chance(seed.gzip ? 0.8 : 0.05)) bytes = compress(bytes, rng, mutations);
  return { bytes, mutations };
}

/** A seed from a file's bytes (gzip is decompressed). */
export function makeSeed(name: string, raw: Buffer, gunzip: (bytes: Buffer) => Buffer): Seed {
  const gzip = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  const bytes = gzip ? gunzip(raw) : raw;
  return { name, bytes, gzip, container: parseContainer(bytes) };
}

export { PCAP_RECORD_HEADER };
