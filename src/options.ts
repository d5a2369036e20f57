/**
 * Every limit the analyzer enforces, in one place (STYLE habit 8). Reaching a limit is a finding,
 * never unbounded memory.
 */
export interface AnalyzerOptions {
  /** TCP ports carrying FTP control connections. */
  ftpPorts: number[];
  /** TCP ports carrying implicit FTPS control connections (TLS from the first byte). */
  ftpsPorts: number[];
  /** Out-of-order bytes buffered per direction of a control connection before declaring a gap. */
  maxOutOfOrderBytes: number;
  /** Longest control line kept, in bytes; the rest of the line is dropped (finding). */
  maxLineLength: number;
  /** Commands waiting for a reply per session; older ones are dropped (finding). */
  maxPendingCommands: number;
  /** Expected data connections held at once across all sessions (oldest dropped first). */
  maxExpectations: number;
  /** TCP connections tracked at once (control plus expected data connections). */
  maxConnections: number;
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
  clearPasswordUsers?: ReadonlySet<string>;
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
}

export const defaultOptions: AnalyzerOptions = {
  ftpPorts: [21],
  ftpsPorts: [990],
  maxOutOfOrderBytes: 1 << 20,
  maxLineLength: 4096,
  maxPendingCommands: 64,
  maxExpectations: 100_000,
  maxConnections: 200_000,
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
};
