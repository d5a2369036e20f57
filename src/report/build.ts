/**
 * Builds the report: the JSON contract (schemaVersion 1, documented in README.md) that every
 * renderer works from. Pure: analysis result in, plain data out.
 */
import type { AnalysisResult } from '../analyzer';
import { MAX_TIME_MICROS, MIN_TIME_MICROS, type InputSummary } from '../capture/types';
import { channelBytes, type DataChannel, type FtpSession, type TimelineEntry } from '../model';
import { connectionEnd, firstClose, handshakeOutcome, isEstablished, payloadBytes, type Connection, type HandshakeOutcome } from '../tcp/connections';
import type { Endpoint, Finding, FrameEvent, FrameRef } from '../types';
import { formatBytes, formatDelay, formatEndpoint } from '../text';
import { predictHelper } from '../firewall/helper';
import { defaultFirewallOptions } from '../firewall/plan';
import type { RenderRequest } from '../firewall/render';
import type { FirewallOptions, HelperPrediction } from '../firewall/types';
import { buildFirewall, defaultRenderRequest, type ReportFirewall } from './firewall';
import type { UnreachableKind } from '../decode/icmp';
import { describeUnreachable } from '../diagnose/data-channels';

export const SCHEMA_VERSION = 1;

export type ChannelStatus = 'completed' | 'failed' | 'refused' | 'unused' | 'incomplete';

export interface ReportFinding {
  code: string;
  severity: Finding['severity'];
  frame: number | null;
  input?: number;
  message: string;
  fix?: string;
  /** Occurrences this finding stands for, when repeats were counted instead of listed (absent: 1). */
  count?: number;
}

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
  unreachable?: { from: string; kind: UnreachableKind; icmpType: number; icmpCode: number; frame: number; input?: number };
  [inputField: string]: unknown;
}

export interface ReportChannel {
  index: number;
  method: DataChannel['method'];
  mode: DataChannel['mode'];
  frame: number;
  time: string;
  announced: { ip: string | null; port: number } | null;
  text: string;
  quirks: string[];
  request: { command: string; frame: number };
  reply: { code: number; frame: number; text: string } | null;
  expected: { from: string; to: Endpoint[] };
  connection: ReportConnection | null;
  transfer: {
    command: string;
    arg: string;
    frame: number;
    direction: 'download' | 'upload';
    replyCode: number | null;
    replyFrame: number | null;
    replyText: string | null;
    announcedSize: number | null;
  } | null;
  status: ChannelStatus;
  [inputField: string]: unknown;
}

export interface ReportTimelineEntry {
  time: string;
  frame: number;
  kind: TimelineEntry['kind'];
  source: TimelineEntry['source'];
  channel?: number;
  line?: string;
  text: string;
  [inputField: string]: unknown;
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
  [inputField: string]: unknown;
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
  transfersWithoutChannel: Array<{ command: string; arg: string; frame: number; replyCode: number | null }>;
  /** After the switch to TLS: later TCP connections between the same hosts, probably its data connections. */
  encryptedDataConnections: HiddenConnection[];
  /** After bytes of the control connection went missing: connections that answer no announcement seen. */
  unannouncedDataConnections: HiddenConnection[];
  findings: ReportFinding[];
  /** Whether Linux's FTP helper, bound to the control port, would have followed the session (src/firewall/helper.ts). */
  helper: HelperPrediction;
  timeline: ReportTimelineEntry[];
  timelineDropped: number;
  [inputField: string]: unknown;
}

export interface ReportInput {
  file: string;
  format: string;
  /** 'gzip' when the file was compressed, else null. */
  compressed: string | null;
  linkType: string;
  linkTypeNumber: number;
  packets: number;
  bytes: number;
  truncatedPackets: number;
  /** What went wrong reading the input; each is also an `input-problem` finding of this severity. */
  problems: Array<{ message: string; offset: number | null; frame: number | null; severity: 'warning' | 'error' }>;
  /** pcapng only: each interface's link type, snap length and timestamp resolution. */
  interfaces?: Array<{ linkType: number; linkTypeName: string; snapLength: number; tsresol: string }>;
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
  [inputField: string]: unknown;
}

