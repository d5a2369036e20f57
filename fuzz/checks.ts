/**
 * What must hold for every input, however damaged or hostile: nothing throws out of the analyzer
 * or a renderer, each input is done in bounded time, text for a terminal holds no raw control
 * characters from the capture, JSON outputs parse, and the command line exits with a documented
 * status and no internal error.
 */
import { CLEAN_EXIT_STATUSES, type CliResult, type Rendered } from './target';

/**
 * Characters that must never reach a terminal raw: C0 controls but tab and line feed, DEL, C1
 * controls, bidirectional marks, overrides and isolates, and the Unicode line and paragraph
 * separators (the set src/report/sanitize.ts escapes, less the two line-layout characters
 * reports are made of).
 */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

export type FailureKind = 'crash' | 'hang' | 'control-characters' | 'bad-output' | 'exit-status';

export interface Failure {
  kind: FailureKind;
  /** One line: what went wrong (the error message, the output and character at fault). */
  message: string;
  /** The stack of an exception, or the text around the character at fault. */
  detail: string;
}

/** The same, with carriage returns allowed: CSV ends its records with CR LF (RFC 4180). */
const RAW_CONTROL_BUT_CR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** The first raw control character in `text`, with a little text around it; null when there is none. */
export function findRawControl(text: string, allowCr = false): { index: number; code: number; context: string } | null {
  const match = (allowCr ? RAW_CONTROL_BUT_CR : RAW_CONTROL).exec(text);
  if (match === null) return null;
  const index = match.index;
  return { index, code: text.charCodeAt(index), context: JSON.stringify(text.slice(Math.max(0, index - 60), index + 20)) };
}

function hex(code: number): string {
  return `U+${code.toString(16).padStart(4, '0')}`;
}

/** The first way one rendered output breaks the rules for its kind, or null. */
export function checkOutput(output: Rendered): Failure | null {
  if (output.kind === 'terminal' || output.kind === 'markup') {
    // HTML and CSV show capture text escaped too (src/report/sanitize.ts): a page or a spreadsheet
    // cell, or the file printed with cat, never gets a raw control character.
    const raw = findRawControl(output.text, output.kind === 'markup');
    if (raw !== null) {
      return { kind: 'control-characters', message: `${output.name}: raw ${hex(raw.code)} at character ${raw.index}`, detail: raw.context };
    }
  }
  if (output.kind === 'json') {
    try {
      JSON.parse(output.text);
    } catch (error) {
      return { kind: 'bad-output', message: `${output.name}: not JSON: ${(error as Error).message}`, detail: output.text.slice(0, 400) };
    }
  }
  if (output.kind === 'json-lines') {
    const lines = output.text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === '' && i === lines.length - 1) continue;
      try {
        JSON.parse(lines[i]);
      } catch (error) {
        return { kind: 'bad-output', message: `${output.name}: line ${i + 1} is not JSON: ${(error as Error).message}`, detail: lines[i].slice(0, 400) };
      }
    }
  }
  return null;
}

/** The first way a command line run breaks the rules, or null. */
export function checkCli(args: readonly string[], result: CliResult): Failure | null {
  const command = `ftpcap ${args.join(' ')}`;
  if (!CLEAN_EXIT_STATUSES.has(result.status)) {
    return { kind: 'exit-status', message: `${command}: exit status ${result.status}`, detail: result.stderr.slice(0, 2000) };
  }
  const stderr = findRawControl(result.stderr);
  if (stderr !== null) return { kind: 'control-characters', message: `${command}: standard error: raw ${hex(stderr.code)}`, detail: stderr.context };
  const textOut = !args.includes('json') && !args.includes('ndjson') && !args.includes('html') && !args.includes('csv') && !args.includes('--zeek-json');
  if (textOut) {
    const stdout = findRawControl(result.stdout);
    if (stdout !== null) return { kind: 'control-characters', message: `${command}: standard output: raw ${hex(stdout.code)}`, detail: stdout.context };
  }
  return null;
}

/** An exception as a failure. */
export function crash(error: unknown, where: string): Failure {
  const err = error instanceof Error ? error : new Error(String(error));
  return { kind: 'crash', message: `${where}: ${err.name}: ${err.message}`, detail: err.stack ?? err.message };
}
