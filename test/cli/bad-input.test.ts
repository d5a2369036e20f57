/**
 * Bad input is normal input: damaged, foreign and hostile files given to the real CLI (in-process,
 * through `run`), which must say what is wrong and where, report whatever could still be analyzed,
 * exit with the documented status (README "Exit status") and never print a stack trace.
 *
 * Every input is made in a temporary directory from samples/active-port/capture.pcap (classic pcap,
 * little-endian, Ethernet, 331 records: one Python ftplib session with PORT ×3 against vsftpd, see
 * samples/active-port/README.md) by cutting it, overwriting header fields or rewriting payload
 * bytes in place (lengths kept, so every TCP sequence number stays consistent).
 *
 * Exit status rule (src/cli/main.ts `analyzeFiles`): 1 when every input is fatal (reading stopped
 * early or never started) and yielded no packet; otherwise 0. A file cut inside its last record is
 * not fatal: everything before the cut was read.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { version } from '../../src/cli/version';
import type { Report } from '../../src/report/build';
import { runCli, type CliResult } from '../e2e/run-cli';
import { PCAP_HEADER_LENGTH, PCAP_RECORD_HEADER_LENGTH, readPcapRecords } from '../helpers/pcap';

const SAMPLE = join('samples', 'active-port', 'capture.pcap');
const sample = readFileSync(SAMPLE);
const dir = mkdtempSync(join(tmpdir(), 'ftpcap-bad-input-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Byte range [start, end) in the file of a TCP payload of the FTP control connection (port 21). */
interface PayloadRange {
  record: number;
  start: number;
  end: number;
}

/** The control connection's payloads, for Ethernet + IPv4 frames as in the sample. */
function controlPayloads(file: Buffer): PayloadRange[] {
  const ranges: PayloadRange[] = [];
  for (const record of readPcapRecords(file)) {
    const frame = record.offset + PCAP_RECORD_HEADER_LENGTH;
    if (record.capturedLength < 14 + 20 + 20 || file.readUInt16BE(frame + 12) !== 0x0800) continue;
    const ip = frame + 14;
    if (file[ip + 9] !== 6) continue;
    const tcp = ip + (file[ip] & 0x0f) * 4;
    const start = tcp + (file[tcp + 12] >> 4) * 4;
    const end = ip + file.readUInt16BE(ip + 2);
    if (end > start && (file.readUInt16BE(tcp) === 21 || file.readUInt16BE(tcp + 2) === 21)) {
      ranges.push({ record: record.number, start, end });
    }
  }
  return ranges;
}

const records = readPcapRecords(sample);
const payloads = controlPayloads(sample);

/** A path in the temporary directory holding `bytes`. */
function write(name: string, bytes: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** A copy of the sample with record `number`'s captured-length field set to `length`. */
function withCapturedLength(number: number, length: number): Buffer {
  const copy = Buffer.from(sample);
  copy.writeUInt32LE(length, records[number - 1].offset + 8);
  return copy;
}

/** The sample with `replacements` applied wherever they occur; each replacement keeps the length. */
function rewritten(replacements: Array<[string, Buffer]>): Buffer {
  const bytes = Buffer.from(sample);
  for (const [from, to] of replacements) {
    const needle = Buffer.from(from, 'latin1');
    expect(to.length).toBe(needle.length);
    let found = 0;
    for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
      to.copy(bytes, at);
      found++;
    }
    expect(found).toBeGreaterThan(0);
  }
  return bytes;
}

/** Deterministic pseudo-random numbers (mulberry32) so every run damages the same bytes. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** No stack frames and no `Error:` dumps (commander's own `error: ...` lines are fine). */
function expectNoStackTrace(result: CliResult): void {
  for (const text of [result.stdout, result.stderr]) {
    expect(text).not.toMatch(/^\s+at /m);
    expect(text).not.toMatch(/\b[A-Z]?[A-Za-z]*Error: /);
  }
}

/** C0 controls except tab and line feed, DEL, and C1 controls. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** The SGR sequences ftpcap itself writes when colouring (bold, dim, colours, resets). */
const OWN_SGR = /\u001b\[\d+(?:;\d+)*m/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function stderrLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((line) => line !== '');
}

function parseReport(result: CliResult): Report {
  return JSON.parse(result.stdout) as Report;
}

