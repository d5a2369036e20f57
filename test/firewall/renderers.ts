/**
 * The rule dialects written in src/firewall/dialects/ beyond nftables and iptables, with the sides
 * and styles each one takes: the table every dialect test walks.
 */
import { awsSides, renderAws } from '../../src/firewall/dialects/aws';
import { ciscoIosSides, renderCiscoIos } from '../../src/firewall/dialects/cisco-ios';
import { comwareSides, renderComware, renderHuaweiVrp } from '../../src/firewall/dialects/comware';
import { firewalldSides, renderFirewalld } from '../../src/firewall/dialects/firewalld';
import { pfSides, renderPf } from '../../src/firewall/dialects/pf';
import type { FirewallPlan, RuleSet, Side, Style } from '../../src/firewall/types';

export interface Renderer {
  /** The dialect, or its variant (huawei-vrp is the comware dialect's other variant). */
  name: string;
  render: (plan: FirewallPlan, side: Side, style: Style | null) => RuleSet;
  sides: Side[];
  styles: Array<Style | null>;
}

export const renderers: Renderer[] = [
  { name: 'firewalld', render: renderFirewalld, sides: firewalldSides, styles: ['helper', 'stateless'] },
  { name: 'pf', render: renderPf, sides: pfSides, styles: ['helper', 'stateless'] },
  { name: 'cisco-ios', render: renderCiscoIos, sides: ciscoIosSides, styles: ['helper', 'stateless'] },
  { name: 'comware', render: renderComware, sides: comwareSides, styles: [null] },
  { name: 'huawei-vrp', render: renderHuaweiVrp, sides: comwareSides, styles: [null] },
  { name: 'aws', render: renderAws, sides: awsSides, styles: [null] },
];

/** Every (renderer, side, style) combination. */
export function combinations(): Array<{ renderer: Renderer; side: Side; style: Style | null; label: string }> {
  return renderers.flatMap((renderer) =>
    renderer.sides.flatMap((side) => renderer.styles.map((style) => ({ renderer, side, style, label: `${renderer.name} ${side}${style ? ` ${style}` : ''}` }))),
  );
}
