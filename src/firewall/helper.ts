/**
 * Would Linux's FTP helper (nf_conntrack_ftp) have followed a session? It reads the control
 * connection one TCP segment at a time, without reassembly, and creates an expectation (the data
 * connection then counts as RELATED) only when all of these hold (net/netfilter/nf_conntrack_ftp.c,
 * `help()`, `find_pattern()`, `try_rfc959()`, `try_rfc1123()`, `try_eprt()`, `try_epsv_response()`):
 *
 * - the helper is bound to the control connection (an explicit `ct helper set` / `-j CT --helper
 *   ftp` on its port; automatic assignment by port is gone since Linux 4.7 / 6.0);
 * - the announcement (`PORT `, `EPRT `, `227 `, `229 `) starts a segment that follows an earlier
 *   line end, and the whole line is in that segment (a partial match drops the packet);
 * - PORT ends in CR LF (a bare LF is a partial match); its numbers have no spaces;
 * - EPRT names the address family of the control connection;
 * - the announced address is the sender's own (module parameter `loose=1` lifts this);
 * - LPRT/LPSV (228) are not read at all; nothing inside TLS is;
 * - one expectation per control connection (`max_expected = 1`): a newer announcement evicts the
 *   older one. ftpcap's correlation already ends a channel's wait at the next announcement, so a
 *   connection to an evicted channel is never matched to it and needs no check here.
 */
import type { DataChannel, FtpSession } from '../model';
import type { HelperPrediction } from './types';

/** Why the helper would not have followed one channel, or null when it would. */
export function helperMissesChannel(session: FtpSession, channel: DataChannel): string | null {
  const active = channel.mode === 'active';
  const carrier = active ? channel.request : channel.reply;
  if (carrier === null) return 'the announcement is not in the capture';
  const what = active ? channel.method : `the ${channel.reply?.code} reply`;
  if (channel.method === 'LPRT' || channel.method === 'LPSV') return `the helper does not read ${channel.method} (RFC 1639) announcements`;
  const framing = carrier.framing;
  if (framing) {
    if (!framing.startsSegment) return `${what} does not start its TCP segment: the helper reads only a segment's first line`;
    if (!framing.oneSegment) return `${what} is split across TCP segments: the helper does not reassemble (and drops the first part)`;
    if (active && framing.bareLf) return `${what} ends in a bare LF, not CR LF: the helper takes it for a partial match and drops it`;
  }
  if (!active && channel.reply?.multiline && framing?.startsSegment !== true)
    return `${what} is a multi-line reply: the helper looks for "${channel.reply.code} " at the start of a segment`;
  if (channel.method === 'PORT' && !/^\d{1,3}(,\d{1,3}){5}$/.test(channel.announcementText.trim())) {
    return `PORT "${channel.announcementText}" is not six comma-separated numbers as the helper parses them`;
  }
  const family = session.server.ip.includes(':') ? 'ipv6' : 'ipv4';
  const announcedIp = channel.announced?.ip ?? null;
  if (channel.method === 'EPRT' && announcedIp !== null && announcedIp.includes(':') !== (family === 'ipv6')) {
    return 'EPRT names the other address family than the control connection: the helper ignores it';
  }
  const sender = active ? session.client.ip : session.server.ip;
  if (announcedIp !== null && announcedIp !== sender) {
    return `${what} names ${announcedIp}, not the sender ${sender}: the helper ignores it unless loaded with loose=1`;
  }
  return null;
}

/** A channel the traffic relied on: accepted, and used by a connection or a transfer. */
function used(channel: DataChannel): boolean {
  return channel.announced !== null && (channel.reply === null || channel.reply.code < 400) && (channel.connection !== null || channel.transfer !== null);
}

/** Whether the kernel helper, bound to the session's control port, would have opened its data connections. */
export function predictHelper(session: FtpSession): HelperPrediction {
  const reasons: string[] = [];
  const channels: HelperPrediction['channels'] = [];
  for (const channel of session.dataChannels) {
    if (!used(channel)) continue;
    const reason = helperMissesChannel(session, channel);
    channels.push({ index: channel.index, follows: reason === null, reason });
    if (reason !== null && !reasons.includes(reason)) reasons.push(reason);
  }
  if (session.implicitTls) reasons.push('the control connection is TLS from its first byte (implicit FTPS): the helper cannot read it');
  else if (session.tls !== null) reasons.push('the control connection switched to TLS (AUTH): the helper cannot read the announcements after it');
  if (session.unannouncedConnections.length > 0) {
    reasons.push('the capture lacks some announcements (control bytes missing): whether the helper saw them cannot be told');
  }
  return { session: session.id, follows: reasons.length === 0, reasons, channels };
}
