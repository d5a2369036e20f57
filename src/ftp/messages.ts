/**
 * FTP commands and replies as text: one command per line, replies assembled from one or more
 * lines (RFC 959 §4.2). Lines come from LineSplitter (src/ftp/lines.ts), CR LF already removed.
 */
import type { TransferCommand } from '../model';

/** Commands that open a data connection, and which way their bytes flow (RFC 959, RFC 3659). */
export const transferCommands: Record<TransferCommand, 'download' | 'upload'> = {
  RETR: 'download',
  LIST: 'download',
  NLST: 'download',
  MLSD: 'download',
  STOR: 'upload',
  STOU: 'upload',
  APPE: 'upload',
};

/** A command line split into verb and argument. */
export interface FtpCommandText {
  /** The first word, ASCII letters upper-cased (commands are case-insensitive, RFC 959 §5.3). */
  verb: string;
  /** Everything after the first space, exactly as sent (inner and trailing spaces kept). */
  arg: string;
  /** The verb is 3 to 10 ASCII letters (RFC 959 verbs have 3 or 4; extensions such as `FEAT`, `MLSD` fit too). */
  valid: boolean;
}

/**
 * Split a command line (RFC 959 §5.3: `<verb>[<SP><argument>]`) at its first space. Never throws;
 * `valid` is false for a line whose first word is not a plausible verb.
 */
export function parseCommand(text: string): FtpCommandText {
  const space = text.indexOf(' ');
  const word = space < 0 ? text : text.slice(0, space);
  const arg = space < 0 ? '' : text.slice(space + 1);
  // ASCII only: String#toUpperCase would turn latin1 'ß' into 'SS' and 'ÿ' into a non-latin1 letter.
  const verb = word.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
  return { verb, arg, valid: /^[A-Z]{3,10}$/.test(verb) };
}

/** A complete reply. */
export interface FtpReplyText {
  invalid: false;
  /** The 3-digit code of the first line. */
  code: number;
  /** The lines as received (codes included). */
  lines: string[];
  /**
   * The lines joined with `\n`, without the code of the first and last line and without the
   * `NNN-` some servers repeat at the start of the lines between (same code only).
   */
  text: string;
  /** More than one line (`NNN-` … `NNN `). */
  multiline: boolean;
  /** Tolerated deviations from RFC 959 §4.2, in plain words. */
  quirks: string[];
}

/** Why a line that should start a reply does not (Zeek: "non-numeric reply code", "invalid reply code", "invalid reply line"). */
export type InvalidReplyReason = 'non-numeric code' | 'code below 100' | 'code followed by neither space nor hyphen' | 'after a gap: not the start of a reply';

/** A line where a reply should start but does not; it is not part of any reply. */
export interface InvalidReplyLine {
  invalid: true;
  reason: InvalidReplyReason;
  line: string;
}

export type ReplyResult = FtpReplyText | InvalidReplyLine;

export interface ReplyAssemblerOptions {
  /** The most lines of one multi-line reply kept (at least 2); further lines are counted, not kept (a quirk). */
  maxReplyLines?: number;
}

export const defaultMaxReplyLines = 1000;

interface OpenReply {
  code: number;
  lines: string[];
  droppedLines: number;
}

/**
 * Assembles reply lines into replies, RFC 959 §4.2:
 * - `NNN<SP>text` (or `NNN` alone) is a one-line reply;
 * - `NNN-text` opens a multi-line reply that only `NNN<SP>…` (same code) closes; the lines between
 *   may hold anything, `NNN-…` repeats and lines starting with other digits included;
 * - a close with another code (`230-` … `226 Done`) is accepted when the line matches
 *   `^[1-9][0-9]{2} ` (as Zeek does) and flagged 'closed with another code'; the reply keeps the
 *   code of its first line.
 * A line that cannot start a reply is returned as an InvalidReplyLine, never thrown.
 */
