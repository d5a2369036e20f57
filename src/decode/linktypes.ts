/**
 * libpcap link types (the pcap header's LINKTYPE_* value, https://www.tcpdump.org/linktypes.html)
 * with the names libpcap gives them (`pcap_datalink_val_to_name`, as tcpdump and Wireshark print)
 * and their decoders. Link types listed without a decoder are known but not decoded.
 */
import { decodeEthernet } from './ethernet';
import { decodeIPv4 } from './ipv4';
import { decodeIPv6 } from './ipv6';
import { decodeNull } from './null';
import { decodeRawIp } from './raw';
import type { LayerDecoder } from './result';
import { decodeSll, decodeSll2 } from './sll';

export interface LinkType {
  /** libpcap's name without the LINKTYPE_ / DLT_ prefix: 'EN10MB', 'LINUX_SLL', ... */
  name: string;
  /** Decodes a frame of this link type from offset 0; null when frames of this type are not decoded. */
  decode: LayerDecoder | null;
}

export const LINK_TYPES: ReadonlyMap<number, LinkType> = new Map<number, LinkType>([
  [0, { name: 'NULL', decode: decodeNull }],
  [1, { name: 'EN10MB', decode: decodeEthernet }],
  [9, { name: 'PPP', decode: null }],
  [12, { name: 'RAW', decode: decodeRawIp }], // DLT_RAW on most platforms
  [14, { name: 'RAW', decode: decodeRawIp }], // DLT_RAW on OpenBSD
  [50, { name: 'PPP_SERIAL', decode: null }],
  [101, { name: 'RAW', decode: decodeRawIp }], // LINKTYPE_RAW
  [105, { name: 'IEEE802_11', decode: null }],
  [108, { name: 'LOOP', decode: decodeNull }],
  [113, { name: 'LINUX_SLL', decode: decodeSll }],
  [127, { name: 'IEEE802_11_RADIO', decode: null }],
  [228, { name: 'IPV4', decode: decodeIPv4 }],
  [229, { name: 'IPV6', decode: decodeIPv6 }],
  [276, { name: 'LINUX_SLL2', decode: decodeSll2 }],
]);

/** libpcap's name for a link type, or `LINKTYPE_<n>` for one this table does not know. */
export function linkTypeName(linkType: number): string {
  return LINK_TYPES.get(linkType)?.name ?? `LINKTYPE_${linkType}`;
}
