import { describe, expect, test } from 'vitest';
import { LineSplitter } from '../../src/ftp/lines';
import { parseCommand, ReplyAssembler, type ReplyAssemblerOptions, type ReplyResult } from '../../src/ftp/messages';

describe('parseCommand', () => {
  // RFC 959 §5.3 command syntax; Zeek's ipv6.pcap client stream; Zeek's fake-long-commands.pcap
  // (132-character verbs); the rest written here (case, spaces, non-letters, latin1).
  test.each([
    ['USER anonymous', { verb: 'USER', arg: 'anonymous', valid: true }],
    ['user anonymous', { verb: 'USER', arg: 'anonymous', valid: true }],
    ['PASV', { verb: 'PASV', arg: '', valid: true }],
    ['PWD', { verb: 'PWD', arg: '', valid: true }],
    ['EPSV ALL', { verb: 'EPSV', arg: 'ALL', valid: true }],
    ['PORT 192,168,0,2,1,1', { verb: 'PORT', arg: '192,168,0,2,1,1', valid: true }],
    ['STOR  two  spaces.txt ', { verb: 'STOR', arg: ' two  spaces.txt ', valid: true }],
    ['SITE CHMOD 644 a.txt', { verb: 'SITE', arg: 'CHMOD 644 a.txt', valid: true }],
    ['PASS ', { verb: 'PASS', arg: '', valid: true }],
    ['XCRCRANGE a', { verb: 'XCRCRANGE', arg: 'a', valid: true }],
    ['XY', { verb: 'XY', arg: '', valid: false }],
    [`SYST${'T'.repeat(128)}`, { verb: `SYST${'T'.repeat(128)}`, arg: '', valid: false }],
    ['US3R x', { verb: 'US3R', arg: 'x', valid: false }],
    [' USER x', { verb: '', arg: 'USER x', valid: false }],
    ['', { verb: '', arg: '', valid: false }],
    ['stra\u00dfe x', { verb: 'STRA\u00dfE', arg: 'x', valid: false }],
    ['\u0016\u0003\u0001 x', { verb: '\u0016\u0003\u0001', arg: 'x', valid: false }],
  ])('%j', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });
});

type Step = string | 'GAP' | 'END';

function assemble(steps: Step[], options?: ReplyAssemblerOptions): ReplyResult[] {
  const assembler = new ReplyAssembler(options);
  const results: ReplyResult[] = [];
  for (const step of steps) {
    if (step === 'GAP') {
      assembler.gap();
      continue;
    }
    const result = step === 'END' ? assembler.end() : assembler.push(step);
    if (result !== null) results.push(result);
  }
  return results;
}

const reply = (code: number, lines: string[], text: string, quirks: string[] = []): ReplyResult => ({
  invalid: false,
  code,
  lines,
  text,
  multiline: lines.length > 1 || quirks.includes('not closed before the end of the stream'),
  quirks,
});

