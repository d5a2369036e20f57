/**
 * A kernel lab for firewall rules: four network namespaces (client, router, server, stranger)
 * with documentation addresses only, an FTP server in the server namespace, curl and lftp in the
 * client namespace, tcpdump on the router. Rulesets are loaded with nft / iptables inside one
 * namespace and real transfers run through them.
 *
 *   <p>-cli  eth0 198.51.100.20/24  2001:db8:1::20/64      curl, lftp
 *      |
 *   <p>-rtr  c0   198.51.100.1/24   2001:db8:1::1/64       forwarding; capture point: s0
 *            s0   192.0.2.1/24      2001:db8:2::1/64
 *            x0   203.0.113.1/24    2001:db8:3::1/64
 *      |                                   |
 *   <p>-srv  eth0 192.0.2.10/24   2001:db8:2::10/64   <p>-str  eth0 203.0.113.30/24  2001:db8:3::30/64
 *            (vsftpd :21 or Pure-FTPd :2121)                   (the stranger: a host no rule names)
 *
 * The namespaces have no link to the host namespace and the router knows only its three connected
 * networks: no packet can leave the lab. Every namespace name starts with the lab's prefix, so
 * labs with different prefixes run side by side, and leftovers of an aborted run are found by it.
 *
 * Needs root, iproute2, ethtool (optional), python3, tcpdump, curl, lftp, nft, iptables (nf_tables backend), and the
 * server: vsftpd, or Pure-FTPd unpacked by ensurePureFtpd().
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Family = 'ipv4' | 'ipv6';
export type Mode = 'EPSV' | 'PASV' | 'EPRT' | 'PORT';
export type HostRole = 'cli' | 'rtr' | 'srv' | 'str';

export const ADDRESSES = {
  client: { ipv4: '198.51.100.20', ipv6: '2001:db8:1::20' },
  server: { ipv4: '192.0.2.10', ipv6: '2001:db8:2::10' },
  stranger: { ipv4: '203.0.113.30', ipv6: '2001:db8:3::30' },
} as const;

/** The passive range both servers are configured with. */
export const PASSIVE = { min: 40000, max: 40009 };

/** Ports just outside the passive range; a listener on them shows whether the rules open more. */
export const OUTSIDE_PORTS = [PASSIVE.min - 1, PASSIVE.max + 1];

/** A client port with a listener on the client host: only the server's active connections may reach it. */
export const CLIENT_LISTENER_PORT = 45000;

export const PROBE = join(__dirname, 'probe.py');
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** The file `ip netns add` binds a namespace to; `nsenter --net=` enters it (cheaper than `ip netns exec`, which also remounts /sys). */
export function netnsPath(ns: string): string {
  return `/run/netns/${ns}`;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never throws for a non-zero exit (the caller decides). */
export function run(cmd: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, env: options.env, cwd: options.cwd, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 255) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + (error && code === 255 ? String(error.message) : '') });
      },
    );
  });
}

