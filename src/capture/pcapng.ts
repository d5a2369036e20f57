/**
 * pcapng (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/): a small streaming block
 * reader. Section Header Blocks set the byte order of their section and start a new list of
 * interfaces; Interface Description Blocks give each interface its link type, snap length and
 * timestamp unit (`if_tsresol`, `if_tsoffset`); Enhanced, Simple and Obsolete Packet Blocks are
 * the frames, numbered from 1 over all packet blocks in file order (as Wireshark numbers them).
 * Every other block (statistics, name resolution, decryption secrets, custom, unknown) is skipped
 * by its length.
 *
 * Every block's length is checked before it is used: a multiple of 4, at least its type's fixed
 * part, at most `maxBlockLength`, and equal to the copy at the block's end. A block that breaks
 * these rules stops the reading (the rest of the file cannot be framed); a file that ends in the
 * middle of a block is reported, with everything before it read.
 *
 * Bytes are not copied unless a block spans chunks: then the pieces are kept until the block is
 * complete and joined once. Frames' `data` are views into those buffers.
 */
import { linkTypeName } from '../decode/linktypes';
import { RepeatedProblem, type DecoderContext, type FrameDecoder, type FrameSink } from './decoder';
import { isShowableTime, type CaptureProblem, type InterfaceSummary } from './types';

/** Block type codes (pcapng draft section 11.1). */
export const BlockType = {
  sectionHeader: 0x0a0d0d0a,
  interfaceDescription: 0x00000001,
  obsoletePacket: 0x00000002,
  simplePacket: 0x00000003,
  nameResolution: 0x00000004,
  interfaceStatistics: 0x00000005,
  enhancedPacket: 0x00000006,
  decryptionSecrets: 0x0000000a,
  customCopiable: 0x00000bad,
  customNotCopiable: 0x40000bad,
} as const;

/** The Section Header Block's byte-order magic, as written by the section's byte order. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Option codes used here (section 3.5 and 4.2). */
export const OptionCode = {
  endOfOptions: 0,
  ifTsresol: 9,
  ifTsoffset: 14,
} as const;

/** type + length at the start, length again at the end. */
const BLOCK_OVERHEAD = 12;
const BLOCK_HEADER_LENGTH = 8;

/** Names and minimum total lengths of the block types read (the fixed part plus the overhead). */
const BLOCK_LAYOUTS: ReadonlyMap<number, { name: string; minLength: number }> = new Map([
  [BlockType.sectionHeader, { name: 'section header block', minLength: 28 }],
  [BlockType.interfaceDescription, { name: 'interface description block', minLength: 20 }],
  [BlockType.obsoletePacket, { name: 'obsolete packet block', minLength: 32 }],
  [BlockType.simplePacket, { name: 'simple packet block', minLength: 16 }],
  [BlockType.nameResolution, { name: 'name resolution block', minLength: 12 }],
  [BlockType.interfaceStatistics, { name: 'interface statistics block', minLength: 24 }],
  [BlockType.enhancedPacket, { name: 'enhanced packet block', minLength: 32 }],
  [BlockType.decryptionSecrets, { name: 'decryption secrets block', minLength: 20 }],
  [BlockType.customCopiable, { name: 'custom block', minLength: 16 }],
  [BlockType.customNotCopiable, { name: 'custom block', minLength: 16 }],
]);

function blockName(type: number): string {
  return BLOCK_LAYOUTS.get(type)?.name ?? `block of type 0x${type.toString(16).padStart(8, '0')}`;
}

function minBlockLength(type: number): number {
  return BLOCK_LAYOUTS.get(type)?.minLength ?? BLOCK_OVERHEAD;
}

function isPacketBlock(type: number): boolean {
  return type === BlockType.enhancedPacket || type === BlockType.simplePacket || type === BlockType.obsoletePacket;
}

/** Timestamp unit from the `if_tsresol` byte: high bit clear, 10^-n seconds; set, 2^-n seconds. */
export interface TimestampResolution {
  base: 2 | 10;
  exponent: number;
}

export function decodeTsresol(byte: number): TimestampResolution {
  return byte & 0x80 ? { base: 2, exponent: byte & 0x7f } : { base: 10, exponent: byte };
}

/**
 * Whether a 64-bit count of `resolution` units can reach past the first second of 1970: a unit
 * finer than 2^-64 s (1e-20 s, 2^-64 s, and the 0xff of a damaged file, 2^-127 s) cannot, and would
 * put every packet on 1970-01-01.
 */