describe('ReplyAssembler', () => {
  // RFC 959 §4.2 (its multi-line example included); the NetBSD ftpd server stream of Zeek's
  // ipv6.pcap (contents-default-extract baseline: 230- banner with a repeated 230-, 211- FEAT,
  // 221-); vsftpd's 230-/230 banner; aioftp PR #85 (227- multi-line); Zeek's
  // ftp-invalid-reply-code ("99 PASV invalid"), ftp-missing-reply-code ("SYST not supported") and
  // ftp-missing-space-after-reply-code ("230_no_space") traces; the rest written here.
  test.each<{ name: string; steps: Step[]; options?: ReplyAssemblerOptions; expected: ReplyResult[] }>([
    {
      name: 'single line',
      steps: ['220 ftp.NetBSD.org FTP server (NetBSD-ftpd 20100320) ready.'],
      expected: [reply(220, ['220 ftp.NetBSD.org FTP server (NetBSD-ftpd 20100320) ready.'], 'ftp.NetBSD.org FTP server (NetBSD-ftpd 20100320) ready.')],
    },
    {
      name: 'a code alone is a final reply',
      steps: ['230', '213 77'],
      expected: [reply(230, ['230'], ''), reply(213, ['213 77'], '77')],
    },
    {
      name: 'vsftpd-style multi-line',
      steps: ['230-Welcome to the server.', '230-Be nice.', '230 Login successful.'],
      expected: [reply(230, ['230-Welcome to the server.', '230-Be nice.', '230 Login successful.'], 'Welcome to the server.\nBe nice.\nLogin successful.')],
    },
    {
      name: 'RFC 959 §4.2 example: continuation lines starting with digits',
      steps: ['123-First line', 'Second line', '  234 A line beginning with numbers', '123 The last line'],
      expected: [
        reply(
          123,
          ['123-First line', 'Second line', '  234 A line beginning with numbers', '123 The last line'],
          'First line\nSecond line\n  234 A line beginning with numbers\nThe last line',
        ),
      ],
    },
    {
      name: 'continuation lines that look like codes but are not a close',
      steps: ['250-Listing', '2023-01-01 notes.txt', '1234 bytes', '200-ish', '250 Done'],
      expected: [
        reply(250, ['250-Listing', '2023-01-01 notes.txt', '1234 bytes', '200-ish', '250 Done'], 'Listing\n2023-01-01 notes.txt\n1234 bytes\n200-ish\nDone'),
      ],
    },
    {
      name: 'NetBSD ftpd: 230- repeated inside, FEAT list, 221-',
      steps: [
        '230-',
        '    The NetBSD Project FTP Server located in Redwood City, CA, USA',
        '230-',
        '    EXPORT NOTICE',
        '230 Guest login ok, access restrictions apply.',
        '211-Features supported',
        ' MDTM',
        ' REST STREAM',
        '211 End',
        '221-',
        '    Data traffic for this session was 154 bytes in 2 files.',
        '221 Thank you for using the FTP service on ftp.NetBSD.org.',
      ],
      expected: [
        reply(
          230,
          [
            '230-',
            '    The NetBSD Project FTP Server located in Redwood City, CA, USA',
            '230-',
            '    EXPORT NOTICE',
            '230 Guest login ok, access restrictions apply.',
          ],
          '\n    The NetBSD Project FTP Server located in Redwood City, CA, USA\n\n    EXPORT NOTICE\nGuest login ok, access restrictions apply.',
        ),
        reply(211, ['211-Features supported', ' MDTM', ' REST STREAM', '211 End'], 'Features supported\n MDTM\n REST STREAM\nEnd'),
        reply(
          221,
          ['221-', '    Data traffic for this session was 154 bytes in 2 files.', '221 Thank you for using the FTP service on ftp.NetBSD.org.'],
          '\n    Data traffic for this session was 154 bytes in 2 files.\nThank you for using the FTP service on ftp.NetBSD.org.',
        ),
      ],
    },
    {
      name: '227- multi-line (aioftp PR #85)',
      steps: ['227-listen socket created', '227 (127,0,0,1,154,21)'],
      expected: [reply(227, ['227-listen socket created', '227 (127,0,0,1,154,21)'], 'listen socket created\n(127,0,0,1,154,21)')],
    },
    {
      name: 'closed with another code',
      steps: ['230-Welcome', 'Enjoy', '226 Transfer complete.'],
      expected: [reply(230, ['230-Welcome', 'Enjoy', '226 Transfer complete.'], 'Welcome\nEnjoy\nTransfer complete.', ['closed with another code'])],
    },
    {
      name: 'two replies in a row (150 then 425)',
      steps: ['150 Opening BINARY mode data connection.', '425 Cannot open data connection.'],
      expected: [
        reply(150, ['150 Opening BINARY mode data connection.'], 'Opening BINARY mode data connection.'),
        reply(425, ['425 Cannot open data connection.'], 'Cannot open data connection.'),
      ],
    },
    {
      name: 'invalid first lines (Zeek traces and others)',
      steps: ['99 PASV invalid', 'SYST not supported', '230_no_space', '', '099 zero first', '2200 four digits', '200 next'],
      expected: [
        { invalid: true, reason: 'code below 100', line: '99 PASV invalid' },
        { invalid: true, reason: 'non-numeric code', line: 'SYST not supported' },
        { invalid: true, reason: 'code followed by neither space nor hyphen', line: '230_no_space' },
        { invalid: true, reason: 'non-numeric code', line: '' },
        { invalid: true, reason: 'code below 100', line: '099 zero first' },
        { invalid: true, reason: 'code followed by neither space nor hyphen', line: '2200 four digits' },
        reply(200, ['200 next'], 'next'),
      ],
    },
    {
      name: 'a gap abandons the reply in progress; its leftover lines are reported as cut by the gap',
      steps: ['211-Features supported', ' MDTM', 'GAP', ' SIZE', '211 End', ' TVFS', '200 ok'],
      expected: [
        { invalid: true, reason: 'after a gap: not the start of a reply', line: ' SIZE' },
        reply(211, ['211 End'], 'End'),
        { invalid: true, reason: 'non-numeric code', line: ' TVFS' },
        reply(200, ['200 ok'], 'ok'),
      ],
    },
    {
      name: 'end with a multi-line reply open',
      steps: ['220-Welcome', '220-still going', 'END'],
      expected: [reply(220, ['220-Welcome', '220-still going'], 'Welcome\nstill going', ['not closed before the end of the stream'])],
    },
    {
      name: 'end with nothing open',
      steps: ['220 ok', 'END'],
      expected: [reply(220, ['220 ok'], 'ok')],
    },
    {
      name: 'line cap: further lines are counted, the close is kept',
      options: { maxReplyLines: 3 },
      steps: ['220-a', 'b', 'c', 'd', '220 e'],
      expected: [reply(220, ['220-a', 'b', '220 e'], 'a\nb\ne', ['2 lines over the limit of 3 not kept'])],
    },
  ])('$name', ({ steps, options, expected }) => {
    expect(assemble(steps, options)).toEqual(expected);
  });

  test('refuses a line cap below 2 (the first and the closing line)', () => {
    expect(() => new ReplyAssembler({ maxReplyLines: 1 })).toThrow(RangeError);
  });

  test('gap() says whether a reply was abandoned', () => {
    const assembler = new ReplyAssembler();
    expect(assembler.gap()).toBe(false);
    assembler.push('220-Welcome');
    expect(assembler.gap()).toBe(true);
  });
});

