/**
 * The grammars that announce a data connection, each parser with its `format*` inverse:
 *
 * | text | RFC | parser | formatter |
 * | --- | --- | --- | --- |
 * | `PORT h1,h2,h3,h4,p1,p2` | 959 §4.1.2 | parsePortArgument | formatPortArgument |
 * | `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2).` | 959 §4.2, 1123 §4.1.2.6 | parsePasvReply | formatPasvReply |
 * | `EPRT |1|132.235.1.2|6275|` | 2428 §2 | parseEprtArgument | formatEprtArgument |
 * | `EPSV`, `EPSV 2`, `EPSV ALL` | 2428 §3, §4 | parseEpsvArgument | — |
 * | `229 Entering Extended Passive Mode (|||6446|)` | 2428 §3 | parseEpsvReply | formatEpsvReply |
 * | `LPRT 4,4,h1,h2,h3,h4,2,p1,p2` | 1639 §2 | parseLprtArgument | formatLprtArgument |
 * | `228 Entering Long Passive Mode (4,4,…,2,p1,p2)` | 1639 §3 | parseLpsvReply | formatLpsvReply |
 *
 * Parsers never throw. They take the argument of a command (the text after `VERB `) or the text
 * of a reply (after `227 ` / `227-`, lines joined with `\n` for a multi-line reply) and return
 * either the value with the tolerated deviations from the RFC shape (`quirks`, plain words), or
 * a plain-words reason why the text cannot be used. What is tolerated and what is refused follows
 * shared/reference/ftp-field-guide.md §1: accept what peers accept, flag what a strict peer or
 * a middlebox (Linux nf_conntrack_ftp, Cisco ASA `inspect ftp strict`) would trip over.
 *
 * Formatters write the RFC shape. They throw RangeError only for values no text can carry
 * (an IPv6 address in PORT, a port above 65535): that is a bug in the caller, not traffic.
 */
import type { Endpoint } from '../types';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../decode/ipaddr';

/** The outcome of parsing one announcement: a value and its quirks, or a reason. */
export type ParseResult<T> = { ok: true; value: T; quirks: string[] } | { ok: false; error: string };

/** An EPRT target (RFC 2428 §2): network protocol 1 = IPv4, 2 = IPv6. */
export interface ExtendedEndpoint extends Endpoint {
  family: 1 | 2;
}

/** An LPRT / 228 target (RFC 1639): address family 4 = IPv4, 6 = IPv6. */
export interface LongEndpoint extends Endpoint {
  family: 4 | 6;
}

/** What an EPSV command asks for (RFC 2428 §3, §4). `family` is any number; only 1 and 2 are defined. */
export type EpsvArgument = { kind: 'any' } | { kind: 'all' } | { kind: 'family'; family: number } | { kind: 'invalid'; error: string };

const PORT_ZERO = 'port 0 is not a usable port';

function accept<T>(value: T, quirks: string[]): ParseResult<T> {
  return { ok: true, value, quirks };
}

function reject<T>(error: string): ParseResult<T> {
  return { ok: false, error };
}

/** Digits as shown in a message: very long numbers are cut, so a hostile line cannot flood a report. */
function shown(digits: string): string {
  return digits.length > 12 ? `${digits.slice(0, 12)}…` : digits;
}

/** RFC 2428 §2: a delimiter is one character in the ASCII range 33–126. */
function isDelimiter(text: string): boolean {
  const c = text.charCodeAt(0);
  return text.length === 1 && c >= 33 && c <= 126;
}

function isDigit(text: string, index: number): boolean {
  const c = text.charCodeAt(index);
  return c >= 48 && c <= 57;
}

/** Check that every number fits a byte (0–255); returns the values or the reason. */
function toOctets(digits: string[]): number[] | string {
  const values: number[] = [];
  for (const d of digits) {
    const value = Number(d);
    if (value > 255) return `octet ${shown(d)} is larger than 255`;
    values.push(value);
  }
  return values;
}

/** A decimal TCP port as written in EPRT and 229: 1–65535. */
function parseDecimalPort(text: string): number | string {
  if (text === '') return 'no port number';
  if (!/^[0-9]+$/.test(text)) return `port "${text}" is not a decimal number`;
  const port = Number(text);
  if (port > 65535) return `port ${shown(text)} is larger than 65535`;
  if (port === 0) return PORT_ZERO;
  return port;
}

