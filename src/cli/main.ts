/**
 * The command line: parses arguments, reads the captures, runs the analyzer and prints a report.
 * `run` never exits the process and never throws for the user's mistakes: it returns the exit
 * status, so it can be tested (commander's exitOverride).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { Analyzer, type AnalyzerEvents } from '../analyzer';
import type { Report } from '../report/build';
import type { FtpSession } from '../model';
import { readCaptures, STDIN_NAME } from '../capture';
import { buildReport, buildSessionReport } from '../report/build';
import { renderJson } from '../report/json';
import { renderCsv } from '../report/csv';
import { renderNdjson, renderNdjsonSession, renderNdjsonSummary } from '../report/ndjson';
import { renderZeekAscii, renderZeekJson } from '../report/zeek';
import { zeekDefaultLoggedCommands, zeekGuestIds, type ZeekFtpLogOptions, type ZeekFtpRecord } from '../zeek/ftp-log';
import { sanitize } from '../report/sanitize';
import { renderText } from '../report/text';
import { renderFirewallText } from '../report/firewall-text';
import { addFirewallOptions, firewallRequest, type FirewallCliOptions } from './firewall-options';
import { ProgressLine } from './progress';
import { findingCode, findingCodes } from '../finding-codes';
import { version } from './version';
import { watchInterface, type WatchOptions } from './watch';

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
}

export const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: Boolean(process.stdout.isTTY),
  stderrTty: process.stderr.isTTY ? { columns: process.stderr.columns || 80 } : undefined,
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
} as const;

function parsePort(value: string, previous: number[]): number[] {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a TCP port (1-65535)`);
  }
  return [...previous, port];
}

export const formats = ['text', 'json', 'csv', 'ndjson', 'zeek'] as const;
export type Format = (typeof formats)[number];

/** The file `-o DIR` writes for each format. */
const outputFiles: Record<Format, string> = {
  text: 'ftpcap.txt',
  json: 'ftpcap.json',
  csv: 'ftpcap.csv',
  ndjson: 'ftpcap.ndjson',
  zeek: 'ftp.log',
};

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds <= 0) throw new InvalidArgumentError(`"${value}" is not a number of seconds above 0`);
  return seconds;
}

/** `USER,PASS,<init>`: commands Zeek's ftp.log also writes (`<init>` is the greeting). */
function parseCommandList(value: string, previous: string[]): string[] {
  const list = value
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  for (const command of list) {
    if (!/^([A-Za-z]{3,10}|<init>)$/.test(command)) throw new InvalidArgumentError(`"${command}" is not an FTP command (or <init>)`);
  }
  return [...previous, ...list.map((c) => (c === '<init>' ? c : c.toUpperCase()))];
}

