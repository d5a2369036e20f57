/**
 * The analysis core: synchronous, no I/O (STYLE habit 9). Frames go in with `ingest`, in capture
 * order; `finish` returns the FTP sessions with their data channels and findings.
 */
import { DuplicateFilter } from './capture/duplicates';
import { ExpectationRegistry } from './correlate/expectations';
import { SessionTracker } from './correlate/tracker';
import { decodeReassembled, linkTypeName, locateTcpFrame, segmentOf, TcpLocation, type DecodeResult } from './decode';
import { FragmentTable } from './decode/fragments';
import type { IcmpUnreachable } from './decode/icmp';
import { countRepeatedFindings, diagnoseSession, LoginFailureTally } from './diagnose';
import { diagnoseUnopenedControl, unopenedAttempt, unopenedConnection, unopenedControl } from './diagnose/control-attempts';
import { limitFindings } from './diagnose/limits';
import { ControlParser, startsCommand, startsReply } from './ftp/control';
import { FtpDetector, type Detection } from './ftp/detect';
import { LimitCounter } from './limits';
import type { DataChannel, FtpSession, UnopenedControlConnection } from './model';
import type { FindingCode } from './finding-codes';
import { defaultOptions, type AnalyzerOptions } from './options';
import { ConnectionTable, connKey, directionOf, isNewIncarnation, observe, observeSegment, type Connection, type TrackedDirection } from './tcp/connections';
import { ConnectionAttempts, type ConnectionAttempt } from './tcp/attempts';
import { StreamReassembler, type ReassembledChunk, type ReassemblyEvents } from './tcp/reassembly';
import { DataContentTracker, type PayloadConsumer } from './transfer/stream';
import { connectionUid, ZeekFtpObserver, ZeekFtpSessionLog, type ZeekFtpLogOptions, type ZeekFtpRecord } from './zeek/ftp-log';
import { TcpFlag, type CapturedFrame, type Direction, type FrameEvent, type FrameRef, type Finding, type TcpSegment } from './types';

/** Counters over everything ingested. */
export interface AnalysisStats {
  frames: number;
  tcpSegments: number;
  /** Frames that are not TCP (other protocols), skipped. */
  otherFrames: number;
  /** IP fragments of TCP datagrams held for reassembly (the frame completing a datagram is not counted). */
  fragments: number;
  /** Frames whose headers could not be decoded. */
  malformedFrames: number;
  /** TCP segments cut short by the capture's snap length. */
  cutSegments: number;
  controlConnections: number;
  dataConnections: number;
  /** Frames that could not be decoded, by reason (malformed headers, unsupported link types and encapsulations). */
  undecodedFrames: Record<string, number>;
  /** Frames that were exact copies of a frame close in time (two mirror ports, a file merged with itself): not analyzed again. */
  duplicateFrames: number;
  /** Connections on FTP control ports found to carry another protocol (POP3, SMTP, ...): let go. */
  otherProtocolConnections: number;
}

export interface AnalysisResult {
  sessions: FtpSession[];
  /** Control connections that never opened (refused or unanswered): attempts, not sessions. */
  unopened: UnopenedControlConnection[];
  /** Findings that belong to no session (capture-level). */
  findings: Finding[];
  stats: AnalysisStats;
  /** The limits the report builder applies too. */
  limits?: { maxTimelineDataConnections: number };
  /** Zeek's ftp.log records, in the order Zeek writes them (only when the analyzer was asked for them). */
  zeekFtp: ZeekFtpRecord[];
}

/** What the analyzer tells its caller while frames go in. */
export interface AnalyzerEvents {
  /**
   * A control session ended (FIN both ways, RST, or a new connection on its 4-tuple), diagnosed;
   * not called for those still open at finish(). With this listener, sessions keep the numbers
   * they got when first seen (without it, finish() numbers them by start time).
   */
  sessionEnd?(session: FtpSession): void;
  /** Zeek would write this ftp.log record now. */
  zeekFtp?(record: ZeekFtpRecord): void;
  /** Receives each data connection's payload in order, as it goes in (e.g. to write files). */
  payload?: PayloadConsumer;
  /**
   * With this listener the analyzer keeps no finished session: a session whose control connection
   * ended, whose data connections are closed and on which nothing moved for
   * `sessionReleaseMicros` of capture time (or for `connectionIdleMicros`, closed or not) is
   * diagnosed and handed here, then forgotten; at finish() every session still open goes the same
   * way, and `AnalysisResult.sessions` is empty. The listener builds what the reports need from
   * it (a report session, aggregates) before it returns. The session's `id` is then its place in
   * the order sessions were seen (`sequence`): the report numbers sessions by start time, ties in
   * that order, which only the listener, having them all, can do (`startMicros` and `sequence`).
   * Per-server findings (nonstandard-control-port) stay on the first session released per server.
   */
  sessionReleased?(session: FtpSession, startMicros: number, sequence: number): void;
}

/** The per-connection state of an FTP control connection. */
interface ControlState {
  tracker: SessionTracker;
  parser: ControlParser;
  streams: Record<Direction, StreamReassembler>;
  finished: boolean;
  /** Connections between its hosts are being watched since the switch to TLS or a gap. */
  watched: boolean;
  /** Zeek's ftp.log for this connection, when asked for. */
  zeek: ZeekFtpSessionLog | null;
}

/** One key for a pair of hosts, either order. */
function hostPairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/**
 * Which side of a control-port packet without SYN is the client: a reply line comes from the
 * server and a command line from the client; otherwise the side not on an FTP port.
 */
