/**
 * Builds the report: the JSON contract (schemaVersion 1, typed in src/report/schema.ts and
 * documented in README.md) that every renderer works from. Pure: analysis result in, plain data out.
 */
import type { AnalysisResult } from '../analyzer';
import { MAX_TIME_MICROS, MIN_TIME_MICROS, type InputSummary } from '../capture/types';
import { channelBytes, channelStatus, transferSender } from '../correlate/channels';
import type { DataChannel, FoldedChannels, FtpSession, TimelineEntry, Transfer } from '../model';
import { connectionEnd, firstClose, handshakeOutcome, isEstablished, payloadBytes, type Connection } from '../tcp/connections';
import type { Direction, Finding, FrameEvent, FrameRef, PayloadContent } from '../types';
import { formatBytes, formatDelay, formatEndpoint } from '../text';
import { predictHelper } from '../firewall/helper';
import { defaultFirewallOptions, FirewallPlanner } from '../firewall/plan';
import type { RenderRequest } from '../firewall/render';
import type { FirewallOptions } from '../firewall/types';
import { defaultRenderRequest, firewallSection } from './firewall';
import {
  SCHEMA_VERSION,
  type ChannelStatus,
  type HiddenConnection,
  type Report,
  type ReportChannel,
  type ReportConnection,
  type ReportContent,
  type ReportControl,
  type ReportFirewall,
  type ReportFinding,
  type ReportOrphanTransfer,
  type ReportSession,
  type ReportTimelineEntry,
  type ReportUnlistedChannels,
  type ReportUnopened,
} from './schema';

export { SCHEMA_VERSION } from './schema';
export type * from './schema';
import { describeUnreachable } from '../diagnose/data-channels';
import { buildPerformance } from './performance';
import { FrameFields } from './frame-fields';
import { payloadComplete } from '../transfer/content';
import { materialize, type SessionView } from './session-view';

