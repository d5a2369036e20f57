/**
 * When a session begins and ends for the analysis, and who gets it then. Sessions are held from
 * their control connection's first packet; a control connection that ends is diagnosed and
 * handed to the caller (`sessionEnd`), or waits for its data connections and late packets before
 * it is diagnosed, handed out and forgotten (`sessionReleased`), or stays until finish(). Control
 * SYNs nobody answered yet are held until answered (with `sessionReleased`), soon as compact rows
 * (src/tcp/attempts.ts), and at finish() a control connection that never opened is an attempt, not a
 * session. A session is diagnosed once (src/diagnose/index.ts); the per-server finding
 * (nonstandard-control-port) stays on the first session of each server, and failed logins are
 * tallied per client over every session.
 *
 * The control connections themselves (parser, streams) are the analyzer's: this module asks for
 * them through `LifecycleHooks`.
 */
import type { FtpSession, UnopenedControlConnection } from '../model';
import type { AnalyzerOptions } from '../options';
import type { ConnectionAttempt, ConnectionAttempts } from '../tcp/attempts';
import type { Connection } from '../tcp/connections';
import { TcpFlag, type Direction, type Finding, type TcpSegment } from '../types';
import { diagnoseUnopenedControl, unopenedAttempt, unopenedConnection, unopenedControl } from './control-attempts';
import { countRepeatedFindings, diagnoseSession, LoginFailureTally } from './index';
import { STANDARD_PORTS } from './session';

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
  startSession(connection: Connection, sequence: number, fromSyn: boolean): FtpSession;
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

