/**
 * Finding FTP control connections on ports nobody named. A connection becomes a candidate when
 * the server greets with `220` or `120` (the server speaks first in FTP) or, for a connection
 * picked up in the middle, when the client sends a command only FTP uses (`PASV`, `TYPE`, `CWD`,
 * ...; not POP3's USER, PASS, LIST or RETR). Every line of a candidate then goes to its
 * FtpEvidence (src/ftp/evidence.ts), which confirms FTP (a greeting answered by an FTP opening
 * command, or replies that answer FTP commands over several exchanges) or rejects it (a line only
 * another protocol sends: SMTP's EHLO, POP3's +OK, IMAP's tags, HTTP).
 *
 * Only segments whose payload begins like a greeting or an FTP-only command, or that belong to a
 * candidate (looked up by its ports), are looked at, so other traffic costs a few byte
 * comparisons. Candidates are bounded in number and each keeps at most a few segments (copied),
 * which are handed back on confirmation so the session is decoded from its greeting.
 */
import { LimitCounter } from '../limits';
import { defaultOptions, type AnalyzerOptions } from '../options';
import { TcpFlag, type FrameRef, type TcpSegment } from '../types';
import { startsCommand, startsReply } from './control';
import { FtpEvidence, ftpOnlyVerbs } from './evidence';

/** A segment kept while its connection is a candidate. */
export interface HeldSegment {
  segment: TcpSegment;
  ref: FrameRef;
  timeMicros: number;
}

/** A confirmed FTP control connection: which side is the client, and the segments held so far. */
export interface Detection {
  /** True when the client is the sender of the first held segment. */
  clientSentFirst: boolean;
  /** The connection was seen from the server's greeting on (else it was picked up mid-session). */
  fromGreeting: boolean;
  held: HeldSegment[];
}

interface Candidate {
  /** `ip|port` of the side believed to be the server. */
  server: string;
  fromGreeting: boolean;
  held: HeldSegment[];
  heldBytes: number;
  /** Segments not held because maxHeldSegments or maxHeldBytes was reached, with the first one. */
  notHeld: { maxHeldSegments: number; maxHeldBytes: number; first: FrameRef | null };
  evidence: FtpEvidence;
  /** The unfinished last line of each side's bytes so far (client, server). */
  partial: { client: string; server: string };
  /** portKey of the connection, to find its segments cheaply. */
  ports: number;
}

/**
 * A command verb (3 or 4 letters, as startsCommand accepts) as one number, upper case, one byte
 * each: verbs are compared without a string per packet.
 */
function verbKey(bytes: Uint8Array, start = 0): number {
  let key = 0;
  for (let i = start; i < start + 4 && i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === 0x20 || byte === 0x0d || byte === 0x0a) break;
    key = key * 256 + (byte & 0xdf);
  }
  return key;
}

const verbKeys = (verbs: string[]) => new Set(verbs.map((verb) => verbKey(Buffer.from(verb, 'latin1'))));

/** Commands that may start a candidate picked up in the middle of a session. */
const ftpOnly = verbKeys([...ftpOnlyVerbs]);

/** Both ports of a connection as one number, either order. */
function portKey(portA: number, portB: number): number {
  return portA < portB ? portA * 65536 + portB : portB * 65536 + portA;
}

/** The limits that keep a segment out of a candidate's held list. */
type HoldLimit = 'maxHeldSegments' | 'maxHeldBytes';

/** The limits of a detector (see src/options.ts). */
export type DetectorLimits = Pick<
  AnalyzerOptions,
  'maxDetectionCandidates' | 'maxHeldSegments' | 'maxHeldBytes' | 'maxDetectionLineLength' | 'maxDetectionPendingCommands'
>;

export class FtpDetector {
  private readonly candidates = new Map<string, Candidate>();
  /** Candidates by portKey (how many share those ports): the cheap first look of their segments. */
  private readonly candidatePorts = new Map<number, number>();
  /** Connections already shown not to be FTP (another protocol's client spoke): not looked at again. */
  private readonly rejected = new Set<string>();
  /** SYN and SYN-ACK of recent connections, so a connection found to be FTP starts at its handshake. */
  private readonly handshakes = new Map<string, HeldSegment[]>();

