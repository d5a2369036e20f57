/**
 * firewalld: a shell script that writes firewalld definitions (XML) and installs them with
 * firewall-cmd into the permanent configuration, for the FTP server host or an FTP client host.
 *
 * Follows firewalld's own manual pages (firewalld 1.3; firewalld.org/documentation/man-pages/):
 * - firewalld.service(5): a service holds `<port>` entries, one `<destination ipv4=… ipv6=…/>`
 *   that limits it to the server's address, and `<helper name="…"/>` (the conntrack helper the
 *   service's connections get);
 * - firewalld.helper(5): a helper names a netfilter module (`nf_conntrack_ftp`) and the `<port>`
 *   it watches; the stock `ftp` helper watches port 21 only, so another control port gets a helper
 *   of its own (`ftp-2121`);
 * - firewalld.policy(5) / firewalld.policies(5): a policy from the symbolic zone HOST to ANY
 *   applies a service to the connections the host itself opens, which is how an FTP client host
 *   gets the helper on its outgoing control connections (zones only see incoming ones);
 * - firewalld.richlanguage(5): `rule family=… source address=… source-port …|port … accept` for
 *   what a service cannot say (a source address or a source port);
 * - firewall-cmd(1): `--new-service-from-file`, `--new-helper-from-file`, `--new-policy-from-file`,
 *   `--add-service`, `--add-rich-rule`, `--reload`.
 *
 * firewalld is stateful whatever is loaded into it: its zones accept established and related
 * packets, and by default it does not filter what the host sends. So "stateless" here means without
 * the FTP helper, every port named; the replies still pass on connection tracking. A router between
 * zones is not written (sides: server and client).
 */
import type { FirewallPlan, Flow, RuleSet, ServerPlan, Side, Style } from '../types';
import { RuleSetWriter } from '../writer';
import { dashRange, direction, endParts, flowRule, flowsCovered, flowsToOpen, nameOf, oneLine, roleWords, sessionsText } from './flow-parts';

export const firewalldSides: Side[] = ['server', 'client'];

const INDENT = '  ';
const POLICY = 'ftpcap-client';

/** A firewalld name for the server's service: letters, digits and dashes. */
export function serviceName(server: ServerPlan): string {
  return `ftpcap-${server.ip.replace(/[^0-9A-Za-z]+/g, '-')}-${server.controlPort}`;
}

/** The helper bound to a control port: firewalld's stock `ftp` for 21, one of ours for any other. */
function helperName(port: number): string {
  return port === 21 ? 'ftp' : `ftp-${port}`;
}

/** Text inside an XML comment (no `--`, which XML forbids there). */
function xmlComment(text: string): string {
  return `<!-- ${oneLine(text).replace(/-{2,}/g, '-')} -->`;
}

function familyOf(server: ServerPlan): 'ipv4' | 'ipv6' {
  return server.family;
}

/** `cat > FILE <<'EOF'` … `EOF`: the script writes each definition next to itself. */
function heredoc(out: RuleSetWriter, file: string, body: (out: RuleSetWriter) => void): void {
  out.line(`cat > ${file} <<'EOF'`);
  out.line('<?xml version="1.0" encoding="utf-8"?>');
  body(out);
  out.line('EOF');
}

function writeHelper(out: RuleSetWriter, port: number, servers: ServerPlan[]): void {
  const name = helperName(port);
  out.line(`# The stock ftp helper watches port 21 only: a helper for port ${port} (firewalld.helper(5))`);
  heredoc(out, `${name}.xml`, (w) => {
    w.line('<helper module="nf_conntrack_ftp">');
    w.line(`${INDENT}<short>FTP on port ${port}</short>`);
    w.rule(INDENT, `<port protocol="tcp" port="${port}"/> ${xmlComment(`the FTP helper reads control connections on port ${port}`)}`, {
      part: 'helper',
      role: 'control',
      server: servers.length === 1 ? nameOf(servers[0]) : null,
      sessions: servers.flatMap((s) => s.sessions),
      essential: true,
      why: `makes the kernel FTP helper read control connections on port ${port}, which the stock ftp helper does not watch`,
    });
    w.line('</helper>');
  });
  out.line(`firewall-cmd --permanent --new-helper-from-file=${name}.xml --name=${name}`);
}

/**
 * The service for one server: its control port, the ports of the flows this side must open into
 * the host, its address as destination, and the helper when the style has one.
 */
