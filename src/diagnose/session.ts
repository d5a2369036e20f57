/**
 * Findings about the control session itself: credentials in cleartext, failed logins, a control
 * port helpers do not watch, and TLS that hides the announcements.
 */
import type { FtpSession } from '../model';
import { formatEndpoint, firstLine } from '../text';
import type { Finding } from '../types';

/** The standard control port (RFC 959), and the implicit FTPS one. */
/** Control ports that firewalls and kernel helpers watch without being told (FTP, implicit FTPS). */
export const STANDARD_PORTS: ReadonlySet<number> = new Set([21, 990]);

export function diagnoseControl(session: FtpSession): Finding[] {
  const findings: Finding[] = [];
  const password = session.cleartextPassword;
  if (password) {
    findings.push({
      code: 'cleartext-credentials',
      severity: 'warning',
      frame: password.at.ref,
      message: `${session.user === null ? 'a user' : `user "${session.user}"`} sent the password in cleartext (masked here): anyone on the path can read it`,
      fix: 'use FTPS (AUTH TLS: vsftpd ssl_enable=YES, ProFTPD mod_tls, Pure-FTPd -Y 1) or SFTP',
    });
  }
  const failed = session.failedLogins;
  if (failed.length > 0) {
    const last = failed[failed.length - 1];
    findings.push({
      code: 'login-failed',
      severity: 'warning',
      frame: failed[0].at.ref,
      message: `${failed.length === 1 ? 'a login' : `${failed.length} logins`} failed${session.user ? ` (last user "${session.user}")` : ''}: "${last.code} ${firstLine(last.text)}"`,
      fix: 'check the user name and password, and that the account may use FTP (vsftpd local_enable, /etc/ftpusers)',
    });
  }
  if (!STANDARD_PORTS.has(session.server.port)) {
    const used = session.dataChannels.length + session.folded.count > 0;
    findings.push({
      code: 'nonstandard-control-port',
      severity: used ? 'warning' : 'info',
      frame: session.control.first.ref,
      message: `FTP control runs on port ${session.server.port}, not 21: kernel FTP helpers and many firewalls watch only port 21, so they will not open the data connections of FTP on this port`,
      fix: `attach the FTP helper to port ${session.server.port} (nftables: tcp dport ${session.server.port} ct helper set "ftp-${session.server.port}"), or open the data ports explicitly`,
    });
  }
  if (session.tls) findings.push(tlsFinding(session));
  return findings;
}

function tlsFinding(session: FtpSession): Finding {
  const how = session.implicitTls ? `is TLS from its first byte (implicit FTPS on port ${session.server.port})` : 'switched to TLS (AUTH accepted)';
  const connections = session.tlsConnections;
  const count = connections.length + session.tlsConnectionsDropped;
  let probable = 'no other TCP connection between these hosts follows';
  if (count > 0) {
    const serverPorts = connections.filter((c) => c.resp.ip === session.server.ip).map((c) => c.resp.port);
    const fromServer = connections.filter((c) => c.orig.ip === session.server.ip);
    const parts: string[] = [];
    if (serverPorts.length > 0) parts.push(`${serverPorts.length} from the client to server ports ${portRange(serverPorts)} (passive)`);
    if (fromServer.length > 0)
      parts.push(
        `${fromServer.length} from the server to the client (active, e.g. ${formatEndpoint(fromServer[0].orig)} → ${formatEndpoint(fromServer[0].resp)})`,
      );
    probable = `${count} later TCP connection${count === 1 ? '' : 's'} between these hosts ${count === 1 ? 'is' : 'are'} probably its data connection${count === 1 ? '' : 's'}: ${parts.join(', ')}`;
  }
  return {
    code: 'tls-control-channel',
    severity: 'warning',
    frame: session.tls?.ref ?? null,
    message: `the control connection ${how}: its announcements are invisible to ftpcap and to every firewall FTP helper; ${probable}`,
    fix: 'pin the passive range on the server (vsftpd pasv_min_port/pasv_max_port, ProFTPD PassivePorts) and open it in every firewall explicitly: helpers cannot read TLS',
  };
}

/** `40000` or `40000-40007`. */
function portRange(ports: number[]): string {
  const min = Math.min(...ports);
  const max = Math.max(...ports);
  return min === max ? String(min) : `${min}-${max}`;
}
