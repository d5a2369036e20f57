/**
 * Cross-check with Wireshark: samples/<case>/tshark-frames.txt lists, as tshark 4.0 decoded them,
 * every announcement (PORT/EPRT commands, 227/229 replies) and every SYN / SYN-ACK not on port 21
 * (made by samples/tools/tshark-frames.sh). ftpcap must report the same frames and endpoints.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from './run-cli';
import { parseTsharkFrames } from './tshark-frames';

const cases = readdirSync('samples', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join('samples', d.name, 'tshark-frames.txt')))
  .map((d) => d.name)
  .sort();

const endpoint = (e: { ip: string; port: number }) => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);

describe.each(cases)('tshark agrees on sample %s', (name) => {
  test('announcement, SYN and SYN-ACK frames', async () => {
    const tshark = parseTsharkFrames(readFileSync(join('samples', name, 'tshark-frames.txt'), 'utf8'));
    expect(tshark.announcements.length).toBeGreaterThan(0);
    const { stdout } = await runCli('analyze', join('samples', name, 'capture.pcap'), '--format', 'json');
    const report = JSON.parse(stdout);
    const channels = report.sessions.flatMap((s: { dataChannels: unknown[] }) => s.dataChannels);

    const ours = channels.map((c: { frame: number }) => c.frame).sort((a: number, b: number) => a - b);
    expect(ours).toEqual(tshark.announcements.map((a) => a.frame).sort((a, b) => a - b));

    const syns = channels
      .filter((c: { connection: unknown }) => c.connection)
      .flatMap((c: { connection: { synFrame: number; synAckFrame: number; from: never; to: never } }) => [
        { frame: c.connection.synFrame, kind: 'SYN', from: endpoint(c.connection.from), to: endpoint(c.connection.to) },
        { frame: c.connection.synAckFrame, kind: 'SYN-ACK', from: endpoint(c.connection.to), to: endpoint(c.connection.from) },
      ])
      .sort((a: { frame: number }, b: { frame: number }) => a.frame - b.frame);
    expect(syns).toEqual(tshark.syns);
  });
});
