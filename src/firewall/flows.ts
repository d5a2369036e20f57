/**
 * Small facts about flows that every dialect needs: which way a flow's opening packets cross the
 * firewall on each side, and port ranges in each dialect's notation.
 */
import type { Flow, PortRange, Side } from './types';

/** Ports above the privileged range: where clients (and ephemeral servers) open connections from. */
export const UNPRIVILEGED: PortRange = { min: 1024, max: 65535 };

/**
 * Which way the flow's opening packets cross a firewall on `side`: into the host (`in`), out of it
 * (`out`), or through a router (`forward`). Replies go the other way.
 */
export function openingDirection(flow: Flow, side: Side): 'in' | 'out' | 'forward' {
  if (side === 'router') return 'forward';
  // The server opens only active data connections; the client opens the others.
  const serverOpens = flow.role === 'active-data';
  return (side === 'server') === serverOpens ? 'out' : 'in';
}

/** `min-max` (nftables, pf uses `min:max`), or the single port. */
export function formatRange(range: PortRange, separator = '-'): string {
  return range.min === range.max ? `${range.min}` : `${range.min}${separator}${range.max}`;
}

/** True when the ranges cover every port (no port match needed). */
export function isAnyPort(ranges: PortRange[]): boolean {
  return ranges.some((r) => r.min <= 1 && r.max >= 65535);
}

/** `ip:port`, or `[ip]:port` for IPv6: how a server is named in rules' comments and the report. */
export function serverName(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
