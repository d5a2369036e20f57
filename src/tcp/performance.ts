/**
 * How a data connection's bytes flowed, measured while its segments go by: O(1) state per
 * connection, no payload kept. Per direction (the side that sends): the data's first and last new
 * byte, retransmitted bytes, the longest stall (no new data) and what it waited on; per direction
 * as receiver: zero-window episodes. And how long the FTP control connection had been silent,
 * looked at on every data packet.
 *
 * Offsets are relative to the direction's first sequence number (`DirectionBytes.base` of the
 * connection record), so the record must have observed the segment first (see `observe`).
 */
import { TcpFlag, type Direction, type FrameEvent } from '../types';
import { seqDiff } from './reassembly';

/**
 * What a stall (no new data from the sender) waited on: the receiver's window was closed, data
 * sent was lost (bytes were sent again), acknowledgements of bytes in flight (a full window on
 * a slow or long path, nothing lost in the capture), or the sender had nothing to send (all it
 * sent acknowledged, the window open).
 */
export type StallCause = 'receiver-window' | 'loss' | 'awaiting-ack' | 'sender-idle';

/** A stretch without new data from a sender: from its last new data to the segment that resumed it. */
export interface Stall {
  micros: number;
  /** The last segment with new data before the stall. */
  from: FrameEvent;
  /** The segment that carried new data again (or ended the connection); null while it lasts. */
  to: FrameEvent | null;
  cause: StallCause;
}

/** The numbers kept for one direction of a data connection. */
export interface DirectionMeter {
  /** End offset of the highest payload byte seen; null before the first payload. */
  highest: number | null;
  /** The first segment with payload. */
  firstData: FrameEvent | null;
  /** The latest segment that carried new (not yet seen) bytes. */
  lastNewData: FrameEvent | null;
  /** Payload bytes seen again (retransmitted, or arriving after later bytes). */
  retransmittedBytes: number;
  retransmittedSegments: number;
  firstRetransmission: FrameEvent | null;
  /** Retransmissions since the last new data. */
  retransmissionsSinceNewData: number;
  /** The other side advertised a zero window since the last new data. */
  zeroWindowSinceNewData: boolean;
  longestStall: Stall | null;
  /** As receiver: times this side advertised a zero window after an open one. */
  zeroWindowEpisodes: number;
  /** As receiver: microseconds its window stayed closed, over the episodes that ended. */
  zeroWindowMicros: number;
  longestZeroWindowMicros: number;
  firstZeroWindow: FrameEvent | null;
  /** As receiver: when its current zero-window episode began; null while the window is open. */
  zeroWindowSince: FrameEvent | null;
}

function emptyMeter(): DirectionMeter {
  return {
    highest: null,
    firstData: null,
    lastNewData: null,
    retransmittedBytes: 0,
    retransmittedSegments: 0,
    firstRetransmission: null,
    retransmissionsSinceNewData: 0,
    zeroWindowSinceNewData: false,
    longestStall: null,
    zeroWindowEpisodes: 0,
    zeroWindowMicros: 0,
    longestZeroWindowMicros: 0,
    firstZeroWindow: null,
    zeroWindowSince: null,
  };
}

/** What the meter needs of the control connection: its latest packet. */
export interface ControlActivity {
  last: FrameEvent;
}

/** The segment facts the meter reads (a TcpLocation or a TcpSegment-like record). */
export interface MeteredSegment {
  flags: number;
  seq: number;
  ack: number;
  window: number;
  readonly payloadLength: number;
  missingPayload: number;
}

export class TransferMeter {
  readonly directions: Record<Direction, DirectionMeter> = { orig: emptyMeter(), resp: emptyMeter() };
  /** The longest the control connection had been silent, at any packet of this connection. */
  controlSilenceMicros = 0;
  /** The control connection's last packet before that silence; null before the first packet. */
  controlSilenceFrom: FrameEvent | null = null;
  /** The control connection's latest packet as of this connection's latest packet. */
  controlLastSeen: FrameEvent | null = null;

  /** `control`: the FTP control connection the data connection belongs to (null when unknown). */
  constructor(private readonly control: ControlActivity | null) {}

