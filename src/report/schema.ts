/**
 * The report contract: every object ftpcap writes for programs (`--format json`, the NDJSON lines,
 * `ftpcap firewall --format json`), as closed types. No index signatures: each field is named
 * here, including the `xInput` siblings of frame fields that multi-input reports carry. The JSON
 * Schemas in schema/ are generated from these types (`npm run schema`), and a test holds them
 * equal, so a field added here is a field added to the published schema.
 *
 * schemaVersion rule: fields may be added (and finding codes, enum values) within one
 * schemaVersion; none is renamed, removed or changes its type without a new schemaVersion.
 */
import type { CaptureFormat } from '../capture/types';
import type { UnreachableKind } from '../decode/icmp';
import type { FindingCode } from '../finding-codes';
import type { FirewallPlan, HelperPrediction, PortRange, RuleSet } from '../firewall/types';
import type { AnnouncementMethod, TimelineEntry } from '../model';
import type { HandshakeOutcome } from '../tcp/connections';
import type { StallCause } from '../tcp/performance';
import type { ControlState } from '../transfer/performance';
import type { Endpoint, ListingSummary, PayloadContent, Severity } from '../types';

/** The report's schemaVersion: see the rule above. */
export const SCHEMA_VERSION = 1;

/** The data channel's outcome in one word (see README: data channel status). */
export type ChannelStatus = 'completed' | 'failed' | 'refused' | 'unused' | 'incomplete';

/**
 * Frame numbers are 1-based and per input file. With several inputs, each frame field `xFrame`
 * has a sibling `xInput` (and `frame` a sibling `input`): the 1-based index of the file in
 * `inputs`. They are absent with one input, and when the frame field is null.
 *
 * @asType integer
 * @minimum 1
 */
type InputIndex = number;

/** Which program wrote the report. */
export interface ReportTool {
  name: 'ftpcap';
  version: string;
}

export interface ReportFinding {
  code: FindingCode;
  severity: Severity;
  frame: number | null;
  input?: InputIndex;
  message: string;
  fix?: string;
  /** Occurrences this finding stands for, when repeats were counted instead of listed (absent: 1). */
  count?: number;
}

/** An ICMP/ICMPv6 destination unreachable that answered a connection's SYN. */
export interface ReportUnreachable {
  /** The address that sent the ICMP message. */
  from: string;
  kind: UnreachableKind;
  icmpType: number;
  icmpCode: number;
  frame: number;
  input?: InputIndex;
}

/** The TCP connection that answered a data channel's announcement. */
export interface ReportConnection {
  from: Endpoint;
  to: Endpoint;
  synFrame: number | null;
  synTime: string | null;
  /** SYNs sent (1 plus retransmissions). */
  synCount: number;
  synAckFrame: number | null;
  ackFrame: number | null;
  established: boolean;
  /** How the three-way handshake went (see README: handshake outcomes). */
  handshake: HandshakeOutcome;
  end: 'fin' | 'rst' | 'open';
  endFrame: number | null;
  /** Which side sent the first FIN or RST: 'client' or 'server' of the session; null while open. */
  closedBy: 'client' | 'server' | null;
  /** Payload bytes in the transfer direction (both directions when no transfer used it). */
  bytes: number;
  bytesFromOrig: number;
  bytesFromResp: number;
  /** Of `bytes`, how many are in no captured segment (the count comes from sequence numbers). */
  missingBytes: number;
  /** Microseconds from the announcement to the SYN. */
  delayMicros: number | null;
  /** Which announced endpoint was dialled: the announced address, or the control server's address. */
  dialled: 'announced' | 'control-address' | 'other';
  /** Present when an ICMP/ICMPv6 destination unreachable answered the connection's SYN. */
  unreachable?: ReportUnreachable;
  /** How the transfer went (README: transfer performance); null when the connection was not measured. */
  performance: ReportPerformance | null;
  synInput?: InputIndex;
  synAckInput?: InputIndex;
  ackInput?: InputIndex;
  endInput?: InputIndex;
}

/** The command that asked for a data channel (PORT/EPRT/LPRT/PASV/EPSV/LPSV). */
export interface ReportChannelRequest {
  command: string;
  frame: number;
  input?: InputIndex;
}

