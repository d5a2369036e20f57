/**
 * The benchmark capture generator (bench/generate.js): what it writes is a valid capture with
 * correct checksums, deterministic, and ftpcap's analysis of it is exactly the replicated
 * sessions, every data channel matched, with transfers stretched and non-FTP traffic added as
 * planned. Small sizes here; `npm run bench` makes the big ones.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Analyzer } from '../../src/analyzer';
import { readCaptures } from '../../src/capture';
// @ts-expect-error: plain JavaScript without declarations
import * as generator from '../../bench/generate.js';
import { checksumsRight, records } from './pcap-check';

const { mapPort, planCapture, stretchSeq, writeCapture } = generator as {
  mapPort(port: number, shift: number): number;
  planCapture(options: { targetBytes: number; noiseShare?: number; rounds?: number; span?: number }): {
    sessions: number;
    packets: number;
    bytes: number;
    ftpPackets: number;
    ftpStretch: number;
  };
  stretchSeq(seq: number, state: { bulk: boolean; base: number | null; extent: number }, k: number): number;
  writeCapture(plan: unknown, file: string): number;
};

async function analyze(file: string) {
  const analyzer = new Analyzer();
  await readCaptures([file], (frame) => analyzer.ingest(frame));
  return analyzer.finish();
}

describe('bench/generate.js', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpcap-bench-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('ports keep their decimal width and "p1,p2" length; ports below 10240 stay', () => {
    for (const port of [10240, 25599, 25600, 39007, 40033, 48690, 65535]) {
      for (const shift of [1, 7, 59, 155]) {
        const mapped = mapPort(port, shift);
        expect(String(mapped)).toHaveLength(String(port).length);
        expect(`${mapped >> 8},${mapped & 0xff}`).toHaveLength(`${port >> 8},${port & 0xff}`.length);
      }
    }
    for (const port of [20, 21, 53, 8080, 10239]) expect(mapPort(port, 9)).toBe(port);
  });

  test('stretched sequence numbers: offsets k times larger up to the last byte, then one for the FIN', () => {
    const state = { bulk: true, base: 0xfffffff0, extent: 1000 };
    expect(stretchSeq(0xffffffef, state, 4)).toBe(0xffffffef); // the SYN's
    expect(stretchSeq(0xfffffff0, state, 4)).toBe(0xfffffff0);
    expect(stretchSeq((0xfffffff0 + 100) >>> 0, state, 4)).toBe((0xfffffff0 + 400) >>> 0);
    expect(stretchSeq((0xfffffff0 + 1000) >>> 0, state, 4)).toBe((0xfffffff0 + 4000) >>> 0);
    expect(stretchSeq((0xfffffff0 + 1001) >>> 0, state, 4)).toBe((0xfffffff0 + 4001) >>> 0); // acknowledges the FIN
    expect(stretchSeq(12345, { ...state, bulk: false }, 4)).toBe(12345);
  });

  test('an FTP capture: valid, deterministic, and analysed as the replicated sessions', async () => {
    const plan = planCapture({ targetBytes: 12 * 1024 * 1024, rounds: 1, span: 10 });
    expect(plan.ftpStretch).toBeGreaterThan(1);
    const file = path.join(dir, 'ftp.pcap');
    const bytes = writeCapture(plan, file);
    const pcap = fs.readFileSync(file);
    expect(pcap.length).toBe(bytes);
    // The plan's estimate leaves out the digits stretched file sizes gain in the control replies.
    expect(bytes - plan.bytes).toBeGreaterThanOrEqual(0);
    expect(bytes - plan.bytes).toBeLessThan(1000);
    expect(bytes).toBeGreaterThanOrEqual(12 * 1024 * 1024);

    const all = records(pcap);
    expect(all).toHaveLength(plan.packets);
    for (let i = 1; i < all.length; i++) expect(all[i].time).toBeGreaterThanOrEqual(all[i - 1].time);
    expect(all.filter((r) => !checksumsRight(r.frame)).length).toBe(0);

    const again = path.join(dir, 'ftp-again.pcap');
    writeCapture(planCapture({ targetBytes: 12 * 1024 * 1024, rounds: 1, span: 10 }), again);
    const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
    expect(sha(again)).toBe(sha(file));

    const result = await analyze(file);
    expect(result.sessions).toHaveLength(plan.sessions);
    // Every session has its own client endpoint.
    expect(new Set(result.sessions.map((s) => `${s.control.orig.ip}|${s.control.orig.port}`)).size).toBe(plan.sessions);
    const channels = result.sessions.flatMap((s) => s.dataChannels);
    expect(channels.length).toBeGreaterThan(0);
    for (const channel of channels) {
      expect(channel.connection, `${channel.method} ${channel.announced?.port}`).not.toBeNull();
    }
    const errors = [...result.findings, ...result.sessions.flatMap((s) => s.findings)].filter((f) => f.severity === 'error');
    expect(errors.map((f) => f.code)).toEqual([]);
  });

  test('with 90% other traffic: the same sessions, most packets not FTP', async () => {
    const plan = planCapture({ targetBytes: 1, noiseShare: 0.9, rounds: 1, span: 10 });
    const file = path.join(dir, 'other.pcap');
    writeCapture(plan, file);
    expect(1 - plan.ftpPackets / plan.packets).toBeGreaterThanOrEqual(0.9);
    const all = records(fs.readFileSync(file));
    expect(all.filter((r) => !checksumsRight(r.frame)).length).toBe(0);
    const result = await analyze(file);
    expect(result.sessions).toHaveLength(plan.sessions);
    expect(result.stats.frames).toBe(plan.packets);
  });
});
