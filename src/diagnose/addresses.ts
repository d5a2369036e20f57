/**
 * What kind of address an IP is, in words, for explaining why an announced address cannot be
 * reached from elsewhere (RFC 1918, RFC 6598, RFC 3927, RFC 4193, RFC 4291).
 */
import { parseIPv4, parseIPv6 } from '../decode/ipaddr';

interface Range {
  bytes: number[];
  bits: number;
  kind: string;
}

const ipv4Ranges: Range[] = [
  { bytes: [10], bits: 8, kind: 'private, RFC 1918' },
  { bytes: [172, 16], bits: 12, kind: 'private, RFC 1918' },
  { bytes: [192, 168], bits: 16, kind: 'private, RFC 1918' },
  { bytes: [100, 64], bits: 10, kind: 'carrier-grade NAT, RFC 6598' },
  { bytes: [127], bits: 8, kind: 'loopback' },
  { bytes: [169, 254], bits: 16, kind: 'link-local' },
  { bytes: [0], bits: 8, kind: 'unspecified' },
];

const ipv6Ranges: Range[] = [
  { bytes: [0xfc], bits: 7, kind: 'unique local, RFC 4193' },
  { bytes: [0xfe, 0x80], bits: 10, kind: 'link-local' },
];

function inRange(address: Uint8Array, range: Range): boolean {
  let bits = range.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((address[i] & mask) !== ((range.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

/**
 * Describes an address that is not globally reachable ('private, RFC 1918', 'loopback', ...),
 * or returns null for any other address.
 */
export function describeAddress(ip: string): string | null {
  const v4 = parseIPv4(ip);
  if (v4) return ipv4Ranges.find((r) => inRange(v4, r))?.kind ?? null;
  const v6 = parseIPv6(ip);
  if (!v6) return null;
  if (v6.every((b, i) => b === (i === 15 ? 1 : 0))) return 'loopback';
  if (v6.every((b) => b === 0)) return 'unspecified';
  return ipv6Ranges.find((r) => inRange(v6, r))?.kind ?? null;
}

/** True when the address cannot be reached from the Internet (private, shared, loopback, ...). */
export function isUnroutable(ip: string): boolean {
  return describeAddress(ip) !== null;
}
