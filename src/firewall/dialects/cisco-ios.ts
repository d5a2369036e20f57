/**
 * Cisco IOS: configuration for a router between the FTP clients and the server.
 *
 * Stateless (the way FTP guides teach it): two extended ACLs, each applied inbound on one
 * interface. FTPCAP-FROM-CLIENTS, on the interface toward the clients, passes what clients send:
 * the first packets of control and passive data connections, and the replies of active data
 * connections (`established`). FTPCAP-FROM-SERVERS, on the interface toward the server, passes what
 * the server sends: the replies of control and passive data connections (`established`), and the
 * first packets of active data connections, from port 20. `established` matches segments with ACK
 * or RST set, so nobody opens a connection with it; a router ACL cannot know which port a client
 * announces next, so active data goes to any client port above 1023.
 *
 * Helper: the zone-based policy firewall (ZBF), which replaced CBAC's `ip inspect`: a class-map
 * `match protocol ftp` with the `inspect` action between a clients zone and a servers zone; the
 * inspection reads the control connection and opens the data connections of both modes. A control
 * port other than 21 is mapped to FTP with `ip port-map ftp port tcp N` (port-to-application
 * mapping). TLS hides the announcements from inspection, so those servers' ports are inspected as
 * plain TCP, every port named.
 *
 * Sources (Cisco's documentation):
 * - "Security Configuration Guide: Access Control Lists" (ip access-list extended, `permit tcp
 *   source [operator port] destination [operator port] [established]`, `remark`, sequence
 *   numbers, `ip access-group NAME in`, the implicit deny at the end of every ACL);
 * - "IPv6 Access Control Lists" (ipv6 access-list, `ipv6 traffic-filter NAME in`, its implicit
 *   `permit icmp any any nd-na`, `nd-ns` and `deny ipv6 any any`);
 * - "Security Configuration Guide: Zone-Based Policy Firewall" (cisco.com/c/en/us/td/docs/ios-xml/
 *   ios/sec_data_zbf/configuration/15-mt/sec-data-zbf-15-mt-book/sec-zone-pol-fw.html:
 *   class-map type inspect, policy-map type inspect, zone security, zone-pair security,
 *   zone-member security) and its port-to-application mapping (`ip port-map`).
 */
import type { FirewallPlan, Flow, RuleSet, ServerPlan, Side, Style } from '../types';
import { RuleSetWriter } from '../writer';
import { flowParts, flowRule, flowsCovered, flowsToOpen, nameOf, oneLine, replyParts, type EndPart, type FlowPart } from './flow-parts';

export const ciscoIosSides: Side[] = ['router'];

/** Placeholders for the router's interfaces, one per side. */
export const CLIENT_INTERFACE = 'GigabitEthernet0/0';
export const SERVER_INTERFACE = 'GigabitEthernet0/1';

/** Port names IOS prints for FTP's ports. */
const portNames: Record<number, string> = { 20: 'ftp-data', 21: 'ftp' };

function portName(port: number): string {
  return portNames[port] ?? `${port}`;
}

/** IOS port operator: `eq ftp`, `gt 1023`, `lt 1024`, `range 40000 40100`; empty for any port. */
export function iosPort(part: EndPart): string {
  const r = part.ports;
  if (!r) return '';
  if (r.min === r.max) return ` eq ${portName(r.min)}`;
  if (r.max === 65535) return ` gt ${r.min - 1}`;
  if (r.min <= 1) return ` lt ${r.max + 1}`;
  return ` range ${r.min} ${r.max}`;
}

function iosAddress(part: EndPart): string {
  return part.address ? `host ${part.address}` : 'any';
}

function ace(part: FlowPart, established: boolean): string {
  return `permit tcp ${iosAddress(part.source)}${iosPort(part.source)} ${iosAddress(part.destination)}${iosPort(part.destination)}${established ? ' established' : ''}`;
}

interface Entry {
  server: ServerPlan;
  flow: Flow;
  text: string;
  part: 'open' | 'replies';
}

