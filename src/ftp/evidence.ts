/**
 * Whether a line-oriented conversation is FTP: FTP's own evidence, weighed line by line. Other
 * protocols share FTP's verbs (POP3: USER, PASS, LIST, RETR, DELE, QUIT), its reply numbers (SMTP
 * and NNTP: `220`, `200`, `211`) or both, so no single line decides, except a line only another
 * protocol sends (`+OK`, `* OK`, `HTTP/1.1 200`, `EHLO`, `a001 LOGIN`).
 *
 * FTP is:
 * - a greeting (`220`, `120`, `421`, RFC 959 §5.4) answered by a command FTP clients open with
 *   (`USER`, `FEAT`, `AUTH TLS`, ...), or
 * - replies that answer the commands before them the way RFC 959 says (`PASV` → 227,
 *   `USER` → 331, `RETR` → 150, ...) over two exchanges, one command at least being FTP's own.
 *
 * Not FTP is:
 * - a line only another protocol sends (above), or a first server line that is no FTP greeting
 *   when the conversation is seen from its start (NNTP greets with 200 or 201);
 * - before FTP was shown, three server lines outside a multi-line reply that are no FTP reply
 *   (POP3's `977 341382`: FTP codes start with 1 to 5), or three replies that cannot answer the
 *   FTP command they follow.
 *
 * On a port the user named FTP (21, --ftp-port) the evidence is `tolerant`: only a line another
 * protocol sends (or another protocol's greeting code) makes it not FTP; lines that are merely no
 * FTP (damaged, garbage) stay the control parser's findings, as a broken FTP session is still one.
 *
 * Once decided, the verdict stays: an FTP session that later sends odd lines is still FTP (the
 * control parser reports them), and a conversation found not to be FTP is let go.
 */
import { replyExpected } from './reply-codes';

export type Verdict = 'unknown' | 'ftp' | 'not-ftp';

/** Commands an FTP client opens a session with, after the greeting. */
const openingVerbs = new Set(['USER', 'FEAT', 'SYST', 'OPTS', 'HOST', 'CLNT', 'SITE']);

/**
 * Commands no other common line protocol uses: POP3's USER, PASS, LIST, RETR, DELE, STAT, NOOP
 * and QUIT, NNTP's LIST, HEAD, STAT, MODE and SMTP's HELP are not among them.
 */
export const ftpOnlyVerbs = new Set([
  'PASV',
  'EPSV',
  'PORT',
  'EPRT',
  'LPRT',
  'LPSV',
  'TYPE',
  'STOR',
  'STOU',
  'APPE',
  'CWD',
  'CDUP',
  'PWD',
  'XPWD',
  'SIZE',
  'MDTM',
  'MLSD',
  'MLST',
  'NLST',
  'REST',
  'FEAT',
  'SYST',
  'MKD',
  'RMD',
  'RNFR',
  'RNTO',
  'PBSZ',
  'PROT',
]);

/**
 * Client verbs of SMTP/LMTP, POP3, IMAP (untagged forms), NNTP and HTTP that FTP does not have:
 * one of them and the conversation is not FTP.
 */
const foreignVerbs = new Set([
  'EHLO',
  'HELO',
  'LHLO',
  'MAIL',
  'RCPT',
  'DATA',
  'VRFY',
  'EXPN',
  'BDAT',
  'STARTTLS',
  'CAPA',
  'STLS',
  'UIDL',
  'TOP',
  'APOP',
  'RSET',
  'AUTHINFO',
  'GROUP',
  'ARTICLE',
  'BODY',
  'IHAVE',
  'NEWNEWS',
  'NEWGROUPS',
  'LISTGROUP',
  'XOVER',
  'OVER',
  'XHDR',
  'HDR',
  'NEXT',
  'LAST',
  'POST',
  'DATE',
  'CAPABILITIES',
  'GET',
  'HEAD',
  'PUT',
  'OPTIONS',
  'CONNECT',
  'PATCH',
  'TRACE',
  'PRI',
]);

/** Server lines of other protocols: POP3, IMAP, HTTP, SSH, RTSP/SIP-style status lines. */
const foreignServerLine = /^(\+OK|-ERR|\* (OK|PREAUTH|BYE|CAPABILITY)|HTTP\/\d|SSH-\d|RTSP\/\d|SIP\/\d)/i;

/** A client line that only another protocol sends: an IMAP tagged command, an HTTP request, NNTP's MODE READER. */
const foreignClientLine = /^([A-Za-z0-9.]*\d[A-Za-z0-9.]* [A-Za-z]+|[A-Z]+ \S+ HTTP\/\d|MODE READER|MODE STREAM)/i;

