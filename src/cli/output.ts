/**
 * Standard output as the process has it: a disk that fills up, a reader that goes away (EPIPE),
 * a descriptor that was closed before ftpcap started. Each ends in its own exit status (README
 * "Exit status"), never in a stack trace.
 */
import * as fs from 'fs';

/** What became of the report on standard output. */
export type OutputOutcome =
  | { kind: 'written' }
  /** The reader closed the pipe (`ftpcap analyze x.pcap | head -1`): it wanted no more. */
  | { kind: 'reader-gone' }
  /** Writing failed: disk full, I/O error, a descriptor that cannot be written. */
  | { kind: 'failed'; reason: string };

const reasons: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EBADF: 'it is not open for writing',
  EFBIG: 'the file is too large',
  EROFS: 'the file system is read-only',
};

function describe(error: NodeJS.ErrnoException): string {
  const code = error.code ?? '';
  return `${reasons[code] ?? error.message.replace(/^\w+: /, '')}${code ? ` (${code})` : ''}`;
}

/** Writes to process.stdout and remembers the first error instead of letting it end the process. */
export class StandardOutput {
  private error: NodeJS.ErrnoException | null = null;

  constructor(private readonly stream: NodeJS.WriteStream = process.stdout) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      this.error ??= error;
    });
  }

  /**
   * Whether the descriptor was closed when the process started (`ftpcap ... >&-`). Node then
   * opens /dev/null in its place, read-write and close-on-exec, which no shell redirection does;
   * only Linux shows this (/proc), elsewhere the answer is false.
   */
  closedAtStart(): boolean {
    try {
      if (fs.readlinkSync('/proc/self/fd/1') !== '/dev/null') return false;
      const flags = /^flags:\s*(\d+)/m.exec(fs.readFileSync('/proc/self/fdinfo/1', 'utf8'));
      if (!flags) return false;
      const value = parseInt(flags[1], 8);
      const O_ACCMODE = 0o3;
      const O_RDWR = 0o2;
      const O_CLOEXEC = 0o2000000;
      return (value & O_ACCMODE) === O_RDWR && (value & O_CLOEXEC) !== 0;
    } catch {
      return false;
    }
  }

  write(text: string): void {
    if (this.error !== null || this.stream.destroyed) return;
    try {
      this.stream.write(text);
    } catch (error) {
      this.error ??= error as NodeJS.ErrnoException;
    }
  }

  /**
   * Waits while the stream holds more than its high-water mark (a slow reader at the other end of
   * a pipe or socket), so that a report written chunk by chunk never queues whole in memory.
   */
  async drain(): Promise<void> {
    if (this.error !== null || this.stream.destroyed || !this.stream.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }

  /** Waits until what was written has left the process (or failed), and says which. */
  async settle(): Promise<OutputOutcome> {
    // A failed write reports its error on a later tick.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.error === null && !this.stream.destroyed && this.stream.writableLength > 0) {
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        this.stream.once('drain', done);
        this.stream.once('error', done);
        this.stream.once('close', done);
      });
    }
    const error = this.error;
    if (error === null) return { kind: 'written' };
    if (error.code === 'EPIPE') return { kind: 'reader-gone' };
    return { kind: 'failed', reason: describe(error) };
  }
}
