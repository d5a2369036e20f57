/**
 * Every limit the analyzer enforces, in one place (STYLE habit 8). Reaching a limit is a finding,
 * never unbounded memory: its own (line-too-long, reorder-buffer-full, fragments-dropped, ...) or
 * `limit-reached` naming the option (src/limits.ts, src/diagnose/limits.ts).
 */
/** When a transfer's performance becomes a finding (see src/diagnose/performance.ts). */
export interface PerformanceThresholds {
  /** transfer-stalled: no new data from the sender for this long, in microseconds. */
  stallMicros: number;
  /** zero-window: the receiver's window closed for this long in all, in microseconds. */
  zeroWindowMicros: number;
  /** heavy-loss: retransmitted bytes at least this percentage of the transfer's bytes ... */
  heavyLossPercent: number;
  /** ... in at least this many retransmitted segments. */
  heavyLossMinSegments: number;
  /** control-idle-drop: the control connection silent for this long during a transfer, in microseconds. */
  controlIdleMicros: number;
}

export interface AnalyzerOptions extends PerformanceThresholds {
  /** TCP ports carrying FTP control connections. */
  ftpPorts: number[];
  /** TCP ports carrying implicit FTPS control connections (TLS from the first byte). */
  ftpsPorts: number[];
  /** Out-of-order bytes buffered per direction of a control connection before declaring a gap. */
  maxOutOfOrderBytes: number;
  /**
   * Out-of-order bytes buffered per direction of a data connection before the hole before them
   * is given up as missing (finding reorder-buffer-full).
   */
  maxDataOutOfOrderBytes: number;
  /** Compute MD5, SHA-1 and SHA-256 of every data connection's payload (costly on big captures: BENCHMARKS.md). */
  hashes: boolean;
  /** Directory listing entries kept per data connection (the rest are counted). */
  maxListingEntries: number;
  /** Longest control line kept, in bytes; the rest of the line is dropped (finding). */
  maxLineLength: number;
  /** Commands waiting for a reply per session; older ones are dropped (finding). */
  maxPendingCommands: number;
  /** Expected data connections held at once across all sessions (oldest dropped first). */
  maxExpectations: number;
  /** TCP connections tracked at once (control plus expected data connections). */
  maxConnections: number;
  /**
   * Data channels listed one by one per session. Past it, each finished channel (answered or given
   * up, its data connection closed) is folded into the session's counters: exact totals by mode
   * and outcome, bytes, and its findings, but no entry of its own (a session announcing 200 000
   * channels holds these, not the channels). Channels still open or waiting are never folded.
   */
  maxDataChannelsPerSession: number;
  /** Timeline events kept per session (the rest are counted, not kept). */
  maxTimelineEvents: number;
  /**
   * Data connections whose packets (SYN, SYN-ACK, ACK, end) are shown in a session's timeline; the
   * entries of later ones are counted in `timelineDropped`, and the timeline says so.
   */
  maxTimelineDataConnections: number;
  /**
   * Findings of one code listed per session; further ones are counted on the last listed
   * (`count`, "and N more like it"). Stream anomalies (too-many-pending-commands, invalid-command,
   * ...) are listed once per session and counted from the first repeat.
   */
  maxFindingsPerCode: number;
  /** IP datagrams waiting for their missing fragments at once (the oldest is dropped first). */
  maxFragmentedDatagrams: number;
  /** How long a fragmented datagram may wait for its other fragments, in microseconds. */
  fragmentTimeoutMicros: number;
  /** A SYN on a 4-tuple idle for longer than this starts a new connection, in microseconds. */
  connectionIdleMicros: number;
  /**
   * When sessions are released as they end (the analyzer's sessionReleased listener): how long
   * after its last packet, in capture time, a session whose connections are all closed is
   * released, in microseconds. Packets of it later than this no longer change its report.
   */
  sessionReleaseMicros: number;
  /** Look for FTP control connections on every port, by their content (greeting and commands). */
  detectFtp: boolean;
  /** Connections on other ports held at once while they may be FTP (oldest dropped first). */
  maxDetectionCandidates: number;
  /** Show passwords instead of masking them. */
  showPasswords: boolean;
  /** Users (lower case) whose password is shown even when passwords are masked. */
  clearPasswordUsers?: ReadonlySet<string> | undefined;
  /**
   * A frame with the same bytes as one at most this far away in time is a duplicate, in
   * microseconds: copies from two mirror ports or interfaces arrive together (a file merged with
   * itself has the same times), while even a fast retransmission, which may be byte for byte the
   * same, waits for duplicate ACKs.
   */
  duplicateWindowMicros: number;
  /** Frames remembered to recognise duplicates (oldest forgotten first). */
  maxDuplicateFingerprints: number;
  /** A step back in time within a file up to this long is jitter of the recorder, not reported, in microseconds. */
  timeReversalToleranceMicros: number;
  /**
   * Segments held per connection that may be FTP while its content decides (they are replayed
   * into the session once it is found to be FTP); later ones are not replayed.
   */
  maxHeldSegments: number;
  /** Payload bytes held per connection that may be FTP (as maxHeldSegments). */
  maxHeldBytes: number;
  /** Longest unfinished line kept per side of a connection that may be FTP, in bytes; a longer one is not judged. */
  maxDetectionLineLength: number;
  /**
   * Commands the check of whether a connection is FTP at all (by content, or on an FTP port) remembers
   * while waiting for replies that fit them; the oldest is forgotten.
   */
  maxDetectionPendingCommands: number;
  /**
   * Connections listed per session as its probable data connections when its announcements cannot
   * be read (TLS, or control bytes missing); later ones are only counted.
   */
  maxHiddenConnections: number;
  /** SIZE answers remembered per session, to compare with the transfers that follow (oldest forgotten). */
  maxSizeAnswers: number;
  /** overlap-conflict and reorder-buffer-full events raised per direction of a control connection; later ones only reach this limit. */
  maxReassemblyReports: number;
  /** Frames that could not be decoded listed one by one as malformed-packet findings; later ones are only counted. */
  maxMalformedReports: number;
  /**
   * Delivered bytes remembered per direction of a control connection to compare retransmissions
   * with; bytes retransmitted from further back are not compared (a conflict there goes unseen).
   */
  maxRememberedBytes: number;
  /**
   * Sequence ranges remembered per direction of a connection to tell the bytes the capture lacks;
   * past it, neighbouring ranges are merged and the missing-byte count becomes a lower bound.
   */
  maxSequenceRanges: number;
}