/** Remarks are at most 100 characters in IOS. */
function remark(text: string): string {
  return `remark ${oneLine(text, 93).replace(/…$/, '.')}`;
}

/** The stateless ACLs of one address family. */
function writeAcls(out: RuleSetWriter, servers: ServerPlan[], v6: boolean, sequence: { next: number }): { fromClients: string; fromServers: string } | null {
  if (servers.length === 0) return null;
  const fromClients: Entry[] = [];
  const fromServers: Entry[] = [];
  for (const server of servers) {
    for (const flow of server.flows) {
      // Active data is opened by the server; everything else by the clients.
      const opensFromServer = flow.role === 'active-data';
      const opening = flowParts(flow).map((p) => ({ server, flow, text: ace(p, false), part: 'open' as const }));
      const replies = replyParts(flow).map((p) => ({ server, flow, text: ace(p, true), part: 'replies' as const }));
      (opensFromServer ? fromServers : fromClients).push(...opening);
      (opensFromServer ? fromClients : fromServers).push(...replies);
    }
  }
  const prefix = v6 ? 'FTPCAP6' : 'FTPCAP';
  const names = { fromClients: `${prefix}-FROM-CLIENTS`, fromServers: `${prefix}-FROM-SERVERS` };
  const write = (name: string, entries: Entry[], toward: string): void => {
    out.line(`${v6 ? 'ipv6 access-list' : 'ip access-list extended'} ${name}`);
    out.line(` ${remark(`applied in on the interface toward the ${toward}`)}`);
    let last: Flow | null = null;
    for (const entry of entries) {
      if (entry.flow !== last) {
        out.line(
          ` ${remark(entry.part === 'open' ? `${nameOf(entry.server)} ${entry.flow.purpose}` : `${nameOf(entry.server)} replies of ${entry.flow.purpose.split(':')[0]}`)}`,
        );
        last = entry.flow;
      }
      const seq = sequence.next;
      sequence.next += 10;
      out.rule(' ', v6 ? `sequence ${seq} ${entry.text}` : `${seq} ${entry.text}`, flowRule(entry.server, entry.flow, entry.part));
    }
    out.line('!');
  };
  write(names.fromClients, fromClients, 'clients');
  write(names.fromServers, fromServers, 'servers');
  return names;
}

function applyAcl(out: RuleSetWriter, name: string, v6: boolean, toward: string): void {
  out.rule(' ', v6 ? `ipv6 traffic-filter ${name} in` : `ip access-group ${name} in`, {
    part: 'policy',
    role: null,
    server: null,
    sessions: [],
    essential: true,
    why: `filters what comes in from the ${toward} with ${name}`,
  });
}

function renderStateless(plan: FirewallPlan, out: RuleSetWriter, notes: string[]): void {
  const sequence = { next: 10 };
  const v4 = writeAcls(
    out,
    plan.servers.filter((s) => s.family === 'ipv4'),
    false,
    sequence,
  );
  const v6 = writeAcls(
    out,
    plan.servers.filter((s) => s.family === 'ipv6'),
    true,
    sequence,
  );
  out.line(`interface ${CLIENT_INTERFACE}`);
  out.line(' description toward the FTP clients (replace with your interface)');
  if (v4) applyAcl(out, v4.fromClients, false, 'clients');
  if (v6) applyAcl(out, v6.fromClients, true, 'clients');
  out.line('!');
  out.line(`interface ${SERVER_INTERFACE}`);
  out.line(' description toward the FTP servers (replace with your interface)');
  if (v4) applyAcl(out, v4.fromServers, false, 'servers');
  if (v6) applyAcl(out, v6.fromServers, true, 'servers');
  out.line('!');
  notes.push(
    'every ACL ends with an implicit deny: applied to an interface, these pass only FTP; add your other permits to them before applying (IPv6 ACLs still permit neighbour discovery implicitly)',
    'a router ACL keeps no state: the replies are matched with established (ACK or RST set), and active data is allowed to any client port above 1023, since the ACL cannot know the port the client announces next',
    `the interface names ${CLIENT_INTERFACE} and ${SERVER_INTERFACE} (and their descriptions) stand for yours`,
  );
}

