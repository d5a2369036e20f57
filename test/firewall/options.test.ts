/**
 * `ftpcap firewall` and analyze's firewall options over real samples (samples/<case>/README.md
 * says how each was recorded): the passive range an admin gives, one server out of several, the
 * clients seen, each side's chains, and the reply matches of stateless sets.
 */
import { describe, expect, test } from 'vitest';
import type { FirewallPlan, RuleSet } from '../../src/firewall/types';
import type { Io } from '../../src/cli/main';
import { runCli, runCliWith } from '../e2e/run-cli';

async function firewall(sample: string, ...args: string[]): Promise<{ plan: FirewallPlan; sets: RuleSet[] }> {
  const { stdout, stderr, code } = await runCli('firewall', `samples/${sample}/capture.pcap`, '--format', 'json', ...args);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout);
}

function ruleTexts(set: RuleSet): string[] {
  return set.rules.map((r) => r.text);
}

test('a given passive range replaces the ports seen, and ports announced outside it are flagged', async () => {
  // vsftpd-mixed: vsftpd announced 40071, 40077 and 40095 (see its tshark-frames.txt).
  const { plan, sets } = await firewall('vsftpd-mixed', '--passive-range', '40080-40100', '--style', 'stateless');
  const passive = plan.servers[0].passive;
  expect(passive).toMatchObject({ range: { min: 40080, max: 40100 }, source: 'given' });
  expect(passive?.outside.length).toBeGreaterThan(0);
  expect(passive?.outside.every((p) => p < 40080)).toBe(true);
  expect(plan.notes.join('\n')).toMatch(/announced ports outside the given passive range 40080-40100/);
  expect(ruleTexts(sets[0])).toContain('ip daddr 192.0.2.10 tcp sport 1024-65535 tcp dport 40080-40100 accept');
});

test('without a range, the ports seen are used and the plan says they are not the real range', async () => {
  const { plan } = await firewall('passive-pasv');
  expect(plan.servers[0].passive?.source).toBe('observed');
  expect(plan.notes.join('\n')).toMatch(/only what the capture saw.*--passive-range LO-HI/);
});

test('--server keeps one server of several (address and control port)', async () => {
  // nonstandard-port: vsftpd on 2121 and 8021, IPv4 and IPv6.
  const all = await firewall('nonstandard-port');
  expect(all.plan.servers.map((s) => `${s.ip}|${s.controlPort}`)).toEqual(['192.0.2.10|2121', '192.0.2.10|8021', '2001:db8:2::10|8021']);
  const one = await firewall('nonstandard-port', '--server', '192.0.2.10:8021');
  expect(one.plan.servers.map((s) => s.controlPort)).toEqual([8021]);
  expect(one.sets[0].text).not.toContain('2121');
  const v6 = await firewall('nonstandard-port', '--server', '[2001:DB8:2:0::10]:8021');
  expect(v6.plan.servers.map((s) => s.ip)).toEqual(['2001:db8:2::10']);
});

test('--clients seen names the clients instead of any address', async () => {
  const { sets } = await firewall('vsftpd-mixed', '--clients', 'seen', '--style', 'helper');
  expect(ruleTexts(sets[0])).toContain(
    'ip saddr { 198.51.100.20, 198.51.100.21, 198.51.100.22 } ip daddr 192.0.2.10 tcp sport 1024-65535 tcp dport 21 ct state new accept',
  );
});

