/**
 * A report written to a slow reader (a pipe or socket whose other end reads less quickly than
 * ftpcap writes) must wait for it between chunks: otherwise Node queues the whole report in
 * memory (a 100 000-session JSON report is hundreds of MB; past 2 GB the write fails, ENOBUFS).
 */
import * as path from 'path';
import { Writable } from 'stream';
import { expect, test } from 'vitest';
import { run, type Io } from '../../src/cli/main';
import { StandardOutput } from '../../src/cli/output';

const SAMPLE = path.resolve(__dirname, '../../samples/vsftpd-mixed/capture.pcap');

/** A stream that takes one chunk per event-loop turn, as a slow reader at the other end does. */
function slowStream(highWaterMark: number): Writable {
  return new Writable({
    highWaterMark,
    write(_chunk, _encoding, callback) {
      setImmediate(callback);
    },
  });
}

test.each([
  ['waiting for drain between chunks', true],
  ['writing without waiting (what the report must not do)', false],
])('%s', async (_name, wait) => {
  const stream = slowStream(4096);
  const out = new StandardOutput(stream as unknown as NodeJS.WriteStream);
  let most = 0;
  for (let i = 0; i < 500; i++) {
    out.write('x'.repeat(1000));
    most = Math.max(most, stream.writableLength);
    if (wait) await out.drain();
  }
  await out.settle();
  if (wait) expect(most).toBeLessThanOrEqual(4096 + 1000);
  else expect(most).toBeGreaterThan(100 * 1000);
});

test('drain returns at once when the stream has room, has failed or is gone', async () => {
  const stream = slowStream(1 << 20);
  const out = new StandardOutput(stream as unknown as NodeJS.WriteStream);
  out.write('small');
  await out.drain();
  stream.destroy();
  await out.drain();
});

test.each(['json', 'text', 'csv'])('analyze --format %s waits for standard output between chunks', async (format) => {
  let text = '';
  let drains = 0;
  let writesSinceDrain = 0;
  let most = 0;
  const io: Io = {
    stdout: (chunk) => {
      text += chunk;
      writesSinceDrain++;
      most = Math.max(most, writesSinceDrain);
    },
    drain: async () => {
      drains++;
      writesSinceDrain = 0;
    },
    stderr: () => undefined,
    isTty: false,
  };
  const code = await run(['node', 'ftpcap', 'analyze', '-q', SAMPLE, '--format', format], io);
  expect(code).toBe(0);
  expect(text.length).toBeGreaterThan(1000);
  expect(drains).toBeGreaterThan(0);
  // Never two chunks without a wait between them.
  expect(most).toBe(1);
});