/** Zone-based policy firewall with FTP inspection. */
function renderInspect(plan: FirewallPlan, out: RuleSetWriter, notes: string[]): void {
  const inspected = plan.servers.filter((s) => !s.tls);
  const ports = [...new Set(inspected.map((s) => s.controlPort))].filter((p) => p !== 21).sort((a, b) => a - b);
  for (const port of ports) {
    const servers = inspected.filter((s) => s.controlPort === port);
    out.rule('', `ip port-map ftp port tcp ${port}`, {
      part: 'helper',
      role: 'control',
      server: servers.length === 1 ? nameOf(servers[0]) : null,
      sessions: servers.flatMap((s) => s.sessions),
      essential: true,
      why: `makes FTP inspection read control connections on port ${port} (port-to-application mapping)`,
    });
  }
  if (ports.length > 0) out.line('!');
  // One class per kind and address family (match-all: the protocol and the access list must both match).
  interface InspectClass {
    name: string;
    acl: string;
    v6: boolean;
    ftp: boolean;
    zonePair: 'c2s' | 's2c';
    entries: Array<{ server: ServerPlan; flow: Flow; parts: FlowPart[] }>;
  }
  const classes: InspectClass[] = [];
  const classFor = (kind: 'FTP' | 'TCP' | 'TCP-ACTIVE', v6: boolean): InspectClass => {
    const suffix = v6 ? '6' : '';
    const name = `FTPCAP-${kind}${suffix}`;
    let found = classes.find((c) => c.name === name);
    if (!found) {
      found = { name, acl: `${name}-ACL`, v6, ftp: kind === 'FTP', zonePair: kind === 'TCP-ACTIVE' ? 's2c' : 'c2s', entries: [] };
      classes.push(found);
    }
    return found;
  };
  for (const server of plan.servers) {
    for (const flow of flowsToOpen(server, 'helper')) {
      const kind = flow.role === 'control' && !server.tls ? 'FTP' : flow.role === 'active-data' ? 'TCP-ACTIVE' : 'TCP';
      classFor(kind, server.family === 'ipv6').entries.push({ server, flow, parts: flowParts(flow) });
    }
  }
  const sequence = { next: 10 };
  for (const cls of classes) {
    out.line(`${cls.v6 ? 'ipv6 access-list' : 'ip access-list extended'} ${cls.acl}`);
    for (const entry of cls.entries) {
      out.line(` ${remark(`${nameOf(entry.server)} ${entry.flow.purpose}`)}`);
      for (const part of entry.parts) {
        const seq = sequence.next;
        sequence.next += 10;
        out.rule(' ', `${cls.v6 ? `sequence ${seq}` : `${seq}`} ${ace(part, false)}`, flowRule(entry.server, entry.flow, 'open'));
      }
    }
    out.line('!');
  }
  const sessionsOf = (cls: InspectClass): number[] => [...new Set(cls.entries.flatMap((e) => e.flow.sessions))].sort((a, b) => a - b);
  for (const cls of classes) {
    out.line(`class-map type inspect match-all ${cls.name}`);
    out.line(` match access-group name ${cls.acl}`);
    out.rule(' ', cls.ftp ? 'match protocol ftp' : 'match protocol tcp', {
      part: cls.ftp ? 'helper' : 'open',
      role: cls.ftp ? 'control' : null,
      server: null,
      sessions: sessionsOf(cls),
      essential: true,
      why: cls.ftp
        ? 'FTP inspection reads the control connections and opens their data connections'
        : 'plain TCP inspection for the connections FTP inspection cannot follow (TLS, or opened by the server)',
    });
    out.line('!');
  }
  for (const pair of ['c2s', 's2c'] as const) {
    const mine = classes.filter((c) => c.zonePair === pair);
    if (mine.length === 0) continue;
    const policy = pair === 'c2s' ? 'FTPCAP-CLIENTS-TO-SERVERS' : 'FTPCAP-SERVERS-TO-CLIENTS';
    out.line(`policy-map type inspect ${policy}`);
    for (const cls of mine) {
      out.line(` class type inspect ${cls.name}`);
      out.rule('  ', 'inspect', {
        part: 'open',
        role: null,
        server: null,
        sessions: sessionsOf(cls),
        essential: true,
        why: `inspects the connections of class ${cls.name}: accepted with their replies, and (FTP) their data connections`,
      });
    }
    out.line(' class class-default');
    out.line('  drop');
    out.line('!');
  }
  out.line('zone security FTPCAP-CLIENTS');
  out.line('zone security FTPCAP-SERVERS');
  for (const pair of ['c2s', 's2c'] as const) {
    if (!classes.some((c) => c.zonePair === pair)) continue;
    const [name, source, destination, policy] =
      pair === 'c2s'
        ? ['FTPCAP-C2S', 'FTPCAP-CLIENTS', 'FTPCAP-SERVERS', 'FTPCAP-CLIENTS-TO-SERVERS']
        : ['FTPCAP-S2C', 'FTPCAP-SERVERS', 'FTPCAP-CLIENTS', 'FTPCAP-SERVERS-TO-CLIENTS'];
    out.line(`zone-pair security ${name} source ${source} destination ${destination}`);
    out.rule(' ', `service-policy type inspect ${policy}`, {
      part: 'policy',
      role: null,
      server: null,
      sessions: [],
      essential: true,
      why: `applies ${policy} to connections from ${source} to ${destination}`,
    });
    out.line('!');
  }
  out.line(`interface ${CLIENT_INTERFACE}`);
  out.rule(' ', 'zone-member security FTPCAP-CLIENTS', {
    part: 'policy',
    role: null,
    server: null,
    sessions: [],
    essential: true,
    why: 'the interface toward the clients joins the clients zone',
  });
  out.line('!');
  out.line(`interface ${SERVER_INTERFACE}`);
  out.rule(' ', 'zone-member security FTPCAP-SERVERS', {
    part: 'policy',
    role: null,
    server: null,
    sessions: [],
    essential: true,
    why: 'the interface toward the servers joins the servers zone',
  });
  out.line('!');
  for (const server of plan.servers) {
    for (const flow of flowsCovered(server, 'helper')) out.line(`! ${oneLine(`${nameOf(server)} ${flow.purpose}`)}: FTP inspection opens these`);
    if (server.tls)
      notes.push(
        `${nameOf(server)}: the control connection is encrypted, so FTP inspection cannot read it: its ports are inspected as plain TCP, every data port named`,
      );
  }
  notes.push(
    'traffic between two zones passes only where a zone-pair policy allows it: once the interfaces are zone members, everything else between them is dropped; add your other classes to the policies',
    `the interface names ${CLIENT_INTERFACE} and ${SERVER_INTERFACE} stand for yours`,
    'the older CBAC form of the same inspection is ip inspect name FTPCAP ftp, applied with ip inspect FTPCAP in on the interface toward the clients; Cisco recommends zone-based policies instead',
  );
}

/** Cisco IOS configuration for a router between clients and servers. */
export function renderCiscoIos(plan: FirewallPlan, side: Side, style: Style | null): RuleSet {
  const chosen: Style = style ?? 'stateless';
  const out = new RuleSetWriter();
  const notes: string[] = [];
  const title =
    chosen === 'helper' ? 'Cisco IOS router: zone-based firewall with FTP inspection' : 'Cisco IOS router: extended ACLs, stateless (established for replies)';
  out.line(`! ftpcap: ${title}`);
  out.line('! Paste in configuration mode (configure terminal) after replacing the interface names.');
  if (side !== 'router') notes.push('Cisco IOS rules are written for a router between the clients and the server, whatever the side asked');
  if (chosen === 'helper') renderInspect(plan, out, notes);
  else renderStateless(plan, out, notes);
  return {
    dialect: 'cisco-ios',
    side: 'router',
    style: chosen,
    title,
    apply: 'configure terminal, paste, end; then copy running-config startup-config',
    text: out.text(),
    rules: out.rules,
    notes,
  };
}
