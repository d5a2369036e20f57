/**
 * Findings about how transfers went: a control connection dropped while it idled during a long
 * transfer, a transfer that stalled, a receiver that closed its window, heavy loss, and transfers
 * cut short by ABOR or RST. Thresholds are analyzer options (src/options.ts).
 */
import type { DataChannel, FtpSession } from '../model';
import type { PerformanceThresholds } from '../options';
import { firstClose, isEstablished } from '../tcp/connections';
import type { StallCause } from '../tcp/performance';
import { measureTransfer, type TransferPerformance } from '../transfer/performance';
import type { Direction, Finding } from '../types';
import { firstLine, formatBytes, formatDelay, formatThroughput } from '../text';

/** Whose side a stall waited on, in words. */
export const stallCauseWords: Record<StallCause, string> = {
  'receiver-window': 'the receiver had closed its window',
  loss: 'segments were lost and sent again',
  'awaiting-ack': 'bytes in flight waited for their acknowledgement (no retransmission seen)',
  'sender-idle': 'the sender had nothing more to send (all it sent was acknowledged, the window open)',
};

export function diagnosePerformance(session: FtpSession, thresholds: PerformanceThresholds): Finding[] {
  const findings: Finding[] = [];
  for (const channel of session.dataChannels) findings.push(...diagnoseChannelPerformance(session, channel, thresholds));
  return findings;
}

/** How one channel's transfer went: stalls, a closed window, loss, an abort. */
export function diagnoseChannelPerformance(session: FtpSession, channel: DataChannel, thresholds: PerformanceThresholds): Finding[] {
  const findings: Finding[] = [];
  const connection = channel.connection;
  if (!connection || !isEstablished(connection)) return findings;
  const performance = measureTransfer(session, channel);
  if (!performance) return findings;
  const name = transferName(channel);
  const who = (side: Direction) => sideName(session, channel, side);
  const zeroWindow = zeroWindowFinding(performance, name, who, thresholds);
  for (const finding of [
    controlIdleDrop(channel, performance, name, thresholds),
    stalled(performance, name, who, thresholds, zeroWindow !== null),
    zeroWindow,
    heavyLoss(performance, name, who, thresholds),
    aborted(session, channel, performance, name, who),
  ]) {
    if (finding) findings.push(finding);
  }
  return findings;
}

function transferName(channel: DataChannel): string {
  const t = channel.transfer;
  return t ? `${t.command.verb} ${t.command.arg}`.trim() : `data channel #${channel.index}`;
}

/** `client` or `server` for a side of the channel's data connection. */
function sideName(session: FtpSession, channel: DataChannel, side: Direction): string {
  const connection = channel.connection;
  if (!connection) return side;
  const ip = (side === 'orig' ? connection.orig : connection.resp).ip;
  return ip === session.server.ip ? 'server' : ip === session.client.ip ? 'client' : ip;
}

const seconds = (micros: number) => `${(micros / 1e6).toFixed(1)} s`;

/**
 * The control connection was silent for at least `controlIdleMicros` while the data flowed, and
 * then it was reset or closed before the transfer's final reply came.
 */
function controlIdleDrop(channel: DataChannel, p: TransferPerformance, name: string, t: PerformanceThresholds): Finding | null {
  const control = p.control;
  // Only a transfer waits for a final reply; a data connection no command used proves nothing.
  if (channel.transfer === null) return null;
  if ((control.state !== 'reset' && control.state !== 'closed') || control.idleMicros < t.controlIdleMicros || control.end === null) return null;
  const connection = channel.connection;
  const dataEnd = connection ? firstClose(connection) : null;
  const after =
    dataEnd && control.end.timeMicros >= dataEnd.timeMicros
      ? `, ${formatDelay(control.end.timeMicros - dataEnd.timeMicros)} after the data connection ended (frame ${dataEnd.ref.frame})`
      : ' while the data still flowed';
  const how = control.state === 'reset' ? 'was reset (RST)' : 'was closed (FIN)';
  const since = control.since ? ` after frame ${control.since.ref.frame}` : '';
  return {
    code: 'control-idle-drop',
    severity: 'error',
    frame: control.end.ref,
    message: `${name}: the control connection was silent for ${seconds(control.idleMicros)}${since} during the transfer (${formatBytes(p.bytes)} on the data connection) and then ${how}${after}, without the final reply: a NAT or firewall on the path probably forgot the idle control connection`,
    fix: 'keep the control connection alive during long transfers (TCP keepalives, or a client that sends NOOP), or raise the idle timeout of the NAT/firewall for FTP control connections',
  };
}

