/**
 * Frame -> TCP segment. The single entry point the rest of ftpcap uses from src/decode/.
 */
import { LINK_TYPES } from './linktypes';
import type { DecodeResult } from './result';
import { other } from './result';

export type { DecodeResult, LayerDecoder } from './result';
export { formatIPv4, formatIPv6 } from './ipaddr';
export { LINK_TYPES, linkTypeName } from './linktypes';
export type { LinkType } from './linktypes';

const OTHER_UNSUPPORTED_LINK_TYPE = other('unsupported-link-type');

/**
 * Decode one captured frame down to TCP.
 *
 * `data` is the captured bytes and `originalLength` the frame's length on the wire. A frame cut by
 * the snap length still decodes when the TCP header is complete: `payload` is what was captured
 * of the payload and `missingPayload` the payload bytes the IP length says were cut off.
 * Never throws for any bytes.
 */
export function decodeTcpFrame(linkType: number, data: Buffer, originalLength: number): DecodeResult {
  const decode = LINK_TYPES.get(linkType)?.decode;
  if (decode == null) return OTHER_UNSUPPORTED_LINK_TYPE;
  // A record claiming fewer wire bytes than it holds is itself broken; trust the bytes.
  const wireLength = originalLength > data.length ? originalLength : data.length;
  return decode(data, 0, wireLength);
}
