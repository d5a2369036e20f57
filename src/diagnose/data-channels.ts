/**
 * Findings about data channels: announcements refused, connections that never came or were
 * refused, transfers that failed, passive replies naming another address.
 */
import type { UnreachableKind } from '../decode/icmp';
import type { DataChannel, FtpSession, Transfer } from '../model';
import { isEstablished, type Connection } from '../tcp/connections';
import type { Finding } from '../types';
import { firstLine, formatEndpoint } from '../text';
import { describeAddress } from './addresses';
import { recoveredWords } from '../correlate/tracker';

export function diagnoseDataChannels(session: FtpSession): Finding[] {
  const findings: Finding[] = [];
  for (const channel of session.dataChannels) {
    findings.push(...diagnoseChannel(session, channel));
  }
  for (const transfer of session.orphanTransfers) {
    if (transfer.final && transfer.final.code >= 400 && transfer.leftChannel !== null) {
      findings.push({
        code: 'transfer-failed',
        severity: 'error',
        frame: transfer.final.at.ref,
        message: `${transfer.command.verb}${transfer.command.arg ? ` ${transfer.command.arg}` : ''} was refused with "${transfer.final.code} ${firstLine(transfer.final.text)}" before any data connection; data channel #${transfer.leftChannel} was left for the next transfer`,
      });
    } else if (transfer.final && transfer.final.code >= 400) {
      findings.push({
        code: 'transfer-failed',
        severity: 'error',
        frame: transfer.final.at.ref,
        message: `${transfer.command.verb} failed with "${transfer.final.code} ${firstLine(transfer.final.text)}" and no data channel had been set up for it`,
        fix: 'the client must send PORT/EPRT or PASV/EPSV (and have it accepted) before each transfer',
      });
    }
  }
  return findings;
}

/** The findings of one data channel (its refusal, its connection, its transfer). */
export function diagnoseChannel(session: FtpSession, channel: DataChannel): Finding[] {
  const findings: Finding[] = [];
  const label = `data channel #${channel.index} (${channel.method})`;
  const reply = channel.reply;
  if (reply && reply.code >= 400) {
    // The client got its transfer over a later channel: the refusal cost time, not the transfer.
    const recovered =
      session.folded.lastCompletedIndex > channel.index ||
      session.dataChannels.some((c) => c.index > channel.index && c.transfer?.final && c.transfer.final.code < 300);
    // Refusing a third host or a privileged port is the server protecting itself (RFC 2577).
    const protective =
      channel.mode === 'active' &&
      channel.announced !== null &&
      (channel.announced.port < 1024 ||
        (channel.announced.ip !== null &&
          channel.announced.ip !== session.client.ip &&
          sameFamily(channel.announced.ip, session.client.ip) &&
          describeAddress(channel.announced.ip) === null));
    findings.push({
      code: 'announcement-refused',
      severity: recovered || protective ? 'warning' : 'error',
      frame: reply.at.ref,
      message: `the server refused ${channel.method} with "${reply.code} ${firstLine(reply.text)}"${recovered ? recoveredWords : ''}`,
      fix: refusalFix(session, channel),
    });
  }
  const announced = channel.announced;
  // A foreign PORT address is worth explaining whether or not the server refused it: it says why.
  if (channel.mode === 'active' && announced?.ip && announced.ip !== session.client.ip && sameFamily(announced.ip, session.client.ip)) {
    findings.push(foreignActiveTarget(session, channel, announced.ip));
  }
  if (reply && reply.code >= 400) return findings;
  if (channel.mode === 'passive' && announced?.ip && announced.ip !== session.server.ip) {
    const connection = channel.connection;
    const dialled = connection ? connection.resp.ip : null;
    const kind = describeAddress(announced.ip);
    const where = `${channel.method} reply announces ${announced.ip}${kind ? ` (${kind})` : ''} but the control connection goes to ${session.server.ip}`;
    const outcome =
      dialled === null
        ? 'no connection to either address was seen'
        : dialled === announced.ip
          ? `the client dialled the announced address${connection && !isEstablished(connection) ? ' and failed' : ''}`
          : 'the client dialled the control address instead, which rescued the transfer';
    findings.push({
      code: 'pasv-address-mismatch',
      severity: dialled === session.server.ip ? 'warning' : 'error',
      frame: channel.announcedAt.ref,
      message: `${where}; ${outcome}`,
      fix: 'make the server announce its public address (vsftpd pasv_address, ProFTPD MasqueradeAddress, Pure-FTPd -P)',
    });
  }
  const connection = channel.connection;
  if (connection && !isEstablished(connection)) {
    findings.push(connection.synAck === null ? connectFailure(session, channel, connection) : handshakeAborted(connection));
  }
  const transfer = channel.transfer;
  if (transfer && connection === null && channel.expectedTo.length > 0 && expectsConnection(transfer)) {
    const target = channel.expectedTo.map(formatEndpoint).join(' or ');
    findings.push({
      code: 'data-connection-missing',
      severity: transfer.final && transfer.final.code < 300 ? 'warning' : 'error',
      frame: transfer.command.at.ref,
      message: `${transfer.command.verb} needed a data connection from ${channel.expectedFrom} to ${target}, but no SYN for it is in the capture`,
      fix: 'it was blocked before the capture point, or the capture point cannot see the data path: capture on the host that should send the SYN',
    });
  }
  if (transfer?.final && transfer.final.code >= 400) {
    findings.push({
      code: 'transfer-failed',
      severity: 'error',
      frame: transfer.final.at.ref,
      message: `${transfer.command.verb} over ${label} failed: "${transfer.final.code} ${firstLine(transfer.final.text)}"`,
    });
  }
  return findings;
}

