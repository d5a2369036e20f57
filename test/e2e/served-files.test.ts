/**
 * End-to-end: what ftpcap says was transferred is what the labs served. The lab scripts make
 * their servers' files (and the clients' uploads) from seeded generators and fixed text;
 * samples/tools/served-files.py makes them again, and its sums are committed in
 * samples/served-files.sha256. Every sample capture is analyzed with --extract, and for every
 * transfer of a file the labs made:
 * - a complete one has the SHA-256 of the served file's bytes from its REST offset for its size
 *   (a transfer cut short carries a prefix), and its extracted file is those bytes exactly;
 * - one with missing ranges is those bytes with zeros exactly in the ranges listed.
 * An upload stored under another name is compared with the files of its size. The only files not made again are firewall-lab's payload-64k.bin (random on every run: its
 * downloads must agree with each other).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ManifestEntry } from '../../src/cli/extract';
import type { Report } from '../../src/report/build';
import { runCli } from './run-cli';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const python = spawnSync('python3', ['--version']).status === 0;

interface Served {
  sha: string;
  size: number;
  path: string;
  bytes: Buffer;
}

/** Every capture of every sample (all formats; the e2e sample tests pick their own). */
function captures(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(pcap|pcapng|gz|cap)$/.test(entry.name)) out.push(path);
    }
  };
  // files-lab has the server's own sums (below), not generated files.
  for (const entry of readdirSync('samples', { withFileTypes: true }))
    if (entry.isDirectory() && !['tools', 'files-lab'].includes(entry.name)) walk(join('samples', entry.name));
  return out.sort();
}

let work = '';
const served = new Map<string, Served[]>();

beforeAll(() => {
  if (!python) return;
  work = mkdtempSync(join(tmpdir(), 'ftpcap-served-'));
  const made = spawnSync('python3', ['samples/tools/served-files.py', '--write', join(work, 'served')], { encoding: 'utf8' });
  expect(made.status).toBe(0);
  // The files made again are the ones whose sums are committed.
  expect(made.stdout).toBe(readFileSync('samples/served-files.sha256', 'utf8'));
  for (const line of made.stdout.trim().split('\n')) {
    const [sha, size, script, path] = line.split('  ');
    const bytes = readFileSync(join(work, 'served', script, path));
    const list = served.get(basename(path)) ?? [];
    list.push({ sha, size: Number(size), path: `${script}:${path}`, bytes });
    served.set(basename(path), list);
  }
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const tally = { complete: 0, gapped: 0, unchecked: [] as string[] };

describe.skipIf(!python)('transfers agree with the files the labs served', () => {
  test.each(captures())('%s', async (capture) => {
    const out = join(work, 'extract', relative('samples', capture).replace(/[/.]/g, '_'));
    const result = await runCli('analyze', '-q', '--format', 'json', '--extract', out, capture);
    expect(result.code === 0 || result.code === 1).toBe(true);
    const report = JSON.parse(result.stdout) as Report;
    const manifestFile = join(out, 'manifest.json');
    const manifest = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as { files: ManifestEntry[] }).files : [];
    const byName = new Map<string, string>();
    for (const session of report.sessions) {
      for (const channel of session.dataChannels) {
        const t = channel.transfer;
        const content = channel.content;
        if (!t || !content || !['RETR', 'STOR', 'APPE'].includes(t.command) || content.capturedBytes === 0) continue;
        const where = `${capture} session ${session.id} #${channel.index} ${t.command} ${t.arg}`;
        const entry = manifest.find((e) => e.session === session.id && e.channel === channel.index && e.sender === content.sender);
        expect(entry, where).toBeDefined();
        const extracted = readFileSync(join(out, entry!.file));
        expect(extracted.length, where).toBe(content.size);
        expect(sha256(extracted), where).toBe(content.sha256);
        // By name; an upload stored under another name than the client's file has: by size.
        const start = content.restOffset ?? 0;
        const named = served.get(basename(t.arg)) ?? [];
        const candidates = named.length > 0 || t.command === 'RETR' ? named : [...served.values()].flat().filter((c) => c.size === start + content.size);
        if (candidates.length === 0) {
          tally.unchecked.push(basename(t.arg));
          const seen = byName.get(t.arg);
          if (seen !== undefined && content.complete) expect(content.sha256, `${where}: the same file as the other downloads`).toBe(seen);
          if (content.complete) byName.set(t.arg, content.sha256!);
          continue;
        }
        const slices = candidates.map((c) => c.bytes.subarray(start, start + content.size)).filter((b) => b.length === content.size);
        if (content.missingBytes === 0) {
          expect(slices.map(sha256), `${where}: the served file's bytes`).toContain(content.sha256);
          tally.complete++;
        } else if (content.missingRangesDropped === 0) {
          // Zeros exactly in the missing ranges, the served bytes everywhere else.
          const zeroed = slices.map((slice) => {
            const copy = Buffer.from(slice);
            for (const range of content.missing) copy.fill(0, range.start, range.end);
            return sha256(copy);
          });
          expect(zeroed, `${where}: the served file with zeros in ${JSON.stringify(content.missing)}`).toContain(sha256(extracted));
          expect(content.complete).toBe(false);
          tally.gapped++;
        }
      }
    }
  });

  test('the checks covered the samples', () => {
    // Counted over the cases above (vitest runs a file's tests in order).
    expect(tally.complete).toBeGreaterThanOrEqual(100);
    expect(tally.gapped).toBeGreaterThanOrEqual(2);
    expect(new Set(tally.unchecked)).toEqual(new Set(['payload-64k.bin']));
  });

  test('extracted directories hold no temporary file', () => {
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [name]));
    expect(walk(join(work, 'extract')).filter((name) => name.startsWith('.ftpcap-partial'))).toEqual([]);
  });
});

