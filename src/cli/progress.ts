/**
 * The progress line on standard error while big captures are read: a bar, the megabytes read, the
 * throughput and the time left; for standard input (size unknown) the megabytes and throughput
 * only. `renderProgress` is a pure function of the numbers; `ProgressLine` decides when to draw
 * (only on a terminal, only for inputs of at least PROGRESS_MIN_BYTES, at most every
 * PROGRESS_INTERVAL_MS) and wipes the line when reading is done.
 */

/** Inputs smaller than this are read too fast for a progress line to help. */
export const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;
/** The line is redrawn at most this often. */
export const PROGRESS_INTERVAL_MS = 100;
/** Characters of the bar between its brackets, when the terminal is wide enough. */
const BAR_WIDTH = 30;
const MB = 1e6;

export interface ProgressState {
  /** Bytes read so far (of the files as stored: compressed bytes for a gzip file). */
  bytes: number;
  /** Bytes to read in all, or null when unknown (standard input). */
  total: number | null;
  /** Milliseconds since reading started. */
  elapsedMs: number;
  /** Width of the terminal in characters; the line stays shorter. */
  columns: number;
}

/**
 * One progress line, without line end:
 * `[###########-------------------]  37%  402/1091 MB  812 MB/s  ETA 0:01`, or for an input of
 * unknown size `402 MB read  812 MB/s`. The throughput is left out until a first interval passed.
 */
export function renderProgress(state: ProgressState): string {
  const seconds = state.elapsedMs / 1000;
  const rate = seconds > 0 ? state.bytes / seconds : 0;
  const throughput = seconds >= PROGRESS_INTERVAL_MS / 1000 ? `  ${formatMegabytes(rate)} MB/s` : '';
  if (state.total === null || state.total <= 0) {
    return fit(`${formatMegabytes(state.bytes)} MB read${throughput}`, state.columns);
  }
  const fraction = Math.min(1, state.bytes / state.total);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const amounts = `${formatMegabytes(state.bytes)}/${formatMegabytes(state.total)} MB`;
  const eta = rate > 0 && throughput !== '' ? `  ETA ${formatDuration((state.total - Math.min(state.bytes, state.total)) / rate)}` : '';
  const text = `${percent}  ${amounts}${throughput}${eta}`;
  // The bar takes what the text leaves, up to BAR_WIDTH, and disappears on a narrow terminal.
  const room = Math.min(BAR_WIDTH, state.columns - 1 - text.length - 3);
  if (room < 10) return fit(text.trimStart(), state.columns);
  const filled = Math.round(fraction * room);
  return `[${'#'.repeat(filled)}${'-'.repeat(room - filled)}] ${text}`;
}

/** Megabytes (10^6 bytes) with one decimal below 100, whole above. */
export function formatMegabytes(bytes: number): string {
  const megabytes = bytes / MB;
  return megabytes < 100 ? megabytes.toFixed(1) : megabytes.toFixed(0);
}

/** Seconds as `m:ss` (or `h:mm:ss` from an hour on). */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

function fit(text: string, columns: number): string {
  return text.length < columns ? text : text.slice(0, Math.max(0, columns - 1));
}

/** Where the progress line goes and what time it is (a fake clock in tests). */
export interface ProgressOutput {
  write(text: string): void;
  columns: number;
  now(): number;
}

/**
 * Draws the progress of reading `total` bytes (null: unknown) on `output`, a terminal. Shows
 * nothing for inputs known to be smaller than PROGRESS_MIN_BYTES, nor for an input of unknown
 * size until that many bytes were read.
 */
export class ProgressLine {
  private readonly start: number;
  private lastDraw = -Infinity;
  private shown = false;

  constructor(
    private readonly output: ProgressOutput,
    private readonly total: number | null,
  ) {
    this.start = output.now();
  }

  /** Reading reached `bytes` bytes. */
  update(bytes: number): void {
    if (this.total !== null && this.total < PROGRESS_MIN_BYTES) return;
    if (this.total === null && bytes < PROGRESS_MIN_BYTES) return;
    const now = this.output.now();
    if (now - this.lastDraw < PROGRESS_INTERVAL_MS) return;
    this.lastDraw = now;
    const line = renderProgress({ bytes, total: this.total, elapsedMs: now - this.start, columns: this.output.columns });
    this.output.write(`\r${line}\x1b[K`);
    this.shown = true;
  }

  /** Reading is done: the line is wiped, so that what follows starts on a clean line. */
  finish(): void {
    if (this.shown) this.output.write('\r\x1b[K');
    this.shown = false;
  }
}
