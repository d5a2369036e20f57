import { describe, expect, test } from 'vitest';
import { decodeTcpFrame, linkTypeName, LINK_TYPES } from '../../src/decode/index';
import type { DecodeResult } from '../../src/decode/index';
import type { TcpSegment } from '../../src/types';
import { ethernet, hex, ipv4, ipv6, ipv6Ah, ipv6Fragment, ipv6Options, loopback, sll, sll2, SYN_OPTIONS, tcp } from './build';

interface Vector {
  name: string;
  linkType: number;
  frame: Buffer;
  /** On-the-wire length; defaults to frame.length. */
  originalLength?: number;
}

interface TcpVector extends Vector {
  expected: Partial<Omit<TcpSegment, 'payload'>> & { payload: string | number };
}

const HELLO = Buffer.from('220 Hello\r\n'); // 11 bytes of FTP reply
const PORT_CMD = Buffer.from('PORT 192,0,2,1,4,1\r\n'); // 20 bytes

// --- Frames that decode to TCP --------------------------------------------------------------------

// biome-ignore format: a table, one row a line
const tcpVectors: TcpVector[] = [
  {
    // Real frame: /work/shared/corpus/suricata-verify/tests/ftp/ftp-download-active/input.pcap frame 4
    // (tshark -x), Ethernet / IPv4 / TCP with a timestamps option (data offset 8).
    name: 'real Ethernet IPv4 reply with TCP timestamps',
    linkType: 1,
    frame: hex(
      'de42ddab80f4 0a91c7a57df7 0800 4500004cb79e400040062adaac170002ac170003' +
        '0015e38cb0129d6d9910277280180040872600000101080a6a7f6a7d6c4394ff' +
        '323230204654502053616e64626f782052656164792e0d0a',
    ),
    expected: {
      ipVersion: 4, src: '172.23.0.2', dst: '172.23.0.3', srcPort: 21, dstPort: 58252,
      seq: 0xb0129d6d, ack: 0x99102772, flags: 0x18, window: 64, missingPayload: 0,
      payload: '220 FTP Sandbox Ready.\r\n',
    },
  },
  {
    // Real frame: /work/shared/corpus/zeek/Traces/ftp/ipv6.pcap frame 4 (tshark -x), Ethernet / IPv6 / TCP.
    name: 'real Ethernet IPv6 reply',
    linkType: 1,
    frame: hex(
      'c42c033b6caa d8306248c5b5 86dd 60001cef005d0638' +
        '20010470486700990000000000000021 200104701f11081fc9990d94aa7c2e3e' +
        '0015c0210672f825268a7e6080180043c08600000101080a000000013a01eab8' +
        '323230206674702e4e65744253442e6f7267204654502073657276657220284e65744253442d66747064' +
        '203230313030333230292072656164792e0d0a',
    ),
    expected: {
      ipVersion: 6, src: '2001:470:4867:99::21', dst: '2001:470:1f11:81f:c999:d94:aa7c:2e3e',
      srcPort: 21, dstPort: 49185, seq: 0x0672f825, ack: 0x268a7e60, flags: 0x18, window: 67,
      missingPayload: 0, payload: '220 ftp.NetBSD.org FTP server (NetBSD-ftpd 20100320) ready.\r\n',
    },
  },
  {
    // Real frame: /work/shared/corpus/suricata-verify/tests/detect-ftp/ftp-mode-02/input.pcap frame 4,
    // LINKTYPE_NULL with AF_INET written little-endian (02 00 00 00).
    name: 'real BSD loopback (NULL, little-endian family) IPv4',
    linkType: 0,
    frame: hex(
      '02000000 4500006e00004000400600007f0000017f000001' +
        '0015f23e20000001100000015010ffff00000000' +
        '3232302050726f4654504420312e332e306120536572766572202850726f4654504420416e6f6e796d6f7573' +
        '2053657276657229205b3139322e3136382e312e3233315d0d0a',
    ),
    expected: {
      ipVersion: 4, src: '127.0.0.1', dst: '127.0.0.1', srcPort: 21, dstPort: 62014,
      seq: 0x20000001, ack: 0x10000001, flags: 0x10, window: 65535, missingPayload: 0,
      payload: '220 ProFTPD 1.3.0a Server (ProFTPD Anonymous Server) [192.168.1.231]\r\n',
    },
  },
  {
    // Real frame: /work/shared/corpus/saved_pcaps/ftp_passive.pcap frame 4: one 802.1Q tag (VLAN 20... TCI 0x0259).
    name: 'real 802.1Q-tagged IPv4 reply',
    linkType: 1,
    frame: hex(
      'b40c25e04010 8c604f047b42 8100 0259 0800 4500004303c340007e066adc0a41047a645a1b01' +
        '0015d5d3f95522c6c15bb01150180200214000003232302 04d6963726f736f66742046545020536572766963650d0a',
    ),
    expected: {
      ipVersion: 4, src: '10.65.4.122', dst: '100.90.27.1', srcPort: 21, dstPort: 54739,
      seq: 0xf95522c6, ack: 0xc15bb011, flags: 0x18, window: 512, missingPayload: 0,
      payload: '220 Microsoft FTP Service\r\n',
    },
  },
  {
    // Hand-built (build.ts): 802.1ad service tag 0x88a8 VLAN 100 around an 802.1Q tag VLAN 200 (QinQ).
    name: 'QinQ 88a8 + 8100',
    linkType: 1,
    frame: ethernet(0x0800, ipv4({}, tcp({}, HELLO)), [[0x88a8, 100], [0x8100, 200]]),
    expected: { src: '192.0.2.1', dst: '198.51.100.2', payload: '220 Hello\r\n' },
  },
  {
    // Hand-built: pre-standard QinQ 0x9100 outer tag, then 0x8100, then 0x8100 again (3 tags).
    name: 'three tags 9100 + 8100 + 8100',
    linkType: 1,
    frame: ethernet(0x86dd, ipv6({}, tcp({}, HELLO)), [[0x9100, 1], [0x8100, 2], [0x8100, 3]]),
    expected: { ipVersion: 6, src: '2001:db8::1', dst: '2001:db8::10', payload: '220 Hello\r\n' },
  },
  {
    // Hand-built: IPv4 with 4 bytes of options (Router Alert, RFC 2113: 94 04 00 00), IHL 6,
    // and a SYN with 20 bytes of TCP options (MSS, SACK-permitted, timestamps, NOP, window scale).
    name: 'IPv4 options + TCP SYN options',
    linkType: 1,
    frame: ethernet(0x0800, ipv4({ options: hex('94040000') }, tcp({ flags: 0x02, options: SYN_OPTIONS, seq: 0xffffffff }))),
    expected: { flags: 0x02, seq: 0xffffffff, ack: 0, payload: 0, missingPayload: 0 },
  },
  {
    // Hand-built: IPv6 with a hop-by-hop options header (8 bytes) then destination options (16 bytes).
    name: 'IPv6 hop-by-hop + destination options',
    linkType: 1,
    frame: ethernet(0x86dd, ipv6({ next: 0 }, Buffer.concat([ipv6Options(60, 8), ipv6Options(6, 16), tcp({}, PORT_CMD)]))),
    expected: { ipVersion: 6, payload: 'PORT 192,0,2,1,4,1\r\n' },
  },
  {
    // Hand-built: IPv6 routing header (24 bytes), AH (24 bytes, RFC 4302), atomic fragment header
    // (offset 0, M clear: RFC 6946), then TCP.
    name: 'IPv6 routing + AH + atomic fragment',
    linkType: 1,
    frame: ethernet(0x86dd, ipv6({ next: 43 }, Buffer.concat([ipv6Options(51, 24), ipv6Ah(44), ipv6Fragment(6, 0, false), tcp({}, HELLO)]))),
    expected: { ipVersion: 6, payload: '220 Hello\r\n' },
  },
  {
    // Hand-built: the minimum Ethernet frame is 60 bytes without FCS: a 54-byte pure ACK gets 6 bytes of
    // padding (IEEE 802.3 clause 3.2.8), which the IP total length excludes.
    name: 'Ethernet padding is not payload',
    linkType: 1,
    frame: Buffer.concat([ethernet(0x0800, ipv4({}, tcp({ flags: 0x10 }))), hex('000000000000')]),
    expected: { flags: 0x10, payload: 0, missingPayload: 0 },
  },
  {
    // Hand-built: a frame captured with its 4-byte FCS (LINKTYPE_ETHERNET with FCS bytes at the end).
    name: 'Ethernet FCS is not payload',
    linkType: 1,
    frame: Buffer.concat([ethernet(0x0800, ipv4({}, tcp({}, HELLO))), hex('deadbeef')]),
    expected: { payload: '220 Hello\r\n' },
  },
  {
    // Hand-built: cut by a snap length of 64: 14 + 20 + 20 header bytes, then 10 of the 20 payload bytes.
    name: 'snap length cuts the payload',
    linkType: 1,
    frame: ethernet(0x0800, ipv4({}, tcp({}, PORT_CMD))).subarray(0, 64),
    originalLength: 74,
    expected: { payload: 'PORT 192,0', missingPayload: 10 },
  },
  {
    // Hand-built: cut right after a 40-byte TCP header (SYN options) of an IPv6 packet with 20 payload bytes.
    name: 'snap length cuts right after the TCP header (IPv6)',
    linkType: 1,
    frame: ethernet(0x86dd, ipv6({}, tcp({ options: SYN_OPTIONS }, PORT_CMD))).subarray(0, 14 + 40 + 40),
    originalLength: 14 + 40 + 40 + 20,
    expected: { payload: 0, missingPayload: 20 },
  },
  {
    // Hand-built: cut inside the padding of a padded frame: nothing of the IP packet is missing.
    name: 'snap length cuts only padding',
    linkType: 1,
    frame: Buffer.concat([ethernet(0x0800, ipv4({}, tcp({ flags: 0x10 }))), hex('0000')]),
    originalLength: 60,
    expected: { payload: 0, missingPayload: 0 },
  },
  {
    // Hand-built: TCP segmentation offload capture: IPv4 total length left 0, the frame holds the data.
    name: 'IPv4 total length 0 (TSO) uses the frame',
    linkType: 1,
    frame: ethernet(0x0800, ipv4({ totalLength: 0 }, tcp({}, HELLO))),
    expected: { payload: '220 Hello\r\n' },
  },
  {
    // Hand-built: 802.3 length field + LLC/SNAP (AA AA 03, OUI 00-00-00, EtherType 0800), RFC 1042.
    name: 'LLC/SNAP encapsulated IPv4',
    linkType: 1,
    frame: (() => {
      const ip = ipv4({}, tcp({}, HELLO));
      return ethernet(8 + ip.length, Buffer.concat([hex('aaaa03 000000 0800'), ip]));
    })(),
    expected: { payload: '220 Hello\r\n' },
  },
  {
    // Hand-built: LINKTYPE_LINUX_SLL (113) header, protocol 0x0800.
    name: 'Linux cooked v1 IPv4',
    linkType: 113,
    frame: sll(0x0800, ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, tcp({ srcPort: 20, dstPort: 40000 }, HELLO))),
    expected: { src: '10.0.0.1', dst: '10.0.0.2', srcPort: 20, dstPort: 40000, payload: '220 Hello\r\n' },
  },
  {
    // Hand-built: SLL v1 carrying an 802.1Q tag (protocol 0x8100), as Linux writes when it keeps tags.
    name: 'Linux cooked v1 with a VLAN tag',
    linkType: 113,
    frame: sll(0x8100, Buffer.concat([hex('0014 0800'), ipv4({}, tcp({}, HELLO))])),
    expected: { payload: '220 Hello\r\n' },
  },
  {
    // Hand-built: LINKTYPE_LINUX_SLL2 (276) header, protocol 0x86dd.
    name: 'Linux cooked v2 IPv6',
    linkType: 276,
    frame: sll2(0x86dd, ipv6({ src: 'fe80:0:0:0:0:0:0:1', dst: 'fe80:0:0:0:1:0:0:1' }, tcp({}, HELLO))),
    expected: { ipVersion: 6, src: 'fe80::1', dst: 'fe80::1:0:0:1', payload: '220 Hello\r\n' },
  },
  ...[
    // Hand-built: BSD loopback families (LINKTYPE_NULL 0, LINKTYPE_LOOP 108) in both byte orders.
    { family: 2, le: false, linkType: 0 },
    { family: 2, le: true, linkType: 108 },
    { family: 24, le: true, linkType: 0 },
    { family: 28, le: false, linkType: 0 },
    { family: 30, le: true, linkType: 0 },
    { family: 30, le: false, linkType: 108 },
  ].map(({ family, le, linkType }): TcpVector => ({
    name: `loopback family ${family} ${le ? 'little' : 'big'}-endian, link type ${linkType}`,
    linkType,
    frame: loopback(family, le, family === 2 ? ipv4({}, tcp({}, HELLO)) : ipv6({}, tcp({}, HELLO))),
    expected: { ipVersion: family === 2 ? 4 : 6, payload: '220 Hello\r\n' },
  })),
  ...[101, 12, 14].map((linkType): TcpVector => ({
    // Hand-built: raw IP (LINKTYPE_RAW 101 and the DLT_RAW aliases 12, 14): the version nibble decides.
    name: `raw IPv4, link type ${linkType}`,
    linkType,
    frame: ipv4({}, tcp({}, HELLO)),
    expected: { ipVersion: 4, payload: '220 Hello\r\n' },
  })),
  {
    // Hand-built: raw IPv6 (LINKTYPE_RAW 101).
    name: 'raw IPv6, link type 101',
    linkType: 101,
    frame: ipv6({}, tcp({}, HELLO)),
    expected: { ipVersion: 6, payload: '220 Hello\r\n' },
  },
  {
    // Hand-built: LINKTYPE_IPV4 (228).
    name: 'LINKTYPE_IPV4',
    linkType: 228,
    frame: ipv4({}, tcp({}, HELLO)),
    expected: { ipVersion: 4, payload: '220 Hello\r\n' },
  },
  {
    // Hand-built: LINKTYPE_IPV6 (229), IPv4-mapped addresses.
    name: 'LINKTYPE_IPV6 with IPv4-mapped addresses',
    linkType: 229,
    frame: ipv6({ src: '0:0:0:0:0:ffff:c000:201', dst: '0:0:0:0:0:ffff:c633:6402' }, tcp({}, HELLO)),
    expected: { src: '::ffff:192.0.2.1', dst: '::ffff:198.51.100.2', payload: '220 Hello\r\n' },
  },
];

