/**
 * Properties of the control-channel grammars (src/ftp/), checked by fast-check on generated
 * inputs with the suite's fixed seed (test/properties.ts): no parser throws or loops on any text,
 * every format* output parses back to the same value (RFC 959 PORT/227, RFC 2428 EPRT/229,
 * RFC 1639 LPRT/228, RFC 4291/5952 addresses), and line framing does not depend on how the
 * bytes are cut into segments.
 */
import { describe, expect, test } from 'vitest';
import { ControlParser, type ControlObserver } from '../../src/ftp/control';
import { FtpDetector } from '../../src/ftp/detect';
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
} from '../../src/ftp/hostport';
import { canonicalIp, formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../src/decode/ipaddr';
import { defaultOptions } from '../../src/options';
import { decodeLineText, LineSplitter, type Line } from '../../src/ftp/lines';
import { parseCommand, ReplyAssembler } from '../../src/ftp/messages';
import type { FrameEvent } from '../../src/types';
import { bounded, cutAt, cutPoints, fc, latin1, runs } from '../properties';
import { tcpSegment } from '../decode/build';

const ipv4Bytes = fc.uint8Array({ minLength: 4, maxLength: 4 });
const ipv6Bytes = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  // Mostly zero groups: the :: compression and the IPv4-mapped form.
  fc.array(fc.constantFrom(0, 0, 0, 1, 0xff, 0xffff), { minLength: 8, maxLength: 8 }).map((groups) => {
    const b = new Uint8Array(16);
    groups.forEach((g, i) => {
      b[2 * i] = g >> 8;
      b[2 * i + 1] = g & 0xff;
    });
    return b;
  }),
);
const port = fc.integer({ min: 1, max: 65535 });
const unspecified = (ip: string) => (ip === '0.0.0.0' || ip === '::' ? [`address ${ip} (unspecified)`] : []);

/** Text made of the tokens the grammars are built from, so that most examples get deep into a parser. */
const grammarText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '0',
        '1',
        '2',
        '21',
        '255',
        '256',
        '65535',
        '65536',
        '99999999999999999999',
        ',',
        ', ',
        '.',
        '|',
        '!',
        '(',
        ')',
        ' ',
        ':',
        '::',
        '=',
        '-',
        '4',
        '6',
        '16',
        'ffff',
        'Entering Passive Mode ',
        '\n',
        '\r',
        '\x00',
        '\xff',
      ),
      latin1(3),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));
const anyText = fc.oneof(grammarText, latin1(120), fc.string({ unit: 'binary', maxLength: 60 }));

describe('host-port grammars never throw and never loop', () => {
  test.each([
    ['PORT', parsePortArgument],
    ['227', parsePasvReply],
    ['EPRT', parseEprtArgument],
    ['EPSV', parseEpsvArgument],
    ['229', parseEpsvReply],
    ['LPRT', parseLprtArgument],
    ['228', parseLpsvReply],
  ] as Array<[string, (text: string) => unknown]>)('%s parser on any text', (_name, parse) => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = bounded(() => parse(text)) as { ok?: boolean; error?: string; kind?: string };
        // A refusal always says why.
        if (result.ok === false) expect(result.error).toMatch(/\S/);
      }),
      runs(600),
    );
  });

  test('a long hostile reply is parsed in linear time', () => {
    fc.assert(
      fc.property(fc.constantFrom('1,', '1.', '(|||', '(', '1, ', '-1,'), fc.integer({ min: 10_000, max: 60_000 }), (unit, count) => {
        const text = unit.repeat(count);
        for (const parse of [parsePasvReply, parseLpsvReply, parseEpsvReply, parsePortArgument, parseLprtArgument, parseEprtArgument])
          bounded(() => parse(text), 500);
      }),
      runs(20),
    );
  });
});