interface FileCase {
  name: string;
  /** Writes the input into the temporary directory and returns its path. */
  make: () => string;
  code: 0 | 1;
  /** The problem stderr must state (after `ftpcap: FILE: `) and the JSON must list. */
  message: RegExp;
  /** Byte offset and packet number the JSON problem must carry; left out where the reader may choose. */
  offset?: number | null;
  frame?: number | null;
  /** How many problems (stderr lines) in all. */
  problems: number;
  /** Packets read: exactly, or [at least, at most]. */
  packets: number | [number, number];
  sessions: number;
  dataChannels: number;
}

const cutRecord = records[46]; // record 47: the third PORT command
const absurdRecord = records[99]; // record 100: in the middle of the STOR data connection (frames 50-322)
/** A pcapng section header block (28 bytes, little-endian) with its byte-order magic broken. */
const pcapngBrokenSectionHeader = Buffer.from('0a0d0d0a1c000000deadbeef01000000ffffffffffffffff1c000000', 'hex');
/** The 10-byte gzip member header of the gzipped sample, then bytes that are no deflate data. */
const gzipGarbage = () => {
  const next = random(1952);
  return Buffer.concat([gzipSync(sample).subarray(0, 10), Buffer.from(Array.from({ length: 512 }, () => Math.floor(next() * 256)))]);
};

/** One problem, and nothing analyzed: no packet, session or data channel. */
const nothingAnalyzed = { problems: 1, packets: 0, sessions: 0, dataChannels: 0 };
/** One problem at record 47 of the sample (see cutRecord), and the 46 packets before it analyzed. */
const analyzedUpToRecord47 = { offset: cutRecord.offset, frame: 47, problems: 1, packets: 46, sessions: 1, dataChannels: 2 };