// --- Frames that are not TCP over IP --------------------------------------------------------------

// biome-ignore format: a table, one row a line
const otherVectors: Array<Vector & { note: string }> = [
  // Hand-built: an ARP request EtherType (0x0806) with 28 bytes of body.
  { name: 'ARP', linkType: 1, frame: ethernet(0x0806, Buffer.alloc(28)), note: 'not-ip' },
  // Hand-built: VLAN-tagged ARP.
  { name: 'VLAN-tagged ARP', linkType: 1, frame: ethernet(0x0806, Buffer.alloc(28), [[0x8100, 5]]), note: 'not-ip' },
  // Hand-built: 802.3 frame with a spanning-tree LLC header (42 42 03).
  { name: '802.3 LLC (STP)', linkType: 1, frame: ethernet(38, Buffer.concat([hex('424203'), Buffer.alloc(35)])), note: '802.3-llc' },
  // Hand-built: UDP (protocol 17) with an 8-byte header.
  { name: 'UDP', linkType: 1, frame: ethernet(0x0800, ipv4({ protocol: 17 }, Buffer.alloc(8))), note: 'udp' },
  // Hand-built: ICMP echo (protocol 1).
  { name: 'ICMP', linkType: 1, frame: ethernet(0x0800, ipv4({ protocol: 1 }, Buffer.alloc(8))), note: 'icmp' },
  // Hand-built: ICMPv6 (next header 58).
  { name: 'ICMPv6', linkType: 1, frame: ethernet(0x86dd, ipv6({ next: 58 }, Buffer.alloc(8))), note: 'icmpv6' },
  // Hand-built: an unusual IP protocol (OSPF 89).
  { name: 'OSPF', linkType: 1, frame: ethernet(0x0800, ipv4({ protocol: 89 }, Buffer.alloc(8))), note: 'not-tcp' },
  // Hand-built: an IPv4 fragment of a UDP datagram (only TCP datagrams are reassembled).
  { name: 'IPv4 fragment of UDP', linkType: 1, frame: ethernet(0x0800, ipv4({ protocol: 17, fragment: 0x2000 }, Buffer.alloc(16))), note: 'udp' },
  // Hand-built: an IPv6 fragment whose fragmentable part is UDP (17).
  { name: 'IPv6 fragment of UDP', linkType: 1, frame: ethernet(0x86dd, ipv6({ next: 44 }, Buffer.concat([ipv6Fragment(17, 0, true), Buffer.alloc(16)]))), note: 'ipv6-fragment' },
  // Hand-built: IPv6 hop-by-hop then No Next Header (59).
  { name: 'IPv6 no next header', linkType: 1, frame: ethernet(0x86dd, ipv6({ next: 0 }, ipv6Options(59, 8))), note: 'ipv6-no-next-header' },
  // Hand-built: IPv6 with ESP (50): the TCP inside is encrypted.
  { name: 'IPv6 ESP', linkType: 1, frame: ethernet(0x86dd, ipv6({ next: 50 }, Buffer.alloc(16))), note: 'ipsec-esp' },
  // Hand-built: BSD loopback with AF_APPLETALK-ish family 16.
  { name: 'loopback non-IP family', linkType: 0, frame: loopback(16, true, Buffer.alloc(20)), note: 'loopback-family-not-ip' },
  // Hand-built: SLL with protocol 0x0004 (802.2 LLC frames).
  { name: 'SLL 802.2 LLC', linkType: 113, frame: sll(0x0004, Buffer.alloc(20)), note: 'not-ip' },
  // Hand-built: 802.11 (LINKTYPE 105) is a known but not decoded link type.
  { name: '802.11 link type', linkType: 105, frame: Buffer.alloc(40), note: 'unsupported-link-type' },
  // Hand-built: an unassigned link type number.
  { name: 'unknown link type', linkType: 4242, frame: Buffer.alloc(40), note: 'unsupported-link-type' },
];

