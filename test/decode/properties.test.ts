/**
 * Properties of the packet decoders (src/decode/), checked by fast-check with the suite's fixed
 * seed (test/properties.ts): no bytes make a decoder throw or loop, whatever the link type and the
 * length the record claims; a frame built from any header fields (build.ts, laid out per RFC 791,
 * 8200, 9293, IEEE 802.1Q, the Linux cooked and BSD loopback headers, GRE, VXLAN) decodes back to
 * those fields, inside any tunnel; a frame cut short anywhere is malformed or cut, never wrong;
 * fragments reassemble to the datagram in any order.
 */
import { describe, expect, test } from 'vitest';
import { decodeReassembled, decodeTcpFrame, LINK_TYPES, locateTcpFrame, TcpLocation } from '../../src/decode';
import { FragmentTable } from '../../src/decode/fragments';
import { decodeIcmp, decodeIcmpv6 } from '../../src/decode/icmp';
import { formatIPv4, formatIPv6 } from '../../src/decode/ipaddr';
import type { IpFragment } from '../../src/decode/result';
import { bounded, fc, runs } from '../properties';
import { addressBytes, ethernet, ipv4, ipv6, ipv6Options, loopback, sll, sll2, tcp } from './build';

const LINK_TYPE_NUMBERS = [...LINK_TYPES.keys()];
const u16 = (value: number) => Buffer.from([value >> 8, value & 0xff]);

/** Bytes that start like a header of some layer, then anything: most examples get past the first checks. */
const framePrefix = fc.constantFrom(
  Buffer.alloc(0),
  ethernet(0x0800, Buffer.alloc(0)),
  ethernet(0x86dd, Buffer.alloc(0)),
  ethernet(0x8100, Buffer.from([0, 1, 0x81, 0x00, 0, 2, 0x88, 0xa8])),
  ethernet(0x8847, Buffer.alloc(0)),
  ethernet(0x8864, Buffer.alloc(0)),
  Buffer.from([0x45, 0, 0, 0]),
  Buffer.from([0x46]),
  Buffer.from([0x60, 0, 0, 0, 0, 0]),
  Buffer.from([0x45, 0, 0, 0, 0, 0, 0x20, 0, 64, 47]),
  Buffer.from([0x45, 0, 0, 0, 0, 0, 0, 0, 64, 4]),
  Buffer.from([0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17]),
  Buffer.from([0x45, 0, 0, 0, 0, 0, 0, 0, 64, 1]),
);
const noise = fc.tuple(framePrefix, fc.uint8Array({ maxLength: 160 })).map(([prefix, rest]) => Buffer.concat([prefix, rest]));
const linkType = fc.oneof(fc.constantFrom(...LINK_TYPE_NUMBERS), fc.nat({ max: 0xffff }));

describe('any bytes', () => {
  test('never make a decoder throw or loop, and a located segment lies inside the frame', () => {
    const into = new TcpLocation();
    fc.assert(
      fc.property(linkType, noise, fc.oneof(fc.constant(-1), fc.nat({ max: 70000 })), (type, data, claimed) => {
        const originalLength = claimed < 0 ? data.length : claimed;
        const result = bounded(() => locateTcpFrame(type, data, originalLength, into));
        expect(['located', 'fragment', 'other', 'unreachable', 'malformed']).toContain(result.kind);
        if (result.kind === 'located') {
          expect(into.bytes).toBe(data);
          expect(into.tcpOffset + 20).toBeLessThanOrEqual(into.payloadOffset);
          expect(into.payloadOffset).toBeLessThanOrEqual(into.payloadEnd);
          expect(into.payloadEnd).toBeLessThanOrEqual(data.length);
          expect(into.addressOffset + 2 * into.addressLength).toBeLessThanOrEqual(data.length);
          expect(into.missingPayload).toBeGreaterThanOrEqual(0);
        }
        if (result.kind === 'malformed') {
          expect(result.offset).toBeGreaterThanOrEqual(0);
          expect(result.offset).toBeLessThanOrEqual(data.length);
        }
        if (result.kind === 'fragment') expect(result.fragment.data.length).toBeLessThanOrEqual(data.length);
        // The allocating entry point agrees with the locating one.
        const decoded = decodeTcpFrame(type, data, originalLength);
        expect(decoded.kind).toBe(result.kind === 'located' ? 'tcp' : result.kind);
      }),
      runs(3000),
    );
  });

  test('reassembled datagrams and ICMP errors of any bytes never throw', () => {
    fc.assert(
      fc.property(fc.constantFrom(4, 6, 17, 41, 47, 0, 255), fc.boolean(), fc.uint8Array({ maxLength: 200 }), (protocol, v6, bytes) => {
        const datagram = Buffer.from(bytes);
        const [src, dst] = v6 ? ['2001:db8::1', '2001:db8::2'] : ['192.0.2.1', '192.0.2.2'];
        const fragment: IpFragment = {
          ipVersion: v6 ? 6 : 4,
          protocol,
          src,
          dst,
          addresses: addressBytes(src, dst),
          id: 1,
          offset: 0,
          more: false,
          data: datagram,
          cut: false,
        };
        bounded(() => decodeReassembled(fragment, datagram));
        const icmp = Buffer.concat([Buffer.from([v6 ? 1 : 3, bytes[0] ?? 0, 0, 0, 0, 0, 0, 0]), datagram]);
        const result = v6 ? decodeIcmpv6(icmp, 0, icmp.length, '2001:db8::9') : decodeIcmp(icmp, 0, icmp.length, '192.0.2.9');
        expect(['unreachable', 'other']).toContain(result.kind);
      }),
      runs(1000),
    );
  });
});

