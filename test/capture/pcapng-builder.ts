/**
 * A tiny pcapng writer for tests, laid out per draft-ietf-opsawg-pcapng: section 3.1 (block
 * layout: type, total length, body padded to 32 bits, total length again), 3.5 (options), 4.1
 * (Section Header Block), 4.2 (Interface Description Block), 4.3 (Enhanced Packet Block), 4.4
 * (Simple Packet Block), 4.6 (Interface Statistics Block), 5.2 (Custom Block), appendix A
 * (Obsolete Packet Block). Every number is written in the byte order of the section (`bigEndian`).
 * Overrides let a test write wrong lengths on purpose.
 */

export interface PcapngOption {
  code: number;
  value: Buffer;
}

/** Option codes (sections 3.5, 4.2). */
export const OPT = { endofopt: 0, comment: 1, if_name: 2, if_tsresol: 9, if_tsoffset: 14, epb_flags: 2 } as const;

export class PcapngBuilder {
  constructor(readonly bigEndian = false) {}

  u16(value: number): Buffer {
    const b = Buffer.alloc(2);
    if (this.bigEndian) b.writeUInt16BE(value);
    else b.writeUInt16LE(value);
    return b;
  }

  u32(value: number): Buffer {
    const b = Buffer.alloc(4);
    if (this.bigEndian) b.writeUInt32BE(value >>> 0);
    else b.writeUInt32LE(value >>> 0);
    return b;
  }

  i64(value: bigint): Buffer {
    const b = Buffer.alloc(8);
    if (this.bigEndian) b.writeBigInt64BE(value);
    else b.writeBigInt64LE(value);
    return b;
  }

  /** A 64-bit timestamp as the two 32-bit words of a packet block: high, then low. */
  timestamp(units: bigint): Buffer {
    return Buffer.concat([this.u32(Number(units >> 32n)), this.u32(Number(units & 0xffffffffn))]);
  }

  option(code: number, value: Buffer | string): PcapngOption {
    return { code, value: typeof value === 'string' ? Buffer.from(value) : value };
  }

  /** Options padded to 32 bits, ended by opt_endofopt (none at all when the list is empty). */
  options(options: PcapngOption[]): Buffer {
    if (options.length === 0) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    for (const o of options) parts.push(this.u16(o.code), this.u16(o.value.length), pad(o.value));
    parts.push(this.u16(OPT.endofopt), this.u16(0));
    return Buffer.concat(parts);
  }

  /** Any block: `body` padded to 32 bits between the two length fields. */
  block(type: number, body: Buffer, override: { length?: number; trailer?: number } = {}): Buffer {
    const padded = pad(body);
    const length = 12 + padded.length;
    return Buffer.concat([this.u32(type), this.u32(override.length ?? length), padded, this.u32(override.trailer ?? override.length ?? length)]);
  }

  shb(spec: { major?: number; minor?: number; options?: PcapngOption[]; magic?: number } = {}): Buffer {
    const body = Buffer.concat([
      this.u32(spec.magic ?? 0x1a2b3c4d),
      this.u16(spec.major ?? 1),
      this.u16(spec.minor ?? 0),
      this.i64(-1n), // section length: not given
      this.options(spec.options ?? []),
    ]);
    return this.block(0x0a0d0d0a, body);
  }

  /** `tsresol` is the raw if_tsresol byte (6 = microseconds, 9 = nanoseconds, 0x8a = 2^-10 s). */
  idb(spec: { linkType?: number; snapLength?: number; tsresol?: number | undefined; tsoffset?: bigint; options?: PcapngOption[] } = {}): Buffer {
    const options = [...(spec.options ?? [])];
    if (spec.tsresol !== undefined) options.push(this.option(OPT.if_tsresol, Buffer.from([spec.tsresol])));
    if (spec.tsoffset !== undefined) options.push(this.option(OPT.if_tsoffset, this.i64(spec.tsoffset)));
    const body = Buffer.concat([this.u16(spec.linkType ?? 1), this.u16(0), this.u32(spec.snapLength ?? 0), this.options(options)]);
    return this.block(1, body);
  }

  epb(spec: {
    interfaceId?: number;
    timestamp: bigint;
    data: Buffer;
    originalLength?: number;
    capturedLength?: number;
    options?: PcapngOption[];
    override?: { length?: number; trailer?: number };
  }): Buffer {
    const body = Buffer.concat([
      this.u32(spec.interfaceId ?? 0),
      this.timestamp(spec.timestamp),
      this.u32(spec.capturedLength ?? spec.data.length),
      this.u32(spec.originalLength ?? spec.data.length),
      pad(spec.data),
      this.options(spec.options ?? []),
    ]);
    return this.block(6, body, spec.override);
  }

  spb(spec: { data: Buffer; originalLength?: number }): Buffer {
    return this.block(3, Buffer.concat([this.u32(spec.originalLength ?? spec.data.length), pad(spec.data)]));
  }

  /** Obsolete Packet Block (appendix A): 16-bit interface id and drops count. */
  opb(spec: { interfaceId?: number; drops?: number; timestamp: bigint; data: Buffer; originalLength?: number }): Buffer {
    const body = Buffer.concat([
      this.u16(spec.interfaceId ?? 0),
      this.u16(spec.drops ?? 0),
      this.timestamp(spec.timestamp),
      this.u32(spec.data.length),
      this.u32(spec.originalLength ?? spec.data.length),
      pad(spec.data),
    ]);
    return this.block(2, body);
  }

  isb(spec: { interfaceId?: number; timestamp: bigint }): Buffer {
    return this.block(5, Buffer.concat([this.u32(spec.interfaceId ?? 0), this.timestamp(spec.timestamp)]));
  }

  /** Custom Block: copiable (0x00000BAD) or not (0x40000BAD), Private Enterprise Number, data. */
  custom(spec: { copiable?: boolean; pen?: number; data: Buffer }): Buffer {
    return this.block(spec.copiable === false ? 0x40000bad : 0x00000bad, Buffer.concat([this.u32(spec.pen ?? 32473), spec.data]));
  }
}

/** `bytes` followed by zeros up to a multiple of 4. */
export function pad(bytes: Buffer): Buffer {
  const rest = bytes.length % 4;
  return rest === 0 ? bytes : Buffer.concat([bytes, Buffer.alloc(4 - rest)]);
}

/** `bytes` in pieces of `size` bytes (the whole buffer when size is undefined). */
export function pieces(bytes: Buffer, size: number | undefined): Buffer[] {
  if (size === undefined) return [bytes];
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}