interface AnalyzeOptions extends FirewallCliOptions {
  format: Format;
  /** --format zeek: JSON lines as Zeek writes with LogAscii::use_json. */
  zeekJson?: boolean;
  /** --format zeek: commands logged besides Zeek's default set. */
  zeekCommands?: string[];
  /** Write the report into this directory instead of standard output. */
  output?: string;
  /** NDJSON on standard output: a session silent this many seconds (control and data) is written as ended. */
  idleTimeout: number;
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
async function readAndReport(
  files: string[],
  options: AnalyzeOptions,
  io: Io,
  events: FrameEvents = {},
): Promise<AnalyzeOutcome> {
  const zeek: ZeekFtpLogOptions | null =
    options.format === 'zeek'
      ? { loggedCommands: new Set([...zeekDefaultLoggedCommands, ...(options.zeekCommands ?? [])]), capturePasswords: options.showPasswords }
      : null;
  const analyzer = new Analyzer(
    {
      ftpPorts: [...new Set([21, ...options.ftpPort])],
      showPasswords: options.showPasswords,
      detectFtp: options.detect,
      // Zeek's log shows the passwords of guest users (e-mail addresses by convention).
      clearPasswordUsers: zeek ? zeekGuestIds : undefined,
    },
    events,
    zeek,
  );
  let firstMicros: number | null = null;
  let lastMicros: number | null = null;
  // All inputs at once ('-' is standard input), merged by timestamp; frames keep their file and number.
  const progress = options.quiet || io.stderrTty === undefined ? null : progressLine(files, io, io.stderrTty.columns);
  const inputs = await readCaptures(files, (frame) => {
    firstMicros ??= frame.timeMicros;
    lastMicros = frame.timeMicros;
    analyzer.ingest(frame);
    events.frame?.(frame.timeMicros, analyzer);
  }, {
    stdin: io.stdin,
    // The analyzer copies what it keeps of a frame (reassembly, fragments, detection).
    transientFrames: true,
    onProgress: progress ? (bytes) => progress.update(bytes) : undefined,
  });
  progress?.finish();
  const result = analyzer.finish();
  const report = buildReport(result, inputs, version, firewallRequest(options, 'nftables'));
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
  return { report, status: nothing ? ExitCode.noInput : null, zeek: result.zeekFtp, firstMicros, lastMicros };
}

/** The analyzer's events, and each frame's time after the analyzer took it. */
type FrameEvents = AnalyzerEvents & { frame?(timeMicros: number, analyzer: Analyzer): void };

interface AnalyzeOutcome {
  report: Report;
  status: number | null;
  /** Zeek's ftp.log records (--format zeek). */
  zeek: ZeekFtpRecord[];
  /** Time of the first and last frame read, microseconds since the epoch. */
  firstMicros: number | null;
  lastMicros: number | null;
}

/** The report in the format asked for. */
function render(outcome: AnalyzeOutcome, options: AnalyzeOptions, io: Io): string {
  const { report } = outcome;
  switch (options.format) {
    case 'json':
      return renderJson(report);
    case 'csv':
      return renderCsv(report);
    case 'ndjson':
      return renderNdjson(report);
    case 'zeek': {
      if (options.zeekJson) return renderZeekJson(outcome.zeek);
      const open = outcome.firstMicros ?? 0;
      return renderZeekAscii(outcome.zeek, { openMicros: open, closeMicros: outcome.lastMicros ?? open });
    }
    default:
      return renderText(report, { color: options.output ? false : (options.color ?? io.isTty), firewall: options.firewall });
  }
}

/** How long after a session's end (capture time) its NDJSON line waits for the last packets of its close. */
const STREAM_GRACE_MICROS = 1_000_000;

export async function analyzeFiles(files: string[], options: AnalyzeOptions, io: Io): Promise<number> {
  if (options.format !== 'zeek' && (options.zeekJson || (options.zeekCommands ?? []).length > 0)) {
    io.stderr(`error: --zeek-json and --zeek-commands go with --format zeek, not --format ${options.format}\n`);
    return ExitCode.usage;
  }
  // NDJSON to standard output: each session is written once it has ended (and the last ACKs of
  // its close have had a second of capture time to arrive), the rest at the end.
  const streaming = options.format === 'ndjson' && !options.output;
  const written = new Set<number>();
  const ended: FtpSession[] = [];
  let lastIdleCheck = 0;
  const write = (session: FtpSession) => {
    written.add(session.id);
    io.stdout(renderNdjsonSession(buildSessionReport(session, files.length > 1)));
  };
  const events: FrameEvents = streaming
    ? {
        sessionEnd: (session) => ended.push(session),
        frame: (timeMicros, analyzer) => {
          // Once a second of capture time: sessions silent for longer than the idle timeout end.
          if (timeMicros - lastIdleCheck >= 1_000_000) {
            lastIdleCheck = timeMicros;
            analyzer.expireIdle(timeMicros, options.idleTimeout * 1e6);
          }
          while (ended.length > 0 && timeMicros - ended[0].control.last.timeMicros > STREAM_GRACE_MICROS) write(ended.shift() as FtpSession);
        },
      }
    : {};
  const outcome = await readAndReport(files, options, io, events);
  const { report, status } = outcome;
  const text = streaming
    ? report.sessions.filter((s) => !written.has(s.id)).map(renderNdjsonSession).join('') + renderNdjsonSummary(report)
    : render(outcome, options, io);
  if (options.output) {
    const file = path.join(options.output, outputFiles[options.format]);
    try {
      fs.mkdirSync(options.output, { recursive: true });
      fs.writeFileSync(file, text);
    } catch (error) {
      io.stderr(`ftpcap: cannot write ${sanitize(file)}: ${sanitize(error instanceof Error ? error.message : String(error))}\n`);
      return ExitCode.noInput;
    }
  } else {
    io.stdout(text);
  }
  if (status !== null) return status;
  const counts = report.summary.findings;
  const failing = options.failOn === 'error' ? counts.error : options.failOn === 'warning' ? counts.error + counts.warning : 0;
  return failing > 0 ? ExitCode.findings : ExitCode.ok;
}

/** `ftpcap firewall`: only the firewall section, for people (text) or programs (JSON). */
export async function firewallFiles(files: string[], options: AnalyzeOptions, io: Io): Promise<number> {
  const { report, status } = await readAndReport(files, { ...options, format: options.format === 'json' ? 'json' : 'text' }, io);
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

/** `ftpcap help codes`: every finding code with its severities and meaning. */
export function renderCodes(): string {
  const width = Math.max(...findingCodes.map((c) => c.code.length));
  const lines = ['Finding codes (severity: the ones a finding of that code can have):', ''];
  for (const info of findingCodes) lines.push(`  ${info.code.padEnd(width)}  ${info.severities.join('/').padEnd(13)}  ${info.when}`);
  lines.push('', 'Run "ftpcap help <code>" for one code.');
  return `${lines.join('\n')}\n`;
}

/** `ftpcap help <code>`. */
function renderCode(code: string): string | null {
  const info = findingCode(code);
  if (!info) return null;
  const lines = [`${info.code}`, `  severity: ${info.severities.join(' or ')}`, `  when:     ${info.when}`];
  if (info.group) lines.push(`  (one row with ${info.group} in the README's finding table)`);
  lines.push('  where:    the session\'s timeline and findings (sessions[].findings[] in the JSON), or the capture-level findings[]');
  return `${lines.join('\n')}\n`;
}

function buildProgram(io: Io, done: (code: Promise<number>) => void): Command {
  const program = new Command('ftpcap')
    .description('Explain the FTP inside packet captures: sessions, data channels, what went wrong, firewall rules.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run "ftpcap analyze --help" for the options)')
    .helpCommand(false);
  program
    .command('help')
    .description('help on a command (analyze, firewall), or on the finding codes: "help codes", "help <code>"')
    .argument('[topic]', 'codes, a finding code, or a command')
    .action((topic: string | undefined) => {
      if (topic === undefined) {
        io.stdout(program.helpInformation());
        done(Promise.resolve(ExitCode.ok));
      } else if (topic === 'codes') {
        io.stdout(renderCodes());
        done(Promise.resolve(ExitCode.ok));
      } else if (findingCode(topic)) {
        io.stdout(renderCode(topic) ?? '');
        done(Promise.resolve(ExitCode.ok));
      } else {
        const command = program.commands.find((c) => c.name() === topic && c.name() !== 'help');
        if (command) {
          io.stdout(command.helpInformation());
          done(Promise.resolve(ExitCode.ok));
        } else {
          io.stderr(`ftpcap: no help on "${sanitize(topic)}": not a command nor a finding code (run "ftpcap help codes" for the codes)\n`);
          done(Promise.resolve(ExitCode.usage));
        }
      }
    });
  const analyze = program
    .command('analyze')
    .description('analyze one or more captures together (pcap, pcapng, gzip-compressed; - reads standard input)')
    .argument('<capture...>', 'capture files, merged by timestamp; - for standard input')
    .addOption(new Option('-f, --format <format>', 'text (for people), json (the report), csv (one row per data channel), ndjson (one line per session), zeek (Zeek\'s ftp.log)').choices([...formats]).default('text'))
    .option('-o, --output <dir>', 'write the report into this directory (ftp.log for zeek, ftpcap.<format> otherwise)')
    .option('--idle-timeout <seconds>', 'with --format ndjson on standard output: a session silent this long (control and data connections) is written as ended', parseSeconds, 300)
    .option('--zeek-json', 'with --format zeek: one JSON object per line, as Zeek writes with LogAscii::use_json')
    .option('--zeek-commands <list>', 'with --format zeek: also log these commands (comma-separated, e.g. USER,PASS,<init>), as redef FTP::logged_commands += {...}', parseCommandList, [])
    .option('-p, --ftp-port <port>', 'also treat this TCP port as FTP control (repeatable; 21 always is)', parsePort, [])
    .option('--no-detect', 'find FTP control only on port 21 and --ftp-port ports, not by content on any port')
    .addOption(new Option('--fail-on <severity>', `exit with status ${ExitCode.findings} when findings of this severity or worse exist`).choices(['warning', 'error']))
    .option('--show-passwords', 'show passwords instead of masking them', false)
    .option('--no-firewall', 'leave the firewall section out of the text report')
    .addOption(new Option('--rules <dialect>', 'older spelling of --dialect: nftables, iptables or all').choices(['nftables', 'iptables', 'all']).hideHelp())
    .option('--color', 'colour the text report (default: when writing to a terminal)')
    .option('--no-color', 'never colour the text report')
    .option('-q, --quiet', 'no progress line on stderr (it is shown only on a terminal, for inputs over 8 MB)');
  addFirewallOptions(analyze, { dialect: 'nftables' }).action((files: string[], options: AnalyzeOptions) => {
    done(analyzeFiles(files, options, io));
  });
  const watch = program
    .command('watch')
    .description('capture live on an interface (with tcpdump or dumpcap) and print each FTP session as it ends; Ctrl-C prints the summary and firewall rules')
    .requiredOption('-i, --interface <name>', 'the interface to capture on (as tcpdump -i takes it)')
    .option('--filter <bpf>', 'a capture filter (BPF), e.g. "tcp and host 192.0.2.10"; default: everything')
    .option('--idle-timeout <seconds>', 'a session silent this long (control and data connections) is printed as ended', parseSeconds, 300)
    .option('-p, --ftp-port <port>', 'also treat this TCP port as FTP control (repeatable; 21 always is)', parsePort, [])
    .option('--no-detect', 'find FTP control only on port 21 and --ftp-port ports, not by content on any port')
    .option('--show-passwords', 'show passwords instead of masking them', false)
    .option('--no-firewall', 'leave the firewall section out of the summary')
    .option('--color', 'colour the output (default: when writing to a terminal)')
    .option('--no-color', 'never colour the output');
  addFirewallOptions(watch, { dialect: 'nftables' }).action((options: WatchOptions) => {
    done(watchInterface(options, io));
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
