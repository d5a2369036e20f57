/**
 * H3C Comware and Huawei VRP: advanced ACLs for a router between the FTP clients and the server,
 * in two variants of the same language, written one after the other in one text (each marked; the
 * user enters the one for the platform), or one variant alone. The rule syntax is shared (`rule 5 permit tcp source
 * 192.0.2.10 0 source-port eq ftp destination-port gt 1023`); the ACL header, the flag that
 * matches replies and the command that applies an ACL to an interface differ:
 *
 * | | H3C Comware 7 | Huawei VRP |
 * | --- | --- | --- |
 * | IPv4 ACL | `acl advanced 3000` | `acl number 3000` |
 * | IPv6 ACL | `acl ipv6 advanced 3000` | `acl ipv6 number 3000` |
 * | replies | `established` (ACK or RST set) | `tcp-flag established` |
 * | apply | `packet-filter 3000 inbound` (`packet-filter ipv6 …`) | `traffic-filter inbound acl 3000` (`… acl ipv6 3000`) |
 * | stateful | ASPF: `aspf policy 1`, `detect ftp`, `aspf apply policy 1 outbound` | `firewall interzone trust untrust`, `detect ftp` (or `firewall detect ftp`) |
 *
 * As with Cisco IOS, ACL 3000 goes inbound on the interface toward the clients (what clients send)
 * and ACL 3001 inbound on the interface toward the server (what the server sends); the replies are
 * matched by flag, and active data goes to any client port above 1023, since no ACL can know the
 * port a client announces next. The stateful form (ASPF) is given as a note: it replaces the reply
 * and data rules by inspection of the control connection.
 *
 * Sources: H3C Comware 7 "ACL commands" (h3c.com command references, e.g.
 * www.h3c.com/en/d_202104/1399766_294551_0.htm: `acl advanced`, `rule`
 * (advanced ACL view: source/destination with wildcard or prefix length, source-port/
 * destination-port operators lt gt eq neq range, `established`), `rule comment`,
 * `packet-filter`), H3C/HPE Comware 7 Security Configuration Guide "ASPF" (techhub.hpe.com
 * eginfolib/networking/docs/routers/msrv7/cg/5200-3024_security_cg/content/466616936.htm) (`aspf policy`, `detect
 * ftp`, `aspf apply policy … { inbound | outbound }`); Huawei VRP command references:
 * `acl number`, `rule` (advanced ACL view, `tcp-flag`), `traffic-filter` (interface view:
 * `traffic-filter inbound acl { [ ipv6 ] adv-acl }`), and the USG "detect" command (interzone view:
 * `detect ftp`). Syntax differs between platforms and releases: check the rules against yours.
 */
import type { FirewallPlan, Flow, RuleSet, ServerPlan, Side, Style } from '../types';
import { RuleSetWriter } from '../writer';
import { flowParts, flowRule, nameOf, oneLine, replyParts, type EndPart, type FlowPart } from './flow-parts';

export const comwareSides: Side[] = ['router'];

export type ComwareVariant = 'h3c' | 'huawei';

const CLIENT_ACL = 3000;
const SERVER_ACL = 3001;

/** Placeholders for the router's interfaces. */
const CLIENT_INTERFACE = 'GigabitEthernet1/0/1';
const SERVER_INTERFACE = 'GigabitEthernet1/0/2';

const portNames: Record<number, string> = { 20: 'ftp-data', 21: 'ftp' };

function portOperator(part: EndPart): string | null {
  const r = part.ports;
  if (!r) return null;
  if (r.min === r.max) return `eq ${portNames[r.min] ?? r.min}`;
  if (r.max === 65535) return `gt ${r.min - 1}`;
  if (r.min <= 1) return `lt ${r.max + 1}`;
  return `range ${r.min} ${r.max}`;
}

/** `source 192.0.2.10 0` (IPv4 wildcard) or `source 2001:db8::10 128` (IPv6 prefix length); nothing for any. */
function address(keyword: 'source' | 'destination', part: EndPart): string | null {
  if (!part.address) return null;
  return `${keyword} ${part.address} ${part.address.includes(':') ? 128 : 0}`;
}