/** The reply to a data channel's announcement (200, 227, 229, or the refusal). */
export interface ReportChannelReply {
  code: number;
  frame: number;
  text: string;
  input?: InputIndex;
}

/** The transfer command that used a data channel, and its final reply. */
export interface ReportTransfer {
  command: string;
  arg: string;
  frame: number;
  direction: 'download' | 'upload';
  replyCode: number | null;
  replyFrame: number | null;
  replyText: string | null;
  /** From "150 ... (N bytes)", or null. */
  announcedSize: number | null;
  input?: InputIndex;
  replyInput?: InputIndex;
}

/** One data channel: an announcement and what became of it. */
export interface ReportChannel {
  /** 1-based within the session. */
  index: number;
  method: AnnouncementMethod;
  mode: 'active' | 'passive';
  /** The announcing line: the PORT/EPRT command or the 227/228/229 reply. */
  frame: number;
  time: string;
  /** ip null for EPSV (the control server's address applies); null when refused. */
  announced: { ip: string | null; port: number } | null;
  /** The argument or reply text that carried the announcement. */
  text: string;
  /** Tolerated deviations from the RFC shape. */
  quirks: string[];
  request: ReportChannelRequest;
  reply: ReportChannelReply | null;
  expected: { from: string; to: Endpoint[] };
  /** null when no SYN answered the announcement. */
  connection: ReportConnection | null;
  /** null when no transfer command used the channel. */
  transfer: ReportTransfer | null;
  status: ChannelStatus;
  /** What the data connection carried (README: files and listings); null without a data connection or bytes. */
  content: ReportContent | null;
  input?: InputIndex;
}

/**
 * What a data connection carried in the transfer's direction (both directions are looked at when
 * no transfer used it: the one with more bytes), from its payload in sequence order.
 */
export interface ReportContent {
  /** Which side sent these bytes: the session's client or server. */
  sender: 'client' | 'server';
  /** Bytes from the first to the last (captured plus missing). */
  size: number;
  capturedBytes: number;
  /** The capture holds every byte: start seen (SYN), end seen (FIN or RST), no missing range. */
  complete: boolean;
  /** Missing byte ranges [start, end) from the first byte, zero-filled in the hashes and in extracted files. */
  missing: Array<{ start: number; end: number }>;
  missingBytes: number;
  missingRangesDropped: number;
  /** No SYN captured: bytes before the first captured one may be missing. */
  startUnknown: boolean;
  /** No FIN or RST captured from the sender: the capture may end before the stream did. */
  endSeen: boolean;
  sha256: string | null;
  md5: string | null;
  sha1: string | null;
  /** Content type from the first bytes (magic numbers), `text/plain` for plain text, null when unknown. */
  type: PayloadContent['type'];
  /** The REST offset the transfer started at (the bytes are the file from there on); null without REST. */
  restOffset: number | null;
  /** The transfer was in ASCII mode (TYPE A): line ends on the wire are CRLF, not necessarily the file's on disk. */
  asciiMode: boolean;
  /** For LIST, NLST and MLSD: the entries. */
  listing: ListingSummary | null;
  firstFrame: number | null;
  lastFrame: number | null;
  firstInput?: InputIndex;
  lastInput?: InputIndex;
}

/** How a data connection's transfer went (README: transfer performance). Times in microseconds. */
export interface ReportPerformance {
  /** Which side sent the transfer's bytes: the session's client or server. */
  sender: 'client' | 'server';
  /** SYN (or first packet) to the RST or second FIN (or the last packet while open). */
  durationMicros: number;
  closed: boolean;
  /** SYN → SYN-ACK → ACK as seen at the capture point. */
  handshakeRttMicros: number | null;
  /** From the first to the last segment with new data. */
  dataMicros: number | null;
  /** Payload bytes per second over dataMicros. */
  throughput: number | null;
  retransmittedBytes: number;
  retransmittedSegments: number;
  retransmittedPercent: number;
  firstRetransmissionFrame: number | null;
  firstRetransmissionInput?: InputIndex;
  zeroWindow: ReportZeroWindow;
  longestStall: ReportStall | null;
  control: ReportControlDuringTransfer;
}

/** The receiver's zero-window episodes on a data connection. */
export interface ReportZeroWindow {
  episodes: number;
  totalMicros: number;
  longestMicros: number;
  frame: number | null;
  input?: InputIndex;
}