export interface Report {
  schemaVersion: number;
  tool: { name: 'ftpcap'; version: string };
  inputs: ReportInput[];
  summary: {
    sessions: number;
    dataChannels: number;
    byStatus: Record<ChannelStatus, number>;
    findings: Record<Finding['severity'], number>;
    frames: number;
    tcpSegments: number;
    /** Connections on FTP control ports found to carry another protocol (POP3, SMTP, ...): left out. */
    otherProtocolConnections: number;
    /** Frames that could not be decoded, by reason (malformed headers, unsupported link types and encapsulations). */
    undecodedFrames: Record<string, number>;
    /** Frames that were exact copies of a frame close in time: analyzed once (finding duplicate-frames). */
    duplicateFrames: number;
    /** FTP control connections that never opened (see unopenedControlConnections). */
    unopenedControlConnections: number;
  };
  sessions: ReportSession[];
  /** FTP control connections refused (RST) or never answered: attempts, not sessions. */
  unopenedControlConnections: ReportUnopened[];
  findings: ReportFinding[];
  firewall: ReportFirewall;
}

/**
 * Time as ISO 8601 UTC with microseconds, e.g. `2026-11-21T10:15:40.123456Z`. The readers keep
 * every frame's time within MIN_TIME_MICROS..MAX_TIME_MICROS (an input problem otherwise); a time
 * outside is shown as the nearest one inside rather than ending the report.
 */
