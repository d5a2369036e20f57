/**
 * Classic libpcap file reader (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/), streamed,
 * on top of the `pcap-parser` package, which frames the records. Around its weaknesses:
 *
 * - it trusts any record length, and would buffer (and re-copy) the rest of the file waiting for
 *   a corrupt one: every record header is checked, and reading stops at one longer than
 *   max(snap length, maxRecordLength);
 * - it silently drops a partial record at the end of the file: the byte offset of every record is
 *   tracked against the bytes read, and a cut last record is reported;
 * - it only says "unknown magic number": the first bytes are kept and named (pcapng, nanosecond
 *   pcap, gzip, zip, text...);
 * - its version check is wrong (`major != 2 && minor != 4`): the major version is checked here;
 * - after a bad magic number it pauses the stream and never closes the file: the stream is destroyed.
 *
 * `pcap-parser` allocates with the deprecated `new Buffer()`; Node only warns (DEP0005) for calls
 * from outside node_modules, so nothing is printed (unless node runs with --pending-deprecation).
 *
 * Memory stays flat: frames are handed out as they are read. `frame.data` is a view into a read
 * chunk (up to READ_CHUNK_SIZE bytes): anything kept after `onFrame` returns should be copied.
 */
import * as fs from 'fs';
import type { EventEmitter } from 'events';
import { linkTypeName } from '../decode/linktypes';
import type { CapturedFrame } from '../types';
import type { CaptureProblem, InputSummary } from './types';

export const PCAP_FILE_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;
/** Default cap on a record's captured length when the snap length is smaller (Wireshark's and libpcap's 262144). */
export const DEFAULT_MAX_RECORD_LENGTH = 262144;
/** A snap length above this is not believed when deciding whether a record length is plausible. */
export const MAX_TRUSTED_SNAP_LENGTH = 16 * 1024 * 1024;
/** Bytes per read from the file. */
export const READ_CHUNK_SIZE = 1024 * 1024;

