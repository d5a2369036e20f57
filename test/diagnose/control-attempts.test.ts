/**
 * Control connections that never opened are attempts, not sessions. The packets are built by
 * test/correlate/script.ts as the samples/control-unopened capture shows them: a Linux client's SYN answered by
 * RST, ACK from a host where nothing listens on port 21; SYN retransmissions at 1, 2, 4 s when a
 * firewall drops them.
 */
import { expect, test } from 'vitest';
import { Analyzer } from '../../src/analyzer';
import { CONTROL, SECOND, client, login, server } from '../correlate/lab';
import { c, pause, rst, s, script, syn, synAck, type Steps } from '../correlate/script';

const ATTEMPT = client(50001);
const SERVER21 = server(21);

/** Steps, the sessions left, the attempts as [outcome, SYNs], the capture-level finding codes. */
// biome-ignore format: a table, one row a line
test.each<[string, Steps, number, Array<[string, number]>, string[]]>([
  ['SYN answered by RST', [syn(ATTEMPT, SERVER21), rst(SERVER21, ATTEMPT)], 0, [['refused', 1]], ['control-connect-refused']],
  [
    'SYN sent 4 times, no answer',
    [syn(ATTEMPT, SERVER21), pause(SECOND), syn(ATTEMPT, SERVER21), pause(2 * SECOND), syn(ATTEMPT, SERVER21), pause(4 * SECOND), syn(ATTEMPT, SERVER21)],
    0,
    [['unanswered', 4]],
    ['control-connect-unanswered'],
  ],
  [
    'two refused attempts from two ports: one finding',
    [syn(ATTEMPT, SERVER21), rst(SERVER21, ATTEMPT), syn(client(50002), SERVER21), rst(SERVER21, client(50002))],
    0,
    [['refused', 1], ['refused', 1]],
    ['control-connect-refused'],
  ],
  // The capture ends right after the SYN: nothing is known yet, so it stays a session.
  ['a lone SYN at the end of the capture', [syn(ATTEMPT, SERVER21)], 1, [], []],
  ['a lone SYN, then 2 s more of capture', [syn(ATTEMPT, SERVER21), pause(2 * SECOND), syn(client(50009), server(40000))], 0, [['unanswered', 1]], ['control-connect-unanswered']],
  // The client gave up after the SYN-ACK: the server was there, so it is a session (an empty one).
  ['SYN, SYN-ACK, client RST', [syn(ATTEMPT, SERVER21), synAck(SERVER21, ATTEMPT), rst(ATTEMPT, SERVER21)], 1, [], []],
  [
    'a refused attempt, then a session that works',
    [syn(ATTEMPT, SERVER21), rst(SERVER21, ATTEMPT), login(), c('QUIT'), s('221 Goodbye.')],
    1,
    [['refused', 1]],
    ['control-connect-refused'],
  ],
])('%s', (_name, steps, sessions, attempts, codes) => {
  const analyzer = new Analyzer();
  for (const frame of script([CONTROL], steps).frames) analyzer.ingest(frame);
  const result = analyzer.finish();
  expect(result.sessions).toHaveLength(sessions);
  expect(result.unopened.map((u) => [u.outcome, u.synCount])).toEqual(attempts);
  expect(result.findings.map((f) => f.code)).toEqual(codes);
});
