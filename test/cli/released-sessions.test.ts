/**
 * Finished sessions are released: the analyzer hands each one out once it is over and keeps
 * nothing of it, the CLI keeps its report object in a temporary file, and the text and JSON
 * reports are written from there session by session, the same bytes as the reports built from
 * every session at once. The captures are scripted vsftpd sessions (test/correlate/script.ts):
 * clients 198.51.100.20:40000+i, a server at 192.0.2.10:21, one PASV download each, sessions six
 * seconds apart (longer than the analyzer's sessionReleaseMicros).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, test } from 'vitest';
import { Analyzer } from '../../src/analyzer';
import type { FtpSession } from '../../src/model';
import { SessionSpill } from '../../src/cli/session-spill';
import type { ReportSession } from '../../src/report/build';
import type { SessionView } from '../../src/report/session-view';
import { defaultFirewallOptions, FirewallPlanner, MAX_PLAN_ADDRESSES, MAX_PLAN_SESSIONS } from '../../src/firewall/plan';
import { renderRuleSets } from '../../src/firewall/render';
import { framesToPcap } from '../helpers/pcap';
import { ack, c, data, fin, on, pause, s, script, type ControlPair, type Steps } from '../correlate/script';
import { dial } from '../correlate/lab';
import { runCli } from '../e2e/run-cli';
import { MAX_IN_MEMORY_SESSIONS } from '../../src/cli/main';

const server = { ip: '192.0.2.10', port: 21 };
const client = (i: number) => ({ ip: `198.51.100.${20 + (i % 50)}`, port: 40_000 + i });

/** Session `i`'s whole dialogue on control connection `i`: login, one PASV download, QUIT, both FINs. */
function dialogue(i: number, user = 'anonymous'): Steps {
  const me = client(i);
  const dataClient = { ip: me.ip, port: 50_000 + i };
  const dataServer = { ip: server.ip, port: 30_000 + i };
  return [
    on(
      i,
      s('220 (vsFTPd 3.0.3)'),
      c(`USER ${user}`),
      s('331 Please specify the password.'),
      c('PASS a@b'),
      s(user === 'anonymous' ? '230 Login successful.' : '530 Login incorrect.'),
    ),
    on(i, c('PASV'), s(`227 Entering Passive Mode (192,0,2,10,${dataServer.port >> 8},${dataServer.port & 255}).`)),
    dial(dataClient, dataServer),
    on(i, c(`RETR f${i}`), s(`150 Opening BINARY mode data connection for f${i} (10 bytes).`)),
    data(dataServer, dataClient, 10),
    fin(dataServer, dataClient),
    fin(dataClient, dataServer),
    ack(dataServer, dataClient),
    on(i, s('226 Transfer complete.'), c('QUIT'), s('221 Goodbye.')),
    fin(server, me),
    fin(me, server),
    ack(server, me),
  ];
}

/**
 * `n` sessions one after another, six seconds apart; sessions 1 and 2 overlap the other way round:
 * the second starts after the first and ends (and is released) before it.
 */
