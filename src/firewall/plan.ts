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
import type { ChannelFirewallFacts, DataChannel, FtpSession } from '../model';
import { emptyChannelFirewallFacts } from '../correlate/channels';
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

/** Adds a data channel to what the plan needs of a session's channels (addresses up to MAX_PLAN_ADDRESSES). */
export function foldChannelFacts(facts: ChannelFirewallFacts, session: FtpSession, channel: DataChannel): void {
  if (!accepted(channel) || channel.announced === null) return;
  const connection = channel.connection;
  const address = (set: Set<string>, ip: string) => {
    if (set.has(ip)) return;
    if (set.size < MAX_PLAN_ADDRESSES) set.add(ip);
    else facts.addressesDropped = true;
  };
  if (channel.mode === 'passive') {
    facts.usedPassive = true;
    facts.passivePorts.add(channel.announced.port);
    if (channel.announced.ip !== null && channel.announced.ip !== session.server.ip) address(facts.foreign, channel.announced.ip);
    if (connection && !isEstablished(connection)) facts.passiveFailures++;
  } else if (channel.transfer || connection) {
    facts.usedActive = true;
    facts.activePorts.add(channel.announced.port);
    address(facts.activeClients, channel.announced.ip ?? session.client.ip);
    if (connection) {
      facts.activeSources.add(connection.orig.port);
      if (!isEstablished(connection)) facts.activeFailures++;
    }
  }
}

/** The active connections' source ports are fixed ones: privileged (20), or control port − 1 (RFC 959's L-1). */
function fixedSourcePorts(ports: number[], controlPort: number): boolean {
  return ports.every((p) => p < 1024 || p === controlPort - 1);
}

/** Session numbers (and helper predictions) kept per server; the rest are counted. */
export const MAX_PLAN_SESSIONS = 1000;
/** Client and foreign addresses kept per server; past this the rules allow any client address. */
export const MAX_PLAN_ADDRESSES = 1000;

/**
 * What one session adds to the firewall plan (FirewallPlanner.contribution): its server, the
 * ports and addresses its data connections used, in the order they came, and its helper
 * prediction.
 */
export interface PlanContribution {
  key: SessionKey;
  server: { ip: string; port: number };
  client: string;
  passiveSeen: number[];
  foreign: string[];
  activePorts: number[];
  activeClients: string[];
  activeSources: number[];
  passiveFailures: number;
  activeFailures: number;
  usedPassive: boolean;
  usedActive: boolean;
  /** Addresses past MAX_PLAN_ADDRESSES were left out of the channels' sets. */
  addressesDropped: boolean;
  prediction: HelperPrediction;
  tls: boolean;
  implicitTls: boolean;
  greeting: string | null;
}

/** Where a session comes in the report: by start time, then by its number. */
export interface SessionKey {
  startMicros: number;
  id: number;
}

function before(a: SessionKey, b: SessionKey): boolean {
  return a.startMicros < b.startMicros || (a.startMicros === b.startMicros && a.id < b.id);
}

/** A set that keeps at most `max` values and counts the others. */
class CappedSet<T> {
  readonly values = new Set<T>();
  dropped = false;
  constructor(private readonly max: number) {}
  add(value: T): void {
    if (this.values.has(value)) return;
    if (this.values.size < this.max) this.values.add(value);
    else this.dropped = true;
  }
}

/** What one server's sessions showed so far. */
interface ServerTally {
  first: SessionKey;
  ip: string;
  port: number;
  passiveSeen: Set<number>;
  foreign: CappedSet<string>;
  activeSources: Set<number>;
  activeClients: CappedSet<string>;
  activePorts: Set<number>;
  clients: CappedSet<string>;
  sessions: Array<{ id: number; prediction: HelperPrediction; passive: boolean; active: boolean }>;
  sessionCount: number;
  passiveCount: number;
  activeCount: number;
  passiveFailures: number;
  activeFailures: number;
  /** The first (in report order) session not followed by the helper, overall and per mode. */
  missed: {
    any: { key: SessionKey; prediction: HelperPrediction } | null;
    passive: { key: SessionKey; prediction: HelperPrediction } | null;
    active: { key: SessionKey; prediction: HelperPrediction } | null;
  };
  missedCount: number;
  tls: boolean;
  implicitTls: boolean;
  banner: { key: SessionKey; text: string } | null;
}

