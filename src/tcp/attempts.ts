/**
 * Connection attempts that never got past the client's SYN (unanswered, or answered by RST), kept
 * compact: a scan or a client retrying against a dropping firewall sends one SYN per attempt, and
 * a connection record per attempt (about 2 KB) would make memory grow with the capture.
 *
 * A control connection of which only SYNs (and perhaps one RST) were seen is `hold`-en here with
 * its full record while it is young. Once nothing came on it for COMPACT_AFTER_MICROS (`settle`),
 * its record leaves the connection table and a row of numbers (about 100 bytes) takes its place,
 * filed under its 4-tuple. A later packet of that 4-tuple finds it with `claim`: a retransmitted
 * SYN is counted on the row, as the record would have counted it; a SYN that starts a new
 * connection (after the RST, or idle for longer than the idle timeout) leaves the row final;
 * anything else (a SYN-ACK slower than COMPACT_AFTER_MICROS) brings the full record back into the
 * table, as it was, to go on from there. At the end, the caller says what each row was (an
 * attempt that never opened, or, too recent for that, a session) and may `restore` a row's record.
 */
import { TcpFlag, type Direction, type Endpoint, type FrameEvent, type TcpSegment } from '../types';
import type { Connection, ConnectionTable, TrackedDirection } from './connections';

/** An attempt kept as a row, as it is handed out: the facts of its record, and its place in the order connections were seen. */
export interface ConnectionAttempt {
  client: Endpoint;
  server: Endpoint;
  /** The first SYN and the last retransmission of it. */
  syn: FrameEvent;
  lastSyn: FrameEvent;
  /** SYNs sent (1 + retransmissions). */
  synCount: number;
  /** The RST that ended it, from either side; null when none came. */
  rst: (FrameEvent & { from: Direction }) | null;
  /** The number the caller gave it in `hold`. */
  sequence: number;
  /** Where it is kept (for restore). */
  row: number;
}

/**
 * How long a held attempt waits, with nothing on it, before it is made compact (capture time):
 * longer than most handshakes take, so that the SYN-ACK usually finds the full record.
 */
export const COMPACT_AFTER_MICROS = 100_000;

/** A growable column of numbers. */
class Column<T extends Float64Array | Uint32Array | Int32Array> {
  constructor(
    public values: T,
    private readonly make: (length: number) => T,
  ) {}
  ensure(length: number): void {
    if (length <= this.values.length) return;
    const grown = this.make(Math.max(length, this.values.length * 2));
    grown.set(this.values);
    this.values = grown;
  }
}

const floats = (n: number) => new Column(new Float64Array(n), (length) => new Float64Array(length));
const words = (n: number) => new Column(new Uint32Array(n), (length) => new Uint32Array(length));

/** Row flags. */
const FILED = 1;
const HAS_RST = 2;
const RST_FROM_RESP = 4;
const IPV6 = 8;
/** The row was brought back as a full record: it is no attempt kept here any more. */
const REVIVED = 16;

/** No row (end of a chain in the index). */
const NONE = 0xffffffff;

/** One step of a multiply-xorshift mix of 32-bit words. */
function mix(hash: number, word: number): number {
  const h = Math.imul(hash ^ word, 0x85ebca6b);
  return h ^ (h >>> 15);
}

function tupleHash(client: number, clientPort: number, server: number, serverPort: number): number {
  return mix(mix(mix(0x9e3779b9, client), server), ((clientPort << 16) | serverPort) >>> 0) & 0x3fffffff;
}

/**
 * Whether a connection's record holds nothing but SYNs from orig without payload and, as its last
 * packet, at most one RST: then a row of numbers says all it says.
 */
function compactable(c: Connection): boolean {
  if (c.syn === null || c.lastSyn === null || c.midstream || c.synAck !== null || c.handshakeAck !== null || c.respSpoke) return false;
  if (c.finOrig !== null || c.finResp !== null || c.unreachable !== null || c.meter !== undefined || c.follower !== undefined) return false;
  if (c.cutBytes.orig !== 0 || c.cutBytes.resp !== 0 || c.payload.orig.base === null || c.payload.resp.base !== null) return false;
  const orig = c.payload.orig;
  if (orig.highest !== 0 || orig.ranges.length !== 0 || orig.finEnd !== null || orig.acked !== 0 || c.payload.resp.acked !== 0) return false;
  if (c.first.timeMicros !== c.syn.timeMicros || c.first.ref.frame !== c.syn.ref.frame || c.first.ref.input !== c.syn.ref.input) return false;
  const last = c.rst ?? c.lastSyn;
  if (c.last.timeMicros !== last.timeMicros || c.last.ref.frame !== last.ref.frame || c.last.ref.input !== last.ref.input) return false;
  return c.packets === c.synCount + (c.rst === null ? 0 : 1);
}

