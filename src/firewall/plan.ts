/**
 * What a firewall must let through for the FTP traffic in a capture, per server (address and
 * control port): the flows each mode needs, the passive range (given by the admin, or only what the
 * capture saw), whether the kernel helper can open the data connections by itself, and the server
 * configuration that makes the range real.
 *
 * A capture shows one afternoon's ports; the rules must hold for the next transfer. So a flow names
 * what the protocol needs, not the temporary ports the capture happened to see: clients connect
 * from any port above 1023, active data goes to any client port above 1023, and passive data to the
 * server's configured range.
 */
import type { DataChannel, FtpSession } from '../model';
import { isEstablished } from '../tcp/connections';
import { formatRange, serverName, UNPRIVILEGED } from './flows';
import { predictHelper } from './helper';
import { detectServerSoftware, suggestServerConfig } from './server-config';
import type { AddressFamily, FirewallOptions, FirewallPlan, Flow, HelperPrediction, ServerPlan } from './types';

export const defaultFirewallOptions: FirewallOptions = { passiveRange: null, server: null, clientsSeen: false };

/** Implicit FTPS (RFC 4217 §… "ftps", IANA port 990): TLS from the first byte. */
const IMPLICIT_FTPS_PORT = 990;

function sortedNumbers(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function sortedStrings(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function accepted(channel: DataChannel): boolean {
  return channel.announced !== null && (channel.reply === null || channel.reply.code < 400);
}

/** Sessions grouped by server address and control port, in order of first appearance. */
function groupByServer(sessions: FtpSession[], options: FirewallOptions): FtpSession[][] {
  const groups = new Map<string, FtpSession[]>();
  for (const session of sessions) {
    const wanted = options.server;
    if (wanted && (wanted.ip !== session.server.ip || (wanted.port !== null && wanted.port !== session.server.port))) continue;
    const key = serverName(session.server.ip, session.server.port);
    const list = groups.get(key);
    if (list) list.push(session);
    else groups.set(key, [session]);
  }
  return [...groups.values()];
}

/** The active connections' source ports are fixed ones: privileged (20), or control port − 1 (RFC 959's L-1). */
function fixedSourcePorts(ports: number[], controlPort: number): boolean {
  return ports.every((p) => p < 1024 || p === controlPort - 1);
}

/** Derives the firewall plan for every server in the sessions. */
export function planFirewall(sessions: FtpSession[], options: FirewallOptions = defaultFirewallOptions): FirewallPlan {
  const servers = groupByServer(sessions, options).map((list) => planServer(list, options));
  const notes: string[] = [];
  for (const server of servers) {
    const name = serverName(server.ip, server.controlPort);
    if (server.passive?.source === 'observed') {
      notes.push(
        `${name}: the passive range ${formatRange(server.passive.range)} is only what the capture saw (${server.passive.seen.length} port${server.passive.seen.length === 1 ? '' : 's'}); the server picks any port of its configured range next time: pin the range on the server (see its configuration below) and give it with --passive-range LO-HI`,
      );
    }
    if (server.passive && server.passive.outside.length > 0) {
      notes.push(`${name}: the server announced ports outside the given passive range ${formatRange(server.passive.range)}: ${server.passive.outside.join(', ')}; the server's configuration does not match the range`);
    }
    if (server.controlPort !== 21 && server.flows.some((f) => f.helperCovers)) {
      notes.push(`${name}: FTP on port ${server.controlPort}: the helper sets bind the kernel FTP helper to this port explicitly (it is bound to no port by itself)`);
    }
    if (server.foreignPassiveAddresses.length > 0) {
      notes.push(`${name}: the server announces ${server.foreignPassiveAddresses.join(', ')} in passive replies, not its own address; a helper on the server's host ignores those, so the passive range is opened explicitly`);
    }
    if (server.active && !server.active.fixedSource) {
      notes.push(`${name}: in active mode the server connects from temporary ports (${server.active.sourcePorts.join(', ')}), not port 20, so stateless rules must allow its whole unprivileged range; make it connect from port 20 (vsftpd connect_from_port_20=YES) to narrow them`);
    }
    if (server.active && server.active.sourcePorts.length === 0) {
      notes.push(`${name}: the capture holds no connection the server opened in active mode; its source port ${server.controlPort - 1} (RFC 959's default) is assumed`);
    }
    if (server.tls) {
      notes.push(`${name}: the control connection is encrypted (TLS): no helper or middlebox can read the announcements, so the data ports are opened explicitly`);
    }
    const missed = server.helper.filter((h) => !h.follows);
    if (missed.length > 0 && !server.tls) {
      notes.push(`${name}: the kernel helper would not have followed session${missed.length === 1 ? '' : 's'} ${missed.map((h) => h.session).join(', ')} (${missed[0].reasons[0]}): the rules open those data connections explicitly`);
    }
  }
  return { servers, notes };
}

function planServer(list: FtpSession[], options: FirewallOptions): ServerPlan {
  const server = list[0].server;
  const family: AddressFamily = server.ip.includes(':') ? 'ipv6' : 'ipv4';
  const passiveSeen: number[] = [];
  const foreign: string[] = [];
  const activeSources: number[] = [];
  const activeClients: string[] = [];
  const activePorts: number[] = [];
  let passiveSessions: number[] = [];
  let activeSessions: number[] = [];
  let passiveFailures = 0;
  let activeFailures = 0;
  for (const session of list) {
    let usedPassive = false;
    let usedActive = false;
    for (const channel of session.dataChannels) {
      if (!accepted(channel) || channel.announced === null) continue;
      const connection = channel.connection;
      if (channel.mode === 'passive') {
        usedPassive = true;
        passiveSeen.push(channel.announced.port);
        if (channel.announced.ip !== null && channel.announced.ip !== server.ip) foreign.push(channel.announced.ip);
        if (connection && !isEstablished(connection)) passiveFailures++;
      } else if (channel.transfer || connection) {
        usedActive = true;
        activePorts.push(channel.announced.port);
        activeClients.push(channel.announced.ip ?? session.client.ip);
        if (connection) {
          activeSources.push(connection.orig.port);
          if (!isEstablished(connection)) activeFailures++;
        }
      }
    }
    // Under TLS (or where the capture lost them) the announcements are unreadable: the connections
    // seen between the same hosts are what the firewall must let through.
    for (const connection of [...session.tlsConnections, ...session.unannouncedConnections]) {
      if (connection.resp.ip === server.ip) {
        usedPassive = true;
        passiveSeen.push(connection.resp.port);
        if (!isEstablished(connection)) passiveFailures++;
      } else if (connection.orig.ip === server.ip) {
        usedActive = true;
        activePorts.push(connection.resp.port);
        activeClients.push(connection.resp.ip);
        activeSources.push(connection.orig.port);
        if (!isEstablished(connection)) activeFailures++;
      }
    }
    if (usedPassive) passiveSessions.push(session.id);
    if (usedActive) activeSessions.push(session.id);
  }
  passiveSessions = sortedNumbers(passiveSessions);
  activeSessions = sortedNumbers(activeSessions);
  const seen = sortedNumbers(passiveSeen);
  const given = options.passiveRange;
  const passive: ServerPlan['passive'] =
    passiveSessions.length === 0
      ? null
      : given
        ? { range: given, source: 'given', seen, outside: seen.filter((p) => p < given.min || p > given.max), failures: passiveFailures }
        : { range: { min: seen[0] ?? UNPRIVILEGED.min, max: seen[seen.length - 1] ?? UNPRIVILEGED.max }, source: 'observed', seen, outside: [], failures: passiveFailures };
  const sources = sortedNumbers(activeSources);
  const active: ServerPlan['active'] =
    activeSessions.length === 0
      ? null
      : {
          sourcePorts: sources,
          fixedSource: fixedSourcePorts(sources, server.port),
          clients: sortedStrings(activeClients),
          clientPortsSeen: sortedNumbers(activePorts),
          failures: activeFailures,
        };
  const helper = list.map(predictHelper);
  const tls = list.some((s) => s.tls !== null || s.implicitTls);
  const banner = list.find((s) => s.greeting !== null)?.greeting?.text ?? null;
  const software = detectServerSoftware(banner);
  const plan: ServerPlan = {
    ip: server.ip,
    family,
    controlPort: server.port,
    implicitTls: server.port === IMPLICIT_FTPS_PORT || list.some((s) => s.implicitTls),
    tls,
    software,
    banner,
    sessions: list.map((s) => s.id),
    clients: sortedStrings(list.map((s) => s.client.ip)),
    passive,
    active,
    foreignPassiveAddresses: sortedStrings(foreign),
    flows: [],
    helper,
    serverConfig: suggestServerConfig({
      software,
      passiveRange: passive?.range ?? null,
      foreignPassiveAddresses: sortedStrings(foreign),
      serverIp: server.ip,
      controlPort: server.port,
      activeFromPort20: active === null ? null : active.fixedSource,
      tls,
    }),
  };
  plan.flows = flowsOf(plan, helper, passiveSessions, activeSessions, options);
  return plan;
}

/** True when the helper follows every session in `ids` (`bySession`: the predictions by session id). */
function helperFollowsAll(bySession: ReadonlyMap<number, HelperPrediction>, ids: number[]): boolean {
  return ids.every((id) => bySession.get(id)?.follows ?? false);
}

function flowsOf(plan: ServerPlan, helper: HelperPrediction[], passiveSessions: number[], activeSessions: number[], options: FirewallOptions): Flow[] {
  const name = serverName(plan.ip, plan.controlPort);
  const clients = options.clientsSeen ? plan.clients : null;
  const flows: Flow[] = [
    {
      role: 'control',
      family: plan.family,
      initiator: { addresses: clients, ports: [UNPRIVILEGED] },
      responder: { addresses: [plan.ip], ports: [{ min: plan.controlPort, max: plan.controlPort }] },
      sessions: plan.sessions,
      helperCovers: false,
      purpose: `control connections: clients connect to ${name}`,
    },
  ];
  // Indexes, not scans: a server can have a hundred thousand sessions.
  const bySession = new Map(helper.map((h) => [h.session, h]));
  const whyNot = (ids: number[]): string => {
    if (plan.tls) return 'the control connection is encrypted, so no helper can open them';
    const wanted = new Set(ids);
    const missed = helper.find((h) => !h.follows && wanted.has(h.session));
    return missed ? `the kernel helper would not follow session ${missed.session}: ${missed.reasons[0]}` : '';
  };
  if (plan.passive) {
    const covers = !plan.tls && helperFollowsAll(bySession, passiveSessions);
    const range = plan.passive.range;
    const rangeText = `${formatRange(range)}${plan.passive.source === 'observed' ? ' (only the ports the capture saw)' : ''}`;
    flows.push({
      role: 'passive-data',
      family: plan.family,
      initiator: { addresses: clients, ports: [UNPRIVILEGED] },
      responder: { addresses: [plan.ip], ports: [range] },
      sessions: passiveSessions,
      helperCovers: covers,
      purpose: `passive data: clients connect to ${plan.family === 'ipv6' ? `[${plan.ip}]` : plan.ip} ports ${rangeText}${covers ? '' : `; opened explicitly because ${whyNot(passiveSessions)}`}`,
    });
  }
  if (plan.active) {
    const covers = !plan.tls && helperFollowsAll(bySession, activeSessions);
    const ports = plan.active.sourcePorts.length === 0 ? [plan.controlPort - 1] : plan.active.sourcePorts;
    const fixed = plan.active.sourcePorts.length === 0 || plan.active.fixedSource;
    flows.push({
      role: 'active-data',
      family: plan.family,
      initiator: { addresses: [plan.ip], ports: fixed ? ports.map((p) => ({ min: p, max: p })) : [UNPRIVILEGED] },
      responder: { addresses: options.clientsSeen ? plan.active.clients : null, ports: [UNPRIVILEGED] },
      sessions: activeSessions,
      helperCovers: covers,
      purpose: `active data: the server connects from port ${fixed ? ports.join(', ') : '1024-65535 (temporary ports)'} to the client's announced port (above 1023)${covers ? '' : `; opened explicitly because ${whyNot(activeSessions)}`}`,
    });
  }
  return flows;
}