/**
 * The firewall plan built one session at a time: per server, the ports, addresses and counts the
 * plan needs, never the sessions themselves (a capture of a million sessions keeps a few numbers
 * per server, and at most MAX_PLAN_SESSIONS session numbers). Sessions may come in any order;
 * `plan(idOf)` renumbers the ones it kept (see Analyzer's sessionReleased).
 */
export class FirewallPlanner {
  private readonly servers = new Map<string, ServerTally>();

  constructor(private readonly options: FirewallOptions = defaultFirewallOptions) {}

  /**
   * Adds a session to its server's tally. `known` is the session's helper prediction when the
   * caller has it already (the report's session carries it), so it is worked out once per session.
   */
  add(session: FtpSession, startMicros = session.control.first.timeMicros, known: HelperPrediction | null = null): void {
    const part = this.contribution(session, startMicros, known);
    if (part !== null) this.addContribution(part);
  }

  /**
   * What a session adds to the plan, as plain data (JSON keeps it whole): for a caller that adds
   * it later, or not at all (the report's selection is known only at the end); null when the
   * plan is limited to another server.
   */
  contribution(session: FtpSession, startMicros = session.control.first.timeMicros, known: HelperPrediction | null = null): PlanContribution | null {
    const wanted = this.options.server;
    if (wanted && (wanted.ip !== session.server.ip || (wanted.port !== null && wanted.port !== session.server.port))) return null;
    const serverIp = session.server.ip;
    // The channels listed, and those counted, not listed, past maxDataChannelsPerSession.
    const listed = emptyChannelFirewallFacts();
    for (const channel of session.dataChannels) foldChannelFacts(listed, session, channel);
    const folded = session.folded.firewall;
    const passiveSeen = new Set<number>([...listed.passivePorts, ...folded.passivePorts]);
    const foreign = new Set<string>([...listed.foreign, ...folded.foreign]);
    const activePorts = new Set<number>([...listed.activePorts, ...folded.activePorts]);
    const activeClients = new Set<string>([...listed.activeClients, ...folded.activeClients]);
    const activeSources = new Set<number>([...listed.activeSources, ...folded.activeSources]);
    let passiveFailures = listed.passiveFailures + folded.passiveFailures;
    let activeFailures = listed.activeFailures + folded.activeFailures;
    let usedPassive = listed.usedPassive || folded.usedPassive;
    let usedActive = listed.usedActive || folded.usedActive;
    const addressesDropped = listed.addressesDropped || folded.addressesDropped;
    // Under TLS (or where the capture lost them) the announcements are unreadable: the connections
    // seen between the same hosts are what the firewall must let through.
    for (const list of [session.tlsConnections, session.unannouncedConnections]) {
      for (const connection of list) {
        if (connection.resp.ip === serverIp) {
          usedPassive = true;
          passiveSeen.add(connection.resp.port);
          if (!isEstablished(connection)) passiveFailures++;
        } else if (connection.orig.ip === serverIp) {
          usedActive = true;
          activePorts.add(connection.resp.port);
          activeClients.add(connection.resp.ip);
          activeSources.add(connection.orig.port);
          if (!isEstablished(connection)) activeFailures++;
        }
      }
    }
    return {
      key: { startMicros, id: session.id },
      server: { ip: serverIp, port: session.server.port },
      client: session.client.ip,
      passiveSeen: [...passiveSeen],
      foreign: [...foreign],
      activePorts: [...activePorts],
      activeClients: [...activeClients],
      activeSources: [...activeSources],
      passiveFailures,
      activeFailures,
      usedPassive,
      usedActive,
      addressesDropped,
      prediction: known ?? predictHelper(session),
      tls: session.tls !== null || session.implicitTls,
      implicitTls: session.implicitTls,
      greeting: session.greeting?.text ?? null,
    };
  }