export class ConnectionAttempts {
  /** Attempts still held as full records, by where they came (young ones, looked at by settle). */
  private readonly young = new Map<Connection, number>();
  /** Full records that can never be made compact (more than SYNs and one RST): kept until the end. */
  private readonly kept = new Map<Connection, number>();

  /** Addresses of the rows, each once. */
  private readonly addresses: string[] = [];
  private readonly addressIndex = new Map<string, number>();

  private rows = 0;
  private readonly client = words(256);
  private readonly server = words(256);
  /** Client port << 16 | server port. */
  private readonly ports = words(256);
  private readonly flags = words(256);
  private readonly synCount = words(256);
  /** Sequence number of the client's first payload byte (its ISN + 1). */
  private readonly base = words(256);
  private readonly sequence = words(256);
  /** Next row in the same index chain (NONE: the last). */
  private readonly next = words(256);
  /** Input, frame and time of the first SYN, the last SYN and the RST. */
  private readonly synInput = words(256);
  private readonly synFrame = floats(256);
  private readonly synTime = floats(256);
  private readonly lastSynInput = words(256);
  private readonly lastSynFrame = floats(256);
  private readonly lastSynTime = floats(256);
  private readonly rstInput = words(256);
  private readonly rstFrame = floats(256);
  private readonly rstTime = floats(256);
  /** The first row of each chain, by the hash of the rows' 4-tuples. */
  private readonly index = new Map<number, number>();

  /** Capture time of the last look at the young attempts. */
  private lastSettle = -Infinity;

  constructor(
    private readonly table: ConnectionTable,
    /** A SYN on a 4-tuple idle for longer than this starts a new connection (AnalyzerOptions.connectionIdleMicros). */
    private readonly idleMicros: number,
  ) {}

  /** Attempts held as full records. */
  get held(): number {
    return this.young.size + this.kept.size;
  }

  /** Holds a control connection opened by a SYN, under `sequence`, until something answers it. */
  hold(connection: Connection, sequence: number): void {
    this.young.set(connection, sequence);
  }

  /** The sequence of a held connection, which is held no longer; undefined when it is not held. */
  take(connection: Connection): number | undefined {
    const sequence = this.young.get(connection) ?? this.kept.get(connection);
    if (sequence !== undefined) {
      this.young.delete(connection);
      this.kept.delete(connection);
    }
    return sequence;
  }

  /** The attempts held as full records, with their sequences (the youngest ones last). */
  *heldRecords(): Generator<[Connection, number]> {
    yield* this.kept;
    yield* this.young;
  }

  /**
   * Turns the held attempts on which nothing came for COMPACT_AFTER_MICROS at `nowMicros` (the
   * latest capture time) into rows; their records leave the connection table. Looks at most once
   * per COMPACT_AFTER_MICROS of capture time.
   */
  settle(nowMicros: number): void {
    if (nowMicros - this.lastSettle < COMPACT_AFTER_MICROS) return;
    this.lastSettle = nowMicros;
    let budget = this.young.size;
    for (const [connection, sequence] of this.young) {
      if (budget-- <= 0) break;
      // Held in the order they came: the rest are younger.
      if (nowMicros - connection.first.timeMicros < COMPACT_AFTER_MICROS) break;
      this.young.delete(connection);
      if (nowMicros - connection.last.timeMicros < COMPACT_AFTER_MICROS) {
        // Retransmitted lately: look again later.
        this.young.set(connection, sequence);
      } else if (!compactable(connection)) {
        this.kept.set(connection, sequence);
      } else {
        this.table.close(connection);
        this.compact(connection, sequence);
      }
    }
  }

  private intern(address: string): number {
    let index = this.addressIndex.get(address);
    if (index === undefined) {
      index = this.addresses.length;
      this.addresses.push(address);
      this.addressIndex.set(address, index);
    }
    return index;
  }

