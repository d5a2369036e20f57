/**
 * A capture holding every packet twice (samples/duplicated, made by
 * samples/tools/make-foreign-samples.sh: mergecap of a recording with itself, by time and end to
 * end) reads as the recording itself, with the copies counted and, end to end, the backward step
 * in time at the seam reported.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runCli } from './run-cli';

interface Channel {
  status: string;
  connection: { bytes: number; handshake: string } | null;
  transfer: { command: string; replyCode: number | null } | null;
}
interface Session {
  client: unknown;
  server: unknown;
  user: string | null;
  commands: number;
  replies: number;
  dataChannels: Channel[];
  findings: Array<{ code: string }>;
}
interface Report {
  sessions: Session[];
  findings: Array<{ code: string; frame: number | null; message: string }>;
  summary: { duplicateFrames: number; frames: number };
}

async function report(file: string): Promise<Report> {
  const { code, stdout } = await runCli('analyze', join('samples', 'duplicated', file), '--format', 'json');
  expect(code).toBe(0);
  return JSON.parse(stdout) as Report;
}

/** What the analysis says, without frame numbers (they differ between the files). */
function analysis(r: Report) {
  return r.sessions.map((s) => ({
    client: s.client,
    server: s.server,
    user: s.user,
    commands: s.commands,
    replies: s.replies,
    channels: s.dataChannels.map((c) => [c.status, c.connection?.bytes, c.connection?.handshake, c.transfer?.command, c.transfer?.replyCode]),
    findings: s.findings.map((f) => f.code),
  }));
}

test.each<[string, string[]]>([
  ['capture.pcap', ['duplicate-frames']],
  ['concatenated.pcap', ['duplicate-frames', 'time-goes-backwards']],
])('%s reads as original.pcap, the copies counted', async (file, codes) => {
  const original = await report('original.pcap');
  const doubled = await report(file);
  expect(analysis(doubled)).toEqual(analysis(original));
  expect(doubled.summary.frames).toBe(2 * original.summary.frames);
  expect(doubled.summary.duplicateFrames).toBe(original.summary.frames);
  expect(original.summary.duplicateFrames).toBe(0);
  expect(doubled.findings.map((f) => f.code)).toEqual(codes);
});

test('the seam of the concatenated file is where time goes backwards', async () => {
  const r = await report('concatenated.pcap');
  const original = await report('original.pcap');
  const seam = r.findings.find((f) => f.code === 'time-goes-backwards');
  expect(seam?.frame).toBe(original.summary.frames + 1);
});