export function formatTime(time: number): string {
  const timeMicros = Number.isNaN(time) ? 0 : Math.min(MAX_TIME_MICROS, Math.max(MIN_TIME_MICROS, time));
  const millis = Math.floor(timeMicros / 1000);
  const micros = Math.round(timeMicros - millis * 1000);
  const iso = new Date(millis).toISOString();
  return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

/**
 * Frame numbers are per input file. With several inputs, each `xFrame` field gets an `xInput`
 * sibling (and `frame` an `input` sibling): the 1-based index of the file in `inputs`.
 */
class FrameFields {
  constructor(private readonly multipleInputs: boolean) {}

  add(target: Record<string, unknown>, field: string, ref: FrameRef | null): void {
    target[field] = ref ? ref.frame : null;
    if (this.multipleInputs && ref) target[field === 'frame' ? 'input' : field.replace(/Frame$/, 'Input')] = ref.input + 1;
  }
}

/** What the firewall section holds: the plan's options and the rule sets to render. */
export interface FirewallRequest {
  options: FirewallOptions;
  sets: RenderRequest;
}

export function buildReport(
  result: AnalysisResult,
  inputs: InputSummary[],
  version: string,
  firewall: FirewallRequest = { options: defaultFirewallOptions, sets: defaultRenderRequest },
): Report {
  const frames = new FrameFields(inputs.length > 1);
  const maxDataConnections = result.limits?.maxTimelineDataConnections ?? Infinity;
  const sessions = result.sessions.map((s) => buildSession(s, frames, maxDataConnections));
  const totals = new SessionTotals();
  for (const session of sessions) totals.add(session);
  return buildReportHead(result, inputs, version, totals, buildFirewall(result.sessions, firewall.options, firewall.sets), sessions);
}

/**
 * What the report's summary counts of its sessions, added up one session at a time: the report
 * of a capture whose sessions are written as they are read (never all in memory) has the same
 * summary as one built at once.
 */
export class SessionTotals {
  sessions = 0;
  dataChannels = 0;
  readonly byStatus: Record<ChannelStatus, number> = { completed: 0, failed: 0, refused: 0, unused: 0, incomplete: 0 };
  readonly severities: Record<Finding['severity'], number> = { info: 0, warning: 0, error: 0 };

  add(session: ReportSession): void {
    this.sessions++;
    this.dataChannels += session.dataChannels.length;
    for (const channel of session.dataChannels) this.byStatus[channel.status]++;
    for (const finding of session.findings) this.severities[finding.severity]++;
  }
}

/**
 * The report around its sessions: inputs, summary (from `totals`), control connections that never
 * opened, capture-level findings and the firewall section. `sessions` are the report's sessions
 * when they are all at hand; a report written session by session leaves them out here (see
 * renderJsonChunks).
 */
export function buildReportHead(
  result: AnalysisResult,
  inputs: InputSummary[],
  version: string,
  totals: SessionTotals,
  firewall: ReportFirewall,
  sessions: ReportSession[] = [],
): Report {
  const frames = new FrameFields(inputs.length > 1);
  const severities = { ...totals.severities };
  const findings = [...inputFindings(inputs), ...result.findings].map((f) => buildFinding(f, frames));
  for (const finding of findings) severities[finding.severity]++;
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'ftpcap', version },
    inputs: inputs.map((i) => ({
      file: i.file,
      format: i.format,
      compressed: i.compressed,
      linkType: i.linkTypeName,
      linkTypeNumber: i.linkType,
      packets: i.packets,
      bytes: i.bytes,
      truncatedPackets: i.truncatedPackets,
      problems: i.problems.map((problem, n) => ({ ...problem, severity: problemSeverity(i, n) })),
      ...(i.interfaces ? { interfaces: i.interfaces } : {}),
    })),
    summary: {
      sessions: totals.sessions,
      dataChannels: totals.dataChannels,
      byStatus: { ...totals.byStatus },
      findings: severities,
      frames: result.stats.frames,
      tcpSegments: result.stats.tcpSegments,
      otherProtocolConnections: result.stats.otherProtocolConnections,
      undecodedFrames: result.stats.undecodedFrames,
      duplicateFrames: result.stats.duplicateFrames,
      unopenedControlConnections: result.unopened.length,
    },
    sessions,
    unopenedControlConnections: result.unopened.map((u) => {
      const out: ReportUnopened = {
        client: u.client,
        server: u.server,
        outcome: u.outcome,
        synFrame: u.syn.ref.frame,
        synTime: formatTime(u.syn.timeMicros),
        synCount: u.synCount,
        retryMicros: u.lastSyn.timeMicros - u.syn.timeMicros,
        rstFrame: null,
      };
      frames.add(out, 'synFrame', u.syn.ref);
      frames.add(out, 'rstFrame', u.rst?.ref ?? null);
      return out;
    }),
    findings,
    firewall,
  };
}

/** The problem that stopped reading a file is an error; the others are warnings. */
function problemSeverity(input: InputSummary, index: number): 'warning' | 'error' {
  return input.fatal && index === input.problems.length - 1 ? 'error' : 'warning';
}

/**
 * Each input problem as a capture-level finding, so that the counts, the findings list and
 * `--fail-on` agree: an error for the problem that stopped reading a file, a warning for the
 * others (the packets around them were analyzed).
 */
function inputFindings(inputs: InputSummary[]): Finding[] {
  return inputs.flatMap((input) =>
    input.problems.map((problem, i): Finding => {
      const severity = problemSeverity(input, i);
      const where = problem.offset !== null && !/\bbyte \d/.test(problem.message) ? ` (byte ${problem.offset})` : '';
      return {
        code: 'input-problem',
        severity,
        frame: problem.frame !== null ? { input: input.input, frame: problem.frame } : null,
        message: `${input.file}: ${problem.message}${where}`,
      };
    }),
  );
}

/** One session of the report, on its own (NDJSON written as sessions end). */
export function buildSessionReport(session: FtpSession, multipleInputs: boolean, maxDataConnections = Infinity): ReportSession {
  return buildSession(session, new FrameFields(multipleInputs), maxDataConnections);
}

