/**
 * pf (OpenBSD's packet filter): rules for pf.conf, for the FTP server host, an FTP client host, or a
 * router between them.
 *
 * Follows OpenBSD's manual pages (man.openbsd.org/pf.conf.5, man.openbsd.org/ftp-proxy.8, and
 * etc/rc.d/ftpproxy6, which runs `ftp-proxy -6`):
 * - pf.conf(5): filter rules `pass [in|out] [on interface] [inet|inet6] proto tcp from … port … to
 *   … port …`; "By default pf(4) filters packets statefully": the first packet that matches a pass
 *   rule creates a state, and the rest of that connection (both ways) passes on the state without
 *   rules; the last matching rule wins unless `quick`; `port a:b` is the inclusive range;
 *   `egress` is the interface group of the default route; `anchor "ftp-proxy/*"` evaluates the
 *   rules ftp-proxy loads; `divert-to` hands a connection to a local socket, keeping its original
 *   destination for the proxy to read;
 * - ftp-proxy(8): the proxy reads the control connection (diverted to 127.0.0.1 port 8021, or ::1
 *   with -6) and adds a rule per data connection to its anchor, for active and passive mode; `-R
 *   address` (reverse mode, with `-P port`) makes it proxy for one fixed server, which is how a
 *   server is put behind it; `rcctl enable ftpproxy` starts it (ftpproxy6 for IPv6).
 *
 * Style "helper" here means with ftp-proxy(8), pf's answer to the FTP helper; "stateless" means
 * without it, every port named. Both keep state, as pf does by default: no rule is written for
 * replies. The sets contain no `block` rule: they go after the block rule of an existing pf.conf
 * (the last matching rule wins), and are checked with `pfctl -nf /etc/pf.conf`.
 */
import type { FirewallPlan, Flow, RuleSet, ServerPlan, Side, Style } from '../types';
import { RuleSetWriter } from '../writer';
import { direction, flowParts, flowRule, flowsCovered, flowsToOpen, nameOf, oneLine, sessionsText, type EndPart } from './flow-parts';

export const pfSides: Side[] = ['server', 'client', 'router'];

/** Where ftp-proxy listens for diverted control connections (its defaults: -b, -p). */
const PROXY_PORT = 8021;

function af(server: ServerPlan): 'inet' | 'inet6' {
  return server.family === 'ipv6' ? 'inet6' : 'inet';
}

function proxyAddress(server: ServerPlan): string {
  return server.family === 'ipv6' ? '::1' : '127.0.0.1';
}

/** `a:b` (pf.conf(5): inclusive), or the single port. */
function pfPort(part: EndPart): string {
  if (!part.ports) return '';
  const { min, max } = part.ports;
  return ` port ${min === max ? `${min}` : `${min}:${max}`}`;
}

function pfEnd(part: EndPart): string {
  return `${part.address ?? 'any'}${pfPort(part)}`;
}

/**
 * The pass rules for one flow's opening packets on `side`: `in` or `out` on egress for a host,
 * no direction on a router (the rule passes the connection in on one interface and out on the
 * other, each with its own state).
 */
function passRules(server: ServerPlan, flow: Flow, side: Side): string[] {
  const way = direction(flow, side);
  const head = way === 'forward' ? 'pass' : `pass ${way} on egress`;
  return flowParts(flow).map((part) => `${head} ${af(server)} proto tcp from ${pfEnd(part.source)} to ${pfEnd(part.destination)}`);
}

function writeFlow(out: RuleSetWriter, server: ServerPlan, flow: Flow, side: Side): void {
  out.line(`# ${oneLine(flow.purpose)} (${sessionsText(flow.sessions)})`);
  for (const text of passRules(server, flow, side)) out.rule('', text, flowRule(server, flow, 'open'));
}

/**
 * ftp-proxy for one server's control connections. Server side: reverse mode (-R), the proxy in
 * front of the one server. Client side and router: the proxy for any client's connections to it.
 */
function writeProxy(out: RuleSetWriter, server: ServerPlan, side: Side, control: Flow, proxyPort: number): string {
  const bind = proxyAddress(server);
  const port = server.controlPort;
  const listen = proxyPort === PROXY_PORT ? '' : ` -p ${proxyPort}`;
  const flags = side === 'server' ? `${listen} -R ${server.ip} -P ${port}`.trim() : listen.trim();
  // rc.d's ftpproxy6 runs `ftp-proxy -6` itself (OpenBSD etc/rc.d/ftpproxy6).
  const service = server.family === 'ipv6' ? 'ftpproxy6' : 'ftpproxy';
  const command = `ftp-proxy${server.family === 'ipv6' ? ' -6' : ''}${flags ? ` ${flags}` : ''}`;
  const start =
    proxyPort === PROXY_PORT
      ? `rcctl enable ${service}${flags ? `; rcctl set ${service} flags ${flags}` : ''}`
      : `start another ${command} (rc.d runs one per address family)`;
  out.line(`# ${oneLine(control.purpose)} (${sessionsText(control.sessions)})`);
  out.line(`# divert them to ftp-proxy(8)${side === 'server' ? ' in reverse mode, in front of this one server' : ''}: ${start}`);
  const from = control.initiator.addresses ?? [null];
  const head = side === 'router' ? 'pass in quick' : side === 'server' ? 'pass in quick on egress' : 'pass in quick';
  for (const client of from) {
    out.rule('', `${head} ${af(server)} proto tcp from ${client ?? 'any'} to ${server.ip} port ${port} divert-to ${bind} port ${proxyPort}`, {
      ...flowRule(server, control, 'open'),
      why: `hands control connections to ${nameOf(server)} to ftp-proxy, which opens their data connections in its anchor`,
    });
  }
  out.rule('', `pass out ${af(server)} proto tcp from (self) to ${server.ip} port ${port}`, {
    ...flowRule(server, control, 'open'),
    why: `the proxy's own control connection to ${nameOf(server)}`,
  });
  return flags;
}

