/**
 * The command line: parses arguments, reads the captures, runs the analyzer and prints a report.
 * `run` never exits the process and never throws for the user's mistakes: it returns the exit
 * status, so it can be tested (commander's exitOverride).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { Analyzer, type AnalyzerEvents } from '../analyzer';
import type { FirewallDocument, Report } from '../report/schema';
import type { FtpSession } from '../model';
import { readCaptures, STDIN_NAME } from '../capture';
import { buildReport, buildReportHead, buildSessionReport, buildSessionView, SessionTotals } from '../report/build';
import { materialize, type SessionView } from '../report/session-view';
import { defaultOptions } from '../options';
import { FirewallPlanner } from '../firewall/plan';
import type { FirewallOptions, FirewallPlan } from '../firewall/types';
import type { PlanContribution } from '../firewall/plan';
import { firewallSection } from '../report/firewall';
import { SessionSpill } from './session-spill';
import { renderJsonChunks } from '../report/json';
import { renderDiagrams } from '../report/diagram-text';
import { renderHtml } from '../report/html';
import { selectSessions, type SessionSelection } from '../report/select';
import { canonicalIp } from '../decode/ipaddr';
import { renderExplain, samplesFor, topics, type SampleReports, type Topic } from '../report/explain';
import { renderCsvChunks } from '../report/csv';
import { renderNdjsonSession, renderNdjsonSessionChunks, renderNdjsonSummary } from '../report/ndjson';
import { renderZeekAscii, renderZeekJson } from '../report/zeek';
import { zeekDefaultLoggedCommands, zeekGuestIds, type ZeekFtpLogOptions, type ZeekFtpRecord } from '../zeek/ftp-log';
import { sanitize } from '../report/sanitize';
import { renderFirewallSection, renderTextChunks } from '../report/text';
import { useColor } from './color';
import { addFirewallOptions, firewallRequest, parseServerAddress, type FirewallCliOptions } from './firewall-options';
import { ProgressLine } from './progress';
import { findingCode, findingCodes } from '../finding-codes';
import { version } from './version';
import { watchInterface, type WatchOptions } from './watch';
import { addPerformanceOptions, performanceThresholds, type PerformanceCliOptions } from './performance-options';
import { Extractor } from './extract';

export interface Io {
  stdout(text: string): void;
  /**
   * Resolves once stdout has taken what was written so far (a pipe or socket whose reader is
   * slower than the report): the report waits for it between chunks instead of queueing itself
   * whole in memory. Absent: nothing to wait for.
   */
  drain?(): Promise<void>;
  stderr(text: string): void;
  /** Whether stdout is a terminal (colours). */
  isTty: boolean;
  /** Whether stderr is a terminal (the progress line is drawn only there), and its width. */
  stderrTty?: { columns: number } | undefined;
  /** Milliseconds from some fixed point (the progress line's clock); default performance.now(). */
  now?(): number;
  /** What '-' reads; default process.stdin. */
  stdin?: NodeJS.ReadableStream | undefined;
  /** Columns of the terminal stdout writes to (diagrams fit it); undefined when not a terminal. */
  columns?: number | undefined;
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

export const formats = ['text', 'json', 'html', 'csv', 'ndjson', 'zeek'] as const;
export type Format = (typeof formats)[number];

/** The file `-o DIR` writes for each format (zeek always takes a directory, as Zeek's logs do). */
const outputFiles: Record<Format, string> = {
  text: 'ftpcap.txt',
  json: 'ftpcap.json',
  html: 'ftpcap.html',
  csv: 'ftpcap.csv',
  ndjson: 'ftpcap.ndjson',
  zeek: 'ftp.log',
};

function parsePositive(value: string, previous: number[] = []): number[] {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`"${value}" is not a session number (1, 2, ...)`);
  return [...previous, Number(value)];
}

function parseChannelCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 2 ** 31) throw new InvalidArgumentError(`"${value}" is not a number of data channels (0-2147483648)`);
  return Number(value);
}

function parseByteCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 2 ** 31) throw new InvalidArgumentError(`"${value}" is not a byte count (1-2147483648)`);
  return Number(value);
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

interface AnalyzeOptions extends FirewallCliOptions, PerformanceCliOptions {
  format: Format;
  /** --format zeek: JSON lines as Zeek writes with LogAscii::use_json. */
  zeekJson?: boolean;
  /** --format zeek: commands logged besides Zeek's default set. */
  zeekCommands?: string[];
  /** Write the report to this file, or into this directory (always a directory for zeek). */
  output?: string;
  /** Sessions to show (ids), client addresses; `server` (FirewallCliOptions) selects too. */
  session?: number[];
  client?: string[];
  /** Draw ladder diagrams (analyze --diagram; always for `ftpcap diagram`). */
  diagram?: boolean;
  ascii?: boolean;
  width?: number;
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
  /** Sessions the formats built in memory (HTML, Zeek, diagrams) take at most (hidden option). */
  maxInMemorySessions?: number;
  /** When to hash data connections' payloads: always, never, or auto (small inputs only). */
  hash?: HashWhen;
  /** Write each data connection's payload into this directory. */
  extract?: string;
  /** Out-of-order bytes buffered per direction of a data connection. */
  maxDataReorderBytes?: number;
  maxDataChannels?: number;
}

type HashWhen = 'auto' | 'always' | 'never';

/**
 * With `--hash auto`, the inputs hashed by default at most total this many bytes: hashing costs
 * about as much as the rest of the analysis per byte of data (BENCHMARKS.md), which is well under
 * a second for this much.
 */
export const AUTO_HASH_MAX_BYTES = 64 * 1024 * 1024;

/** Whether data connections are hashed: --extract always hashes (the manifest lists the hashes). */
function hashWanted(files: string[], options: AnalyzeOptions): boolean {
  const when = options.hash ?? 'auto';
  if (options.extract !== undefined || when === 'always') return true;
  if (when === 'never') return false;
  let total = 0;
  for (const file of files) {
    if (file === STDIN_NAME) return false;
    try {
      const stat = fs.statSync(file);
      if (!stat.isFile()) return false;
      total += stat.size;
    } catch {
      return false;
    }
  }
  return total <= AUTO_HASH_MAX_BYTES;
}

