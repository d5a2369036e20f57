/**
 * The JSON of a data connection's transfer performance (README: transfer performance): numbers
 * from src/transfer/performance.ts with frame numbers instead of frame events.
 */
import type { DataChannel, FtpSession } from '../model';
import type { StallCause } from '../tcp/performance';
import { measureTransfer, type ControlState } from '../transfer/performance';
import type { Direction, FrameRef } from '../types';

/** Sets `target[field]` to a frame number (and its input when there are several). */
export type FrameSetter = (target: Record<string, unknown>, field: string, ref: FrameRef | null) => void;

export interface ReportPerformance {
  /** Which side sent the transfer's bytes: the session's client or server. */
  sender: 'client' | 'server';
  /** SYN (or first packet) to the RST or second FIN (or the last packet while open), in microseconds. */
  durationMicros: number;
  closed: boolean;
  /** SYN → SYN-ACK → ACK as seen at the capture point, in microseconds. */
  handshakeRttMicros: number | null;
  /** From the first to the last segment with new data, in microseconds. */
  dataMicros: number | null;
  /** Payload bytes per second over dataMicros. */
  throughput: number | null;
  retransmittedBytes: number;
  retransmittedSegments: number;
  retransmittedPercent: number;
  firstRetransmissionFrame: number | null;
  zeroWindow: { episodes: number; totalMicros: number; longestMicros: number; frame: number | null; [inputField: string]: unknown };
  longestStall: {
    micros: number;
    /** What it waited on (README: stall causes). */
    cause: StallCause;
    /** The side that sent no new data. */
    side: 'client' | 'server';
    fromFrame: number | null;
    toFrame: number | null;
    [inputField: string]: unknown;
  } | null;
  control: { state: ControlState; idleMicros: number; sinceFrame: number | null; endFrame: number | null; [inputField: string]: unknown };
  [inputField: string]: unknown;
}

export function buildPerformance(session: FtpSession, channel: DataChannel, frame: FrameSetter): ReportPerformance | null {
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
  frame(out, 'firstRetransmissionFrame', p.firstRetransmission?.ref ?? null);
  frame(out.zeroWindow, 'frame', p.zeroWindow.first?.ref ?? null);
  if (out.longestStall && p.longestStall) {
    frame(out.longestStall, 'fromFrame', p.longestStall.from.ref);
    frame(out.longestStall, 'toFrame', p.longestStall.to?.ref ?? null);
  }
  frame(out.control, 'sinceFrame', p.control.since?.ref ?? null);
  frame(out.control, 'endFrame', p.control.end?.ref ?? null);
  return out;
}
