/**
 * gzip (RFC 1952), decompressed as it is read. The members are framed here, and only their deflate
 * data goes to zlib (`createInflateRaw`): zlib's own gunzip drops the output of the call that hits
 * trailing garbage or a damaged member header, and with it the end of a perfectly good capture.
 * Framing members here also checks each member's CRC-32 and length, reads several members one
 * after the other (as `cat a.gz b.gz` makes), and tolerates zero padding after the last one.
 *
 * Raw bytes go to zlib at most `pieceSize` at a time, and the next piece only once the output of
 * the previous one has been handed out, so memory stays bounded (deflate inflates at most about
 * 1000 times). When zlib finds damaged deflate data, the output of the piece that held the damage
 * is lost: that part of the data is suspect anyway.
 */
import * as zlib from 'zlib';
import type { CaptureProblem } from './types';

/** What the gzip reader tells its caller, beside the decompressed bytes. */
export interface GzipProgress {
  /** Decompressed bytes handed out so far. */
  bytes: number;
  /** Raw (compressed) bytes read so far. */
  rawBytes: number;
}

/** How the compressed input ended when it did not end cleanly. `fatal` when bytes remained that could not be read. */
export interface GzipOutcome {
  problem: CaptureProblem | null;
  fatal: boolean;
}

/** A gzip header with names and comments longer than this is taken for damage. */
export const MAX_GZIP_HEADER_LENGTH = 64 * 1024;
/** Output chunk size of zlib. */
const INFLATE_CHUNK_SIZE = 64 * 1024;

const FLAG = { text: 0x01, headerCrc: 0x02, extra: 0x04, name: 0x08, comment: 0x10, reserved: 0xe0 } as const;
const DEFLATE = 8;
const TRAILER_LENGTH = 8;

/** The length of the member header at the start of `bytes`; 0 when more bytes are needed; a string saying what is wrong. */
export function gzipHeaderLength(bytes: Buffer): number | string {
  if (bytes.length < 10) return 0;
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return `it does not start with 1f 8b`;
  if (bytes[2] !== DEFLATE) return `unknown compression method ${bytes[2]}`;
  const flags = bytes[3];
  if (flags & FLAG.reserved) return `reserved flag bits set (flags 0x${flags.toString(16).padStart(2, '0')})`;
  let at = 10;
  if (flags & FLAG.extra) {
    if (bytes.length < at + 2) return 0;
    at += 2 + bytes.readUInt16LE(at);
  }
  for (const flag of [FLAG.name, FLAG.comment]) {
    if (flags & flag) {
      const end = bytes.indexOf(0, at);
      if (end < 0) return 0;
      at = end + 1;
    }
  }
  if (flags & FLAG.headerCrc) at += 2;
  return bytes.length < at ? 0 : at;
}

/**
 * Decompresses the gzip data made of `head` and the chunks after it. Yields the decompressed bytes;
 * what went wrong, if anything, is in `outcome` once the generator is done.
 */