/** The longest stretch without new data from the sender. */
export interface ReportStall {
  micros: number;
  /** What it waited on (README: stall causes). */
  cause: StallCause;
  /** The side that sent no new data. */
  side: 'client' | 'server';
  fromFrame: number | null;
  toFrame: number | null;
  fromInput?: InputIndex;
  toInput?: InputIndex;
}

/** The control connection's state while the data flowed. */
export interface ReportControlDuringTransfer {
  state: ControlState;
  idleMicros: number;
  sinceFrame: number | null;
  endFrame: number | null;
  sinceInput?: InputIndex;
  endInput?: InputIndex;
}

export interface ReportTimelineEntry {
  time: string;
  frame: number;
  kind: TimelineEntry['kind'];
  source: TimelineEntry['source'];
  channel?: number;
  line?: string;
  text: string;
  input?: InputIndex;
}

/** The control connection's own TCP packets: its handshake and how it ended (times ISO 8601 like `start`). */
export interface ReportControl {
  handshake: HandshakeOutcome;
  synFrame: number | null;
  synTime: string | null;
  synAckFrame: number | null;
  synAckTime: string | null;
  ackFrame: number | null;
  ackTime: string | null;
  end: 'fin' | 'rst' | 'open';
  endFrame: number | null;
  endTime: string | null;
  /** Which side sent the first FIN or RST; null while open. */
  closedBy: 'client' | 'server' | null;
  synInput?: InputIndex;
  synAckInput?: InputIndex;
  ackInput?: InputIndex;
  endInput?: InputIndex;
}

/** A transfer command that no data channel of the session carried. */
export interface ReportOrphanTransfer {
  command: string;
  arg: string;
  frame: number;
  replyCode: number | null;
  input?: InputIndex;
}

/** A connection between a session's hosts that answers no announcement the capture shows. */
export interface HiddenConnection {
  from: Endpoint;
  to: Endpoint;
  synFrame: number | null;
  synAckFrame: number | null;
  handshake: HandshakeOutcome;
  bytesFromOrig: number;
  bytesFromResp: number;
  synInput?: InputIndex;
  synAckInput?: InputIndex;
}

/** Data channels of a session counted instead of listed (maxDataChannelsPerSession). */
export interface ReportUnlistedChannels {
  count: number;
  active: number;
  passive: number;
  byStatus: Record<ChannelStatus, number>;
  /** Bytes their data connections carried in the transfers' direction (both ways when unused). */
  bytes: number;
  /** Of those bytes, how many the capture lacks. */
  missingBytes: number;
}

export interface ReportSession {
  id: number;
  client: Endpoint;
  server: Endpoint;
  start: string;
  end: string;
  startFrame: number;
  user: string | null;
  loggedIn: boolean;
  /** The control connection began before the capture. */
  midstream: boolean;
  tls: boolean;
  control: ReportControl;
  commands: number;
  replies: number;
  dataChannels: ReportChannel[];
  /**
   * The session's finished data channels past the analyzer's maxDataChannelsPerSession: counted
   * here, not listed in dataChannels (absent when every channel is listed). Their findings are in
   * `findings`; the summary counts them.
   */
  unlistedDataChannels?: ReportUnlistedChannels;
  transfersWithoutChannel: ReportOrphanTransfer[];
  /** After the switch to TLS: later TCP connections between the same hosts, probably its data connections. */
  encryptedDataConnections: HiddenConnection[];
  /** After bytes of the control connection went missing: connections that answer no announcement seen. */
  unannouncedDataConnections: HiddenConnection[];
  findings: ReportFinding[];
  /** Whether Linux's FTP helper, bound to the control port, would have followed the session (src/firewall/helper.ts). */
  helper: HelperPrediction;
  timeline: ReportTimelineEntry[];
  timelineDropped: number;
  startInput?: InputIndex;
}

/** A problem reading an input; each is also an `input-problem` finding of this severity. */
export interface ReportInputProblem {
  message: string;
  /** Byte offset in the file, when known. */
  offset: number | null;
  /** The packet it concerns (in this input), when known. */
  frame: number | null;
  severity: 'warning' | 'error';
}