// --- Malformed frames ----------------------------------------------------------------------------

const goodIpv4 = (): Buffer => ipv4({}, tcp({}, HELLO));
// biome-ignore format: a table, one row a line
const malformedVectors: Array<Vector & { layer: string; offset: number; reason: RegExp }> = [
  // Hand-built: 10 bytes, shorter than the 14-byte Ethernet header.
  { name: 'Ethernet header cut', linkType: 1, frame: Buffer.alloc(10), layer: 'ethernet', offset: 0, reason: /needs 14 bytes but only 10/ },
  // Hand-built: the same, but the wire frame was longer: the snap length cut it.
  { name: 'Ethernet header cut by snap length', linkType: 1, frame: Buffer.alloc(10), originalLength: 60, layer: 'ethernet', offset: 0, reason: /snap length kept only 10/ },
  // Hand-built: an 802.1Q TPID with only 2 bytes of tag.
  { name: 'VLAN tag cut', linkType: 1, frame: ethernet(0x8100, hex('0001')), layer: 'vlan', offset: 14, reason: /VLAN tag needs 4/ },
  // Hand-built: 9 stacked tags (the cap is 8).
  { name: 'too many VLAN tags', linkType: 1, frame: ethernet(0x0800, goodIpv4(), Array.from({ length: 9 }, (_, i): [number, number] => [0x8100, i])), layer: 'vlan', offset: 14 + 32, reason: /more than 8/ },
  // Hand-built: 12 bytes of IPv4 header in a complete frame.
  { name: 'IPv4 header cut', linkType: 1, frame: ethernet(0x0800, goodIpv4().subarray(0, 12)), layer: 'ipv4', offset: 14, reason: /needs 20 bytes but only 12 are present/ },
  // Hand-built: IHL 4 (16 bytes), below the minimum of 5.
  { name: 'IPv4 IHL < 5', linkType: 1, frame: ethernet(0x0800, ipv4({ ihl: 4 }, tcp({}, HELLO))), layer: 'ipv4', offset: 14, reason: /header length field says 16 bytes/ },
  // Hand-built: IHL 15 (60 bytes) with only a 20-byte header and a TCP header behind it: the options run past the packet.
  { name: 'IPv4 IHL past the data', linkType: 1, frame: ethernet(0x0800, ipv4({ ihl: 15 }, Buffer.alloc(10))), layer: 'ipv4', offset: 14, reason: /needs 60 bytes/ },
  // Hand-built: EtherType 0x0800 but version nibble 6.
  { name: 'IPv4 EtherType with version 6', linkType: 1, frame: ethernet(0x0800, ipv4({ version: 6 }, tcp({}, HELLO))), layer: 'ipv4', offset: 14, reason: /version field is 6/ },
  // Hand-built: total length 10, less than the 20-byte header.
  { name: 'IPv4 total length < header', linkType: 1, frame: ethernet(0x0800, ipv4({ totalLength: 10 }, tcp({}, HELLO))), layer: 'ipv4', offset: 16, reason: /total length 10 is less than the header length 20/ },
  // Hand-built: total length 1500 in a complete 65-byte frame.
  { name: 'IPv4 total length past the frame', linkType: 1, frame: ethernet(0x0800, ipv4({ totalLength: 1500 }, tcp({}, HELLO))), layer: 'ipv4', offset: 16, reason: /total length 1500 runs past the end of the frame/ },
  // Hand-built: total length 30: only 10 bytes for a TCP header.
  { name: 'IPv4 total length leaves no room for TCP', linkType: 1, frame: ethernet(0x0800, ipv4({ totalLength: 30 }, tcp({}, HELLO))), layer: 'tcp', offset: 34, reason: /TCP header needs 20 bytes but only 10 are present/ },
  // Hand-built: EtherType 0x86dd but version nibble 4.
  { name: 'IPv6 EtherType with version 4', linkType: 1, frame: ethernet(0x86dd, ipv6({ version: 4 }, tcp({}, HELLO))), layer: 'ipv6', offset: 14, reason: /version field is 4/ },
  // Hand-built: 30 bytes of IPv6 header.
  { name: 'IPv6 header cut', linkType: 1, frame: ethernet(0x86dd, ipv6({}, tcp({}, HELLO)).subarray(0, 30)), layer: 'ipv6', offset: 14, reason: /IPv6 header needs 40 bytes/ },
  // Hand-built: payload length 1000 in a complete frame.
  { name: 'IPv6 payload length past the frame', linkType: 1, frame: ethernet(0x86dd, ipv6({ payloadLength: 1000 }, tcp({}, HELLO))), layer: 'ipv6', offset: 18, reason: /payload length 1000 runs past/ },
  // Hand-built: a hop-by-hop header claiming 16 bytes where the payload length leaves 8.
  { name: 'IPv6 extension header past the payload', linkType: 1, frame: ethernet(0x86dd, ipv6({ next: 0 }, hex('06 01 0104 00000000'))), layer: 'ipv6', offset: 54, reason: /hop-by-hop options header needs 16 bytes but only 8/ },
  // Hand-built: TCP data offset 4 (16 bytes), below the minimum of 5.
  { name: 'TCP data offset < 5', linkType: 1, frame: ethernet(0x0800, ipv4({}, tcp({ dataOffset: 4 }, HELLO))), layer: 'tcp', offset: 34 + 12, reason: /data offset field says the header is 16 bytes/ },
  // Hand-built: TCP data offset 15 (60 bytes) with 31 bytes of segment.
  { name: 'TCP data offset past the segment', linkType: 1, frame: ethernet(0x0800, ipv4({}, tcp({ dataOffset: 15 }, HELLO))), layer: 'tcp', offset: 34, reason: /needs 60 bytes but only 31 are present/ },
  // Hand-built: the snap length (40) cuts into the TCP header.
  { name: 'TCP header cut by snap length', linkType: 1, frame: ethernet(0x0800, goodIpv4()).subarray(0, 40), originalLength: 65, layer: 'tcp', offset: 34, reason: /snap length kept only 6/ },
  // Hand-built: raw IP whose version nibble is 5.
  { name: 'raw IP version 5', linkType: 101, frame: hex('50 00 00 14'), layer: 'ip', offset: 0, reason: /version field is 5, neither 4 nor 6/ },
  // Hand-built: empty raw IP frame.
  { name: 'raw IP empty', linkType: 101, frame: Buffer.alloc(0), layer: 'ip', offset: 0, reason: /needs 1 bytes but only 0/ },
  // Hand-built: 10 bytes of a 16-byte SLL header.
  { name: 'SLL header cut', linkType: 113, frame: Buffer.alloc(10), layer: 'sll', offset: 0, reason: /needs 16 bytes/ },
  // Hand-built: 19 bytes of a 20-byte SLL2 header.
  { name: 'SLL2 header cut', linkType: 276, frame: Buffer.alloc(19), layer: 'sll2', offset: 0, reason: /needs 20 bytes/ },
  // Hand-built: 2 bytes of a 4-byte loopback header.
  { name: 'loopback header cut', linkType: 0, frame: hex('0200'), layer: 'null', offset: 0, reason: /needs 4 bytes/ },
  // Hand-built: SLL2 IPv4 whose IPv4 header has IHL 3.
  { name: 'SLL2 IPv4 IHL 3', linkType: 276, frame: sll2(0x0800, ipv4({ ihl: 3 }, tcp({}, HELLO))), layer: 'ipv4', offset: 20, reason: /12 bytes, less than the 20-byte minimum/ },
];

