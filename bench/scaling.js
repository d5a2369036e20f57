'use strict';
/**
 * The scaling benchmark (`npm run bench -- --scaling`): how ftpcap's time and peak memory grow
 * with the number of sessions (one after another, and many at once), of announcements in one
 * session, and of non-FTP connections. For each series and each point it makes a synthetic
 * capture (bench/lib/synthetic.js, cached in bench/captures/scaling/), analyzes it with
 * `ftpcap analyze` in the JSON and text formats under GNU time, checks that the analysis is what
 * the capture holds (sessions, data channels, all completed, no error; the JSON report's summary
 * and the text report's first lines), and prints the time and peak RSS of each point with the
 * growth order of each series: the exponent b in time ~ size^b (and RSS ~ size^b) between the
 * smallest and the largest point, and between the last two; 1.0 is linear, 0 flat.
 *
 *   npm run bench -- --scaling                              # every series, every point
 *   npm run bench -- --scaling --series announcements,other # some series
 *   npm run bench -- --scaling --points sessions-sequential=1000,10000,1000000
 *   npm run bench -- --scaling --max 10000                  # only points up to 10 000
 *   npm run bench -- --scaling --json r.json --markdown r.md
 *   npm run bench -- --scaling --timeout 600                # seconds per run (default 1800)
 *   npm run bench -- --scaling --merge a.json,b.json --markdown r.md  # one table from runs of some series each
 */
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { writeSynthetic } = require('./lib/synthetic');

const ROOT = path.resolve(__dirname, '..');
const CAPTURES = path.join(__dirname, 'captures', 'scaling');
const FTPCAP = path.join(ROOT, 'bin', 'ftpcap.js');
const TIME = '/usr/bin/time';
/** Bump when bench/lib/synthetic.js changes what it writes: older captures are made again. */
const GENERATOR_VERSION = 2;
/** Sessions open at once in the concurrent series. */
const CONCURRENCY = 1000;
/** Non-FTP connections open at once. */
const OTHER_CONCURRENCY = 100;
/** Smaller excesses over the empty capture's CPU or wall seconds, and peak RSS in bytes, count as these (noise). */
const TIME_FLOOR = 0.05;
const MEMORY_FLOOR = 5e6;
/** Output kept from each end of a report, where its summary is. */
const KEEP_BYTES = 256 * 1024;

const SERIES = [
  {
    name: 'sessions-sequential',
    unit: 'sessions',
    what: 'complete sessions (login, PASV or PORT, RETR of 16 bytes, QUIT), one after another',
    points: [1_000, 10_000, 100_000],
    parts: (n) => [{ kind: 'sessions', count: n, concurrency: 1 }],
  },
  {
    name: 'sessions-concurrent',
    unit: 'sessions',
    what: `the same complete sessions, ${CONCURRENCY} open at once`,
    points: [1_000, 10_000, 100_000],
    parts: (n) => [{ kind: 'sessions', count: n, concurrency: CONCURRENCY }],
  },
  {
    name: 'short-sessions',
    unit: 'sessions',
    what: 'short sessions, one after another: a SYN to port 21 nobody answers, and a handshake + 220 + close, alternating',
    points: [1_000, 10_000, 100_000],
    parts: (n) => [{ kind: 'short', count: n, concurrency: 1 }],
  },
  {
    name: 'announcements',
    unit: 'announcements',
    what: 'one session with N announcements, PORT and PASV alternating, each with its data connection and a LIST',
    points: [1_000, 10_000, 100_000, 200_000],
    parts: (n) => [{ kind: 'announcements', count: n }],
  },
  {
    name: 'other',
    unit: 'connections',
    what: `non-FTP TCP connections (an HTTP request and response each), ${OTHER_CONCURRENCY} open at once`,
    points: [10_000, 100_000, 1_000_000],
    parts: (n) => [{ kind: 'other', count: n, concurrency: OTHER_CONCURRENCY }],
  },
];

const FORMATS = ['json', 'text'];

