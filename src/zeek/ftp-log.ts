/**
 * Zeek's ftp.log, line for line: the policy tier on top of the control parser. It follows the
 * commands and replies of one control connection as Zeek's FTP scripts
 * (scripts/base/protocols/ftp/main.zeek) do, and writes a record where Zeek would write one:
 *
 * - a command waits in a pending table; a reply is paired with the pending command that fits it
 *   best (the reply code is one the command can get, the command or its argument appears in the
 *   reply text; ties go to the oldest);
 * - a command is written when the client sends its next command, when a reply comes while more
 *   than one command waits, or when the connection ends (with whatever reply was seen last);
 * - only the commands in `loggedCommands` are written (Zeek's default: APPE DELE RETR STOR STOU
 *   ACCT PORT PASV EPRT EPSV); the greeting is the pseudo-command `<init>`;
 * - `arg` of a file command is a URL, `ftp://<server>/<cwd>/<name>`, with the directory followed
 *   through CWD, CDUP and PWD replies;
 * - `data_channel` is the announcement (PORT/EPRT command, 227/229 reply), not the connection;
 *   `file_size` comes from a 150 reply to RETR or a 213 reply to SIZE;
 * - the password is shown for guest users (anonymous, ftp, ftpuser, guest) and otherwise written
 *   `<hidden>`, unless passwords are captured (`--show-passwords`);
 * - after a server line that is no reply at all, Zeek's analyzer gives up on the connection:
 *   nothing after it is logged, and the commands still waiting are written at the end.
 *
 * `mime_type` and `fuid` need the transferred bytes, which ftpcap never keeps: they stay unset.
 */
import type { ControlObserver } from '../ftp/control';
import { parseEprtArgument, parseEpsvReply, parsePasvReply, parsePortArgument } from '../ftp/hostport';
import type { FtpCommand, FtpReply } from '../model';
import type { Connection } from '../tcp/connections';
import type { FindingCode } from '../finding-codes';
import type { Direction, FrameEvent } from '../types';

/** One ftp.log record, fields as Zeek names them (undefined: unset, written `-`). */
export interface ZeekFtpRecord {
  /** Seconds since the epoch, as the command's packet was seen (microsecond resolution). */
  ts: number;
  uid: string;
  'id.orig_h': string;
  'id.orig_p': number;
  'id.resp_h': string;
  'id.resp_p': number;
  user: string;
  password?: string | undefined;
  command: string;
  arg?: string | undefined;
  mime_type?: string | undefined;
  file_size?: number | undefined;
  reply_code?: number | undefined;
  reply_msg?: string | undefined;
  'data_channel.passive'?: boolean | undefined;
  'data_channel.orig_h'?: string | undefined;
  'data_channel.resp_h'?: string | undefined;
  'data_channel.resp_p'?: number | undefined;
  fuid?: string | undefined;
}

/** The columns of ftp.log in Zeek's order, with their Zeek types (`#fields`, `#types`). */
export const zeekFtpFields: ReadonlyArray<readonly [keyof ZeekFtpRecord, string]> = [
  ['ts', 'time'],
  ['uid', 'string'],
  ['id.orig_h', 'addr'],
  ['id.orig_p', 'port'],
  ['id.resp_h', 'addr'],
  ['id.resp_p', 'port'],
  ['user', 'string'],
  ['password', 'string'],
  ['command', 'string'],
  ['arg', 'string'],
  ['mime_type', 'string'],
  ['file_size', 'count'],
  ['reply_code', 'count'],
  ['reply_msg', 'string'],
  ['data_channel.passive', 'bool'],
  ['data_channel.orig_h', 'addr'],
  ['data_channel.resp_h', 'addr'],
  ['data_channel.resp_p', 'port'],
  ['fuid', 'string'],
];

/** Zeek's `FTP::logged_commands` default. */
export const zeekDefaultLoggedCommands: readonly string[] = ['APPE', 'DELE', 'RETR', 'STOR', 'STOU', 'ACCT', 'PORT', 'PASV', 'EPRT', 'EPSV'];