  /** Adds what contribution() made of a session to its server's tally. */
  addContribution(part: PlanContribution): void {
    const { key, prediction, usedPassive, usedActive } = part;
    const name = serverName(part.server.ip, part.server.port);
    let tally = this.servers.get(name);
    if (tally === undefined) {
      tally = {
        first: key,
        ip: part.server.ip,
        port: part.server.port,
        passiveSeen: new Set(),
        foreign: new CappedSet(MAX_PLAN_ADDRESSES),
        activeSources: new Set(),
        activeClients: new CappedSet(MAX_PLAN_ADDRESSES),
        activePorts: new Set(),
        clients: new CappedSet(MAX_PLAN_ADDRESSES),
        sessions: [],
        sessionCount: 0,
        passiveCount: 0,
        activeCount: 0,
        passiveFailures: 0,
        activeFailures: 0,
        missed: { any: null, passive: null, active: null },
        missedCount: 0,
        tls: false,
        implicitTls: false,
        banner: null,
      };
      this.servers.set(name, tally);
    } else if (before(key, tally.first)) {
      tally.first = key;
    }
    const server = tally;
    for (const port of part.passiveSeen) server.passiveSeen.add(port);
    for (const ip of part.foreign) server.foreign.add(ip);
    for (const port of part.activePorts) server.activePorts.add(port);
    for (const ip of part.activeClients) server.activeClients.add(ip);
    for (const port of part.activeSources) server.activeSources.add(port);
    server.passiveFailures += part.passiveFailures;
    server.activeFailures += part.activeFailures;
    if (part.addressesDropped) {
      server.foreign.dropped = true;
      server.activeClients.dropped = true;
    }
    server.sessionCount++;
    if (usedPassive) server.passiveCount++;
    if (usedActive) server.activeCount++;
    if (server.sessions.length < MAX_PLAN_SESSIONS) server.sessions.push({ id: key.id, prediction, passive: usedPassive, active: usedActive });
    if (!prediction.follows) {
      server.missedCount++;
      const missed = { key, prediction };
      if (server.missed.any === null || before(key, server.missed.any.key)) server.missed.any = missed;
      if (usedPassive && (server.missed.passive === null || before(key, server.missed.passive.key))) server.missed.passive = missed;
      if (usedActive && (server.missed.active === null || before(key, server.missed.active.key))) server.missed.active = missed;
    }
    server.clients.add(part.client);
    if (part.tls) server.tls = true;
    if (part.implicitTls) server.implicitTls = true;
    if (part.greeting !== null && (server.banner === null || before(key, server.banner.key))) server.banner = { key, text: part.greeting };
  }

  /** The plan, with the kept sessions' numbers mapped through `idOf` (default: as they were added). */
  plan(idOf: (id: number) => number = (id) => id): FirewallPlan {
    const tallies = [...this.servers.values()].sort((a, b) => (before(a.first, b.first) ? -1 : before(b.first, a.first) ? 1 : 0));
    const servers = tallies.map((tally) => planServer(tally, this.options, idOf));
    return { servers, notes: planNotes(servers, tallies) };
  }
}

/** Derives the firewall plan for every server in the sessions (in report order). */
export function planFirewall(sessions: FtpSession[], options: FirewallOptions = defaultFirewallOptions): FirewallPlan {
  const planner = new FirewallPlanner(options);
  for (const session of sessions) planner.add(session);
  return planner.plan();
}

/** `1, 2, 3` or, past `max`, the first ones and how many there are in all. */
function idList(ids: number[], total: number, max = 20): string {
  const shown = ids.slice(0, max).join(', ');
  return total > Math.min(ids.length, max) ? `${shown}, … (${total} in all)` : shown;
}