function senderIsClient(segment: TcpSegment, ftpPorts: Set<number>): boolean {
  if (segment.flags & TcpFlag.SYN) return false;
  if (startsReply(segment.payload)) return false;
  if (startsCommand(segment.payload)) return true;
  return ftpPorts.has(segment.dstPort);
}

/** Keeps a per-server finding on the first session with that server only. */
function onePerServer(sessions: FtpSession[], code: string): void {
  const seen = new Set<string>();
  for (const session of sessions) {
    const key = `${session.server.ip}|${session.server.port}`;
    if (!session.findings.some((f) => f.code === code)) continue;
    if (seen.has(key)) session.findings = session.findings.filter((f) => f.code !== code);
    seen.add(key);
  }
}

/**
 * Turns a control stream's reassembly events into session findings (at most
 * `options.maxReassemblyReports` of each kind per direction; later ones reach that limit), and
 * counts the retransmissions that reached back past the bytes remembered.
 */
function reassemblyEvents(
  tracker: SessionTracker,
  direction: Direction,
  options: Pick<AnalyzerOptions, 'maxOutOfOrderBytes' | 'maxReassemblyReports'>,
  limits: LimitCounter,
): ReassemblyEvents {
  const who = direction === 'orig' ? 'client' : 'server';
  const cap = options.maxOutOfOrderBytes;
  let conflicts = 0;
  let overflows = 0;
  const overReports = (count: number, frame: FrameRef) => {
    if (count <= options.maxReassemblyReports) return false;
    limits.reached('maxReassemblyReports', frame);
    return true;
  };
  return {
    forgotten(_length, frame) {
      limits.reached('maxRememberedBytes', frame);
    },
    conflict(length, frame, timeMicros) {
      if (overReports(++conflicts, frame)) return;
      tracker.anomaly(
        'overlap-conflict',
        `a retransmission from the ${who} carries ${length} bytes that differ from the copy already received; the first copy is kept`,
        { ref: frame, timeMicros },
      );
    },
    overflow(buffered, frame, timeMicros) {
      if (overReports(++overflows, frame)) return;
      tracker.anomaly(
        'reorder-buffer-full',
        `${buffered} bytes from the ${who} arrived ahead of a hole, more than the ${cap}-byte out-of-order buffer: the hole is given up as missing`,
        { ref: frame, timeMicros },
      );
    },
  };
}

/** What the capture's copies of frames and its backward steps in time mean for the analysis. */
function duplicateFindings(filter: DuplicateFilter): Finding[] {
  const findings: Finding[] = [];
  if (filter.duplicates > 0) {
    findings.push({
      code: 'duplicate-frames',
      severity: 'warning',
      frame: filter.firstDuplicate,
      message: `${filter.duplicates} frames are exact copies of a frame close in time (same bytes): the capture holds packets twice (two mirror ports or interfaces on one path, or a file merged with itself); each was analyzed once`,
      fix: 'capture at one point only, or remove the copies (editcap -d) before comparing packet counts',
    });
  }
  for (const reversal of filter.reversals.values()) {
    const seconds = (micros: number) => `${(micros / 1e6).toFixed(3)} s`;
    const more = reversal.count > 1 ? `; ${reversal.count} times in all, at most ${seconds(reversal.largestStepMicros)}` : '';
    findings.push({
      code: 'time-goes-backwards',
      severity: 'warning',
      frame: reversal.first,
      message: `time goes backwards by ${seconds(reversal.firstStepMicros)} here${more}: the file holds captures concatenated (perhaps a file with itself) or frames out of order, so delays measured across this point are wrong`,
      fix: 'merge captures by time (mergecap without -a), or give each capture as its own input',
    });
  }
  return findings;
}

/**
 * Whether a connection's close is complete: FIN both ways and a packet after the later FIN (the
 * last ACK), so nothing more is expected on it. A reset one is not (packets in flight from the
 * other side still come): it waits for sessionReleaseMicros.
 */
function closedAndAcknowledged(connection: Connection): boolean {
  const { finOrig, finResp, rst, last } = connection;
  if (rst !== null || finOrig === null || finResp === null) return false;
  const later = finOrig.timeMicros > finResp.timeMicros ? finOrig : finResp;
  return last.timeMicros > later.timeMicros || (last.ref.input === later.ref.input && last.ref.frame > later.ref.frame);
}

/**
 * The unopened control connections from full records (`listed`) and from those kept compact
 * (`compact`), each sorted, as one list: by the first SYN's time, ties in the order they were seen.
 */
function mergeAttempts(
  listed: Array<{ attempt: UnopenedControlConnection; sequence: number }>,
  compact: Array<{ attempt: UnopenedControlConnection; sequence: number }>,
): UnopenedControlConnection[] {
  const merged: UnopenedControlConnection[] = [];
  let i = 0;
  for (const { attempt, sequence } of compact) {
    const time = attempt.syn.timeMicros;
    while (i < listed.length && (listed[i].attempt.syn.timeMicros < time || (listed[i].attempt.syn.timeMicros === time && listed[i].sequence < sequence))) {
      merged.push(listed[i++].attempt);
    }
    merged.push(attempt);
  }
  while (i < listed.length) merged.push(listed[i++].attempt);
  return merged;
}

/** How often (capture time) the ended sessions are looked at for release. */
const RELEASE_CHECK_MICROS = 250_000;

