/**
 * The README shows one worked example per firewall dialect (see readme-examples.ts); this test
 * renders each again and holds the README's generated block to it, so the examples never drift
 * from what ftpcap prints.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { dialects, type RuleSet } from '../../src/firewall/types';
import { runCli } from '../e2e/run-cli';
import { BEGIN, commandLine, END, README_SAMPLE, readmeExamples } from './readme-examples';

async function render(): Promise<string> {
  const parts: string[] = [BEGIN, ''];
  for (const example of readmeExamples) {
    const args = ['firewall', README_SAMPLE, '--format', 'json', '--passive-range', '40000-40009', '--dialect', example.dialect, '--side', example.side];
    if (example.style) args.push('--style', example.style);
    const { stdout, code } = await runCli(...args);
    expect(code).toBe(0);
    const sets = (JSON.parse(stdout) as { sets: RuleSet[] }).sets;
    expect(sets, commandLine(example)).toHaveLength(1);
    parts.push(
      '<details>',
      `<summary><b>${example.dialect}</b>: ${example.caption}</summary>`,
      '',
      '```sh',
      `npx ${commandLine(example)}`,
      '```',
      '',
      `\`\`\`${example.lang}`,
      sets[0].text.trimEnd(),
      '```',
      '',
      '</details>',
      '',
    );
  }
  parts.push(END);
  return parts.join('\n');
}

test('one worked example per dialect', () => {
  expect(new Set(readmeExamples.map((e) => e.dialect))).toEqual(new Set(dialects));
});

test("the README's worked examples are what ftpcap prints", async () => {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  expect(start, 'README.md lacks the generated firewall examples block').toBeGreaterThan(0);
  const block = await render();
  if (process.env.UPDATE_EXPECTED === '1') {
    writeFileSync('README.md', readme.slice(0, start) + block + readme.slice(end + END.length));
    return;
  }
  expect(readme.slice(start, end + END.length)).toBe(block);
});
