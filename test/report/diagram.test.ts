/**
 * Ladder diagrams against the JSON report of the same capture: every data connection of every
 * sample (real captures, samples/README.md) is drawn the way it went, with its ports at the right
 * lifelines, or is named in a fold; plus golden diagrams for a few samples, and the terminal
 * choices (ASCII, width, colour, NO_COLOR, the locale).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Report, ReportChannel, ReportSession } from '../../src/report/build';
import { buildLadder } from '../../src/report/ladder';
import { runCli, runCliWith } from '../e2e/run-cli';
import { expectGolden, sampleCases } from '../helpers/golden';

const cases = sampleCases();

async function report(...args: string[]): Promise<Report> {
  const result = await runCli('analyze', ...args, '--format', 'json');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Report;
}

/** The diagram text of each session, by session id (split on the `── Session N` rules). */
function ladders(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  let current: string[] | null = null;
  for (const line of text.split('\n')) {
    const m = /^(?:──|--) Session (\d+) /.exec(line);
    if (m) {
      current = [];
      out.set(Number(m[1]), current);
    } else if (current) current.push(line);
  }
  return out;
}

interface DrawnArrow {
  rightward: boolean;
  blocked: boolean;
  leftPort: number | null;
  rightPort: number | null;
  label: string;
}

/** Reads an arrow row: `  +0.057   18  43067 │<──── #1 SYN ────│ 20`. */
function readArrow(line: string): DrawnArrow | null {
  const m = /^\s*\S*\s+\S*\s+(\d*) [│|](.*)[│|] ?(\d*)$/.exec(line);
  if (!m) return null;
  const body = m[2];
  const blocked = /[✗X]\s*$|^\s*[✗X]/.test(body) && /[✗X]/.test(body.replace(/[^✗X]/g, ''));
  const rightward = /[>✗X]\s*$/.test(body) && !/^\s*</.test(body);
  return { rightward, blocked, leftPort: m[1] ? Number(m[1]) : null, rightPort: m[3] ? Number(m[3]) : null, label: body.replace(/[─═\-=<>✗│|]/g, ' ').trim() };
}

/** Which lifeline opened the connection, from the JSON alone. */
function openedByClient(session: ReportSession, channel: ReportChannel): boolean {
  const c = channel.connection!;
  if (c.from.ip === session.client.ip) return true;
  if (c.from.ip === session.server.ip) return false;
  return channel.mode === 'passive';
}

