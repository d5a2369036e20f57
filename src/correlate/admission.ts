/**
 * Which connections the analysis tracks: the one place that decides it. A packet of no tracked
 * connection is admitted for one reason, tried in this order (the first that holds wins):
 *
 * 1. `announced-data`: a SYN to an endpoint an announcement (PORT, EPRT, 227, 229) expects, from
 *    the host expected to dial it. An announced endpoint wins over the control ports:
 *    `PORT h,h,h,h,0,21` is a data connection.
 * 2. `midstream-data`: payload (no SYN, no RST) between an announced endpoint and the host expected
 *    to dial it: that channel's connection, whose handshake the capture lacks.
 * 3. `watched-pair`: a SYN, not to a control port, between the hosts of a session whose
 *    announcements cannot all be read (TLS, or bytes missing from its control connection).
 * 4. `ftps-control` / `ftp-control`: a packet to or from an implicit-TLS or a plain FTP control
 *    port that carries a SYN or payload (a stray ACK or FIN of a connection that ended before the
 *    capture is no session; it is admitted for no other reason either).
 * 5. `detector-handshake`: a SYN or SYN-ACK the FTP detector remembers, so that a connection found
 *    to be FTP later starts at its handshake (only with `detectFtp`).
 * 6. `detector-candidate`: payload that begins like an FTP greeting or an FTP-only command, or
 *    belongs to a detection candidate (only with `detectFtp`).
 * 7. `none`: not tracked; the packet is skipped.
 *
 * The order is written once, in `classifyAdmission`. Two callers ask it: `preview`, the cheap
 * look at a frame the decoder only located (numbers and offsets, no text address), which answers
 * the table lookups by port only and so may admit a packet the exact look turns down, never the
 * other way round; and `classify`, the exact look at a decoded segment, which also hands back what
 * it matched (the expectation, the watching session). A packet `preview` calls `none` is dropped
 * before anything is built for it.
 */
import type { TcpLocation } from '../decode/tcp';
import type { FtpDetector } from '../ftp/detect';
import type { AnalyzerOptions } from '../options';
import { TcpFlag, type TcpSegment } from '../types';
import type { Expectation, ExpectationRegistry } from './expectations';

/** Why a packet of no tracked connection starts (or may start) tracking one. */
export type AdmissionReason =
  | 'announced-data'
  | 'midstream-data'
  | 'watched-pair'
  | 'ftps-control'
  | 'ftp-control'
  | 'detector-handshake'
  | 'detector-candidate'
  | 'none';

/**
 * The answers admission needs from the tables, for the packet being classified. An exact answer
 * for a decoded segment; for a located frame, a cheap one that may say yes wrongly, never no.
 */
export interface AdmissionLookups {
  /** A SYN's destination is an announced endpoint expecting its source. */
  announced(): boolean;
  /** The packet is between an announced endpoint and the host expected to dial it, either way. */
  midstream(): boolean;
  /** The packet's hosts are those of a watched session. */
  watched(): boolean;
  /** The FTP detector wants to see the payload. */
  worthInspecting(): boolean;
}

/** The fixed part of admission: the control ports and whether the FTP detector runs. */
export interface AdmissionPolicy {
  ftpPorts: ReadonlySet<number>;
  ftpsPorts: ReadonlySet<number>;
  detectFtp: boolean;
}