export class ReplyAssembler {
  private readonly maxReplyLines: number;
  private open: OpenReply | null = null;
  /** A gap cut the stream and no reply has started since. */
  private afterGap = false;

  constructor(options: ReplyAssemblerOptions = {}) {
    this.maxReplyLines = options.maxReplyLines ?? defaultMaxReplyLines;
    if (!Number.isInteger(this.maxReplyLines) || this.maxReplyLines < 2) {
      throw new RangeError(`maxReplyLines must be an integer of at least 2, got ${this.maxReplyLines}`);
    }
  }

  /** Feed the next server line; returns a complete reply, an invalid line, or null while a multi-line reply goes on. */
  push(line: string): ReplyResult | null {
    const open = this.open;
    if (open !== null) return this.continueReply(open, line);

    const start = replyStart(line);
    if ('reason' in start) {
      return { invalid: true, reason: this.afterGap ? 'after a gap: not the start of a reply' : start.reason, line };
    }
    this.afterGap = false;
    if (start.separator === '-') {
      this.open = { code: start.code, lines: [line], droppedLines: 0 };
      return null;
    }
    return { invalid: false, code: start.code, lines: [line], text: line.slice(4), multiline: false, quirks: [] };
  }

  /**
   * Bytes are missing from the server's stream: a multi-line reply in progress is abandoned
   * (returns true when there was one). Until the next line that starts a reply, lines that cannot
   * start one are returned with the reason 'after a gap: not the start of a reply': most likely
   * the rest of the abandoned reply, not a server fault.
   */
  gap(): boolean {
    const abandoned = this.open !== null;
    this.open = null;
    this.afterGap = true;
    return abandoned;
  }

  /** The stream ended: a multi-line reply still open is returned with the quirk 'not closed before the end of the stream'. */
  end(): FtpReplyText | null {
    const open = this.open;
    this.open = null;
    this.afterGap = false;
    return open === null ? null : this.complete(open, false, ['not closed before the end of the stream']);
  }

  private continueReply(open: OpenReply, line: string): FtpReplyText | null {
    const sameCode = String(open.code);
    const closes = line === sameCode || line.startsWith(`${sameCode} `);
    const closesWithAnother = !closes && /^[1-9][0-9]{2} /.test(line);
    if (open.lines.length < this.maxReplyLines) open.lines.push(line);
    else {
      // Keep the closing line in place of the last one kept, so the reply still ends with it.
      if (closes || closesWithAnother) open.lines[open.lines.length - 1] = line;
      open.droppedLines++;
    }
    if (!closes && !closesWithAnother) return null;
    this.open = null;
    return this.complete(open, true, closesWithAnother ? ['closed with another code'] : []);
  }

  /** `closed`: the last line is the closing `NNN ` line (false when the stream ended first). */
  private complete(open: OpenReply, closed: boolean, quirks: string[]): FtpReplyText {
    const repeated = `${open.code}-`;
    const last = open.lines.length - 1;
    const texts = open.lines.map((line, i) => (i === 0 || (closed && i === last) || line.startsWith(repeated) ? line.slice(4) : line));
    if (open.droppedLines > 0) quirks.push(`${open.droppedLines} lines over the limit of ${this.maxReplyLines} not kept`);
    return { invalid: false, code: open.code, lines: open.lines, text: texts.join('\n'), multiline: true, quirks };
  }
}

type ReplyStart = { code: number; separator: ' ' | '-' | '' } | { reason: InvalidReplyReason };

/** The code and separator of a line that starts a reply, or why it cannot start one. */
function replyStart(line: string): ReplyStart {
  const digits = /^[0-9]*/.exec(line)?.[0] ?? '';
  if (digits === '') return { reason: 'non-numeric code' };
  const code = Number(digits.slice(0, 3));
  if (digits.length < 3 || code < 100) return { reason: 'code below 100' };
  const separator = line.charAt(3);
  if (separator === ' ' || separator === '-' || separator === '') return { code, separator };
  return { reason: 'code followed by neither space nor hyphen' };
}