describe.each(cases)('diagram of %s', (name) => {
  test('every data connection is drawn in the direction it went, with its ports, or folded', async () => {
    const capture = join('samples', name, 'capture.pcap');
    const json = await report(capture);
    const result = await runCli('diagram', capture, '--width', '140', '--no-color');
    expect(result.code).toBe(0);
    const drawn = ladders(result.stdout);
    expect([...drawn.keys()]).toEqual(json.sessions.map((s) => s.id));
    for (const session of json.sessions) {
      const lines = drawn.get(session.id)!;
      const folds = lines.filter((l) => l.includes(' more ') && l.includes('like this')).join(' ');
      for (const channel of session.dataChannels) {
        const c = channel.connection;
        if (c === null || c.synFrame === null) continue;
        const synLine = lines.find((l) => new RegExp(`#${channel.index} SYN(?!\\+)`).test(l));
        if (synLine === undefined) {
          // Folded: its number is inside a fold's range.
          const range = [...folds.matchAll(/#(\d+)–#(\d+)/g)].some(([, a, b]) => Number(a) <= channel.index && channel.index <= Number(b));
          expect(range, `session ${session.id} channel #${channel.index} neither drawn nor folded`).toBe(true);
          continue;
        }
        const arrow = readArrow(synLine)!;
        expect(arrow, synLine).not.toBeNull();
        const byClient = openedByClient(session, channel);
        expect(arrow.rightward, `#${channel.index} direction: ${synLine}`).toBe(byClient);
        expect(arrow.leftPort).toBe(byClient ? c.from.port : c.to.port);
        expect(arrow.rightPort).toBe(byClient ? c.to.port : c.from.port);
        expect(arrow.blocked).toBe(c.handshake === 'unanswered');
        if (c.synCount > 1) expect(synLine).toContain(`×${c.synCount}`);
        if (c.handshake === 'refused') expect(lines.some((l) => l.includes(`#${channel.index} RST`))).toBe(true);
      }
      // One caption per drawn channel, right after its rows, even when ABOR or a gap interrupts them.
      const ladder = buildLadder(session);
      const captions = ladder.rows.filter((r) => r.type === 'note' && r.tone === 'caption').map((r) => r.channel);
      expect(captions).toEqual(ladder.drawnChannels);
      // The control connection: its SYN goes from the client to the server, without ports.
      if (session.control.synFrame !== null) {
        const syn = lines.find((l) => /│─+ SYN ─+>│$/.test(l));
        expect(syn, `session ${session.id}: control SYN`).toBeDefined();
        expect(syn).toMatch(new RegExp(`\\s${session.control.synFrame}\\s`));
      }
    }
  });
});

/** Golden diagrams: a person looked at each once; a change shows in review. */
const golden: Array<[string, string[]]> = [
  ['active-port', []],
  ['passive-epsv', []],
  ['nat-pasv-private', []],
  ['firewall-active-blocked', []],
  ['data-refused', ['--session', '1']],
  ['active-eprt', ['--ascii', '--width', '80']],
];

describe.each(golden)('golden diagram of %s', (name, args) => {
  test('matches expected-diagram.txt', async () => {
    const result = await runCli('diagram', join('samples', name, 'capture.pcap'), '--width', '100', ...args);
    expect(result.code).toBe(0);
    const file = join('samples', name, 'expected-diagram.txt');
    expectGolden(file, result.stdout);
  });
});

describe('the terminal', () => {
  const capture = 'samples/active-port/capture.pcap';

  test('--ascii draws with ASCII only, and a locale without UTF-8 does too', async () => {
    for (const result of [
      await runCli('diagram', capture, '--ascii'),
      await runCliWith({ env: { LANG: 'C' } }, 'diagram', capture),
      await runCliWith({ env: { LC_ALL: 'POSIX', LANG: 'en_US.UTF-8' } }, 'diagram', capture),
    ]) {
      expect(result.stdout).toMatch(/\|-- PORT 198,51,100,22,168,59 -+>\|/);
      expect(result.stdout).toMatch(/^[\x20-\x7e\n]*$/);
    }
    const utf8 = await runCliWith({ env: { LANG: 'de_DE.utf8' } }, 'diagram', capture);
    expect(utf8.stdout).toContain('│');
  });

  test.each([60, 80, 100, 160])('fits %i columns', async (width) => {
    const result = await runCli('diagram', capture, '--width', String(width));
    for (const line of result.stdout.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(width);
  });

  test("takes the terminal's columns, else 100", async () => {
    const wide = await runCliWith({ columns: 132 }, 'diagram', capture);
    expect(Math.max(...wide.stdout.split('\n').map((l) => [...l].length))).toBe(132);
    const none = await runCli('diagram', capture);
    expect(Math.max(...none.stdout.split('\n').map((l) => [...l].length))).toBe(100);
  });

  test('colours only on a terminal, and never with NO_COLOR', async () => {
    expect((await runCli('diagram', capture)).stdout).not.toContain('\x1b[');
    expect((await runCliWith({ isTty: true }, 'diagram', capture)).stdout).toContain('\x1b[');
    expect((await runCliWith({ isTty: true, env: { NO_COLOR: '1' } }, 'diagram', capture)).stdout).not.toContain('\x1b[');
    expect((await runCliWith({ isTty: true, env: { NO_COLOR: '1' } }, 'diagram', capture, '--color')).stdout).toContain('\x1b[');
  });

  test('analyze --diagram adds the ladders after the report; -o writes a file', async () => {
    const result = await runCli('analyze', capture, '--diagram', '--no-firewall');
    expect(result.stdout.indexOf('Data channels')).toBeLessThan(result.stdout.indexOf('client 198.51.100.22:38474      '));
    const dir = mkdtempSync(join(tmpdir(), 'ftpcap-diagram-'));
    const out = await runCli('diagram', capture, '-o', join(dir, 'ladder.txt'));
    expect(out.stdout).toBe('');
    expect(readFileSync(join(dir, 'ladder.txt'), 'utf8')).toBe((await runCli('diagram', capture)).stdout);
  });

  test('captured text cannot drive the terminal', async () => {
    const json = await report(capture);
    const session = json.sessions[0];
    session.timeline[1].line = 'USER \x1b]0;owned\x07alice';
    const ladder = buildLadder(session);
    const { renderLadderText } = await import('../../src/report/diagram-text');
    const text = renderLadderText(ladder, { width: 100, ascii: false, color: false });
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(text).toContain('USER \\x1b]0;owned\\x07alice');
  });
});

describe('folding', () => {
  test('a run of alike transfers is drawn once, the rest counted with their channels and frames', async () => {
    const json = await report('samples/passive-pasv/capture.pcap');
    const session = json.sessions[0];
    const ladder = buildLadder(session, { foldAfter: 1 });
    const folds = ladder.rows.filter((r) => r.type === 'note' && r.tone === 'fold');
    expect(folds.length).toBeGreaterThan(0);
    expect([...ladder.drawnChannels, ...ladder.foldedChannels].sort((a, b) => a - b)).toEqual(session.dataChannels.map((c) => c.index));
    const retr = session.dataChannels.filter((c) => c.transfer?.command === 'RETR');
    expect(folds.map((f) => f.text)).toContain(
      `… ${retr.length - 1} more RETR like this (data channels #${retr[1].index}–#${retr[retr.length - 1].index}, frame ${retr[1].frame}, ${retr
        .slice(1)
        .reduce((n, c) => n + c.connection!.bytes, 0)
        .toLocaleString('en-US')} bytes in all)`,
    );
    // By default a short run is drawn in full.
    expect(buildLadder(session).foldedChannels).toEqual([]);
  });

  test('a long session folds into one line per run', async () => {
    const json = await report('samples/active-port/capture.pcap');
    const session = json.sessions[0];
    const first = session.dataChannels[1];
    // 40 copies of the RETR channel, as a long mirroring session would have.
    session.dataChannels = Array.from({ length: 40 }, (_, i) => ({ ...first, index: i + 1, frame: 1000 + i }));
    session.timeline = session.dataChannels.flatMap((c) =>
      session.timeline.filter((e) => e.channel === first.index).map((e) => ({ ...e, channel: c.index, frame: e.frame === first.frame ? c.frame : e.frame })),
    );
    const ladder = buildLadder(session);
    expect(ladder.drawnChannels).toEqual([1]);
    const fold = ladder.rows.find((r) => r.type === 'note' && r.tone === 'fold');
    expect(fold?.type === 'note' && fold.text).toBe(
      `… 39 more RETR like this (data channels #2–#40, frames 1001–1039, ${(39 * 119).toLocaleString('en-US')} bytes in all)`,
    );
  });
});

describe('selecting sessions', () => {
  const three = ['samples/login-failed/capture.pcap', 'samples/auth-tls/capture.pcap', 'samples/nat-pasv-private/capture.pcap'];

  test('many sessions: the text report opens with an overview', async () => {
    const result = await runCli('analyze', ...three, '--no-firewall');
    const overview = result.stdout.indexOf('Overview of 19 sessions');
    expect(overview).toBeGreaterThan(0);
    expect(overview).toBeLessThan(result.stdout.indexOf('── Session 1 '));
    expect(result.stdout).toContain('    203.0.113.10:21  4 sessions from 1 client');
    expect(result.stdout).toMatch(/error {3}data-connect-unanswered ×2 in 2 sessions/);
    const few = await runCli('analyze', three[2]);
    expect(few.stdout).not.toContain('Overview');
  });

  test('--session, --client and --server select the same sessions in every format', async () => {
    const all = await report(...three);
    const byClient = await report(...three, '--client', '198.51.100.21');
    expect(byClient.sessions.map((s) => s.id)).toEqual(all.sessions.filter((s) => s.client.ip === '198.51.100.21').map((s) => s.id));
    const byServer = await report(...three, '--server', '203.0.113.10');
    expect(byServer.sessions.map((s) => s.id)).toEqual([1, 2, 3, 4]);
    expect(byServer.summary.sessions).toBe(4);
    expect(byServer.firewall.servers.map((s) => s.ip)).toEqual(['203.0.113.10']);
    const both = await report(...three, '--session', '2', '--session', '7', '--server', '203.0.113.10:21');
    expect(both.sessions.map((s) => s.id)).toEqual([2]);
    const diagram = await runCli('diagram', ...three, '--session', '7');
    expect([...ladders(diagram.stdout).keys()]).toEqual([7]);
    const text = await runCli('analyze', ...three, '--session', '7');
    expect(text.stdout).toContain('── Session 7 ');
    expect(text.stdout).not.toContain('── Session 1 ');
    const html = await runCli('analyze', ...three, '--session', '7', '--format', 'html');
    expect(html.stdout.match(/<svg class="ladder"/g)?.length).toBe(1);
    expect((await runCli('analyze', ...three, '--session', 'x')).code).toBe(2);
    const none = await runCli('diagram', ...three, '--session', '99');
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('No FTP session to draw.\n');
    expect(none.stderr).toBe('ftpcap: no session matches --session/--client/--server; the capture has 19 (1-19)\n');
  });
});
