/**
 * Every limit of src/options.ts that caps a table, buffer or list says so when it is reached: one
 * `limit-reached` finding per limit, naming it, with how often it was reached (`count`), never
 * silence. Each row is a small scripted capture (test/correlate/script.ts) that reaches one limit
 * lowered through the analyzer options, and stays under every limit with the default options.
 */
import { describe, expect, test } from 'vitest';
import { Analyzer } from '../../src/analyzer';
import type { LimitName } from '../../src/limits';
import { defaultOptions, type AnalyzerOptions } from '../../src/options';
import type { CapturedFrame, Finding } from '../../src/types';
import { ethernet } from '../decode/build';
import { CONTROL, client, dial, login, server } from '../correlate/lab';
import { c, on, resend, resendAs, s, script, syn, data, type ControlPair, type Steps } from '../correlate/script';

/** The capture-level limit-reached findings of an analysis, by the limit they name. */
function limitFindings(frames: CapturedFrame[], options: Partial<AnalyzerOptions>): Map<string, Finding> {
  const analyzer = new Analyzer(options);
  for (const frame of frames) analyzer.ingest(frame);
  const result = analyzer.finish();
  const sessionFindings = result.sessions.flatMap((session) => session.findings);
  expect(sessionFindings.filter((f) => f.code === 'limit-reached')).toEqual([]);
  const found = new Map<string, Finding>();
  for (const finding of result.findings.filter((f) => f.code === 'limit-reached')) {
    const name = /^limit (\w+) \(\d+\) reached: /.exec(finding.message)?.[1];
    expect(name, finding.message).toBeDefined();
    expect(found.has(name as string), `one finding per limit: ${name}`).toBe(false);
    found.set(name as string, finding);
  }
  return found;
}

/** FTP on a port nobody named: found by its content (src/ftp/detect.ts). */
const OTHER_PORT: ControlPair = { client: client(50100), server: server(2121) };
const OTHER_PORT_2: ControlPair = { client: client(50101), server: server(2122) };
const MIDSTREAM_OTHER_PORT: ControlPair = { ...OTHER_PORT, midstream: true };
const SECOND_CONTROL: ControlPair = { client: client(50001), server: server(21) };

/** An IPv4 header whose IHL says 4 words (less than the 20-byte minimum): a malformed packet (1 s apart, not duplicates). */
const malformedFrame = (frame: number): CapturedFrame => {
  const bytes = ethernet(0x0800, Buffer.from('44000028000000004006000001020304050607080000000000000000', 'hex'));
  return { ref: { input: 0, frame }, timeMicros: 1_800_000_000_000_000 + frame * 1_000_000, linkType: 1, data: bytes, originalLength: bytes.length };
};

interface Row {
  limit: LimitName;
  /** The lowered value that the capture reaches. */
  value: number;
  /** How many times the capture reaches it at that value. */
  times: number;
  frames: () => CapturedFrame[];
}

const scripted =
  (controls: ControlPair[], steps: Steps, drop: string[] = []) =>
  () => {
    const { frames, at } = script(controls, steps);
    const dropped = new Set(drop.map((label) => at[label]));
    return frames.filter((f) => !dropped.has(f.ref.frame)).map((f, i) => ({ ...f, ref: { input: 0, frame: i + 1 } }));
  };

