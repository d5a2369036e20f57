/** Findings derived from a finished session, one module per family of findings. */
import type { ChannelSuccessor, DataChannel, FtpReply, FtpSession } from '../model';
import { defaultOptions, type PerformanceThresholds } from '../options';
import type { Finding } from '../types';
import { formatEndpoint } from '../text';
import { diagnoseChannel, diagnoseDataChannels } from './data-channels';
import { diagnoseChannelPerformance, diagnosePerformance } from './performance';
import { diagnoseChannelNegotiation, diagnoseNegotiation } from './protocol';
import { diagnoseControl } from './session';
import { diagnoseChannelTransfer, diagnoseTransfers } from './transfers';

export function diagnoseSession(session: FtpSession, thresholds: PerformanceThresholds = defaultOptions): Finding[] {
  const findings: Finding[] = [];
  findings.push(...diagnoseDataChannels(session));
  findings.push(...diagnoseNegotiation(session));
  findings.push(...diagnoseTransfers(session.dataChannels));
  findings.push(...diagnosePerformance(session, thresholds));
  // The channels folded past maxDataChannelsPerSession were diagnosed as they were folded.
  findings.push(...session.folded.findings);
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
 * The findings of one data channel, as diagnoseSession gives them for a listed one: for a channel
 * folded into its session's counters (src/correlate/tracker.ts), once nothing can change it.
 */
export function diagnoseFoldedChannel(
  session: FtpSession,
  channel: DataChannel,
  next: ChannelSuccessor | undefined,
  thresholds: PerformanceThresholds = defaultOptions,
): Finding[] {
  return [
    ...diagnoseChannel(session, channel),
    ...diagnoseChannelNegotiation(session, channel, next),
    ...diagnoseChannelTransfer(channel),
    ...diagnoseChannelPerformance(session, channel, thresholds),
  ];
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

/** Client addresses whose failed logins are counted (past this, new addresses are not). */
const MAX_LOGIN_CLIENTS = 100_000;
/** User names named per client in the finding. */
const MAX_LOGIN_USERS = 20;

/** One client address's failed logins, over the sessions added so far. */
interface ClientFailures {
  failures: number;
  sessions: number;
  first: FtpReply;
  last: FtpReply;
  users: Set<string>;
  moreUsers: boolean;
}

/**
 * Failed logins counted per client address across sessions, one session at a time (in report
 * order, or as sessions are released): many in a row look like password guessing (a capture-level
 * finding, as the attempts span sessions). Holds a few numbers per client address, not the
 * sessions.
 */
export class LoginFailureTally {
  private readonly byClient = new Map<string, ClientFailures>();

  add(session: FtpSession): void {
    const failed = session.failedLogins;
    if (failed.length === 0) return;
    let entry = this.byClient.get(session.client.ip);
    if (entry === undefined) {
      if (this.byClient.size >= MAX_LOGIN_CLIENTS) return;
      entry = { failures: 0, sessions: 0, first: failed[0], last: failed[0], users: new Set(), moreUsers: false };
      this.byClient.set(session.client.ip, entry);
    }
    entry.failures += failed.length;
    entry.sessions++;
    entry.last = failed[failed.length - 1];
    if (session.user !== null && !entry.users.has(session.user)) {
      if (entry.users.size < MAX_LOGIN_USERS) entry.users.add(session.user);
      else entry.moreUsers = true;
    }
  }

  findings(): Finding[] {
    const findings: Finding[] = [];
    for (const [client, entry] of this.byClient) {
      if (entry.failures < GUESSING_THRESHOLD) continue;
      const seconds = (entry.last.at.timeMicros - entry.first.at.timeMicros) / 1e6;
      const users = [...entry.users].map((u) => `"${u}"`);
      if (entry.moreUsers) users.push('…');
      const n = entry.sessions;
      findings.push({
        code: 'login-failed',
        severity: 'error',
        frame: entry.first.at.ref,
        message: `${client} failed to log in ${entry.failures} times in ${n} session${n === 1 ? '' : 's'} over ${seconds.toFixed(1)} s (user${entry.users.size === 1 && !entry.moreUsers ? '' : 's'} ${users.join(', ') || 'unknown'}): repeated failures look like password guessing`,
        fix: 'block or rate-limit the address (fail2ban on the server log, nftables meter), and make sure the account has a strong password',
      });
    }
    return findings;
  }
}

/** Failed logins per client address across the sessions, in their order (see LoginFailureTally). */
export function diagnoseLoginFailures(sessions: FtpSession[]): Finding[] {
  const tally = new LoginFailureTally();
  for (const session of sessions) tally.add(session);
  return tally.findings();
}

/** The data connections a control gap left without their announcement, in words. */
function unannounced(session: FtpSession): string {
  const list = session.unannouncedConnections;
  if (list.length === 0) return '';
  const named = list
    .slice(0, 3)
    .map((c) => `${formatEndpoint(c.orig)} → ${formatEndpoint(c.resp)}`)
    .join(', ');
  const count = list.length + session.unannouncedConnectionsDropped;
  const one = count === 1;
  return `; ${count} connection${one ? '' : 's'} between the same hosts answer${one ? 's' : ''} no announcement seen and ${one ? 'is probably a data connection' : 'are probably data connections'} announced there (${named}${count > 3 ? ', …' : ''})`;
}