function planNotes(servers: ServerPlan[], tallies: ServerTally[]): string[] {
  const notes: string[] = [];
  servers.forEach((server, i) => {
    const tally = tallies[i];
    const name = serverName(server.ip, server.controlPort);
    if (server.passive?.source === 'observed') {
      notes.push(
        `${name}: the passive range ${formatRange(server.passive.range)} is only what the capture saw (${server.passive.seen.length} port${server.passive.seen.length === 1 ? '' : 's'}); the server picks any port of its configured range next time: pin the range on the server (see its configuration below) and give it with --passive-range LO-HI`,
      );
    }
    if (server.passive && server.passive.outside.length > 0) {
      notes.push(
        `${name}: the server announced ports outside the given passive range ${formatRange(server.passive.range)}: ${server.passive.outside.join(', ')}; the server's configuration does not match the range`,
      );
    }
    if (server.controlPort !== 21 && server.flows.some((f) => f.helperCovers)) {
      notes.push(
        `${name}: FTP on port ${server.controlPort}: the helper sets bind the kernel FTP helper to this port explicitly (it is bound to no port by itself)`,
      );
    }
    if (server.foreignPassiveAddresses.length > 0) {
      notes.push(
        `${name}: the server announces ${server.foreignPassiveAddresses.join(', ')} in passive replies, not its own address; a helper on the server's host ignores those, so the passive range is opened explicitly`,
      );
    }
    if (server.active && !server.active.fixedSource) {
      notes.push(
        `${name}: in active mode the server connects from temporary ports (${server.active.sourcePorts.join(', ')}), not port 20, so stateless rules must allow its whole unprivileged range; make it connect from port 20 (vsftpd connect_from_port_20=YES) to narrow them`,
      );
    }
    if (server.active && server.active.sourcePorts.length === 0) {
      notes.push(
        `${name}: the capture holds no connection the server opened in active mode; its source port ${server.controlPort - 1} (RFC 959's default) is assumed`,
      );
    }
    if (server.tls) {
      notes.push(
        `${name}: the control connection is encrypted (TLS): no helper or middlebox can read the announcements, so the data ports are opened explicitly`,
      );
    }
    const missed = server.helper.filter((h) => !h.follows);
    if (tally.missedCount > 0 && !server.tls) {
      const first = tally.missed.any?.prediction ?? missed[0];
      const n = tally.missedCount;
      notes.push(
        `${name}: the kernel helper would not have followed session${n === 1 ? '' : 's'} ${idList(
          missed.map((h) => h.session),
          n,
        )} (${first.reasons[0]}): the rules open those data connections explicitly`,
      );
    }
    if (server.sessionsOmitted !== undefined) {
      notes.push(
        `${name}: ${server.sessionsOmitted + server.sessions.length} sessions; the plan lists the numbers and helper predictions of the first ${server.sessions.length}`,
      );
    }
    if (tally.clients.dropped || tally.activeClients.dropped) {
      notes.push(`${name}: more than ${MAX_PLAN_ADDRESSES} client addresses: the rules allow any client address, not only those seen`);
    }
  });
  return notes;
}

