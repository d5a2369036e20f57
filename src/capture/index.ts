/**
 * Reading captures: every input on the command line ('-' is standard input), whatever its format
 * (classic pcap with microsecond or nanosecond timestamps, pcapng; any of them gzip-compressed),
 * recognised from its first bytes. Several inputs are merged by timestamp.
 *
 * Memory stays bounded: each input is read in chunks (READ_CHUNK_SIZE, less when there are many
 * inputs) and decoded synchronously. A single input hands each frame to `onFrame` as soon as it is
 * decoded; with several, the frames of a chunk wait as a batch, and only one batch per input waits
 * in the merge. `frame.data` is a view into a read chunk: anything kept after `onFrame` returns
 * should be copied if it must not pin that chunk.
 */
import type { CapturedFrame } from '../types';
import {
  DEFAULT_MAX_BLOCK_LENGTH,
  DEFAULT_MAX_RECORD_LENGTH,
  FILE_NOUN,
  type DecoderContext,
  type FrameDecoder,
  type FrameSink,
  type InputNoun,
} from './decoder';
import { FormatSniffer } from './detect';
import { mergeBatches, type FrameBatches } from './merge';
import { newSourceState, readSourceBytes, type SourceSizes, type SourceSpec, type SourceState } from './source';
import type { InputSummary } from './types';

export type { CaptureFormat, CaptureProblem, InputSummary, InterfaceSummary } from './types';

/** Bytes per read from a file. */
export const READ_CHUNK_SIZE = 1024 * 1024;
/** With many inputs, reads get smaller so that all their chunks together stay under this... */
export const MERGE_MEMORY_BUDGET = 64 * 1024 * 1024;
/** ...but not smaller than this. */
export const MIN_READ_CHUNK_SIZE = 64 * 1024;

/** The name that stands for standard input on the command line. */
export const STDIN_NAME = '-';

export interface ReadCaptureOptions {
  /** A classic pcap record longer than max(snap length, this) stops the reading as corrupt. Default 262144. */
  maxRecordLength?: number | undefined;
  /** A pcapng block longer than this stops the reading as corrupt. Default 16 MiB. */
  maxBlockLength?: number | undefined;
  /**
   * The most bytes handed to a decoder, or to the gzip decompressor, at once (tests use 1 and 7 to
   * split every header). Default: the read size, READ_CHUNK_SIZE, less with many inputs (see
   * MERGE_MEMORY_BUDGET). Reads from files keep the read size whatever this is.
   */
  readChunkSize?: number | undefined;
  /** What '-' reads; default process.stdin. */
  stdin?: NodeJS.ReadableStream | undefined;
  /**
   * Called after every chunk read with the bytes read so far from all inputs together, as they are
   * stored (for a gzip file, its compressed bytes): for a progress display.
   */
  onProgress?: ((bytesRead: number) => void) | undefined;
  /**
   * `onFrame` keeps no view into a frame's `data` once it returns (it copies what it keeps): with
   * a single input, frames may then be views into buffers the reader reuses, which saves a copy of
   * the whole file. Default false: frames' data stay valid.
   */
  transientFrames?: boolean;
}

/**
 * Reads all `files` ('-' = standard input, at most once), calls `onFrame` synchronously for each
 * frame in timestamp order (stable: ties keep command-line order), and resolves with one summary
 * per input in command-line order. Never rejects for a bad, missing or damaged input: its summary's
 * `problems` say what is wrong and `fatal` whether reading stopped early. Rejects only if `onFrame`
 * throws (a bug). Prints nothing.
 */
export async function readCaptures(files: string[], onFrame: (frame: CapturedFrame) => void, options: ReadCaptureOptions = {}): Promise<InputSummary[]> {
  const chunkSize = Math.max(MIN_READ_CHUNK_SIZE, Math.min(READ_CHUNK_SIZE, Math.floor(MERGE_MEMORY_BUDGET / Math.max(1, files.length))));
  const onRead = progressCounter(options.onProgress);
  let stdinInput = -1;
  const readers = files.map((file, input) => {
    const reader = new InputReader(file, input, options, chunkSize, onRead);
    if (file === STDIN_NAME) {
      if (stdinInput >= 0) {
        reader.refuse(`standard input is already read as input ${stdinInput + 1}: it can be read only once`);
      } else {
        stdinInput = input;
      }
    }
    return reader;
  });
  if (readers.length === 1) await readers[0].read(onFrame);
  else
    await mergeBatches(
      readers.map((reader) => reader.batches()),
      onFrame,
    );
  return readers.map((reader) => reader.summary);
}

/**
 * Reads one input (any format, '-' = standard input) as input number `input`, calling `onFrame`
 * for each frame in file order. Same guarantees as readCaptures.
 */
export async function readCapture(
  file: string,
  input: number,
  onFrame: (frame: CapturedFrame) => void,
  options: ReadCaptureOptions = {},
): Promise<InputSummary> {
  const reader = new InputReader(file, input, options, READ_CHUNK_SIZE, progressCounter(options.onProgress));
  await reader.read(onFrame);
  return reader.summary;
}

/**
 * Decodes a capture held in memory (uncompressed; any size of pieces, for tests and callers that
 * have the bytes already), calling `onFrame` for each frame in file order. Same summary and
 * problems as readCapture, with `file` as the name.
 */