/** Throws RangeError for a port no announcement can carry (a bug in the caller). 0 is representable. */
function assertPortRange(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port ${port} is not an integer from 0 to 65535`);
  }
}

function unspecifiedQuirk(ip: string): string | null {
  return ip === '0.0.0.0' || ip === '::' ? `address ${ip} (unspecified)` : null;
}

/**
 * A strict comma-separated list of decimal numbers, as in PORT and LPRT arguments.
 * Spaces around the whole list or around a number are tolerated with a quirk.
 */
function parseCommaList(arg: string, quirks: string[]): string[] | string {
  const trimmed = arg.trim();
  if (trimmed === '') return 'no numbers';
  const digits: string[] = [];
  let spaces = trimmed !== arg;
  const parts = trimmed.split(',');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i].trim();
    if (part !== parts[i]) spaces = true;
    if (part === '') return `number ${i + 1} is empty`;
    if (!/^[0-9]+$/.test(part)) return `number ${i + 1} "${part}" is not a decimal number`;
    digits.push(part);
  }
  if (spaces) quirks.push('spaces around the numbers');
  return digits;
}

/** h1,h2,h3,h4,p1,p2 (RFC 959 §4.1.2) -> endpoint; port = p1 * 256 + p2. */
function endpointFromSix(digits: string[], quirks: string[]): ParseResult<Endpoint> {
  const octets = toOctets(digits);
  if (typeof octets === 'string') return reject(octets);
  const ip = formatIPv4(Uint8Array.from(octets), 0);
  const port = octets[4] * 256 + octets[5];
  if (port === 0) return reject(PORT_ZERO);
  const unspecified = unspecifiedQuirk(ip);
  if (unspecified) quirks.push(unspecified);
  return accept({ ip, port }, quirks);
}

/** af,hal,h1..hN,pal,p1,p2 (RFC 1639 §2) -> endpoint with its family. */
function endpointFromLong(digits: string[], quirks: string[]): ParseResult<LongEndpoint> {
  const values = toOctets(digits);
  if (typeof values === 'string') return reject(values);
  const [family, addressLength] = values;
  if (family !== 4 && family !== 6) return reject(`address family ${family} is not 4 (IPv4) or 6 (IPv6)`);
  if (values.length < 2) return reject(`expected ${family === 4 ? 9 : 21} numbers, found ${values.length}`);
  const expectedLength = family === 4 ? 4 : 16;
  if (addressLength !== expectedLength) {
    return reject(`address length ${addressLength} does not fit family ${family} (expected ${expectedLength})`);
  }
  const expectedCount = 2 + addressLength + 1 + 2;
  const portLength = values[2 + addressLength];
  if (portLength !== undefined && portLength !== 2) return reject(`port length ${portLength} is not 2`);
  if (values.length !== expectedCount) return reject(`expected ${expectedCount} numbers, found ${values.length}`);
  const bytes = Uint8Array.from(values.slice(2, 2 + addressLength));
  const ip = family === 4 ? formatIPv4(bytes, 0) : formatIPv6(bytes, 0);
  const port = values[expectedCount - 2] * 256 + values[expectedCount - 1];
  if (port === 0) return reject(PORT_ZERO);
  const unspecified = unspecifiedQuirk(ip);
  if (unspecified) quirks.push(unspecified);
  return accept({ family, ip, port }, quirks);
}

/** A run of decimal numbers joined by separators, found in free reply text. */
interface NumberRun {
  digits: string[];
  /** Index of the first digit and one past the last digit. */
  start: number;
  end: number;
  dots: boolean;
  spaces: boolean;
}

/**
 * Every maximal run of numbers in `text`: digits joined by `,` (optionally followed by spaces)
 * or, when `allowDots`, by `.`. A separator not followed by a digit ends the run, so the `.`
 * closing `… 4,51.` is not part of it.
 */
function findNumberRuns(text: string, allowDots: boolean): NumberRun[] {
  const runs: NumberRun[] = [];
  let i = 0;
  while (i < text.length) {
    if (!isDigit(text, i)) {
      i++;
      continue;
    }
    const run: NumberRun = { digits: [], start: i, end: i, dots: false, spaces: false };
    for (;;) {
      let j = i;
      while (isDigit(text, j)) j++;
      run.digits.push(text.slice(i, j));
      i = j;
      const separator = text[i];
      if (separator !== ',' && !(allowDots && separator === '.')) break;
      let next = i + 1;
      if (separator === ',') while (text[next] === ' ') next++;
      if (!isDigit(text, next)) break;
      if (separator === '.') run.dots = true;
      if (next > i + 1) run.spaces = true;
      i = next;
    }
    run.end = i;
    runs.push(run);
  }
  return runs;
}

/**
 * Quirks of the text around the numbers of a 227 / 228 reply, against the RFC shape
 * `… (n,n,…,n).`: parentheses, a leading `=` (cr.yp.to/ftp/retr.html), what follows.
 * A single `.` after the numbers or the `)` is the RFC 959 example's own full stop.
 */
function surroundingQuirks(text: string, run: NumberRun, quirks: string[]): void {
  let before = run.start;
  if (text[before - 1] === '=') {
    quirks.push('"=" before the numbers');
    before--;
  }
  const open = text[before - 1] === '(';
  const close = text[run.end] === ')';
  if (!open && !close) quirks.push('no parentheses');
  else if (!open) quirks.push('no opening parenthesis');
  else if (!close) quirks.push('no closing parenthesis');
  const rest = text.slice(run.end + (close ? 1 : 0)).trimEnd();
  if (rest !== '' && rest !== '.') quirks.push(close ? 'text after the closing parenthesis' : 'text after the numbers');
}

/**
 * The numbers of a 227 / 228 reply: the first run whose count `fits`, with the quirks of its
 * shape, or the reason there is none. A run preceded by `-` would be read as negative: refused.
 */
function numbersInReply(text: string, allowDots: boolean, fits: (count: number) => boolean, expected: string): { digits: string[]; quirks: string[] } | string {
  const runs = findNumberRuns(text, allowDots);
  const index = runs.findIndex((run) => fits(run.digits.length));
  if (index < 0) {
    const longest = runs.reduce((most, run) => Math.max(most, run.digits.length), 0);
    return `expected ${expected}, found ${runs.length === 0 ? 'none' : longest}`;
  }
  const run = runs[index];
  if (text[run.start - 1] === '-') return `negative number -${shown(run.digits[0])}`;
  const quirks: string[] = [];
  if (index > 0) quirks.push('other numbers before the address');
  if (run.dots) quirks.push('dots instead of commas');
  if (run.spaces) quirks.push('spaces between the numbers');
  surroundingQuirks(text, run, quirks);
  return { digits: run.digits, quirks };
}

/**
 * PORT argument, RFC 959 §4.1.2: `h1,h2,h3,h4,p1,p2`, port = p1 * 256 + p2.
 * Tolerated with a quirk: spaces around the list or a number; address 0.0.0.0.
 * Refused: anything but 6 decimal numbers, a number above 255, port 0.
 */
export function parsePortArgument(arg: string): ParseResult<Endpoint> {
  const quirks: string[] = [];
  const digits = parseCommaList(arg, quirks);
  if (typeof digits === 'string') return reject(digits);
  if (digits.length !== 6) return reject(`expected 6 numbers, found ${digits.length}`);
  return endpointFromSix(digits, quirks);
}

/** `h1,h2,h3,h4,p1,p2` for an IPv4 endpoint. */
export function formatPortArgument(ep: Endpoint): string {
  return sixNumbers(ep).join(',');
}

function sixNumbers(ep: Endpoint): number[] {
  const bytes = parseIPv4(ep.ip);
  if (bytes === null) throw new RangeError(`PORT and 227 carry an IPv4 address only, got "${ep.ip}"`);
  assertPortRange(ep.port);
  return [...bytes, ep.port >> 8, ep.port & 0xff];
}

/**
 * Text of a 227 reply (after `227 ` or `227-`), RFC 959 §4.2 and RFC 1123 §4.1.2.6: the format
 * "is not well standardized", so find the six numbers wherever they are.
 *
 * The address is the first run of exactly six numbers separated by `,` (or `.`); the wording
 * around it is free and never a quirk. Quirks: no or half parentheses, `=` before the numbers,
 * dots instead of commas, spaces after commas, text after the `)` or the numbers (other than a
 * `.`), other numbers before the six (a first-digit scanner such as Linux's `try_rfc1123` would
 * misread it), address 0.0.0.0. Refused: no run of six numbers, a number above 255, port 0.
 */
export function parsePasvReply(text: string): ParseResult<Endpoint> {
  const found = numbersInReply(text, true, (count) => count === 6, '6 numbers');
  if (typeof found === 'string') return reject(found);
  return endpointFromSix(found.digits, found.quirks);
}

/** The RFC 959 shape: `Entering Passive Mode (h1,h2,h3,h4,p1,p2).` (text after `227 `). */
export function formatPasvReply(ep: Endpoint): string {
  return `Entering Passive Mode (${sixNumbers(ep).join(',')}).`;
}

/**
 * EPRT argument, RFC 2428 §2: `<d><net-prt><d><net-addr><d><tcp-port><d>`. The delimiter is the
 * first character, any ASCII 33–126 (`|` recommended). net-prt 1 needs a dotted quad, 2 an IPv6
 * address (also `::ffff:a.b.c.d`); the address comes back canonical (RFC 5952). The family is
 * checked against the address here; against the control connection, by the caller.
 * Quirks: another delimiter, spaces around the argument, an unspecified address.
 * Refused: wrong number of delimiters, text after the last one, unknown family, family/address
 * mismatch, invalid address, port outside 1–65535.
 */
export function parseEprtArgument(arg: string): ParseResult<ExtendedEndpoint> {
  const quirks: string[] = [];
  const text = arg.trim();
  if (text !== arg) quirks.push('spaces around the argument');
  if (text === '') return reject('empty argument');
  const delimiter = text[0];
  if (!isDelimiter(delimiter)) {
    return reject(`delimiter U+${delimiter.charCodeAt(0).toString(16).padStart(4, '0')} is not a printable ASCII character`);
  }
  if (delimiter !== '|') quirks.push(`delimiter "${delimiter}" instead of "|"`);

  const parts = text.split(delimiter);
  if (parts.length !== 5) return reject(`expected 4 "${delimiter}" delimiters, found ${parts.length - 1}`);
  if (parts[4] !== '') return reject(`text after the last "${delimiter}"`);
  const [, protocolText, addressText, portText] = parts;

  const family = /^[0-9]+$/.test(protocolText) ? Number(protocolText) : NaN;
  if (family !== 1 && family !== 2) {
    const named = Number.isNaN(family) ? `"${protocolText}"` : shown(protocolText);
    return reject(`network protocol ${named} is not 1 (IPv4) or 2 (IPv6)`);
  }
  if (addressText === '') return reject('no network address');
  const v4 = parseIPv4(addressText);
  const v6 = v4 === null ? parseIPv6(addressText) : null;
  if (family === 1 && v4 === null) {
    return reject(v6 !== null ? 'family 1 but the address is IPv6' : `"${addressText}" is not a valid IPv4 address`);
  }
  if (family === 2 && v6 === null) {
    return reject(v4 !== null ? 'family 2 but the address is IPv4' : `"${addressText}" is not a valid IPv6 address`);
  }
  const ip = v4 !== null ? formatIPv4(v4, 0) : formatIPv6(v6 as Uint8Array, 0);

  const port = parseDecimalPort(portText);
  if (typeof port === 'string') return reject(port);
  const unspecified = unspecifiedQuirk(ip);
  if (unspecified) quirks.push(unspecified);
  return accept({ family, ip, port }, quirks);
}

/**
 * `|family|ip|port|` (RFC 2428 §2) with the given delimiter (one ASCII 33–126 character that
 * occurs in none of the fields: RFC 2428 recommends `|` "unless it coincides with a character
 * needed to encode the network address"; a `.` in an IPv4 address or a digit of the port would
 * make text no parser can split again).
 */
export function formatEprtArgument(v: ExtendedEndpoint, delimiter = '|'): string {
  if (!isDelimiter(delimiter)) {
    throw new RangeError(`an EPRT delimiter is one ASCII character 33-126, got "${delimiter}"`);
  }
  assertPortRange(v.port);
  const fields = [String(v.family), v.ip, String(v.port)];
  if (fields.some((field) => field.includes(delimiter))) {
    throw new RangeError(`the EPRT delimiter "${delimiter}" occurs in ${fields.join(' ')}: the argument could not be split again`);
  }
  return ['', ...fields, ''].join(delimiter);
}

/**
 * EPSV argument, RFC 2428 §3 and §4: none (any family), `ALL` (any case; from now on only EPSV),
 * or a network protocol number (`1`, `2`; others are returned for the caller to judge: the server
 * should answer 522). Spaces around are ignored.
 */
export function parseEpsvArgument(arg: string): EpsvArgument {
  const text = arg.trim();
  if (text === '') return { kind: 'any' };
  if (text.toUpperCase() === 'ALL') return { kind: 'all' };
  if (/^[0-9]+$/.test(text)) return { kind: 'family', family: Number(text) };
  return { kind: 'invalid', error: `"${text}" is neither ALL nor a network protocol number` };
}

/**
 * Text of a 229 reply (after `229 `), RFC 2428 §3: it must contain `(<d><d><d><tcp-port><d>)`
 * with three equal delimiters, any ASCII 33–126 except digits (a digit delimiter cannot be told
 * from the port; Linux and Wireshark refuse it too). The address is the control connection's.
 * Quirks: another delimiter, an address or protocol between the delimiters (the port is still
 * taken), text after the `)` (but a lone `.`, which many servers send, as after a 227), another `(` before the one that
 * holds the port. Refused: no such group, port outside 1–65535.
 */
export function parseEpsvReply(text: string): ParseResult<{ port: number }> {
  let strayParenthesis = false;
  for (let open = text.indexOf('('); open >= 0; open = text.indexOf('(', open + 1)) {
    const close = text.indexOf(')', open + 1);
    if (close < 0) break;
    const inner = text.slice(open + 1, close);
    const delimiter = inner.charAt(0);
    const parts = inner.split(delimiter);
    if (!isDelimiter(delimiter) || isDigit(delimiter, 0) || parts.length !== 5 || parts[0] !== '' || parts[4] !== '') {
      strayParenthesis = true;
      continue;
    }
    const port = parseDecimalPort(parts[3]);
    if (typeof port === 'string') return reject(port);
    const quirks: string[] = [];
    if (delimiter !== '|') quirks.push(`delimiter "${delimiter}" instead of "|"`);
    if (parts[1] !== '' || parts[2] !== '') {
      quirks.push(`network address inside the parentheses (${['', parts[1], parts[2], ''].join(delimiter)})`);
    }
    if (strayParenthesis) quirks.push('another "(" before the port');
    const after = text.slice(close + 1).trimEnd();
    if (after !== '' && after !== '.') quirks.push('text after the closing parenthesis');
    return accept({ port }, quirks);
  }
  return reject('no "(|||port|)" in the reply');
}

/** The RFC 2428 shape: `Entering Extended Passive Mode (|||port|)` (text after `229 `). */
export function formatEpsvReply(port: number): string {
  assertPortRange(port);
  return `Entering Extended Passive Mode (|||${port}|)`;
}

/**
 * LPRT argument, RFC 1639 §2: `af,hal,h1,…,hN,pal,p1,p2`; IPv4 `4,4,h1,h2,h3,h4,2,p1,p2`, IPv6
 * `6,16,<16 bytes>,2,p1,p2`. Quirks: spaces, an unspecified address. Refused: another family,
 * an address length that does not fit it, port length ≠ 2, a wrong count, a number above 255, port 0.
 */
export function parseLprtArgument(arg: string): ParseResult<LongEndpoint> {
  const quirks: string[] = [];
  const digits = parseCommaList(arg, quirks);
  if (typeof digits === 'string') return reject(digits);
  return endpointFromLong(digits, quirks);
}

/** `af,hal,h1,…,hN,2,p1,p2` (RFC 1639 §2). */
export function formatLprtArgument(v: LongEndpoint): string {
  const bytes = v.family === 4 ? parseIPv4(v.ip) : parseIPv6(v.ip);
  if (bytes === null) throw new RangeError(`"${v.ip}" is not an IPv${v.family} address`);
  assertPortRange(v.port);
  return [v.family, bytes.length, ...bytes, 2, v.port >> 8, v.port & 0xff].join(',');
}

/**
 * Text of a 228 reply (after `228 `), RFC 1639 §3: `Entering Long Passive Mode (af,hal,…,p2)`.
 * The first run of at least 9 comma-separated numbers is read as in LPRT; the same quirks about
 * parentheses and surrounding text as for 227.
 */
export function parseLpsvReply(text: string): ParseResult<LongEndpoint> {
  const found = numbersInReply(text, false, (count) => count >= 9, '9 numbers (IPv4) or 21 (IPv6)');
  if (typeof found === 'string') return reject(found);
  return endpointFromLong(found.digits, found.quirks);
}

/** The RFC 1639 shape: `Entering Long Passive Mode (af,hal,…,p2)` (text after `228 `). */
export function formatLpsvReply(v: LongEndpoint): string {
  return `Entering Long Passive Mode (${formatLprtArgument(v)})`;
}
