/**
 * Every dialect's renderer, which sides and styles it writes, and the one entry point that renders
 * the sets a user asked for.
 */
import { awsSides, renderAws } from './dialects/aws';
import { ciscoIosSides, renderCiscoIos } from './dialects/cisco-ios';
import { comwareSides, renderComware } from './dialects/comware';
import { firewalldSides, renderFirewalld } from './dialects/firewalld';
import { renderIptables } from './dialects/iptables';
import { renderNftables } from './dialects/nftables';
import { pfSides, renderPf } from './dialects/pf';
import type { Dialect, FirewallPlan, RuleSet, Side, Style } from './types';

export interface Renderer {
  /** Sides the dialect is written for. */
  sides: Side[];
  /** Styles it has; null for a dialect with one form (its RuleSet.style is null). */
  styles: Style[] | null;
  render(plan: FirewallPlan, side: Side, style: Style | null): RuleSet;
}

export const renderers: Partial<Record<Dialect, Renderer>> = {
  nftables: {
    sides: ['server', 'client', 'router'],
    styles: ['helper', 'stateless'],
    render: (plan, side, style) => renderNftables(plan, side, style ?? 'helper'),
  },
  iptables: {
    sides: ['server', 'client', 'router'],
    styles: ['helper', 'stateless'],
    render: (plan, side, style) => renderIptables(plan, side, style ?? 'helper'),
  },
  firewalld: { sides: firewalldSides, styles: ['helper', 'stateless'], render: renderFirewalld },
  pf: { sides: pfSides, styles: ['helper', 'stateless'], render: renderPf },
  'cisco-ios': { sides: ciscoIosSides, styles: ['helper', 'stateless'], render: renderCiscoIos },
  comware: { sides: comwareSides, styles: null, render: renderComware },
  aws: { sides: awsSides, styles: null, render: renderAws },
};

export interface RenderRequest {
  dialects: Dialect[];
  sides: Side[];
  styles: Style[];
}

/** The sets asked for, in the order dialect, side, style; combinations a dialect does not have are skipped. */
export function renderRuleSets(plan: FirewallPlan, request: RenderRequest): RuleSet[] {
  const sets: RuleSet[] = [];
  if (plan.servers.length === 0) return sets;
  for (const dialect of request.dialects) {
    const renderer = renderers[dialect];
    if (!renderer) continue;
    for (const side of request.sides) {
      if (!renderer.sides.includes(side)) continue;
      const styles = renderer.styles === null ? [null] : renderer.styles.filter((s) => request.styles.includes(s));
      for (const style of styles) sets.push(renderer.render(plan, side, style));
    }
  }
  return sets;
}
