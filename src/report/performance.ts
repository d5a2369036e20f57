/**
 * The JSON of a data connection's transfer performance (README: transfer performance): numbers
 * from src/transfer/performance.ts with frame numbers instead of frame events.
 */
import type { DataChannel, FtpSession } from '../model';
import { measureTransfer } from '../transfer/performance';
import type { Direction } from '../types';
import type { FrameFields } from './frame-fields';
import type { ReportPerformance } from './schema';

export function buildPerformance(session: FtpSession, channel: DataChannel, frames: FrameFields): ReportPerformance | null {
  const p = measureTransfer(session, channel);
  const connection = channel.connection;
  if (!p || !connection) return null;
  const side = (d: Direction): 'client' | 'server' => ((d === 'orig' ? connection.orig : connection.resp).ip === session.server.ip ? 'server' : 'client');
  const out: ReportPerformance = {
    sender: side(p.sender),
    durationMicros: p.durationMicros,
    closed: p.closed,
    handshakeRttMicros: p.handshakeRttMicros,
    dataMicros: p.dataMicros,
    throughput: p.throughput,
    retransmittedBytes: p.retransmittedBytes,
    retransmittedSegments: p.retransmittedSegments,
    retransmittedPercent: p.retransmittedPercent,
    firstRetransmissionFrame: null,
    zeroWindow: { episodes: p.zeroWindow.episodes, totalMicros: p.zeroWindow.totalMicros, longestMicros: p.zeroWindow.longestMicros, frame: null },
    longestStall: p.longestStall ? { micros: p.longestStall.micros, cause: p.longestStall.cause, side: side(p.sender), fromFrame: null, toFrame: null } : null,
    control: { state: p.control.state, idleMicros: p.control.idleMicros, sinceFrame: null, endFrame: null },
  };
  frames.add(out, 'firstRetransmissionFrame', p.firstRetransmission?.ref ?? null);
  frames.add(out.zeroWindow, 'frame', p.zeroWindow.first?.ref ?? null);
  if (out.longestStall && p.longestStall) {
    frames.add(out.longestStall, 'fromFrame', p.longestStall.from.ref);
    frames.add(out.longestStall, 'toFrame', p.longestStall.to?.ref ?? null);
  }
  frames.add(out.control, 'sinceFrame', p.control.since?.ref ?? null);
  frames.add(out.control, 'endFrame', p.control.end?.ref ?? null);
  return out;
}
