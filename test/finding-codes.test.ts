/**
 * One list of finding codes (src/finding-codes.ts): the README's finding table says the same,
 * every code the source raises is in it, and every code in it is raised somewhere.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { findingCodes } from '../src/finding-codes';

/** The rows of the README's finding table: codes and the "when" text. */
function readmeRows(): Array<{ codes: string[]; when: string }> {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('### Findings'), readme.indexOf('### Firewall rules'));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [codes, when] = line.slice(2, -2).split(' | ');
      return { codes: [...codes.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]), when };
    });
}

/** Codes raised in the source: `code: '...'`, `finding('...'`, `anomaly('...'` and the ones passed as arguments to them. */
function raisedCodes(): Set<string> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && path !== join('src', 'finding-codes.ts')) files.push(path);
    }
  };
  walk('src');
  const codes = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:code: |finding\(|anomaly\(\s*|onePerServer\(sessions, )'([a-z]+(?:-[a-z]+)+)'/g)) codes.add(m[1]);
  }
  return codes;
}

describe('finding codes', () => {
  test("the README's table lists the same codes, in the same rows, with the same words", () => {
    const rows = readmeRows();
    const expected: Array<{ codes: string[]; when: string }> = [];
    // Codes of one group share a row.
    let group: string | undefined;
    for (const info of findingCodes) {
      if (info.group !== undefined && info.group === group) expected[expected.length - 1].codes.push(info.code);
      else expected.push({ codes: [info.code], when: info.when });
      group = info.group;
    }
    expect(rows.length).toBeGreaterThan(20);
    expect(rows).toEqual(expected);
  });

  test('every code the source raises is listed, and every listed code is raised', () => {
    const raised = raisedCodes();
    const listed = new Set(findingCodes.map((c) => c.code));
    expect([...raised].filter((c) => !listed.has(c)).sort()).toEqual([]);
    expect([...listed].filter((c) => !raised.has(c)).sort()).toEqual([]);
  });

  test('codes are unique and say their severities', () => {
    expect(new Set(findingCodes.map((c) => c.code)).size).toBe(findingCodes.length);
    for (const info of findingCodes) expect(info.severities.length).toBeGreaterThan(0);
  });
});