  private readonly maxCandidates: number;

  constructor(
    private readonly limits: DetectorLimits = defaultOptions,
    /** Counts the limits reached (candidates dropped, segments not held, lines too long). */
    private readonly reached = new LimitCounter(),
  ) {
    this.maxCandidates = limits.maxDetectionCandidates;
  }

  /**
   * Looks at a segment of a connection nobody tracks. Returns the detection once the connection
   * is confirmed as FTP control (the held segments include this one), else null.
   */
  inspect(key: string, segment: TcpSegment, ref: FrameRef, timeMicros: number): Detection | null {
    const payload = segment.payload;
    const sender = `${segment.src}|${segment.srcPort}`;
    let candidate = this.candidates.get(key);
    /** Null when the segment was held, else the limit that kept it out. */
    let refused: HoldLimit | null;
    if (candidate === undefined) {
      if (this.rejected.has(key)) return null;
      let server: string;
      if (startsReply(payload) && isGreeting(payload)) server = sender;
      else if (startsCommand(payload) && ftpOnly.has(verbKey(payload))) server = `${segment.dst}|${segment.dstPort}`;
      else return null;
      candidate = {
        server,
        fromGreeting: server === sender,
        held: [],
        heldBytes: 0,
        notHeld: { maxHeldSegments: 0, maxHeldBytes: 0, first: null },
        evidence: new FtpEvidence(server === sender, false, this.limits.maxDetectionPendingCommands, () =>
          this.reached.reached('maxDetectionPendingCommands', ref),
        ),
        partial: { client: '', server: '' },
        ports: portKey(segment.srcPort, segment.dstPort),
      };
      refused = this.add(key, candidate, segment, ref, timeMicros);
    } else {
      refused = this.hold(candidate, segment, ref, timeMicros);
    }
    this.lines(candidate, sender === candidate.server ? 'server' : 'client', payload, ref);
    const verdict = candidate.evidence.verdict;
    if (verdict === 'ftp') {
      // The caller feeds this segment last: it ends the held list even when the list was full.
      if (refused !== null) candidate.held.push({ segment, ref, timeMicros });
      return this.confirm(key, candidate);
    }
    if (refused !== null) {
      // Counted as a limit reached only if the connection turns out to be FTP (see confirm).
      candidate.notHeld[refused]++;
      candidate.notHeld.first ??= ref;
    }
    if (verdict === 'not-ftp') {
      this.remove(key);
      if (this.rejected.size >= this.maxCandidates) this.rejected.delete(this.rejected.values().next().value as string);
      this.rejected.add(key);
    }
    return null;
  }

  /**
   * Whether a payload of a connection nobody tracks is worth a look: a greeting or an FTP-only
   * command can start a candidate, and any payload on the ports of a candidate may be its.
   * Cheap (a few byte comparisons and a number lookup, no allocation), so other traffic passes quickly.
   */
  worthInspecting(bytes: Uint8Array, start: number, end: number, srcPort: number, dstPort: number): boolean {
    if (this.candidatePorts.size > 0 && this.candidatePorts.has(portKey(srcPort, dstPort))) return true;
    if (startsReply(bytes, start, end)) return isGreeting(bytes.subarray(start, start + 4));
    return startsCommand(bytes, start, end) && ftpOnly.has(verbKey(bytes, start));
  }

  /** Remembers a SYN or SYN-ACK of a connection nobody tracks (the most recent ones only). */
  handshake(key: string, segment: TcpSegment, ref: FrameRef, timeMicros: number): void {
    let list = this.handshakes.get(key);
    if (list === undefined) {
      if (this.handshakes.size >= this.maxCandidates) {
        const oldest = this.handshakes.keys().next();
        if (!oldest.done) this.handshakes.delete(oldest.value);
      }
      list = [];
      this.handshakes.set(key, list);
    }
    // A SYN after a finished handshake starts over (a new connection on the same 4-tuple).
    if (list.length >= 2 || (list.length > 0 && !(segment.flags & TcpFlag.ACK))) list.length = 0;
    list.push({ segment: { ...segment, payload: Buffer.alloc(0), addresses: Buffer.from(segment.addresses) }, ref, timeMicros });
  }

