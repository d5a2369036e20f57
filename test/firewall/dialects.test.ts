/**
 * Every dialect beyond nftables/iptables (firewalld, pf, Cisco IOS, H3C Comware, Huawei VRP, AWS)
 * over every hand-built plan (test/firewall/plans.ts), side and style: each rule stands on its line
 * of the text, each flow the set must open has a rule, and the lines the platforms' documentation
 * prescribes are there.
 */
import { describe, expect, test } from 'vitest';
import { direction, nameOf } from '../../src/firewall/dialects/flow-parts';
import type { Flow, RuleSet, ServerPlan, Side, Style } from '../../src/firewall/types';
import { plan, plans } from './plans';
import { combinations, renderers, type Renderer } from './renderers';

const cases = Object.entries(plans).flatMap(([planName, p]) => combinations().map((c) => ({ ...c, planName, plan: p })));

/** Whether the dialect writes an opening rule for this flow on this side, or leaves it to something else. */
function expectsOpenRule(renderer: string, side: Side, style: Style | null, server: ServerPlan, flow: Flow): boolean {
  const covered = style === 'helper' && flow.role !== 'control' && flow.helperCovers;
  if (covered) return false;
  const way = direction(flow, side);
  // firewalld and AWS security groups let the host's own connections out by default: nothing is written for those.
  if ((renderer === 'firewalld' || renderer === 'aws') && way === 'out') return false;
  // firewalld with the helper binds the client's control connections through the policy (a helper rule, not an open rule).
  if (renderer === 'firewalld' && side === 'client' && flow.role === 'control') return false;
  void server;
  return true;
}

describe.each(cases.map((c) => [`${c.planName}: ${c.label}`, c] as const))('%s', (_name, c) => {
  const set: RuleSet = c.renderer.render(c.plan, c.side, c.style);
  const lines = set.text.split('\n');

  test('each rule is its line of the text, with a reason', () => {
    expect(set.text.endsWith('\n')).toBe(true);
    for (const rule of set.rules) {
      expect(lines[rule.line - 1].trim(), `line ${rule.line}`).toBe(rule.text);
      expect(rule.why.length).toBeGreaterThan(0);
      expect(rule.text).not.toMatch(/[\r\n\u0000-\u0008\u000b-\u001f]/);
    }
    expect(new Set(set.rules.map((r) => r.line)).size).toBe(set.rules.length);
  });

  test('each flow the set must open has a rule', () => {
    for (const server of c.plan.servers) {
      for (const flow of server.flows) {
        const rules = set.rules.filter((r) => r.server === nameOf(server) && r.role === flow.role && (r.part === 'open' || r.part === 'helper'));
        if (expectsOpenRule(c.renderer.name, c.side, c.style, server, flow)) expect(rules.length, `${nameOf(server)} ${flow.role}`).toBeGreaterThan(0);
      }
    }
  });

  test('stateless ACLs name the replies of every flow', () => {
    const acl = ['cisco-ios', 'comware', 'huawei-vrp'].includes(c.renderer.name) && c.style !== 'helper';
    if (!acl) return;
    for (const server of c.plan.servers) {
      for (const flow of server.flows) {
        expect(set.rules.some((r) => r.server === nameOf(server) && r.role === flow.role && r.part === 'replies')).toBe(true);
      }
    }
  });

  test('the address family of every server', () => {
    for (const server of c.plan.servers) if (set.rules.some((r) => r.server === nameOf(server))) expect(set.text).toContain(server.ip);
    const v6 = c.plan.servers.some((s) => s.family === 'ipv6');
    const v6Forms: Record<string, RegExp> = {
      firewalld: /ipv6="|family="ipv6"/,
      pf: /inet6/,
      'cisco-ios': /ipv6 access-list/,
      comware: /acl ipv6 advanced/,
      'huawei-vrp': /acl ipv6 number/,
      aws: /Ipv6Ranges/,
    };
    const form = v6Forms[c.renderer.name];
    // firewalld's client side without helper names the server only in rich rules for active data.
    if (v6 && set.rules.length > 0) expect(set.text).toMatch(form);
    if (!v6) expect(set.text).not.toMatch(form);
  });
});

