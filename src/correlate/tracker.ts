/**
 * Follows one FTP control session: login, announcements, transfers. Every announcement becomes a
 * data channel that waits in the expectation registry for the TCP connection answering it.
 */
import { parseEprtArgument, parseEpsvArgument, parseEpsvReply, parseLprtArgument, parseLpsvReply, parsePasvReply, parsePortArgument } from '../ftp/hostport';
import type { ControlObserver } from '../ftp/control';
import { transferCommands } from '../ftp/messages';
import type {
  AnnouncementMethod,
  ChannelSuccessor,
  DataChannel,
  FoldedChannels,
  FtpCommand,
  FtpReply,
  FtpSession,
  TimelineEntry,
  Transfer,
  TransferCommand,
} from '../model';
import { connectionEnd, payloadBytes, type Connection } from '../tcp/connections';
import { TransferMeter } from '../tcp/performance';
import { LimitCounter } from '../limits';
import type { AnalyzerOptions } from '../options';
import type { FindingCode } from '../finding-codes';
import type { Direction, Endpoint, Finding, FrameEvent, Severity } from '../types';
import { firstLine, formatEndpoint, replyLine } from '../text';
import type { ExpectationRegistry } from './expectations';
import { channelBytes, channelStatus, emptyChannelFirewallFacts } from './channels';

/**
 * What folding a finished channel needs from the stages around the tracker: the findings of one
 * channel (src/diagnose, given the channel announced after it), and filing what a given-up data
 * connection carried so that nothing holds the channel any more.
 */
export interface ChannelFolding {
  diagnose(session: FtpSession, channel: DataChannel, next: ChannelSuccessor | undefined): Finding[];
  endContent(connection: Connection): void;
  /** Adds the channel to what the firewall plan needs of the folded channels. */
  firewall(session: FtpSession, channel: DataChannel): void;
}

const activeMethods = new Set(['PORT', 'EPRT', 'LPRT']);
const passiveMethods = new Set(['PASV', 'EPSV', 'LPSV']);
/** Reply codes that carry a passive announcement (RFC 959, RFC 1639, RFC 2428). */
const passiveReplyCodes = new Set([227, 228, 229]);

export class SessionTracker implements ControlObserver {
  readonly session: FtpSession;
  /** PASV/EPSV/LPSV commands sent and not answered yet. */
  private passiveRequests = 0;
  /** A transfer command pipelined behind an unanswered passive request: it uses that channel. */
  private deferredTransfer: Transfer | null = null;
  /** Representation type in force (A, I, ...) once a TYPE was accepted. */
  private type: string | null = null;
  /** Offset of an accepted REST, for the next transfer. */
  private restOffset = 0;
  /** Sizes from 213 replies to SIZE, by path (the last few). */
  private readonly sizes = new Map<string, number>();
  /** Channels without a connection that still wait for one (a new announcement ends the wait). */
  private readonly waiting = new Set<DataChannel>();
  /** Active channels by the PORT/EPRT/LPRT command that announced them, until its reply. */
  private readonly byRequest = new Map<FtpCommand, DataChannel>();
  /**
   * Channels that a transfer command could use, oldest first; entries that can no longer be used
   * (closed, refused, or given a transfer, none of which is undone) are dropped lazily from the end.
   */
  private readonly usable: DataChannel[] = [];
  /** Transfers waiting for their final reply, by their command, and the channel each uses. */
  private readonly openTransfers = new Map<FtpCommand, Transfer>();
  private readonly channelOf = new Map<Transfer, DataChannel>();
  /** Findings raised so far per code: how many are listed, and the last listed. */
  private readonly findingsByCode = new Map<string, { listed: number; last: Finding }>();
  /** The folded channels' findings per code: how many are listed, and the last listed. */
  private readonly foldedByCode = new Map<string, { listed: number; last: Finding }>();
  /**
   * announcement-refused findings of folded channels no later channel has made good yet (a later
   * completed transfer makes them warnings: "the client got its transfer another way"), by index.
   */
  private unrecovered: { index: number; finding: Finding }[] = [];
  /** Channels in session.dataChannels past the listed ones when they were last looked at for folding. */
  private foldCheckedTail = 0;
  /** Folds finished channels past maxDataChannelsPerSession (null: never, as in tests of the tracker alone). */
  folding: ChannelFolding | null = null;

