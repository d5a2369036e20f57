/**
 * FTP inside VXLAN, captured on the underlay (samples/tunnels, made by
 * samples/tools/make-foreign-samples.sh): the sessions are read by their inner addresses, whole,
 * also when the VXLAN datagrams travel as IP fragments (fragmented.pcap).
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runCli } from './run-cli';

interface Report {
  summary: { undecodedFrames: Record<string, number> };
  sessions: Array<{
    client: { ip: string };
    server: { ip: string; port: number };
    dataChannels: Array<{ method: string; status: string; connection: { bytes: number; missingBytes: number } | null }>;
  }>;
}

// biome-ignore format: a table, one row a line
test.each<[string, Array<[string, string, number]>]>([
  ['capture.pcap', [['EPSV', 'completed', 20000], ['PORT', 'completed', 5]]],
  ['fragmented.pcap', [['EPSV', 'completed', 20000]]],
])('tunnels/%s: the FTP inside, whole', async (file, channels) => {
  const { code, stdout } = await runCli('analyze', join('samples', 'tunnels', file), '--format', 'json');
  expect(code).toBe(0);
  const report = JSON.parse(stdout) as Report;
  expect(report.summary.undecodedFrames).toEqual({});
  expect(report.sessions.map((s) => [s.client.ip, s.server.ip, s.server.port])).toEqual(channels.map(() => ['192.0.2.20', '192.0.2.10', 21]));
  expect(report.sessions.flatMap((s) => s.dataChannels.map((c) => [c.method, c.status, c.connection?.bytes]))).toEqual(channels);
  expect(report.sessions.flatMap((s) => s.dataChannels.map((c) => c.connection?.missingBytes))).toEqual(channels.map(() => 0));
});
