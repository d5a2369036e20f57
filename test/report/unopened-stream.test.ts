/**
 * A flood of SYNs lists many control connections that never opened: the JSON and text reports
 * write them a thousand at a time, never as one string, and the chunks together are the report
 * as one string would be. The attempts are scripted SYNs nobody answers from distinct ports
 * (test/correlate/script.ts), with sessions released as the CLI releases them.
 */
import { expect, test } from 'vitest';
import { Analyzer } from '../../src/analyzer';
import { buildReport, type Report } from '../../src/report/build';
import { renderJsonChunks } from '../../src/report/json';
import { renderTextChunks } from '../../src/report/text';
import { SECOND, client, server } from '../correlate/lab';
import { pause, script, syn, type Steps } from '../correlate/script';
import { pcapInput } from '../helpers/inputs';

const UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function flood(attempts: number): Report {
  const steps: Steps = [];
  for (let i = 0; i < attempts; i++) steps.push(syn(client(20000 + i), server(21)));
  steps.push(pause(2 * SECOND), syn(client(50009), server(40000)));
  const run = script([], steps);
  const analyzer = new Analyzer({}, { sessionReleased: () => undefined });
  for (const frame of run.frames) analyzer.ingest(frame);
  return buildReport(analyzer.finish(), [pcapInput(run.frames.length)], 'test');
}

test.each([0, 1, 1000, 1001, 2500])('%i attempts: the JSON chunks are the one-string report', (attempts) => {
  const report = flood(attempts);
  expect(report.unopenedControlConnections).toHaveLength(attempts);
  const chunks = [...renderJsonChunks(report)];
  const whole = `${JSON.stringify(report, null, 2).replace(UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
  expect(chunks.join('')).toBe(whole);
  // The report around them, and a chunk per thousand attempts.
  expect(chunks.length).toBe(1 + Math.floor(attempts / 1000));
});

test('2500 attempts: the text report lists each on its line, in chunks of a thousand', () => {
  const report = flood(2500);
  const chunks = [...renderTextChunks(report, () => report.sessions, { color: false, firewall: false })];
  const text = chunks.join('');
  const lines = text.split('\n');
  const title = lines.findIndex((line) => line.startsWith('── Control connections that never opened (2500)'));
  expect(title).toBeGreaterThan(0);
  const listed = lines.slice(title + 1, title + 2501);
  expect(listed.every((line) => /^\s+\d+\s+.+ UTC\s+198\.51\.100\.20:\d+ → 192\.0\.2\.10:21\s+1 SYN, unanswered$/.test(line))).toBe(true);
  expect(listed.map((line) => Number(line.match(/:(\d+) →/)?.[1]))).toEqual(Array.from({ length: 2500 }, (_, i) => 20000 + i));
  expect(lines[title + 2501]).toBe('');
  expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThan(200_000);
});