function decode(vector: Vector): DecodeResult {
  return decodeTcpFrame(vector.linkType, vector.frame, vector.originalLength ?? vector.frame.length);
}

function payloadOf(result: DecodeResult): Buffer {
  if (result.kind !== 'tcp') throw new Error(`expected tcp, got ${JSON.stringify(result)}`);
  return result.segment.payload;
}

describe('decodeTcpFrame: TCP', () => {
  test.each(tcpVectors)('$name', (vector) => {
    const result = decode(vector);
    expect(result.kind, JSON.stringify(result)).toBe('tcp');
    if (result.kind !== 'tcp') return;
    const { payload, ...fields } = vector.expected;
    expect(result.segment).toMatchObject(fields);
    if (typeof payload === 'string') expect(result.segment.payload.toString('latin1')).toBe(payload);
    else expect(result.segment.payload.length).toBe(payload);
  });

  test.each(tcpVectors)('$name: payload is a view into the frame, not a copy', (vector) => {
    const payload = payloadOf(decode(vector));
    expect(payload.buffer).toBe(vector.frame.buffer);
    if (payload.length > 0) {
      const at = payload.byteOffset - vector.frame.byteOffset;
      expect(at).toBeGreaterThan(0);
      expect(vector.frame.subarray(at, at + payload.length).equals(payload)).toBe(true);
    }
  });
});

