/**
 * What a data connection carried, computed streaming from its bytes in sequence order: MD5, SHA-1
 * and SHA-256 (the hashes Zeek's files.log and threat-intelligence lookups use), the content type
 * from the first bytes, and the byte ranges the capture lacks. Missing bytes count as zeros in the
 * hashes, as they are in an extracted file, so a file's hash and its extracted copy's agree; the
 * missing ranges say whether that is the real file's hash.
 *
 * The content type comes from magic-bytes.js (signatures kept as data by its maintainers, used
 * synchronously, CommonJS): file-type, the best known, is ESM-only and asynchronous, which the
 * synchronous core cannot wait for.
 */
import { createHash, type Hash } from 'node:crypto';
import type * as MagicBytes from 'magic-bytes.js';
import type { PayloadContent } from '../types';

/** Bytes kept from the start of a stream to tell its type (signatures such as tar's sit at 257). */
export const SNIFF_BYTES = 4096;

/** Zeros hashed in place of missing bytes, a slice at a time. */
const ZEROS = Buffer.alloc(64 * 1024);

/**
 * The content type of a stream from its first bytes: a signature's type when one matches, else
 * `text/plain` when the bytes are text (UTF-8 without control characters other than tab, CR, LF,
 * form feed and escape), else null.
 */
export function sniffType(head: Buffer): PayloadContent['type'] {
  if (head.length === 0) return null;
  const [match] = magicBytes().filetypeinfo(head);
  if (match !== undefined) return { mime: match.mime ?? null, name: match.typename, extension: match.extension ?? null };
  return looksLikeText(head) ? { mime: 'text/plain', name: 'text', extension: 'txt' } : null;
}

let magic: typeof MagicBytes | null = null;

/** The signature library, loaded at the first stream that ends with bytes (its tables take a while to load). */
function magicBytes(): typeof MagicBytes {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  magic ??= require('magic-bytes.js') as typeof MagicBytes;
  return magic;
}

function looksLikeText(head: Buffer): boolean {
  for (let i = 0; i < head.length; i++) {
    const b = head[i];
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) return false;
    if (b === 0x7f) return false;
  }
  // A multi-byte character cut at the end of the head is still text.
  const text = head.toString('utf8');
  const bad = text.indexOf('\ufffd');
  return bad < 0 || bad >= text.length - 3;
}

/** Whether the capture holds every byte of a stream: its start (SYN), its end (FIN or RST) and no hole. */
export function payloadComplete(content: Pick<PayloadContent, 'startUnknown' | 'endSeen' | 'missingBytes'>): boolean {
  return !content.startUnknown && content.endSeen && content.missingBytes === 0;
}

/** How many missing ranges a stream lists; more are counted. */
export const MAX_MISSING_RANGES = 64;

/**
 * One direction of a data connection, in order: feed `data` and `gap` as reassembly delivers
 * them, then `summary`.
 */
export class PayloadDigest {
  private readonly hashes: { sha256: Hash; md5: Hash; sha1: Hash } | null;
  private readonly head = Buffer.alloc(SNIFF_BYTES);
  private headLength = 0;
  /** The head fills until the first hole: the type is told from the bytes before it. */
  private headOpen = true;
  /** Bytes delivered so far, data and gaps: the offset of the next byte. */
  offset = 0;
  private captured = 0;
  private readonly missing: Array<{ start: number; end: number }> = [];
  private missingBytes = 0;
  private missingRangesDropped = 0;

  constructor(hash: boolean) {
    this.hashes = hash ? { sha256: createHash('sha256'), md5: createHash('md5'), sha1: createHash('sha1') } : null;
  }

  data(bytes: Buffer): void {
    if (this.headOpen && this.headLength < SNIFF_BYTES) this.headLength += bytes.copy(this.head, this.headLength, 0);
    const hashes = this.hashes;
    if (hashes !== null) {
      hashes.sha256.update(bytes);
      hashes.md5.update(bytes);
      hashes.sha1.update(bytes);
    }
    this.offset += bytes.length;
    this.captured += bytes.length;
  }

  /** The bytes `bytes[start, end)`: the same as `data(bytes.subarray(start, end))`, without a view unless hashing. */
  range(bytes: Buffer, start: number, end: number): void {
    const length = end - start;
    if (this.headOpen && this.headLength < SNIFF_BYTES) this.headLength += bytes.copy(this.head, this.headLength, start, end);
    const hashes = this.hashes;
    if (hashes !== null) {
      const view = bytes.subarray(start, end);
      hashes.sha256.update(view);
      hashes.md5.update(view);
      hashes.sha1.update(view);
    }
    this.offset += length;
    this.captured += length;
  }

  /** `length` bytes the capture lacks, at the current offset. */
  gap(length: number): void {
    if (length <= 0) return;
    const start = this.offset;
    const last = this.missing[this.missing.length - 1];
    if (last !== undefined && last.end === start) last.end += length;
    else if (this.missing.length < MAX_MISSING_RANGES) this.missing.push({ start, end: start + length });
    else this.missingRangesDropped++;
    this.missingBytes += length;
    this.headOpen = false;
    const hashes = this.hashes;
    if (hashes !== null) {
      for (let left = length; left > 0; left -= ZEROS.length) {
        const zeros = left >= ZEROS.length ? ZEROS : ZEROS.subarray(0, left);
        hashes.sha256.update(zeros);
        hashes.md5.update(zeros);
        hashes.sha1.update(zeros);
      }
    }
    this.offset += length;
  }

  /** The result; the digest cannot be fed after this. */
  summary(facts: { startUnknown: boolean; endSeen: boolean }): Omit<PayloadContent, 'listing' | 'firstFrame' | 'lastFrame'> {
    const hashes = this.hashes;
    return {
      size: this.offset,
      capturedBytes: this.captured,
      missing: this.missing,
      missingBytes: this.missingBytes,
      missingRangesDropped: this.missingRangesDropped,
      startUnknown: facts.startUnknown,
      endSeen: facts.endSeen,
      hashes: hashes === null ? null : { sha256: hashes.sha256.digest('hex'), md5: hashes.md5.digest('hex'), sha1: hashes.sha1.digest('hex') },
      type: sniffType(this.head.subarray(0, this.headLength)),
    };
  }
}
