/**
 * What the capture readers report about each input, besides its frames.
 */

/** Something wrong with a capture input. Plain words, for the user. */
export interface CaptureProblem {
  message: string;
  /**
   * Byte offset where the problem is, when it has one: in the file, or for a compressed input in
   * its decompressed data.
   */
  offset: number | null;
  /** 1-based number of the record (frame) concerned, when there is one. */
  frame: number | null;
}

/**
 * The times a report can show, in microseconds since the epoch: 0001-01-01 up to the end of
 * 9999-12-31 (ISO 8601 with a four-digit year). A packet whose timestamp lies outside is an input
 * problem, never a crash.
 */
export const MIN_TIME_MICROS = -62_135_596_800_000_000;
export const MAX_TIME_MICROS = 253_402_300_800_000_000 - 32; // 10000-01-01 less one step of a double there (32 µs)

/** Whether `timeMicros` is a time the report can show (see MIN_TIME_MICROS). */
export function isShowableTime(timeMicros: number): boolean {
  return timeMicros >= MIN_TIME_MICROS && timeMicros <= MAX_TIME_MICROS;
}

/**
 * The capture file formats read: classic libpcap with microsecond ('pcap') or nanosecond
 * ('pcap-nsec') timestamps, and pcapng.
 */
export type CaptureFormat = 'pcap' | 'pcap-nsec' | 'pcapng';

/** One pcapng Interface Description Block, in file order over all sections. */
export interface InterfaceSummary {
  /** LINKTYPE_* value of the interface. */
  linkType: number;
  /** libpcap's name for `linkType`. */
  linkTypeName: string;
  /** Snap length of the interface, in bytes; 0 means no limit. */
  snapLength: number;
  /** Timestamp unit in seconds: '1e-6' (the default), '1e-9', '2^-10', ... (the `if_tsresol` option). */
  tsresol: string;
}

/** The outcome of reading one capture input. */
export interface InputSummary {
  /** The path as given ('-' for standard input). */
  file: string;
  /** 0-based index of the input on the command line (as in FrameRef.input). */
  input: number;
  /** The format found from the first bytes; 'pcap' when none could be recognised (then `fatal` is true). */
  format: CaptureFormat;
  /** 'gzip' when the input was gzip-compressed (recognised by its magic, not its name). */
  compressed: 'gzip' | null;
  /**
   * LINKTYPE_* value from the file header (FCS bits masked off), for pcapng the first interface's;
   * -1 when none could be read.
   */
  linkType: number;
  /** libpcap's name for `linkType` ('EN10MB', 'LINUX_SLL', ...); 'unknown' when none could be read. */
  linkTypeName: string;
  /** Snap length from the file header (pcapng: the first interface's), in bytes; 0 when none could be read. */
  snapLength: number;
  /** pcapng only: every interface of every section, in file order. */
  interfaces?: InterfaceSummary[];
  /** Records (packet blocks) delivered as frames. */
  packets: number;
  /**
   * Bytes consumed: the file header plus every complete record delivered (pcapng: every complete
   * block). For a compressed input, bytes of decompressed data.
   */
  bytes: number;
  /** Records whose captured length is less than their original length (cut by the snap length). */
  truncatedPackets: number;
  problems: CaptureProblem[];
  /**
   * True when reading stopped before the end of the input (or never started): the file is missing
   * or unreadable, is not a capture, has a record or block that cannot be framed, or its gzip data
   * is damaged. An input that merely ends in the middle of its last record or block (or whose gzip
   * data is cut short) is not fatal: everything in it was read.
   */
  fatal: boolean;
}