describe('lines and replies together', () => {
  // The NetBSD ftpd server stream of Zeek's ipv6.pcap (contents-default-extract baseline), shortened.
  const stream = [
    '220 ftp.NetBSD.org FTP server (NetBSD-ftpd 20100320) ready.',
    '331 Guest login ok, type your name as password.',
    '230-',
    '    The NetBSD Project FTP Server located in Redwood City, CA, USA',
    '230-',
    '    EXPORT NOTICE',
    '230 Guest login ok, access restrictions apply.',
    '215 UNIX Type: L8 Version: NetBSD-ftpd 20100320',
    '211-Features supported',
    ' MDTM',
    ' MLST Type*;Size*;Modify*;Perm*;Unique*;',
    ' REST STREAM',
    ' SIZE',
    ' TVFS',
    '211 End',
    '257 "/" is the current directory.',
    '229 Entering Extended Passive Mode (|||57086|)',
    "150 Opening ASCII mode data connection for '/bin/ls'.",
    '226 Transfer complete.',
    '200 EPRT command successful.',
    '221-',
    '    Data traffic for this session was 154 bytes in 2 files.',
    '221 Thank you for using the FTP service on ftp.NetBSD.org.',
  ]
    .map((l) => `${l}\r\n`)
    .join('');

  function codes(chunkSize: number): number[] {
    const assembler = new ReplyAssembler();
    const found: number[] = [];
    const splitter = new LineSplitter<number>((line) => {
      const result = assembler.push(line.text);
      if (result !== null && !result.invalid) found.push(result.code);
    });
    const bytes = Buffer.from(stream, 'latin1');
    for (let i = 0; i < bytes.length; i += chunkSize) splitter.push(bytes.subarray(i, i + chunkSize), i);
    splitter.end(bytes.length);
    return found;
  }

  test.each([1, 7, 1 << 16])('chunks of %i bytes', (chunkSize) => {
    expect(codes(chunkSize)).toEqual([220, 331, 230, 215, 211, 257, 229, 150, 226, 200, 221]);
  });
});
