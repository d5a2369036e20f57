/**
 * The inputs the fuzzer found (test/fixtures/fuzz/, each described in its README): the fuzzer's
 * checks, the analyzer and every renderer, must pass on each of them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, test } from 'vitest';
import { runCase } from '../../fuzz/engine';
import { analyzeAndRender } from '../../fuzz/target';

const dir = path.join(__dirname, '..', 'fixtures', 'fuzz');
const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
const inputs = fs
  .readdirSync(dir)
  .filter((f) => f !== 'README.md')
  .sort();

describe('inputs the fuzzer found', () => {
  test('each is described in the README', () => {
    expect(inputs.length).toBeGreaterThan(0);
    for (const file of inputs) expect(readme, file).toContain(`| \`${file}\` |`);
  });

  test.each(inputs)('%s: no crash, hang, raw control character or bad output', async (file) => {
    const bytes = fs.readFileSync(path.join(dir, file));
    const result = await runCase({ bytes, cli: null }, 8000);
    expect(result.failure).toBeNull();
  });

  test("zeek-line-separator.pcap: the ASCII ftp.log escapes the reply's U+2028 as its bytes", async () => {
    const { outputs } = await analyzeAndRender(fs.readFileSync(path.join(dir, 'zeek-line-separator.pcap')));
    const zeek = outputs.find((o) => o.name === 'zeek')!.text;
    expect(zeek).toContain('\t257\t"\\xe2\\x80\\xa8" created\t');
  });
});
