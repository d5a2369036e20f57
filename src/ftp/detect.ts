/**
 * Finding FTP control connections on ports nobody named. A connection becomes a candidate when
 * one side greets with `220` (the server speaks first in FTP) or, for a connection picked up in
 * the middle, when one side sends a command only FTP uses; it is confirmed when the other side
 * answers the way an FTP peer would (a command such as USER, AUTH TLS or FEAT after the greeting;
 * a reply after the command). SMTP also greets with 220, but its client says EHLO or HELO, which
 * drops the candidate.
 *
 * Only segments whose payload begins like a reply or a command are looked at, so other traffic
 * costs a few byte comparisons. Candidates are bounded in number and each keeps at most a few
 * segments (copied), which are handed back on confirmation so the session is decoded from its
 * greeting.
 */
import { TcpFlag, type FrameRef, type TcpSegment } from '../types';
import { startsCommand, startsReply } from './control';

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

/** Commands that, answering a 220 greeting, mark the client of an FTP session. */
const afterGreeting = verbKeys(['USER', 'FEAT', 'SYST', 'OPTS', 'HOST', 'CLNT', 'SITE']);
/** Commands no other common line protocol uses: enough to pick up a session in the middle. */
const ftpOnly = verbKeys([
  'PASV', 'EPSV', 'PORT', 'EPRT', 'LPRT', 'LPSV', 'TYPE', 'RETR', 'STOR', 'STOU', 'APPE', 'CWD', 'CDUP',
  'PWD', 'XPWD', 'SIZE', 'MDTM', 'MLSD', 'MLST', 'NLST', 'REST', 'FEAT', 'SYST', 'USER', 'PASS', 'MKD', 'RMD', 'DELE', 'RNFR', 'RNTO',
]);
/** Client greetings of other protocols that also begin with a 220 banner (SMTP, LMTP). */
const notFtp = verbKeys(['EHLO', 'HELO', 'LHLO', 'MAIL', 'RCPT', 'DATA']);
const AUTH = verbKey(Buffer.from('AUTH', 'latin1'));

const MAX_HELD_SEGMENTS = 8;
const MAX_HELD_BYTES = 4096;

export class FtpDetector {
  private readonly candidates = new Map<string, Candidate>();
  /** Connections already shown not to be FTP (another protocol's client spoke): not looked at again. */
  private readonly rejected = new Set<string>();
  /** SYN and SYN-ACK of recent connections, so a connection found to be FTP starts at its handshake. */
  private readonly handshakes = new Map<string, HeldSegment[]>();

  constructor(private readonly maxCandidates: number) {}

  /**
   * Looks at a segment of a connection nobody tracks. Returns the detection once the connection
   * is confirmed as FTP control (the held segments include this one), else null.
   */
  inspect(key: string, segment: TcpSegment, ref: FrameRef, timeMicros: number): Detection | null {
    const payload = segment.payload;
    const reply = startsReply(payload);
    const command = !reply && startsCommand(payload);
    if (!reply && !command) return null;
    const sender = `${segment.src}|${segment.srcPort}`;
    const candidate = this.candidates.get(key);
    if (candidate === undefined) {
      if (this.rejected.has(key)) return null;
      if (reply && isGreeting(payload)) this.add(key, { server: sender, fromGreeting: true, held: [], heldBytes: 0 }, segment, ref, timeMicros);
      else if (command && ftpOnly.has(verbKey(payload))) {
        const server = `${segment.dst}|${segment.dstPort}`;
        this.add(key, { server, fromGreeting: false, held: [], heldBytes: 0 }, segment, ref, timeMicros);
      }
      return null;
    }
    const fromServer = sender === candidate.server;
    if (fromServer && reply) {
      if (!candidate.fromGreeting) return this.confirm(key, candidate, segment, ref, timeMicros);
      this.hold(candidate, segment, ref, timeMicros);
      return null;
    }
    if (!fromServer && command) {
      const verb = verbKey(payload);
      if (notFtp.has(verb)) {
        this.candidates.delete(key);
        if (this.rejected.size >= this.maxCandidates) this.rejected.delete(this.rejected.values().next().value as string);
        this.rejected.add(key);
        return null;
      }
      if (candidate.fromGreeting && answersGreeting(verb, payload)) return this.confirm(key, candidate, segment, ref, timeMicros);
      this.hold(candidate, segment, ref, timeMicros);
    }
    return null;
  }

  /**
   * Whether a payload of a connection nobody tracks is worth a look: a 220 greeting or an FTP-only
   * command can start a candidate; while there are candidates, any reply or command may be theirs.
   * Cheap (a few byte comparisons, no allocation), so other traffic passes quickly.
   */
  worthInspecting(bytes: Uint8Array, start: number, end: number): boolean {
    if (startsReply(bytes, start, end)) return this.candidates.size > 0 || isGreeting(bytes.subarray(start, start + 4));
    if (!startsCommand(bytes, start, end)) return false;
    return this.candidates.size > 0 || ftpOnly.has(verbKey(bytes, start));
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
    list.push({ segment: { ...segment, payload: Buffer.alloc(0) }, ref, timeMicros });
  }

  /** The connection ended or is tracked otherwise: forget it. */
  forget(key: string): void {
    this.candidates.delete(key);
  }

  get size(): number {
    return this.candidates.size;
  }

  private add(key: string, candidate: Candidate, segment: TcpSegment, ref: FrameRef, timeMicros: number): void {
    if (this.candidates.size >= this.maxCandidates) {
      const oldest = this.candidates.keys().next();
      if (!oldest.done) this.candidates.delete(oldest.value);
    }
    this.candidates.set(key, candidate);
    // The handshake, when it was seen, goes first: the session then starts at its SYN.
    const handshake = this.handshakes.get(key);
    if (handshake) {
      candidate.held.push(...handshake);
      this.handshakes.delete(key);
    }
    this.hold(candidate, segment, ref, timeMicros);
  }

  private hold(candidate: Candidate, segment: TcpSegment, ref: FrameRef, timeMicros: number): void {
    if (candidate.held.length >= MAX_HELD_SEGMENTS || candidate.heldBytes + segment.payload.length > MAX_HELD_BYTES) return;
    // Copy: the frame's bytes belong to the capture reader.
    candidate.held.push({ segment: { ...segment, payload: Buffer.from(segment.payload) }, ref, timeMicros });
    candidate.heldBytes += segment.payload.length;
  }

  private confirm(key: string, candidate: Candidate, segment: TcpSegment, ref: FrameRef, timeMicros: number): Detection {
    this.candidates.delete(key);
    const held = [...candidate.held, { segment, ref, timeMicros }];
    const first = held[0].segment;
    return {
      clientSentFirst: `${first.src}|${first.srcPort}` !== candidate.server,
      fromGreeting: candidate.fromGreeting || (first.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN,
      held,
    };
  }
}

/** The client's first words after a 220: FTP commands (AUTH only as AUTH TLS or AUTH SSL, as SMTP has AUTH too). */
function answersGreeting(verb: number, payload: Buffer): boolean {
  if (afterGreeting.has(verb)) return true;
  return verb === AUTH && /^AUTH (TLS|SSL)/i.test(payload.toString('latin1', 0, 8));
}

/** A 220 greeting line: `220 ` or `220-`. */
function isGreeting(payload: Uint8Array): boolean {
  return payload[0] === 0x32 && payload[1] === 0x32 && payload[2] === 0x30 && (payload[3] === 0x20 || payload[3] === 0x2d);
}