export function decodeCapture(
  chunks: Iterable<Buffer>,
  onFrame: (frame: CapturedFrame) => void,
  options: Omit<ReadCaptureOptions, 'stdin' | 'readChunkSize'> & { file?: string; input?: number } = {},
): InputSummary {
  const summary = newSummary(options.file ?? '(memory)', options.input ?? 0);
  const decoder = new FormatSniffer(decoderContext(summary, options, FILE_NOUN));
  const sink: FrameSink = { push: onFrame };
  for (const chunk of chunks) {
    decoder.push(chunk, sink);
    if (decoder.stopped) break;
  }
  if (decoder.stopped) decoder.abandon();
  else decoder.end();
  return summary;
}

/** Adds up the bytes each input read and tells `onProgress` the total. */
function progressCounter(onProgress: ((bytesRead: number) => void) | undefined): ((bytes: number) => void) | undefined {
  if (onProgress === undefined) return undefined;
  let total = 0;
  return (bytes) => onProgress((total += bytes));
}

function newSummary(file: string, input: number): InputSummary {
  return {
    file,
    input,
    format: 'pcap',
    compressed: null,
    linkType: -1,
    linkTypeName: 'unknown',
    snapLength: 0,
    packets: 0,
    bytes: 0,
    truncatedPackets: 0,
    problems: [],
    fatal: false,
  };
}

function decoderContext(summary: InputSummary, options: ReadCaptureOptions, noun: InputNoun): DecoderContext {
  return {
    input: summary.input,
    summary,
    limits: {
      maxRecordLength: options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH,
      maxBlockLength: options.maxBlockLength ?? DEFAULT_MAX_BLOCK_LENGTH,
    },
    noun,
  };
}

/** One input: its source, its decoder, its summary. */
class InputReader {
  readonly summary: InputSummary;
  private readonly source: SourceSpec;
  private readonly state: SourceState = newSourceState();
  private refused = false;
  private readonly sizes: SourceSizes;
  /** Raw bytes already passed to `onRead`. */
  private reported = 0;

  constructor(
    file: string,
    input: number,
    private readonly options: ReadCaptureOptions,
    readSize: number,
    /** Told the raw bytes read since the last call, after every chunk. */
    private readonly onRead?: (bytes: number) => void,
  ) {
    this.sizes = { read: Math.max(readSize, options.readChunkSize ?? 0), piece: options.readChunkSize ?? readSize };
    this.summary = newSummary(file, input);
    this.source = file === STDIN_NAME ? { kind: 'stream', stream: options.stdin ?? process.stdin, name: 'standard input' } : { kind: 'file', path: file };
  }

  /** Marks the input as unreadable before any reading. */
  refuse(message: string): void {
    this.refused = true;
    this.summary.problems.push({ message, offset: null, frame: null });
    this.summary.fatal = true;
  }

  /** Hands every frame to `onFrame` as soon as it is decoded. */
  async read(onFrame: (frame: CapturedFrame) => void): Promise<void> {
    const sink: FrameSink = { push: onFrame, immediate: this.options.transientFrames === true };
    for await (const _ of this.decode(sink)) {
      // Each step decodes one chunk into the sink.
    }
  }

  /** The frames, one batch per chunk read. */
  async *batches(): FrameBatches {
    let batch: CapturedFrame[] = [];
    const sink: FrameSink = { push: (frame) => batch.push(frame) };
    for await (const _ of this.decode(sink)) {
      if (batch.length === 0) continue;
      yield batch;
      batch = [];
    }
  }

  /**
   * Reads and decodes the input one chunk per step, the frames going to `sink`. Completes the
   * summary when it ends (or is closed).
   */
  private async *decode(sink: FrameSink): AsyncGenerator<void, void, undefined> {
    if (this.refused) return;
    let decoder: FrameDecoder | null = null;
    let finished = false;
    try {
      const piece = this.sizes.piece;
      for await (const chunk of readSourceBytes(this.source, this.sizes, this.state)) {
        decoder ??= new FormatSniffer(this.context());
        if (chunk.length <= piece) decoder.push(chunk, sink);
        else for (let at = 0; at < chunk.length && !decoder.stopped; at += piece) decoder.push(chunk.subarray(at, at + piece), sink);
        this.state.chunksReleased = !decoder.retainsChunks;
        if (this.onRead !== undefined && this.state.rawBytes > this.reported) {
          this.onRead(this.state.rawBytes - this.reported);
          this.reported = this.state.rawBytes;
        }
        yield;
        if (decoder.stopped) break;
      }
      finished = true;
    } finally {
      this.complete(decoder, finished);
    }
  }

  private context(): DecoderContext {
    const noun: InputNoun =
      this.state.compressed !== null
        ? { bare: 'decompressed data', definite: 'the decompressed data' }
        : this.source.kind === 'stream'
          ? { bare: 'standard input', definite: 'standard input' }
          : FILE_NOUN;
    return decoderContext(this.summary, this.options, noun);
  }

  private complete(decoder: FrameDecoder | null, finished: boolean): void {
    const summary = this.summary;
    summary.compressed = this.state.compressed;
    if (this.state.problem !== null) {
      summary.problems.push(this.state.problem);
      if (this.state.fatal) summary.fatal = true;
    }
    // Closed early (onFrame threw), stopped by damage, or cut off by a read or gzip error: nothing
    // to judge about how the bytes end.
    if (!finished || decoder?.stopped || this.state.fatal) {
      decoder?.abandon();
      return;
    }
    (decoder ?? new FormatSniffer(this.context())).end();
  }
}
