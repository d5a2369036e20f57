/** Findings derived from a finished session, one module per family of findings. */
import type { FtpSession } from '../model';
import { defaultOptions, type PerformanceThresholds } from '../options';
import type { Finding } from '../types';
import { formatEndpoint } from '../text';
import { diagnoseDataChannels } from './data-channels';
import { diagnosePerformance } from './performance';
import { diagnoseNegotiation } from './protocol';
import { diagnoseControl } from './session';
import { diagnoseTransfers } from './transfers';

export function diagnoseSession(session: FtpSession, thresholds: PerformanceThresholds = defaultOptions): Finding[] {
  const findings: Finding[] = [];
  findings.push(...diagnoseDataChannels(session));
  findings.push(...diagnoseNegotiation(session));
  findings.push(...diagnoseTransfers(session.dataChannels));
  findings.push(...diagnosePerformance(session, thresholds));
  findings.push(...diagnoseControl(session));
  if (session.gapBytes > 0) {
    findings.push({
      code: 'capture-gap',
      severity: 'warning',
      frame: session.firstGap?.ref ?? null,
      message: `${session.gapBytes} bytes of the control connection are missing from the capture: commands or replies in them are lost, so an announcement there cannot be matched${unannounced(session)}`,
    });
  }
  if (session.control.midstream) {
    findings.push({
      code: 'capture-started-midstream',
      severity: 'info',
      frame: session.control.first.ref,
      message: 'the control connection began before the capture: its start (and perhaps the login) is not in it',
    });
  }
  return findings;
}

/**
 * Past `maxPerCode` findings of one code, the rest are counted on the last one listed (its
 * `count`) instead of being listed: a session with 200 000 announcements that all fail the same
 * way gives a screen of findings, not 200 000. Order is kept.
 */
export function countRepeatedFindings(findings: Finding[], maxPerCode: number): Finding[] {
  const byCode = new Map<string, { listed: number; last: Finding }>();
  const out: Finding[] = [];
  for (const finding of findings) {
    const earlier = byCode.get(finding.code);
    if (earlier && earlier.listed >= maxPerCode) {
      earlier.last.count = (earlier.last.count ?? 1) + (finding.count ?? 1);
      continue;
    }
    out.push(finding);
    byCode.set(finding.code, { listed: (earlier?.listed ?? 0) + 1, last: finding });
  }
  return out;
}

/** Failed logins from one client address before it is called password guessing. */
const GUESSING_THRESHOLD = 5;

/**
 * Failed logins counted per client address across sessions: many in a row look like password
 * guessing (a capture-level finding, as the attempts span sessions).
 */
export function diagnoseLoginFailures(sessions: FtpSession[]): Finding[] {
  const byClient = new Map<string, FtpSession[]>();
  for (const session of sessions) {
    if (session.failedLogins.length === 0) continue;
    const list = byClient.get(session.client.ip) ?? [];
    list.push(session);
    byClient.set(session.client.ip, list);
  }
  const findings: Finding[] = [];
  for (const [client, list] of byClient) {
    const failures = list.flatMap((s) => s.failedLogins);
    if (failures.length < GUESSING_THRESHOLD) continue;
    const seconds = (failures[failures.length - 1].at.timeMicros - failures[0].at.timeMicros) / 1e6;
    const users = [...new Set(list.map((s) => s.user).filter((u): u is string => u !== null))];
    findings.push({
      code: 'login-failed',
      severity: 'error',
      frame: failures[0].at.ref,
      message: `${client} failed to log in ${failures.length} times in ${list.length} session${list.length === 1 ? '' : 's'} over ${seconds.toFixed(1)} s (user${users.length === 1 ? '' : 's'} ${users.map((u) => `"${u}"`).join(', ') || 'unknown'}): repeated failures look like password guessing`,
      fix: 'block or rate-limit the address (fail2ban on the server log, nftables meter), and make sure the account has a strong password',
    });
  }
  return findings;
}

/** The data connections a control gap left without their announcement, in words. */
function unannounced(session: FtpSession): string {
  const list = session.unannouncedConnections;
  if (list.length === 0) return '';
  const named = list.slice(0, 3).map((c) => `${formatEndpoint(c.orig)} → ${formatEndpoint(c.resp)}`).join(', ');
  const count = list.length + session.unannouncedConnectionsDropped;
  const one = count === 1;
  return `; ${count} connection${one ? '' : 's'} between the same hosts answer${one ? 's' : ''} no announcement seen and ${one ? 'is probably a data connection' : 'are probably data connections'} announced there (${named}${count > 3 ? ', …' : ''})`;
}