/** No new data for at least `stallMicros` (a stall the zero-window finding explains is left to it). */
function stalled(p: TransferPerformance, name: string, who: (d: Direction) => string, t: PerformanceThresholds, explained: boolean): Finding | null {
  const stall = p.longestStall;
  if (!stall || stall.micros < t.stallMicros) return null;
  if (stall.cause === 'receiver-window' && explained) return null;
  const sender = who(p.sender);
  const resumed = stall.to ? ` until frame ${stall.to.ref.frame}` : ' until the end of the capture';
  return {
    code: 'transfer-stalled',
    severity: 'warning',
    frame: stall.from.ref,
    message: `${name}: the ${sender} sent no new data for ${seconds(stall.micros)} (after frame ${stall.from.ref.frame}${resumed}): ${stallCauseWords[stall.cause]}`,
    fix:
      stall.cause === 'sender-idle'
        ? `look at the ${sender}'s side: its application, its disk, or the source it reads from paused`
        : stall.cause === 'loss'
          ? 'look for loss on the path (an overloaded link, a bad cable, a policer)'
          : stall.cause === 'awaiting-ack'
            ? 'look at the path between the capture point and the receiver (acknowledgements delayed or lost)'
            : 'the receiving application stopped reading: look at its disk and its load',
  };
}

function zeroWindowFinding(p: TransferPerformance, name: string, who: (d: Direction) => string, t: PerformanceThresholds): Finding | null {
  const z = p.zeroWindow;
  if (z.episodes === 0 || z.totalMicros < t.zeroWindowMicros || z.first === null) return null;
  const receiver = who(p.sender === 'orig' ? 'resp' : 'orig');
  return {
    code: 'zero-window',
    severity: 'warning',
    frame: z.first.ref,
    message: `${name}: the ${receiver} closed its receive window ${z.episodes} time${z.episodes === 1 ? '' : 's'} (window 0, first in frame ${z.first.ref.frame}), for ${seconds(z.totalMicros)} in all (longest ${seconds(z.longestMicros)}): the ${who(p.sender)} had to wait for it to read`,
    fix: `the ${receiver}'s application did not read fast enough: look at its disk (slow or full), its load, or a small receive buffer`,
  };
}

function heavyLoss(p: TransferPerformance, name: string, who: (d: Direction) => string, t: PerformanceThresholds): Finding | null {
  if (p.retransmittedSegments < t.heavyLossMinSegments || p.retransmittedPercent < t.heavyLossPercent || p.firstRetransmission === null) return null;
  return {
    code: 'heavy-loss',
    severity: 'warning',
    frame: p.firstRetransmission.ref,
    message: `${name}: ${formatBytes(p.retransmittedBytes)} (${p.retransmittedPercent}% of ${formatBytes(p.bytes)}) from the ${who(p.sender)} were sent again, in ${p.retransmittedSegments} segments (first in frame ${p.firstRetransmission.ref.frame})${p.throughput !== null ? `; throughput ${formatThroughput(p.throughput)}` : ''}`,
    fix: 'find the lossy link on the path (interface error counters, a congested or policed link, duplex mismatch, Wi-Fi); loss on the side of the capture point the retransmissions cross',
  };
}

/** ABOR during the transfer, or a RST of the data connection before the sender finished. */
function aborted(session: FtpSession, channel: DataChannel, p: TransferPerformance, name: string, who: (d: Direction) => string): Finding | null {
  const transfer = channel.transfer;
  const connection = channel.connection;
  if (!transfer || !connection) return null;
  const final = transfer.final;
  const reply = final ? `; the server answered "${final.code} ${firstLine(final.text)}"` : '';
  const announced = transfer.announcedSize ?? transfer.sizeReply;
  const of = announced !== null ? ` of ${formatBytes(announced)}` : '';
  if (transfer.abort) {
    return {
      code: 'transfer-aborted',
      severity: 'warning',
      frame: transfer.abort.at.ref,
      message: `${name}: the client aborted the transfer (ABOR) after ${formatBytes(p.bytes)}${of} had arrived${reply}`,
      fix: 'if nobody cancelled it on purpose, look at why the client gave up (a timeout, a full disk, the user)',
    };
  }
  const rst = connection.rst;
  const senderFin = p.sender === 'orig' ? connection.finOrig : connection.finResp;
  const completed = final !== null && final.code < 300;
  if (!rst || completed || (senderFin !== null && senderFin.timeMicros <= rst.timeMicros)) return null;
  if (p.bytes === 0 && transfer.preliminary === null) return null;
  const by = sideName(session, channel, rst.from);
  return {
    code: 'transfer-aborted',
    severity: 'warning',
    frame: rst.ref,
    message: `${name}: the ${by} reset the data connection (RST) before the ${who(p.sender)} had finished, after ${formatBytes(p.bytes)}${of} had arrived${reply}`,
    fix: `look at why the ${by} gave up: an application that closed the connection, a crash, or a middlebox resetting it`,
  };
}