export function holdsDates(resolution: TimestampResolution): boolean {
  return resolution.base === 10 ? resolution.exponent <= 19 : resolution.exponent <= 63;
}

export function formatTsresol(resolution: TimestampResolution): string {
  return resolution.base === 10 ? `1e-${resolution.exponent}` : `2^-${resolution.exponent}`;
}

const TWO_TO_32 = 4294967296;

/**
 * Converts a packet block's 64-bit timestamp (`high`, `low`: units of `resolution` since the
 * epoch, plus `offsetSeconds` from `if_tsoffset`) to microseconds, rounded down. Microseconds and
 * coarser units use plain numbers; nanosecond-like units an exact split division; anything else
 * BigInt (rare files, a little slower).
 */
export function timestampConverter(resolution: TimestampResolution, offsetSeconds: number): (high: number, low: number) => number {
  const offset = offsetSeconds * 1_000_000;
  const { base, exponent } = resolution;
  if (base === 10 && exponent <= 6) {
    const factor = 10 ** (6 - exponent);
    return (high, low) => (high * TWO_TO_32 + low) * factor + offset;
  }
  if (base === 10 && exponent <= 12) {
    // floor((high * 2^32 + low) / d) = floor(high / d) * 2^32 + floor(((high mod d) * 2^32 + low) / d),
    // where the second dividend stays below d * 2^32 <= 2^52: exact in a double.
    const divisor = 10 ** (exponent - 6);
    return (high, low) => {
      const highQuotient = Math.floor(high / divisor);
      const rest = (high - highQuotient * divisor) * TWO_TO_32 + low;
      let quotient = Math.floor(rest / divisor);
      if (quotient * divisor > rest) quotient--;
      else if ((quotient + 1) * divisor <= rest) quotient++;
      return highQuotient * TWO_TO_32 + quotient + offset;
    };
  }
  const divisor = base === 10 ? 10n ** BigInt(exponent) : 1n << BigInt(exponent);
  return (high, low) => Number((((BigInt(high) << 32n) + BigInt(low)) * 1_000_000n) / divisor) + offset;
}

interface Interface {
  linkType: number;
  snapLength: number;
  toMicros: (high: number, low: number) => number;
  /** A raw timestamp in words, for a message: `18446744073709551615 units of 1e-6 s`. */
  describe: (high: number, low: number) => string;
}

type ReadU32 = (buffer: Buffer, offset: number) => number;
const readU32LE: ReadU32 = (buffer, offset) => buffer.readUInt32LE(offset);
const readU32BE: ReadU32 = (buffer, offset) => buffer.readUInt32BE(offset);
type ReadU16 = (buffer: Buffer, offset: number) => number;
const readU16LE: ReadU16 = (buffer, offset) => buffer.readUInt16LE(offset);
const readU16BE: ReadU16 = (buffer, offset) => buffer.readUInt16BE(offset);

/** Decodes a pcapng file; created once its first four bytes are known to be a Section Header Block's type. */
export class PcapngDecoder implements FrameDecoder {
  /** Bytes of an incomplete block, kept until `needed` bytes are there. */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private needed = 0;
  /** File offset of the next block (bytes of complete blocks consumed). */
  private consumed = 0;
  private received = 0;
  private isStopped = false;
  private sections = 0;
  private bigEndian = false;
  private u32: ReadU32 = readU32LE;
  private u16: ReadU16 = readU16LE;
  private interfaces: Interface[] = [];
  /** Number of the last packet block seen (delivered or not). */
  private lastFrame = 0;
  private lastTimeMicros: number | null = null;
  private readonly longerThanOriginal: RepeatedProblem;
  private readonly untimed: RepeatedProblem;
  private readonly unknownInterface: RepeatedProblem;
  private readonly overlongPacket: RepeatedProblem;
  private readonly badOptions: RepeatedProblem;
  private readonly unshowableTime: RepeatedProblem;
  private readonly interfaceSummaries: InterfaceSummary[] = [];

  constructor(private readonly context: DecoderContext) {
    const problems = context.summary.problems;
    context.summary.format = 'pcapng';
    context.summary.interfaces = this.interfaceSummaries;
    this.longerThanOriginal = new RepeatedProblem(problems, 'packet block');
    this.untimed = new RepeatedProblem(problems, 'simple packet block');
    this.unknownInterface = new RepeatedProblem(problems, 'packet block');
    this.overlongPacket = new RepeatedProblem(problems, 'packet block');
    this.badOptions = new RepeatedProblem(problems, 'interface');
    this.unshowableTime = new RepeatedProblem(problems, 'packet block');
  }

  get stopped(): boolean {
    return this.isStopped;
  }