function parseArgs(argv) {
  /** @type {{ series: string[] | null, points: Map<string, number[]>, max: number, json: string | null, markdown: string | null, timeout: number, reps: number, merge: string[] | null }} */
  const args = { series: null, points: new Map(), max: Infinity, json: null, markdown: null, timeout: 1800, reps: 1, merge: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--scaling') continue;
    if (arg === '--series') args.series = argv[++i].split(',');
    else if (arg === '--points') {
      const [name, list] = (argv[++i] ?? '').split('=');
      const points = (list ?? '').split(',').map(Number);
      if (!points.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`--points ${name}=...: whole numbers, comma-separated`);
      args.points.set(name, points);
    } else if (arg === '--max') args.max = Number(argv[++i]);
    else if (arg === '--json') args.json = argv[++i];
    else if (arg === '--markdown') args.markdown = argv[++i];
    else if (arg === '--timeout') args.timeout = Number(argv[++i]);
    else if (arg === '--reps') args.reps = Number(argv[++i]);
    else if (arg === '--merge') args.merge = argv[++i].split(',');
    else throw new Error(`unknown argument ${arg}`);
  }
  const names = SERIES.map((s) => s.name);
  for (const name of [...(args.series ?? []), ...args.points.keys()]) {
    if (!names.includes(name)) throw new Error(`no series ${name} (there are ${names.join(', ')})`);
  }
  if (!(args.timeout > 0)) throw new Error('--timeout needs a positive number of seconds');
  if (!(args.reps >= 1)) throw new Error('--reps needs a positive number');
  return args;
}

/** Makes a point's capture unless an up-to-date one is there; returns its path and what it holds. */
function ensureCapture(series, n) {
  const parts = series.parts(n);
  const file = path.join(CAPTURES, `${series.name}-${n}.pcap`);
  const metaFile = `${file}.json`;
  const wanted = { generatorVersion: GENERATOR_VERSION, parts };
  if (fs.existsSync(file) && fs.existsSync(metaFile)) {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    if (JSON.stringify({ generatorVersion: meta.generatorVersion, parts: meta.parts }) === JSON.stringify(wanted) && fs.statSync(file).size === meta.bytes) {
      return { file, meta };
    }
  }
  fs.mkdirSync(CAPTURES, { recursive: true });
  log(`generating ${path.relative(ROOT, file)} ...`);
  const meta = { ...wanted, ...writeSynthetic(file, parts) };
  fs.writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  return { file, meta };
}

/**
 * Runs `ftpcap analyze --format FORMAT FILE` under GNU time (and `timeout`), its output piped
 * here: only its first and last KEEP_BYTES are kept, where the report's summary is. Resolves to
 * wall seconds, CPU seconds (user + system, all of the process's threads), peak RSS in bytes,
 * exit status, the output's size and both ends of it.
 */
function measure(format, file, timeoutSeconds) {
  const timeFile = path.join(os.tmpdir(), `ftpcap-scaling-${process.pid}.time`);
  const argv = [
    '-f',
    '%U %S %M',
    '-o',
    timeFile,
    'timeout',
    '--signal=KILL',
    String(timeoutSeconds),
    process.execPath,
    FTPCAP,
    'analyze',
    '--format',
    format,
    file,
  ];
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(TIME, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let head = Buffer.alloc(0);
    // The last chunks, at least KEEP_BYTES of them once there are that many.
    let tailChunks = [];
    let tailBytes = 0;
    let size = 0;
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      size += chunk.length;
      if (head.length < KEEP_BYTES) head = Buffer.concat([head, chunk.subarray(0, KEEP_BYTES - head.length)]);
      tailChunks.push(chunk);
      tailBytes += chunk.length;
      while (tailBytes - tailChunks[0].length >= KEEP_BYTES) tailBytes -= tailChunks.shift().length;
      if (tailChunks.length > 1024) tailChunks = [Buffer.concat(tailChunks)];
    });
    child.stderr.on('data', (chunk) => {
      if (stderr.length < 100_000) stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (status) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      let rss = null;
      let cpu = null;
      try {
        // The last line: user and system seconds, peak RSS in KB (earlier lines: a signal's message).
        const [user, system, kilobytes] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
        rss = kilobytes * 1024;
        cpu = user + system;
      } catch {
        // GNU time wrote nothing: rss stays unknown.
      }
      fs.rmSync(timeFile, { force: true });
      let tail = Buffer.concat(tailChunks);
      if (tail.length > KEEP_BYTES) tail = tail.subarray(tail.length - KEEP_BYTES);
      resolve({
        seconds,
        cpu,
        rss,
        status,
        timedOut: status === 124 || status === 137,
        size,
        head: head.toString('utf8'),
        tail: tail.toString('utf8'),
        stderr,
      });
    });
  });
}

/** The JSON object that starts at `text[start]` (a `{`), or null when it is cut. */
function objectAt(text, start) {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return JSON.parse(text.slice(start, i + 1));
  }
  return null;
}

