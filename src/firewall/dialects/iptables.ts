/**
 * iptables rulesets: shell commands (iptables for IPv4, ip6tables for IPv6), the same layout as
 * the nftables sets (layout.ts).
 *
 * Follows iptables-extensions(8): the CT target in the raw table binds a helper (`-j CT --helper
 * ftp`, PREROUTING for connections that come in, OUTPUT for those the host opens), `conntrack
 * --ctstate`, `multiport`, and `! --syn` (any packet but one with SYN set and ACK, RST, FIN clear:
 * a SYN-ACK is a reply). The helper binding follows "Secure use of iptables and connection
 * tracking helpers" (Netfilter, 2012): since Linux 4.7 no helper is bound by port by itself.
 */
import { describeServer, dropPolicyMeta, layOut, linuxSetNotes, linuxSetTitle, ruleMeta, type Chain, type LayoutEntry, type PacketMatch } from '../layout';
import type { AddressFamily, FirewallPlan, PortRange, RuleSet, Side, Style } from '../types';
import { RuleSetWriter } from '../writer';

function command(family: AddressFamily): string {
  return family === 'ipv6' ? 'ip6tables' : 'iptables';
}

function portList(ranges: PortRange[]): string {
  return ranges.map((r) => (r.min === r.max ? `${r.min}` : `${r.min}:${r.max}`)).join(',');
}

/** `--sport 20`, `--sport 1024:65535`, or `-m multiport --sports 20,2120`. */
function portMatch(ranges: PortRange[], which: 'sport' | 'dport'): string {
  return ranges.length === 1 ? `--${which} ${portList(ranges)}` : `-m multiport --${which}s ${portList(ranges)}`;
}

/** The match part of a rule, e.g. `-p tcp -s 192.0.2.10 --sport 20 --dport 1024:65535`. */
export function formatMatch(match: PacketMatch): string {
  const parts = ['-p tcp'];
  if (match.saddr) parts.push(`-s ${match.saddr.join(',')}`);
  if (match.daddr) parts.push(`-d ${match.daddr.join(',')}`);
  if (match.sport) parts.push(portMatch(match.sport, 'sport'));
  if (match.dport) parts.push(portMatch(match.dport, 'dport'));
  if (match.notOpening) parts.push('! --syn');
  if (match.newOnly) parts.push('-m conntrack --ctstate NEW');
  return parts.join(' ');
}

const CHAIN: Record<Chain, string> = { prerouting: 'PREROUTING', input: 'INPUT', output: 'OUTPUT', forward: 'FORWARD' };

const ndTypes = ['neighbour-solicitation', 'neighbour-advertisement'];
const icmpErrors: Record<AddressFamily, string[]> = {
  ipv4: ['destination-unreachable', 'time-exceeded'],
  ipv6: ['destination-unreachable', 'packet-too-big', 'time-exceeded', 'parameter-problem'],
};

function writeEntry(out: RuleSetWriter, families: AddressFamily[], chain: Chain, entry: LayoutEntry, side: Side): void {
  const name = CHAIN[chain];
  switch (entry.kind) {
    case 'comment':
      out.line(`# ${entry.text}`);
      return;
    case 'established':
      for (const family of families) out.rule('', `${command(family)} -A ${name} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`, ruleMeta(entry));
      return;
    case 'loopback':
      for (const family of families) out.rule('', `${command(family)} -A ${name} ${chain === 'input' ? '-i' : '-o'} lo -j ACCEPT`, ruleMeta(entry));
      return;
    case 'neighbour-discovery':
      for (const type of ndTypes) out.rule('', `ip6tables -A ${name} -p ipv6-icmp --icmpv6-type ${type} -j ACCEPT`, ruleMeta(entry));
      return;
    case 'icmp-errors':
      for (const type of icmpErrors[entry.family]) {
        const match = entry.family === 'ipv6' ? `-p ipv6-icmp --icmpv6-type ${type}` : `-p icmp --icmp-type ${type}`;
        out.rule('', `${command(entry.family)} -A ${name} ${match} -j ACCEPT`, ruleMeta(entry));
      }
      return;
    case 'helper': {
      // The raw table sees a connection's first packet before conntrack settles its helper.
      const rawChain = side === 'client' ? 'OUTPUT' : 'PREROUTING';
      out.line(`# bind the FTP helper to control connections of ${entry.server}`);
      out.rule('', `${command(entry.match.family)} -t raw -A ${rawChain} ${formatMatch(entry.match)} -j CT --helper ftp`, ruleMeta(entry));
      return;
    }
    case 'accept':
      out.rule('', `${command(entry.match.family)} -A ${name} ${formatMatch(entry.match)} -j ACCEPT`, ruleMeta(entry));
  }
}

export function renderIptables(plan: FirewallPlan, side: Side, style: Style): RuleSet {
  const layout = layOut(plan, side, style);
  const out = new RuleSetWriter();
  const title = linuxSetTitle('iptables', side, style, { host: 'INPUT and OUTPUT', router: 'FORWARD' });
  out.line(`# ftpcap: ${title}.`);
  for (const server of plan.servers) out.line(`# ${describeServer(server)}`);
  out.line('# Run as root on chains without other rules (or merge the -A lines into your own). The policies');
  out.line('# drop what no rule accepts; they come last.');
  for (const { chain, entries } of layout.chains) {
    for (const entry of entries) writeEntry(out, layout.families, chain, entry, side);
  }
  // Policies last: a policy set first would cut off a session that is loading the rules remotely.
  for (const { chain, policy } of layout.chains) {
    if (policy !== 'drop') continue;
    for (const family of layout.families) {
      out.rule('', `${command(family)} -P ${CHAIN[chain]} DROP`, dropPolicyMeta);
    }
  }
  const notes = linuxSetNotes(plan, style);
  return { dialect: 'iptables', side, style, title, apply: 'sh ftpcap-iptables.sh (as root)', text: out.text(), rules: out.rules, notes };
}