/** The likely fix for a refused announcement, from what it asked for. */
function refusalFix(session: FtpSession, channel: DataChannel): string {
  const announced = channel.announced;
  if (channel.reply?.code === 522) return 'use the address family of the control connection (plain EPSV / EPRT with the control address)';
  if (channel.mode === 'passive') return `the server does not offer ${channel.method}: let the client use another mode (PASV or EPSV)`;
  if (announced && announced.port < 1024) return 'the client must announce a port above 1023 (servers refuse privileged ports as bounce protection)';
  if (announced?.ip && announced.ip !== session.client.ip && describeAddress(announced.ip) === null) {
    return 'nothing to fix if this was a bounce attempt: the server refused to connect to a host other than the client; for server-to-server transfers (FXP) allow it explicitly (vsftpd port_promiscuous=YES, ProFTPD AllowForeignAddress on)';
  }
  if (announced?.ip && announced.ip !== session.client.ip) {
    return 'use passive mode, or make the PORT/EPRT address the one the server sees (FTP helper on the client-side NAT, or the client configured with its public address)';
  }
  return 'use passive mode, or check what the server allows for active mode';
}

/** Reply codes that say the data connection itself failed (RFC 959 §4.2). */
const connectionFailureCodes = new Set([425, 426]);

/**
 * Whether a data connection must have been attempted for this transfer: it started (1xx), it
 * succeeded, or it failed for a connection reason. A 550 "no such file" comes before any attempt.
 */
function expectsConnection(transfer: Transfer): boolean {
  if (transfer.preliminary !== null || transfer.final === null) return true;
  return transfer.final.code < 300 || connectionFailureCodes.has(transfer.final.code);
}