/**
 * samples/files-lab: random files whose sums only the server knew (its own sha256sum, in
 * served.sha256; `name@N` is the file from offset N on, for a REST download).
 */
describe("files-lab: the server's own sums", () => {
  test('every transfer has the hash the server computed; --extract writes those bytes; types, REST and ASCII mode', async () => {
    const sums = new Map(
      readFileSync('samples/files-lab/served.sha256', 'utf8')
        .trim()
        .split('\n')
        .map((line) => {
          const [sha, name] = line.split(/\s+/);
          return [name, sha] as const;
        }),
    );
    const out = mkdtempSync(join(tmpdir(), 'ftpcap-files-lab-'));
    try {
      const result = await runCli('analyze', '-q', '--format', 'json', '--extract', out, 'samples/files-lab/capture.pcap');
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as Report;
      const manifest = (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { files: ManifestEntry[] }).files;
      const seen: string[] = [];
      for (const session of report.sessions) {
        for (const channel of session.dataChannels) {
          const t = channel.transfer;
          const content = channel.content!;
          if (!t || !['RETR', 'STOR'].includes(t.command)) continue;
          const key = content.restOffset ? `${t.arg}@${content.restOffset}` : t.arg;
          seen.push(key);
          expect(content.complete, key).toBe(true);
          expect(content.sha256, key).toBe(sums.get(key));
          const entry = manifest.find((e) => e.session === session.id && e.channel === channel.index)!;
          expect(sha256(readFileSync(join(out, entry.file))), key).toBe(sums.get(key));
          expect(entry.sha256).toBe(sums.get(key));
        }
      }
      expect(seen.sort()).toEqual([...sums.keys()].sort());
      const byArg = (arg: string) => report.sessions.flatMap((s) => s.dataChannels).find((c) => c.transfer?.arg === arg && !c.content?.restOffset)!.content!;
      expect(byArg('picture.png').type?.mime).toBe('image/png');
      expect(byArg('archive.gz').type?.mime).toBe('application/gzip');
      expect(byArg('notes.txt')).toMatchObject({ asciiMode: true, type: { mime: 'text/plain' } });
      const listing = report.sessions[5].dataChannels.find((c) => c.transfer?.command === 'LIST')!.content!.listing!;
      expect(listing.entries.map((e) => [e.name, e.type, e.size])).toEqual([
        ['archive.gz', 'file', 20059],
        ['incoming', 'dir', 4096],
        ['notes.txt', 'file', 52893],
        ['picture.png', 'file', 12420],
        ['random-300k.bin', 'file', 300000],
      ]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
