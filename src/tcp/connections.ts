import { TcpFlag, type Direction, type Endpoint, type FrameEvent, type FrameRef, type PayloadContent, type TcpSegment } from '../types';
import { defaultOptions } from '../options';
import { seqDiff } from './reassembly';
import type { UnreachableKind } from '../decode/icmp';
import type { TransferMeter } from './performance';

/**
 * The role the analyzer gave a connection when it started tracking it: FTP control, a data
 * connection, or `other`, a connection on an FTP port found to carry another protocol (only
 * counted from then on, so its packets are not looked at again).
 */
export type ConnectionRole = 'control' | 'data' | 'other';

/**
 * How far past the last byte seen an acknowledgement is believed: more than any window of bytes a
 * capture could plausibly miss at the end of a transfer, less than a nonsense ACK number implies.
 */
const MAX_ACKED_BEYOND = 1 << 26;

/**
 * Per-direction byte accounting by sequence space, so retransmissions are not counted twice, and
 * the ranges of sequence space that captured segments covered, so bytes the capture lacks show.
 * Only counts are kept, never the payload.
 */
interface DirectionBytes {
  /** Sequence number of the first payload byte (ISN + 1), or of the first byte seen. */
  base: number | null;
  /** Highest sequence offset (relative to base) covered by any payload so far. */
  highest: number;
  /** Offset of this direction's FIN (the end of its bytes), once seen. */
  finEnd: number | null;
  /** Highest offset the other side acknowledged. */
  acked: number;
  /** Covered offsets as flat [start, end) pairs, sorted and merged; at most `maxRanges` pairs. */
  ranges: number[];
  /** The cap on `ranges`, shared by every connection of a table. */
  rangeCap: RangeCap;
  /** Holes merged away because there were more than `maxRanges` ranges: bytes in them are unknown. */
  rangesMerged: boolean;
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
  /** resp sent a segment that is neither SYN nor RST: it took part in the connection. */
  respSpoke: boolean;
  rst: (FrameEvent & { from: Direction }) | null;
  /**
   * The first ICMP/ICMPv6 destination unreachable that quoted one of this connection's segments:
   * who sent it, what it says, and which direction's segment it refused.
   */
  unreachable: (FrameEvent & { from: string; kind: UnreachableKind; icmpType: number; icmpCode: number; direction: Direction }) | null;
  /** Payload bytes per direction, each sequence byte counted once. */
  payload: Record<Direction, DirectionBytes>;
  /** Payload bytes that packets carried but the capture cut off, per direction. */
  cutBytes: Record<Direction, number>;
  packets: number;
  /** How its bytes flowed (retransmissions, stalls, zero windows), for data connections. */
  meter?: TransferMeter | undefined;
  /**
   * What each direction of a data connection carried (hashes, type, missing ranges), filed when
   * the connection ended or the analysis did; absent for control connections and while open.
   */
  content?: Partial<Record<Direction, PayloadContent>>;
  /** Follows the payload of a data connection while it is open (src/transfer/stream.ts). */
  follower?: PayloadFollower | undefined;
}

/**
 * Takes every segment of a connection after its record was updated: flags, sequence and
 * acknowledgement numbers, and the captured payload as `bytes[start, end)` (valid only during
 * the call; no view is made for a segment without payload).
 */
export interface PayloadFollower {
  segment(direction: Direction, flags: number, seq: number, ack: number, bytes: Buffer, start: number, end: number, ref: FrameRef, timeMicros: number): void;
}

/** The cap on the sequence ranges kept per direction (AnalyzerOptions.maxSequenceRanges), and how often it was reached. */
export interface RangeCap {
  readonly max: number;
  /** Directions of connections whose ranges had to be merged. */
  reached: number;
}

function emptyBytes(rangeCap: RangeCap): DirectionBytes {
  return { base: null, highest: 0, finEnd: null, acked: 0, ranges: [], rangeCap, rangesMerged: false };
}

/**
 * Payload bytes that crossed a direction, each sequence byte counted once. Where the capture lacks
 * the last segments, the FIN's sequence number, or else the other side's acknowledgement, tells
 * how far the bytes went. (An acknowledgement exactly one past the last byte seen is not used: it
 * may acknowledge a FIN the capture missed.)
 */
