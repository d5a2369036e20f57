/**
 * Firewall rules for the samples: every nftables and iptables set, for every side and style, loads
 * into a kernel (a scratch network namespace made with `unshare --net`, so the machine's own
 * firewall is untouched); each rule's line number points at its line; and the server side's rules
 * name exactly the ports the sample's traffic used (as tshark decoded them in
 * samples/<case>/tshark-frames.txt). Whether the rules carry transfers is proven in test/kernel/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../e2e/run-cli';
import { parseTsharkFrames } from '../e2e/tshark-frames';
import type { FirewallPlan, RuleSet } from '../../src/firewall/types';
import { sampleCases } from '../helpers/golden';

const cases = sampleCases();

const dir = mkdtempSync(join(tmpdir(), 'ftpcap-nft-'));

/** tshark's view of the sample; of its recording where capture.pcap holds every packet twice (duplicated). */
function tsharkFrames(name: string): string {
  const file = join('samples', name, 'tshark-frames.txt');
  return readFileSync(existsSync(file) ? file : join('samples', name, 'tshark-frames.original.txt'), 'utf8');
}

/** Loads a set into a new, empty network namespace's kernel: 'ok', or what the loader said. */
function loadInScratchNamespace(set: RuleSet, name: string): string {
  const file = join(dir, `${name}.${set.dialect === 'nftables' ? 'nft' : 'sh'}`);
  writeFileSync(file, set.text);
  const command = set.dialect === 'nftables' ? ['nft', '-f', file] : ['bash', '-e', file];
  try {
    execFileSync('unshare', ['--net', ...command], { stdio: 'pipe' });
    return 'ok';
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error);
  }
}

/**
 * What the sample's traffic used, per tshark: the control port, the passive ports announced
 * (227/229), and the active connections the server opened (SYNs from the server: their source
 * ports and the client ports they went to).
 */
