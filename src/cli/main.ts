/**
 * The command line: parses arguments, reads the captures, runs the analyzer and prints a report.
 * `run` never exits the process and never throws for the user's mistakes: it returns the exit
 * status, so it can be tested (commander's exitOverride).
 */
import * as fs from 'fs';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { Analyzer } from '../analyzer';
import type { Report } from '../report/build';
import { readCaptures, STDIN_NAME } from '../capture';
import { buildReport } from '../report/build';
import { renderJsonChunks } from '../report/json';
import { sanitize } from '../report/sanitize';
import { renderText } from '../report/text';
import { renderFirewallText } from '../report/firewall-text';
import { renderDiagrams } from '../report/diagram-text';
import { renderHtml } from '../report/html';
import { selectSessions, type SessionSelection } from '../report/select';
import { canonicalIp } from '../ftp/ipaddr';
import { renderExplain, samplesFor, topics, type SampleReports, type Topic } from '../report/explain';
import * as path from 'path';
import { addFirewallOptions, firewallRequest, parseServerAddress, type FirewallCliOptions } from './firewall-options';
import { ProgressLine } from './progress';
import { version } from './version';

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal (colours). */
  isTty: boolean;
  /** Whether stderr is a terminal (the progress line is drawn only there), and its width. */
  stderrTty?: { columns: number };
  /** Milliseconds from some fixed point (the progress line's clock); default performance.now(). */
  now?(): number;
  /** What '-' reads; default process.stdin. */
  stdin?: NodeJS.ReadableStream;
  /** Columns of the terminal stdout writes to (diagrams fit it); undefined when not a terminal. */
  columns?: number;
  /** The environment (NO_COLOR, LANG, LC_ALL, LC_CTYPE); default process.env. */
  env?: Record<string, string | undefined>;
  /** Writes a file for -o/--output; default fs.writeFileSync. */
  writeFile?(path: string, text: string): void;
}

export const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: Boolean(process.stdout.isTTY),
  stderrTty: process.stderr.isTTY ? { columns: process.stderr.columns || 80 } : undefined,
  columns: process.stdout.isTTY ? process.stdout.columns || undefined : undefined,
};

/** Exit statuses (documented in README.md). */
export const ExitCode = {
  ok: 0,
  /** No input could be read at all. */
  noInput: 1,
  /** The command line was wrong. */
  usage: 2,
  /** `--fail-on` was given and findings of that severity (or worse) were reported. */
  findings: 3,
  /** The report could not be written: standard output closed, disk full, an I/O error. */
  output: 4,
  /** A bug in ftpcap. */
  internal: 70,
} as const;

