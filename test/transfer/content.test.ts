/**
 * What a data connection carried: hashes, type, missing ranges, REST and ASCII mode, listings,
 * from scripted captures (test/correlate/script.ts: the frames a capture point between the sample
 * lab's client and vsftpd would record) whose data segments are reordered, repeated or dropped.
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { Analyzer } from '../../src/analyzer';
import type { AnalyzerOptions } from '../../src/options';
import { buildReport, type ReportContent } from '../../src/report/build';
import { PayloadDigest, sniffType } from '../../src/transfer/content';
import type { PayloadStream } from '../../src/transfer/stream';
import type { CapturedFrame } from '../../src/types';
import { CONTROL, client, login, server, dial } from '../correlate/lab';
import { c, data, fin, ack, rst, s, script, syn, synAck, type Steps } from '../correlate/script';
import { pcapInput } from '../helpers/inputs';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Deterministic bytes (not text, no signature). */
function blob(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A passive RETR of `name` whose data arrives as `segments` (the server's 150 before, 226 after). */
function passiveRetr(name: string, segments: Buffer[], before: Steps = []): Steps {
  const dataClient = client(50010);
  const dataServer = server(40001);
  return [
    ...login(),
    ...before,
    c('PASV'),
    s('227 Entering Passive Mode (192,0,2,10,156,65).'),
    syn(dataClient, dataServer, 'dsyn'),
    synAck(dataServer, dataClient, 'dsynack'),
    ack(dataClient, dataServer, 'dack'),
    c(`RETR ${name}`),
    s(`150 Opening BINARY mode data connection for ${name}.`),
    ...segments.map((bytes, i) => data(dataServer, dataClient, bytes, `seg${i}`)),
    fin(dataServer, dataClient),
    fin(dataClient, dataServer),
    ack(dataServer, dataClient),
    s('226 Transfer complete.'),
  ];
}

function analyze(frames: CapturedFrame[], options: Partial<AnalyzerOptions> = {}, streams: PayloadStream[] = []) {
  const chunks: Array<{ kind: 'data' | 'gap'; length: number; bytes?: Buffer }> = [];
  const analyzer = new Analyzer(options, {
    payload: {
      start: (stream) => {
        streams.push(stream);
        return {
          data: (bytes) => chunks.push({ kind: 'data', length: bytes.length, bytes: Buffer.from(bytes) }),
          gap: (length) => chunks.push({ kind: 'gap', length }),
          end: () => undefined,
        };
      },
    },
  });
  for (const frame of frames) analyzer.ingest(frame);
  const result = analyzer.finish();
  const report = buildReport(result, [pcapInput(frames.length)], 'test');
  return { report, chunks, session: report.sessions[0] };
}

function contentOf(frames: CapturedFrame[], options: Partial<AnalyzerOptions> = {}): ReportContent {
  const content = analyze(frames, options).session.dataChannels[0].content;
  if (content === null) throw new Error('no content');
  return content;
}

const segments = [blob(1448, 1), blob(1448, 2), blob(1000, 3)];
const file = Buffer.concat(segments);

describe('a data connection in sequence order', () => {
  const clean = script([CONTROL], passiveRetr('one.bin', segments));
  const labelled = (label: string) => clean.at[label] - 1;

  test('in order: the file, complete, its hashes', () => {
    const content = contentOf(clean.frames);
    expect(content).toMatchObject({
      sender: 'server',
      size: file.length,
      capturedBytes: file.length,
      complete: true,
      missing: [],
      sha256: sha256(file),
      md5: createHash('md5').update(file).digest('hex'),
      sha1: createHash('sha1').update(file).digest('hex'),
      restOffset: null,
      asciiMode: false,
      listing: null,
      firstFrame: clean.at.seg0,
      lastFrame: clean.at.seg2,
    });
  });

  test('reordered and retransmitted segments: the same file, each byte once', () => {
    const frames = [...clean.frames];
    const [a, b, cc] = [labelled('seg0'), labelled('seg1'), labelled('seg2')];
    // seg2 and seg1 arrive before seg0, seg1 twice.
    const reordered = [...frames.slice(0, a), frames[cc], frames[b], frames[b], frames[a], ...frames.slice(cc + 1)];
    const content = contentOf(reordered);
    expect(content.sha256).toBe(sha256(file));
    expect(content.capturedBytes).toBe(file.length);
    expect(content.complete).toBe(true);
  });

  test('a segment the capture lacks: its range is missing and zero-filled in the hashes', () => {
    const frames = clean.frames.filter((_, i) => i !== labelled('seg1'));
    const content = contentOf(frames);
    const zeroFilled = Buffer.concat([segments[0], Buffer.alloc(1448), segments[2]]);
    expect(content).toMatchObject({
      size: file.length,
      capturedBytes: file.length - 1448,
      complete: false,
      missing: [{ start: 1448, end: 2896 }],
      missingBytes: 1448,
      sha256: sha256(zeroFilled),
    });
  });

  test('the last segment lacking: the FIN tells the size, the tail is missing', () => {
    const frames = clean.frames.filter((_, i) => i !== labelled('seg2'));
    const content = contentOf(frames);
    expect(content).toMatchObject({ size: file.length, missing: [{ start: 2896, end: file.length }], complete: false });
  });

  test('no handshake captured: the start is unknown, so not complete', () => {
    const handshake = new Set([labelled('dsyn'), labelled('dsynack'), labelled('dack')]);
    const content = contentOf(clean.frames.filter((_, i) => !handshake.has(i)));
    expect(content).toMatchObject({ startUnknown: true, complete: false, sha256: sha256(file), missing: [] });
  });

  test('the out-of-order buffer full: reorder-buffer-full, the hole given up', () => {
    const frames = clean.frames.filter((_, i) => i !== labelled('seg0'));
    const { session } = analyze(frames, { maxDataOutOfOrderBytes: 1000 });
    expect(session.findings.map((f) => f.code)).toContain('reorder-buffer-full');
    expect(session.dataChannels[0].content?.missing).toEqual([{ start: 0, end: 1448 }]);
  });

  test('hashes off: no digest, the rest still there', () => {
    const content = contentOf(clean.frames, { hashes: false });
    expect(content).toMatchObject({ sha256: null, md5: null, sha1: null, size: file.length, complete: true });
  });

  test('the consumer gets the bytes in order and the gaps', () => {
    const frames = clean.frames.filter((_, i) => i !== labelled('seg1'));
    const streams: PayloadStream[] = [];
    const { chunks } = analyze(frames, {}, streams);
    expect(streams).toHaveLength(1);
    expect(streams[0].channel?.transfer?.command.arg).toBe('one.bin');
    expect(chunks.map((ch) => [ch.kind, ch.length])).toEqual([
      ['data', 1448],
      ['gap', 1448],
      ['data', 1000],
    ]);
  });
});

describe('what the control connection says about the bytes', () => {
  test('REST: the offset is noted', () => {
    const run = script([CONTROL], passiveRetr('big.bin', [blob(100, 4)], [c('REST 1000'), s('350 Restart position accepted (1000).')]));
    expect(contentOf(run.frames).restOffset).toBe(1000);
  });

  test('TYPE A: ASCII mode is marked', () => {
    const run = script([CONTROL], passiveRetr('notes.txt', [Buffer.from('line one\r\nline two\r\n')], [c('TYPE A'), s('200 Switching to ASCII mode.')]));
    const content = contentOf(run.frames);
    expect(content.asciiMode).toBe(true);
    expect(content.type?.mime).toBe('text/plain');
  });

  test('LIST: the entries', () => {
    const lines = '-rw-r--r--    1 0        0         1048576 Jan 01  2024 one-mb.bin\r\ndrwxr-xr-x    2 0        0            4096 Jan 01  2024 pub\r\n';
    const steps = passiveRetr('x', [Buffer.from(lines)]).map((step) =>
      !Array.isArray(step) && step.kind === 'lines' && step.lines[0] === 'RETR x' ? c('LIST') : step,
    );
    const listing = contentOf(script([CONTROL], steps).frames).listing;
    expect(listing?.format).toBe('unix');
    expect(listing?.entries.map((e) => [e.name, e.type, e.size])).toEqual([
      ['one-mb.bin', 'file', 1048576],
      ['pub', 'dir', 4096],
    ]);
  });
});

describe('PayloadDigest', () => {
  test.each([1, 7, 1448, 100_000])('the same digest whatever the chunk size (%i)', (size) => {
    const bytes = blob(10_000, 9);
    const digest = new PayloadDigest(true);
    for (let i = 0; i < bytes.length; i += size) digest.data(bytes.subarray(i, i + size));
    const summary = digest.summary({ startUnknown: false, endSeen: true });
    expect(summary.hashes?.sha256).toBe(sha256(bytes));
    expect(summary.size).toBe(bytes.length);
  });

  test('gaps hash as zeros, adjacent gaps merge into one range', () => {
    const digest = new PayloadDigest(true);
    digest.data(Buffer.from('ab'));
    digest.gap(70_000);
    digest.gap(30);
    digest.data(Buffer.from('c'));
    const summary = digest.summary({ startUnknown: false, endSeen: true });
    expect(summary.missing).toEqual([{ start: 2, end: 70_032 }]);
    expect(summary.hashes?.sha256).toBe(sha256(Buffer.concat([Buffer.from('ab'), Buffer.alloc(70_030), Buffer.from('c')])));
  });
});

describe('sniffType', () => {
  test.each([
    ['PNG', '89504e470d0a1a0a0000000d49484452', 'image/png'],
    ['gzip', '1f8b0800000000000003', 'application/gzip'],
    ['PDF', Buffer.from('%PDF-1.7\n').toString('hex'), 'application/pdf'],
    ['ZIP', '504b0304140000000800', 'application/zip'],
    ['ELF', '7f454c46020101000000', 'application/x-executable'],
    ['text', Buffer.from('Notes for the pub/ directory.\n').toString('hex'), 'text/plain'],
  ])('%s', (_, hex, mime) => {
    expect(sniffType(Buffer.from(hex, 'hex'))?.mime).toBe(mime);
  });

  test('random bytes and nothing: unknown', () => {
    expect(sniffType(blob(4096, 5))).toBeNull();
    expect(sniffType(Buffer.alloc(0))).toBeNull();
  });
});

describe('transfers without bytes', () => {
  const dataClient = client(50020);
  const dataServer = server(40002);
  const pasv = [c('PASV'), s('227 Entering Passive Mode (192,0,2,10,156,66).')];

  test('an empty file: an empty content, complete', () => {
    const run = script(
      [CONTROL],
      [
        ...login(),
        ...pasv,
        dial(dataClient, dataServer),
        c('RETR empty.txt'),
        s('150 Opening BINARY mode data connection for empty.txt (0 bytes).'),
        fin(dataServer, dataClient),
        fin(dataClient, dataServer),
        ack(dataServer, dataClient),
        s('226 Transfer complete.'),
      ],
    );
    expect(contentOf(run.frames)).toMatchObject({ size: 0, complete: true, sha256: sha256(Buffer.alloc(0)), type: null });
  });

  test('an upload whose data connection was refused: no content', () => {
    const run = script(
      [CONTROL],
      [...login(), ...pasv, syn(dataClient, dataServer), rst(dataServer, dataClient), c('STOR up.bin'), s('425 Failed to establish connection.')],
    );
    expect(analyze(run.frames).session.dataChannels[0].content).toBeNull();
  });
});
