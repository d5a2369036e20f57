/**
 * `ftpcap watch -i IFACE [--filter BPF]`: captures live with tcpdump (or dumpcap), prints each
 * FTP session's timeline as it ends, a status line on a terminal, and on Ctrl-C (or when the
 * capture stops) the summary: data channels, findings and firewall rules.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Analyzer } from '../analyzer';
import { readCaptures, STDIN_NAME } from '../capture';
import type { FtpSession } from '../model';
import { buildReport, buildSessionReport } from '../report/build';
import { sanitize } from '../report/sanitize';
import { renderSessionText, renderSummaryText } from '../report/text';
import { useColor } from './color';
import { firewallRequest, type FirewallCliOptions } from './firewall-options';
import type { Io } from './main';
import { version } from './version';
import { performanceThresholds, type PerformanceCliOptions } from './performance-options';

export interface WatchOptions extends FirewallCliOptions, PerformanceCliOptions {
  interface: string;
  filter?: string;
  ftpPort: number[];
  detect: boolean;
  showPasswords: boolean;
  firewall: boolean;
  color?: boolean;
  /** A session silent this many seconds (control and data connections) is printed as ended. */
  idleTimeout: number;
}

/** What watch needs from the system; tests replace it. */
export interface WatchSystem {
  /** The path of an executable on PATH, or null. */
  which(name: string): string | null;
  spawn(command: string, args: string[]): ChildProcess;
  /** Registers the Ctrl-C handler; returns its removal. */
  onInterrupt(handler: () => void): () => void;
  /** Microseconds since the epoch, now. */
  nowMicros(): number;
}

export const processSystem: WatchSystem = {
  which(name) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue;
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
    return null;
  },
  spawn: (command, args) => spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }),
  onInterrupt(handler) {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
  nowMicros: () => Date.now() * 1000,
};

/** The capture programs watch can run, in order of preference, with their Debian packages. */
const capturers = [
  {
    name: 'tcpdump',
    debianPackage: 'tcpdump',
    // -U: write each packet at once; -s 0: whole packets; -w -: pcap on standard output.
    args: (iface: string, filter?: string) => ['-i', iface, '-U', '-s', '0', '-w', '-', ...(filter ? [filter] : [])],
  },
  {
    name: 'dumpcap',
    debianPackage: 'wireshark-common',
    args: (iface: string, filter?: string) => ['-i', iface, '-q', '-w', '-', ...(filter ? ['-f', filter] : [])],
  },
];

/** A session's block waits this long after its end (wall clock) for the last packets of its close. */
const GRACE_MICROS = 1_000_000;

export async function watchInterface(options: WatchOptions, io: Io, system: WatchSystem = processSystem): Promise<number> {
  const capturer = capturers.find((c) => system.which(c.name) !== null);
  if (!capturer) {
    io.stderr(
      'ftpcap: watch captures with tcpdump or dumpcap, and neither is installed: install one (Debian: apt-get install tcpdump, or apt-get install wireshark-common for dumpcap)\n',
    );
    return 1;
  }
  const child = system.spawn(capturer.name, capturer.args(options.interface, options.filter));
  let childErrors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    // tcpdump's "listening on ..." and the packet counts at exit are noise here; errors are kept.
    childErrors += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let spawnError: Error | null = null;
  child.on('error', (error) => {
    spawnError = error;
  });

  const color = useColor(options.color, io, false);
  const analyzer = new Analyzer(
    { ftpPorts: [...new Set([21, ...options.ftpPort])], showPasswords: options.showPasswords, detectFtp: options.detect, ...performanceThresholds(options) },
    { sessionEnd: (session) => ended.push(session) },
  );
  const ended: FtpSession[] = [];
  let packets = 0;
  let sessionsPrinted = 0;
  const status = io.stderrTty
    ? (final = false) => {
        const text = `watching ${options.interface} with ${capturer.name}: ${packets} packets, ${sessionsPrinted} FTP sessions ended${final ? '' : ' (Ctrl-C for the summary)'}`;
        io.stderr(`\r\x1b[K${sanitize(text).slice(0, Math.max(20, (io.stderrTty?.columns ?? 80) - 1))}${final ? '\n' : ''}`);
      }
    : null;
  const printed = new Set<FtpSession>();
  const print = (session: FtpSession) => {
    if (status) io.stderr('\r\x1b[K');
    io.stdout(`${renderSessionText(buildSessionReport(session, false), { color })}\n`);
    printed.add(session);
    sessionsPrinted++;
  };
  const flush = (all: boolean) => {
    const now = system.nowMicros();
    // Live, capture time is the clock: a client that vanished without FIN ends by silence.
    if (!all) analyzer.expireIdle(now, options.idleTimeout * 1e6);
    while (ended.length > 0 && (all || now - ended[0].control.last.timeMicros > GRACE_MICROS)) print(ended.shift() as FtpSession);
    status?.();
  };
  const timer = setInterval(() => flush(false), 250);
  let interrupted = false;
  const removeInterrupt = system.onInterrupt(() => {
    if (interrupted) return;
    interrupted = true;
    // The capture program flushes and exits; the rest of its output is still read.
    child.kill('SIGINT');
  });
  status?.();
  try {
    const inputs = await readCaptures(
      [STDIN_NAME],
      (frame) => {
        packets++;
        analyzer.ingest(frame);
      },
      { stdin: child.stdout ?? undefined, transientFrames: true },
    );
    const code = await exited;
    clearInterval(timer);
    const result = analyzer.finish();
    flush(true);
    if (status) status(true);
    if (spawnError !== null || (!interrupted && code !== 0 && packets === 0)) {
      const reason = spawnError !== null ? (spawnError as Error).message : childErrors.trim() || `exit status ${code}`;
      io.stderr(`ftpcap: ${capturer.name} could not capture on ${sanitize(options.interface)}: ${sanitize(reason.replace(/\s*\n\s*/g, ' '))}\n`);
      return 1;
    }
    // Sessions still open when the capture stopped.
    for (const session of result.sessions) if (!printed.has(session)) print(session);
    const report = buildReport(
      result,
      inputs.map((i) => ({ ...i, file: `${capturer.name} -i ${options.interface}` })),
      version,
      firewallRequest(options, 'nftables'),
    );
    io.stdout(renderSummaryText(report, { color, firewall: options.firewall }));
    return 0;
  } finally {
    clearInterval(timer);
    removeInterrupt();
    if (child.exitCode === null && !child.killed) child.kill('SIGTERM');
  }
}