function parsePort(value: string, previous: number[]): number[] {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a TCP port (1-65535)`);
  }
  return [...previous, port];
}

function parsePositive(value: string, previous: number[] = []): number[] {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`"${value}" is not a session number (1, 2, ...)`);
  return [...previous, Number(value)];
}

function parseWidth(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 60 || Number(value) > 1000) throw new InvalidArgumentError(`"${value}" is not a width in columns (60-1000)`);
  return Number(value);
}

function parseClient(value: string, previous: string[] = []): string[] {
  const ip = canonicalIp(value.replace(/^\[|\]$/g, ''));
  if (ip === null) throw new InvalidArgumentError(`"${value}" is not an IP address`);
  return [...previous, ip];
}

interface AnalyzeOptions extends FirewallCliOptions {
  format: 'text' | 'json' | 'html';
  /** Write the report to this file instead of standard output. */
  output?: string;
  /** Sessions to show (ids), client addresses; `server` (FirewallCliOptions) selects too. */
  session?: number[];
  client?: string[];
  /** Draw ladder diagrams (analyze --diagram; always for `ftpcap diagram`). */
  diagram?: boolean;
  ascii?: boolean;
  width?: number;
  ftpPort: number[];
  showPasswords: boolean;
  firewall: boolean;
  color?: boolean;
  /** Look for FTP on every port by its content (`--no-detect` turns it off). */
  detect: boolean;
  failOn?: 'warning' | 'error';
  /** No progress line on stderr. */
  quiet?: boolean;
}

/** Reads the captures through the analyzer and builds the report; prints the inputs' problems on stderr. */
async function readAndReport(files: string[], options: AnalyzeOptions, io: Io): Promise<{ report: Report; status: number | null }> {
  const analyzer = new Analyzer({
    ftpPorts: [...new Set([21, ...options.ftpPort])],
    showPasswords: options.showPasswords,
    detectFtp: options.detect,
  });
  // All inputs at once ('-' is standard input), merged by timestamp; frames keep their file and number.
  const progress = options.quiet || io.stderrTty === undefined ? null : progressLine(files, io, io.stderrTty.columns);
  const inputs = await readCaptures(files, (frame) => analyzer.ingest(frame), {
    stdin: io.stdin,
    // The analyzer copies what it keeps of a frame (reassembly, fragments, detection).
    transientFrames: true,
    onProgress: progress ? (bytes) => progress.update(bytes) : undefined,
  });
  progress?.finish();
  const result = analyzer.finish();
  const selection: SessionSelection = { ids: options.session ?? [], clients: options.client ?? [], server: options.server ?? null };
  const selected = { ...result, sessions: selectSessions(result.sessions, selection) };
  if (selected.sessions.length === 0 && result.sessions.length > 0) {
    io.stderr(`ftpcap: no session matches --session/--client/--server; the capture has ${result.sessions.length} (1-${result.sessions[result.sessions.length - 1].id})\n`);
  }
  const report = buildReport(selected, inputs, version, firewallRequest(options, 'nftables'));
  for (const input of inputs) {
    for (const problem of input.problems) {
      const where = [problem.frame !== null ? `packet ${problem.frame}` : null, problem.offset !== null ? `byte ${problem.offset}` : null]
        .filter(Boolean)
        .join(', ');
      io.stderr(`ftpcap: ${sanitize(input.file)}: ${sanitize(problem.message)}${where ? ` (${where})` : ''}\n`);
    }
  }
  // Nothing analyzed: every input failed before its first packet.
  const nothing = inputs.every((i) => i.packets === 0 && (i.fatal || i.problems.length > 0));
  return { report, status: nothing ? ExitCode.noInput : null };
}

/** Whether the terminal shows Unicode: the locale (LC_ALL, else LC_CTYPE, else LANG) names UTF-8, or none is set. */
export function localeShowsUnicode(env: Record<string, string | undefined>): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return locale === '' || /utf-?8/i.test(locale);
}

/** Colour: --color / --no-color, else only on a terminal and without NO_COLOR (no-color.org). */
function useColor(option: boolean | undefined, io: Io, toFile: boolean): boolean {
  if (option !== undefined) return option && !toFile;
  const env = io.env ?? process.env;
  return io.isTty && !toFile && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

function diagramOptions(options: AnalyzeOptions, io: Io, toFile: boolean) {
  const env = io.env ?? process.env;
  return {
    width: options.width ?? (toFile ? undefined : io.columns) ?? 100,
    ascii: options.ascii === true || !localeShowsUnicode(env),
    color: useColor(options.color, io, toFile),
  };
}

/** Prints `text`, or writes it to --output. */
function emit(text: string, options: AnalyzeOptions, io: Io): void {
  if (options.output === undefined || options.output === '-') io.stdout(text);
  else (io.writeFile ?? ((path: string, data: string) => fs.writeFileSync(path, data)))(options.output, text);
}

/** Prints a document that comes in pieces (the JSON report, session by session), or writes it to --output piece by piece. */
function emitChunks(chunks: Iterable<string>, options: AnalyzeOptions, io: Io): void {
  if (options.output === undefined || options.output === '-') {
    for (const chunk of chunks) io.stdout(chunk);
  } else if (io.writeFile) {
    io.writeFile(options.output, [...chunks].join(''));
  } else {
    const fd = fs.openSync(options.output, 'w');
    try {
      for (const chunk of chunks) fs.writeSync(fd, chunk);
    } finally {
      fs.closeSync(fd);
    }
  }
}

export async function analyzeFiles(files: string[], options: AnalyzeOptions, io: Io): Promise<number> {
  const { report, status } = await readAndReport(files, options, io);
  const toFile = options.output !== undefined && options.output !== '-';
  if (options.format === 'json') {
    emitChunks(renderJsonChunks(report), options, io);
  } else if (options.format === 'html') {
    emit(renderHtml(report), options, io);
  } else {
    const color = useColor(options.color, io, toFile);
    let text = renderText(report, { color, firewall: options.firewall });
    if (options.diagram) text += `\n${renderDiagrams(report, diagramOptions(options, io, toFile))}`;
    emit(text, options, io);
  }
  if (status !== null) return status;
  const counts = report.summary.findings;
  const failing = options.failOn === 'error' ? counts.error : options.failOn === 'warning' ? counts.error + counts.warning : 0;
  return failing > 0 ? ExitCode.findings : ExitCode.ok;
}

/** `ftpcap diagram`: the ladder of every session selected. */
export async function diagramFiles(files: string[], options: AnalyzeOptions, io: Io): Promise<number> {
  const { report, status } = await readAndReport(files, options, io);
  const toFile = options.output !== undefined && options.output !== '-';
  emit(renderDiagrams(report, diagramOptions(options, io, toFile)), options, io);
  return status ?? ExitCode.ok;
}

/** The directory ftpcap is installed in (it holds samples/): the nearest package.json named ftpcap above this file. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'ftpcap') return dir;
    } catch {
      // not here: look further up
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('the ftpcap package directory was not found');
    dir = up;
  }
}

/** `ftpcap explain`: the lessons, told on the captures that ship in samples/. */
export async function explainTopic(topic: Topic | 'all', options: AnalyzeOptions, io: Io): Promise<number> {
  const list: Topic[] = topic === 'all' ? [...topics] : [topic];
  const root = packageRoot();
  const reports: SampleReports = {};
  for (const file of samplesFor(list)) {
    const full = path.join(root, 'samples', file);
    if (!fs.existsSync(full)) continue;
    const { report } = await readAndReport([full], { ...options, ftpPort: [], detect: true, showPasswords: false, quiet: true, format: 'text', firewall: false, style: 'both', clients: 'any' }, { ...io, stderr: () => undefined });
    reports[file] = report;
  }
  const toFile = options.output !== undefined && options.output !== '-';
  emit(renderExplain(list, reports, diagramOptions(options, io, toFile)), options, io);
  return ExitCode.ok;
}

/** `ftpcap firewall`: only the firewall section, for people (text) or programs (JSON). */
export async function firewallFiles(files: string[], options: AnalyzeOptions, io: Io): Promise<number> {
  const { report, status } = await readAndReport(files, options, io);
  if (options.format === 'json') {
    const { plan, sets } = report.firewall;
    io.stdout(`${JSON.stringify({ schemaVersion: report.schemaVersion, tool: report.tool, plan, sets }, null, 2)}\n`);
  } else {
    const color = options.color ?? io.isTty;
    const paint = (open: number, close: number) => (s: string) => (color ? `\x1b[${open}m${s}\x1b[${close}m` : s);
    const style = { bold: paint(1, 22), dim: paint(2, 22), yellow: paint(33, 39), green: paint(32, 39) };
    const text = report.firewall.plan.servers.length === 0 ? 'No FTP server in the capture: no firewall rules to suggest.' : renderFirewallText(report.firewall, style);
    io.stdout(`${text}\n`);
  }
  return status ?? ExitCode.ok;
}

/** The progress line for reading `files`: their total size, unknown when standard input is one of them. */
function progressLine(files: string[], io: Io, columns: number): ProgressLine {
  let total: number | null = 0;
  for (const file of files) {
    if (file === STDIN_NAME) {
      total = null;
      break;
    }
    try {
      total += fs.statSync(file).size;
    } catch {
      // The reader reports the file; it adds no bytes.
    }
  }
  const now = io.now ?? (() => performance.now());
  return new ProgressLine({ write: (text) => io.stderr(text), columns, now }, total);
}

function buildProgram(io: Io, done: (code: Promise<number>) => void): Command {
  const program = new Command('ftpcap')
    .description('Explain the FTP inside packet captures: sessions, data channels, what went wrong, firewall rules.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run "ftpcap analyze --help" for the options)');
  const analyze = program
    .command('analyze')
    .description('analyze one or more captures together (pcap, pcapng, gzip-compressed; - reads standard input)')
    .argument('<capture...>', 'capture files, merged by timestamp; - for standard input')
    .addOption(new Option('-f, --format <format>', 'output format: text for people, json for programs, html: one self-contained page').choices(['text', 'json', 'html']).default('text'))
    .option('-o, --output <file>', 'write the report to this file instead of standard output')
    .option('-p, --ftp-port <port>', 'also treat this TCP port as FTP control (repeatable; 21 always is)', parsePort, [])
    .option('--no-detect', 'find FTP control only on port 21 and --ftp-port ports, not by content on any port')
    .option('--session <n>', 'only this session (its number in the whole capture; repeatable)', parsePositive)
    .option('--client <addr>', 'only sessions from this client address (repeatable)', parseClient)
    .option('--diagram', 'add a ladder diagram of every session to the text report')
    .option('--ascii', 'draw diagrams in plain ASCII (default when the locale is not UTF-8)')
    .option('--width <columns>', "diagram width (default: the terminal's, else 100)", parseWidth)
    .addOption(new Option('--fail-on <severity>', `exit with status ${ExitCode.findings} when findings of this severity or worse exist`).choices(['warning', 'error']))
    .option('--show-passwords', 'show passwords instead of masking them', false)
    .option('--no-firewall', 'leave the firewall section out of the text report')
    .addOption(new Option('--rules <dialect>', 'older spelling of --dialect: nftables, iptables or all').choices(['nftables', 'iptables', 'all']).hideHelp())
    .option('--color', 'colour the text report (default: on a terminal, unless NO_COLOR is set)')
    .option('--no-color', 'never colour the text report')
    .option('-q, --quiet', 'no progress line on stderr (it is shown only on a terminal, for inputs over 8 MB)');
  addFirewallOptions(analyze, { dialect: 'nftables' }).action((files: string[], options: AnalyzeOptions) => {
    done(analyzeFiles(files, options, io));
  });
  const diagram = program
    .command('diagram')
    .description('a ladder diagram per session: who sent what to whom, every data connection drawn the way it went')
    .argument('<capture...>', 'capture files, merged by timestamp; - for standard input')
    .option('--session <n>', 'only this session (its number in the whole capture; repeatable)', parsePositive)
    .option('--client <addr>', 'only sessions from this client address (repeatable)', parseClient)
    .option('--ascii', 'plain ASCII instead of box drawing (default when the locale is not UTF-8)')
    .option('--width <columns>', "diagram width (default: the terminal's, else 100)", parseWidth)
    .option('-o, --output <file>', 'write the diagrams to this file instead of standard output')
    .option('-p, --ftp-port <port>', 'also treat this TCP port as FTP control (repeatable; 21 always is)', parsePort, [])
    .option('--no-detect', 'find FTP control only on port 21 and --ftp-port ports, not by content on any port')
    .option('--show-passwords', 'show passwords instead of masking them', false)
    .option('--color', 'colour the diagrams (default: on a terminal, unless NO_COLOR is set)')
    .option('--no-color', 'never colour the diagrams')
    .option('--server <addr[:port]>', 'only sessions with this FTP server', parseServerAddress)
    .option('-q, --quiet', 'no progress line on stderr')
    .action((files: string[], options: AnalyzeOptions) => {
      done(diagramFiles(files, { ...options, format: 'text', firewall: false, style: 'both', clients: 'any' }, io));
    });
  program
    .command('explain')
    .description('how active and passive FTP, EPRT, EPSV and NAT work, told on real captures that ship with ftpcap')
    .addArgument(new Argument('[topic]', 'what to explain').choices([...topics, 'all']).default('all'))
    .option('--ascii', 'plain ASCII instead of box drawing (default when the locale is not UTF-8)')
    .option('--width <columns>', "text width (default: the terminal's, else 100)", parseWidth)
    .option('-o, --output <file>', 'write the lesson to this file instead of standard output')
    .option('--color', 'colour (default: on a terminal, unless NO_COLOR is set)')
    .option('--no-color', 'never colour')
    .action((topic: Topic | 'all', options: AnalyzeOptions) => {
      done(explainTopic(topic, options, io));
    });
  const firewall = program
    .command('firewall')
    .description('firewall rules for the FTP in the captures: per server and mode, for the server, client or router side, in several dialects')
    .argument('<capture...>', 'capture files, merged by timestamp; - for standard input')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-p, --ftp-port <port>', 'also treat this TCP port as FTP control (repeatable; 21 always is)', parsePort, [])
    .option('--no-detect', 'find FTP control only on port 21 and --ftp-port ports, not by content on any port')
    .option('--color', 'colour the output (default: when writing to a terminal)')
    .option('--no-color', 'never colour the output')
    .option('-q, --quiet', 'no progress line on stderr');
  addFirewallOptions(firewall, { dialect: 'nftables' }).action((files: string[], options: AnalyzeOptions) => {
    done(firewallFiles(files, { ...options, showPasswords: false, firewall: true }, io));
  });
  return program;
}

/** Runs ftpcap with `argv` (as process.argv: node, script, arguments...) and returns the exit status. */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  let pending: Promise<number> | null = null;
  const program = buildProgram(io, (code) => {
    pending = code;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    throw error;
  }
  if (pending === null) {
    program.outputHelp();
    return ExitCode.usage;
  }
  return pending;
}