function buildSession(session: FtpSession, frames: FrameFields, maxDataConnections: number): ReportSession {
  const control = session.control;
  const out: ReportSession = {
    id: session.id,
    client: session.client,
    server: session.server,
    start: formatTime(control.first.timeMicros),
    end: formatTime(control.last.timeMicros),
    startFrame: control.first.ref.frame,
    user: session.user,
    loggedIn: session.loggedIn,
    midstream: control.midstream,
    tls: session.tls !== null,
    control: buildControl(control, frames),
    commands: session.commands,
    replies: session.replies,
    dataChannels: session.dataChannels.map((c) => buildChannel(session, c, frames)),
    transfersWithoutChannel: session.orphanTransfers.map((t) => {
      const entry: ReportSession['transfersWithoutChannel'][number] = {
        command: t.command.verb,
        arg: t.command.arg,
        frame: t.command.at.ref.frame,
        replyCode: t.final?.code ?? null,
      };
      frames.add(entry as unknown as Record<string, unknown>, 'frame', t.command.at.ref);
      return entry;
    }),
    encryptedDataConnections: session.tlsConnections.map((c) => buildHidden(c, frames)),
    unannouncedDataConnections: session.unannouncedConnections.map((c) => buildHidden(c, frames)),
    findings: session.findings.map((f) => buildFinding(f, frames)),
    helper: predictHelper(session),
    timeline: [],
    timelineDropped: session.timelineDropped,
  };
  const timeline = buildTimeline(session, frames, maxDataConnections);
  out.timeline = timeline.entries;
  out.timelineDropped += timeline.dropped;
  frames.add(out, 'startFrame', control.first.ref);
  return out;
}

function buildControl(c: Connection, frames: FrameFields): ReportControl {
  const end = connectionEnd(c);
  const closing = firstClose(c);
  const endEvent = end === 'rst' ? c.rst : end === 'fin' ? earliest(c.finOrig, c.finResp) : null;
  const time = (e: FrameEvent | null) => (e ? formatTime(e.timeMicros) : null);
  const out: ReportControl = {
    handshake: handshakeOutcome(c),
    synFrame: null,
    synTime: time(c.syn),
    synAckFrame: null,
    synAckTime: time(c.synAck),
    ackFrame: null,
    ackTime: time(c.handshakeAck),
    end,
    endFrame: null,
    endTime: time(endEvent),
    // The control connection's orig is the client.
    closedBy: closing === null ? null : closing.from === 'orig' ? 'client' : 'server',
  };
  frames.add(out, 'synFrame', c.syn?.ref ?? null);
  frames.add(out, 'synAckFrame', c.synAck?.ref ?? null);
  frames.add(out, 'ackFrame', c.handshakeAck?.ref ?? null);
  frames.add(out, 'endFrame', endEvent?.ref ?? null);
  return out;
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
  [inputField: string]: unknown;
}

function buildHidden(c: Connection, frames: FrameFields): HiddenConnection {
  const entry: HiddenConnection = {
    from: c.orig,
    to: c.resp,
    synFrame: null,
    synAckFrame: null,
    handshake: handshakeOutcome(c),
    bytesFromOrig: payloadBytes(c, 'orig'),
    bytesFromResp: payloadBytes(c, 'resp'),
  };
  frames.add(entry, 'synFrame', c.syn?.ref ?? null);
  frames.add(entry, 'synAckFrame', c.synAck?.ref ?? null);
  return entry;
}

function buildFinding(finding: Finding, frames: FrameFields): ReportFinding {
  const count = finding.count ?? 1;
  const more = count > 1 ? ` (and ${count - 1} more like it)` : '';
  const out: ReportFinding = { code: finding.code, severity: finding.severity, frame: null, message: `${finding.message}${more}` };
  frames.add(out as unknown as Record<string, unknown>, 'frame', finding.frame);
  if (finding.fix) out.fix = finding.fix;
  if (count > 1) out.count = count;
  return out;
}

