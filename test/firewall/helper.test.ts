/**
 * Would Linux's FTP helper have followed the session? Scripted sessions (test/correlate/script.ts:
 * frames as a capture point between client and server records them) for each rule the helper
 * applies (net/netfilter/nf_conntrack_ftp.c), each one varied from a session it follows.
 */
import { describe, expect, test } from 'vitest';
import { Analyzer } from '../../src/analyzer';
import { predictHelper } from '../../src/firewall/helper';
import { c, s, script, type Steps } from '../correlate/script';
import { CONTROL, CONTROL6, client, client6, dial, login, sendAndClose, server, server6 } from '../correlate/lab';

function predict(steps: Steps, control = CONTROL, split = false) {
  const run = script([control], steps, { split });
  const analyzer = new Analyzer();
  for (const frame of run.frames) analyzer.ingest(frame);
  const [session] = analyzer.finish().sessions;
  return predictHelper(session);
}

const passiveRetr = (reply: string | string[], port = 40005): Steps => [
  c('PASV'),
  s(reply),
  ...dial(client(50001), server(port), 'data'),
  c('RETR a'),
  s('150 Opening BINARY mode data connection.'),
  ...sendAndClose(server(port), client(50001), [100]),
  s('226 Transfer complete.'),
];

const activeRetr = (line: string | string[], target = client(50003)): Steps => [
  c(line),
  s('200 PORT command successful.'),
  c('RETR a'),
  ...dial(server(20), target, 'data'),
  s('150 Opening BINARY mode data connection.'),
  ...sendAndClose(server(20), target, [100]),
  s('226 Transfer complete.'),
];

// biome-ignore format: a table, one row a line
const rows: Array<{ name: string; steps: Steps; follows: boolean; reason?: RegExp; control?: typeof CONTROL }> = [
  { name: 'PASV answered by a 227 of the server itself', steps: [...login(), ...passiveRetr('227 Entering Passive Mode (192,0,2,10,156,69).')], follows: true },
  { name: '227 without parentheses (the helper looks for the first digit)', steps: [...login(), ...passiveRetr('227 Entering Passive Mode 192,0,2,10,156,69')], follows: true },
  {
    name: '227 naming another address (NAT)',
    steps: [...login(), ...passiveRetr('227 Entering Passive Mode (100,64,1,10,156,69).')],
    follows: false,
    reason: /names 100\.64\.1\.10, not the sender 192\.0\.2\.10.*loose=1/,
  },
  {
    name: '227 as the second line of a segment',
    steps: [...login(), c('PASV'), s(['200 NOOP ok.', '227 Entering Passive Mode (192,0,2,10,156,69).']), c('NOOP')],
    follows: true,
  },
  { name: 'PORT of the client itself', steps: [...login(), ...activeRetr('PORT 198,51,100,20,195,83')], follows: true },
  {
    name: 'PORT after another command in the same segment (pipelined)',
    steps: [...login(), c(['NOOP', 'PORT 198,51,100,20,195,83']), s('200 NOOP ok.'), s('200 PORT command successful.'), c('RETR a'), ...dial(server(20), client(50003), 'data'), s('150 ok'), ...sendAndClose(server(20), client(50003), [10]), s('226 ok')],
    follows: false,
    reason: /does not start its TCP segment/,
  },
  {
    name: 'PORT naming a third host (bounce)',
    steps: [...login(), ...activeRetr('PORT 203,0,113,50,195,83', { ip: '203.0.113.50', port: 50003 })],
    follows: false,
    reason: /names 203\.0\.113\.50, not the sender/,
  },
  {
    name: 'EPSV over IPv6',
    control: CONTROL6,
    steps: [
      ...login(),
      c('EPSV'),
      s('229 Entering Extended Passive Mode (|||40005|)'),
      ...dial(client6(50001), server6(40005), 'data'),
      c('RETR a'),
      s('150 ok'),
      ...sendAndClose(server6(40005), client6(50001), [10]),
      s('226 ok'),
    ],
    follows: true,
  },
  {
    name: 'AUTH TLS: nothing after it is readable',
    steps: [s('220 (vsFTPd 3.0.3)'), c('AUTH TLS'), s('234 Proceed with negotiation.')],
    follows: false,
    reason: /switched to TLS/,
  },
];

describe.each(rows)('$name', ({ steps, follows, reason, control }) => {
  test('prediction', () => {
    const prediction = predict(steps, control);
    expect(prediction.follows).toBe(follows);
    if (reason) expect(prediction.reasons.join(' | ')).toMatch(reason);
    else expect(prediction.reasons).toEqual([]);
  });
});

test('an announcement split across segments is not read by the helper', () => {
  // Every control byte in its own segment: each line spans many segments.
  const prediction = predict([...login(), ...passiveRetr('227 Entering Passive Mode (192,0,2,10,156,69).')], CONTROL, true);
  expect(prediction.follows).toBe(false);
  expect(prediction.reasons[0]).toMatch(/split across TCP segments/);
  expect(prediction.channels).toEqual([{ index: 1, follows: false, reason: prediction.reasons[0] }]);
});
