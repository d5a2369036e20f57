/**
 * Encapsulations FTP traffic arrives in: IP in IP (protocol 4, RFC 2003), IPv6 in IPv4 (protocol
 * 41: 6in4, 6to4, sit; RFC 4213), GRE (protocol 47, RFC 2784 / RFC 2890: IP, Ethernet or MPLS
 * inside), VXLAN (UDP 4789, RFC 7348), GENEVE (UDP 6081, RFC 8926), MPLS label stacks (RFC 3032)
 * and PPPoE sessions (RFC 2516). Each hands the inner packet to the decoder of its kind; the
 * addresses and ports the rest of ftpcap sees are the inner ones.
 *
 * What cannot be decoded (an inner protocol none of these carry to TCP, a fragmented outer packet,
 * too many nested encapsulations) is `unsupported`, with the reason: such frames are counted.
 */
import { decodeEthernet, decodeEtherType } from './ethernet';
import { decodeIPv4 } from './ipv4';
import { decodeIPv6 } from './ipv6';
import type { DecodeResult, LayerResult } from './result';
import { malformed, other, truncated, unsupported } from './result';
import type { TcpLocation } from './tcp';

/**
 * A tunnel decoder: the outer header's payload runs from `offset` to `end` (captured) and to
 * `wireEnd` (on the wire), both offsets in the frame.
 */
export type TunnelDecoder = (bytes: Buffer, offset: number, end: number, wireEnd: number, into: TcpLocation) => LayerResult;

/** Encapsulations nested deeper than this are not followed. */
export const MAX_TUNNEL_DEPTH = 8;
let depth = 0;

const GRE_PROTOCOL_IPV4 = 0x0800;
const GRE_PROTOCOL_IPV6 = 0x86dd;
const GRE_TRANSPARENT_ETHERNET = 0x6558;
const ETHERTYPE_MPLS = 0x8847;
const ETHERTYPE_MPLS_MULTICAST = 0x8848;
export const UDP_PORT_VXLAN = 4789;
export const UDP_PORT_GENEVE = 6081;
const UDP_HEADER_LENGTH = 8;
const OTHER_UDP = other('udp');

/** Runs an inner decoder one encapsulation deeper, unless that is too deep. */
function nested(offset: number, decode: () => LayerResult): LayerResult {
  if (depth >= MAX_TUNNEL_DEPTH) return malformed('tunnel', `more than ${MAX_TUNNEL_DEPTH} nested encapsulations`, offset);
  depth++;
  try {
    return decode();
  } finally {
    depth--;
  }
}

/** What a GRE or GENEVE protocol type (an EtherType) carries, decoded. */
function byProtocolType(type: number, what: string, bytes: Buffer, at: number, wireEnd: number, into: TcpLocation): LayerResult {
  if (type === GRE_TRANSPARENT_ETHERNET) return nested(at, () => decodeEthernet(bytes, at, wireEnd, into));
  if (type === GRE_PROTOCOL_IPV4 || type === GRE_PROTOCOL_IPV6 || type === ETHERTYPE_MPLS || type === ETHERTYPE_MPLS_MULTICAST) {
    return nested(at, () => decodeEtherType(type, bytes, at, wireEnd, into));
  }
  return unsupportedOf(`${what} protocol 0x${type.toString(16).padStart(4, '0')}`);
}

/** Reasons are few and fixed per value: one frozen result each. */
const unsupportedResults = new Map<string, DecodeResult>();
function unsupportedOf(reason: string): DecodeResult {
  let result = unsupportedResults.get(reason);
  if (result === undefined) {
    result = unsupported(reason);
    if (unsupportedResults.size < 1024) unsupportedResults.set(reason, result);
  }
  return result;
}

/** IP in IP (protocol 4) and IPv6 in IPv4 or IPv6 (protocol 41). */
const decodeIpInIp: TunnelDecoder = (bytes, offset, _end, wireEnd, into) => nested(offset, () => decodeIPv4(bytes, offset, wireEnd, into));
const decodeIPv6InIp: TunnelDecoder = (bytes, offset, _end, wireEnd, into) => nested(offset, () => decodeIPv6(bytes, offset, wireEnd, into));

/** GRE (RFC 2784, with the key and sequence number fields of RFC 2890). Version 1 is PPTP's. */
export const decodeGre: TunnelDecoder = (bytes, offset, end, wireEnd, into) => {
  if (end - offset < 4) return truncated('gre', 'GRE header', 4, end - offset, wireEnd - offset, offset);
  const flags = bytes.readUInt16BE(offset);
  const version = flags & 0x7;
  if (version !== 0) return unsupportedOf(`GRE version ${version} (PPTP)`);
  if (flags & 0x4000) return unsupportedOf('GRE with source routing');
  const length = 4 + (flags & 0x8000 ? 4 : 0) + (flags & 0x2000 ? 4 : 0) + (flags & 0x1000 ? 4 : 0);
  if (end - offset < length) return truncated('gre', 'GRE header with its options', length, end - offset, wireEnd - offset, offset);
  return byProtocolType(bytes.readUInt16BE(offset + 2), 'GRE', bytes, offset + length, wireEnd, into);
};

