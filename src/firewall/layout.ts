/**
 * The chain layout shared by the Linux dialects (nftables and iptables): which chain each
 * permission goes in on each side, in which order, with which packet match. The dialect files only
 * spell these entries in their own syntax, so both dialects always say the same thing.
 *
 * - server and client hosts: `input` and `output` with a drop policy; the helper is bound in
 *   `prerouting` for connections that come in (server) and in `output` for those the host opens
 *   (client);
 * - router: `forward` with a drop policy, the helper bound in `prerouting`.
 *
 * Stateful (helper) sets accept established and related packets first, then each flow's opening
 * packets (`ct state new`); data flows the helper opens by itself need no rule. Stateless sets
 * accept each flow's packets both ways by address and port, the replies without an opening SYN.
 */
import { openingDirection, serverName } from './flows';
import type { AddressFamily, Flow, FlowRole, FirewallPlan, PortRange, Rule, RulePart, ServerPlan, Side, Style } from './types';

export type Chain = 'prerouting' | 'input' | 'output' | 'forward';

/** A packet match: addresses and ports (null: any), and the connection state or flags wanted. */
export interface PacketMatch {
  family: AddressFamily;
  saddr: string[] | null;
  daddr: string[] | null;
  sport: PortRange[] | null;
  dport: PortRange[] | null;
  /** Stateful: only packets that open a connection (conntrack state NEW). */
  newOnly: boolean;
  /** Stateless replies: any packet but one that opens a connection (a SYN without ACK). */
  notOpening: boolean;
}

/** One line of a chain, before a dialect spells it. */
export type LayoutEntry =
  | { kind: 'comment'; text: string }
  /** Accept packets of accepted connections, and those the helper expects (RELATED). */
  | { kind: 'established' }
  | { kind: 'loopback' }
  /** IPv6 neighbour discovery (without it, a host cannot find its neighbours once their cache entries expire). */
  | { kind: 'neighbour-discovery' }
  /** ICMP error messages, for stateless sets (stateful ones accept them as RELATED). */
  | { kind: 'icmp-errors'; family: AddressFamily }
  /** Binds the FTP helper to the control connections that match. */
  | { kind: 'helper'; match: PacketMatch; port: number; server: string; sessions: number[] }
  | { kind: 'accept'; match: PacketMatch; part: Extract<RulePart, 'open' | 'replies'>; role: FlowRole; server: string; sessions: number[]; why: string };

export interface Layout {
  side: Side;
  style: Style;
  /** Chains in the order they are written, with a drop policy or (prerouting) accept. */
  chains: Array<{ chain: Chain; policy: 'drop' | 'accept'; entries: LayoutEntry[] }>;
  families: AddressFamily[];
  /** Control ports the helper is bound to. */
  helperPorts: number[];
}

function flip(direction: 'in' | 'out' | 'forward'): Chain {
  return direction === 'in' ? 'output' : direction === 'out' ? 'input' : 'forward';
}

function chainOf(direction: 'in' | 'out' | 'forward'): Chain {
  return direction === 'in' ? 'input' : direction === 'out' ? 'output' : 'forward';
}

/** The flow's opening packets, as a match. */
function openingMatch(flow: Flow, newOnly: boolean): PacketMatch {
  return {
    family: flow.family,
    saddr: flow.initiator.addresses,
    daddr: flow.responder.addresses,
    sport: flow.initiator.ports,
    dport: flow.responder.ports,
    newOnly,
    notOpening: false,
  };
}

/** The flow's replies (stateless), as a match. */
function replyMatch(flow: Flow): PacketMatch {
  return {
    family: flow.family,
    saddr: flow.responder.addresses,
    daddr: flow.initiator.addresses,
    sport: flow.responder.ports,
    dport: flow.initiator.ports,
    newOnly: false,
    notOpening: true,
  };
}

const roleWords: Record<FlowRole, string> = {
  control: 'control connections',
  'passive-data': 'passive data connections',
  'active-data': 'active data connections',
};

