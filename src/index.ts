/**
 * ftpcap as a library: the analyzer, the report builder and the renderers the command line uses.
 *
 * ```ts
 * import { analyzeCaptures, renderText } from 'ftpcap';
 * const { report } = await analyzeCaptures(['capture.pcap']);
 * console.log(report.summary, renderText(report, { color: false, firewall: false }));
 * ```
 */
import { Analyzer, type AnalysisResult } from './analyzer';
import { readCaptures } from './capture';
import type { InputSummary } from './capture/types';
import { version } from './cli/version';
import type { AnalyzerOptions } from './options';
import { buildReport, type Report } from './report/build';
import { defaultZeekFtpLogOptions, zeekGuestIds, type ZeekFtpLogOptions } from './zeek/ftp-log';

export { Analyzer, type AnalysisResult, type AnalyzerEvents, type AnalysisStats } from './analyzer';
export { readCaptures } from './capture';
export type { InputSummary } from './capture/types';
export { defaultOptions, type AnalyzerOptions } from './options';
export { buildReport, formatTime } from './report/build';
export { SCHEMA_VERSION } from './report/schema';
export type * from './report/schema';
export type { PayloadConsumer, PayloadStream, PayloadWriter } from './transfer/stream';
export { parseListingLine, ListingParser } from './ftp/listing';
export { renderJson } from './report/json';
export { renderText } from './report/text';
export { renderCsv, csvColumns } from './report/csv';
export { renderNdjson, renderNdjsonSession, renderNdjsonSummary } from './report/ndjson';
export { renderZeekAscii, renderZeekJson } from './report/zeek';
export { defaultZeekFtpLogOptions, zeekDefaultLoggedCommands, type ZeekFtpLogOptions, type ZeekFtpRecord } from './zeek/ftp-log';
export { findingCodes, type FindingCode, type FindingCodeInfo } from './finding-codes';
export type { LimitName } from './limits';
export type { CapturedFrame, Endpoint, Finding, FrameRef, ListingEntry, ListingSummary, PayloadContent, Severity } from './types';
export { version };

export interface AnalyzeCapturesOptions {
  analyzer?: Partial<AnalyzerOptions>;
  /** Also follow the control connections as Zeek does: `result.zeekFtp` holds ftp.log's records. */
  zeekFtp?: Partial<ZeekFtpLogOptions> | boolean;
}

/**
 * Reads capture files (pcap, pcapng, gzip; several are merged by timestamp) through the analyzer
 * and builds the report (the JSON contract, schemaVersion 1).
 */
export async function analyzeCaptures(
  files: string[],
  options: AnalyzeCapturesOptions = {},
): Promise<{ report: Report; result: AnalysisResult; inputs: InputSummary[] }> {
  const zeek = options.zeekFtp ? { ...defaultZeekFtpLogOptions, ...(options.zeekFtp === true ? {} : options.zeekFtp) } : null;
  // Zeek's log shows guest users' passwords, and every password when it captures them.
  const passwords = zeek ? { clearPasswordUsers: zeekGuestIds, showPasswords: zeek.capturePasswords } : {};
  const analyzer = new Analyzer({ ...passwords, ...options.analyzer }, {}, zeek);
  const inputs = await readCaptures(files, (frame) => analyzer.ingest(frame), { transientFrames: true });
  const result = analyzer.finish();
  return { report: buildReport(result, inputs, version), result, inputs };
}
