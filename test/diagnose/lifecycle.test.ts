/**
 * When sessions are handed out (src/diagnose/lifecycle.ts): the per-server finding
 * nonstandard-control-port stays on the first session seen on each server, however the sessions
 * end, kept to the end of the capture or released one by one as they end.
 */
import { describe, expect, test } from 'vitest';
import { Analyzer } from '../../src/analyzer';
import type { FtpSession } from '../../src/model';
import type { CapturedFrame } from '../../src/types';
import { SECOND, client, login, server } from '../correlate/lab';
import { ack, c, fin, on, pause, s, script, type Steps } from '../correlate/script';

const ODD = server(2121);
const FIRST = { client: client(50001), server: ODD };
const SECOND_CONTROL = { client: client(50002), server: ODD };

function sessionsOf(frames: CapturedFrame[], released: boolean): FtpSession[] {
  const sessions: FtpSession[] = [];
  const analyzer = new Analyzer({}, released ? { sessionReleased: (session) => sessions.push(session) } : {});
  for (const frame of frames) analyzer.ingest(frame);
  const result = analyzer.finish();
  return (released ? sessions : result.sessions).sort((a, b) => a.id - b.id);
}

const quit = (index: number, control: { client: { ip: string; port: number }; server: { ip: string; port: number } }): Steps =>
  on(index, c('QUIT'), s('221 Goodbye.'), fin(control.server, control.client), fin(control.client, control.server), ack(control.server, control.client));

// biome-ignore format: a table, one row a line
const orders: Array<[string, Steps]> = [
  ['the first session ends first', [on(0, login()), on(1, login()), quit(0, FIRST), pause(20 * SECOND), quit(1, SECOND_CONTROL), pause(20 * SECOND)]],
  // The first session goes on for a minute after the second has ended and been released.
  ['the second session ends first', [on(0, login()), on(1, login()), quit(1, SECOND_CONTROL), pause(60 * SECOND), on(0, c('NOOP'), s('200 NOOP ok.')), quit(0, FIRST), pause(20 * SECOND)]],
];

describe.each([
  ['sessions kept', false],
  ['sessions released', true],
])('%s', (_mode, released) => {
  test.each(orders)('%s: nonstandard-control-port on session 1 only', (_name, steps) => {
    const { frames } = script([FIRST, SECOND_CONTROL], steps);
    const sessions = sessionsOf(frames, released);
    expect(sessions.map((session) => session.id)).toEqual([1, 2]);
    const carrying = sessions.filter((session) => session.findings.some((f) => f.code === 'nonstandard-control-port'));
    expect(carrying.map((session) => session.client.port)).toEqual([50001]);
  });
});
