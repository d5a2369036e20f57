/**
 * End-to-end: every sample under samples/<case>/ (real captures, see samples/README.md) is analyzed
 * and compared with its checked-in expected output (expected.json, expected.txt).
 * To accept a deliberate change: UPDATE_EXPECTED=1 npx vitest run test/e2e, then review the diff.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from './run-cli';

const samplesDir = 'samples';
const update = process.env.UPDATE_EXPECTED === '1';

const cases = readdirSync(samplesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(samplesDir, d.name, 'capture.pcap')))
  .map((d) => d.name)
  .sort();

/** The tool version changes with every release; the expected files must not. */
function normalize(json: string): string {
  const report = JSON.parse(json);
  report.tool.version = 'VERSION';
  return `${JSON.stringify(report, null, 2)}\n`;
}

function check(file: string, actual: string): void {
  if (update) {
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`${file} is missing: create it with UPDATE_EXPECTED=1 and review it`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

test('there are samples to check', () => {
  expect(cases.length).toBeGreaterThanOrEqual(6);
});

describe.each(cases)('sample %s', (name) => {
  const capture = join(samplesDir, name, 'capture.pcap');

  test('JSON report matches expected.json', async () => {
    const result = await runCli('analyze', capture, '--format', 'json');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    check(join(samplesDir, name, 'expected.json'), normalize(result.stdout));
  });

  test('text report matches expected.txt', async () => {
    const result = await runCli('analyze', capture, '--no-color');
    expect(result.code).toBe(0);
    check(join(samplesDir, name, 'expected.txt'), result.stdout);
  });
});
