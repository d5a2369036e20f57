/**
 * `npm run fuzz -- --minutes N [--seed S]`: mutates the sample captures for N minutes and runs the
 * analyzer and every renderer on each input (see engine.ts). The inputs run in a child process
 * watched from here: an input that takes longer than --hang-seconds is a hang (the child is killed
 * and started again after it), one that kills the child (out of memory) a crash. Every failing
 * input is saved with its seed, iteration, mutations and stack under --out (fuzz-findings/).
 *
 *   npm run fuzz -- --minutes 30 --seed 7     # a long run, reproducible
 *   npm run fuzz -- --replay fuzz-findings/crash-s7-i123/input.pcap
 *   npm run fuzz -- --minimize fuzz-findings/crash-s7-i123/input.pcap
 */
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import type { Failure } from './checks';
import { parseContainer, serialize, type Container } from './container';
import { loadSeeds, makeCase, ROOT, runCase, signature, type FuzzCase } from './engine';

interface Options {
  minutes: number;
  iterations: number;
  seed: number;
  start: number;
  out: string;
  hangSeconds: number;
  slowSeconds: number;
  cliEvery: number;
  replay: string | null;
  minimize: string | null;
  chunk: number | undefined;
  tinyLimits: boolean;
  cli: string[] | null;
  /** A second capture read with the one replayed or minimised. */
  with: string | null;
  child: boolean;
}

function usage(message: string): never {
  process.stderr.write(
    `fuzz: ${message}\n` +
      'usage: npm run fuzz -- [--minutes N] [--iterations N] [--seed S] [--out DIR] [--hang-seconds S] [--cli-every K]\n' +
      "       npm run fuzz -- --replay FILE [--chunk N] [--tiny-limits] [--with FILE2] [--cli 'analyze - ...']   run the checks on one saved input\n" +
      '       npm run fuzz -- --minimize FILE [same options]   drop records and bytes while the same failure remains\n',
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    minutes: 1,
    iterations: Infinity,
    seed: Math.floor(Date.now() / 1000) % 1_000_000,
    start: 0,
    out: path.join(ROOT, 'fuzz-findings'),
    hangSeconds: 60,
    slowSeconds: 10,
    cliEvery: 3,
    replay: null,
    minimize: null,
    chunk: undefined,
    tinyLimits: false,
    cli: null,
    with: null,
    child: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) usage(`${arg} needs a value`);
      return next;
    };
    const number = (): number => {
      const text = value();
      const n = Number(text);
      if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(n)) usage(`${arg}: "${text}" is not a number`);
      return n;
    };
    if (arg === '--minutes') options.minutes = number();
    else if (arg === '--iterations') options.iterations = number();
    else if (arg === '--seed') options.seed = Math.floor(number());
    else if (arg === '--start') options.start = Math.floor(number());
    else if (arg === '--out') options.out = path.resolve(value());
    else if (arg === '--hang-seconds') options.hangSeconds = number();
    else if (arg === '--slow-seconds') options.slowSeconds = number();
    else if (arg === '--cli-every') options.cliEvery = Math.floor(number());
    else if (arg === '--replay') options.replay = value();
    else if (arg === '--minimize') options.minimize = value();
    else if (arg === '--chunk') options.chunk = Math.floor(number());
    else if (arg === '--tiny-limits') options.tinyLimits = true;
    else if (arg === '--with') options.with = value();
    else if (arg === '--cli') options.cli = value().split(' ');
    else if (arg === '--child') options.child = true;
    else usage(`unknown argument "${arg}"`);
  }
  return options;
}

/** Messages from the child process. */
type ChildMessage = { type: 'start'; iteration: number } | { type: 'done'; iteration: number; millis: number; failure: Failure | null };

