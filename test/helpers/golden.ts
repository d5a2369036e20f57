/**
 * Golden files: expected output kept beside the capture it comes from (samples/<case>/expected*,
 * test/firewall/golden/), compared byte for byte. `UPDATE_EXPECTED=1 npx vitest run <dir>`
 * rewrites them instead of comparing; review the diff before committing it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

/** Whether this run rewrites golden files instead of comparing with them. */
export const updateExpected = process.env.UPDATE_EXPECTED === '1';

/** The bundled sample cases: folders of samples/ that hold a capture.pcap, sorted. */
export const SAMPLES_DIR = 'samples';
export function sampleCases(file = 'capture.pcap'): string[] {
  return readdirSync(SAMPLES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(SAMPLES_DIR, d.name, file)))
    .map((d) => d.name)
    .sort();
}

/**
 * Expects `actual` to be the content of `file`; with UPDATE_EXPECTED=1 writes it there instead.
 * A missing file fails the test; with `writeMissing` it is written first (then still fails, to
 * be reviewed).
 */
export function expectGolden(file: string, actual: string, options: { writeMissing?: boolean } = {}): void {
  if (updateExpected || (options.writeMissing && !existsSync(file))) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    if (!updateExpected) throw new Error(`${file} did not exist: written, review it`);
    return;
  }
  if (!existsSync(file)) throw new Error(`${file} is missing: create it with UPDATE_EXPECTED=1 and review it`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/** A JSON report as the expected files keep it: the tool version (it changes with every release) replaced. */
export function normalizedReport(report: { tool: { version: string } }): string {
  return `${JSON.stringify({ ...report, tool: { ...report.tool, version: 'VERSION' } }, null, 2)}\n`;
}