export { channelStatus };

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
  const planner = new FirewallPlanner(firewall.options);
  const totals = new SessionTotals();
  const sessions = result.sessions.map((session) => {
    const built = buildSession(session, frames, maxDataConnections);
    totals.add(built);
    // The plan takes the session's helper prediction from its report, instead of making it again.
    planner.add(session, undefined, built.helper);
    return built;
  });
  return buildReportHead(result, inputs, version, totals, firewallSection(planner.plan(), firewall.sets), sessions);
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

  add(session: SessionView): void {
    this.addHead(session);
    for (const channel of session.dataChannels) this.addChannel(channel);
  }

  /** A session without its listed data channels (they come one by one through addChannel). */
  addHead(session: Pick<SessionView, 'findings' | 'unlistedDataChannels'>): void {
    this.sessions++;
    for (const finding of session.findings) this.severities[finding.severity]++;
    const unlisted = session.unlistedDataChannels;
    if (unlisted === undefined) return;
    this.dataChannels += unlisted.count;
    for (const status of Object.keys(this.byStatus) as ChannelStatus[]) this.byStatus[status] += unlisted.byStatus[status];
  }

  addChannel(channel: ReportChannel): void {
    this.dataChannels++;
    this.byStatus[channel.status]++;
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

/**
 * One session of the report whose data channels and transfers without a channel are built as they
 * are iterated, each time again: a session with many announcements is written out (or to disk)
 * channel by channel without its report ever being whole in memory. The analysis session must
 * stay as it is while the view is in use.
 */
export function buildSessionView(session: FtpSession, multipleInputs: boolean, maxDataConnections = Infinity): SessionView {
  return buildView(session, new FrameFields(multipleInputs), maxDataConnections);
}

function buildSession(session: FtpSession, frames: FrameFields, maxDataConnections: number): ReportSession {
  return materialize(buildView(session, frames, maxDataConnections));
}

function buildView(session: FtpSession, frames: FrameFields, maxDataConnections: number): SessionView {
  const control = session.control;
  const out: SessionView = {
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
    dataChannels: {
      *[Symbol.iterator]() {
        for (const c of session.dataChannels) yield buildChannel(session, c, frames);
      },
    },
    ...(session.folded.count > 0 ? { unlistedDataChannels: buildUnlisted(session.folded) } : {}),
    transfersWithoutChannel: {
      *[Symbol.iterator]() {
        for (const t of session.orphanTransfers) {
          const entry: ReportOrphanTransfer = {
            command: t.command.verb,
            arg: t.command.arg,
            frame: t.command.at.ref.frame,
            replyCode: t.final?.code ?? null,
          };
          frames.add(entry, 'frame', t.command.at.ref);
          yield entry;
        }
      },
    },
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

function buildUnlisted(folded: FoldedChannels): ReportUnlistedChannels {
  return {
    count: folded.count,
    active: folded.active,
    passive: folded.passive,
    byStatus: { ...folded.byOutcome },
    bytes: folded.bytes,
    missingBytes: folded.missingBytes,
  };
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
  frames.add(out, 'frame', finding.frame);
  if (finding.fix) out.fix = finding.fix;
  if (count > 1) out.count = count;
  return out;
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
    content: null,
  };
  frames.add(out, 'frame', channel.announcedAt.ref);
  frames.add(out.request, 'frame', channel.request.at.ref);
  if (out.reply && channel.reply) frames.add(out.reply, 'frame', channel.reply.at.ref);
  if (out.transfer && transfer) {
    frames.add(out.transfer, 'frame', transfer.command.at.ref);
    frames.add(out.transfer, 'replyFrame', transfer.final?.at.ref ?? null);
  }
  out.content = buildContent(session, channel, frames);
  return out;
}

/** What the report and the --extract manifest say alike of a payload: hashes, type, REST offset, ASCII mode. */
export type PayloadFacts = Pick<ReportContent, 'sha256' | 'md5' | 'sha1' | 'type' | 'restOffset' | 'asciiMode'>;

export function payloadFacts(content: PayloadContent, transfer: Transfer | null): PayloadFacts {
  return {
    sha256: content.hashes?.sha256 ?? null,
    md5: content.hashes?.md5 ?? null,
    sha1: content.hashes?.sha1 ?? null,
    type: content.type,
    restOffset: transfer && transfer.restOffset > 0 ? transfer.restOffset : null,
    asciiMode: transfer?.type?.toUpperCase().startsWith('A') ?? false,
  };
}

/** The channel's content: the transfer sender's direction, or the direction with more bytes. */
function buildContent(session: FtpSession, channel: DataChannel, frames: FrameFields): ReportContent | null {
  const connection = channel.connection;
  const content = connection?.content;
  if (!connection || !content) return null;
  let direction: Direction | null = transferSender(channel);
  if (direction === null || content[direction] === undefined) {
    const sizes = (['orig', 'resp'] as const).filter((d) => content[d] !== undefined);
    direction = sizes.sort((a, b) => content[b]!.size - content[a]!.size)[0] ?? null;
  }
  if (direction === null) return null;
  const c = content[direction]!;
  const senderIp = direction === 'orig' ? connection.orig.ip : connection.resp.ip;
  const out: ReportContent = {
    sender: senderIp === session.server.ip ? 'server' : 'client',
    size: c.size,
    capturedBytes: c.capturedBytes,
    complete: payloadComplete(c),
    missing: c.missing,
    missingBytes: c.missingBytes,
    missingRangesDropped: c.missingRangesDropped,
    startUnknown: c.startUnknown,
    endSeen: c.endSeen,
    ...payloadFacts(c, channel.transfer),
    listing: c.listing,
    firstFrame: null,
    lastFrame: null,
  };
  frames.add(out, 'firstFrame', c.firstFrame);
  frames.add(out, 'lastFrame', c.lastFrame);
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
    channel.mode === 'active' || connection.resp.ip === announcedIp ? 'announced' : connection.resp.ip === session.server.ip ? 'control-address' : 'other';
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
    performance: buildPerformance(session, channel, frames),
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
      entries.push({
        at: c.syn,
        kind: 'data-syn',
        source: 'data',
        channel: index,
        text: `${who} opens the data connection ${formatEndpoint(c.orig)} → ${formatEndpoint(c.resp)}: SYN, ${after(c.syn)}${retries}`,
      });
    } else {
      entries.push({
        at: c.first,
        kind: 'data-syn',
        source: 'data',
        channel: index,
        text: `data connection ${formatEndpoint(c.orig)} → ${formatEndpoint(c.resp)} first seen ${after(c.first)}, carrying data: its handshake is not in the capture`,
      });
    }
    if (c.unreachable && c.unreachable.direction === 'orig') {
      entries.push({
        at: c.unreachable,
        kind: 'data-unreachable',
        source: 'data',
        channel: index,
        text: `${c.unreachable.from} answers: ${describeUnreachable(c.unreachable)}`,
      });
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
      entries.push({
        at: first,
        kind: 'data-end',
        source: 'data',
        channel: index,
        text: `data connection closed (FIN from the ${closer}) after ${formatBytes(bytes)}${lacking}`,
      });
    }
  }
  for (const c of session.tlsConnections) {
    const who = c.orig.ip === session.server.ip ? 'server' : 'client';
    entries.push({
      at: c.syn ?? c.first,
      kind: 'data-syn',
      source: 'data',
      text: `${who} opens ${formatEndpoint(c.orig)} → ${formatEndpoint(c.resp)}: probably a data connection of the encrypted session (${handshakeOutcome(c)})`,
    });
  }
  for (const c of session.unannouncedConnections) {
    const who = c.orig.ip === session.server.ip ? 'server' : 'client';
    const bytes = formatBytes(payloadBytes(c, 'orig') + payloadBytes(c, 'resp'));
    entries.push({
      at: c.syn ?? c.first,
      kind: 'data-syn',
      source: 'data',
      text: `${who} opens ${formatEndpoint(c.orig)} → ${formatEndpoint(c.resp)}, answering no announcement in the capture: probably a data connection announced in the missing bytes (${handshakeOutcome(c)}, ${bytes})`,
    });
  }
  // The packets of folded channels (maxDataChannelsPerSession) are counted, not shown, as the rest.
  const folded = session.folded;
  dropped += folded.timelineEntries;
  if (folded.firstConnection !== null && (firstHidden === null || folded.firstConnection.timeMicros < firstHidden.timeMicros))
    firstHidden = folded.firstConnection;
  if (firstHidden !== null) {
    const where =
      folded.count === 0
        ? "the data channel table and the JSON's dataChannels have them all"
        : `${folded.count} data channel${folded.count === 1 ? ' is' : 's are'} only counted (unlistedDataChannels), past ${maxDataChannelsPerSessionWords}`;
    entries.push({
      at: firstHidden,
      kind: 'finding',
      source: 'analysis',
      text:
        folded.count === 0 || shown >= maxDataConnections
          ? `from here on the packets of data connections are not in the timeline: more than ${maxDataConnections} (${where})`
          : `from here on the packets of data connections are not all in the timeline: ${where}`,
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

const maxDataChannelsPerSessionWords = 'the limit maxDataChannelsPerSession';

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
