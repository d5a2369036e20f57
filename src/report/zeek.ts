/**
 * Zeek's ftp.log as Zeek writes it: the ASCII (TSV) format with its `#` header lines, or one JSON
 * object per line (`LogAscii::use_json=T`). Pure: records in, text out.
 */
import { zeekFtpFields, type ZeekFtpRecord } from '../zeek/ftp-log';

/** The open and close times written in `#open` / `#close`, microseconds since the epoch. */
export interface ZeekLogTimes {
  openMicros: number;
  closeMicros: number | null;
}

/** `%.6f` of a time in seconds, exact to the microsecond. */
export function formatZeekTime(seconds: number): string {
  const micros = Math.round(seconds * 1e6);
  const whole = Math.floor(micros / 1e6);
  return `${whole}.${String(micros - whole * 1e6).padStart(6, '0')}`;
}

/** `2012-02-21-16-52-41`: the `#open` / `#close` time format (UTC). */
export function formatZeekDate(micros: number): string {
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return `${iso.slice(0, 10)}-${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}`;
}

/**
 * Characters of valid UTF-8 that must not reach a terminal raw either: C1 controls, bidirectional
 * marks, overrides and isolates, the line and paragraph separators (as src/report/sanitize.ts).
 */
const UNSAFE_UTF8 = /[\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A character as the `\xNN` escapes of its UTF-8 bytes, as Zeek escapes bytes. */
function escapeUtf8(c: string): string {
  return [...Buffer.from(c, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
}

/**
 * Text from the capture as Zeek writes it: byte strings that are valid UTF-8 stay as they are,
 * other bytes and control characters become `\xNN` (in the ASCII log also the UTF-8 bytes of C1
 * controls, bidi controls and line separators, so the log is safe to print). Strings hold one
 * byte per character (latin1).
 */
function escapeBytes(value: string, escapeControls: boolean): string {
  let text = value;
  if (/[\x80-\xff]/.test(text)) {
    const bytes = Buffer.from(text, 'latin1');
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = text.replace(/[\x80-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    }
  }
  if (escapeControls) {
    text = text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(UNSAFE_UTF8, escapeUtf8);
  }
  return text;
}

function tsvValue(record: ZeekFtpRecord, field: keyof ZeekFtpRecord, type: string): string {
  const value = record[field];
  if (value === undefined) return '-';
  if (type === 'time') return formatZeekTime(value as number);
  if (type === 'bool') return value ? 'T' : 'F';
  if (typeof value === 'number') return String(value);
  const text = value as string;
  if (text === '') return '(empty)';
  // A value equal to the unset marker is told apart by escaping its first character.
  if (text === '-') return '\\x2d';
  return escapeBytes(text, true);
}

/** ftp.log in Zeek's ASCII format: header, one tab-separated line per record, `#close` when the log is complete. */
export function renderZeekAscii(records: readonly ZeekFtpRecord[], times: ZeekLogTimes): string {
  const lines = [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tftp',
    `#open\t${formatZeekDate(times.openMicros)}`,
    `#fields\t${zeekFtpFields.map(([name]) => name).join('\t')}`,
    `#types\t${zeekFtpFields.map(([, type]) => type).join('\t')}`,
  ];
  for (const record of records) lines.push(renderZeekAsciiRecord(record));
  if (times.closeMicros !== null) lines.push(`#close\t${formatZeekDate(times.closeMicros)}`);
  return `${lines.join('\n')}\n`;
}

/** One record as a TSV line (no line end). */
export function renderZeekAsciiRecord(record: ZeekFtpRecord): string {
  return zeekFtpFields.map(([field, type]) => tsvValue(record, field, type)).join('\t');
}

/** A time as Zeek's JSON writer prints it: seconds, at most six decimals, no trailing zeros. */
function jsonTime(seconds: number): string {
  const fixed = formatZeekTime(seconds).replace(/0+$/, '');
  return fixed.endsWith('.') ? `${fixed}0` : fixed;
}

/** One record as Zeek's JSON log line: unset fields left out, times as epoch seconds. */
export function renderZeekJsonRecord(record: ZeekFtpRecord): string {
  const parts: string[] = [];
  for (const [field, type] of zeekFtpFields) {
    const value = record[field];
    if (value === undefined) continue;
    const json = type === 'time' ? jsonTime(value as number) : typeof value === 'string' ? JSON.stringify(escapeBytes(value, false)) : JSON.stringify(value);
    parts.push(`${JSON.stringify(field)}:${json}`);
  }
  return `{${parts.join(',')}}`;
}

/** ftp.log as JSON lines. */
export function renderZeekJson(records: readonly ZeekFtpRecord[]): string {
  return records.map((r) => `${renderZeekJsonRecord(r)}\n`).join('');
}
