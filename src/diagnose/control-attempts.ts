/**
 * FTP control connections that never opened: the client's SYN was answered by RST (nothing
 * listens, or a firewall rejects) or by nothing at all (a firewall drops, or the host is down).
 * They are no sessions (nothing was said on them); they are reported as attempts, grouped by
 * client, server and outcome, with how often the client tried.
 */
import type { FtpSession, UnopenedControlConnection } from '../model';
import type { ConnectionAttempt } from '../tcp/attempts';
import { payloadBytes, type Connection } from '../tcp/connections';
import type { Finding } from '../types';
import { formatEndpoint } from '../text';

/**
 * How long a lone SYN must have gone unanswered before the capture ended to count as unanswered:
 * the initial retransmission timeout (RFC 6298 §2: 1 s). A SYN just before the end of the capture
 * says nothing yet.
 */
const UNANSWERED_AFTER_MICROS = 1_000_000;

/**
 * The attempt a session's control connection was, when it never opened; else null.
 * `captureEndMicros` is the time of the last frame of the capture.
 */
export function unopenedControl(session: FtpSession, captureEndMicros: number): UnopenedControlConnection | null {
  return unopenedConnection(session.control, captureEndMicros);
}

/** The attempt a control connection was, when it never opened; else null (see unopenedControl). */
export function unopenedConnection(c: Connection, captureEndMicros: number): UnopenedControlConnection | null {
  if (c.syn === null || c.synAck !== null || c.respSpoke) return null;
  if (payloadBytes(c, 'orig') > 0 || payloadBytes(c, 'resp') > 0) return null;
  return unopenedAttempt({ client: c.orig, server: c.resp, syn: c.syn, lastSyn: c.lastSyn ?? c.syn, synCount: c.synCount, rst: c.rst }, captureEndMicros);
}

/**
 * The attempt a connection of nothing but SYNs (and perhaps a RST) was, when it never opened;
 * else null: a lone SYN too close to the end of the capture says nothing yet. For the attempts
 * kept compact (src/tcp/attempts.ts), and for unopenedConnection.
 */
export function unopenedAttempt(
  a: Pick<ConnectionAttempt, 'client' | 'server' | 'syn' | 'lastSyn' | 'synCount' | 'rst'>,
  captureEndMicros: number,
): UnopenedControlConnection | null {
  const refused = a.rst !== null && a.rst.from === 'resp';
  if (!refused && a.synCount < 2 && captureEndMicros - a.lastSyn.timeMicros < UNANSWERED_AFTER_MICROS) return null;
  return {
    client: a.client,
    server: a.server,
    outcome: refused ? 'refused' : 'unanswered',
    syn: a.syn,
    lastSyn: a.lastSyn,
    synCount: a.synCount,
    rst: refused ? a.rst : null,
  };
}

/** One finding per client, server endpoint and outcome. */
export function diagnoseUnopenedControl(attempts: UnopenedControlConnection[]): Finding[] {
  const groups = new Map<string, UnopenedControlConnection[]>();
  for (const attempt of attempts) {
    const key = `${attempt.outcome}|${attempt.client.ip}|${formatEndpoint(attempt.server)}`;
    const group = groups.get(key);
    if (group) group.push(attempt);
    else groups.set(key, [attempt]);
  }
  const findings: Finding[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    const server = formatEndpoint(first.server);
    const syns = group.reduce((n, a) => n + a.synCount, 0);
    const tries = `${group.length} connection attempt${group.length === 1 ? '' : 's'}, ${syns} SYN${syns === 1 ? '' : 's'} in all`;
    if (first.outcome === 'refused') {
      findings.push({
        code: 'control-connect-refused',
        severity: 'error',
        frame: (first.rst ?? first.syn).ref,
        message: `${first.client.ip} could not open an FTP control connection to ${server} (${tries}): each SYN was answered by RST from ${first.server.ip}, so the block is on the server's side: nothing listens on port ${first.server.port} there, or a firewall rejects with TCP reset`,
        fix: `start the FTP server or make it listen on ${server} (ss -ltn on the server); if it listens, look for a rule rejecting port ${first.server.port} with tcp-reset on the server host or a firewall in front of it`,
      });
    } else {
      const seconds = Math.max(...group.map((a) => a.lastSyn.timeMicros)) - first.syn.timeMicros;
      findings.push({
        code: 'control-connect-unanswered',
        severity: 'error',
        frame: first.syn.ref,
        message: `${first.client.ip} could not open an FTP control connection to ${server} (${tries}, over ${(seconds / 1e6).toFixed(1)} s): no SYN was answered, so the block is past the capture point on the server's side: a firewall drops the SYNs (or the answers), or the host is down`,
        fix: `allow TCP port ${first.server.port} toward ${first.server.ip} in the firewall that drops it (the server host's, or one in front of it), or check that the host is up`,
      });
    }
  }
  return findings;
}
