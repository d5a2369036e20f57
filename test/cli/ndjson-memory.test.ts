/**
 * NDJSON on standard output keeps no session it wrote: the analyzer forgets each one once its
 * line is out (Analyzer.forgetEnded), and the summary line adds them up as they go, the same
 * line as the report built from every session at once (NDJSON to a file). The capture is
 * scripted vsftpd sessions (test/correlate/script.ts), six seconds apart, every second one with a
 * failed login (the password-guessing finding compares sessions).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, expect, test } from 'vitest';
import { Analyzer } from '../../src/analyzer';
import type { FtpSession } from '../../src/model';
import { framesToPcap } from '../helpers/pcap';
import { ack, c, data, fin, on, pause, s, script, type ControlPair, type Steps } from '../correlate/script';
import { dial } from '../correlate/lab';
import { runCli } from '../e2e/run-cli';

const server = { ip: '192.0.2.10', port: 21 };
const client = (i: number) => ({ ip: '198.51.100.20', port: 40_000 + i });

/** Session `i`: login (failed when `fails`), one PASV download, QUIT, both FINs and the last ACK. */
function dialogue(i: number, fails: boolean): Steps {
  const me = client(i);
  const dataClient = { ip: me.ip, port: 50_000 + i };
  const dataServer = { ip: server.ip, port: 30_000 + i };
  return [
    on(
      i,
      s('220 (vsFTPd 3.0.3)'),
      c('USER ftp'),
      s('331 Please specify the password.'),
      c('PASS a@b'),
      s(fails ? '530 Login incorrect.' : '230 Login successful.'),
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

function sessions(n: number) {
  const controls: ControlPair[] = Array.from({ length: n }, (_, i) => ({ client: client(i), server }));
  const steps: Steps = [];
  for (let i = 0; i < n; i++) steps.push(dialogue(i, i % 2 === 1), pause(6_000_000));
  return script(controls, steps);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpcap-ndjson-memory-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('sessions written and let go leave the analyzer: it holds the ones going on, not those that went before', () => {
  const most = (n: number) => {
    const ended: FtpSession[] = [];
    const analyzer = new Analyzer({}, { sessionEnd: (session) => ended.push(session) });
    let held = 0;
    let tracked = 0;
    const written: number[] = [];
    for (const frame of sessions(n).frames) {
      analyzer.ingest(frame);
      // As the CLI does: a second of capture time after its last packet, the line is written.
      while (ended.length > 0 && frame.timeMicros - ended[0].control.last.timeMicros > 1_000_000) {
        const session = ended.shift() as FtpSession;
        written.push(session.id);
        analyzer.forgetEnded(session);
      }
      held = Math.max(held, analyzer.heldSessions);
      tracked = Math.max(tracked, analyzer.trackedConnections);
    }
    const result = analyzer.finish();
    // Only the last session, within its second of grace, is left for finish(); none twice.
    expect(result.sessions.map((session) => session.id)).toEqual([n]);
    expect(written).toEqual(Array.from({ length: n - 1 }, (_, i) => i + 1));
    // Failed logins of the sessions let go still count across sessions.
    expect(result.findings.map((f) => f.code)).toContain('login-failed');
    return { held, tracked };
  };
  const few = most(12);
  expect(few.held).toBeLessThanOrEqual(2);
  expect(few.tracked).toBeLessThanOrEqual(3);
  expect(most(80)).toEqual(few);
});

test('the summary line equals the one of the report built at once; every session is written once', async () => {
  const n = 40;
  const capture = path.join(dir, 'sessions.pcap');
  fs.writeFileSync(capture, framesToPcap(sessions(n).frames));
  const file = path.join(dir, 'whole.ndjson');
  const streamed = await runCli('analyze', '-q', '-f', 'ndjson', capture);
  expect(streamed.code).toBe(0);
  expect((await runCli('analyze', '-q', '-f', 'ndjson', '-o', file, capture)).code).toBe(0);
  const lines = streamed.stdout.trimEnd().split('\n');
  const whole = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  expect(lines).toHaveLength(n + 1);
  expect(lines).toEqual(whole);
  const summary = JSON.parse(lines[n]);
  expect(summary).toMatchObject({ type: 'summary', sessions: n, dataChannels: n });
  expect(summary.captureFindings.map((f: { code: string }) => f.code)).toContain('login-failed');
  // --fail-on sees the findings of the sessions written and forgotten.
  expect((await runCli('analyze', '-q', '-f', 'ndjson', '--fail-on', 'warning', capture)).code).toBe(3);
});
