/**
 * Hand-built firewall plans for the dialect tests, shaped the way src/firewall/plan.ts derives them
 * from a capture (same flows, ports and purposes), so each case is one situation to render: port
 * 21, 2121 and 990, IPv4 and IPv6, passive only, active from port 20 and from temporary ports, TLS,
 * a given and an observed passive range, one server and two.
 */
import { serverName, UNPRIVILEGED } from '../../src/firewall/flows';
import type { FirewallPlan, Flow, PortRange, ServerPlan, ServerSoftware } from '../../src/firewall/types';

export interface ServerCase {
  ip: string;
  port?: number;
  sessions?: number[];
  clients?: string[];
  /** Name the clients seen instead of any client (ftpcap firewall --clients-seen). */
  clientsSeen?: boolean;
  passive?: { range: PortRange; source: 'given' | 'observed'; seen?: number[] } | null;
  active?: { sourcePorts: number[]; clients: string[] } | null;
  tls?: boolean;
  /** The helper cannot follow the data connections for another reason (a foreign passive address). */
  helperMisses?: boolean;
  foreignPassiveAddresses?: string[];
  software?: ServerSoftware;
  banner?: string | null;
}

function fmt(range: PortRange): string {
  return range.min === range.max ? `${range.min}` : `${range.min}-${range.max}`;
}

export function serverPlan(c: ServerCase): ServerPlan {
  const port = c.port ?? 21;
  const family = c.ip.includes(':') ? 'ipv6' : 'ipv4';
  const sessions = c.sessions ?? [1];
  const clients = c.clients ?? [family === 'ipv6' ? '2001:db8:1::20' : '198.51.100.20'];
  const tls = c.tls ?? port === 990;
  const name = serverName(c.ip, port);
  const named = c.clientsSeen ? clients : null;
  const covers = !tls && !c.helperMisses;
  const why = tls
    ? 'the control connection is encrypted, so no helper can open them'
    : 'the kernel helper would not follow session 1: the server announces another address';
  const flows: Flow[] = [
    {
      role: 'control',
      family,
      initiator: { addresses: named, ports: [UNPRIVILEGED] },
      responder: { addresses: [c.ip], ports: [{ min: port, max: port }] },
      sessions,
      helperCovers: false,
      purpose: `control connections: clients connect to ${name}`,
    },
  ];
  if (c.passive) {
    const range = c.passive.range;
    flows.push({
      role: 'passive-data',
      family,
      initiator: { addresses: named, ports: [UNPRIVILEGED] },
      responder: { addresses: [c.ip], ports: [range] },
      sessions,
      helperCovers: covers,
      purpose: `passive data: clients connect to ${family === 'ipv6' ? `[${c.ip}]` : c.ip} ports ${fmt(range)}${c.passive.source === 'observed' ? ' (only the ports the capture saw)' : ''}${covers ? '' : `; opened explicitly because ${why}`}`,
    });
  }
  if (c.active) {
    const fixed = c.active.sourcePorts.every((p) => p < 1024 || p === port - 1);
    flows.push({
      role: 'active-data',
      family,
      initiator: { addresses: [c.ip], ports: fixed ? c.active.sourcePorts.map((p) => ({ min: p, max: p })) : [UNPRIVILEGED] },
      responder: { addresses: c.clientsSeen ? c.active.clients : null, ports: [UNPRIVILEGED] },
      sessions,
      helperCovers: covers,
      purpose: `active data: the server connects from port ${fixed ? c.active.sourcePorts.join(', ') : '1024-65535 (temporary ports)'} to the client's announced port (above 1023)${covers ? '' : `; opened explicitly because ${why}`}`,
    });
  }
  return {
    ip: c.ip,
    family,
    controlPort: port,
    implicitTls: port === 990,
    tls,
    software: c.software ?? 'vsftpd',
    banner: c.banner === undefined ? '(vsFTPd 3.0.3)' : c.banner,
    sessions,
    clients,
    passive: c.passive ? { range: c.passive.range, source: c.passive.source, seen: c.passive.seen ?? [c.passive.range.min], outside: [], failures: 0 } : null,
    active: c.active
      ? {
          sourcePorts: c.active.sourcePorts,
          fixedSource: c.active.sourcePorts.every((p) => p < 1024 || p === port - 1),
          clients: c.active.clients,
          clientPortsSeen: [41449],
          failures: 0,
        }
      : null,
    foreignPassiveAddresses: c.foreignPassiveAddresses ?? [],
    flows,
    helper: sessions.map((session) => ({ session, follows: covers, reasons: covers ? [] : [why], channels: [] })),
    serverConfig: { software: c.software ?? 'vsftpd', entries: [] },
  };
}

