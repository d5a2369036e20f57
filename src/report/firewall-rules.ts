/**
 * Firewall rules for the FTP servers seen, in two dialects (nftables, iptables) and two styles:
 * stateful with the kernel FTP helper assigned explicitly (needed since Linux 4.7), and stateless
 * rules that name every port (no helper, no connection tracking).
 *
 * The rules are written for the FTP server host itself (input/output chains). On a router in front
 * of the server the same matches belong in the forward chain.
 */
import { needsExplicitPassivePorts, type FirewallPlan, type PortRange, type ServerNeeds } from './firewall';

const EPHEMERAL: PortRange = { min: 1024, max: 65535 };

function nftRange(range: PortRange): string {
  return range.min === range.max ? `${range.min}` : `${range.min}-${range.max}`;
}

function iptRange(range: PortRange): string {
  return range.min === range.max ? `${range.min}` : `${range.min}:${range.max}`;
}

function nftAddr(server: ServerNeeds): string {
  return server.family === 'ipv6' ? 'ip6' : 'ip';
}

function nftSet(values: Array<number | string>): string {
  return values.length === 1 ? `${values[0]}` : `{ ${values.join(', ')} }`;
}

function describe(server: ServerNeeds): string {
  const parts = [`control port ${server.controlPort}`];
  if (server.passivePorts) parts.push(`passive ports ${nftRange(server.passivePorts)} (${server.passivePortsSeen.length} seen)`);
  if (server.active) parts.push(`active connections to ${server.active.clients.join(', ')}`);
  return `FTP server ${server.ip}: ${parts.join(', ')}; clients seen: ${server.clients.join(', ')}`;
}

/** A name for a ct helper object; one per control port. */
function helperName(port: number): string {
  return `ftp-${port}`;
}

/** nftables ruleset with the FTP helper (`ct helper`), checkable with `nft -c -f`. */
export function renderNftablesHelper(plan: FirewallPlan): string {
  if (plan.servers.length === 0) return '';
  const ports = [...new Set(plan.servers.map((s) => s.controlPort))].sort((a, b) => a - b);
  const lines: string[] = [
    '# ftpcap: stateful rules with the kernel FTP helper for the traffic in the capture.',
    '# Load into a host whose input policy is drop: nft -f FILE. Policy drop below blocks',
    '# everything not listed, so merge these rules into your own ruleset rather than adding a table.',
    'table inet ftpcap {',
  ];
  for (const port of ports) {
    lines.push(`  ct helper ${helperName(port)} {`, '    type "ftp" protocol tcp', '    l3proto inet', '  }', '');
  }
  lines.push('  chain prerouting {', '    type filter hook prerouting priority filter; policy accept;');
  for (const server of plan.servers) {
    lines.push(`    ${nftAddr(server)} daddr ${server.ip} tcp dport ${server.controlPort} ct helper set "${helperName(server.controlPort)}"`);
  }
  lines.push('  }', '');
  lines.push(
    '  chain input {',
    '    type filter hook input priority filter; policy drop;',
    '    ct state established,related accept',
    '    iif "lo" accept',
  );
  for (const server of plan.servers) {
    lines.push(`    # ${describe(server)}`);
    lines.push(`    ${nftAddr(server)} daddr ${server.ip} tcp dport ${server.controlPort} ct state new accept`);
    if (needsExplicitPassivePorts(server) && server.passivePorts) {
      lines.push(`    ${nftAddr(server)} daddr ${server.ip} tcp dport ${nftRange(server.passivePorts)} ct state new accept`);
    }
  }
  lines.push('  }', '');
  lines.push(
    '  chain output {',
    '    type filter hook output priority filter; policy drop;',
    '    ct state established,related accept',
    '    oif "lo" accept',
  );
  for (const server of plan.servers) {
    if (server.active) {
      lines.push(`    # active mode: ${server.ip} connects back to clients (RELATED through the helper)`);
    }
  }
  lines.push('  }', '}', '');
  return lines.join('\n');
}

/** nftables ruleset without helper or connection tracking: every port named both ways. */
export function renderNftablesStateless(plan: FirewallPlan): string {
  if (plan.servers.length === 0) return '';
  const lines: string[] = [
    '# ftpcap: stateless rules (no helper, no connection tracking) for the traffic in the capture.',
    'table inet ftpcap_stateless {',
    '  chain input {',
    '    type filter hook input priority filter; policy drop;',
    '    iif "lo" accept',
  ];
  const out: string[] = [];
  for (const server of plan.servers) {
    const a = nftAddr(server);
    lines.push(`    # ${describe(server)}`);
    lines.push(`    ${a} daddr ${server.ip} tcp dport ${server.controlPort} accept`);
    out.push(`    ${a} saddr ${server.ip} tcp sport ${server.controlPort} accept`);
    if (server.passivePorts) {
      lines.push(`    ${a} daddr ${server.ip} tcp dport ${nftRange(server.passivePorts)} accept`);
      out.push(`    ${a} saddr ${server.ip} tcp sport ${nftRange(server.passivePorts)} accept`);
    }
    if (server.active) {
      const sources = fixedSourcePort(server) ? nftSet(server.active.sourcePorts) : nftRange(EPHEMERAL);
      const clients = nftSet(server.active.clients);
      const ports = nftRange(server.active.clientPorts);
      out.push(`    ${a} saddr ${server.ip} tcp sport ${sources} ${a} daddr ${clients} tcp dport ${ports} accept`);
      lines.push(`    ${a} daddr ${server.ip} tcp dport ${sources} ${a} saddr ${clients} tcp sport ${ports} tcp flags & syn == 0 accept`);
    }
  }
  lines.push('  }', '', '  chain output {', '    type filter hook output priority filter; policy drop;', '    oif "lo" accept', ...out, '  }', '}', '');
  return lines.join('\n');
}

