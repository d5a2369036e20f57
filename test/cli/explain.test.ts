/**
 * ftpcap explain: every lesson runs on the samples that ship with the package, and every frame it
 * points at is the one the sample's own report gives for that step (the samples are real
 * captures, samples/README.md). The package's "files" carry those samples.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Report } from '../../src/report/build';
import { samplesFor, topics } from '../../src/report/explain';
import { runCli } from '../e2e/run-cli';

async function report(file: string): Promise<Report> {
  return JSON.parse((await runCli('analyze', `samples/${file}`, '--format', 'json')).stdout) as Report;
}

async function explain(...args: string[]): Promise<string> {
  // Wide enough that no sentence wraps, so a step reads as one line.
  const result = await runCli('explain', ...args, '--width', '1000');
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  return result.stdout;
}

describe('each lesson points at the frames that show it', () => {
  test('active: PORT, the server connecting from port 20, the four permissions per side', async () => {
    const text = await explain('active');
    const s = (await report('active-port/capture.pcap')).sessions[0];
    const c = s.dataChannels.find((x) => x.transfer?.command === 'RETR')!;
    const conn = c.connection!;
    expect(text).toContain(`\`PORT ${c.text}\` in frame ${c.frame}`);
    expect(text).toContain(
      `SYN ${conn.from.ip}:${conn.from.port} → ${conn.to.ip}:${conn.to.port} in frame ${conn.synFrame}, SYN-ACK from the client in frame ${conn.synAckFrame}`,
    );
    expect(text).toMatch(new RegExp(`in +client:>1023 +→ server:21 +control, opened by the client \\(frame ${s.control.synFrame}\\)`));
    expect(text).toMatch(new RegExp(`out +server:20 +→ client data port +data, opened by the server \\(frame ${conn.synFrame}\\)`));
    expect(text).toMatch(new RegExp(`in +server:20 +→ client data port \\(here ${conn.to.port}\\)`));
    expect(text).toContain('── Session 1 ');
  });

  test('passive: 227, the client connecting to the passive port', async () => {
    const text = await explain('passive');
    const s = (await report('passive-pasv/capture.pcap')).sessions[0];
    const c = s.dataChannels.find((x) => x.transfer?.command === 'RETR')!;
    expect(text).toContain(`\`227 ${c.text}\` in frame ${c.frame}`);
    expect(text).toMatch(
      new RegExp(
        `in +client:>1023 +→ server passive range \\(here ${c.connection!.to.port}\\) +data, opened by the client \\(frame ${c.connection!.synFrame}\\)`,
      ),
    );
  });

  test('eprt and epsv: IPv4 and IPv6, and EPSV ALL', async () => {
    const eprt = await explain('eprt');
    const v6 = (await report('ipv6/capture.pcap')).sessions.flatMap((s) => s.dataChannels).find((c) => c.method === 'EPRT' && c.status === 'completed')!;
    expect(eprt).toContain(`\`EPRT ${v6.text}\` in frame ${v6.frame}`);
    const epsv = await explain('epsv');
    const all = (await report('epsv-all/capture.pcap')).sessions[0];
    const allFrame = all.timeline.find((e) => e.line === 'EPSV ALL')!.frame;
    expect(epsv).toContain(`\`EPSV ALL\` in frame ${allFrame}`);
    const eprtAfter = all.dataChannels.find((c) => c.method === 'EPRT')!;
    expect(epsv).toContain(
      `vsftpd accepts \`EPRT ${eprtAfter.text}\` (frame ${eprtAfter.reply!.frame}) and connects to it (frame ${eprtAfter.connection!.synFrame})`,
    );
  });

  test('nat: the leaked PORT, the private 227, the helper rewriting PORT', async () => {
    const text = await explain('nat');
    const refused = (await report('nat-no-helper/capture.pcap')).sessions[0].dataChannels[0];
    expect(text).toContain(`\`PORT ${refused.text}\` = ${refused.announced!.ip}:${refused.announced!.port} in frame ${refused.frame}`);
    const pasv = (await report('nat-pasv-private/capture.pcap')).sessions[0].dataChannels[0];
    expect(text).toContain(
      `${pasv.connection!.synCount} SYNs to ${pasv.connection!.to.ip}:${pasv.connection!.to.port} from frame ${pasv.connection!.synFrame} on`,
    );
    const inside = (await report('nat-helper/inside.pcap')).sessions[0].dataChannels[0];
    const outside = (await report('nat-helper/capture.pcap')).sessions[0].dataChannels[0];
    expect(text).toContain(`\`PORT ${inside.text}\``);
    expect(text).toContain(`\`PORT ${outside.text}\``);
    expect(inside.text).not.toBe(outside.text);
  });

  test('all: every topic in order; ASCII when asked', async () => {
    const text = await explain();
    const titles = [...text.matchAll(/^━━━ (.+?) ━/gm)].map((m) => m[1].split(/[ :]/)[0]);
    expect(titles).toEqual(['Active', 'Passive', 'EPRT', 'EPSV', 'NAT']);
    expect(await explain('all', '--ascii')).toMatch(/^[\x20-\x7e\n]*$/);
    expect((await runCli('explain', 'sftp')).code).toBe(2);
  });
});

test('the package carries every sample the lessons use, and explains from its tarball with no network', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftpcap-pack-'));
  try {
    // dist/ is what `npm test` just built; the tarball is what users install.
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { encoding: 'utf8' })) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    const files = new Set(packed[0].files.map((f) => f.path));
    for (const sample of samplesFor([...topics])) expect(files, sample).toContain(`samples/${sample}`);
    writeFileSync(join(dir, 'package.json'), '{"name":"explain-check","version":"1.0.0","private":true}');
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(dir, packed[0].filename)], { cwd: dir, stdio: 'ignore' });
    const text = execFileSync(join(dir, 'node_modules/.bin/ftpcap'), ['explain', 'nat', '--width', '100'], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8' },
    });
    expect(text).toContain('samples/nat-helper/inside.pcap');
    expect(text).not.toContain('is not in this installation');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
