/**
 * `--format zeek` against Zeek's own baselines: for every Zeek FTP trace whose test expects an
 * ftp.log, ftpcap's ftp.log must hold the same lines in the same order, field for field.
 *
 * The traces and baselines are Zeek's (testing/btest/Traces/ftp, testing/btest/Baseline/<test>),
 * copied into test/fixtures/corpus/zeek with their licence (see test/fixtures/corpus/README.md).
 * Each case runs with the settings of Zeek's test script: extra `FTP::logged_commands`,
 * `default_capture_password`, and the limits some tests lower.
 *
 * Not compared, and why:
 * - `ts`: btest masks it in the baselines (XXXXXXXXXX.XXXXXX); ftpcap's must be the command's
 *   packet time, checked below against the frame for two traces;
 * - `uid`, `fuid`: identifiers Zeek draws itself; the uid must only group the same rows;
 * - `mime_type`: Zeek sniffs it from the transferred bytes, which ftpcap never keeps: ftpcap
 *   leaves it unset, and the rows where Zeek has one are counted.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { analyzeCaptures } from '../../src/index';
import { renderZeekAscii, renderZeekJson } from '../../src/report/zeek';
import { zeekDefaultLoggedCommands, type ZeekFtpLogOptions } from '../../src/zeek/ftp-log';
import { runCli } from '../e2e/run-cli';

const zeekDir = join('test', 'fixtures', 'corpus', 'zeek', 'testing', 'btest');
const trace = (name: string) => join(zeekDir, 'Traces', 'ftp', name);
const baseline = (test: string) => join(zeekDir, 'Baseline', test, 'ftp.log');

interface ZeekCase {
  /** Zeek's test name (the Baseline folder). */
  test: string;
  trace: string;
  /** ftpcap's command-line options that mirror the test script's settings. */
  args: string[];
  /** Rows where Zeek sniffed a mime_type that ftpcap cannot know. */
  mimeTypes: number;
}

// biome-ignore format: a table, one row a line
const cases: ZeekCase[] = [
  { test: 'scripts.base.protocols.ftp.ftp-ipv4', trace: 'ipv4.pcap', args: [], mimeTypes: 2 },
  { test: 'scripts.base.protocols.ftp.ftp-ipv6', trace: 'ipv6.pcap', args: [], mimeTypes: 0 },
  // Full zeek; logged_commands += {<init>, AUTH}.
  { test: 'scripts.base.protocols.ftp.ftp-auth-tls', trace: 'ftp-auth-tls.pcap', args: ['--zeek-commands', '<init>,AUTH'], mimeTypes: 0 },
  { test: 'scripts.base.protocols.ftp.cwd-navigation', trace: 'cwd-navigation.pcap', args: [], mimeTypes: 0 },
  { test: 'scripts.base.protocols.ftp.ftp-get-file-size', trace: 'ftp-with-numbers-in-filename.pcap', args: [], mimeTypes: 1 },
  // logged_commands += {USER, PASS, SYST, QUIT}; a server line that is no reply stops Zeek's analyzer.
  { test: 'scripts.base.protocols.ftp.ftp-invalid-reply-code', trace: 'ftp-invalid-reply-code.pcap', args: ['--zeek-commands', 'USER,PASS,SYST,QUIT'], mimeTypes: 0 },
  { test: 'scripts.base.protocols.ftp.ftp-missing-reply-code', trace: 'ftp-missing-reply-code.pcap', args: ['--zeek-commands', 'USER,PASS,SYST,QUIT'], mimeTypes: 0 },
  {
    test: 'scripts.base.protocols.ftp.ftp-missing-space-after-reply-code',
    trace: 'ftp-missing-space-after-reply-code.pcap',
    args: ['--zeek-commands', 'USER,PASS,SYST,QUIT'],
    mimeTypes: 0,
  },
  // logged_commands += {USER, SYST}; two 132-letter commands are dropped, the replies shift.
  { test: 'scripts.base.protocols.ftp.ftp-max-command-length', trace: 'fake-long-commands.pcap', args: ['--zeek-commands', 'USER,SYST'], mimeTypes: 0 },
  // logged_commands += {<init>, USER, PASS}.
  { test: 'scripts.base.protocols.ftp.ftp-multiline-reply', trace: 'ipv6-multiline-reply.pcap', args: ['--zeek-commands', '<init>,USER,PASS'], mimeTypes: 0 },
  // default_capture_password = T, then F.
  {
    test: 'scripts.base.protocols.ftp.ftp-password-pass-command',
    trace: 'ftp-password-pass-command.pcap',
    args: ['--zeek-commands', 'USER,PASS,SYST,QUIT', '--show-passwords'],
    mimeTypes: 0,
  },
  {
    test: 'scripts.base.protocols.ftp.ftp-password-pass-command-hidden',
    trace: 'ftp-password-pass-command.pcap',
    args: ['--zeek-commands', 'USER,PASS,SYST,QUIT'],
    mimeTypes: 0,
  },
  { test: 'scripts.base.protocols.ftp.ftp-samba-retr', trace: 'ipv6-retr-samba.pcap', args: ['--zeek-commands', 'USER,PASS,RETR'], mimeTypes: 0 },
  { test: 'scripts.policy.protocols.ftp.ftp', trace: 'ipv6-multiline-reply.pcap', args: [], mimeTypes: 0 },
  // 30 sessions of USER / PASS (530) / QUIT; the baseline holds the QUIT rows.
  { test: 'scripts.policy.protocols.ftp.bruteforce', trace: 'bruteforce.pcap', args: ['--zeek-commands', 'QUIT'], mimeTypes: 0 },
];

