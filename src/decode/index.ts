/**
 * Frame -> TCP segment. The single entry point the rest of ftpcap uses from src/decode/.
 */
import { LINK_TYPES } from './linktypes';
import type { DecodeResult, IpFragment, LayerResult } from './result';
import { other } from './result';
import { decodeTcp, segmentOf, TcpLocation } from './tcp';
import { IP_PROTOCOL_TCP } from './ipv4';
import { IP_TUNNELS } from './tunnels';

export type { DecodeResult } from './result';
export { LINK_TYPES, linkTypeName } from './linktypes';
export { segmentOf, TcpLocation } from './tcp';

const OTHER_UNSUPPORTED_LINK_TYPE = other('unsupported-link-type');

/**
 * Locate the TCP segment in one captured frame without building it: on LOCATED, `into` describes
 * it (ports, sequence numbers, flags, where the addresses and the payload are) until the next call
 * with the same `into`. Anything else is what decodeTcpFrame would return. Never throws.
 */
export function locateTcpFrame(linkType: number, data: Buffer, originalLength: number, into: TcpLocation): LayerResult {
  const decode = LINK_TYPES.get(linkType)?.decode;
  if (decode == null) return OTHER_UNSUPPORTED_LINK_TYPE;
  // A record claiming fewer wire bytes than it holds is itself broken; trust the bytes.
  const wireLength = originalLength > data.length ? originalLength : data.length;
  return decode(data, 0, wireLength, into);
}

/** Used by decodeTcpFrame only: its location is turned into a segment before it returns. */
const scratch = new TcpLocation();

/**
 * Decode one captured frame down to TCP.
 *
 * `data` is the captured bytes and `originalLength` the frame's length on the wire. A frame cut by
 * the snap length still decodes when the TCP header is complete: `payload` is what was captured
 * of the payload and `missingPayload` the payload bytes the IP length says were cut off.
 * Never throws for any bytes.
 */
export function decodeTcpFrame(linkType: number, data: Buffer, originalLength: number): DecodeResult {
  const result = locateTcpFrame(linkType, data, originalLength, scratch);
  return result.kind === 'located' ? { kind: 'tcp', segment: segmentOf(scratch) } : result;
}

/**
 * Decode the payload of an IP datagram reassembled from fragments (`fragment` is any of its
 * fragments): a TCP segment with the fragment's addresses, as they are not in `datagram`, or a
 * tunnel packet with its own inner addresses.
 */
export function decodeReassembled(fragment: IpFragment, datagram: Buffer): DecodeResult {
  const { protocol, ipVersion, src, dst, addresses } = fragment;
  if (protocol === IP_PROTOCOL_TCP) return decodeTcp(datagram, 0, datagram.length, datagram.length, ipVersion, src, dst, addresses);
  const tunnel = IP_TUNNELS.get(protocol);
  if (tunnel === undefined) return other('not-tcp');
  const result = tunnel(datagram, 0, datagram.length, datagram.length, scratch);
  return result.kind === 'located' ? { kind: 'tcp', segment: segmentOf(scratch) } : result;
}
