/**
 * How well one transfer went, from its data connection's meter (src/tcp/performance.ts) and its
 * session's control connection: duration, throughput, handshake round trip, retransmissions, zero
 * windows, the longest stall and what it waited on, and what the control connection did meanwhile.
 * Pure functions of the analysis model; times in microseconds.
 */
import { transferSender } from '../correlate/channels';
import type { DataChannel, FtpSession } from '../model';
import { firstClose, payloadBytes, type Connection } from '../tcp/connections';
import type { Stall, StallCause } from '../tcp/performance';
import type { Direction, FrameEvent } from '../types';

/** Below this the control connection counts as active during a transfer, not idle. */
export const CONTROL_ACTIVE_MICROS = 1_000_000;

/**
 * The control connection during a transfer: `reset` (RST) or `closed` (FIN) before the final reply
 * came; else `idle` when it was silent for at least a second, `active` otherwise.
 */
export type ControlState = 'active' | 'idle' | 'reset' | 'closed';

export interface TransferPerformance {
  /** Which side of the data connection sent the transfer's bytes. */
  sender: Direction;
  /** From the SYN (or the first packet) to the RST or the second FIN, or to the last packet while open. */
  durationMicros: number;
  /** The connection ended (FIN both ways, or RST) in the capture. */
  closed: boolean;
  /** SYN → SYN-ACK → ACK at the capture point (from the last SYN sent); null without all three. */
  handshakeRttMicros: number | null;
  /** Payload bytes from the sender (sequence space, each byte once). */
  bytes: number;
  /** From the first to the last segment with new data from the sender. */
  dataMicros: number | null;
  /** bytes / dataMicros, in bytes per second; null with less than two data segments apart in time. */
  throughput: number | null;
  retransmittedBytes: number;
  retransmittedSegments: number;
  /** retransmittedBytes as a percentage of bytes (0 without bytes). */
  retransmittedPercent: number;
  firstRetransmission: FrameEvent | null;
  /** Zero windows advertised by the receiver of the transfer's bytes. */
  zeroWindow: { episodes: number; totalMicros: number; longestMicros: number; first: FrameEvent | null };
  /** The longest stretch without new data from the sender (also the one before the connection ended). */
  longestStall: Stall | null;
  control: { state: ControlState; idleMicros: number; since: FrameEvent | null; end: FrameEvent | null };
}

/** Which side sends the channel's bytes: the transfer's sender, else the side that sent more. */
function senderOf(channel: DataChannel, connection: Connection): Direction {
  return transferSender(channel) ?? (payloadBytes(connection, 'resp') > payloadBytes(connection, 'orig') ? 'resp' : 'orig');
}

/** When the connection ended: its RST, or the later of its two FINs; null while open. */
function closeEvent(connection: Connection): FrameEvent | null {
  if (connection.rst) return connection.rst;
  if (connection.finOrig && connection.finResp) {
    return connection.finOrig.timeMicros >= connection.finResp.timeMicros ? connection.finOrig : connection.finResp;
  }
  return null;
}

/** The channel's transfer performance, or null when its connection carried no meter. */
export function measureTransfer(session: FtpSession, channel: DataChannel): TransferPerformance | null {
  const connection = channel.connection;
  const meter = connection?.meter;
  if (!connection || !meter) return null;
  const sender = senderOf(channel, connection);
  const receiver: Direction = sender === 'orig' ? 'resp' : 'orig';
  const sent = meter.directions[sender];
  const received = meter.directions[receiver];
  const start = connection.syn ?? connection.first;
  const close = closeEvent(connection);
  const end = close ?? connection.last;
  const bytes = payloadBytes(connection, sender);
  const dataMicros = sent.firstData && sent.lastNewData ? sent.lastNewData.timeMicros - sent.firstData.timeMicros : null;
  const handshake =
    connection.lastSyn && connection.synAck && connection.handshakeAck ? connection.handshakeAck.timeMicros - connection.lastSyn.timeMicros : null;
  // A zero-window episode still open when the connection ended lasted until then.
  let zeroMicros = received.zeroWindowMicros;
  let zeroLongest = received.longestZeroWindowMicros;
  if (received.zeroWindowSince !== null) {
    const open = end.timeMicros - received.zeroWindowSince.timeMicros;
    zeroMicros += open;
    zeroLongest = Math.max(zeroLongest, open);
  }
  return {
    sender,
    durationMicros: end.timeMicros - start.timeMicros,
    closed: close !== null,
    handshakeRttMicros: handshake !== null && handshake >= 0 ? handshake : null,
    bytes,
    dataMicros,
    throughput: dataMicros !== null && dataMicros > 0 ? Math.round((bytes * 1e6) / dataMicros) : null,
    retransmittedBytes: sent.retransmittedBytes,
    retransmittedSegments: sent.retransmittedSegments,
    retransmittedPercent: bytes > 0 ? Math.round((sent.retransmittedBytes * 10_000) / bytes) / 100 : 0,
    firstRetransmission: sent.firstRetransmission,
    zeroWindow: { episodes: received.zeroWindowEpisodes, totalMicros: zeroMicros, longestMicros: zeroLongest, first: received.firstZeroWindow },
    longestStall: longestStall(connection, sender, end),
    control: controlDuringTransfer(session, channel, connection),
  };
}

