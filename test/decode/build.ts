/**
 * Hand-built frames for the decoder tests, laid out field by field from the specs cited.
 * Checksums are left zero: the decoders do not check them.
 */
import { parseIPv4, parseIPv6 } from '../../src/decode/ipaddr';
import type { Endpoint, TcpSegment } from '../../src/types';

export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/[^0-9a-fA-F]/g, ''), 'hex');
}

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

function ipv4Bytes(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

/** Full (uncompressed) IPv6 text with 8 groups, e.g. '2001:db8:0:0:0:0:0:1'. */
function ipv6Bytes(text: string): Buffer {
  return Buffer.concat(text.split(':').map((g) => u16(parseInt(g, 16))));
}

const MAC_DST = hex('00 11 22 33 44 55');
const MAC_SRC = hex('66 77 88 99 aa bb');

/** Ethernet II header (IEEE 802.3 clause 3.1.1), with optional VLAN tags [TPID, VID] before the EtherType. */
export function ethernet(etherType: number, payload: Buffer, tags: Array<[number, number]> = []): Buffer {
  const tagBytes = tags.map(([tpid, vid]) => Buffer.concat([u16(tpid), u16(vid)]));
  return Buffer.concat([MAC_DST, MAC_SRC, ...tagBytes, u16(etherType), payload]);
}

/** Linux cooked v1 header (LINKTYPE_LINUX_SLL): packet type 0, ARPHRD_ETHER, 6-byte address. */
export function sll(protocol: number, payload: Buffer): Buffer {
  return Buffer.concat([u16(0), u16(1), u16(6), MAC_SRC, hex('00 00'), u16(protocol), payload]);
}

/** Linux cooked v2 header (LINKTYPE_LINUX_SLL2): protocol, reserved, ifindex 2, ARPHRD_ETHER, type 0, 6-byte address. */
export function sll2(protocol: number, payload: Buffer): Buffer {
  return Buffer.concat([u16(protocol), u16(0), hex('00 00 00 02'), u16(1), hex('00 06'), MAC_SRC, hex('00 00'), payload]);
}

/** BSD loopback header (LINKTYPE_NULL / LOOP): the address family as 4 bytes in either byte order. */
export function loopback(family: number, littleEndian: boolean, payload: Buffer): Buffer {
  const b = Buffer.alloc(4);
  if (littleEndian) b.writeUInt32LE(family);
  else b.writeUInt32BE(family);
  return Buffer.concat([b, payload]);
}

export interface Ipv4Fields {
  src?: string;
  dst?: string;
  protocol?: number;
  options?: Buffer;
  /** Overrides the computed total length. */
  totalLength?: number;
  /** Overrides the computed IHL (in 4-byte words). */
  ihl?: number;
  /** Flags and fragment offset word (RFC 791: bit 0x2000 = MF, low 13 bits = offset). */
  fragment?: number;
  version?: number;
}

/** IPv4 header (RFC 791 section 3.1) followed by `payload`. */
export function ipv4(fields: Ipv4Fields, payload: Buffer): Buffer {
  const options = fields.options ?? Buffer.alloc(0);
  const headerLength = 20 + options.length;
  const h = Buffer.alloc(20);
  h[0] = ((fields.version ?? 4) << 4) | (fields.ihl ?? headerLength / 4);
  h.writeUInt16BE(fields.totalLength ?? headerLength + payload.length, 2);
  h.writeUInt16BE(0x1234, 4); // identification
  h.writeUInt16BE(fields.fragment ?? 0x4000, 6); // DF
  h[8] = 64; // TTL
  h[9] = fields.protocol ?? 6;
  ipv4Bytes(fields.src ?? '192.0.2.1').copy(h, 12);
  ipv4Bytes(fields.dst ?? '198.51.100.2').copy(h, 16);
  return Buffer.concat([h, options, payload]);
}

export interface Ipv6Fields {
  src?: string;
  dst?: string;
  next?: number;
  payloadLength?: number;
  version?: number;
}

/** IPv6 fixed header (RFC 8200 section 3) followed by `payload` (extension headers included). */
export function ipv6(fields: Ipv6Fields, payload: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(((fields.version ?? 6) << 28) >>> 0, 0);
  h.writeUInt16BE(fields.payloadLength ?? payload.length, 4);
  h[6] = fields.next ?? 6;
  h[7] = 64;
  ipv6Bytes(fields.src ?? '2001:db8:0:0:0:0:0:1').copy(h, 8);
  ipv6Bytes(fields.dst ?? '2001:db8:0:0:0:0:0:10').copy(h, 24);
  return Buffer.concat([h, payload]);
}

/** An IPv6 extension header in RFC 8200 section 4.2 form: next header, length in 8-octet units beyond the first, data. */
export function ipv6Options(next: number, totalLength: number): Buffer {
  const b = Buffer.alloc(totalLength);
  b[0] = next;
  b[1] = totalLength / 8 - 1;
  b[2] = 1; // PadN option filling the rest
  b[3] = totalLength - 4;
  return b;
}

/** IPv6 fragment header (RFC 8200 section 4.5): offset in 8-octet units, M flag. */
export function ipv6Fragment(next: number, offsetUnits: number, more: boolean): Buffer {
  const b = Buffer.alloc(8);
  b[0] = next;
  b.writeUInt16BE((offsetUnits << 3) | (more ? 1 : 0), 2);
  b.writeUInt32BE(0xcafe, 4);
  return b;
}

/** IPsec AH (RFC 4302 section 2): length in 4-octet units minus 2; 12 bytes of ICV. */
export function ipv6Ah(next: number): Buffer {
  const b = Buffer.alloc(24);
  b[0] = next;
  b[1] = 24 / 4 - 2;
  return b;
}

export interface TcpFields {
  srcPort?: number;
  dstPort?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  options?: Buffer;
  /** Overrides the computed data offset (in 4-byte words). */
  dataOffset?: number;
}

/** TCP header (RFC 9293 section 3.1) followed by `payload`. */
export function tcp(fields: TcpFields, payload: Buffer = Buffer.alloc(0)): Buffer {
  const options = fields.options ?? Buffer.alloc(0);
  const h = Buffer.alloc(20);
  h.writeUInt16BE(fields.srcPort ?? 49152, 0);
  h.writeUInt16BE(fields.dstPort ?? 21, 2);
  h.writeUInt32BE(fields.seq ?? 1000, 4);
  h.writeUInt32BE(fields.ack ?? 0, 8);
  h[12] = (fields.dataOffset ?? (20 + options.length) / 4) << 4;
  h[13] = fields.flags ?? 0x18;
  h.writeUInt16BE(fields.window ?? 65535, 14);
  return Buffer.concat([h, options, payload]);
}

/** MSS 1460, SACK permitted, timestamps, NOP, window scale 7: 20 bytes of options (a typical Linux SYN). */
export const SYN_OPTIONS = hex('02 04 05 b4 04 02 08 0a 00 00 00 01 00 00 00 00 01 03 03 07');

/** Addresses given as text, as a TcpSegment's `addresses` holds them: each address's bytes, in order. */
export function addressBytes(...ips: string[]): Buffer {
  return Buffer.concat(
    ips.map((ip) => {
      const bytes = parseIPv4(ip) ?? parseIPv6(ip);
      if (bytes === null) throw new Error(`not an IP address: ${ip}`);
      return bytes;
    }),
  );
}

/**
 * A decoded TCP segment from `src` to `dst` (IPv4 addresses unless they are IPv6), as the
 * decoder hands it on: no flags, sequence and acknowledgement 0, window 65535, no payload,
 * unless `fields` says otherwise.
 */
export function tcpSegment(
  src: Endpoint,
  dst: Endpoint,
  fields: Partial<Omit<TcpSegment, 'src' | 'dst' | 'srcPort' | 'dstPort' | 'addresses'>> = {},
): TcpSegment {
  return {
    ipVersion: src.ip.includes(':') ? 6 : 4,
    src: src.ip,
    dst: dst.ip,
    addresses: addressBytes(src.ip, dst.ip),
    srcPort: src.port,
    dstPort: dst.port,
    seq: 0,
    ack: 0,
    flags: 0,
    window: 65535,
    payload: Buffer.alloc(0),
    missingPayload: 0,
    ...fields,
  };
}
