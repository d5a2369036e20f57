/**
 * The fuzzer's core, shared by the test suite (a short fixed-seed run) and `npm run fuzz` (long
 * runs): the seed captures, the input made for each (run seed, iteration) pair, always the same
 * for the same pair, and the checks run on it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import { checkCli, checkOutput, crash, type Failure } from './checks';
import { makeSeed, mutate, type Seed } from './mutate';
import { mixSeed, Random } from './random';
import { analyzeAndRender, CLI_COMMANDS, runCli, TINY_LIMITS } from './target';

export const ROOT = path.resolve(__dirname, '..', __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '');

/**
 * The captures mutated: every sample's capture, the capture-format and link-type files, the
 * tunnels, and the regression inputs earlier runs found (test/fixtures/fuzz).
 */
export function seedFiles(root = ROOT): string[] {
  const files: string[] = [];
  const samples = path.join(root, 'samples');
  for (const entry of fs.readdirSync(samples).sort()) {
    const capture = path.join(samples, entry, 'capture.pcap');
    if (fs.existsSync(capture)) files.push(capture);
  }
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(pcap|pcapng|gz|pcap\d+)$/.test(entry.name) && !files.includes(full)) files.push(full);
    }
  };
  walk(path.join(samples, 'capture-formats'));
  walk(path.join(samples, 'link-types'));
  walk(path.join(samples, 'tunnels'));
  walk(path.join(root, 'test', 'fixtures', 'fuzz'));
  return files;
}

export function loadSeeds(root = ROOT): Seed[] {
  return seedFiles(root).map((file) => makeSeed(path.relative(root, file), fs.readFileSync(file), (bytes) => gunzipSync(bytes)));
}

/** One input: how it was made, and how it is run. */
export interface FuzzCase {
  runSeed: number;
  iteration: number;
  seed: string;
  mutations: string[];
  bytes: Buffer;
  /** The capture decoders get the bytes this many at a time (undefined: the reader's default). */
  readChunkSize?: number | undefined;
  /** A command line also run on the input, or null. */
  cli: string[] | null;
  /** Every analyzer cap at a tiny value (TINY_LIMITS) instead of the defaults. */
  tinyLimits: boolean;
  /** A second capture read with the first and merged with it by timestamp, or null. */
  second: Buffer | null;
}

export interface CaseOptions {
  /** Every this many inputs, one command line is run as well (0: never). */
  cliEvery: number;
}

/** The input for `iteration` of the run with seed `runSeed`: always the same bytes. */
export function makeCase(seeds: readonly Seed[], runSeed: number, iteration: number, options: CaseOptions): FuzzCase {
  const rng = new Random(mixSeed(runSeed, iteration));
  const seed = rng.pick(seeds);
  const input = mutate(seed, seeds, rng);
  let readChunkSize: number | undefined;
  // Tiny pieces only for small inputs: a byte at a time is slow (linear, but a promise per byte through gzip).
  const gzip = input.bytes[0] === 0x1f && input.bytes[1] === 0x8b;
  if (rng.chance(0.15)) readChunkSize = input.bytes.length <= 16 * 1024 && !gzip ? rng.pick([1, 3, 7, 64, 1000]) : rng.pick([64, 1000, 4096]);
  const cli =
    options.cliEvery > 0 && iteration % options.cliEvery === 0 ? [...CLI_COMMANDS[Math.floor(iteration / options.cliEvery) % CLI_COMMANDS.length]] : null;
  const tinyLimits = rng.chance(0.25);
  let second: Buffer | null = null;
  const mutations = input.mutations;
  if (rng.chance(0.1)) {
    // Two captures merged (as `ftpcap analyze a.pcap b.pcap`): another mutation of the same seed
    // (a second recorder of the same traffic) or of another one.
    const other = rng.chance(0.5) ? seed : rng.pick(seeds);
    const more = mutate(other, seeds, rng);
    second = more.bytes;
    mutations.push(`merged with ${other.name}: ${more.mutations.join('; ')}`);
  }
  return { runSeed, iteration, seed: seed.name, mutations, bytes: input.bytes, readChunkSize, cli, tinyLimits, second };
}

export interface CaseResult {
  failure: Failure | null;
  millis: number;
  frames: number;
  sessions: number;
}

/**
 * Runs every check on one input. `slowMillis` is the processor time it may take before it counts
 * as a hang: processor time rather than wall time, so that a busy machine does not make one (a
 * true endless loop is caught by the watchdog of `npm run fuzz`, or the test's time limit).
 */
export async function runCase(
  c: Pick<FuzzCase, 'bytes' | 'readChunkSize' | 'cli'> & { tinyLimits?: boolean | undefined; second?: Buffer | null | undefined },
  slowMillis: number,
  target: typeof analyzeAndRender = analyzeAndRender,
): Promise<CaseResult> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let frames = 0;
  let sessions = 0;
  let failure: Failure | null = null;
  try {
    const result = await target(c.bytes, { readChunkSize: c.readChunkSize, analyzer: c.tinyLimits ? TINY_LIMITS : undefined, second: c.second ?? undefined });
    frames = result.frames;
    sessions = result.sessions;
    for (const output of result.outputs) {
      failure = checkOutput(output);
      if (failure !== null) break;
    }
  } catch (error) {
    failure = crash(error, 'analysis and rendering');
  }
  if (failure === null && c.cli !== null) {
    try {
      failure = checkCli(c.cli, await runCli(c.cli, c.bytes));
    } catch (error) {
      failure = crash(error, `ftpcap ${c.cli.join(' ')}`);
    }
  }
  const millis = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMillis = (cpu.user + cpu.system) / 1000;
  if (failure === null && cpuMillis > slowMillis) {
    failure = {
      kind: 'hang',
      message: `took ${Math.round(cpuMillis)} ms of processor time, more than ${slowMillis} ms`,
      detail: `${c.bytes.length} bytes, ${frames} frames, ${sessions} sessions, ${Math.round(millis)} ms wall time`,
    };
  }
  return { failure, millis, frames, sessions };
}

/** What a failure is, without the numbers that differ between inputs: findings with one signature are one bug. */
export function signature(failure: Failure): string {
  const frame = /\n\s+at ([^\n]+)/.exec(failure.detail)?.[1]?.replace(/:\d+:\d+\)?$/, '') ?? '';
  return `${failure.kind}: ${failure.message.replace(/\d+/g, 'N')}${frame ? ` @ ${frame}` : ''}`;
}