/** The child: runs the inputs from --start on, telling the parent before and after each. */
async function child(options: Options): Promise<void> {
  const seeds = loadSeeds();
  const send = (message: ChildMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  for (let iteration = options.start; iteration < options.iterations; iteration++) {
    await send({ type: 'start', iteration });
    const c = makeCase(seeds, options.seed, iteration, { cliEvery: options.cliEvery });
    const result = await runCase(c, options.slowSeconds * 1000);
    await send({ type: 'done', iteration, millis: result.millis, failure: result.failure });
  }
  process.exit(0);
}

/** Saves a failing input and what is known about it; returns its directory. */
function save(out: string, c: FuzzCase, failure: Failure, millis: number | null): string {
  const dir = path.join(out, `${failure.kind}-s${c.runSeed}-i${c.iteration}`);
  fs.mkdirSync(dir, { recursive: true });
  const gzip = c.bytes.length >= 2 && c.bytes[0] === 0x1f && c.bytes[1] === 0x8b;
  const file = path.join(dir, gzip ? 'input.pcap.gz' : 'input.pcap');
  fs.writeFileSync(file, c.bytes);
  if (c.second !== null) fs.writeFileSync(path.join(dir, 'second.pcap'), c.second);
  const replay = `npm run fuzz -- --replay ${path.relative(ROOT, file)}${c.readChunkSize !== undefined ? ` --chunk ${c.readChunkSize}` : ''}${c.tinyLimits ? ' --tiny-limits' : ''}${c.second !== null ? ` --with ${path.relative(ROOT, path.join(dir, 'second.pcap'))}` : ''}${c.cli !== null ? ` --cli '${c.cli.join(' ')}'` : ''}`;
  const info = {
    kind: failure.kind,
    message: failure.message,
    signature: signature(failure),
    seed: c.runSeed,
    iteration: c.iteration,
    from: c.seed,
    mutations: c.mutations,
    readChunkSize: c.readChunkSize ?? null,
    tinyLimits: c.tinyLimits,
    cli: c.cli,
    millis,
    replay,
    detail: failure.detail,
  };
  fs.writeFileSync(path.join(dir, 'finding.json'), `${JSON.stringify(info, null, 2)}\n`);
  return dir;
}

/** The parent: keeps a child running inputs until the time is up, watching for hangs and deaths. */
async function parent(options: Options): Promise<void> {
  const seeds = loadSeeds();
  const deadline = Date.now() + options.minutes * 60_000;
  const hangMillis = options.hangSeconds * 1000;
  const started = Date.now();
  let tried = 0;
  let next = options.start;
  let current: { iteration: number; since: number } | null = null;
  let child: ChildProcess | null = null;
  let stderrTail = '';
  const findings = new Map<string, number>();
  let failures = 0;
  let slowest = { millis: 0, iteration: -1 };

  const record = (iteration: number, failure: Failure, millis: number | null) => {
    failures++;
    const key = signature(failure);
    const seen = findings.get(key) ?? 0;
    findings.set(key, seen + 1);
    // Three inputs per distinct failure are plenty to work from.
    if (seen >= 3) return;
    const c = makeCase(seeds, options.seed, iteration, { cliEvery: options.cliEvery });
    const dir = save(options.out, c, failure, millis);
    process.stdout.write(
      `fuzz: ${failure.kind} at iteration ${iteration} (seed ${options.seed}): ${failure.message}\n      saved in ${path.relative(process.cwd(), dir)}\n`,
    );
  };

  await new Promise<void>((resolve) => {
    const startChild = () => {
      if (Date.now() >= deadline || next >= options.iterations) {
        resolve();
        return;
      }
      stderrTail = '';
      const args = [
        '--child',
        '--seed',
        String(options.seed),
        '--start',
        String(next),
        '--cli-every',
        String(options.cliEvery),
        '--slow-seconds',
        String(options.slowSeconds),
      ];
      if (Number.isFinite(options.iterations)) args.push('--iterations', String(options.iterations));
      const spawned = fork(__filename, args, { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], execArgv: ['--max-old-space-size=2048'] });
      child = spawned;
      spawned.stderr?.on('data', (chunk: Buffer) => {
        stderrTail = (stderrTail + chunk.toString()).slice(-4000);
      });
      spawned.on('message', (message: ChildMessage) => {
        if (message.type === 'start') {
          current = { iteration: message.iteration, since: Date.now() };
          return;
        }
        current = null;
        tried++;
        next = message.iteration + 1;
        if (message.millis > slowest.millis) slowest = { millis: message.millis, iteration: message.iteration };
        if (message.failure !== null) record(message.iteration, message.failure, message.millis);
        if (Date.now() >= deadline) spawned.kill('SIGKILL');
      });
      spawned.on('exit', (code, signal) => {
        if (child !== spawned) return;
        child = null;
        const running = current as { iteration: number; since: number } | null;
        current = null;
        const hung = running !== null && signal === 'SIGKILL' && Date.now() - running.since >= hangMillis;
        // Killed because the time is up, in the middle of an input that was not late: not a finding.
        if (running !== null && (hung || signal !== 'SIGKILL')) {
          tried++;
          next = running.iteration + 1;
          record(
            running.iteration,
            hung
              ? { kind: 'hang', message: `no answer after ${options.hangSeconds} s: killed`, detail: '' }
              : { kind: 'crash', message: `the process died (exit ${code}, signal ${signal})`, detail: stderrTail },
            hung ? Date.now() - running.since : null,
          );
        }
        startChild();
      });
    };
    const watchdog = setInterval(() => {
      const running = current as { iteration: number; since: number } | null;
      if (running !== null && Date.now() - running.since > hangMillis) (child as ChildProcess | null)?.kill('SIGKILL');
      if (Date.now() >= deadline && running === null) (child as ChildProcess | null)?.kill('SIGKILL');
    }, 250);
    const finish = resolve;
    const stopAll = () => {
      clearInterval(watchdog);
      finish();
    };
    // The time limit ends the run: the input under way is given up to hangSeconds to finish.
    setTimeout(
      () => {
        const poll = setInterval(() => {
          if (child === null || current === null || Date.now() - (current as { since: number }).since > hangMillis) {
            clearInterval(poll);
            (child as ChildProcess | null)?.kill('SIGKILL');
            stopAll();
          }
        }, 100);
      },
      Math.max(0, deadline - Date.now()),
    );
    startChild();
  });

  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(
    `fuzz: seed ${options.seed}: ${tried} inputs tried in ${(seconds / 60).toFixed(1)} min (${(tried / seconds).toFixed(1)} per second), ` +
      `iterations ${options.start}-${next - 1}; slowest input ${Math.round(slowest.millis)} ms (iteration ${slowest.iteration})\n`,
  );
  if (failures === 0) {
    process.stdout.write('fuzz: clean: no crash, hang, raw control character or bad output\n');
    process.exit(0);
  }
  process.stdout.write(`fuzz: ${failures} failing inputs, ${findings.size} distinct:\n`);
  for (const [key, count] of findings) process.stdout.write(`  ${count} x ${key}\n`);
  process.stdout.write(`fuzz: inputs saved under ${path.relative(process.cwd(), options.out) || '.'}\n`);
  process.exit(1);
}