/** Reads the captures through the analyzer and builds the report; prints the inputs' problems on stderr. */
async function readAndReport(
  files: string[],
  options: AnalyzeOptions,
  io: Io,
  events: FrameEvents = {},
  extractor: Extractor | null = null,
  /** Keep no session in memory: each goes to a temporary file as it ends (see SessionSpill). */
  release = false,
  /** NDJSON on standard output: the sessions written as they ended, which the analyzer forgot. */
  streamed: StreamedSessions | null = null,
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
      ...performanceThresholds(options),
      // Zeek's log shows the passwords of guest users (e-mail addresses by convention).
      clearPasswordUsers: zeek ? zeekGuestIds : undefined,
      hashes: hashWanted(files, options),
      ...(options.maxDataReorderBytes !== undefined ? { maxDataOutOfOrderBytes: options.maxDataReorderBytes } : {}),
      ...(options.maxDataChannels !== undefined ? { maxDataChannelsPerSession: options.maxDataChannels } : {}),
    },
    {
      ...events,
      ...(extractor ? { payload: extractor } : {}),
      ...(release ? { sessionReleased: (session: FtpSession, start: number, sequence: number) => released.add(session, start, sequence) } : {}),
    },
    zeek,
  );
  const released = new ReleasedSessions(files.length > 1, options, firewallRequest(options, 'nftables').options);
  let firstMicros: number | null = null;
  let lastMicros: number | null = null;
  // All inputs at once ('-' is standard input), merged by timestamp; frames keep their file and number.
  const progress = options.quiet || io.stderrTty === undefined ? null : progressLine(files, io, io.stderrTty.columns);
  const inputs = await readCaptures(
    files,
    (frame) => {
      firstMicros ??= frame.timeMicros;
      lastMicros = frame.timeMicros;
      analyzer.ingest(frame);
      events.frame?.(frame.timeMicros, analyzer);
    },
    {
      stdin: io.stdin,
      // The analyzer copies what it keeps of a frame (reassembly, fragments, detection).
      transientFrames: true,
      onProgress: progress ? (bytes) => progress.update(bytes) : undefined,
    },
  );
  progress?.finish();
  const result = analyzer.finish();
  const selection = selectionOf(options);
  let report: Report;
  let sessions: () => Iterable<SessionView>;
  if (release) {
    const request = firewallRequest(options, 'nftables');
    report = buildReportHead(result, inputs, version, released.summed(), firewallSection(released.plan(), request.sets));
    sessions = () => released.sessions();
    if (released.totals.sessions === 0 && released.seen > 0) {
      io.stderr(`ftpcap: no session matches --session/--client/--server; the capture has ${released.seen} (1-${released.seen})\n`);
    }
  } else {
    const selected = { ...result, sessions: selectSessions(result.sessions, selection) };
    const last = result.sessions.length > 0 ? result.sessions[result.sessions.length - 1] : null;
    const lastId = streamed ? streamed.lastId(last) : (last?.id ?? 0);
    const all = result.sessions.length + (streamed?.count ?? 0);
    if (selected.sessions.length + (streamed?.totals.sessions ?? 0) === 0 && all > 0) {
      io.stderr(`ftpcap: no session matches --session/--client/--server; the capture has ${all} (1-${lastId})\n`);
    }
    report = buildReport(selected, inputs, version, firewallRequest(options, 'nftables'));
    if (streamed) report = { ...report, summary: streamed.addTo(report.summary) };
    sessions = () => report.sessions;
  }
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
  return {
    report,
    sessions,
    close: () => released.close(),
    reportNumber: (id) => (release ? released.idOf(id) : id),
    status: nothing ? ExitCode.noInput : null,
    zeek: result.zeekFtp,
    firstMicros,
    lastMicros,
  };
}

/** The sessions `--session`, `--client` and `--server` pick. */
function selectionOf(options: AnalyzeOptions): SessionSelection {
  return { ids: options.session ?? [], clients: options.client ?? [], server: options.server ?? null };
}

/**
 * NDJSON on standard output: the sessions written as they ended (each line built and written,
 * then the session forgotten by the analyzer), and what the summary counts of them. Every ended
 * session is written; the summary counts those the selection picks, as the report built at once
 * does. Sessions keep the numbers they got when first seen.
 */
class StreamedSessions {
  readonly totals = new SessionTotals();
  /** Sessions written, selected or not. */
  count = 0;
  /** The session written that comes last in start order (ties: the higher number). */
  private last: { startMicros: number; id: number } | null = null;

  constructor(
    private readonly multipleInputs: boolean,
    private readonly selection: SessionSelection,
  ) {}

  /** The session's line; its counts go to the summary. */
  write(session: FtpSession): string {
    const built = buildSessionReport(session, this.multipleInputs);
    this.count++;
    if (selectSessions([session], this.selection).length > 0) this.totals.add(built);
    const key = { startMicros: session.control.first.timeMicros, id: session.id };
    if (this.last === null || key.startMicros > this.last.startMicros || (key.startMicros === this.last.startMicros && key.id > this.last.id)) this.last = key;
    return renderNdjsonSession(built);
  }

  /** The number of the session last in start order, among those written and `rest` (the last of those not written). */
  lastId(rest: FtpSession | null): number {
    if (this.last === null) return rest?.id ?? 0;
    if (rest === null || rest.control.first.timeMicros < this.last.startMicros) return this.last.id;
    return rest.control.first.timeMicros > this.last.startMicros || rest.id > this.last.id ? rest.id : this.last.id;
  }

