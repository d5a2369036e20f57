/**
 * What a frame decodes to, shared by every layer decoder in src/decode/.
 *
 * Decoders never throw on traffic: bytes that cannot be a valid header become a `malformed`
 * result naming the layer, a plain-words reason and the byte offset (in the frame) of the header
 * or field at fault. Anything that is well formed but not TCP over IP is `other`.
 */
import type { TcpSegment } from '../types';
import type { IcmpUnreachable } from './icmp';
import type { Located, TcpLocation } from './tcp';

/**
 * One fragment of an IP datagram that carries TCP or a tunnel (RFC 791 section 3.2, RFC 8200 section 4.5).
 * `data` is the captured fragment payload (a subarray of the frame), `offset` its place in the
 * datagram's payload in bytes.
 */
export interface IpFragment {
  ipVersion: 4 | 6;
  /** What the datagram carries: TCP (6), or a tunnel (IP in IP 4, IPv6 41, GRE 47, UDP 17 for VXLAN/GENEVE). */
  protocol: number;
  src: string;
  dst: string;
  /** The source then the destination address as in the header (a view into the frame). */
  addresses: Buffer;
  /** Identification field (16 bits in IPv4, 32 bits in IPv6). */
  id: number;
  offset: number;
  /** More Fragments: not the last fragment. */
  more: boolean;
  data: Buffer;
  /** The snap length cut this fragment: its data is shorter than on the wire. */
  cut: boolean;
}

export type DecodeResult =
  | { kind: 'tcp'; segment: TcpSegment }
  /** A fragment of an IP datagram carrying TCP: reassemble with FragmentTable. */
  | { kind: 'fragment'; fragment: IpFragment }
  /**
   * Not TCP over IP (ARP, UDP, ICMP, a fragment, an unsupported link type...). `note` says which, in
   * kebab-case. `unsupported` is set when the frame may well hold TCP but could not be decoded
   * (an encapsulation or link type ftpcap does not read); `note` is then the reason in plain words.
   */
  | { kind: 'other'; note?: string; unsupported?: true }
  /** An ICMP or ICMPv6 destination unreachable that quotes a TCP segment (icmp.ts). */
  | { kind: 'unreachable'; error: IcmpUnreachable }
  /** `offset`: byte offset in the frame of the header or field that is wrong. */
  | { kind: 'malformed'; layer: string; reason: string; offset: number };

/**
 * A layer decoder: `bytes` is the whole captured frame, `offset` where this layer starts and
 * `wireLength` how long the frame was on the wire (>= bytes.length; more when the snap length cut it).
 * A TCP segment is not built but described in `into` (see TcpLocation), and LOCATED returned.
 */
export type LayerDecoder = (bytes: Buffer, offset: number, wireLength: number, into: TcpLocation) => LayerResult;

/** What a layer decoder returns: the segment was located, or anything else a frame can be. */
export type LayerResult = DecodeResult | Located;

/** A frozen `other` result; the decoders share these instead of allocating one per packet. */
export function other(note: string): DecodeResult {
  return Object.freeze({ kind: 'other', note }) as DecodeResult;
}

/** A frame that may hold TCP but could not be decoded, and why (a frozen result: share it). */
export function unsupported(reason: string): DecodeResult {
  return Object.freeze({ kind: 'other', note: reason, unsupported: true }) as DecodeResult;
}

export function malformed(layer: string, reason: string, offset: number): DecodeResult {
  return { kind: 'malformed', layer, reason, offset };
}

/**
 * A header that does not fit in the captured bytes. `available` is what was captured from
 * `offset` on; `wireAvailable` is what the packet had there on the wire. When the header would
 * have fit on the wire, the capture's snap length cut it, and the reason says so.
 */
export function truncated(layer: string, what: string, needed: number, available: number, wireAvailable: number, offset: number): DecodeResult {
  const have = available < 0 ? 0 : available;
  const reason =
    needed <= wireAvailable
      ? `${what} needs ${needed} bytes but the capture's snap length kept only ${have}`
      : `${what} needs ${needed} bytes but only ${have} are present`;
  return { kind: 'malformed', layer, reason, offset };
}

export const OTHER_NOT_IP = other('not-ip');
