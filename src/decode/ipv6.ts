/**
 * IPv6 header (RFC 8200 section 3) and the extension headers before the upper layer (section 4).
 *
 * A packet with a Fragment header that is not atomic (a fragment offset or the M bit) and whose
 * fragmentable part is TCP is returned as a `fragment` for the stateful FragmentTable
 * (fragments.ts); fragments of anything else are `{ kind: 'other', note: 'ipv6-fragment' }`.
 */
import { decodeIcmpv6 } from './icmp';
import { formatIPv6 } from './ipaddr';
import { IP_PROTOCOL_TCP, otherIpProtocol } from './ipv4';
import type { LayerResult } from './result';
import { malformed, other, truncated } from './result';
import { locateTcp, type TcpLocation } from './tcp';
import { IP_TUNNELS, isUdpTunnel } from './tunnels';

export const IPV6_HEADER_LENGTH = 40;
/** More extension headers than this in one packet is treated as malformed. */
export const MAX_IPV6_EXTENSION_HEADERS = 16;

const NEXT_HEADER_FRAGMENT = 44;
const NEXT_HEADER_NONE = 59;
const NEXT_HEADER_ICMPV6 = 58;

interface ExtensionHeader {
  name: string;
  /** Length in bytes of the header at `at` (at least 2 bytes are known to be there). */
  length: (bytes: Buffer, at: number) => number;
}

/** RFC 8200 section 4.2 / RFC 6564: length in 8-octet units, not counting the first 8. */
const eightOctetUnits = (bytes: Buffer, at: number): number => (bytes[at + 1] + 1) * 8;

/** Extension headers skipped on the way to TCP, by Next Header value. All start with Next Header. */
const EXTENSION_HEADERS: ReadonlyMap<number, ExtensionHeader> = new Map([
  [0, { name: 'hop-by-hop options header', length: eightOctetUnits }],
  [43, { name: 'routing header', length: eightOctetUnits }],
  [44, { name: 'fragment header', length: () => 8 }],
  // RFC 4302 section 2.2: length in 4-octet units, minus 2.
  [51, { name: 'authentication header', length: (bytes: Buffer, at: number) => (bytes[at + 1] + 2) * 4 }],
  [60, { name: 'destination options header', length: eightOctetUnits }],
  [135, { name: 'mobility header', length: eightOctetUnits }],
  [139, { name: 'HIP header', length: eightOctetUnits }],
  [140, { name: 'shim6 header', length: eightOctetUnits }],
]);

const OTHER_FRAGMENT = other('ipv6-fragment');
const OTHER_NO_NEXT_HEADER = other('ipv6-no-next-header');

/**
 * Decode the IPv6 packet at `offset` and the TCP segment in it. The packet ends where the payload
 * length says; a payload length of 0 (a jumbogram, or segmentation offload) means "the rest of the frame".
 */
export function decodeIPv6(bytes: Buffer, offset: number, wireLength: number, into: TcpLocation): LayerResult {
  const available = bytes.length - offset;
  if (available < IPV6_HEADER_LENGTH) {
    return truncated('ipv6', 'IPv6 header', IPV6_HEADER_LENGTH, available, wireLength - offset, offset);
  }
  const version = bytes[offset] >> 4;
  if (version !== 6) {
    return malformed('ipv6', `version field is ${version}, expected 6`, offset);
  }
  const payloadLength = bytes.readUInt16BE(offset + 4);
  const wireEnd = payloadLength === 0 ? wireLength : offset + IPV6_HEADER_LENGTH + payloadLength;
  if (wireEnd > wireLength) {
    return malformed(
      'ipv6',
      `payload length ${payloadLength} runs past the end of the frame (${wireLength - offset - IPV6_HEADER_LENGTH} bytes after the IPv6 header)`,
      offset + 4,
    );
  }
  const end = wireEnd < bytes.length ? wireEnd : bytes.length;

  let next = bytes[offset + 6];
  let at = offset + IPV6_HEADER_LENGTH;
  for (let count = 0; next !== IP_PROTOCOL_TCP; count++) {
    const extension = EXTENSION_HEADERS.get(next);
    if (extension === undefined) {
      if (next === NEXT_HEADER_ICMPV6) return decodeIcmpv6(bytes, at, end, formatIPv6(bytes, offset + 8));
      const tunnel = IP_TUNNELS.get(next);
      if (tunnel !== undefined) return tunnel(bytes, at, end, wireEnd, into);
      return next === NEXT_HEADER_NONE ? OTHER_NO_NEXT_HEADER : otherIpProtocol(next);
    }
    if (count === MAX_IPV6_EXTENSION_HEADERS) {
      return malformed('ipv6', `more than ${MAX_IPV6_EXTENSION_HEADERS} extension headers`, at);
    }
    if (end - at < 2) {
      return truncated('ipv6', extension.name, 2, end - at, wireEnd - at, at);
    }
    const length = extension.length(bytes, at);
    if (length > end - at) {
      return truncated('ipv6', extension.name, length, end - at, wireEnd - at, at);
    }
    const fragmentField = next === NEXT_HEADER_FRAGMENT ? bytes.readUInt16BE(at + 2) : 0;
    if ((fragmentField & 0xfff9) !== 0) {
      // Fragment offset (upper 13 bits, 8-octet units) or M (bit 0): not an atomic fragment.
      const protocol = bytes[at];
      if (protocol !== IP_PROTOCOL_TCP && !IP_TUNNELS.has(protocol)) return OTHER_FRAGMENT;
      if (protocol === 17 && (fragmentField & 0xfff8) === 0 && !isUdpTunnel(bytes, at + 8, end)) return OTHER_FRAGMENT;
      return {
        kind: 'fragment',
        fragment: {
          ipVersion: 6,
          protocol,
          src: formatIPv6(bytes, offset + 8),
          dst: formatIPv6(bytes, offset + 24),
          addresses: bytes.subarray(offset + 8, offset + 40),
          id: bytes.readUInt32BE(at + 4),
          offset: fragmentField & 0xfff8,
          more: (fragmentField & 1) !== 0,
          data: bytes.subarray(at + 8, end),
          cut: end < wireEnd,
        },
      };
    }
    next = bytes[at];
    at += length;
  }

  return locateTcp(bytes, at, end, wireEnd, 6, offset + 8, into);
}
