import { describe, expect, test } from 'vitest';
import {
  formatEprtArgument,
  formatEpsvReply,
  formatLprtArgument,
  formatLpsvReply,
  formatPasvReply,
  formatPortArgument,
  parseEprtArgument,
  parseEpsvArgument,
  parseEpsvReply,
  parseLprtArgument,
  parseLpsvReply,
  parsePasvReply,
  parsePortArgument,
  type ExtendedEndpoint,
  type LongEndpoint,
  type ParseResult,
} from '../../src/ftp/hostport';
import type { Endpoint } from '../../src/types';

/** A row expects either a value with exactly these quirks, or exactly this error. */
type Expected<T> = { value: T; quirks?: string[] } | { error: string };

function expectParsed<T>(result: ParseResult<T>, expected: Expected<T>): void {
  if ('error' in expected) expect(result).toEqual({ ok: false, error: expected.error });
  else expect(result).toEqual({ ok: true, value: expected.value, quirks: expected.quirks ?? [] });
}

const v4 = (ip: string, port: number): Endpoint => ({ ip, port });

describe('parsePortArgument', () => {
  // RFC 959 §4.1.2 grammar; Zeek parse_ftp / fmt_ftp_port tests (192,168,0,2,1,1 = 192.168.0.2:257)
  // and ftp-ipv4 ftp.log (141,142,220,235,131,46); field guide §1.2 (F4 QEMU slirp, F14 bounce);
  // the rest are malformed and out-of-range values written here.
  test.each<[string, Expected<Endpoint>]>([
    ['192,168,0,2,1,1', { value: v4('192.168.0.2', 257) }],
    ['141,142,220,235,131,46', { value: v4('141.142.220.235', 33582) }],
    ['10,0,2,15,4,1', { value: v4('10.0.2.15', 1025) }],
    ['8,8,8,8,0,80', { value: v4('8.8.8.8', 80) }],
    ['1,2,3,4,0,1', { value: v4('1.2.3.4', 1) }],
    ['1,2,3,4,255,255', { value: v4('1.2.3.4', 65535) }],
    ['192,168,000,002,001,001', { value: v4('192.168.0.2', 257) }],
    [' 192,168,0,2,1,1 ', { value: v4('192.168.0.2', 257), quirks: ['spaces around the numbers'] }],
    ['192, 168, 0, 2, 1, 1', { value: v4('192.168.0.2', 257), quirks: ['spaces around the numbers'] }],
    ['0,0,0,0,4,1', { value: v4('0.0.0.0', 1025), quirks: ['address 0.0.0.0 (unspecified)'] }],
    ['192,168,0,256,1,1', { error: 'octet 256 is larger than 255' }],
    ['192,168,0,2,300,1', { error: 'octet 300 is larger than 255' }],
    ['192,168,0,2,1,99999999999999999999', { error: 'octet 999999999999… is larger than 255' }],
    ['192,168,0,2,0,0', { error: 'port 0 is not a usable port' }],
    ['192,168,0,2,1', { error: 'expected 6 numbers, found 5' }],
    ['192,168,0,2,1,1,1', { error: 'expected 6 numbers, found 7' }],
    ['192,168,0,a,1,1', { error: 'number 4 "a" is not a decimal number' }],
    ['192,168,0,-2,1,1', { error: 'number 4 "-2" is not a decimal number' }],
    ['192,168,,2,1,1', { error: 'number 3 is empty' }],
    ['192.168.0.2.1.1', { error: 'number 1 "192.168.0.2.1.1" is not a decimal number' }],
    ['', { error: 'no numbers' }],
  ])('%j', (arg, expected) => {
    expectParsed(parsePortArgument(arg), expected);
  });
});