/** The JSON report's summary, from whichever end of the output holds it. */
function jsonSummary(run) {
  for (const text of [run.head, run.tail]) {
    const at = text.indexOf('"summary": {');
    if (at >= 0) {
      const summary = objectAt(text, text.indexOf('{', at));
      if (summary !== null) return summary;
    }
  }
  return null;
}

/**
 * What is wrong with a run's report, compared with what the capture holds (empty: nothing). The
 * JSON report's summary must be found; the text report's "N FTP sessions, M data channels (K
 * completed)" line is checked where it is found.
 */
function problemsOf(format, run, meta) {
  if (run.timedOut) return [`did not finish in the time limit`];
  if (run.status !== 0) {
    const message = run.stderr
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-3)
      .join(' / ');
    return [`exit status ${run.status}: ${message.slice(0, 300)}`];
  }
  const problems = [];
  if (format === 'json') {
    const summary = jsonSummary(run);
    if (summary === null) return ['no summary in the JSON report'];
    // SYNs nobody answered long before the capture ends are unopened control connections.
    const unopened = summary.unopenedControlConnections ?? 0;
    if (summary.sessions + unopened !== meta.sessions)
      problems.push(`${summary.sessions} sessions and ${unopened} unopened control connections, ${meta.sessions} written`);
    if (summary.dataChannels !== meta.channels) problems.push(`${summary.dataChannels} data channels, ${meta.channels} written`);
    if (summary.byStatus?.completed !== meta.channels) problems.push(`${summary.byStatus?.completed} data channels completed of ${meta.channels}`);
    if (summary.frames !== meta.packets) problems.push(`${summary.frames} frames, ${meta.packets} written`);
    // Errors: only control-connect-unanswered, at most one per client whose SYN nobody answered.
    const allowed = meta.unansweredClients ?? 0;
    if (!(summary.findings?.error <= allowed)) problems.push(`${summary.findings?.error} error findings${allowed > 0 ? ` (at most ${allowed} expected)` : ''}`);
  } else {
    const line = /^(\d+) FTP sessions?, (\d+) data channels? \((\d+) completed/m.exec(run.head) ?? /^(\d+) FTP sessions?, (\d+) data channels?/m.exec(run.head);
    if (line !== null) {
      const unopened = meta.unansweredClients > 0 ? Number(/(\d+) FTP control connections? never opened/.exec(run.head)?.[1] ?? 0) : 0;
      if (Number(line[1]) + unopened !== meta.sessions)
        problems.push(`text: ${line[1]} sessions${unopened > 0 ? ` and ${unopened} unopened` : ''}, ${meta.sessions} written`);
      if (Number(line[2]) !== meta.channels) problems.push(`text: ${line[2]} data channels, ${meta.channels} written`);
      if (line[3] !== undefined && Number(line[3]) !== meta.channels) problems.push(`text: ${line[3]} completed of ${meta.channels}`);
    } else if (meta.sessions > 0) {
      problems.push('text: no "N FTP sessions, M data channels" line');
    }
  }
  return problems;
}

/** The exponent b of y ~ x^b between two points. */
const exponent = (x0, y0, x1, y1) => Math.log(y1 / y0) / Math.log(x1 / x0);

/** Words for a growth exponent. */
function orderOf(b) {
  if (!Number.isFinite(b)) return 'unknown';
  if (b < 0.2) return 'flat';
  if (b < 0.8) return 'sub-linear';
  if (b <= 1.2) return 'linear';
  if (b <= 1.6) return 'super-linear';
  return 'quadratic or worse';
}

/**
 * Growth orders per series and format, from the points that passed: the exponent b of
 * y ~ size^b between the first and the last point and between the last two, for CPU time, wall
 * time and peak RSS, each less what ftpcap takes for an empty capture (`baseline`: starting Node.js
 * and loading the code, about 0.3 s and 55 MB), so that a fixed cost does not pass for slow growth.
 * An excess below MEMORY_FLOOR or TIME_FLOOR counts as that floor: growth that small is noise.
 */