  /** The summary of the sessions not yet written, with those written added. */
  addTo(summary: Report['summary']): Report['summary'] {
    const { totals } = this;
    const byStatus = { ...summary.byStatus };
    for (const status of Object.keys(byStatus) as Array<keyof typeof byStatus>) byStatus[status] += totals.byStatus[status];
    const findings = { ...summary.findings };
    for (const severity of Object.keys(findings) as Array<keyof typeof findings>) findings[severity] += totals.severities[severity];
    return { ...summary, sessions: summary.sessions + totals.sessions, dataChannels: summary.dataChannels + totals.dataChannels, byStatus, findings };
  }
}

/**
 * The sessions the analyzer released, as the report needs them: each one's report object in a
 * SessionSpill, and the summary's counts and the firewall plan added up as they come. Sessions
 * outside --client/--server are left out here. --session picks by the numbers the report gives,
 * known only at the end: every session goes to the file with its counts and what the plan needs
 * of it, and those of the sessions picked are added up at the end.
 */
class ReleasedSessions {
  readonly totals = new SessionTotals();
  /** Sessions released, selected or not. */
  seen = 0;
  private spill: SessionSpill | null = null;
  private readonly planner: FirewallPlanner;
  /** --session's numbers; empty: every session. */
  private readonly ids: ReadonlySet<number>;
  /** With --session: whether the picked sessions' counts and plan were added up (see finish). */
  private picked = false;

  constructor(
    private readonly multipleInputs: boolean,
    private readonly options: AnalyzeOptions,
    firewall: FirewallOptions,
  ) {
    this.planner = new FirewallPlanner(firewall);
    this.ids = new Set(options.session ?? []);
  }

  add(session: FtpSession, startMicros: number, sequence: number): void {
    this.seen++;
    this.spill ??= new SessionSpill();
    const selection: SessionSelection = { ids: [], clients: this.options.client ?? [], server: this.options.server ?? null };
    if (selectSessions([session], selection).length === 0) {
      // Not in the report, but numbered: the report's sessions keep the numbers of the whole capture.
      this.spill.add(null, startMicros, sequence);
      return;
    }
    const built = buildSessionView(session, this.multipleInputs, defaultOptions.maxTimelineDataConnections);
    if (this.ids.size === 0) {
      this.totals.addHead(built);
      this.planner.add(session, startMicros, built.helper);
      this.spill.add(built, startMicros, sequence, (channel) => this.totals.addChannel(channel));
      return;
    }
    const own = new SessionTotals();
    own.addHead(built);
    const plan = this.planner.contribution(session, startMicros, built.helper);
    this.spill.add(
      built,
      startMicros,
      sequence,
      (channel) => own.addChannel(channel),
      (): PickedExtra => ({ totals: { dataChannels: own.dataChannels, byStatus: own.byStatus, severities: own.severities }, plan }),
    );
  }

  /** With --session: adds up the counts and plan of the sessions picked, in report order (once). */
  private finish(): void {
    if (this.ids.size === 0 || this.picked || this.spill === null) return;
    this.picked = true;
    for (const { id, extra } of this.spill.extras((n) => this.ids.has(n))) {
      const { totals, plan } = extra as PickedExtra;
      this.totals.addHead({ findings: [] });
      this.totals.dataChannels += totals.dataChannels;
      for (const status of Object.keys(totals.byStatus) as Array<keyof typeof totals.byStatus>) this.totals.byStatus[status] += totals.byStatus[status];
      for (const severity of Object.keys(totals.severities) as Array<keyof typeof totals.severities>)
        this.totals.severities[severity] += totals.severities[severity];
      if (plan !== null) this.planner.addContribution({ ...plan, key: { ...plan.key, id }, prediction: { ...plan.prediction, session: id } });
    }
  }