/** UDP: VXLAN and GENEVE by their destination ports; anything else is other traffic. */
export const decodeUdp: TunnelDecoder = (bytes, offset, end, wireEnd, into) => {
  if (end - offset < UDP_HEADER_LENGTH) return OTHER_UDP;
  const dstPort = bytes.readUInt16BE(offset + 2);
  const at = offset + UDP_HEADER_LENGTH;
  if (dstPort === UDP_PORT_VXLAN) {
    if (end - at < 8) return truncated('vxlan', 'VXLAN header', 8, end - at, wireEnd - at, at);
    // RFC 7348 §5: the I flag says the VNI is valid; the frame inside is Ethernet.
    if ((bytes[at] & 0x08) === 0) return unsupportedOf('VXLAN without the I flag');
    return nested(at + 8, () => decodeEthernet(bytes, at + 8, wireEnd, into));
  }
  if (dstPort === UDP_PORT_GENEVE) {
    if (end - at < 8) return truncated('geneve', 'GENEVE header', 8, end - at, wireEnd - at, at);
    const version = bytes[at] >> 6;
    if (version !== 0) return unsupportedOf(`GENEVE version ${version}`);
    const length = 8 + (bytes[at] & 0x3f) * 4;
    if (end - at < length) return truncated('geneve', 'GENEVE header with its options', length, end - at, wireEnd - at, at);
    return byProtocolType(bytes.readUInt16BE(at + 2), 'GENEVE', bytes, at + length, wireEnd, into);
  }
  return OTHER_UDP;
};

/**
 * Whether a UDP datagram's first fragment (payload from `offset` to `end`) is VXLAN or GENEVE: its
 * other fragments are then worth reassembling. Fragments of other UDP are other traffic.
 */
export function isUdpTunnel(bytes: Buffer, offset: number, end: number): boolean {
  if (end - offset < 4) return false;
  const port = bytes.readUInt16BE(offset + 2);
  return port === UDP_PORT_VXLAN || port === UDP_PORT_GENEVE;
}

/** Tunnel decoders by IP protocol number (IPv4 protocol, IPv6 next header). */
export const IP_TUNNELS: ReadonlyMap<number, TunnelDecoder> = new Map([
  [4, decodeIpInIp],
  [41, decodeIPv6InIp],
  [47, decodeGre],
  [17, decodeUdp],
]);

/**
 * An MPLS label stack (RFC 3032) after EtherType 0x8847/0x8848: labels up to the one with the
 * bottom-of-stack bit, then IPv4 or IPv6 by the version nibble (RFC 4385: 0 is a pseudowire
 * control word, then Ethernet).
 */
export function decodeMpls(bytes: Buffer, offset: number, wireLength: number, into: TcpLocation): LayerResult {
  let at = offset;
  for (let labels = 0; ; labels++) {
    if (labels === 16) return malformed('mpls', 'more than 16 labels', at);
    if (bytes.length - at < 4) return truncated('mpls', 'MPLS label', 4, bytes.length - at, wireLength - at, at);
    const bottom = (bytes[at + 2] & 0x01) !== 0;
    at += 4;
    if (bottom) break;
  }
  if (bytes.length - at < 1) return truncated('mpls', 'MPLS payload', 1, bytes.length - at, wireLength - at, at);
  const nibble = bytes[at] >> 4;
  if (nibble === 4) return nested(at, () => decodeIPv4(bytes, at, wireLength, into));
  if (nibble === 6) return nested(at, () => decodeIPv6(bytes, at, wireLength, into));
  if (nibble === 0) return nested(at + 4, () => decodeEthernet(bytes, at + 4, wireLength, into));
  return unsupportedOf(`MPLS payload starting with 0x${bytes[at].toString(16).padStart(2, '0')}`);
}

const PPPOE_HEADER_LENGTH = 6;
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;

/** A PPPoE session frame (EtherType 0x8864, RFC 2516 §4): PPPoE header, PPP protocol, IP. */
export function decodePppoeSession(bytes: Buffer, offset: number, wireLength: number, into: TcpLocation): LayerResult {
  const needed = PPPOE_HEADER_LENGTH + 2;
  if (bytes.length - offset < needed) return truncated('pppoe', 'PPPoE and PPP headers', needed, bytes.length - offset, wireLength - offset, offset);
  const protocol = bytes.readUInt16BE(offset + PPPOE_HEADER_LENGTH);
  const at = offset + needed;
  if (protocol === PPP_IPV4) return nested(at, () => decodeIPv4(bytes, at, wireLength, into));
  if (protocol === PPP_IPV6) return nested(at, () => decodeIPv6(bytes, at, wireLength, into));
  return other('ppp-control');
}
