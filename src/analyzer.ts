/**
 * The analysis core: synchronous, no I/O (STYLE habit 9). Frames go in with `ingest`, in capture
 * order; `finish` returns the FTP sessions with their data channels and findings.
 *
 * The analyzer wires the stages; the decisions live in them. A frame's route, top to bottom (the
 * methods below come in this order):
 *
 * 1. `ingest` -> FrameDispatcher (decode/dispatch.ts): copies dropped, the TCP segment located,
 *    fragments reassembled, ICMP errors passed on, everything else counted;
 * 2. `located` / `segment`: the connection table (tcp/connections.ts) finds the connection; a data
 *    connection's packet is only counted (`observe`) and its payload followed (transfer/stream.ts);
 * 3. `open`: a packet of no tracked connection starts one only for a reason admission gives
 *    (correlate/admission.ts): announced data, a control port, the FTP detector, ...;
 * 4. `feed`: a control connection's bytes go through its ControlConnection
 *    (correlate/control-connection.ts): stream reassemblers, line parser, SessionTracker, which
 *    files announcements as expectations for step 3;
 * 5. `finishControl`: an ended control connection goes to the session lifecycle
 *    (diagnose/lifecycle.ts), which diagnoses the session and hands it out when it is done;
 * 6. `finish`: the capture-level findings (diagnose/capture.ts) and the sessions, for
 *    report/build.ts.
 */
import { Admission } from './correlate/admission';
import { ControlConnection } from './correlate/control-connection';
import { ExpectationRegistry } from './correlate/expectations';
import { SessionTracker, type ChannelFolding } from './correlate/tracker';
import { segmentOf, type TcpLocation } from './decode';
import { FrameDispatcher, type FrameCounts } from './decode/dispatch';
import type { IcmpUnreachable } from './decode/icmp';
import { diagnoseCapture } from './diagnose/capture';
import { diagnoseFoldedChannel } from './diagnose/index';
import { foldChannelFacts } from './firewall/plan';
import { SessionLifecycle } from './diagnose/lifecycle';
import { ConnectionAttempts } from './tcp/attempts';
import { limitFindings } from './diagnose/limits';
import { startsCommand, startsReply } from './ftp/control';
import { FtpDetector, type Detection } from './ftp/detect';
import { LimitCounter } from './limits';
import type { DataChannel, FtpSession, UnopenedControlConnection } from './model';
import type { FindingCode } from './finding-codes';
import { defaultOptions, type AnalyzerOptions } from './options';
import {
  ConnectionTable,
  connKey,
  directionOf,
  isNewIncarnation,
  observe,
  observeSegment,
  oppositeDirection,
  senderOf,
  type Connection,
  type TrackedDirection,
} from './tcp/connections';
import { DataContentTracker, type PayloadConsumer } from './transfer/stream';
import { connectionUid, ZeekFtpObserver, ZeekFtpSessionLog, type ZeekFtpLogOptions, type ZeekFtpRecord } from './zeek/ftp-log';
import { TcpFlag, type CapturedFrame, type Direction, type FrameEvent, type FrameRef, type Finding, type TcpSegment } from './types';

/** Counters over everything ingested: the frames (src/decode/dispatch.ts), then the connections. */
export interface AnalysisStats extends FrameCounts {
  controlConnections: number;
  dataConnections: number;
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
   * Per-server findings (nonstandard-control-port) stay on the first session seen per server, whenever it ends.
   */
  sessionReleased?(session: FtpSession, startMicros: number, sequence: number): void;
}

/**
 * Which side of a control-port packet without SYN is the client: a reply line comes from the
 * server and a command line from the client; otherwise the side not on an FTP port.
 */
function senderIsClient(segment: TcpSegment, ftpPorts: ReadonlySet<number>): boolean {
  if (segment.flags & TcpFlag.SYN) return false;
  if (startsReply(segment.payload)) return false;
  if (startsCommand(segment.payload)) return true;
  return ftpPorts.has(segment.dstPort);
}