function growth(results, baseline) {
  const out = [];
  for (const series of [...new Set(results.map((r) => r.series))]) {
    for (const format of FORMATS) {
      const points = results.filter((r) => r.series === series && r.format === format && r.ok).sort((a, b) => a.n - b.n);
      if (points.length < 2) continue;
      const base = baseline[format];
      const order = (key, floor) => {
        const excess = (p) => Math.max(floor, p[key] - base[key]);
        const [first, before, last] = [points[0], points.at(-2), points.at(-1)];
        return {
          all: exponent(first.n, excess(first), last.n, excess(last)),
          lastStep: exponent(before.n, excess(before), last.n, excess(last)),
          /** Added per item between the last two points. */
          perItem: (last[key] - before[key]) / (last.n - before.n),
        };
      };
      out.push({
        series,
        format,
        from: points[0].n,
        to: points.at(-1).n,
        cpu: order('cpu', TIME_FLOOR),
        wall: order('seconds', TIME_FLOOR),
        rss: order('rss', MEMORY_FLOOR),
      });
    }
  }
  return out;
}

/** Writes the results as JSON (the series without their capture recipes). */
function save(file, { series, ...rest }) {
  const description = series.map((s) => ({ name: s.name, unit: s.unit, what: s.what, points: s.points }));
  fs.writeFileSync(file, `${JSON.stringify({ ...rest, series: description }, null, 2)}\n`);
}

function log(text) {
  process.stderr.write(`${text}\n`);
}

