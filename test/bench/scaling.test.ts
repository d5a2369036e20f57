/**
 * The scaling benchmark's checks and arithmetic (bench/scaling.js): a point counts only when the
 * report it timed is the capture's content, read from either end of the output; the growth order
 * is the exponent of the excess over the empty capture's.
 */
import { describe, expect, test } from 'vitest';
import * as scaling from '../../bench/scaling.js';

interface Run {
  status: number;
  timedOut: boolean;
  head: string;
  tail: string;
  stderr: string;
}
interface Point {
  series: string;
  n: number;
  format: string;
  ok: boolean;
  seconds: number;
  cpu: number;
  rss: number;
}
interface Order {
  all: number;
  lastStep: number;
  perItem: number;
}
const { exponent, growth, orderOf, problemsOf } = scaling as {
  exponent(x0: number, y0: number, x1: number, y1: number): number;
  growth(
    results: Point[],
    baseline: Record<string, { seconds: number; cpu: number; rss: number }>,
  ): Array<{ series: string; format: string; cpu: Order; rss: Order }>;
  orderOf(b: number): string;
  problemsOf(format: string, run: Run, meta: { sessions: number; channels: number; packets: number; unansweredClients?: number }): string[];
};

const summary = (sessions: number, channels: number, completed: number, frames: number, errors: number, unopened = 0) =>
  `"summary": ${JSON.stringify({ sessions, dataChannels: channels, byStatus: { completed, failed: channels - completed }, findings: { info: 0, warning: 0, error: errors }, frames, unopenedControlConnections: unopened }, null, 2)}`;
const run = (head: string, tail = '', status = 0): Run => ({ status, timedOut: false, head, tail, stderr: '' });
const meta = { sessions: 10, channels: 10, packets: 270 };

describe('problemsOf: the analysis that was timed must be what the capture holds', () => {
  test.each([
    ['JSON summary at the start, right', 'json', run(`{\n  "schemaVersion": 1,\n  ${summary(10, 10, 10, 270, 0)},\n  "sessions": [`), []],
    [
      'JSON summary at the end (a streamed report), right',
      'json',
      run('{\n  "sessions": [ {"text": "a } and a \\" in a string"}', `],\n  ${summary(10, 10, 10, 270, 0)}\n}\n`),
      [],
    ],
    ['a session missing', 'json', run(summary(9, 10, 10, 270, 0)), ['9 sessions and 0 unopened control connections, 10 written']],
    ['a channel not completed', 'json', run(summary(10, 10, 9, 270, 0)), ['9 data channels completed of 10']],
    ['frames lost', 'json', run(summary(10, 10, 10, 269, 0)), ['269 frames, 270 written']],
    ['an error finding', 'json', run(summary(10, 10, 10, 270, 1)), ['1 error findings']],
    ['no summary (the output was cut)', 'json', run('{\n  "summary": {\n    "sessions": 10,'), ['no summary in the JSON report']],
    ['text, right', 'text', run('ftpcap x.pcap: pcap, EN10MB, 270 packets\n10 FTP sessions, 10 data channels (10 completed)\n'), []],
    ['text, a channel not completed', 'text', run('ftpcap x.pcap: pcap\n10 FTP sessions, 10 data channels (9 completed)\n'), ['text: 9 completed of 10']],
    ['text without the counts', 'text', run('ftpcap x.pcap: pcap\n'), ['text: no "N FTP sessions, M data channels" line']],
    [
      'a crash',
      'json',
      { ...run(''), status: 70, stderr: 'ftpcap: internal error: Invalid string length\n' },
      ['exit status 70: ftpcap: internal error: Invalid string length'],
    ],
    ['too slow', 'text', { ...run(''), status: 124, timedOut: true }, ['did not finish in the time limit']],
  ] as Array<[string, string, Run, string[]]>)('%s', (_name, format, output, problems) => {
    expect(problemsOf(format, output, meta)).toEqual(problems);
  });

  // 10 control connections, 3 clients whose SYNs nobody answered: the SYNs long before the end of
  // the capture are unopened control connections, one control-connect-unanswered error per client.
  const short = { sessions: 10, channels: 0, packets: 40, unansweredClients: 3 };
  test.each([
    ['unanswered SYNs as unopened control connections, one error per client', 'json', run(summary(6, 0, 0, 40, 3, 4)), []],
    ['more errors than clients', 'json', run(summary(6, 0, 0, 40, 4, 4)), ['4 error findings (at most 3 expected)']],
    ['a connection lost', 'json', run(summary(6, 0, 0, 40, 3, 3)), ['6 sessions and 3 unopened control connections, 10 written']],
    [
      'text, right',
      'text',
      run('ftpcap x: pcap\n6 FTP sessions, 0 data channels\n4 FTP control connections never opened (refused or unanswered; listed below)\n'),
      [],
    ],
    [
      'text, a connection lost',
      'text',
      run('ftpcap x: pcap\n6 FTP sessions, 0 data channels\n3 FTP control connections never opened (refused or unanswered; listed below)\n'),
      ['text: 6 sessions and 3 unopened, 10 written'],
    ],
  ] as Array<[string, string, Run, string[]]>)('short sessions: %s', (_name, format, output, problems) => {
    expect(problemsOf(format, output, short)).toEqual(problems);
  });
});

describe('growth orders', () => {
  test('exponents and their words', () => {
    expect(exponent(1000, 2, 100_000, 200)).toBeCloseTo(1);
    expect(exponent(1000, 2, 100_000, 20_000)).toBeCloseTo(2);
    expect([0.05, 0.5, 1.02, 1.4, 2].map(orderOf)).toEqual(['flat', 'sub-linear', 'linear', 'super-linear', 'quadratic or worse']);
  });

  test('measured above the empty capture: a fixed cost is not slow growth, and flat memory is flat', () => {
    const baseline = { json: { seconds: 0.3, cpu: 0.3, rss: 55e6 } };
    const point = (n: number, cpu: number, rss: number): Point => ({ series: 's', n, format: 'json', ok: true, seconds: cpu, cpu, rss });
    // CPU: 0.3 s fixed + 100 µs per item (linear); RSS: 60 MB whatever the size.
    const [order] = growth([point(1000, 0.4, 60e6), point(10_000, 1.3, 61e6), point(100_000, 10.3, 60e6)], baseline);
    expect(order.cpu.all).toBeCloseTo(1, 1);
    expect(order.cpu.perItem * 1e6).toBeCloseTo(100);
    expect(orderOf(order.rss.all)).toBe('flat');
    // A point that failed its check is left out.
    const [partial] = growth([point(1000, 0.4, 60e6), point(10_000, 1.3, 61e6), { ...point(100_000, 99, 9e9), ok: false }], baseline);
    expect(partial.cpu.all).toBeCloseTo(1, 1);
  });
});