/** Zeek's `FTP::guest_ids`: users whose password is an e-mail address by convention, shown in the log. */
export const zeekGuestIds: ReadonlySet<string> = new Set(['anonymous', 'ftp', 'ftpuser', 'guest']);

export interface ZeekFtpLogOptions {
  /** Commands written to the log (upper case; `<init>` is the greeting). */
  loggedCommands: ReadonlySet<string>;
  /** Write every password as sent (Zeek's `FTP::default_capture_password = T`). */
  capturePasswords: boolean;
  /** Zeek's limits, as `FTP::max_pending_commands`, `max_user_length`, `max_password_length`, `max_arg_length`, `max_reply_msg_length`. */
  maxPendingCommands?: number;
  maxUserLength?: number;
  maxPasswordLength?: number;
  maxArgLength?: number;
  maxReplyMsgLength?: number;
}

/** Zeek's defaults for the limits. */
const zeekLimits = { maxPendingCommands: 20, maxUserLength: 128, maxPasswordLength: 128, maxArgLength: 4096, maxReplyMsgLength: 4096 };

export const defaultZeekFtpLogOptions: ZeekFtpLogOptions = {
  loggedCommands: new Set(zeekDefaultLoggedCommands),
  capturePasswords: false,
  ...zeekLimits,
};

/** Commands whose argument names a file or directory: Zeek writes it as a URL. */
const fileCommands = new Set(['APPE', 'CWD', 'DELE', 'MKD', 'RETR', 'RMD', 'RNFR', 'RNTO', 'STOR', 'STOU', 'REST', 'SIZE', 'MDTM']);

/**
 * Replies each command can get (RFC 959 §5.4 and the extensions' RFCs): the first criterion
 * when a reply is paired with a pending command. 500 fits every command.
 */
const TRANSFER_REPLIES = [110, 125, 150, 226, 250, 421, 425, 426, 450, 451, 500, 501, 530];
const STORE_REPLIES = [...TRANSFER_REPLIES, 452, 532, 551, 552, 553, 550];
const fittingReplies: Record<string, readonly number[]> = {
  '<init>': [0, 120, 220, 421],
  '<missing>': [0],
  USER: [230, 331, 332, 421, 530, 500, 501],
  PASS: [230, 202, 332, 421, 530, 500, 501, 503],
  ACCT: [230, 202, 421, 530, 500, 501, 503],
  CWD: [250, 421, 500, 501, 502, 530, 550],
  CDUP: [200, 250, 421, 500, 501, 502, 530, 550],
  SMNT: [202, 250, 421, 500, 501, 502, 530, 550],
  REIN: [120, 220, 421, 500, 502],
  QUIT: [0, 221, 500],
  PORT: [200, 421, 500, 501, 530],
  PASV: [227, 421, 500, 501, 502, 530],
  MODE: [200, 421, 500, 501, 502, 504, 530],
  TYPE: [200, 421, 500, 501, 504, 530],
  STRU: [200, 421, 500, 501, 504, 530],
  ALLO: [200, 202, 421, 500, 501, 504, 530],
  REST: [200, 350, 421, 500, 501, 502, 530],
  STOR: STORE_REPLIES,
  STOU: STORE_REPLIES,
  RETR: [...TRANSFER_REPLIES, 550],
  LIST: [...TRANSFER_REPLIES, 502, 550],
  NLST: [...TRANSFER_REPLIES, 502, 550],
  APPE: [...STORE_REPLIES, 502],
  RNFR: [350, 421, 450, 550, 500, 501, 502, 530],
  RNTO: [250, 421, 532, 553, 500, 501, 502, 503, 530],
  DELE: [250, 421, 450, 550, 500, 501, 502, 530],
  RMD: [250, 421, 500, 501, 502, 530, 550],
  MKD: [257, 421, 500, 501, 502, 530, 550],
  PWD: [257, 421, 500, 501, 502, 550],
  ABOR: [225, 226, 421, 500, 501, 502],
  SYST: [215, 421, 500, 501, 502, 530],
  STAT: [211, 212, 213, 421, 450, 500, 501, 502, 530],
  HELP: [200, 211, 214, 421, 500, 501, 502],
  SITE: [200, 202, 214, 500, 501, 502, 530],
  NOOP: [200, 421, 500],
  LPRT: [500, 501, 521],
  FEAT: [211, 500, 502],
  OPTS: [200, 451, 501],
  EPSV: [229, 500, 501],
  EPRT: [200, 500, 501, 522],
  SIZE: [213, 500, 501, 550],
  MDTM: [213, 500, 501, 550],
  MLST: [150, 226, 250, 500, 501, 550],
  MLSD: [150, 226, 250, 500, 501, 550],
  CLNT: [200, 500],
  MACB: [200, 500, 550],
};