/** Session numbers listed in a comment before the rest are counted. */
const SESSIONS_NAMED = 20;

/** `session 3`, `sessions 1, 2, 5`, or past SESSIONS_NAMED `sessions 1, 2, …, 20 and 980 more` (`omitted`: more not in `ids`). */
function sessionsText(ids: number[], omitted = 0): string {
  if (ids.length === 1 && omitted === 0) return `session ${ids[0]}`;
  const more = ids.length - Math.min(ids.length, SESSIONS_NAMED) + omitted;
  return `sessions ${ids.slice(0, SESSIONS_NAMED).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** Lays out the rules of one side and style for every server of the plan. */
export function layOut(plan: FirewallPlan, side: Side, style: Style): Layout {
  const families = [...new Set(plan.servers.map((s) => s.family))].sort();
  const host = side !== 'router';
  const chains: Layout['chains'] = [];
  const chain = (name: Chain, policy: 'drop' | 'accept'): LayoutEntry[] => {
    const entries: LayoutEntry[] = [];
    chains.push({ chain: name, policy, entries });
    return entries;
  };
  // The helper is bound only where it opens something: not for TLS, nor for a server with no data flow it can follow.
  const helperServers = style === 'helper' ? plan.servers.filter((s) => s.flows.some((f) => f.helperCovers)) : [];
  // A set: looked up once per server, in plans of hundreds of thousands of servers.
  const helped = new Set(helperServers);
  const prerouting = style === 'helper' && side !== 'client' && helperServers.length > 0 ? chain('prerouting', 'accept') : null;
  const filter = new Map<Chain, LayoutEntry[]>();
  for (const name of host ? (['input', 'output'] as const) : (['forward'] as const)) {
    const entries = chain(name, 'drop');
    filter.set(name, entries);
    if (style === 'helper') entries.push({ kind: 'established' });
    if (host) entries.push({ kind: 'loopback' });
    if (host && families.includes('ipv6')) entries.push({ kind: 'neighbour-discovery' });
    if (style === 'stateless') for (const family of families) entries.push({ kind: 'icmp-errors', family });
  }
  for (const server of plan.servers) {
    const name = serverName(server.ip, server.controlPort);
    if (helped.has(server)) {
      const control = server.flows.find((f) => f.role === 'control') as Flow;
      const entry: LayoutEntry = {
        kind: 'helper',
        match: { ...openingMatch(control, false), saddr: null, sport: null },
        port: server.controlPort,
        server: name,
        sessions: server.sessions,
      };
      // Connections that come in (server, router) get the helper in prerouting; those the host
      // opens itself (client) in output, before they are accepted.
      (prerouting ?? (filter.get('output') as LayoutEntry[])).push(entry);
    }
    for (const flow of server.flows) addFlow(filter, flow, side, style, name);
  }
  return { side, style, chains, families, helperPorts: [...new Set(helperServers.map((s) => s.controlPort))].sort((a, b) => a - b) };
}

function addFlow(filter: Map<Chain, LayoutEntry[]>, flow: Flow, side: Side, style: Style, server: string): void {
  const direction = openingDirection(flow, side);
  const opening = filter.get(chainOf(direction)) as LayoutEntry[];
  const common = { role: flow.role, server, sessions: flow.sessions };
  if (style === 'helper') {
    if (flow.role !== 'control' && flow.helperCovers) {
      opening.push({ kind: 'comment', text: `${flow.purpose} (${sessionsText(flow.sessions)}): the helper opens them (RELATED)` });
      return;
    }
    opening.push({ kind: 'comment', text: `${flow.purpose} (${sessionsText(flow.sessions)})` });
    opening.push({ kind: 'accept', match: openingMatch(flow, true), part: 'open', why: flow.purpose, ...common });
    return;
  }
  opening.push({ kind: 'comment', text: `${flow.purpose} (${sessionsText(flow.sessions)})` });
  opening.push({ kind: 'accept', match: openingMatch(flow, false), part: 'open', why: flow.purpose, ...common });
  const replies = filter.get(flip(direction)) as LayoutEntry[];
  const what = `${roleWords[flow.role]} of ${server}`;
  replies.push({ kind: 'comment', text: `replies on the ${what}: any packet but a connection's first` });
  replies.push({ kind: 'accept', match: replyMatch(flow), part: 'replies', why: `replies on the ${what}`, ...common });
}

