#!/usr/bin/env node
'use strict';
/**
 * The ftpcap benchmark (`npm run bench`): creates or reuses the benchmark captures, checks that
 * ftpcap's analysis of each is what was replicated, then times ftpcap, the bare pcap-parser loop
 * (bench/bare-loop.js) and tshark (when installed) on them in one run, each several times in
 * rotating order, and prints the medians and whether the targets in BENCHMARKS.md are met.
 *
 *   npm run bench                      # 5 repetitions, all captures, tshark on the 1 GiB one
 *   npm run bench -- --reps 3 --quick  # only the 1 GiB capture, no tshark
 *   npm run bench -- --tshark-all      # tshark on every capture
 *   npm run bench -- --json FILE       # also write the measurements as JSON
 *   npm run bench -- --scaling         # the scaling benchmark instead (bench/scaling.js)
 *
 * Wall time is measured around each process; peak resident memory is the process's maximum RSS
 * as GNU time reports it (`/usr/bin/time -f %M`).
 */
const { spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { planCapture, writeCapture } = require('./generate');

const ROOT = path.resolve(__dirname, '..');
const CAPTURES = path.join(__dirname, 'captures');
const FTPCAP = path.join(ROOT, 'bin', 'ftpcap.js');
const BARE_LOOP = path.join(__dirname, 'bare-loop.js');
const TIME = '/usr/bin/time';
/** Bump when bench/generate.js or its templates change what it writes: older captures are made again. */
const GENERATOR_VERSION = 2;
const MiB = 1024 * 1024;

const CAPTURE_SPECS = [
  { name: 'ftp-256MiB', targetBytes: 256 * MiB, noiseShare: 0, role: 'small' },
  { name: 'ftp-1GiB', targetBytes: 1024 * MiB, noiseShare: 0, role: 'main' },
  { name: 'ftp-2GiB', targetBytes: 2048 * MiB, noiseShare: 0, role: 'large' },
  // 95% of the packets not FTP, as many bytes per packet as ftp-1GiB (the file is bigger).
  { name: 'other95', targetBytes: 1024 * MiB, noiseShare: 0.95, role: 'other' },
];

const TSHARK_FIELDS = ['frame.number', 'ftp.request.command', 'ftp.request.arg', 'ftp.response.code', 'ftp.response.arg'];

/** The programs timed, with their command lines. */
function contenders(tshark) {
  const list = [
    { name: 'ftpcap', command: (file) => [process.execPath, FTPCAP, 'analyze', file] },
    { name: 'ftpcap --format json', command: (file) => [process.execPath, FTPCAP, 'analyze', '--format', 'json', file] },
    { name: 'bare pcap-parser loop', command: (file) => [process.execPath, BARE_LOOP, file] },
  ];
  if (tshark !== null) {
    list.push({
      name: 'tshark -Y ftp',
      command: (file) => ['tshark', '-r', file, '-Y', 'ftp', '-T', 'fields', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])],
      only: tshark,
    });
  }
  return list;
}

function parseArgs(argv) {
  const args = { reps: 5, quick: false, tshark: 'main', json: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--reps') args.reps = Number(argv[++i]);
    else if (arg === '--quick') args.quick = true;
    else if (arg === '--no-tshark') args.tshark = 'none';
    else if (arg === '--tshark-all') args.tshark = 'all';
    else if (arg === '--json') args.json = argv[++i];
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!(args.reps >= 1)) throw new Error('--reps needs a positive number');
  return args;
}

/** Makes the capture unless an up-to-date one is there; returns its path and what it holds. */
function ensureCapture(spec) {
  const file = path.join(CAPTURES, `${spec.name}.pcap`);
  const metaFile = `${file}.json`;
  const wanted = { generatorVersion: GENERATOR_VERSION, targetBytes: spec.targetBytes, noiseShare: spec.noiseShare };
  if (fs.existsSync(file) && fs.existsSync(metaFile)) {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    if (Object.entries(wanted).every(([k, v]) => meta[k] === v) && fs.statSync(file).size === meta.bytes) return { file, meta };
  }
  fs.mkdirSync(CAPTURES, { recursive: true });
  log(`generating ${path.relative(ROOT, file)} ...`);
  const plan = planCapture({ targetBytes: spec.targetBytes, noiseShare: spec.noiseShare });
  const bytes = writeCapture(plan, file);
  const meta = {
    ...wanted,
    bytes,
    packets: plan.packets,
    ftpPackets: plan.ftpPackets,
    sessions: plan.sessions,
    ftpStretch: plan.ftpStretch,
    otherReplicas: plan.noiseReplicas,
    otherStretch: plan.noiseStretch,
  };
  fs.writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  return { file, meta };
}

/**
 * ftpcap's analysis of a capture must be the replicated sessions, every data channel matched and
 * completed, and nothing wrong: then the benchmark times real work. Returns a one-line summary.
 */
