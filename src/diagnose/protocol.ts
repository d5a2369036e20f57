/**
 * Findings about how the client and server negotiate data channels: EPSV that failed and the
 * fallback to PASV, commands after EPSV ALL, address families that do not match, privileged
 * ports, and passive replies that deviate from the RFC shape.
 */
import { describeUnreachable } from './data-channels';
import { parseEpsvArgument } from '../ftp/hostport';
import type { ChannelSuccessor, DataChannel, FtpSession } from '../model';
import { handshakeOutcome } from '../tcp/connections';
import type { Finding } from '../types';
import { firstLine, formatDelay } from '../text';

export function diagnoseNegotiation(session: FtpSession): Finding[] {
  const findings: Finding[] = [];
  const channels = session.dataChannels;
  channels.forEach((channel, i) => {
    // The channel after it, unless that one was folded (session.folded).
    const following = channels[i + 1];
    const next = following?.index === channel.index + 1 ? following : session.folded.successors.get(channel.index);
    findings.push(...diagnoseChannelNegotiation(session, channel, next));
  });
  return findings;
}

/** The negotiation findings of one channel, given the channel announced after it. */
export function diagnoseChannelNegotiation(session: FtpSession, channel: DataChannel, next: ChannelSuccessor | undefined): Finding[] {
  const findings: Finding[] = [];
  for (const finding of [
    epsvFallback(channel, next),
    epsvAllViolation(session, channel),
    familyMismatch(session, channel),
    privilegedPort(channel),
    replyFormat(channel),
  ]) {
    if (finding) findings.push(finding);
  }
  return findings;
}

/** Why an EPSV channel did not give a data connection, or null when it worked (or was never used). */
function epsvFailure(channel: DataChannel): string | null {
  const reply = channel.reply;
  if (reply && reply.code >= 400) return `the server refused it ("${reply.code} ${firstLine(reply.text)}")`;
  const connection = channel.connection;
  if (connection) {
    const outcome = handshakeOutcome(connection);
    const icmp = connection.unreachable;
    if (outcome === 'unanswered' && icmp && icmp.direction === 'orig') return `its data connection was refused by ${icmp.from}: ${describeUnreachable(icmp)}`;
    if (outcome === 'unanswered') return `its data connection got no answer (${connection.synCount} SYNs)`;
    if (outcome === 'refused') return 'its data connection was refused (RST)';
    if (outcome === 'half-open') return 'its data connection never completed the handshake';
    return null;
  }
  const final = channel.transfer?.final;
  if (final && (final.code === 425 || final.code === 426)) return `no data connection came ("${final.code} ${firstLine(final.text)}")`;
  return null;
}

/** EPSV failed and the next announcement is PASV (or LPSV): the client fell back (field guide F7). */
function epsvFallback(channel: DataChannel, next: ChannelSuccessor | undefined): Finding | null {
  if (channel.method !== 'EPSV' || !next || (next.method !== 'PASV' && next.method !== 'LPSV')) return null;
  const why = epsvFailure(channel);
  if (why === null) return null;
  const delay = next.request.at.timeMicros - channel.request.at.timeMicros;
  const refused = channel.reply !== null && channel.reply.code >= 400;
  return {
    code: 'epsv-fallback',
    severity: 'warning',
    frame: next.request.at.ref,
    message: `EPSV failed: ${why}; the client fell back to ${next.method} ${formatDelay(delay)} later`,
    fix: refused
      ? 'enable EPSV on the server (RFC 2428), or let the client start with PASV (curl --disable-epsv, lftp set ftp:prefer-epsv no)'
      : 'open the passive port range for EPSV too, or let the client start with PASV (curl --disable-epsv, tnftp epsv4 off)',
  };
}

/** A PORT, EPRT, PASV, LPRT or LPSV after an accepted EPSV ALL (RFC 2428 §4), field guide F8. */
function epsvAllViolation(session: FtpSession, channel: DataChannel): Finding | null {
  const since = session.epsvAll;
  if (since === null || channel.method === 'EPSV' || channel.request.at.timeMicros < since.timeMicros) return null;
  const reply = channel.reply;
  const accepted = reply !== null && reply.code < 400;
  return {
    code: 'epsv-all-violation',
    severity: accepted ? 'error' : 'warning',
    frame: (accepted ? reply.at : channel.request.at).ref,
    message: accepted
      ? `the server accepted ${channel.method} after EPSV ALL ("${reply.code} ${firstLine(reply.text)}"): middleboxes that trust EPSV ALL will not expect this data connection`
      : `the client sent ${channel.method} after EPSV ALL had been accepted${reply ? `; the server refused it (${reply.code})` : ''}`,
    fix: accepted
      ? 'make the server refuse every data command but EPSV after EPSV ALL'
      : 'configure the client to use only EPSV after sending EPSV ALL, or not to send EPSV ALL',
  };
}