  constructor(
    id: number,
    control: Connection,
    private readonly registry: ExpectationRegistry<SessionTracker>,
    private readonly limits: Pick<
      AnalyzerOptions,
      'maxTimelineEvents' | 'maxFindingsPerCode' | 'maxHiddenConnections' | 'maxSizeAnswers' | 'maxDataChannelsPerSession' | 'connectionIdleMicros'
    >,
    /** Counts the limits reached (hidden connections only counted, SIZE answers forgotten). */
    private readonly reached = new LimitCounter(),
  ) {
    this.session = {
      id,
      control,
      client: control.orig,
      server: control.resp,
      user: null,
      loggedIn: false,
      greeting: null,
      dataChannels: [],
      folded: emptyFolded(),
      orphanTransfers: [],
      timeline: [],
      timelineDropped: 0,
      findings: [],
      commands: 0,
      replies: 0,
      gapBytes: 0,
      firstGap: null,
      tls: null,
      epsvAll: null,
      failedLogins: [],
      cleartextPassword: null,
      implicitTls: false,
      tlsConnections: [],
      unannouncedConnections: [],
      tlsConnectionsDropped: 0,
      unannouncedConnectionsDropped: 0,
    };
  }

  command(command: FtpCommand): void {
    const session = this.session;
    session.commands++;
    const verb = command.verb;
    const line = command.arg === '' ? verb : `${verb} ${command.arg}`;
    if (verb === 'USER') {
      session.user = command.arg;
      this.note(command.at, 'login', 'client', `client logs in as "${command.arg}"`, line);
    } else if (verb === 'PASS') {
      if (session.tls === null && session.cleartextPassword === null && !isAnonymous(session.user)) session.cleartextPassword = command;
      this.note(command.at, 'login', 'client', 'client sends the password', line);
    } else if (activeMethods.has(verb)) {
      this.activeAnnouncement(command, verb as AnnouncementMethod, line);
    } else if (passiveMethods.has(verb)) {
      const epsv = verb === 'EPSV' ? parseEpsvArgument(command.arg) : null;
      if (epsv?.kind === 'all') {
        this.note(command.at, 'command', 'client', 'client asks the server to accept only EPSV from now on (EPSV ALL)', line);
      } else {
        this.passiveRequests++;
        this.note(command.at, 'command', 'client', `client asks for passive mode (${verb}): the server should open a port and say which`, line);
      }
    } else if (verb in transferCommands) {
      this.transferCommand(command, verb as TransferCommand, line);
    } else if (verb === 'AUTH') {
      this.note(command.at, 'tls', 'client', `client asks to encrypt the control connection (AUTH ${command.arg})`, line);
    } else if (verb === 'QUIT') {
      this.note(command.at, 'quit', 'client', 'client ends the session', line);
    } else if (verb === 'ABOR') {
      for (const transfer of this.openTransfers.values()) transfer.abort ??= command;
      this.note(command.at, 'command', 'client', 'client aborts the transfer in progress', line);
    }
  }

