/**
 * Linux "cooked" capture headers, as written by `tcpdump -i any`:
 * LINKTYPE_LINUX_SLL (113, https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html) and
 * LINKTYPE_LINUX_SLL2 (276, https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html).
 * The protocol type field is an EtherType for the link types that matter here; values that are
 * not (802.2 LLC 0x0004, CAN 0x000c, netlink families...) decode to `other`.
 */
import { decodeEtherType } from './ethernet';
import type { LayerResult } from './result';
import { truncated } from './result';
import type { TcpLocation } from './tcp';

export const SLL_HEADER_LENGTH = 16;
export const SLL2_HEADER_LENGTH = 20;

/**
 * SLL v1: packet type (2), ARPHRD type (2), link-layer address length (2), address (8),
 * protocol type (2).
 */
export function decodeSll(bytes: Buffer, offset: number, wireLength: number, into: TcpLocation): LayerResult {
  const available = bytes.length - offset;
  if (available < SLL_HEADER_LENGTH) {
    return truncated('sll', 'Linux cooked (SLL) header', SLL_HEADER_LENGTH, available, wireLength - offset, offset);
  }
  return decodeEtherType(bytes.readUInt16BE(offset + 14), bytes, offset + SLL_HEADER_LENGTH, wireLength, into);
}

/**
 * SLL v2: protocol type (2), reserved (2), interface index (4), ARPHRD type (2), packet type (1),
 * link-layer address length (1), address (8).
 */
export function decodeSll2(bytes: Buffer, offset: number, wireLength: number, into: TcpLocation): LayerResult {
  const available = bytes.length - offset;
  if (available < SLL2_HEADER_LENGTH) {
    return truncated('sll2', 'Linux cooked v2 (SLL2) header', SLL2_HEADER_LENGTH, available, wireLength - offset, offset);
  }
  return decodeEtherType(bytes.readUInt16BE(offset), bytes, offset + SLL2_HEADER_LENGTH, wireLength, into);
}