function writeService(out: RuleSetWriter, server: ServerPlan, side: Side, style: Style, flows: Flow[]): void {
  const name = serviceName(server);
  const withHelper = style === 'helper' && !server.tls;
  heredoc(out, `${name}.xml`, (w) => {
    w.line('<service>');
    w.line(`${INDENT}<short>FTP ${nameOf(server)}</short>`);
    w.line(`${INDENT}<description>Written by ftpcap for the FTP traffic of ${sessionsText(server.sessions, server.sessionsOmitted)}.</description>`);
    for (const flow of flows) {
      for (const range of flow.responder.ports) {
        w.rule(INDENT, `<port protocol="tcp" port="${dashRange(range)}"/> ${xmlComment(`${nameOf(server)} ${flow.purpose}`)}`, flowRule(server, flow, 'open'));
      }
    }
    w.line(`${INDENT}<destination ${familyOf(server)}="${server.ip}"/>`);
    if (withHelper) {
      w.rule(
        INDENT,
        `<helper name="${helperName(server.controlPort)}"/> ${xmlComment(`${nameOf(server)}: the kernel FTP helper follows PORT, EPRT, PASV and EPSV and lets their data connections in as related`)}`,
        {
          part: 'helper',
          role: 'control',
          server: nameOf(server),
          sessions: server.sessions,
          essential: true,
          why: `lets the kernel FTP helper read the control connections of ${nameOf(server)} and open their data connections (${side === 'server' ? 'passive mode' : 'active mode'})`,
        },
      );
    }
    w.line('</service>');
  });
  out.line(`firewall-cmd --permanent --new-service-from-file=${name}.xml --name=${name}`);
  if (withHelper) {
    // firewall-cmd hands a service file to the daemon in a form without helpers (firewalld 1.3): name it again.
    out.line('# --new-service-from-file leaves the helper out when firewalld is running: add it by name');
    out.rule('', `firewall-cmd --permanent --service=${name} --add-helper=${helperName(server.controlPort)}`, {
      part: 'helper',
      role: 'control',
      server: nameOf(server),
      sessions: server.sessions,
      essential: true,
      why: `binds the FTP helper to the service of ${nameOf(server)}; without it the running firewalld installs the service without its helper`,
    });
  }
}

/** `rule family="ipv4" source address="…"` … `accept`, quoted for the shell. */
function richRule(family: 'ipv4' | 'ipv6', parts: string[]): string {
  return `firewall-cmd --permanent --add-rich-rule='rule family="${family}" ${parts.join(' ')} accept'`;
}

/** Adds the server's service to the default zone, for any client or for each client named. */
function writeZoneBinding(out: RuleSetWriter, server: ServerPlan, control: Flow): void {
  const name = serviceName(server);
  const meta = {
    part: 'policy' as const,
    role: 'control' as const,
    server: nameOf(server),
    sessions: server.sessions,
    essential: true,
    why: `puts the service of ${nameOf(server)} into the default zone: without it the definition above opens nothing`,
  };
  if (control.initiator.addresses === null) {
    out.rule('', `firewall-cmd --permanent --add-service=${name}`, meta);
    return;
  }
  for (const client of control.initiator.addresses) {
    out.rule('', richRule(server.family, [`source address="${client}"`, `service name="${name}"`]), {
      ...meta,
      why: `${meta.why}; only for the client ${client}`,
    });
  }
}

/**
 * Rich rules for flows whose first packets come into a client host: active data from the server.
 * A fixed source port (20) is matched as such; temporary source ports leave only the destination
 * ports to match (the client's, above 1023).
 */
function writeInboundRichRules(out: RuleSetWriter, server: ServerPlan, flow: Flow): void {
  out.line(`# ${oneLine(flow.purpose)} (${sessionsText(flow.sessions)})`);
  const fixed = flow.initiator.ports.every((r) => r.max < 1024 || r.min === r.max);
  for (const source of endParts(flow.initiator)) {
    for (const destination of endParts(flow.responder)) {
      const parts = [source.address ? `source address="${source.address}"` : null, destination.address ? `destination address="${destination.address}"` : null];
      if (fixed && source.ports) parts.push(`source-port port="${dashRange(source.ports)}" protocol="tcp"`);
      else parts.push(`port port="${destination.ports ? dashRange(destination.ports) : '1-65535'}" protocol="tcp"`);
      out.rule(
        '',
        richRule(
          server.family,
          parts.filter((p): p is string => p !== null),
        ),
        flowRule(server, flow, 'open'),
      );
    }
  }
}

const titles: Record<string, string> = {
  'server/helper': 'firewalld, FTP server host, with the FTP helper',
  'server/stateless': 'firewalld, FTP server host, every port named (no helper)',
  'client/helper': 'firewalld, FTP client host, with the FTP helper (policy from HOST to ANY)',
  'client/stateless': 'firewalld, FTP client host, every port named (no helper)',
};

