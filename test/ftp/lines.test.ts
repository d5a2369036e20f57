import { describe, expect, test } from 'vitest';
import { LineSplitter, type Line, type LineSplitterOptions } from '../../src/ftp/lines';

/** One event of a direction's stream: bytes, a gap of missing bytes, or the end. */
type Step = string | Buffer | { gap: number } | 'end';

/** Tags are the index of the step that carried the bytes. */
function run(steps: Step[], options: LineSplitterOptions = {}, oneByteChunks = false): Line<number>[] {
  const lines: Line<number>[] = [];
  const splitter = new LineSplitter<number>((line) => lines.push(line), options);
  steps.forEach((step, index) => {
    if (step === 'end') splitter.end(index);
    else if (typeof step === 'object' && 'gap' in step) splitter.gap(step.gap, index);
    else {
      const bytes = typeof step === 'string' ? Buffer.from(step, 'latin1') : step;
      if (!oneByteChunks) splitter.push(bytes, index);
      else for (let i = 0; i < bytes.length; i++) splitter.push(bytes.subarray(i, i + 1), index);
    }
  });
  return lines;
}

/** What does not depend on how the bytes were cut into chunks. */
function framing(line: Line<number>): Omit<Line<number>, 'at' | 'startAt' | 'startOffset' | 'gapAt'> {
  const { at: _at, startAt: _startAt, startOffset: _startOffset, gapAt: _gapAt, ...rest } = line;
  return rest;
}

const plain = {
  bareLf: false,
  bareCr: false,
  nul: false,
  telnet: false,
  truncated: false,
  droppedBytes: 0,
  afterGap: false,
  gapDroppedBytes: 0,
  unterminated: false,
};
const line = (text: string, flags: Partial<typeof plain> = {}) => ({ text, ...plain, ...flags });

