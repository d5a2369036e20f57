import { describe, expect, test } from 'vitest';
import { canonicalIp, parseIPv4, parseIPv6 } from '../../src/decode/ipaddr';

// Vectors: RFC 4291 §2.2 (text forms), RFC 5952 §4 and §5 (canonical text), RFC 2428 §2 (EPRT
// examples), Zeek's parse_ftp test (fe80::12, fe80::gg), Zeek's ipv6.pcap control stream
// (2001:470:1f11:81f:c999:d94:aa7c:2e3e), RFC 6052 (64:ff9b::/96); the rest written here to
// probe the edges of the grammar.

describe('parseIPv4', () => {
  test.each([
    ['192.0.2.10', [192, 0, 2, 10]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['255.255.255.255', [255, 255, 255, 255]],
  ])('%s', (text, bytes) => {
    expect(Array.from(parseIPv4(text) ?? [])).toEqual(bytes);
  });

  test.each([
    ['192.168.0.313', 'octet above 255 (Zeek parse_ftp)'],
    ['192.168.0', 'three parts'],
    ['192.168.0.2.1', 'five parts'],
    ['192.168.00.2', 'leading zero'],
    ['192.168.0.-2', 'sign'],
    ['192.168.0.2 ', 'trailing space'],
    ['', 'empty'],
    ['a.b.c.d', 'letters'],
    ['1111.2.3.4', 'four digits'],
  ])('refuses %s (%s)', (text) => {
    expect(parseIPv4(text)).toBeNull();
  });
});

describe('canonicalIp', () => {
  test.each([
    ['192.0.2.10', '192.0.2.10'],
    ['::1', '::1'],
    ['::', '::'],
    ['fe80::12', 'fe80::12'],
    ['FE80::0012', 'fe80::12'],
    ['1080::8:800:200C:417A', '1080::8:800:200c:417a'],
    ['1080:0:0:0:8:800:200C:417A', '1080::8:800:200c:417a'],
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::ff00:42:8329'],
    ['2001:470:1f11:81f:c999:d94:aa7c:2e3e', '2001:470:1f11:81f:c999:d94:aa7c:2e3e'],
    // RFC 5952 §4.2.2: one zero group is not compressed; §4.2.3: the longest run, the first on a tie.
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['1::', '1::'],
    // Mixed notation: IPv4-mapped keeps its dotted tail (RFC 5952 §5), other embeddings become hex.
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::FFFF:0A00:0001', '::ffff:10.0.0.1'],
    ['0:0:0:0:0:ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::1.2.3.4', '::102:304'],
    ['64:ff9b::198.51.100.7', '64:ff9b::c633:6407'],
  ])('%s -> %s', (text, canonical) => {
    expect(canonicalIp(text)).toBe(canonical);
  });

  test.each([
    ['fe80::gg', 'not hex (Zeek parse_ftp)'],
    ['1::2::3', 'two ::'],
    [':1:2:3:4:5:6:7', 'single leading colon'],
    ['1:2:3:4:5:6:7:', 'single trailing colon'],
    ['1:2:3:4:5:6:7', 'seven groups'],
    ['1:2:3:4:5:6:7:8:9', 'nine groups'],
    ['1:2:3:4:5:6:7:8::', ':: standing for no group'],
    ['12345::', 'five hex digits'],
    ['1.2.3.4::', 'IPv4 part not at the end'],
    ['::1.2.3.4:5', 'IPv4 part not at the end'],
    ['::1.2.3', 'short IPv4 part'],
    ['::1.2.3.256', 'IPv4 part above 255'],
    ['1:2:3:4:5:6:7:1.2.3.4', 'nine groups with the IPv4 part'],
    ['fe80::1%eth0', 'zone index'],
    [' ::1', 'leading space'],
    [':::', 'three colons'],
    ['', 'empty'],
  ])('refuses %s (%s)', (text) => {
    expect(parseIPv6(text)).toBeNull();
    expect(canonicalIp(text)).toBeNull();
  });
});

describe('parseIPv6 bytes', () => {
  test('RFC 2428 example address', () => {
    expect(Buffer.from(parseIPv6('1080::8:800:200C:417A') ?? []).toString('hex')).toBe('108000000000000000080800200c417a');
  });
});

describe('agreement with the WHATWG URL serializer', () => {
  // The URL standard's IPv6 serializer follows RFC 5952 §4 (it never writes mixed notation, so
  // IPv4-mapped addresses are left out). Addresses come from a fixed-seed generator with many
  // zero groups, so runs, ties and edges are all exercised. (test/decode/ipaddr.test.ts checks
  // formatIPv6 alone; here the parser reads both the full and the compressed forms.)
  let seed = 0x2428;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const full: string[] = [];
  for (let i = 0; i < 500; i++) {
    const groups = Array.from({ length: 8 }, () => (random() % 3 === 0 ? (random() % 0x10000).toString(16) : '0'));
    if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') continue;
    full.push(groups.join(':'));
  }
  const compressed = full.map((text) => new URL(`http://[${text}]/`).hostname.slice(1, -1));
  const hex = (text: string): string => Buffer.from(parseIPv6(text) ?? []).toString('hex');

  test(`${full.length} generated addresses: full form -> canonical text`, () => {
    expect(full.map((text) => canonicalIp(text))).toEqual(compressed);
  });

  test(`${full.length} generated addresses: compressed form -> the same bytes`, () => {
    expect(compressed.map(hex)).toEqual(full.map(hex));
    expect(compressed.map((text) => canonicalIp(text))).toEqual(compressed);
  });
});
