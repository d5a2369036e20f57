/**
 * Raw IP link types: LINKTYPE_RAW (101, and the DLT_RAW values 12 and 14 some files carry), where
 * the version nibble says IPv4 or IPv6, and LINKTYPE_IPV4 (228) / LINKTYPE_IPV6 (229).
 */
import { decodeIPv4 } from './ipv4';
import { decodeIPv6 } from './ipv6';
import type { LayerDecoder, LayerResult } from './result';
import { malformed, truncated } from './result';
import type { TcpLocation } from './tcp';

/** Network-layer decoders by IP version nibble. */
export const IP_VERSIONS: ReadonlyMap<number, LayerDecoder> = new Map([
  [4, decodeIPv4],
  [6, decodeIPv6],
]);

export function decodeRawIp(bytes: Buffer, offset: number, wireLength: number, into: TcpLocation): LayerResult {
  if (bytes.length - offset < 1) {
    return truncated('ip', 'IP header', 1, bytes.length - offset, wireLength - offset, offset);
  }
  const version = bytes[offset] >> 4;
  const decode = IP_VERSIONS.get(version);
  if (decode === undefined) {
    return malformed('ip', `version field is ${version}, neither 4 nor 6`, offset);
  }
  return decode(bytes, offset, wireLength, into);
}