describe('every format* output parses back to the same value', () => {
  test('PORT h1,h2,h3,h4,p1,p2 (RFC 959 §4.1.2)', () => {
    fc.assert(
      fc.property(ipv4Bytes, port, (bytes, p) => {
        const ep = { ip: formatIPv4(bytes, 0), port: p };
        expect(parsePortArgument(formatPortArgument(ep))).toEqual({ ok: true, value: ep, quirks: unspecified(ep.ip) });
      }),
      runs(),
    );
  });

  test('227 Entering Passive Mode (RFC 959 §4.2)', () => {
    fc.assert(
      fc.property(ipv4Bytes, port, (bytes, p) => {
        const ep = { ip: formatIPv4(bytes, 0), port: p };
        expect(parsePasvReply(formatPasvReply(ep))).toEqual({ ok: true, value: ep, quirks: unspecified(ep.ip) });
      }),
      runs(),
    );
  });

  test('EPRT |af|addr|port| (RFC 2428 §2), with any delimiter the formatter accepts', () => {
    const endpoint = fc.oneof(
      ipv4Bytes.map((b) => ({ family: 1 as const, ip: formatIPv4(b, 0) })),
      ipv6Bytes.map((b) => ({ family: 2 as const, ip: formatIPv6(b, 0) })),
    );
    const delimiter = fc.oneof(
      fc.constant('|'),
      fc.integer({ min: 33, max: 126 }).map((c) => String.fromCharCode(c)),
    );
    fc.assert(
      fc.property(endpoint, port, delimiter, (ep, p, d) => {
        const value = { ...ep, port: p };
        let text: string;
        try {
          text = formatEprtArgument(value, d);
        } catch (error) {
          // Refused only when the delimiter occurs in the fields: the text could not be split again.
          expect(error).toBeInstanceOf(RangeError);
          expect(`${value.family}${value.ip}${value.port}`).toContain(d);
          return;
        }
        const quirks = [...(d === '|' ? [] : [`delimiter "${d}" instead of "|"`]), ...unspecified(value.ip)];
        expect(parseEprtArgument(text)).toEqual({ ok: true, value, quirks });
      }),
      runs(600),
    );
  });

  test('the EPRT formatter refuses a delimiter that occurs in the address or the numbers', () => {
    expect(() => formatEprtArgument({ family: 1, ip: '192.0.2.1', port: 21 }, '.')).toThrow(RangeError);
    expect(() => formatEprtArgument({ family: 2, ip: '2001:db8::1', port: 21 }, ':')).toThrow(RangeError);
    expect(() => formatEprtArgument({ family: 1, ip: '192.0.2.1', port: 21 }, '2')).toThrow(RangeError);
    expect(formatEprtArgument({ family: 2, ip: '2001:db8::1', port: 21 }, '!')).toBe('!2!2001:db8::1!21!');
  });

  test('229 Entering Extended Passive Mode (|||port|) (RFC 2428 §3)', () => {
    fc.assert(
      fc.property(port, (p) => {
        expect(parseEpsvReply(formatEpsvReply(p))).toEqual({ ok: true, value: { port: p }, quirks: [] });
      }),
      runs(),
    );
    expect(parseEpsvReply(formatEpsvReply(0)).ok).toBe(false);
  });

  test('LPRT and 228 for IPv4 and IPv6 (RFC 1639)', () => {
    const endpoint = fc.oneof(
      ipv4Bytes.map((b) => ({ family: 4 as const, ip: formatIPv4(b, 0) })),
      ipv6Bytes.map((b) => ({ family: 6 as const, ip: formatIPv6(b, 0) })),
    );
    fc.assert(
      fc.property(endpoint, port, (ep, p) => {
        const value = { ...ep, port: p };
        const expected = { ok: true, value, quirks: unspecified(value.ip) };
        expect(parseLprtArgument(formatLprtArgument(value))).toEqual(expected);
        expect(parseLpsvReply(formatLpsvReply(value))).toEqual(expected);
      }),
      runs(),
    );
  });

  test('port 0 is written by every formatter and refused by every parser', () => {
    fc.assert(
      fc.property(ipv4Bytes, (bytes) => {
        const ip = formatIPv4(bytes, 0);
        expect(parsePortArgument(formatPortArgument({ ip, port: 0 })).ok).toBe(false);
        expect(parsePasvReply(formatPasvReply({ ip, port: 0 })).ok).toBe(false);
        expect(parseEprtArgument(formatEprtArgument({ family: 1, ip, port: 0 })).ok).toBe(false);
        expect(parseLprtArgument(formatLprtArgument({ family: 4, ip, port: 0 })).ok).toBe(false);
      }),
      runs(50),
    );
  });

  test('addresses: bytes -> canonical text -> the same bytes, and canonical text is a fixed point', () => {
    fc.assert(
      fc.property(ipv4Bytes, ipv6Bytes, (v4, v6) => {
        expect(parseIPv4(formatIPv4(v4, 0))).toEqual(v4);
        const text = formatIPv6(v6, 0);
        expect(parseIPv6(text)).toEqual(v6);
        expect(canonicalIp(text)).toBe(text);
        expect(canonicalIp(text.toUpperCase())).toBe(text);
      }),
      runs(400),
    );
  });

  test('address parsers never throw, and what they accept formats back to an equivalent address', () => {
    fc.assert(
      fc.property(fc.oneof(grammarText, fc.ipV4(), fc.ipV6(), fc.ipV4Extended()), (text) => {
        const v6 = bounded(() => parseIPv6(text));
        if (v6 !== null) expect(parseIPv6(formatIPv6(v6, 0))).toEqual(v6);
        const v4 = bounded(() => parseIPv4(text));
        if (v4 !== null) expect(formatIPv4(v4, 0)).toBe(text);
      }),
      runs(600),
    );
  });
});

