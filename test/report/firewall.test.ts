/**
 * Firewall rules for the samples: nftables accepts them (`nft -c -f`, nftables' own parser and
 * the kernel's check), and they name exactly the ports the sample's traffic used (as tshark
 * decoded them in samples/<case>/tshark-frames.txt).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../e2e/run-cli';

const cases = readdirSync('samples', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join('samples', d.name, 'capture.pcap')))
  .map((d) => d.name)
  .sort();

const dir = mkdtempSync(join(tmpdir(), 'ftpcap-nft-'));

function nftCheck(ruleset: string, name: string): string {
  const file = join(dir, `${name}.nft`);
  writeFileSync(file, ruleset);
  try {
    execFileSync('nft', ['-c', '-f', file], { stdio: 'pipe' });
    return 'ok';
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error);
  }
}

/** Ports announced in the sample, per tshark: passive ones (227/229) and active ones (PORT/EPRT). */
function announcedPorts(name: string): { passive: number[]; active: number[] } {
  const text = readFileSync(join('samples', name, 'tshark-frames.txt'), 'utf8');
  const passive: number[] = [];
  const active: number[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+\s+\d+\s+\S+ -> \S+\s+(PORT|EPRT|227|229)\b.*:(\d+)\s*$/.exec(line);
    if (!m) continue;
    (m[1] === 'PORT' || m[1] === 'EPRT' ? active : passive).push(Number(m[2]));
  }
  return { passive, active };
}

describe.each(cases)('firewall rules for sample %s', (name) => {
  test('nftables accepts both rulesets and they open exactly the observed ports', async () => {
    const { stdout } = await runCli('analyze', join('samples', name, 'capture.pcap'), '--format', 'json');
    const firewall = JSON.parse(stdout).firewall;
    expect(nftCheck(firewall.rules.nftables, `${name}-helper`)).toBe('ok');
    expect(nftCheck(firewall.rules.nftablesStateless, `${name}-stateless`)).toBe('ok');

    const ports = announcedPorts(name);
    const server = firewall.servers[0];
    expect(server.controlPort).toBe(21);
    if (ports.passive.length > 0) {
      const min = Math.min(...ports.passive);
      const max = Math.max(...ports.passive);
      expect(server.passivePorts).toEqual({ min, max });
      expect(firewall.rules.nftablesStateless).toContain(`tcp dport ${min === max ? min : `${min}-${max}`} accept`);
      expect(firewall.rules.iptablesStateless).toContain(`--dport ${min === max ? min : `${min}:${max}`} -j ACCEPT`);
    } else {
      expect(server.passivePorts).toBeNull();
    }
    if (ports.active.length > 0) {
      expect(server.active.sourcePorts).toEqual([20]);
      expect(server.active.clientPorts).toEqual({ min: Math.min(...ports.active), max: Math.max(...ports.active) });
    } else {
      expect(server.active).toBeNull();
    }
    expect(firewall.rules.nftables).toContain('ct helper set "ftp-21"');
    expect(firewall.rules.iptables).toContain('-j CT --helper ftp');
  });
});
