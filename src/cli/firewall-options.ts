/**
 * The firewall options that `analyze` and `firewall` share: which dialects, sides and styles to
 * write, the passive range the admin intends, which server, and whether to name the clients seen.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { canonicalIp } from '../decode/ipaddr';
import type { FirewallRequest } from '../report/build';
import { dialects, type Dialect, type Side, type Style } from '../firewall/types';

const sides: Side[] = ['server', 'client', 'router'];

export interface FirewallCliOptions {
  dialect?: string[];
  side?: string[];
  style: 'helper' | 'stateless' | 'both';
  passiveRange?: { min: number; max: number };
  server?: { ip: string; port: number | null };
  clients: 'any' | 'seen';
  /** analyze's older spelling of --dialect: nftables, iptables or all (both). */
  rules?: 'nftables' | 'iptables' | 'all';
}

function collect(allowed: readonly string[], what: string) {
  return (value: string, previous: string[] | undefined): string[] => {
    const list = value === 'all' ? [...allowed] : [value];
    if (!allowed.includes(list[0])) throw new InvalidArgumentError(`"${value}" is not a ${what} (${allowed.join(', ')}, or all)`);
    return [...new Set([...(previous ?? []), ...list])];
  };
}

function parsePortNumber(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

/** `LO-HI` (or one port): the passive range the server is configured with. */
export function parsePassiveRange(value: string): { min: number; max: number } {
  const m = /^(\d+)(?:[-:](\d+))?$/.exec(value.trim());
  const min = m ? parsePortNumber(m[1]) : null;
  const max = m ? parsePortNumber(m[2] ?? m[1]) : null;
  if (min === null || max === null || min > max) throw new InvalidArgumentError(`"${value}" is not a port range LO-HI (1-65535, LO <= HI)`);
  return { min, max };
}

/** `ADDR`, `ADDR:PORT` (IPv4), `ADDR` or `[ADDR]:PORT` (IPv6). */
export function parseServerAddress(value: string): { ip: string; port: number | null } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  const v4 = /^([\d.]+)(?::(\d+))?$/.exec(value);
  const [text, portText] = bracketed ? [bracketed[1], bracketed[2]] : v4 ? [v4[1], v4[2]] : [value, undefined];
  const ip = canonicalIp(text);
  const port = portText === undefined ? null : parsePortNumber(portText);
  if (ip === null || (portText !== undefined && port === null)) {
    throw new InvalidArgumentError(`"${value}" is not a server address (192.0.2.10, 192.0.2.10:2121, 2001:db8::10 or [2001:db8::10]:2121)`);
  }
  return { ip, port };
}

export function addFirewallOptions(command: Command, defaults: { dialect: string }): Command {
  return command
    .option(
      '--dialect <dialect>',
      `firewall rules in this dialect: ${dialects.join(', ')}, or all (repeatable; default ${defaults.dialect})`,
      collect(dialects, 'dialect'),
    )
    .option(
      '--side <side>',
      'rules for the server host, a client host, or a router between them: server, client, router, or all (repeatable; default server)',
      collect(sides, 'side'),
    )
    .addOption(new Option('--style <style>', 'with the kernel FTP helper, stateless, or both').choices(['helper', 'stateless', 'both']).default('both'))
    .option(
      '--passive-range <lo-hi>',
      "the server's configured passive port range (without it, the rules open only the ports the capture saw, and say so)",
      parsePassiveRange,
    )
    .option('--server <addr[:port]>', 'only this FTP server: its sessions, and rules for it alone', parseServerAddress)
    .addOption(new Option('--clients <which>', 'allow any client, or only the client addresses seen').choices(['any', 'seen']).default('any'));
}

/** The firewall part of the report, from the options. */
export function firewallRequest(options: FirewallCliOptions, defaultDialect: Dialect): FirewallRequest {
  const legacy = options.rules === 'all' ? (['nftables', 'iptables'] as Dialect[]) : options.rules ? [options.rules] : null;
  return {
    options: {
      passiveRange: options.passiveRange ?? null,
      server: options.server ?? null,
      clientsSeen: options.clients === 'seen',
    },
    sets: {
      dialects: (options.dialect as Dialect[] | undefined) ?? legacy ?? [defaultDialect],
      sides: (options.side as Side[] | undefined) ?? ['server'],
      styles: options.style === 'both' ? ['helper', 'stateless'] : [options.style as Style],
    },
  };
}