describe.each(['server', 'client', 'router'])('side %s', (side) => {
  test('chains and helper binding', async () => {
    const { sets } = await firewall('vsftpd-mixed', '--side', side, '--dialect', 'all', '--passive-range', '40000-40100');
    const nft = sets.find((s) => s.dialect === 'nftables' && s.style === 'helper') as RuleSet;
    const ipt = sets.find((s) => s.dialect === 'iptables' && s.style === 'helper') as RuleSet;
    const chains = [...nft.text.matchAll(/chain (\w+) \{/g)].map((m) => m[1]);
    if (side === 'router') {
      expect(chains).toEqual(['prerouting', 'forward']);
      expect(ipt.text).toContain('iptables -t raw -A PREROUTING -p tcp -d 192.0.2.10 --dport 21 -j CT --helper ftp');
      expect(ipt.text).toContain('iptables -P FORWARD DROP');
    } else if (side === 'server') {
      expect(chains).toEqual(['prerouting', 'input', 'output']);
      expect(ipt.text).toContain('iptables -t raw -A PREROUTING -p tcp -d 192.0.2.10 --dport 21 -j CT --helper ftp');
    } else {
      // A client binds the helper to the connections it opens: in output, before accepting them.
      expect(chains).toEqual(['input', 'output']);
      const output = nft.text.slice(nft.text.indexOf('chain output'));
      expect(output.indexOf('ct helper set "ftp-21"')).toBeGreaterThan(0);
      expect(output.indexOf('ct helper set "ftp-21"')).toBeLessThan(output.indexOf('tcp dport 21 ct state new accept'));
      expect(ipt.text).toContain('iptables -t raw -A OUTPUT -p tcp -d 192.0.2.10 --dport 21 -j CT --helper ftp');
    }
  });

  test('stateless replies accept a SYN-ACK: everything but an opening SYN', async () => {
    const { sets } = await firewall('vsftpd-mixed', '--side', side, '--dialect', 'all', '--style', 'stateless');
    const replies = sets.flatMap((s) => s.rules.filter((r) => r.part === 'replies').map((r) => [s.dialect, r.text] as const));
    expect(replies.length).toBeGreaterThanOrEqual(3);
    for (const [dialect, text] of replies) {
      if (dialect === 'nftables') expect(text).toContain('tcp flags & (fin | syn | rst | ack) != syn accept');
      if (dialect === 'iptables') expect(text).toContain(' ! --syn -j ACCEPT');
      expect(text).not.toMatch(/syn == 0/);
    }
  });
});

test('IPv6 host sets accept neighbour discovery, and it is marked as needed', async () => {
  const { sets } = await firewall('ipv6', '--dialect', 'nftables', '--dialect', 'iptables');
  for (const set of sets) {
    const nd = set.rules.filter((r) => /nd-neighbor-solicit|neighbour-(solicitation|advertisement)/.test(r.text));
    // nftables: one rule in input and one in output; iptables: solicitation and advertisement in each.
    expect(nd.length, set.title).toBe(set.dialect === 'nftables' ? 2 : 4);
    expect(nd.every((r) => r.essential)).toBe(true);
  }
});

test.each([
  ['--passive-range', '40100-40000', /not a port range/],
  ['--passive-range', '0-10', /not a port range/],
  ['--server', '192.0.2.300', /not a server address/],
  ['--side', 'gateway', /not a side/],
  ['--dialect', 'junos', /not a dialect/],
])('%s %s is refused', async (option, value, message) => {
  const { code, stderr } = await runCli('firewall', 'samples/passive-pasv/capture.pcap', option, value);
  expect(code).toBe(2);
  expect(stderr).toMatch(message);
});

test('the text colours only on a terminal, and never with NO_COLOR unless --color asks (no-color.org)', async () => {
  const capture = 'samples/passive-pasv/capture.pcap';
  const colours = async (io: Partial<Io>, ...args: string[]) => (await runCliWith(io, 'firewall', capture, ...args)).stdout.includes('\x1b[');
  expect(await colours({})).toBe(false);
  expect(await colours({ isTty: true })).toBe(true);
  expect(await colours({ isTty: true, env: { NO_COLOR: '1' } })).toBe(false);
  expect(await colours({ isTty: true, env: { NO_COLOR: '' } })).toBe(true);
  expect(await colours({ isTty: true, env: { NO_COLOR: '1' } }, '--color')).toBe(true);
  expect(await colours({ isTty: true }, '--no-color')).toBe(false);
});