function planServer(tally: ServerTally, options: FirewallOptions, idOf: (id: number) => number): ServerPlan {
  const server = { ip: tally.ip, port: tally.port };
  const family: AddressFamily = server.ip.includes(':') ? 'ipv6' : 'ipv4';
  const kept = tally.sessions.map((s) => ({ ...s, id: idOf(s.id), prediction: { ...s.prediction, session: idOf(s.id) } })).sort((a, b) => a.id - b.id);
  const passiveSessions = kept.filter((s) => s.passive).map((s) => s.id);
  const activeSessions = kept.filter((s) => s.active).map((s) => s.id);
  const seen = sortedNumbers(tally.passiveSeen);
  const given = options.passiveRange;
  const passive: ServerPlan['passive'] =
    tally.passiveCount === 0
      ? null
      : given
        ? { range: given, source: 'given', seen, outside: seen.filter((p) => p < given.min || p > given.max), failures: tally.passiveFailures }
        : {
            range: { min: seen[0] ?? UNPRIVILEGED.min, max: seen[seen.length - 1] ?? UNPRIVILEGED.max },
            source: 'observed',
            seen,
            outside: [],
            failures: tally.passiveFailures,
          };
  const sources = sortedNumbers(tally.activeSources);
  const active: ServerPlan['active'] =
    tally.activeCount === 0
      ? null
      : {
          sourcePorts: sources,
          fixedSource: fixedSourcePorts(sources, server.port),
          clients: sortedStrings(tally.activeClients.values),
          clientPortsSeen: sortedNumbers(tally.activePorts),
          failures: tally.activeFailures,
        };
  const helper = kept.map((s) => s.prediction);
  const tls = tally.tls;
  const banner = tally.banner?.text ?? null;
  const software = detectServerSoftware(banner);
  const foreign = sortedStrings(tally.foreign.values);
  const plan: ServerPlan = {
    ip: server.ip,
    family,
    controlPort: server.port,
    implicitTls: server.port === IMPLICIT_FTPS_PORT || tally.implicitTls,
    tls,
    software,
    banner,
    sessions: kept.map((s) => s.id),
    clients: sortedStrings(tally.clients.values),
    passive,
    active,
    foreignPassiveAddresses: foreign,
    flows: [],
    helper,
    serverConfig: suggestServerConfig({
      software,
      passiveRange: passive?.range ?? null,
      foreignPassiveAddresses: foreign,
      serverIp: server.ip,
      controlPort: server.port,
      activeFromPort20: active === null ? null : active.fixedSource,
      tls,
    }),
  };
  if (tally.sessionCount > kept.length) plan.sessionsOmitted = tally.sessionCount - kept.length;
  const anyClient = tally.clients.dropped || tally.activeClients.dropped;
  const whyNot = (mode: 'passive' | 'active'): string => {
    if (plan.tls) return 'the control connection is encrypted, so no helper can open them';
    const missed = tally.missed[mode];
    return missed ? `the kernel helper would not follow session ${idOf(missed.key.id)}: ${missed.prediction.reasons[0]}` : '';
  };
  plan.flows = flowsOf(
    plan,
    passiveSessions,
    activeSessions,
    { ...options, clientsSeen: options.clientsSeen && !anyClient },
    {
      passiveCovers: !plan.tls && tally.missed.passive === null,
      activeCovers: !plan.tls && tally.missed.active === null,
      whyNot,
    },
  );
  return plan;
}

interface HelperCoverage {
  passiveCovers: boolean;
  activeCovers: boolean;
  whyNot(mode: 'passive' | 'active'): string;
}

function flowsOf(plan: ServerPlan, passiveSessions: number[], activeSessions: number[], options: FirewallOptions, coverage: HelperCoverage): Flow[] {
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
  if (plan.passive) {
    const covers = coverage.passiveCovers;
    const range = plan.passive.range;
    const rangeText = `${formatRange(range)}${plan.passive.source === 'observed' ? ' (only the ports the capture saw)' : ''}`;
    flows.push({
      role: 'passive-data',
      family: plan.family,
      initiator: { addresses: clients, ports: [UNPRIVILEGED] },
      responder: { addresses: [plan.ip], ports: [range] },
      sessions: passiveSessions,
      helperCovers: covers,
      purpose: `passive data: clients connect to ${plan.family === 'ipv6' ? `[${plan.ip}]` : plan.ip} ports ${rangeText}${covers ? '' : `; opened explicitly because ${coverage.whyNot('passive')}`}`,
    });
  }
  if (plan.active) {
    const covers = coverage.activeCovers;
    const ports = plan.active.sourcePorts.length === 0 ? [plan.controlPort - 1] : plan.active.sourcePorts;
    const fixed = plan.active.sourcePorts.length === 0 || plan.active.fixedSource;
    flows.push({
      role: 'active-data',
      family: plan.family,
      initiator: { addresses: [plan.ip], ports: fixed ? ports.map((p) => ({ min: p, max: p })) : [UNPRIVILEGED] },
      responder: { addresses: options.clientsSeen ? plan.active.clients : null, ports: [UNPRIVILEGED] },
      sessions: activeSessions,
      helperCovers: covers,
      purpose: `active data: the server connects from port ${fixed ? ports.join(', ') : '1024-65535 (temporary ports)'} to the client's announced port (above 1023)${covers ? '' : `; opened explicitly because ${coverage.whyNot('active')}`}`,
    });
  }
  return flows;
}
