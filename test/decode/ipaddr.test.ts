import { describe, expect, test } from 'vitest';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../src/decode/ipaddr';
import { hex } from './build';

describe('formatIPv4', () => {
  test.each([
    // Hand-written: RFC 5737 documentation addresses and the extremes.
    ['c0000201', '192.0.2.1'],
    ['00000000', '0.0.0.0'],
    ['ffffffff', '255.255.255.255'],
    ['0a00000a', '10.0.0.10'],
  ])('%s -> %s', (bytes, text) => {
    expect(formatIPv4(hex(bytes), 0)).toBe(text);
  });

  test('reads at an offset', () => {
    expect(formatIPv4(hex('ffff 7f000001 ffff'), 2)).toBe('127.0.0.1');
  });

  test('a buffer too short is a bug: RangeError', () => {
    expect(() => formatIPv4(hex('0a0000'), 0)).toThrow(RangeError);
  });
});

describe('formatIPv6 (RFC 5952)', () => {
  test.each([
    // Hand-written from RFC 5952 section 4 and the brief's list.
    ['00000000000000000000000000000000', '::'], // unspecified
    ['00000000000000000000000000000001', '::1'], // loopback
    ['20010db8000000000000000000000010', '2001:db8::10'],
    ['fe800000000000000001000000000001', 'fe80::1:0:0:1'], // runs of 3 and 2 zero groups: the longer (first) one
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'], // RFC 5952 4.2.1: the longest run
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'], // RFC 5952 4.2.3: tie of two runs of 2 -> leftmost
    ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'], // RFC 5952 4.2.2: a single 0 group is not ::
    ['20010db8aaaabbbbccccddddeeee0001', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'], // RFC 5952 4.3: lowercase
    ['20010DB8000000000000000000000ABC', '2001:db8::abc'], // leading zeros dropped (4.1)
    ['00010000000000000000000000000000', '1::'], // run to the end
    ['00000000000100000000000000000000', '0:0:1::'], // tie 2 vs 5: the longer one wins even on the right
    ['00000000ffff00000000000000000000', '0:0:ffff::'], // the longer run wins over an earlier, shorter one
    ['0000000000000001000000000000ffff', '::1:0:0:0:ffff'], // tie 3 vs 3: the leftmost
    ['00000000000000000000ffffc0000201', '::ffff:192.0.2.1'], // IPv4-mapped (RFC 5952 section 5)
    ['00000000000000000000ffff00000000', '::ffff:0.0.0.0'], // IPv4-mapped, all zero
    ['000000000000000000000000c0000201', '::c000:201'], // deprecated IPv4-compatible: plain hex
    ['0064ff9b0000000000000000c0000201', '64:ff9b::c000:201'], // NAT64 well-known prefix: plain hex
    ['ffffffffffffffffffffffffffffffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ])('%s -> %s', (bytes, text) => {
    expect(formatIPv6(hex(bytes), 0)).toBe(text);
  });

  test('reads at an offset', () => {
    expect(formatIPv6(hex('aa 00000000000000000000000000000001 bb'), 1)).toBe('::1');
  });

  test('a buffer too short is a bug: RangeError', () => {
    expect(() => formatIPv6(Buffer.alloc(15), 0)).toThrow(RangeError);
    expect(() => formatIPv6(Buffer.alloc(16), 1)).toThrow(RangeError);
  });

  // Cross-check against an independent implementation: the WHATWG URL host serializer (Node's URL)
  // compresses the same way (first longest run of 2+ zero groups, lowercase), but writes
  // IPv4-mapped addresses in hex, so those are skipped. Addresses are random with many zero groups.
  test('agrees with the WHATWG URL serializer on 5000 random addresses', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 16;
    };
    for (let i = 0; i < 5000; i++) {
      const bytes = Buffer.alloc(16);
      for (let group = 0; group < 8; group++) {
        if (random() % 2 === 0) bytes.writeUInt16BE(random() % 4 === 0 ? random() & 0xffff : random() & 0xf, group * 2);
      }
      if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) continue;
      const groups = Array.from({ length: 8 }, (_, g) => bytes.readUInt16BE(g * 2).toString(16)).join(':');
      const reference = new URL(`http://[${groups}]/`).hostname.slice(1, -1);
      expect(formatIPv6(bytes, 0)).toBe(reference);
    }
  });
});

describe('the codec round-trips: parse(format(bytes)) gives the bytes back', () => {
  // Hand-written: the extremes, RFC 5737/3849 documentation addresses, every zero-run shape of
  // RFC 5952 section 4.2 (none, one group, two runs, at either end), IPv4-mapped addresses.
  test.each(['00000000', 'ffffffff', 'c0000201', 'cb007101'])('IPv4 %s', (bytes) => {
    const text = formatIPv4(hex(bytes), 0);
    expect(Buffer.from(parseIPv4(text) ?? [])).toEqual(hex(bytes));
  });

  test.each([
    '00000000000000000000000000000000',
    '00000000000000000000000000000001',
    '20010db8000000000000000000000010',
    '20010db8000000010000000000000001',
    '20010db8000000000001000000000001',
    '20010db8000100020003000400050006',
    '00000000000000000000ffffc0000201',
    'ffffffffffffffffffffffffffffffff',
    '20010db8000000000000000000000000',
  ])('IPv6 %s', (bytes) => {
    const text = formatIPv6(hex(bytes), 0);
    expect(Buffer.from(parseIPv6(text) ?? [])).toEqual(hex(bytes));
  });

  test('every IPv4 address with one octet varied: format(parse(text)) is the text', () => {
    for (let octet = 0; octet < 256; octet++) {
      const text = `198.51.${octet}.${255 - octet}`;
      const bytes = parseIPv4(text);
      expect(bytes === null ? null : formatIPv4(bytes, 0)).toBe(text);
    }
  });
});