  reply(reply: FtpReply, answers: FtpCommand | null): void {
    const session = this.session;
    session.replies++;
    const line = replyLine(reply.code, reply.text);
    const verb = answers?.verb ?? null;
    if (passiveReplyCodes.has(reply.code) && (verb === null || !passiveMethods.has(verb))) {
      this.finding(
        'nonstandard-reply-format',
        'warning',
        reply.at,
        `a ${reply.code} reply ("${firstLine(reply.text)}") answers ${verb === null ? 'no command' : verb}, not a passive request: a client or middlebox reading it as an announcement would be misled`,
      );
    }
    if (answers === null) {
      if (reply.code === 220 || reply.code === 120) {
        session.greeting ??= reply;
        this.note(reply.at, 'greeting', 'server', 'server greets the client', line);
      } else this.note(reply.at, 'reply', 'server', 'server sends a reply to no pending command', line);
      return;
    }
    if (verb === 'USER' || verb === 'PASS' || verb === 'ACCT') {
      this.loginReply(reply, line);
    } else if (verb !== null && activeMethods.has(verb)) {
      this.activeReply(answers, reply, line);
    } else if (verb !== null && passiveMethods.has(verb)) {
      this.passiveReply(answers, reply, line);
    } else if (verb !== null && verb in transferCommands) {
      this.transferReply(answers, reply, line);
    } else if (verb === 'AUTH') {
      if (reply.code === 234) {
        session.tls = reply.at;
        this.note(reply.at, 'tls', 'server', 'server accepts: from here on the control connection is encrypted and announcements cannot be read', line);
      } else {
        this.note(reply.at, 'tls', 'server', 'server refuses TLS: the session stays in cleartext', line);
      }
    } else if (verb === 'QUIT') {
      this.note(reply.at, 'quit', 'server', 'server says goodbye', line);
    } else if (verb === 'TYPE' && reply.code >= 200 && reply.code < 300) {
      this.type = answers.arg.trim().charAt(0).toUpperCase() || null;
    } else if (verb === 'REST' && reply.code === 350) {
      const offset = Number(answers.arg.trim());
      this.restOffset = Number.isSafeInteger(offset) && offset >= 0 ? offset : 0;
    } else if (verb === 'SIZE' && reply.code === 213) {
      const size = Number(reply.text.trim());
      if (Number.isSafeInteger(size) && size >= 0) {
        if (this.sizes.size >= this.limits.maxSizeAnswers) {
          this.sizes.delete(this.sizes.keys().next().value as string);
          this.reached.reached('maxSizeAnswers', reply.at.ref);
        }
        this.sizes.set(answers.arg, size);
      }
    } else if (reply.code >= 400) {
      this.note(reply.at, 'reply', 'server', `server refuses ${verb}`, line);
    }
  }

  gap(direction: Direction, length: number, at: FrameEvent): void {
    this.session.gapBytes += length;
    this.session.firstGap ??= at;
    const who = direction === 'orig' ? 'client' : 'server';
    this.note(at, 'gap', 'analysis', `${length} byte${length === 1 ? '' : 's'} from the ${who} ${length === 1 ? 'is' : 'are'} missing from the capture here`);
  }

  /** Traffic the decoders could not read in full: one finding per code, repeats only counted. */
  anomaly(code: FindingCode, message: string, at: FrameEvent): void {
    const earlier = this.findingsByCode.get(code);
    if (earlier) {
      earlier.last.count = (earlier.last.count ?? 1) + 1;
      return;
    }
    this.finding(code, 'warning', at, message);
  }

  /** A TCP connection answered one of this session's announcements. */
  dataConnection(channel: DataChannel, connection: Connection): void {
    channel.connection = connection;
    connection.meter = new TransferMeter(this.session.control);
    this.waiting.delete(channel);
    this.registry.remove(channel);
  }

  /**
   * A TCP connection between the client and server that answers no announcement seen, while the
   * announcements cannot all be read (TLS, or bytes missing): probably a data connection.
   */
  hiddenConnection(connection: Connection): void {
    const session = this.session;
    const list = session.tls ? session.tlsConnections : session.unannouncedConnections;
    if (list.length < this.limits.maxHiddenConnections) {
      list.push(connection);
      return;
    }
    if (session.tls) session.tlsConnectionsDropped++;
    else session.unannouncedConnectionsDropped++;
    this.reached.reached('maxHiddenConnections', (connection.syn ?? connection.first).ref);
  }