function serverKey(session: FtpSession): string {
  return `${session.server.ip}|${session.server.port}`;
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
 * The unopened control connections from full records (`listed`) and from rows (`compact`), each
 * sorted, as one list: by the first SYN's time, ties in the order they were seen.
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
const RELEASE_CHECK_MICROS = 50_000;

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
  /**
   * Control connections of sessions handed out (sessionEnd) and let go by their listener, whose
   * records stay in the table until nothing more is expected on them: until then their late
   * packets are counted, not taken for a new session.
   */
  private lingering: Connection[] = [];
  /** Time of the latest frame, in microseconds: where the capture ends. */
  private captureEndMicros = 0;
  /** Set while finish() closes the sessions still open. */
  finishing = false;
  /** Failed logins per client over the sessions released or finished. */
  private readonly loginFailures = new LoginFailureTally();
  /** Sessions already diagnosed (when they are handed out as they end). */
  private readonly completed = new Set<FtpSession>();
  /**
   * Sessions not yet diagnosed on each server with a nonstandard control port that has no session
   * with the finding yet, by sequence: the finding goes to the first session seen, not to the
   * first one to end (which depends on when ended sessions are looked at).
   */
  private readonly pendingPerServer = new Map<string, Set<number>>();
  /** Servers whose first session carries the nonstandard-control-port finding. */
  private readonly nonstandardPortServers = new Set<string>();

  constructor(
    private readonly options: AnalyzerOptions,
    private readonly events: SessionListeners,
    /** Whether a control SYN waits for an answer before it gets a session (see `deferSyn`). */
    private readonly defersSyns: boolean,
    /** Where those SYNs wait: held records, then compact rows. */
    private readonly attempts: ConnectionAttempts,
    private readonly hooks: LifecycleHooks,
  ) {}

  /** Sessions held: open, ended but not yet released, or not yet handed out at finish(). */
  get held(): number {
    return this.sessions.size + this.attempts.held;
  }

  /** The number the next session gets when it begins (its `id` until finish() numbers them). */
  get nextId(): number {
    return this.sessions.size + this.released + 1;
  }

  /** A frame at `timeMicros` went in: the capture reaches that far, and ended sessions may be released. */
  tick(timeMicros: number): void {
    if (timeMicros > this.captureEndMicros) this.captureEndMicros = timeMicros;
    if ((this.ending.length > 0 || this.lingering.length > 0) && this.captureEndMicros - this.lastReleaseCheck >= RELEASE_CHECK_MICROS) {
      this.releaseEnded();
      this.closeLingering();
    }
    if (this.attempts.held > 0) this.attempts.settle(this.captureEndMicros);
  }

  /** A session begins; `sequence` when it was already counted as seen (an answered SYN). */
  begin(session: FtpSession, sequence?: number): void {
    const seen = sequence ?? ++this.sessionsSeen;
    this.sessions.add(session);
    this.sequence.set(session, seen);
    const key = serverKey(session);
    if (STANDARD_PORTS.has(session.server.port) || this.nonstandardPortServers.has(key)) return;
    let pending = this.pendingPerServer.get(key);
    if (pending === undefined) this.pendingPerServer.set(key, (pending = new Set()));
    pending.add(seen);
  }

  /** The session is diagnosed or no session at all: it no longer waits for the per-server finding. */
  private settled(session: FtpSession): void {
    const key = serverKey(session);
    const pending = this.pendingPerServer.get(key);
    if (pending === undefined) return;
    pending.delete(this.sequence.get(session) ?? 0);
    if (pending.size === 0) this.pendingPerServer.delete(key);
  }

  /** Whether a session of the same server seen before this one is still to be diagnosed. */
  private earlierPending(session: FtpSession): boolean {
    const pending = this.pendingPerServer.get(serverKey(session));
    if (pending === undefined) return false;
    const own = this.sequence.get(session) ?? 0;
    for (const sequence of pending) if (sequence < own) return true;
    return false;
  }

  /** A session that turned out to be no FTP at all: forgotten. */
  forget(session: FtpSession): void {
    this.settled(session);
    this.sessions.delete(session);
    this.sequence.delete(session);
  }

  /**
   * Holds a control connection opened by a SYN without a session until it is answered (no
   * session, parser or streams yet, and soon no connection record: a flood of unanswered SYNs
   * costs a row of numbers each); false when sessions start at once.
   */
  deferSyn(connection: Connection): boolean {
    if (!this.defersSyns) return false;
    this.attempts.hold(connection, ++this.sessionsSeen);
    return true;
  }

  /** Gives an unanswered control connection its session once anything but its SYN (or a RST) comes. */
  answered(connection: Connection, segment: TcpSegment, direction: Direction): void {
    if (this.attempts.held === 0) return;
    if (segment.flags & TcpFlag.RST) return;
    if (direction === 'orig' && (segment.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && segment.payload.length === 0) return;
    const sequence = this.attempts.take(connection);
    if (sequence === undefined) return;
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

  /**
   * A session handed to sessionEnd that its listener is done with (it wrote it out): forgotten as
   * a released one is, so finish() no longer returns it; its failed logins still count in the
   * findings across sessions, and it keeps its number (the next session's number does not change).
   * Its control connection's record leaves the table as a released session's does: once its close
   * is acknowledged, or nothing came on it for sessionReleaseMicros after FIN or RST, or for
   * connectionIdleMicros.
   */
  letGo(session: FtpSession): void {
    if (!this.completed.has(session) || !this.sessions.has(session)) return;
    this.forgetDiagnosed(session);
    if (!this.closeIfQuiet(session.control)) this.lingering.push(session.control);
  }

  /** Closes a let-go control connection's record when nothing more is expected on it; true when closed. */
  private closeIfQuiet(control: Connection): boolean {
    const quiet = this.captureEndMicros - control.last.timeMicros;
    const closing = control.rst !== null || control.finOrig !== null || control.finResp !== null;
    if (closedAndAcknowledged(control) || (closing && quiet > this.options.sessionReleaseMicros) || quiet > this.options.connectionIdleMicros) {
      this.hooks.closeConnection(control);
      return true;
    }
    return false;
  }

  private closeLingering(): void {
    if (this.lingering.length > 0) this.lingering = this.lingering.filter((control) => !this.closeIfQuiet(control));
  }

  /** Diagnoses a session, hands it to sessionReleased and forgets it. */
  private release(session: FtpSession): void {
    const sequence = this.sequence.get(session) ?? 0;
    this.complete(session);
    this.forgetDiagnosed(session);
    session.id = sequence;
    this.events.sessionReleased?.(session, session.control.first.timeMicros, sequence);
  }

  /**
   * A diagnosed session leaves for good (released, or written out by the sessionEnd listener):
   * its failed logins are tallied, and it counts towards the next session's number.
   */
  private forgetDiagnosed(session: FtpSession): void {
    this.loginFailures.add(session);
    this.sessions.delete(session);
    this.sequence.delete(session);
    this.completed.delete(session);
    this.released++;
  }

  /** Diagnoses a session that ended; the per-server finding stays on the first session of each server. */
  private complete(session: FtpSession): void {
    if (this.completed.has(session)) return;
    this.completed.add(session);
    session.findings = countRepeatedFindings([...session.findings, ...diagnoseSession(session, this.options)], this.options.maxFindingsPerCode);
    const earlier = this.earlierPending(session);
    this.settled(session);
    const key = serverKey(session);
    if (!session.findings.some((f) => f.code === 'nonstandard-control-port')) return;
    if (this.nonstandardPortServers.has(key) || earlier) {
      session.findings = session.findings.filter((f) => f.code !== 'nonstandard-control-port');
      return;
    }
    this.nonstandardPortServers.add(key);
    this.pendingPerServer.delete(key);
  }

  /**
   * The end of the capture, once every control connection still open was ended (`finishing`
   * set): sorts the sessions held from the attempts, diagnoses them, and hands them out
   * (sessionReleased) or returns them numbered by start time.
   */
  finish(): LifecycleResult {
    const findings: Finding[] = [];
    // Unanswered SYNs that the end of the capture leaves too recent to call unanswered are sessions.
    for (const [connection, sequence] of [...this.attempts.heldRecords()]) {
      if (unopenedConnection(connection, this.captureEndMicros) !== null) continue;
      this.attempts.take(connection);
      this.hooks.startSession(connection, sequence, false);
      this.hooks.endSession(connection);
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
        found = this.hooks.startSession(connection, row.sequence, false);
        this.hooks.endSession(connection);
      }
      const attempt = unopenedConnection(connection as Connection, this.captureEndMicros);
      if (attempt) {
        listed.push({ attempt, sequence });
        if (found) this.settled(found);
      } else if (found && release) this.release(found);
      else if (found) sessions.push(found);
    }
    const unopened = mergeAttempts(listed, compact);
    this.attempts.clear();
    findings.push(...diagnoseUnopenedControl(unopened));
    if (release) {
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
