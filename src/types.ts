/**
 * The plain data types the pipeline stages hand to each other.
 *
 * capture -> CapturedFrame -> decode -> TcpSegment -> tcp -> Connection (and reassembled bytes)
 *   -> ftp (FtpCommand / FtpReply / Announcement) -> correlate -> report
 */
import type { FindingCode } from './finding-codes';

/** A transport endpoint. `ip` is in canonical text form: dotted quad, or RFC 5952 for IPv6. */
export interface Endpoint {
  ip: string;
  port: number;
}

/** Where a frame came from: the input (0-based index into the inputs list) and its 1-based number in that file. */
export interface FrameRef {
  /** 0-based index of the input file on the command line. */
  input: number;
  /** 1-based packet number as Wireshark shows it for that file. */
  frame: number;
}

/** One packet record as read from a capture file. */
export interface CapturedFrame {
  ref: FrameRef;
  /** Capture timestamp in microseconds since the Unix epoch (UTC). */
  timeMicros: number;
  /** libpcap LINKTYPE_* value of the interface the frame was captured on. */
  linkType: number;
  /** The captured bytes (may be shorter than `originalLength` when cut by the snap length). */
  data: Buffer;
  /** Length of the packet on the wire, in bytes. */
  originalLength: number;
}

/** TCP flag bits, as in the TCP header's flags byte. */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
} as const;

/** A decoded TCP segment with its IP addresses. Packets are described with src/dst. */
export interface TcpSegment {
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  /**
   * The source address then the destination address as the IP header holds them (4 + 4 or
   * 16 + 16 bytes): a view into the frame, not a copy. `src` and `dst` are their text; the
   * connection table keys connections by these bytes.
   */
  addresses: Buffer;
  srcPort: number;
  dstPort: number;
  /** Sequence and acknowledgement numbers, unsigned 32-bit. */
  seq: number;
  ack: number;
  /** Flags byte (see TcpFlag). */
  flags: number;
  window: number;
  /** TCP payload: a subarray of the frame's bytes, never a copy. Only the captured part. */
  payload: Buffer;
  /** Payload bytes the packet carried on the wire but the capture cut off (snap length). */
  missingPayload: number;
}

/** Which way bytes travel on a connection: from the side that sent the first SYN (orig) or from the other (resp). */
export type Direction = 'orig' | 'resp';

/** A packet-level event on a connection, remembered by frame and time. */
export interface FrameEvent {
  ref: FrameRef;
  timeMicros: number;
}

/** Severity of a finding. */
export type Severity = 'info' | 'warning' | 'error';

/**
 * A finding: something worth telling the user, with a stable code, the frame that proves it
 * and a plain-words message. `fix` is a likely fix for the text output (optional).
 */
export interface Finding {
  /** One of the codes in src/finding-codes.ts. */
  code: FindingCode;
  severity: Severity;
  frame: FrameRef | null;
  message: string;
  fix?: string;
  /** Occurrences this finding stands for when repeats were counted instead of listed (absent: 1). */
  count?: number;
}