/** Everything a Linux set's header says: for whom, and what was seen. */
export function describeServer(server: ServerPlan): string {
  const parts = [`control port ${server.controlPort}`];
  if (server.passive)
    parts.push(
      `passive ports ${server.passive.range.min}-${server.passive.range.max} (${server.passive.source === 'given' ? 'given' : 'seen in the capture'})`,
    );
  if (server.active)
    parts.push(`active mode from port ${server.active.sourcePorts.length > 0 ? server.active.sourcePorts.join(', ') : `${server.controlPort - 1} (assumed)`}`);
  if (server.tls) parts.push('TLS');
  return `FTP server ${serverName(server.ip, server.controlPort)}: ${parts.join(', ')}; ${sessionsText(server.sessions, server.sessionsOmitted)}`;
}

/** What a rule of each entry is for, the same in every Linux dialect (a comment is no rule). */
export function ruleMeta(entry: Exclude<LayoutEntry, { kind: 'comment' }>): Omit<Rule, 'text' | 'line'> {
  const base = { part: 'base' as const, role: null, server: null, sessions: [] as number[] };
  switch (entry.kind) {
    case 'established':
      return {
        ...base,
        part: 'established',
        essential: true,
        why: 'packets of connections already accepted, and data connections the helper expects (RELATED)',
      };
    case 'loopback':
      return { ...base, essential: false, why: "the host's own programs talking to each other; FTP does not need it, most hosts do" };
    case 'neighbour-discovery':
      return { ...base, essential: true, why: 'IPv6 neighbour discovery: without it the host cannot reach its neighbours once their cache entries expire' };
    case 'icmp-errors':
      return {
        ...base,
        essential: false,
        why: 'ICMP errors: path MTU discovery and quick failure reports; the transfers work without them until a path needs fragmentation',
      };
    case 'helper':
      return {
        part: 'helper',
        role: 'control',
        server: entry.server,
        sessions: entry.sessions,
        essential: true,
        why: `lets the kernel FTP helper read the control connections of ${entry.server} and open their data connections`,
      };
    case 'accept':
      return { part: entry.part, role: entry.role, server: entry.server, sessions: entry.sessions, essential: true, why: entry.why };
  }
}

/** A drop policy's rule: no transfer needs it, it is what makes the set a firewall. */
export const dropPolicyMeta: Omit<Rule, 'text' | 'line'> = {
  part: 'policy',
  role: null,
  server: null,
  sessions: [],
  essential: false,
  why: 'drop every packet the rules do not accept',
};

/** A Linux set's title: dialect, style, and where it goes (`chains` in the dialect's spelling). */
export function linuxSetTitle(dialect: string, side: Side, style: Style, chains: { host: string; router: string }): string {
  const how = style === 'helper' ? 'with the kernel FTP helper' : 'stateless (no helper, no connection tracking)';
  const where =
    side === 'server'
      ? `for the FTP server host itself (${chains.host})`
      : side === 'client'
        ? `for an FTP client host (${chains.host})`
        : `for a router or firewall between clients and the server (${chains.router})`;
  return `${dialect}, ${how}, ${where}`;
}

/** A Linux set's notes: the plan's, and for a stateless set what such a set cannot know. */
export function linuxSetNotes(plan: FirewallPlan, style: Style): string[] {
  const notes = [...plan.notes];
  if (style === 'stateless')
    notes.push("stateless rules cannot know the next temporary port: they open the ports the protocol needs (clients above 1023, the server's passive range)");
  return notes;
}
