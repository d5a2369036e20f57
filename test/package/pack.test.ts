/**
 * The package as users get it: `npm pack` (which builds through `prepare`), then the tarball
 * installed globally into an empty prefix, then the installed command and library used. What is
 * checked is the tarball, not this checkout: "files", "bin", "main", "types" and "exports" in
 * package.json must be right for it to pass.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = resolve(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'ftpcap-pack-'));
const prefix = join(work, 'prefix');
const installed = join(prefix, 'lib', 'node_modules', 'ftpcap');
const ftpcap = join(prefix, 'bin', 'ftpcap');
const npm = (...args: string[]) => execFileSync('npm', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  npm('pack', '--pack-destination', work, '--silent');
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  expect(tarball).toBeDefined();
  npm('install', '--global', '--prefix', prefix, join(work, tarball as string), '--prefer-offline', '--no-audit', '--no-fund', '--silent');
}, 300_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const run = (...args: string[]) => execFileSync(ftpcap, args, { encoding: 'utf8', cwd: work });
const sample = () => join(installed, 'samples', 'firewall-passive-blocked', 'capture.pcap');

describe('the installed package', () => {
  test('ftpcap --version prints the package version', () => {
    const { version } = require(join(root, 'package.json')) as { version: string };
    expect(run('--version').trim()).toBe(version);
  });

  test('ftpcap analyzes the bundled sample', () => {
    expect(existsSync(sample())).toBe(true);
    const report = JSON.parse(run('analyze', '--format', 'json', sample())) as {
      summary: { sessions: number };
      sessions: Array<{ findings: Array<{ code: string }> }>;
    };
    expect(report.summary.sessions).toBe(2);
    expect(report.sessions[0].findings.map((f) => f.code)).toContain('data-connect-unanswered');
    expect(run('analyze', '--format', 'zeek', sample())).toMatch(/^#separator \\x09\n/);
  });

  test('ftpcap help codes and help <code>', () => {
    expect(run('help', 'codes')).toMatch(/data-connect-unanswered +error +the data SYN was never answered/);
    expect(run('help', 'data-connect-unanswered')).toMatch(/^data-connect-unanswered\n {2}severity: error\n/);
  });

  test('require("ftpcap") gives the library, with its type declarations', () => {
    const script = `const f = require('ftpcap');
      f.analyzeCaptures([process.argv[1]]).then(({ report }) => console.log(JSON.stringify([typeof f.Analyzer, typeof f.buildReport, report.summary.sessions])));`;
    const out = execFileSync(process.execPath, ['-e', script, sample()], {
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: join(prefix, 'lib', 'node_modules') },
    });
    expect(JSON.parse(out)).toEqual(['function', 'function', 2]);
    expect(existsSync(join(installed, 'dist', 'src', 'index.d.ts'))).toBe(true);
    // Only what users need: no tests, no sources, no samples but those package.json names (the one
    // above, and those `ftpcap explain` tells its lessons on).
    expect(existsSync(join(installed, 'test'))).toBe(false);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    const shipped = (JSON.parse(readFileSync('package.json', 'utf8')) as { files: string[] }).files
      .filter((f) => f.startsWith('samples/'))
      .map((f) => f.split('/')[1]);
    expect(readdirSync(join(installed, 'samples')).sort()).toEqual([...new Set(shipped)].sort());
  });

  test('the JSON Schemas are published: require("ftpcap/schema/report.json") and the others', () => {
    const script = `const names = ['report', 'ndjson', 'firewall'];
      console.log(JSON.stringify(names.map((n) => require('ftpcap/schema/' + n + '.json').definitions !== undefined)));`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, NODE_PATH: join(prefix, 'lib', 'node_modules') } });
    expect(JSON.parse(out)).toEqual([true, true, true]);
    const schema = JSON.parse(readFileSync(join(installed, 'schema', 'report.schema.json'), 'utf8')) as { $ref: string };
    expect(schema.$ref).toBe('#/definitions/Report');
  });
});
