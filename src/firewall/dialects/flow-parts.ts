/**
 * What the non-Linux dialects (firewalld, pf, Cisco IOS, Comware/VRP, AWS) share: which flows a
 * style must open explicitly, a flow cut into one (address, port range) pair per end for languages
 * that take one of each per rule, and comment text made safe for one line.
 */
import { isAnyPort, openingDirection, serverName } from '../flows';
import type { Flow, FlowEnd, FlowRole, PortRange, Rule, ServerPlan, Side, Style } from '../types';

/**
 * The flows a set must open itself: every flow without a helper (or proxy, or inspection); with
 * one, the control flow and the data flows it cannot follow (TLS, a foreign passive address...).
 */
export function flowsToOpen(server: ServerPlan, style: Style): Flow[] {
  return style === 'stateless' ? server.flows : server.flows.filter((flow) => flow.role === 'control' || !flow.helperCovers);
}

/** Data flows the helper (or proxy, or inspection engine) opens by itself. */
export function flowsCovered(server: ServerPlan, style: Style): Flow[] {
  return style === 'stateless' ? [] : server.flows.filter((flow) => flow.role !== 'control' && flow.helperCovers);
}

/** Text for a comment: one line, no control characters, at most `max` characters. */
export function oneLine(text: string, max = 400): string {
  // eslint-disable-next-line no-control-regex
  const flat = text
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Session numbers listed in a comment before the rest are counted. */
const SESSIONS_NAMED = 20;

/** `session 3`, `sessions 1, 2, 5`, or past SESSIONS_NAMED `sessions 1, 2, …, 20 and 980 more` (`omitted`: more not in `ids`). */
export function sessionsText(ids: number[], omitted = 0): string {
  if (ids.length === 1 && omitted === 0) return `session ${ids[0]}`;
  const more = ids.length - Math.min(ids.length, SESSIONS_NAMED) + omitted;
  return `sessions ${ids.slice(0, SESSIONS_NAMED).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** The first words of a flow's purpose ("control connections", "passive data", "active data"). */
export function roleWords(role: FlowRole): string {
  return role === 'control' ? 'control connections' : role === 'passive-data' ? 'passive data connections' : 'active data connections';
}

/** One address (null: any) and one port range (null: any port) of a flow's end. */
export interface EndPart {
  address: string | null;
  ports: PortRange | null;
}

/** Every (address, port range) pair of a flow end; a range that covers every port becomes null. */
export function endParts(end: FlowEnd): EndPart[] {
  const addresses = end.addresses ?? [null];
  const ranges: Array<PortRange | null> = end.ports.length === 0 || isAnyPort(end.ports) ? [null] : end.ports;
  return addresses.flatMap((address) => ranges.map((ports) => ({ address, ports })));
}

/** One rule's worth of a flow: a source part and a destination part, for the opening packets. */
export interface FlowPart {
  source: EndPart;
  destination: EndPart;
}

/** The flow cut into one (source, destination) pair per address and port range, opening direction. */
export function flowParts(flow: Flow): FlowPart[] {
  const sources = endParts(flow.initiator);
  const destinations = endParts(flow.responder);
  return sources.flatMap((source) => destinations.map((destination) => ({ source, destination })));
}

/** The same pairs for the flow's replies (source and destination swapped). */
export function replyParts(flow: Flow): FlowPart[] {
  return flowParts(flow).map((part) => ({ source: part.destination, destination: part.source }));
}

/** The name a server goes by in rules and comments: `ip:port`, `[ip]:port` for IPv6. */
export function nameOf(server: ServerPlan): string {
  return serverName(server.ip, server.controlPort);
}

/** The `Rule` fields for a flow's opening (or, stateless, reply) packets. */
export function flowRule(server: ServerPlan, flow: Flow, part: 'open' | 'replies'): Omit<Rule, 'text' | 'line'> {
  return {
    part,
    role: flow.role,
    server: nameOf(server),
    sessions: flow.sessions,
    essential: true,
    why: part === 'open' ? oneLine(flow.purpose) : `replies of ${oneLine(flow.purpose.split(':')[0])} (${nameOf(server)}), never a connection's first packet`,
  };
}

/** Which way the flow's first packets cross the host (or router) on `side`. */
export function direction(flow: Flow, side: Side): 'in' | 'out' | 'forward' {
  return openingDirection(flow, side);
}

/** `min-max`, or the single port. */
export function dashRange(range: PortRange): string {
  return range.min === range.max ? `${range.min}` : `${range.min}-${range.max}`;
}