/** Header fields of a TCP segment and the packet around it. */
const segmentFields = fc.record({
  v6: fc.boolean(),
  src: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  dst: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  srcPort: fc.nat({ max: 65535 }),
  dstPort: fc.nat({ max: 65535 }),
  seq: fc.nat({ max: 0xffffffff }),
  ack: fc.nat({ max: 0xffffffff }),
  flags: fc.nat({ max: 0xff }),
  window: fc.nat({ max: 65535 }),
  tcpOptions: fc.nat({ max: 10 }),
  ipOptions: fc.nat({ max: 10 }),
  extensionHeaders: fc.array(fc.constantFrom(0, 60, 43), { maxLength: 3 }),
  payload: fc.uint8Array({ maxLength: 120 }),
});
type SegmentFields = typeof segmentFields extends fc.Arbitrary<infer T> ? T : never;

const v4Text = (b: Uint8Array) => formatIPv4(b, 0);
const v6Full = (b: Uint8Array) => Array.from({ length: 8 }, (_, i) => ((b[2 * i] << 8) | b[2 * i + 1]).toString(16)).join(':');

/** The IP packet (with its TCP segment) for the fields. */
function ipPacket(f: SegmentFields): Buffer {
  const segment = tcp(
    { srcPort: f.srcPort, dstPort: f.dstPort, seq: f.seq, ack: f.ack, flags: f.flags, window: f.window, options: Buffer.alloc(f.tcpOptions * 4, 1) },
    Buffer.from(f.payload),
  );
  if (!f.v6) return ipv4({ src: v4Text(f.src), dst: v4Text(f.dst), options: Buffer.alloc(f.ipOptions * 4, 1) }, segment);
  // Extension headers, each naming the next; the last names TCP.
  const chain = [...f.extensionHeaders, 6];
  const headers = f.extensionHeaders.map((_, i) => ipv6Options(chain[i + 1], 8 * (1 + (i % 2))));
  return ipv6({ src: v6Full(f.src), dst: v6Full(f.dst), next: chain[0] }, Buffer.concat([...headers, segment]));
}