function connectFailure(session: FtpSession, channel: DataChannel, connection: Connection): Finding {
  const target = formatEndpoint(connection.resp);
  const from = connection.orig.ip;
  if (connection.rst && connection.rst.from === 'resp' && connection.synAck === null) {
    return {
      code: 'data-connect-refused',
      severity: 'error',
      frame: connection.rst.ref,
      message: `${from} tried to open the data connection to ${target} and was refused (RST): nothing listens there, or a firewall rejects it`,
      fix:
        channel.mode === 'passive'
          ? 'check that the announced port is the one the server listens on (port mapping, passive range)'
          : 'the client no longer listens on the announced port, or a firewall rejects the connection',
    };
  }
  const seconds = connection.lastSyn && connection.syn ? (connection.lastSyn.timeMicros - connection.syn.timeMicros) / 1e6 : 0;
  const icmp = connection.unreachable;
  if (icmp && icmp.direction === 'orig' && connection.synAck === null) return unreachableFailure(session, channel, connection, icmp);
  const firewallSide =
    channel.mode === 'passive' ? "the server's firewall (or one in front of it)" : "the client's firewall (or one between server and client)";
  const sent = `${from} sent ${connection.synCount} SYN${connection.synCount === 1 ? '' : 's'} to ${target} over ${seconds.toFixed(1)} s and got no answer`;
  // A passive SYN to an address other than the server's: the announcement is wrong, not a firewall.
  if (channel.mode === 'passive' && connection.resp.ip !== session.server.ip) {
    return {
      code: 'data-connect-unanswered',
      severity: 'error',
      frame: (connection.syn ?? connection.first).ref,
      message: `${sent}: that is the address the server announced, not its own (${session.server.ip}), and nothing answers there`,
      fix: 'make the server announce its public address (vsftpd pasv_address, ProFTPD MasqueradeAddress, Pure-FTPd -P), or let the client use the control address (lftp set ftp:fix-pasv-address yes, curl does by default)',
    };
  }
  return {
    code: 'data-connect-unanswered',
    severity: 'error',
    frame: (connection.syn ?? connection.first).ref,
    message: `${sent}: a firewall drops it`,
    fix: unansweredFix(session, channel, firewallSide),
  };
}

/**
 * A policy, not a port: the port of this transfer is temporary (the client's next PORT, or the
 * server's next passive reply, names another one), so the fix opens what the mode needs.
 */
function unansweredFix(session: FtpSession, channel: DataChannel, firewallSide: string): string {
  const capture = `ftpcap firewall --side ${channel.mode === 'passive' ? 'server' : 'client'}`;
  if (channel.mode === 'passive') {
    return `in ${firewallSide}, open the server's whole passive range (pin it: vsftpd pasv_min_port/pasv_max_port, ProFTPD PassivePorts, Pure-FTPd -p) or bind the kernel FTP helper to port ${session.server.port}; \`${capture} --passive-range LO-HI\` writes the rules`;
  }
  return `use passive mode, or in ${firewallSide} let the server's port-20 connections in to ports above 1023 (the kernel FTP helper on the client side does this for each transfer); \`${capture}\` writes the rules`;
}

/** What an ICMP destination unreachable says, in words. */
export function describeUnreachable(icmp: NonNullable<Connection['unreachable']>): string {
  const protocol = icmp.icmpType === 3 ? 'ICMP' : 'ICMPv6';
  const what: Record<UnreachableKind, string> = {
    network: 'network unreachable',
    host: 'host unreachable',
    protocol: 'protocol unreachable',
    port: 'port unreachable',
    'admin-prohibited': 'administratively prohibited',
    other: 'destination unreachable',
  };
  return `${protocol} ${what[icmp.kind]} (type ${icmp.icmpType}, code ${icmp.icmpCode})`;
}

