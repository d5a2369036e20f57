/**
 * Control connections that never opened are attempts, not sessions. The packets are built by
 * test/correlate/script.ts as the samples/control-unopened capture shows them: a Linux client's SYN answered by
 * RST, ACK from a host where nothing listens on port 21; SYN retransmissions at 1, 2, 4 s when a
 * firewall drops them.
 *
 * Each case runs twice: with the sessions kept to the end, and released as they end (as the CLI
 * runs big captures), where SYN-only attempts are soon kept as rows of numbers (src/tcp/attempts.ts)
 * instead of connection records: the results must be the same.
 */
import { describe, expect, test } from 'vitest';
import { Analyzer } from '../../src/analyzer';
import type { FtpSession } from '../../src/model';
import type { CapturedFrame } from '../../src/types';
import { CONTROL, SECOND, client, login, server } from '../correlate/lab';
import { ack, c, data, pause, rst, s, script, syn, synAck, type Steps } from '../correlate/script';

const ATTEMPT = client(50001);
const SERVER21 = server(21);

/** Analyzes frames with sessions kept to the end, or released as they end; `most`: the most connections tracked at once. */
function analyze(frames: CapturedFrame[], released: boolean) {
  const sessions: FtpSession[] = [];
  const analyzer = new Analyzer({}, released ? { sessionReleased: (session) => sessions.push(session) } : {});
  let most = 0;
  for (const frame of frames) {
    analyzer.ingest(frame);
    most = Math.max(most, analyzer.trackedConnections);
  }
  const result = analyzer.finish();
  return { result, sessions: released ? sessions : result.sessions, most };
}

const LATER = client(50009);
const ELSEWHERE = server(40000);

describe.each([
  ['sessions kept', false],
  ['sessions released', true],
])('%s', (_mode, released) => {
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
  // Released: the retransmission comes after the attempt was made compact, and is counted on it.
  ['SYN, its retransmission 3 s later', [syn(ATTEMPT, SERVER21), pause(3 * SECOND), syn(ATTEMPT, SERVER21)], 0, [['unanswered', 2]], ['control-connect-unanswered']],
  // Released: the SYN-ACK finds the attempt compact and brings its record back: a session.
  [
    'SYN answered after 500 ms',
    [syn(ATTEMPT, SERVER21), pause(SECOND / 2), synAck(SERVER21, ATTEMPT), ack(ATTEMPT, SERVER21), data(SERVER21, ATTEMPT, Buffer.from('220 ready\r\n')), pause(2 * SECOND), syn(LATER, ELSEWHERE)],
    1,
    [],
    [],
  ],
  // A SYN after the RST starts a new connection on the same ports: a second attempt.
  [
    'refused, then the same ports again, unanswered',
    [syn(ATTEMPT, SERVER21), rst(SERVER21, ATTEMPT), pause(2 * SECOND), syn(ATTEMPT, SERVER21), pause(2 * SECOND), syn(LATER, ELSEWHERE)],
    0,
    [['refused', 1], ['unanswered', 1]],
    ['control-connect-refused', 'control-connect-unanswered'],
  ],
])('%s', (_name, steps, sessions, attempts, codes) => {
  const { result, sessions: found } = analyze(script([CONTROL], steps).frames, released);
  expect(found).toHaveLength(sessions);
  expect(result.unopened.map((u) => [u.outcome, u.synCount])).toEqual(attempts);
  expect(result.findings.map((f) => f.code)).toEqual(codes);
});
});

/**
 * A flood: 2000 SYNs from 2000 ports, 1 ms apart (every fifth refused by RST), the first 10
 * sent again after all the others (8 retransmissions, and 2 new attempts on the ports of refused
 * ones), then 2 s more of capture. Released, the attempts are made
 * compact 100 ms after their last packet: few connection records at any time, and the same
 * attempts, SYN counts and findings as with every record kept.
 */
test('many SYNs end as compact attempts, counted exactly, retransmissions joined', () => {
  const steps: Steps = [];
  const port = (i: number) => client(20000 + i);
  for (let i = 0; i < 2000; i++) {
    steps.push(syn(port(i), SERVER21));
    if (i % 5 === 4) steps.push(rst(SERVER21, port(i)));
  }
  for (let i = 0; i < 10; i++) steps.push(syn(port(i), SERVER21));
  steps.push(pause(2 * SECOND), syn(LATER, ELSEWHERE));
  const frames = script([CONTROL], steps).frames;
  const kept = analyze(frames, false);
  const released = analyze(frames, true);
  expect(kept.most).toBeGreaterThanOrEqual(2000);
  expect(released.most).toBeLessThan(300);
  expect(released.sessions).toHaveLength(0);
  const outcomes = (unopened: typeof released.result.unopened) => unopened.map((u) => `${u.client.port} ${u.outcome} ${u.synCount}`);
  expect(outcomes(released.result.unopened)).toEqual(outcomes(kept.result.unopened));
  expect(released.result.unopened).toHaveLength(2002);
  expect(released.result.unopened.filter((u) => u.outcome === 'refused')).toHaveLength(400);
  expect(released.result.unopened.filter((u) => u.synCount === 2).map((u) => u.client.port)).toEqual([20000, 20001, 20002, 20003, 20005, 20006, 20007, 20008]);
  expect(JSON.stringify(released.result.unopened)).toEqual(JSON.stringify(kept.result.unopened));
  expect(released.result.findings.map((f) => f.message)).toEqual(kept.result.findings.map((f) => f.message));
  expect(released.result.findings.map((f) => f.message.match(/\d+ connection attempts, \d+ SYNs/)?.[0])).toEqual([
    '1602 connection attempts, 1610 SYNs',
    '400 connection attempts, 400 SYNs',
  ]);
});
