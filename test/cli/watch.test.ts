/**
 * `ftpcap watch`: first with a stand-in for tcpdump that plays a sample's bytes (the printing, the
 * summary, the missing-program message), then for real: tcpdump on a veth in a network namespace
 * while curl fetches from vsftpd, and Ctrl-C.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Io } from '../../src/cli/main';
import { watchInterface, type WatchOptions, type WatchSystem } from '../../src/cli/watch';

const options: WatchOptions = {
  interface: 'eth0',
  ftpPort: [],
  detect: true,
  showPasswords: false,
  firewall: true,
  color: false,
  style: 'helper',
  clients: 'seen',
  idleTimeout: 300,
};

function collectingIo(): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (text: string) => {
      io.out += text;
    },
    stderr: (text: string) => {
      io.err += text;
    },
    isTty: false,
  };
  return io;
}

/** A capture program that writes a capture file's bytes, then waits for SIGINT (or ends by itself). */
function fakeCapturer(file: string, waitForInterrupt: boolean): { system: WatchSystem; interrupt(): void; spawned: string[][] } {
  let interruptHandler: (() => void) | null = null;
  const spawned: string[][] = [];
  const system: WatchSystem = {
    which: (name) => (name === 'tcpdump' ? '/usr/bin/tcpdump' : null),
    spawn(command, args) {
      spawned.push([command, ...args]);
      const child = new EventEmitter() as ChildProcess & EventEmitter;
      const stdout = new PassThrough();
      Object.assign(child, { stdout, stderr: new PassThrough(), exitCode: null, killed: false });
      child.kill = () => {
        stdout.end();
        setImmediate(() => child.emit('close', 0));
        return true;
      };
      stdout.write(readFileSync(file));
      if (!waitForInterrupt) {
        stdout.end();
        setImmediate(() => child.emit('close', 0));
      }
      return child;
    },
    onInterrupt(handler) {
      interruptHandler = handler;
      return () => {
        interruptHandler = null;
      };
    },
    nowMicros: () => Date.now() * 1000,
  };
  return { system, interrupt: () => interruptHandler?.(), spawned };
}