  /** The control connection is TLS from its first byte (implicit FTPS). */
  implicitTls(at: FrameEvent): void {
    this.session.tls = at;
    this.session.implicitTls = true;
    this.note(
      at,
      'tls',
      'analysis',
      `the control connection is TLS from the start (implicit FTPS on port ${this.session.server.port}): nothing in it can be read`,
    );
  }

  /** The control session is over: no announcement of it waits for a connection any more. */
  finish(): void {
    for (const channel of this.session.dataChannels) this.closeChannel(channel);
    const deferred = this.takeDeferredTransfer();
    if (deferred) this.session.orphanTransfers.push(deferred);
    this.byRequest.clear();
    this.foldFinished(this.session.control.last, true);
    this.recoverFromListed();
  }

  /**
   * Folds the finished channels past maxDataChannelsPerSession into session.folded (their findings
   * raised now). Looked at when the channels past the listed ones have doubled since the last look
   * (or at the end), so each announcement costs O(1) amortized however many channels stay open.
   * A channel is finished when nothing can change it any more: closed to matching, answered, its
   * transfer's final reply in, and its data connection over (RST or FIN both ways, its content
   * filed) or given up (no handshake and nothing on it for connectionIdleMicros). The last channel
   * of a running session is kept: the findings of a channel look at the one after it.
   */
  private foldFinished(now: FrameEvent | null, atEnd = false): void {
    const folding = this.folding;
    if (folding === null) return;
    const channels = this.session.dataChannels;
    const listed = this.limits.maxDataChannelsPerSession;
    const tail = channels.length - listed;
    if (tail <= 0 || (!atEnd && tail < Math.max(64, 2 * this.foldCheckedTail))) return;
    const last = atEnd ? channels.length : channels.length - 1;
    let kept = listed;
    const successors = this.session.folded.successors;
    for (let i = listed; i < channels.length; i++) {
      const channel = channels[i];
      if (i < last && this.finished(channel, now)) {
        const following = channels[i + 1];
        const next = following?.index === channel.index + 1 ? following : successors.get(channel.index);
        successors.delete(channel.index);
        // The channel before it stays listed: its findings need this one's method and request.
        const before = channels[kept - 1];
        if (before !== undefined && before.index === channel.index - 1)
          successors.set(before.index, { index: channel.index, method: channel.method, request: channel.request });
        this.fold(channel, next, folding);
      } else channels[kept++] = channel;
    }
    if (kept === channels.length) {
      this.foldCheckedTail = tail;
      return;
    }
    channels.length = kept;
    this.foldCheckedTail = kept - listed;
    // The tracker's indexes never point at a folded channel: those are closed, answered and without
    // an open transfer, so only the usable list may still hold them.
    const usable = this.usable.filter((c) => !c.closed);
    this.usable.length = 0;
    this.usable.push(...usable);
  }

  private finished(channel: DataChannel, now: FrameEvent | null): boolean {
    if (!channel.closed || this.byRequest.has(channel.request)) return false;
    if (channel.transfer !== null && (channel.transfer.final === null || this.openTransfers.has(channel.transfer.command))) return false;
    const connection = channel.connection;
    if (connection === null) return true;
    if (connectionEnd(connection) !== 'open') return connection.follower === undefined;
    // Never answered and quiet for connectionIdleMicros: a SYN now would start a new connection.
    return connection.synAck === null && now !== null && now.timeMicros - connection.last.timeMicros > this.limits.connectionIdleMicros;
  }

