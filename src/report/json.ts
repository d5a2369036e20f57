/**
 * The report for programs: the JSON contract (see README.md), one object, pretty-printed.
 * JSON.stringify escapes only U+0000-U+001F; DEL, the C1 controls (U+009B is CSI) and the Unicode
 * bidirectional controls are escaped too, so viewing the report in a terminal is safe.
 */
import type { Report } from './build';

const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function renderJson(report: Report): string {
  const text = JSON.stringify(report, null, 2).replace(
    UNSAFE_IN_JSON,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${text}\n`;
}
