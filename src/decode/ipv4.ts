/**
 * IPv4 header (RFC 791 section 3.1). Options are skipped; the header checksum is not checked
 * (checksum offload makes it unreliable in captures from the sending host).
 *
 * A packet with a fragment offset or the More Fragments bit that carries TCP or a tunnel (see
 * tunnels.ts; UDP for VXLAN and GENEVE) is returned as a `fragment` for the stateful FragmentTable
 * (fragments.ts); other fragmented protocols are `other`.
 */
import { decodeIcmp } from './icmp';
import { formatIPv4 } from './ipaddr';
import type { DecodeResult, LayerResult } from './result';
import { malformed, other, truncated } from './result';
import { locateTcp, type TcpLocation } from './tcp';
import { IP_TUNNELS, isUdpTunnel } from './tunnels';

export const IPV4_MIN_HEADER_LENGTH = 20;
export const IP_PROTOCOL_TCP = 6;
const IP_PROTOCOL_ICMP = 1;

/** `other` results for well-known IP protocols that are not TCP (shared by IPv4 and IPv6). */
const IP_PROTOCOL_OTHER: ReadonlyMap<number, DecodeResult> = new Map([
  [1, other('icmp')],
  [2, other('igmp')],
  [4, other('ip-in-ip')],
  [17, other('udp')],
  [41, other('ipv6-in-ip')],
  [47, other('gre')],
  [50, other('ipsec-esp')],
  [58, other('icmpv6')],
  [132, other('sctp')],
]);
const OTHER_IP_PROTOCOL = other('not-tcp');

/** The `other` result for an IP payload that is not TCP. */
export function otherIpProtocol(protocol: number): DecodeResult {
  return IP_PROTOCOL_OTHER.get(protocol) ?? OTHER_IP_PROTOCOL;
}

/**
 * Decode the IPv4 packet at `offset` and the TCP segment in it. The packet ends where its total
 * length says (trailing Ethernet padding or FCS is not payload). A total length of 0 is taken as
 * "the rest of the frame", as Wireshark does for captures of TCP segmentation offload.
 */
export function decodeIPv4(bytes: Buffer, offset: number, wireLength: number, into: TcpLocation): LayerResult {
  const available = bytes.length - offset;
  if (available < IPV4_MIN_HEADER_LENGTH) {
    return truncated('ipv4', 'IPv4 header', IPV4_MIN_HEADER_LENGTH, available, wireLength - offset, offset);
  }
  const version = bytes[offset] >> 4;
  if (version !== 4) {
    return malformed('ipv4', `version field is ${version}, expected 4`, offset);
  }
  const headerLength = (bytes[offset] & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER_LENGTH) {
    return malformed('ipv4', `header length field says ${headerLength} bytes, less than the 20-byte minimum`, offset);
  }
  if (headerLength > available) {
    return truncated('ipv4', 'IPv4 header with options', headerLength, available, wireLength - offset, offset);
  }

  let totalLength = bytes.readUInt16BE(offset + 2);
  if (totalLength === 0) {
    totalLength = wireLength - offset; // TCP segmentation offload: the length was left for the NIC to fill in
  } else if (totalLength < headerLength) {
    return malformed('ipv4', `total length ${totalLength} is less than the header length ${headerLength}`, offset + 2);
  }
  if (totalLength > wireLength - offset) {
    return malformed('ipv4', `total length ${totalLength} runs past the end of the frame (${wireLength - offset} bytes from the IPv4 header on)`, offset + 2);
  }

  const protocol = bytes[offset + 9];
  const wireEnd = offset + totalLength;
  const end = wireEnd < bytes.length ? wireEnd : bytes.length;
  const fragmentField = bytes.readUInt16BE(offset + 6);
  // An unfragmented ICMP error may quote a TCP segment of a connection being tracked.
  if (protocol === IP_PROTOCOL_ICMP && (fragmentField & 0x3fff) === 0) return decodeIcmp(bytes, offset + headerLength, end, formatIPv4(bytes, offset + 12));
  const tunnel = protocol === IP_PROTOCOL_TCP ? undefined : IP_TUNNELS.get(protocol);
  if (protocol !== IP_PROTOCOL_TCP && tunnel === undefined) return otherIpProtocol(protocol);
  if ((fragmentField & 0x3fff) !== 0) {
    // More Fragments bit (0x2000) or a fragment offset in 8-octet units (low 13 bits).
    // UDP is reassembled only for VXLAN and GENEVE: its first fragment tells (see the analyzer).
    if (protocol === 17 && (fragmentField & 0x1fff) === 0 && !isUdpTunnel(bytes, offset + headerLength, end)) return otherIpProtocol(protocol);
    return {
      kind: 'fragment',
      fragment: {
        ipVersion: 4,
        protocol,
        src: formatIPv4(bytes, offset + 12),
        dst: formatIPv4(bytes, offset + 16),
        addresses: bytes.subarray(offset + 12, offset + 20),
        id: bytes.readUInt16BE(offset + 4),
        offset: (fragmentField & 0x1fff) * 8,
        more: (fragmentField & 0x2000) !== 0,
        data: bytes.subarray(offset + headerLength, end),
        cut: end < wireEnd,
      },
    };
  }
  if (tunnel !== undefined) return tunnel(bytes, offset + headerLength, end, wireEnd, into);
  return locateTcp(bytes, offset + headerLength, end, wireEnd, 4, offset + 12, into);
}