describe('decodeTcpFrame: not TCP over IP', () => {
  test.each(otherVectors)('$name -> other ($note)', (vector) => {
    expect(decode(vector)).toEqual({ kind: 'other', note: vector.note });
  });
});

describe('decodeTcpFrame: malformed', () => {
  test.each(malformedVectors)('$name -> malformed $layer at $offset', (vector) => {
    const result = decode(vector);
    expect(result).toMatchObject({ kind: 'malformed', layer: vector.layer, offset: vector.offset });
    if (result.kind === 'malformed') expect(result.reason).toMatch(vector.reason);
  });
});

const allVectors: Vector[] = [...tcpVectors, ...otherVectors, ...malformedVectors];

describe('decodeTcpFrame never throws', () => {
  // Every test frame cut at every length, both as a damaged frame (original = captured) and as a
  // frame cut by the snap length (original = the full length).
  test.each(allVectors)('$name, cut at every length', (vector) => {
    const full = vector.frame;
    const wire = vector.originalLength ?? full.length;
    const whole = decode(vector);
    for (let length = 0; length <= full.length; length++) {
      const cut = full.subarray(0, length);
      for (const originalLength of [length, wire]) {
        let result: DecodeResult | undefined;
        expect(() => {
          result = decodeTcpFrame(vector.linkType, cut, originalLength);
        }).not.toThrow();
        expect(['tcp', 'other', 'malformed']).toContain(result?.kind);
        // A snap-length cut of a TCP frame that still decodes gives a prefix of the same payload,
        // and the same total payload length on the wire.
        if (originalLength === wire && result?.kind === 'tcp' && whole.kind === 'tcp') {
          const total = whole.segment.payload.length + whole.segment.missingPayload;
          expect(result.segment.payload.length + result.segment.missingPayload).toBe(total);
          expect(whole.segment.payload.subarray(0, result.segment.payload.length).equals(result.segment.payload)).toBe(true);
        }
      }
    }
  });

  // Hand-built: random bytes for every link type (a seeded generator, so failures reproduce).
  test('random bytes for every link type', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    };
    for (const linkType of [...LINK_TYPES.keys(), 9999]) {
      for (let i = 0; i < 300; i++) {
        const frame = Buffer.from(Array.from({ length: random() % 96 }, random));
        expect(() => decodeTcpFrame(linkType, frame, frame.length + (random() % 3))).not.toThrow();
      }
    }
  });
});

describe('link types', () => {
  test.each([
    // Names as libpcap's pcap_datalink_val_to_name() gives them (tcpdump prints "link-type NAME").
    [0, 'NULL'],
    [1, 'EN10MB'],
    [12, 'RAW'],
    [14, 'RAW'],
    [101, 'RAW'],
    [108, 'LOOP'],
    [113, 'LINUX_SLL'],
    [276, 'LINUX_SLL2'],
    [228, 'IPV4'],
    [229, 'IPV6'],
    [105, 'IEEE802_11'],
    [4242, 'LINKTYPE_4242'],
  ])('%i is %s', (linkType, name) => {
    expect(linkTypeName(linkType)).toBe(name);
  });
});