function readInput(file: string): Buffer {
  return fs.readFileSync(file);
}

async function replay(options: Options): Promise<void> {
  const bytes = readInput(options.replay!);
  const result = await runCase(
    { bytes, readChunkSize: options.chunk, cli: options.cli, tinyLimits: options.tinyLimits, second: options.with !== null ? readInput(options.with) : null },
    options.slowSeconds * 1000,
  );
  process.stdout.write(`fuzz: ${bytes.length} bytes, ${result.frames} frames, ${result.sessions} sessions, ${Math.round(result.millis)} ms\n`);
  if (result.failure === null) {
    process.stdout.write('fuzz: clean\n');
    process.exit(0);
  }
  process.stdout.write(`fuzz: ${result.failure.kind}: ${result.failure.message}\n${result.failure.detail}\n`);
  process.exit(1);
}

/**
 * Shrinks a failing input while the failure keeps its signature: drops runs of records (halving
 * the run length down to one), then cuts the end of the file, and writes `<file>.min.pcap`.
 */
async function minimize(options: Options): Promise<void> {
  const original = readInput(options.minimize!);
  const gzip = original[0] === 0x1f && original[1] === 0x8b;
  const slow = options.slowSeconds * 1000;
  const fails = async (bytes: Buffer): Promise<Failure | null> =>
    (
      await runCase(
        {
          bytes: gzip ? gzipWrap(bytes) : bytes,
          readChunkSize: options.chunk,
          cli: options.cli,
          tinyLimits: options.tinyLimits,
          second: options.with !== null ? readInput(options.with) : null,
        },
        slow,
      )
    ).failure;
  let bytes = original;
  if (gzip) {
    try {
      bytes = gunzipSync(original, { finishFlush: 2 });
    } catch {
      usage(`${options.minimize}: its gzip data is damaged; minimise the failure by hand`);
    }
  }
  const first = await fails(bytes);
  if (first === null) usage(`${options.minimize} does not fail: nothing to minimise`);
  const wanted = signature(first);
  const same = async (candidate: Buffer) => {
    const failure = await fails(candidate);
    return failure !== null && signature(failure) === wanted;
  };
  let container: Container = parseContainer(bytes);
  for (let run = Math.max(1, container.pieces.length >> 1); run >= 1; run = run >> 1) {
    for (let at = 0; at < container.pieces.length; ) {
      const candidate = { ...container, pieces: [...container.pieces.slice(0, at), ...container.pieces.slice(at + run)] };
      if (await same(serialize(candidate))) container = candidate;
      else at += run;
    }
  }
  bytes = serialize(container);
  for (let cut = bytes.length >> 1; cut >= 1; cut = cut >> 1) {
    while (bytes.length > cut && (await same(bytes.subarray(0, bytes.length - cut)))) bytes = bytes.subarray(0, bytes.length - cut);
  }
  const out = `${options.minimize}.min.pcap${gzip ? '.gz' : ''}`;
  fs.writeFileSync(out, gzip ? gzipWrap(bytes) : bytes);
  process.stdout.write(`fuzz: ${original.length} -> ${bytes.length} bytes, ${container.pieces.length} records, still "${wanted}"\nfuzz: written ${out}\n`);
  process.exit(0);
}

function gzipWrap(bytes: Buffer): Buffer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('zlib') as typeof import('zlib')).gzipSync(bytes);
}

const options = parseArgs(process.argv.slice(2));
const task = options.child ? child(options) : options.replay !== null ? replay(options) : options.minimize !== null ? minimize(options) : parent(options);
task.catch((error: unknown) => {
  process.stderr.write(`fuzz: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(70);
});
