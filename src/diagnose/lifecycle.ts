/**
 * When a session begins and ends for the analysis, and who gets it then. Sessions are held from
 * their control connection's first packet; a control connection that ends is diagnosed and
 * handed to the caller (`sessionEnd`), or waits for its data connections and late packets before
 * it is diagnosed, handed out and forgotten (`sessionReleased`), or stays until finish(). Control
 * SYNs nobody answered yet are kept as bare connection records until answered (with
 * `sessionReleased`), and at finish() a control connection that never opened is an attempt, not a
 * session. A session is diagnosed once (src/diagnose/index.ts); the per-server finding
 * (nonstandard-control-port) stays on the first session of each server, and failed logins are
 * tallied per client over every session.
 *
 * The control connections themselves (parser, streams) are the analyzer's: this module asks for
 * them through `LifecycleHooks`.
 */
import type { FtpSession, UnopenedControlConnection } from '../model';
import type { AnalyzerOptions } from '../options';
import type { Connection } from '../tcp/connections';
import { TcpFlag, type Direction, type Finding, type TcpSegment } from '../types';
import { diagnoseUnopenedControl, unopenedConnection, unopenedControl } from './control-attempts';
import { countRepeatedFindings, diagnoseSession, LoginFailureTally } from './index';

/** The listeners of the analyzer's events that sessions go to (see AnalyzerEvents). */
export interface SessionListeners {
  sessionEnd?(session: FtpSession): void;
  sessionReleased?(session: FtpSession, startMicros: number, sequence: number): void;
}

/** What the lifecycle asks of the analyzer's control-connection wiring. */
export interface LifecycleHooks {
  /**
   * Gives a control connection its session now, `sequence` its place in the order sessions were
   * seen; `fromSyn`: its client's stream starts right after the SYN already seen.
   */
  startSession(connection: Connection, sequence: number, fromSyn: boolean): void;
  /** Ends a control connection's session, if it still has one going. */
  endSession(connection: Connection): void;
  /** Files what a data connection carried, once it is over. */
  endContent(connection: Connection): void;
  /** The connection's record leaves the connection table. */
  closeConnection(connection: Connection): void;
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

/** How often (capture time) the ended sessions are looked at for release. */
const RELEASE_CHECK_MICROS = 250_000;

/** What finish() leaves: the sessions (none when released), the attempts, the findings across sessions. */
export interface LifecycleResult {
  sessions: FtpSession[];
  unopened: UnopenedControlConnection[];
  findings: Finding[];
}

export class SessionLifecycle {
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
  /** Time of the latest frame, in microseconds: where the capture ends. */
  private captureEndMicros = 0;
  /** Set while finish() closes the sessions still open. */
  finishing = false;
  /** Failed logins per client over the sessions released or finished. */
  private readonly loginFailures = new LoginFailureTally();
  /** Sessions already diagnosed (when they are handed out as they end). */
  private readonly completed = new Set<FtpSession>();
  /** Servers whose first session carries the nonstandard-control-port finding. */
  private readonly nonstandardPortServers = new Set<string>();

  constructor(
    private readonly options: AnalyzerOptions,
    private readonly events: SessionListeners,
    /** Whether a control SYN waits for an answer before it gets a session (see `deferSyn`). */
    private readonly defersSyns: boolean,
    private readonly hooks: LifecycleHooks,
  ) {}

  /** Sessions held: open, ended but not yet released, or not yet handed out at finish(). */
  get held(): number {
    return this.sessions.size + this.unanswered.size;
  }

  /** The number the next session gets when it begins (its `id` until finish() numbers them). */
  get nextId(): number {
    return this.sessions.size + this.released + 1;
  }

  /** A frame at `timeMicros` went in: the capture reaches that far, and ended sessions may be released. */
  tick(timeMicros: number): void {
    if (timeMicros > this.captureEndMicros) this.captureEndMicros = timeMicros;
    if (this.ending.length > 0 && this.captureEndMicros - this.lastReleaseCheck >= RELEASE_CHECK_MICROS) this.releaseEnded();
  }

  /** A session begins; `sequence` when it was already counted as seen (an answered SYN). */
  begin(session: FtpSession, sequence?: number): void {
    this.sessions.add(session);
    this.sequence.set(session, sequence ?? ++this.sessionsSeen);
  }

  /** A session that turned out to be no FTP at all: forgotten. */
  forget(session: FtpSession): void {
    this.sessions.delete(session);
    this.sequence.delete(session);
  }

  /**
   * A control connection of which only the client's SYN was seen so far, when sessions are
   * released: its record in the table, and where it came in the order sessions were seen, but no
   * session, parser or streams yet (a flood of unanswered SYNs costs one connection record each).
   */
  private readonly unanswered = new Map<Connection, number>();

  /** Holds a control connection opened by a SYN without a session until it is answered; false when sessions start at once. */
  deferSyn(connection: Connection): boolean {
    if (!this.defersSyns) return false;
    this.unanswered.set(connection, ++this.sessionsSeen);
    return true;
  }

