import { TcpFlag, type Direction, type Endpoint, type FrameEvent, type FrameRef, type TcpSegment } from '../types';
import { seqDiff } from './reassembly';

/** The role the analyzer gave a connection when it started tracking it. */
export type ConnectionRole = 'control' | 'data';

/** Per-direction byte accounting by sequence space, so retransmissions are not counted twice. */
interface DirectionBytes {
  /** Sequence number of the first payload byte (ISN + 1), or of the first byte seen. */
  base: number | null;
  /** Highest sequence offset (relative to base) covered by any payload so far. */
  highest: number;
}

/**
 * One TCP connection. `orig` sent the first SYN (or, for a connection that began before the
 * capture, is the side the analyzer chose as client); `resp` is the other side.
 */
export interface Connection {
  id: number;
  role: ConnectionRole;
  orig: Endpoint;
  resp: Endpoint;
  ipVersion: 4 | 6;
  /** True when no SYN from orig was captured before its first packet. */
  midstream: boolean;
  first: FrameEvent;
  last: FrameEvent;
  syn: FrameEvent | null;
  /** SYNs sent by orig (1 + retransmissions). */
  synCount: number;
  lastSyn: FrameEvent | null;
  synAck: FrameEvent | null;
  /** The ACK from orig that completes the three-way handshake. */
  handshakeAck: FrameEvent | null;
  finOrig: FrameEvent | null;
  finResp: FrameEvent | null;
  rst: (FrameEvent & { from: Direction }) | null;
  /** Payload bytes per direction, each sequence byte counted once. */
  payload: Record<Direction, DirectionBytes>;
  /** Payload bytes that packets carried but the capture cut off, per direction. */
  cutBytes: Record<Direction, number>;
  packets: number;
}

/** Payload bytes that crossed a direction, each sequence byte counted once. */
export function payloadBytes(connection: Connection, direction: Direction): number {
  const bytes = connection.payload[direction];
  return bytes.base === null ? 0 : bytes.highest;
}

/** True once SYN, SYN-ACK and the final ACK were all seen, or data flowed both after a SYN-ACK. */
export function isEstablished(connection: Connection): boolean {
  return connection.synAck !== null && (connection.handshakeAck !== null || payloadBytes(connection, 'orig') > 0);
}

/** How the connection ended as far as the capture shows. */
export function connectionEnd(connection: Connection): 'fin' | 'rst' | 'open' {
  const firstFin = [connection.finOrig, connection.finResp]
    .filter((e): e is FrameEvent => e !== null)
    .reduce<FrameEvent | null>((a, b) => (a === null || b.timeMicros < a.timeMicros ? b : a), null);
  if (connection.rst && (firstFin === null || connection.rst.timeMicros < firstFin.timeMicros)) return 'rst';
  if (firstFin) return 'fin';
  return connection.rst ? 'rst' : 'open';
}

/** One key for both directions of a 4-tuple (STYLE habit 5). */
export function connKey(ipA: string, portA: number, ipB: string, portB: number): string {
  return ipA < ipB || (ipA === ipB && portA <= portB)
    ? `${ipA}|${portA}|${ipB}|${portB}`
    : `${ipB}|${portB}|${ipA}|${portA}`;
}

/** `ip|port`, the key of one endpoint. */
export function endpointKey(ip: string, port: number): string {
  return `${ip}|${port}`;
}

/** What `ConnectionTable.ingest` learned about a segment. */
export interface Observed {
  connection: Connection;
  direction: Direction;
  /** True when this segment opened a connection record. */
  isNew: boolean;
}

/**
 * The table of tracked TCP connections keyed by 4-tuple. It records handshake, FIN and RST frames
 * and counts payload bytes; it tracks only the connections the analyzer asks for (`open`), so other
 * traffic costs one map lookup per packet.
 */
export class ConnectionTable {
  private readonly byKey = new Map<string, Connection>();
  private nextId = 1;
  /** Connections dropped because the table was full. */
  evicted = 0;

  constructor(private readonly maxConnections: number) {}

  get size(): number {
    return this.byKey.size;
  }

  /** Finds the tracked connection a segment belongs to, or null. */
  lookup(segment: TcpSegment): { connection: Connection; direction: Direction } | null {
    const connection = this.byKey.get(connKey(segment.src, segment.srcPort, segment.dst, segment.dstPort));
    if (!connection) return null;
    return { connection, direction: directionOf(connection, segment) };
  }

