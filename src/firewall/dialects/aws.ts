/**
 * AWS security groups: the `IpPermissions` JSON for
 * `aws ec2 authorize-security-group-ingress --group-id sg-… --ip-permissions file://FILE`, for the
 * security group of the FTP server's instance or of an FTP client's instance.
 *
 * Follows the Amazon EC2 API Reference (docs.aws.amazon.com/AWSEC2/latest/APIReference/:
 * API_AuthorizeSecurityGroupIngress.html, API_IpPermission.html, API_IpRange.html,
 * API_Ipv6Range.html): AuthorizeSecurityGroupIngress takes `IpPermissions`, a list
 * of IpPermission (`IpProtocol` "tcp", `FromPort`, `ToPort`, `IpRanges` of IpRange {`CidrIp`,
 * `Description`} and `Ipv6Ranges` of Ipv6Range {`CidrIpv6`, `Description`}); a single address is a
 * /32 (IPv4) or /128 (IPv6) CIDR; a Description holds at most 255 characters of a-z, A-Z, 0-9,
 * spaces and `._-:/()#,@[]+=&;{}!$*`. The Amazon VPC User Guide: security groups are stateful (the
 * replies of an allowed connection are allowed whatever the rules) and allow all outbound traffic
 * by default; network ACLs are stateless, so they need rules for the replies too, on the ephemeral
 * ports 1024-65535 (docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html, "Ephemeral
 * ports").
 *
 * A security group knows no FTP and matches no source port: it allows connections to ports, from
 * addresses. The text is the JSON only (one permission per line, so each line is a rule); what it
 * cannot say is in the notes.
 */
import type { FirewallPlan, Flow, PortRange, RuleSet, ServerPlan, Side, Style } from '../types';
import { RuleSetWriter } from '../writer';
import { dashRange, direction, flowRule, nameOf, roleWords } from './flow-parts';

function portsWords(range: PortRange): string {
  return range.min === range.max ? `port ${range.min}` : `ports ${dashRange(range)}`;
}

export const awsSides: Side[] = ['server', 'client'];