/** The lines of `pieces` (whatever is not the tags). */
function splitLines(pieces: Uint8Array[], maxLineLength?: number) {
  const lines: Array<Omit<Line<number>, 'at' | 'startAt' | 'startOffset' | 'gapAt'>> = [];
  const splitter = new LineSplitter<number>(({ at: _a, startAt: _s, startOffset: _o, gapAt: _g, ...rest }) => lines.push(rest), { maxLineLength });
  pieces.forEach((piece, i) => {
    splitter.push(piece, i);
  });
  splitter.end(pieces.length);
  return lines;
}

describe('line framing (RFC 959 §4, Telnet RFC 854)', () => {
  test('any bytes, cut anywhere, give the same lines as the whole', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.array(fc.constantFrom(0x0d, 0x0a, 0xff, 0xfb, 0xf4, 0x00, 0x41, 0x20), { maxLength: 300 }).map((a) => Uint8Array.from(a)),
    );
    fc.assert(
      fc.property(bytes, cutPoints, fc.constantFrom(undefined, 1, 7, 64), (input, cuts, max) => {
        const whole = bounded(() => splitLines([input], max));
        expect(splitLines(cutAt(input, cuts), max)).toEqual(whole);
        expect(
          splitLines(
            [...input].map((b) => Uint8Array.of(b)),
            max,
          ),
        ).toEqual(whole);
        for (const line of whole) expect(line.text.length).toBeLessThanOrEqual(max ?? 4096);
      }),
      runs(300),
    );
  });

  test('plain lines joined with CR LF come back as they were', () => {
    const plain = latin1(80).map((s) => s.replace(/[\r\n\xff]/g, ''));
    fc.assert(
      fc.property(fc.array(plain, { maxLength: 20 }), cutPoints, (texts, cuts) => {
        const bytes = Buffer.from(texts.map((t) => `${t}\r\n`).join(''), 'latin1');
        const lines = splitLines(cutAt(bytes, cuts));
        expect(lines.map((l) => l.text)).toEqual(texts);
        expect(lines.every((l) => !l.bareLf && !l.truncated && !l.unterminated && !l.telnet)).toBe(true);
      }),
      runs(),
    );
  });

  test('a long line keeps its first maxLineLength bytes and counts the rest', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 2000 }), (max, length) => {
        const [line] = splitLines([Buffer.from(`${'a'.repeat(length)}\r\n`)], max);
        expect(line.text.length).toBe(Math.min(max, length));
        expect(line.droppedBytes).toBe(Math.max(0, length - max));
      }),
      runs(),
    );
  });

  test('UTF-8 text is decoded as sent, anything else never turns into U+FFFD', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        expect(decodeLineText(Buffer.from(text, 'utf8').toString('latin1'))).toBe(text);
      }),
      runs(),
    );
    fc.assert(
      fc.property(latin1(100), (latin) => {
        const decoded = bounded(() => decodeLineText(latin));
        if (!Buffer.from(latin, 'latin1').includes(Buffer.from('\ufffd'))) expect(decoded).not.toContain('\ufffd');
      }),
      runs(400),
    );
  });
});

