/**
 * The rulesets under test: what `ftpcap firewall --format json` prints (the RuleSet type of
 * src/firewall/types.ts), and two hand-written sets in the field guide's idioms that check the lab
 * itself (a good one must carry every transfer, one that opens the control port only must not).
 */
import { runCli } from '../e2e/run-cli';
import type { Family, Mode, RuleDialect, TransferKind } from './lab';
import { ADDRESSES, PASSIVE } from './lab';

export type Side = 'server' | 'client' | 'router';
export type Style = 'helper' | 'stateless';
export type Role = 'control' | 'passive-data' | 'active-data';

/** The fields of a rule this suite reads (src/firewall/types.ts: Rule). */
export interface KernelRule {
  text: string;
  /** 1-based line of `text` in the set's text, when the generator gives it. */
  line?: number;
  part: string;
  role: Role | null;
  server: string | null;
  essential: boolean;
  why: string;
}

/** The fields of a ruleset this suite reads (src/firewall/types.ts: RuleSet). */
export interface KernelRuleSet {
  dialect: RuleDialect;
  side: Side;
  style: Style;
  title: string;
  text: string;
  rules: KernelRule[];
}

export interface FirewallOutput {
  plan: unknown;
  sets: KernelRuleSet[];
}

/** The command line (after `ftpcap`) whose output is tested. */
export function firewallArgs(capture: string, side: Side, clientsSeen: boolean): string[] {
  return [
    'firewall',
    capture,
    '--format',
    'json',
    '--dialect',
    'nftables',
    '--dialect',
    'iptables',
    '--side',
    side,
    '--passive-range',
    `${PASSIVE.min}-${PASSIVE.max}`,
    ...(clientsSeen ? ['--clients', 'seen'] : []),
  ];
}