  private compact(c: Connection, sequence: number): void {
    const row = this.rows++;
    for (const column of [this.client, this.server, this.ports, this.flags, this.synCount, this.base, this.sequence, this.next, this.synInput])
      column.ensure(this.rows);
    for (const column of [this.lastSynInput, this.rstInput]) column.ensure(this.rows);
    for (const column of [this.synFrame, this.synTime, this.lastSynFrame, this.lastSynTime, this.rstFrame, this.rstTime]) column.ensure(this.rows);
    const syn = c.syn as FrameEvent;
    const lastSyn = c.lastSyn as FrameEvent;
    const client = this.intern(c.orig.ip);
    const server = this.intern(c.resp.ip);
    this.client.values[row] = client;
    this.server.values[row] = server;
    this.ports.values[row] = ((c.orig.port << 16) | c.resp.port) >>> 0;
    let flags = FILED | (c.ipVersion === 6 ? IPV6 : 0);
    if (c.rst !== null) {
      flags |= HAS_RST | (c.rst.from === 'resp' ? RST_FROM_RESP : 0);
      this.rstInput.values[row] = c.rst.ref.input;
      this.rstFrame.values[row] = c.rst.ref.frame;
      this.rstTime.values[row] = c.rst.timeMicros;
    }
    this.flags.values[row] = flags;
    this.synCount.values[row] = c.synCount;
    this.base.values[row] = c.payload.orig.base as number;
    this.sequence.values[row] = sequence;
    this.synInput.values[row] = syn.ref.input;
    this.synFrame.values[row] = syn.ref.frame;
    this.synTime.values[row] = syn.timeMicros;
    this.lastSynInput.values[row] = lastSyn.ref.input;
    this.lastSynFrame.values[row] = lastSyn.ref.frame;
    this.lastSynTime.values[row] = lastSyn.timeMicros;
    const hash = tupleHash(client, c.orig.port, server, c.resp.port);
    this.next.values[row] = this.index.get(hash) ?? NONE;
    this.index.set(hash, row);
  }

  /** The row filed under a segment's 4-tuple, and whether the segment's sender is its client. */
  private find(segment: TcpSegment): { row: number; hash: number; fromClient: boolean } | null {
    const src = this.addressIndex.get(segment.src);
    const dst = this.addressIndex.get(segment.dst);
    if (src === undefined || dst === undefined) return null;
    for (const fromClient of [true, false]) {
      const [client, clientPort, server, serverPort] = fromClient ? [src, segment.srcPort, dst, segment.dstPort] : [dst, segment.dstPort, src, segment.srcPort];
      const hash = tupleHash(client, clientPort, server, serverPort);
      const ports = ((clientPort << 16) | serverPort) >>> 0;
      for (let row = this.index.get(hash) ?? NONE; row !== NONE; row = this.next.values[row]) {
        if (this.client.values[row] === client && this.server.values[row] === server && this.ports.values[row] === ports) return { row, hash, fromClient };
      }
    }
    return null;
  }

  /** Takes a row out of its index chain: no packet finds it any more. */
  private unfile(row: number, hash: number): void {
    const next = this.next.values[row];
    let at = this.index.get(hash) ?? NONE;
    if (at === row) {
      if (next === NONE) this.index.delete(hash);
      else this.index.set(hash, next);
    } else {
      while (at !== NONE && this.next.values[at] !== row) at = this.next.values[at];
      if (at !== NONE) this.next.values[at] = next;
    }
    this.flags.values[row] &= ~FILED;
  }