export class Analyzer {
  private readonly options: AnalyzerOptions;
  private readonly ftpPorts: Set<number>;
  private readonly ftpsPorts: Set<number>;
  /**
   * Host pairs of sessions whose announcements cannot all be read (TLS, or bytes missing from the
   * control connection): their connections that answer no announcement are probably data.
   */
  private readonly watchedPairs = new Map<string, SessionTracker>();
  private readonly table: ConnectionTable;
  private readonly registry: ExpectationRegistry<SessionTracker>;
  private readonly fragments: FragmentTable;
  private readonly duplicates: DuplicateFilter;
  private readonly detector: FtpDetector;
  private readonly controls = new Map<Connection, ControlState>();
  /** Sessions not yet handed out, in the order they were seen (with sessionReleased: the live ones only). */
  private readonly sessions = new Set<FtpSession>();
  /** Sessions released so far (sessionReleased); with the live ones, the next session's number. */
  private released = 0;
  /** Where each session not yet released came in the order sessions were seen (1, 2, ...). */
  private readonly sequence = new Map<FtpSession, number>();
  private sessionsSeen = 0;
  /** Sessions whose control connection ended, waiting for their data connections and late packets. */
  private ending: Array<{ session: FtpSession; control: Connection }> = [];
  /** Capture time of the last look at `ending`. */
  private lastReleaseCheck = 0;
  /**
   * Control connections of which only the client's SYN was seen so far, when sessions are
   * released: no session, parser or streams yet, and soon not even a connection record: a flood
   * of unanswered SYNs costs a row of numbers each.
   */
  private readonly attempts: ConnectionAttempts;
  /** Failed logins per client over the sessions released or finished. */
  private readonly loginFailures = new LoginFailureTally();
  /** Link types seen that no decoder handles, with their frame counts. */
  private readonly unsupportedLinkTypes = new Map<number, number>();
  private readonly findings: Finding[] = [];
  /** How often each limit of the options was reached (the limit-reached findings). */
  private readonly limits = new LimitCounter();
  private readonly stats: AnalysisStats = {
    frames: 0,
    tcpSegments: 0,
    otherFrames: 0,
    fragments: 0,
    malformedFrames: 0,
    cutSegments: 0,
    controlConnections: 0,
    dataConnections: 0,
    otherProtocolConnections: 0,
    duplicateFrames: 0,
    undecodedFrames: {},
  };

  /** Zeek's ftp.log records so far. */
  private readonly zeekRecords: ZeekFtpRecord[] = [];

  constructor(
    options: Partial<AnalyzerOptions> = {},
    private readonly events: AnalyzerEvents = {},
    /** Follow the control connections as Zeek's FTP scripts do and keep their ftp.log records. */
    private readonly zeekFtp: ZeekFtpLogOptions | null = null,
  ) {
    this.options = { ...defaultOptions, ...options };
    this.ftpPorts = new Set(this.options.ftpPorts);
    this.ftpsPorts = new Set(this.options.ftpsPorts);
    // A data connection dropped from the full table is over for the analysis: file its content.
    this.table = new ConnectionTable(this.options.maxConnections, this.options.maxSequenceRanges, (connection) => this.endContent(connection));
    this.registry = new ExpectationRegistry(this.options.maxExpectations);
    this.attempts = new ConnectionAttempts(this.table, this.options.connectionIdleMicros);
    this.detector = new FtpDetector(this.options, this.limits);
    this.duplicates = new DuplicateFilter(this.options.duplicateWindowMicros, this.options.maxDuplicateFingerprints, this.options.timeReversalToleranceMicros);
    this.fragments = new FragmentTable(this.options.maxFragmentedDatagrams, this.options.fragmentTimeoutMicros);
  }

  /** Where the TCP segment of the frame being ingested is; reused for every frame. */
  private readonly location = new TcpLocation();

  /** Sessions held: open, ended but not yet released, or not yet handed out at finish(). */
  get heldSessions(): number {
    return this.sessions.size + this.attempts.held;
  }

  /** TCP connections tracked at the moment (control and data). */
  get trackedConnections(): number {
    return this.table.size;
  }

  /** Time of the latest frame ingested, in microseconds: where the capture ends. */
  private captureEndMicros = 0;

  ingest(frame: CapturedFrame): void {
    this.stats.frames++;
    if (frame.timeMicros > this.captureEndMicros) this.captureEndMicros = frame.timeMicros;
    if (this.ending.length > 0 && this.captureEndMicros - this.lastReleaseCheck >= RELEASE_CHECK_MICROS) this.releaseEnded();
    if (this.attempts.held > 0) this.attempts.settle(this.captureEndMicros);
    const located = locateTcpFrame(frame.linkType, frame.data, frame.originalLength, this.location);
    this.duplicates.watchTime(frame);
    // Identical bare RSTs are what a host sends for every stray segment, not copies.
    const bareRst = located.kind === 'located' && (this.location.flags & TcpFlag.RST) !== 0 && this.location.payloadLength === 0;
    if (!bareRst && this.duplicates.isDuplicate(frame)) {
      this.stats.duplicateFrames++;
      return;
    }
    if (located.kind === 'located') {
      this.stats.tcpSegments++;
      if (this.location.missingPayload > 0) this.stats.cutSegments++;
      this.located(this.location, frame.ref, frame.timeMicros);
      return;
    }
    let decoded: DecodeResult = located;
    if (decoded.kind === 'fragment' && decoded.fragment.protocol === 17 && decoded.fragment.offset > 0 && !this.fragments.has(decoded.fragment)) {
      // A later fragment of a UDP datagram whose first fragment was no VXLAN or GENEVE (or not seen).
      this.stats.otherFrames++;
      return;
    }
    if (decoded.kind === 'fragment') {
      const f = decoded.fragment;
      const datagram = this.fragments.add(f, frame.timeMicros);
      if (datagram === null) {
        this.stats.fragments++;
        return;
      }
      // The datagram is complete in this frame: decode its TCP segment.
      decoded = decodeReassembled(f, datagram);
    }
    if (decoded.kind === 'tcp') {
      this.stats.tcpSegments++;
      if (decoded.segment.missingPayload > 0) this.stats.cutSegments++;
      this.segment(decoded.segment, frame.ref, frame.timeMicros);
    } else if (decoded.kind === 'unreachable') {
      this.stats.otherFrames++;
      this.unreachable(decoded.error, frame.ref, frame.timeMicros);
    } else if (decoded.kind === 'malformed') {
      this.stats.malformedFrames++;
      this.undecoded(`malformed ${decoded.layer}`);
      if (this.stats.malformedFrames > this.options.maxMalformedReports) this.limits.reached('maxMalformedReports', frame.ref);
      else {
        this.findings.push({
          code: 'malformed-packet',
          severity: 'warning',
          frame: frame.ref,
          message: `${decoded.layer} header cannot be decoded at byte ${decoded.offset} of the frame: ${decoded.reason}`,
        });
      }
    } else {
      this.stats.otherFrames++;
      if (decoded.kind === 'other' && decoded.note === 'unsupported-link-type') {
        this.unsupportedLinkTypes.set(frame.linkType, (this.unsupportedLinkTypes.get(frame.linkType) ?? 0) + 1);
        this.undecoded(`link type ${frame.linkType} (${linkTypeName(frame.linkType)})`);
      } else if (decoded.kind === 'other' && decoded.unsupported) {
        this.undecoded(decoded.note ?? 'unsupported');
        this.firstUnsupported ??= frame.ref;
      }
    }
  }

