/**
 * A firewall plan of 300 000 distinct servers renders in every dialect: no renderer spreads a
 * list as large as the plan into one call (`push(...rules)` overflows the call stack past about
 * 100 000 arguments), and none does work per server that grows with the number of servers (the
 * shared layout once looked every server up in the list of servers the helper follows). The
 * plan is built directly (test/firewall/plans.ts), not from a capture: servers on the documentation
 * networks, IPv4 ones on many control ports, every third one IPv6, passive, every tenth active too.
 * The largest set (comware, both variants) is a few hundred MB of text: minutes on a busy machine.
 */
import { describe, expect, test } from 'vitest';
import { renderers } from '../../src/firewall/render';
import type { Dialect, FirewallPlan, RuleSet } from '../../src/firewall/types';
import { serverName } from '../../src/firewall/flows';
import { renderHuaweiVrp } from '../../src/firewall/dialects/comware';
import { serverPlan } from './plans';

const SERVERS = 300_000;
const IPV4_NETWORKS = ['192.0.2', '198.51.100', '203.0.113'];

function manyServers(n: number): FirewallPlan {
  const servers = [];
  for (let i = 0; i < n; i++) {
    const ipv6 = i % 3 === 2;
    const host = Math.floor(i / 3);
    const ip = ipv6 ? `2001:db8::${(host >> 16).toString(16)}:${(host & 0xffff).toString(16)}` : `${IPV4_NETWORKS[host % 3]}.${1 + (i % 250)}`;
    // IPv4: 750 addresses, each on as many control ports as it takes to make every server distinct.
    const port = ipv6 ? 21 : 2000 + Math.floor(i / 750);
    servers.push(
      serverPlan({
        ip,
        port,
        sessions: [i + 1],
        passive: { range: { min: 40000, max: 40100 }, source: 'given' },
        // Every tenth one active too: each kind of flow is in the rules many times over.
        active: i % 10 === 0 ? { sourcePorts: [20], clients: [ipv6 ? '2001:db8:1::20' : '198.51.100.20'] } : null,
      }),
    );
  }
  return { servers, notes: [] };
}

const plan = manyServers(SERVERS);

/**
 * One set per dialect (and the comware dialect's other variant): the stateless style where there
 * is one (it writes the most rules: both directions of every flow), on the router side where the
 * dialect has it (every server's flows in one chain), else the server side.
 */
const sets: Array<{ label: string; render: (p: FirewallPlan) => RuleSet }> = [];
for (const [dialect, renderer] of Object.entries(renderers) as Array<[Dialect, NonNullable<(typeof renderers)[Dialect]>]>) {
  const side = renderer.sides.includes('router') ? 'router' : 'server';
  const style = renderer.styles === null ? null : renderer.styles.includes('stateless') ? 'stateless' : renderer.styles[0];
  sets.push({ label: `${dialect} ${side}${style ? ` ${style}` : ''}`, render: (p) => renderer.render(p, side, style) });
}
sets.push({ label: 'huawei-vrp router', render: (p) => renderHuaweiVrp(p, 'router', null) });

describe(`a firewall plan of ${SERVERS} distinct servers`, () => {
  test('the plan holds that many distinct servers', () => {
    expect(new Set(plan.servers.map((s) => `${s.ip}|${s.controlPort}`)).size).toBe(SERVERS);
  });

  test.each(sets)(
    '$label renders it, every server in the rules',
    ({ render }) => {
      const { text, rules } = render(plan);
      // The last server has its rules, as the first has: nothing stopped half-way.
      const last = plan.servers[SERVERS - 1];
      expect(text).toContain(plan.servers[0].ip);
      expect(text.endsWith('\n')).toBe(true);
      expect(rules.some((rule) => rule.server === serverName(last.ip, last.controlPort))).toBe(true);
    },
    600_000,
  );
});