  /** Gives an unanswered control connection its session once anything but its SYN (or a RST) comes. */
  answered(connection: Connection, segment: TcpSegment, direction: Direction): void {
    if (this.unanswered.size === 0) return;
    const sequence = this.unanswered.get(connection);
    if (sequence === undefined) return;
    if (segment.flags & TcpFlag.RST) return;
    if (direction === 'orig' && (segment.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && segment.payload.length === 0) return;
    this.unanswered.delete(connection);
    this.hooks.startSession(connection, sequence, true);
  }

  /**
   * A session's control connection ended (FIN both ways, RST, idle, or a new connection on its
   * 4-tuple): with sessionEnd it is handed out now, with sessionReleased it waits for release.
   */
  controlEnded(connection: Connection, session: FtpSession): void {
    if (this.finishing) return;
    // A control connection that never opened (refused, unanswered) is no session: finish() lists it
    // with the attempts.
    if (this.events.sessionEnd && unopenedControl(session, this.captureEndMicros) === null) {
      // The session is handed out now: what its data connections carried must be filed first.
      for (const channel of session.dataChannels) if (channel.connection) this.hooks.endContent(channel.connection);
      for (const hidden of [...session.tlsConnections, ...session.unannouncedConnections]) this.hooks.endContent(hidden);
      this.complete(session);
      this.events.sessionEnd(session);
    }
    // A control connection that may yet turn out never to have opened waits for finish().
    if (this.events.sessionReleased && unopenedControl(session, Infinity) === null) {
      this.ending.push({ session, control: connection });
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
        this.hooks.closeConnection(control);
      } else {
        waiting.push(entry);
      }
    }
    this.ending = waiting;
  }

  /** Diagnoses a session, hands it to sessionReleased and forgets it. */
  private release(session: FtpSession): void {
    const sequence = this.sequence.get(session) ?? 0;
    this.complete(session);
    this.loginFailures.add(session);
    this.sessions.delete(session);
    this.sequence.delete(session);
    this.completed.delete(session);
    this.released++;
    session.id = sequence;
    this.events.sessionReleased?.(session, session.control.first.timeMicros, sequence);
  }

  /** Diagnoses a session that ended; the per-server finding stays on the first session of each server. */
  private complete(session: FtpSession): void {
    if (this.completed.has(session)) return;
    this.completed.add(session);
    session.findings = countRepeatedFindings([...session.findings, ...diagnoseSession(session, this.options)], this.options.maxFindingsPerCode);
    const key = `${session.server.ip}|${session.server.port}`;
    if (!session.findings.some((f) => f.code === 'nonstandard-control-port')) return;
    if (this.nonstandardPortServers.has(key)) session.findings = session.findings.filter((f) => f.code !== 'nonstandard-control-port');
    this.nonstandardPortServers.add(key);
  }

  /**
   * The end of the capture, once every control connection still open was ended (`finishing`
   * set): sorts the sessions held from the attempts, diagnoses them, and hands them out
   * (sessionReleased) or returns them numbered by start time.
   */
  finish(): LifecycleResult {
    const findings: Finding[] = [];
    // Unanswered SYNs that the end of the capture leaves too recent to call unanswered are sessions.
    for (const [connection, sequence] of this.unanswered) {
      if (unopenedConnection(connection, this.captureEndMicros) !== null) continue;
      this.unanswered.delete(connection);
      this.hooks.startSession(connection, sequence, false);
      this.hooks.endSession(connection);
    }
    const unopened: UnopenedControlConnection[] = [];
    const sessions: FtpSession[] = [];
    const candidates: Array<{ control: Connection; session: FtpSession | null; sequence: number }> = [];
    for (const session of this.sessions) candidates.push({ control: session.control, session, sequence: this.sequence.get(session) ?? 0 });
    for (const [control, sequence] of this.unanswered) candidates.push({ control, session: null, sequence });
    this.unanswered.clear();
    // In the order sessions were seen when that is known (released sessions), else as they were added.
    if (this.events.sessionReleased) candidates.sort((a, b) => a.sequence - b.sequence);
    for (const { control, session } of candidates.sort((a, b) => a.control.first.timeMicros - b.control.first.timeMicros)) {
      const attempt = unopenedConnection(control, this.captureEndMicros);
      if (attempt) unopened.push(attempt);
      else if (session) sessions.push(session);
    }
    findings.push(...diagnoseUnopenedControl(unopened));
    if (this.events.sessionReleased) {
      for (const session of sessions) this.release(session);
      sessions.length = 0;
      this.ending = [];
    } else if (this.events.sessionEnd) {
      // Sessions were handed out as they ended, with the numbers they got when first seen: keep them.
      for (const session of sessions) this.complete(session);
    } else {
      sessions.forEach((session, i) => {
        session.id = i + 1;
        session.findings = countRepeatedFindings([...session.findings, ...diagnoseSession(session, this.options)], this.options.maxFindingsPerCode);
      });
      onePerServer(sessions, 'nonstandard-control-port');
    }
    for (const session of sessions) this.loginFailures.add(session);
    findings.push(...this.loginFailures.findings());
    return { sessions, unopened, findings };
  }
}