  /**
   * Starts tracking a connection for `segment`. `origIsSource` says whether the segment's sender
   * is orig (true for a SYN; for a midstream packet, whether the sender is the client).
   */
  open(segment: TcpSegment, role: ConnectionRole, origIsSource: boolean, ref: FrameRef, timeMicros: number): Connection {
    const key = connKey(segment.src, segment.srcPort, segment.dst, segment.dstPort);
    if (this.byKey.size >= this.maxConnections && !this.byKey.has(key)) this.evictOldest();
    const src = { ip: segment.src, port: segment.srcPort };
    const dst = { ip: segment.dst, port: segment.dstPort };
    const event = { ref, timeMicros };
    const isSyn = (segment.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
    const connection: Connection = {
      id: this.nextId++,
      role,
      orig: origIsSource ? src : dst,
      resp: origIsSource ? dst : src,
      ipVersion: segment.ipVersion,
      midstream: !isSyn,
      first: event,
      last: event,
      syn: null,
      synCount: 0,
      lastSyn: null,
      synAck: null,
      handshakeAck: null,
      finOrig: null,
      finResp: null,
      rst: null,
      payload: { orig: { base: null, highest: 0 }, resp: { base: null, highest: 0 } },
      cutBytes: { orig: 0, resp: 0 },
      packets: 0,
    };
    this.byKey.set(key, connection);
    return connection;
  }

  /** Forgets a connection (its record stays with whoever holds it). */
  close(connection: Connection): void {
    const key = connKey(connection.orig.ip, connection.orig.port, connection.resp.ip, connection.resp.port);
    if (this.byKey.get(key) === connection) this.byKey.delete(key);
  }

  private evictOldest(): void {
    const oldest = this.byKey.keys().next();
    if (!oldest.done) {
      this.byKey.delete(oldest.value);
      this.evicted++;
    }
  }
}

/** The direction of a segment on a connection. */
export function directionOf(connection: Connection, segment: TcpSegment): Direction {
  return segment.src === connection.orig.ip && segment.srcPort === connection.orig.port ? 'orig' : 'resp';
}

/**
 * True when a SYN on an already-tracked 4-tuple starts a new connection: the old one was closed
 * (FIN or RST) or the SYN carries a different initial sequence number after a completed handshake.
 */
export function isNewIncarnation(connection: Connection, segment: TcpSegment, direction: Direction): boolean {
  if ((segment.flags & (TcpFlag.SYN | TcpFlag.ACK)) !== TcpFlag.SYN) return false;
  if (connection.rst || connection.finOrig || connection.finResp) return true;
  if (direction !== 'orig') return true;
  return connection.synAck !== null && connection.payload.orig.base !== null
    && ((connection.payload.orig.base - 1) >>> 0) !== segment.seq;
}

/**
 * Updates a connection's record with one of its segments: handshake, FIN/RST and byte counts.
 * Returns the sequence number of the first payload byte, for reassembly.
 */
export function observeSegment(
  connection: Connection,
  segment: TcpSegment,
  direction: Direction,
  ref: FrameRef,
  timeMicros: number,
): void {
  const event = { ref, timeMicros };
  const flags = segment.flags;
  connection.last = event;
  connection.packets++;
  const syn = (flags & TcpFlag.SYN) !== 0;
  const ack = (flags & TcpFlag.ACK) !== 0;
  const bytes = connection.payload[direction];
  if (syn) {
    if (!ack && direction === 'orig') {
      connection.synCount++;
      if (connection.syn === null) connection.syn = event;
      connection.lastSyn = event;
    } else if (ack && direction === 'resp' && connection.synAck === null) {
      connection.synAck = event;
    }
    if (bytes.base === null) bytes.base = (segment.seq + 1) >>> 0;
  } else if (ack && !(flags & TcpFlag.RST) && direction === 'orig' && connection.synAck !== null && connection.handshakeAck === null) {
    connection.handshakeAck = event;
  }
  if (flags & TcpFlag.RST) {
    if (connection.rst === null) connection.rst = { ...event, from: direction };
  }
  if (flags & TcpFlag.FIN) {
    if (direction === 'orig' && connection.finOrig === null) connection.finOrig = event;
    if (direction === 'resp' && connection.finResp === null) connection.finResp = event;
  }
  const length = segment.payload.length + segment.missingPayload;
  connection.cutBytes[direction] += segment.missingPayload;
  if (length > 0 && !(flags & TcpFlag.RST)) {
    const dataSeq = syn ? (segment.seq + 1) >>> 0 : segment.seq;
    if (bytes.base === null) bytes.base = dataSeq;
    const end = seqDiff(dataSeq, bytes.base) + length;
    if (end > bytes.highest) bytes.highest = end;
  }
}
