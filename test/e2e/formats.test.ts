/**
 * The other output formats on every sample (samples/<case>/capture.pcap): CSV, NDJSON and Zeek's
 * ftp.log must say what the JSON report says, in their own shape.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Report } from '../../src/report/build';
import { csvColumns, csvField, csvText, renderCsv } from '../../src/report/csv';
import { runCli } from './run-cli';
import { sampleCases } from '../helpers/golden';

const samplesDir = 'samples';
const cases = sampleCases();

/** RFC 4180 parser: quoted fields with doubled quotes and line breaks, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
    i++;
  }
  expect(field === '' && row.length === 0, 'the text ends with CRLF').toBe(true);
  return rows;
}

async function jsonReport(capture: string): Promise<Report> {
  return JSON.parse((await runCli('analyze', '-q', '--format', 'json', capture)).stdout) as Report;
}

describe.each(cases)('sample %s', (name) => {
  const capture = join(samplesDir, name, 'capture.pcap');

  test('csv: a header row, then one row per data channel, as in the JSON report', async () => {
    const [report, result] = await Promise.all([jsonReport(capture), runCli('analyze', '-q', '--format', 'csv', capture)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(renderCsv(report));
    const [header, ...rows] = parseCsv(result.stdout);
    expect(header).toEqual(csvColumns.map(([column]) => column));
    const channels = report.sessions.flatMap((s) => s.dataChannels.map((c) => ({ s, c })));
    expect(rows).toHaveLength(channels.length);
    rows.forEach((row, i) => {
      const { s, c } = channels[i];
      const cell = (column: string) => row[header.indexOf(column)];
      expect(row).toHaveLength(header.length);
      expect([cell('session'), cell('channel'), cell('mode'), cell('method'), cell('status')]).toEqual([
        String(s.id),
        String(c.index),
        c.mode,
        c.method,
        c.status,
      ]);
      expect(cell('bytes')).toBe(String(c.connection?.bytes ?? 0));
      expect(cell('handshake')).toBe(c.connection?.handshake ?? 'none');
      expect(cell('announcement_frame')).toBe(String(c.frame));
      if (c.transfer) expect(cell('transfer').replace(/^'/, '')).toBe(`${c.transfer.command}${c.transfer.arg ? ` ${c.transfer.arg}` : ''}`);
      for (const code of cell('findings').split(' ').filter(Boolean)) expect(s.findings.map((f) => f.code)).toContain(code);
    });
  });

  test('ndjson: one session line per session of the JSON report, then the summary', async () => {
    const [report, result] = await Promise.all([jsonReport(capture), runCli('analyze', '-q', '--format', 'ndjson', capture)]);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.type)).toEqual([...report.sessions.map(() => 'session'), 'summary']);
    // Streamed sessions keep the number they got when first seen: control connections that never
    // opened (listed apart in the report) took numbers before them.
    const unopened = (report as unknown as { unopenedControlConnections?: unknown[] }).unopenedControlConnections ?? [];
    const ids = lines.slice(0, -1).map((line) => line.id as number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    lines.slice(0, -1).forEach((line, i) => {
      const { type, ...session } = line;
      if (unopened.length === 0) expect(session).toEqual(report.sessions[i]);
      else {
        const id = report.sessions[i].id;
        expect({ ...session, id, helper: { ...(session.helper as object), session: id } }).toEqual(report.sessions[i]);
      }
    });
    const { type, schemaVersion, tool, inputs, captureFindings, ...summary } = lines.at(-1) as Record<string, unknown>;
    expect({ schemaVersion, tool, inputs, findings: captureFindings, summary }).toEqual({
      schemaVersion: report.schemaVersion,
      tool: report.tool,
      inputs: report.inputs,
      findings: report.findings,
      summary: report.summary,
    });
  });

  test("zeek: every announcement's command is a row of ftp.log, at its time", async () => {
    const [report, result] = await Promise.all([jsonReport(capture), runCli('analyze', '-q', '--format', 'zeek', capture)]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 5)).toEqual(['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tftp']);
    expect(lines.at(-1)).toMatch(/^#close\t/);
    const rows = lines.filter((l) => !l.startsWith('#')).map((l) => l.split('\t'));
    for (const row of rows) expect(row).toHaveLength(19);
    for (const session of report.sessions) {
      for (const channel of session.dataChannels) {
        // The request's time, as the JSON timeline has it for the request frame.
        const request = session.timeline.find((t) => t.frame === channel.request.frame && t.source === 'client');
        const micros = request ? Date.parse(`${request.time.slice(0, 23)}Z`) * 1000 + Number(request.time.slice(23, 26)) : null;
        const matching = rows.filter((r) => r[8] === channel.method && r[2] === session.client.ip && r[3] === String(session.client.port));
        expect(matching.length, `${channel.method} of session ${session.id}`).toBeGreaterThan(0);
        if (micros !== null) expect(matching.map((r) => r[0])).toContain(`${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`);
      }
    }
  });
});

describe('csv cells', () => {
  test.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\r\nlines', '"two\r\nlines"'],
    ['', ''],
  ])('RFC 4180 quoting: %j -> %j', (value, field) => {
    expect(csvField(value)).toBe(field);
  });

  // A file name or reply text from the capture must not become a formula in a spreadsheet.
  test.each([
    ['=HYPERLINK("http://x")', `'=HYPERLINK("http://x")`],
    ['+1', `'+1`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\tindented', `'\\tindented`],
    ['report.txt', 'report.txt'],
    ['a=b', 'a=b'],
    ['evil\x1b[2Jname', 'evil\\x1b[2Jname'],
  ])('text from the capture: %j -> %j', (value, cell) => {
    expect(csvText(value)).toBe(cell);
  });
});

test("the README's CSV column table is csvColumns", async () => {
  const readme = (await import('node:fs')).readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('### CSV (`--format csv`)'), readme.indexOf('### NDJSON'));
  const rows = section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => l.slice(2, -2).split(' | '))
    .map(([column, holds]) => [column.replace(/`/g, ''), holds]);
  expect(rows).toEqual(csvColumns.map(([c, h]) => [c, h]));
});