/** The admission rules, in order (see the file comment). `flags` are the TCP flags. */
export function classifyAdmission(
  flags: number,
  srcPort: number,
  dstPort: number,
  payloadLength: number,
  policy: AdmissionPolicy,
  lookups: AdmissionLookups,
): AdmissionReason {
  const synOnly = (flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
  if (synOnly && lookups.announced()) return 'announced-data';
  if (!(flags & (TcpFlag.SYN | TcpFlag.RST)) && payloadLength > 0 && lookups.midstream()) return 'midstream-data';
  const { ftpPorts, ftpsPorts } = policy;
  const toControlPort = ftpPorts.has(dstPort) || ftpsPorts.has(dstPort);
  if (synOnly && !toControlPort && lookups.watched()) return 'watched-pair';
  // Without its SYN, a control connection is picked up at its first packet that carries data (or
  // the SYN-ACK).
  const startsSomething = (flags & TcpFlag.SYN) !== 0 || payloadLength > 0;
  if (ftpsPorts.has(dstPort) || ftpsPorts.has(srcPort)) return startsSomething ? 'ftps-control' : 'none';
  if (ftpPorts.has(dstPort) || ftpPorts.has(srcPort)) return startsSomething ? 'ftp-control' : 'none';
  if (!policy.detectFtp) return 'none';
  if (flags & TcpFlag.SYN) return 'detector-handshake';
  if (payloadLength === 0) return 'none';
  return lookups.worthInspecting() ? 'detector-candidate' : 'none';
}

/** One key for a pair of hosts, either order. */
function hostPairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/**
 * Host pairs of sessions whose announcements cannot all be read (TLS, or bytes missing from the
 * control connection): their connections that answer no announcement are probably data. One
 * watcher per pair, the latest.
 */
export class WatchedPairs<Owner> {
  private readonly pairs = new Map<string, Owner>();

  get size(): number {
    return this.pairs.size;
  }

  watch(a: string, b: string, owner: Owner): void {
    this.pairs.set(hostPairKey(a, b), owner);
  }

  /** Stops watching the pair for `owner` (not when another session watches it since). */
  unwatch(a: string, b: string, owner: Owner): void {
    const key = hostPairKey(a, b);
    if (this.pairs.get(key) === owner) this.pairs.delete(key);
  }

  get(a: string, b: string): Owner | undefined {
    return this.size === 0 ? undefined : this.pairs.get(hostPairKey(a, b));
  }
}

/** What `classify` admitted a segment for, with what it matched. */
export type Admitted<Owner> =
  | { reason: 'announced-data'; expectation: Expectation<Owner> }
  | { reason: 'midstream-data'; expectation: Expectation<Owner>; senderDialled: boolean }
  | { reason: 'watched-pair'; watcher: Owner }
  | { reason: 'ftps-control' | 'ftp-control' | 'detector-handshake' | 'detector-candidate' | 'none' };

const PLAIN = {
  'ftps-control': { reason: 'ftps-control' },
  'ftp-control': { reason: 'ftp-control' },
  'detector-handshake': { reason: 'detector-handshake' },
  'detector-candidate': { reason: 'detector-candidate' },
  none: { reason: 'none' },
} as const;

/**
 * Admission over the analysis's tables: the expectations of announced data connections, the
 * watched host pairs, the FTP detector. `Owner` is what owns an expectation or watches a pair
 * (the session's tracker).
 */
export class Admission<Owner> {
  readonly watched = new WatchedPairs<Owner>();
  readonly policy: AdmissionPolicy;
  /** The frame `preview` looks at, for its lookups. */
  private location: TcpLocation | null = null;
  /** The segment `classify` looks at, and what its lookups matched. */
  private segment: TcpSegment | null = null;
  private expectation: Expectation<Owner> | null = null;
  private senderDialled = false;
  private watcher: Owner | undefined = undefined;
  private readonly cheap: AdmissionLookups;
  private readonly exact: AdmissionLookups;

  constructor(
    options: Pick<AnalyzerOptions, 'ftpPorts' | 'ftpsPorts' | 'detectFtp'>,
    registry: ExpectationRegistry<Owner>,
    private readonly detector: Pick<FtpDetector, 'worthInspecting'>,
  ) {
    this.policy = { ftpPorts: new Set(options.ftpPorts), ftpsPorts: new Set(options.ftpsPorts), detectFtp: options.detectFtp };
    // By port only: an expected endpoint on that port, any watched pair.
    this.cheap = {
      announced: () => registry.size > 0 && registry.expectsPort((this.location as TcpLocation).dstPort),
      midstream: () => {
        const { srcPort, dstPort } = this.location as TcpLocation;
        return registry.size > 0 && (registry.expectsPort(dstPort) || registry.expectsPort(srcPort));
      },
      watched: () => this.watched.size > 0,
      worthInspecting: () => {
        const l = this.location as TcpLocation;
        return this.detector.worthInspecting(l.bytes, l.payloadOffset, l.payloadEnd, l.srcPort, l.dstPort);
      },
    };
    this.exact = {
      announced: () => {
        const s = this.segment as TcpSegment;
        this.expectation = registry.match(s.src, s.dst, s.dstPort);
        return this.expectation !== null;
      },
      midstream: () => {
        const s = this.segment as TcpSegment;
        const found = registry.size > 0 ? registry.matchMidstream(s.src, s.srcPort, s.dst, s.dstPort) : null;
        this.expectation = found?.expectation ?? null;
        this.senderDialled = found?.senderDialled ?? false;
        return found !== null;
      },
      watched: () => {
        const s = this.segment as TcpSegment;
        this.watcher = this.watched.get(s.src, s.dst);
        return this.watcher !== undefined;
      },
      worthInspecting: () => {
        const s = this.segment as TcpSegment;
        return this.detector.worthInspecting(s.payload, 0, s.payload.length, s.srcPort, s.dstPort);
      },
    };
  }

  /**
   * The cheap look at a located frame of no tracked connection: `none` when no rule can admit
   * it; otherwise the reason `classify` may find (or a later one). No allocation.
   */
  preview(location: TcpLocation): AdmissionReason {
    this.location = location;
    const reason = classifyAdmission(location.flags, location.srcPort, location.dstPort, location.payloadLength, this.policy, this.cheap);
    this.location = null;
    return reason;
  }

  /** Why a segment of no tracked connection starts tracking one, with what it matched. */
  classify(segment: TcpSegment): Admitted<Owner> {
    this.segment = segment;
    const reason = classifyAdmission(segment.flags, segment.srcPort, segment.dstPort, segment.payload.length, this.policy, this.exact);
    this.segment = null;
    const expectation = this.expectation;
    this.expectation = null;
    const watcher = this.watcher;
    this.watcher = undefined;
    switch (reason) {
      case 'announced-data':
        return { reason, expectation: expectation as Expectation<Owner> };
      case 'midstream-data':
        return { reason, expectation: expectation as Expectation<Owner>, senderDialled: this.senderDialled };
      case 'watched-pair':
        return { reason, watcher: watcher as Owner };
      default:
        return PLAIN[reason];
    }
  }

  /** Whether a port is a plain FTP control port. */
  isFtpPort(port: number): boolean {
    return this.policy.ftpPorts.has(port);
  }

  /** Whether a port is an implicit-TLS FTP control port. */
  isFtpsPort(port: number): boolean {
    return this.policy.ftpsPorts.has(port);
  }
}