describe('parsePasvReply', () => {
  // Text after "227 ". RFC 959 §4.2 example shape; Zeek parse_ftp and ftp.log baselines (ipv4.pcap,
  // cwd-navigation.pcap); field guide §1.2 table of real-world variants: cathery/sys-ftpd#7 (no
  // parentheses), curl's source (wording), cr.yp.to/ftp/retr.html (=), FFFTP (dots),
  // pyftpdlib PR #537 (lower case), aioftp PR #85 (227- multi-line), LightFTP#1 (nothing after "("),
  // fauria/docker-vsftpd#1 and xreef/SimpleFTPServer#8 (F1 addresses), docker-pure-ftpd#53 (port 30001).
  // biome-ignore format: a table, one row a line
  test.each<[string, Expected<Endpoint>]>([
    ['Entering Passive Mode (192,168,0,2,1,1)', { value: v4('192.168.0.2', 257) }],
    ['Entering Passive Mode (199,233,217,249,221,90)', { value: v4('199.233.217.249', 56666) }],
    ['Entering Passive Mode (205,167,25,101,234,113).', { value: v4('205.167.25.101', 60017) }],
    ['Entering Passive Mode (10,0,0,1,117,49).', { value: v4('10.0.0.1', 30001) }],
    ['Entering Passive Mode (172,17,1,21,117,241).', { value: v4('172.17.1.21', 30193) }],
    ['entering passive mode (127,0,0,1,4,51)', { value: v4('127.0.0.1', 1075) }],
    ['(127,0,0,1,154,21)', { value: v4('127.0.0.1', 39445) }],
    ['listen socket created\n(127,0,0,1,154,21)', { value: v4('127.0.0.1', 39445) }],
    ['Entering Passive Mode (192,168,0,2,1,1).  ', { value: v4('192.168.0.2', 257) }],
    ['192,168,178,39,184,244', { value: v4('192.168.178.39', 47348), quirks: ['no parentheses'] }],
    ['Entering passive mode. 127,0,0,1,4,51', { value: v4('127.0.0.1', 1075), quirks: ['no parentheses'] }],
    [
      'Data transfer will passively listen to 127,0,0,1,4,51',
      { value: v4('127.0.0.1', 1075), quirks: ['no parentheses'] },
    ],
    ['=127,0,0,1,4,51', { value: v4('127.0.0.1', 1075), quirks: ['"=" before the numbers', 'no parentheses'] }],
    ['Entering Passive Mode (=127,0,0,1,4,51)', { value: v4('127.0.0.1', 1075), quirks: ['"=" before the numbers'] }],
    ['Entering Passive Mode (192.168.1.2.4.5)', { value: v4('192.168.1.2', 1029), quirks: ['dots instead of commas'] }],
    ['Entering Passive Mode 192.168.1.2.4.5.', { value: v4('192.168.1.2', 1029), quirks: ['dots instead of commas', 'no parentheses'] }],
    ['Entering Passive Mode (192, 168, 1, 2, 4, 5)', { value: v4('192.168.1.2', 1029), quirks: ['spaces between the numbers'] }],
    [
      'Entering Passive Mode (0,0,0,0,195,89)',
      { value: v4('0.0.0.0', 50009), quirks: ['address 0.0.0.0 (unspecified)'] },
    ],
    [
      'Entering Passive Mode (192,168,0,2,1,1) ok',
      { value: v4('192.168.0.2', 257), quirks: ['text after the closing parenthesis'] },
    ],
    ['Entering Passive Mode (192,168,0,2,1,1', { value: v4('192.168.0.2', 257), quirks: ['no closing parenthesis'] }],
    ['Entering Passive Mode 192,168,0,2,1,1)', { value: v4('192.168.0.2', 257), quirks: ['no opening parenthesis'] }],
    [
      'Entering Passive Mode 192,168,0,2,1,1 now',
      { value: v4('192.168.0.2', 257), quirks: ['no parentheses', 'text after the numbers'] },
    ],
    [
      'Entering Passive Mode for 10.0.0.1 (192,168,0,2,1,1)',
      { value: v4('192.168.0.2', 257), quirks: ['other numbers before the address'] },
    ],
    ['Entering Passive Mode (', { error: 'expected 6 numbers, found none' }],
    ['Entering Passive Mode (a,b,c,d,e,f)', { error: 'expected 6 numbers, found none' }],
    ['Entering Passive Mode (192,168,0,2,1)', { error: 'expected 6 numbers, found 5' }],
    ['Entering Passive Mode (192,168,0,2,1,1,1)', { error: 'expected 6 numbers, found 7' }],
    ['Entering Passive Mode (192,168,0,256,1,1)', { error: 'octet 256 is larger than 255' }],
    ['Entering Passive Mode (192,168,0,2,300,1)', { error: 'octet 300 is larger than 255' }],
    ['Entering Passive Mode (192,168,0,2,0,0)', { error: 'port 0 is not a usable port' }],
    ['Entering Passive Mode (-1,168,0,2,1,1)', { error: 'negative number -1' }],
    ['', { error: 'expected 6 numbers, found none' }],
  ])('%j', (text, expected) => {
    expectParsed(parsePasvReply(text), expected);
  });
});