/** The channel's outcome in one word (see README: data channel status). */
export function channelStatus(channel: DataChannel): ChannelStatus {
  if (channel.reply && channel.reply.code >= 400) return 'refused';
  const transfer = channel.transfer;
  if (transfer) {
    if (transfer.final === null) return 'incomplete';
    return transfer.final.code < 300 ? 'completed' : 'failed';
  }
  if (channel.connection && !isEstablished(channel.connection)) return 'failed';
  if (channel.reply === null) return 'incomplete';
  return 'unused';
}

function buildChannel(session: FtpSession, channel: DataChannel, frames: FrameFields): ReportChannel {
  const transfer = channel.transfer;
  const out: ReportChannel = {
    index: channel.index,
    method: channel.method,
    mode: channel.mode,
    frame: channel.announcedAt.ref.frame,
    time: formatTime(channel.announcedAt.timeMicros),
    announced: channel.announced,
    text: channel.announcementText,
    quirks: channel.quirks,
    request: { command: channel.request.verb, frame: channel.request.at.ref.frame },
    reply: channel.reply ? { code: channel.reply.code, frame: channel.reply.at.ref.frame, text: channel.reply.text } : null,
    expected: { from: channel.expectedFrom, to: channel.expectedTo },
    connection: channel.connection ? buildConnection(session, channel, channel.connection, frames) : null,
    transfer: transfer
      ? {
          command: transfer.command.verb,
          arg: transfer.command.arg,
          frame: transfer.command.at.ref.frame,
          direction: transfer.direction,
          replyCode: transfer.final?.code ?? null,
          replyFrame: transfer.final?.at.ref.frame ?? null,
          replyText: transfer.final?.text ?? null,
          announcedSize: transfer.announcedSize,
        }
      : null,
    status: channelStatus(channel),
  };
  frames.add(out, 'frame', channel.announcedAt.ref);
  frames.add(out.request, 'frame', channel.request.at.ref);
  if (out.reply && channel.reply) frames.add(out.reply, 'frame', channel.reply.at.ref);
  if (out.transfer && transfer) {
    frames.add(out.transfer, 'frame', transfer.command.at.ref);
    frames.add(out.transfer, 'replyFrame', transfer.final?.at.ref ?? null);
  }
  return out;
}

function buildConnection(session: FtpSession, channel: DataChannel, connection: Connection, frames: FrameFields): ReportConnection {
  const fromOrig = payloadBytes(connection, 'orig');
  const fromResp = payloadBytes(connection, 'resp');
  const { bytes, missing } = channelBytes(channel);
  const end = connectionEnd(connection);
  const closing = firstClose(connection);
  const closer = closing === null ? null : closing.from === 'orig' ? connection.orig.ip : connection.resp.ip;
  const endEvent = end === 'rst' ? connection.rst : end === 'fin' ? earliest(connection.finOrig, connection.finResp) : null;
  // Active: the server dials the announced endpoint by definition. Passive: the announced address
  // (the control server's for EPSV, which names none), else the control server's, else another.
  const announcedIp = channel.announced?.ip ?? session.server.ip;
  const dialled =
    channel.mode === 'active' || connection.resp.ip === announcedIp
      ? 'announced'
      : connection.resp.ip === session.server.ip
        ? 'control-address'
        : 'other';
  const out: ReportConnection = {
    from: connection.orig,
    to: connection.resp,
    synFrame: null,
    synTime: connection.syn ? formatTime(connection.syn.timeMicros) : null,
    synCount: connection.synCount,
    synAckFrame: null,
    ackFrame: null,
    established: isEstablished(connection),
    handshake: handshakeOutcome(connection),
    end,
    endFrame: null,
    closedBy: closer === null ? null : closer === session.server.ip ? 'server' : 'client',
    bytes,
    bytesFromOrig: fromOrig,
    bytesFromResp: fromResp,
    missingBytes: missing,
    delayMicros: connection.syn ? connection.syn.timeMicros - channel.announcedAt.timeMicros : null,
    dialled,
  };
  frames.add(out, 'synFrame', connection.syn?.ref ?? null);
  frames.add(out, 'synAckFrame', connection.synAck?.ref ?? null);
  frames.add(out, 'ackFrame', connection.handshakeAck?.ref ?? null);
  frames.add(out, 'endFrame', endEvent?.ref ?? null);
  const icmp = connection.unreachable;
  if (icmp && icmp.direction === 'orig') {
    out.unreachable = { from: icmp.from, kind: icmp.kind, icmpType: icmp.icmpType, icmpCode: icmp.icmpCode, frame: icmp.ref.frame };
    frames.add(out.unreachable, 'frame', icmp.ref);
  }
  return out;
}