/** Lines the platforms' documentation prescribes, per plan and set. */
// biome-ignore format: a table, one row a line
const expectedLines: Array<[string, string, Side, Style | null, string[]]> = [
  ['ipv4-passive-given', 'firewalld', 'server', 'helper', ['<port protocol="tcp" port="21"/>', '<destination ipv4="192.0.2.10"/>', '<helper name="ftp"/>', 'firewall-cmd --permanent --add-service=ftpcap-192-0-2-10-21']],
  ['ipv4-2121-mixed', 'firewalld', 'server', 'helper', ['<helper module="nf_conntrack_ftp">', '<port protocol="tcp" port="2121"/>', '<helper name="ftp-2121"/>', 'firewall-cmd --permanent --new-helper-from-file=ftp-2121.xml --name=ftp-2121']],
  ['ipv4-active-port20', 'firewalld', 'client', 'helper', ['<policy target="CONTINUE">', '<ingress-zone name="HOST"/>', '<egress-zone name="ANY"/>', '<service name="ftpcap-192-0-2-10-21"/>']],
  ['ipv4-active-port20', 'firewalld', 'client', 'stateless', [`firewall-cmd --permanent --add-rich-rule='rule family="ipv4" source address="192.0.2.10" source-port port="20" protocol="tcp" accept'`]],
  ['ipv4-2121-mixed', 'firewalld', 'client', 'stateless', [`firewall-cmd --permanent --add-rich-rule='rule family="ipv4" source address="192.0.2.10" port port="1024-65535" protocol="tcp" accept'`]],
  ['ipv4-auth-tls-clients', 'firewalld', 'server', 'helper', [`firewall-cmd --permanent --add-rich-rule='rule family="ipv4" source address="198.51.100.21" service name="ftpcap-192-0-2-10-21" accept'`, '<port protocol="tcp" port="40000-40100"/>']],
  ['ipv4-passive-given', 'pf', 'server', 'stateless', ['pass in on egress inet proto tcp from any port 1024:65535 to 192.0.2.10 port 21', 'pass in on egress inet proto tcp from any port 1024:65535 to 192.0.2.10 port 40000:40100']],
  ['ipv4-active-port20', 'pf', 'server', 'stateless', ['pass out on egress inet proto tcp from 192.0.2.10 port 20 to any port 1024:65535']],
  ['ipv4-active-port20', 'pf', 'client', 'stateless', ['pass in on egress inet proto tcp from 192.0.2.10 port 20 to any port 1024:65535']],
  ['ipv4-passive-given', 'pf', 'server', 'helper', ['anchor "ftp-proxy/*"', 'pass in quick on egress inet proto tcp from any to 192.0.2.10 port 21 divert-to 127.0.0.1 port 8021']],
  ['ipv6-passive-active', 'pf', 'client', 'helper', ['pass in quick inet6 proto tcp from any to 2001:db8::10 port 21 divert-to ::1 port 8021']],
  ['ipv4-990-tls', 'pf', 'router', 'helper', ['pass inet proto tcp from any port 1024:65535 to 192.0.2.10 port 990', 'pass inet proto tcp from any port 1024:65535 to 192.0.2.10 port 40000:40009']],
  ['ipv4-active-port20', 'cisco-ios', 'router', 'stateless', ['10 permit tcp any gt 1023 host 192.0.2.10 eq ftp', '20 permit tcp any gt 1023 host 192.0.2.10 eq ftp-data established', '30 permit tcp host 192.0.2.10 eq ftp any gt 1023 established', '40 permit tcp host 192.0.2.10 eq ftp-data any gt 1023', 'ip access-group FTPCAP-FROM-CLIENTS in', 'ip access-group FTPCAP-FROM-SERVERS in']],
  ['ipv4-2121-mixed', 'cisco-ios', 'router', 'stateless', ['60 permit tcp host 192.0.2.10 gt 1023 any gt 1023', '30 permit tcp any gt 1023 host 192.0.2.10 gt 1023 established']],
  ['ipv6-passive-active', 'cisco-ios', 'router', 'stateless', ['sequence 10 permit tcp any gt 1023 host 2001:db8::10 eq ftp', 'ipv6 traffic-filter FTPCAP6-FROM-CLIENTS in']],
  ['ipv4-2121-mixed', 'cisco-ios', 'router', 'helper', ['ip port-map ftp port tcp 2121', 'match protocol ftp', 'service-policy type inspect FTPCAP-CLIENTS-TO-SERVERS', 'zone-member security FTPCAP-CLIENTS']],
  ['ipv4-passive-given', 'comware', 'router', null, ['rule 5 permit tcp destination 192.0.2.10 0 source-port gt 1023 destination-port eq ftp', 'rule 15 permit tcp source 192.0.2.10 0 source-port eq ftp destination-port gt 1023 established', 'packet-filter 3000 inbound', 'packet-filter 3001 inbound']],
  ['ipv4-active-port20', 'comware', 'router', null, ['rule 20 permit tcp source 192.0.2.10 0 source-port eq ftp-data destination-port gt 1023']],
  ['ipv4-active-port20', 'huawei-vrp', 'router', null, ['rule 10 permit tcp destination 192.0.2.10 0 source-port gt 1023 destination-port eq ftp-data tcp-flag established', 'traffic-filter inbound acl 3000']],
  ['ipv6-passive-active', 'huawei-vrp', 'router', null, ['rule 5 permit tcp destination 2001:db8::10 128 source-port gt 1023 destination-port eq ftp', 'traffic-filter inbound acl ipv6 3000']],
  ['ipv4-passive-given', 'aws', 'server', null, ['{"IpProtocol":"tcp","FromPort":21,"ToPort":21,"IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"ftpcap 192.0.2.10:21 control connections"}]},']],
  ['ipv6-passive-active', 'aws', 'client', null, ['{"IpProtocol":"tcp","FromPort":1024,"ToPort":65535,"Ipv6Ranges":[{"CidrIpv6":"2001:db8::10/128","Description":"ftpcap [2001:db8::10]:21 active data connections from the server ports 1024-65535"}]}']],
];