  private fold(channel: DataChannel, next: ChannelSuccessor | undefined, folding: ChannelFolding): void {
    const folded = this.session.folded;
    const connection = channel.connection;
    if (connection !== null) folding.endContent(connection);
    if (folded.count === 0) this.reached.reached('maxDataChannelsPerSession', channel.announcedAt.ref);
    folded.count++;
    folded[channel.mode]++;
    const outcome = channelStatus(channel);
    folded.byOutcome[outcome]++;
    const { bytes, missing } = channelBytes(channel);
    folded.bytes += bytes;
    folded.missingBytes += missing;
    if (connection !== null) {
      const start = connection.syn ?? connection.first;
      if (folded.firstConnection === null || start.timeMicros < folded.firstConnection.timeMicros) folded.firstConnection = start;
      folded.timelineEntries +=
        1 + (connection.synAck ? 1 : 0) + (connection.unreachable ? 1 : 0) + (connection.handshakeAck ? 1 : 0) + (connectionEnd(connection) === 'open' ? 0 : 1);
    }
    if (outcome === 'completed') {
      folded.lastCompletedIndex = channel.index;
      this.recover(channel.index);
    }
    folding.firewall(this.session, channel);
    for (const finding of folding.diagnose(this.session, channel, next)) {
      const listed = this.addFoldedFinding(finding);
      if (listed && finding.code === 'announcement-refused' && !finding.message.endsWith(recoveredWords))
        this.unrecovered.push({ index: channel.index, finding: listed });
    }
  }

  /** A folded channel's finding, listed or counted on the last of its code (as the session's findings). */
  private addFoldedFinding(finding: Finding): Finding | null {
    const earlier = this.foldedByCode.get(finding.code);
    if (earlier && earlier.listed >= this.limits.maxFindingsPerCode) {
      earlier.last.count = (earlier.last.count ?? 1) + (finding.count ?? 1);
      return null;
    }
    this.session.folded.findings.push(finding);
    this.foldedByCode.set(finding.code, { listed: (earlier?.listed ?? 0) + 1, last: finding });
    return finding;
  }

  /** Channel `index` completed a transfer: the refusals of folded channels before it were made good. */
  private recover(index: number): void {
    if (this.unrecovered.length === 0) return;
    const still: typeof this.unrecovered = [];
    for (const entry of this.unrecovered) {
      if (entry.index < index) {
        entry.finding.severity = 'warning';
        entry.finding.message += recoveredWords;
      } else still.push(entry);
    }
    this.unrecovered = still;
  }

  /** A listed channel that completed makes good the folded refusals before it (at the end). */
  private recoverFromListed(): void {
    for (const channel of this.session.dataChannels) if (channelStatus(channel) === 'completed') this.recover(channel.index);
  }

  private activeAnnouncement(command: FtpCommand, method: AnnouncementMethod, line: string): void {
    const parsed = method === 'PORT' ? parsePortArgument(command.arg) : method === 'EPRT' ? parseEprtArgument(command.arg) : parseLprtArgument(command.arg);
    if (!parsed.ok) {
      this.finding('malformed-announcement', 'warning', command.at, `${method} argument "${command.arg}" cannot be used: ${parsed.error}`);
      this.note(command.at, 'announcement', 'client', `client sends ${method}, but it cannot be parsed: ${parsed.error}`, line);
      return;
    }
    const announced = { ip: parsed.value.ip, port: parsed.value.port };
    const channel = this.openChannel(method, 'active', command, command.at, announced, command.arg, parsed.quirks, this.session.server.ip, [announced]);
    const client = this.session.client.ip;
    const text =
      announced.ip === client
        ? `active mode (${method}): client listens on ${formatEndpoint(announced)}; the server must connect to it`
        : `active mode (${method}): the server is asked to connect to ${formatEndpoint(announced)}, which is not the client's address as the server sees it (${client})`;
    this.note(command.at, 'announcement', 'client', text, line, channel.index);
  }

  private activeReply(request: FtpCommand, reply: FtpReply, line: string): void {
    const channel = this.byRequest.get(request);
    this.byRequest.delete(request);
    if (!channel) {
      if (reply.code >= 400) this.note(reply.at, 'reply', 'server', `server refuses ${request.verb}`, line);
      return;
    }
    channel.reply = reply;
    if (reply.code >= 400) {
      this.closeChannel(channel);
      if (channel.transfer) {
        // A transfer pipelined behind the refused announcement has no channel after all.
        this.session.orphanTransfers.push(channel.transfer);
        this.channelOf.delete(channel.transfer);
        channel.transfer = null;
      }
      this.note(reply.at, 'announcement', 'server', `server refuses the ${channel.method}: no data connection will be made`, line, channel.index);
    } else {
      this.note(reply.at, 'announcement', 'server', `server accepts the ${channel.method}`, line, channel.index);
    }
  }

