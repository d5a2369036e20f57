/**
 * What the fuzzer runs on each input: the whole analyzer and every report renderer, in process,
 * as the command line wires them (src/cli/main.ts readAndReport): the capture read as standard
 * input (so gzip is decompressed on the way), analysed once with Zeek's log on, the report built
 * with every firewall dialect, side and style, then rendered as text, diagrams (Unicode and
 * ASCII), the firewall section and its JSON, JSON, HTML, CSV, NDJSON and Zeek's ftp.log (ASCII and
 * JSON). The command line itself (`run`) can be run too, one command per input.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { Analyzer } from '../src/analyzer';
import { readCaptures, type InputSummary } from '../src/capture';
import { run, type Io } from '../src/cli/main';
import { version } from '../src/cli/version';
import { dialects } from '../src/firewall/types';
import { buildReport } from '../src/report/build';
import { renderCsv } from '../src/report/csv';
import { renderDiagrams } from '../src/report/diagram-text';
import { renderHtml } from '../src/report/html';
import { renderJsonChunks } from '../src/report/json';
import { renderNdjson } from '../src/report/ndjson';
import { sanitize } from '../src/report/sanitize';
import { renderFirewallSection, renderText } from '../src/report/text';
import { renderZeekAscii, renderZeekJson } from '../src/report/zeek';
import type { AnalyzerOptions } from '../src/options';
import { defaultZeekFtpLogOptions } from '../src/zeek/ftp-log';

/**
 * How an output is checked: shown on a terminal (no raw control characters), markup (HTML, CSV:
 * the same, carriage returns allowed), JSON, JSON lines.
 */
export type OutputKind = 'terminal' | 'json' | 'json-lines' | 'markup';

export interface Rendered {
  name: string;
  kind: OutputKind;
  text: string;
}

export interface TargetResult {
  outputs: Rendered[];
  frames: number;
  sessions: number;
}

export interface TargetOptions {
  /** The most bytes handed to the capture decoders at once (splits every header when small). */
  readChunkSize?: number | undefined;
  /** Analyzer options instead of the defaults (tiny caps reach the code that enforces them). */
  analyzer?: Partial<AnalyzerOptions> | undefined;
  /** A second capture read together with the first (merged by timestamp), from a scratch file. */
  second?: Buffer | undefined;
}

/** Every cap of the analyzer at a tiny value: small samples then reach each limit and its finding. */
export const TINY_LIMITS: Partial<AnalyzerOptions> = {
  maxOutOfOrderBytes: 64,
  maxLineLength: 16,
  maxPendingCommands: 2,
  maxExpectations: 2,
  maxConnections: 4,
  maxTimelineEvents: 6,
  maxTimelineDataConnections: 1,
  maxFindingsPerCode: 1,
  maxFragmentedDatagrams: 1,
  fragmentTimeoutMicros: 1000,
  connectionIdleMicros: 1_000_000,
  maxDetectionCandidates: 1,
  duplicateWindowMicros: 0,
  maxDuplicateFingerprints: 2,
  timeReversalToleranceMicros: 0,
};

let scratchCount = 0;

/** Writes `bytes` to a new file in the temporary directory; returns its path. */
function scratchFile(bytes: Buffer): string {
  const file = path.join(os.tmpdir(), `ftpcap-fuzz-${process.pid}-${scratchCount++}.pcap`);
  fs.writeFileSync(file, bytes);
  return file;
}

