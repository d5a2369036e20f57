/**
 * Where the report's sessions wait while the capture is read: each session's report object, as
 * one line of JSON in a temporary file (deleted when the report is written, or when the process
 * exits), so that memory holds a few numbers per session, not the session. Read back in report
 * order (by start time, ties in the order sessions were seen) and numbered 1, 2, ... as the
 * report numbers them; see the Analyzer's sessionReleased.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ReportSession } from '../report/build';

/** Bytes gathered before they are written to the file. */
const BLOCK_BYTES = 4 << 20;
/** Bytes read from the file at once, and blocks kept. */
const READ_BLOCK_BYTES = 512 << 10;
const READ_BLOCKS = 16;

/**
 * Reads records back from the file through a few cached blocks: sessions come in the order they
 * ended, the report wants them by start, and the two orders differ by a few interleaved runs
 * (sessions still open at the end of the capture, long sessions among short ones), each of which
 * reads its blocks in turn.
 */
class BlockReader {
  private readonly blocks: Array<{ start: number; bytes: Buffer; used: number }> = [];
  private clock = 0;

  constructor(private readonly fd: number) {}

  text(offset: number, length: number): string {
    if (length > READ_BLOCK_BYTES) {
      const bytes = Buffer.alloc(length);
      this.read(bytes, offset);
      return bytes.toString('utf8');
    }
    let block = this.blocks.find((b) => offset >= b.start && offset + length <= b.start + b.bytes.length);
    if (block === undefined) {
      if (this.blocks.length < READ_BLOCKS) {
        block = { start: 0, bytes: Buffer.alloc(READ_BLOCK_BYTES), used: 0 };
        this.blocks.push(block);
      } else {
        block = this.blocks.reduce((a, b) => (a.used <= b.used ? a : b));
        block.bytes = Buffer.from(block.bytes.buffer, block.bytes.byteOffset, READ_BLOCK_BYTES);
      }
      block.start = offset;
      block.bytes = block.bytes.subarray(0, this.read(block.bytes, offset));
    }
    block.used = ++this.clock;
    return block.bytes.toString('utf8', offset - block.start, offset - block.start + length);
  }

  private read(into: Buffer, position: number): number {
    let done = 0;
    while (done < into.length) {
      const n = fs.readSync(this.fd, into, done, into.length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }
}

/** A growable Float64Array. */
class NumberList {
  private values = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
  get(index: number): number {
    return this.values[index];
  }
}

/** Temporary files not yet deleted, removed at exit whatever happens. */
const openSpills = new Set<string>();
let exitHook = false;

function removeAtExit(file: string): void {
  openSpills.add(file);
  if (exitHook) return;
  exitHook = true;
  const removeAll = () => {
    for (const spilled of openSpills) {
      try {
        fs.rmSync(path.dirname(spilled), { recursive: true, force: true });
      } catch {
        // Already gone.
      }
    }
    openSpills.clear();
  };
  process.on('exit', removeAll);
  // Interrupted (Ctrl-C, kill): remove the files too, then end as the signal would have.
  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      removeAll();
      process.exit(status);
    });
  }
}

export class SessionSpill {
  private readonly file: string;
  private fd: number | null;
  private pending: string[] = [];
  private pendingBytes = 0;
  private written = 0;
  private readonly offsets = new NumberList();
  private readonly lengths = new NumberList();
  private readonly starts = new NumberList();
  private readonly sequences = new NumberList();
  /** Report order: indexes into the lists above, set by order(). */
  private sorted: Uint32Array | null = null;
  /** The report's number of each session by its sequence number (0: none). */
  private idBySequence: Uint32Array | null = null;

  constructor(directory: string = os.tmpdir()) {
    const dir = fs.mkdtempSync(path.join(directory, 'ftpcap-'));
    this.file = path.join(dir, 'sessions.jsonl');
    this.fd = fs.openSync(this.file, 'w+', 0o600);
    removeAtExit(this.file);
  }

  /** Sessions held. */
  get size(): number {
    return this.offsets.length;
  }

  /**
   * Keeps one session's report; `startMicros` and `sequence` give its place in the report. A
   * session left out of the report (null) still takes its number, as in the whole capture.
   */
  add(session: ReportSession | null, startMicros: number, sequence: number): void {
    if (this.sorted !== null) throw new Error('session added after the spill was read');
    const line = session === null ? '' : JSON.stringify(session);
    const bytes = Buffer.byteLength(line);
    this.offsets.push(this.written + this.pendingBytes);
    this.lengths.push(bytes);
    this.starts.push(startMicros);
    this.sequences.push(sequence);
    this.pending.push(line);
    this.pendingBytes += bytes;
    if (this.pendingBytes >= BLOCK_BYTES) this.flush();
  }

  private flush(): void {
    if (this.pendingBytes === 0 || this.fd === null) return;
    const block = Buffer.from(this.pending.join(''));
    let done = 0;
    while (done < block.length) done += fs.writeSync(this.fd, block, done, block.length - done, this.written + done);
    this.written += block.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Sorts the sessions into report order; after this, nothing more can be added. */
  private order(): Uint32Array {
    if (this.sorted !== null) return this.sorted;
    this.flush();
    const n = this.size;
    const sorted = new Uint32Array(n);
    for (let i = 0; i < n; i++) sorted[i] = i;
    sorted.sort((a, b) => this.starts.get(a) - this.starts.get(b) || this.sequences.get(a) - this.sequences.get(b));
    let largest = 0;
    for (let i = 0; i < n; i++) largest = Math.max(largest, this.sequences.get(i));
    const ids = new Uint32Array(largest + 1);
    for (let rank = 0; rank < n; rank++) ids[this.sequences.get(sorted[rank])] = rank + 1;
    this.sorted = sorted;
    this.idBySequence = ids;
    return sorted;
  }

  /** The report's number for the session seen `sequence`-th (see add). */
  idOf(sequence: number): number {
    this.order();
    return (this.idBySequence as Uint32Array)[sequence] ?? 0;
  }

  /** The sessions in report order, numbered; each call reads them again from the start. */
  *sessions(): Generator<ReportSession> {
    const sorted = this.order();
    if (this.fd === null) throw new Error('the spill was closed');
    const reader = new BlockReader(this.fd);
    for (let rank = 0; rank < sorted.length; rank++) {
      const index = sorted[rank];
      if (this.lengths.get(index) === 0) continue;
      const text = reader.text(this.offsets.get(index), this.lengths.get(index));
      const session = JSON.parse(text) as ReportSession;
      session.id = rank + 1;
      if (session.helper) session.helper.session = rank + 1;
      yield session;
    }
  }

  /** Deletes the temporary file. */
  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    fs.rmSync(path.dirname(this.file), { recursive: true, force: true });
    openSpills.delete(this.file);
  }
}