export const defaultOptions: AnalyzerOptions = {
  ftpPorts: [21],
  ftpsPorts: [990],
  maxOutOfOrderBytes: 1 << 20,
  maxDataOutOfOrderBytes: 1 << 20,
  hashes: true,
  maxListingEntries: 10_000,
  maxLineLength: 4096,
  maxPendingCommands: 64,
  maxExpectations: 100_000,
  maxConnections: 200_000,
  maxDataChannelsPerSession: 10_000,
  maxTimelineEvents: 5_000,
  maxTimelineDataConnections: 1_000,
  maxFindingsPerCode: 20,
  maxFragmentedDatagrams: 1024,
  fragmentTimeoutMicros: 30_000_000,
  connectionIdleMicros: 120_000_000,
  sessionReleaseMicros: 5_000_000,
  detectFtp: true,
  maxDetectionCandidates: 4096,
  showPasswords: false,
  duplicateWindowMicros: 500,
  maxDuplicateFingerprints: 1 << 18,
  timeReversalToleranceMicros: 10_000,
  stallMicros: 5_000_000,
  zeroWindowMicros: 1_000_000,
  heavyLossPercent: 10,
  heavyLossMinSegments: 30,
  controlIdleMicros: 30_000_000,
  maxHeldSegments: 16,
  maxHeldBytes: 8192,
  maxDetectionLineLength: 1024,
  maxDetectionPendingCommands: 16,
  maxHiddenConnections: 256,
  maxSizeAnswers: 64,
  maxReassemblyReports: 3,
  maxMalformedReports: 20,
  maxRememberedBytes: 1024,
  maxSequenceRanges: 16,
};