const fileCases: FileCase[] = [
  {
    name: 'cut in the middle of record 47',
    make: () => write('cut-record.pcap', sample.subarray(0, cutRecord.offset + PCAP_RECORD_HEADER_LENGTH + 20)),
    code: 0,
    message: new RegExp(`ends in the middle of record 47 at byte ${cutRecord.offset} \\(header says ${cutRecord.capturedLength} bytes, only 20 present\\)`),
    ...analyzedUpToRecord47,
  },
  {
    name: 'cut inside the header of record 47',
    make: () => write('cut-record-header.pcap', sample.subarray(0, cutRecord.offset + 9)),
    code: 0,
    message: new RegExp(`ends in the middle of the header of record 47 at byte ${cutRecord.offset} \\(9 of its 16 bytes present\\)`),
    ...analyzedUpToRecord47,
  },
  {
    name: 'cut inside the global header',
    make: () => write('cut-global-header.pcap', sample.subarray(0, 10)),
    code: 1,
    message: /only 10 bytes long: too short for the 24-byte pcap file header/,
    offset: 0,
    frame: null,
    ...nothingAnalyzed,
  },
  {
    name: 'cut inside the first record (header read, no packet)',
    make: () => write('cut-first-record.pcap', sample.subarray(0, PCAP_HEADER_LENGTH + PCAP_RECORD_HEADER_LENGTH + 30)),
    code: 1, // the file ends inside its first record: nothing at all could be analyzed
    message: /ends in the middle of record 1 at byte 24 \(header says 74 bytes, only 30 present\)/,
    offset: 24,
    frame: 1,
    ...nothingAnalyzed,
  },
  {
    name: 'empty',
    make: () => write('empty.pcap', Buffer.alloc(0)),
    code: 1,
    message: /empty \(0 bytes\): not a capture/,
    offset: 0,
    frame: null,
    ...nothingAnalyzed,
  },
  {
    name: 'gzip magic, then no deflate data',
    make: () => write('gzip-garbage.pcap', gzipGarbage()),
    code: 1,
    message: /gzip/,
    ...nothingAnalyzed,
  },
  {
    name: 'the sample gzipped, cut in the middle (what was decompressed is analyzed)',
    make: () => {
      const gzipped = gzipSync(sample);
      return write('gzip-cut.pcap', gzipped.subarray(0, gzipped.length >> 1));
    },
    code: 0,
    message: /gzip/,
    problems: 2, // the compressed stream is cut, and so is the record it was in the middle of
    packets: [60, 300],
    sessions: 1,
    dataChannels: 3,
  },
  {
    name: 'zip magic (a local file header before the sample)',
    make: () => write('zipped.pcap', Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(26), Buffer.from('capture.pcap'), sample])),
    code: 1,
    message: /it starts with 50 4b 03 04; it looks like a zip archive: extract the capture from it first/,
    offset: 0,
    frame: null,
    ...nothingAnalyzed,
  },
  {
    name: 'text',
    make: () => write('notes.pcap', 'tcpdump -i eth0 -w capture.pcap port 21\nthen copy the capture here\n'),
    code: 1,
    message: /it starts with 74 63 70 64; it looks like text, not a capture/,
    offset: 0,
    frame: null,
    ...nothingAnalyzed,
  },
  {
    name: 'pcapng magic, then a broken section header',
    make: () => write('broken.pcapng', pcapngBrokenSectionHeader),
    code: 1,
    message: /pcapng/,
    ...nothingAnalyzed,
  },
  {
    name: 'pcapng magic, cut inside the section header',
    make: () => write('cut.pcapng', pcapngBrokenSectionHeader.subarray(0, 14)),
    code: 1,
    message: /pcapng/,
    ...nothingAnalyzed,
  },
  {
    name: 'pcap version 3.4',
    make: () => {
      const copy = Buffer.from(sample);
      copy.writeUInt16LE(3, 4);
      return write('version-3.pcap', copy);
    },
    code: 1,
    message: /unsupported pcap version 3\.4: only version 2\.x can be read/,
    offset: 4,
    frame: null,
    ...nothingAnalyzed,
  },
  {
    name: 'absurd captured length in record 100 (the 99 records before it are analyzed)',
    make: () => write('absurd-length.pcap', withCapturedLength(100, 0x7fffffff)),
    code: 0,
    message: new RegExp(`record 100 at byte ${absurdRecord.offset} claims 2147483647 bytes, more than the snap length \\(262144\\)`),
    offset: absurdRecord.offset,
    frame: 100,
    problems: 1,
    packets: 99,
    sessions: 1,
    dataChannels: 3,
  },
  {
    name: 'absurd captured length in record 1',
    make: () => write('absurd-length-first.pcap', withCapturedLength(1, 0xffffffff)),
    code: 1,
    message: /record 1 at byte 24 claims 4294967295 bytes/,
    offset: 24,
    frame: 1,
    ...nothingAnalyzed,
  },
  {
    name: 'missing file',
    make: () => join(dir, 'no-such-capture.pcap'),
    code: 1,
    message: /^cannot open the file: no such file$/,
    offset: null,
    frame: null,
    ...nothingAnalyzed,
  },
  {
    name: 'a directory given as a file',
    make: () => {
      const path = join(dir, 'captures.d');
      mkdirSync(path, { recursive: true });
      return path;
    },
    code: 1,
    message: /^cannot open the file: it is a directory, not a capture file$/,
    offset: null,
    frame: null,
    ...nothingAnalyzed,
  },
];

describe.each(fileCases)('file: $name', (c) => {
  test('JSON: exit status, stderr naming the file and the place, partial results', async () => {
    const path = c.make();
    const result = await runCli('analyze', path, '--format', 'json');
    expectNoStackTrace(result);
    expect(result.code).toBe(c.code);
    const lines = stderrLines(result);
    expect(lines).toHaveLength(c.problems);
    for (const line of lines) expect(line.startsWith(`ftpcap: ${path}: `)).toBe(true);
    expect(lines.some((line) => c.message.test(withoutPlace(line.slice(`ftpcap: ${path}: `.length))))).toBe(true);

    const report = parseReport(result);
    expect(report.inputs).toHaveLength(1);
    const input = report.inputs[0];
    if (typeof c.packets === 'number') expect(input.packets).toBe(c.packets);
    else expect(input.packets >= c.packets[0] && input.packets <= c.packets[1]).toBe(true);
    expect(input.problems).toHaveLength(c.problems);
    const problem = input.problems.find((p) => c.message.test(p.message));
    expect(problem).toBeDefined();
    if (c.offset !== undefined) expect(problem?.offset).toBe(c.offset);
    if (c.frame !== undefined) expect(problem?.frame).toBe(c.frame);
    // The place is on stderr too: `(packet N, byte M)`.
    if (problem?.offset != null) expect(result.stderr).toContain(`byte ${problem.offset})`);
    if (problem?.frame != null) expect(result.stderr).toContain(`(packet ${problem.frame}, `);
    expect(report.summary.sessions).toBe(c.sessions);
    expect(report.summary.dataChannels).toBe(c.dataChannels);
  });

  test('text: same status and stderr, the problems in the report too', async () => {
    const path = c.make();
    const result = await runCli('analyze', path, '--no-color');
    expectNoStackTrace(result);
    expect(result.code).toBe(c.code);
    const lines = stderrLines(result);
    expect(lines).toHaveLength(c.problems);
    expect(result.stdout.startsWith(`ftpcap ${path}: `)).toBe(true);
    // Labelled with its severity: an error when it stopped reading the file, else a warning.
    for (const line of lines)
      expect(result.stdout).toMatch(new RegExp(`(error|warning) ${escapeRegExp(withoutPlace(line.slice(`ftpcap: ${path}: `.length)))}`));
    expect(result.stdout).not.toMatch(RAW_CONTROL);
  });
});

