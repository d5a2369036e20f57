/**
 * The mutation fuzzer (fuzz/) as part of the suite: a short run with a fixed seed over the real
 * samples must find nothing, and the fuzzer itself must make the same inputs for the same seed
 * and catch each kind of failure it looks for. Longer runs: `npm run fuzz -- --minutes N`.
 */
import { describe, expect, test } from 'vitest';
import { checkCli, checkOutput, findRawControl } from '../../fuzz/checks';
import { parseContainer, serialize } from '../../fuzz/container';
import { loadSeeds, makeCase, runCase, signature } from '../../fuzz/engine';
import type { TargetResult } from '../../fuzz/target';

/** The suite's seed: change it only to look at other inputs on purpose. */
const SUITE_SEED = 20261202;
/** Inputs in the suite's run: a few seconds on a quiet machine. */
const SUITE_INPUTS = 60;
/** An input that takes more processor time than this (analysis, every renderer and one command line) is a hang. */
const SLOW_MILLIS = 8000;

const seeds = loadSeeds();

describe('the fixed-seed run', () => {
  test(`${SUITE_INPUTS} mutated samples: no crash, hang, raw control character or bad output`, async () => {
    const failures: string[] = [];
    let sessions = 0;
    for (let iteration = 0; iteration < SUITE_INPUTS; iteration++) {
      const c = makeCase(seeds, SUITE_SEED, iteration, { cliEvery: 3 });
      const result = await runCase(c, SLOW_MILLIS);
      sessions += result.sessions;
      if (result.failure !== null) {
        failures.push(`iteration ${iteration} (${c.seed}: ${c.mutations.join('; ')}): ${result.failure.message}\n${result.failure.detail}`);
      }
    }
    expect(failures).toEqual([]);
    // The inputs are still captures with FTP in them, not noise the reader refuses at once.
    expect(sessions).toBeGreaterThan(SUITE_INPUTS / 2);
  }, 120_000);
});

describe('the fuzzer', () => {
  test('reads every seed capture into records and writes it back byte for byte', () => {
    expect(seeds.length).toBeGreaterThan(40);
    for (const seed of seeds) {
      expect(seed.container.kind, seed.name).not.toBe('raw');
      expect(seed.container.tail.length, seed.name).toBe(0);
      expect(serialize(parseContainer(seed.bytes)).equals(seed.bytes), seed.name).toBe(true);
    }
  });

  test('makes the same input for the same seed and iteration, and different ones otherwise', () => {
    const a = makeCase(seeds, 7, 42, { cliEvery: 3 });
    const b = makeCase(seeds, 7, 42, { cliEvery: 3 });
    expect(b.bytes.equals(a.bytes)).toBe(true);
    expect(b.mutations).toEqual(a.mutations);
    const others = [43, 44, 45].map((i) => makeCase(seeds, 7, i, { cliEvery: 3 }).bytes);
    expect(others.some((bytes) => !bytes.equals(a.bytes))).toBe(true);
  });

  test('uses every kind of mutation over 150 inputs', () => {
    const notes = new Set<string>();
    for (let i = 0; i < 150; i++) {
      for (const note of makeCase(seeds, 3, i, { cliEvery: 0 }).mutations) notes.add(note.replace(/^record \d+: |^block \d+: /, '').split(/[ ,]/)[0]);
    }
    for (const kind of ['duplicated', 'dropped', 'swapped', 'reversed', 'moved', 'IPv4', 'TCP', 'payload', 'timestamp', 'captured', 'gzip-compressed', 'cut']) {
      expect([...notes], kind).toContain(kind);
    }
  });

  test('reports an exception from the analysis as a crash, with its stack', async () => {
    const target = async (): Promise<TargetResult> => {
      throw new RangeError('offset out of range');
    };
    const result = await runCase({ bytes: Buffer.alloc(0), cli: null }, SLOW_MILLIS, target);
    expect(result.failure?.kind).toBe('crash');
    expect(result.failure?.message).toContain('RangeError: offset out of range');
    expect(result.failure?.detail).toContain('mutation.test.ts');
  });

  test('reports an input that takes too long as a hang', async () => {
    const target = async (): Promise<TargetResult> => {
      const until = performance.now() + 30;
      while (performance.now() < until);
      return { outputs: [], frames: 0, sessions: 0 };
    };
    const result = await runCase({ bytes: Buffer.alloc(0), cli: null }, 5, target);
    expect(result.failure?.kind).toBe('hang');
  });

  test.each([
    ['an escape sequence', 'user \x1b[2J', 0x1b],
    ['a C1 control', 'name \x9b31m', 0x9b],
    ['a bidi override', 'file \u202etxt.exe', 0x202e],
    ['a bare carriage return', 'line\rover', 0x0d],
    ['a NUL', 'a\x00b', 0x00],
  ])('finds %s in terminal text', (_what, text, code) => {
    expect(findRawControl(`ok\n\t${text}`)?.code).toBe(code);
    expect(checkOutput({ name: 'text', kind: 'terminal', text })?.kind).toBe('control-characters');
  });

  test('lets CSV end its records with CR LF, but nothing else through in HTML or CSV', () => {
    expect(checkOutput({ name: 'csv', kind: 'markup', text: 'a,b\r\n1,2\r\n' })).toBeNull();
    expect(checkOutput({ name: 'csv', kind: 'markup', text: 'a,"\x1b[2J"\r\n' })?.kind).toBe('control-characters');
    expect(checkOutput({ name: 'html', kind: 'markup', text: '<p>\u202e</p>' })?.kind).toBe('control-characters');
  });

  test('lets tabs, line feeds, box drawing and escaped text through', () => {
    expect(findRawControl('a\tb\n│ ─ ┌ jürgen \\x1b[2J \\u202e')).toBeNull();
  });

  test('checks that JSON outputs parse, line by line for JSON lines', () => {
    expect(checkOutput({ name: 'json', kind: 'json', text: '{"a":1}' })).toBeNull();
    expect(checkOutput({ name: 'json', kind: 'json', text: '{"a":1' })?.kind).toBe('bad-output');
    expect(checkOutput({ name: 'ndjson', kind: 'json-lines', text: '{"a":1}\n{"b":2}\n' })).toBeNull();
    expect(checkOutput({ name: 'ndjson', kind: 'json-lines', text: '{"a":1}\n{"b":\n' })?.message).toContain('line 2');
  });

  test('accepts exit statuses 0 and 1 from the command line, nothing else', () => {
    const args = ['analyze', '-'];
    expect(checkCli(args, { status: 0, stdout: '', stderr: '' })).toBeNull();
    expect(checkCli(args, { status: 1, stdout: '', stderr: 'ftpcap: -: not a capture file\n' })).toBeNull();
    expect(checkCli(args, { status: 70, stdout: '', stderr: 'internal error' })?.kind).toBe('exit-status');
    expect(checkCli(args, { status: 0, stdout: 'a \x1b[31m', stderr: '' })?.kind).toBe('control-characters');
    expect(checkCli(['analyze', '-', '--format', 'json'], { status: 0, stdout: '"\u0085"', stderr: '' })).toBeNull();
  });

  test('gives failures that differ only in numbers one signature', () => {
    const a = signature({ kind: 'crash', message: 'x: RangeError: offset 17 out of range', detail: 'RangeError\n    at decode (/a/b.ts:10:5)\n' });
    const b = signature({ kind: 'crash', message: 'x: RangeError: offset 99 out of range', detail: 'RangeError\n    at decode (/a/b.ts:12:7)\n' });
    expect(a).toBe(b);
  });
});
