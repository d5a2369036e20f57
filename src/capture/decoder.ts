/**
 * What every capture format decoder provides: synchronous, fed chunk by chunk (any size, down to
 * one byte), frames handed out as they are complete. The byte source (file, standard input, gzip)
 * and the multi-file merge drive the decoders; see index.ts.
 */
import type { CapturedFrame } from '../types';
import type { CaptureProblem, InputSummary } from './types';

/** Limits on what a capture may claim (STYLE habit 8). */
export interface DecoderLimits {
  /** A classic pcap record longer than max(snap length, this) stops the reading as corrupt. Default 262144. */
  maxRecordLength: number;
  /** A pcapng block longer than this stops the reading as corrupt. Default 16 MiB. */
  maxBlockLength: number;
}

/** Default cap on a record's captured length when the snap length is smaller (Wireshark's and libpcap's 262144). */
export const DEFAULT_MAX_RECORD_LENGTH = 262144;
/** Default cap on a pcapng block's length (Wireshark's limit for a block is of the same order). */
export const DEFAULT_MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

/** How messages name the bytes being decoded: "file ends ...", "the file is only ...". */
export interface InputNoun {
  /** 'file', 'standard input', 'decompressed data' */
  bare: string;
  /** 'the file', 'standard input', 'the decompressed data' */
  definite: string;
}

export const FILE_NOUN: InputNoun = { bare: 'file', definite: 'the file' };

/** Everything a decoder needs: where its frames come from, the summary it fills in, its limits. */
export interface DecoderContext {
  /** 0-based index of the input (FrameRef.input). */
  input: number;
  /** The summary the decoder fills in (format fields, counts, problems). */
  summary: InputSummary;
  limits: DecoderLimits;
  noun: InputNoun;
}

/**
 * Where a decoder hands its frames, in file order: an array collecting a batch, or an object whose
 * `push` processes each frame at once.
 */
export interface FrameSink {
  push(frame: CapturedFrame): unknown;
  /**
   * True when `push` is done with each frame when it returns (keeps no view into its data): a
   * decoder may then hand out views into buffers it reuses.
   */
  readonly immediate?: boolean;
}

export interface FrameDecoder {
  /**
   * Decodes what `chunk` completes and hands the frames to `out`. Frames' `data` are views into
   * the chunks (no copies). Does nothing once `stopped`. Whatever `out.push` throws goes through.
   */
  push(chunk: Buffer, out: FrameSink): void;
  /** The input ended normally: reports a record or block cut by the end, and completes the summary. */
  end(): void;
  /** The input failed (read error, damaged gzip data): completes the summary without judging the end. */
  abandon(): void;
  /** True once a problem made further bytes unreadable (the summary is then `fatal`). */
  readonly stopped: boolean;
  /**
   * True when views into the chunks pushed may still be in use after `push` returns (frames, or
   * bytes kept for the next push); false when the decoder copies what it keeps, so that the reader
   * may read into a chunk's buffer again.
   */
  readonly retainsChunks: boolean;
}

/**
 * A problem that may repeat on many records: reported once, at its first occurrence, with a count
 * of the others added when the input is finished ("(and so for 3 more records)").
 */
export class RepeatedProblem {
  private first: CaptureProblem | null = null;
  private count = 0;

  constructor(
    private readonly problems: CaptureProblem[],
    private readonly what: string,
  ) {}

  /** Records an occurrence; `describe` is called for the first one only. */
  add(describe: () => CaptureProblem): void {
    if (this.count++ === 0) {
      this.first = describe();
      this.problems.push(this.first);
    }
  }

  get occurrences(): number {
    return this.count;
  }

  finish(): void {
    if (this.first === null || this.count < 2) return;
    const more = this.count - 1;
    this.first.message += ` (and so for ${more} more ${this.what}${more === 1 ? '' : 's'})`;
    this.first = null;
  }
}
