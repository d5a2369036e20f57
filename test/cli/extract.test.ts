/**
 * `analyze --extract DIR` with names no file system should see: a scripted capture (test/correlate/
 * script.ts) whose client retrieves files named for path traversal, absolute paths, NUL and
 * control characters, Windows devices, a very long name and Unicode tricks, and the same name
 * twice, into a directory that already holds a file of the name the first would get. Nothing may
 * appear outside DIR, nothing existing may change, and every payload must be there byte for byte.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { extractName, safeNamePart, type ManifestEntry } from '../../src/cli/extract';
import { framesToPcap } from '../helpers/pcap';
import { CONTROL, client, login, server, dial } from '../correlate/lab';
import { ack, c, data, fin, s, script, type Steps } from '../correlate/script';
import { runCli } from '../e2e/run-cli';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A passive RETR of `name` on data port `port`, the payload in one segment. */
function retr(name: string, payload: Buffer, port: number): Steps {
  const dataClient = client(51000 + port);
  const dataServer = server(40000 + port);
  return [
    c('PASV'),
    s(`227 Entering Passive Mode (192,0,2,10,${(40000 + port) >> 8},${(40000 + port) & 255}).`),
    dial(dataClient, dataServer),
    c(`RETR ${name}`),
    s('150 Opening BINARY mode data connection.'),
    data(dataServer, dataClient, payload),
    fin(dataServer, dataClient),
    fin(dataClient, dataServer),
    ack(dataServer, dataClient),
    s('226 Transfer complete.'),
  ];
}