/** firewalld definitions and commands for one side (server or client host) and style. */
export function renderFirewalld(plan: FirewallPlan, side: Side, style: Style | null): RuleSet {
  const chosen: Style = style ?? 'helper';
  const out = new RuleSetWriter();
  const notes: string[] = [];
  const title = titles[`${side}/${chosen}`] ?? `firewalld (${side})`;
  out.line(`#!/bin/sh`);
  out.line(`# ftpcap: ${title}`);
  out.line('# Run as root in an empty directory: it writes the definitions below there, installs them into');
  out.line("# firewalld's permanent configuration and reloads it. firewalld accepts the replies of accepted");
  out.line('# connections itself (established), and lets the host open connections out by default.');
  out.line('set -e');
  if (side === 'router') {
    notes.push(
      'firewalld filters the host it runs on; for a router between zones write a policy between those zones (firewalld.policies(5)) with the same ports: not generated',
    );
    return finish(out, side, chosen, title, notes);
  }
  const helperPorts = new Map<number, ServerPlan[]>();
  if (chosen === 'helper') {
    for (const server of plan.servers) {
      if (server.tls || server.controlPort === 21) continue;
      const list = helperPorts.get(server.controlPort) ?? [];
      list.push(server);
      helperPorts.set(server.controlPort, list);
    }
  }
  for (const [port, servers] of helperPorts) writeHelper(out, port, servers);
  const policyServices: ServerPlan[] = [];
  for (const server of plan.servers) {
    const control = server.flows.find((f) => f.role === 'control');
    if (!control) continue;
    out.line('');
    out.line(`# FTP server ${nameOf(server)} (${sessionsText(server.sessions, server.sessionsOmitted)})`);
    const open = flowsToOpen(server, chosen);
    if (side === 'server') {
      // Everything that comes into the server host goes into its service; what it opens (active data) goes out freely.
      writeService(
        out,
        server,
        side,
        chosen,
        open.filter((f) => direction(f, side) === 'in'),
      );
      writeZoneBinding(out, server, control);
      for (const flow of open.filter((f) => direction(f, side) === 'out')) {
        notes.push(
          `${nameOf(server)}: ${oneLine(flow.purpose)}; firewalld lets the host's own connections out by default, so no rule is written (add a policy from HOST if you filter outgoing traffic)`,
        );
      }
    } else {
      if (chosen === 'helper' && !server.tls) {
        // The helper must see the control connections the client host opens: a service with only the control port, applied by the policy.
        writeService(out, server, side, chosen, [control]);
        policyServices.push(server);
      }
      for (const flow of open.filter((f) => direction(f, side) === 'in')) writeInboundRichRules(out, server, flow);
      const outgoing = open.filter((f) => direction(f, side) === 'out' && !(chosen === 'helper' && f.role === 'control' && !server.tls));
      if (outgoing.length > 0) {
        notes.push(
          `${nameOf(server)}: the client host opens its ${outgoing.map((f) => roleWords(f.role)).join(' and ')} itself; firewalld lets them out by default, so no rule is written for them`,
        );
      }
    }
    for (const flow of flowsCovered(server, chosen)) {
      out.line(`# ${oneLine(flow.purpose)}: the helper lets these through as related (${sessionsText(flow.sessions)})`);
    }
    if (server.tls && chosen === 'helper') {
      notes.push(
        `${nameOf(server)}: the control connection is encrypted, so the FTP helper cannot read it: the service names the data ports instead and carries no helper`,
      );
    }
  }
  if (policyServices.length > 0) {
    out.line('');
    out.line('# A policy from the host to anywhere, so the helper sees the control connections this host opens (firewalld.policy(5))');
    heredoc(out, `${POLICY}.xml`, (w) => {
      w.line('<policy target="CONTINUE">');
      w.line(`${INDENT}<short>ftpcap: FTP clients on this host</short>`);
      w.line(`${INDENT}<ingress-zone name="HOST"/>`);
      w.line(`${INDENT}<egress-zone name="ANY"/>`);
      for (const server of policyServices) {
        w.rule(INDENT, `<service name="${serviceName(server)}"/> ${xmlComment(`${nameOf(server)}: the FTP helper on this host's control connections to it`)}`, {
          part: 'helper',
          role: 'control',
          server: nameOf(server),
          sessions: server.sessions,
          essential: true,
          why: `binds the kernel FTP helper to the control connections this host opens to ${nameOf(server)}, so the server's active data connections come in as related`,
        });
      }
      w.line('</policy>');
    });
    out.line(`firewall-cmd --permanent --new-policy-from-file=${POLICY}.xml --name=${POLICY}`);
    notes.push('policies need firewalld 0.9 or later');
  }
  out.line('');
  out.line('firewall-cmd --reload');
  if (plan.servers.some((s) => s.controlPort !== 21) && chosen === 'helper') {
    notes.push('a control port other than 21 gets a helper definition of its own (firewalld.helper(5)); the stock ftp helper watches port 21 only');
  }
  notes.push(
    'to run the script again, first remove what it created: firewall-cmd --permanent --delete-service=NAME (and --delete-helper, --delete-policy), or the new-…-from-file commands fail with NAME_CONFLICT',
  );
  return finish(out, side, chosen, title, notes);
}

function finish(out: RuleSetWriter, side: Side, style: Style, title: string, notes: string[]): RuleSet {
  return {
    dialect: 'firewalld',
    side,
    style,
    title,
    apply: 'as root, in an empty directory: sh FILE (writes the XML definitions, installs them with firewall-cmd --permanent, reloads)',
    text: out.text(),
    rules: out.rules,
    notes,
  };
}