/**
 * The longest stall: the longest one that ended with new data, or the last one, from the sender's
 * last new data to its FIN or the connection's RST (or its last packet while open), when longer.
 */
function longestStall(connection: Connection, sender: Direction, end: FrameEvent): Stall | null {
  const meter = connection.meter;
  if (!meter) return null;
  const sent = meter.directions[sender];
  const receiver = meter.directions[sender === 'orig' ? 'resp' : 'orig'];
  let longest = sent.longestStall;
  if (sent.lastNewData !== null) {
    const senderFin = sender === 'orig' ? connection.finOrig : connection.finResp;
    const stop = connection.rst && (senderFin === null || connection.rst.timeMicros < senderFin.timeMicros) ? connection.rst : (senderFin ?? end);
    const micros = stop.timeMicros - sent.lastNewData.timeMicros;
    if (micros > 0 && (longest === null || micros > longest.micros)) {
      const acked = connection.payload[sender].acked;
      const cause: StallCause =
        sent.zeroWindowSinceNewData || receiver.zeroWindowSince !== null
          ? 'receiver-window'
          : sent.retransmissionsSinceNewData > 0
            ? 'loss'
            : sent.highest !== null && acked < sent.highest
              ? 'awaiting-ack'
              : 'sender-idle';
      longest = { micros, from: sent.lastNewData, to: stop === end && closeEvent(connection) === null ? null : stop, cause };
    }
  }
  return longest;
}

/**
 * What the control connection did while the data connection ran and until the final reply: the
 * longest silence (seen from the data packets, and from the data connection's last packet to the
 * final reply, or to the control connection's end when the reply never came), and whether it was
 * reset or closed before the final reply.
 */
function controlDuringTransfer(session: FtpSession, channel: DataChannel, connection: Connection): TransferPerformance['control'] {
  const control = session.control;
  const meter = connection.meter;
  const final = channel.transfer?.final ?? null;
  const start = connection.syn ?? connection.first;
  const closing = firstClose(control);
  // A close of the control connection during the transfer, before its final reply.
  const ended = closing !== null && closing.timeMicros >= start.timeMicros && (final === null || closing.timeMicros < final.at.timeMicros) ? closing : null;
  let idle = meter?.controlSilenceMicros ?? 0;
  let since = meter?.controlSilenceFrom ?? null;
  let lastSeen = meter?.controlLastSeen ?? null;
  const until = final?.at ?? ended ?? null;
  // Without a final reply, a command or reply after the data (QUIT, NOOP) ended the silence before the close.
  if (final === null && ended !== null && lastSeen !== null) lastSeen = lastControlLine(session, lastSeen, ended);
  if (lastSeen !== null && until !== null && until.timeMicros - lastSeen.timeMicros > idle) {
    idle = until.timeMicros - lastSeen.timeMicros;
    since = lastSeen;
  }
  if (ended !== null) return { state: ended.how === 'rst' ? 'reset' : 'closed', idleMicros: idle, since, end: ended };
  return { state: idle >= CONTROL_ACTIVE_MICROS ? 'idle' : 'active', idleMicros: idle, since, end: null };
}

/** The latest command or reply of the session between `after` and `before` (its timeline), else `after`. */
function lastControlLine(session: FtpSession, after: FrameEvent, before: FrameEvent): FrameEvent {
  let latest = after;
  for (const entry of session.timeline) {
    if (entry.source !== 'client' && entry.source !== 'server') continue;
    const t = entry.at.timeMicros;
    if (t > latest.timeMicros && t <= before.timeMicros) latest = entry.at;
  }
  return latest;
}