describe('commands and replies (RFC 959 §4.2, §5.3)', () => {
  test('a verb and an argument come back from the line they make', () => {
    const verb = fc.stringMatching(/^[A-Za-z]{3,10}$/);
    fc.assert(
      fc.property(verb, latin1(60), (v, arg) => {
        expect(parseCommand(`${v} ${arg}`)).toEqual({ verb: v.toUpperCase(), arg, valid: true });
      }),
      runs(),
    );
    fc.assert(
      fc.property(latin1(80), (line) => void bounded(() => parseCommand(line))),
      runs(300),
    );
  });

  test('one-line and multi-line replies come back whole, with their code and lines', () => {
    const code = fc.integer({ min: 100, max: 999 });
    const inner = latin1(40).filter((l) => !/^[0-9]{3}( |$)/.test(l));
    fc.assert(
      fc.property(code, fc.array(inner, { maxLength: 8 }), latin1(30), (c, middle, last) => {
        const assembler = new ReplyAssembler();
        if (middle.length === 0) {
          const result = assembler.push(`${c} ${last}`);
          expect(result).toMatchObject({ invalid: false, code: c, text: last, multiline: false });
          return;
        }
        const lines = [`${c}-${middle[0]}`, ...middle.slice(1), `${c} ${last}`];
        const results = lines.map((line) => assembler.push(line));
        expect(results.slice(0, -1).every((r) => r === null)).toBe(true);
        expect(results[results.length - 1]).toMatchObject({ invalid: false, code: c, lines, multiline: true, quirks: [] });
      }),
      runs(),
    );
  });

  test('any sequence of lines and gaps: every line is part of exactly one reply or refused, and nothing throws', () => {
    const step = fc.oneof(fc.constant<null>(null), fc.oneof(grammarText, latin1(20), fc.constantFrom('230-a', '230 b', '226 ok', '150-x', '')));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const assembler = new ReplyAssembler({ maxReplyLines: 1000 });
        let pushed = 0;
        let accounted = 0;
        let abandoned = 0;
        /** Lines of the multi-line reply in progress. */
        let open = 0;
        for (const s of steps) {
          if (s === null) {
            if (assembler.gap()) abandoned += open;
            else expect(open).toBe(0);
            open = 0;
            continue;
          }
          pushed++;
          const result = bounded(() => assembler.push(s));
          if (result === null) {
            open++;
            continue;
          }
          if (result.invalid) {
            expect(open).toBe(0);
            accounted++;
          } else {
            expect(result.lines.length).toBe(open + 1);
            expect(result.lines[result.lines.length - 1]).toBe(s);
            accounted += result.lines.length;
          }
          open = 0;
        }
        const last = assembler.end();
        expect(last?.lines.length ?? 0).toBe(open);
        accounted += open;
        expect(accounted + abandoned).toBe(pushed);
      }),
      runs(400),
    );
  });
});