  private passiveReply(request: FtpCommand, reply: FtpReply, line: string): void {
    const method = request.verb as AnnouncementMethod;
    const epsvAll = method === 'EPSV' && parseEpsvArgument(request.arg).kind === 'all';
    if (!epsvAll) this.passiveRequests = Math.max(0, this.passiveRequests - 1);
    // A transfer pipelined behind this request uses its channel, if one is opened.
    const deferred = this.passiveRequests === 0 ? this.takeDeferredTransfer() : null;
    if (epsvAll) {
      if (reply.code < 400) {
        this.session.epsvAll = reply.at;
        this.note(reply.at, 'reply', 'server', 'server accepts EPSV ALL: PORT, EPRT and PASV are now forbidden', line);
      } else {
        this.note(reply.at, 'reply', 'server', 'server refuses EPSV ALL', line);
      }
      return;
    }
    if (!passiveReplyCodes.has(reply.code)) {
      if (reply.code >= 400) {
        const channel = this.openChannel(method, 'passive', request, reply.at, null, reply.text, [], this.session.client.ip, []);
        channel.reply = reply;
        this.closeChannel(channel);
        this.note(reply.at, 'announcement', 'server', `server refuses ${method}: no data connection will be made`, line, channel.index);
      }
      if (deferred) this.session.orphanTransfers.push(deferred);
      return;
    }
    const text = reply.text;
    const parsed = reply.code === 227 ? parsePasvReply(text) : reply.code === 229 ? parseEpsvReply(text) : parseLpsvReply(text);
    if (!parsed.ok) {
      this.finding('malformed-announcement', 'warning', reply.at, `${reply.code} reply "${firstLine(text)}" cannot be used: ${parsed.error}`);
      this.note(reply.at, 'announcement', 'server', `server answers ${method}, but the reply cannot be parsed: ${parsed.error}`, line);
      if (deferred) this.session.orphanTransfers.push(deferred);
      return;
    }
    const server = this.session.server;
    const announcedIp = 'ip' in parsed.value ? (parsed.value.ip as string) : null;
    const announced = { ip: announcedIp, port: parsed.value.port };
    const targets: Endpoint[] = [{ ip: server.ip, port: announced.port }];
    if (announcedIp !== null && announcedIp !== server.ip) targets.push({ ip: announcedIp, port: announced.port });
    const quirks = [...parsed.quirks];
    const expectedCode = method === 'PASV' ? 227 : method === 'EPSV' ? 229 : 228;
    if (reply.code !== expectedCode) quirks.push(`${method} answered with ${reply.code} instead of ${expectedCode}`);
    const channel = this.openChannel(method, 'passive', request, reply.at, announced, text, quirks, this.session.client.ip, targets);
    channel.reply = reply;
    const where =
      announcedIp === null
        ? `port ${announced.port} of its own address (${server.ip})`
        : announcedIp === server.ip
          ? `${formatEndpoint({ ip: announcedIp, port: announced.port })}`
          : `${formatEndpoint({ ip: announcedIp, port: announced.port })}, which is not the server's address ${server.ip}`;
    this.note(reply.at, 'announcement', 'server', `passive mode (${method}): server listens on ${where}; the client must connect to it`, line, channel.index);
    if (deferred) this.assign(channel, deferred);
  }

  private assign(channel: DataChannel, transfer: Transfer): void {
    channel.transfer = transfer;
    this.channelOf.set(transfer, channel);
  }

  /** The latest channel a transfer command can use: open, accepted (or not answered yet), unused. */
  private latestUsable(): DataChannel | undefined {
    const usable = this.usable;
    while (usable.length > 0) {
      const c = usable[usable.length - 1];
      if (!c.closed && c.transfer === null && (c.reply === null || c.reply.code < 400)) return c;
      usable.pop();
    }
    return undefined;
  }