/** The ways an IP packet reaches a capture: link layers (with their LINKTYPE) and tunnels inside Ethernet. */
const framings: Array<[string, number, (ip: Buffer, v6: boolean) => Buffer]> = [
  ['Ethernet', 1, (ip, v6) => ethernet(v6 ? 0x86dd : 0x0800, ip)],
  ['Ethernet, 802.1Q and 802.1ad tags', 1, (ip, v6) => ethernet(0x88a8, Buffer.concat([u16(5), u16(0x8100), u16(7), u16(v6 ? 0x86dd : 0x0800), ip]))],
  ['Linux cooked v1', 113, (ip, v6) => sll(v6 ? 0x86dd : 0x0800, ip)],
  ['Linux cooked v2', 276, (ip, v6) => sll2(v6 ? 0x86dd : 0x0800, ip)],
  ['BSD loopback', 0, (ip, v6) => loopback(v6 ? 30 : 2, true, ip)],
  ['raw IP', 101, (ip) => ip],
  ['IP in IP', 1, (ip, v6) => ethernet(0x0800, ipv4({ src: '203.0.113.1', dst: '203.0.113.2', protocol: v6 ? 41 : 4 }, ip))],
  [
    'GRE',
    1,
    (ip, v6) =>
      ethernet(
        0x0800,
        ipv4({ src: '203.0.113.1', dst: '203.0.113.2', protocol: 47 }, Buffer.concat([u16(0x2000), u16(v6 ? 0x86dd : 0x0800), Buffer.alloc(4), ip])),
      ),
  ],
  [
    'VXLAN',
    1,
    (ip, v6) => {
      const inner = ethernet(v6 ? 0x86dd : 0x0800, ip);
      const udp = Buffer.concat([u16(40000), u16(4789), u16(16 + inner.length), u16(0), Buffer.from([8, 0, 0, 0, 0, 0, 42, 0]), inner]);
      return ethernet(0x0800, ipv4({ src: '203.0.113.1', dst: '203.0.113.2', protocol: 17 }, udp));
    },
  ],
];

describe('a frame built from any header fields decodes back to them', () => {
  test.each(framings)('%s', (_name, type, frame) => {
    fc.assert(
      fc.property(segmentFields, (f) => {
        const data = frame(ipPacket(f), f.v6);
        const decoded = bounded(() => decodeTcpFrame(type, data, data.length));
        expect(decoded.kind).toBe('tcp');
        if (decoded.kind !== 'tcp') return;
        const s = decoded.segment;
        expect(s.ipVersion).toBe(f.v6 ? 6 : 4);
        expect(s.src).toBe(f.v6 ? formatIPv6(f.src, 0) : v4Text(f.src));
        expect(s.dst).toBe(f.v6 ? formatIPv6(f.dst, 0) : v4Text(f.dst));
        expect([s.srcPort, s.dstPort, s.seq, s.ack, s.flags, s.window]).toEqual([f.srcPort, f.dstPort, f.seq, f.ack, f.flags, f.window]);
        expect(Buffer.from(s.payload).equals(Buffer.from(f.payload))).toBe(true);
        expect(s.missingPayload).toBe(0);
      }),
      runs(150),
    );
  });

  test('cut short anywhere (as a snap length does), a frame is malformed, or the segment with its payload cut and counted', () => {
    fc.assert(
      fc.property(segmentFields, fc.constantFrom(...framings), fc.nat(), (f, [, type, frame], cut) => {
        const whole = frame(ipPacket(f), f.v6);
        const length = cut % (whole.length + 1);
        const data = whole.subarray(0, length);
        const decoded = bounded(() => decodeTcpFrame(type, data, whole.length));
        const headerEnd = whole.length - f.payload.length;
        if (length < headerEnd) {
          // The TCP header (or one before it) is incomplete: never a segment.
          expect(decoded.kind).not.toBe('tcp');
          return;
        }
        expect(decoded.kind).toBe('tcp');
        if (decoded.kind !== 'tcp') return;
        expect(Buffer.from(decoded.segment.payload).equals(Buffer.from(f.payload.subarray(0, length - headerEnd)))).toBe(true);
        expect(decoded.segment.missingPayload).toBe(whole.length - length);
      }),
      runs(600),
    );
  });

  test('one corrupted byte anywhere never makes the decoders throw', () => {
    fc.assert(
      fc.property(segmentFields, fc.constantFrom(...framings), fc.nat(), fc.nat({ max: 255 }), (f, [, type, frame], at, value) => {
        const data = Buffer.from(frame(ipPacket(f), f.v6));
        data[at % data.length] = value;
        bounded(() => decodeTcpFrame(type, data, data.length));
      }),
      runs(1000),
    );
  });
});

