/**
 * The FTP control channel: framing both directions into lines, lines into commands and replies,
 * and replies paired with the commands they answer (RFC 959 §4.2: replies come in order; 1yz is
 * preliminary and is followed by a final reply to the same command).
 */
import { LimitCounter } from '../limits';
import type { FtpCommand, FtpReply, LineFraming } from '../model';
import type { ReassembledChunk } from '../tcp/reassembly';
import type { FindingCode } from '../finding-codes';
import type { Direction, FrameEvent } from '../types';
import { FtpEvidence } from './evidence';
import { decodeLineText, LineSplitter, type Line } from './lines';
import { parseCommand, ReplyAssembler } from './messages';
import { replyFits } from './reply-codes';

/** Receives what the control parser decodes, in the order it happened on the wire. */
export interface ControlObserver {
  command(command: FtpCommand): void;
  /** A complete reply and the command it answers (null for the greeting or an unsolicited reply). */
  reply(reply: FtpReply, answers: FtpCommand | null): void;
  /** Bytes missing from one direction of the stream. */
  gap(direction: Direction, length: number, at: FrameEvent): void;
  /** A line that could not be understood, or a limit that was reached. */
  anomaly(code: FindingCode, message: string, at: FrameEvent): void;
}

export interface ControlOptions {
  maxLineLength: number;
  maxPendingCommands: number;
  showPasswords: boolean;
  /** Users (lower case) whose password is kept as sent even when passwords are masked, e.g. anonymous. */
  clearPasswordUsers?: ReadonlySet<string> | undefined;
  /** Commands the protocol check remembers while waiting for their replies (AnalyzerOptions; default 16). */
  maxDetectionPendingCommands?: number | undefined;
}

/**
 * True when the bytes from `start` (to `end`) begin like a reply line: three digits, then space,
 * hyphen or the line end.
 */
export function startsReply(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  if (end - start < 4) return false;
  for (let i = start; i < start + 3; i++) if (bytes[i] < 0x30 || bytes[i] > 0x39) return false;
  const after = bytes[start + 3];
  return after === 0x20 || after === 0x2d || after === 0x0d || after === 0x0a;
}

/** True when the bytes from `start` (to `end`) begin like a command line: 3 or 4 letters, then space or the line end. */
export function startsCommand(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  let i = start;
  while (i < end && i < start + 5 && (bytes[i] | 0x20) >= 0x61 && (bytes[i] | 0x20) <= 0x7a) i++;
  const letters = i - start;
  if (letters < 3 || letters > 4 || i >= end) return false;
  return bytes[i] === 0x20 || bytes[i] === 0x0d || bytes[i] === 0x0a;
}

/** Where a line sat in its segments (the tags are the frames that carried its first and last bytes). */
function framingOf(line: Line<FrameEvent>): LineFraming {
  const sameFrame = line.startAt.ref.input === line.at.ref.input && line.startAt.ref.frame === line.at.ref.frame;
  return { startsSegment: line.startOffset === 0 && !line.afterGap, oneSegment: sameFrame && !line.unterminated, bareLf: line.bareLf };
}

/** The mask shown instead of a password. */
export const PASSWORD_MASK = '********';

export class ControlParser {
  private readonly clientLines: LineSplitter<FrameEvent>;
  private readonly serverLines: LineSplitter<FrameEvent>;
  private readonly replies = new ReplyAssembler();
  private readonly pending: FtpCommand[] = [];
  /** Set when the server accepted AUTH (234): the rest of the connection is TLS, not lines. */
  private encrypted = false;
  /** Bytes that crossed after the switch to TLS. */
  encryptedBytes = 0;
  /**
   * Whether this is FTP at all: other protocols on FTP's ports are let go (see FtpEvidence; tolerant,
   * as the connection was taken for FTP by its port or already by its content).
   */
  evidence: FtpEvidence;
  /** Directions whose first bytes may be the tail of a line (the connection began before the capture). */
  private readonly unsureStart = { orig: false, resp: false };
  /** The argument of the latest USER command. */
  private user = '';

  constructor(
    private readonly observer: ControlObserver,
    private readonly options: ControlOptions,
    /** Counts the limits reached (the protocol check forgetting a command). */
    private readonly reached = new LimitCounter(),
  ) {
    this.evidence = this.newEvidence(true);
    this.clientLines = new LineSplitter<FrameEvent>((line) => this.clientLine(line), {
      maxLineLength: options.maxLineLength,
    });
    this.serverLines = new LineSplitter<FrameEvent>((line) => this.serverLine(line), {
      maxLineLength: options.maxLineLength,
    });
  }

  /**
   * The connection began before the capture: each direction's first bytes are decoded only if
   * they start a line (a command verb from the client, a reply code from the server); otherwise
   * decoding starts after the first line end.
   */
  startMidstream(): void {
    this.evidence = this.newEvidence(false);
    this.unsureStart.orig = true;
    this.unsureStart.resp = true;
  }

  /** A tolerant protocol check (the connection was taken for FTP by its port or its content). */
  private newEvidence(fromStart: boolean): FtpEvidence {
    return new FtpEvidence(fromStart, true, this.options.maxDetectionPendingCommands, () => this.reached.reached('maxDetectionPendingCommands'));
  }

  /** The connection is TLS from its first byte (implicit FTPS): nothing in it is read as lines. */
  startEncrypted(): void {
    this.encrypted = true;
  }