function ruleBody(part: FlowPart, reply: boolean, variant: ComwareVariant): string {
  const items = ['permit tcp', address('source', part.source), address('destination', part.destination)];
  const sport = portOperator(part.source);
  const dport = portOperator(part.destination);
  if (sport) items.push(`source-port ${sport}`);
  if (dport) items.push(`destination-port ${dport}`);
  if (reply) items.push(variant === 'h3c' ? 'established' : 'tcp-flag established');
  return items.filter((i): i is string => i !== null).join(' ');
}

interface Entry {
  server: ServerPlan;
  flow: Flow;
  body: string;
  part: 'open' | 'replies';
}

function header(variant: ComwareVariant, v6: boolean, number: number): string {
  if (variant === 'h3c') return v6 ? `acl ipv6 advanced ${number}` : `acl advanced ${number}`;
  return v6 ? `acl ipv6 number ${number}` : `acl number ${number}`;
}

function apply(variant: ComwareVariant, v6: boolean, number: number): string {
  if (variant === 'h3c') return v6 ? `packet-filter ipv6 ${number} inbound` : `packet-filter ${number} inbound`;
  return v6 ? `traffic-filter inbound acl ipv6 ${number}` : `traffic-filter inbound acl ${number}`;
}

function writeAcl(out: RuleSetWriter, variant: ComwareVariant, v6: boolean, number: number, entries: Entry[], toward: string, ids: { next: number }): void {
  if (entries.length === 0) return;
  out.line(header(variant, v6, number));
  out.line(` description ftpcap: FTP, inbound on the interface toward the ${toward}`);
  for (const entry of entries) {
    const id = ids.next;
    ids.next += 5;
    out.rule(' ', `rule ${id} ${entry.body}`, flowRule(entry.server, entry.flow, entry.part));
    // H3C keeps a comment per rule; VRP's ACL description says what the ACL is for.
    if (variant === 'h3c') {
      const why =
        entry.part === 'open' ? `${nameOf(entry.server)} ${entry.flow.purpose}` : `${nameOf(entry.server)} replies of ${entry.flow.purpose.split(':')[0]}`;
      out.line(` rule ${id} comment ${oneLine(why, 127)}`);
    }
  }
  out.line('#');
}

const variantNames: Record<ComwareVariant, string> = { h3c: 'H3C Comware 7', huawei: 'Huawei VRP' };

/** The ACLs and their application to the interfaces, in one variant. */
function writeVariant(out: RuleSetWriter, plan: FirewallPlan, variant: ComwareVariant, prefix: string): void {
  const ids = { next: 5 };
  const families: Array<{ v6: boolean; servers: ServerPlan[] }> = [
    { v6: false, servers: plan.servers.filter((s) => s.family === 'ipv4') },
    { v6: true, servers: plan.servers.filter((s) => s.family === 'ipv6') },
  ].filter((f) => f.servers.length > 0);
  const start = out.rules.length;
  for (const { v6, servers } of families) {
    const fromClients: Entry[] = [];
    const fromServers: Entry[] = [];
    for (const server of servers) {
      for (const flow of server.flows) {
        const opensFromServer = flow.role === 'active-data';
        const opening = flowParts(flow).map((p) => ({ server, flow, body: ruleBody(p, false, variant), part: 'open' as const }));
        const replies = replyParts(flow).map((p) => ({ server, flow, body: ruleBody(p, true, variant), part: 'replies' as const }));
        (opensFromServer ? fromServers : fromClients).push(...opening);
        (opensFromServer ? fromClients : fromServers).push(...replies);
      }
    }
    writeAcl(out, variant, v6, CLIENT_ACL, fromClients, 'clients', ids);
    writeAcl(out, variant, v6, SERVER_ACL, fromServers, 'servers', ids);
  }
  for (const [name, number, toward] of [
    [CLIENT_INTERFACE, CLIENT_ACL, 'clients'],
    [SERVER_INTERFACE, SERVER_ACL, 'servers'],
  ] as const) {
    out.line(`interface ${name}`);
    for (const { v6 } of families) {
      out.rule(' ', apply(variant, v6, number), {
        part: 'policy',
        role: null,
        server: null,
        sessions: [],
        essential: true,
        why: `filters what comes in from the ${toward} with ACL ${number}`,
      });
    }
    out.line('#');
  }
  // Where both variants stand in one text, each rule says which one it belongs to.
  if (prefix) for (const rule of out.rules.slice(start)) rule.why = `${prefix}: ${rule.why}`;
}