describe('ICMP errors (RFC 792, RFC 4443 §3.1)', () => {
  test('a destination unreachable quoting any TCP segment names the segment it quotes and who sent it', () => {
    fc.assert(
      fc.property(
        segmentFields,
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.nat({ max: 15 }),
        fc.nat({ max: 6 }),
        fc.nat({ max: 40 }),
        (f, router, code4, code6, extra) => {
          const quoted = ipPacket({ ...f, payload: new Uint8Array(0), tcpOptions: 0, extensionHeaders: [] }).subarray(
            0,
            (f.v6 ? 40 : 20 + f.ipOptions * 4) + 8 + (extra % 13),
          );
          const type = f.v6 ? 1 : 3;
          const code = f.v6 ? code6 : code4;
          const icmp = Buffer.concat([Buffer.from([type, code, 0, 0, 0, 0, 0, 0]), quoted]);
          const from = f.v6 ? v6Full(router) : v4Text(router);
          const frame = ethernet(f.v6 ? 0x86dd : 0x0800, f.v6 ? ipv6({ src: from, next: 58 }, icmp) : ipv4({ src: from, protocol: 1 }, icmp));
          const decoded = bounded(() => decodeTcpFrame(1, frame, frame.length));
          if (!f.v6 && code === 4) {
            // Fragmentation needed: path MTU discovery, not a refusal.
            expect(decoded.kind).toBe('other');
            return;
          }
          expect(decoded.kind).toBe('unreachable');
          if (decoded.kind !== 'unreachable') return;
          expect(decoded.error).toMatchObject({
            ipVersion: f.v6 ? 6 : 4,
            from: f.v6 ? formatIPv6(router, 0) : v4Text(router),
            icmpType: type,
            icmpCode: code,
            src: f.v6 ? formatIPv6(f.src, 0) : v4Text(f.src),
            dst: f.v6 ? formatIPv6(f.dst, 0) : v4Text(f.dst),
            srcPort: f.srcPort,
            dstPort: f.dstPort,
            seq: f.seq,
          });
        },
      ),
      runs(300),
    );
  });
});

describe('IP fragments (RFC 791 §3.2, RFC 8200 §4.5)', () => {
  const fragmentOf = (payload: Buffer, offset: number, end: number, v6: boolean): IpFragment => ({
    ipVersion: v6 ? 6 : 4,
    protocol: 6,
    src: v6 ? '2001:db8::1' : '192.0.2.1',
    dst: v6 ? '2001:db8::2' : '192.0.2.2',
    addresses: v6 ? addressBytes('2001:db8::1', '2001:db8::2') : addressBytes('192.0.2.1', '192.0.2.2'),
    id: 7,
    offset,
    more: end < payload.length,
    data: payload.subarray(offset, end),
    cut: false,
  });

  test('a datagram cut at any 8-byte boundaries reassembles in any order, with duplicates', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        fc.array(fc.nat({ max: 80 }), { maxLength: 10 }),
        fc.boolean(),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 4 }),
        (bytes, units, v6, rotation, duplicates) => {
          const payload = Buffer.from(bytes);
          const cuts = [...new Set(units.map((u) => u * 8).filter((c) => c > 0 && c < payload.length))].sort((a, b) => a - b);
          const bounds = [0, ...cuts, payload.length];
          const fragments = bounds.slice(0, -1).map((start, i) => fragmentOf(payload, start, bounds[i + 1], v6));
          const order = fragments.map((_, i) => fragments[(i + rotation) % fragments.length]);
          for (const d of duplicates) order.splice(d % (order.length + 1), 0, fragments[d % fragments.length]);
          const table = new FragmentTable(4, 30e6);
          const outcomes = order.map((fragment, i) => table.add(fragment, i));
          const done = outcomes.filter((o): o is Buffer => o !== null);
          expect(done.length).toBeGreaterThanOrEqual(1);
          expect(done[0].equals(payload)).toBe(true);
        },
      ),
      runs(400),
    );
  });

  test('fragments of any offsets and sizes never throw, and the table stays within its cap', () => {
    const fragment = fc.record({ id: fc.nat({ max: 20 }), offset: fc.nat({ max: 70000 }), more: fc.boolean(), size: fc.nat({ max: 300 }), cut: fc.boolean() });
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 60 }), fc.array(fc.nat({ max: 100_000_000 }), { maxLength: 60 }), (list, times) => {
        const table = new FragmentTable(8, 30e6);
        list.forEach((f, i) => {
          bounded(() =>
            table.add({ ...fragmentOf(Buffer.alloc(f.size + 1, 0x41), 0, f.size, false), id: f.id, offset: f.offset, more: f.more, cut: f.cut }, times[i] ?? i),
          );
          expect(table.size).toBeLessThanOrEqual(8);
        });
      }),
      runs(300),
    );
  });
});
