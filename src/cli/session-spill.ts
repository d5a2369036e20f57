/**
 * Where the report's sessions wait while the capture is read: each session's report object in a
 * temporary file (deleted when the report is written, or when the process exits), so that memory
 * holds a few numbers per session, not the session. A session is a few lines of JSON: one per
 * element of its long lists (data channels, transfers without a channel: see STREAMED_LISTS),
 * then one for the rest of it, so that neither writing it nor reading it back holds a session of
 * 200 000 data channels whole. Read back in report order (by start time, ties in the order
 * sessions were seen) and numbered 1, 2, ... as the report numbers them; see the Analyzer's
 * sessionReleased.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { STREAMED_LISTS, type SessionView, type StreamedList } from '../report/session-view';
import type { ReportSession } from '../report/schema';

/** The last line of a session's record: where its lists' lines are, and the rest of the session. */
interface SessionHead {
  /** Per STREAMED_LISTS entry: its elements (lines) and their bytes, newlines included. */
  lists: Array<[number, number]>;
  session: ReportSession;
  /** What the caller kept with the session (see add). */
  extra?: unknown;
}

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

/** The JSON values on the lines of `bytes` bytes at `offset` (each line ends in a newline). */
function* readLines(fd: number, offset: number, bytes: number): Generator<unknown> {
  const block = Buffer.alloc(Math.min(bytes, READ_BLOCK_BYTES));
  let carry: Buffer | null = null;
  let done = 0;
  while (done < bytes) {
    const n = fs.readSync(fd, block, 0, Math.min(block.length, bytes - done), offset + done);
    if (n === 0) throw new Error('the session file ended early');
    done += n;
    let bytesRead = block.subarray(0, n);
    if (carry !== null) {
      bytesRead = Buffer.concat([carry, bytesRead]);
      carry = null;
    }
    let from = 0;
    for (let end = bytesRead.indexOf(0x0a); end >= 0; end = bytesRead.indexOf(0x0a, from)) {
      yield JSON.parse(bytesRead.toString('utf8', from, end));
      from = end + 1;
    }
    // A line across the block's end: the rest comes with the next block.
    if (from < bytesRead.length) carry = Buffer.from(bytesRead.subarray(from));
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
   * session left out of the report (null) still takes its number, as in the whole capture. Its
   * data channels are gone through once, each handed to `channel` as it is written. `extra`, made
   * once they have been, is kept with the session (JSON) for extras().
   */
  add(
    session: SessionView | null,
    startMicros: number,
    sequence: number,
    channel?: (c: ReportSession['dataChannels'][number]) => void,
    extra?: () => unknown,
  ): void {
    if (this.sorted !== null) throw new Error('session added after the spill was read');
    let line = '';
    if (session !== null) {
      const lists: Array<[number, number]> = [];
      const head: Record<string, unknown> = { ...session };
      for (const name of STREAMED_LISTS) {
        let count = 0;
        let bytes = 0;
        for (const element of session[name] as Iterable<unknown>) {
          if (name === 'dataChannels') channel?.(element as ReportSession['dataChannels'][number]);
          // JSON text holds no raw line break: one element per line.
          const text = `${JSON.stringify(element)}\n`;
          count++;
          bytes += this.append(text);
        }
        lists.push([count, bytes]);
        head[name] = [];
      }
      line = JSON.stringify(extra ? { lists, session: head, extra: extra() } : { lists, session: head });
    }
    this.offsets.push(this.written + this.pendingBytes);
    this.lengths.push(Buffer.byteLength(line));
    this.starts.push(startMicros);
    this.sequences.push(sequence);
    this.append(line);
  }

  /** Adds text to the file; returns its bytes. */
  private append(text: string): number {
    const bytes = Buffer.byteLength(text);
    this.pending.push(text);
    this.pendingBytes += bytes;
    if (this.pendingBytes >= BLOCK_BYTES) this.flush();
    return bytes;
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

  /** The `extra` kept with each session `keep` takes (by its report number), in report order. */
  *extras(keep: (id: number) => boolean): Generator<{ id: number; extra: unknown }> {
    const sorted = this.order();
    if (this.fd === null) throw new Error('the spill was closed');
    const reader = new BlockReader(this.fd);
    for (let rank = 0; rank < sorted.length; rank++) {
      const index = sorted[rank];
      if (this.lengths.get(index) === 0 || !keep(rank + 1)) continue;
      const { extra } = JSON.parse(reader.text(this.offsets.get(index), this.lengths.get(index))) as SessionHead;
      yield { id: rank + 1, extra };
    }
  }

  /**
   * The sessions in report order (those `keep` takes, by their report number), numbered; each
   * call reads them again from the start. A session's lists are read from the file as they are
   * iterated, each time again, until the next session is asked for.
   */
  *sessions(keep: (id: number) => boolean = () => true): Generator<SessionView> {
    const sorted = this.order();
    if (this.fd === null) throw new Error('the spill was closed');
    const fd = this.fd;
    const reader = new BlockReader(fd);
    for (let rank = 0; rank < sorted.length; rank++) {
      const index = sorted[rank];
      if (this.lengths.get(index) === 0 || !keep(rank + 1)) continue;
      const headAt = this.offsets.get(index);
      const { lists, session } = JSON.parse(reader.text(headAt, this.lengths.get(index))) as SessionHead;
      session.id = rank + 1;
      if (session.helper) session.helper.session = rank + 1;
      const view = session as unknown as Record<StreamedList, Iterable<unknown>>;
      let at = headAt - lists.reduce((sum, [, bytes]) => sum + bytes, 0);
      STREAMED_LISTS.forEach((name, i) => {
        const [count, bytes] = lists[i];
        const start = at;
        at += bytes;
        view[name] = count === 0 ? [] : { [Symbol.iterator]: () => readLines(fd, start, bytes) };
      });
      yield session as unknown as SessionView;
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