/** A pcapng interface: its link type, snap length and timestamp resolution. */
export interface ReportInterface {
  linkType: number;
  linkTypeName: string;
  snapLength: number;
  tsresol: string;
}

export interface ReportInput {
  file: string;
  format: CaptureFormat;
  /** 'gzip' when the file was compressed, else null. */
  compressed: 'gzip' | null;
  linkType: string;
  linkTypeNumber: number;
  packets: number;
  bytes: number;
  truncatedPackets: number;
  /** What went wrong reading the input; each is also an `input-problem` finding of this severity. */
  problems: ReportInputProblem[];
  /** pcapng only: each interface's link type, snap length and timestamp resolution. */
  interfaces?: ReportInterface[];
}

/** An FTP control connection that never opened. */
export interface ReportUnopened {
  client: Endpoint;
  server: Endpoint;
  outcome: 'refused' | 'unanswered';
  synFrame: number;
  synTime: string;
  /** SYNs sent: 1 + retransmissions. */
  synCount: number;
  /** From the first SYN to the last retransmission, in microseconds. */
  retryMicros: number;
  /** The RST that refused it; null when unanswered. */
  rstFrame: number | null;
  synInput?: InputIndex;
  rstInput?: InputIndex;
}

export interface ReportSummary {
  sessions: number;
  dataChannels: number;
  byStatus: Record<ChannelStatus, number>;
  findings: Record<Severity, number>;
  frames: number;
  tcpSegments: number;
  /** Connections on FTP control ports found to carry another protocol (POP3, SMTP, ...): left out. */
  otherProtocolConnections: number;
  /**
   * Frames that could not be decoded, by reason (malformed headers, unsupported link types and
   * encapsulations): a map from the reason's words to a count, not a set of fields.
   */
  undecodedFrames: Record<string, number>;
  /** Frames that were exact copies of a frame close in time: analyzed once (finding duplicate-frames). */
  duplicateFrames: number;
  /** FTP control connections that never opened (see unopenedControlConnections). */
  unopenedControlConnections: number;
}

/** A server as schemaVersion 1 first described it (`firewall.servers`). */
export interface LegacyServer {
  ip: string;
  family: 'ipv4' | 'ipv6';
  controlPort: number;
  clients: string[];
  /** Number of sessions with this server. */
  sessions: number;
  passivePorts: PortRange | null;
  passivePortsSeen: number[];
  passiveFailures: number;
  active: { sourcePorts: number[]; clients: string[]; clientPorts: PortRange; failures: number } | null;
  foreignPassiveAddresses: string[];
  tls: boolean;
}

/** schemaVersion 1's `firewall.rules`: the server side's sets in nftables and iptables. */
export interface LegacyRules {
  nftables: string;
  iptables: string;
  nftablesStateless: string;
  iptablesStateless: string;
}

/** The report's firewall section (see src/report/firewall.ts). */
export interface ReportFirewall {
  servers: LegacyServer[];
  notes: string[];
  rules: LegacyRules;
  plan: FirewallPlan;
  sets: RuleSet[];
}

/** The JSON report (`ftpcap analyze --format json`). */
export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: ReportTool;
  inputs: ReportInput[];
  summary: ReportSummary;
  sessions: ReportSession[];
  /** FTP control connections refused (RST) or never answered: attempts, not sessions. */
  unopenedControlConnections: ReportUnopened[];
  /** Capture-level findings: those of no one session. */
  findings: ReportFinding[];
  firewall: ReportFirewall;
}

/** `ftpcap firewall --format json`: the report's firewall plan and rule sets on their own. */
export interface FirewallDocument {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: ReportTool;
  plan: FirewallPlan;
  sets: RuleSet[];
}

/** An NDJSON session line: the JSON report's session object with `type`. */
export interface NdjsonSessionLine extends ReportSession {
  type: 'session';
}

/** The NDJSON closing line: the report's summary fields, its inputs and the capture-level findings. */
export interface NdjsonSummaryLine extends ReportSummary {
  type: 'summary';
  schemaVersion: typeof SCHEMA_VERSION;
  tool: ReportTool;
  inputs: ReportInput[];
  captureFindings: ReportFinding[];
}

/** One line of `--format ndjson`. */
export type NdjsonLine = NdjsonSessionLine | NdjsonSummaryLine;