/** A data SYN answered by an ICMP destination unreachable: who said no, and what it means. */
function unreachableFailure(session: FtpSession, channel: DataChannel, connection: Connection, icmp: NonNullable<Connection['unreachable']>): Finding {
  const target = formatEndpoint(connection.resp);
  const from = connection.orig.ip;
  const sender = icmp.from === connection.resp.ip ? `${icmp.from} itself` : icmp.from;
  const syns = `${connection.synCount} SYN${connection.synCount === 1 ? '' : 's'}`;
  const said = `${from} tried to open the data connection to ${target} (${syns}) and ${sender} answered ${describeUnreachable(icmp)}`;
  const wrongAddress = channel.mode === 'passive' && connection.resp.ip !== session.server.ip;
  let meaning: string;
  let fix: string;
  if (icmp.kind === 'admin-prohibited') {
    meaning = 'a firewall there rejects it';
    fix = `allow TCP port ${connection.resp.port} toward ${connection.resp.ip} in the firewall at ${icmp.from}, or use an FTP helper there`;
  } else if (icmp.kind === 'port') {
    meaning = icmp.from === connection.resp.ip ? 'nothing listens there for TCP, or its firewall rejects it' : 'a firewall there rejects it';
    fix =
      channel.mode === 'passive'
        ? 'check that the announced port is the one the server listens on, and the firewalls in front of it'
        : `check that the client still listens on port ${connection.resp.port}, and the firewalls between server and client`;
  } else {
    meaning = wrongAddress
      ? `that is the address the server announced, not its own (${session.server.ip}), and it cannot be reached`
      : `${connection.resp.ip} cannot be reached from ${from}`;
    fix = wrongAddress
      ? 'make the server announce its public address (vsftpd pasv_address, ProFTPD MasqueradeAddress, Pure-FTPd -P), or let the client use the control address (lftp set ftp:fix-pasv-address yes, curl does by default)'
      : channel.mode === 'passive'
        ? `check the route from ${from} to ${connection.resp.ip}`
        : 'use passive mode: the server cannot reach the address the client announced';
  }
  return { code: 'data-connect-unreachable', severity: 'error', frame: icmp.ref, message: `${said}: ${meaning}`, fix };
}

function sameFamily(a: string, b: string): boolean {
  return a.includes(':') === b.includes(':');
}

/**
 * PORT/EPRT naming an address other than the client's: a private one means the client sits behind
 * a NAT that did not rewrite it (no FTP helper); a public one is another host (FXP, or the FTP
 * bounce attack of RFC 2577 §2).
 */
function foreignActiveTarget(session: FtpSession, channel: DataChannel, ip: string): Finding {
  const kind = describeAddress(ip);
  const accepted = channel.reply !== null && channel.reply.code < 400;
  const answer = channel.reply === null ? 'no reply is in the capture' : accepted ? 'the server accepted it' : `the server refused it (${channel.reply.code})`;
  if (kind !== null) {
    return {
      code: 'port-address-mismatch',
      severity: 'warning',
      frame: channel.announcedAt.ref,
      message: `${channel.method} names ${ip} (${kind}), but the server sees the client as ${session.client.ip}: the client is behind a NAT without a working FTP helper; ${answer}`,
      fix: 'use passive mode, or enable the FTP helper on the client-side NAT (nftables ct helper / -j CT --helper ftp), or configure the client with its public address',
    };
  }
  return {
    code: 'third-party-data-target',
    severity: accepted ? 'error' : 'warning',
    frame: channel.announcedAt.ref,
    message: `${channel.method} asks the server to connect to another host, ${ip}:${channel.announced?.port}, not the client ${session.client.ip} (FXP or an FTP bounce attempt); ${answer}`,
    fix: accepted ? 'make the server refuse PORT/EPRT to third hosts (vsftpd port_promiscuous=NO, ProFTPD AllowForeignAddress off)' : undefined,
  };
}

/** SYN-ACK came back but the handshake never completed: reset, or the final ACK never came. */
function handshakeAborted(connection: Connection): Finding {
  const target = formatEndpoint(connection.resp);
  const how = connection.rst ? `${connection.rst.from === 'orig' ? connection.orig.ip : connection.resp.ip} reset it` : 'the final ACK never came';
  return {
    code: 'data-connect-aborted',
    severity: 'error',
    frame: (connection.rst ?? connection.synAck ?? connection.first).ref,
    message: `${target} answered the data SYN from ${connection.orig.ip} with a SYN-ACK, but the handshake did not complete: ${how}`,
    fix: 'a firewall or NAT between them is dropping or resetting one direction; capture on both sides to see which',
  };
}