function checkAnalysis(file, meta) {
  const run = spawnSync(process.execPath, [FTPCAP, 'analyze', '--format', 'json', file], { maxBuffer: 1 << 30, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ftpcap failed on ${file}: ${run.stderr}`);
  const report = JSON.parse(run.stdout);
  const problems = [];
  if (report.summary.sessions !== meta.sessions) problems.push(`${report.summary.sessions} sessions, ${meta.sessions} replicated`);
  if (report.summary.frames !== meta.packets) problems.push(`${report.summary.frames} frames, ${meta.packets} written`);
  const channels = report.sessions.flatMap((s) => s.dataChannels);
  const unmatched = channels.filter((c) => c.connection === null || c.status !== 'completed');
  if (unmatched.length > 0) problems.push(`${unmatched.length} of ${channels.length} data channels not matched or not completed`);
  const errors = [...report.findings, ...report.sessions.flatMap((s) => s.findings)].filter((f) => f.severity === 'error');
  if (errors.length > 0) problems.push(`${errors.length} error findings (${[...new Set(errors.map((f) => f.code))].join(', ')})`);
  if (problems.length > 0) throw new Error(`${path.basename(file)}: the analysis is not the replicated sessions: ${problems.join('; ')}`);
  // The most sessions open at one time.
  const edges = report.sessions
    .flatMap((s) => [
      [Date.parse(s.start), 1],
      [Date.parse(s.end), -1],
    ])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let concurrent = 0;
  for (const [, step] of edges) concurrent = Math.max(concurrent, (open += step));
  const bytes = channels.reduce((sum, c) => sum + (c.connection?.bytes ?? 0), 0);
  return { sessions: report.summary.sessions, concurrent, channels: channels.length, dataBytes: bytes };
}

/** Runs one command with its output thrown away; returns wall seconds and peak RSS in bytes. */
function measure(argv) {
  const timeFile = path.join(os.tmpdir(), `ftpcap-bench-${process.pid}.time`);
  const devNull = fs.openSync('/dev/null', 'w');
  try {
    const start = process.hrtime.bigint();
    const run = spawnSync(TIME, ['-f', '%M', '-o', timeFile, ...argv], { stdio: ['ignore', devNull, 'pipe'], maxBuffer: 1 << 26 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (run.status !== 0) throw new Error(`${argv.join(' ')} failed (${run.status}): ${String(run.stderr).slice(0, 500)}`);
    const kilobytes = Number(fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop());
    return { seconds, rss: kilobytes * 1024 };
  } finally {
    fs.closeSync(devNull);
    fs.rmSync(timeFile, { force: true });
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function tsharkVersion() {
  try {
    return execFileSync('tshark', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
  } catch {
    return null;
  }
}

function log(text) {
  process.stderr.write(`${text}\n`);
}

function machine() {
  const cpus = os.cpus();
  return {
    date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    cpu: `${cpus[0]?.model ?? 'unknown'} x${cpus.length}`,
    memory: `${Math.round(os.totalmem() / 1024 ** 3)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    loadBefore: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

const mb = (bytes) => (bytes / 1e6).toFixed(bytes < 1e8 ? 1 : 0);

function main(argv) {
  const args = parseArgs(argv);
  if (!fs.existsSync(TIME)) throw new Error(`${TIME} is missing (apt-get install time): it measures peak memory`);
  const tshark = args.tshark !== 'none' ? tsharkVersion() : null;
  const specs = args.quick ? CAPTURE_SPECS.filter((s) => s.role === 'main') : CAPTURE_SPECS;
  const env = machine();

  const captures = specs.map((spec) => {
    const { file, meta } = ensureCapture(spec);
    // Reading it once also brings it into the page cache, as for every run after.
    const check = checkAnalysis(file, meta);
    log(
      `${path.basename(file)}: ${mb(meta.bytes)} MB, ${meta.packets} packets (${Math.round(meta.bytes / meta.packets)} bytes each), ` +
        `${check.sessions} sessions (up to ${check.concurrent} at once), ` +
        `${check.channels} data channels all matched, ${mb(check.dataBytes)} MB in data connections` +
        (spec.noiseShare > 0 ? `, ${(100 * (1 - meta.ftpPackets / meta.packets)).toFixed(1)}% of packets not FTP` : ''),
    );
    return { spec, file, meta, check };
  });

  const tsharkOn = args.tshark === 'all' ? () => true : (spec) => spec.role === 'main';
  const programs = contenders(tshark);
  /** @type {Array<{ capture: any, program: any, runs: Array<{ seconds: number, rss: number }> }>} */
  const jobs = [];
  for (const capture of captures) {
    for (const program of programs) {
      if (program.name.startsWith('tshark') && !tsharkOn(capture.spec)) continue;
      jobs.push({ capture, program, runs: [] });
    }
  }
  for (let rep = 0; rep < args.reps; rep++) {
    // A different order every repetition, so that no program always runs after the same one.
    const order = jobs.map((_, i) => jobs[(i + rep * 3) % jobs.length]);
    for (const job of order) {
      const run = measure(job.program.command(job.capture.file));
      job.runs.push(run);
      log(`rep ${rep + 1}/${args.reps}  ${job.capture.spec.name.padEnd(13)} ${job.program.name.padEnd(22)} ${run.seconds.toFixed(2)} s`);
    }
  }
  env.loadAfter = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

  const results = jobs.map((job) => {
    const seconds = median(job.runs.map((r) => r.seconds));
    return {
      capture: job.capture.spec.name,
      program: job.program.name,
      seconds,
      min: Math.min(...job.runs.map((r) => r.seconds)),
      max: Math.max(...job.runs.map((r) => r.seconds)),
      rss: median(job.runs.map((r) => r.rss)),
      maxRss: Math.max(...job.runs.map((r) => r.rss)),
      bytes: job.capture.meta.bytes,
      packets: job.capture.meta.packets,
    };
  });
  const find = (capture, program) => results.find((r) => r.capture === capture && r.program === program);

  const lines = [];
  lines.push(`Machine: ${env.cpu}, ${env.memory}, ${env.kernel}; Node.js ${env.node}${tshark ? `; ${tshark}` : ''}`);
  lines.push(`Run: ${env.date}, ${args.reps} repetitions, load average ${env.loadBefore} before, ${env.loadAfter} after`);
  lines.push('');
  lines.push('| capture | program | median wall | min-max | MB/s | packets/s | peak RSS | vs bare loop |');
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const bare = find(r.capture, 'bare pcap-parser loop');
    lines.push(
      `| ${r.capture} (${mb(r.bytes)} MB) | ${r.program} | ${r.seconds.toFixed(2)} s | ${r.min.toFixed(2)}-${r.max.toFixed(2)} | ` +
        `${(r.bytes / 1e6 / r.seconds).toFixed(0)} | ${Math.round(r.packets / r.seconds / 1000)}k | ${mb(r.rss)} MB | ` +
        `${bare ? `${(r.seconds / bare.seconds).toFixed(2)}x` : ''} |`,
    );
  }
  lines.push('');
  lines.push('Targets:');
  const targets = [];
  const check = (what, value, pass) => targets.push({ what, value, pass });
  const main = find('ftp-1GiB', 'ftpcap');
  const mainBare = find('ftp-1GiB', 'bare pcap-parser loop');
  if (main && mainBare)
    check('1 GiB: ftpcap wall <= 1.3 x bare loop', `${(main.seconds / mainBare.seconds).toFixed(2)}x`, main.seconds <= 1.3 * mainBare.seconds);
  const mainJson = find('ftp-1GiB', 'ftpcap --format json');
  if (mainJson && mainBare)
    check(
      '1 GiB: ftpcap --format json wall <= 1.3 x bare loop',
      `${(mainJson.seconds / mainBare.seconds).toFixed(2)}x`,
      mainJson.seconds <= 1.3 * mainBare.seconds,
    );
  const mainTshark = find('ftp-1GiB', 'tshark -Y ftp');
  if (main && mainTshark)
    check('1 GiB: ftpcap >= 6 x faster than tshark', `${(mainTshark.seconds / main.seconds).toFixed(1)}x`, mainTshark.seconds >= 6 * main.seconds);
  const ftpcapRuns = results.filter((r) => r.program.startsWith('ftpcap'));
  const worst = ftpcapRuns.reduce((a, b) => (b.maxRss > (a?.maxRss ?? 0) ? b : a), /** @type {(typeof ftpcapRuns)[number] | null} */ (null));
  if (worst) check('ftpcap peak RSS <= 150 MB on every capture', `${mb(worst.maxRss)} MB (${worst.capture}, ${worst.program})`, worst.maxRss <= 150e6);
  const small = find('ftp-256MiB', 'ftpcap');
  const large = find('ftp-2GiB', 'ftpcap');
  if (small && large)
    check(
      'ftpcap peak RSS 2 GiB within 10% of 256 MiB',
      `${mb(small.rss)} -> ${mb(large.rss)} MB (${((100 * (large.rss - small.rss)) / small.rss).toFixed(1)}%)`,
      Math.abs(large.rss - small.rss) <= 0.1 * small.rss,
    );
  const perByte = (r) => (r.seconds / r.bytes) * 1e9;
  for (const program of ['ftpcap', 'ftpcap --format json']) {
    const other = find('other95', program);
    const ftp = find('ftp-1GiB', program);
    if (other && ftp) {
      check(
        `95% other traffic: ${program} s/GB <= on ftp-1GiB`,
        `${perByte(other).toFixed(2)} vs ${perByte(ftp).toFixed(2)} s/GB`,
        perByte(other) <= perByte(ftp),
      );
    }
  }
  for (const t of targets) lines.push(`- ${t.pass ? 'met    ' : 'NOT met'}  ${t.what}: ${t.value}`);
  process.stdout.write(`${lines.join('\n')}\n`);

  if (args.json !== null) {
    const captureInfo = captures.map((c) => ({ name: c.spec.name, ...c.meta, ...c.check }));
    fs.writeFileSync(args.json, `${JSON.stringify({ env, tshark, reps: args.reps, captures: captureInfo, results, targets }, null, 2)}\n`);
  }
  return 0;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv.includes('--scaling')) {
    require('./scaling')
      .runScaling(argv)
      .then((status) => (process.exitCode = status))
      .catch((error) => {
        log(`bench: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      });
  } else {
    try {
      process.exitCode = main(argv);
    } catch (error) {
      log(`bench: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  }
}
