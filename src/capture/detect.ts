/**
 * Recognises a capture format from its first bytes (never from the file name) and says what an
 * unreadable input probably is: `not a capture file: it starts with 50 4b 03 04; it looks like a
 * zip archive: extract the capture from it first`.
 */
import type { DecoderContext, FrameDecoder, FrameSink } from './decoder';
import { PcapDecoder, classifyPcapMagic, PCAP_FILE_HEADER_LENGTH } from './pcap';
import { PcapngDecoder } from './pcapng';

/** Bytes kept from the start of an input to say what it is when it is not a capture. */
export const HEAD_LENGTH = 64;
/** Bytes needed to recognise a format. */
const MAGIC_LENGTH = 4;

/** gzip's magic (RFC 1952 section 2.3.1): ID1 ID2. */
export const GZIP_MAGIC = [0x1f, 0x8b] as const;

export function isGzip(head: Buffer): boolean {
  return startsWith(head, GZIP_MAGIC);
}

/** Creates the decoder for a capture starting with `head` (at least 4 bytes); null for no known format. */
export function decoderFor(head: Buffer, context: DecoderContext): FrameDecoder | null {
  if (head.length < MAGIC_LENGTH) return null;
  if (startsWith(head, [0x0a, 0x0d, 0x0d, 0x0a])) return new PcapngDecoder(context);
  const pcap = classifyPcapMagic(head.readUInt32BE(0));
  if (pcap !== null) return new PcapDecoder(context, pcap.nanoseconds);
  return null;
}

/**
 * Holds the first bytes of an input until its format is known, then hands them and everything
 * after to that format's decoder. An input of no known format is a fatal problem.
 */
export class FormatSniffer implements FrameDecoder {
  private decoder: FrameDecoder | null = null;
  private head: Buffer[] = [];
  private headLength = 0;
  private failed = false;

  constructor(private readonly context: DecoderContext) {}

  get stopped(): boolean {
    return this.failed || (this.decoder?.stopped ?? false);
  }

  /** Until the format is known, the first chunks are kept. */
  get retainsChunks(): boolean {
    return this.decoder?.retainsChunks ?? true;
  }

  push(chunk: Buffer, out: FrameSink): void {
    if (this.decoder !== null) {
      this.decoder.push(chunk, out);
      return;
    }
    if (this.failed || chunk.length === 0) return;
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength < MAGIC_LENGTH) return;
    const head = this.joinHead();
    this.decoder = decoderFor(head, this.context);
    if (this.decoder !== null) {
      this.head = [];
      this.decoder.push(head, out);
    } else if (this.headLength >= HEAD_LENGTH) {
      this.fail(head);
    }
  }

  end(): void {
    if (this.decoder !== null) this.decoder.end();
    else if (!this.failed) this.fail(this.joinHead());
  }

  abandon(): void {
    this.decoder?.abandon();
  }

  private joinHead(): Buffer {
    const head = this.head.length === 1 ? this.head[0] : Buffer.concat(this.head, this.headLength);
    this.head = [head];
    return head;
  }

  private fail(head: Buffer): void {
    this.failed = true;
    this.head = [];
    this.context.summary.problems.push({ message: describeNotCapture(head, this.headLength, this.context.noun.definite), offset: 0, frame: null });
    this.context.summary.fatal = true;
  }
}

/** What an input that starts with these bytes probably is, and what to do about it. */
const FILE_SIGNATURES: ReadonlyArray<{ magic: readonly number[]; what: string }> = [
  { magic: [0xa1, 0xb2, 0xcd, 0x34], what: 'a modified (Kuznetzov) pcap file: not supported (convert it with `editcap -F pcap in out.pcap`)' },
  { magic: [0x34, 0xcd, 0xb2, 0xa1], what: 'a modified (Kuznetzov) pcap file: not supported (convert it with `editcap -F pcap in out.pcap`)' },
  { magic: GZIP_MAGIC, what: 'gzip-compressed (again, inside the gzip data): decompress it first (gunzip)' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed: decompress it first (zstd -d)' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz-compressed: decompress it first (xz -d)' },
  { magic: [0x42, 0x5a, 0x68], what: 'bzip2-compressed: decompress it first (bunzip2)' },
  { magic: [0x04, 0x22, 0x4d, 0x18], what: 'lz4-compressed: decompress it first (lz4 -d)' },
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive: extract the capture from it first' },
  { magic: [0x73, 0x6e, 0x6f, 0x6f, 0x70, 0x00], what: 'a snoop capture: convert it with `editcap -F pcap in out.pcap`' },
  { magic: [0x47, 0x4d, 0x42, 0x55], what: 'a Microsoft Network Monitor capture: convert it with `editcap -F pcap in out.pcap`' },
];

/**
 * The message for an input whose format is not known. `head` is its first bytes, `size` how many
 * were read, `subject` how to name it ('the file', 'standard input', 'the decompressed data').
 */
export function describeNotCapture(head: Buffer, size: number, subject = 'the file'): string {
  if (size === 0) return `${subject} is empty (0 bytes): not a capture`;
  const signature = FILE_SIGNATURES.find((entry) => startsWith(head, entry.magic));
  let what: string;
  if (signature !== undefined) what = `it looks like ${signature.what}`;
  else if (looksLikeText(head)) what = 'it looks like text, not a capture (save the capture itself, in pcap or pcapng format)';
  else what = 'no capture format ftpcap knows';
  const short = size < PCAP_FILE_HEADER_LENGTH ? ` (${subject} is only ${size} bytes long)` : '';
  return `not a capture file: it starts with ${hexBytes(head, 4)}; ${what}${short}`;
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

export function hexBytes(bytes: Buffer, count: number): string {
  let text = '';
  const end = Math.min(count, bytes.length);
  for (let i = 0; i < end; i++) {
    if (i > 0) text += ' ';
    text += bytes[i].toString(16).padStart(2, '0');
  }
  return text;
}