/** Runs `ftpcap firewall` on a capture; throws with its message when it fails. */
export async function ftpcapFirewall(capture: string, side: Side, clientsSeen: boolean): Promise<FirewallOutput> {
  const args = firewallArgs(capture, side, clientsSeen);
  const result = await runCli(...args);
  if (result.code !== 0) throw new Error(`ftpcap ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  const output = JSON.parse(result.stdout) as FirewallOutput;
  return { plan: output.plan, sets: output.sets.filter((set) => set.side === side && (set.dialect === 'nftables' || set.dialect === 'iptables')) };
}

/**
 * The set's text without one rule: the line the rule names (or, without a line number, the one
 * line whose text is the rule's). Throws when the rule is not found there exactly once.
 */
export function withoutRule(set: KernelRuleSet, rule: KernelRule): string {
  const lines = set.text.split('\n');
  let index: number;
  if (rule.line !== undefined) {
    index = rule.line - 1;
    if (lines[index]?.trim() !== rule.text.trim())
      throw new Error(`line ${rule.line} of the set is ${JSON.stringify(lines[index])}, not the rule ${JSON.stringify(rule.text)}`);
  } else {
    const found = lines.flatMap((line, i) => (line.trim() === rule.text.trim() ? [i] : []));
    if (found.length !== 1) throw new Error(`the rule ${JSON.stringify(rule.text)} is on ${found.length} lines of the set`);
    index = found[0];
  }
  return [...lines.slice(0, index), ...lines.slice(index + 1)].join('\n');
}

/**
 * An iptables set without one appended rule, as two commands on the loaded set: `-D` (the same
 * rule deleted) and `-I CHAIN N` (put back where it was). Loading ~40 iptables commands again per
 * rule left out costs seconds each; this is the same ruleset (the suite compares iptables-save of
 * both ways once per set). Null for lines that are not `iptables|ip6tables [-t T] -A CHAIN ...`.
 */
export function iptablesToggle(set: KernelRuleSet, rule: KernelRule): { remove: string; restore: string } | null {
  const pattern = /^(iptables|ip6tables)\s+(?:-t\s+(\S+)\s+)?-A\s+(\S+)\s+(.*)$/;
  const m = pattern.exec(rule.text.trim());
  if (!m || set.dialect !== 'iptables') return null;
  const [, binary, table = 'filter', chain, rest] = m;
  const lines = set.text.split('\n');
  const index = rule.line !== undefined ? rule.line - 1 : lines.findIndex((l) => l.trim() === rule.text.trim());
  let position = 1;
  for (const line of lines.slice(0, index)) {
    const other = pattern.exec(line.trim());
    if (other && other[1] === binary && (other[2] ?? 'filter') === table && other[3] === chain) position++;
  }
  const t = table === 'filter' ? '' : `-t ${table} `;
  return { remove: `${binary} ${t}-D ${chain} ${rest}`, restore: `${binary} ${t}-I ${chain} ${position} ${rest}` };
}

/** The family and control port a rule's `server` field names (`ip:port` or `[ip]:port`), or null. */
export function ruleServer(rule: KernelRule): { family: Family; port: number } | null {
  if (!rule.server) return null;
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(rule.server);
  if (!m) return null;
  return { family: m[1].includes(':') ? 'ipv6' : 'ipv4', port: Number(m[2]) };
}

/** The family a rule's text is limited to (ip6tables, icmpv6, ip6 ...; iptables, ip ...), or null for both. */
export function ruleFamily(rule: KernelRule): Family | null {
  const text = rule.text.trim();
  if (/^ip6tables\b|\bicmpv6\b|\bip6 (saddr|daddr)\b|\bmeta nfproto ipv6\b/.test(text)) return 'ipv6';
  if (/^iptables\b|\bip (saddr|daddr)\b|\bicmp type\b|\bmeta nfproto ipv4\b/.test(text)) return 'ipv4';
  return null;
}

/** A rule that accepts IPv6 neighbour discovery (solicitations, advertisements) and nothing else. */
export function isNeighbourDiscovery(rule: KernelRule): boolean {
  return (
    /nd-neighbor|nd-router|neighbou?r-solicitation|neighbou?r-advertisement|router-solicitation|router-advertisement/.test(rule.text) &&
    !/\btcp\b/.test(rule.text)
  );
}

const PASSIVE_MODES: Mode[] = ['PASV', 'EPSV'];
const ACTIVE_MODES: Mode[] = ['PORT', 'EPRT'];
/** Cheapest failure first: a blocked active connection ends at vsftpd's 2 s connect timeout, a blocked EPSV costs curl's fallback to PASV too. */
const MODE_ORDER: Mode[] = ['PORT', 'EPRT', 'PASV', 'EPSV'];

/**
 * The transfers that must fail without a rule: of the rule's server's family, and of the modes its
 * role concerns (control: any; passive-data: PASV/EPSV; active-data: PORT/EPRT; established,
 * helper and base rules: all), curl before lftp, cheapest failure first.
 */
export function transfersConcerned(rule: KernelRule, kinds: TransferKind[]): TransferKind[] {
  const family = ruleServer(rule)?.family ?? ruleFamily(rule);
  const modes = rule.role === 'passive-data' ? PASSIVE_MODES : rule.role === 'active-data' ? ACTIVE_MODES : MODE_ORDER;
  return kinds
    .filter((k) => (family ? k.family === family : true) && modes.includes(k.mode))
    .sort((a, b) => MODE_ORDER.indexOf(a.mode) - MODE_ORDER.indexOf(b.mode) || (a.client === b.client ? 0 : a.client === 'curl' ? -1 : 1));
}

function ruleSet(dialect: RuleDialect, style: Style, title: string, text: string, rules: Array<Omit<KernelRule, 'server'>>): KernelRuleSet {
  return { dialect, side: 'server', style, title, text, rules: rules.map((r) => ({ ...r, server: null })) };
}

/**
 * Field guide §5, server (A) + (B) in nftables: the helper bound to the control port for active
 * mode, the passive range opened explicitly, IPv6 neighbour discovery. For the server namespace.
 */
export function handWrittenServerSet(controlPort: number): KernelRuleSet {
  const s4 = ADDRESSES.server.ipv4;
  const s6 = ADDRESSES.server.ipv6;
  const range = `${PASSIVE.min}-${PASSIVE.max}`;
  const text = `table inet fieldguide {
  ct helper ftp-std { type "ftp" protocol tcp; l3proto inet; }
  chain pre { type filter hook prerouting priority filter; policy accept;
    tcp dport ${controlPort} ct helper set "ftp-std"
  }
  chain input { type filter hook input priority filter; policy drop;
    ct state established,related accept
    iif "lo" accept
    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
    ip daddr ${s4} tcp dport { ${controlPort}, ${range} } ct state new accept
    ip6 daddr ${s6} tcp dport { ${controlPort}, ${range} } ct state new accept
  }
  chain output { type filter hook output priority filter; policy drop;
    ct state established,related accept
    oif "lo" accept
    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
  }
}
`;
  return ruleSet('nftables', 'helper', 'field guide: nftables server, helper + passive range', text, [
    {
      text: `tcp dport ${controlPort} ct helper set "ftp-std"`,
      part: 'helper',
      role: null,
      essential: true,
      why: "active mode: the helper expects the server's connection to the PORT/EPRT address",
    },
    { text: 'ct state established,related accept', part: 'established', role: null, essential: true, why: 'replies, and RELATED active data connections' },
    {
      text: `ip daddr ${s4} tcp dport { ${controlPort}, ${range} } ct state new accept`,
      part: 'open',
      role: null,
      essential: true,
      why: 'IPv4 control and passive data',
    },
    {
      text: `ip6 daddr ${s6} tcp dport { ${controlPort}, ${range} } ct state new accept`,
      part: 'open',
      role: null,
      essential: true,
      why: 'IPv6 control and passive data',
    },
  ]);
}

/** Opens the control port only: passive and active transfers must fail through it (the lab can see a failure). */
export function controlOnlyServerSet(controlPort: number): KernelRuleSet {
  const text = `table inet fieldguide {
  chain input { type filter hook input priority filter; policy drop;
    ct state established accept
    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
    tcp dport ${controlPort} ct state new accept
  }
  chain output { type filter hook output priority filter; policy drop;
    ct state established accept
    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
  }
}
`;
  return ruleSet('nftables', 'helper', 'control port only', text, []);
}