  /** Set while finish() closes the sessions still open. */
  private finishing = false;
  /** The first frame of an encapsulation that could not be decoded. */
  private firstUnsupported: FrameRef | null = null;

  /** Counts a frame that could not be decoded, by reason (at most 256 reasons; the rest as one). */
  private undecoded(reason: string): void {
    const counts = this.stats.undecodedFrames;
    const key = reason in counts || Object.keys(counts).length < 256 ? reason : 'other reasons';
    counts[key] = (counts[key] ?? 0) + 1;
  }

  finish(): AnalysisResult {
    this.finishing = true;
    for (const [connection, state] of this.controls) this.finishControl(connection, state);
    for (const connection of [...this.contents.keys()]) this.endContent(connection);
    const encapsulations = Object.entries(this.stats.undecodedFrames).filter(
      ([reason]) => !reason.startsWith('malformed ') && !reason.startsWith('link type '),
    );
    if (encapsulations.length > 0) {
      const frames = encapsulations.reduce((n, [, count]) => n + count, 0);
      this.findings.push({
        code: 'unsupported-encapsulation',
        severity: 'warning',
        frame: this.firstUnsupported,
        message: `${frames} frames are in an encapsulation that could not be decoded (${encapsulations.map(([reason, count]) => `${reason}: ${count}`).join(', ')}): FTP inside them is not analyzed`,
        fix: 'capture inside the tunnel (on its inner interface), or decapsulate first (editcap, tshark)',
      });
    }
    for (const [linkType, frames] of this.unsupportedLinkTypes) {
      this.findings.push({
        code: 'unsupported-link-type',
        severity: 'error',
        frame: null,
        message: `link type ${linkType} (${linkTypeName(linkType)}) is not supported: ${frames} frames could not be decoded and were skipped`,
        fix: 'convert or re-capture on an interface with a supported link type (Ethernet, Linux cooked, raw IP, loopback)',
      });
    }
    this.limits.reached('maxExpectations', null, this.registry.dropped);
    this.limits.reached('maxConnections', null, this.table.evicted);
    this.limits.reached('maxSequenceRanges', null, this.table.rangeCap.reached);
    this.findings.push(...limitFindings(this.limits, this.options));
    const fragmentsLost = this.fragments.stats.dropped + this.fragments.size;
    if (fragmentsLost > 0) {
      this.findings.push({
        code: 'fragments-dropped',
        severity: 'warning',
        frame: null,
        message: `${fragmentsLost} fragmented IP datagrams could not be reassembled (fragments missing, cut by the snap length, or too many at once); the TCP segments or tunnelled packets in them are lost to the analysis`,
      });
    }
    this.findings.push(...duplicateFindings(this.duplicates));
    if (this.stats.cutSegments > 0) {
      this.findings.push({
        code: 'capture-truncated',
        severity: 'warning',
        frame: null,
        message: `${this.stats.cutSegments} TCP segments were cut short by the capture's snap length: control lines in them are lost (an announcement there cannot be matched), while data byte counts use the lengths in the IP headers and still hold`,
        fix: 'capture whole packets (tcpdump -s 0, dumpcap -s 0)',
      });
    }
    // Unanswered SYNs that the end of the capture leaves too recent to call unanswered are sessions.
    for (const [connection, sequence] of [...this.attempts.heldRecords()]) {
      if (unopenedConnection(connection, this.captureEndMicros) !== null) continue;
      this.attempts.take(connection);
      const state = this.startControl(connection, sequence);
      this.finishControl(connection, state);
    }
    const listed: Array<{ attempt: UnopenedControlConnection; sequence: number }> = [];
    const compact: Array<{ attempt: UnopenedControlConnection; sequence: number }> = [];
    const sessions: FtpSession[] = [];
    const release = this.events.sessionReleased !== undefined;
    // A row too recent to be called an attempt becomes a session where its turn comes (then, when
    // released, it is released at once: the last second of a flood is not all in memory at once).
    const candidates: Array<{ time: number; sequence: number; control: Connection | null; session: FtpSession | null; row: ConnectionAttempt | null }> = [];
    for (const row of this.attempts.attempts()) {
      const attempt = unopenedAttempt(row, this.captureEndMicros);
      if (attempt) compact.push({ attempt, sequence: row.sequence });
      else candidates.push({ time: row.syn.timeMicros, sequence: row.sequence, control: null, session: null, row });
    }
    for (const session of this.sessions) {
      candidates.push({ time: session.control.first.timeMicros, sequence: this.sequence.get(session) ?? 0, control: session.control, session, row: null });
    }
    for (const [control, sequence] of this.attempts.heldRecords())
      candidates.push({ time: control.first.timeMicros, sequence, control, session: null, row: null });
    // In the order sessions were seen when that is known (released sessions), else as they were added.
    if (release) candidates.sort((a, b) => a.sequence - b.sequence);
    for (const { control, session, sequence, row } of candidates.sort((a, b) => a.time - b.time)) {
      let found = session;
      let connection = control;
      if (row !== null) {
        connection = this.attempts.restore(row);
        const state = this.startControl(connection, row.sequence);
        this.finishControl(connection, state);
        found = state.tracker.session;
      }
      const attempt = unopenedConnection(connection as Connection, this.captureEndMicros);
      if (attempt) listed.push({ attempt, sequence });
      else if (found && release) this.release(found);
      else if (found) sessions.push(found);
    }
    const unopened = mergeAttempts(listed, compact);
    this.attempts.clear();
    this.findings.push(...diagnoseUnopenedControl(unopened));
    if (release) {
      this.ending = [];
    } else if (this.events.sessionEnd) {
      // Sessions were handed out as they ended, with the numbers they got when first seen: keep them.
      for (const session of sessions) this.completeSession(session);
    } else {
      sessions.forEach((session, i) => {
        session.id = i + 1;
        session.findings = countRepeatedFindings([...session.findings, ...diagnoseSession(session, this.options)], this.options.maxFindingsPerCode);
      });
      onePerServer(sessions, 'nonstandard-control-port');
    }
    for (const session of sessions) this.loginFailures.add(session);
    this.findings.push(...this.loginFailures.findings());
    // Released sessions need nothing more from the analyzer: let the records go before the report is built.
    if (this.events.sessionReleased) this.table.clear();
    return {
      sessions,
      unopened,
      findings: this.findings,
      stats: this.stats,
      zeekFtp: this.zeekRecords,
      limits: { maxTimelineDataConnections: this.options.maxTimelineDataConnections },
    };
  }