  /** The counts of the report's sessions (with --session, known once the capture is read). */
  summed(): SessionTotals {
    this.finish();
    return this.totals;
  }

  plan(): FirewallPlan {
    this.finish();
    // With --session the plan was made with the report's numbers already.
    return this.ids.size === 0 ? this.planner.plan((sequence) => this.idOf(sequence)) : this.planner.plan();
  }

  /** The report's number of the session released `sequence`-th. */
  idOf(sequence: number): number {
    return this.spill?.idOf(sequence) ?? sequence;
  }

  sessions(): Iterable<SessionView> {
    if (this.spill === null) return [];
    return this.ids.size === 0 ? this.spill.sessions() : this.spill.sessions((id) => this.ids.has(id));
  }

  close(): void {
    this.spill?.close();
    this.spill = null;
  }
}

/** What the file keeps with each session when --session picks them at the end. */
interface PickedExtra {
  totals: Pick<SessionTotals, 'dataChannels' | 'byStatus' | 'severities'>;
  plan: PlanContribution | null;
}

/** The analyzer's events, and each frame's time after the analyzer took it. */
type FrameEvents = AnalyzerEvents & { frame?(timeMicros: number, analyzer: Analyzer): void };

interface AnalyzeOutcome {
  /** The report; with sessions released as they ended, without its sessions (see `sessions`). */
  report: Report;
  /** The report's sessions in order, read again at each call. */
  sessions(): Iterable<SessionView>;
  /** Lets go of the released sessions' temporary file. */
  close(): void;
  /** A session's number in the report, from its number while it was analyzed. */
  reportNumber(id: number): number;
  status: number | null;
  /** Zeek's ftp.log records (--format zeek). */
  zeek: ZeekFtpRecord[];
  /** Time of the first and last frame read, microseconds since the epoch. */
  firstMicros: number | null;
  lastMicros: number | null;
}

/** The report in the format asked for. */
function render(outcome: AnalyzeOutcome, options: AnalyzeOptions, io: Io): Iterable<string> {
  const { report } = outcome;
  const toFile = options.output !== undefined && options.output !== '-';
  switch (options.format) {
    case 'json':
      return renderJsonChunks(report, outcome.sessions());
    case 'html':
      // One page draws every session: built in memory, for as many sessions as a page can hold.
      return [renderHtml(report.sessions.length > 0 ? report : { ...report, sessions: [...outcome.sessions()].map(materialize) })];
    case 'csv':
      return renderCsvChunks(report, outcome.sessions());
    case 'ndjson':
      return ndjsonChunks(report, outcome.sessions());
    case 'zeek': {
      if (options.zeekJson) return [renderZeekJson(outcome.zeek)];
      const open = outcome.firstMicros ?? 0;
      return [renderZeekAscii(outcome.zeek, { openMicros: open, closeMicros: outcome.lastMicros ?? open })];
    }
    default: {
      const text = renderTextChunks(report, () => outcome.sessions(), { color: useColor(options.color, io, toFile), firewall: options.firewall });
      if (!options.diagram) return text;
      const all = report.sessions.length > 0 ? report : { ...report, sessions: [...outcome.sessions()].map(materialize) };
      return [[...text].join('') + `\n${renderDiagrams(all, diagramOptions(options, io, toFile))}`];
    }
  }
}

function* ndjsonChunks(report: Report, sessions: Iterable<SessionView>): Generator<string> {
  for (const session of sessions) yield* renderNdjsonSessionChunks(session);
  yield renderNdjsonSummary(report);
}

/**
 * Sessions the formats built as one string in memory (HTML, Zeek's log) take at most: past this,
 * ftpcap says so instead of running out of memory. Text, JSON, CSV and NDJSON have no such limit.
 */
export const MAX_IN_MEMORY_SESSIONS = 20_000;

/** How long after a session's end (capture time) its NDJSON line waits for the last packets of its close. */
const STREAM_GRACE_MICROS = 1_000_000;

