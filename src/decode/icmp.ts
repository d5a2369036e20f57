/**
 * ICMP destination unreachable (RFC 792; RFC 1122 §3.2.2.1; RFC 1812 §5.2.7.1 for code 13) and
 * ICMPv6 destination unreachable (RFC 4443 §3.1): the error a router or host sends back instead
 * of forwarding or accepting a packet, quoting that packet's IP header and at least the first 8
 * bytes of its TCP header (ports and sequence number). Only errors that quote TCP are decoded;
 * anything else is `other`.
 */
import type { TcpSegment } from '../types';
import { formatIPv4, formatIPv6 } from './ipaddr';
import type { DecodeResult } from './result';
import { other } from './result';

/** What the error says about the destination, in the words the report uses. */
export type UnreachableKind = 'network' | 'host' | 'protocol' | 'port' | 'admin-prohibited' | 'other';

/**
 * A destination-unreachable error and the TCP segment it quotes: that segment's addresses (text
 * and bytes, a view into the frame), ports and sequence number, as a decoded segment has them.
 */
export interface IcmpUnreachable extends Pick<TcpSegment, 'src' | 'dst' | 'addresses' | 'srcPort' | 'dstPort' | 'seq'> {
  ipVersion: 4 | 6;
  /** Who sent the error (a router on the way, or the destination host). */
  from: string;
  kind: UnreachableKind;
  /** ICMP type and code as on the wire (3/x for ICMP, 1/x for ICMPv6). */
  icmpType: number;
  icmpCode: number;
}

const ICMP_UNREACHABLE = 3;
const ICMPV6_UNREACHABLE = 1;
const IP_PROTOCOL_TCP = 6;
/** type, code, checksum, 4 unused bytes. */
const ICMP_HEADER_LENGTH = 8;
/** The TCP bytes every error quotes: ports and sequence number. */
const QUOTED_TCP_LENGTH = 8;

/** ICMP type 3 codes (RFC 792, RFC 1122, RFC 1812). Code 4 (fragmentation needed) is path MTU discovery, not a refusal. */
const ICMP_KINDS: ReadonlyMap<number, UnreachableKind> = new Map([
  [0, 'network'],
  [1, 'host'],
  [2, 'protocol'],
  [3, 'port'],
  [5, 'other'],
  [6, 'network'],
  [7, 'host'],
  [8, 'other'],
  [9, 'admin-prohibited'],
  [10, 'admin-prohibited'],
  [11, 'network'],
  [12, 'host'],
  [13, 'admin-prohibited'],
  [14, 'admin-prohibited'],
  [15, 'admin-prohibited'],
]);

/** ICMPv6 type 1 codes (RFC 4443 §3.1). */
const ICMPV6_KINDS: ReadonlyMap<number, UnreachableKind> = new Map([
  [0, 'network'],
  [1, 'admin-prohibited'],
  [2, 'other'],
  [3, 'host'],
  [4, 'port'],
  [5, 'admin-prohibited'],
  [6, 'admin-prohibited'],
]);

const OTHER_ICMP = other('icmp');
const OTHER_ICMPV6 = other('icmpv6');

/**
 * The ICMP message at `offset` (up to `end`) of a packet from `from`: an `unreachable` result when
 * it is a destination unreachable quoting a TCP segment, else `other`. Never throws.
 */
export function decodeIcmp(bytes: Buffer, offset: number, end: number, from: string): DecodeResult {
  if (end - offset < ICMP_HEADER_LENGTH || bytes[offset] !== ICMP_UNREACHABLE) return OTHER_ICMP;
  const kind = ICMP_KINDS.get(bytes[offset + 1]);
  if (kind === undefined) return OTHER_ICMP;
  const ip = offset + ICMP_HEADER_LENGTH;
  if (end - ip < 20 || bytes[ip] >> 4 !== 4) return OTHER_ICMP;
  const headerLength = (bytes[ip] & 0x0f) * 4;
  if (headerLength < 20 || bytes[ip + 9] !== IP_PROTOCOL_TCP) return OTHER_ICMP;
  const tcp = ip + headerLength;
  if (end - tcp < QUOTED_TCP_LENGTH) return OTHER_ICMP;
  return unreachable(4, from, kind, bytes[offset], bytes[offset + 1], bytes, ip + 12, tcp);
}

/** The ICMPv6 message at `offset`, as decodeIcmp. The quoted packet must carry TCP right after its IPv6 header. */
export function decodeIcmpv6(bytes: Buffer, offset: number, end: number, from: string): DecodeResult {
  if (end - offset < ICMP_HEADER_LENGTH || bytes[offset] !== ICMPV6_UNREACHABLE) return OTHER_ICMPV6;
  const kind = ICMPV6_KINDS.get(bytes[offset + 1]);
  if (kind === undefined) return OTHER_ICMPV6;
  const ip = offset + ICMP_HEADER_LENGTH;
  if (end - ip < 40 || bytes[ip] >> 4 !== 6 || bytes[ip + 6] !== IP_PROTOCOL_TCP) return OTHER_ICMPV6;
  const tcp = ip + 40;
  if (end - tcp < QUOTED_TCP_LENGTH) return OTHER_ICMPV6;
  return unreachable(6, from, kind, bytes[offset], bytes[offset + 1], bytes, ip + 8, tcp);
}

function unreachable(
  ipVersion: 4 | 6,
  from: string,
  kind: UnreachableKind,
  icmpType: number,
  icmpCode: number,
  bytes: Buffer,
  addressOffset: number,
  tcp: number,
): DecodeResult {
  const length = ipVersion === 4 ? 4 : 16;
  const format = ipVersion === 4 ? formatIPv4 : formatIPv6;
  const src = format(bytes, addressOffset);
  const dst = format(bytes, addressOffset + length);
  const addresses = bytes.subarray(addressOffset, addressOffset + 2 * length);
  return {
    kind: 'unreachable',
    error: {
      ipVersion,
      from,
      kind,
      icmpType,
      icmpCode,
      src,
      dst,
      addresses,
      srcPort: bytes.readUInt16BE(tcp),
      dstPort: bytes.readUInt16BE(tcp + 2),
      seq: bytes.readUInt32BE(tcp + 4),
    },
  };
}
