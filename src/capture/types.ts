/**
 * What the capture readers report about each input file, besides its frames.
 */

/** Something wrong with a capture file. Plain words, for the user. */
export interface CaptureProblem {
  message: string;
  /** Byte offset in the file where the problem is, when it has one. */
  offset: number | null;
  /** 1-based number of the record (frame) concerned, when there is one. */
  frame: number | null;
}

/** The outcome of reading one capture file. */
export interface InputSummary {
  /** The path as given. */
  file: string;
  /** 0-based index of the input on the command line (as in FrameRef.input). */
  input: number;
  format: 'pcap';
  /** LINKTYPE_* value from the file header (FCS bits masked off); -1 when no header could be read. */
  linkType: number;
  /** libpcap's name for `linkType` ('EN10MB', 'LINUX_SLL', ...); 'unknown' when no header could be read. */
  linkTypeName: string;
  /** Snap length from the file header, in bytes; 0 when no header could be read. */
  snapLength: number;
  /** Records delivered as frames. */
  packets: number;
  /** File bytes consumed: the file header plus every complete record delivered. */
  bytes: number;
  /** Records whose captured length is less than their original length (cut by the snap length). */
  truncatedPackets: number;
  problems: CaptureProblem[];
  /**
   * True when reading stopped before the end of the file (or never started): the file is missing
   * or unreadable, is not a pcap file, or has a record that cannot be framed. A file that merely
   * ends in the middle of its last record is not fatal: everything in it was read.
   */
  fatal: boolean;
}