export async function analyzeFiles(files: string[], options: AnalyzeOptions, io: Io): Promise<number> {
  if (options.format !== 'zeek' && (options.zeekJson || (options.zeekCommands ?? []).length > 0)) {
    io.stderr(`error: --zeek-json and --zeek-commands go with --format zeek, not --format ${options.format}\n`);
    return ExitCode.usage;
  }
  // NDJSON to standard output: each session is written once it has ended (and the last ACKs of
  // its close have had a second of capture time to arrive), the rest at the end. A session
  // written is forgotten: what the summary needs of it is added up in `streamed`.
  const streaming = options.format === 'ndjson' && !options.output;
  const streamed = streaming ? new StreamedSessions(files.length > 1, selectionOf(options)) : null;
  const ended: FtpSession[] = [];
  let lastIdleCheck = 0;
  const events: FrameEvents = streamed
    ? {
        sessionEnd: (session) => ended.push(session),
        frame: (timeMicros, analyzer) => {
          // Once a second of capture time: sessions silent for longer than the idle timeout end.
          if (timeMicros - lastIdleCheck >= 1_000_000) {
            lastIdleCheck = timeMicros;
            analyzer.expireIdle(timeMicros, options.idleTimeout * 1e6);
          }
          while (ended.length > 0 && timeMicros - ended[0].control.last.timeMicros > STREAM_GRACE_MICROS) {
            const session = ended.shift() as FtpSession;
            io.stdout(streamed.write(session));
            analyzer.forgetEnded(session);
          }
        },
      }
    : {};
  let extractor: Extractor | null = null;
  if (options.extract !== undefined) {
    try {
      extractor = new Extractor(options.extract, { ids: options.session ?? [], clients: options.client ?? [], server: options.server ?? null });
    } catch (error) {
      io.stderr(`ftpcap: cannot extract into ${sanitize(options.extract)}: ${sanitize(error instanceof Error ? error.message : String(error))}\n`);
      return ExitCode.output;
    }
  }
  // Text, JSON, CSV and NDJSON to a file are written from sessions kept on disk as they end, not
  // from memory (the formats built as one string read them back); --session picks from there.
  const release = !streaming;
  const outcome = await readAndReport(files, options, io, events, extractor, release, streamed);
  if (extractor !== null) {
    const { manifest, entries } = extractor.finish((id) => outcome.reportNumber(id));
    if (extractor.error !== null) {
      io.stderr(`ftpcap: cannot extract into ${sanitize(options.extract ?? '')}: ${sanitize(extractor.error.message)}\n`);
      outcome.close();
      return ExitCode.output;
    }
    if (!options.quiet)
      io.stderr(
        `ftpcap: extracted ${entries.length} file${entries.length === 1 ? '' : 's'} into ${sanitize(options.extract ?? '')} (${sanitize(path.basename(manifest ?? ''))} lists them)\n`,
      );
  }
  const inMemory = options.format === 'html' || options.format === 'zeek' || options.diagram === true;
  const most = options.maxInMemorySessions ?? MAX_IN_MEMORY_SESSIONS;
  if (inMemory && outcome.report.summary.sessions > most) {
    outcome.close();
    const what = options.format === 'html' ? 'the HTML report' : options.format === 'zeek' ? "Zeek's log" : 'the diagrams';
    io.stderr(
      `ftpcap: ${what} of ${outcome.report.summary.sessions} sessions is built in memory, which holds at most ${most}: ` +
        'use --format text, json, csv or ndjson (written session by session), or pick sessions with --session, --client or --server\n',
    );
    return ExitCode.output;
  }
  try {
    return await writeReport(outcome, options, io, streaming);
  } finally {
    outcome.close();
  }
}