  /**
   * An ICMP/ICMPv6 destination unreachable: when the segment it quotes belongs to a tracked
   * connection (a data SYN, a control segment), the connection records the first such error.
   */
  private unreachable(error: IcmpUnreachable, ref: FrameRef, timeMicros: number): void {
    const found = this.table.find(error.addresses, 0, error.addresses.length / 2, error.srcPort, error.dstPort);
    if (!found || found.connection.unreachable !== null) return;
    const { from, kind, icmpType, icmpCode } = error;
    found.connection.unreachable = { ref, timeMicros, from, kind, icmpType, icmpCode, direction: found.direction };
  }

  /**
   * A TCP segment located in a frame. Its connection is found from the frame's bytes; a packet of
   * no tracked connection that could not start one (see mayOpen) is skipped there, before anything
   * is built for it.
   */
  private located(location: TcpLocation, ref: FrameRef, timeMicros: number): void {
    const found = this.table.find(location.bytes, location.addressOffset, location.addressLength, location.srcPort, location.dstPort);
    if (found === undefined) {
      if (this.mayOpen(location)) this.segment(segmentOf(location), ref, timeMicros, null);
      return;
    }
    const connection = found.connection;
    // A data connection is only counted: no segment, no payload buffer, unless a SYN may start
    // a new connection on its 4-tuple.
    if (connection.role !== 'control' && !(location.flags & TcpFlag.SYN)) {
      observe(connection, location, found.direction, ref, timeMicros);
      connection.follower?.segment(
        found.direction,
        location.flags,
        location.seq,
        location.ack,
        location.bytes,
        location.payloadOffset,
        location.payloadEnd,
        ref,
        timeMicros,
      );
      this.closeIfDone(connection);
      return;
    }
    // The addresses are the connection's: no need to format them again.
    const { orig, resp } = connection;
    const segment = found.direction === 'orig' ? segmentOf(location, orig.ip, resp.ip) : segmentOf(location, resp.ip, orig.ip);
    this.segment(segment, ref, timeMicros, found);
  }

  /**
   * Whether `open` could start tracking a connection for a packet that belongs to none: a SYN or
   * SYN-ACK (an announced data connection, a new control connection, a handshake the FTP detector
   * remembers), a control port, or a payload that begins like an FTP line (the only payloads the
   * detector looks at). The same conditions as open()'s; keep them in step.
   */
  private mayOpen(location: TcpLocation): boolean {
    if (location.flags & TcpFlag.SYN) return true;
    const { srcPort, dstPort } = location;
    if (location.payloadLength > 0 && this.registry.size > 0 && (this.registry.expectsPort(dstPort) || this.registry.expectsPort(srcPort))) return true;
    if (this.ftpPorts.has(srcPort) || this.ftpPorts.has(dstPort) || this.ftpsPorts.has(srcPort) || this.ftpsPorts.has(dstPort)) return true;
    if (!this.options.detectFtp || location.payloadLength === 0) return false;
    return this.detector.worthInspecting(location.bytes, location.payloadOffset, location.payloadEnd, location.srcPort, location.dstPort);
  }