  private takeDeferredTransfer(): Transfer | null {
    const transfer = this.deferredTransfer;
    this.deferredTransfer = null;
    return transfer;
  }

  private transferCommand(command: FtpCommand, verb: TransferCommand, line: string): void {
    const transfer: Transfer = {
      command,
      direction: transferCommands[verb],
      preliminary: null,
      final: null,
      announcedSize: null,
      sizeReply: this.sizes.get(command.arg) ?? null,
      restOffset: this.restOffset,
      type: this.type,
      leftChannel: null,
      abort: null,
    };
    this.restOffset = 0;
    this.openTransfers.set(command, transfer);
    const channel = this.latestUsable();
    const what = `${verb}${command.arg ? ` ${command.arg}` : ''}`;
    const flow = transfer.direction === 'download' ? 'server sends' : 'client sends';
    if (channel) {
      this.assign(channel, transfer);
      this.note(command.at, 'transfer', 'client', `transfer: ${what} (${flow} over data channel #${channel.index})`, line, channel.index);
    } else if (this.passiveRequests > 0 && this.deferredTransfer === null) {
      // Pipelined behind PASV/EPSV: the channel exists once the reply arrives.
      this.deferredTransfer = transfer;
      this.note(command.at, 'transfer', 'client', `transfer: ${what} (${flow} over the channel the pending passive request will open)`, line);
    } else {
      this.session.orphanTransfers.push(transfer);
      this.note(command.at, 'transfer', 'client', `transfer: ${what}, but no data channel was set up for it`, line);
    }
  }

  private transferReply(request: FtpCommand, reply: FtpReply, line: string): void {
    const transfer = this.openTransfers.get(request);
    if (!transfer) return;
    const channel = this.channelOf.get(transfer);
    const index = channel?.index;
    if (reply.code < 200) {
      transfer.preliminary = reply;
      transfer.announcedSize = parseAnnouncedSize(reply.text);
      this.note(reply.at, 'transfer-result', 'server', 'server starts the transfer', line, index);
      return;
    }
    transfer.final = reply;
    this.openTransfers.delete(request);
    this.channelOf.delete(transfer);
    if (channel && reply.code >= 400 && transfer.preliminary === null && !connectionFailureCodes.has(reply.code) && !dataFlowed(channel.connection)) {
      // Refused at once (RFC 959 §5.4: no 1yz, no data connection), e.g. "550 Not a regular
      // file": the channel is still there for the next transfer command.
      channel.transfer = null;
      // Back on top of the usable channels (the transfer command had taken it off).
      if (this.usable[this.usable.length - 1] !== channel) this.usable.push(channel);
      transfer.leftChannel = channel.index;
      this.session.orphanTransfers.push(transfer);
      this.note(
        reply.at,
        'transfer-result',
        'server',
        `server refuses the transfer before any data connection: data channel #${channel.index} stays for the next transfer`,
        line,
        channel.index,
      );
      return;
    }
    const ok = reply.code < 300;
    this.note(reply.at, 'transfer-result', 'server', ok ? 'server reports the transfer complete' : 'server reports the transfer failed', line, index);
    if (channel) this.closeChannel(channel);
  }

  private loginReply(reply: FtpReply, line: string): void {
    if (reply.code === 230) {
      this.session.loggedIn = true;
      this.note(reply.at, 'login', 'server', 'login succeeded', line);
    } else if (reply.code === 331 || reply.code === 332) {
      this.note(reply.at, 'login', 'server', 'server asks for the password', line);
    } else if (reply.code >= 400) {
      if (reply.code === 530) this.session.failedLogins.push(reply);
      this.note(reply.at, 'login', 'server', 'login failed', line);
    }
  }