describe('parseEprtArgument', () => {
  // RFC 2428 §2 examples; Zeek parse_ftp vectors (field guide §1.10) and ipv6.pcap control stream;
  // field guide §1.3 (other delimiters, |2| carrying IPv4); the rest written here.
  const e = (family: 1 | 2, ip: string, port: number): ExtendedEndpoint => ({ family, ip, port });
  test.each<[string, Expected<ExtendedEndpoint>]>([
    ['|1|132.235.1.2|6275|', { value: e(1, '132.235.1.2', 6275) }],
    ['|2|1080::8:800:200C:417A|5282|', { value: e(2, '1080::8:800:200c:417a', 5282) }],
    ['|1|192.168.0.2|257|', { value: e(1, '192.168.0.2', 257) }],
    ['|2|fe80::12|1234|', { value: e(2, 'fe80::12', 1234) }],
    ['|2|2001:470:1f11:81f:c999:d94:aa7c:2e3e|49189|', { value: e(2, '2001:470:1f11:81f:c999:d94:aa7c:2e3e', 49189) }],
    ['|2|::1|1|', { value: e(2, '::1', 1) }],
    ['|2|2001:0DB8:0000:0000:0000:0000:0000:0001|65535|', { value: e(2, '2001:db8::1', 65535) }],
    ['|2|::ffff:192.0.2.1|1024|', { value: e(2, '::ffff:192.0.2.1', 1024) }],
    ['|2|::FFFF:C000:0201|1024|', { value: e(2, '::ffff:192.0.2.1', 1024) }],
    ['!1!132.235.1.2!6275!', { value: e(1, '132.235.1.2', 6275), quirks: ['delimiter "!" instead of "|"'] }],
    ['#2#::1#21#', { value: e(2, '::1', 21), quirks: ['delimiter "#" instead of "|"'] }],
    [' |1|132.235.1.2|6275| ', { value: e(1, '132.235.1.2', 6275), quirks: ['spaces around the argument'] }],
    ['|1|0.0.0.0|6275|', { value: e(1, '0.0.0.0', 6275), quirks: ['address 0.0.0.0 (unspecified)'] }],
    ['|2|::|6275|', { value: e(2, '::', 6275), quirks: ['address :: (unspecified)'] }],
    ['|1|192.168.0.313|257|', { error: '"192.168.0.313" is not a valid IPv4 address' }],
    ['|2|fe80::gg|1234|', { error: '"fe80::gg" is not a valid IPv6 address' }],
    ['|1|192.168.0.2|-1|', { error: 'port "-1" is not a decimal number' }],
    ['|2|192.168.0.2|131072|', { error: 'family 2 but the address is IPv4' }],
    ['|1|192.168.0.2|131072|', { error: 'port 131072 is larger than 65535' }],
    ['|1|192.168.0.2|65536|', { error: 'port 65536 is larger than 65535' }],
    ['|1|192.168.0.2|0|', { error: 'port 0 is not a usable port' }],
    ['|1|192.168.0.2||', { error: 'no port number' }],
    ['|1|::1|21|', { error: 'family 1 but the address is IPv6' }],
    ['|3|192.168.0.2|21|', { error: 'network protocol 3 is not 1 (IPv4) or 2 (IPv6)' }],
    ['|x|192.168.0.2|21|', { error: 'network protocol "x" is not 1 (IPv4) or 2 (IPv6)' }],
    ['|1||21|', { error: 'no network address' }],
    ['|1|192.168.0.2|', { error: 'expected 4 "|" delimiters, found 3' }],
    ['|1|192.168.0.2|21|x', { error: 'text after the last "|"' }],
    ['|2|fe80::1%eth0|21|', { error: '"fe80::1%eth0" is not a valid IPv6 address' }],
    ['\u00e91\u00e9192.168.0.2\u00e921\u00e9', { error: 'delimiter U+00e9 is not a printable ASCII character' }],
    ['', { error: 'empty argument' }],
  ])('%j', (arg, expected) => {
    expectParsed(parseEprtArgument(arg), expected);
  });
});

