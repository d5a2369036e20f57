/**
 * The bytes of one input: a file or standard input, read in chunks, and decompressed on the fly
 * when its first bytes are gzip's magic (1f 8b). Never throws for the input's faults: what went
 * wrong is left in `SourceState` for the caller to report.
 */
import * as fs from 'fs';
import { isGzip } from './detect';
import { gunzipChunks, type GzipOutcome, type GzipProgress } from './gzip';
import type { CaptureProblem } from './types';

/** Where the bytes come from: a path, or an already open stream (standard input). */
export type SourceSpec = { kind: 'file'; path: string } | { kind: 'stream'; stream: NodeJS.ReadableStream; name: string };

/** What reading the source found out, beside its bytes. */
export interface SourceState {
  compressed: 'gzip' | null;
  /** Bytes read from the file or stream. */
  rawBytes: number;
  /** Bytes handed out (decompressed when compressed). */
  bytes: number;
  /** Set when reading or decompressing failed; `fatal` when bytes remained that could not be read. */
  problem: CaptureProblem | null;
  fatal: boolean;
  /**
   * Set by the consumer: it keeps no view into the chunks it was handed (its decoder copies what
   * it needs), so a file's read buffers may be read into again instead of allocating new ones.
   */
  chunksReleased: boolean;
}

export function newSourceState(): SourceState {
  return { compressed: null, rawBytes: 0, bytes: 0, problem: null, fatal: false, chunksReleased: false };
}

export interface SourceSizes {
  /** Bytes per read from a file. */
  read: number;
  /** The most bytes handed on at once (to the gzip decompressor here, to the decoder by the caller). */
  piece: number;
}

/** At most this many raw bytes go to the gzip decompressor at once (see gzip.ts). */
const GUNZIP_INPUT_PIECE = 64 * 1024;

/**
 * Yields the input's bytes in chunks of at most `sizes.read` bytes (decompressed chunks are up to
 * 64 KiB). Ends early, with `state.problem` set, on a read or gzip error. Returning early (break)
 * closes the file.
 */
export async function* readSourceBytes(spec: SourceSpec, sizes: SourceSizes, state: SourceState): AsyncGenerator<Buffer, void, undefined> {
  let recycle = true;
  const raw = spec.kind === 'file' ? fileChunks(spec, sizes.read, state, () => recycle && state.chunksReleased) : streamChunks(spec, state);
  try {
    const first: Buffer[] = [];
    let firstLength = 0;
    while (firstLength < 2) {
      const next = await raw.next();
      if (next.done) break;
      first.push(next.value);
      firstLength += next.value.length;
    }
    if (state.problem !== null) return;
    const head = first.length === 1 ? first[0] : Buffer.concat(first, firstLength);
    if (isGzip(head)) {
      state.compressed = 'gzip';
      // The gzip reader keeps views into the raw chunks it has not used up: never read into them again.
      recycle = false;
      yield* gunzipSource(head, raw, Math.min(sizes.piece, GUNZIP_INPUT_PIECE), state);
      return;
    }
    if (head.length > 0) {
      state.bytes += head.length;
      yield head;
    }
    for (;;) {
      const next = await raw.next();
      if (next.done) return;
      state.bytes += next.value.length;
      yield next.value;
    }
  } finally {
    await raw.return(undefined);
  }
}

/**
 * A file's raw chunks of `chunkSize` bytes. The next read is under way while the caller works on
 * the current chunk; once the caller asks for the next one, the current chunk's buffer is read
 * into again if `mayRecycle()` says that nothing kept a view into it (so reading allocates two
 * buffers in all instead of one per chunk). The first chunk is never read into again: the caller
 * keeps it to recognise the format. A read error ends the chunks with `state.problem` set.
 */
async function* fileChunks(
  spec: { kind: 'file'; path: string },
  chunkSize: number,
  state: SourceState,
  mayRecycle: () => boolean,
): AsyncGenerator<Buffer, void, undefined> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(spec.path, 'r');
  } catch (error) {
    setProblem(state, describeReadError(error as NodeJS.ErrnoException, 0, spec), true);
    return;
  }
  const read = (buffer: Buffer) => handle.read(buffer, 0, chunkSize, null);
  let next: ReturnType<typeof read> | null = read(Buffer.allocUnsafeSlow(chunkSize));
  /** A buffer the caller is done with, to read into next. */
  let spare: Buffer | null = null;
  try {
    for (let first = true; ; first = false) {
      const { bytesRead, buffer } = await next;
      next = null;
      if (bytesRead === 0) return;
      state.rawBytes += bytesRead;
      next = read(spare ?? Buffer.allocUnsafeSlow(chunkSize));
      spare = null;
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      if (!first && mayRecycle()) spare = buffer;
    }
  } catch (error) {
    setProblem(state, describeReadError(error as NodeJS.ErrnoException, state.rawBytes, spec), true);
  } finally {
    await next?.catch(() => undefined);
    await handle.close();
  }
}

/** The chunks of a stream (standard input); a read error ends them with `state.problem` set. */
async function* streamChunks(
  spec: { kind: 'stream'; stream: NodeJS.ReadableStream; name: string },
  state: SourceState,
): AsyncGenerator<Buffer, void, undefined> {
  const stream = spec.stream;
  try {
    for await (const chunk of stream) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      if (bytes.length === 0) continue;
      state.rawBytes += bytes.length;
      yield bytes;
    }
  } catch (error) {
    setProblem(state, describeReadError(error as NodeJS.ErrnoException, state.rawBytes, spec), true);
  }
}

/** Decompresses `head` and the rest of `raw` (gzip.ts), keeping the counts and the outcome in `state`. */
async function* gunzipSource(
  head: Buffer,
  raw: AsyncGenerator<Buffer, void, undefined>,
  pieceSize: number,
  state: SourceState,
): AsyncGenerator<Buffer, void, undefined> {
  const progress: GzipProgress = {
    bytes: 0,
    get rawBytes() {
      return state.rawBytes;
    },
  };
  const outcome: GzipOutcome = { problem: null, fatal: false };
  for await (const chunk of gunzipChunks(head, raw, pieceSize, progress, outcome)) {
    state.bytes = progress.bytes;
    yield chunk;
  }
  state.bytes = progress.bytes;
  // A read error ends the raw chunks early: it is the problem, not the cut gzip data it causes.
  if (outcome.problem !== null) setProblem(state, outcome.problem, outcome.fatal);
}

function setProblem(state: SourceState, problem: CaptureProblem, fatal: boolean): void {
  if (state.problem !== null) return;
  state.problem = problem;
  state.fatal = fatal;
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

function describeReadError(error: NodeJS.ErrnoException, bytesRead: number, spec: SourceSpec): CaptureProblem {
  const text = (error.code !== undefined ? ERRNO_TEXT[error.code] : undefined) ?? error.message;
  if (spec.kind === 'stream') {
    return { message: `cannot read ${spec.name} after byte ${bytesRead}: ${text}`, offset: bytesRead, frame: null };
  }
  if (error.syscall === 'open' || bytesRead === 0) {
    return { message: `cannot open the file: ${text}`, offset: null, frame: null };
  }
  return { message: `cannot read the file after byte ${bytesRead}: ${text}`, offset: bytesRead, frame: null };
}
