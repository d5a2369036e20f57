/**
 * Line framing of one direction of an FTP control connection, separate from parsing (STYLE
 * habit 6). Bytes go in in stream order, in chunks of any size; lines come out through a sink.
 *
 * RFC 959 §4 (and §5.3): the control connection is a Telnet NVT stream of lines ending in CRLF.
 * Peers also end lines with a bare LF; that is accepted and flagged. A bare CR does not end a line
 * (it is kept in the text and flagged), nor does NUL (kept and flagged).
 *
 * Telnet commands (RFC 854) are removed from the text and flagged: `IAC IAC` is a literal 0xFF,
 * `IAC WILL|WONT|DO|DONT <option>` is three bytes, any other `IAC <command 240–250>` two bytes
 * (e.g. inetutils' abort: `IAC IP IAC DM ABOR\r\n`). Subnegotiation bodies (`IAC SB … IAC SE`)
 * are not interpreted: FTP peers do not negotiate options. An IAC before a byte that is not a
 * Telnet command (< 240) is dropped and the byte kept, and an LF is never taken as an option byte,
 * so a stray 0xFF cannot swallow a line end.
 *
 * Bytes are decoded as latin1, one character per byte, so any byte sequence gives text and the
 * text maps back to the bytes; `decodeLineText` turns that into the text people read (UTF-8).
 *
 * The same input gives the same lines however it is cut into chunks (only the position tags
 * differ); the tests check this by feeding every input whole and byte by byte.
 */

/** One line of control-channel text and how it was framed. `T` is the caller's position tag (a frame reference). */
export interface Line<T> {
  /** The line without its CR LF and without Telnet commands, latin1 (one character per byte). */
  text: string;
  /** Tag of the chunk that carried the line's last byte: its LF, or for an unterminated line the last byte before end(). */
  at: T;
  /** Tag of the chunk that carried the line's first byte; differs from `at` when the line was split across chunks. */
  startAt: T;
  /** Offset of the line's first byte in that chunk; > 0 when the line did not start a chunk (a segment). */
  startOffset: number;
  /** The line ended in LF without CR before it. */
  bareLf: boolean;
  /** The text holds a CR that is not part of the line end. */
  bareCr: boolean;
  /** The text holds a NUL byte. */
  nul: boolean;
  /** Telnet commands (IAC sequences) were removed from the text. */
  telnet: boolean;
  /** The line was longer than `maxLineLength`: `text` is its beginning, `droppedBytes` were not kept. */
  truncated: boolean;
  droppedBytes: number;
  /**
   * Bytes were missing from the stream since the previous line (a gap): the partial line before
   * the gap and the bytes after it up to the next LF were dropped (`gapDroppedBytes`, not counting
   * the missing bytes themselves), and this line is the first one after that LF.
   */
  afterGap: boolean;
  gapDroppedBytes: number;
  /** Tag of the first gap since the previous line (null when `afterGap` is false). */
  gapAt: T | null;
  /** The stream ended (end()) before this line's LF. */
  unterminated: boolean;
}

export interface LineSplitterOptions {
  /**
   * The most bytes of one line's text kept (its CR LF and Telnet commands not counted). Longer
   * lines are truncated; the splitter never buffers more than this per direction.
   */
  maxLineLength?: number | undefined;
}

export const defaultMaxLineLength = 4096;

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const IAC = 0xff;
/** Telnet commands that take an option byte: WILL, WONT, DO, DONT (RFC 854). */
const WILL = 0xfb;
const DONT = 0xfe;
/** The lowest Telnet command code (SE); bytes below it after IAC are not commands. */
const SE = 0xf0;
/** First size of the line buffer; it doubles up to maxLineLength as long lines arrive. */
const initialBufferSize = 256;

type TelnetState = 'data' | 'iac' | 'option';

/**
 * Splits the ordered bytes of one direction into lines (see the module comment).
 * Call push() for data, gap() where bytes are missing, end() when the stream is over; each
 * complete line is handed to the sink at once, in order. After end() the splitter starts afresh.
 */
