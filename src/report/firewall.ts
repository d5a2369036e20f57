/**
 * The report's firewall section: the plan (per server: flows, passive range, helper prediction,
 * server configuration), the rule sets asked for, and schemaVersion 1's original fields (`servers`
 * in their first shape, and `rules` with the server side's four Linux sets), kept for programs
 * that read them.
 */
import { renderRuleSets, type RenderRequest } from '../firewall/render';
import type { FirewallPlan, ServerPlan } from '../firewall/types';
import type { LegacyRules, LegacyServer, ReportFirewall } from './schema';

export type { ReportFirewall } from './schema';

export const defaultRenderRequest: RenderRequest = { dialects: ['nftables', 'iptables'], sides: ['server'], styles: ['helper', 'stateless'] };

function legacyServer(server: ServerPlan): LegacyServer {
  const seen = server.active?.clientPortsSeen ?? [];
  return {
    ip: server.ip,
    family: server.family,
    controlPort: server.controlPort,
    clients: server.clients,
    sessions: server.sessions.length + (server.sessionsOmitted ?? 0),
    passivePorts: server.passive ? { min: server.passive.seen[0], max: server.passive.seen[server.passive.seen.length - 1] } : null,
    passivePortsSeen: server.passive?.seen ?? [],
    passiveFailures: server.passive?.failures ?? 0,
    active: server.active
      ? {
          sourcePorts: server.active.sourcePorts,
          clients: server.active.clients,
          clientPorts: { min: seen[0], max: seen[seen.length - 1] },
          failures: server.active.failures,
        }
      : null,
    foreignPassiveAddresses: server.foreignPassiveAddresses,
    tls: server.tls,
  };
}

function legacyRules(plan: FirewallPlan): LegacyRules {
  const [nftables, nftablesStateless, iptables, iptablesStateless] = renderRuleSets(plan, defaultRenderRequest).map((set) => set.text);
  const empty = plan.servers.length === 0;
  return empty ? { nftables: '', iptables: '', nftablesStateless: '', iptablesStateless: '' } : { nftables, iptables, nftablesStateless, iptablesStateless };
}

/** The firewall section for a plan already made (e.g. by a FirewallPlanner fed session by session). */
export function firewallSection(plan: FirewallPlan, request: RenderRequest = defaultRenderRequest): ReportFirewall {
  return {
    servers: plan.servers.map(legacyServer),
    notes: plan.notes,
    rules: legacyRules(plan),
    plan,
    sets: renderRuleSets(plan, request),
  };
}
