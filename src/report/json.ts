/**
 * The report for programs: the JSON contract (see README.md), one object, pretty-printed.
 * JSON.stringify escapes only U+0000-U+001F: DEL, the C1 controls (U+009B is CSI), the Unicode
 * bidirectional marks and the line separators are escaped too, so viewing the report in a
 * terminal is safe.
 */
import type { Report } from './build';
import { sessionJsonChunks, type SessionView } from './session-view';

const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON text with DEL, C1, bidirectional controls and line separators escaped as `\uXXXX`. */
export function escapeUnsafeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The whole report as one string (fine up to a few hundred MB; see renderJsonChunks). */
export function renderJson(report: Report): string {
  return [...renderJsonChunks(report)].join('');
}

/** Where the sessions go in the report without them: `"sessions": []` at the top level. */
const EMPTY_SESSIONS = '\n  "sessions": [],\n';

/** Where the unopened control connections go in the report without them, at the top level. */
const EMPTY_UNOPENED = '\n  "unopenedControlConnections": [],\n';
/** Unopened control connections written per chunk. */
const UNOPENED_PER_CHUNK = 1000;

/**
 * The same text as renderJson, one session at a time: a capture of 100 000 sessions gives more
 * JSON than one JavaScript string can hold, and none of it needs to be held at once. `sessions`
 * (default: the report's own) may come from anywhere, e.g. read back one by one from where they
 * were put as the capture was read; the report's own list is then left out.
 */
export function* renderJsonChunks(report: Report, sessions: Iterable<SessionView> = report.sessions): Generator<string> {
  if (!Array.isArray(report.sessions)) {
    // Not a whole report (a part of one): no sessions to put in their place.
    yield `${escapeUnsafeJson(JSON.stringify(report, null, 2))}\n`;
    return;
  }
  // The control connections that never opened come one by one too: a flood of SYNs lists many.
  const unopened = Array.isArray(report.unopenedControlConnections) ? report.unopenedControlConnections : [];
  const shell = JSON.stringify({ ...report, sessions: [], ...(unopened.length > 0 ? { unopenedControlConnections: [] } : {}) }, null, 2);
  const at = shell.indexOf(EMPTY_SESSIONS);
  if (at < 0) throw new Error('report without a top-level sessions list');
  let first = true;
  for (const session of sessions) {
    if (first) yield escapeUnsafeJson(`${shell.slice(0, at)}\n  "sessions": [`);
    let before = `${first ? '' : ','}\n    `;
    // Element by element: a session of many data channels is never one string.
    for (const chunk of sessionJsonChunks(session, true, '    ')) {
      yield escapeUnsafeJson(`${before}${chunk}`);
      before = '';
    }
    first = false;
  }
  const rest = first ? `${shell}\n` : `\n  ],\n${shell.slice(at + EMPTY_SESSIONS.length)}\n`;
  const list = unopened.length > 0 ? rest.indexOf(EMPTY_UNOPENED) : -1;
  if (list < 0) {
    yield escapeUnsafeJson(rest);
    return;
  }
  let chunk = `${rest.slice(0, list)}\n  "unopenedControlConnections": [`;
  for (let i = 0; i < unopened.length; i++) {
    chunk += `${i === 0 ? '' : ','}\n    ${JSON.stringify(unopened[i], null, 2).replace(/\n/g, '\n    ')}`;
    if (i % UNOPENED_PER_CHUNK === UNOPENED_PER_CHUNK - 1) {
      yield escapeUnsafeJson(chunk);
      chunk = '';
    }
  }
  yield escapeUnsafeJson(`${chunk}\n  ],\n${rest.slice(list + EMPTY_UNOPENED.length)}`);
}