/** The characters AWS accepts in a rule's Description. */
export function awsDescription(text: string): string {
  return text
    .replace(/→/g, 'to')
    .replace(/[^a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 255);
}

function cidr(address: string): string {
  return address.includes(':') ? `${address}/128` : `${address}/32`;
}

interface Permission {
  server: ServerPlan;
  flow: Flow;
  ports: PortRange;
  addresses: string[] | null;
  description: string;
}

/** One IpPermission as one line of JSON. */
function permissionJson(p: Permission): string {
  const v6 = p.server.family === 'ipv6';
  const ranges = (p.addresses ?? [v6 ? '::' : '0.0.0.0']).map((a) => (p.addresses ? cidr(a) : `${a}/0`));
  const key = v6 ? 'Ipv6Ranges' : 'IpRanges';
  const cidrKey = v6 ? 'CidrIpv6' : 'CidrIp';
  const permission = {
    IpProtocol: 'tcp',
    FromPort: p.ports.min,
    ToPort: p.ports.max,
    [key]: ranges.map((r) => ({ [cidrKey]: r, Description: p.description })),
  };
  return JSON.stringify(permission);
}

/**
 * The ingress permissions of one side: what the instance's security group must let in. Server:
 * the control port and the passive range, from the clients. Client: active data from the server,
 * to the client's ports above 1023 (a security group cannot match the server's source port 20).
 */
function ingress(server: ServerPlan, side: Side): Permission[] {
  const permissions: Permission[] = [];
  for (const flow of server.flows) {
    if (direction(flow, side) !== 'in') continue;
    for (const ports of flow.responder.ports) {
      permissions.push({
        server,
        flow,
        ports,
        addresses: flow.initiator.addresses,
        description: awsDescription(
          `ftpcap ${nameOf(server)} ${roleWords(flow.role)}${side === 'server' ? '' : ' from the server'}${flow.role === 'control' ? '' : ` ${portsWords(ports)}`}`,
        ),
      });
    }
  }
  return permissions;
}

/** The outbound permissions the same flows need where egress is restricted (for the notes). */
function egress(server: ServerPlan, side: Side): Permission[] {
  const permissions: Permission[] = [];
  for (const flow of server.flows) {
    if (direction(flow, side) !== 'out') continue;
    for (const ports of flow.responder.ports) {
      permissions.push({
        server,
        flow,
        ports,
        addresses: flow.responder.addresses,
        description: awsDescription(`ftpcap ${nameOf(server)} ${roleWords(flow.role)} ${portsWords(ports)}`),
      });
    }
  }
  return permissions;
}

/** Security group ingress permissions for one side; the style does not apply (stateful, not FTP-aware). */
export function renderAws(plan: FirewallPlan, side: Side, _style: Style | null): RuleSet {
  const out = new RuleSetWriter();
  const notes: string[] = [];
  const title =
    side === 'server'
      ? 'AWS security group of the FTP server instance (ingress)'
      : side === 'client'
        ? 'AWS security group of an FTP client instance (ingress)'
        : 'AWS: no security group for a router';
  const permissions = side === 'router' ? [] : plan.servers.flatMap((server) => ingress(server, side));
  out.line('[');
  permissions.forEach((p, i) => {
    out.rule('  ', `${permissionJson(p)}${i < permissions.length - 1 ? ',' : ''}`, {
      ...flowRule(p.server, p.flow, 'open'),
    });
  });
  out.line(']');
  notes.push('security groups are stateful: the replies of an allowed connection pass without rules; they know nothing of FTP, so every data port is named');
  if (side === 'router') notes.push('security groups belong to instances, not routers: use the server or client side, and the network ACL notes below');
  if (permissions.length === 0 && side !== 'router')
    notes.push('nothing to let in on this side: the instance opens every connection itself (aws rejects an empty list: skip the command)');
  if (side === 'client' && permissions.length > 0) {
    notes.push(
      'a security group cannot match the source port: active data from the server is allowed from its address to every client port above 1023 (port 20 cannot be required)',
    );
  }
  const outbound = side === 'router' ? [] : plan.servers.flatMap((server) => egress(server, side));
  if (outbound.length > 0) {
    notes.push(
      `outbound: a security group allows all outbound traffic by default; where that rule was removed, authorize-security-group-egress needs ${outbound.map((p) => `${roleWords(p.flow.role)} to ${p.addresses ? p.addresses.join(' ') : 'any address'} ${portsWords(p.ports)}`).join('; ')}`,
    );
  }
  if (plan.servers.length > 1 && side === 'server') {
    notes.push(
      `one list for ${plan.servers.length} servers: each permission's Description names its server; give each instance's security group its own (${plan.servers.map(nameOf).join(', ')})`,
    );
  }
  const servers = plan.servers.filter((s) => s.flows.length > 0);
  if (servers.length > 0) {
    const serverNacl = servers
      .map(
        (s) =>
          `${nameOf(s)}: inbound ${s.flows
            .filter((f) => f.role !== 'active-data')
            .map((f) => f.responder.ports.map(dashRange).join(','))
            .join(
              ' and ',
            )}${s.flows.some((f) => f.role === 'active-data') ? ' and 1024-65535 (replies to active data)' : ''}, outbound 1024-65535 to the clients`,
      )
      .join('; ');
    notes.push(`network ACLs are stateless: the subnet's NACL needs the replies too, on ephemeral ports 1024-65535 both ways (server subnet, ${serverNacl})`);
  }
  const passive4 = plan.servers.filter((s) => s.family === 'ipv4' && s.passive !== null);
  if (side === 'server' && passive4.length > 0) {
    notes.push(
      `passive mode on an instance with a public or Elastic IP: the server must announce that public address in its passive replies (see the server configuration), or clients dial its private one (${passive4.map(nameOf).join(', ')})`,
    );
  }
  return {
    dialect: 'aws',
    side,
    style: null,
    title,
    apply: 'aws ec2 authorize-security-group-ingress --group-id sg-0123456789abcdef0 --ip-permissions file://FILE (your group id)',
    text: out.text(),
    rules: out.rules,
    notes,
  };
}