export class Analyzer {
  private readonly options: AnalyzerOptions;
  /** Which connections to track (src/correlate/admission.ts). */
  private readonly admission: Admission<SessionTracker>;
  private readonly table: ConnectionTable;
  private readonly registry: ExpectationRegistry<SessionTracker>;
  /** Frames in: copies dropped, fragments reassembled, TCP located (src/decode/dispatch.ts). */
  private readonly frames: FrameDispatcher;
  private readonly detector: FtpDetector;
  private readonly controls = new Map<Connection, ControlConnection>();
  /** Control connections that got no further than their SYNs, kept compact (src/tcp/attempts.ts). */
  private readonly attempts: ConnectionAttempts;
  /** When sessions begin, end and are handed out (src/diagnose/lifecycle.ts). */
  private readonly lifecycle: SessionLifecycle;
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
    // A data connection dropped from the full table is over for the analysis: file its content.
    this.table = new ConnectionTable(this.options.maxConnections, this.options.maxSequenceRanges, (connection) => this.endContent(connection));
    this.registry = new ExpectationRegistry(this.options.maxExpectations);
    this.detector = new FtpDetector(this.options, this.limits);
    this.admission = new Admission(this.options, this.registry, this.detector);
    this.frames = new FrameDispatcher(this.options, this.stats, this.limits, {
      located: (location, ref, timeMicros) => this.located(location, ref, timeMicros),
      segment: (segment, ref, timeMicros) => this.segment(segment, ref, timeMicros),
      unreachable: (error, ref, timeMicros) => this.unreachable(error, ref, timeMicros),
    });
    // Sessions are released as they end: a SYN alone gets its session only once answered.
    const defersSyns = this.events.sessionReleased !== undefined && !this.zeekFtp;
    this.attempts = new ConnectionAttempts(this.table, this.options.connectionIdleMicros);
    this.lifecycle = new SessionLifecycle(this.options, this.events, defersSyns, this.attempts, {
      startSession: (connection, sequence, fromSyn) => {
        const control = this.startControl(connection, sequence);
        if (fromSyn) control.startAfterSyn();
        return control.tracker.session;
      },
      endSession: (connection) => {
        const state = this.controls.get(connection);
        if (state) this.finishControl(connection, state);
      },
      endContent: (connection) => this.endContent(connection),
      closeConnection: (connection) => this.table.close(connection),
    });
  }

  /** Sessions held: open, ended but not yet released, or not yet handed out at finish(). */
  get heldSessions(): number {
    return this.lifecycle.held;
  }

  /** TCP connections tracked at the moment (control and data). */
  get trackedConnections(): number {
    return this.table.size;
  }

  ingest(frame: CapturedFrame): void {
    this.lifecycle.tick(frame.timeMicros);
    this.frames.dispatch(frame);
  }

  /**
   * A TCP segment located in a frame. Its connection is found from the frame's bytes; a packet of
   * no tracked connection that admission turns down (src/correlate/admission.ts) is skipped there, before anything
   * is built for it.
   */
  private located(location: TcpLocation, ref: FrameRef, timeMicros: number): void {
    const found = this.table.find(location.bytes, location.addressOffset, location.addressLength, location.srcPort, location.dstPort);
    if (found === undefined) {
      if (this.admission.preview(location) !== 'none') this.segment(segmentOf(location), ref, timeMicros, null);
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
    const direction = found.direction;
    const segment = segmentOf(location, senderOf(connection, direction).ip, senderOf(connection, oppositeDirection(direction)).ip);
    this.segment(segment, ref, timeMicros, found);
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

  /** Starts tracking a connection if admission finds a reason to (src/correlate/admission.ts). */
  private open(segment: TcpSegment, ref: FrameRef, timeMicros: number): Connection | null {
    const admitted = this.admission.classify(segment);
    switch (admitted.reason) {
      case 'announced-data':
      case 'midstream-data': {
        const { expectation } = admitted;
        const dialledBySender = admitted.reason === 'announced-data' || admitted.senderDialled;
        const connection = this.table.open(segment, 'data', dialledBySender, ref, timeMicros);
        this.stats.dataConnections++;
        expectation.owner.dataConnection(expectation.channel, connection);
        this.followContent(connection, expectation.owner, expectation.channel);
        return connection;
      }
      case 'watched-pair': {
        const connection = this.table.open(segment, 'data', true, ref, timeMicros);
        this.stats.dataConnections++;
        admitted.watcher.hiddenConnection(connection);
        this.followContent(connection, admitted.watcher, null);
        return connection;
      }
      case 'ftps-control': {
        const isSyn = (segment.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
        const connection = this.table.open(segment, 'control', isSyn || this.admission.isFtpsPort(segment.dstPort), ref, timeMicros);
        const control = this.startControl(connection);
        control.parser.startEncrypted();
        control.tracker.implicitTls({ ref, timeMicros });
        return connection;
      }
      case 'ftp-control': {
        const isSyn = (segment.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
        const connection = this.table.open(segment, 'control', isSyn || senderIsClient(segment, this.admission.policy.ftpPorts), ref, timeMicros);
        if (isSyn && this.lifecycle.deferSyn(connection)) this.stats.controlConnections++;
        else this.startControl(connection);
        return connection;
      }
      case 'detector-handshake':
        this.detector.handshake(connKey(segment.src, segment.srcPort, segment.dst, segment.dstPort), segment, ref, timeMicros);
        return null;
      case 'detector-candidate': {
        const key = connKey(segment.src, segment.srcPort, segment.dst, segment.dstPort);
        const detection = this.detector.inspect(key, segment, ref, timeMicros);
        return detection ? this.openDetected(detection) : null;
      }
      case 'none':
        return null;
    }
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

  /** Hands a segment of a tracked connection to its record and, for control, to its streams. */
  private feed(connection: Connection, direction: Direction, segment: TcpSegment, ref: FrameRef, timeMicros: number): void {
    observeSegment(connection, segment, direction, ref, timeMicros);
    connection.follower?.segment(direction, segment.flags, segment.seq, segment.ack, segment.payload, 0, segment.payload.length, ref, timeMicros);
    if (connection.role === 'control') this.lifecycle.answered(connection, segment, direction);
    const control = this.controls.get(connection);
    if (control && !control.finished) {
      control.segment(direction, segment, ref, timeMicros);
      if (control.notFtp) {
        this.letGo(connection, control);
        this.closeIfDone(connection);
        return;
      }
      if (control.needsWatching) {
        control.watched = true;
        this.admission.watched.watch(connection.orig.ip, connection.resp.ip, control.tracker);
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

  /** A new connection reuses this 4-tuple: the old one is over. */
  private retire(connection: Connection): void {
    const control = this.controls.get(connection);
    if (control) this.finishControl(connection, control);
    this.table.close(connection);
    this.endContent(connection);
  }

  private startControl(connection: Connection, sequence?: number): ControlConnection {
    if (sequence === undefined) this.stats.controlConnections++;
    const tracker = new SessionTracker(this.lifecycle.nextId, connection, this.registry, this.options, this.limits);
    tracker.folding = this.folding;
    const zeek = this.zeekFtp ? this.zeekLog(connection, this.zeekFtp) : null;
    const state = new ControlConnection(connection, tracker, zeek ? new ZeekFtpObserver(tracker, zeek) : tracker, this.options, this.limits, zeek);
    this.controls.set(connection, state);
    this.lifecycle.begin(tracker.session, sequence);
    return state;
  }

  /**
   * The connection carries another protocol (POP3 on port 21, SMTP on a --ftp-port, ...): it is
   * no FTP session. Its record stays in the table, only counted, so its packets are not looked at
   * again.
   */
  private letGo(connection: Connection, state: ControlConnection): void {
    state.letGo();
    this.lifecycle.forget(state.tracker.session);
    this.admission.watched.unwatch(connection.orig.ip, connection.resp.ip, state.tracker);
    this.controls.delete(connection);
    connection.role = 'other';
    this.stats.controlConnections--;
    this.stats.otherProtocolConnections++;
  }

  private finishControl(connection: Connection, state: ControlConnection): void {
    if (state.finished) return;
    state.end();
    this.admission.watched.unwatch(connection.orig.ip, connection.resp.ip, state.tracker);
    // The record stays in the table: late ACKs and retransmissions still belong to it.
    this.controls.delete(connection);
    this.lifecycle.controlEnded(connection, state.tracker.session);
  }

  /** How a session's finished channels past maxDataChannelsPerSession are folded. */
  private readonly folding: ChannelFolding = {
    diagnose: (session, channel, next) => diagnoseFoldedChannel(session, channel, next, this.options),
    endContent: (connection) => this.endContent(connection),
    firewall: (session, channel) => foldChannelFacts(session.folded.firewall, session, channel),
  };

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

  private zeekLog(connection: Connection, options: ZeekFtpLogOptions): ZeekFtpSessionLog {
    const id = { orig_h: connection.orig.ip, orig_p: connection.orig.port, resp_h: connection.resp.ip, resp_p: connection.resp.port };
    return new ZeekFtpSessionLog(connectionUid(connection), id, options, (record) => {
      this.zeekRecords.push(record);
      this.events.zeekFtp?.(record);
    });
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

  /**
   * A session handed to the sessionEnd listener that the caller is done with (it wrote it out):
   * the analyzer forgets it, so that a capture's sessions are not all held until finish(), which
   * no longer returns it. Its failed logins still count in the capture-level findings; its control
   * connection's record stays until nothing more is expected on it (its late packets are counted,
   * not taken for a new session), then leaves the table as a released session's does.
   */
  forgetEnded(session: FtpSession): void {
    this.lifecycle.letGo(session);
  }

  finish(): AnalysisResult {
    this.lifecycle.finishing = true;
    for (const [connection, state] of this.controls) this.finishControl(connection, state);
    for (const connection of [...this.contents.keys()]) this.endContent(connection);
    this.limits.reached('maxExpectations', null, this.registry.dropped);
    this.limits.reached('maxConnections', null, this.table.evicted);
    this.limits.reached('maxSequenceRanges', null, this.table.rangeCap.reached);
    this.findings.push(...diagnoseCapture(this.frames.facts(), limitFindings(this.limits, this.options)));
    const { sessions, unopened, findings } = this.lifecycle.finish();
    this.findings.push(...findings);
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
}
