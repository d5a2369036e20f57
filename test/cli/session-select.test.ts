/**
 * `--session N` picks among the sessions released as they ended (kept on disk, numbered at the
 * end): the report equals the one built from every session in memory and then selected, its
 * summary and firewall plan counting the sessions picked only.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, test } from 'vitest';
import { analyzeCaptures, renderJson, renderText } from '../../src/index';
import { buildReport } from '../../src/report/build';
import { selectSessions } from '../../src/report/select';
import { firewallRequest } from '../../src/cli/firewall-options';
import { run } from '../../src/cli/main';
import { runCli } from '../e2e/run-cli';

/** The report as it was built before sessions were released: all in memory, then selected. */
async function inMemory(file: string, ids: number[], clients: string[] = []) {
  const { result, inputs } = await analyzeCaptures([file], { analyzer: { hashes: true } });
  const selected = { ...result, sessions: selectSessions(result.sessions, { ids, clients, server: null }) };
  return buildReport(selected, inputs, (await import('../../src/cli/version')).version, firewallRequest({ style: 'both', clients: 'any' }, 'nftables'));
}

const cases: Array<{ sample: string; ids: number[]; clients?: string[] }> = [
  { sample: 'firewall-passive-blocked', ids: [2] },
  { sample: 'firewall-passive-blocked', ids: [1, 2] },
  { sample: 'pasv-address-wrong', ids: [2] },
  { sample: 'pasv-address-wrong', ids: [1], clients: ['198.51.100.20'] },
];

describe('--session picks from the sessions released as they ended', () => {
  test.each(cases)('$sample, sessions $ids: JSON and text as the report built in memory', async ({ sample, ids, clients = [] }) => {
    const file = `samples/${sample}/capture.pcap`;
    expect(fs.existsSync(file)).toBe(true);
    const args = [...ids.flatMap((id) => ['--session', String(id)]), ...clients.flatMap((c) => ['--client', c])];
    const expected = await inMemory(file, ids, clients);
    expect(expected.sessions.map((s) => s.id)).toEqual(ids);
    const json = await runCli('analyze', '-q', '-f', 'json', ...args, file);
    expect(json.code).toBe(0);
    expect(json.stdout).toBe(renderJson(expected));
    const text = await runCli('analyze', '-q', '--no-color', ...args, file);
    expect(text.stdout).toBe(renderText(expected, { color: false, firewall: true }));
  });

  test('a number the capture does not have: nothing picked, and said so', async () => {
    const result = await runCli('analyze', '-q', '-f', 'json', '--session', '9', 'samples/firewall-passive-blocked/capture.pcap');
    expect(result.stderr).toContain('no session matches --session/--client/--server; the capture has 2 (1-2)');
    expect(JSON.parse(result.stdout).summary.sessions).toBe(0);
  });

  test('the sessions wait in the temporary file, not in memory, which is deleted once the report is written', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpcap-select-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    let during: string[] | null = null;
    try {
      const code = await run(['node', 'ftpcap', 'analyze', '-q', '-f', 'json', '--session', '2', 'samples/firewall-passive-blocked/capture.pcap'], {
        stdout: () => {
          during ??= fs.readdirSync(tmp);
        },
        stderr: () => undefined,
        isTty: false,
        env: {},
      });
      expect(code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(during).toEqual([expect.stringMatching(/^ftpcap-/)]);
    expect(fs.readdirSync(tmp)).toEqual([]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});
