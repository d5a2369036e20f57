/**
 * Finding FTP control by its content on ports nobody named: which first exchanges make a
 * connection FTP, which do not (SMTP also greets with 220), and the bounds on what is held.
 */
import { describe, expect, test } from 'vitest';
import { FtpDetector } from '../../src/ftp/detect';
import { defaultOptions } from '../../src/options';
import { TcpFlag, type TcpSegment } from '../../src/types';
import { tcpSegment } from '../decode/build';

/** A detector with the default limits but this many candidates. */
const detectorOf = (maxDetectionCandidates: number) => new FtpDetector({ ...defaultOptions, maxDetectionCandidates });

const CLIENT = { ip: '198.51.100.20', port: 50000 };
const SERVER = { ip: '192.0.2.10', port: 2121 };
const KEY = 'k';

function seg(from: 'c' | 's', text: string): TcpSegment {
  // biome-ignore format: a table, one row a line
  const [src, dst] = from === 'c' ? [CLIENT, SERVER] : [SERVER, CLIENT];
  return tcpSegment(src, dst, { seq: 1, ack: 1, flags: TcpFlag.ACK | TcpFlag.PSH, window: 1000, payload: Buffer.from(text, 'latin1') });
}

/** Feeds the lines; returns [index of the segment that confirmed FTP or -1, client sent first, from greeting, held count]. */
function detect(lines: Array<['c' | 's', string]>): [number, boolean | null, boolean | null, number] {
  const detector = detectorOf(16);
  for (let i = 0; i < lines.length; i++) {
    const found = detector.inspect(KEY, seg(...lines[i]), { input: 0, frame: i + 1 }, i);
    if (found) return [i, found.clientSentFirst, found.fromGreeting, found.held.length];
  }
  return [-1, null, null, 0];
}

