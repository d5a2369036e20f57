/**
 * samples/link-types: one small real recording per link-layer variant (802.1Q, 802.1ad QinQ,
 * Linux cooked v1, raw IP, IPv4 fragments; BSD loopback from suricata-verify). Each must decode to
 * the announcement, SYN and SYN-ACK frames tshark found (<name>.tshark-frames.txt next to it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from './run-cli';
import { parseTsharkFrames } from './tshark-frames';

const dir = join('samples', 'link-types');

interface Channel {
  frame: number;
  status: string;
  connection: { synFrame: number; synAckFrame: number; bytes: number } | null;
}

async function analyze(name: string) {
  const result = await runCli('analyze', join(dir, `${name}.pcap`), '--format', 'json');
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  const report = JSON.parse(result.stdout);
  const channels: Channel[] = report.sessions.flatMap((s: { dataChannels: Channel[] }) => s.dataChannels);
  return { report, channels };
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

describe.each([
  // [file, LINKTYPE number, name, sessions, completed channels] from samples/link-types/README.md
  ['vlan-8021q', 1, 'EN10MB', 2, 3],
  ['qinq-8021ad', 1, 'EN10MB', 2, 3],
  ['sll-v1', 113, 'LINUX_SLL', 2, 3],
  ['raw-ip', 101, 'RAW', 2, 3],
  ['ipv4-fragments', 1, 'EN10MB', 2, 3],
] as const)('link type sample %s', (name, linkTypeNumber, linkType, sessions, completed) => {
  test('decodes to the frames tshark found', async () => {
    const { report, channels } = await analyze(name);
    expect(report.inputs[0]).toMatchObject({ linkTypeNumber, linkType });
    expect(report.sessions).toHaveLength(sessions);
    expect(channels.filter((c) => c.status === 'completed')).toHaveLength(completed);
    expect(report.findings).toEqual([]);
    const tshark = parseTsharkFrames(readFileSync(join(dir, `${name}.tshark-frames.txt`), 'utf8'));
    expect(sorted(channels.map((c) => c.frame))).toEqual(sorted(tshark.announcements.map((a) => a.frame)));
    const syns = channels.flatMap((c) => (c.connection ? [c.connection.synFrame, c.connection.synAckFrame] : []));
    expect(sorted(syns)).toEqual(sorted(tshark.syns.map((s) => s.frame)));
  });
});

test('IPv4 fragments: the fragmented uploads count every byte once', async () => {
  const { channels } = await analyze('ipv4-fragments');
  // Two 32 KiB uploads (STOR by ftplib over PORT, by curl over EPSV), see the sample's README.
  expect(channels.map((c) => c.connection?.bytes).filter((b) => b === 32768)).toHaveLength(2);
});

test('BSD loopback (suricata-verify ftp-mode-02): one session, both bogus PORTs reported', async () => {
  const { report, channels } = await analyze('bsd-null-suricata');
  expect(report.inputs[0]).toMatchObject({ linkTypeNumber: 0, linkType: 'NULL' });
  expect(report.sessions).toHaveLength(1);
  expect(channels).toHaveLength(0);
  // tshark lists PORT 1234 (frame 11) and an overlong PORT (frame 13) without an endpoint: neither can be used.
  const malformed = report.sessions[0].findings.filter((f: { code: string }) => f.code === 'malformed-announcement');
  expect(malformed.map((f: { frame: number }) => f.frame)).toEqual([11, 13]);
});
