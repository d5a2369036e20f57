/**
 * The limit-reached findings: one per limit of src/options.ts that the analysis reached, with how
 * often (`count`) and what it cost the report, so that a capping limit is never silent.
 */
import type { LimitCounter, LimitName } from '../limits';
import type { AnalyzerOptions } from '../options';
import type { Finding } from '../types';

/** What reaching each limit means for the report, completing "limit NAME (VALUE) reached: ...". */
const consequences: Record<LimitName, string> = {
  maxConnections: 'TCP connections tracked at once: the oldest was dropped, and its later packets (or its data connection) are not in the report',
  maxExpectations: 'announced data connections waiting at once: the oldest announcement was dropped, and a connection answering it is not matched',
  maxDetectionCandidates: 'connections on other ports that may be FTP, judged at once: the oldest was given up, so FTP on it may go unfound',
  maxHeldSegments: 'segments held while deciding whether a connection is FTP: later ones of a connection found to be FTP are not in its session',
  maxHeldBytes: 'bytes held while deciding whether a connection is FTP: later segments of a connection found to be FTP are not in its session',
  maxDetectionLineLength: 'an unfinished line of a connection that may be FTP was too long to judge: it was left out of the decision',
  maxDetectionPendingCommands:
    'commands waiting for their replies while checking whether a connection is FTP: the oldest was forgotten, and the check goes on with the rest',
  maxHiddenConnections: 'probable data connections listed per session (TLS, or control bytes missing): later ones are only counted',
  maxDataChannelsPerSession:
    'data channels listed per session: later finished ones are only counted in their session (unlistedDataChannels), with their findings kept; count is the sessions that reached it',
  maxSizeAnswers: 'SIZE answers remembered per session: the oldest was forgotten, so a transfer of that file is not compared with its size',
  maxReassemblyReports: 'overlap-conflict and reorder-buffer-full events listed per direction of a control connection: later ones are not in the findings',
  maxMalformedReports: 'malformed-packet findings listed: later frames that could not be decoded are only counted (summary.undecodedFrames)',
  maxRememberedBytes: 'control bytes remembered to compare retransmissions with: a retransmission reached back further, and its older bytes were not compared',
  maxSequenceRanges: 'sequence ranges kept per direction of a connection: neighbouring ones were merged, so its missing-byte count is a lower bound',
};

/** One warning per limit reached, in the order they were first reached. */
export function limitFindings(limits: LimitCounter, options: Pick<AnalyzerOptions, LimitName>): Finding[] {
  return limits.all().map(({ name, count, first }) => ({
    code: 'limit-reached',
    severity: 'warning',
    frame: first,
    message: `limit ${name} (${options[name]}) reached: ${consequences[name]}`,
    fix: `raise ${name} in the analyzer options if the machine has the memory for it`,
    ...(count > 1 ? { count } : {}),
  }));
}