function observed(name: string, serverIp: string): { control: number; passive: number[]; dialled: number[]; activeSources: number[]; activeTargets: number[] } {
  // A capture with FTP on several ports has one tshark run per port: the first one is used.
  const runs = tsharkFrames(name).split(/^(?=# tshark-frames)/m);
  const text = runs.find((run) => run.trim() !== '') ?? '';
  const control = Number(/not to\/from port (\d+)/.exec(text)?.[1] ?? 21);
  const port = (endpoint: string) => Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
  const host = (endpoint: string) => endpoint.slice(0, endpoint.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  const passive: number[] = [];
  for (const line of text.split('\n')) {
    // Replies of this server only (a sample may hold an IPv6 server beside the IPv4 one).
    const m = /^\d+\s+\d+\s+(\S+) -> \S+\s+(227|229)\b.*:(\d+)\s*$/.exec(line);
    if (m && host(m[1]) === serverIp) passive.push(Number(m[3]));
  }
  const fromServer = parseTsharkFrames(text).syns.filter((s) => s.kind === 'SYN' && host(s.from) === serverIp);
  const toServer = parseTsharkFrames(text).syns.filter((s) => s.kind === 'SYN' && host(s.to) === serverIp);
  return {
    control,
    passive,
    dialled: toServer.map((s) => port(s.to)),
    activeSources: [...new Set(fromServer.map((s) => port(s.from)))].sort((a, b) => a - b),
    activeTargets: fromServer.map((s) => port(s.to)),
  };
}

describe.each(cases)('firewall rules for sample %s', (name) => {
  test('every Linux set loads into a kernel, and each rule points at its line', async () => {
    const capture = join('samples', name, 'capture.pcap');
    const { stdout, code } = await runCli('firewall', capture, '--format', 'json', '--dialect', 'nftables', '--dialect', 'iptables', '--side', 'all');
    expect(code).toBe(0);
    const { plan, sets } = JSON.parse(stdout) as { plan: FirewallPlan; sets: RuleSet[] };
    expect(sets).toHaveLength(plan.servers.length === 0 ? 0 : 12);
    for (const set of sets) {
      expect(loadInScratchNamespace(set, `${name}-${set.dialect}-${set.side}-${set.style}`), set.title).toBe('ok');
      const lines = set.text.split('\n');
      for (const rule of set.rules) {
        expect(lines[rule.line - 1].trim()).toBe(rule.text);
        if (!rule.essential) expect(rule.why).not.toBe('');
      }
    }
  });

  test('the server side opens exactly the observed ports', async () => {
    const { stdout } = await runCli('analyze', join('samples', name, 'capture.pcap'), '--format', 'json');
    const report = JSON.parse(stdout);
    const firewall = report.firewall;
    if (report.sessions.length === 0) {
      // No FTP (samples/not-ftp): nothing to open.
      expect(firewall.servers).toEqual([]);
      return;
    }

    const tsharkText = tsharkFrames(name);
    const controls = [...tsharkText.matchAll(/not to\/from port (\d+)/g)].map((m) => Number(m[1]));
    if (controls.length > 1) {
      // FTP on several ports (one tshark run each): tshark cannot tell which server each data
      // connection belongs to, so only the control ports are checked here.
      expect([...new Set(firewall.servers.map((s: { controlPort: number }) => s.controlPort))].sort()).toEqual([...new Set(controls)].sort());
      return;
    }
    const server = firewall.servers[0];
    const ports = observed(name, server.ip);
    expect(server.controlPort).toBe(ports.control);
    if (ports.passive.length > 0) {
      // The range covers every announced passive port, and its ends are ports the traffic used:
      // announced, or (where the announcements could not be read: TLS, a gap) dialled by a client.
      const { min, max } = server.passivePorts;
      expect(min).toBeLessThanOrEqual(Math.min(...ports.passive));
      expect(max).toBeGreaterThanOrEqual(Math.max(...ports.passive));
      expect([...ports.passive, ...ports.dialled]).toContain(min);
      expect([...ports.passive, ...ports.dialled]).toContain(max);
      expect(firewall.rules.nftablesStateless).toContain(`tcp dport ${min === max ? min : `${min}-${max}`} accept`);
      expect(firewall.rules.iptablesStateless).toContain(`--dport ${min === max ? min : `${min}:${max}`} -j ACCEPT`);
    } else {
      expect(server.passivePorts).toBeNull();
    }
    if (ports.activeTargets.length > 0) {
      expect(server.active.sourcePorts).toEqual(ports.activeSources);
      expect(server.active.clientPorts).toEqual({ min: Math.min(...ports.activeTargets), max: Math.max(...ports.activeTargets) });
      // Port 20 is named; ephemeral source ports change every time, so the range is opened.
      const sport = ports.activeSources.every((p) => p === 20) ? 'tcp sport 20 ' : 'tcp sport 1024-65535 ';
      expect(firewall.rules.nftablesStateless).toContain(sport);
    } else if (server.active !== null) {
      // Active transfers whose SYN never reached the capture point: the source port is known only
      // from a connection seen without its handshake (its payload); with none, RFC 959's default
      // (control port - 1) is assumed.
      type Channel = { mode: string; connection: { handshake: string; from: { port: number } } | null };
      const seen = report.sessions
        .flatMap((s: { dataChannels: Channel[] }) => s.dataChannels)
        .filter((c: Channel) => c.mode === 'active' && c.connection?.handshake === 'midstream')
        .map((c: Channel) => c.connection?.from.port);
      const sources = [...new Set(seen)].sort((a, b) => (a as number) - (b as number));
      expect(server.active.sourcePorts).toEqual(sources);
      expect(firewall.rules.nftablesStateless).toContain(sources.every((p) => p === 20) ? `tcp sport ${ports.control - 1} ` : 'tcp sport 1024-65535 ');
    }
    // The helper is bound where it can open a data connection; where it cannot (TLS, foreign
    // addresses, announcements it does not read), the data ports are opened explicitly instead.
    const covered = (firewall.plan as FirewallPlan).servers[0].flows.some((flow) => flow.helperCovers);
    expect(firewall.rules.nftables.includes(`ct helper set "ftp-${ports.control}"`)).toBe(covered);
    expect(firewall.rules.iptables.includes('-j CT --helper ftp')).toBe(covered);
  });
});