async function writeReport(outcome: AnalyzeOutcome, options: AnalyzeOptions, io: Io, streaming: boolean): Promise<number> {
  const { report, status } = outcome;
  // Streamed: the sessions written as they ended are no longer in the report; the rest come now.
  const chunks = streaming ? [report.sessions.map(renderNdjsonSession).join('') + renderNdjsonSummary(report)] : render(outcome, options, io);
  const file = outputFile(options);
  if (file === null) {
    for (const chunk of chunks) {
      io.stdout(chunk);
      await io.drain?.();
    }
  } else {
    try {
      writeChunks(file, chunks, io);
    } catch (error) {
      io.stderr(`ftpcap: cannot write ${sanitize(file)}: ${sanitize(error instanceof Error ? error.message : String(error))}\n`);
      return ExitCode.output;
    }
  }
  if (status !== null) return status;
  const counts = report.summary.findings;
  const failing = options.failOn === 'error' ? counts.error : options.failOn === 'warning' ? counts.error + counts.warning : 0;
  return failing > 0 ? ExitCode.findings : ExitCode.ok;
}

/** Whether the terminal shows Unicode: the locale (LC_ALL, else LC_CTYPE, else LANG) names UTF-8, or none is set. */
export function localeShowsUnicode(env: Record<string, string | undefined>): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return locale === '' || /utf-?8/i.test(locale);
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

/**
 * Where -o sends the report: null for standard output; for zeek always `DIR/ftp.log` (Zeek writes
 * logs into a directory); otherwise the file named, or `DIR/ftpcap.<format>` when it names an
 * existing directory.
 */
function outputFile(options: AnalyzeOptions): string | null {
  const output = options.output;
  if (output === undefined || output === '-') return null;
  const isDirectory = options.format === 'zeek' || output.endsWith('/') || (fs.existsSync(output) && fs.statSync(output).isDirectory());
  return isDirectory ? path.join(output, outputFiles[options.format]) : output;
}

/** Writes a document that comes in pieces (the JSON report, session by session) to a file. */
function writeChunks(file: string, chunks: Iterable<string>, io: Io): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (io.writeFile) {
    io.writeFile(file, [...chunks].join(''));
    return;
  }
  const fd = fs.openSync(file, 'w');
  try {
    for (const chunk of chunks) fs.writeSync(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
}

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
    const { report } = await readAndReport(
      [full],
      { ...options, ftpPort: [], detect: true, showPasswords: false, quiet: true, format: 'text', firewall: false, style: 'both', clients: 'any' },
      { ...io, stderr: () => undefined },
    );
    reports[file] = report;
  }
  const toFile = options.output !== undefined && options.output !== '-';
  emit(renderExplain(list, reports, diagramOptions(options, io, toFile)), options, io);
  return ExitCode.ok;
}

