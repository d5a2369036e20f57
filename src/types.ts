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
  fix?: string | undefined;
  /** Occurrences this finding stands for when repeats were counted instead of listed (absent: 1). */
  count?: number;
}

/** One entry of a directory listing (LIST, NLST, MLSD) as the server sent it. */
export interface ListingEntry {
  /** The name as sent (control characters are escaped only when rendered). */
  name: string;
  /** `file`, `dir`, `link` (symbolic link, `target` set when known), `other`, or null when the line does not say (NLST). */
  type: 'file' | 'dir' | 'link' | 'other' | null;
  /** Size in bytes, when the line gives it. */
  size: number | null;
  /** Modification time as the line gives it: ISO 8601 for MLSD `modify` facts, else the text as listed (`Jan  1 12:00`). */
  time: string | null;
  /** Permissions as listed (`-rw-r--r--`, MLSD `perm` facts), when given. */
  perm?: string;
  /** Target of a symbolic link (`name -> target`). */
  target?: string;
}

/** A data connection's listing, parsed line by line (src/ftp/listing.ts). */
export interface ListingSummary {
  /** The format the lines were in: Unix `ls -l`, MLSD facts (RFC 3659 §7), DOS/IIS, or bare names (NLST). */
  format: 'unix' | 'mlsd' | 'dos' | 'names' | 'mixed' | 'empty';
  entries: ListingEntry[];
  /** Entries not kept because the cap was reached. */
  entriesDropped: number;
  /** Lines that matched no format (a `total N` line is not counted). */
  unparsedLines: number;
}

/**
 * What one direction of a data connection carried, from its payload in sequence order
 * (src/transfer/content.ts): its size, the byte ranges the capture lacks, hashes, the content type
 * from its first bytes, and for a listing its entries. Offsets are bytes from the stream's first
 * byte (the first byte after the SYN).
 */
export interface PayloadContent {
  /** Bytes from the first to the last as far as the capture tells (captured plus missing). */
  size: number;
  /** Bytes taken from captured segments (retransmissions counted once). */
  capturedBytes: number;
  /** Missing byte ranges [start, end), in order, zero-filled in hashes and extracted files; at most the cap. */
  missing: Array<{ start: number; end: number }>;
  /** Missing bytes in all (also those in ranges not listed). */
  missingBytes: number;
  /** Missing ranges not listed because the cap was reached. */
  missingRangesDropped: number;
  /** No SYN was captured: bytes before the first captured segment may be missing. */
  startUnknown: boolean;
  /** The sender's FIN (or a RST) was captured: the stream's end is known. */
  endSeen: boolean;
  /** Lowercase hex digests of the bytes (missing ranges as zeros), or null when hashing was off. */
  hashes: { sha256: string; md5: string; sha1: string } | null;
  /** The content type from the first bytes (magic numbers), `text/plain` for text without one, or null when unknown. */
  type: { mime: string | null; name: string; extension: string | null } | null;
  /** Parsed when the channel's transfer was LIST, NLST or MLSD. */
  listing: ListingSummary | null;
  /** First and last frame that carried bytes of the stream. */
  firstFrame: FrameRef | null;
  lastFrame: FrameRef | null;
}
