/**
 * One FTP control connection as the analysis follows it: a stream reassembler per direction
 * (tcp/reassembly.ts) delivering ordered bytes, with gaps marked, to the line parser
 * (ftp/control.ts), whose commands and replies go to the session tracker (tracker.ts) or to an
 * observer in front of it (Zeek's ftp.log). The connection's TCP record is the connection
 * table's; this is what hangs off it while it is a control connection.
 */
import { ControlParser, type ControlObserver } from '../ftp/control';
import type { LimitCounter } from '../limits';
import type { AnalyzerOptions } from '../options';
import { oppositeDirection, type Connection } from '../tcp/connections';
import { StreamReassembler, type ReassembledChunk, type ReassemblyEvents } from '../tcp/reassembly';
import { TcpFlag, type Direction, type FrameRef, type TcpSegment } from '../types';
import type { SessionTracker } from './tracker';

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

export class ControlConnection {
  readonly parser: ControlParser;
  readonly streams: Record<Direction, StreamReassembler>;
  /** Ended (or let go): its segments are only counted. */
  finished = false;
  /** Connections between its hosts are being watched since the switch to TLS or a gap. */
  watched = false;

  constructor(
    readonly connection: Connection,
    readonly tracker: SessionTracker,
    /** Where the parser's commands and replies go: the tracker, or an observer in front of it. */
    observer: ControlObserver,
    options: AnalyzerOptions,
    limits: LimitCounter,
    /** Told when the connection ends (Zeek's ftp.log for it). */
    private readonly log: { end(): void } | null,
  ) {
    const parser = new ControlParser(observer, options, limits);
    if (connection.midstream) parser.startMidstream();
    const deliver = (direction: Direction) => (chunk: ReassembledChunk) => parser.chunk(direction, chunk);
    const events = (direction: Direction) => reassemblyEvents(tracker, direction, options, limits);
    this.parser = parser;
    this.streams = {
      orig: new StreamReassembler(deliver('orig'), options.maxOutOfOrderBytes, events('orig'), options.maxRememberedBytes),
      resp: new StreamReassembler(deliver('resp'), options.maxOutOfOrderBytes, events('resp'), options.maxRememberedBytes),
    };
  }

  /** A segment of this connection: what it acknowledges, its SYN and its payload, to the streams. */
  segment(direction: Direction, segment: TcpSegment, ref: FrameRef, timeMicros: number): void {
    const stream = this.streams[direction];
    // What this side acknowledges tells whether the other side's holes will ever be filled.
    if (segment.flags & TcpFlag.ACK && !(segment.flags & TcpFlag.RST)) {
      this.streams[oppositeDirection(direction)].acknowledge(segment.ack);
    }
    if (segment.flags & TcpFlag.SYN) stream.start((segment.seq + 1) >>> 0);
    if (segment.payload.length > 0 && !(segment.flags & TcpFlag.RST)) {
      const seq = segment.flags & TcpFlag.SYN ? (segment.seq + 1) >>> 0 : segment.seq;
      stream.push(seq, segment.payload, ref, timeMicros);
    }
  }

  /** The client's stream starts right after the SYN the connection record already saw (a session given late). */
  startAfterSyn(): void {
    const base = this.connection.payload.orig.base;
    if (this.connection.syn !== null && base !== null) this.streams.orig.start(base);
  }

  /** The bytes so far show another protocol (POP3, SMTP, ...): no FTP session. */
  get notFtp(): boolean {
    return this.parser.evidence.verdict === 'not-ftp';
  }

  /** Whether its announcements cannot all be read any more (TLS, or bytes missing): its host pair needs watching. */
  get needsWatching(): boolean {
    const session = this.tracker.session;
    return !this.watched && (session.tls !== null || session.gapBytes > 0);
  }

  /** The connection ended: what the streams hold is delivered, the parser and the session finished. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.streams.orig.flush();
    this.streams.resp.flush();
    this.parser.end(this.connection.last);
    this.tracker.finish();
    this.log?.end();
  }

  /** The connection is no FTP session: the session is finished as it is, nothing delivered. */
  letGo(): void {
    this.finished = true;
    this.tracker.finish();
  }
}
