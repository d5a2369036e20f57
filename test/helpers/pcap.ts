/**
 * The one classic-pcap writer and reader of the tests, laid out per draft-ietf-opsawg-pcap
 * section 4 (24-byte file header) and section 5 (16-byte record header). Tests that need a pcap
 * build it here instead of writing header fields by hand; pcapng has its own builder
 * (test/capture/pcapng-builder.ts).
 */

export const PCAP_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;
export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;

export interface PcapFileSpec {
  /** Every header field big-endian (default little-endian, as tcpdump writes on x86). */
  bigEndian?: boolean;
  /** Magic a1b23c4d: the records' fraction fields hold nanoseconds. */
  nanoseconds?: boolean;
  /** Version written in the header; default 2.4. */
  major?: number;
  minor?: number;
  /** Default 262144, tcpdump's. */
  snapLength?: number;
  /** LINKTYPE_*; default 1 (Ethernet). */
  linkType?: number;
}

export interface PcapRecordSpec {
  /** Seconds since the epoch. */
  sec: number;
  /** Microseconds (nanoseconds in a nanosecond file) within the second. */
  usec: number;
  data: Buffer;
  /** Captured length written in the record header; default data.length (set it to lie). */
  capturedLength?: number;
  /** Original (wire) length; default data.length. */
  originalLength?: number;
}

/** A frame as the tests hold it: microseconds since the epoch and its bytes. */
export interface PcapFrame {
  timeMicros: number;
  data: Buffer;
  originalLength?: number;
}

/** The record fields of a frame stamped `timeMicros` microseconds after the epoch. */
export function atMicros(timeMicros: number, data: Buffer, originalLength?: number): PcapRecordSpec {
  const record: PcapRecordSpec = { sec: Math.floor(timeMicros / 1e6), usec: timeMicros % 1e6, data };
  if (originalLength !== undefined) record.originalLength = originalLength;
  return record;
}

function writer(bigEndian: boolean) {
  return {
    u32(value: number): Buffer {
      const b = Buffer.alloc(4);
      if (bigEndian) b.writeUInt32BE(value >>> 0);
      else b.writeUInt32LE(value >>> 0);
      return b;
    },
    u16(value: number): Buffer {
      const b = Buffer.alloc(2);
      if (bigEndian) b.writeUInt16BE(value);
      else b.writeUInt16LE(value);
      return b;
    },
  };
}

/** The 24-byte file header. */
export function pcapHeader(spec: PcapFileSpec = {}): Buffer {
  const { u16, u32 } = writer(spec.bigEndian ?? false);
  return Buffer.concat([
    u32(spec.nanoseconds ? PCAP_MAGIC_NANOSECONDS : PCAP_MAGIC_MICROSECONDS),
    u16(spec.major ?? 2),
    u16(spec.minor ?? 4),
    u32(0), // thiszone
    u32(0), // sigfigs
    u32(spec.snapLength ?? 262144),
    u32(spec.linkType ?? 1),
  ]);
}

/** The 16-byte header of one record (without its data). */
export function pcapRecordHeader(record: PcapRecordSpec, spec: Pick<PcapFileSpec, 'bigEndian'> = {}): Buffer {
  const { u32 } = writer(spec.bigEndian ?? false);
  return Buffer.concat([u32(record.sec), u32(record.usec), u32(record.capturedLength ?? record.data.length), u32(record.originalLength ?? record.data.length)]);
}

/** A whole classic pcap file: the header, then each record's header and data. */
export function pcapFile(records: Iterable<PcapRecordSpec>, spec: PcapFileSpec = {}): Buffer {
  const parts = [pcapHeader(spec)];
  for (const record of records) parts.push(pcapRecordHeader(record, spec), record.data);
  return Buffer.concat(parts);
}

/** A little-endian microsecond pcap (Ethernet unless `spec` says) of frames stamped in microseconds. */
export function framesToPcap(frames: Iterable<PcapFrame>, spec: PcapFileSpec = {}): Buffer {
  return pcapFile(
    Array.from(frames, (f) => atMicros(f.timeMicros, f.data, f.originalLength)),
    spec,
  );
}

/** One record of a little-endian microsecond pcap as read back: its 1-based number and where it lies. */
export interface PcapRecordRead {
  number: number;
  /** File offset of the record header. */
  offset: number;
  sec: number;
  usec: number;
  capturedLength: number;
  originalLength: number;
  /** A view of the record's data within the file. */
  data: Buffer;
}

/** The records of a little-endian microsecond pcap (as tcpdump writes them on x86); throws on any other. */
export function readPcapRecords(pcap: Buffer): PcapRecordRead[] {
  if (pcap.readUInt32LE(0) !== PCAP_MAGIC_MICROSECONDS) throw new Error('expected a little-endian microsecond pcap');
  const out: PcapRecordRead[] = [];
  for (let offset = PCAP_HEADER_LENGTH; offset + PCAP_RECORD_HEADER_LENGTH <= pcap.length; ) {
    const capturedLength = pcap.readUInt32LE(offset + 8);
    const start = offset + PCAP_RECORD_HEADER_LENGTH;
    out.push({
      number: out.length + 1,
      offset,
      sec: pcap.readUInt32LE(offset),
      usec: pcap.readUInt32LE(offset + 4),
      capturedLength,
      originalLength: pcap.readUInt32LE(offset + 12),
      data: pcap.subarray(start, start + capturedLength),
    });
    offset = start + capturedLength;
  }
  return out;
}
