/**
 * FTP control lines for the fuzzer to write into TCP payloads: every announcement grammar with
 * numbers out of range, odd delimiters and wrong shapes, replies that open multi-line blocks, and
 * names carrying what a terminal must never see raw (escape sequences, C1 controls, bidi
 * overrides, invalid UTF-8, Telnet commands).
 */
import type { Random } from './random';

const NUMBERS = ['0', '1', '2', '127', '255', '256', '999', '65535', '65536', '4294967296', '99999999999999999999', '-1', '007', '', ' 1', '1.5'];

/** Bytes written as latin1 characters (one character per byte). */
const HOSTILE = [
  '\x1b[2J\x1b[31mred',
  '\x1b]0;title\x07',
  '\x9b31m',
  '\x07\x08\x7f',
  '\xe2\x80\xae' + 'txt.exe', // U+202E RIGHT-TO-LEFT OVERRIDE in UTF-8
  '\xe2\x81\xa6x\xe2\x81\xa9', // U+2066 / U+2069 isolates
  '\xe2\x80\xa8', // U+2028 LINE SEPARATOR
  'j\xc3\xbcrgen', // valid UTF-8
  '\xc3\x28', // invalid UTF-8
  '\xc0\xaf', // overlong
  '\xed\xa0\x80', // a surrogate
  '\xf4\x90\x80\x80', // above U+10FFFF
  '\x00nul',
  'bare\rcr',
  '\xff\xf4\xff\xf2', // IAC IP IAC DM
  '\xff\xfb', // IAC WILL cut
  '\xff',
  '%s%n%x',
  '<script>alert(1)</script>&amp;"\'',
  '","=1+1',
  '\t-\t',
  'x'.repeat(300),
];

function number(rng: Random): string {
  return rng.chance(0.6) ? String(rng.int(rng.pick([256, 65536, 1000]))) : rng.pick(NUMBERS);
}

function name(rng: Random): string {
  return rng.chance(0.6) ? rng.pick(HOSTILE) : `file${rng.int(100)}.bin`;
}

function list(rng: Random, count: number): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(number(rng));
  return parts.join(rng.chance(0.9) ? ',' : rng.pick([', ', '.', ';', ',,']));
}

function ipv6(rng: Random): string {
  return rng.pick(['2001:db8::1', '::', '::ffff:192.0.2.1', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9', 'gggg::1', '::1::2', '2001:DB8:0:0:0:0:0:1']);
}

const TEMPLATES: Array<(rng: Random) => string> = [
  (r) => `PORT ${list(r, r.chance(0.8) ? 6 : r.range(0, 9))}`,
  (r) => `227 Entering Passive Mode (${list(r, r.chance(0.8) ? 6 : r.range(0, 9))}).`,
  (r) => `227 =${list(r, 6)}`,
  (r) => {
    const d = r.chance(0.7) ? '|' : r.pick(['!', '1', ' ', '||', '\x1b', '\xff']);
    return `EPRT ${d}${r.pick(['1', '2', '3', '', '01'])}${d}${r.chance(0.5) ? '192.0.2.1' : r.chance(0.5) ? ipv6(r) : number(r)}${d}${number(r)}${d}${r.chance(0.1) ? 'x' : ''}`;
  },
  (r) => `229 Entering Extended Passive Mode (${r.pick(['|||', '!!!', '111', '||', '|1|2|'])}${number(r)}${r.pick(['|)', ')', '|', '|).'])}`,
  (r) => `LPRT ${r.pick(['4,4', '6,16', '4,16', '6,4', '5,4'])},${list(r, r.chance(0.5) ? 7 : r.range(0, 20))}`,
  (r) => `228 Entering Long Passive Mode (${r.pick(['4,4', '6,16'])},${list(r, r.range(5, 20))})`,
  (r) => r.pick(['PASV', 'EPSV', 'EPSV ALL', 'EPSV 1', 'EPSV 2', 'EPSV 3', 'EPSV x', 'LPSV']),
  (r) => `150 Opening BINARY mode data connection for ${name(r)} (${number(r)} bytes)`,
  (r) => r.pick(['226 Transfer complete', "425 Can't open data connection.", '426 aborted', '550 no', '500 ?', '421 bye', '125 go', '150 ok', '226-', '226']),
  (r) => `${r.pick(['230', '220', '211', '214', '150'])}-${name(r)}`,
  (r) => `${r.pick(['230', '220', '211', '999', '099', '12', 'abc'])} ${name(r)}`,
  (r) => `USER ${name(r)}`,
  (r) => `PASS ${name(r)}`,
  (r) => `${r.pick(['RETR', 'STOR', 'APPE', 'LIST', 'NLST', 'MLSD', 'STOU', 'SIZE', 'CWD', 'DELE', 'MKD'])} ${name(r)}`,
  (r) => `213 ${number(r)}`,
  (r) => `REST ${number(r)}`,
  (r) => `257 "${name(r)}" created`,
  (r) =>
    r.pick([
      'AUTH TLS',
      '234 AUTH TLS OK',
      'PBSZ 0',
      'PROT P',
      'CCC',
      'OPTS UTF8 ON',
      '200 UTF8 set',
      'FEAT',
      '211-Features:',
      ' UTF8',
      '211 End',
      'QUIT',
      '221 Goodbye',
      'ABOR',
      'TYPE I',
      'SYST',
      'NOOP',
    ]),
  (r) => name(r),
];

/** One or a few lines of FTP control text, as latin1 bytes, each ended by CR LF (or not). */
export function ftpText(rng: Random): Buffer {
  const lines: string[] = [];
  const count = rng.small(4);
  for (let i = 0; i < count; i++) {
    const line = rng.pick(TEMPLATES)(rng);
    lines.push(line + (rng.chance(0.85) ? '\r\n' : rng.pick(['\n', '\r', '', '\r\r\n'])));
  }
  return Buffer.from(lines.join(''), 'latin1');
}
