/**
 * The report for programs: the JSON contract (see README.md), one object, pretty-printed.
 * JSON.stringify escapes only U+0000-U+001F; DEL, the C1 controls (U+009B is CSI) and the Unicode
 * bidirectional controls are escaped too, so viewing the report in a terminal is safe.
 */
import type { Report } from './build';

const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** JSON text with DEL, C1 and bidirectional controls escaped as `\uXXXX`. */
export function escapeUnsafeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function renderJson(report: Report): string {
  return `${escapeUnsafeJson(JSON.stringify(report, null, 2))}\n`;
}