describe('the control parser', () => {
  /** What the parser reports, without the frames. */
  function parse(client: Buffer[], server: Buffer[]) {
    const events: string[] = [];
    const observer: ControlObserver = {
      command: (c) => events.push(`C ${c.verb} ${c.arg}`),
      reply: (r, answers) => events.push(`R ${r.code} ${r.text} -> ${answers?.verb ?? '-'}`),
      gap: (d, n) => events.push(`G ${d} ${n}`),
      anomaly: (code, message) => events.push(`A ${code} ${message}`),
    };
    const parser = new ControlParser(observer, { maxLineLength: 512, maxPendingCommands: 8, showPasswords: false });
    const at = (frame: number): FrameEvent => ({ ref: { input: 0, frame }, timeMicros: frame });
    client.forEach((bytes, i) => {
      parser.chunk('orig', { kind: 'data', bytes, frame: at(i).ref, timeMicros: i });
    });
    server.forEach((bytes, i) => {
      parser.chunk('resp', { kind: 'data', bytes, frame: at(i).ref, timeMicros: i });
    });
    parser.end(at(0));
    return events;
  }

  const stream = fc.oneof(
    fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
    fc
      .array(fc.oneof(grammarText, fc.constantFrom('USER a', 'PASS b', 'PORT 1,2,3,4,5,6', '230-x', '230 ok', '227 (1,2,3,4,5,6)', 'AUTH TLS', '234 go')), {
        maxLength: 20,
      })
      .map((l) => Buffer.from(l.join('\r\n'), 'latin1')),
  );

  test('any bytes both ways, cut anywhere: the same commands, replies and findings, and nothing throws', () => {
    fc.assert(
      fc.property(stream, stream, cutPoints, cutPoints, (client, server, clientCuts, serverCuts) => {
        const whole = bounded(() => parse([client], [server]));
        expect(parse(cutAt(client, clientCuts), cutAt(server, serverCuts))).toEqual(whole);
      }),
      runs(300),
    );
  });

  test('bytes after the 234 that switches to TLS are TLS, whether in the same segment or the next (RFC 4217 §4)', () => {
    const client = [Buffer.from('AUTH TLS\r\n')];
    // A TLS record that happens to hold a line end: never a reply, however the segments fell.
    const tls = Buffer.from('\x16\x03\x01\x00\x05hello\r\n500 x\r\n', 'latin1');
    const together = parse(client, [Buffer.concat([Buffer.from('234 go\r\n'), tls])]);
    expect(together).toEqual(['C AUTH TLS', 'R 234 go -> AUTH']);
    expect(parse(client, [Buffer.from('234 go\r\n'), tls])).toEqual(together);
  });

  test('a password is never shown, however the line is cut', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9!#%&+_-]{1,30}$/), cutPoints, (password, cuts) => {
        const events = parse(cutAt(Buffer.from(`USER bob\r\nPASS ${password}\r\n`), cuts), [Buffer.from('331 ok\r\n230 in\r\n')]);
        expect(events.join('\n')).not.toContain(`PASS ${password}`);
      }),
      runs(),
    );
  });
});

describe('finding FTP on any port by its content', () => {
  test('segments of any flags and bytes, either way, never make the detector throw, and it holds a bounded number', () => {
    const segment = fc.record({
      fromClient: fc.boolean(),
      flags: fc.constantFrom(0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x00),
      payload: fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        fc
          .array(
            fc.oneof(
              grammarText,
              fc.constantFrom('220 FTP ready', '220-hello', 'USER anonymous', 'PASS x', '331 ok', '230 in', 'EHLO x', '+OK POP3', 'HTTP/1.1 200'),
            ),
            { maxLength: 6 },
          )
          .map((l) => Buffer.from(`${l.join('\r\n')}\r\n`, 'latin1')),
      ),
      key: fc.nat({ max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 40 }), (segments) => {
        const detector = new FtpDetector({ ...defaultOptions, maxDetectionCandidates: 2 });
        segments.forEach((s, i) => {
          const client = { ip: '198.51.100.20', port: 40000 + s.key };
          const server = { ip: '192.0.2.10', port: 2121 };
          const [src, dst] = s.fromClient ? [client, server] : [server, client];
          const tcp = tcpSegment(src, dst, {
            seq: i,
            flags: s.flags,
            window: 100,
            payload: s.payload,
          });
          const key = `k${s.key}`;
          const detection = bounded(() => {
            if (s.flags & 0x02) {
              detector.handshake(key, tcp, { input: 0, frame: i + 1 }, i);
              return null;
            }
            return detector.inspect(key, tcp, { input: 0, frame: i + 1 }, i);
          });
          if (detection !== null) {
            expect(detection.held.length).toBeGreaterThan(0);
            expect(detection.held.length).toBeLessThanOrEqual(16 + 2);
          }
          expect(detector.size).toBeLessThanOrEqual(2);
        });
      }),
      runs(400),
    );
  });
});