describe('parseEpsvReply', () => {
  // Text after "229 ". RFC 2428 §3 example; Zeek parse_ftp and ipv6.pcap; field guide §1.3:
  // "(!!!9447!)" (IBM i / z/OS, basic-ftp PR #87), "." after ")" (Serv-U, aioftp#69), wrong prose
  // (remote-ftp#1031), a stray earlier "("; the rest written here.
  // biome-ignore format: a table, one row a line
  test.each<[string, Expected<{ port: number }>]>([
    ['Entering Extended Passive Mode (|||6446|)', { value: { port: 6446 } }],
    ['Entering Extended Passive Mode (|||1234|)', { value: { port: 1234 } }],
    ['Entering Extended Passive Mode (|||57086|)', { value: { port: 57086 } }],
    ['Entering Passive Mode (|||63539|)', { value: { port: 63539 } }],
    ['(|||1|)', { value: { port: 1 } }],
    ['(|||65535|)', { value: { port: 65535 } }],
    ['Entering Extended Passive Mode (!!!9447!)', { value: { port: 9447 }, quirks: ['delimiter "!" instead of "|"'] }],
    ['Entering Extended Passive Mode (|||63539|).', { value: { port: 63539 }, quirks: [] }],
    ['Entering Extended Passive Mode (|||63539|) ok', { value: { port: 63539 }, quirks: ['text after the closing parenthesis'] }],
    [
      'Entering Extended Passive Mode (|1|192.0.2.10|6446|)',
      { value: { port: 6446 }, quirks: ['network address inside the parentheses (|1|192.0.2.10|)'] },
    ],
    ['EPSV ok (see RFC 2428) (|||6446|)', { value: { port: 6446 }, quirks: ['another "(" before the port'] }],
    ['Entering Extended Passive Mode (|||0|)', { error: 'port 0 is not a usable port' }],
    ['Entering Extended Passive Mode (|||65536|)', { error: 'port 65536 is larger than 65535' }],
    ['Entering Extended Passive Mode (|||abc|)', { error: 'port "abc" is not a decimal number' }],
    ['Entering Extended Passive Mode (||||)', { error: 'no port number' }],
    ['Entering Extended Passive Mode (|||)', { error: 'no "(|||port|)" in the reply' }],
    ['Entering Extended Passive Mode (|!|6446|)', { error: 'no "(|||port|)" in the reply' }],
    ['Entering Extended Passive Mode (1116446 1)', { error: 'no "(|||port|)" in the reply' }],
    ['Entering Extended Passive Mode (|||6446|', { error: 'no "(|||port|)" in the reply' }],
    ['Entering Extended Passive Mode', { error: 'no "(|||port|)" in the reply' }],
  ])('%j', (text, expected) => {
    expectParsed(parseEpsvReply(text), expected);
  });
});

describe('parseEpsvArgument', () => {
  // RFC 2428 §3 (EPSV, EPSV <net-prt>) and §4 (EPSV ALL); Squid sends EPSV ALL, EPSV 2, EPSV 1.
  test.each([
    ['', { kind: 'any' }],
    ['ALL', { kind: 'all' }],
    ['all', { kind: 'all' }],
    ['1', { kind: 'family', family: 1 }],
    ['2', { kind: 'family', family: 2 }],
    [' 2 ', { kind: 'family', family: 2 }],
    ['3', { kind: 'family', family: 3 }],
    ['IPv6', { kind: 'invalid', error: '"IPv6" is neither ALL nor a network protocol number' }],
  ])('%j', (arg, expected) => {
    expect(parseEpsvArgument(arg)).toEqual(expected);
  });
});

const rfc1639v6 = '6,16,16,128,0,0,0,0,0,0,0,8,8,0,32,12,65,122,2,20,162';