export function payloadBytes(connection: Connection, direction: Direction): number {
  const bytes = connection.payload[direction];
  if (bytes.base === null) return 0;
  if (bytes.finEnd !== null) return Math.max(bytes.highest, bytes.finEnd);
  const beyond = bytes.acked - bytes.highest;
  return beyond > 1 && beyond <= MAX_ACKED_BEYOND ? bytes.acked : bytes.highest;
}

/** Payload bytes of a direction that crossed the wire but are in no captured segment. */
export function missingBytes(connection: Connection, direction: Direction): number {
  const bytes = connection.payload[direction];
  let covered = 0;
  for (let i = 0; i < bytes.ranges.length; i += 2) covered += bytes.ranges[i + 1] - bytes.ranges[i];
  return Math.max(0, payloadBytes(connection, direction) - covered);
}

/** Records that captured segments covered offsets [start, end) of a direction. */
function cover(bytes: DirectionBytes, start: number, end: number): void {
  const r = bytes.ranges;
  const n = r.length;
  // The common case: in order, extending the last range.
  if (n > 0 && start >= r[n - 2] && start <= r[n - 1]) {
    if (end > r[n - 1]) r[n - 1] = end;
    return;
  }
  let i = 0;
  while (i < r.length && r[i + 1] < start) i += 2;
  let j = i;
  let s = start;
  let e = end;
  while (j < r.length && r[j] <= e) {
    s = Math.min(s, r[j]);
    e = Math.max(e, r[j + 1]);
    j += 2;
  }
  r.splice(i, j - i, s, e);
  if (r.length > bytes.rangeCap.max * 2) {
    if (!bytes.rangesMerged) bytes.rangeCap.reached++;
    // Merge across the smallest hole: its bytes are then counted as captured.
    let smallest = 1;
    for (let k = 3; k < r.length - 1; k += 2) if (r[k + 1] - r[k] < r[smallest + 1] - r[smallest]) smallest = k;
    r.splice(smallest, 2);
    bytes.rangesMerged = true;
  }
}

/**
 * True once SYN, SYN-ACK and the final ACK were all seen, or data came from orig after a SYN-ACK,
 * or resp took part in the connection beyond its SYN-ACK (then the handshake happened, even if
 * the capture lacks frames of it).
 */
export function isEstablished(connection: Connection): boolean {
  if (connection.respSpoke) return true;
  // Picked up by its payload, the handshake before the capture: it was established then.
  if (connection.midstream && connection.syn === null && connection.synAck === null) {
    return connection.payload.orig.base !== null || connection.payload.resp.base !== null;
  }
  return connection.synAck !== null && (connection.handshakeAck !== null || payloadBytes(connection, 'orig') > 0);
}

/** How the connection ended as far as the capture shows. */
export function connectionEnd(connection: Connection): 'fin' | 'rst' | 'open' {
  const closing = firstClose(connection);
  return closing === null ? 'open' : closing.how;
}

/** The first FIN or RST of the connection and the side that sent it, or null while it is open. */
export function firstClose(connection: Connection): (FrameEvent & { how: 'fin' | 'rst'; from: Direction }) | null {
  let best: (FrameEvent & { how: 'fin' | 'rst'; from: Direction }) | null = null;
  const consider = (event: FrameEvent | null, how: 'fin' | 'rst', from: Direction) => {
    if (event && (best === null || event.timeMicros < best.timeMicros)) best = { ...event, how, from };
  };
  consider(connection.rst, 'rst', connection.rst?.from ?? 'orig');
  consider(connection.finOrig, 'fin', 'orig');
  consider(connection.finResp, 'fin', 'resp');
  return best;
}

/**
 * How the three-way handshake went:
 * - `established`: SYN-ACK and the final ACK (or data from orig after the SYN-ACK);
 * - `refused`: the SYN was answered by RST;
 * - `unanswered`: SYN(s) without SYN-ACK or RST;
 * - `half-open`: SYN-ACK, but the final ACK never came (perhaps then reset: see `rst`);
 * - `midstream`: the connection began before the capture (no SYN seen).
 */
export type HandshakeOutcome = 'established' | 'refused' | 'unanswered' | 'half-open' | 'midstream';

export function handshakeOutcome(connection: Connection): HandshakeOutcome {
  if (connection.syn === null && connection.synAck === null && connection.midstream) return 'midstream';
  if (isEstablished(connection)) return 'established';
  if (connection.syn === null && connection.synAck === null) return 'unanswered';
  if (connection.synAck !== null) return 'half-open';
  if (connection.rst && connection.rst.from === 'resp') return 'refused';
  return 'unanswered';
}

