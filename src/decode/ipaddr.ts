/**
 * The IP address codec: bytes -> canonical text (`formatIPv4`, `formatIPv6`) and text -> bytes
 * (`parseIPv4`, `parseIPv6`), side by side so that each is the other's inverse (a round-trip test
 * holds them so). The packet decoders format the addresses of every header; the FTP grammar
 * parses the addresses that PORT/EPRT/227/229 announce; both give the same `Endpoint.ip` string
 * for the same address (src/types.ts).
 *
 * Formatting runs once or twice per packet: plain string concatenation, no regex, no arrays, no
 * caching. Callers check the length first; a short buffer is a bug and throws a RangeError.
 *
 * Parsers take the whole string and return null for anything that is not exactly an address:
 * no surrounding spaces, no zone index (`%eth0`), no prefix length.
 */

/** Dotted quad of the 4 bytes at `offset`: `192.0.2.1`. */
export function formatIPv4(bytes: Uint8Array, offset: number): string {
  if (offset < 0 || offset + 4 > bytes.length) {
    throw new RangeError(`formatIPv4: need 4 bytes at offset ${offset}, buffer has ${bytes.length}`);
  }
  return bytes[offset] + '.' + bytes[offset + 1] + '.' + bytes[offset + 2] + '.' + bytes[offset + 3];
}

/**
 * RFC 5952 text of the 16 bytes at `offset`: lowercase hex without leading zeros, the longest run
 * of two or more all-zero groups written `::` (the leftmost run on a tie), and IPv4-mapped
 * addresses (`::ffff:0:0/96`, RFC 5952 section 5) as `::ffff:192.0.2.1`. Other embedded-IPv4
 * forms (the deprecated IPv4-compatible `::a.b.c.d`, NAT64) are written in hex, as section 5 allows.
 */
export function formatIPv6(bytes: Uint8Array, offset: number): string {
  if (offset < 0 || offset + 16 > bytes.length) {
    throw new RangeError(`formatIPv6: need 16 bytes at offset ${offset}, buffer has ${bytes.length}`);
  }
  if (isIPv4Mapped(bytes, offset)) {
    return '::ffff:' + formatIPv4(bytes, offset + 12);
  }

  // Find the longest run of zero groups (ties: the leftmost, because only a longer run replaces it).
  let bestStart = -1;
  let bestLength = 0;
  let runStart = -1;
  for (let group = 0; group < 8; group++) {
    const at = offset + group * 2;
    if (bytes[at] === 0 && bytes[at + 1] === 0) {
      if (runStart < 0) runStart = group;
      const runLength = group - runStart + 1;
      if (runLength > bestLength) {
        bestStart = runStart;
        bestLength = runLength;
      }
    } else {
      runStart = -1;
    }
  }
  if (bestLength < 2) bestStart = -1; // a single zero group is written as 0, never ::

  let text = '';
  for (let group = 0; group < 8; group++) {
    if (group === bestStart) {
      text += '::';
      group += bestLength - 1;
      continue;
    }
    if (text.length > 0 && text.charCodeAt(text.length - 1) !== 0x3a /* ':' */) text += ':';
    const at = offset + group * 2;
    text += ((bytes[at] << 8) | bytes[at + 1]).toString(16);
  }
  return text;
}

function isIPv4Mapped(bytes: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 10; i++) {
    if (bytes[offset + i] !== 0) return false;
  }
  return bytes[offset + 10] === 0xff && bytes[offset + 11] === 0xff;
}

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