/** Reads `bytes` as a capture, analyses it and renders every report. Throws only for a bug. */
export async function analyzeAndRender(bytes: Buffer, options: TargetOptions = {}): Promise<TargetResult> {
  const zeek = { loggedCommands: new Set([...defaultZeekFtpLogOptions.loggedCommands, 'USER', 'PASS', '<init>']), capturePasswords: false };
  const analyzer = new Analyzer({ ...options.analyzer }, {}, zeek);
  let frames = 0;
  let first: number | null = null;
  let last: number | null = null;
  const scratch = options.second !== undefined ? scratchFile(options.second) : null;
  let inputs: InputSummary[];
  try {
    inputs = await readCaptures(
      scratch === null ? ['-'] : ['-', scratch],
      (frame) => {
        frames++;
        first ??= frame.timeMicros;
        last = frame.timeMicros;
        analyzer.ingest(frame);
      },
      { stdin: Readable.from([bytes]), transientFrames: scratch === null, readChunkSize: options.readChunkSize },
    );
  } finally {
    if (scratch !== null) fs.rmSync(scratch, { force: true });
  }
  const result = analyzer.finish();
  const report = buildReport(result, inputs, version, {
    options: { passiveRange: null, server: null, clientsSeen: true },
    sets: { dialects: [...dialects], sides: ['server', 'client', 'router'], styles: ['helper', 'stateless'] },
  });
  const outputs: Rendered[] = [];
  const add = (name: string, kind: OutputKind, render: () => string) => outputs.push({ name, kind, text: render() });
  // What the command line prints on standard error about each input.
  add('input problems', 'terminal', () =>
    inputs.flatMap((input) => input.problems.map((p) => `ftpcap: ${sanitize(input.file)}: ${sanitize(p.message)}\n`)).join(''),
  );
  add('text', 'terminal', () => renderText(report, { color: false, firewall: true }));
  add('diagram', 'terminal', () => renderDiagrams(report, { width: 100, ascii: false, color: false }));
  add('diagram --ascii', 'terminal', () => renderDiagrams(report, { width: 60, ascii: true, color: false }));
  add('firewall', 'terminal', () => renderFirewallSection(report, { color: false }));
  add('firewall --format json', 'json', () => JSON.stringify({ schemaVersion: report.schemaVersion, plan: report.firewall.plan, sets: report.firewall.sets }));
  add('json', 'json', () => [...renderJsonChunks(report)].join(''));
  add('html', 'markup', () => renderHtml(report));
  add('csv', 'markup', () => renderCsv(report));
  add('ndjson', 'json-lines', () => renderNdjson(report));
  add('zeek', 'terminal', () => renderZeekAscii(result.zeekFtp, { openMicros: first ?? 0, closeMicros: last ?? first ?? 0 }));
  add('zeek --zeek-json', 'json-lines', () => renderZeekJson(result.zeekFtp));
  return { outputs, frames, sessions: report.sessions.length };
}

/** The command lines the fuzzer runs through `run`, one per input in turn (the capture is standard input). */
export const CLI_COMMANDS: readonly string[][] = [
  ['analyze', '-', '--diagram', '--no-color', '--dialect', 'all', '--side', 'all'],
  ['analyze', '-', '--format', 'json'],
  ['analyze', '-', '--format', 'ndjson'],
  ['analyze', '-', '--format', 'html'],
  ['analyze', '-', '--format', 'csv'],
  ['analyze', '-', '--format', 'zeek', '--zeek-commands', 'USER,PASS,<init>'],
  ['analyze', '-', '--format', 'zeek', '--zeek-json'],
  ['firewall', '-', '--dialect', 'all', '--side', 'all', '--no-color', '--clients', 'seen'],
  ['firewall', '-', '--format', 'json'],
  ['diagram', '-', '--ascii', '--no-color'],
  ['analyze', '-', '--server', '192.0.2.10', '--passive-range', '40000-40009', '--clients', 'seen', '--dialect', 'all', '--style', 'stateless'],
  ['analyze', '-', '--session', '2', '--client', '198.51.100.20', '--diagram', '--width', '60', '--show-passwords', '-p', '2121', '--no-detect'],
];

/** Exit statuses a command line without --fail-on may end with on any input: 0, or 1 when no input could be read. */
export const CLEAN_EXIT_STATUSES: ReadonlySet<number> = new Set([0, 1]);

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `ftpcap <args>` in process with `bytes` as standard input. */
export async function runCli(args: readonly string[], bytes: Buffer): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTty: false,
    stdin: Readable.from([bytes]),
    env: { LANG: 'C.UTF-8' },
    writeFile: () => {
      throw new Error('the fuzzer writes no files');
    },
  };
  const status = await run(['node', 'ftpcap', ...args, '--quiet'], io);
  return { status, stdout, stderr };
}
