/**
 * A session written element by element (src/report/session-view.ts) is the same text as
 * JSON.stringify of the whole session, compact and pretty at any indentation: the JSON report and
 * the NDJSON lines stay byte for byte what they were when a session was one string. The sessions
 * are hand-made to cover what JSON.stringify does with keys: undefined values left out, empty
 * lists and objects, nested lists, strings with quotes, line separators and non-ASCII text.
 */
import { describe, expect, test } from 'vitest';
import { materialize, sessionJsonChunks, type SessionView } from '../../src/report/session-view';

const channel = (i: number) => ({
  index: i,
  text: `PORT 198,51,100,20,${i},1 "q" \u2028 ü`,
  quirks: [],
  expected: { to: [{ ip: '192.0.2.10', port: 21 }] },
  content: null,
});

// biome-ignore format: a table, one row a line
const cases: Array<[string, Record<string, unknown>]> = [
  ['no channels', { id: 1, user: null, dataChannels: [], transfersWithoutChannel: [], findings: [] }],
  ['one channel', { id: 2, dataChannels: [channel(1)], transfersWithoutChannel: [], helper: { session: 2, channels: [{ index: 1 }] } }],
  ['many channels, undefined keys, streamed lists in the middle', { id: 3, skipped: undefined, dataChannels: Array.from({ length: 500 }, (_, i) => channel(i)), timeline: [{ a: 1, b: undefined }], transfersWithoutChannel: [{ command: 'RETR', arg: '', frame: 1, replyCode: null }], empty: {}, last: 'x' }],
  ['empty session', {}],
];

/** The session with its lists handed out as iterables that are not arrays (as read back from disk). */
function asView(session: Record<string, unknown>): SessionView {
  const view: Record<string, unknown> = { ...session };
  for (const key of ['dataChannels', 'transfersWithoutChannel']) {
    const list = session[key] as unknown[] | undefined;
    if (list !== undefined) view[key] = { [Symbol.iterator]: () => list[Symbol.iterator]() };
  }
  return view as unknown as SessionView;
}

describe('a session written element by element', () => {
  test.each(cases)('%s: compact, as JSON.stringify', (_, session) => {
    expect([...sessionJsonChunks(asView(session), false)].join('')).toBe(JSON.stringify(session));
  });

  test.each(cases)('%s: pretty, indented, as JSON.stringify(session, null, 2) indented', (_, session) => {
    expect([...sessionJsonChunks(asView(session), true)].join('')).toBe(JSON.stringify(session, null, 2));
    expect([...sessionJsonChunks(asView(session), true, '    ')].join('')).toBe(JSON.stringify(session, null, 2).replace(/\n/g, '\n    '));
  });

  test('many channels come in several chunks, none much longer than a disk block', () => {
    const session = { id: 1, dataChannels: Array.from({ length: 5_000 }, (_, i) => channel(i)), transfersWithoutChannel: [] };
    const chunks = [...sessionJsonChunks(asView(session), true, '    ')];
    expect(chunks.length).toBeGreaterThan(5);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(80 * 1024);
  });

  test('materialize: the lists as arrays, keys in their order', () => {
    const session = cases[2][1];
    const whole = materialize(asView(session));
    expect(Array.isArray(whole.dataChannels)).toBe(true);
    expect(JSON.stringify(whole)).toBe(JSON.stringify(session));
  });
});
