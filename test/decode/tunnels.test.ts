/**
 * FTP inside tunnels: the inner TCP segment is found, with the inner addresses, whatever carries
 * it. Frames are hand-built (build.ts) from the headers of RFC 2003 (IP in IP), RFC 4213 (6in4),
 * RFC 2784/2890 (GRE, with key and sequence number), RFC 7348 (VXLAN), RFC 8926 (GENEVE, with an
 * option), RFC 3032 (MPLS) and RFC 2516 (PPPoE); samples/tunnels holds a real VXLAN capture.
 */
import { describe, expect, test } from 'vitest';
import { Analyzer } from '../../src/analyzer';
import { decodeTcpFrame } from '../../src/decode';
import { ethernet, hex, ipv4, ipv6, tcp } from './build';

const PAYLOAD = Buffer.from('PASV\r\n');
const inner4 = () => ipv4({ src: '198.51.100.20', dst: '192.0.2.10' }, tcp({ srcPort: 50000, dstPort: 21, seq: 1, ack: 1, flags: 0x18, window: 502 }, PAYLOAD));
const inner6 = () =>
  ipv6({ src: '2001:db8:1:0:0:0:0:20', dst: '2001:db8:2:0:0:0:0:10' }, tcp({ srcPort: 50000, dstPort: 21, seq: 1, ack: 1, flags: 0x18, window: 502 }, PAYLOAD));