describe('watch with a stand-in capture program', () => {
  test('each session as it ends, then on Ctrl-C the summary and firewall rules; status 0', async () => {
    const fake = fakeCapturer('samples/firewall-passive-blocked/capture.pcap', true);
    const io = collectingIo();
    const done = watchInterface({ ...options, filter: 'tcp port 21 or portrange 40000-40100' }, io, fake.system);
    // The sample's sessions ended years ago: both are printed within the first flushes.
    for (let i = 0; i < 100 && (io.out.match(/── Session/g) ?? []).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(io.out.match(/── Session \d/g)).toEqual(['── Session 1', '── Session 2']);
    expect(io.out).not.toContain('Findings');
    fake.interrupt();
    expect(await done).toBe(0);
    expect(fake.spawned).toEqual([['tcpdump', '-i', 'eth0', '-U', '-s', '0', '-w', '-', 'tcp port 21 or portrange 40000-40100']]);
    expect(io.out).toContain('data-connect-unanswered');
    expect(io.out).toMatch(/Firewall/);
    expect(io.out.indexOf('── Session 2')).toBeLessThan(io.out.indexOf('Findings'));
    expect(io.err).toBe('');
  });

  test.each([
    { terminal: true, env: {}, color: undefined, coloured: true },
    { terminal: true, env: { NO_COLOR: '1' }, color: undefined, coloured: false },
    { terminal: true, env: { NO_COLOR: '' }, color: undefined, coloured: true },
    { terminal: false, env: {}, color: undefined, coloured: false },
    { terminal: true, env: { NO_COLOR: '1' }, color: true, coloured: true },
    { terminal: true, env: {}, color: false, coloured: false },
  ])('colour as analyze decides it: terminal $terminal, env $env, --color $color → coloured $coloured', async ({ terminal, env, color, coloured }) => {
    const fake = fakeCapturer('samples/firewall-passive-blocked/capture.pcap', false);
    const io = Object.assign(collectingIo(), { isTty: terminal, env });
    const { color: _ignored, ...rest } = options;
    expect(await watchInterface(color === undefined ? rest : { ...rest, color }, io, fake.system)).toBe(0);
    expect(io.out).toContain('── Session 1');
    expect(/\x1b\[/.test(io.out)).toBe(coloured);
  });

  test('when the capture program cannot capture: its message on one line, status 1', async () => {
    const io = collectingIo();
    const system: WatchSystem = {
      ...fakeCapturer('samples/epsv-all/capture.pcap', false).system,
      spawn() {
        const child = new EventEmitter() as ChildProcess & EventEmitter;
        const stdout = new PassThrough();
        const stderr = new PassThrough();
        Object.assign(child, { stdout, stderr, exitCode: 1, killed: false, kill: () => true });
        stderr.end('tcpdump: nosuchif0: No such device exists\n(No such device exists)\n');
        stdout.end();
        setTimeout(() => child.emit('close', 1), 20);
        return child;
      },
    };
    expect(await watchInterface({ ...options, interface: 'nosuchif0' }, io, system)).toBe(1);
    expect(io.err).toBe('ftpcap: tcpdump could not capture on nosuchif0: tcpdump: nosuchif0: No such device exists (No such device exists)\n');
    expect(io.out).toBe('');
  });

  test('without tcpdump or dumpcap: a message naming the Debian packages, status 1', async () => {
    const io = collectingIo();
    const system: WatchSystem = { ...fakeCapturer('samples/epsv-all/capture.pcap', false).system, which: () => null };
    expect(await watchInterface(options, io, system)).toBe(1);
    expect(io.err).toBe(
      'ftpcap: watch captures with tcpdump or dumpcap, and neither is installed: install one (Debian: apt-get install tcpdump, or apt-get install wireshark-common for dumpcap)\n',
    );
  });
});

// The real thing needs root, iproute2, tcpdump, vsftpd and curl.
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const canLab = process.getuid?.() === 0 && ['ip', 'tcpdump', 'vsftpd', 'curl'].every(has);

describe.skipIf(!canLab)('watch on a real interface (network namespaces, vsftpd, curl)', () => {
  // Names unique per run (prefix fw); documentation addresses only.
  const tag = `fw${process.pid % 100000}`;
  const server = `${tag}s`;
  const client = `${tag}c`;
  const serverIf = `${tag}a`;
  const clientIf = `${tag}b`;
  const work = mkdtempSync(join(tmpdir(), 'ftpcap-watch-'));
  let vsftpd: ChildProcess | null = null;
  const ns = (name: string, ...args: string[]) => execFileSync('ip', ['netns', 'exec', name, ...args], { encoding: 'utf8', timeout: 20_000 });

  beforeAll(async () => {
    execFileSync('ip', ['netns', 'add', server]);
    execFileSync('ip', ['netns', 'add', client]);
    execFileSync('ip', ['link', 'add', serverIf, 'netns', server, 'type', 'veth', 'peer', 'name', clientIf, 'netns', client]);
    ns(server, 'ip', 'addr', 'add', '192.0.2.10/24', 'dev', serverIf);
    ns(client, 'ip', 'addr', 'add', '192.0.2.20/24', 'dev', clientIf);
    for (const [n, i] of [
      [server, serverIf],
      [client, clientIf],
    ]) {
      ns(n, 'ip', 'link', 'set', 'lo', 'up');
      ns(n, 'ip', 'link', 'set', i, 'up');
    }
    const anon = join(work, 'anon');
    mkdirSync(join(anon, 'pub'), { recursive: true });
    mkdirSync(join(work, 'empty'));
    writeFileSync(join(anon, 'pub', 'hello.txt'), 'hello from the watch test\n');
    chmodSync(work, 0o755);
    const conf = join(work, 'vsftpd.conf');
    writeFileSync(
      conf,
      [
        'listen=YES',
        'listen_ipv6=NO',
        'background=NO',
        'anonymous_enable=YES',
        `anon_root=${anon}`,
        'local_enable=NO',
        'write_enable=NO',
        'pasv_enable=YES',
        'pasv_min_port=40000',
        'pasv_max_port=40100',
        'port_enable=YES',
        'connect_from_port_20=YES',
        'seccomp_sandbox=NO',
        `secure_chroot_dir=${join(work, 'empty')}`,
        'xferlog_enable=NO',
        '',
      ].join('\n'),
    );
    vsftpd = spawn('ip', ['netns', 'exec', server, 'vsftpd', conf], { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      if (ns(server, 'ss', '-Hltn', 'sport = :21').trim() !== '') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  afterAll(() => {
    vsftpd?.kill('SIGTERM');
    for (const name of [server, client]) spawnSync('ip', ['netns', 'del', name]);
    rmSync(work, { recursive: true, force: true });
  });

  test('curl downloads in passive and active mode; each session is printed as it ends, Ctrl-C prints the summary, status 0', async () => {
    const bin = resolve('bin', 'ftpcap.js');
    const watch = spawn('ip', ['netns', 'exec', server, process.execPath, bin, 'watch', '-i', serverIf, '--no-color'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    watch.stdout.on('data', (b: Buffer) => (out += b.toString()));
    watch.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((r) => watch.on('close', (code) => r(code)));
    try {
      // tcpdump needs a moment to open the interface.
      await new Promise((r) => setTimeout(r, 2000));
      expect(ns(client, 'curl', '-s', '--max-time', '10', 'ftp://192.0.2.10/pub/hello.txt')).toBe('hello from the watch test\n');
      const untilSessions = async (n: number) => {
        for (let i = 0; i < 100 && (out.match(/── Session/g) ?? []).length < n; i++) await new Promise((r) => setTimeout(r, 100));
      };
      await untilSessions(1);
      // The first session is on screen before the second one starts: printed as it ended.
      expect(out).toMatch(/── Session 1[\s\S]*EPSV/);
      expect(ns(client, 'curl', '-s', '--max-time', '10', '-P', '-', 'ftp://192.0.2.10/pub/hello.txt')).toBe('hello from the watch test\n');
      await untilSessions(2);
      expect(out).toMatch(/── Session 2[\s\S]*EPRT/);
      expect(out).not.toContain('Findings');
    } finally {
      watch.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(err).toBe('');
    expect(out).toMatch(/2 FTP sessions, 2 data channels \(2 completed\)/);
    expect(out).toMatch(/Firewall/);
  }, 60_000);
});
