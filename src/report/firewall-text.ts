/**
 * The firewall section for people: per server what the traffic needs (modes, ports, whether the
 * kernel helper can follow it, the server configuration that makes the range real), the notes,
 * then each rule set asked for. Pure: firewall report in, text out.
 */
import { serverName } from '../firewall/flows';
import type { ServerPlan } from '../firewall/types';
import type { ReportFirewall } from './firewall';
import { sanitize } from './sanitize';

export interface FirewallTextStyle {
  bold(s: string): string;
  dim(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function rangeText(min: number, max: number): string {
  return min === max ? `${min}` : `${min}–${max}`;
}

function serverLines(server: ServerPlan, style: FirewallTextStyle): string[] {
  const lines = [
    `  ${style.bold(serverName(server.ip, server.controlPort))}  ${plural(server.sessions.length, 'session')}, ${plural(server.clients.length, 'client')}${server.software !== 'unknown' ? `, ${server.software}` : ''}${server.tls ? ', TLS' : ''}`,
  ];
  if (server.passive) {
    const { range, source, seen, outside } = server.passive;
    const saw = server.tls ? 'ports the clients connected to (the announcements are encrypted)' : 'ports the capture saw announced';
    const where = source === 'given' ? 'the given passive range' : `${saw} (${plural(seen.length, 'port')}; give the real range with --passive-range)`;
    lines.push(`    passive: clients connect to ${rangeText(range.min, range.max)}, ${where}`);
    if (outside.length > 0) lines.push(`    ${style.yellow('!')} announced outside that range: ${outside.join(', ')}`);
  }
  if (server.active) {
    const from =
      server.active.sourcePorts.length > 0 ? server.active.sourcePorts.join(', ') : `${server.controlPort - 1} (assumed: no SYN of the server in the capture)`;
    lines.push(`    active: the server connects from port ${from} to the clients' ports above 1023`);
  }
  const followed = server.helper.filter((h) => h.follows).length;
  const helperText =
    followed === server.helper.length
      ? style.green(`the kernel FTP helper would follow every session (${followed})`)
      : style.yellow(`the kernel FTP helper would follow ${followed} of ${server.helper.length} sessions`);
  lines.push(`    helper: ${helperText}`);
  for (const prediction of server.helper) {
    if (prediction.follows) continue;
    lines.push(`      session ${prediction.session}: ${sanitize(prediction.reasons[0] ?? '')}`);
  }
  for (const entry of server.serverConfig.entries) {
    lines.push(`    ${entry.software}, in ${entry.where}:`);
    for (const line of entry.lines) lines.push(`      ${line}`);
  }
  return lines;
}

export function renderFirewallText(firewall: ReportFirewall, style: FirewallTextStyle): string {
  const lines = [style.bold('Firewall: what the traffic needs')];
  for (const server of firewall.plan.servers) lines.push(...serverLines(server, style));
  for (const note of firewall.notes) lines.push(`  ${style.yellow('note')} ${sanitize(note)}`);
  for (const set of firewall.sets) {
    lines.push('', style.bold(set.title), style.dim(`  apply: ${set.apply}`), set.text.trimEnd());
  }
  return lines.join('\n');
}