export class LineSplitter<T> {
  private readonly maxLineLength: number;
  private buffer: Buffer;
  private length = 0;
  /** Bytes of the current line seen so far, Telnet commands and dropped bytes included. */
  private lineBytes = 0;
  private dropped = 0;
  private telnetState: TelnetState = 'data';
  private telnetSeen = false;
  private lastDataByte = -1;
  /** Position of the current line's first byte; null while no byte of it has been seen. */
  private start: { at: T; offset: number } | null = null;
  private lastAt: T | null = null;
  /** Discarding bytes up to the next LF after a gap. */
  private resynchronising = false;
  private gapDropped = 0;
  private gapAt: T | null = null;
  /** The sink asked the current push to stop after the line it was handed (stopAfterLine). */
  private stopRequested = false;

  constructor(
    private readonly sink: (line: Line<T>) => void,
    options: LineSplitterOptions = {},
  ) {
    this.maxLineLength = options.maxLineLength ?? defaultMaxLineLength;
    if (!Number.isInteger(this.maxLineLength) || this.maxLineLength < 1) {
      throw new RangeError(`maxLineLength must be a positive integer, got ${this.maxLineLength}`);
    }
    this.buffer = Buffer.alloc(Math.min(initialBufferSize, this.maxLineLength));
  }

  /**
   * Feed the next bytes of the stream; `at` tags lines whose last byte is among them. Returns how
   * many bytes were taken: all of them, unless the sink called `stopAfterLine` (then the bytes
   * after the line just handed out are left to the caller).
   */
  push(bytes: Uint8Array, at: T): number {
    for (let i = 0; i < bytes.length; i++) {
      if (this.stopRequested) {
        this.stopRequested = false;
        return i;
      }
      const byte = bytes[i];
      if (this.resynchronising) {
        this.gapDropped++;
        if (byte === LF) this.resynchronising = false;
        continue;
      }
      if (this.start === null) this.start = { at, offset: i };
      this.lastAt = at;
      this.lineBytes++;
      switch (this.telnetState) {
        case 'data':
          if (byte === IAC) {
            this.telnetState = 'iac';
            this.telnetSeen = true;
          } else {
            this.data(byte, at);
          }
          break;
        case 'iac':
          if (byte === IAC) {
            this.telnetState = 'data';
            this.data(IAC, at);
          } else if (byte >= WILL && byte <= DONT) {
            this.telnetState = 'option';
          } else if (byte >= SE) {
            this.telnetState = 'data';
          } else {
            this.telnetState = 'data';
            this.data(byte, at);
          }
          break;
        case 'option':
          // The option byte; an LF here is taken as a line end rather than an option (NAOCRD, 10, is obsolete).
          this.telnetState = 'data';
          if (byte === LF) this.data(byte, at);
          break;
      }
    }
    this.stopRequested = false;
    return bytes.length;
  }

  /**
   * Called by the sink while it handles a line: the bytes after this line are not lines (the
   * connection switched to TLS), so the current `push` returns without taking them. Whatever
   * way the stream was cut into chunks, the same bytes are taken.
   */
  stopAfterLine(): void {
    this.stopRequested = true;
  }

  /**
   * `length` bytes are missing from the stream here. The line in progress is dropped and the
   * splitter discards what follows up to the next LF, where it is in step again.
   */
  gap(length: number, at: T): void {
    if (length <= 0) return;
    this.skipPartialLine(at);
  }

  /**
   * Bytes are missing, but what follows is known to start a new line (the caller looked at it):
   * only the partial line before the gap is dropped.
   */
  gapAtLineStart(length: number, at: T): void {
    if (length <= 0) return;
    this.gapDropped += this.lineBytes;
    if (this.gapAt === null) this.gapAt = at;
    this.resetLine();
    this.resynchronising = false;
  }

  /**
   * The bytes that follow may begin in the middle of a line (a gap, or a stream picked up after it
   * began): drop the current partial line and everything up to the next LF.
   */
  skipPartialLine(at: T): void {
    this.gapDropped += this.lineBytes;
    if (this.gapAt === null) this.gapAt = at;
    this.resetLine();
    this.resynchronising = true;
  }