async function must(cmd: string, args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  const result = await run(cmd, args, options);
  if (result.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A file of random bytes for the anonymous tree, and its size and SHA-256. */
export interface Payload {
  dir: string;
  name: string;
  size: number;
  sha256: string;
}

/** Writes `name` (size bytes of random data) into a fresh world-readable directory under `work`. */
export function makePayload(work: string, name = 'payload-300k.bin', size = 300 * 1024): Payload {
  const dir = join(work, 'anon');
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const bytes = randomBytes(size);
  writeFileSync(join(dir, name), bytes, { mode: 0o644 });
  return { dir, name, size, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Where an FTP server listens: its control port (both families). */
export interface ServerEndpoint {
  software: 'vsftpd' | 'pure-ftpd';
  port: number;
}

/** One kind of transfer: a client program, the family, and the data-connection mode it uses. */
export interface TransferKind {
  id: string;
  client: 'curl' | 'lftp';
  family: Family;
  mode: Mode;
}

/** The transfers every lab runs: the four curl modes on IPv4, lftp PASV on IPv4, EPSV and EPRT on IPv6. */
export const TRANSFER_KINDS: TransferKind[] = [
  { id: 'curl EPSV ipv4', client: 'curl', family: 'ipv4', mode: 'EPSV' },
  { id: 'curl PASV ipv4', client: 'curl', family: 'ipv4', mode: 'PASV' },
  { id: 'curl EPRT ipv4', client: 'curl', family: 'ipv4', mode: 'EPRT' },
  { id: 'curl PORT ipv4', client: 'curl', family: 'ipv4', mode: 'PORT' },
  { id: 'lftp PASV ipv4', client: 'lftp', family: 'ipv4', mode: 'PASV' },
  { id: 'curl EPSV ipv6', client: 'curl', family: 'ipv6', mode: 'EPSV' },
  { id: 'curl EPRT ipv6', client: 'curl', family: 'ipv6', mode: 'EPRT' },
];

const CURL_MODE_FLAGS: Record<Mode, string[]> = {
  EPSV: [],
  PASV: ['--disable-epsv'],
  EPRT: ['--ftp-port', '-'],
  PORT: ['--ftp-port', '-', '--disable-eprt'],
};

/** The client command line of one transfer (what the sample READMEs show, too). */
export function clientCommand(kind: TransferKind, server: ServerEndpoint, payload: string, out: string): string[] {
  const host = kind.family === 'ipv6' ? `[${ADDRESSES.server.ipv6}]` : ADDRESSES.server.ipv4;
  const url = `ftp://${host}:${server.port}/${payload}`;
  if (kind.client === 'curl') {
    return ['curl', '-sS', '--connect-timeout', '2', '--max-time', '8', ...CURL_MODE_FLAGS[kind.mode], '-o', out, url];
  }
  if (kind.mode !== 'PASV' && kind.mode !== 'PORT') throw new Error(`lftp transfers here are PASV or PORT, not ${kind.mode}`);
  const settings = [
    'set net:timeout 2',
    'set net:max-retries 1',
    'set net:reconnect-interval-base 1',
    'set cmd:fail-exit yes',
    `set ftp:passive-mode ${kind.mode === 'PASV' ? 'yes' : 'no'}`,
    'set ftp:prefer-epsv no',
  ];
  return ['timeout', '10', 'lftp', '-c', `${settings.join('; ')}; open ${url.slice(0, url.lastIndexOf('/'))}; get ${payload} -o ${out}`];
}

export interface TransferResult {
  kind: TransferKind;
  ok: boolean;
  /** Why it failed (exit status, client's message, size or hash), or 'ok'. */
  detail: string;
  ms: number;
  /** The client's command line, and what it printed. */
  command: string[];
  output: string;
}

export type RuleDialect = 'nftables' | 'iptables';

export class Lab {
  readonly work: string;
  private server: ChildProcess | null = null;
  private listeners: ChildProcess[] = [];
  private transferCount = 0;
  serverEndpoint: ServerEndpoint | null = null;

  constructor(readonly prefix: string) {
    this.work = mkdtempSync(join(tmpdir(), `ftpcap-kernel-${prefix}-`));
    chmodSync(this.work, 0o755);
  }

  ns(role: HostRole): string {
    return `${this.prefix}-${role}`;
  }

  get all(): string[] {
    return (['srv', 'rtr', 'cli', 'str'] as HostRole[]).map((r) => this.ns(r));
  }

  exec(role: HostRole, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ExecResult> {
    return run('nsenter', [`--net=${netnsPath(this.ns(role))}`, ...args], options);
  }

  private mustIn(role: HostRole, args: string[]): Promise<string> {
    return must('nsenter', [`--net=${netnsPath(this.ns(role))}`, ...args]);
  }

  /** Removes every namespace with this lab's prefix, after ending the processes inside it. */
  static async removeNamespaces(prefix: string): Promise<void> {
    const list = await run('ip', ['netns', 'list']);
    const names = list.stdout
      .split('\n')
      .map((line) => line.split(' ')[0])
      .filter((name) => name.startsWith(`${prefix}-`));
    for (const name of names) {
      for (const signal of ['TERM', 'KILL']) {
        const pids = (await run('ip', ['netns', 'pids', name])).stdout.split(/\s+/).filter((p) => /^\d+$/.test(p));
        for (const pid of pids) {
          try {
            process.kill(Number(pid), `SIG${signal}` as NodeJS.Signals);
          } catch {
            // already gone
          }
        }
        if (pids.length > 0) await sleep(200);
      }
      await run('ip', ['netns', 'del', name]);
    }
  }

  /** Builds the topology (after removing leftovers of an earlier run) and checks it with ping. */
  async up(): Promise<void> {
    await Lab.removeNamespaces(this.prefix);
    for (const ns of this.all) {
      await must('ip', ['netns', 'add', ns]);
      await must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await must('nsenter', [
        `--net=${netnsPath(ns)}`,
        'sysctl',
        '-qw',
        'net.ipv6.conf.all.accept_ra=0',
        'net.ipv6.conf.default.accept_ra=0',
        'net.ipv6.conf.all.autoconf=0',
        'net.ipv6.conf.default.autoconf=0',
        'net.ipv6.conf.all.accept_dad=0',
        'net.ipv6.conf.default.accept_dad=0',
      ]);
    }
    await this.mustIn('rtr', ['sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    const links: Array<{ host: HostRole; routerIf: string; v4: string; v6: string; net4: string; net6: string }> = [
      { host: 'srv', routerIf: 's0', v4: ADDRESSES.server.ipv4, v6: ADDRESSES.server.ipv6, net4: '192.0.2', net6: '2001:db8:2' },
      { host: 'cli', routerIf: 'c0', v4: ADDRESSES.client.ipv4, v6: ADDRESSES.client.ipv6, net4: '198.51.100', net6: '2001:db8:1' },
      { host: 'str', routerIf: 'x0', v4: ADDRESSES.stranger.ipv4, v6: ADDRESSES.stranger.ipv6, net4: '203.0.113', net6: '2001:db8:3' },
    ];
    for (const link of links) {
      await must('ip', ['link', 'add', link.routerIf, 'netns', this.ns('rtr'), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.ns(link.host)]);
      await this.mustIn('rtr', ['ip', 'addr', 'add', `${link.net4}.1/24`, 'dev', link.routerIf]);
      await this.mustIn('rtr', ['ip', '-6', 'addr', 'add', `${link.net6}::1/64`, 'dev', link.routerIf, 'nodad']);
      await this.mustIn('rtr', ['ip', 'link', 'set', link.routerIf, 'up']);
      await this.mustIn(link.host, ['ip', 'addr', 'add', `${link.v4}/24`, 'dev', 'eth0']);
      await this.mustIn(link.host, ['ip', '-6', 'addr', 'add', `${link.v6}/64`, 'dev', 'eth0', 'nodad']);
      await this.mustIn(link.host, ['ip', 'link', 'set', 'eth0', 'up']);
      await this.mustIn(link.host, ['ip', 'route', 'add', 'default', 'via', `${link.net4}.1`]);
      await this.mustIn(link.host, ['ip', '-6', 'route', 'add', 'default', 'via', `${link.net6}::1`]);
      await this.noOffload('rtr', link.routerIf);
      await this.noOffload(link.host, 'eth0');
    }
    // Reachability: a SYN to a closed port comes back as RST ("refused") when the path works.
    for (const [from, to] of [
      ['cli', ADDRESSES.server.ipv4],
      ['cli', ADDRESSES.server.ipv6],
      ['str', ADDRESSES.server.ipv4],
      ['str', ADDRESSES.client.ipv6],
    ] as Array<[HostRole, string]>) {
      let answer = '';
      for (let i = 0; i < 3 && answer !== 'refused'; i++) answer = await this.probe(from, to, 9);
      if (answer !== 'refused') throw new Error(`lab ${this.prefix}: ${this.ns(from)} cannot reach ${to} (${answer})`);
    }
  }

  /** Like a real NIC on the wire: no segmentation or checksum offload (frames ≤ 1514 bytes, right checksums). */
  private async noOffload(role: HostRole, dev: string): Promise<void> {
    const first = await this.exec(role, ['ethtool', '-K', dev, 'tx', 'off', 'rx', 'off', 'tso', 'off', 'gso', 'off', 'gro', 'off']);
    if (first.code !== 0) await this.exec(role, ['ethtool', '-K', dev, 'tx', 'off', 'tso', 'off', 'gso', 'off']);
  }

  async down(): Promise<void> {
    this.server = null;
    this.listeners = [];
    await Lab.removeNamespaces(this.prefix);
    rmSync(this.work, { recursive: true, force: true });
  }

  /** Starts a long-running process in a namespace; resolves once `ready` says so. */
  private async startProcess(role: HostRole, args: string[], name: string, ready: () => Promise<boolean>): Promise<ChildProcess> {
    const log = join(this.work, `${name}.log`);
    const child = spawn('nsenter', [`--net=${netnsPath(this.ns(role))}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.on('exit', () => writeFileSync(log, output));
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`${name} exited at start (${child.exitCode}): ${output}`);
      if (await ready()) return child;
      await sleep(100);
    }
    throw new Error(`${name} did not come up: ${output}`);
  }

  private async listening(role: HostRole, port: number): Promise<boolean> {
    const result = await this.exec(role, ['ss', '-Hltn', `sport = :${port}`]);
    return result.stdout.trim() !== '';
  }

  /** The vsftpd configuration this lab runs (also quoted by the sample READMEs). */
  static vsftpdConfig(anonRoot: string, emptyDir: string): string {
    return [
      '# ftpcap kernel firewall lab; not /etc/vsftpd.conf',
      '# standalone, foreground, one IPv6 socket that also accepts IPv4 (mapped)',
      'listen=NO',
      'listen_ipv6=YES',
      'listen_port=21',
      'background=NO',
      '# anonymous read-only download',
      'anonymous_enable=YES',
      'no_anon_password=YES',
      `anon_root=${anonRoot}`,
      'local_enable=NO',
      'write_enable=NO',
      '# passive range; active data connections come from port 20',
      'pasv_enable=YES',
      `pasv_min_port=${PASSIVE.min}`,
      `pasv_max_port=${PASSIVE.max}`,
      'port_enable=YES',
      'connect_from_port_20=YES',
      '# a blocked data connection fails within seconds',
      'connect_timeout=2',
      'accept_timeout=2',
      'data_connection_timeout=3',
      'idle_session_timeout=20',
      '# lab housekeeping',
      'seccomp_sandbox=NO',
      `secure_chroot_dir=${emptyDir}`,
      'xferlog_enable=NO',
      'dirmessage_enable=NO',
      'use_localtime=NO',
      '',
    ].join('\n');
  }

  async startVsftpd(payload: Payload): Promise<void> {
    const empty = join(this.work, 'empty');
    mkdirSync(empty, { recursive: true });
    chmodSync(empty, 0o755);
    const conf = join(this.work, 'vsftpd.conf');
    writeFileSync(conf, Lab.vsftpdConfig(payload.dir, empty), { mode: 0o600 });
    this.server = await this.startProcess('srv', ['vsftpd', conf], 'vsftpd', () => this.listening('srv', 21));
    this.serverEndpoint = { software: 'vsftpd', port: 21 };
  }

  /** Pure-FTPd's command line (after the binary) in this lab. */
  static pureFtpdFlags(port: number): string[] {
    // -S ,PORT: every address of both families on PORT; -p: passive range; -e: anonymous only;
    // -H: no reverse DNS; -I 1: idle sessions end after a minute.
    return ['-S', `,${port}`, '-p', `${PASSIVE.min}:${PASSIVE.max}`, '-e', '-H', '-I', '1'];
  }

  /**
   * Pure-FTPd serves the home of the system user ftp to anonymous users: it runs in a private mount
   * namespace where the payload directory is bind-mounted over that home, so the real one is
   * neither read nor changed.
   */
  async startPureFtpd(payload: Payload, binary: string, port = 2121): Promise<void> {
    const home = (await must('getent', ['passwd', 'ftp'])).split(':')[5];
    if (!home || !existsSync(home)) throw new Error(`the system user ftp has no home directory (${home}); install vsftpd or create it`);
    const wrap = 'mount --bind "$0" "$1" && shift && exec "$@"';
    this.server = await this.startProcess(
      'srv',
      ['unshare', '-m', '--propagation', 'private', 'sh', '-c', wrap, payload.dir, home, binary, ...Lab.pureFtpdFlags(port)],
      'pure-ftpd',
      () => this.listening('srv', port),
    );
    this.serverEndpoint = { software: 'pure-ftpd', port };
  }

  /** Listeners on the ports just outside the passive range (server) and on a client port. */
  async startListeners(): Promise<void> {
    const ready = (role: HostRole, port: number) => () => this.listening(role, port);
    this.listeners.push(await this.startProcess('srv', [PYTHON, PROBE, 'listen', ...OUTSIDE_PORTS.map(String)], 'listen-srv', ready('srv', OUTSIDE_PORTS[1])));
    this.listeners.push(
      await this.startProcess('cli', [PYTHON, PROBE, 'listen', String(CLIENT_LISTENER_PORT)], 'listen-cli', ready('cli', CLIENT_LISTENER_PORT)),
    );
  }

  /** One TCP connection attempt from a host: connected, refused, timeout or error. */
  async probe(from: HostRole, host: string, port: number, sourcePort = 0): Promise<string> {
    const result = await this.exec(from, [PYTHON, PROBE, 'connect', host, String(port), String(sourcePort), '1.5'], { timeoutMs: 10_000 });
    return result.stdout.trim() || `probe failed: ${result.stderr.trim()}`;
  }

  /**
   * A quiet start for the next transfers: the server's sessions from earlier (failed) transfers
   * are ended, so that no late packet of theirs makes a host resolve its neighbours on its own
   * (a neighbour solicitation teaches the receiver the sender's address: a rule for the answer
   * would then look unneeded); connection tracking is emptied where the conntrack tool exists;
   * then every neighbour cache is flushed.
   */
  async quiesce(): Promise<void> {
    const keep = new Set([this.server?.pid, ...this.listeners.map((l) => l.pid)].filter((p): p is number => p !== undefined));
    const pids = (await run('ip', ['netns', 'pids', this.ns('srv')])).stdout
      .split(/\s+/)
      .filter((p) => /^\d+$/.test(p))
      .map(Number);
    let ended = 0;
    for (const pid of pids.filter((p) => !keep.has(p))) {
      try {
        process.kill(pid, 'SIGKILL');
        ended++;
      } catch {
        // already gone
      }
    }
    if (ended > 0) await sleep(300);
    await Promise.all([...this.all.map((ns) => run('nsenter', [`--net=${netnsPath(ns)}`, 'conntrack', '-F'])), this.flushNeighbours()]);
  }

  /**
   * Can `from` resolve `address` (IPv6 neighbour discovery) with empty caches on both ends? Sends
   * one UDP datagram and reads the neighbour entry a second later: REACHABLE (or STALE, DELAY,
   * PROBE: it has a link-layer address) or INCOMPLETE / FAILED / none (no answer came back).
   */
  async resolves(from: HostRole, address: string): Promise<{ ok: boolean; state: string }> {
    await this.flushNeighbours();
    await this.exec(from, [PYTHON, PROBE, 'udp', address, '9']);
    await sleep(1000);
    const shown = (await run('ip', ['-n', this.ns(from), '-6', 'neigh', 'show', address])).stdout.trim();
    const state = shown.split(/\s+/).pop() ?? '';
    return { ok: /lladdr/.test(shown) && !/INCOMPLETE|FAILED/.test(shown), state: shown === '' ? 'no entry' : state };
  }

  /** Forget every neighbour (ARP / NDP) entry in every namespace of the lab. */
  async flushNeighbours(): Promise<void> {
    await Promise.all(this.all.flatMap((ns) => [run('ip', ['-n', ns, '-4', 'neigh', 'flush', 'all']), run('ip', ['-n', ns, '-6', 'neigh', 'flush', 'all'])]));
  }

  /** One download; checks the client's exit status, the file's size and its SHA-256. */
  async transfer(kind: TransferKind, payload: Payload): Promise<TransferResult> {
    if (!this.serverEndpoint) throw new Error('no server started');
    const dir = join(this.work, 'downloads');
    mkdirSync(dir, { recursive: true });
    const name = `download-${++this.transferCount}.bin`;
    const out = join(dir, name);
    const home = join(this.work, 'home');
    mkdirSync(home, { recursive: true });
    const started = Date.now();
    // The client runs in the download directory and writes a relative name: the command line
    // is the one the sample READMEs show.
    const command = clientCommand(kind, this.serverEndpoint, payload.name, name);
    const result = await this.exec('cli', command, {
      timeoutMs: 15_000,
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: home, LC_ALL: 'C' },
    });
    const ms = Date.now() - started;
    let detail = 'ok';
    if (result.code !== 0) {
      detail = `exit ${result.code}: ${(result.stderr || result.stdout).trim().split('\n').slice(-2).join(' / ')}`;
    } else if (!existsSync(out)) {
      detail = 'no file written';
    } else {
      const bytes = readFileSync(out);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (bytes.length !== payload.size) detail = `size ${bytes.length}, expected ${payload.size}`;
      else if (sha256 !== payload.sha256) detail = `sha256 ${sha256}, expected ${payload.sha256}`;
    }
    rmSync(out, { force: true });
    return { kind, ok: detail === 'ok', detail, ms, command, output: (result.stdout + result.stderr).trim() };
  }

  /**
   * Starts tcpdump on the router's server-facing interface; stop() ends it cleanly (SIGINT, a
   * second after the last packet) and waits for the file. Immediate mode: packets still waiting in
   * the kernel's capture buffer when tcpdump stops would be lost otherwise.
   */
  async startCapture(file: string): Promise<{ stop: () => Promise<string> }> {
    const child = spawn(
      'nsenter',
      [`--net=${netnsPath(this.ns('rtr'))}`, 'tcpdump', '-i', 's0', '-s', '0', '--immediate-mode', '-U', '-Z', 'root', '-w', file, 'tcp'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let log = '';
    child.stderr?.on('data', (chunk) => (log += chunk));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    for (let i = 0; i < 100 && !log.includes('listening on'); i++) {
      if (child.exitCode !== null) throw new Error(`tcpdump exited: ${log}`);
      await sleep(100);
    }
    if (!log.includes('listening on')) throw new Error(`tcpdump did not start: ${log}`);
    await sleep(300);
    return {
      stop: async () => {
        await sleep(1000);
        child.kill('SIGINT');
        await exited;
        if (/^[1-9]\d* packets dropped by kernel/m.test(log)) throw new Error(`tcpdump dropped packets: ${log}`);
        if (!existsSync(file) || statSync(file).size < 24) throw new Error(`tcpdump wrote no capture: ${log}`);
        return log;
      },
    };
  }

  /** Removes every rule (nftables and iptables-nft alike) in one namespace: back to accept all. */
  async clearRules(role: HostRole): Promise<void> {
    await this.mustIn(role, ['nft', 'flush', 'ruleset']);
  }

  /** Loads one ruleset text into a namespace (after clearing it); returns the loader's error, or null. */
  async loadRules(role: HostRole, dialect: RuleDialect, text: string): Promise<string | null> {
    await this.clearRules(role);
    const file = join(this.work, `rules-${role}-${Date.now()}-${Math.random().toString(36).slice(2)}.${dialect === 'nftables' ? 'nft' : 'sh'}`);
    writeFileSync(file, text);
    const result = dialect === 'nftables' ? await this.exec(role, ['nft', '-f', file]) : await this.exec(role, ['bash', '-e', file]);
    rmSync(file, { force: true });
    return result.code === 0 ? null : `exit ${result.code}: ${result.stderr.trim()}`;
  }

  /** iptables-save and ip6tables-save of a namespace, without comments and counters: to compare two loads. */
  async iptablesSave(role: HostRole): Promise<string> {
    const parts: string[] = [];
    for (const cmd of ['iptables-save', 'ip6tables-save']) {
      const out = await this.exec(role, [cmd]);
      parts.push(
        out.stdout
          .split('\n')
          .filter((l) => l !== '' && !l.startsWith('#'))
          .map((l) => l.replace(/\[\d+:\d+\]/, '[0:0]'))
          .join('\n'),
      );
    }
    return parts.join('\n');
  }

  /** Runs one shell command line (an iptables command) in a namespace; returns its error, or null. */
  async shell(role: HostRole, line: string): Promise<string | null> {
    const result = await this.exec(role, ['bash', '-e', '-c', line]);
    return result.code === 0 ? null : `exit ${result.code}: ${result.stderr.trim()}`;
  }

  /** What a namespace's firewall and connection tracking look like now (for failure notes). */
  async snapshot(role: HostRole): Promise<string> {
    const rules = await this.exec(role, ['nft', 'list', 'ruleset']);
    const conntrack = await this.exec(role, ['conntrack', '-L']);
    const expect = await this.exec(role, ['conntrack', '-L', 'expect']);
    return [
      `nft list ruleset (${this.ns(role)}):`,
      rules.stdout.trim(),
      `conntrack -L (${this.ns(role)}):`,
      (conntrack.stdout || conntrack.stderr).trim(),
      `conntrack -L expect (${this.ns(role)}):`,
      (expect.stdout || expect.stderr).trim(),
    ].join('\n');
  }
}

/** Removes leftovers of every lab (namespaces named fk<digits>-...) of an aborted run. */
export async function removeAllLabs(prefixes: string[]): Promise<void> {
  for (const prefix of prefixes) await Lab.removeNamespaces(prefix);
}

/**
 * Pure-FTPd conflicts with vsftpd as a Debian package: fetch it with `apt-get download` and unpack
 * it with `dpkg -x` into `dir` (once), and return the path of the binary, or null when it cannot
 * be had (no apt).
 */
export async function ensurePureFtpd(dir = process.env.FTPCAP_PUREFTPD_DIR ?? join(tmpdir(), 'ftpcap-pure-ftpd')): Promise<string | null> {
  const binary = join(dir, 'usr', 'sbin', 'pure-ftpd');
  if (existsSync(binary)) return binary;
  const download = mkdtempSync(join(tmpdir(), 'ftpcap-debs-'));
  chmodSync(download, 0o777); // apt-get download runs as _apt where it can
  try {
    const fetched = await run('apt-get', ['download', '-qq', 'pure-ftpd'], { cwd: download, timeoutMs: 120_000 });
    const deb = readdirSync(download).find((f) => f.startsWith('pure-ftpd_') && f.endsWith('.deb'));
    if (!deb) {
      process.stderr.write(`apt-get download pure-ftpd: ${fetched.stderr.trim()}\n`);
      return null;
    }
    mkdirSync(dir, { recursive: true });
    await must('dpkg', ['-x', join(download, deb), dir]);
    const version = (await must('dpkg-deb', ['-f', join(download, deb), 'Version'])).trim();
    writeFileSync(join(dir, 'debian-version.txt'), `${version}\n`);
    return existsSync(binary) ? binary : null;
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
}
