/**
 * Classic libpcap files (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/), microsecond
 * (magic a1b2c3d4) and nanosecond (a1b23c4d) timestamps, either byte order. The records are framed
 * by the `pcap-parser` package, fed from a stream-like object driven here chunk by chunk
 * (pcap-parser only calls `pause`, `resume` and `on('data' | 'end' | 'error')` on its input), so
 * decoding stays synchronous. Around its weaknesses:
 *
 * - it only knows the microsecond magic: a nanosecond file's header is handed to it with the
 *   microsecond magic in the same byte order, and its `timestampMicroseconds` read as nanoseconds;
 * - it trusts any record length, and would buffer (and re-copy) the rest of the file waiting for
 *   a corrupt one: decoding stops at a record longer than max(snap length, maxRecordLength),
 *   whether pcap-parser hands it out or waits for it (the header of the record it waits for is
 *   read after every chunk: only that one can hold it up);
 * - it silently drops a partial record at the end of the file: the byte offset of every record is
 *   tracked against the bytes fed, and a cut last record is reported;
 * - its version check is wrong (`major != 2 && minor != 4`): the header is checked here first.
 *
 * `pcap-parser` allocates with the deprecated `new Buffer()`; Node only warns (DEP0005) for calls
 * from outside node_modules, so nothing is printed (unless node runs with --pending-deprecation).
 * It copies every chunk after the first into a new buffer (even when nothing of the previous one
 * is left over): frames are views into those. When the frames are consumed at once (a single
 * input), the copies are avoided: pcap-parser is fed whole records only, straight from the chunk,
 * with its empty leftover cleared first (its `buffer` field, null when it has nothing, is the only
 * internal it is told about), and a record cut by the chunk's end waits in a reused buffer here.
 */
import { EventEmitter } from 'events';
import { linkTypeName } from '../decode/linktypes';
import { RepeatedProblem, type DecoderContext, type FrameDecoder, type FrameSink } from './decoder';
import type { CaptureProblem } from './types';

export { DEFAULT_MAX_RECORD_LENGTH } from './decoder';

export const PCAP_FILE_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;
/** A snap length above this is not believed when deciding whether a record length is plausible. */
export const MAX_TRUSTED_SNAP_LENGTH = 16 * 1024 * 1024;

/** The four classic pcap magic numbers, as the first four bytes of a file read big-endian. */
export const PcapMagic = {
  microsecondsBigEndian: 0xa1b2c3d4,
  microsecondsLittleEndian: 0xd4c3b2a1,
  nanosecondsBigEndian: 0xa1b23c4d,
  nanosecondsLittleEndian: 0x4d3cb2a1,
} as const;

/** Whether a file starting with these four bytes (read big-endian) is classic pcap, and with which timestamps. */
export function classifyPcapMagic(magic: number): { nanoseconds: boolean; bigEndian: boolean } | null {
  switch (magic) {
    case PcapMagic.microsecondsBigEndian:
      return { nanoseconds: false, bigEndian: true };
    case PcapMagic.microsecondsLittleEndian:
      return { nanoseconds: false, bigEndian: false };
    case PcapMagic.nanosecondsBigEndian:
      return { nanoseconds: true, bigEndian: true };
    case PcapMagic.nanosecondsLittleEndian:
      return { nanoseconds: true, bigEndian: false };
    default:
      return null;
  }
}

