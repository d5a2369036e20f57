/**
 * Timestamps no calendar can show: a pcapng packet block whose 64-bit timestamp is 2^64-1
 * microseconds (about 584 542 years after 1970), and an interface whose `if_tsresol` (0xff:
 * 2^-127 s) makes every timestamp fall within the first second of 1970. Both must be reported
 * (input problems naming file, packet and offset) and never end the run.
 *
 * The captures are generated: a scripted vsftpd-like PASV download (test/correlate/script.ts),
 * written as pcapng by test/capture/pcapng-builder.ts with one interface.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Report } from '../../src/report/build';
import { isShowableTime, MAX_TIME_MICROS, MIN_TIME_MICROS } from '../../src/capture/types';
import { PcapngBuilder } from '../capture/pcapng-builder';
import { c, data, fin, s, script } from '../correlate/script';
import { dial } from '../correlate/lab';
import { runCli } from '../e2e/run-cli';

const dir = mkdtempSync(join(tmpdir(), 'ftpcap-hostile-times-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const client = { ip: '198.51.100.20', port: 40000 };
const server = { ip: '192.0.2.10', port: 21 };
const dataClient = { ip: '198.51.100.20', port: 40001 };
const dataServer = { ip: '192.0.2.10', port: 30000 };

const session = script(
  [{ client, server }],
  [
    s('220 (vsFTPd 3.0.3)'),
    c('USER anonymous'),
    s('331 Please specify the password.'),
    c('PASS a@b'),
    s('230 Login successful.'),
    c('PASV'),
    s('227 Entering Passive Mode (192,0,2,10,117,48).'),
    dial(dataClient, dataServer),
    c('RETR f'),
    s('150 Opening BINARY mode data connection for f (10 bytes).'),
    data(dataServer, dataClient, 10),
    fin(dataServer, dataClient),
    fin(dataClient, dataServer),
    s('226 Transfer complete.'),
  ],
);

/** The session as pcapng; `timestamp(i)` gives packet i's (0-based) timestamp in interface units. */
function pcapng(name: string, tsresol: number | undefined, timestamp: (i: number, micros: number) => bigint): string {
  const b = new PcapngBuilder();
  const blocks = [b.shb(), b.idb({ linkType: 1, tsresol })];
  session.frames.forEach((frame, i) => {
    blocks.push(b.epb({ timestamp: timestamp(i, frame.timeMicros), data: frame.data }));
  });
  const file = join(dir, name);
  writeFileSync(file, Buffer.concat(blocks));
  return file;
}

const MAX_U64 = (1n << 64n) - 1n;

describe('timestamps outside what a date can show', () => {
  test('a packet 2^64-1 µs after 1970 is reported and analyzed with the time before it', async () => {
    const huge = 6; // the PASV command's frame (7)
    const file = pcapng('huge.pcapng', undefined, (i, micros) => (i === huge ? MAX_U64 : BigInt(micros)));
    for (const format of ['text', 'json']) {
      const result = await runCli('analyze', '--format', format, file);
      expect(result.stderr).not.toMatch(/internal error/);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(
        /packet block at byte \d+ \(frame 7\) has a timestamp .*that no date can show.*given the time of the packet before it \(packet 7, byte \d+\)/,
      );
      if (format === 'json') {
        const report = JSON.parse(result.stdout) as Report;
        expect(report.inputs[0].problems).toHaveLength(1);
        expect(report.inputs[0].problems[0]).toMatchObject({ frame: 7 });
        // The packet was still analyzed: the PASV opened the channel the download used.
        expect(report.sessions[0].dataChannels.map((ch) => ch.status)).toEqual(['completed']);
        expect(report.sessions[0].timeline.find((e) => e.frame === 7)?.time).toBe(report.sessions[0].timeline.find((e) => e.frame === 6)?.time);
      } else {
        expect(result.stdout).toMatch(/FTP session/);
      }
    }
  });

  test('every packet out of range: none crashes, one problem counts them', async () => {
    const file = pcapng('all-huge.pcapng', undefined, (i) => MAX_U64 - BigInt(i));
    const result = await runCli('analyze', '--format', 'json', file);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.inputs[0].problems).toHaveLength(1);
    expect(report.inputs[0].problems[0].message).toContain(`(and so for ${session.frames.length - 1} more packet blocks)`);
    expect(report.sessions).toHaveLength(1);
  });

  test.each([
    ['ff', 0xff, '2^-127'],
    ['7f', 0x7f, '1e-127'],
    ['c0', 0xc0, '2^-64'],
    ['14', 20, '1e-20'],
  ])('if_tsresol 0x%s (%s, %s s) cannot hold a date: said so, and times are read as microseconds', async (_, tsresol, unit) => {
    const file = pcapng(`tsresol-${tsresol}.pcapng`, tsresol, (_, micros) => BigInt(micros));
    const result = await runCli('analyze', '--format', 'json', file);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    const problems = report.inputs[0].problems;
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toContain(`if_tsresol ${unit} s`);
    expect(problems[0].message).toMatch(/read as microseconds/);
    expect(report.sessions[0].start).toBe('2026-11-21T10:00:00.000000Z');
  });

  test('the finest resolution that still holds a date (1e-19 s) is read as it says', async () => {
    const file = pcapng('tsresol-19.pcapng', 19, (i) => BigInt(i) * 10n ** 17n);
    const result = await runCli('analyze', '--format', 'json', file);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.inputs[0].problems).toEqual([]);
    // 2^64 units of 1e-19 s reach 1.8 s after 1970: odd, but a time; packets 10 ms apart.
    expect(report.sessions[0].start).toBe('1970-01-01T00:00:00.000000Z');
    expect(report.sessions[0].end).toBe(`1970-01-01T00:00:00.${String((session.frames.length - 1) * 10_000).padStart(6, '0')}Z`);
  });
});

describe('the last time a report can show', () => {
  // The end of 9999-12-31 as a double: 253 402 300 799 999 999 µs is not one and would round up
  // to 10000-01-01, a year ISO 8601's four digits cannot write.
  test.each<[string, number, boolean]>([
    ['the last showable double', MAX_TIME_MICROS, true],
    ['10000-01-01T00:00:00Z', 253_402_300_800_000_000, false],
    ['0001-01-01T00:00:00Z', MIN_TIME_MICROS, true],
    ['the double before 0001-01-01', MIN_TIME_MICROS - 8, false],
  ])('%s: showable %s', (_name, time, showable) => {
    expect(isShowableTime(time)).toBe(showable);
    if (showable) expect(new Date(Math.floor(time / 1000)).toISOString()).toMatch(/^\d{4}-/);
  });
});
