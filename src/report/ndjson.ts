/**
 * The report as JSON lines (NDJSON): one `{"type":"session", ...}` line per session (the session
 * object of the JSON report) and a last `{"type":"summary", ...}` line with the report's summary,
 * its inputs and the findings that belong to no session (`captureFindings`: the JSON report's
 * top-level `findings`; `findings` holds the counts, as in the report's summary). Pure: the report in, text out.
 */
import type { NdjsonSessionLine, NdjsonSummaryLine, Report, ReportSession } from './schema';
import { escapeUnsafeJson } from './json';
import { sessionJsonChunks, type SessionView, type StreamedList } from './session-view';

/** One session line (with its line end). */
export function renderNdjsonSession(session: ReportSession): string {
  const line: NdjsonSessionLine = { type: 'session', ...session };
  return `${escapeUnsafeJson(JSON.stringify(line))}\n`;
}

/** The same line as renderNdjsonSession, a part at a time: the data channels one by one. */
export function* renderNdjsonSessionChunks(session: SessionView): Generator<string> {
  const line: Omit<NdjsonSessionLine, StreamedList> & Pick<SessionView, StreamedList> = { type: 'session', ...session };
  for (const chunk of sessionJsonChunks(line as SessionView, false)) yield escapeUnsafeJson(chunk);
  yield '\n';
}

/** The closing summary line (with its line end). */
export function renderNdjsonSummary(report: Pick<Report, 'schemaVersion' | 'tool' | 'summary' | 'inputs' | 'findings'>): string {
  const { schemaVersion, tool, summary, inputs, findings } = report;
  const line: NdjsonSummaryLine = { type: 'summary', schemaVersion, tool, ...summary, inputs, captureFindings: findings };
  return `${escapeUnsafeJson(JSON.stringify(line))}\n`;
}

export function renderNdjson(report: Report): string {
  return report.sessions.map(renderNdjsonSession).join('') + renderNdjsonSummary(report);
}