describe('parseLprtArgument', () => {
  // RFC 1639 §2 grammar (addresses from the RFC 2428 examples, written in LPRT form); the rest
  // are malformed values written here.
  const l = (family: 4 | 6, ip: string, port: number): LongEndpoint => ({ family, ip, port });
  test.each<[string, Expected<LongEndpoint>]>([
    ['4,4,132,235,1,2,2,24,131', { value: l(4, '132.235.1.2', 6275) }],
    [rfc1639v6, { value: l(6, '1080::8:800:200c:417a', 5282) }],
    ['4, 4, 132, 235, 1, 2, 2, 24, 131', { value: l(4, '132.235.1.2', 6275), quirks: ['spaces around the numbers'] }],
    ['4,4,0,0,0,0,2,24,131', { value: l(4, '0.0.0.0', 6275), quirks: ['address 0.0.0.0 (unspecified)'] }],
    ['4,4,132,235,1,2,2,0,0', { error: 'port 0 is not a usable port' }],
    ['4,4,132,235,1,256,2,24,131', { error: 'octet 256 is larger than 255' }],
    ['5,4,132,235,1,2,2,24,131', { error: 'address family 5 is not 4 (IPv4) or 6 (IPv6)' }],
    ['4,16,132,235,1,2,2,24,131', { error: 'address length 16 does not fit family 4 (expected 4)' }],
    ['6,4,132,235,1,2,2,24,131', { error: 'address length 4 does not fit family 6 (expected 16)' }],
    ['4,4,132,235,1,2,3,0,24,131', { error: 'port length 3 is not 2' }],
    ['4,4,132,235,1,2,2,24', { error: 'expected 9 numbers, found 8' }],
    ['4,4,132,235,1,2,2,24,131,1', { error: 'expected 9 numbers, found 10' }],
    ['4', { error: 'expected 9 numbers, found 1' }],
    ['4,4,132,235,x,2,2,24,131', { error: 'number 5 "x" is not a decimal number' }],
  ])('%j', (arg, expected) => {
    expectParsed(parseLprtArgument(arg), expected);
  });
});

describe('parseLpsvReply', () => {
  // Text after "228 ", RFC 1639 §3; the rest written here.
  const l = (family: 4 | 6, ip: string, port: number): LongEndpoint => ({ family, ip, port });
  // biome-ignore format: a table, one row a line
  test.each<[string, Expected<LongEndpoint>]>([
    ['Entering Long Passive Mode (4,4,132,235,1,2,2,24,131)', { value: l(4, '132.235.1.2', 6275) }],
    [`Entering Long Passive Mode (${rfc1639v6})`, { value: l(6, '1080::8:800:200c:417a', 5282) }],
    ['Entering Long Passive Mode 4,4,132,235,1,2,2,24,131', { value: l(4, '132.235.1.2', 6275), quirks: ['no parentheses'] }],
    [
      'Entering Long Passive Mode (4,4,132,235,1,2,2,24,131) now',
      { value: l(4, '132.235.1.2', 6275), quirks: ['text after the closing parenthesis'] },
    ],
    ['Entering Long Passive Mode (4,4,132,235,1,2,2,24)', { error: 'expected 9 numbers (IPv4) or 21 (IPv6), found 8' }],
    ['Entering Long Passive Mode (6,16,1,2,3,4,5,6,7,8,9)', { error: 'expected 21 numbers, found 11' }],
    ['Entering Long Passive Mode (4,4,132,235,1,2,2,0,0)', { error: 'port 0 is not a usable port' }],
    ['Entering Long Passive Mode', { error: 'expected 9 numbers (IPv4) or 21 (IPv6), found none' }],
  ])('%j', (text, expected) => {
    expectParsed(parseLpsvReply(text), expected);
  });
});

describe('formatters write the RFC shapes', () => {
  // Zeek fmt_ftp_port baseline (192,168,0,2,1,1); RFC 959 §4.2, RFC 2428 §2-3, RFC 1639 examples.
  test.each([
    [formatPortArgument(v4('192.168.0.2', 257)), '192,168,0,2,1,1'],
    [formatPasvReply(v4('192.168.0.2', 257)), 'Entering Passive Mode (192,168,0,2,1,1).'],
    [formatEprtArgument({ family: 1, ip: '132.235.1.2', port: 6275 }), '|1|132.235.1.2|6275|'],
    [formatEprtArgument({ family: 2, ip: '1080::8:800:200c:417a', port: 5282 }, '!'), '!2!1080::8:800:200c:417a!5282!'],
    [formatEpsvReply(6446), 'Entering Extended Passive Mode (|||6446|)'],
    [formatLprtArgument({ family: 4, ip: '132.235.1.2', port: 6275 }), '4,4,132,235,1,2,2,24,131'],
    [formatLprtArgument({ family: 6, ip: '1080::8:800:200c:417a', port: 5282 }), rfc1639v6],
    [formatLpsvReply({ family: 4, ip: '132.235.1.2', port: 6275 }), 'Entering Long Passive Mode (4,4,132,235,1,2,2,24,131)'],
  ])('%s', (formatted, expected) => {
    expect(formatted).toBe(expected);
  });

  test.each([
    ['PORT with an IPv6 address', () => formatPortArgument(v4('::1', 21))],
    ['227 with a port above 65535', () => formatPasvReply(v4('192.0.2.10', 65536))],
    ['EPRT with a two-character delimiter', () => formatEprtArgument({ family: 1, ip: '192.0.2.10', port: 21 }, '||')],
    ['EPRT with a space delimiter', () => formatEprtArgument({ family: 1, ip: '192.0.2.10', port: 21 }, ' ')],
    ['229 with a negative port', () => formatEpsvReply(-1)],
    ['LPRT family 4 with an IPv6 address', () => formatLprtArgument({ family: 4, ip: '::1', port: 21 })],
  ])('refuses %s', (_name, format) => {
    expect(format).toThrow(RangeError);
  });
});

