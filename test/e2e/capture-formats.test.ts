/**
 * samples/capture-formats: one real traffic run recorded at once by five recorders and converted
 * with editcap, gzip and mergecap (see its README). Every variant must give the same analysis:
 * the same sessions, data channels and frames (frames mapped across the ring buffer's files).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { expectGolden, normalizedReport } from '../helpers/golden';
import { runCli } from './run-cli';
import { parseTsharkFrames } from './tshark-frames';

const dir = join('samples', 'capture-formats');
const reference = join(dir, 'dumpcap.pcapng');
const ring = ['ring.pcap0', 'ring.pcap1', 'ring.pcap2'].map((f) => join(dir, 'ring', f));

interface Channel {
  method: string;
  frame: number;
  input?: number;
  announced: unknown;
  status: string;
  transfer: { command: string; arg: string; replyCode: number } | null;
  connection: { synFrame: number; synInput?: number; synAckFrame: number; synAckInput?: number; bytes: number; from: unknown; to: unknown } | null;
}

async function report(...files: string[]) {
  const result = await runCli('analyze', ...files, '--format', 'json');
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

/** What must not depend on the file's format: channels with their frames (as one numbering). */
function shape(r: { inputs: Array<{ packets: number }>; sessions: Array<{ client: unknown; server: unknown; user: string; dataChannels: Channel[] }> }) {
  const offsets = r.inputs.map((_, i) => r.inputs.slice(0, i).reduce((n, x) => n + x.packets, 0));
  const frame = (n: number, input?: number) => n + (input ? offsets[input - 1] : 0);
  return r.sessions.map((s) => ({
    client: s.client,
    server: s.server,
    user: s.user,
    channels: s.dataChannels.map((c) => ({
      method: c.method,
      frame: frame(c.frame, c.input),
      announced: c.announced,
      status: c.status,
      transfer: c.transfer && { command: c.transfer.command, arg: c.transfer.arg, replyCode: c.transfer.replyCode },
      connection: c.connection && {
        from: c.connection.from,
        to: c.connection.to,
        syn: frame(c.connection.synFrame, c.connection.synInput),
        synAck: frame(c.connection.synAckFrame, c.connection.synAckInput),
        bytes: c.connection.bytes,
      },
    })),
  }));
}

describe('capture-formats: the reference recording (dumpcap pcapng)', () => {
  test('matches expected.json and agrees with tshark', async () => {
    const r = await report(reference);
    expect(r.inputs[0]).toMatchObject({ format: 'pcapng', compressed: null, packets: 2802, linkType: 'EN10MB' });
    expect(r.summary.byStatus.completed).toBe(6);
    const expected = join(dir, 'expected.json');
    expectGolden(expected, normalizedReport(r));

    const tshark = parseTsharkFrames(readFileSync(join(dir, 'tshark-frames.dumpcap.txt'), 'utf8'));
    const channels: Channel[] = r.sessions.flatMap((s: { dataChannels: Channel[] }) => s.dataChannels);
    expect(channels.map((c) => c.frame).sort((a, b) => a - b)).toEqual(tshark.announcements.map((a) => a.frame).sort((a, b) => a - b));
    const syns = channels.flatMap((c) => (c.connection ? [c.connection.synFrame, c.connection.synAckFrame] : [])).sort((a, b) => a - b);
    expect(syns).toEqual(tshark.syns.map((s) => s.frame).sort((a, b) => a - b));
  });
});

describe('capture-formats: every variant gives the reference analysis', () => {
  test.each([
    ['editcap -F pcap', [join(dir, 'converted', 'from-pcapng.pcap')], 'pcap', null],
    ['editcap -F nsecpcap', [join(dir, 'converted', 'nsec.pcap')], 'pcap-nsec', null],
    ['gzip of the pcapng', [join(dir, 'converted', 'dumpcap.pcapng.gz')], 'pcapng', 'gzip'],
    ['gzip of the pcap', [join(dir, 'converted', 'from-pcapng.pcap.gz')], 'pcap', 'gzip'],
    ['mergecap of the ring', [join(dir, 'converted', 'ring-merged.pcapng')], 'pcapng', null],
    ['tcpdump nanosecond recording', [join(dir, 'nano.pcap')], 'pcap-nsec', null],
    ['the ring buffer, three files', ring, 'pcap', null],
    ['the ring buffer given newest first', [...ring].reverse(), 'pcap', null],
  ])('%s', async (_name, files, format, compressed) => {
    const expected = shape(await report(reference));
    const r = await report(...files);
    expect(r.inputs[0]).toMatchObject({ format, compressed });
    if (files.length > 1 && files[0] !== ring[0]) {
      // Newest first: number frames in time order of the files for the comparison.
      const byName = [...r.inputs.keys()].sort((a, b) => files[a].localeCompare(files[b]));
      const reordered = { ...r, inputs: byName.map((i) => r.inputs[i]) };
      const remap = new Map(byName.map((original, position) => [original + 1, position + 1]));
      for (const s of r.sessions) {
        for (const c of s.dataChannels) {
          c.input = remap.get(c.input);
          if (c.connection) {
            c.connection.synInput = remap.get(c.connection.synInput);
            c.connection.synAckInput = remap.get(c.connection.synAckInput);
          }
        }
      }
      expect(shape(reordered)).toEqual(expected);
    } else {
      expect(shape(r)).toEqual(expected);
    }
  });

  test('tcpdump -i any at the server (Linux cooked v2): same channels and frames', async () => {
    const r = await report(join(dir, 'any.pcap'));
    expect(r.inputs[0]).toMatchObject({ linkType: 'LINUX_SLL2', linkTypeNumber: 276 });
    expect(shape(r)).toEqual(shape(await report(reference)));
  });

  test('the 96-byte snap length: sessions found, cut replies reported, no crash', async () => {
    const r = await report(join(dir, 'snap96.pcap'));
    expect(r.inputs[0].truncatedPackets).toBe(1903);
    expect(r.sessions).toHaveLength(2);
    expect(r.findings.map((f: { code: string }) => f.code)).toContain('capture-truncated');
    const sessionCodes = r.sessions.flatMap((s: { findings: Array<{ code: string }> }) => s.findings.map((f) => f.code));
    expect(sessionCodes).toContain('capture-gap');
  });
});