export async function* gunzipChunks(
  head: Buffer,
  raw: AsyncIterator<Buffer, void, undefined>,
  pieceSize: number,
  progress: GzipProgress,
  outcome: GzipOutcome,
): AsyncGenerator<Buffer, void, undefined> {
  /** Raw bytes not used yet, and the file offset of the first of them. */
  let pending = head;
  let pendingAt = 0;
  let ended = false;
  const more = async (): Promise<boolean> => {
    if (ended) return false;
    const next = await raw.next();
    if (next.done) {
      ended = true;
      return false;
    }
    pending = pending.length === 0 ? next.value : Buffer.concat([pending, next.value]);
    return true;
  };
  const consume = (length: number): void => {
    pending = pending.subarray(length);
    pendingAt += length;
  };
  const fail = (message: string, fatal: boolean): void => {
    if (outcome.problem !== null) return;
    outcome.problem = { message, offset: progress.bytes, frame: null };
    outcome.fatal = fatal;
  };
  const cutShort = (what: string): void =>
    fail(
      `the gzip data is cut short: the file ends (at byte ${progress.rawBytes}) ${what}; ` + `the ${progress.bytes} bytes decompressed before that are read`,
      false,
    );

  for (let member = 1; ; member++) {
    // Between members: the end, zero padding, another member, or something else.
    if (member > 1) {
      for (;;) {
        let zeros = 0;
        while (zeros < pending.length && pending[zeros] === 0) zeros++;
        consume(zeros);
        if (pending.length > 0 || !(await more())) break;
      }
      if (pending.length === 0) return;
      if (pending.length < 2) await more();
      if (pending[0] !== 0x1f || pending[1] !== 0x8b) {
        fail(
          `the gzip data ends at byte ${pendingAt} of the file and is followed by bytes that are not gzip ` +
            `(${hex(pending.subarray(0, 4))} ...): they are ignored`,
          false,
        );
        return;
      }
    }

    // The member header.
    let headerLength = gzipHeaderLength(pending);
    while (headerLength === 0 && pending.length <= MAX_GZIP_HEADER_LENGTH && (await more())) headerLength = gzipHeaderLength(pending);
    if (typeof headerLength === 'string') {
      fail(`the gzip member header at byte ${pendingAt} of the file is damaged (${headerLength}): the rest of it cannot be read`, true);
      return;
    }
    if (headerLength === 0) {
      if (pending.length > MAX_GZIP_HEADER_LENGTH) {
        fail(`the gzip member header at byte ${pendingAt} of the file is longer than ${MAX_GZIP_HEADER_LENGTH} bytes: it is damaged`, true);
      } else {
        cutShort('in the middle of a gzip member header');
      }
      return;
    }
    consume(headerLength);

    // The deflate data.
    const inflater = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK_SIZE });
    const output: Buffer[] = [];
    let failure: Error | null = null;
    let finished = false;
    let wake: (() => void) | null = null;
    const notify = (): void => {
      const resume = wake;
      wake = null;
      resume?.();
    };
    // Flowing, never paused: output arrives here before the write callback of the piece it came from.
    inflater.on('data', (chunk: Buffer) => output.push(chunk));
    inflater.on('error', (error: Error) => {
      failure ??= error;
      notify();
    });
    inflater.on('end', () => {
      finished = true;
      notify();
    });
    let crc = 0;
    let size = 0;
    let written = 0;
    let streamEnded = false;
    try {
      while (!streamEnded) {
        if (pending.length === 0 && !(await more())) {
          // The file ends: zlib says whether the deflate data was complete.
          await new Promise<void>((resolve) => {
            wake = resolve;
            if (finished || failure !== null) resolve();
            else inflater.end();
          });
          for (const chunk of output.splice(0)) {
            crc = zlib.crc32(chunk, crc);
            progress.bytes += chunk.length;
            yield chunk;
          }
          if (failure !== null && (failure as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR') {
            fail(
              `the gzip data is damaged (${(failure as Error).message}) after ${progress.bytes} bytes of decompressed data: the rest of it cannot be read`,
              true,
            );
          } else {
            cutShort(failure !== null ? 'in the middle of the compressed data' : 'before the end of the gzip member (its CRC and length are missing)');
          }
          return;
        }
        const piece = pending.subarray(0, pieceSize);
        consume(piece.length);
        written += piece.length;
        await new Promise<void>((resolve) => {
          wake = resolve;
          inflater.write(piece, () => notify());
        });
        for (const chunk of output.splice(0)) {
          crc = zlib.crc32(chunk, crc);
          size += chunk.length;
          progress.bytes += chunk.length;
          yield chunk;
        }
        if (failure !== null) {
          fail(
            `the gzip data is damaged (${(failure as Error).message}) after ${progress.bytes} bytes of decompressed data: the rest of it cannot be read`,
            true,
          );
          return;
        }
        // zlib takes no more input after the end of the deflate data: what it left is the trailer and beyond.
        const unused = written - inflater.bytesWritten;
        if (unused > 0) {
          pending = pending.length === 0 ? piece.subarray(piece.length - unused) : Buffer.concat([piece.subarray(piece.length - unused), pending]);
          pendingAt -= unused;
          streamEnded = true;
        }
      }
    } finally {
      inflater.destroy();
    }

    // The member trailer: CRC-32 and length (mod 2^32) of the decompressed data.
    while (pending.length < TRAILER_LENGTH && (await more()));
    if (pending.length < TRAILER_LENGTH) {
      cutShort('in the middle of the CRC and length that end a gzip member');
      return;
    }
    const expectedCrc = pending.readUInt32LE(0);
    const expectedSize = pending.readUInt32LE(4);
    if (expectedCrc !== crc >>> 0 || expectedSize !== size % 2 ** 32) {
      fail(
        `gzip member ${member} fails its check (CRC-32 ${hex32(crc)}, length ${size}; the trailer at byte ${pendingAt} of the file says ` +
          `${hex32(expectedCrc)}, ${expectedSize}): its decompressed data is damaged somewhere`,
        false,
      );
    }
    consume(TRAILER_LENGTH);
  }
}

function hex(bytes: Buffer): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