function earliest(a: FrameEvent | null, b: FrameEvent | null): FrameEvent | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.timeMicros < a.timeMicros ? b : a;
}

/**
 * The session's control events merged with its data connections' packets, in time order. The
 * packets of the first `maxDataConnections` data connections are shown; those of later ones are
 * counted (`dropped`) and one entry says so.
 */
function buildTimeline(session: FtpSession, frames: FrameFields, maxDataConnections: number): { entries: ReportTimelineEntry[]; dropped: number } {
  const entries: TimelineEntry[] = [...session.timeline];
  let shown = 0;
  let dropped = 0;
  let firstHidden: FrameEvent | null = null;
  for (const channel of session.dataChannels) {
    const c = channel.connection;
    if (!c) continue;
    if (shown >= maxDataConnections) {
      firstHidden ??= c.syn ?? c.first;
      dropped += 1 + (c.synAck ? 1 : 0) + (c.unreachable ? 1 : 0) + (c.handshakeAck ? 1 : 0) + (connectionEnd(c) === 'open' ? 0 : 1);
      continue;
    }
    shown++;
    const index = channel.index;
    const who = `${c.orig.ip === session.server.ip ? 'server' : c.orig.ip === session.client.ip ? 'client' : c.orig.ip}`;
    const after = (e: FrameEvent) => relativeToAnnouncement(e.timeMicros - channel.announcedAt.timeMicros);
    if (c.syn) {
      const retries = c.synCount > 1 ? ` (sent ${c.synCount} times)` : '';
      entries.push({ at: c.syn, kind: 'data-syn', source: 'data', channel: index, text: `${who} opens the data connection ${formatEndpoint(c.orig)} → ${formatEndpoint(c.resp)}: SYN, ${after(c.syn)}${retries}` });
    } else {
      entries.push({ at: c.first, kind: 'data-syn', source: 'data', channel: index, text: `data connection ${formatEndpoint(c.orig)} → ${formatEndpoint(c.resp)} first seen ${after(c.first)}, carrying data: its handshake is not in the capture` });
    }
    if (c.unreachable && c.unreachable.direction === 'orig') {
      entries.push({ at: c.unreachable, kind: 'data-unreachable', source: 'data', channel: index, text: `${c.unreachable.from} answers: ${describeUnreachable(c.unreachable)}` });
    }
    if (c.synAck) entries.push({ at: c.synAck, kind: 'data-syn-ack', source: 'data', channel: index, text: `${formatEndpoint(c.resp)} answers: SYN-ACK` });
    if (c.handshakeAck) entries.push({ at: c.handshakeAck, kind: 'data-ack', source: 'data', channel: index, text: 'handshake complete: ACK' });
    const end = connectionEnd(c);
    if (end === 'rst' && c.rst) {
      const by = c.rst.from === 'orig' ? formatEndpoint(c.orig) : formatEndpoint(c.resp);
      entries.push({ at: c.rst, kind: 'data-end', source: 'data', channel: index, text: `data connection reset (RST) by ${by}` });
    } else if (end === 'fin') {
      const first = firstClose(c) as FrameEvent & { from: 'orig' | 'resp' };
      const closer = (first.from === 'orig' ? c.orig : c.resp).ip === session.server.ip ? 'server' : 'client';
      const { bytes, missing } = channelBytes(channel);
      const lacking = missing > 0 ? `, ${formatBytes(missing)} of them not in the capture` : '';
      entries.push({ at: first, kind: 'data-end', source: 'data', channel: index, text: `data connection closed (FIN from the ${closer}) after ${formatBytes(bytes)}${lacking}` });
    }
  }
  for (const c of session.tlsConnections) {
    const who = c.orig.ip === session.server.ip ? 'server' : 'client';
    entries.push({ at: c.syn ?? c.first, kind: 'data-syn', source: 'data', text: `${who} opens ${formatEndpoint(c.orig)} → ${formatEndpoint(c.resp)}: probably a data connection of the encrypted session (${handshakeOutcome(c)})` });
  }
  for (const c of session.unannouncedConnections) {
    const who = c.orig.ip === session.server.ip ? 'server' : 'client';
    const bytes = formatBytes(payloadBytes(c, 'orig') + payloadBytes(c, 'resp'));
    entries.push({ at: c.syn ?? c.first, kind: 'data-syn', source: 'data', text: `${who} opens ${formatEndpoint(c.orig)} → ${formatEndpoint(c.resp)}, answering no announcement in the capture: probably a data connection announced in the missing bytes (${handshakeOutcome(c)}, ${bytes})` });
  }
  if (firstHidden !== null) {
    entries.push({
      at: firstHidden,
      kind: 'finding',
      source: 'analysis',
      text: `from here on the packets of data connections are not in the timeline: more than ${maxDataConnections} (the data channel table and the JSON's dataChannels have them all)`,
    });
  }
  const noted = new Set(session.timeline.filter((e) => e.kind === 'finding').map((e) => e.text));
  const events = frameEvents(session);
  for (const finding of session.findings) {
    if (finding.frame && !noted.has(finding.message)) {
      const at = events.get(frameKey(finding.frame));
      if (at) entries.push({ at, kind: 'finding', source: 'analysis', text: finding.message });
    }
  }
  entries.sort(compareEntries);
  const built = entries.map((e) => {
    const out: ReportTimelineEntry = {
      time: formatTime(e.at.timeMicros),
      frame: e.at.ref.frame,
      kind: e.kind,
      source: e.source,
      text: e.text,
    };
    if (e.channel !== undefined) out.channel = e.channel;
    if (e.line !== undefined) out.line = e.line;
    frames.add(out, 'frame', e.at.ref);
    return out;
  });
  return { entries: built, dropped };
}

function compareEntries(a: TimelineEntry, b: TimelineEntry): number {
  return a.at.timeMicros - b.at.timeMicros || a.at.ref.input - b.at.ref.input || a.at.ref.frame - b.at.ref.frame;
}

function frameKey(ref: FrameRef): string {
  return `${ref.input}:${ref.frame}`;
}

/**
 * The time of every frame among the session's events, by frame (findings carry only the frame):
 * the first event of a frame wins, control events before data-connection packets.
 */
function frameEvents(session: FtpSession): Map<string, FrameEvent> {
  const events = new Map<string, FrameEvent>();
  const add = (e: FrameEvent | null) => {
    if (e && !events.has(frameKey(e.ref))) events.set(frameKey(e.ref), e);
  };
  for (const e of session.timeline) add(e.at);
  for (const channel of session.dataChannels) {
    const c = channel.connection;
    if (!c) continue;
    for (const e of [c.syn, c.synAck, c.handshakeAck, c.rst, c.finOrig, c.finResp, c.unreachable, c.first]) add(e);
  }
  return events;
}


function relativeToAnnouncement(micros: number): string {
  return micros < 0 ? `${formatDelay(-micros)} before the announcement` : `${formatDelay(micros)} after the announcement`;
}