describe('format* then parse* gives the value back', () => {
  // STYLE habit 7: one round trip per grammar over a table of endpoints: IPv4 and IPv6 (loopback,
  // link-local, IPv4-mapped, the RFC 2428 example, a full address from Zeek's ipv6.pcap) and
  // ports 1, 1023, 1024, 65535.
  const ports = [1, 21, 1023, 1024, 30001, 65535];
  const ipv4 = ['192.0.2.10', '198.51.100.7', '0.0.0.1', '255.255.255.255'];
  const ipv6 = ['::1', 'fe80::12', '2001:db8::1', '::ffff:192.0.2.1', '1080::8:800:200c:417a', '2001:470:1f11:81f:c999:d94:aa7c:2e3e'];
  const endpoints4 = ipv4.flatMap((ip) => ports.map((port) => ({ ip, port })));
  const endpoints6 = ipv6.flatMap((ip) => ports.map((port) => ({ ip, port })));

  test.each(endpoints4)('PORT and 227: $ip $port', (ep) => {
    expect(parsePortArgument(formatPortArgument(ep))).toEqual({ ok: true, value: ep, quirks: [] });
    expect(parsePasvReply(formatPasvReply(ep))).toEqual({ ok: true, value: ep, quirks: [] });
  });

  test.each([...endpoints4.map((ep) => ({ ...ep, family: 1 as const })), ...endpoints6.map((ep) => ({ ...ep, family: 2 as const }))])(
    'EPRT: |$family|$ip|$port|',
    (value) => {
      expect(parseEprtArgument(formatEprtArgument(value))).toEqual({ ok: true, value, quirks: [] });
      expect(parseEprtArgument(formatEprtArgument(value, '!'))).toEqual({
        ok: true,
        value,
        quirks: ['delimiter "!" instead of "|"'],
      });
    },
  );

  test.each(ports)('229: port %i', (port) => {
    expect(parseEpsvReply(formatEpsvReply(port))).toEqual({ ok: true, value: { port }, quirks: [] });
  });

  test.each([...endpoints4.map((ep) => ({ ...ep, family: 4 as const })), ...endpoints6.map((ep) => ({ ...ep, family: 6 as const }))])(
    'LPRT and 228: family $family $ip $port',
    (value) => {
      expect(parseLprtArgument(formatLprtArgument(value))).toEqual({ ok: true, value, quirks: [] });
      expect(parseLpsvReply(formatLpsvReply(value))).toEqual({ ok: true, value, quirks: [] });
    },
  );

  // Out-of-range values can be written by hand but never parse: octets > 255, ports 0 and > 65535.
  test.each([
    ['PORT', () => parsePortArgument('192,0,2,10,256,0')],
    ['PORT', () => parsePortArgument('192,0,2,10,0,0')],
    ['227', () => parsePasvReply(formatPasvReply(v4('192.0.2.10', 0)))],
    ['EPRT', () => parseEprtArgument('|1|192.0.2.10|65536|')],
    ['EPRT', () => parseEprtArgument(formatEprtArgument({ family: 2, ip: '::1', port: 0 }))],
    ['229', () => parseEpsvReply('Entering Extended Passive Mode (|||65536|)')],
    ['LPRT', () => parseLprtArgument(formatLprtArgument({ family: 6, ip: '::1', port: 0 }))],
    ['228', () => parseLpsvReply('Entering Long Passive Mode (4,4,192,0,2,10,2,256,1)')],
  ])('%s refuses an out-of-range value', (_name, parse) => {
    expect(parse().ok).toBe(false);
  });
});