function variantNotes(variant: ComwareVariant, prefix: string): string[] {
  const notes =
    variant === 'h3c'
      ? [
          'the packet filter permits packets that match no rule by default: for these rules to filter, end the ACLs with rule deny ip (after your other permits) or set packet-filter default deny',
          'stateful form (ASPF): aspf policy 1, detect ftp, then aspf apply policy 1 outbound on the interface toward the servers (Comware 7 Security Configuration Guide, ASPF); ASPF then opens the replies and the data connections, and the reply and data rules can go, except under TLS, which it cannot read; for NAT, nat alg ftp',
        ]
      : [
          'traffic-filter permits packets that match no rule by default: for these rules to filter, end the ACLs with rule deny ip after your other permits',
          'stateful form: detect ftp in the interzone view (firewall interzone trust untrust) or firewall detect ftp, by platform; it then opens the replies and the data connections, except under TLS, which it cannot read; for NAT, nat alg ftp enable',
        ];
  return prefix ? notes.map((n) => `${prefix}: ${n}`) : notes;
}

/** One variant, or both in one text (each introduced by a marked comment line). */
function render(plan: FirewallPlan, side: Side, variants: ComwareVariant[]): RuleSet {
  const out = new RuleSetWriter();
  const both = variants.length > 1;
  const title = `${variants.map((v) => variantNames[v]).join(' and ')} router${both ? 's' : ''}: advanced ACLs, stateless (${variants.map((v) => (v === 'h3c' ? 'established' : 'tcp-flag established')).join(' / ')} for replies)`;
  const notes: string[] = [];
  out.line(`# ftpcap: ${title}`);
  if (both) out.line('# Two variants of the same configuration: enter the one for your platform in system view,');
  out.line(`# ${both ? '' : 'Enter in system view '}after replacing the interface names.`.replace('#  ', '# '));
  out.line('#');
  for (const variant of variants) {
    const prefix = both ? variantNames[variant] : '';
    if (both) {
      out.line(`# ======== ${variantNames[variant]} ========`);
      out.line('#');
    }
    writeVariant(out, plan, variant, prefix);
    notes.push(...variantNotes(variant, prefix));
  }
  notes.push(
    'an ACL keeps no state: replies are matched by their flags (ACK or RST set), and active data is allowed to any client port above 1023, since no ACL can know the port a client announces next',
    `the interface names ${CLIENT_INTERFACE} and ${SERVER_INTERFACE} stand for yours; ACL ${CLIENT_ACL} goes on the one toward the clients, ${SERVER_ACL} on the one toward the servers`,
  );
  if (side !== 'router') notes.push('these rules are written for a router between the clients and the server, whatever the side asked');
  if (plan.servers.some((s) => s.family === 'ipv6')) {
    notes.push(
      'IPv6: the ACLs permit no ICMPv6; before a final deny, permit neighbour discovery (rule permit icmpv6 icmp6-type neighbor-solicitation, and neighbor-advertisement), or the router cannot reach its IPv6 neighbours',
    );
  }
  if (plan.servers.some((s) => s.tls)) notes.push('TLS: the data ports of encrypted sessions are the ones named; no ALG can read them');
  return {
    dialect: 'comware',
    side: 'router',
    style: null,
    title,
    apply: `system-view, paste${both ? ' the section for your platform' : ''}, then save`,
    text: out.text(),
    rules: out.rules,
    notes,
  };
}

/** Both variants in one text, H3C Comware 7 first, then Huawei VRP: what `--dialect comware` prints. */
export function renderComware(plan: FirewallPlan, side: Side, _style: Style | null): RuleSet {
  return render(plan, side, ['h3c', 'huawei']);
}

/** Huawei VRP only (`acl number`, `traffic-filter inbound acl …`). */
export function renderHuaweiVrp(plan: FirewallPlan, side: Side, _style: Style | null): RuleSet {
  return render(plan, side, ['huawei']);
}
