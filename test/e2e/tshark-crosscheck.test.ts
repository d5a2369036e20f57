/**
 * Cross-check with Wireshark: samples/<case>/tshark-frames.txt lists, as tshark 4.0 decoded them,
 * every announcement (PORT/EPRT commands, 227/229 replies) and every SYN / SYN-ACK not on port 21
 * (made by samples/tools/tshark-frames.sh). ftpcap must report the same frames and endpoints.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from './run-cli';

interface TsharkFrames {
  announcements: Array<{ frame: number; decoded: string }>;
  syns: Array<{ frame: number; kind: 'SYN' | 'SYN-ACK'; from: string; to: string }>;
}

function parseTsharkFrames(text: string): TsharkFrames {
  const result: TsharkFrames = { announcements: [], syns: [] };
  let section: 'announcements' | 'syns' | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('## Announcements')) section = 'announcements';
    else if (line.startsWith('## TCP SYN')) section = 'syns';
    if (!/^\d+\s/.test(line)) continue;
    const fields = line.trim().split(/\s+/);
    if (section === 'announcements') {
      result.announcements.push({ frame: Number(fields[0]), decoded: fields[fields.length - 1] });
    } else if (section === 'syns') {
      result.syns.push({ frame: Number(fields[0]), kind: fields[2] as 'SYN' | 'SYN-ACK', from: fields[3], to: fields[5] });
    }
  }
  return result;
}

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
