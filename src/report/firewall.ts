/**
 * What a firewall must let through for the FTP traffic in the capture, per server: the control
 * port, the passive ports the server announced, and the connections it made back to clients in
 * active mode. Rendered by firewall-rules.ts as nftables and iptables rules.
 */
import type { FtpSession } from '../model';
import { isEstablished } from '../tcp/connections';

export interface PortRange {
  min: number;
  max: number;
}

/** What one FTP server needs, derived from the sessions seen with it. */
export interface ServerNeeds {
  ip: string;
  family: 'ipv4' | 'ipv6';
  controlPort: number;
  /** Client addresses seen on the control port. */
  clients: string[];
  sessions: number;
  /** Passive ports the server announced (accepted 227/228/229; under TLS, those the clients connected to), null if none. */
  passivePorts: PortRange | null;
  passivePortsSeen: number[];
  /** Passive data connections that were attempted and did not complete the handshake. */
  passiveFailures: number;
  /** Active mode: the server connected to these clients. */
  active: {
    /** Source ports the server used (20, or ephemeral ports). */
    sourcePorts: number[];
    /** Client addresses the server connected to. */
    clients: string[];
    /** Ports on the clients that were announced (PORT/EPRT). */
    clientPorts: PortRange;
    failures: number;
  } | null;
  /** Announced passive addresses that differ from the server's own address (NAT): the kernel helper ignores them. */
  foreignPassiveAddresses: string[];
  /** The control connection was encrypted (AUTH TLS): helpers cannot read the announcements. */
  tls: boolean;
}

export interface FirewallPlan {
  servers: ServerNeeds[];
  /** Why a helper-based ruleset alone would not work for some server, in plain words. */
  notes: string[];
}

function rangeOf(ports: number[]): PortRange | null {
  if (ports.length === 0) return null;
  return { min: Math.min(...ports), max: Math.max(...ports) };
}

/** Derives what must be open for each server (address + control port) seen in the sessions. */
export function suggestFirewall(sessions: FtpSession[]): FirewallPlan {
  const groups = new Map<string, FtpSession[]>();
  for (const session of sessions) {
    const key = `${session.server.ip}|${session.server.port}`;
    const list = groups.get(key);
    if (list) list.push(session);
    else groups.set(key, [session]);
  }
  const servers: ServerNeeds[] = [];
  const notes: string[] = [];
  for (const list of groups.values()) {
    const server = list[0].server;
    const passive = new Set<number>();
    const foreign = new Set<string>();
    const activeSources = new Set<number>();
    const activeClients = new Set<string>();
    const activePorts: number[] = [];
    let passiveFailures = 0;
    let activeFailures = 0;
    let activeSeen = false;
    for (const session of list) {
      for (const channel of session.dataChannels) {
        const accepted = channel.announced !== null && (channel.reply === null || channel.reply.code < 400);
        if (!accepted || channel.announced === null) continue;
        const connection = channel.connection;
        if (channel.mode === 'passive') {
          passive.add(channel.announced.port);
          if (channel.announced.ip && channel.announced.ip !== server.ip) foreign.add(channel.announced.ip);
          if (connection && !isEstablished(connection)) passiveFailures++;
        } else if (channel.transfer || connection) {
          activeSeen = true;
          activePorts.push(channel.announced.port);
          activeClients.add(channel.announced.ip ?? session.client.ip);
          if (connection) {
            activeSources.add(connection.orig.port);
            if (!isEstablished(connection)) activeFailures++;
          }
        }
      }
      // Under TLS (or where the capture lost them) the announcements are unreadable: the connections
      // seen between the same hosts are what the firewall must let through.
      for (const connection of [...session.tlsConnections, ...session.unannouncedConnections]) {
        if (connection.resp.ip === server.ip) {
          passive.add(connection.resp.port);
          if (!isEstablished(connection)) passiveFailures++;
        } else if (connection.orig.ip === server.ip) {
          activeSeen = true;
          activePorts.push(connection.resp.port);
          activeClients.add(connection.resp.ip);
          activeSources.add(connection.orig.port);
          if (!isEstablished(connection)) activeFailures++;
        }
      }
    }
    const passivePortsSeen = [...passive].sort((a, b) => a - b);
    const needs: ServerNeeds = {
      ip: server.ip,
      family: server.ip.includes(':') ? 'ipv6' : 'ipv4',
      controlPort: server.port,
      clients: [...new Set(list.map((s) => s.client.ip))].sort(),
      sessions: list.length,
      passivePorts: rangeOf(passivePortsSeen),
      passivePortsSeen,
      passiveFailures,
      active: activeSeen
        ? {
            sourcePorts: [...activeSources].sort((a, b) => a - b),
            clients: [...activeClients].sort(),
            clientPorts: rangeOf(activePorts) as PortRange,
            failures: activeFailures,
          }
        : null,
      foreignPassiveAddresses: [...foreign].sort(),
      tls: list.some((s) => s.tls !== null),
    };
    servers.push(needs);
    const name = needs.family === 'ipv6' ? `[${needs.ip}]:${needs.controlPort}` : `${needs.ip}:${needs.controlPort}`;
    if (needs.controlPort !== 21) {
      notes.push(`${name}: the kernel FTP helper watches port 21 only; the rules below assign it to port ${needs.controlPort} explicitly`);
    }
    if (needs.foreignPassiveAddresses.length > 0) {
      notes.push(`${name}: the server announces ${needs.foreignPassiveAddresses.join(', ')} in passive replies; a helper on the server's own host ignores announcements of another address (one on a NAT router in front of it rewrites them), so the passive ports are opened explicitly`);
    }
    if (needs.active && needs.active.sourcePorts.some((p) => p >= 1024 && p !== needs.controlPort - 1)) {
      notes.push(`${name}: in active mode the server connects from ephemeral ports (${needs.active.sourcePorts.join(', ')}), not port 20, so the stateless rules allow its whole unprivileged range (vsftpd connect_from_port_20, ProFTPD RootRevoke off make it port 20)`);
    }
    if (needs.tls) {
      notes.push(`${name}: the control connection is encrypted (TLS); no helper can read it, so the data ports seen after the switch are opened explicitly (pin the server's passive range and open all of it)`);
    }
  }
  return { servers, notes };
}

/** True when a helper cannot open this server's passive ports by itself (TLS, NATed announcements). */
export function needsExplicitPassivePorts(server: ServerNeeds): boolean {
  return server.passivePorts !== null && (server.tls || server.foreignPassiveAddresses.length > 0);
}