const hostileNames = [
  '../../etc/passwd',
  '/etc/shadow',
  '..',
  '../',
  'C:\\Windows\\system32\\evil.dll',
  'a\u0000b.txt',
  '\u001b[31mred\u001b[0m.txt',
  'CON',
  'nul.txt',
  'LPT1.log',
  `${'x'.repeat(300)}.bin`,
  'invoice\u202Etxt.exe',
  '\u200B\uFEFF.hidden',
  'e\u0301.txt',
  'same.txt',
  'same.txt',
  '...',
  '.bashrc',
];

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe('--extract with hostile names', () => {
  test('nothing leaves DIR, nothing is overwritten, every payload is there', async () => {
    const payloads = hostileNames.map((_, i) => Buffer.from(`payload ${i}: ${'#'.repeat(i * 7)}\n`));
    const steps: Steps = [...login(), ...hostileNames.map((name, i) => retr(name, payloads[i], i + 1))];
    const run = script([CONTROL], steps);
    const root = mkdtempSync(join(tmpdir(), 'ftpcap-extract-'));
    dirs.push(root);
    const capture = join(root, 'capture.pcap');
    writeFileSync(capture, framesToPcap(run.frames));
    const out = join(root, 'out');
    // A file already there under the name the first `same.txt` would get, and a manifest.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(out);
    writeFileSync(join(out, 's1-ch15-RETR-same.txt'), 'mine');
    writeFileSync(join(out, 'manifest.json'), '{"mine":true}');

    const result = await runCli('analyze', '-q', '--format', 'json', '--extract', out, capture);
    expect(result.code).toBe(0);

    // Only the capture and DIR beside it; DIR holds plain files only, no directory, no link.
    expect(readdirSync(root).sort()).toEqual(['capture.pcap', 'out']);
    const names = readdirSync(out);
    for (const name of names) {
      expect(lstatSync(join(out, name)).isFile()).toBe(true);
      expect(name).not.toMatch(/[\u0000-\u001f\u007f/\\\u202e\u200b\ufeff]/);
      expect(name.startsWith('.')).toBe(false);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    }
    // What was there is unchanged; the manifest went to a new name.
    expect(readFileSync(join(out, 's1-ch15-RETR-same.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe('{"mine":true}');
    const manifestText = readFileSync(join(out, 'manifest-2.json'), 'utf8');
    // Safe to view in a terminal: no raw control or bidirectional character.
    expect(manifestText).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    const manifest = JSON.parse(manifestText) as { files: ManifestEntry[] };
    expect(manifest.files).toHaveLength(hostileNames.length);
    manifest.files.forEach((entry, i) => {
      // Printable names are kept as sent (the control decoder shows other bytes its own way).
      if (/^[\x20-\x7e]*$/.test(hostileNames[i])) expect(entry.nameAsSent).toBe(hostileNames[i]);
      expect(entry.channel).toBe(i + 1);
      expect(readFileSync(join(out, entry.file)).equals(payloads[i])).toBe(true);
      expect(entry.sha256).toBe(sha256(payloads[i]));
      expect(entry.complete).toBe(true);
    });
    // The two `same.txt` and the file that was there: three distinct names.
    const same = manifest.files.filter((e) => e.nameAsSent === 'same.txt').map((e) => e.file);
    expect(same).toEqual(['s1-ch15-RETR-same-2.txt', 's1-ch16-RETR-same.txt']);
    // Every file in DIR is a payload or a manifest, and no temporary file is left.
    expect(names.sort()).toEqual([...manifest.files.map((e) => e.file), 'manifest-2.json', 'manifest.json', 's1-ch15-RETR-same.txt'].sort());
    expect(statSync(out).isDirectory()).toBe(true);
  });
});

describe('--extract with --session, --client, --server', () => {
  // samples/vsftpd-mixed: four sessions to 192.0.2.10:21 (clients .22, .20, .21, .20), seven payloads.
  const sample = 'samples/vsftpd-mixed/capture.pcap';
  const every = [
    's1-ch1-RETR-one-mb.bin',
    's2-ch1-LIST-pub.listing',
    's2-ch2-RETR-data-64k.bin',
    's3-ch1-LIST.listing',
    's3-ch2-STOR-ftpcap-upload-mixed.bin',
    's4-ch1-LIST.listing',
    's4-ch2-RETR-readme.txt',
  ];
  test.each([
    // [selection, files written (the manifest lists the same)]
    [[], every],
    [
      ['--session', '3'],
      ['s3-ch1-LIST.listing', 's3-ch2-STOR-ftpcap-upload-mixed.bin'],
    ],
    [
      ['--session', '1', '--session', '4'],
      ['s1-ch1-RETR-one-mb.bin', 's4-ch1-LIST.listing', 's4-ch2-RETR-readme.txt'],
    ],
    [
      ['--client', '198.51.100.20'],
      ['s2-ch1-LIST-pub.listing', 's2-ch2-RETR-data-64k.bin', 's4-ch1-LIST.listing', 's4-ch2-RETR-readme.txt'],
    ],
    [
      ['--client', '198.51.100.20', '--session', '4'],
      ['s4-ch1-LIST.listing', 's4-ch2-RETR-readme.txt'],
    ],
    [['--server', '192.0.2.10:21'], every],
    [['--server', '192.0.2.99'], []],
  ])("%j writes only the selected sessions' payloads", async (selection, files) => {
    const out = mkdtempSync(join(tmpdir(), 'ftpcap-extract-'));
    dirs.push(out);
    const result = await runCli('analyze', '-q', '--format', 'json', '--extract', out, ...selection, sample);
    expect(result.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { files: ManifestEntry[] };
    expect(manifest.files.map((e) => e.file).sort()).toEqual(files);
    // Nothing else in DIR: no file of another session, no temporary file.
    expect(readdirSync(out).sort()).toEqual([...files, 'manifest.json'].sort());
    const reported = (JSON.parse(result.stdout) as { sessions: { id: number }[] }).sessions.map((s) => s.id);
    expect([...new Set(manifest.files.map((e) => e.session))].every((id) => reported.includes(id))).toBe(true);
  });
});

describe('safeNamePart', () => {
  test.each([
    ['../../etc/passwd', 'passwd'],
    ['/etc/shadow', 'shadow'],
    ['..', null],
    ['C:\\Windows\\evil.dll', 'evil.dll'],
    ['a\u0000b.txt', 'a_b.txt'],
    ['\u001b[31mred', '[31mred'],
    ['CON', '_CON'],
    ['com1.txt', '_com1.txt'],
    ['invoice\u202Etxt.exe', 'invoice_txt.exe'],
    ['.bashrc', 'bashrc'],
    ['report.  ', 'report'],
    ['e\u0301.txt', '\u00e9.txt'],
    ['<script>.bin', 'script_.bin'],
    ['...', null],
  ])('%j -> %j', (name, safe) => {
    expect(safeNamePart(name)).toBe(safe);
  });

  test('a long name is cut to at most 120 bytes without splitting a character', () => {
    const safe = safeNamePart('é'.repeat(200)) as string;
    expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(120);
    expect(safe).toBe('é'.repeat(60));
  });

  test('extractName: listings and transfers without a name', () => {
    const session = { id: 3 } as never;
    const connection = { orig: { ip: '198.51.100.20', port: 50001 }, resp: { ip: '192.0.2.10', port: 40001 } } as never;
    const channel = (verb: string, arg: string) =>
      ({ index: 2, mode: 'passive', transfer: { command: { verb, arg }, direction: verb === 'STOR' ? 'upload' : 'download' } }) as never;
    expect(extractName({ session, connection, direction: 'resp', channel: channel('LIST', '-la pub') }, 3)).toBe('s3-ch2-LIST-pub.listing');
    expect(extractName({ session, connection, direction: 'resp', channel: channel('NLST', '') }, 3)).toBe('s3-ch2-NLST.listing');
    expect(extractName({ session, connection, direction: 'orig', channel: channel('STOR', '../x.bin') }, 3)).toBe('s3-ch2-STOR-x.bin');
    expect(extractName({ session, connection, direction: 'resp', channel: channel('RETR', '..') }, 3)).toBe('s3-ch2-RETR-unnamed');
    expect(extractName({ session, connection, direction: 'resp', channel: null }, 3)).toBe('s3-port40001-to-dialler.bin');
  });
});

describe('--hash', () => {
  // passive-pasv: RETR one-mb.bin, the make-samples.sh lab's seeded file (samples/served-files.sha256).
  const oneMb = 'fadf1661acf047af6eff67f980da0e5011b78151081edffdfbe8797a2e458c31';
  const sha = async (...args: string[]) => {
    const report = JSON.parse((await runCli('analyze', '-q', '--format', 'json', ...args, 'samples/passive-pasv/capture.pcap')).stdout);
    return report.sessions[0].dataChannels[1].content.sha256 as string | null;
  };
  test.each([
    [[], oneMb],
    [['--hash', 'auto'], oneMb],
    [['--hash', 'always'], oneMb],
    [['--hash', 'never'], null],
  ])('%j', async (args, expected) => {
    expect(await sha(...args)).toBe(expected);
  });

  test('a bad value is a usage error', async () => {
    expect((await runCli('analyze', '--hash', 'sometimes', 'samples/passive-pasv/capture.pcap')).code).not.toBe(0);
  });
});