/** One key for both directions of a 4-tuple (STYLE habit 5). */
export function connKey(ipA: string, portA: number, ipB: string, portB: number): string {
  return ipA < ipB || (ipA === ipB && portA <= portB) ? `${ipA}|${portA}|${ipB}|${portB}` : `${ipB}|${portB}|${ipA}|${portA}`;
}

/** `ip|port`, the key of one endpoint. */
export function endpointKey(ip: string, port: number): string {
  return `${ip}|${port}`;
}

/** A tracked connection as one of its directions finds it. */
export interface TrackedDirection {
  connection: Connection;
  direction: Direction;
}

/**
 * One direction of a tracked connection as the table files it: under its ports, with its source
 * and destination addresses as 32-bit big-endian words (2 for IPv4, 8 for IPv6) to tell apart the
 * connections that share the ports.
 */
interface FlowEntry extends TrackedDirection {
  /** portPair(source port, destination port). */
  readonly ports: number;
  readonly words: readonly number[];
  /** flowHashOfWords(ports, words): where the table files it. */
  readonly hash: number;
}

/** The source and destination ports of one direction as one 32-bit number. */
function portPair(srcPort: number, dstPort: number): number {
  return (srcPort << 16) | dstPort;
}

/** One step of the flow hash (a multiply-xorshift mix of 32-bit words). */
function mix(hash: number, word: number): number {
  const h = Math.imul(hash ^ word, 0x85ebca6b);
  return h ^ (h >>> 15);
}

/** The table's index of a direction: its ports and addresses mixed into 32 bits. */
function flowHashOfWords(ports: number, words: readonly number[]): number {
  let hash = mix(0x9e3779b9, ports);
  for (let i = 0; i < words.length; i++) hash = mix(hash, words[i]);
  return hash;
}

/** flowHashOfWords for the addresses as they are in a frame, nothing built. */
function flowHashOfBytes(ports: number, bytes: Buffer, offset: number, addressLength: number): number {
  let hash = mix(0x9e3779b9, ports);
  const end = offset + 2 * addressLength;
  for (let at = offset; at < end; at += 4) hash = mix(hash, bytes.readUInt32BE(at) | 0);
  return hash;
}

/** Two addresses side by side (4 + 4 or 16 + 16 bytes) as 32-bit big-endian words. */
function addressWords(bytes: Buffer, first: number, last: number): number[] {
  const words: number[] = [];
  for (let at = first; at < last; at += 4) words.push(bytes.readUInt32BE(at));
  return words;
}

/** Whether the source and destination addresses at `offset` in `bytes` are the entry's. */
function sameAddresses(entry: FlowEntry, bytes: Buffer, offset: number, addressLength: number): boolean {
  const words = entry.words;
  if (words.length * 2 !== addressLength) return false;
  for (let i = 0; i < words.length; i++) {
    if (bytes.readUInt32BE(offset + 4 * i) !== words[i]) return false;
  }
  return true;
}

function flowEntry(connection: Connection, direction: Direction, ports: number, words: number[]): FlowEntry {
  return { connection, direction, ports, words, hash: flowHashOfWords(ports, words) };
}

/**
 * The table of tracked TCP connections, each filed under both its directions. It records
 * handshake, FIN and RST frames and counts payload bytes; it tracks only the connections the
 * analyzer asks for (`open`), so other traffic costs one lookup per packet: by its ports (a
 * number), then its addresses compared where they are in the frame, nothing built.
 */
export class ConnectionTable {
  /**
   * The directions of tracked connections by their flow hash (ports and addresses); more than one
   * only when hashes collide, so a lookup costs the same however many connections share a port.
   */
  private readonly byFlow = new Map<number, FlowEntry[]>();
  /** Every tracked connection with its two directions, oldest first. */
  private readonly entriesOf = new Map<Connection, readonly [FlowEntry, FlowEntry]>();
  private nextId = 1;
  /** Connections dropped because the table was full. */
  evicted = 0;

  /** The cap on each direction's sequence ranges, and how often connections reached it. */
  readonly rangeCap: RangeCap;