  /**
   * The stream is over (FIN, RST or the end of the capture; `at` tags that event). Bytes left
   * without an LF are handed out as an `unterminated` line tagged with the chunk of their last
   * byte. Bytes being discarded after a gap are not a line and are not handed out.
   */
  end(at: T): void {
    if (!this.resynchronising && this.start !== null) this.emit(this.lastAt ?? at, true);
    this.resetLine();
    this.resynchronising = false;
    this.gapDropped = 0;
    this.gapAt = null;
    this.stopRequested = false;
  }

  /** One byte of line content (Telnet commands already removed). */
  private data(byte: number, at: T): void {
    if (byte === LF) {
      this.emit(at, false);
      this.resetLine();
      return;
    }
    this.lastDataByte = byte;
    if (this.length === this.maxLineLength) {
      this.dropped++;
      return;
    }
    if (this.length === this.buffer.length) {
      const larger = Buffer.alloc(Math.min(this.buffer.length * 2, this.maxLineLength));
      this.buffer.copy(larger);
      this.buffer = larger;
    }
    this.buffer[this.length++] = byte;
  }

  private emit(at: T, unterminated: boolean): void {
    const start = this.start ?? { at, offset: 0 };
    let length = this.length;
    let dropped = this.dropped;
    const endsInCr = !unterminated && this.lastDataByte === CR;
    // The CR of CR LF is not text: take it off the kept bytes, or off the dropped ones when the buffer was full.
    if (endsInCr) {
      if (dropped > 0) dropped--;
      else length--;
    }
    const content = this.buffer.subarray(0, length);
    this.sink({
      text: content.toString('latin1'),
      at,
      startAt: start.at,
      startOffset: start.offset,
      bareLf: !unterminated && !endsInCr,
      bareCr: content.includes(CR),
      nul: content.includes(NUL),
      telnet: this.telnetSeen,
      truncated: dropped > 0,
      droppedBytes: dropped,
      afterGap: this.gapAt !== null,
      gapDroppedBytes: this.gapDropped,
      gapAt: this.gapAt,
      unterminated,
    });
    this.gapDropped = 0;
    this.gapAt = null;
  }

  private resetLine(): void {
    this.length = 0;
    this.lineBytes = 0;
    this.dropped = 0;
    this.telnetState = 'data';
    this.telnetSeen = false;
    this.lastDataByte = -1;
    this.start = null;
  }
}

/**
 * The text of a line for people and the report, from `Line.text` (latin1: one character per byte,
 * so lengths and offsets stay byte counts). RFC 2640 (`OPTS UTF8 ON`) sends path names and user
 * names as UTF-8, and many servers do so without asking: every well-formed UTF-8 sequence is
 * decoded; a byte that is not part of one is shown escaped as `\xNN`, never guessed at. Control
 * characters stay as they are here; printing escapes them (src/report/sanitize.ts).
 */
export function decodeLineText(latin1: string): string {
  // Nearly every FTP line is ASCII: nothing to decode.
  if (!NON_ASCII.test(latin1)) return latin1;
  const bytes = Buffer.from(latin1, 'latin1');
  try {
    return utf8.decode(bytes);
  } catch {
    return decodeMixed(bytes);
  }
}

const NON_ASCII = /[^\x00-\x7f]/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 where the bytes are well-formed, `\xNN` for each byte where they are not. */
function decodeMixed(bytes: Buffer): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const length = utf8SequenceLength(bytes, i);
    if (length > 0) {
      out += bytes.toString('utf8', i, i + length);
      i += length;
    } else {
      out += `\\x${bytes[i].toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/**
 * The length of the well-formed UTF-8 sequence at `i` (RFC 3629 §4: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0 when there is none.
 */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i];
  if (b0 < 0x80) return 1;
  const continuation = (at: number, low = 0x80, high = 0xbf) => at < bytes.length && bytes[at] >= low && bytes[at] <= high;
  if (b0 >= 0xc2 && b0 <= 0xdf) return continuation(i + 1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const low = b0 === 0xe0 ? 0xa0 : 0x80;
    const high = b0 === 0xed ? 0x9f : 0xbf;
    return continuation(i + 1, low, high) && continuation(i + 2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const low = b0 === 0xf0 ? 0x90 : 0x80;
    const high = b0 === 0xf4 ? 0x8f : 0xbf;
    return continuation(i + 1, low, high) && continuation(i + 2) && continuation(i + 3) ? 4 : 0;
  }
  return 0;
}