/** The outer IPv4 header between the tunnel endpoints. */
const outer = (protocol: number, payload: Buffer) => ethernet(0x0800, ipv4({ src: '203.0.113.1', dst: '203.0.113.2', protocol }, payload));
const udp = (dstPort: number, payload: Buffer) => {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(40000, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
};
const gre = (flags: number, protocol: number, extra: Buffer, payload: Buffer) => {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(flags, 0);
  h.writeUInt16BE(protocol, 2);
  return Buffer.concat([h, extra, payload]);
};
const mpls = (labels: number[], payload: Buffer) =>
  Buffer.concat([
    ...labels.map((label, i) => {
      const entry = Buffer.alloc(4);
      entry.writeUInt32BE(((label << 12) | (i === labels.length - 1 ? 0x100 : 0) | 64) >>> 0, 0);
      return entry;
    }),
    payload,
  ]);
const pppoe = (protocol: number, payload: Buffer) => {
  const h = Buffer.alloc(8);
  h[0] = 0x11; // version 1, type 1
  h.writeUInt16BE(0x1234, 2); // session
  h.writeUInt16BE(payload.length + 2, 4);
  h.writeUInt16BE(protocol, 6);
  return Buffer.concat([h, payload]);
};
const vxlan = (payload: Buffer, flags = 0x08) => Buffer.concat([Buffer.from([flags, 0, 0, 0, 0, 0, 42, 0]), payload]);
const geneve = (protocol: number, options: Buffer, payload: Buffer) =>
  Buffer.concat([Buffer.from([options.length / 4, 0, protocol >> 8, protocol & 0xff, 0, 0, 42, 0]), options, payload]);

describe('the inner segment is found', () => {
  // biome-ignore format: a table, one row a line
  test.each<[string, Buffer, string, string]>([
    ['IP in IP (protocol 4)', outer(4, inner4()), '198.51.100.20', '192.0.2.10'],
    ['IPv6 in IPv4 (protocol 41: 6in4, 6to4, sit)', outer(41, inner6()), '2001:db8:1::20', '2001:db8:2::10'],
    ['IPv4 in IPv6 (ip6tnl)', ethernet(0x86dd, ipv6({ next: 4 }, inner4())), '198.51.100.20', '192.0.2.10'],
    ['GRE, IPv4 inside', outer(47, gre(0, 0x0800, Buffer.alloc(0), inner4())), '198.51.100.20', '192.0.2.10'],
    ['GRE with checksum, key and sequence number', outer(47, gre(0xb000, 0x0800, Buffer.alloc(12), inner4())), '198.51.100.20', '192.0.2.10'],
    ['GRE, IPv6 inside', outer(47, gre(0x2000, 0x86dd, Buffer.alloc(4), inner6())), '2001:db8:1::20', '2001:db8:2::10'],
    ['GRE, Ethernet inside (gretap)', outer(47, gre(0, 0x6558, Buffer.alloc(0), ethernet(0x0800, inner4()))), '198.51.100.20', '192.0.2.10'],
    ['GRE, MPLS inside', outer(47, gre(0, 0x8847, Buffer.alloc(0), mpls([100], inner4()))), '198.51.100.20', '192.0.2.10'],
    ['VXLAN', outer(17, udp(4789, vxlan(ethernet(0x0800, inner4())))), '198.51.100.20', '192.0.2.10'],
    ['VXLAN with a VLAN tag inside', outer(17, udp(4789, vxlan(ethernet(0x0800, inner4(), [[0x8100, 7]])))), '198.51.100.20', '192.0.2.10'],
    ['GENEVE, Ethernet inside, one option', outer(17, udp(6081, geneve(0x6558, Buffer.alloc(8, 1), ethernet(0x0800, inner4())))), '198.51.100.20', '192.0.2.10'],
    ['GENEVE, IPv6 inside', outer(17, udp(6081, geneve(0x86dd, Buffer.alloc(0), inner6()))), '2001:db8:1::20', '2001:db8:2::10'],
    ['MPLS, two labels', ethernet(0x8847, mpls([16, 17], inner4())), '198.51.100.20', '192.0.2.10'],
    ['MPLS, IPv6', ethernet(0x8847, mpls([16], inner6())), '2001:db8:1::20', '2001:db8:2::10'],
    ['MPLS pseudowire: control word, Ethernet', ethernet(0x8847, mpls([16], Buffer.concat([Buffer.alloc(4), ethernet(0x0800, inner4())]))), '198.51.100.20', '192.0.2.10'],
    ['PPPoE session, IPv4', ethernet(0x8864, pppoe(0x0021, inner4())), '198.51.100.20', '192.0.2.10'],
    ['PPPoE session over 802.1Q, IPv6', ethernet(0x8864, pppoe(0x0057, inner6()), [[0x8100, 5]]), '2001:db8:1::20', '2001:db8:2::10'],
    ['VXLAN inside GRE inside IP in IP', outer(4, ipv4({ protocol: 47 }, gre(0, 0x0800, Buffer.alloc(0), ipv4({ protocol: 17 }, udp(4789, vxlan(ethernet(0x0800, inner4()))))))), '198.51.100.20', '192.0.2.10'],
  ])('%s', (_name, frame, src, dst) => {
    const decoded = decodeTcpFrame(1, frame, frame.length);
    if (decoded.kind !== 'tcp') throw new Error(JSON.stringify(decoded));
    expect([decoded.segment.src, decoded.segment.dst, decoded.segment.dstPort]).toEqual([src, dst, 21]);
    expect(decoded.segment.payload.equals(PAYLOAD)).toBe(true);
  });
});

describe('what cannot be decoded says why', () => {
  const nest = (levels: number): Buffer => (levels === 0 ? inner4() : ipv4({ protocol: 4 }, nest(levels - 1)));
  // biome-ignore format: a table, one row a line
  test.each<[string, Buffer, object]>([
    ['GRE version 1 (PPTP)', outer(47, gre(0x0001, 0x880b, Buffer.alloc(0), Buffer.alloc(8))), { kind: 'other', unsupported: true, note: 'GRE version 1 (PPTP)' }],
    ['GRE carrying an unknown protocol', outer(47, gre(0, 0x88be, Buffer.alloc(0), Buffer.alloc(8))), { kind: 'other', unsupported: true, note: 'GRE protocol 0x88be' }],
    ['VXLAN without the I flag', outer(17, udp(4789, vxlan(ethernet(0x0800, inner4()), 0))), { kind: 'other', unsupported: true, note: 'VXLAN without the I flag' }],
    // Fragments of tunnel packets go to the fragment table, as those of TCP do.
    ['a fragment of an IP-in-IP packet', ethernet(0x0800, ipv4({ protocol: 4, fragment: 0x2000 }, inner4())), { kind: 'fragment', fragment: { protocol: 4, offset: 0, more: true } }],
    ['the last fragment of a UDP datagram', ethernet(0x0800, ipv4({ protocol: 17, fragment: 0x0010 }, Buffer.alloc(16))), { kind: 'fragment', fragment: { protocol: 17, offset: 128, more: false } }],
    ['nine nested IP-in-IP headers', ethernet(0x0800, nest(9)), { kind: 'malformed', layer: 'tunnel' }],
    ['a GRE header cut short', outer(47, hex('00 00')), { kind: 'malformed', layer: 'gre' }],
    ['plain UDP (DNS) is other traffic, not undecodable', outer(17, udp(53, Buffer.alloc(12))), { kind: 'other', note: 'udp' }],
    ['a PPP control frame (LCP) is other traffic', ethernet(0x8864, pppoe(0xc021, Buffer.alloc(8))), { kind: 'other', note: 'ppp-control' }],
  ])('%s', (_name, frame, expected) => {
    expect(decodeTcpFrame(1, frame, frame.length)).toMatchObject(expected);
  });
});

describe('a tunnel packet in IP fragments is reassembled, then decoded', () => {
  // A VXLAN datagram larger than the underlay MTU, as samples/tunnels/fragmented.pcap shows them.
  test.each([[8], [24]])('split %i bytes into the UDP payload', (cut) => {
    const datagram = udp(4789, vxlan(ethernet(0x0800, inner4())));
    const frames = [outerFragment(datagram.subarray(0, cut), 0, true), outerFragment(datagram.subarray(cut), cut, false)];
    const analyzer = new Analyzer();
    frames.forEach((data, i) => {
      analyzer.ingest({ ref: { input: 0, frame: i + 1 }, timeMicros: i, linkType: 1, data, originalLength: data.length });
    });
    const result = analyzer.finish();
    expect(result.stats.tcpSegments).toBe(1);
    expect(result.sessions.map((s) => [s.client.ip, s.server.ip, s.server.port])).toEqual([['198.51.100.20', '192.0.2.10', 21]]);
  });
});

/** An outer IPv4 fragment (protocol UDP) of `data` at byte `offset` of the datagram's payload. */
function outerFragment(data: Buffer, offset: number, more: boolean): Buffer {
  return ethernet(0x0800, ipv4({ src: '203.0.113.2', dst: '203.0.113.1', protocol: 17, fragment: (more ? 0x2000 : 0) | (offset / 8) }, data));
}