describe('FTP found by its content', () => {
  // biome-ignore format: a table, one row a line
  test.each<[string, Array<['c' | 's', string]>, ReturnType<typeof detect>]>([
    ['vsftpd greeting, USER', [['s', '220 (vsFTPd 3.0.3)\r\n'], ['c', 'USER anonymous\r\n']], [1, false, true, 2]],
    ['multi-line greeting in two segments, then FEAT', [['s', '220-Welcome\r\n'], ['s', '220 ready\r\n'], ['c', 'FEAT\r\n']], [2, false, true, 3]],
    ['greeting, AUTH TLS', [['s', '220 ProFTPD Server\r\n'], ['c', 'AUTH TLS\r\n']], [1, false, true, 2]],
    ['lower-case user command', [['s', '220 hi\r\n'], ['c', 'user bob\r\n']], [1, false, true, 2]],
    ['120 greeting, USER', [['s', '120 ready in 5 minutes\r\n'], ['c', 'USER bob\r\n']], [1, false, true, 2]],
    [
      'picked up mid-session: PASV 227, LIST 150 226',
      [['c', 'PASV\r\n'], ['s', '227 Entering Passive Mode (192,0,2,10,156,64).\r\n'], ['c', 'LIST\r\n'], ['s', '150 Here comes the directory listing.\r\n'], ['s', '226 Directory send OK.\r\n']],
      [4, true, false, 5],
    ],
    [
      'picked up mid-session: TYPE I 200, PORT 200',
      [['c', 'TYPE I\r\n'], ['s', '200 Switching to Binary mode.\r\n'], ['c', 'PORT 198,51,100,20,195,80\r\n'], ['s', '200 PORT command successful.\r\n']],
      [3, true, false, 4],
    ],
    [
      'picked up mid-session: a multi-line FEAT reply in between',
      [['c', 'FEAT\r\n'], ['s', '211-Features:\r\n EPRT\r\n EPSV\r\n'], ['s', '211 End\r\n'], ['c', 'PWD\r\n'], ['s', '257 "/" is the current directory\r\n']],
      [4, true, false, 5],
    ],
  ])('%s', (_name, lines, expected) => {
    expect(detect(lines)).toEqual(expected);
  });

  // biome-ignore format: a table, one row a line
  test.each<[string, Array<['c' | 's', string]>]>([
    ['SMTP: 220 then EHLO', [['s', '220 mail.example ESMTP\r\n'], ['c', 'EHLO client\r\n'], ['c', 'USER x\r\n']]],
    ['SMTP AUTH PLAIN is not FTP AUTH', [['s', '220 mail ESMTP\r\n'], ['c', 'AUTH PLAIN AGJvYgBwdw==\r\n']]],
    ['HTTP', [['c', 'GET / HTTP/1.1\r\n'], ['s', 'HTTP/1.1 200 OK\r\n']]],
    ['NNTP LIST is not FTP-only', [['c', 'LIST\r\n'], ['s', '215 list follows\r\n']]],
    ['a greeting nobody answers', [['s', '220 hello\r\n']]],
    ['binary data', [['s', '\x00\x01\x02\x03'], ['c', '\xff\xfe']]],
    ['a reply code without a greeting first', [['s', '200 OK\r\n'], ['c', 'USER x\r\n']]],
    ['one exchange is not enough mid-session', [['c', 'TYPE I\r\n'], ['s', '200 Switching to Binary mode.\r\n']]],
    // Dovecot POP3 as curl pop3:// drives it; LIST lines look like replies with code 977 and 1.
    [
      'POP3: +OK greeting, USER, PASS, LIST',
      [['s', '+OK Dovecot (Debian) ready.\r\n'], ['c', 'USER alice\r\n'], ['s', '+OK\r\n'], ['c', 'PASS x\r\n'], ['s', '+OK Logged in.\r\n'], ['c', 'LIST\r\n'], ['s', '+OK 2 messages:\r\n977 341382\r\n1 3\r\n.\r\n']],
    ],
    ['POP3 picked up mid-session: LIST lines only', [['c', 'LIST\r\n'], ['s', '977 341382\r\n978 1200\r\n979 5\r\n'], ['c', 'RETR 977\r\n']]],
    ['IMAP: * OK greeting, tagged LOGIN', [['s', '* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n'], ['c', 'A001 CAPABILITY\r\n']]],
    ['NNTP: 200 greeting, MODE READER', [['s', '200 news.example ready\r\n'], ['c', 'MODE READER\r\n'], ['s', '200 Posting allowed\r\n'], ['c', 'LIST\r\n']]],
    ['SMTP: 220, HELP, QUIT (no FTP opening command)', [['s', '220 mail ESMTP\r\n'], ['c', 'HELP\r\n'], ['s', '214 see RFC 5321\r\n'], ['c', 'QUIT\r\n'], ['s', '221 bye\r\n']]],
  ])('not FTP: %s', (_name, lines) => {
    expect(detect(lines)[0]).toBe(-1);
  });

  test('candidates are bounded: the oldest is forgotten', () => {
    const detector = detectorOf(4);
    for (let i = 0; i < 10; i++) detector.inspect(`k${i}`, seg('s', '220 hi\r\n'), { input: 0, frame: i + 1 }, i);
    expect(detector.size).toBe(4);
    expect(detector.inspect('k0', seg('c', 'USER a\r\n'), { input: 0, frame: 11 }, 11)).toBeNull();
    expect(detector.inspect('k9', seg('c', 'USER a\r\n'), { input: 0, frame: 12 }, 12)).not.toBeNull();
  });

  test('held segments are copies (the reader may reuse its buffers) and are bounded', () => {
    const detector = detectorOf(4);
    const first = seg('s', '220-a\r\n');
    detector.inspect(KEY, first, { input: 0, frame: 1 }, 1);
    first.payload.fill(0x41);
    for (let i = 0; i < 50; i++) detector.inspect(KEY, seg('s', `220-line ${i}\r\n`), { input: 0, frame: i + 2 }, i + 2);
    const found = detector.inspect(KEY, seg('c', 'USER a\r\n'), { input: 0, frame: 99 }, 99);
    expect(found?.held[0].segment.payload.toString()).toBe('220-a\r\n');
    expect(found?.held.length).toBeLessThanOrEqual(17);
  });
});

describe('the cheap first look (other traffic passes without a lookup)', () => {
  const look = (detector: FtpDetector, text: string) => {
    const bytes = Buffer.from(`xx${text}`, 'latin1');
    return detector.worthInspecting(bytes, 2, bytes.length, 1, 2);
  };
  test.each<[string, boolean]>([
    ['GET / HTTP/1.1\r\n', false],
    ['HTTP/1.1 200 OK\r\n', false],
    ['EHLO mail\r\n', false],
    ['200 OK\r\n', false],
    ['220 (vsFTPd 3.0.3)\r\n', true],
    ['220-Welcome\r\n', true],
    ['PASV\r\n', true],
    ['type i\r\n', true],
    // Shared with POP3: no candidate starts on them.
    ['RETR file\r\n', false],
    ['USER bob\r\n', false],
    ['+OK Dovecot ready.\r\n', false],
    ['\x16\x03\x01\x02\x00', false],
  ])('%j: %s', (text, expected) => {
    expect(look(detectorOf(4), text)).toBe(expected);
  });

  test('while a candidate waits, any payload on its ports may be its', () => {
    const detector = detectorOf(4);
    detector.inspect('k', seg('s', '220 hi\r\n'), { input: 0, frame: 1 }, 1);
    const on = (text: string, srcPort: number, dstPort: number) => {
      const bytes = Buffer.from(text, 'latin1');
      return detector.worthInspecting(bytes, 0, bytes.length, srcPort, dstPort);
    };
    expect(on('+OK\r\n', SERVER.port, CLIENT.port)).toBe(true);
    expect(on('USER bob\r\n', CLIENT.port, SERVER.port)).toBe(true);
    expect(on('USER bob\r\n', 40000, 40001)).toBe(false);
  });
});
