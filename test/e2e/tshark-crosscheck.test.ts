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

/** [case, capture, tshark's view of it]: every case's capture.pcap, and other captures where named. */
const cases: Array<[string, string, string]> = [
  ...readdirSync('samples', { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join('samples', d.name, 'tshark-frames.txt')))
    .map((d): [string, string, string] => [d.name, 'capture.pcap', 'tshark-frames.txt'])
    .sort(),
  // Its capture.pcap holds every packet twice, which tshark lists twice: the recording itself is compared.
  ['duplicated', 'original.pcap', 'tshark-frames.original.txt'],
];

const endpoint = (e: { ip: string; port: number }) => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);

describe.each(cases)('tshark agrees on sample %s (%s)', (name, capture, frames) => {
  test('announcement, SYN and SYN-ACK frames', async () => {
    const tshark = parseTsharkFrames(readFileSync(join('samples', name, frames), 'utf8'));
    const { stdout } = await runCli('analyze', join('samples', name, capture), '--format', 'json');
    const report = JSON.parse(stdout);
    const channels = report.sessions.flatMap((s: { dataChannels: unknown[] }) => s.dataChannels);
    if (tshark.announcements.length === 0) {
      // No FTP for tshark either (samples/not-ftp): its SYN table is other protocols' connections.
      expect(channels).toEqual([]);
      return;
    }

    // Announcements: tshark lists every PORT/EPRT command and 227/229 reply; each is one of our
    // channels with an endpoint, or one we reported as malformed. A refused PASV/EPSV announces
    // nothing, and a stray "227 Logout." is no announcement.
    type Finding = { code: string; frame: number };
    const findings: Finding[] = report.sessions.flatMap((s: { findings: Finding[] }) => s.findings);
    const malformed = new Set(findings.filter((f) => f.code === 'malformed-announcement').map((f) => f.frame));
    const announced = channels.filter((c: { announced: unknown }) => c.announced !== null);
    const ours = announced.map((c: { frame: number }) => c.frame).sort((a: number, b: number) => a - b);
    const theirs = [...new Set(tshark.announcements.filter((a) => !malformed.has(a.frame) && /\d$/.test(a.decoded)).map((a) => a.frame))];
    expect(ours).toEqual(theirs.sort((a, b) => a - b));

    // SYNs: tshark lists each retransmission; ours keeps the first frame and the count. Its SYN
    // table leaves out the control port of its run; a file with two control ports has two runs.
    // 990 is implicit FTPS control: tshark does not know it as FTP.
    const controlPorts = [...tshark.controlPorts, 990];
    const port = (e: string) => Number(e.slice(e.lastIndexOf(':') + 1));
    const grouped = new Map<string, { frame: number; kind: string; from: string; to: string; count: number }>();
    const listed = new Set<string>();
    for (const syn of tshark.syns) {
      if (controlPorts.includes(port(syn.from)) || controlPorts.includes(port(syn.to))) continue;
      if (listed.has(`${syn.frame} ${syn.kind}`)) continue;
      listed.add(`${syn.frame} ${syn.kind}`);
      // One TCP stream (tshark's numbering) is one connection, even when a later one reuses its 4-tuple.
      const key = `${syn.kind} ${syn.stream}`;
      const seen = grouped.get(key);
      if (seen) seen.count++;
      else grouped.set(key, { frame: syn.frame, kind: syn.kind, from: syn.from, to: syn.to, count: 1 });
    }
    type Conn = { synFrame: number; synCount: number; synAckFrame: number | null; from: never; to: never };
    // A TLS session's later connections are listed beside its channels, as its probable data connections.
    type Encrypted = { synFrame: number; synAckFrame: number | null; from: never; to: never };
    // So are the connections that answer no announcement after a gap in the control connection.
    const encrypted: Conn[] = report.sessions.flatMap((s: { encryptedDataConnections: Encrypted[]; unannouncedDataConnections: Encrypted[] }) =>
      [...s.encryptedDataConnections, ...s.unannouncedDataConnections].map((e) => ({ ...e, synCount: 1 })),
    );
    // A connection whose handshake the capture lacks has no SYN for tshark to list.
    const withSyn = channels.filter((c: { connection: { handshake: string } | null }) => c.connection && c.connection.handshake !== 'midstream');
    const syns = [...withSyn.map((c: { connection: Conn }) => c.connection), ...encrypted]
      .flatMap((c: Conn) => [
        { frame: c.synFrame, kind: 'SYN', from: endpoint(c.from), to: endpoint(c.to), count: c.synCount },
        ...(c.synAckFrame === null ? [] : [{ frame: c.synAckFrame, kind: 'SYN-ACK', from: endpoint(c.to), to: endpoint(c.from), count: 1 }]),
      ])
      .sort((a: { frame: number }, b: { frame: number }) => a.frame - b.frame);
    expect(syns).toEqual([...grouped.values()].sort((a, b) => a.frame - b.frame));
  });
});
