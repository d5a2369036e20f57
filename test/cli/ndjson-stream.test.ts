/**
 * `--format ndjson` from standard input writes each session as soon as it has ended, before the
 * input ends: what `tcpdump -i eth0 -U -w - | ftpcap analyze - --format ndjson` relies on.
 * The capture is fed record by record through a pipe, as tcpdump -U writes it.
 */
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { run } from '../../src/cli/main';
import { runCli } from '../e2e/run-cli';

// samples/firewall-passive-blocked: two sessions one after the other (frames 1-26 and 27-48).
const capture = 'samples/firewall-passive-blocked/capture.pcap';

/** The classic pcap's file header and records (little-endian, microseconds). */
function records(bytes: Buffer): { header: Buffer; records: Buffer[] } {
  expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4);
  const out: Buffer[] = [];
  for (let offset = 24; offset < bytes.length; ) {
    const length = 16 + bytes.readUInt32LE(offset + 8);
    out.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return { header: bytes.subarray(0, 24), records: out };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

test('the first session is written while the capture is still coming', async () => {
  const { header, records: frames } = records(readFileSync(capture));
  const stdin = new PassThrough();
  let stdout = '';
  const done = run(['node', 'ftpcap', 'analyze', '-', '--format', 'ndjson'], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: () => {},
    isTty: false,
    stdin,
  });
  stdin.write(header);
  let firstLineAfter = -1;
  for (const [i, frame] of frames.entries()) {
    stdin.write(frame);
    await tick();
    if (firstLineAfter < 0 && stdout.includes('"type":"session"')) firstLineAfter = i + 1;
  }
  stdin.end();
  expect(await done).toBe(0);
  // Session 1 ends at frame 26 (FIN both ways); its line waits a second of capture time for the
  // last ACKs, and comes out while session 2's frames are read.
  expect(firstLineAfter).toBeGreaterThan(26);
  expect(firstLineAfter).toBeLessThan(frames.length);
  expect(JSON.parse(stdout.split('\n')[0])).toMatchObject({ type: 'session', id: 1 });
  // The same lines as from the file, apart from the input's name.
  const fromFile = (await runCli('analyze', '--format', 'ndjson', capture)).stdout;
  expect(stdout).toBe(fromFile.split(JSON.stringify(capture)).join('"-"'));
});

test('--idle-timeout: a session silent (control and data) for longer is written as ended there', async () => {
  // samples/pasv-address-wrong, session 2: after 07.194555 neither its control connection nor
  // its data connection carries a packet for 3 s, until the close at 10.232293.
  const lines = async (...args: string[]) =>
    (await runCli('analyze', '-q', '--format', 'ndjson', ...args, 'samples/pasv-address-wrong/capture.pcap')).stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; id?: number; end?: string });
  const normal = await lines();
  const short = await lines('--idle-timeout', '0.5');
  expect(short.map((l) => [l.type, l.id])).toEqual(normal.map((l) => [l.type, l.id]));
  expect(normal[1].end).toBe('2026-11-21T11:31:10.232293Z');
  expect(short[1].end).toBe('2026-11-21T11:31:07.194555Z');
  expect(short[0]).toEqual(normal[0]);
});