export function plan(...servers: ServerCase[]): FirewallPlan {
  return { servers: servers.map(serverPlan), notes: [] };
}

const given: PortRange = { min: 40000, max: 40100 };

/** The plans every dialect is rendered for; the first few also have golden files. */
export const plans: Record<string, FirewallPlan> = {
  // vsftpd on port 21, passive with the range the admin gave (--passive-range 40000-40100).
  'ipv4-passive-given': plan({ ip: '192.0.2.10', passive: { range: given, source: 'given', seen: [40003, 40017] } }),
  // Active mode from port 20 (vsftpd connect_from_port_20=YES), listing and download.
  'ipv4-active-port20': plan({ ip: '192.0.2.10', active: { sourcePorts: [20], clients: ['198.51.100.20'] } }),
  // Port 2121: passive range only observed, active from temporary ports (ProFTPD with RootRevoke).
  'ipv4-2121-mixed': plan({
    ip: '192.0.2.10',
    port: 2121,
    software: 'proftpd',
    banner: 'ProFTPD Server (ftpcap sample ProFTPD) [192.0.2.10]',
    passive: { range: { min: 30000, max: 30009 }, source: 'observed', seen: [30000, 30009] },
    active: { sourcePorts: [41952], clients: ['198.51.100.20'] },
  }),
  // Implicit FTPS on 990: TLS from the first byte, passive ports seen as the clients dialled them.
  'ipv4-990-tls': plan({ ip: '192.0.2.10', port: 990, passive: { range: { min: 40000, max: 40009 }, source: 'observed' } }),
  // IPv6: EPSV and EPRT against one server.
  'ipv6-passive-active': plan({
    ip: '2001:db8::10',
    passive: { range: given, source: 'given' },
    active: { sourcePorts: [20], clients: ['2001:db8:1::20'] },
  }),
  // AUTH TLS on port 21 with a given range, clients named (--clients-seen).
  'ipv4-auth-tls-clients': plan({
    ip: '192.0.2.10',
    tls: true,
    clientsSeen: true,
    clients: ['198.51.100.20', '198.51.100.21'],
    passive: { range: given, source: 'given' },
  }),
  // A server behind NAT announcing its public address: the helper on its host ignores those.
  'ipv4-foreign-pasv': plan({
    ip: '10.0.0.10',
    helperMisses: true,
    foreignPassiveAddresses: ['203.0.113.5'],
    passive: { range: given, source: 'given' },
  }),
  // Two servers: one passive on 21, one on 2121 active from port 2120 (RFC 959's L-1), and an IPv6 one.
  'two-servers': plan(
    { ip: '192.0.2.10', sessions: [1, 2], passive: { range: given, source: 'given' } },
    { ip: '192.0.2.20', port: 2121, sessions: [3], software: 'pure-ftpd', active: { sourcePorts: [2120], clients: ['198.51.100.20'] } },
  ),
};

/** The plans with golden files (representative: port 21 both modes, 2121, TLS, IPv6, two servers). */
export const goldenPlans = ['ipv4-passive-given', 'ipv4-active-port20', 'ipv4-2121-mixed', 'ipv4-990-tls', 'ipv6-passive-active', 'two-servers'];