export interface ReadPcapOptions {
  /** A record longer than max(snap length, this) stops the reading as corrupt. Default 262144. */
  maxRecordLength?: number;
  /** Bytes per read (the stream's highWaterMark). Default READ_CHUNK_SIZE; tests use 1. */
  readChunkSize?: number;
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

/** Bytes kept from the start of the file to say what it is when it is not a pcap file. */
const HEAD_LENGTH = 64;
/** The pcap header's link type field: LINKTYPE in the low 16 bits, FCS information above. */
const LINK_TYPE_MASK = 0xffff;

/**
 * Read a classic pcap file, calling `onFrame` for each record in file order (frames numbered from 1).
 * Never rejects for a bad or missing file: the summary's `problems` say what is wrong and `fatal`
 * whether reading stopped early. Rejects only if `onFrame` throws (a bug). Prints nothing.
 */
export function readPcap(
  path: string,
  input: number,
  onFrame: (frame: CapturedFrame) => void,
  options: ReadPcapOptions = {},
): Promise<InputSummary> {
  const summary: InputSummary = {
    file: path,
    input,
    format: 'pcap',
    linkType: -1,
    linkTypeName: 'unknown',
    snapLength: 0,
    packets: 0,
    bytes: 0,
    truncatedPackets: 0,
    problems: [],
    fatal: false,
  };
  const maxRecordLength = options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH;

  return new Promise<InputSummary>((resolve, reject) => {
    let stream: fs.ReadStream;
    try {
      stream = fs.createReadStream(path, { highWaterMark: options.readChunkSize ?? READ_CHUNK_SIZE });
    } catch (error) {
      // Only for arguments fs rejects outright (e.g. a NUL byte in the path).
      summary.problems.push({ message: `cannot open the file: ${(error as Error).message}`, offset: null, frame: null });
      summary.fatal = true;
      resolve(summary);
      return;
    }

    let head = Buffer.alloc(0);
    let bytesRead = 0;
    let headerSeen = false;
    let recordLimit = maxRecordLength;
    let nextRecordOffset = PCAP_FILE_HEADER_LENGTH;
    let pendingLength = -1; // captured length of a record whose header was seen but not its data
    let ended = false;
    let stopped = false;
    let readError: NodeJS.ErrnoException | null = null;
    let callbackError: unknown = null;
    let settled = false;
    let longerThanOriginal = 0;
    let longerThanOriginalProblem: CaptureProblem | null = null;
    let badMicroseconds = false;

    const stop = (problem: CaptureProblem | null): void => {
      stopped = true;
      if (problem !== null) {
        summary.problems.push(problem);
        summary.fatal = true;
      }
      stream.destroy();
    };

    // First in line for every chunk, before the parser's listener (prependListener, unlike on('data'),
    // does not start the flow: the parser pauses the stream and resumes it on the next tick).
    stream.prependListener('data', (chunk: Buffer | string) => {
      const bytes = chunk as Buffer;
      if (head.length < HEAD_LENGTH) {
        head = Buffer.concat([head, bytes.subarray(0, HEAD_LENGTH - head.length)]);
      }
      bytesRead += bytes.length;
    });
    stream.on('end', () => {
      ended = true;
    });
    stream.on('close', () => {
      if (settled) return;
      settled = true;
      if (callbackError !== null) {
        reject(callbackError);
        return;
      }
      finish();
      resolve(summary);
    });

    const parser = pcapParser.parse(stream);

    // File system errors (they carry a code) and pcap-parser's "unknown magic number" / "unsupported
    // version"; the latter are described in finish() from the first bytes of the file.
    parser.on('error', (error: Error) => {
      if (stopped) return;
      if ((error as NodeJS.ErrnoException).code !== undefined) readError = error as NodeJS.ErrnoException;
      stop(null);
    });

    parser.on('globalHeader', (header: PcapGlobalHeader) => {
      if (stopped) return;
      headerSeen = true;
      summary.linkType = header.linkLayerType & LINK_TYPE_MASK;
      summary.linkTypeName = linkTypeName(summary.linkType);
      summary.snapLength = header.snapshotLength;
      summary.bytes = PCAP_FILE_HEADER_LENGTH;
      if (header.majorVersion !== 2) {
        stop({
          message: `unsupported pcap version ${header.majorVersion}.${header.minorVersion}: only version 2.x can be read`,
          offset: 4,
          frame: null,
        });
        return;
      }
      const trustedSnapLength = Math.min(header.snapshotLength, MAX_TRUSTED_SNAP_LENGTH);
      recordLimit = Math.max(maxRecordLength, trustedSnapLength);
    });

    parser.on('packetHeader', (header: PcapRecordHeader) => {
      if (stopped) return;
      if (header.capturedLength > recordLimit) {
        stop({
          message:
            `record ${summary.packets + 1} at byte ${nextRecordOffset} claims ${header.capturedLength} bytes, ` +
            `more than the snap length (${summary.snapLength}) and the ${maxRecordLength}-byte maximum: ` +
            'the file is damaged here and the rest of it cannot be read',
          offset: nextRecordOffset,
          frame: summary.packets + 1,
        });
        return;
      }
      pendingLength = header.capturedLength;
    });

    parser.on('packet', (packet: { header: PcapRecordHeader; data: Buffer }) => {
      if (stopped) return;
      const header = packet.header;
      const number = ++summary.packets;
      const recordOffset = nextRecordOffset;
      nextRecordOffset += PCAP_RECORD_HEADER_LENGTH + header.capturedLength;
      summary.bytes = nextRecordOffset;
      pendingLength = -1;

      let originalLength = header.originalLength;
      if (header.capturedLength < originalLength) {
        summary.truncatedPackets++;
      } else if (header.capturedLength > originalLength) {
        if (longerThanOriginal++ === 0) {
          longerThanOriginalProblem = {
            message:
              `record ${number} at byte ${recordOffset} has more captured bytes (${header.capturedLength}) ` +
              `than its original length (${originalLength}); its original length is taken as ${header.capturedLength}`,
            offset: recordOffset,
            frame: number,
          };
          summary.problems.push(longerThanOriginalProblem);
        }
        originalLength = header.capturedLength;
      }
      if (header.timestampMicroseconds >= 1_000_000 && !badMicroseconds) {
        badMicroseconds = true;
        summary.problems.push({
          message:
            `record ${number} at byte ${recordOffset} has ${header.timestampMicroseconds} in its microseconds field ` +
            '(more than a second): its timestamps may be wrong',
          offset: recordOffset + 4,
          frame: number,
        });
      }

      try {
        onFrame({
          ref: { input, frame: number },
          timeMicros: header.timestampSeconds * 1_000_000 + header.timestampMicroseconds,
          linkType: summary.linkType,
          data: packet.data,
          originalLength,
        });
      } catch (error) {
        callbackError = error;
        stop(null);
      }
    });

    function finish(): void {
      if (longerThanOriginal > 1 && longerThanOriginalProblem !== null) {
        const more = longerThanOriginal - 1;
        longerThanOriginalProblem.message += ` (and so for ${more} more record${more === 1 ? '' : 's'})`;
      }
      if (readError !== null) {
        summary.problems.push(describeReadError(readError, bytesRead));
        summary.fatal = true;
        return;
      }
      if (!headerSeen) {
        summary.problems.push({ message: describeNotPcap(head, bytesRead), offset: 0, frame: null });
        summary.fatal = true;
        return;
      }
      if (stopped) return;
      if (!ended) {
        summary.problems.push({ message: 'reading stopped before the end of the file', offset: bytesRead, frame: null });
        summary.fatal = true;
        return;
      }
      if (nextRecordOffset < bytesRead) {
        const present = bytesRead - nextRecordOffset;
        const number = summary.packets + 1;
        const message =
          present < PCAP_RECORD_HEADER_LENGTH || pendingLength < 0
            ? `file ends in the middle of the header of record ${number} at byte ${nextRecordOffset} ` +
              `(${present} of its ${PCAP_RECORD_HEADER_LENGTH} bytes present)`
            : `file ends in the middle of record ${number} at byte ${nextRecordOffset} ` +
              `(header says ${pendingLength} bytes, only ${present - PCAP_RECORD_HEADER_LENGTH} present)`;
        summary.problems.push({ message, offset: nextRecordOffset, frame: number });
      }
    }
  });
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory, not a capture file',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the file name is too long',
  EIO: 'input/output error',
};

function describeReadError(error: NodeJS.ErrnoException, bytesRead: number): CaptureProblem {
  const text = (error.code !== undefined ? ERRNO_TEXT[error.code] : undefined) ?? error.message;
  if (error.syscall === 'open' || bytesRead === 0) {
    return { message: `cannot open the file: ${text}`, offset: null, frame: null };
  }
  return { message: `cannot read the file after byte ${bytesRead}: ${text}`, offset: bytesRead, frame: null };
}

/** What a file that starts with these bytes probably is. */
const FILE_SIGNATURES: ReadonlyArray<{ magic: readonly number[]; what: string }> = [
  { magic: [0x0a, 0x0d, 0x0d, 0x0a], what: 'a pcapng file: not supported yet (convert it with `editcap -F pcap in.pcapng out.pcap`)' },
  { magic: [0xa1, 0xb2, 0x3c, 0x4d], what: 'a pcap file with nanosecond timestamps: not supported yet (convert it with `editcap -F pcap in out.pcap`)' },
  { magic: [0x4d, 0x3c, 0xb2, 0xa1], what: 'a pcap file with nanosecond timestamps: not supported yet (convert it with `editcap -F pcap in out.pcap`)' },
  { magic: [0xa1, 0xb2, 0xcd, 0x34], what: 'a modified (Kuznetzov) pcap file: not supported (convert it with `editcap -F pcap in out.pcap`)' },
  { magic: [0x34, 0xcd, 0xb2, 0xa1], what: 'a modified (Kuznetzov) pcap file: not supported (convert it with `editcap -F pcap in out.pcap`)' },
  { magic: [0x1f, 0x8b], what: 'gzip-compressed: decompress it first (gunzip)' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed: decompress it first (zstd -d)' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz-compressed: decompress it first (xz -d)' },
  { magic: [0x42, 0x5a, 0x68], what: 'bzip2-compressed: decompress it first (bunzip2)' },
  { magic: [0x04, 0x22, 0x4d, 0x18], what: 'lz4-compressed: decompress it first (lz4 -d)' },
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive: extract the capture from it first' },
  { magic: [0x73, 0x6e, 0x6f, 0x6f, 0x70, 0x00], what: 'a snoop capture: convert it with `editcap -F pcap in out.pcap`' },
  { magic: [0x47, 0x4d, 0x42, 0x55], what: 'a Microsoft Network Monitor capture: convert it with `editcap -F pcap in out.pcap`' },
];

const PCAP_MAGIC_BE = 0xa1b2c3d4;
const PCAP_MAGIC_LE = 0xd4c3b2a1;

/** The message for a file that did not yield a pcap header. `head` is its first bytes, `size` how many were read. */
export function describeNotPcap(head: Buffer, size: number): string {
  if (size === 0) return 'the file is empty (0 bytes): not a capture';
  const magic = head.length >= 4 ? head.readUInt32BE(0) : -1;
  if (magic === PCAP_MAGIC_BE || magic === PCAP_MAGIC_LE) {
    if (size < PCAP_FILE_HEADER_LENGTH) {
      return `the file is only ${size} bytes long: too short for the ${PCAP_FILE_HEADER_LENGTH}-byte pcap file header`;
    }
    const bigEndian = magic === PCAP_MAGIC_BE;
    const major = bigEndian ? head.readUInt16BE(4) : head.readUInt16LE(4);
    const minor = bigEndian ? head.readUInt16BE(6) : head.readUInt16LE(6);
    return `unsupported pcap version ${major}.${minor}: only version 2.x can be read`;
  }
  const signature = FILE_SIGNATURES.find((entry) => startsWith(head, entry.magic));
  let what: string;
  if (signature !== undefined) what = `it looks like ${signature.what}`;
  else if (looksLikeText(head)) what = 'it looks like text, not a capture (save the capture itself, in pcap format)';
  else what = 'no capture format ftpcap knows';
  const short = size < PCAP_FILE_HEADER_LENGTH ? ` (the file is only ${size} bytes long)` : '';
  return `not a pcap file: it starts with ${hexBytes(head, 4)}; ${what}${short}`;
}

function startsWith(bytes: Buffer, magic: readonly number[]): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) {
    if (bytes[i] !== magic[i]) return false;
  }
  return true;
}

/** Printable ASCII, tabs and line ends, and well-formed UTF-8 (a sequence cut by the end of `bytes` is fine). */
function looksLikeText(bytes: Buffer): boolean {
  let i = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? 3 : 0; // UTF-8 byte order mark
  if (i >= bytes.length) return false;
  while (i < bytes.length) {
    const byte = bytes[i];
    if ((byte >= 0x20 && byte < 0x7f) || byte === 0x09 || byte === 0x0a || byte === 0x0d) {
      i++;
      continue;
    }
    const continuation = byte >= 0xc2 && byte <= 0xdf ? 1 : byte >= 0xe0 && byte <= 0xef ? 2 : byte >= 0xf0 && byte <= 0xf4 ? 3 : -1;
    if (continuation < 0) return false;
    for (let k = 1; k <= continuation && i + k < bytes.length; k++) {
      if ((bytes[i + k] & 0xc0) !== 0x80) return false;
    }
    i += continuation + 1;
  }
  return true;
}

function hexBytes(bytes: Buffer, count: number): string {
  let text = '';
  const end = Math.min(count, bytes.length);
  for (let i = 0; i < end; i++) {
    if (i > 0) text += ' ';
    text += bytes[i].toString(16).padStart(2, '0');
  }
  return text;
}