/** Codes an FTP server greets with (RFC 959 §5.4: 120, 220, 421). */
const greetingCodes = new Set([120, 220, 421]);

/** Counter-evidence tolerated before FTP was shown. */
const MAX_STRANGE = 3;
/** Commands remembered while waiting for their replies, by default (AnalyzerOptions.maxDetectionPendingCommands). */
const MAX_PENDING = 16;

export class FtpEvidence {
  verdict: Verdict = 'unknown';
  /** Why the conversation is not FTP, in plain words (set with the verdict). */
  reason: string | null = null;
  private serverLines = 0;
  private greeted = false;
  private clientCommands = 0;
  /** Code of a multi-line reply still open (its lines between are free text). */
  private openReply: number | null = null;
  private readonly pending: string[] = [];
  private fitting = 0;
  private ftpVerbsSeen = 0;
  private strangeLines = 0;
  private misfits = 0;

  /**
   * @param fromStart the conversation is seen from its beginning (its SYN or the server's first
   * line): the first server line must then be a greeting.
   */
  constructor(
    private readonly fromStart: boolean,
    private readonly tolerant = false,
    /** Commands remembered while waiting for their replies; `onForget` is told when one is forgotten. */
    private readonly maxPending = MAX_PENDING,
    private readonly onForget: () => void = () => undefined,
  ) {}

  get decided(): boolean {
    return this.verdict !== 'unknown';
  }

  /** A line from the client (CR LF removed). */
  clientLine(text: string): void {
    if (this.verdict !== 'unknown' || text.length === 0) return;
    if (foreignClientLine.test(text)) return this.notFtp(`the client sent "${text.slice(0, 40)}"`);
    const space = text.indexOf(' ');
    const verb = (space < 0 ? text : text.slice(0, space)).toUpperCase();
    if (foreignVerbs.has(verb)) return this.notFtp(`the client sent ${verb}`);
    if (!/^[A-Z]{3,10}$/.test(verb)) return this.strange();
    this.clientCommands++;
    if (ftpOnlyVerbs.has(verb)) this.ftpVerbsSeen++;
    if (this.greeted && this.clientCommands === 1 && (openingVerbs.has(verb) || /^AUTH (TLS|SSL)/i.test(text))) {
      this.verdict = 'ftp';
      return;
    }
    if (this.pending.length >= this.maxPending) {
      this.pending.shift();
      this.onForget();
    }
    this.pending.push(verb);
  }

  /** A line from the server (CR LF removed). */
  serverLine(text: string): void {
    if (this.verdict !== 'unknown') return;
    const first = this.serverLines++ === 0;
    if (foreignServerLine.test(text)) return this.notFtp(`the server sent "${text.slice(0, 40)}"`);
    const reply = /^([1-5][0-5]\d)([ -]|$)/.exec(text);
    if (this.openReply !== null) {
      // Lines inside a multi-line reply are free text; only `NNN ` with the same code closes it.
      if (reply === null || Number(reply[1]) !== this.openReply || reply[2] === '-') return;
      this.openReply = null;
      this.answered(Number(reply[1]));
      return;
    }
    if (reply === null) {
      if (first && this.fromStart && !this.tolerant) return this.notFtp(`the server's first line is no FTP reply: "${text.slice(0, 40)}"`);
      return this.strange();
    }
    const code = Number(reply[1]);
    if (first && this.fromStart && this.clientCommands === 0) {
      if (!greetingCodes.has(code)) return this.notFtp(`the server greets with ${code}, not an FTP greeting`);
      this.greeted = true;
    }
    if (reply[2] === '-') {
      this.openReply = code;
      return;
    }
    if (this.greeted && this.clientCommands === 0) return;
    this.answered(code);
  }

  /** A complete reply: does it answer the oldest command waiting? */
  private answered(code: number): void {
    if (this.greeted && this.clientCommands === 0) return;
    const verb = code < 200 ? this.pending[0] : this.pending.shift();
    if (verb === undefined) return;
    const fit = replyExpected(verb, code);
    if (fit === true) {
      // A 1yz is followed by the final reply to the same command: count the exchange once.
      if (code >= 200) this.fitting++;
    } else if (fit === false && ++this.misfits >= MAX_STRANGE && !this.tolerant) {
      return this.notFtp(`${this.misfits} replies cannot answer the commands they follow`);
    }
    if (this.fitting >= 2 && this.ftpVerbsSeen > 0) this.verdict = 'ftp';
  }

  private strange(): void {
    if (++this.strangeLines >= MAX_STRANGE && !this.tolerant) this.notFtp(`${this.strangeLines} lines are neither FTP commands nor FTP replies`);
  }

  private notFtp(reason: string): void {
    this.verdict = 'not-ftp';
    this.reason = reason;
  }
}
