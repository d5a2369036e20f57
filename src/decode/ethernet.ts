/**
 * Ethernet II (IEEE 802.3 with an EtherType), 802.1Q / 802.1ad VLAN tags, and LLC/SNAP frames
 * carrying an EtherType. Also the EtherType dispatch the other link layers (SLL) share.
 */
import { decodeIPv4 } from './ipv4';
import { decodeIPv6 } from './ipv6';
import type { LayerDecoder, LayerResult } from './result';
import { malformed, other, OTHER_NOT_IP, truncated } from './result';
import type { TcpLocation } from './tcp';
import { decodeMpls, decodePppoeSession } from './tunnels';

export const ETHERNET_HEADER_LENGTH = 14;
export const VLAN_TAG_LENGTH = 4;
/** More stacked VLAN tags than this is treated as malformed. */
export const MAX_VLAN_TAGS = 8;

/** Network-layer decoders by EtherType (MPLS and PPPoE lead to IP; see tunnels.ts). */
export const ETHER_TYPES: ReadonlyMap<number, LayerDecoder> = new Map<number, LayerDecoder>([
  [0x0800, decodeIPv4],
  [0x86dd, decodeIPv6],
  [0x8847, (bytes, offset, wireLength, into) => decodeMpls(bytes, offset, wireLength, into)],
  [0x8848, (bytes, offset, wireLength, into) => decodeMpls(bytes, offset, wireLength, into)],
  [0x8864, (bytes, offset, wireLength, into) => decodePppoeSession(bytes, offset, wireLength, into)],
]);

/**
 * EtherTypes that introduce a VLAN tag (TCI, then the next EtherType): 802.1Q, 802.1ad (QinQ
 * service tag) and the pre-standard QinQ value 0x9100.
 */
export const VLAN_TAG_TYPES: ReadonlySet<number> = new Set([0x8100, 0x88a8, 0x9100]);

/** EtherType values up to this are 802.3 length fields (IEEE 802.3 clause 3.2.6). */
const MAX_8023_LENGTH = 1500;
const LLC_SNAP_HEADER_LENGTH = 8; // DSAP AA, SSAP AA, control 03, OUI (3), EtherType (2)
const OTHER_LLC = other('802.3-llc');

/** Decode the Ethernet frame at `offset` down to TCP. */
export function decodeEthernet(bytes: Buffer, offset: number, wireLength: number, into: TcpLocation): LayerResult {
  const available = bytes.length - offset;
  if (available < ETHERNET_HEADER_LENGTH) {
    return truncated('ethernet', 'Ethernet header', ETHERNET_HEADER_LENGTH, available, wireLength - offset, offset);
  }
  const typeOrLength = bytes.readUInt16BE(offset + 12);
  if (typeOrLength <= MAX_8023_LENGTH) {
    return decodeLlcSnap(bytes, offset + ETHERNET_HEADER_LENGTH, wireLength, into);
  }
  return decodeEtherType(typeOrLength, bytes, offset + ETHERNET_HEADER_LENGTH, wireLength, into);
}

/**
 * Decode what follows an EtherType field: first any VLAN tags (up to MAX_VLAN_TAGS), then the
 * network layer from ETHER_TYPES. `offset` is the first byte after the EtherType field.
 */
export function decodeEtherType(etherType: number, bytes: Buffer, offset: number, wireLength: number, into: TcpLocation): LayerResult {
  let type = etherType;
  let at = offset;
  for (let tags = 0; VLAN_TAG_TYPES.has(type); tags++) {
    if (tags === MAX_VLAN_TAGS) {
      return malformed('vlan', `more than ${MAX_VLAN_TAGS} stacked VLAN tags`, at);
    }
    const available = bytes.length - at;
    if (available < VLAN_TAG_LENGTH) {
      return truncated('vlan', 'VLAN tag', VLAN_TAG_LENGTH, available, wireLength - at, at);
    }
    type = bytes.readUInt16BE(at + 2);
    at += VLAN_TAG_LENGTH;
  }
  const decode = ETHER_TYPES.get(type);
  return decode === undefined ? OTHER_NOT_IP : decode(bytes, at, wireLength, into);
}

/** An 802.3 frame: only LLC/SNAP with OUI 00-00-00 (RFC 1042) carries an EtherType. */
function decodeLlcSnap(bytes: Buffer, offset: number, wireLength: number, into: TcpLocation): LayerResult {
  if (bytes.length - offset < LLC_SNAP_HEADER_LENGTH) return OTHER_LLC;
  if (
    bytes[offset] !== 0xaa ||
    bytes[offset + 1] !== 0xaa ||
    bytes[offset + 2] !== 0x03 ||
    bytes[offset + 3] !== 0 ||
    bytes[offset + 4] !== 0 ||
    bytes[offset + 5] !== 0
  ) {
    return OTHER_LLC;
  }
  return decodeEtherType(bytes.readUInt16BE(offset + 6), bytes, offset + LLC_SNAP_HEADER_LENGTH, wireLength, into);
}