/** Replies that move the working directory: [command, code]. */
const directoryReplies = new Set(['CWD 250', 'CDUP 200', 'CDUP 250', 'PWD 257', 'XPWD 257']);

interface PendingCommand {
  seq: number;
  command: string;
  arg: string;
  ts: number;
  /** The reply already moved the working directory (a multi-line reply counts once). */
  cwdConsumed: boolean;
}

type DataChannel = Pick<ZeekFtpRecord, 'data_channel.passive' | 'data_channel.orig_h' | 'data_channel.resp_h' | 'data_channel.resp_p'>;

/** The log of one control connection; records go to `write` as Zeek would write them. */
export class ZeekFtpSessionLog {
  private readonly pending = new Map<number, PendingCommand>();
  private commandSeq = 0;
  private started = false;
  /** The analyzer gave up after a line that is no reply (Zeek: analyzer violation). */
  private disabled = false;
  private current: PendingCommand | null = null;
  private user = '<unknown>';
  private password: string | undefined;
  private replyCode: number | undefined;
  private replyMsg: string | undefined;
  private fileSize: number | undefined;
  private dataChannel: DataChannel | undefined;
  private cwd = '.';
  private readonly limits: typeof zeekLimits;

  constructor(
    private readonly uid: string,
    private readonly id: { orig_h: string; orig_p: number; resp_h: string; resp_p: number },
    private readonly options: ZeekFtpLogOptions,
    private readonly write: (record: ZeekFtpRecord) => void,
  ) {
    this.limits = {
      maxPendingCommands: options.maxPendingCommands ?? zeekLimits.maxPendingCommands,
      maxUserLength: options.maxUserLength ?? zeekLimits.maxUserLength,
      maxPasswordLength: options.maxPasswordLength ?? zeekLimits.maxPasswordLength,
      maxArgLength: options.maxArgLength ?? zeekLimits.maxArgLength,
      maxReplyMsgLength: options.maxReplyMsgLength ?? zeekLimits.maxReplyMsgLength,
    };
  }

  command(verb: string, arg: string, at: FrameEvent): void {
    if (this.disabled) return;
    // The command that got the latest reply is over: write it.
    if (this.started && this.current && this.replyCode !== undefined && this.pending.delete(this.current.seq)) this.message();
    this.start(at);
    if (this.pending.size < this.limits.maxPendingCommands) this.addPending(verb, arg, at);
    if (verb === 'USER') {
      this.user = arg.slice(0, this.limits.maxUserLength);
    } else if (verb === 'PASS') {
      this.password = arg.slice(0, this.limits.maxPasswordLength);
    } else if (verb === 'PORT' || verb === 'EPRT') {
      const parsed = verb === 'PORT' ? parsePortArgument(arg) : parseEprtArgument(arg);
      if (parsed.ok) this.dataChannel = channel(false, this.id.resp_h, parsed.value.ip, parsed.value.port);
    }
  }