function sequential(n: number, failing: number[] = []) {
  const controls: ControlPair[] = Array.from({ length: n }, (_, i) => ({ client: client(i), server }));
  const steps: Steps = [];
  // Session 0 opens and logs in; session 1 runs whole; then session 0 goes on.
  const first = dialogue(0);
  steps.push(first[0], pause(1_000_000), dialogue(1), pause(6_000_000), first.slice(1), pause(6_000_000));
  for (let i = 2; i < n; i++) steps.push(dialogue(i, failing.includes(i) ? 'guest' : 'anonymous'), pause(6_000_000));
  return script(controls, steps);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpcap-released-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the analyzer releases sessions that ended', () => {
  test('it holds at most the sessions still going, and no connection of those released', () => {
    const run = sequential(60);
    const released: FtpSession[] = [];
    const analyzer = new Analyzer({}, { sessionReleased: (session) => released.push(session) });
    let mostHeld = 0;
    let mostTracked = 0;
    for (const frame of run.frames) {
      analyzer.ingest(frame);
      mostHeld = Math.max(mostHeld, analyzer.heldSessions);
      mostTracked = Math.max(mostTracked, analyzer.trackedConnections);
    }
    // Two sessions overlap at the start; later, one is going and the last one waits for the end.
    expect(mostHeld).toBeLessThanOrEqual(3);
    expect(mostTracked).toBeLessThanOrEqual(6);
    expect(released.length).toBeGreaterThanOrEqual(59);
    const result = analyzer.finish();
    expect(result.sessions).toEqual([]);
    expect(analyzer.heldSessions).toBe(0);
    expect(released).toHaveLength(60);
    // Numbered in the order they were seen: the report renumbers them by start time.
    expect(released.slice(0, 2).map((session) => session.id)).toEqual([2, 1]);
    expect(released.every((session) => session.dataChannels[0].transfer?.final?.code === 226)).toBe(true);
  });

  test('held sessions do not grow with the sessions that went before', () => {
    const held = (n: number) => {
      const analyzer = new Analyzer({}, { sessionReleased: () => undefined });
      let most = 0;
      for (const frame of sequential(n).frames) {
        analyzer.ingest(frame);
        most = Math.max(most, analyzer.heldSessions + analyzer.trackedConnections);
      }
      return most;
    };
    expect(held(200)).toBe(held(50));
  });

  test('without the listener every session stays until finish()', () => {
    const analyzer = new Analyzer();
    for (const frame of sequential(10).frames) analyzer.ingest(frame);
    expect(analyzer.heldSessions).toBe(10);
    expect(analyzer.finish().sessions.map((session) => session.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('reports written from the released sessions', () => {
  const capture = path.join(dir, 'sequential.pcap');
  const n = 24;
  fs.writeFileSync(capture, framesToPcap(sequential(n, [5, 6, 7, 8, 9, 10]).frames));
  // --session with every number keeps all sessions in memory: the report built at once.
  const all = Array.from({ length: n }, (_, i) => ['--session', String(i + 1)]).flat();

  test('JSON: the same bytes as the report built from every session at once', async () => {
    const streamed = await runCli('analyze', '-f', 'json', capture);
    const whole = await runCli('analyze', '-f', 'json', ...all, capture);
    expect(streamed.code).toBe(0);
    expect(streamed.stdout).toBe(whole.stdout);
    const report = JSON.parse(streamed.stdout);
    expect(report.sessions.map((session: ReportSession) => session.id)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // The session that started first is number 1, though it ended after the second.
    expect(report.sessions[0].client.port).toBe(40_000);
    expect(report.sessions[0].helper.session).toBe(1);
    expect(report.firewall.plan.servers[0].sessions).toHaveLength(n);
    const failed = report.sessions.filter((session: ReportSession) => session.findings.some((f) => f.code === 'login-failed'));
    expect(failed.map((session: ReportSession) => session.client.port)).toEqual([40_005, 40_006, 40_007, 40_008, 40_009, 40_010]);
  });

  test('text: the same bytes, with the overview before the first session', async () => {
    const streamed = await runCli('analyze', capture);
    const whole = await runCli('analyze', ...all, capture);
    expect(streamed.stdout).toBe(whole.stdout);
    const overview = streamed.stdout.indexOf(`Overview of ${n} sessions`);
    const glance = streamed.stdout.indexOf('What went wrong');
    const firstSession = streamed.stdout.indexOf('── Session 1 ');
    expect(overview).toBeGreaterThan(0);
    expect(glance).toBeGreaterThan(overview);
    expect(firstSession).toBeGreaterThan(glance);
  });

  test('--client and --server select among released sessions as among all, with their numbers in the whole capture', async () => {
    const streamed = await runCli('analyze', '-f', 'json', '--client', '198.51.100.21', capture);
    const whole = await runCli('analyze', '-f', 'json', '--client', '198.51.100.21', ...all, capture);
    expect(streamed.stdout).toBe(whole.stdout);
    const report = JSON.parse(streamed.stdout);
    expect(report.summary.sessions).toBe(1);
    expect(report.sessions.map((session: ReportSession) => [session.id, session.client.ip])).toEqual([[2, '198.51.100.21']]);
  });
});

describe('the temporary file of report sessions', () => {
  const session = (id: number): ReportSession =>
    ({
      id,
      helper: { session: id, follows: true, reasons: [], channels: [] },
      user: `u${id}`,
      dataChannels: [],
      transfersWithoutChannel: [],
    }) as unknown as ReportSession;

  test('read back by start time (ties in the order seen), numbered from 1, then deleted', () => {
    const spill = new SessionSpill(dir);
    // Added as they were released: (start, sequence).
    spill.add(session(2), 200, 2);
    spill.add(session(3), 100, 3);
    spill.add(session(1), 100, 1);
    spill.add(session(4), 50, 4);
    const order = [...spill.sessions()].map((s) => [s.id, s.user, s.helper.session]);
    expect(order).toEqual([
      [1, 'u4', 1],
      [2, 'u1', 2],
      [3, 'u3', 3],
      [4, 'u2', 4],
    ]);
    // Read again from the start.
    expect([...spill.sessions()]).toHaveLength(4);
    expect(spill.idOf(2)).toBe(4);
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('ftpcap-'));
    expect(files).toHaveLength(1);
    spill.close();
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('ftpcap-'))).toHaveLength(0);
  });

  test('sessions larger than one read block come back whole', () => {
    const spill = new SessionSpill(dir);
    const big = { ...session(1), user: 'x'.repeat(5 << 20) } as ReportSession;
    spill.add(session(2), 2, 2);
    spill.add(big, 1, 1);
    spill.add(session(3), 3, 3);
    expect([...spill.sessions()].map((s) => s.user?.length)).toEqual([5 << 20, 2, 2]);
    spill.close();
  });

  test('a session of many data channels: written and read back one channel at a time, the same channels each time', () => {
    const spill = new SessionSpill(dir);
    // Multi-byte characters, so that lines and characters straddle the read blocks' ends.
    const channel = (i: number) => ({ index: i, text: `227 Entering Passive Mode (192,0,2,10,${i >> 8},${i & 255}) — ü€${'é'.repeat(i % 97)}` });
    let made = 0;
    const many = {
      ...session(1),
      dataChannels: {
        *[Symbol.iterator]() {
          for (let i = 1; i <= 50_000; i++) {
            made++;
            yield channel(i);
          }
        },
      },
      transfersWithoutChannel: [{ command: 'RETR', arg: 'x', frame: 9, replyCode: null }],
    } as unknown as SessionView;
    const seen: number[] = [];
    spill.add(session(2), 2, 2);
    spill.add(many, 1, 1, (c) => seen.push(c.index));
    spill.add(session(3), 3, 3);
    // Built once, as it went to the file.
    expect(made).toBe(50_000);
    expect(seen).toHaveLength(50_000);
    const [first, second] = spill.sessions();
    expect(first.id).toBe(1);
    expect(Array.isArray(first.dataChannels)).toBe(false);
    for (let pass = 0; pass < 2; pass++) {
      let n = 0;
      for (const c of first.dataChannels) {
        n++;
        if (c.index !== n || c.text !== channel(n).text) throw new Error(`channel ${n} came back as ${JSON.stringify(c)}`);
      }
      expect(n).toBe(50_000);
    }
    expect([...first.transfersWithoutChannel]).toEqual([{ command: 'RETR', arg: 'x', frame: 9, replyCode: null }]);
    expect([...second.dataChannels]).toEqual([]);
    spill.close();
  });
});

describe('the firewall plan, session by session', () => {
  test(`past ${MAX_PLAN_SESSIONS} sessions of one server it counts the rest; past ${MAX_PLAN_ADDRESSES} clients the rules allow any`, () => {
    const n = MAX_PLAN_SESSIONS + 30;
    const planner = new FirewallPlanner({ ...defaultFirewallOptions, clientsSeen: true });
    const analyzer = new Analyzer({}, { sessionReleased: (session, start) => planner.add(session, start) });
    // Every session from its own address (10.0.x.y), so there are more clients than the plan names.
    const controls: ControlPair[] = Array.from({ length: n }, (_, i) => ({ client: { ip: `10.0.${i >> 8}.${i & 255}`, port: 40_000 }, server }));
    const steps: Steps = [];
    for (let i = 0; i < n; i++) {
      const me = controls[i].client;
      steps.push(on(i, s('220 (vsFTPd 3.0.3)'), c('QUIT'), s('221 Goodbye.')), fin(server, me), fin(me, server), ack(server, me), pause(6_000_000));
    }
    for (const frame of script(controls, steps).frames) analyzer.ingest(frame);
    analyzer.finish();
    const plan = planner.plan();
    const only = plan.servers[0];
    expect(only.sessions).toHaveLength(MAX_PLAN_SESSIONS);
    expect(only.helper).toHaveLength(MAX_PLAN_SESSIONS);
    expect(only.sessionsOmitted).toBe(30);
    expect(only.clients).toHaveLength(MAX_PLAN_ADDRESSES);
    expect(only.flows.find((f) => f.role === 'control')?.initiator.addresses).toBeNull();
    expect(plan.notes).toContain(`192.0.2.10:21: ${n} sessions; the plan lists the numbers and helper predictions of the first ${MAX_PLAN_SESSIONS}`);
    expect(plan.notes).toContain(`192.0.2.10:21: more than ${MAX_PLAN_ADDRESSES} client addresses: the rules allow any client address, not only those seen`);
    // The rule sets' comment lines name 20 session numbers, not all of them.
    const [nft] = renderRuleSets(plan, { dialects: ['nftables'], sides: ['server'], styles: ['helper'] });
    const line = nft.text.split('\n').find((l) => l.startsWith('# FTP server 192.0.2.10:21')) ?? '';
    expect(line).toMatch(/sessions 1, 2, 3, .*, 20 and 1010 more$/);
  });
});

describe('formats built in memory', () => {
  test(`past ${MAX_IN_MEMORY_SESSIONS} sessions (here 40, with the hidden option) HTML says so (status 4), CSV and NDJSON are written`, async () => {
    const most = 40;
    const n = most + 1;
    const controls: ControlPair[] = Array.from({ length: n }, (_, i) => ({
      client: { ip: `198.51.100.${1 + (i % 200)}`, port: 10_000 + Math.floor(i / 200) },
      server,
    }));
    const steps: Steps = [];
    for (let i = 0; i < n; i++)
      steps.push(on(i, s('220 (vsFTPd 3.0.3)')), fin(controls[i].client, server), fin(server, controls[i].client), ack(controls[i].client, server));
    const file = path.join(dir, 'many.pcap');
    fs.writeFileSync(file, framesToPcap(script(controls, steps).frames));
    const html = await runCli('analyze', '-f', 'html', '--max-in-memory-sessions', String(most), file);
    expect(html.code).toBe(4);
    expect(html.stdout).toBe('');
    expect(html.stderr).toMatch(
      new RegExp(`the HTML report of ${n} sessions is built in memory, which holds at most ${most}: use --format text, json, csv or ndjson`),
    );
    const ndjson = await runCli('analyze', '-f', 'ndjson', '-o', path.join(dir, 'many.ndjson'), file);
    expect(ndjson.code).toBe(0);
    const lines = fs.readFileSync(path.join(dir, 'many.ndjson'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(n + 1);
    expect(JSON.parse(lines[n - 1]).id).toBe(n);
    const csv = await runCli('analyze', '-f', 'csv', file);
    expect(csv.stdout.split('\r\n')).toHaveLength(2);
    const fewer = await runCli('analyze', '-f', 'html', '--max-in-memory-sessions', String(most), '--client', '198.51.100.1', file);
    expect(fewer.code).toBe(0);
    expect(fewer.stdout).toMatch(/^<!DOCTYPE html>/i);
  });
});