  private openChannel(
    method: AnnouncementMethod,
    mode: 'active' | 'passive',
    request: FtpCommand,
    announcedAt: FrameEvent,
    announced: DataChannel['announced'],
    announcementText: string,
    quirks: string[],
    expectedFrom: string,
    expectedTo: Endpoint[],
  ): DataChannel {
    // A new announcement ends the wait for the previous ones of this session.
    for (const earlier of this.waiting) this.closeChannel(earlier);
    this.waiting.clear();
    this.foldFinished(announcedAt);
    const channel: DataChannel = {
      // Folded channels count too: indexes go on from them.
      index: this.session.dataChannels.length + this.session.folded.count + 1,
      method,
      mode,
      request,
      announcedAt,
      announced,
      announcementText,
      quirks,
      reply: null,
      expectedFrom,
      expectedTo,
      connection: null,
      transfer: null,
      closed: false,
    };
    this.session.dataChannels.push(channel);
    this.waiting.add(channel);
    this.usable.push(channel);
    if (mode === 'active') this.byRequest.set(request, channel);
    if (expectedTo.length > 0) this.registry.add(channel, this);
    return channel;
  }

  private closeChannel(channel: DataChannel): void {
    if (channel.closed) return;
    channel.closed = true;
    this.waiting.delete(channel);
    this.registry.remove(channel);
  }

  private note(at: FrameEvent, kind: TimelineEntry['kind'], source: TimelineEntry['source'], text: string, line?: string, channel?: number): void {
    const timeline = this.session.timeline;
    if (timeline.length >= this.limits.maxTimelineEvents) {
      this.session.timelineDropped++;
      return;
    }
    timeline.push({ at, kind, source, text, line, channel });
  }

  /**
   * Lists a finding, or past `maxFindingsPerCode` of its code in this session only counts it on
   * the last one listed (see countRepeatedFindings).
   */
  private finding(code: FindingCode, severity: Severity, at: FrameEvent, message: string): void {
    const earlier = this.findingsByCode.get(code);
    if (earlier && earlier.listed >= this.limits.maxFindingsPerCode) {
      earlier.last.count = (earlier.last.count ?? 1) + 1;
      return;
    }
    const finding: Finding = { code, severity, frame: at.ref, message };
    this.session.findings.push(finding);
    this.findingsByCode.set(code, { listed: (earlier?.listed ?? 0) + 1, last: finding });
    this.note(at, 'finding', 'analysis', message);
  }
}

/** What an announcement-refused finding adds when a later channel completed a transfer (src/diagnose/data-channels.ts). */
export const recoveredWords = '; the client got its transfer another way';

function emptyFolded(): FoldedChannels {
  return {
    count: 0,
    active: 0,
    passive: 0,
    byOutcome: { completed: 0, failed: 0, refused: 0, unused: 0, incomplete: 0 },
    bytes: 0,
    missingBytes: 0,
    timelineEntries: 0,
    firstConnection: null,
    lastCompletedIndex: 0,
    findings: [],
    successors: new Map(),
    firewall: emptyChannelFirewallFacts(),
  };
}

/** Final replies that say the data connection itself failed: the channel is used up (RFC 959 §4.2). */
const connectionFailureCodes = new Set([425, 426]);

/** Whether a channel's connection carried data or ended: then a transfer has used it. */
function dataFlowed(connection: Connection | null): boolean {
  if (connection === null) return false;
  if (connection.rst || connection.finOrig || connection.finResp) return true;
  return payloadBytes(connection, 'orig') > 0 || payloadBytes(connection, 'resp') > 0;
}

/** Anonymous FTP logins (RFC 1635): their "password" is an e-mail address by convention. */
export function isAnonymous(user: string | null): boolean {
  return user !== null && /^(anonymous|ftp)$/i.test(user.trim());
}

/** The size in a 150 reply, e.g. `150 Opening BINARY mode data connection for f (1048576 bytes).` */
export function parseAnnouncedSize(text: string): number | null {
  const match = /\((\d+) bytes?\)/i.exec(text);
  return match ? Number(match[1]) : null;
}
