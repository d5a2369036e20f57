/**
 * Text from a capture is hostile input: user names, file names and reply text may carry terminal
 * escape sequences. Everything printed for a person goes through `sanitize` first.
 */

// C0 controls, DEL, C1 controls, Unicode bidirectional marks, overrides and isolates, and the
// line and paragraph separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code === 0x09) return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Replaces control characters with visible escapes such as `\x1b`. */
export function sanitize(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}