/** A problem as printed on stderr, without the `(packet N, byte M)` that ends it. */
function withoutPlace(text: string): string {
  return text.replace(/ \((?:packet \d+, )?byte \d+\)$/, '');
}

test('the absurd record length keeps the channels before it: two completed, the STOR incomplete', async () => {
  const path = write('absurd-length.pcap', withCapturedLength(100, 0x7fffffff));
  const report = parseReport(await runCli('analyze', path, '--format', 'json'));
  expect(report.summary.byStatus).toMatchObject({ completed: 2, incomplete: 1 });
  expect(report.sessions[0].dataChannels.map((ch) => ch.transfer?.command)).toEqual(['LIST', 'RETR', 'STOR']);
});

test('a valid capture with no records: nothing to report, nothing wrong, status 0', async () => {
  const path = write('header-only.pcap', sample.subarray(0, PCAP_HEADER_LENGTH));
  const result = await runCli('analyze', path, '--format', 'json');
  expectNoStackTrace(result);
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  const report = parseReport(result);
  expect(report.inputs[0]).toMatchObject({ packets: 0, problems: [] });
  expect(report.summary.sessions).toBe(0);
});

describe('several files, some bad', () => {
  const good = SAMPLE;
  const otherCut = () => {
    const other = readFileSync(join('samples', 'passive-epsv', 'capture.pcap'));
    return other.subarray(0, readPcapRecords(other)[11].offset + PCAP_RECORD_HEADER_LENGTH + 10);
  };

  test.each([
    { name: 'missing, then good', bad: () => join(dir, 'gone.pcap'), badFirst: true, message: /cannot open the file: no such file/, sessions: 1 },
    { name: 'damaged gzip, then good', bad: () => write('two-gzip.pcap', gzipGarbage()), badFirst: true, message: /gzip/, sessions: 1 },
    // Another capture (samples/passive-epsv, curl's session) cut inside record 12: its session is reported too.
    { name: 'good, then cut', bad: () => write('two-cut.pcap', otherCut()), badFirst: false, message: /ends in the middle of record 12/, sessions: 2 },
    { name: 'good, then a directory', bad: () => dir, badFirst: false, message: /it is a directory/, sessions: 1 },
  ])('$name: status 0, the bad one named on stderr, the good one reported', async ({ bad, badFirst, message, sessions }) => {
    const badPath = bad();
    const files = badFirst ? [badPath, good] : [good, badPath];
    const goodInput = badFirst ? 2 : 1; // 1-based, as in the report's *Input fields
    const result = await runCli('analyze', ...files, '--format', 'json');
    expectNoStackTrace(result);
    expect(result.code).toBe(0);
    const lines = stderrLines(result);
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith(`ftpcap: ${badPath}: `)).toBe(true);
    expect(lines[0]).toMatch(message);
    const report = parseReport(result);
    expect(report.inputs.map((i) => i.file)).toEqual(files);
    expect(report.inputs[goodInput - 1].problems).toEqual([]);
    expect(report.inputs[2 - goodInput].problems).toHaveLength(1);
    expect(report.summary.sessions).toBe(sessions);
    // Frame numbers are per file: the good file's session says which input its frames are in.
    const fromGood = report.sessions.filter((s) => s.startInput === goodInput);
    expect(fromGood).toHaveLength(1);
    expect(fromGood[0].dataChannels.map((ch) => ch.status)).toEqual(['completed', 'completed', 'completed']);
  });

  test('two bad files: status 1, both named', async () => {
    const empty = write('two-empty.pcap', Buffer.alloc(0));
    const missing = join(dir, 'two-missing.pcap');
    const result = await runCli('analyze', empty, missing, '--format', 'json');
    expectNoStackTrace(result);
    expect(result.code).toBe(1);
    const lines = stderrLines(result);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^ftpcap: ${escapeRegExp(empty)}: .*empty \\(0 bytes\\)`));
    expect(lines[1]).toMatch(new RegExp(`^ftpcap: ${escapeRegExp(missing)}: cannot open the file: no such file$`));
    expect(parseReport(result).summary.sessions).toBe(0);
  });
});

describe('garbage inside the control connection payloads', () => {
  test('the sample has control payloads to damage', () => {
    // tshark -r samples/active-port/capture.pcap -Y 'tcp.port == 21 && tcp.len > 0': 28 frames.
    expect(payloads).toHaveLength(28);
  });

  const set = (bytes: Buffer, at: number, value: number) => {
    bytes[at] = value;
  };
  const cases: Array<{ name: string; damage: (bytes: Buffer) => void }> = [
    {
      name: 'first byte of every payload inverted',
      damage: (b) =>
        payloads.forEach((p) => {
          set(b, p.start, b[p.start] ^ 0xff);
        }),
    },
    {
      name: 'CR LF of every payload turned into NUL NUL',
      damage: (b) =>
        payloads.forEach((p) => {
          set(b, p.end - 2, 0);
          set(b, p.end - 1, 0);
        }),
    },
    {
      name: 'byte 3 of every payload (after the code or verb) set to ESC',
      damage: (b) =>
        payloads.forEach((p) => {
          set(b, p.start + 3, 0x1b);
        }),
    },
    {
      name: 'middle byte of every payload set to 0xff (Telnet IAC)',
      damage: (b) =>
        payloads.forEach((p) => {
          set(b, (p.start + p.end) >> 1, 0xff);
        }),
    },
    {
      name: 'last byte of every payload set to 0x9b (C1 CSI)',
      damage: (b) =>
        payloads.forEach((p) => {
          set(b, p.end - 1, 0x9b);
        }),
    },
    {
      name: 'every payload replaced by random bytes',
      damage: (b) => {
        const next = random(2026);
        payloads.forEach((p) => {
          for (let i = p.start; i < p.end; i++) b[i] = Math.floor(next() * 256);
        });
      },
    },
    ...Array.from({ length: 24 }, (_, seed) => ({
      name: `seed ${seed}: 1 to 8 random bytes at random offsets of random payloads`,
      damage: (b: Buffer) => {
        const next = random(seed + 1);
        const count = 1 + Math.floor(next() * 8);
        for (let i = 0; i < count; i++) {
          const p = payloads[Math.floor(next() * payloads.length)];
          set(b, p.start + Math.floor(next() * (p.end - p.start)), Math.floor(next() * 256));
        }
      },
    })),
  ];

  test.each(cases)('$name: the session is still reported, nothing raw reaches the terminal', async ({ name, damage }) => {
    const bytes = Buffer.from(sample);
    damage(bytes);
    expect(bytes.equals(sample)).toBe(false);
    const path = write(`garbage-${name.replace(/[^a-z0-9]+/gi, '-')}.pcap`, bytes);

    const json = await runCli('analyze', path, '--format', 'json');
    expectNoStackTrace(json);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe(''); // the file is sound: damaged FTP is a finding, not a file problem
    const report = parseReport(json);
    expect(report.inputs[0].packets).toBe(331);
    expect(report.summary.sessions).toBe(1);
    expect(report.summary.dataChannels).toBeLessThanOrEqual(3);

    const text = await runCli('analyze', path, '--no-color', '--show-passwords');
    expectNoStackTrace(text);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(RAW_CONTROL);
  });
});

describe('terminal escape sequences in the capture', () => {
  // Rewritten in place, same lengths: the user name (USER, frame 6), the password (PASS, frame 9), the
  // greeting (frame 4), the file name of RETR (frame 33, and in the 150 reply, frame 37) and the port
  // numbers of the third PORT (frame 47, which no longer parses).
  const hostile = rewritten([
    ['alice', Buffer.from('\x1b[2J\x07', 'latin1')],
    ['readme.txt', Buffer.from('\x9b31m\x1b]0;\x07x', 'latin1')],
    ['wonderland-42', Buffer.from('\x1b]2;pwn\x07\x7f\x00\x9b\x1b[', 'latin1')],
    ['vsFTPd 3.0.3', Buffer.from('\x1b[31mevil\x9b\x07\x7f', 'latin1')],
    ['198,51,100,22,131,123', Buffer.from('198,51,100,22,1\x1b[2J\x9b3', 'latin1')],
  ]);
  const file = () => write('escapes.pcap', hostile);
  const visible = [
    'user     \\x1b[2J\\x07 (logged in)',
    'USER \\x1b[2J\\x07',
    'RETR \\x9b31m\\x1b]0;\\x07x',
    'for \\x9b31m\\x1b]0;\\x07x (119 bytes)',
    '220 (\\x1b[31mevil\\x9b\\x07\\x7f)',
    'PORT 198,51,100,22,1\\x1b[2J\\x9b3',
  ];

  test('text: no raw control character, every one shown as an escape', async () => {
    const result = await runCli('analyze', file(), '--no-color');
    expectNoStackTrace(result);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    for (const text of visible) expect(result.stdout).toContain(text);
    expect(result.stdout).toContain('PASS ********');
  });

  test('text with --show-passwords: the password is escaped too', async () => {
    const result = await runCli('analyze', file(), '--no-color', '--show-passwords');
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(result.stdout).toContain('PASS \\x1b]2;pwn\\x07\\x7f\\x00\\x9b\\x1b[');
  });

  test('coloured text: only ftpcap’s own colour codes are raw', async () => {
    const result = await runCli('analyze', file(), '--color', '--show-passwords');
    expect(result.stdout).toMatch(OWN_SGR);
    expect(result.stdout.replace(OWN_SGR, '')).not.toMatch(RAW_CONTROL);
    for (const text of visible) expect(result.stdout.replace(OWN_SGR, '')).toContain(text);
  });

  test('JSON: C0 controls are escaped (\\u001b) and the values round-trip', async () => {
    const result = await runCli('analyze', file(), '--format', 'json', '--show-passwords');
    expectNoStackTrace(result);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(result.stdout).toContain('"user": "\\u001b[2J\\u0007"');
    const session = parseReport(result).sessions[0];
    expect(session.user).toBe('\x1b[2J\x07');
    // A lone 0x9b is no UTF-8: it is shown as the text \x9b, the controls around it kept as they are.
    expect(session.dataChannels[1].transfer?.arg).toBe('\\x9b31m\x1b]0;\x07x');
    expect(session.timeline.find((e) => e.line?.startsWith('PASS '))?.line).toBe('PASS \x1b]2;pwn\x07\x7f\x00\\x9b\x1b[');
    expect(session.findings.map((f) => f.code)).toContain('malformed-announcement');
  });
});

// JSON.stringify escapes only U+0000-U+001F: DEL and the C1 controls (U+0080-U+009F; U+009B is CSI, sent in
// UTF-8 as c2 9b, which the capture's text is read as) reach stdout raw. `ftpcap analyze escapes.pcap --format json` prints e.g. `"arg": "<U+009B>31m\u001b]0;\u0007x"`
// (bytes c2 9b in UTF-8), and a terminal that honours 8-bit C1 controls in UTF-8 (xterm does) acts on it when
// the report is viewed with cat or less -R. Expected: `\u009b`, `\u007f` (src/cli/main.ts, JSON output).
describe('JSON output escapes DEL and C1 control characters', () => {
  test('no raw DEL or C1 control in the JSON', async () => {
    const hostile = rewritten([
      ['readme.txt', Buffer.from('\u009b31m\x1b]0;\x07', 'utf8')],
      ['vsFTPd 3.0.3', Buffer.from('\x1b[31mevil\u009b\x07', 'utf8')],
    ]);
    const result = await runCli('analyze', write('escapes-c1.pcap', hostile), '--format', 'json');
    expect(result.stdout).not.toMatch(/[\u007f-\u009f]/);
    expect(result.stdout).toContain('\\u009b31m');
  });
});

// `ftpcap analyze "$(printf 'ev\033[2Jil\a.pcap')"` (an empty file with that name) writes the name raw to stderr:
// `ftpcap: ev<ESC>[2Jil<BEL>.pcap: the file is empty ...`, which clears the screen. The text report sanitizes the
// same name (src/report/text.ts), the stderr lines do not (src/cli/main.ts, the problems loop). A file name
// from a glob over a directory that holds other people's captures is as hostile as their contents.
describe('file names are escaped on stderr', () => {
  test('control characters in a file name are escaped on stderr', async () => {
    const path = write('ev\x1b[2Jil\x07.pcap', Buffer.alloc(0));
    const result = await runCli('analyze', path);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stderr).toContain('ev\\x1b[2Jil\\x07.pcap');
  });
});

// A pcap whose header names a link type ftpcap does not decode (here 147, LINKTYPE_USER0, written into the
// sample's header) is read, every one of its 331 frames is skipped as "unsupported-link-type" (src/decode/index.ts),
// and nothing says so: stderr is empty, there is no finding, and the text report suggests the wrong cause:
// "No FTP control connection was found. FTP on a port other than 21? Try --ftp-port N."
describe('a capture of an unsupported link type says so', () => {
  test('the report says the link type cannot be decoded', async () => {
    const copy = Buffer.from(sample);
    copy.writeUInt32LE(147, 20);
    const result = await runCli('analyze', write('link-type-147.pcap', copy), '--no-color');
    expect(result.code).toBe(0);
    expect(`${result.stdout}\n${result.stderr}`).toMatch(/(LINKTYPE_147|link type 147)[^\n]*(not supported|unsupported|cannot be decoded|not decoded)/i);
    expect(result.stdout).not.toMatch(/FTP on a port other than 21/);
  });
});

describe('command line mistakes and information', () => {
  // biome-ignore format: a table, one row a line
  test.each([
    { args: ['analyze', '--ftp-port', 'abc', SAMPLE], first: /^error: option '-p, --ftp-port <port>' argument 'abc' is invalid\. "abc" is not a TCP port \(1-65535\)$/ },
    { args: ['analyze', '--ftp-port', '0', SAMPLE], first: /argument '0' is invalid\. "0" is not a TCP port \(1-65535\)$/ },
    { args: ['analyze', '--ftp-port', '65536', SAMPLE], first: /argument '65536' is invalid\. "65536" is not a TCP port \(1-65535\)$/ },
    { args: ['analyze', '--format', 'xml', SAMPLE], first: /^error: option '-f, --format <format>' argument 'xml' is invalid\. Allowed choices are text, json, html, csv, ndjson, zeek\.$/ },
    { args: ['analyze', '--zeek-json', SAMPLE], first: /^error: --zeek-json and --zeek-commands go with --format zeek, not --format text$/ },
    { args: ['analyze', '--format', 'zeek', '--zeek-commands', 'US3R', SAMPLE], first: /argument 'US3R' is invalid\. "US3R" is not an FTP command \(or <init>\)$/ },
    { args: ['help', 'no-such-code'], first: /^ftpcap: no help on "no-such-code": not a command nor a finding code \(run "ftpcap help codes" for the codes\)$/ },
    { args: ['watch'], first: /^error: required option '-i, --interface <name>' not specified$/ },
    { args: ['analyze'], first: /^error: missing required argument 'capture'$/ },
    { args: ['bogus', SAMPLE], first: /^error: unknown command 'bogus'$/ },
  ])('$args: status 2 and a one-line explanation', async ({ args, first }) => {
    const result = await runCli(...args);
    expectNoStackTrace(result);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = stderrLines(result);
    expect(lines[0]).toMatch(first);
    // The explanation, then at most the hint where to read more.
    expect(lines.slice(1)).toEqual(lines.length > 1 ? ['(run "ftpcap analyze --help" for the options)'] : []);
  });

  test.each([
    { args: ['--help'], out: /^Usage: ftpcap \[options\] \[command\]/ },
    { args: ['analyze', '--help'], out: /^Usage: ftpcap analyze \[options\] <capture\.\.\.>[\s\S]*--ftp-port <port>/ },
    { args: ['--version'], out: new RegExp(`^${escapeRegExp(version)}\\n$`) },
    { args: ['-V'], out: new RegExp(`^${escapeRegExp(version)}\\n$`) },
  ])('$args: status 0, on stdout', async ({ args, out }) => {
    const result = await runCli(...args);
    expectNoStackTrace(result);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(out);
    expect(result.stderr).toBe('');
  });
});
