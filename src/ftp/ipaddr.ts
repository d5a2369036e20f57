/**
 * IP address text -> bytes: strict parsers, and canonical text of an address given as text.
 *
 * The opposite direction (bytes -> canonical text, RFC 5952 for IPv6) is `formatIPv4` /
 * `formatIPv6` in src/decode/ipaddr.ts, shared with the packet decoders so that an address
 * announced in FTP text and the same address read from a packet header compare equal as strings
 * (`Endpoint.ip`, src/types.ts).
 *
 * Parsers take the whole string and return null for anything that is not exactly an address:
 * no surrounding spaces, no zone index (`%eth0`), no prefix length.
 */
import { formatIPv4, formatIPv6 } from '../decode/ipaddr';

/**
 * Parse a dotted-quad IPv4 address (`192.0.2.10`) into its 4 bytes.
 * Each part is 1–3 decimal digits, at most 255, without leading zeros (as inet_pton and Node's
 * `net.isIPv4`: `010` could be read as octal elsewhere, so it is refused rather than guessed).
 */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i];
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes[i] = value;
  }
  return bytes;
}

/**
 * Parse IPv6 address text (RFC 4291 §2.2) into its 16 bytes: eight groups of 1–4 hex digits, any
 * case; at most one `::` standing for one or more zero groups; optionally a dotted-quad IPv4 tail
 * in place of the last two groups (`::ffff:192.0.2.1`, `64:ff9b::198.51.100.7`).
 */
export function parseIPv6(text: string): Uint8Array | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const compressed = halves.length === 2;
  const head = parseGroups(halves[0], !compressed);
  const tail = compressed ? parseGroups(halves[1], true) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (compressed ? missing < 1 : missing !== 0) return null;

  const words = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    bytes[2 * i] = words[i] >> 8;
    bytes[2 * i + 1] = words[i] & 0xff;
  }
  return bytes;
}

/** Colon-separated groups of 1–4 hex digits; when `mayEndInIPv4`, the last may be a dotted quad (two groups). */
function parseGroups(text: string, mayEndInIPv4: boolean): number[] | null {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (mayEndInIPv4 && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (v4 === null) return null;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return null;
    }
  }
  return groups;
}

/**
 * Canonical text of an IPv4 or IPv6 address given as text (see the module comment), or null when
 * the text is neither. `::FFFF:0A00:0001` -> `::ffff:10.0.0.1`, `2001:DB8:0:0:0:0:0:1` -> `2001:db8::1`.
 */
export function canonicalIp(text: string): string | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return formatIPv4(v4, 0);
  const v6 = parseIPv6(text);
  if (v6 !== null) return formatIPv6(v6, 0);
  return null;
}
