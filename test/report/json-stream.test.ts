/**
 * `--format json` is written session by session: a capture with 100 000 sessions makes more JSON
 * than one JavaScript string can hold (2^29 - 24 characters in Node.js 20), which ended the run
 * with "Invalid string length". The chunks together are exactly the one-string report. The report
 * is a scripted vsftpd session (test/correlate/script.ts); the huge one repeats it.
 */
import { expect, test } from 'vitest';
import { Analyzer } from '../../src/analyzer';
import { buildReport, type Report } from '../../src/report/build';
import { renderJson, renderJsonChunks } from '../../src/report/json';
import { c, s, script } from '../correlate/script';
import { pcapInput } from '../helpers/inputs';

function scripted(): Report {
  // biome-ignore format: a table, one row a line
  const run = script(
    [{ client: { ip: '198.51.100.20', port: 40000 }, server: { ip: '192.0.2.10', port: 21 } }],
    [s('220 (vsFTPd 3.0.5)'), c(`USER ${Buffer.from('\u009bjürgen', 'utf8').toString('latin1')}`), s('331 Please specify the password.'), c('PASS x'), s('230 Login successful.'), c('PASV'), s('227 Entering Passive Mode (192,0,2,10,117,48).'), c('LIST'), s('425 Failed to establish connection.'), c('SYST'), s('215 UNIX Type: L8'), c('CWD pub'), s('250 Directory successfully changed.')],
  );
  const analyzer = new Analyzer();
  for (const frame of run.frames) analyzer.ingest(frame);
  const inputs = [pcapInput(run.frames.length)];
  return buildReport(analyzer.finish(), inputs, 'test');
}

test('the chunks are the report JSON.stringify gives, escaped the same way', () => {
  const report = scripted();
  const whole = `${JSON.stringify(report, null, 2).replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
  for (const sessions of [0, 1, 3]) {
    const many = { ...report, sessions: Array.from({ length: sessions }, (_, i) => ({ ...report.sessions[0], id: i + 1 })) };
    const expected = `${JSON.stringify(many, null, 2).replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
    expect([...renderJsonChunks(many)].join('')).toBe(expected);
    expect(JSON.parse(renderJson(many))).toEqual(JSON.parse(JSON.stringify(many)));
  }
  expect(renderJson(report)).toBe(whole);
  expect(renderJson(report)).toContain('\\u009b');
});

test('100 000 sessions: more JSON than one string can hold, written in pieces', () => {
  const report = scripted();
  const session = report.sessions[0];
  const huge = { ...report, sessions: Array.from({ length: 100_000 }, () => session) };
  let length = 0;
  let chunks = 0;
  let largest = 0;
  for (const chunk of renderJsonChunks(huge)) {
    length += chunk.length;
    chunks++;
    largest = Math.max(largest, chunk.length);
  }
  expect(chunks).toBe(100_002);
  // The scripted session is over 6 KB of JSON: 100 000 of them pass the limit of one string.
  expect(length).toBeGreaterThan(2 ** 29);
  expect(largest).toBeLessThan(100_000);
}, 300_000);