  constructor(
    private readonly maxConnections: number,
    /** AnalyzerOptions.maxSequenceRanges, for each connection's byte accounting. */
    maxSequenceRanges = defaultOptions.maxSequenceRanges,
    /** Told of each connection dropped because the table was full (its record is final then). */
    private readonly onEvict: (connection: Connection) => void = () => undefined,
  ) {
    this.rangeCap = { max: maxSequenceRanges, reached: 0 };
  }

  get size(): number {
    return this.entriesOf.size;
  }

  /**
   * Finds the tracked connection of a packet, and its direction, from the packet's bytes: its
   * source and destination addresses at `addressOffset` (`addressLength` bytes each) and its ports.
   */
  find(bytes: Buffer, addressOffset: number, addressLength: number, srcPort: number, dstPort: number): TrackedDirection | undefined {
    const ports = portPair(srcPort, dstPort);
    const entries = this.byFlow.get(flowHashOfBytes(ports, bytes, addressOffset, addressLength));
    if (entries === undefined) return undefined;
    for (const entry of entries) {
      if (entry.ports === ports && sameAddresses(entry, bytes, addressOffset, addressLength)) return entry;
    }
    return undefined;
  }

  /** Finds the tracked connection a segment belongs to, or null. */
  lookup(segment: TcpSegment): TrackedDirection | null {
    return this.find(segment.addresses, 0, segment.addresses.length / 2, segment.srcPort, segment.dstPort) ?? null;
  }