/** Settings that have no command-line option: Zeek's lowered limits, through the library. */
interface LimitCase {
  test: string;
  trace: string;
  options: Partial<ZeekFtpLogOptions>;
  mimeTypes: number;
}

const logged = (...extra: string[]) => new Set([...zeekDefaultLoggedCommands, ...extra]);

const limitCases: LimitCase[] = [
  // max_pending_commands = 5, logged_commands += {USER, SYST}: the client pipelines 8 commands before any reply.
  {
    test: 'scripts.base.protocols.ftp.ftp-max-pending-commands',
    trace: 'fake-server-delays-all.pcap',
    options: { loggedCommands: logged('USER', 'SYST'), maxPendingCommands: 5 },
    mimeTypes: 0,
  },
  // logged_commands += {CWD, USER}; max_arg_length = 13; max_reply_msg_length = 17.
  {
    test: 'scripts.base.protocols.ftp.ftp-max-arg-length',
    trace: 'ipv4.pcap',
    options: { loggedCommands: logged('CWD', 'USER'), maxArgLength: 13, maxReplyMsgLength: 17 },
    mimeTypes: 2,
  },
  // max_user_length = 4; max_password_length = 2; default_capture_password = T.
  {
    test: 'scripts.base.protocols.ftp.ftp-max-user-length',
    trace: 'ipv4.pcap',
    options: { maxUserLength: 4, maxPasswordLength: 2, capturePasswords: true },
    mimeTypes: 2,
  },
];

interface Log {
  header: string[];
  fields: string[];
  rows: string[][];
}

function parseLog(text: string): Log {
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('### '));
  const header = lines.filter((l) => l.startsWith('#'));
  const fields = (header.find((l) => l.startsWith('#fields\t')) ?? '').split('\t').slice(1);
  return { header, fields, rows: lines.filter((l) => !l.startsWith('#')).map((l) => l.split('\t')) };
}