  /** A complete reply; `text` is its last line without the code (what Zeek keeps as reply_msg). */
  reply(code: number, text: string, at: FrameEvent): void {
    if (this.disabled) return;
    this.start(at);
    const current = this.bestPending(code, text);
    if (current === null) return;
    this.current = current;
    this.replyCode = code;
    this.replyMsg = text;
    const verb = current.command;
    if ((code === 150 && verb === 'RETR') || (code === 213 && verb === 'SIZE')) {
      this.fileSize = lastNumber(text);
    } else if ((code === 227 || code === 229) && (verb === 'PASV' || verb === 'EPSV')) {
      if (code === 227) {
        const parsed = parsePasvReply(text);
        if (parsed.ok) this.dataChannel = channel(true, this.id.orig_h, parsed.value.ip, parsed.value.port);
      } else {
        const parsed = parseEpsvReply(text);
        if (parsed.ok) this.dataChannel = channel(true, this.id.orig_h, this.id.resp_h, parsed.value.port);
      }
    }
    if (directoryReplies.has(`${verb} ${code}`) && !current.cwdConsumed) {
      current.cwdConsumed = true;
      if (verb === 'CWD') this.cwd = buildPathCompressed(this.cwd, current.arg);
      else if (verb === 'CDUP') this.cwd = buildPathCompressed(this.cwd, '/..');
      else this.cwd = extractPath(text);
    }
    // With more commands waiting, the next command cannot tell which one to write: write this one now.
    if (this.pending.size > 1) {
      this.pending.delete(current.seq);
      this.message();
    }
  }

  /** A server line that is no reply: Zeek's analyzer reports a violation and stops. */
  violation(): void {
    this.disabled = true;
  }

  /** The connection is over: every command still waiting is written, with the last reply seen. */
  end(): void {
    if (!this.started) return;
    for (const pending of [...this.pending.values()].sort((a, b) => a.seq - b.seq)) {
      this.current = pending;
      this.message();
    }
    this.pending.clear();
  }

  private start(at: FrameEvent): void {
    if (this.started) return;
    this.started = true;
    // A pseudo-command for the greeting to answer.
    this.addPending('<init>', '', at);
  }

  private addPending(command: string, arg: string, at: FrameEvent): void {
    const seq = ++this.commandSeq;
    this.pending.set(seq, { seq, command, arg, ts: at.timeMicros / 1e6, cwdConsumed: false });
  }

  /** The pending command a reply most likely answers: the code fits (100), the text names the command (20) or its argument (10); the oldest wins a tie. */
  private bestPending(code: number, text: string): PendingCommand | null {
    let best: PendingCommand | null = null;
    let bestScore = -1;
    for (const pending of this.pending.values()) {
      let score = 0;
      if (code === 500 || fittingReplies[pending.command]?.includes(code)) score += 100;
      if (text.includes(pending.command)) score += 20;
      if (text.includes(pending.arg)) score += 10;
      if (score > bestScore || (score === bestScore && best !== null && best.seq > pending.seq)) {
        best = pending;
        bestScore = score;
      }
    }
    return best;
  }

  /** Writes the current command with the session's state, as Zeek's ftp_message does. */
  private message(): void {
    const current = this.current;
    if (current === null) return;
    let arg = fileCommands.has(current.command) ? ftpUrl(this.id.resp_h, this.cwd, current.arg) : current.arg;
    arg = arg.slice(0, this.limits.maxArgLength);
    if (this.replyMsg !== undefined) this.replyMsg = this.replyMsg.slice(0, this.limits.maxReplyMsgLength);
    const hidden = !this.options.capturePasswords && !zeekGuestIds.has(this.user.toLowerCase());
    if (this.password !== undefined && hidden) this.password = '<hidden>';
    if (current.command === 'PASS' && hidden && arg !== '') arg = '<hidden>';
    if (this.options.loggedCommands.has(current.command)) {
      const record: ZeekFtpRecord = {
        ts: current.ts,
        uid: this.uid,
        'id.orig_h': this.id.orig_h,
        'id.orig_p': this.id.orig_p,
        'id.resp_h': this.id.resp_h,
        'id.resp_p': this.id.resp_p,
        user: this.user,
        password: this.password,
        command: current.command,
        arg: arg === '' ? undefined : arg,
        mime_type: undefined,
        file_size: this.fileSize,
        reply_code: this.replyCode,
        reply_msg: this.replyMsg,
        ...(this.dataChannel ?? {}),
        fuid: undefined,
      };
      this.write(record);
    }
    // File size and data channel belong to one command.
    this.fileSize = undefined;
    this.dataChannel = undefined;
  }
}

