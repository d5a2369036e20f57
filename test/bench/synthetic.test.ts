/**
 * The synthetic capture generator of the scaling benchmark (bench/lib/synthetic.js): what it
 * writes is a valid capture with correct checksums, deterministic, and ftpcap's analysis of it is
 * exactly what was asked for: the sessions, their data channels each matched to its connection
 * and completed, the number open at once, the non-FTP connections as other traffic. Small counts
 * here; `npm run bench -- --scaling` makes the big ones.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Analyzer } from '../../src/analyzer';
import { readCaptures } from '../../src/capture';
import { buildReport } from '../../src/report/build';
import * as synthetic from '../../bench/lib/synthetic.js';
import { checksumsRight, records } from './pcap-check';

interface Part {
  kind: 'sessions' | 'short' | 'announcements' | 'other';
  count: number;
  port?: number;
  concurrency?: number;
  mode?: 'mixed' | 'passive' | 'active';
  style?: 'mixed' | 'syn' | 'greeting';
}
interface Written {
  bytes: number;
  packets: number;
  sessions: number;
  channels: number;
  unansweredClients: number;
}
const { writeSynthetic } = synthetic as { writeSynthetic(file: string, parts: Part[], options?: { tickMicros?: number }): Written };

async function analyze(file: string) {
  const analyzer = new Analyzer();
  const inputs = await readCaptures([file], (frame) => analyzer.ingest(frame));
  const result = analyzer.finish();
  return { result, report: buildReport(result, inputs, 'test') };
}

/** The most sessions whose control connections were open at one time (first to last packet). */
function mostAtOnce(sessions: Array<{ control: { first: { timeMicros: number }; last: { timeMicros: number } } }>): number {
  const edges = sessions
    .flatMap((s) => [
      [s.control.first.timeMicros, 1],
      [s.control.last.timeMicros, -1],
    ])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (open += step));
  return most;
}

describe('bench/lib/synthetic.js', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpcap-synthetic-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  // name, parts, sessions, data channels (PORT, PASV), most sessions open at once, sessions greeted.
  // The captures are short (20 µs between packets): a SYN nobody answers is still a session.
  test.each([
    ['complete sessions one after another', [{ kind: 'sessions', count: 40 }], 40, [20, 20], 1, 40],
    ['complete sessions 8 at once', [{ kind: 'sessions', count: 40, concurrency: 8 }], 40, [20, 20], 8, 40],
    ['complete sessions, passive only, 7 at once', [{ kind: 'sessions', count: 30, concurrency: 7, mode: 'passive' }], 30, [0, 30], 7, 30],
    ['short sessions: SYN only and greeting only, alternating', [{ kind: 'short', count: 30 }], 30, [0, 0], 1, 15],
    ['short sessions, greeting only, 4 at once', [{ kind: 'short', count: 20, concurrency: 4, style: 'greeting' }], 20, [0, 0], 4, 20],
    ['one session with 60 announcements', [{ kind: 'announcements', count: 60 }], 1, [30, 30], 1, 1],
    ['non-FTP connections only', [{ kind: 'other', count: 50, concurrency: 5 }], 0, [0, 0], 0, 0],
    [
      'all of them in one capture',
      [
        { kind: 'sessions', count: 10, concurrency: 3 },
        { kind: 'short', count: 6, concurrency: 2 },
        { kind: 'announcements', count: 8 },
        { kind: 'other', count: 20, concurrency: 4 },
      ],
      17,
      [9, 9],
      6,
      14,
    ],
  ] as Array<[string, Part[], number, [number, number], number, number]>)('%s', async (name, parts, sessions, [port, pasv], atOnce, greeted) => {
    const file = path.join(dir, `${name.replace(/\W+/g, '-')}.pcap`);
    const written = writeSynthetic(file, parts);
    const pcap = fs.readFileSync(file);
    expect(pcap.length).toBe(written.bytes);
    const all = records(pcap);
    expect(all).toHaveLength(written.packets);
    for (let i = 1; i < all.length; i++) expect(all[i].time).toBeGreaterThan(all[i - 1].time);
    expect(all.filter((r) => !checksumsRight(r.frame)).length).toBe(0);
    expect(written.sessions).toBe(sessions);
    expect(written.channels).toBe(port + pasv);
    expect(written.unansweredClients).toBe(sessions - greeted);

    const { result, report } = await analyze(file);
    expect(report.summary.frames).toBe(written.packets);
    expect(report.summary.sessions).toBe(sessions);
    // Every session has its own client endpoint.
    expect(new Set(result.sessions.map((s) => `${s.client.ip}|${s.client.port}`)).size).toBe(sessions);
    expect(result.sessions.filter((s) => s.greeting?.text === '(vsFTPd 3.0.3)')).toHaveLength(greeted);
    expect(mostAtOnce(result.sessions)).toBe(atOnce);
    const channels = report.sessions.flatMap((s) => s.dataChannels);
    expect(channels.filter((c) => c.method === 'PORT')).toHaveLength(port);
    expect(channels.filter((c) => c.method === 'PASV')).toHaveLength(pasv);
    expect(channels.filter((c) => c.connection === null || c.status !== 'completed' || c.connection.bytes === 0)).toEqual([]);
    const errors = [...report.findings, ...report.sessions.flatMap((s) => s.findings)].filter((f) => f.severity !== 'info');
    expect(errors.map((f) => f.code)).toEqual([]);
    expect(report.summary.tcpSegments).toBe(written.packets);
  });

  test('SYNs nobody answered, long before the end of the capture: unopened control connections, one error per client', async () => {
    // 40 short sessions all at once, then 40 other connections, 0.1 s between packets: the SYNs of
    // the first are seconds old when the capture ends. 20 clients whose SYNs nobody answered.
    const later = path.join(dir, 'unopened.pcap');
    const both = writeSynthetic(
      later,
      [
        { kind: 'short', count: 40, concurrency: 40 },
        { kind: 'other', count: 40 },
      ],
      { tickMicros: 100_000 },
    );
    expect(both.unansweredClients).toBe(20);
    const { report } = await analyze(later);
    expect(report.summary.sessions + report.summary.unopenedControlConnections).toBe(both.sessions);
    expect(report.summary.unopenedControlConnections).toBe(20);
    const errors = [...report.findings, ...report.sessions.flatMap((s) => s.findings)].filter((f) => f.severity !== 'info');
    expect(new Set(errors.map((f) => f.code))).toEqual(new Set(['control-connect-unanswered']));
    expect(errors.length).toBeLessThanOrEqual(both.unansweredClients);
  });

  test('deterministic: the same parts make the same bytes', () => {
    const parts: Part[] = [
      { kind: 'sessions', count: 12, concurrency: 5 },
      { kind: 'announcements', count: 6 },
    ];
    const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
    writeSynthetic(path.join(dir, 'a.pcap'), parts);
    writeSynthetic(path.join(dir, 'b.pcap'), parts);
    expect(sha(path.join(dir, 'a.pcap'))).toBe(sha(path.join(dir, 'b.pcap')));
  });

  test('rejects what it cannot write', () => {
    expect(() => writeSynthetic(path.join(dir, 'x.pcap'), [{ kind: 'sessions', count: 1, concurrency: 0 }])).toThrow(/concurrency/);
    expect(() => writeSynthetic(path.join(dir, 'x.pcap'), [{ kind: 'sessions', count: -1 }])).toThrow(/whole number/);
    expect(() => writeSynthetic(path.join(dir, 'x.pcap'), [{ kind: 'nothing', count: 1 } as unknown as Part])).toThrow(/unknown part/);
  });
});