  /**
   * A TCP segment: to its tracked connection (`known`, or looked up when undefined), or to `open`,
   * which may start tracking one.
   */
  private segment(segment: TcpSegment, ref: FrameRef, timeMicros: number, known?: TrackedDirection | null): void {
    let found = known === undefined ? this.table.lookup(segment) : known;
    if (found && isNewIncarnation(found.connection, segment, found.direction, timeMicros, this.options.connectionIdleMicros)) {
      this.retire(found.connection);
      found = null;
    }
    if (!found) {
      // A packet of an attempt kept compact: counted there, or its record is back in the table.
      const claimed = this.attempts.claim(segment, ref, timeMicros);
      if (claimed === 'counted') return;
      found = claimed;
    }
    let connection: Connection;
    let direction: Direction;
    if (found) {
      ({ connection, direction } = found);
    } else {
      const opened = this.open(segment, ref, timeMicros);
      if (!opened) return;
      connection = opened;
      direction = directionOf(connection, segment);
    }
    this.feed(connection, direction, segment, ref, timeMicros);
  }

  /** Hands a segment of a tracked connection to its record and, for control, to its streams. */
  private feed(connection: Connection, direction: Direction, segment: TcpSegment, ref: FrameRef, timeMicros: number): void {
    observeSegment(connection, segment, direction, ref, timeMicros);
    connection.follower?.segment(direction, segment.flags, segment.seq, segment.ack, segment.payload, 0, segment.payload.length, ref, timeMicros);
    if (this.attempts.held > 0 && connection.role === 'control') this.answered(connection, segment, direction);
    const control = this.controls.get(connection);
    if (control && !control.finished) {
      const stream = control.streams[direction];
      // What this side acknowledges tells whether the other side's holes will ever be filled.
      if (segment.flags & TcpFlag.ACK && !(segment.flags & TcpFlag.RST)) {
        control.streams[direction === 'orig' ? 'resp' : 'orig'].acknowledge(segment.ack);
      }
      if (segment.flags & TcpFlag.SYN) stream.start((segment.seq + 1) >>> 0);
      if (segment.payload.length > 0 && !(segment.flags & TcpFlag.RST)) {
        const seq = segment.flags & TcpFlag.SYN ? (segment.seq + 1) >>> 0 : segment.seq;
        stream.push(seq, segment.payload, ref, timeMicros);
      }
      if (control.parser.evidence.verdict === 'not-ftp') {
        this.letGo(connection, control);
        this.closeIfDone(connection);
        return;
      }
      const session = control.tracker.session;
      if ((session.tls || session.gapBytes > 0) && !control.watched) {
        control.watched = true;
        this.watchedPairs.set(hostPairKey(connection.orig.ip, connection.resp.ip), control.tracker);
      }
      if (connection.rst || (connection.finOrig && connection.finResp)) this.finishControl(connection, control);
    }
    this.closeIfDone(connection);
  }

  /** A data connection that ended (RST, or FIN both ways) leaves the table. */
  private closeIfDone(connection: Connection): void {
    if (connection.role !== 'control' && (connection.rst || (connection.finOrig && connection.finResp))) {
      this.table.close(connection);
      this.endContent(connection);
    }
  }

  /** Data connections whose payload is being followed (src/transfer/stream.ts). */
  private readonly contents = new Map<Connection, DataContentTracker>();

  /** Starts following a new data connection's payload for its session. */
  private followContent(connection: Connection, tracker: SessionTracker, channel: DataChannel | null): void {
    const o = this.options;
    const options = { hashes: o.hashes, maxOutOfOrderBytes: o.maxDataOutOfOrderBytes, maxListingEntries: o.maxListingEntries, maxLineLength: o.maxLineLength };
    const anomaly = (code: FindingCode, message: string, at: FrameEvent) => tracker.anomaly(code, message, at);
    const follower = new DataContentTracker(connection, tracker.session, channel, options, anomaly, this.events.payload ?? null);
    connection.follower = follower;
    this.contents.set(connection, follower);
  }

  /** Files what a data connection carried, once it is over. */
  private endContent(connection: Connection): void {
    const content = this.contents.get(connection);
    if (content === undefined) return;
    this.contents.delete(connection);
    connection.follower = undefined;
    content.end();
  }