  /**
   * A packet that belongs to no tracked connection, looked up among the rows: `counted` when it
   * was a retransmitted SYN of an attempt (nothing more to do with it); the record brought back
   * into the table (and held again, under its sequence) when it goes on the attempt in another
   * way; null when it belongs to no attempt, or starts a new connection on an attempt's 4-tuple.
   */
  claim(segment: TcpSegment, ref: FrameEvent['ref'], timeMicros: number): 'counted' | TrackedDirection | null {
    if (this.index.size === 0) return null;
    const found = this.find(segment);
    if (found === null) return null;
    const { row, hash, fromClient } = found;
    const flags = this.flags.values[row];
    const lastTime = flags & HAS_RST ? this.rstTime.values[row] : this.lastSynTime.values[row];
    if ((segment.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN) {
      // As isNewIncarnation: after a RST, after the idle timeout, or a SYN from the server.
      if (flags & HAS_RST || timeMicros - lastTime > this.idleMicros || !fromClient) {
        this.unfile(row, hash);
        return null;
      }
      this.synCount.values[row]++;
      this.lastSynInput.values[row] = ref.input;
      this.lastSynFrame.values[row] = ref.frame;
      this.lastSynTime.values[row] = timeMicros;
      return 'counted';
    }
    this.unfile(row, hash);
    this.flags.values[row] |= REVIVED;
    const attempt = this.attempt(row);
    const connection = this.table.open(segment, 'control', fromClient, ref, timeMicros);
    this.fill(connection, attempt);
    // Held again, young: it may be made compact again (a RST from the client), or be answered.
    this.young.set(connection, attempt.sequence);
    return { connection, direction: fromClient ? 'orig' : 'resp' };
  }

  /**
   * The record of a row's connection, as it was when the row was made, not in the table: for a
   * row that turns out to be a session at the end of the capture. The row is no attempt any more.
   */
  restore(attempt: ConnectionAttempt): Connection {
    const flags = this.flags.values[attempt.row];
    if (flags & FILED)
      this.unfile(attempt.row, tupleHash(this.client.values[attempt.row], attempt.client.port, this.server.values[attempt.row], attempt.server.port));
    this.flags.values[attempt.row] |= REVIVED;
    const connection = this.table.record('control', attempt.client, attempt.server, flags & IPV6 ? 6 : 4, attempt.syn);
    this.fill(connection, attempt);
    return connection;
  }

  /** Puts back what the SYNs and the RST had written in a connection's record. */
  private fill(connection: Connection, attempt: ConnectionAttempt): void {
    connection.midstream = false;
    connection.first = attempt.syn;
    connection.syn = attempt.syn;
    connection.lastSyn = attempt.lastSyn;
    connection.synCount = attempt.synCount;
    connection.rst = attempt.rst;
    connection.last = attempt.rst ?? attempt.lastSyn;
    connection.packets = attempt.synCount + (attempt.rst === null ? 0 : 1);
    connection.payload.orig.base = this.base.values[attempt.row];
  }

  /** Server endpoints handed out, one object per address and port (a flood has few). */
  private readonly servers = new Map<number, Endpoint>();

  private serverEndpoint(address: number, port: number): Endpoint {
    const key = address * 65536 + port;
    let endpoint = this.servers.get(key);
    if (endpoint === undefined) {
      endpoint = { ip: this.addresses[address], port };
      this.servers.set(key, endpoint);
    }
    return endpoint;
  }

  private attempt(row: number): ConnectionAttempt {
    const flags = this.flags.values[row];
    const ports = this.ports.values[row];
    const rst: ConnectionAttempt['rst'] =
      flags & HAS_RST
        ? {
            ref: { input: this.rstInput.values[row], frame: this.rstFrame.values[row] },
            timeMicros: this.rstTime.values[row],
            from: flags & RST_FROM_RESP ? 'resp' : 'orig',
          }
        : null;
    const syn = { ref: { input: this.synInput.values[row], frame: this.synFrame.values[row] }, timeMicros: this.synTime.values[row] };
    // One SYN: the first is the last (one object, as in the record).
    const lastSyn =
      this.synCount.values[row] === 1
        ? syn
        : { ref: { input: this.lastSynInput.values[row], frame: this.lastSynFrame.values[row] }, timeMicros: this.lastSynTime.values[row] };
    return {
      client: { ip: this.addresses[this.client.values[row]], port: ports >>> 16 },
      server: this.serverEndpoint(this.server.values[row], ports & 0xffff),
      syn,
      lastSyn,
      synCount: this.synCount.values[row],
      rst,
      sequence: this.sequence.values[row],
      row,
    };
  }

  /** The attempts kept as rows, by their first SYN's time, ties in the order of their sequences. */
  *attempts(): Generator<ConnectionAttempt> {
    const rows: number[] = [];
    for (let row = 0; row < this.rows; row++) if (!(this.flags.values[row] & REVIVED)) rows.push(row);
    const order = Uint32Array.from(rows);
    order.sort((a, b) => this.synTime.values[a] - this.synTime.values[b] || this.sequence.values[a] - this.sequence.values[b]);
    for (const row of order) yield this.attempt(row);
  }

  /** Forgets every attempt, held or kept as a row. */
  clear(): void {
    this.young.clear();
    this.kept.clear();
    this.index.clear();
    this.servers.clear();
    this.rows = 0;
  }
}
