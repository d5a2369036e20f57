/**
 * Every sample capture through the plan builder and the registry (`ftpcap firewall --format json`),
 * in every dialect beyond nftables/iptables, every side and style it has: each set renders, each
 * rule points at its line, every server with rules is named, the AWS text is JSON. The Huawei VRP
 * variant, which the registry does not list under its own name, is rendered from the same plan.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderHuaweiVrp } from '../../src/firewall/dialects/comware';
import { nameOf } from '../../src/firewall/dialects/flow-parts';
import { renderers } from '../../src/firewall/render';
import type { Dialect, FirewallPlan, RuleSet } from '../../src/firewall/types';
import { runCli } from '../e2e/run-cli';
import { sampleCases } from '../helpers/golden';

const cases = sampleCases();

const mine: Dialect[] = ['firewalld', 'pf', 'cisco-ios', 'comware', 'aws'];

/** How many sets the registry writes for one dialect with --side all --style both. */
function expectedSets(dialect: Dialect): number {
  const renderer = renderers[dialect];
  if (!renderer) throw new Error(`${dialect} is not registered`);
  return renderer.sides.length * (renderer.styles?.length ?? 1);
}

function checkSet(set: RuleSet, plan: FirewallPlan): void {
  const lines = set.text.split('\n');
  for (const rule of set.rules) {
    expect(lines[rule.line - 1].trim(), `${set.title}, line ${rule.line}`).toBe(rule.text);
    expect(rule.why).not.toBe('');
  }
  for (const server of plan.servers) {
    if (set.rules.some((r) => r.server === nameOf(server))) expect(set.text).toContain(server.ip);
  }
  if (set.dialect === 'aws') expect(() => JSON.parse(set.text)).not.toThrow();
}

describe.each(cases)('sample %s', (name) => {
  test('every dialect renders for every side and style', async () => {
    const capture = join('samples', name, 'capture.pcap');
    const args = ['firewall', capture, '--format', 'json', '--side', 'all', ...mine.flatMap((d) => ['--dialect', d])];
    const { stdout, code, stderr } = await runCli(...args);
    expect(code, stderr).toBe(0);
    const { plan, sets } = JSON.parse(stdout) as { plan: FirewallPlan; sets: RuleSet[] };
    const wanted = plan.servers.length === 0 ? 0 : mine.reduce((sum, d) => sum + expectedSets(d), 0);
    expect(sets).toHaveLength(wanted);
    for (const set of sets) checkSet(set, plan);
    if (plan.servers.length > 0) checkSet(renderHuaweiVrp(plan, 'router', null), plan);
  });
});