  /** Starts tracking a connection if it is FTP control or answers an announcement. */
  private open(segment: TcpSegment, ref: FrameRef, timeMicros: number): Connection | null {
    const isSyn = (segment.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
    // An announced endpoint wins over the control ports: `PORT h,h,h,h,0,21` is a data connection.
    const expectation = isSyn ? this.registry.match(segment.src, segment.dst, segment.dstPort) : null;
    if (expectation) {
      const connection = this.table.open(segment, 'data', true, ref, timeMicros);
      this.stats.dataConnections++;
      expectation.owner.dataConnection(expectation.channel, connection);
      this.followContent(connection, expectation.owner, expectation.channel);
      return connection;
    }
    // Payload between an announced endpoint and the host expected to dial it, after the
    // announcement: that channel's connection, whose handshake the capture lacks.
    if (!(segment.flags & (TcpFlag.SYN | TcpFlag.RST)) && segment.payload.length > 0 && this.registry.size > 0) {
      const found = this.registry.matchMidstream(segment.src, segment.srcPort, segment.dst, segment.dstPort);
      if (found) {
        const connection = this.table.open(segment, 'data', found.senderDialled, ref, timeMicros);
        this.stats.dataConnections++;
        found.expectation.owner.dataConnection(found.expectation.channel, connection);
        this.followContent(connection, found.expectation.owner, found.expectation.channel);
        return connection;
      }
    }
    const toControlPort = this.ftpPorts.has(segment.dstPort) || this.ftpsPorts.has(segment.dstPort);
    if (isSyn && this.watchedPairs.size > 0 && !toControlPort) {
      const tracker = this.watchedPairs.get(hostPairKey(segment.src, segment.dst));
      if (tracker) {
        const connection = this.table.open(segment, 'data', true, ref, timeMicros);
        this.stats.dataConnections++;
        tracker.hiddenConnection(connection);
        this.followContent(connection, tracker, null);
        return connection;
      }
    }
    if (this.ftpsPorts.has(segment.dstPort) || this.ftpsPorts.has(segment.srcPort)) {
      if (!isSyn && !(segment.flags & TcpFlag.SYN) && segment.payload.length === 0) return null;
      const connection = this.table.open(segment, 'control', isSyn || this.ftpsPorts.has(segment.dstPort), ref, timeMicros);
      const control = this.startControl(connection);
      control.parser.startEncrypted();
      control.tracker.implicitTls({ ref, timeMicros });
      return connection;
    }
    if (this.ftpPorts.has(segment.dstPort) || this.ftpPorts.has(segment.srcPort)) {
      // Without its SYN, a connection is picked up at its first packet that carries data (or the
      // SYN-ACK): a stray ACK or FIN of a connection that ended before the capture is no session.
      if (!isSyn && !(segment.flags & TcpFlag.SYN) && segment.payload.length === 0) return null;
      const connection = this.table.open(segment, 'control', isSyn || senderIsClient(segment, this.ftpPorts), ref, timeMicros);
      if (isSyn && this.events.sessionReleased && !this.zeekFtp) {
        // Sessions are released as they end: a SYN alone gets its session only once answered.
        this.stats.controlConnections++;
        this.attempts.hold(connection, ++this.sessionsSeen);
      } else {
        this.startControl(connection);
      }
      return connection;
    }
    if (!this.options.detectFtp) return null;
    if (segment.flags & TcpFlag.SYN) {
      this.detector.handshake(connKey(segment.src, segment.srcPort, segment.dst, segment.dstPort), segment, ref, timeMicros);
      return null;
    }
    if (segment.payload.length === 0) return null;
    const key = connKey(segment.src, segment.srcPort, segment.dst, segment.dstPort);
    const detection = this.detector.inspect(key, segment, ref, timeMicros);
    return detection ? this.openDetected(detection) : null;
  }

  /**
   * Starts a control connection found by its content on a port nobody named, and replays the
   * segments held while it was a candidate (all but the last, which the caller feeds).
   */
  private openDetected(detection: Detection): Connection {
    const [first, ...rest] = detection.held;
    const connection = this.table.open(first.segment, 'control', detection.clientSentFirst, first.ref, first.timeMicros);
    // Seen from its greeting (or its SYN): not a session that began before the capture.
    connection.midstream = !detection.fromGreeting;
    this.startControl(connection);
    for (const held of [first, ...rest.slice(0, -1)]) {
      const s = held.segment;
      const direction = directionOf(connection, s);
      this.feed(connection, direction, s, held.ref, held.timeMicros);
    }
    return connection;
  }

  private startControl(connection: Connection, sequence?: number): ControlState {
    if (sequence === undefined) this.stats.controlConnections++;
    const tracker = new SessionTracker(this.sessions.size + this.released + 1, connection, this.registry, this.options, this.limits);
    const zeek = this.zeekFtp ? this.zeekLog(connection, this.zeekFtp) : null;
    const parser = new ControlParser(zeek ? new ZeekFtpObserver(tracker, zeek) : tracker, this.options, this.limits);
    if (connection.midstream) parser.startMidstream();
    const deliver = (direction: Direction) => (chunk: ReassembledChunk) => parser.chunk(direction, chunk);
    const events = (direction: Direction) => reassemblyEvents(tracker, direction, this.options, this.limits);
    const state: ControlState = {
      tracker,
      parser,
      streams: {
        orig: new StreamReassembler(deliver('orig'), this.options.maxOutOfOrderBytes, events('orig'), this.options.maxRememberedBytes),
        resp: new StreamReassembler(deliver('resp'), this.options.maxOutOfOrderBytes, events('resp'), this.options.maxRememberedBytes),
      },
      finished: false,
      watched: false,
      zeek,
    };
    this.controls.set(connection, state);
    this.sessions.add(tracker.session);
    this.sequence.set(tracker.session, sequence ?? ++this.sessionsSeen);
    return state;
  }

  /**
   * The connection carries another protocol (POP3 on port 21, SMTP on a --ftp-port, ...): it is
   * no FTP session. Its record stays in the table, only counted, so its packets are not looked at
   * again.
   */
  private letGo(connection: Connection, state: ControlState): void {
    state.finished = true;
    state.tracker.finish();
    this.sessions.delete(state.tracker.session);
    this.sequence.delete(state.tracker.session);
    const pair = hostPairKey(connection.orig.ip, connection.resp.ip);
    if (this.watchedPairs.get(pair) === state.tracker) this.watchedPairs.delete(pair);
    this.controls.delete(connection);
    connection.role = 'other';
    this.stats.controlConnections--;
    this.stats.otherProtocolConnections++;
  }

  /** Gives an unanswered control connection its session once anything but its SYN (or a RST) comes. */
  private answered(connection: Connection, segment: TcpSegment, direction: Direction): void {
    if (segment.flags & TcpFlag.RST) return;
    if (direction === 'orig' && (segment.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && segment.payload.length === 0) return;
    const sequence = this.attempts.take(connection);
    if (sequence === undefined) return;
    const state = this.startControl(connection, sequence);
    const base = connection.payload.orig.base;
    if (connection.syn !== null && base !== null) state.streams.orig.start(base);
  }

  /** A new connection reuses this 4-tuple: the old one is over. */
  private retire(connection: Connection): void {
    const control = this.controls.get(connection);
    if (control) this.finishControl(connection, control);
    this.table.close(connection);
    this.endContent(connection);
  }

  private finishControl(connection: Connection, state: ControlState): void {
    if (state.finished) return;
    state.finished = true;
    state.streams.orig.flush();
    state.streams.resp.flush();
    state.parser.end(connection.last);
    state.tracker.finish();
    state.zeek?.end();
    const pair = hostPairKey(connection.orig.ip, connection.resp.ip);
    if (this.watchedPairs.get(pair) === state.tracker) this.watchedPairs.delete(pair);
    // The record stays in the table: late ACKs and retransmissions still belong to it.
    this.controls.delete(connection);
    // A control connection that never opened (refused, unanswered) is no session: finish() lists it
    // with the attempts.
    if (!this.finishing && this.events.sessionEnd && unopenedControl(state.tracker.session, this.captureEndMicros) === null) {
      const session = state.tracker.session;
      // The session is handed out now: what its data connections carried must be filed first.
      for (const channel of session.dataChannels) if (channel.connection) this.endContent(channel.connection);
      for (const hidden of [...session.tlsConnections, ...session.unannouncedConnections]) this.endContent(hidden);
      this.completeSession(session);
      this.events.sessionEnd(session);
    }
    // A control connection that may yet turn out never to have opened waits for finish().
    if (!this.finishing && this.events.sessionReleased && unopenedControl(state.tracker.session, Infinity) === null) {
      this.ending.push({ session: state.tracker.session, control: connection });
    }
  }

  /**
   * Releases the ended sessions that are done: their data connections closed and nothing on them
   * for sessionReleaseMicros, or nothing at all for connectionIdleMicros. The rest wait.
   */
  private releaseEnded(): void {
    const now = this.captureEndMicros;
    this.lastReleaseCheck = now;
    const waiting: typeof this.ending = [];
    for (const entry of this.ending) {
      const { session, control } = entry;
      let last = control.last.timeMicros;
      // true: the control connection's close acknowledged and every data connection closed (a
      // closed data connection has left the table: nothing changes it any more); false: closed,
      // but the control connection may still see packets; null: a data connection is still open.
      let closed: boolean | null = closedAndAcknowledged(control);
      const look = (data: Connection) => {
        if (data.last.timeMicros > last) last = data.last.timeMicros;
        if (!data.rst && !(data.finOrig && data.finResp)) closed = null;
      };
      for (const channel of session.dataChannels) if (channel.connection !== null) look(channel.connection);
      for (const data of session.tlsConnections) look(data);
      for (const data of session.unannouncedConnections) look(data);
      const quiet = now - last;
      if (closed === true || (closed !== null && quiet > this.options.sessionReleaseMicros) || quiet > this.options.connectionIdleMicros) {
        this.release(session);
        // Its record leaves the table: a late packet of it no longer finds a session to change.
        this.table.close(control);
      } else {
        waiting.push(entry);
      }
    }
    this.ending = waiting;
  }

  /** Diagnoses a session, hands it to sessionReleased and forgets it. */
  private release(session: FtpSession): void {
    const sequence = this.sequence.get(session) ?? 0;
    this.completeSession(session);
    this.loginFailures.add(session);
    this.sessions.delete(session);
    this.sequence.delete(session);
    this.completed.delete(session);
    this.released++;
    session.id = sequence;
    this.events.sessionReleased?.(session, session.control.first.timeMicros, sequence);
  }

  /**
   * Ends the control sessions idle for longer than `idleMicros` at capture time `nowMicros`: no
   * packet on the control connection nor on any of its data connections. They are diagnosed and
   * handed to the sessionEnd listener; later packets of theirs are counted, not decoded. For
   * callers that write sessions as they end (a live capture: a client that vanished never sends
   * FIN); whoever does not call it gets every session at finish().
   */
  expireIdle(nowMicros: number, idleMicros: number): void {
    for (const [connection, state] of this.controls) {
      let last = connection.last.timeMicros;
      for (const channel of state.tracker.session.dataChannels) {
        const data = channel.connection;
        if (data !== null && data.last.timeMicros > last) last = data.last.timeMicros;
      }
      if (nowMicros - last > idleMicros) this.finishControl(connection, state);
    }
  }

  /** Sessions already diagnosed (when they are handed out as they end). */
  private readonly completed = new Set<FtpSession>();
  /** Servers whose first session carries the nonstandard-control-port finding. */
  private readonly nonstandardPortServers = new Set<string>();

  /** Diagnoses a session that ended; the per-server finding stays on the first session of each server. */
  private completeSession(session: FtpSession): void {
    if (this.completed.has(session)) return;
    this.completed.add(session);
    session.findings = countRepeatedFindings([...session.findings, ...diagnoseSession(session, this.options)], this.options.maxFindingsPerCode);
    const key = `${session.server.ip}|${session.server.port}`;
    if (!session.findings.some((f) => f.code === 'nonstandard-control-port')) return;
    if (this.nonstandardPortServers.has(key)) session.findings = session.findings.filter((f) => f.code !== 'nonstandard-control-port');
    this.nonstandardPortServers.add(key);
  }

  private zeekLog(connection: Connection, options: ZeekFtpLogOptions): ZeekFtpSessionLog {
    const id = { orig_h: connection.orig.ip, orig_p: connection.orig.port, resp_h: connection.resp.ip, resp_p: connection.resp.port };
    return new ZeekFtpSessionLog(connectionUid(connection), id, options, (record) => {
      this.zeekRecords.push(record);
      this.events.zeekFtp?.(record);
    });
  }
}