/** The control connection's address family: 1 (IPv4) or 2 (IPv6), as RFC 2428 numbers them. */
function familyOf(ip: string): 1 | 2 {
  return ip.includes(':') ? 2 : 1;
}

const familyName = { 1: 'IPv4', 2: 'IPv6' } as const;

/** EPRT/EPSV naming the other family, a 522 reply, or a passive reply of the other command (F6). */
function familyMismatch(session: FtpSession, channel: DataChannel): Finding | null {
  const control = familyOf(session.server.ip);
  const reply = channel.reply;
  const refused = reply !== null && reply.code >= 400;
  const replyText = reply ? ` ("${reply.code} ${firstLine(reply.text)}")` : '';
  let what: string | null = null;
  if (channel.method === 'EPRT' && channel.announced?.ip && familyOf(channel.announced.ip) !== control) {
    what = `EPRT names an ${familyName[familyOf(channel.announced.ip)]} address on an ${familyName[control]} control connection`;
  } else if (channel.method === 'EPSV') {
    const arg = parseEpsvArgument(channel.request.arg);
    if (arg.kind === 'family' && arg.family !== control) {
      what = `EPSV ${arg.family} asks for ${arg.family === 1 || arg.family === 2 ? familyName[arg.family] : `network protocol ${arg.family}`} on an ${familyName[control]} control connection`;
    }
  }
  if (what === null && control === 2 && (channel.method === 'PORT' || channel.method === 'PASV')) {
    what = `${channel.method} can only name IPv4 addresses, but the control connection is IPv6 (RFC 2428: use ${channel.method === 'PORT' ? 'EPRT' : 'EPSV'})`;
  }
  if (what === null && reply?.code === 522 && (channel.method === 'EPRT' || channel.method === 'EPSV')) {
    what = `the server does not support the network protocol the client asked for with ${channel.method}`;
  }
  if (what === null && reply && !refused) {
    if (channel.method === 'PASV' && reply.code === 229) what = 'PASV was answered with 229 (extended passive), as a NAT64 or CLAT translator does';
    if (channel.method === 'EPSV' && reply.code === 227) what = 'EPSV was answered with 227 (IPv4 passive)';
  }
  if (what === null) return null;
  return {
    code: 'address-family-mismatch',
    severity: refused ? 'error' : 'warning',
    frame: (reply?.at ?? channel.request.at).ref,
    message: `${what}${refused ? `; the server refused it${replyText}` : ''}`,
    fix: "use one address family end to end: the data connection must use the control connection's family (plain EPSV/EPRT with the control address)",
  };
}

/** An announced data port below 1024 (RFC 2577 §3): a bounce toward a service, or a server misconfigured. */
function privilegedPort(channel: DataChannel): Finding | null {
  const port = channel.announced?.port;
  if (port === undefined || port >= 1024) return null;
  const accepted = channel.reply !== null && channel.reply.code < 400;
  const active = channel.mode === 'active';
  return {
    code: 'privileged-data-port',
    severity: active && accepted ? 'error' : 'warning',
    frame: channel.announcedAt.ref,
    message: active
      ? `${channel.method} asks the server to connect to port ${port}, a privileged port (a service, not a client's data socket)${channel.reply ? (accepted ? '; the server accepted it' : `; the server refused it (${channel.reply.code})`) : ''}`
      : `the server announced passive port ${port}, a privileged port: firewalls and clients may refuse it`,
    fix: active
      ? accepted
        ? 'make the server refuse PORT/EPRT to ports below 1024 (RFC 2577; vsftpd refuses them unless port_promiscuous=YES)'
        : undefined
      : 'give the server a passive range above 1023 (vsftpd pasv_min_port, ProFTPD PassivePorts, Pure-FTPd -p)',
  };
}

/** A 227/228/229 that deviates from the RFC shape, or came as a multi-line reply (field guide §1.2, F10). */
function replyFormat(channel: DataChannel): Finding | null {
  if (channel.mode !== 'passive' || !channel.reply || channel.reply.code >= 400) return null;
  const quirks = channel.quirks.filter((q) => !/ answered with /.test(q));
  if (channel.reply.multiline) quirks.push('a multi-line reply');
  if (quirks.length === 0) return null;
  const unused = channel.connection === null && channel.transfer !== null;
  return {
    code: 'nonstandard-reply-format',
    severity: unused ? 'error' : 'warning',
    frame: channel.announcedAt.ref,
    message: `the ${channel.reply.code} reply "${firstLine(channel.reply.text)}" deviates from the RFC shape: ${quirks.join('; ')}${unused ? '; the client did not connect to it' : ''}`,
    fix: 'strict inspection (Cisco ASA "inspect ftp strict", kernel FTP helpers) and some clients reject such replies: make the server answer in the standard form',
  };
}