/** `ftpcap firewall`: only the firewall section, for people (text) or programs (JSON). */
export async function firewallFiles(files: string[], options: AnalyzeOptions, io: Io): Promise<number> {
  // Only the plan is printed: the sessions are released as they end, and their temporary file deleted.
  const outcome = await readAndReport(files, { ...options, format: options.format === 'json' ? 'json' : 'text' }, io, {}, null, true);
  outcome.close();
  const { report, status } = outcome;
  if (options.format === 'json') {
    const { plan, sets } = report.firewall;
    const document: FirewallDocument = { schemaVersion: report.schemaVersion, tool: report.tool, plan, sets };
    io.stdout(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    const text =
      report.firewall.plan.servers.length === 0
        ? 'No FTP server in the capture: no firewall rules to suggest.'
        : renderFirewallSection(report, { color: useColor(options.color, io, false) });
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
  lines.push("  where:    the session's timeline and findings (sessions[].findings[] in the JSON), or the capture-level findings[]");
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
  const analyze = addPerformanceOptions(
    program
      .command('analyze')
      .description('analyze one or more captures together (pcap, pcapng, gzip-compressed; - reads standard input)')
      .argument('<capture...>', 'capture files, merged by timestamp; - for standard input')
      .addOption(
        new Option(
          '-f, --format <format>',
          "text (for people), json (the report), html (one self-contained page), csv (one row per data channel), ndjson (one line per session), zeek (Zeek's ftp.log)",
        )
          .choices([...formats])
          .default('text'),
      )
      .option('-o, --output <path>', 'write the report to this file, or into this directory as ftpcap.<format> (zeek: always a directory, with ftp.log)')
      .option(
        '--idle-timeout <seconds>',
        'with --format ndjson on standard output: a session silent this long (control and data connections) is written as ended',
        parseSeconds,
        300,
      )
      .option('--zeek-json', 'with --format zeek: one JSON object per line, as Zeek writes with LogAscii::use_json')
      .option(
        '--zeek-commands <list>',
        'with --format zeek: also log these commands (comma-separated, e.g. USER,PASS,<init>), as redef FTP::logged_commands += {...}',
        parseCommandList,
        [],
      )
      .option('-p, --ftp-port <port>', 'also treat this TCP port as FTP control (repeatable; 21 always is)', parsePort, [])
      .option('--no-detect', 'find FTP control only on port 21 and --ftp-port ports, not by content on any port')
      .option('--session <n>', 'only this session (its number in the whole capture; repeatable)', parsePositive)
      .option('--client <addr>', 'only sessions from this client address (repeatable)', parseClient)
      .option('--diagram', 'add a ladder diagram of every session to the text report')
      .option('--ascii', 'draw diagrams in plain ASCII (default when the locale is not UTF-8)')
      .option('--width <columns>', "diagram width (default: the terminal's, else 100)", parseWidth)
      .addOption(
        new Option('--fail-on <severity>', `exit with status ${ExitCode.findings} when findings of this severity or worse exist`).choices(['warning', 'error']),
      )
      .option('--show-passwords', 'show passwords instead of masking them', false)
      .option('--no-firewall', 'leave the firewall section out of the text report')
      .addOption(new Option('--rules <dialect>', 'older spelling of --dialect: nftables, iptables or all').choices(['nftables', 'iptables', 'all']).hideHelp())
      .option('--color', 'colour the text report (default: on a terminal, unless NO_COLOR is set)')
      .option('--no-color', 'never colour the text report')
      .option('-q, --quiet', 'no progress line on stderr (it is shown only on a terminal, for inputs over 8 MB)')
      .addOption(
        new Option('--hash <when>', 'MD5, SHA-1 and SHA-256 of every data connection: auto (when the inputs total at most 64 MiB), always, never')
          .choices(['auto', 'always', 'never'])
          .default('auto'),
      )
      .option(
        '--extract <dir>',
        "write every data connection's payload (files, listings) of the sessions shown into this directory, with manifest.json; never overwrites",
      )
      .option(
        '--max-data-reorder-bytes <n>',
        'out-of-order bytes buffered per direction of a data connection before a hole is given up (default 1048576)',
        parseByteCount,
      )
      .addOption(
        new Option(
          '--max-data-channels <n>',
          `data channels listed per session; later finished ones are only counted (default ${defaultOptions.maxDataChannelsPerSession})`,
        ).argParser(parseChannelCount),
      )
      .addOption(
        new Option('--max-in-memory-sessions <n>', 'sessions HTML, Zeek and diagrams (built in memory) take at most')
          .argParser((v) => parsePositive(v)[0])
          .hideHelp(),
      ),
  );
  addFirewallOptions(analyze, { dialect: 'nftables' }).action((files: string[], options: AnalyzeOptions) => {
    done(analyzeFiles(files, options, io));
  });
  program
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
    .option('--color', 'colour the output (default: on a terminal, unless NO_COLOR is set)')
    .option('--no-color', 'never colour the output');
  addPerformanceOptions(watch);
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
    .option('--color', 'colour the output (default: on a terminal, unless NO_COLOR is set)')
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
