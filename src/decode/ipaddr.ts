/**
 * IP addresses from packet bytes to canonical text (bytes -> text only; parsing text is in src/ftp/).
 *
 * Runs once or twice per packet: plain string concatenation, no regex, no arrays, no caching.
 * Callers check the length first; a short buffer is a bug and throws a RangeError.
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