function iptables(server: ServerNeeds): string {
  return server.family === 'ipv6' ? 'ip6tables' : 'iptables';
}

/** iptables commands with the FTP helper assigned in the raw table (`-j CT --helper ftp`). */
export function renderIptablesHelper(plan: FirewallPlan): string {
  if (plan.servers.length === 0) return '';
  const lines = ['# ftpcap: stateful iptables rules with the kernel FTP helper for the traffic in the capture.'];
  for (const server of plan.servers) {
    const ipt = iptables(server);
    lines.push(`# ${describe(server)}`);
    lines.push(`${ipt} -t raw -A PREROUTING -p tcp -d ${server.ip} --dport ${server.controlPort} -j CT --helper ftp`);
    if (server.controlPort !== 21) {
      lines.push(`# port ${server.controlPort} needs the helper loaded for it: modprobe nf_conntrack_ftp ports=21,${server.controlPort}`);
    }
    lines.push(`${ipt} -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`);
    lines.push(`${ipt} -A INPUT -p tcp -d ${server.ip} --dport ${server.controlPort} -m conntrack --ctstate NEW -j ACCEPT`);
    if (needsExplicitPassivePorts(server) && server.passivePorts) {
      lines.push(`${ipt} -A INPUT -p tcp -d ${server.ip} --dport ${iptRange(server.passivePorts)} -m conntrack --ctstate NEW -j ACCEPT`);
    }
    lines.push(`${ipt} -A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`);
  }
  lines.push('');
  return lines.join('\n');
}

/** iptables commands without helper or connection tracking. */
export function renderIptablesStateless(plan: FirewallPlan): string {
  if (plan.servers.length === 0) return '';
  const lines = ['# ftpcap: stateless iptables rules (no helper, no connection tracking).'];
  for (const server of plan.servers) {
    const ipt = iptables(server);
    const s = server.ip;
    lines.push(`# ${describe(server)}`);
    lines.push(`${ipt} -A INPUT -p tcp -d ${s} --dport ${server.controlPort} -j ACCEPT`);
    lines.push(`${ipt} -A OUTPUT -p tcp -s ${s} --sport ${server.controlPort} -j ACCEPT`);
    if (server.passivePorts) {
      lines.push(`${ipt} -A INPUT -p tcp -d ${s} --dport ${iptRange(server.passivePorts)} -j ACCEPT`);
      lines.push(`${ipt} -A OUTPUT -p tcp -s ${s} --sport ${iptRange(server.passivePorts)} -j ACCEPT`);
    }
    if (server.active) {
      const ports = iptRange(server.active.clientPorts);
      // The source ports seen, or the whole ephemeral range when no connection was seen.
      const sources = fixedSourcePort(server) ? server.active.sourcePorts.map(String) : [iptRange(EPHEMERAL)];
      for (const client of server.active.clients) {
        for (const sp of sources) {
          lines.push(`${ipt} -A OUTPUT -p tcp -s ${s} --sport ${sp} -d ${client} --dport ${ports} -j ACCEPT`);
          lines.push(`${ipt} -A INPUT -p tcp -d ${s} --dport ${sp} -s ${client} --sport ${ports} ! --syn -j ACCEPT`);
        }
      }
    }
  }
  lines.push('');
  return lines.join('\n');
}

export interface RenderedRules {
  nftables: string;
  iptables: string;
  nftablesStateless: string;
  iptablesStateless: string;
}

export function renderFirewallRules(plan: FirewallPlan): RenderedRules {
  return {
    nftables: renderNftablesHelper(plan),
    iptables: renderIptablesHelper(plan),
    nftablesStateless: renderNftablesStateless(plan),
    iptablesStateless: renderIptablesStateless(plan),
  };
}

/**
 * True when the server's active connections came from fixed source ports: a privileged one (20),
 * or the port below the control port (RFC 959's default L-1, e.g. 2120 beside 2121). Those are
 * named. A server that connects from ephemeral ports (ProFTPD with RootRevoke, vsftpd with
 * connect_from_port_20=NO) will use other ones next time, so the whole unprivileged range is needed.
 */
export function fixedSourcePort(server: ServerNeeds): boolean {
  const ports = server.active?.sourcePorts ?? [];
  return ports.length > 0 && ports.every((p) => p < 1024 || p === server.controlPort - 1);
}
