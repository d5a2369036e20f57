/**
 * Golden files: the full output of every dialect beyond nftables/iptables, for a few
 * representative plans (test/firewall/plans.ts), reviewed against each platform's documentation
 * (see the comment at the top of each renderer). pfctl, IOS, Comware and VRP do not run here, so
 * for them these files are the check; firewalld is also loaded by firewall-offline-cmd
 * (firewalld-offline.test.ts). After a deliberate change: UPDATE_EXPECTED=1 npx vitest run
 * test/firewall, then review the diff.
 */
import { join } from 'node:path';
import { describe, test } from 'vitest';
import { expectGolden } from '../helpers/golden';
import { goldenPlans, plans } from './plans';
import { combinations } from './renderers';

const dir = join(__dirname, 'golden');

function fileName(planName: string, label: string): string {
  return join(dir, planName, `${label.replace(/ /g, '.')}.txt`);
}

describe.each(goldenPlans)('golden %s', (planName) => {
  test.each(combinations().map((c) => [c.label, c] as const))('%s', (_label, c) => {
    const set = c.renderer.render(plans[planName], c.side, c.style);
    const body = [
      `# title: ${set.title}`,
      `# apply: ${set.apply}`,
      `# dialect ${set.dialect}, side ${set.side}, style ${set.style ?? '-'}`,
      '',
      set.text.trimEnd(),
      '',
      '# notes:',
      ...set.notes.map((n) => `# - ${n}`),
      '',
    ].join('\n');
    const file = fileName(planName, c.label);
    expectGolden(file, body, { writeMissing: true });
  });
});