/** Header lines without the values btest masks (`#open`, `#close`). */
const stableHeader = (header: string[]) => header.filter((l) => !/^#(open|close)/.test(l));

/** Totals over every comparison, checked at the end. */
const totals = { logs: 0, rows: 0, fields: 0, mimeTypes: 0 };

function compare(expectedText: string, actualText: string, mimeTypes: number): void {
  const expected = parseLog(expectedText);
  const actual = parseLog(actualText);
  expect(stableHeader(actual.header)).toEqual(stableHeader(expected.header));
  expect(actual.header.some((l) => /^#open\t\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$/.test(l))).toBe(true);
  expect(actual.header.at(-1)).toMatch(/^#close\t\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$/);
  expect(actual.fields).toEqual(expected.fields);
  const column = (name: string) => expected.fields.indexOf(name);
  const skipped = new Set(['ts', 'uid', 'fuid', 'mime_type'].map(column));
  // Row by row, so that a difference names its row.
  expect(actual.rows.length).toBe(expected.rows.length);
  const uids = new Map<string, string>();
  let sniffed = 0;
  expected.rows.forEach((row, i) => {
    const got = actual.rows[i];
    expect(
      got.filter((_, f) => !skipped.has(f)),
      `row ${i + 1}`,
    ).toEqual(row.filter((_, f) => !skipped.has(f)));
    expect(got[column('ts')]).toMatch(/^\d{10}\.\d{6}$/);
    expect(got[column('uid')]).toMatch(/^C[0-9A-Za-z]{16}$/);
    expect(got[column('fuid')]).toBe('-');
    expect(got[column('mime_type')]).toBe('-');
    if (row[column('mime_type')] !== '-') sniffed++;
    // Rows of one connection share a uid, rows of different connections do not.
    const uid = row[column('uid')];
    if (!uids.has(uid)) {
      expect([...uids.values()]).not.toContain(got[column('uid')]);
      uids.set(uid, got[column('uid')]);
    }
    expect(got[column('uid')]).toBe(uids.get(uid));
  });
  expect(sniffed).toBe(mimeTypes);
  totals.logs++;
  totals.rows += expected.rows.length;
  totals.fields += expected.rows.length * (expected.fields.length - skipped.size);
  totals.mimeTypes += sniffed;
}

const read = async (file: string) => (await import('node:fs')).readFileSync(file, 'utf8');

describe("ftp.log matches Zeek's baselines", () => {
  test.each(cases)('$test', async ({ test: name, trace: file, args, mimeTypes }) => {
    const result = await runCli('analyze', '-q', '--format', 'zeek', ...args, trace(file));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    compare(await read(baseline(name)), result.stdout, mimeTypes);
  });

  test.each(limitCases)('$test (limits through the library)', async ({ test: name, trace: file, options, mimeTypes }) => {
    const { result, inputs } = await analyzeCaptures([trace(file)], { zeekFtp: options });
    expect(inputs[0].problems).toEqual([]);
    const text = renderZeekAscii(result.zeekFtp, { openMicros: 0, closeMicros: 0 });
    compare(await read(baseline(name)), text, mimeTypes);
  });

  test('in all: 18 logs, 1,469 rows, every compared field equal', () => {
    // 15 logs through the command line and 3 through the library; per row 15 of the 19 fields are
    // compared (all but ts, uid, fuid, mime_type). Zeek sniffed a mime_type in 7 rows.
    expect(totals).toEqual({ logs: 18, rows: 1469, fields: 1469 * 15, mimeTypes: 7 });
  });
});

describe('what the baselines cannot show', () => {
  test('ts is the time of the packet that carried the command', async () => {
    // ipv4.pcap: the first PASV is frame 41 (tshark -r ipv4.pcap -Y 'ftp.request.command == "PASV"'
    // -T fields -e frame.number -e frame.time_epoch: 41 1329843175.680248).
    const result = await runCli('analyze', '-q', '--format', 'zeek', trace('ipv4.pcap'));
    const rows = parseLog(result.stdout).rows;
    expect(rows[0].slice(0, 1).concat(rows[0][8])).toEqual(['1329843175.680248', 'PASV']);
  });

  test('--zeek-json writes the same records as JSON lines, unset fields left out', async () => {
    const ascii = parseLog((await runCli('analyze', '-q', '--format', 'zeek', trace('ipv6.pcap'))).stdout);
    const json = (await runCli('analyze', '-q', '--format', 'zeek', '--zeek-json', trace('ipv6.pcap'))).stdout;
    const objects = json
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects).toHaveLength(ascii.rows.length);
    objects.forEach((object, i) => {
      for (const [f, name] of ascii.fields.entries()) {
        const cell = ascii.rows[i][f];
        if (cell === '-') expect(object).not.toHaveProperty(name);
        else if (name === 'data_channel.passive') expect(object[name]).toBe(cell === 'T');
        else if (['ts', 'id.orig_p', 'id.resp_p', 'file_size', 'reply_code', 'data_channel.resp_p'].includes(name)) expect(object[name]).toBe(Number(cell));
        else expect(object[name]).toBe(cell);
      }
    });
    expect(json.split('\n')[0]).toMatch(/^\{"ts":1329327783\.207785,"uid":"C/);
    // Same records as the library gives.
    const { result } = await analyzeCaptures([trace('ipv6.pcap')], { zeekFtp: true });
    expect(renderZeekJson(result.zeekFtp)).toBe(json);
  });

  test('-o DIR writes ftp.log there', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'ftpcap-zeek-'));
    try {
      const result = await runCli('analyze', '-q', '-f', 'zeek', '-o', join(dir, 'logs'), trace('ipv4.pcap'));
      expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
      expect(readFileSync(join(dir, 'logs', 'ftp.log'), 'utf8')).toBe((await runCli('analyze', '-q', '-f', 'zeek', trace('ipv4.pcap'))).stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Where ftpcap knows better than the log Zeek writes.
  test("ipv6-multiline-reply: Zeek's RETR row carries the 221 of the client's disconnect; the RETR failed with 550 (frame 44)", async () => {
    const { report } = await analyzeCaptures([trace('ipv6-multiline-reply.pcap')]);
    // Refused at once (550, no 1xx, no data connection): the RETR is a failed transfer that left
    // its channel unused for a next transfer command.
    const session = report.sessions[0];
    expect(session.transfersWithoutChannel).toEqual([expect.objectContaining({ command: 'RETR', replyCode: 550 })]);
    expect(session.timeline.find((t) => t.frame === 44)?.text).toMatch(/refuses the transfer before any data connection/);
    expect(session.dataChannels[0].status).toBe('unused');
    // The 221 (frame 47) answers no command: the client closed without QUIT. Zeek pairs it with
    // the RETR still in its pending table and writes that row only when the connection ends.
    expect(report.sessions[0].timeline.find((t) => t.frame === 47)?.text).toBe('server sends a reply to no pending command');
  });

  test("cwd-navigation: Zeek's 688 data_channel rows expect connections the capture does not hold, to an address that is not the server's", async () => {
    const { report } = await analyzeCaptures([trace('cwd-navigation.pcap')]);
    const channels = report.sessions[0].dataChannels;
    expect(channels).toHaveLength(688);
    expect(channels.every((c) => c.connection === null)).toBe(true);
    // The first 227 (frame 38) names 205.167.25.101 while the control server is 10.167.25.101.
    expect(channels[0]).toMatchObject({ frame: 38, announced: { ip: '205.167.25.101', port: 62459 } });
    expect(report.sessions[0].server.ip).toBe('10.167.25.101');
    expect(report.sessions[0].findings.map((f) => f.code)).toContain('pasv-address-mismatch');
  });

  test("ipv4: the active data connections come from ephemeral ports, which Zeek's data_channel (orig_h only) does not say", async () => {
    const { report } = await analyzeCaptures([trace('ipv4.pcap')]);
    const active = report.sessions[0].dataChannels.filter((c) => c.mode === 'active');
    expect(active.map((c) => c.connection?.from)).toEqual([
      { ip: '199.233.217.249', port: expect.any(Number) },
      { ip: '199.233.217.249', port: expect.any(Number) },
    ]);
    expect(active.every((c) => c.connection !== null && c.connection.from.port !== 20)).toBe(true);
  });
});