  /**
   * Starts tracking a connection for `segment`. `origIsSource` says whether the segment's sender
   * is orig (true for a SYN; for a midstream packet, whether the sender is the client).
   */
  open(segment: TcpSegment, role: ConnectionRole, origIsSource: boolean, ref: FrameRef, timeMicros: number): Connection {
    const half = segment.addresses.length / 2;
    const src = addressWords(segment.addresses, 0, half);
    const dst = addressWords(segment.addresses, half, 2 * half);
    const previous = this.lookup(segment);
    if (previous !== null) this.close(previous.connection);
    else if (this.entriesOf.size >= this.maxConnections) this.evictOldest();
    const source = { ip: segment.src, port: segment.srcPort };
    const destination = { ip: segment.dst, port: segment.dstPort };
    const isSyn = (segment.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
    const connection = this.record(role, origIsSource ? source : destination, origIsSource ? destination : source, segment.ipVersion, { ref, timeMicros });
    connection.midstream = !isSyn;
    const forward = flowEntry(connection, origIsSource ? 'orig' : 'resp', portPair(segment.srcPort, segment.dstPort), [...src, ...dst]);
    const backward = flowEntry(connection, origIsSource ? 'resp' : 'orig', portPair(segment.dstPort, segment.srcPort), [...dst, ...src]);
    this.file(forward);
    this.file(backward);
    this.entriesOf.set(connection, [forward, backward]);
    return connection;
  }

  /**
   * A new connection record that no packet finds (it is not filed in the table): for `open`, and
   * for a connection brought back from a compact form when no packet of it will come any more.
   */
  record(role: ConnectionRole, orig: Endpoint, resp: Endpoint, ipVersion: 4 | 6, first: FrameEvent): Connection {
    return {
      id: this.nextId++,
      role,
      orig,
      resp,
      ipVersion,
      midstream: false,
      first,
      last: first,
      syn: null,
      synCount: 0,
      lastSyn: null,
      synAck: null,
      handshakeAck: null,
      finOrig: null,
      finResp: null,
      respSpoke: false,
      rst: null,
      unreachable: null,
      payload: { orig: emptyBytes(this.rangeCap), resp: emptyBytes(this.rangeCap) },
      cutBytes: { orig: 0, resp: 0 },
      packets: 0,
      // Set by whoever measures the connection; present from the start so every record has one shape.
      meter: undefined,
    };
  }

  /** Forgets every connection (their records stay with whoever holds them). */
  clear(): void {
    this.byFlow.clear();
    this.entriesOf.clear();
  }

  /** Forgets a connection (its record stays with whoever holds it). */
  close(connection: Connection): void {
    const entries = this.entriesOf.get(connection);
    if (entries === undefined) return;
    this.entriesOf.delete(connection);
    for (const entry of entries) this.unfile(entry);
  }

  private file(entry: FlowEntry): void {
    const entries = this.byFlow.get(entry.hash);
    if (entries === undefined) this.byFlow.set(entry.hash, [entry]);
    else entries.push(entry);
  }

  private unfile(entry: FlowEntry): void {
    const entries = this.byFlow.get(entry.hash);
    if (entries === undefined) return;
    const index = entries.indexOf(entry);
    if (index >= 0) entries.splice(index, 1);
    if (entries.length === 0) this.byFlow.delete(entry.hash);
  }

  private evictOldest(): void {
    const oldest = this.entriesOf.keys().next();
    if (!oldest.done) {
      this.close(oldest.value);
      this.evicted++;
      this.onEvict(oldest.value);
    }
  }
}

/** The direction of a segment on a connection. */
export function directionOf(connection: Connection, segment: TcpSegment): Direction {
  return segment.src === connection.orig.ip && segment.srcPort === connection.orig.port ? 'orig' : 'resp';
}

/** The other direction of a connection: the one that acknowledges what this one sends. */
export function oppositeDirection(direction: Direction): Direction {
  return direction === 'orig' ? 'resp' : 'orig';
}

/** The endpoint that sends in `direction` (orig sends orig's segments). */
export function senderOf(connection: Connection, direction: Direction): Endpoint {
  return direction === 'orig' ? connection.orig : connection.resp;
}

/**
 * True when a SYN on an already-tracked 4-tuple starts a new connection: the old one was closed
 * (FIN or RST), was idle for longer than `idleMicros`, or the SYN carries a different initial
 * sequence number after a completed handshake.
 */
export function isNewIncarnation(connection: Connection, segment: TcpSegment, direction: Direction, timeMicros: number, idleMicros: number): boolean {
  if ((segment.flags & (TcpFlag.SYN | TcpFlag.ACK)) !== TcpFlag.SYN) return false;
  if (connection.rst || connection.finOrig || connection.finResp) return true;
  if (timeMicros - connection.last.timeMicros > idleMicros) return true;
  if (direction !== 'orig') return true;
  return connection.synAck !== null && connection.payload.orig.base !== null && (connection.payload.orig.base - 1) >>> 0 !== segment.seq;
}

/** What the connection record needs of a segment: a TcpSegment, or a decoder's TcpLocation. */
export interface SegmentFacts {
  flags: number;
  seq: number;
  ack: number;
  /** Captured payload bytes. */
  readonly payloadLength: number;
  /** Payload bytes cut off by the snap length. */
  missingPayload: number;
  /** The receive window the sender advertises (unscaled). */
  window: number;
}

/** Updates a connection's record with one of its segments (see `observe`). */
export function observeSegment(connection: Connection, segment: TcpSegment, direction: Direction, ref: FrameRef, timeMicros: number): void {
  observe(
    connection,
    {
      flags: segment.flags,
      seq: segment.seq,
      ack: segment.ack,
      window: segment.window,
      payloadLength: segment.payload.length,
      missingPayload: segment.missingPayload,
    },
    direction,
    ref,
    timeMicros,
  );
}

/**
 * Updates a connection's record with one of its segments: handshake, FIN/RST and byte counts.
 * Takes only numbers, so data connections are counted without building a segment per packet.
 */
export function observe(connection: Connection, segment: SegmentFacts, direction: Direction, ref: FrameRef, timeMicros: number): void {
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
  } else if (!syn && direction === 'resp') {
    connection.respSpoke = true;
  }
  const length = segment.payloadLength + segment.missingPayload;
  connection.cutBytes[direction] += segment.missingPayload;
  const dataSeq = syn ? (segment.seq + 1) >>> 0 : segment.seq;
  if (length > 0 && !(flags & TcpFlag.RST)) {
    if (bytes.base === null) bytes.base = dataSeq;
    const start = seqDiff(dataSeq, bytes.base);
    const end = start + length;
    if (end > bytes.highest) bytes.highest = end;
    if (start >= 0) cover(bytes, start, end);
  }
  if (flags & TcpFlag.FIN) {
    if (direction === 'orig' && connection.finOrig === null) connection.finOrig = event;
    if (direction === 'resp' && connection.finResp === null) connection.finResp = event;
    if (bytes.base !== null && bytes.finEnd === null) bytes.finEnd = seqDiff(dataSeq, bytes.base) + length;
  }
  if (ack && !(flags & TcpFlag.RST)) {
    const other = connection.payload[oppositeDirection(direction)];
    if (other.base !== null) {
      const acked = seqDiff(segment.ack, other.base);
      if (acked > other.acked) other.acked = acked;
    }
  }
  connection.meter?.observe(segment, direction, bytes.base, bytes.acked, event);
}
