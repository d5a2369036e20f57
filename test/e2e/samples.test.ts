/**
 * End-to-end: every sample under samples/<case>/ (real captures, see samples/README.md) is analyzed
 * and compared with its checked-in expected output (expected.json, expected.txt).
 * To accept a deliberate change: UPDATE_EXPECTED=1 npx vitest run test/e2e, then review the diff.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { expectGolden, normalizedReport, sampleCases } from '../helpers/golden';
import { runCli } from './run-cli';

const samplesDir = 'samples';
const cases = sampleCases();

test('there are samples to check', () => {
  expect(cases.length).toBeGreaterThanOrEqual(6);
});

describe.each(cases)('sample %s', (name) => {
  const capture = join(samplesDir, name, 'capture.pcap');

  test('JSON report matches expected.json', async () => {
    const result = await runCli('analyze', capture, '--format', 'json');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expectGolden(join(samplesDir, name, 'expected.json'), normalizedReport(JSON.parse(result.stdout)));
  });

  test('text report matches expected.txt', async () => {
    const result = await runCli('analyze', capture, '--no-color');
    expect(result.code).toBe(0);
    expectGolden(join(samplesDir, name, 'expected.txt'), result.stdout);
  });
});
