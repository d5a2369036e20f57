/**
 * Builds the report: the JSON contract (schemaVersion 1, documented in README.md) that every
 * renderer works from. Pure: analysis result in, plain data out.
 */
import type { AnalysisResult } from '../analyzer';
import type { InputSummary } from '../capture/types';
import { channelBytes, type DataChannel, type FtpSession, type TimelineEntry } from '../model';
import { connectionEnd, firstClose, handshakeOutcome, isEstablished, payloadBytes, type Connection, type HandshakeOutcome } from '../tcp/connections';
import type { Endpoint, Finding, FrameEvent, FrameRef } from '../types';
import { formatBytes, formatDelay, formatEndpoint } from '../text';
import { suggestFirewall, type FirewallPlan } from './firewall';
import { renderFirewallRules, type RenderedRules } from './firewall-rules';

export const SCHEMA_VERSION = 1;

export type ChannelStatus = 'completed' | 'failed' | 'refused' | 'unused' | 'incomplete';

export interface ReportFinding {
  code: string;
  severity: Finding['severity'];
  frame: number | null;
  input?: number;
  message: string;
  fix?: string;
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
  commands: number;
  replies: number;
  dataChannels: ReportChannel[];
  transfersWithoutChannel: Array<{ command: string; arg: string; frame: number; replyCode: number | null }>;
  /** After the switch to TLS: later TCP connections between the same hosts, probably its data connections. */
  encryptedDataConnections: HiddenConnection[];
  /** After bytes of the control connection went missing: connections that answer no announcement seen. */
  unannouncedDataConnections: HiddenConnection[];
  findings: ReportFinding[];
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
  problems: Array<{ message: string; offset: number | null; frame: number | null }>;
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
  firewall: FirewallPlan & { rules: RenderedRules };
}

/** Time as ISO 8601 UTC with microseconds, e.g. `2026-11-21T10:15:40.123456Z`. */
export function formatTime(timeMicros: number): string {
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

export function buildReport(result: AnalysisResult, inputs: InputSummary[], version: string): Report {
  const frames = new FrameFields(inputs.length > 1);
  const sessions = result.sessions.map((s) => buildSession(s, frames));
  const byStatus: Record<ChannelStatus, number> = { completed: 0, failed: 0, refused: 0, unused: 0, incomplete: 0 };
  const severities: Record<Finding['severity'], number> = { info: 0, warning: 0, error: 0 };
  for (const session of sessions) {
    for (const channel of session.dataChannels) byStatus[channel.status]++;
    for (const finding of session.findings) severities[finding.severity]++;
  }
  const findings = result.findings.map((f) => buildFinding(f, frames));
  for (const finding of findings) severities[finding.severity]++;
  for (const input of inputs) severities.error += input.problems.length;
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
      problems: i.problems,
      ...(i.interfaces ? { interfaces: i.interfaces } : {}),
    })),
    summary: {
      sessions: sessions.length,
      dataChannels: sessions.reduce((n, s) => n + s.dataChannels.length, 0),
      byStatus,
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
    firewall: firewallReport(suggestFirewall(result.sessions)),
  };
}

function firewallReport(plan: FirewallPlan): FirewallPlan & { rules: RenderedRules } {
  return { ...plan, rules: renderFirewallRules(plan) };
}

function buildSession(session: FtpSession, frames: FrameFields): ReportSession {
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
    timeline: buildTimeline(session, frames),
    timelineDropped: session.timelineDropped,
  };
  frames.add(out, 'startFrame', control.first.ref);
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
  const out: ReportFinding = { code: finding.code, severity: finding.severity, frame: null, message: finding.message };
  frames.add(out as unknown as Record<string, unknown>, 'frame', finding.frame);
  if (finding.fix) out.fix = finding.fix;
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
  return out;
}

function earliest(a: FrameEvent | null, b: FrameEvent | null): FrameEvent | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.timeMicros < a.timeMicros ? b : a;
}

/** The session's control events merged with its data connections' packets, in time order. */
function buildTimeline(session: FtpSession, frames: FrameFields): ReportTimelineEntry[] {
  const entries: TimelineEntry[] = [...session.timeline];
  for (const channel of session.dataChannels) {
    const c = channel.connection;
    if (!c) continue;
    const index = channel.index;
    const who = `${c.orig.ip === session.server.ip ? 'server' : c.orig.ip === session.client.ip ? 'client' : c.orig.ip}`;
    const after = (e: FrameEvent) => relativeToAnnouncement(e.timeMicros - channel.announcedAt.timeMicros);
    if (c.syn) {
      const retries = c.synCount > 1 ? ` (sent ${c.synCount} times)` : '';
      entries.push({ at: c.syn, kind: 'data-syn', source: 'data', channel: index, text: `${who} opens the data connection ${formatEndpoint(c.orig)} → ${formatEndpoint(c.resp)}: SYN, ${after(c.syn)}${retries}` });
    } else {
      entries.push({ at: c.first, kind: 'data-syn', source: 'data', channel: index, text: `data connection ${formatEndpoint(c.orig)} → ${formatEndpoint(c.resp)} first seen ${after(c.first)}, carrying data: its handshake is not in the capture` });
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
  for (const finding of session.findings) {
    if (finding.frame && !session.timeline.some((e) => e.kind === 'finding' && e.text === finding.message)) {
      const at = findFrameEvent(session, finding.frame);
      if (at) entries.push({ at, kind: 'finding', source: 'analysis', text: finding.message });
    }
  }
  entries.sort(compareEntries);
  return entries.map((e) => {
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
}

function compareEntries(a: TimelineEntry, b: TimelineEntry): number {
  return a.at.timeMicros - b.at.timeMicros || a.at.ref.input - b.at.ref.input || a.at.ref.frame - b.at.ref.frame;
}

/** Finds the time of a frame among the session's events (findings carry only the frame). */
function findFrameEvent(session: FtpSession, ref: FrameRef): FrameEvent | null {
  const same = (r: FrameRef) => r.input === ref.input && r.frame === ref.frame;
  for (const e of session.timeline) if (same(e.at.ref)) return e.at;
  for (const channel of session.dataChannels) {
    const c = channel.connection;
    if (!c) continue;
    for (const e of [c.syn, c.synAck, c.handshakeAck, c.rst, c.finOrig, c.finResp, c.first]) if (e && same(e.ref)) return e;
  }
  return null;
}


function relativeToAnnouncement(micros: number): string {
  return micros < 0 ? `${formatDelay(-micros)} before the announcement` : `${formatDelay(micros)} after the announcement`;
}