  /** The connection ended or is tracked otherwise: forget it. */
  forget(key: string): void {
    this.remove(key);
  }

  get size(): number {
    return this.candidates.size;
  }

  private add(key: string, candidate: Candidate, segment: TcpSegment, ref: FrameRef, timeMicros: number): HoldLimit | null {
    if (this.candidates.size >= this.maxCandidates) {
      const oldest = this.candidates.keys().next();
      if (!oldest.done) {
        this.remove(oldest.value);
        this.reached.reached('maxDetectionCandidates', ref);
      }
    }
    this.candidates.set(key, candidate);
    this.candidatePorts.set(candidate.ports, (this.candidatePorts.get(candidate.ports) ?? 0) + 1);
    // The handshake, when it was seen, goes first: the session then starts at its SYN.
    const handshake = this.handshakes.get(key);
    if (handshake) {
      candidate.held.push(...handshake);
      this.handshakes.delete(key);
    }
    return this.hold(candidate, segment, ref, timeMicros);
  }

  private remove(key: string): void {
    const candidate = this.candidates.get(key);
    if (candidate === undefined) return;
    this.candidates.delete(key);
    const count = (this.candidatePorts.get(candidate.ports) ?? 1) - 1;
    if (count > 0) this.candidatePorts.set(candidate.ports, count);
    else this.candidatePorts.delete(candidate.ports);
  }

  /** Hands the complete lines of a payload to the candidate's evidence; keeps the unfinished one. */
  private lines(candidate: Candidate, side: 'client' | 'server', payload: Buffer, ref: FrameRef): void {
    const text = candidate.partial[side] + payload.toString('latin1');
    const lines = text.split('\n');
    const rest = lines.pop() as string;
    const tooLong = rest.length > this.limits.maxDetectionLineLength;
    if (tooLong) this.reached.reached('maxDetectionLineLength', ref);
    candidate.partial[side] = tooLong ? '' : rest;
    const evidence = candidate.evidence;
    for (const raw of lines) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (side === 'client') evidence.clientLine(line);
      else evidence.serverLine(line);
      if (evidence.decided) return;
    }
  }

  /** Keeps a copy of the segment unless the candidate holds enough already; null when it did, else the limit reached. */
  private hold(candidate: Candidate, segment: TcpSegment, ref: FrameRef, timeMicros: number): HoldLimit | null {
    if (candidate.held.length >= this.limits.maxHeldSegments) return 'maxHeldSegments';
    if (candidate.heldBytes + segment.payload.length > this.limits.maxHeldBytes) return 'maxHeldBytes';
    // Copy: the frame's bytes belong to the capture reader.
    candidate.held.push({ segment: { ...segment, payload: Buffer.from(segment.payload), addresses: Buffer.from(segment.addresses) }, ref, timeMicros });
    candidate.heldBytes += segment.payload.length;
    return null;
  }

  private confirm(key: string, candidate: Candidate): Detection {
    this.remove(key);
    const held = candidate.held;
    const { notHeld } = candidate;
    this.reached.reached('maxHeldSegments', notHeld.first, notHeld.maxHeldSegments);
    this.reached.reached('maxHeldBytes', notHeld.first, notHeld.maxHeldBytes);
    const first = held[0].segment;
    return {
      clientSentFirst: `${first.src}|${first.srcPort}` !== candidate.server,
      fromGreeting: candidate.fromGreeting || (first.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN,
      held,
    };
  }
}

/** An FTP greeting line: `220 ` or `220-` (or `120`, service ready soon). */
function isGreeting(payload: Uint8Array): boolean {
  return (payload[0] === 0x32 || payload[0] === 0x31) && payload[1] === 0x32 && payload[2] === 0x30 && (payload[3] === 0x20 || payload[3] === 0x2d);
}
