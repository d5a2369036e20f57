/**
 * What the analysis produces, before it is rendered: FTP control sessions with their commands,
 * replies, data channels and findings. Times are microseconds since the epoch (UTC).
 */
import type { Connection } from './tcp/connections';
import type { Endpoint, FrameEvent, Finding } from './types';

/**
 * How a control line sat in its TCP segments: what a parser that reads one segment at a time
 * (Linux's FTP helper, many middleboxes) can see of it.
 */
export interface LineFraming {
  /** The line is the first in its segment (the segment starts right after an earlier line end). */
  startsSegment: boolean;
  /** The whole line, with its line end, is in one segment. */
  oneSegment: boolean;
  /** The line ended in LF without CR. */
  bareLf: boolean;
}

/** A command line sent by the client (orig) on a control connection. */
export interface FtpCommand {
  /** Upper-cased verb, e.g. `RETR`. */
  verb: string;
  /** The argument as sent (the password of PASS is already masked unless asked otherwise). */
  arg: string;
  at: FrameEvent;
  /** How the line sat in its segments (absent for commands not read from a stream). */
  framing?: LineFraming;
}

/** A complete (possibly multi-line) reply from the server (resp). */
export interface FtpReply {
  code: number;
  /** Text of the reply without the codes; lines joined with "\n". */
  text: string;
  multiline: boolean;
  /** Frame that carried the last line of the reply. */
  at: FrameEvent;
  /** Deviations from the RFC 959 reply shape that were tolerated. */
  quirks: string[];
  /** How the reply's last line sat in its segments (absent for replies not read from a stream). */
  framing?: LineFraming;
}

export type AnnouncementMethod = 'PORT' | 'EPRT' | 'PASV' | 'EPSV' | 'LPRT' | 'LPSV';
export type TransferCommand = 'RETR' | 'STOR' | 'STOU' | 'APPE' | 'LIST' | 'NLST' | 'MLSD';

/** A command that used a data channel, with its replies. */
export interface Transfer {
  command: FtpCommand;
  direction: 'download' | 'upload';
  /** The 1xx reply that started the transfer, if any. */
  preliminary: FtpReply | null;
  /** The final reply (2xx done, 4xx/5xx failed); null when the capture ends before it. */
  final: FtpReply | null;
  /** Size the server announced in its 150 reply ("(N bytes)"), if any. */
  announcedSize: number | null;
  /** Size the server gave for the same path in a 213 reply to SIZE before the transfer, if any. */
  sizeReply: number | null;
  /** Offset accepted with REST (350) just before this transfer: the transfer starts there. */
  restOffset: number;
  /** Representation type in force (TYPE A or I accepted), or null when the capture does not say. */
  type: string | null;
  /**
   * The data channel this command was refused on before any data connection (4xx/5xx with no 1xx,
   * RFC 959 §5.4): the channel was left for the next transfer command. Null otherwise.
   */
  leftChannel: number | null;
  /** The ABOR the client sent while the transfer was under way, if any. */
  abort: FtpCommand | null;
}

/**
 * One data-channel announcement (PORT/EPRT command, or PASV/EPSV answered by 227/229) and what
 * became of it: the TCP connection that answered it and the transfer that used it.
 */
export interface DataChannel {
  /** 1-based index within its session. */
  index: number;
  method: AnnouncementMethod;
  mode: 'active' | 'passive';
  /** The PORT/EPRT/PASV/EPSV command. */
  request: FtpCommand;
  /** The announcing line: the PORT/EPRT command, or the 227/229 reply (the request for a refused PASV/EPSV). */
  announcedAt: FrameEvent;
  /** Announced address and port; ip null for EPSV (the control server's address applies); null when refused. */
  announced: { ip: string | null; port: number } | null;
  /** The argument or reply text that carried the announcement. */
  announcementText: string;
  /** Tolerated deviations from the RFC shape of the announcement. */
  quirks: string[];
  /** Reply to the announcement: 200 to PORT/EPRT, 227/229 to PASV/EPSV, or the refusal. */
  reply: FtpReply | null;
  /** The host expected to open the data connection: the client (passive) or the server (active). */
  expectedFrom: string;
  /** Endpoints the data connection may be dialled to (announced, and for passive the control server). */
  expectedTo: Endpoint[];
  /** The TCP connection matched to this announcement. */
  connection: Connection | null;
  transfer: Transfer | null;
  /** True once a later announcement of the session (or the end of the session) stopped the matching. */
  closed: boolean;
}

/** A data channel's outcome in one word (README: data channel status). */
export type ChannelOutcome = 'completed' | 'failed' | 'refused' | 'unused' | 'incomplete';

/**
 * The data channels of a session past `maxDataChannelsPerSession`, once finished (answered or
 * given up, their data connection closed and its content filed), counted here instead of kept one
 * by one: a session of 200 000 announcements holds these numbers, not 200 000 channels. Their
 * findings were raised when they were folded.
 */