// Control streams: Zeek's ipv6.pcap (contents-default-extract baseline, client side), node-ftp#65
// (two replies in one segment), inetutils ftp's abort sequence (IAC IP IAC DM ABOR, field guide
// §1.1), Zeek's fake-long-commands.pcap (132-character verbs); the rest written here to probe
// line ends, Telnet commands, latin1 text, the length cap and gaps.
const cases: { name: string; steps: Step[]; options?: LineSplitterOptions; expected: ReturnType<typeof line>[] }[] = [
  {
    name: 'CRLF lines (Zeek ipv6.pcap client)',
    steps: ['USER anonymous\r\nPASS test\r\nSYST\r\nEPRT |2|2001:470:1f11:81f:c999:d94:aa7c:2e3e|49189|\r\n'],
    expected: [line('USER anonymous'), line('PASS test'), line('SYST'), line('EPRT |2|2001:470:1f11:81f:c999:d94:aa7c:2e3e|49189|')],
  },
  {
    name: 'two replies in one segment (node-ftp#65)',
    steps: ['150 Opening BINARY mode data connection.\r\n425 Cannot open data connection.\r\n'],
    expected: [line('150 Opening BINARY mode data connection.'), line('425 Cannot open data connection.')],
  },
  {
    name: 'a command split over segments',
    steps: ['POR', 'T 192,168,0,2,1,1\r', '\n'],
    expected: [line('PORT 192,168,0,2,1,1')],
  },
  {
    name: 'bare LF',
    steps: ['SYST\nPWD\r\n'],
    expected: [line('SYST', { bareLf: true }), line('PWD')],
  },
  {
    name: 'empty lines',
    steps: ['\r\n\n'],
    expected: [line(''), line('', { bareLf: true })],
  },
  {
    name: 'bare CR and NUL stay in the text',
    steps: ['AB\rCD\r\nE\0F\r\nG\r\r\n'],
    expected: [line('AB\rCD', { bareCr: true }), line('E\0F', { nul: true }), line('G\r', { bareCr: true })],
  },
  {
    name: 'unterminated line at the end',
    steps: ['QUIT\r\nNOOP', 'end'],
    expected: [line('QUIT'), line('NOOP', { unterminated: true })],
  },
  {
    name: 'CR alone at the end',
    steps: ['NOOP\r', 'end'],
    expected: [line('NOOP\r', { unterminated: true, bareCr: true })],
  },
  {
    name: 'nothing left at the end',
    steps: ['NOOP\r\n', 'end'],
    expected: [line('NOOP')],
  },
  {
    name: 'latin1: one character per byte, invalid UTF-8 too',
    steps: [Buffer.from([0x52, 0x45, 0x54, 0x52, 0x20, 0xe9, 0xc3, 0x28, 0x0d, 0x0a])],
    expected: [line('RETR \u00e9\u00c3(')],
  },
  {
    name: 'Telnet abort: IAC IP IAC DM ABOR (inetutils)',
    steps: [Buffer.from([0xff, 0xf4, 0xff]), Buffer.concat([Buffer.from([0xf2]), Buffer.from('ABOR\r\n')])],
    expected: [line('ABOR', { telnet: true })],
  },
  {
    name: 'Telnet IAC IAC is a literal 0xFF',
    steps: [Buffer.concat([Buffer.from('RETR a'), Buffer.from([0xff, 0xff]), Buffer.from('b\r\n')])],
    expected: [line('RETR a\u00ffb', { telnet: true })],
  },
  {
    name: 'Telnet option negotiation: IAC DO/WILL <option>',
    steps: [Buffer.concat([Buffer.from([0xff, 0xfd, 0x01, 0xff, 0xfb, 0x03]), Buffer.from('NOOP\r\n')])],
    expected: [line('NOOP', { telnet: true })],
  },
  {
    name: 'a stray IAC before an ordinary byte is dropped, the byte kept',
    steps: [Buffer.concat([Buffer.from('NO'), Buffer.from([0xff]), Buffer.from('OP\r\n')])],
    expected: [line('NOOP', { telnet: true })],
  },
  {
    name: 'a stray IAC cannot swallow the line end',
    steps: [Buffer.concat([Buffer.from('NOOP'), Buffer.from([0xff]), Buffer.from('\nSYST'), Buffer.from([0xff, 0xfb]), Buffer.from('\nPWD\r\n')])],
    expected: [line('NOOP', { telnet: true, bareLf: true }), line('SYST', { telnet: true, bareLf: true }), line('PWD')],
  },
  {
    name: 'cap: longer lines are truncated, the rest counted',
    options: { maxLineLength: 8 },
    steps: ['0123456789\r\nOK\r\n'],
    expected: [line('01234567', { truncated: true, droppedBytes: 2 }), line('OK')],
  },
  {
    name: 'cap: a line of exactly the cap is whole, with CRLF or LF',
    options: { maxLineLength: 4 },
    steps: ['ABCD\r\nEFGH\nIJKLM\r\n'],
    expected: [line('ABCD'), line('EFGH', { bareLf: true }), line('IJKL', { truncated: true, droppedBytes: 1 })],
  },
  {
    name: 'cap: Telnet bytes do not count',
    options: { maxLineLength: 4 },
    steps: [Buffer.concat([Buffer.from([0xff, 0xf4, 0xff, 0xf2]), Buffer.from('ABOR\r\n')])],
    expected: [line('ABOR', { telnet: true })],
  },
  {
    name: 'cap: a 132-character verb (Zeek fake-long-commands) with the default cap',
    steps: [`SYST${'T'.repeat(128)}\r\n`],
    expected: [line(`SYST${'T'.repeat(128)}`)],
  },
  {
    name: 'cap: 1 MiB without LF is kept to the cap',
    steps: ['X'.repeat(1 << 20), '\r\nNOOP\r\n'],
    expected: [line('X'.repeat(4096), { truncated: true, droppedBytes: (1 << 20) - 4096 }), line('NOOP')],
  },
  {
    name: 'gap inside a line: drop it, resynchronise at the next LF',
    steps: ['USER a\r\nPAS', { gap: 10 }, 'S secret\r\nSYST\r\n'],
    expected: [line('USER a'), line('SYST', { afterGap: true, gapDroppedBytes: 3 + 10 })],
  },
  {
    name: 'gap at a line boundary: the text up to the next LF may be a line end, so it goes too',
    steps: ['USER a\r\n', { gap: 5 }, 'B\r\nSYST\r\n'],
    expected: [line('USER a'), line('SYST', { afterGap: true, gapDroppedBytes: 3 })],
  },
  {
    name: 'two gaps before the next line',
    steps: ['AB', { gap: 1 }, 'CD', { gap: 1 }, 'EF\nGH\r\n'],
    expected: [line('GH', { afterGap: true, gapDroppedBytes: 2 + 2 + 3 })],
  },
  {
    name: 'gap then end while resynchronising: no line',
    steps: ['NOOP\r\n', { gap: 4 }, 'PAR', 'end'],
    expected: [line('NOOP')],
  },
  {
    name: 'an empty gap changes nothing',
    steps: ['NO', { gap: 0 }, 'OP\r\n'],
    expected: [line('NOOP')],
  },
  {
    name: 'the splitter starts afresh after end',
    steps: ['A', 'end', { gap: 3 }, 'B\r\nC', 'end', 'D\r\n'],
    expected: [line('A', { unterminated: true }), line('C', { afterGap: true, gapDroppedBytes: 3, unterminated: true }), line('D')],
  },
];

describe('LineSplitter', () => {
  test.each(cases)('$name', ({ steps, options, expected }) => {
    const whole = run(steps, options);
    expect(whole.map(framing)).toEqual(expected);
    // STYLE habit 11: the same lines when the bytes arrive one at a time.
    expect(run(steps, options, true).map(framing)).toEqual(expected);
  });

  test('position tags: the chunk of the last byte, the chunk and offset of the first', () => {
    const lines = run(['US', 'ER a\r\nPA', 'SS b\r\n', 'NOOP']);
    lines.push(...run(['X', 'end']));
    expect(lines.map(({ text, at, startAt, startOffset }) => ({ text, at, startAt, startOffset }))).toEqual([
      { text: 'USER a', at: 1, startAt: 0, startOffset: 0 },
      { text: 'PASS b', at: 2, startAt: 1, startOffset: 6 },
      { text: 'X', at: 0, startAt: 0, startOffset: 0 },
    ]);
  });

  test('the gap tag marks where bytes went missing', () => {
    const lines = run(['NOOP\r\nPA', { gap: 4 }, { gap: 2 }, 'X\r\nSYST\r\n']);
    expect(lines.map(({ text, afterGap, gapAt, at }) => ({ text, afterGap, gapAt, at }))).toEqual([
      { text: 'NOOP', afterGap: false, gapAt: null, at: 0 },
      { text: 'SYST', afterGap: true, gapAt: 1, at: 3 },
    ]);
  });

  test('refuses a cap that is not a positive integer', () => {
    expect(() => new LineSplitter<number>(() => undefined, { maxLineLength: 0 })).toThrow(RangeError);
  });
});
