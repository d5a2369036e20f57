/**
 * The control parser pairs replies with commands in order (RFC 959 §4.2) and, when bytes were lost,
 * pairs a reply with the pending command it can answer (reply-codes.ts). Dialogues are vsftpd's;
 * after a gap the splitter drops the rest of the cut line (the tail that follows each gap here).
 */
import { expect, test } from 'vitest';
import { ControlParser, type ControlObserver } from '../../src/ftp/control';
import type { FtpCommand, FtpReply } from '../../src/model';
import type { Direction } from '../../src/types';

function run(steps: Array<[Direction, string] | ['gap', number]>) {
  const pairs: string[] = [];
  const anomalies: string[] = [];
  const observer: ControlObserver = {
    command: () => {},
    reply: (reply: FtpReply, answers: FtpCommand | null) => pairs.push(`${answers?.verb ?? '-'}→${reply.code}`),
    gap: () => {},
    anomaly: (code) => anomalies.push(code),
  };
  const parser = new ControlParser(observer, { maxLineLength: 4096, maxPendingCommands: 64, showPasswords: false });
  steps.forEach(([kind, value], i) => {
    const frame = { input: 0, frame: i + 1 };
    if (kind === 'gap') parser.chunk('resp', { kind: 'gap', length: value as number, frame, timeMicros: i });
    else parser.chunk(kind, { kind: 'data', bytes: Buffer.from(`${value}\r\n`, 'latin1'), frame, timeMicros: i });
  });
  return { pairs, anomalies };
}

test.each([
  {
    name: 'in order, no loss',
    steps: [
      ['orig', 'PASV'],
      ['resp', '227 Entering Passive Mode (192,0,2,10,156,74).'],
      ['orig', 'SIZE a'],
      ['resp', '213 12'],
    ],
    pairs: ['PASV→227', 'SIZE→213'],
    anomalies: [],
  },
  {
    name: 'the 227 was lost in a gap: 213 answers SIZE, not PASV',
    steps: [
      ['orig', 'PASV'],
      ['orig', 'SIZE a'],
      ['gap', 30],
      ['resp', 'ode (192,0,2,10,156,74).'],
      ['resp', '213 12'],
    ],
    pairs: ['SIZE→213'],
    anomalies: ['reply-desync'],
  },
  {
    name: 'a 500 fits any command: no resynchronisation',
    steps: [
      ['orig', 'PASV'],
      ['orig', 'SIZE a'],
      ['resp', '500 Unknown command.'],
      ['resp', '213 12'],
    ],
    pairs: ['PASV→500', 'SIZE→213'],
    anomalies: [],
  },
  {
    name: 'a preliminary 150 after a lost 200 to PORT goes to the RETR',
    steps: [
      ['orig', 'PORT 198,51,100,20,4,1'],
      ['orig', 'RETR a'],
      ['gap', 30],
      ['resp', 'nsider using PASV.'],
      ['resp', '150 Opening BINARY mode data connection for a (3 bytes).'],
      ['resp', '226 Transfer complete.'],
    ],
    pairs: ['RETR→150', 'RETR→226'],
    anomalies: ['reply-desync'],
  },
] as const)('$name', ({ steps, pairs, anomalies }) => {
  const result = run(steps as unknown as Array<[Direction, string] | ['gap', number]>);
  expect(result.pairs).toEqual(pairs);
  expect(result.anomalies).toEqual(anomalies);
});