export interface FoldedChannels {
  count: number;
  active: number;
  passive: number;
  byOutcome: Record<ChannelOutcome, number>;
  /** Bytes their data connections carried (as channelBytes), and how many of them the capture lacks. */
  bytes: number;
  missingBytes: number;
  /** Timeline entries their data connections' packets would have made (counted in timelineDropped). */
  timelineEntries: number;
  /** The first packet of the earliest folded data connection, if any. */
  firstConnection: FrameEvent | null;
  /** The highest index of a folded channel whose transfer completed (0: none). */
  lastCompletedIndex: number;
  /** Findings of the folded channels (past maxFindingsPerCode of a code, counted on the last). */
  findings: Finding[];
  /**
   * What the findings of a listed channel need of the channel after it, when that one was folded
   * (by the listed channel's index).
   */
  successors: Map<number, ChannelSuccessor>;
  /** What the firewall plan needs of them (src/firewall/plan.ts foldChannelFacts). */
  firewall: ChannelFirewallFacts;
}

/**
 * Data channels as the firewall plan sees them: the ports and addresses they used (sets of at most
 * 65 536 ports; addresses up to the plan's cap, `addressesDropped` past it) and how many failed.
 */
export interface ChannelFirewallFacts {
  usedPassive: boolean;
  usedActive: boolean;
  passivePorts: Set<number>;
  foreign: Set<string>;
  activePorts: Set<number>;
  activeClients: Set<string>;
  activeSources: Set<number>;
  passiveFailures: number;
  activeFailures: number;
  addressesDropped: boolean;
}

/** What the findings of a channel look at in the channel announced after it. */
export type ChannelSuccessor = Pick<DataChannel, 'index' | 'method' | 'request'>;

/** A line of the session's timeline: something that happened, in plain words. */
export interface TimelineEntry {
  at: FrameEvent;
  kind:
    | 'greeting'
    | 'login'
    | 'command'
    | 'reply'
    | 'announcement'
    | 'data-syn'
    | 'data-syn-ack'
    | 'data-ack'
    | 'data-end'
    | 'data-unreachable'
    | 'transfer'
    | 'transfer-result'
    | 'gap'
    | 'finding'
    | 'tls'
    | 'quit';
  /** Who it comes from: a client command, a server reply, a data connection's packet, or the analysis. */
  source: 'client' | 'server' | 'data' | 'analysis';
  /** Data channel index this entry belongs to, if any. */
  channel?: number | undefined;
  /** Raw line as sent (commands) or reply text, already masked. */
  line?: string | undefined;
  /** Plain-words explanation. */
  text: string;
}

/**
 * An FTP control connection that never opened: the client's SYN was refused (RST from the
 * server's side) or never answered. Not a session: nothing was said on it.
 */
export interface UnopenedControlConnection {
  client: Endpoint;
  server: Endpoint;
  outcome: 'refused' | 'unanswered';
  /** The first SYN and the last retransmission of it. */
  syn: FrameEvent;
  lastSyn: FrameEvent;
  /** SYNs sent (1 + retransmissions). */
  synCount: number;
  /** The RST that refused it (refused only). */
  rst: FrameEvent | null;
}

/** One FTP control session: a control connection and everything decoded from it. */
export interface FtpSession {
  id: number;
  control: Connection;
  client: Endpoint;
  server: Endpoint;
  user: string | null;
  /** True once a 230 answered USER/PASS. */
  loggedIn: boolean;
  /** The server's 220 (or 120) greeting, when the capture holds it: it often names the server software. */
  greeting: FtpReply | null;
  /** Data channels in announcement order (those folded into `folded` left out). */
  dataChannels: DataChannel[];
  /** The finished data channels past maxDataChannelsPerSession, counted instead of listed. */
  folded: FoldedChannels;
  /** Transfer commands that had no data channel to use. */
  orphanTransfers: Transfer[];
  timeline: TimelineEntry[];
  /** Timeline entries not kept because the cap was reached. */
  timelineDropped: number;
  findings: Finding[];
  commands: number;
  replies: number;
  /** Bytes the capture lacks in the control stream (gaps). */
  gapBytes: number;
  /** Where the first of those gaps is. */
  firstGap: FrameEvent | null;
  /** AUTH TLS/SSL accepted: from then on the control channel is encrypted. */
  tls: FrameEvent | null;
  /** `EPSV ALL` accepted. */
  epsvAll: FrameEvent | null;
  /** Replies 530 to USER/PASS/ACCT: failed logins. */
  failedLogins: FtpReply[];
  /** The PASS command sent while the control connection was in cleartext, if any. */
  cleartextPassword: FtpCommand | null;
  /** The control connection was TLS from its first byte (implicit FTPS), not upgraded with AUTH. */
  implicitTls: boolean;
  /** TCP connections between the client and server after the switch to TLS, not on the control port. */
  tlsConnections: Connection[];
  /**
   * TCP connections between the client and server, not on the control port, that answer no
   * announcement seen, after bytes of the control connection went missing: probably data
   * connections whose announcements were in the missing bytes.
   */
  unannouncedConnections: Connection[];
  /** Such connections not kept because the list was full. */
  tlsConnectionsDropped: number;
  /** Unannounced connections not kept because the list was full. */
  unannouncedConnectionsDropped: number;
}
