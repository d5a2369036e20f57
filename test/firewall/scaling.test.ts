/**
 * The firewall plan of a server with many sessions costs the same per session however many there
 * are (STYLE habit 18): whether the kernel helper follows every passive and every active session
 * is looked up by session id, not searched for in the list of all of them. Sessions are scripted
 * (test/correlate/script.ts: a vsftpd-like server at 192.0.2.10:21, a client at 198.51.100.20),
 * analyzed once and repeated under other ids, as many as a busy server has in a day.
 */
import { describe, expect, test } from 'vitest';
import { Analyzer } from '../../src/analyzer';
import { planFirewall } from '../../src/firewall/plan';
import type { FtpSession } from '../../src/model';
import { c, s, script, type Steps } from '../correlate/script';
import { CONTROL, client, dial, login, sendAndClose, server } from '../correlate/lab';

const passive = (reply: string): Steps => [
  c('PASV'),
  s(reply),
  ...dial(client(50001), server(40005), 'data'),
  c('RETR a'),
  s('150 Opening BINARY mode data connection.'),
  ...sendAndClose(server(40005), client(50001), [100]),
  s('226 Transfer complete.'),
];
const active: Steps = [
  c('PORT 198,51,100,20,195,83'),
  s('200 PORT command successful.'),
  c('RETR a'),
  ...dial(server(20), client(50003), 'data'),
  s('150 Opening BINARY mode data connection.'),
  ...sendAndClose(server(20), client(50003), [100]),
  s('226 Transfer complete.'),
];

function session(steps: Steps): FtpSession {
  const analyzer = new Analyzer();
  for (const frame of script([CONTROL], [...login(), ...steps]).frames) analyzer.ingest(frame);
  return analyzer.finish().sessions[0];
}

/** A passive session the helper follows. */
const followed = session(passive('227 Entering Passive Mode (192,0,2,10,156,69).'));
/** A passive session it does not: the 227 names another address (NAT). */
const natted = session(passive('227 Entering Passive Mode (100,64,1,10,156,69).'));
const activeFollowed = session(active);

/** `n` sessions, passive and active alternating, ids 1..n; `last` replaces the last one. */
function sessions(n: number, last: FtpSession | null = null): FtpSession[] {
  const list = Array.from({ length: n }, (_, i) => ({ ...(i % 2 === 0 ? followed : activeFollowed), id: i + 1 }));
  if (last !== null) list[n - 1] = { ...last, id: n };
  return list;
}

function seconds(work: () => void): number {
  const started = performance.now();
  work();
  return (performance.now() - started) / 1000;
}

describe('the firewall plan of one server with many sessions', () => {
  test('takes about 4 times as long for 4 times the sessions (a search per session would take 16)', () => {
    const n = 10_000;
    planFirewall(sessions(n / 10));
    const small = sessions(n);
    const large = sessions(4 * n);
    const a = seconds(() => planFirewall(small));
    const b = seconds(() => planFirewall(large));
    expect(b / a, `n: ${a.toFixed(3)} s, 4n: ${b.toFixed(3)} s`).toBeLessThan(9);
  }, 120_000);

  test('the helper covers the data connections when it follows every session', () => {
    const [plan] = planFirewall(sessions(4_000)).servers;
    expect(plan.flows.filter((f) => f.role !== 'control').map((f) => [f.role, f.helperCovers])).toEqual([
      ['passive-data', true],
      ['active-data', true],
    ]);
  });

  test('the last session not followed: the passive range is opened explicitly, and the rule says which session', () => {
    const [plan] = planFirewall(sessions(4_001, natted)).servers;
    const flow = plan.flows.find((f) => f.role === 'passive-data');
    expect(flow?.helperCovers).toBe(false);
    expect(flow?.purpose).toMatch(/the kernel helper would not follow session 4001: .*100\.64\.1\.10/);
    expect(plan.flows.find((f) => f.role === 'active-data')?.helperCovers).toBe(true);
  });
});
