/**
 * nftables rulesets: one `table inet ftpcap` (both address families) for `nft -f`.
 *
 * Follows the nftables wiki: "Conntrack helpers" (a `ct helper` object of type "ftp", bound with
 * `ct helper set` in a chain at priority filter, after conntrack; a bare `ct helper "ftp"` is only a
 * match), "Matching connection tracking stateful metainformation" (`ct state`), and nft(8) for the
 * syntax (`tcp flags & (fin | syn | rst | ack) != syn`: any packet but an opening SYN, the same
 * test as iptables' `! --syn`, so a SYN-ACK counts as a reply).
 */
import { describeServer, dropPolicyMeta, layOut, linuxSetNotes, linuxSetTitle, ruleMeta, type LayoutEntry, type PacketMatch } from '../layout';
import type { FirewallPlan, PortRange, RuleSet, Side, Style } from '../types';
import { RuleSetWriter } from '../writer';

const TABLE = 'ftpcap';
const INDENT = '    ';

function ports(ranges: PortRange[]): string {
  const items = ranges.map((r) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`));
  return items.length === 1 ? items[0] : `{ ${items.join(', ')} }`;
}

function addresses(list: string[]): string {
  return list.length === 1 ? list[0] : `{ ${list.join(', ')} }`;
}

/** The match part of a rule, e.g. `ip saddr 192.0.2.10 tcp sport 20 tcp dport 1024-65535`. */
export function formatMatch(match: PacketMatch): string {
  const ip = match.family === 'ipv6' ? 'ip6' : 'ip';
  const parts: string[] = [];
  if (match.saddr) parts.push(`${ip} saddr ${addresses(match.saddr)}`);
  if (match.daddr) parts.push(`${ip} daddr ${addresses(match.daddr)}`);
  if (!match.saddr && !match.daddr) parts.push(`meta nfproto ${match.family}`);
  if (match.sport) parts.push(`tcp sport ${ports(match.sport)}`);
  if (match.dport) parts.push(`tcp dport ${ports(match.dport)}`);
  if (!match.sport && !match.dport) parts.push('meta l4proto tcp');
  if (match.newOnly) parts.push('ct state new');
  if (match.notOpening) parts.push('tcp flags & (fin | syn | rst | ack) != syn');
  return parts.join(' ');
}

export function helperName(port: number): string {
  return `ftp-${port}`;
}

function writeEntry(out: RuleSetWriter, chain: string, entry: LayoutEntry): void {
  switch (entry.kind) {
    case 'comment':
      out.line(`${INDENT}# ${entry.text}`);
      return;
    case 'established':
      out.rule(INDENT, 'ct state established,related accept', ruleMeta(entry));
      return;
    case 'loopback':
      out.rule(INDENT, chain === 'input' ? 'iif "lo" accept' : 'oif "lo" accept', ruleMeta(entry));
      return;
    case 'neighbour-discovery':
      out.rule(INDENT, 'icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept', ruleMeta(entry));
      return;
    case 'icmp-errors': {
      const types =
        entry.family === 'ipv6'
          ? 'icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } accept'
          : 'icmp type { destination-unreachable, time-exceeded } accept';
      out.rule(INDENT, types, ruleMeta(entry));
      return;
    }
    case 'helper':
      out.line(`${INDENT}# bind the FTP helper to control connections of ${entry.server}`);
      out.rule(INDENT, `${formatMatch(entry.match)} ct helper set "${helperName(entry.port)}"`, ruleMeta(entry));
      return;
    case 'accept':
      out.rule(INDENT, `${formatMatch(entry.match)} accept`, ruleMeta(entry));
  }
}

export function renderNftables(plan: FirewallPlan, side: Side, style: Style): RuleSet {
  const layout = layOut(plan, side, style);
  const out = new RuleSetWriter();
  const title = linuxSetTitle('nftables', side, style, { host: 'input and output', router: 'forward' });
  out.line(`# ftpcap: ${title}.`);
  for (const server of plan.servers) out.line(`# ${describeServer(server)}`);
  out.line(`# Load with: nft -f FILE. It replaces table inet ${TABLE} and nothing else; its chains drop what they`);
  out.line('# do not accept, so on a host with other services, add their rules to these chains.');
  out.line(`table inet ${TABLE}`);
  out.line(`delete table inet ${TABLE}`);
  out.line(`table inet ${TABLE} {`);
  for (const port of layout.helperPorts) {
    out
      .line(`  ct helper ${helperName(port)} {`)
      .line('    type "ftp" protocol tcp')
      .line('    l3proto inet')
      .line('  }')
      .line();
  }
  for (const { chain, policy, entries } of layout.chains) {
    out.line(`  chain ${chain} {`);
    const meta =
      policy === 'drop' ? dropPolicyMeta : { ...dropPolicyMeta, why: 'binds the helper; accepts everything (filtering is done in the chains below)' };
    out.rule(INDENT, `type filter hook ${chain} priority filter; policy ${policy};`, meta);
    for (const entry of entries) writeEntry(out, chain, entry);
    out.line('  }');
  }
  out.line('}');
  const notes = linuxSetNotes(plan, style);
  return {
    dialect: 'nftables',
    side,
    style,
    title,
    apply: 'nft -f ftpcap.nft',
    text: out.text(),
    rules: out.rules,
    notes,
  };
}
