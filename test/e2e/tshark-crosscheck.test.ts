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

    // Announcements: tshark lists every PORT/EPRT command and 227/229 reply it could decode; ours are
    // the channels that announced an endpoint (a refused PASV/EPSV announces none, a stray
    // "227 Logout." is no announcement).
    const announced = channels.filter((c: { announced: unknown }) => c.announced !== null);
    const ours = announced.map((c: { frame: number }) => c.frame).sort((a: number, b: number) => a - b);
    const theirs = tshark.announcements.filter((a) => /\d$/.test(a.decoded)).map((a) => a.frame);
    expect(ours).toEqual(theirs.sort((a, b) => a - b));

    // SYNs: tshark lists each retransmission; ours keeps the first frame and the count.
    const grouped = new Map<string, { frame: number; kind: string; from: string; to: string; count: number }>();
    for (const syn of tshark.syns) {
      const key = `${syn.kind} ${syn.from} ${syn.to}`;
      const seen = grouped.get(key);
      if (seen) seen.count++;
      else grouped.set(key, { ...syn, count: 1 });
    }
    type Conn = { synFrame: number; synCount: number; synAckFrame: number | null; from: never; to: never };
    const syns = channels
      .filter((c: { connection: unknown }) => c.connection)
      .flatMap((c: { connection: Conn }) => [
        { frame: c.connection.synFrame, kind: 'SYN', from: endpoint(c.connection.from), to: endpoint(c.connection.to), count: c.connection.synCount },
        ...(c.connection.synAckFrame === null
          ? []
          : [{ frame: c.connection.synAckFrame, kind: 'SYN-ACK', from: endpoint(c.connection.to), to: endpoint(c.connection.from), count: 1 }]),
      ])
      .sort((a: { frame: number }, b: { frame: number }) => a.frame - b.frame);
    expect(syns).toEqual([...grouped.values()].sort((a, b) => a.frame - b.frame));
  });
});