  /** Frames are views into the chunks, and an incomplete block is kept as one until the next push. */
  readonly retainsChunks = true;

  push(chunk: Buffer, out: FrameSink): void {
    if (this.isStopped || chunk.length === 0) return;
    this.received += chunk.length;
    let buffer = chunk;
    if (this.pendingLength > 0) {
      this.pending.push(chunk);
      this.pendingLength += chunk.length;
      if (this.pendingLength < this.needed) return;
      buffer = Buffer.concat(this.pending, this.pendingLength);
      this.pending = [];
      this.pendingLength = 0;
    }
    const used = this.decodeBlocks(buffer, out);
    if (used < buffer.length && !this.isStopped) {
      this.pending = [buffer.subarray(used)];
      this.pendingLength = buffer.length - used;
    }
  }

  end(): void {
    this.finish();
    if (this.isStopped) return;
    if (this.sections === 0) {
      const rest = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingLength);
      const says = rest.length >= 12 ? ` (its length says ${sectionHeaderLength(rest)} bytes)` : '';
      this.stop({
        message: `${this.context.noun.definite} is only ${this.received} bytes long: too short for its pcapng section header block${says}`,
        offset: 0,
        frame: null,
      });
      return;
    }
    if (this.pendingLength === 0) return;
    const rest = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingLength);
    const at = this.consumed;
    const noun = this.context.noun.bare;
    const after = this.lastFrame > 0 ? `, after frame ${this.lastFrame}` : '';
    if (rest.length < BLOCK_HEADER_LENGTH) {
      this.context.summary.problems.push({
        message: `${noun} ends in the middle of the header of a block at byte ${at}${after} (${rest.length} of its ${BLOCK_HEADER_LENGTH} bytes present)`,
        offset: at,
        frame: null,
      });
      return;
    }
    const type = this.u32(rest, 0);
    const length = isSectionHeader(rest, 0) && rest.length >= 12 ? sectionHeaderLength(rest) : this.u32(rest, 4);
    const packet = isPacketBlock(type);
    const frame = packet ? this.lastFrame + 1 : null;
    this.context.summary.problems.push({
      message:
        `${noun} ends in the middle of ${article(blockName(type))} at byte ${at}` +
        (packet ? ` (frame ${frame}: ` : `${after} (`) +
        `its length says ${length} bytes, only ${rest.length} present)`,
      offset: at,
      frame,
    });
  }

  abandon(): void {
    this.finish();
  }

  private finish(): void {
    this.longerThanOriginal.finish();
    this.untimed.finish();
    this.unknownInterface.finish();
    this.overlongPacket.finish();
    this.badOptions.finish();
    this.unshowableTime.finish();
  }

  private stop(problem: CaptureProblem): void {
    this.isStopped = true;
    this.pending = [];
    this.pendingLength = 0;
    this.context.summary.problems.push(problem);
    this.context.summary.fatal = true;
  }

  private damaged(at: number, what: string): void {
    this.stop({
      message: `pcapng block at byte ${at} ${what}: the ${this.context.noun.bare} is damaged here and the rest of it cannot be read`,
      offset: at,
      frame: null,
    });
  }

  /** Decodes the complete blocks at the start of `buffer` (which starts at a block); returns the bytes used. */
  private decodeBlocks(buffer: Buffer, out: FrameSink): number {
    let position = 0;
    while (!this.isStopped) {
      const available = buffer.length - position;
      if (available < BLOCK_OVERHEAD) {
        this.needed = BLOCK_OVERHEAD;
        break;
      }
      const at = this.consumed;
      let u32 = this.u32;
      const section = isSectionHeader(buffer, position);
      if (section) {
        const magic = buffer.readUInt32BE(position + 8);
        if (magic === BYTE_ORDER_MAGIC) u32 = readU32BE;
        else if (buffer.readUInt32LE(position + 8) === BYTE_ORDER_MAGIC) u32 = readU32LE;
        else {
          this.stop({
            message:
              `pcapng section header block at byte ${at} has the byte-order magic ${hex(buffer.subarray(position + 8, position + 12))} ` +
              `instead of 1a 2b 3c 4d: the ${this.context.noun.bare} is damaged here and the rest of it cannot be read`,
            offset: at + 8,
            frame: null,
          });
          break;
        }
      } else if (this.sections === 0) {
        this.stop({ message: `no pcapng section header block at byte ${at}`, offset: at, frame: null });
        break;
      }
      const type = u32(buffer, position);
      const length = u32(buffer, position + 4);
      const minimum = minBlockLength(type);
      if (length < minimum) {
        const header = minimum === BLOCK_OVERHEAD ? '' : ` (${article(blockName(type))} has at least ${minimum})`;
        this.damaged(at, `has length ${length}, smaller than its header${header}`);
        break;
      }
      if (length % 4 !== 0) {
        this.damaged(at, `has length ${length}, not a multiple of 4`);
        break;
      }
      if (length > this.context.limits.maxBlockLength) {
        this.damaged(at, `claims ${length} bytes, more than the ${this.context.limits.maxBlockLength}-byte maximum`);
        break;
      }
      if (available < length) {
        this.needed = length;
        break;
      }
      const trailer = u32(buffer, position + length - 4);
      if (trailer !== length) {
        this.damaged(at, `has length ${length} at its start but ${trailer} at its end`);
        break;
      }
      const block = buffer.subarray(position, position + length);
      if (section) this.decodeSectionHeader(block, at, u32);
      else this.decodeBlock(type, block, at, out);
      if (this.isStopped) break;
      position += length;
      this.consumed += length;
      this.context.summary.bytes = this.consumed;
    }
    return position;
  }

  private decodeSectionHeader(block: Buffer, at: number, u32: ReadU32): void {
    this.bigEndian = u32 === readU32BE;
    this.u32 = u32;
    this.u16 = this.bigEndian ? readU16BE : readU16LE;
    const major = this.u16(block, 12);
    const minor = this.u16(block, 14);
    if (major !== 1) {
      this.stop({
        message: `unsupported pcapng version ${major}.${minor} in the section header block at byte ${at}: only version 1.x can be read`,
        offset: at + 12,
        frame: null,
      });
      return;
    }
    this.sections++;
    this.interfaces = [];
  }

  private decodeBlock(type: number, block: Buffer, at: number, out: FrameSink): void {
    switch (type) {
      case BlockType.interfaceDescription:
        this.decodeInterfaceDescription(block, at);
        return;
      case BlockType.enhancedPacket:
        this.decodePacket(type, block, at, out, this.u32(block, 8), 28);
        return;
      case BlockType.obsoletePacket:
        this.decodePacket(type, block, at, out, this.u16(block, 8), 28);
        return;
      case BlockType.simplePacket:
        this.decodePacket(type, block, at, out, 0, 12);
        return;
      default:
        // Statistics, name resolution, decryption secrets, custom and unknown blocks: skipped.
        return;
    }
  }

  private decodeInterfaceDescription(block: Buffer, at: number): void {
    const linkType = this.u16(block, 8);
    const snapLength = this.u32(block, 12);
    let resolution: TimestampResolution = { base: 10, exponent: 6 };
    let offsetSeconds = 0;
    const end = block.length - 4;
    for (let position = 16; position < end; ) {
      if (position + 4 > end) {
        this.badInterfaceOptions(at, position);
        break;
      }
      const code = this.u16(block, position);
      const length = this.u16(block, position + 2);
      if (code === OptionCode.endOfOptions) break;
      const value = position + 4;
      if (value + length > end) {
        this.badInterfaceOptions(at, position);
        break;
      }
      if (code === OptionCode.ifTsresol && length >= 1) {
        resolution = decodeTsresol(block[value]);
      } else if (code === OptionCode.ifTsoffset && length >= 8) {
        offsetSeconds = Number(this.bigEndian ? block.readBigInt64BE(value) : block.readBigInt64LE(value));
      }
      position = value + ((length + 3) & ~3);
    }
    const declared = resolution;
    if (!holdsDates(resolution)) {
      const number = this.interfaceSummaries.length + 1;
      this.context.summary.problems.push({
        message:
          `interface ${number} (interface description block at byte ${at}) has if_tsresol ${formatTsresol(resolution)} s, ` +
          `a unit so fine that no timestamp could reach past the first second of 1970: its timestamps are read as microseconds (the default unit)`,
        offset: at,
        frame: null,
      });
      resolution = { base: 10, exponent: 6 };
    }
    const unit = formatTsresol(resolution);
    const offsetText = offsetSeconds !== 0 ? ` + ${offsetSeconds} s` : '';
    this.interfaces.push({
      linkType,
      snapLength,
      toMicros: timestampConverter(resolution, offsetSeconds),
      describe: (high, low) => `${(BigInt(high) << 32n) + BigInt(low)} units of ${unit} s${offsetText}`,
    });
    const name = linkTypeName(linkType);
    this.interfaceSummaries.push({ linkType, linkTypeName: name, snapLength, tsresol: formatTsresol(declared) });
    const summary = this.context.summary;
    if (summary.linkType === -1) {
      summary.linkType = linkType;
      summary.linkTypeName = name;
      summary.snapLength = snapLength;
    }
  }

  private badInterfaceOptions(at: number, position: number): void {
    const number = this.interfaceSummaries.length + 1;
    this.badOptions.add(() => ({
      message: `the options of interface ${number} (interface description block at byte ${at}) are damaged at byte ${at + position}; the rest of them are ignored`,
      offset: at + position,
      frame: null,
    }));
  }

  /**
   * Enhanced (EPB) and Obsolete (OPB) Packet Blocks: interface, timestamp, captured and original
   * length, then the data at `dataStart`. Simple Packet Blocks: original length at 8, data at 12,
   * interface 0, no timestamp.
   */
  private decodePacket(type: number, block: Buffer, at: number, out: FrameSink, interfaceId: number, dataStart: number): void {
    const summary = this.context.summary;
    const number = ++this.lastFrame;
    const timed = type !== BlockType.simplePacket;
    const name = blockName(type);
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) {
      const count = this.interfaces.length;
      this.unknownInterface.add(() => ({
        message:
          `${name} at byte ${at} (frame ${number}) names interface ${interfaceId}, but its section has ` +
          `${count === 0 ? 'no interface' : count === 1 ? 'only interface 0' : `only interfaces 0-${count - 1}`}: the packet is skipped`,
        offset: at,
        frame: number,
      }));
      return;
    }
    const room = block.length - 4 - dataStart;
    let capturedLength: number;
    let originalLength: number;
    let timeMicros: number;
    if (timed) {
      timeMicros = iface.toMicros(this.u32(block, 12), this.u32(block, 16));
      capturedLength = this.u32(block, 20);
      originalLength = this.u32(block, 24);
      if (capturedLength > room) {
        this.overlongPacket.add(() => ({
          message: `${name} at byte ${at} (frame ${number}) says it holds ${capturedLength} bytes but has room for ${room}: the packet is skipped`,
          offset: at,
          frame: number,
        }));
        return;
      }
    } else {
      originalLength = this.u32(block, 8);
      capturedLength = Math.min(originalLength, room, iface.snapLength === 0 ? Infinity : iface.snapLength);
      const previous = this.lastTimeMicros;
      timeMicros = previous ?? 0;
      this.untimed.add(() => ({
        message:
          `simple packet block at byte ${at} (frame ${number}) carries no timestamp: ` +
          (previous === null ? 'no packet comes before it, so it is given time 0 (1970-01-01)' : 'it is given the time of the packet before it'),
        offset: at,
        frame: number,
      }));
    }
    if (capturedLength < originalLength) {
      summary.truncatedPackets++;
    } else if (capturedLength > originalLength) {
      const declared = originalLength;
      this.longerThanOriginal.add(() => ({
        message:
          `${name} at byte ${at} (frame ${number}) has more captured bytes (${capturedLength}) ` +
          `than its original length (${declared}); its original length is taken as ${capturedLength}`,
        offset: at,
        frame: number,
      }));
      originalLength = capturedLength;
    }
    if (!isShowableTime(timeMicros)) {
      const previous = this.lastTimeMicros;
      const seconds = iface.describe(this.u32(block, 12), this.u32(block, 16));
      this.unshowableTime.add(() => ({
        message:
          `${name} at byte ${at} (frame ${number}) has a timestamp (${seconds}) that no date can show: ` +
          (previous === null ? 'it is given time 0 (1970-01-01)' : 'it is given the time of the packet before it'),
        offset: at,
        frame: number,
      }));
      timeMicros = previous ?? 0;
    }
    this.lastTimeMicros = timeMicros;
    summary.packets++;
    out.push({
      ref: { input: this.context.input, frame: number },
      timeMicros,
      linkType: iface.linkType,
      data: block.subarray(dataStart, dataStart + capturedLength),
      originalLength,
    });
  }
}

/** The length of the section header block at the start of `bytes` (at least 12 bytes), in its byte order. */
function sectionHeaderLength(bytes: Buffer): number {
  return bytes.readUInt32BE(8) === BYTE_ORDER_MAGIC ? bytes.readUInt32BE(4) : bytes.readUInt32LE(4);
}

function isSectionHeader(buffer: Buffer, position: number): boolean {
  return buffer[position] === 0x0a && buffer[position + 1] === 0x0d && buffer[position + 2] === 0x0d && buffer[position + 3] === 0x0a;
}

function article(name: string): string {
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

function hex(bytes: Buffer): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}