function channel(passive: boolean, origH: string, respH: string, respP: number): DataChannel {
  return { 'data_channel.passive': passive, 'data_channel.orig_h': origH, 'data_channel.resp_h': respH, 'data_channel.resp_p': respP };
}

/** The last run of digits in the text, 0 without one (Zeek's extract_count(msg, F)). */
export function lastNumber(text: string): number {
  const runs = text.match(/[0-9]+/g);
  return runs ? Number(runs[runs.length - 1]) : 0;
}

const absolutePath = /^(\/|[A-Za-z]:[\\/])/;

/** `dir/file`, or `file` alone when it is absolute or there is no directory. */
export function buildPath(dir: string, file: string): string {
  if (absolutePath.test(file) || dir === '') return file;
  return `${dir}${dir.endsWith('/') ? '' : '/'}${file}`;
}

/**
 * A path with `name/..` pairs, repeated slashes and `/./` folded, and no trailing slash; a
 * relative path keeps its leading `./` (Zeek's compress_path).
 */
export function compressPath(path: string): string {
  for (let guard = 0; guard < 10_000; guard++) {
    const match = /((\/)*([^/]|\\\/)+)?((\/)+\.\.(\/)*)/.exec(path);
    if (match === null) break;
    if (match[0] === '../..') break;
    path = path.slice(0, match.index) + (match[0].startsWith('/') ? '/' : '') + path.slice(match.index + match[0].length);
  }
  path = path.replace(/(\/\.?){2,}/g, '/');
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}

export function buildPathCompressed(dir: string, file: string): string {
  return compressPath(buildPath(dir, file));
}

/** The first absolute path in a reply (quoted first, as in `257 "/pub" is the current directory`), or ''. */
export function extractPath(text: string): string {
  const quoted = /"(\/|[A-Za-z]:[\\/])[^"]*"/.exec(text);
  if (quoted) return quoted[0].slice(1, -1);
  const bare = /(\/|[A-Za-z]:[\\/])([^" ]|(\\ ))*/.exec(text);
  return bare ? bare[0] : '';
}

/** `ftp://server/path`, the server in brackets when IPv6 (Zeek's build_url_ftp). */
export function ftpUrl(server: string, cwd: string, name: string): string {
  let path = buildPathCompressed(cwd, name);
  if (!path.startsWith('/')) path = `/${path}`;
  return `ftp://${server.includes(':') ? `[${server}]` : server}${path}`;
}

/**
 * A connection uid in Zeek's shape (`C` and base62), derived from the control connection's
 * endpoints and first packet time so that the same capture always gives the same uids.
 */
export function connectionUid(connection: Connection): string {
  const text = `${connection.orig.ip}|${connection.orig.port}|${connection.resp.ip}|${connection.resp.port}|${connection.first.timeMicros}`;
  // FNV-1a, 64 bits in two halves, written in base62.
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let out = 'C';
  for (const [half, digits] of [
    [h1, 6],
    [h2, 6],
    [(h1 ^ h2) >>> 0, 4],
  ]) {
    let n = half;
    for (let i = 0; i < digits; i++) {
      out += alphabet[n % 62];
      n = Math.floor(n / 62);
    }
  }
  return out;
}

/**
 * Tees the control parser's events: to the session tracker as they come, and to the session's
 * Zeek log (commands, replies, and the server lines that are no reply).
 */
export class ZeekFtpObserver implements ControlObserver {
  constructor(
    private readonly inner: ControlObserver,
    readonly log: ZeekFtpSessionLog,
  ) {}

  command(command: FtpCommand): void {
    this.log.command(command.verb, command.arg, command.at);
    this.inner.command(command);
  }

  reply(reply: FtpReply, answers: FtpCommand | null): void {
    const lines = reply.text.split('\n');
    this.log.reply(reply.code, lines[lines.length - 1], reply.at);
    this.inner.reply(reply, answers);
  }

  gap(direction: Direction, length: number, at: FrameEvent): void {
    this.inner.gap(direction, length, at);
  }

  anomaly(code: FindingCode, message: string, at: FrameEvent): void {
    if (code === 'invalid-reply') this.log.violation();
    this.inner.anomaly(code, message, at);
  }
}