  /**
   * One segment of the connection, in capture order, at `event` (its frame and time). `base` is the
   * sequence number of the direction's first payload byte (null when not known yet), `acked` how far
   * the other side acknowledged the direction's bytes (offset from `base`).
   */
  observe(segment: MeteredSegment, direction: Direction, base: number | null, acked: number, event: FrameEvent): void {
    const flags = segment.flags;
    const control = this.control;
    if (control !== null) {
      const silence = event.timeMicros - control.last.timeMicros;
      if (this.controlSilenceFrom === null || silence > this.controlSilenceMicros) {
        this.controlSilenceMicros = silence;
        this.controlSilenceFrom = control.last;
      }
      this.controlLastSeen = control.last;
    }
    if (flags & TcpFlag.RST) return;
    const own = this.directions[direction];
    const other = this.directions[direction === 'orig' ? 'resp' : 'orig'];
    // The window this side offers for the other side's bytes (a SYN's is not scaled yet: skipped).
    if (flags & TcpFlag.ACK && !(flags & TcpFlag.SYN)) windowAdvertised(own, other, segment.window, event);
    const length = segment.payloadLength + segment.missingPayload;
    if (length === 0 || base === null) return;
    const dataSeq = flags & TcpFlag.SYN ? (segment.seq + 1) >>> 0 : segment.seq;
    const start = seqDiff(dataSeq, base);
    const end = start + length;
    payloadSeen(own, start, end, acked, event);
  }
}

/** A window advertisement from the side whose meter is `receiver`, for the bytes `sender` sends. */
function windowAdvertised(receiver: DirectionMeter, sender: DirectionMeter, window: number, event: FrameEvent): void {
  if (window === 0) {
    if (receiver.zeroWindowSince === null) {
      receiver.zeroWindowSince = event;
      receiver.zeroWindowEpisodes++;
      receiver.firstZeroWindow ??= event;
    }
    sender.zeroWindowSinceNewData = true;
    return;
  }
  if (receiver.zeroWindowSince !== null) {
    const micros = event.timeMicros - receiver.zeroWindowSince.timeMicros;
    receiver.zeroWindowMicros += micros;
    if (micros > receiver.longestZeroWindowMicros) receiver.longestZeroWindowMicros = micros;
    receiver.zeroWindowSince = null;
  }
}

/** Payload [start, end) from the meter's side; `acked`: how far the other side acknowledged its bytes. */
function payloadSeen(meter: DirectionMeter, start: number, end: number, acked: number, event: FrameEvent): void {
  if (meter.highest === null || meter.lastNewData === null) {
    meter.highest = end;
    meter.firstData = event;
    meter.lastNewData = event;
    return;
  }
  if (start < meter.highest) {
    meter.retransmittedBytes += Math.min(end, meter.highest) - start;
    meter.retransmittedSegments++;
    meter.firstRetransmission ??= event;
    meter.retransmissionsSinceNewData++;
  }
  if (end <= meter.highest) return;
  const micros = event.timeMicros - meter.lastNewData.timeMicros;
  if (meter.longestStall === null || micros > meter.longestStall.micros) {
    meter.longestStall = { micros, from: meter.lastNewData, to: event, cause: stallCause(meter, acked) };
  }
  meter.highest = end;
  meter.lastNewData = event;
  meter.retransmissionsSinceNewData = 0;
  meter.zeroWindowSinceNewData = false;
}

/**
 * Why the sender sent nothing new since its last new data: the receiver closed its window; bytes
 * were sent again (lost); bytes stayed in flight, unacknowledged; or else everything sent was
 * acknowledged with the window open, and the sender was idle. `acked`: how far the receiver
 * acknowledged the sender's bytes.
 */
export function stallCause(meter: DirectionMeter, acked: number): StallCause {
  if (meter.zeroWindowSinceNewData) return 'receiver-window';
  if (meter.retransmissionsSinceNewData > 0) return 'loss';
  if (meter.highest !== null && acked < meter.highest) return 'awaiting-ack';
  return 'sender-idle';
}