const titles: Record<string, string> = {
  'server/helper': 'pf, FTP server: ftp-proxy(8) in reverse mode',
  'server/stateless': 'pf, FTP server host, every port named (no ftp-proxy)',
  'client/helper': "pf, the FTP clients' gateway: ftp-proxy(8)",
  'client/stateless': 'pf, FTP client host, every port named (no ftp-proxy)',
  'router/helper': 'pf, router between clients and server: ftp-proxy(8)',
  'router/stateless': 'pf, router between clients and server, every port named (no ftp-proxy)',
};

/** pf.conf rules for one side and style. */
export function renderPf(plan: FirewallPlan, side: Side, style: Style | null): RuleSet {
  const chosen: Style = style ?? 'stateless';
  const title = titles[`${side}/${chosen}`];
  const out = new RuleSetWriter();
  const notes: string[] = [
    "pf keeps state by default (pf.conf(5)): each pass rule creates a state on the connection's first packet and its replies pass on it, so no rule is written for replies",
    'these rules contain no block rule: put them after the block rule of your pf.conf (the last matching rule wins), then pfctl -nf /etc/pf.conf to check and pfctl -f /etc/pf.conf to load',
  ];
  out.line(`# ftpcap: ${title}`);
  out.line("# pf keeps state by default: replies pass on the state their connection's first packet created.");
  out.line('# Add after the block rule of /etc/pf.conf; check with pfctl -nf /etc/pf.conf, load with pfctl -f.');
  if (plan.servers.some((s) => s.family === 'ipv6')) {
    out.line('');
    out.line('# IPv6 neighbour discovery (pf.conf(5) icmp6-type names)');
    out.rule('', 'pass quick inet6 proto icmp6 icmp6-type { neighbrsol, neighbradv, routersol, routeradv }', {
      part: 'base',
      role: null,
      server: null,
      sessions: [],
      essential: true,
      why: 'IPv6 neighbour discovery: without it the host cannot reach its neighbours once their cache entries expire, whatever the block rule before these says',
    });
  }
  // Servers under TLS are passed explicitly: ftp-proxy cannot read their control connections.
  const proxied = chosen === 'helper' && plan.servers.some((s) => !s.tls);
  if (proxied) {
    out.line('');
    out.line('# the rules ftp-proxy(8) adds for each data connection');
    out.rule('', 'anchor "ftp-proxy/*"', {
      part: 'helper',
      role: null,
      server: null,
      sessions: plan.servers.flatMap((s) => s.sessions),
      essential: true,
      why: 'evaluates the rules ftp-proxy adds for each data connection it reads in a control connection',
    });
  }
  // Reverse mode needs one proxy per server, each on its own port; rc.d runs one per address family.
  const proxyPorts = { ipv4: PROXY_PORT, ipv6: PROXY_PORT };
  for (const server of plan.servers) {
    out.line('');
    out.line(`# FTP server ${nameOf(server)} (${sessionsText(server.sessions, server.sessionsOmitted)})`);
    for (const flow of flowsToOpen(server, chosen)) {
      if (chosen === 'helper' && flow.role === 'control' && !server.tls) {
        writeProxy(out, server, side, flow, proxyPorts[server.family]);
        if (side === 'server') proxyPorts[server.family]++;
        continue;
      }
      writeFlow(out, server, flow, side);
    }
    for (const flow of flowsCovered(server, chosen)) {
      if (server.tls) continue;
      out.line(`# ${oneLine(flow.purpose)}: ftp-proxy lets these through from its anchor`);
    }
    if (chosen === 'helper' && server.tls) {
      notes.push(
        `${nameOf(server)}: the control connection is encrypted, so ftp-proxy cannot read it: its control and data ports are passed explicitly instead`,
      );
    }
  }
  if (proxied) {
    if (side === 'client') {
      notes.push(
        "ftp-proxy serves connections that pass through the pf host (divert-to takes incoming packets): it belongs on the clients' gateway; FTP clients on the pf host itself need the rules without ftp-proxy",
      );
    }
    if (side === 'server' && plan.servers.length > 1) {
      notes.push('one ftp-proxy per server in reverse mode, each listening on its own port (-p 8021, 8022, ...)');
    }
    if (side === 'server') {
      notes.push(
        "ftp-proxy in reverse mode (-R) connects to the one server it fronts; clients see the proxy as the server, and passive replies name the proxy's address",
      );
    }
    if (plan.servers.some((s) => s.family === 'ipv6' && !s.tls))
      notes.push('ftp-proxy -6 (rc.d ftpproxy6) allows only EPSV and EPRT, the extended modes, as IPv6 needs anyway');
    notes.push(
      'ftp-proxy rewrites PORT, EPRT, PASV and EPSV and opens each data connection in its anchor: the data ports need no rule of their own, except where it cannot read the control connection (TLS)',
    );
  }
  if (plan.servers.some((s) => flowsToOpen(s, chosen).some((f) => f.role === 'active-data'))) {
    notes.push(
      'active data: a firewall cannot know which port a client will announce next, so the rules allow the server to connect to any client port above 1023',
    );
  }
  return {
    dialect: 'pf',
    side,
    style: chosen,
    title,
    apply: 'append to /etc/pf.conf after its block rule, then pfctl -nf /etc/pf.conf && pfctl -f /etc/pf.conf',
    text: out.text(),
    rules: out.rules,
    notes,
  };
}
