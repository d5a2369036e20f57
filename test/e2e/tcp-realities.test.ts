/**
 * Real captures of lossy and incomplete TCP (samples/lossy, gapped, midstream, port-reuse; how
 * each was made and what it holds, frame by frame: their READMEs). The analysis must stay exact
 * where the bytes are there and honest where they are not.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Report } from '../../src/report/build';
import { runCli } from './run-cli';

async function report(capture: string): Promise<Report> {
  const { stdout } = await runCli('analyze', join('samples', capture), '--format', 'json');
  return JSON.parse(stdout) as Report;
}

const channels = (r: Report) => r.sessions.flatMap((s) => s.dataChannels);

describe('lossy: 1 packet in 30 dropped each way on the server link', () => {
  test('every announcement matches its data connection and every byte count is the file size', async () => {
    const r = await report('lossy/capture.pcap');
    // README: announcement frame, data SYN frame, transfer, bytes (each file's size and sha256 are there).
    expect(channels(r).map((c) => [c.frame, c.connection?.synFrame, c.transfer?.command, c.status, c.connection?.bytes, c.connection?.missingBytes])).toEqual([
      [28, 29, 'LIST', 'completed', 338, 0],
      [52, 53, 'RETR', 'completed', 4194304, 0],
      [5161, 5162, 'STOR', 'completed', 524288, 0],
      [5870, 5873, 'LIST', 'completed', 286, 0],
      [5886, 5889, 'RETR', 'completed', 524288, 0],
      [6381, 6385, 'STOR', 'completed', 524288, 0],
    ]);
  });

  test('retransmitted control segments are read once: no gap, no desync, each reply once', async () => {
    const r = await report('lossy/capture.pcap');
    const codes = r.sessions.flatMap((s) => s.findings.map((f) => f.code));
    expect(codes.filter((c) => c !== 'cleartext-credentials')).toEqual([]);
    // ftplib's session: the 230 was sent twice (a spurious resend, frame 5865), the 200 to the
    // second PORT once, late (its first copy dropped): each is read once.
    const lines = r.sessions[2].timeline.map((e) => e.line);
    expect(lines.filter((l) => l === '230 Login successful.')).toHaveLength(1);
    expect(lines.filter((l) => l?.startsWith('200 PORT command successful'))).toHaveLength(3);
  });
});

describe('gapped: frames cut out with editcap', () => {
  test('the gaps are reported, with their sizes', async () => {
    const r = await report('gapped/capture.pcap');
    const gaps = r.sessions.map((s) => s.findings.filter((f) => f.code === 'capture-gap').map((f) => f.message.match(/^([\d,]+) (bytes )?of/)?.[1]));
    // Session 1: the STAT reply cut mid-line, the 227 (1448 + 49 bytes), and 4,344 data bytes;
    // session 2: the 150 and the PORT (39 + 28), and 2,400 STOR bytes.
    expect(gaps).toEqual([['4,344', '1497'], ['2,400', '67'], []]);
  });

  test('nothing that could be kept is lost: all seven transfers keep their data connection and bytes', async () => {
    const r = await report('gapped/capture.pcap');
    expect(channels(r).map((c) => [c.transfer?.command, c.status, c.connection?.bytes])).toEqual([
      ['LIST', 'completed', 338],
      ['RETR', 'completed', 262144],
      ['LIST', 'completed', 208],
      ['STOR', 'completed', 65536],
      ['RETR', 'completed', 65536],
    ]);
    // The two whose announcement was cut out (the 227 of session 1, the PORT of session 2).
    expect(r.sessions.flatMap((s) => s.unannouncedDataConnections.map((c) => [c.synFrame, c.bytesFromOrig + c.bytesFromResp]))).toEqual([
      [278, 129],
      [326, 65536],
    ]);
    // The curl data connection whose SYN-ACK was cut out carried its bytes: it was established.
    expect(channels(r)[4].connection).toMatchObject({ synAckFrame: null, handshake: 'established', established: true });
  });

  test('the lines after a gap are not taken for garbage: no invalid-reply warnings', async () => {
    const r = await report('gapped/capture.pcap');
    expect(r.sessions.flatMap((s) => s.findings.map((f) => f.code))).not.toContain('invalid-reply');
  });
});

describe('midstream: the capture starts after login', () => {
  test('both sessions are decoded from their first whole line, client and server right, found on 2121 without --ftp-port', async () => {
    const r = await report('midstream/capture.pcap');
    expect(r.sessions.map((s) => [s.client.ip, s.server.port, s.midstream, s.startFrame])).toEqual([
      ['198.51.100.20', 2121, true, 1],
      ['198.51.100.22', 21, true, 248],
    ]);
    expect(channels(r).map((c) => [c.frame, c.connection?.synFrame, c.status, c.connection?.bytes])).toEqual([
      [8, 9, 'completed', 262144],
      [229, 232, 'completed', 129],
      [251, 252, 'completed', 65536],
      [332, 335, 'completed', 65536],
    ]);
  });
});

describe('port-reuse: the same 4-tuple twice', () => {
  test('two control connections from one client port are two sessions; two data connections on one 4-tuple are two', async () => {
    const r = await report('port-reuse/capture.pcap');
    expect(r.sessions.map((s) => [s.client.port, s.startFrame])).toEqual([
      [50021, 1],
      [50021, 32],
      [expect.any(Number), expect.any(Number)],
    ]);
    expect(channels(r).map((c) => [c.connection?.synFrame, c.status, c.connection?.bytes])).toEqual([
      [15, 'completed', 338],
      [46, 'completed', 129],
      [89, 'completed', 338],
      [109, 'completed', 129],
    ]);
  });
});
