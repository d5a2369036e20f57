/**
 * Capture files split into their records, so that the fuzzer can mutate them as a capture writer
 * gone wrong would (records duplicated, dropped, reordered, their lengths and times corrupted) and
 * not only as random bytes. Splitting is tolerant: whatever cannot be framed is kept as `tail`.
 * Serialising an unmodified container gives back the original bytes.
 */

/** One classic pcap record (16-byte header + data) or one pcapng block, with its byte order. */
export interface Piece {
  bytes: Buffer;
  littleEndian: boolean;
}

export interface Container {
  kind: 'pcap' | 'pcapng' | 'raw';
  /** pcap: the 24-byte file header; pcapng and raw: empty. */
  header: Buffer;
  /** pcap records, or pcapng blocks (section headers and interfaces included). */
  pieces: Piece[];
  /** Bytes after the last piece that could be framed (all the bytes of a raw container). */
  tail: Buffer;
}

export const PCAP_HEADER = 24;
export const PCAP_RECORD_HEADER = 16;
const SHB = 0x0a0d0d0a;
export const BLOCK = { idb: 1, opb: 2, spb: 3, epb: 6 } as const;

export function u32(buffer: Buffer, at: number, littleEndian: boolean): number {
  return littleEndian ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at);
}

export function setU32(buffer: Buffer, at: number, value: number, littleEndian: boolean): void {
  if (littleEndian) buffer.writeUInt32LE(value >>> 0, at);
  else buffer.writeUInt32BE(value >>> 0, at);
}

export function u16(buffer: Buffer, at: number, littleEndian: boolean): number {
  return littleEndian ? buffer.readUInt16LE(at) : buffer.readUInt16BE(at);
}

export function setU16(buffer: Buffer, at: number, value: number, littleEndian: boolean): void {
  if (littleEndian) buffer.writeUInt16LE(value & 0xffff, at);
  else buffer.writeUInt16BE(value & 0xffff, at);
}

const PCAP_MAGICS = new Map<number, { littleEndian: boolean; nanoseconds: boolean }>([
  [0xa1b2c3d4, { littleEndian: false, nanoseconds: false }],
  [0xd4c3b2a1, { littleEndian: true, nanoseconds: false }],
  [0xa1b23c4d, { littleEndian: false, nanoseconds: true }],
  [0x4d3cb2a1, { littleEndian: true, nanoseconds: true }],
]);

export function pcapMagic(bytes: Buffer): { littleEndian: boolean; nanoseconds: boolean } | null {
  return bytes.length >= 4 ? (PCAP_MAGICS.get(bytes.readUInt32BE(0)) ?? null) : null;
}

export function parseContainer(bytes: Buffer): Container {
  const magic = pcapMagic(bytes);
  if (magic !== null && bytes.length >= PCAP_HEADER) return parsePcap(bytes, magic.littleEndian);
  if (bytes.length >= 12 && bytes.readUInt32BE(0) === SHB) return parsePcapng(bytes);
  return { kind: 'raw', header: Buffer.alloc(0), pieces: [], tail: bytes };
}

function parsePcap(bytes: Buffer, littleEndian: boolean): Container {
  const pieces: Piece[] = [];
  let at = PCAP_HEADER;
  while (bytes.length - at >= PCAP_RECORD_HEADER) {
    const length = u32(bytes, at + 8, littleEndian);
    const end = at + PCAP_RECORD_HEADER + length;
    if (end > bytes.length) break;
    pieces.push({ bytes: bytes.subarray(at, end), littleEndian });
    at = end;
  }
  return { kind: 'pcap', header: bytes.subarray(0, PCAP_HEADER), pieces, tail: bytes.subarray(at) };
}

function parsePcapng(bytes: Buffer): Container {
  const pieces: Piece[] = [];
  let at = 0;
  let littleEndian = true;
  while (bytes.length - at >= 12) {
    if (bytes.readUInt32BE(at) === SHB) {
      const magic = bytes.readUInt32LE(at + 8);
      if (magic === 0x1a2b3c4d) littleEndian = true;
      else if (bytes.readUInt32BE(at + 8) === 0x1a2b3c4d) littleEndian = false;
      else break;
    }
    const length = u32(bytes, at + 4, littleEndian);
    if (length < 12 || length % 4 !== 0 || at + length > bytes.length) break;
    pieces.push({ bytes: bytes.subarray(at, at + length), littleEndian });
    at += length;
  }
  return { kind: 'pcapng', header: Buffer.alloc(0), pieces, tail: bytes.subarray(at) };
}

export function serialize(container: Container): Buffer {
  return Buffer.concat([container.header, ...container.pieces.map((p) => p.bytes), container.tail]);
}

/** Where a piece's packet bytes are, when it holds a packet. */
export interface PacketSpan {
  /** Offset of the packet data in the piece. */
  dataOffset: number;
  /** Captured bytes present. */
  length: number;
  /** LINKTYPE of the packet. */
  linkType: number;
  /** Offset of the 32-bit captured-length field in the piece (-1 for a simple packet block). */
  capturedLengthField: number;
  /** Offsets of the two timestamp words (seconds + fraction for pcap; high + low for pcapng); -1 when none. */
  timeFields: [number, number] | null;
}

/** The packet spans of every piece (null for pieces that hold none), in order. */
export function packetSpans(container: Container): Array<PacketSpan | null> {
  if (container.kind === 'pcap') {
    const littleEndian = pcapMagic(container.header)?.littleEndian ?? true;
    const linkType = u32(container.header, 20, littleEndian) & 0xffff;
    return container.pieces.map((piece) => ({
      dataOffset: PCAP_RECORD_HEADER,
      length: piece.bytes.length - PCAP_RECORD_HEADER,
      linkType,
      capturedLengthField: 8,
      timeFields: [0, 4],
    }));
  }
  const interfaces: number[] = [];
  return container.pieces.map((piece) => {
    const b = piece.bytes;
    const le = piece.littleEndian;
    const type = u32(b, 0, le);
    if (type === SHB) {
      interfaces.length = 0;
      return null;
    }
    if (type === BLOCK.idb && b.length >= 20) {
      interfaces.push(u16(b, 8, le));
      return null;
    }
    if ((type === BLOCK.epb || type === BLOCK.opb) && b.length >= 32) {
      const id = type === BLOCK.epb ? u32(b, 8, le) : u16(b, 8, le);
      const length = Math.min(u32(b, 20, le), b.length - 32);
      return { dataOffset: 28, length, linkType: interfaces[id] ?? 1, capturedLengthField: 20, timeFields: [12, 16] };
    }
    if (type === BLOCK.spb && b.length >= 16) {
      const length = Math.min(u32(b, 8, le), b.length - 16);
      return { dataOffset: 12, length, linkType: interfaces[0] ?? 1, capturedLengthField: -1, timeFields: null };
    }
    return null;
  });
}