test.each(expectedLines)('%s %s %s %s has the documented lines', (planName, dialect, side, style, wanted) => {
  const renderer = renderers.find((r) => r.name === dialect) as Renderer;
  const set = renderer.render(plans[planName], side, style);
  const textLines = set.text.split('\n').map((l) => l.trim().replace(/ <!--.*-->$/, ''));
  for (const line of wanted) expect(textLines, set.text).toContain(line);
});

test('with the helper, data ports it opens are not opened again; without it, they are', () => {
  const firewalld = renderers.find((r) => r.name === 'firewalld') as Renderer;
  expect(firewalld.render(plans['ipv4-passive-given'], 'server', 'helper').text).not.toContain('port="40000-40100"');
  expect(firewalld.render(plans['ipv4-passive-given'], 'server', 'stateless').text).toContain('<port protocol="tcp" port="40000-40100"/>');
  expect(firewalld.render(plans['ipv4-990-tls'], 'server', 'helper').text).toContain('<port protocol="tcp" port="40000-40009"/>');
  expect(firewalld.render(plans['ipv4-990-tls'], 'server', 'helper').text).not.toContain('<helper name=');
});

test('AWS: the text is the IpPermissions JSON, with descriptions AWS accepts', () => {
  for (const p of Object.values(plans)) {
    for (const side of ['server', 'client'] as const) {
      const set = renderers.find((r) => r.name === 'aws')?.render(p, side, null) as RuleSet;
      const permissions = JSON.parse(set.text) as Array<Record<string, unknown>>;
      expect(permissions.length).toBe(set.rules.length);
      for (const permission of permissions) {
        expect(permission.IpProtocol).toBe('tcp');
        expect(typeof permission.FromPort).toBe('number');
        const ranges = (permission.IpRanges ?? permission.Ipv6Ranges) as Array<{ Description: string }>;
        for (const range of ranges) expect(range.Description).toMatch(/^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,255}$/);
      }
    }
  }
});

test('nothing from the capture but addresses reaches the rules: a hostile greeting stays out', () => {
  const hostile = plan({
    ip: '192.0.2.10',
    banner: "evil\u001b[2J'; rm -rf / #<!-- --> \n permit ip any any",
    software: 'unknown',
    passive: { range: { min: 40000, max: 40100 }, source: 'given' },
    active: { sourcePorts: [20], clients: ['198.51.100.20'] },
  });
  for (const c of combinations()) {
    const set = c.renderer.render(hostile, c.side, c.style);
    expect(set.text).not.toContain('evil');
    expect(set.text).not.toContain('\u001b');
    expect(set.text).not.toMatch(/permit ip any any/);
  }
});

test('XML comments in firewalld definitions never contain "--"', () => {
  for (const p of Object.values(plans)) {
    for (const side of ['server', 'client'] as const) {
      for (const style of ['helper', 'stateless'] as const) {
        const set = renderers.find((r) => r.name === 'firewalld')?.render(p, side, style) as RuleSet;
        for (const match of set.text.matchAll(/<!-- (.*?) -->/g)) expect(match[1]).not.toContain('--');
      }
    }
  }
});
