/**
 * The same capture in another shape must give the same analysis: a big-endian rewrite of a
 * little-endian sample (pcap-parser reads both), and several files analyzed together.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { pcapFile, readPcapRecords } from '../helpers/pcap';
import { runCli } from './run-cli';

/** Rewrites a little-endian classic pcap (magic d4 c3 b2 a1) with every header field big-endian. */
function toBigEndian(le: Buffer): Buffer {
  const header = { major: le.readUInt16LE(4), minor: le.readUInt16LE(6), snapLength: le.readUInt32LE(16), linkType: le.readUInt32LE(20) };
  return pcapFile(readPcapRecords(le), { ...header, bigEndian: true });
}

/** The parts of a report that must not depend on the file's shape. */
function analysis(json: string): unknown {
  const report = JSON.parse(json);
  return { sessions: report.sessions, firewall: report.firewall, summary: report.summary };
}

test('a big-endian pcap gives the same report as its little-endian original', async () => {
  const original = join('samples', 'active-port', 'capture.pcap');
  const bytes = readFileSync(original);
  expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4);
  const dir = mkdtempSync(join(tmpdir(), 'ftpcap-variants-'));
  const bigEndian = join(dir, 'big-endian.pcap');
  writeFileSync(bigEndian, toBigEndian(bytes));
  const a = await runCli('analyze', original, '--format', 'json');
  const b = await runCli('analyze', bigEndian, '--format', 'json');
  expect(b.code).toBe(0);
  expect(analysis(b.stdout)).toEqual(analysis(a.stdout));
  expect(JSON.parse(b.stdout).inputs[0].packets).toBe(JSON.parse(a.stdout).inputs[0].packets);
});

test('several files are analyzed together and frames name their file', async () => {
  const files = [join('samples', 'active-port', 'capture.pcap'), join('samples', 'passive-epsv', 'capture.pcap')];
  const { code, stdout } = await runCli('analyze', ...files, '--format', 'json');
  expect(code).toBe(0);
  const report = JSON.parse(stdout);
  expect(report.inputs.map((i: { file: string }) => i.file)).toEqual(files);
  const single = await Promise.all(files.map(async (f) => JSON.parse((await runCli('analyze', f, '--format', 'json')).stdout)));
  expect(report.sessions).toHaveLength(single[0].sessions.length + single[1].sessions.length);
  // Each session's frames carry the 1-based index of the input they come from.
  const byInput = new Map<number, number>();
  for (const session of report.sessions) {
    byInput.set(session.startInput, (byInput.get(session.startInput) ?? 0) + 1);
    for (const channel of session.dataChannels) {
      expect(channel.input).toBe(session.startInput);
      expect(channel.connection.synInput).toBe(session.startInput);
    }
  }
  expect(byInput.get(1)).toBe(single[0].sessions.length);
  expect(byInput.get(2)).toBe(single[1].sessions.length);
  // The text report writes such frames as input:frame.
  const text = await runCli('analyze', ...files, '--no-color');
  expect(text.stdout).toMatch(/ 2:\d+ /);
});

/** Moves the FTP control port of an Ethernet/IPv4/IPv6 little-endian pcap from 21 to `port`. */
function moveControlPort(pcap: Buffer, port: number): Buffer {
  const out = Buffer.from(pcap);
  for (let offset = 24; offset + 16 <= out.length; ) {
    const length = out.readUInt32LE(offset + 8);
    const frame = offset + 16;
    const etherType = out.readUInt16BE(frame + 12);
    const ip = frame + 14;
    const tcp = etherType === 0x0800 ? ip + (out[ip] & 0x0f) * 4 : etherType === 0x86dd ? ip + 40 : -1;
    if (tcp > 0) {
      for (const field of [tcp, tcp + 2]) if (out.readUInt16BE(field) === 21) out.writeUInt16BE(port, field);
    }
    offset = frame + length;
  }
  return out;
}

test('FTP on another control port is found by its content, or by --ftp-port, with the same analysis', async () => {
  const original = join('samples', 'active-port', 'capture.pcap');
  const dir = mkdtempSync(join(tmpdir(), 'ftpcap-port-'));
  const moved = join(dir, 'port-2121.pcap');
  writeFileSync(moved, moveControlPort(readFileSync(original), 2121));

  const detected = JSON.parse((await runCli('analyze', moved, '--format', 'json')).stdout);
  const notDetected = JSON.parse((await runCli('analyze', moved, '--format', 'json', '--no-detect')).stdout);
  expect(notDetected.sessions).toHaveLength(0);

  const withPort = JSON.parse((await runCli('analyze', moved, '--format', 'json', '--ftp-port', '2121')).stdout);
  const reference = JSON.parse((await runCli('analyze', original, '--format', 'json')).stdout);
  expect(withPort.sessions).toHaveLength(reference.sessions.length);
  expect(withPort.sessions[0].server.port).toBe(2121);
  const channels = (r: { sessions: Array<{ dataChannels: unknown[] }> }) => r.sessions.flatMap((s) => s.dataChannels);
  expect(channels(withPort)).toEqual(channels(reference));
  expect(channels(detected)).toEqual(channels(reference));
  expect(detected.sessions[0].server).toEqual(withPort.sessions[0].server);
  expect(detected.sessions[0].client).toEqual(withPort.sessions[0].client);
  expect(detected.sessions[0].midstream).toBe(false);
  expect(detected.sessions[0].timeline[0].line).toBe('220 (vsFTPd 3.0.3)');
  expect(withPort.firewall.servers[0].controlPort).toBe(2121);
  expect(withPort.firewall.rules.nftables).toContain('tcp dport 2121 ct helper set "ftp-2121"');
});

test('passwords are masked unless --show-passwords is given', async () => {
  // samples/active-port logs in as alice with the password wonderland-42 (see its README).
  const capture = join('samples', 'active-port', 'capture.pcap');
  for (const format of ['text', 'json']) {
    const masked = await runCli('analyze', capture, '--format', format);
    expect(masked.stdout).not.toContain('wonderland-42');
    expect(masked.stdout).toContain('PASS ********');
    const shown = await runCli('analyze', capture, '--format', format, '--show-passwords');
    expect(shown.stdout).toContain('PASS wonderland-42');
  }
});