/** The events and fields of `pcap-parser` 0.2.1 used here (lib/pcap-parser.js). */
interface PcapGlobalHeader {
  magicNumber: number;
  majorVersion: number;
  minorVersion: number;
  gmtOffset: number;
  timestampAccuracy: number;
  snapshotLength: number;
  linkLayerType: number;
}
interface PcapRecordHeader {
  timestampSeconds: number;
  /** Microseconds, or nanoseconds in a nanosecond file (handed to the parser as a microsecond one). */
  timestampMicroseconds: number;
  capturedLength: number;
  originalLength: number;
}
interface PcapParser extends EventEmitter {
  on(event: 'globalHeader', listener: (header: PcapGlobalHeader) => void): this;
  on(event: 'packetHeader', listener: (header: PcapRecordHeader) => void): this;
  on(event: 'packet', listener: (packet: { header: PcapRecordHeader; data: Buffer }) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pcapParser = require('pcap-parser') as { parse(input: NodeJS.ReadableStream): PcapParser };

/** What pcap-parser needs of its input: it is fed with `emit('data', chunk)`; pausing means nothing here. */
class ParserFeed extends EventEmitter {
  pause(): this {
    return this;
  }

  resume(): this {
    return this;
  }
}

/** The pcap header's link type field: LINKTYPE in the low 16 bits, FCS information above. */
const LINK_TYPE_MASK = 0xffff;

/** Decodes a classic pcap file; created once its first four bytes are known to be a pcap magic. */
export class PcapDecoder implements FrameDecoder {
  private readonly feed = new ParserFeed();
  private readonly parser: PcapParser;
  private readonly nanoseconds: boolean;
  /** The first bytes, until the 24-byte file header is complete. */
  private headerParts: Buffer[] | null = [];
  private headerLength = 0;
  private received = 0;
  private recordLimit: number;
  private nextRecordOffset = PCAP_FILE_HEADER_LENGTH;
  /** Captured length of the record pcap-parser waits for (its header complete, its data not); -1 when none. */
  private pendingLength = -1;
  /** The first bytes of the record pcap-parser waits for, while they are fewer than its header. */
  private readonly waitingHeader = Buffer.alloc(PCAP_RECORD_HEADER_LENGTH);
  private bigEndian = false;
  private out: FrameSink | null = null;
  private readonly longerThanOriginal: RepeatedProblem;
  private badFraction = false;
  private isStopped = false;
  /** The start of a record cut by the end of the last chunk (aligned feeding only). */
  private carry = Buffer.allocUnsafe(64 * 1024);
  private carryLength = 0;

  constructor(
    private readonly context: DecoderContext,
    nanoseconds: boolean,
  ) {
    this.nanoseconds = nanoseconds;
    context.summary.format = nanoseconds ? 'pcap-nsec' : 'pcap';
    this.recordLimit = context.limits.maxRecordLength;
    this.longerThanOriginal = new RepeatedProblem(context.summary.problems, 'record');
    this.parser = pcapParser.parse(this.feed as unknown as NodeJS.ReadableStream);
    // pcap-parser reports a bad magic or version as 'error'; the header is checked before it sees it.
    this.parser.on('error', () => this.stop(null));
    this.parser.on('globalHeader', (header) => this.onGlobalHeader(header));
    this.parser.on('packet', (packet) => this.onRecord(packet.header, packet.data));
  }

  get stopped(): boolean {
    return this.isStopped;
  }

  /** pcap-parser copies every chunk after the file header into its own buffer; frames are views into those. */
  readonly retainsChunks = false;

  push(chunk: Buffer, out: FrameSink): void {
    if (this.isStopped || chunk.length === 0) return;
    this.received += chunk.length;
    this.out = out;
    try {
      if (this.headerParts === null) {
        if (out.immediate) this.pushRecords(chunk);
        else {
          this.feed.emit('data', chunk);
          this.checkWaitingRecord(chunk);
        }
        return;
      }
      this.headerParts.push(chunk);
      this.headerLength += chunk.length;
      if (this.headerLength < PCAP_FILE_HEADER_LENGTH) return;
      const first = this.headerParts.length === 1 ? chunk : Buffer.concat(this.headerParts, this.headerLength);
      this.headerParts = null;
      const header = this.checkedHeader(first);
      if (header === null) return;
      this.feed.emit('data', header);
      if (out.immediate) {
        this.pushRecords(first.subarray(PCAP_FILE_HEADER_LENGTH));
      } else {
        if (first.length > PCAP_FILE_HEADER_LENGTH) this.feed.emit('data', first.subarray(PCAP_FILE_HEADER_LENGTH));
        this.checkWaitingRecord(first);
      }
    } finally {
      this.out = null;
    }
  }

  /**
   * Aligned feeding: completes the record waiting in `carry` from the chunk's first bytes, hands
   * pcap-parser the chunk's whole records as they are (no copy), and keeps the cut one.
   */
  private pushRecords(chunk: Buffer): void {
    let rest = chunk;
    if (this.carryLength > 0) {
      const take = this.completeCarried(rest);
      rest = rest.subarray(take);
      if (this.carryLength > 0 || this.isStopped) return;
    }
    let at = 0;
    for (;;) {
      if (rest.length - at < PCAP_RECORD_HEADER_LENGTH) break;
      const length = this.bigEndian ? rest.readUInt32BE(at + 8) : rest.readUInt32LE(at + 8);
      if (length > this.recordLimit) {
        this.feedRecords(rest.subarray(0, at));
        if (!this.isStopped) this.recordTooLong(length);
        return;
      }
      if (rest.length - at - PCAP_RECORD_HEADER_LENGTH < length) break;
      at += PCAP_RECORD_HEADER_LENGTH + length;
    }
    this.feedRecords(rest.subarray(0, at));
    if (this.isStopped) return;
    const cut = rest.subarray(at);
    this.keep(cut);
    // The cut record's length, once its header is here, describes it if the input ends now.
    if (cut.length >= PCAP_RECORD_HEADER_LENGTH) this.pendingLength = this.bigEndian ? cut.readUInt32BE(8) : cut.readUInt32LE(8);
  }

  /** Adds the chunk's first bytes to the carried record; returns how many it took. */
  private completeCarried(chunk: Buffer): number {
    let taken = 0;
    if (this.carryLength < PCAP_RECORD_HEADER_LENGTH) {
      taken = Math.min(PCAP_RECORD_HEADER_LENGTH - this.carryLength, chunk.length);
      this.keep(chunk.subarray(0, taken));
      if (this.carryLength < PCAP_RECORD_HEADER_LENGTH) return taken;
    }
    const length = this.bigEndian ? this.carry.readUInt32BE(8) : this.carry.readUInt32LE(8);
    if (length > this.recordLimit) {
      this.recordTooLong(length);
      return taken;
    }
    this.pendingLength = length;
    const total = PCAP_RECORD_HEADER_LENGTH + length;
    const more = Math.min(total - this.carryLength, chunk.length - taken);
    this.keep(chunk.subarray(taken, taken + more));
    taken += more;
    if (this.carryLength === total) {
      this.carryLength = 0;
      this.feedRecords(this.carry.subarray(0, total));
    }
    return taken;
  }

  /** Appends bytes to the carried record (growing its buffer up to one record). */
  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const needed = this.carryLength + bytes.length;
    if (needed > this.carry.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.carry.length * 2));
      this.carry.copy(grown, 0, 0, this.carryLength);
      this.carry = grown;
    }
    bytes.copy(this.carry, this.carryLength);
    this.carryLength = needed;
  }

  /** Hands pcap-parser whole records, which it takes as they are when it has nothing left over. */
  private feedRecords(records: Buffer): void {
    if (records.length === 0) return;
    const parser = this.parser as unknown as { buffer: Buffer | null };
    if (parser.buffer !== null && parser.buffer.length === 0) parser.buffer = null;
    this.feed.emit('data', records);
  }

  end(): void {
    this.finish();
    if (this.isStopped) return;
    const summary = this.context.summary;
    const noun = this.context.noun;
    if (this.headerParts !== null) {
      this.stop({
        message: `${noun.definite} is only ${this.received} bytes long: too short for the ${PCAP_FILE_HEADER_LENGTH}-byte pcap file header`,
        offset: 0,
        frame: null,
      });
      return;
    }
    if (this.nextRecordOffset < this.received) {
      const present = this.received - this.nextRecordOffset;
      const number = summary.packets + 1;
      const message =
        present < PCAP_RECORD_HEADER_LENGTH || this.pendingLength < 0
          ? `${noun.bare} ends in the middle of the header of record ${number} at byte ${this.nextRecordOffset} ` +
            `(${present} of its ${PCAP_RECORD_HEADER_LENGTH} bytes present)`
          : `${noun.bare} ends in the middle of record ${number} at byte ${this.nextRecordOffset} ` +
            `(header says ${this.pendingLength} bytes, only ${present - PCAP_RECORD_HEADER_LENGTH} present)`;
      summary.problems.push({ message, offset: this.nextRecordOffset, frame: number });
    }
  }

  abandon(): void {
    this.finish();
  }

  private finish(): void {
    this.longerThanOriginal.finish();
  }

  private stop(problem: CaptureProblem | null): void {
    this.isStopped = true;
    if (problem !== null) {
      this.context.summary.problems.push(problem);
      this.context.summary.fatal = true;
    }
  }

  /**
   * Checks the version of the 24-byte file header at the start of `first` and returns the header
   * as pcap-parser must see it (microsecond magic); null when the file cannot be read.
   */
  private checkedHeader(first: Buffer): Buffer | null {
    const bigEndian = first[0] === 0xa1;
    this.bigEndian = bigEndian;
    const major = bigEndian ? first.readUInt16BE(4) : first.readUInt16LE(4);
    const minor = bigEndian ? first.readUInt16BE(6) : first.readUInt16LE(6);
    if (major !== 2) {
      this.stop({ message: `unsupported pcap version ${major}.${minor}: only version 2.x can be read`, offset: 4, frame: null });
      return null;
    }
    const header = Buffer.from(first.subarray(0, PCAP_FILE_HEADER_LENGTH));
    if (this.nanoseconds) {
      if (bigEndian) header.writeUInt32BE(PcapMagic.microsecondsBigEndian, 0);
      else header.writeUInt32LE(PcapMagic.microsecondsBigEndian, 0);
    }
    return header;
  }

  private onGlobalHeader(header: PcapGlobalHeader): void {
    if (this.isStopped) return;
    const summary = this.context.summary;
    summary.linkType = header.linkLayerType & LINK_TYPE_MASK;
    summary.linkTypeName = linkTypeName(summary.linkType);
    summary.snapLength = header.snapshotLength;
    summary.bytes = PCAP_FILE_HEADER_LENGTH;
    const trustedSnapLength = Math.min(header.snapshotLength, MAX_TRUSTED_SNAP_LENGTH);
    this.recordLimit = Math.max(this.context.limits.maxRecordLength, trustedSnapLength);
  }

  /**
   * After a push: the record pcap-parser now waits for, if any, once its 16-byte header is there
   * (it may have come in pieces over several pushes: the first ones are kept in `waitingHeader`).
   * Its length is checked, and kept to describe a record cut by the end of the input.
   */
  private checkWaitingRecord(chunk: Buffer): void {
    const waiting = this.received - this.nextRecordOffset;
    if (this.isStopped || waiting === 0 || this.pendingLength >= 0) return;
    // The record's bytes are the last `waiting` ones; those before this chunk are already kept.
    const inChunk = Math.min(waiting, chunk.length);
    const kept = waiting - inChunk;
    const start = chunk.length - inChunk;
    chunk.copy(this.waitingHeader, kept, start, start + Math.min(inChunk, PCAP_RECORD_HEADER_LENGTH - kept));
    if (waiting < PCAP_RECORD_HEADER_LENGTH) return;
    const capturedLength = this.bigEndian ? this.waitingHeader.readUInt32BE(8) : this.waitingHeader.readUInt32LE(8);
    if (capturedLength > this.recordLimit) this.recordTooLong(capturedLength);
    else this.pendingLength = capturedLength;
  }

  /** Stops at the next record, which claims more bytes than a record may have. */
  private recordTooLong(capturedLength: number): void {
    const summary = this.context.summary;
    this.stop({
      message:
        `record ${summary.packets + 1} at byte ${this.nextRecordOffset} claims ${capturedLength} bytes, ` +
        `more than the snap length (${summary.snapLength}) and the ${this.context.limits.maxRecordLength}-byte maximum: ` +
        `the ${this.context.noun.bare} is damaged here and the rest of it cannot be read`,
      offset: this.nextRecordOffset,
      frame: summary.packets + 1,
    });
  }

  private onRecord(header: PcapRecordHeader, data: Buffer): void {
    if (this.isStopped || this.out === null) return;
    if (header.capturedLength > this.recordLimit) {
      this.recordTooLong(header.capturedLength);
      return;
    }
    const summary = this.context.summary;
    const number = ++summary.packets;
    const recordOffset = this.nextRecordOffset;
    this.nextRecordOffset += PCAP_RECORD_HEADER_LENGTH + header.capturedLength;
    summary.bytes = this.nextRecordOffset;
    this.pendingLength = -1;

    let originalLength = header.originalLength;
    if (header.capturedLength < originalLength) {
      summary.truncatedPackets++;
    } else if (header.capturedLength > originalLength) {
      const declared = originalLength;
      this.longerThanOriginal.add(() => ({
        message:
          `record ${number} at byte ${recordOffset} has more captured bytes (${header.capturedLength}) ` +
          `than its original length (${declared}); its original length is taken as ${header.capturedLength}`,
        offset: recordOffset,
        frame: number,
      }));
      originalLength = header.capturedLength;
    }
    const fraction = header.timestampMicroseconds;
    const unitsPerSecond = this.nanoseconds ? 1_000_000_000 : 1_000_000;
    if (fraction >= unitsPerSecond && !this.badFraction) {
      this.badFraction = true;
      const field = this.nanoseconds ? 'nanoseconds' : 'microseconds';
      summary.problems.push({
        message: `record ${number} at byte ${recordOffset} has ${fraction} in its ${field} field ` + '(more than a second): its timestamps may be wrong',
        offset: recordOffset + 4,
        frame: number,
      });
    }
    const micros = this.nanoseconds ? Math.floor(fraction / 1000) : fraction;
    this.out.push({
      ref: { input: this.context.input, frame: number },
      timeMicros: header.timestampSeconds * 1_000_000 + micros,
      linkType: summary.linkType,
      data,
      originalLength,
    });
  }
}
