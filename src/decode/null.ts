/**
 * BSD loopback encapsulation: LINKTYPE_NULL (0) and LINKTYPE_LOOP (108)
 * (https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html). A 4-byte address family, then the IP
 * packet. NULL writes the family in the capturing host's byte order and LOOP in network order,
 * but files are moved between hosts and some writers get it wrong, so both orders are accepted
 * for both: a family is a small number, so a value with its upper 16 bits set is byte-swapped.
 */
import { decodeIPv4 } from './ipv4';
import { decodeIPv6 } from './ipv6';
import type { LayerDecoder, LayerResult } from './result';
import { other, truncated } from './result';
import type { TcpLocation } from './tcp';

export const NULL_HEADER_LENGTH = 4;

/** Network-layer decoders by BSD address family. */
export const LOOPBACK_FAMILIES: ReadonlyMap<number, LayerDecoder> = new Map([
  [2, decodeIPv4], // AF_INET on every BSD and macOS
  [24, decodeIPv6], // AF_INET6 on NetBSD, OpenBSD, BSD/OS
  [28, decodeIPv6], // AF_INET6 on FreeBSD, DragonFly BSD
  [30, decodeIPv6], // AF_INET6 on macOS
]);

const OTHER_FAMILY = other('loopback-family-not-ip');

export function decodeNull(bytes: Buffer, offset: number, wireLength: number, into: TcpLocation): LayerResult {
  const available = bytes.length - offset;
  if (available < NULL_HEADER_LENGTH) {
    return truncated('null', 'loopback header', NULL_HEADER_LENGTH, available, wireLength - offset, offset);
  }
  let family = bytes.readUInt32BE(offset);
  if (family > 0xffff) family = bytes.readUInt32LE(offset);
  const decode = LOOPBACK_FAMILIES.get(family);
  return decode === undefined ? OTHER_FAMILY : decode(bytes, offset + NULL_HEADER_LENGTH, wireLength, into);
}
