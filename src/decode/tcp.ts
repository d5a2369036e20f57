/**
 * TCP header (RFC 9293 section 3.1). Options are skipped, not parsed; the checksum is not checked
 * (capturing hosts with checksum offload record wrong ones).
 *
 * The header is first located: its numbers and where the addresses and the payload are go into a
 * `TcpLocation` that the caller owns and reuses for every frame, so that finding out whether a
 * packet matters costs no allocation (gopacket's DecodingLayerParser decodes into preallocated
 * layers for the same reason). `segmentOf` turns a location into a TcpSegment when one is needed.
 */
import { formatIPv4, formatIPv6 } from './ipaddr';
import type { DecodeResult } from './result';
import { malformed, truncated } from './result';
import type { TcpSegment } from '../types';

export const TCP_MIN_HEADER_LENGTH = 20;

/**
 * A TCP segment found in a frame, as numbers and offsets into `bytes`. Filled in place by the
 * layer decoders (`locateTcp`); valid until the next frame is located into it.
 */
export class TcpLocation {
  /** The frame (or reassembled datagram) the offsets point into. */
  bytes: Buffer = Buffer.alloc(0);
  ipVersion: 4 | 6 = 4;
  /** Offset of the source address in `bytes`, the destination address right after it; -1 when not in `bytes`. */
  addressOffset = -1;
  /** Offset of the TCP header. */
  tcpOffset = 0;
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  /** The captured payload is bytes[payloadOffset, payloadEnd). */
  payloadOffset = 0;
  payloadEnd = 0;
  /** Payload bytes the packet carried on the wire but the capture cut off. */
  missingPayload = 0;

  get payloadLength(): number {
    return this.payloadEnd - this.payloadOffset;
  }

  /** Length of each address in bytes. */
  get addressLength(): number {
    return this.ipVersion === 4 ? 4 : 16;
  }
}

/** What a layer decoder returns when the TCP segment is described in its `TcpLocation`. */
export const LOCATED = Object.freeze({ kind: 'located' as const });
export type Located = typeof LOCATED;

/**
 * Locate the TCP header at `offset`. The IP layer bounds the segment: `end` is where the captured
 * IP payload ends in `bytes` (never past the IP length, so Ethernet padding is not payload) and
 * `wireEnd` where it ended on the wire; `wireEnd - end` payload bytes were cut by the snap length.
 * The header itself must be complete. `addressOffset` is where the IP source address is in
 * `bytes` (-1 when the addresses are elsewhere, as for a reassembled datagram).
 */
export function locateTcp(
  bytes: Buffer,
  offset: number,
  end: number,
  wireEnd: number,
  ipVersion: 4 | 6,
  addressOffset: number,
  into: TcpLocation,
): DecodeResult | Located {
  const available = end - offset;
  if (available < TCP_MIN_HEADER_LENGTH) {
    return truncated('tcp', 'TCP header', TCP_MIN_HEADER_LENGTH, available, wireEnd - offset, offset);
  }
  const headerLength = (bytes[offset + 12] >> 4) * 4;
  if (headerLength < TCP_MIN_HEADER_LENGTH) {
    return malformed('tcp', `data offset field says the header is ${headerLength} bytes, less than the 20-byte minimum`, offset + 12);
  }
  if (headerLength > available) {
    return truncated('tcp', `TCP header with options (data offset ${headerLength / 4})`, headerLength, available, wireEnd - offset, offset);
  }
  into.bytes = bytes;
  into.ipVersion = ipVersion;
  into.addressOffset = addressOffset;
  into.tcpOffset = offset;
  into.srcPort = (bytes[offset] << 8) | bytes[offset + 1];
  into.dstPort = (bytes[offset + 2] << 8) | bytes[offset + 3];
  into.seq = bytes.readUInt32BE(offset + 4);
  into.ack = bytes.readUInt32BE(offset + 8);
  into.flags = bytes[offset + 13];
  into.window = (bytes[offset + 14] << 8) | bytes[offset + 15];
  into.payloadOffset = offset + headerLength;
  into.payloadEnd = end;
  into.missingPayload = wireEnd - end;
  return LOCATED;
}

/**
 * The TCP segment a location describes, with its payload and addresses as views into the frame.
 * The addresses' text is formatted from the frame unless given (`src`, `dst`, when the caller
 * knows them); `addresses` is given when they are not in the frame (a reassembled datagram).
 */
export function segmentOf(location: TcpLocation, src?: string, dst?: string, addresses?: Buffer): TcpSegment {
  const bytes = location.bytes;
  const at = location.addressOffset;
  const v4 = location.ipVersion === 4;
  return {
    ipVersion: location.ipVersion,
    src: src ?? (v4 ? formatIPv4(bytes, at) : formatIPv6(bytes, at)),
    dst: dst ?? (v4 ? formatIPv4(bytes, at + 4) : formatIPv6(bytes, at + 16)),
    addresses: addresses ?? bytes.subarray(at, at + 2 * location.addressLength),
    srcPort: location.srcPort,
    dstPort: location.dstPort,
    seq: location.seq,
    ack: location.ack,
    flags: location.flags,
    window: location.window,
    payload: bytes.subarray(location.payloadOffset, location.payloadEnd),
    missingPayload: location.missingPayload,
  };
}

/** Used by decodeTcp only: its result is turned into a segment before it returns. */
const scratch = new TcpLocation();

/**
 * Decode the TCP header at `offset` (see locateTcp) into a segment whose addresses are `src` and
 * `dst` (as text) and `addresses` (as bytes, source then destination): for a datagram reassembled
 * from fragments, whose addresses are not in `bytes`.
 */
export function decodeTcp(
  bytes: Buffer,
  offset: number,
  end: number,
  wireEnd: number,
  ipVersion: 4 | 6,
  src: string,
  dst: string,
  addresses: Buffer,
): DecodeResult {
  const result = locateTcp(bytes, offset, end, wireEnd, ipVersion, -1, scratch);
  return result.kind === 'located' ? { kind: 'tcp', segment: segmentOf(scratch, src, dst, addresses) } : result;
}