const mb = (bytes) => (bytes === null ? '?' : (bytes / 1e6).toFixed(bytes < 1e8 ? 1 : 0));
const count = (n) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n));
const sizeOf = (bytes) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`);

function machine() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    cpu: `${cpus[0]?.model ?? 'unknown'} x${cpus.length}`,
    memory: `${Math.round(os.totalmem() / 1024 ** 3)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    nice: os.getPriority(),
    loadBefore: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

/** The results as markdown: the machine, the points, the growth orders. */
function renderMarkdown(env, series, results, baseline, orders) {
  const lines = [];
  lines.push(`Machine: ${env.cpu}, ${env.memory}, ${env.kernel}; Node.js ${env.node}; nice ${env.nice}.`);
  lines.push(`Run: ${env.date}; load average ${env.loadBefore} before, ${env.loadAfter} after.`);
  lines.push(
    `Empty capture (the baseline subtracted for the orders): JSON ${baseline.json.cpu.toFixed(2)} s CPU, ${mb(baseline.json.rss)} MB; ` +
      `text ${baseline.text.cpu.toFixed(2)} s CPU, ${mb(baseline.text.rss)} MB.`,
  );
  lines.push('');
  lines.push('| series | N | capture | packets | format | wall | CPU | peak RSS | report | check |');
  lines.push('| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |');
  for (const r of results) {
    lines.push(
      `| ${r.series} | ${count(r.n)} | ${sizeOf(r.bytes)} | ${r.packets.toLocaleString('en-US')} | ${r.format} | ` +
        `${r.seconds.toFixed(2)} s | ${r.cpu === null ? '?' : `${r.cpu.toFixed(2)} s`} | ${mb(r.rss)} MB | ${sizeOf(r.outputBytes)} | ` +
        `${r.ok ? 'right' : r.problems.join('; ').replace(/\|/g, '/')} |`,
    );
  }
  lines.push('');
  lines.push("Growth orders: the exponent b of (value - empty capture's) ~ N^b, first to last point and over the last step; 1 is linear.");
  lines.push('');
  lines.push('| series | format | points | CPU time | wall time | peak RSS | last step, per item |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- |');
  const cell = (o) => `${orderOf(o.all)} (${o.all.toFixed(2)}; ${o.lastStep.toFixed(2)})`;
  for (const g of orders) {
    lines.push(
      `| ${g.series} | ${g.format} | ${count(g.from)} → ${count(g.to)} | ${cell(g.cpu)} | ${cell(g.wall)} | ${cell(g.rss)} | ` +
        `${(g.cpu.perItem * 1e6).toFixed(1)} µs CPU, ${formatBytesPerItem(g.rss.perItem)} |`,
    );
  }
  const failed = series.filter((s) => results.some((r) => r.series === s.name && !r.ok));
  if (failed.length > 0) {
    lines.push('');
    lines.push(`Points that failed their check or did not finish are left out of the orders (series: ${failed.map((s) => s.name).join(', ')}).`);
  }
  return `${lines.join('\n')}\n`;
}

const formatBytesPerItem = (bytes) => (Math.abs(bytes) >= 1e4 ? `${(bytes / 1e3).toFixed(0)} kB` : `${Math.round(bytes)} B`);

/**
 * One table from the JSON files of several runs (each of some of the series, run one after
 * another or side by side): the machine and the empty capture's baseline of the first.
 */
function mergeRuns(files, args) {
  const runs = files.map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
  // The 1-minute load average of each run, before and after (? for a run stopped halfway).
  const load = (key) => runs.map((r) => r.env[key]?.split(' ')[0] ?? '?').join(', ');
  const env = { ...runs[0].env, date: runs.map((r) => r.env.date).sort()[0], loadBefore: load('loadBefore'), loadAfter: load('loadAfter') };
  const series = runs.flatMap((r) => r.series);
  const results = runs.flatMap((r) => r.results);
  const baseline = runs[0].baseline;
  const orders = growth(results, baseline);
  const markdown = renderMarkdown(env, series, results, baseline, orders);
  process.stdout.write(markdown);
  if (args.markdown !== null) fs.writeFileSync(args.markdown, markdown);
  if (args.json !== null) save(args.json, { env, series, baseline, results, orders });
  return results.every((r) => r.ok) ? 0 : 1;
}

async function runScaling(argv) {
  const args = parseArgs(argv);
  if (args.merge !== null) return mergeRuns(args.merge, args);
  if (!fs.existsSync(TIME)) throw new Error(`${TIME} is missing (apt-get install time): it measures peak memory`);
  const env = machine();
  const series = SERIES.filter((s) => args.series === null || args.series.includes(s.name)).map((s) => ({
    ...s,
    points: (args.points.get(s.name) ?? s.points).filter((n) => n <= args.max),
  }));
  // The empty capture: what starting Node.js and ftpcap costs, subtracted for the growth orders.
  fs.mkdirSync(CAPTURES, { recursive: true });
  const empty = path.join(CAPTURES, 'empty.pcap');
  writeSynthetic(empty, []);
  const baseline = {};
  for (const format of FORMATS) {
    const runs = [];
    for (let rep = 0; rep < 3; rep++) runs.push(await measure(format, empty, args.timeout));
    if (runs.some((r) => r.status !== 0 || r.rss === null)) throw new Error(`ftpcap fails on an empty capture: ${runs[0].stderr}`);
    const middle = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[1];
    baseline[format] = { seconds: middle('seconds'), cpu: middle('cpu'), rss: middle('rss') };
    log(
      `empty capture ${format.padEnd(4)}  ${baseline[format].seconds.toFixed(2)} s, ${baseline[format].cpu.toFixed(2)} s CPU, ${mb(baseline[format].rss)} MB`,
    );
  }
  const results = [];
  for (const s of series) {
    log(`${s.name}: ${s.what}`);
    for (const n of s.points) {
      const { file, meta } = ensureCapture(s, n);
      for (const format of FORMATS) {
        const runs = [];
        for (let rep = 0; rep < args.reps; rep++) runs.push(await measure(format, file, args.timeout));
        runs.sort((a, b) => a.seconds - b.seconds);
        const run = runs[runs.length >> 1];
        const problems = [...new Set(runs.flatMap((r) => problemsOf(format, r, meta)))];
        const result = {
          series: s.name,
          n,
          format,
          bytes: meta.bytes,
          packets: meta.packets,
          sessions: meta.sessions,
          channels: meta.channels,
          seconds: run.seconds,
          cpu: run.cpu,
          rss: runs.map((r) => r.rss).sort((a, b) => a - b)[runs.length >> 1],
          outputBytes: run.size,
          ok: problems.length === 0,
          problems,
        };
        results.push(result);
        // Saved after every point: a run stopped halfway keeps what it measured.
        if (args.json !== null) save(args.json, { env, series, baseline, results, orders: growth(results, baseline) });
        log(
          `  ${count(n).padStart(5)} ${s.unit} ${format.padEnd(4)}  ${result.seconds.toFixed(2).padStart(8)} s  ` +
            `${(result.cpu ?? NaN).toFixed(2).padStart(8)} s CPU  ${mb(result.rss).padStart(6)} MB` +
            `  ${result.ok ? 'right' : `WRONG: ${problems.join('; ')}`}`,
        );
      }
    }
  }
  env.loadAfter = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const orders = growth(results, baseline);
  const markdown = renderMarkdown(env, series, results, baseline, orders);
  process.stdout.write(markdown);
  if (args.markdown !== null) fs.writeFileSync(args.markdown, markdown);
  if (args.json !== null) save(args.json, { env, series, baseline, results, orders });
  return results.every((r) => r.ok) ? 0 : 1;
}

module.exports = { SERIES, exponent, growth, jsonSummary, objectAt, orderOf, problemsOf, runScaling };