const rows: Row[] = [
  {
    // Three control connections while the table holds two: the oldest is dropped once.
    limit: 'maxConnections',
    value: 2,
    times: 1,
    frames: scripted([], [syn(client(50000), server(21)), syn(client(50001), server(21)), syn(client(50002), server(21))]),
  },
  {
    // Two sessions each waiting for a passive data connection, one expectation held at once.
    limit: 'maxExpectations',
    value: 1,
    times: 1,
    frames: scripted(
      [CONTROL, SECOND_CONTROL],
      [
        ...login(),
        c('PASV'),
        s('227 Entering Passive Mode (192,0,2,10,156,64).'),
        ...on(1, ...login(), c('PASV'), s('227 Entering Passive Mode (192,0,2,10,156,65).')),
      ],
    ),
  },
  {
    // Two greetings on ports nobody named, one candidate judged at once.
    limit: 'maxDetectionCandidates',
    value: 1,
    times: 1,
    frames: scripted([OTHER_PORT, OTHER_PORT_2], [s('220-Welcome'), ...on(1, s('220-Welcome'))]),
  },
  {
    // The handshake fills the two held segments; the greeting's three segments are not replayed.
    limit: 'maxHeldSegments',
    value: 2,
    times: 3,
    frames: scripted([OTHER_PORT], [s('220-Welcome'), s('220-to the server'), s('220 Ready'), c('USER anonymous')]),
  },
  {
    // The greeting alone is more than 10 bytes.
    limit: 'maxHeldBytes',
    value: 10,
    times: 1,
    frames: scripted([OTHER_PORT], [s('220 FTP server ready'), c('USER anonymous')]),
  },
  {
    // A 40-byte line without its end on a connection that may be FTP.
    limit: 'maxDetectionLineLength',
    value: 16,
    times: 1,
    frames: scripted([OTHER_PORT], [s('220-Welcome'), data(OTHER_PORT.server, OTHER_PORT.client, Buffer.from('x'.repeat(40)))]),
  },
  {
    // Picked up mid-session: three commands wait for replies, two are remembered.
    limit: 'maxDetectionPendingCommands',
    value: 2,
    times: 1,
    frames: scripted([MIDSTREAM_OTHER_PORT], [c(['CWD /pub', 'PWD', 'TYPE I'])]),
  },
  {
    // The same on port 21, where the control connection's own check of the protocol remembers them.
    limit: 'maxDetectionPendingCommands',
    value: 2,
    times: 1,
    frames: scripted([{ ...CONTROL, midstream: true }], [c(['CWD /pub', 'PWD', 'TYPE I'])]),
  },
  {
    // After AUTH TLS two connections between the hosts, one listed.
    limit: 'maxHiddenConnections',
    value: 1,
    times: 1,
    frames: scripted(
      [CONTROL],
      [
        s('220 (vsFTPd 3.0.3)'),
        c('AUTH TLS'),
        s('234 Proceed with negotiation.'),
        ...dial(client(50010), server(40000), 'a'),
        ...dial(client(50011), server(40001), 'b'),
      ],
    ),
  },
  {
    // Three refused PORTs in each of two sessions, one listed per session: reached once per session.
    limit: 'maxDataChannelsPerSession',
    value: 1,
    times: 2,
    frames: scripted(
      [CONTROL, SECOND_CONTROL],
      [0, 1].flatMap((n) =>
        on(n, ...login(), ...[1, 2, 3].flatMap((i) => [c(`PORT 198,51,100,20,195,${80 + i}`), s('500 Illegal PORT command.')]), c('QUIT'), s('221 Goodbye.')),
      ),
    ),
  },
  {
    // Two SIZE answers, one remembered.
    limit: 'maxSizeAnswers',
    value: 1,
    times: 1,
    frames: scripted([CONTROL], [...login(), c('SIZE a.txt'), s('213 10'), c('SIZE b.txt'), s('213 20')]),
  },
  {
    // Two retransmissions from the client that differ from the first copy, one listed.
    limit: 'maxReassemblyReports',
    value: 1,
    times: 1,
    frames: scripted(
      [CONTROL],
      [
        ...login(),
        c('CWD /pub'),
        resendAs(CONTROL.client, CONTROL.server, Buffer.from('CWD /tmp\r\n')),
        resendAs(CONTROL.client, CONTROL.server, Buffer.from('CWD /var\r\n')),
      ],
    ),
  },
  {
    // Three malformed frames, one listed.
    limit: 'maxMalformedReports',
    value: 1,
    times: 2,
    frames: () => [1, 2, 3].map(malformedFrame),
  },
  {
    // A 27-byte command sent again: 8 bytes remembered, the older 19 not compared.
    limit: 'maxRememberedBytes',
    value: 8,
    times: 1,
    frames: scripted([CONTROL], [s('220 (vsFTPd 3.0.3)'), c(`USER ${'a'.repeat(20)}`), resend(CONTROL.client, CONTROL.server)]),
  },
  {
    // Commands 2 and 4 are not in the capture: the client's bytes are in three ranges, one kept.
    limit: 'maxSequenceRanges',
    value: 1,
    times: 1,
    frames: scripted(
      [CONTROL],
      [s('220 (vsFTPd 3.0.3)'), c('USER anonymous'), c('PASS guest@', 'gone1'), c('SYST'), c('FEAT', 'gone2'), c('PWD')],
      ['gone1', 'gone2'],
    ),
  },
];

describe('reaching a limit is a limit-reached finding', () => {
  test('every limit the counter knows has a row here', () => {
    const names: LimitName[] = [
      'maxConnections',
      'maxExpectations',
      'maxDetectionCandidates',
      'maxHeldSegments',
      'maxHeldBytes',
      'maxDetectionLineLength',
      'maxDetectionPendingCommands',
      'maxHiddenConnections',
      'maxDataChannelsPerSession',
      'maxSizeAnswers',
      'maxReassemblyReports',
      'maxMalformedReports',
      'maxRememberedBytes',
      'maxSequenceRanges',
    ];
    expect([...new Set(rows.map((r) => r.limit))].sort()).toEqual([...names].sort());
  });

  test.each(rows)('$limit', ({ limit, value, times, frames }) => {
    const found = limitFindings(frames(), { [limit]: value });
    expect([...found.keys()]).toEqual([limit]);
    const finding = found.get(limit) as Finding;
    expect(finding.severity).toBe('warning');
    expect(finding.message).toContain(`limit ${limit} (${value}) reached: `);
    expect(finding.fix).toContain(limit);
    expect(finding.count ?? 1).toBe(times);
  });

  test.each(rows)('$limit: not reached with the default options', ({ limit, frames }) => {
    expect(defaultOptions[limit]).toBeGreaterThan(0);
    expect([...limitFindings(frames(), {}).keys()]).toEqual([]);
  });
});