  /** Feeds reassembled bytes of one direction: orig = client to server, resp = server to client. */
  chunk(direction: Direction, chunk: ReassembledChunk): void {
    if (this.encrypted) {
      this.encryptedBytes += chunk.kind === 'gap' ? chunk.length : chunk.bytes.length;
      return;
    }
    const splitter = direction === 'orig' ? this.clientLines : this.serverLines;
    const at = { ref: chunk.frame, timeMicros: chunk.timeMicros };
    if (chunk.kind === 'gap') {
      if (direction === 'resp') this.replies.gap();
      // The partial line before the gap is lost; whether the bytes after it start a line is
      // decided when they come.
      splitter.gapAtLineStart(chunk.length, at);
      this.unsureStart[direction] = true;
      this.observer.gap(direction, chunk.length, at);
      return;
    }
    if (this.unsureStart[direction]) {
      // After a gap (or at a mid-stream start) the bytes are decoded at once if they start a line,
      // as segments of FTP peers nearly always do; otherwise from the next line end.
      this.unsureStart[direction] = false;
      const starts = direction === 'orig' ? startsCommand(chunk.bytes) : startsReply(chunk.bytes);
      if (!starts) splitter.skipPartialLine(at);
    }
    const taken = splitter.push(chunk.bytes, at);
    // The reply that switched to TLS ended inside this chunk: the rest of it is TLS.
    if (taken < chunk.bytes.length) this.encryptedBytes += chunk.bytes.length - taken;
  }

  /** The control connection ended (or the capture did): flush unterminated lines. */
  end(at: FrameEvent): void {
    if (this.encrypted) return;
    this.clientLines.end(at);
    this.serverLines.end(at);
    const unclosed = this.replies.end();
    if (unclosed) this.observer.anomaly('unterminated-reply', `multi-line ${unclosed.code} reply was not closed before the end of the stream`, at);
  }

  private clientLine(line: Line<FrameEvent>): void {
    if (!this.evidence.decided) this.evidence.clientLine(line.text);
    this.lineAnomalies(line, 'client');
    if (line.unterminated && line.text.length === 0) return;
    const text = decodeLineText(line.text);
    const parsed = parseCommand(text);
    if (!parsed.valid) {
      this.observer.anomaly('invalid-command', `client sent a line that is not an FTP command: "${text}"`, line.at);
      return;
    }
    if (parsed.verb === 'USER') this.user = parsed.arg.toLowerCase();
    const clear = this.options.showPasswords || this.options.clearPasswordUsers?.has(this.user) === true;
    const arg = parsed.verb === 'PASS' && !clear && parsed.arg !== '' ? PASSWORD_MASK : parsed.arg;
    const command: FtpCommand = { verb: parsed.verb, arg, at: line.at, framing: framingOf(line) };
    if (this.pending.length >= this.options.maxPendingCommands) {
      const dropped = this.pending.shift() as FtpCommand;
      this.observer.anomaly(
        'too-many-pending-commands',
        `more than ${this.options.maxPendingCommands} commands without a reply; ${dropped.verb} is no longer paired`,
        line.at,
      );
    }
    this.pending.push(command);
    this.observer.command(command);
  }

  private serverLine(line: Line<FrameEvent>): void {
    if (!this.evidence.decided) this.evidence.serverLine(line.text);
    this.lineAnomalies(line, 'server');
    if (line.unterminated && line.text.length === 0) return;
    const text = decodeLineText(line.text);
    const result = this.replies.push(text);
    if (result === null) return;
    if (result.invalid) {
      // After a gap, lines that start no reply are most likely the rest of a multi-line reply the
      // gap cut: the gap is already reported, they are not the server's fault.
      if (result.reason.startsWith('after a gap')) return;
      this.observer.anomaly('invalid-reply', `server sent a line that is not an FTP reply (${result.reason}): "${text}"`, line.at);
      return;
    }
    const reply: FtpReply = {
      code: result.code,
      text: result.text,
      multiline: result.multiline,
      at: line.at,
      quirks: result.quirks,
      framing: framingOf(line),
    };
    const preliminary = reply.code >= 100 && reply.code < 200;
    this.resynchronise(reply);
    const answers = preliminary ? (this.pending[0] ?? null) : (this.pending.shift() ?? null);
    // RFC 4217 §4: after 234 to AUTH, the TLS handshake starts on this connection.
    if (reply.code === 234 && answers?.verb === 'AUTH') {
      this.encrypted = true;
      this.serverLines.stopAfterLine();
    }
    this.observer.reply(reply, answers);
  }

  /**
   * After lost bytes, replies may be missing: when this reply cannot answer the oldest pending
   * command but can answer a later one, the commands before that one lost their replies.
   */
  private resynchronise(reply: FtpReply): void {
    if (this.pending.length < 2 || replyFits(this.pending[0].verb, reply.code)) return;
    const index = this.pending.findIndex((c) => replyFits(c.verb, reply.code));
    if (index <= 0) return;
    const lost = this.pending.splice(0, index);
    this.observer.anomaly(
      'reply-desync',
      `reply ${reply.code} cannot answer ${lost.map((c) => c.verb).join(', ')}: their replies are missing (lost bytes, or a server that skips replies)`,
      reply.at,
    );
  }

  private lineAnomalies(line: Line<FrameEvent>, who: 'client' | 'server'): void {
    if (line.truncated) {
      this.observer.anomaly('line-too-long', `${who} line longer than ${this.options.maxLineLength} bytes; ${line.droppedBytes} bytes were not read`, line.at);
    }
    if (line.unterminated && line.text.length > 0) {
      this.observer.anomaly('unterminated-line', `${who} line without line end at the end of the stream`, line.at);
    }
  }
}
