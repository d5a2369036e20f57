/**
 * A scripted FTP capture: control lines and data-connection packets written as steps, turned into
 * Ethernet/IPv4 or Ethernet/IPv6 frames with consistent TCP sequence and acknowledgement numbers
 * and timestamps 1 ms apart (plus any `pause`). The frames are what a capture point between client
 * and server would record; the analyzer sees them exactly as it sees frames from a pcap file.
 *
 * - Each control connection (`controls[i]`) gets its three-way handshake just before its first line.
 * - `c(...)` sends command lines from the client, `s(...)` reply lines from the server, CR LF added.
 *   Several lines in one step share one TCP segment (pipelining, multi-line replies).
 * - With `split: true` every control payload is sent as 1-byte segments (one frame per byte);
 *   data connections are never split.
 * - `syn`, `synAck`, `ack`, `data`, `fin`, `rst`, `resend` are single packets between any two
 *   endpoints. A SYN repeated before anything else was sent from that side is a retransmission
 *   (same ISN); a SYN after the connection ended starts a new one.
 * - Steps can carry labels; `Script.at[label]` is the frame number (1-based) of the step's packet,
 *   or for a control line the frame that carried the line's LF, so expectations can name frames
 *   that move when the control payloads are split.
 */
import type { CapturedFrame, Endpoint } from '../../src/types';
import { TcpFlag } from '../../src/types';
import { ethernet, ipv4, ipv6, tcp } from '../decode/build';

export type { Endpoint };

/** A control connection: the client that dials, the server it dials. */
export interface ControlPair {
  client: Endpoint;
  server: Endpoint;
  /** The connection began before the capture: no handshake frames, sequence numbers already running. */
  midstream?: boolean;
}

type PacketOp = 'syn' | 'synAck' | 'ack' | 'data' | 'fin' | 'rst' | 'resend' | 'resendAs';

export type Step =
  | { kind: 'lines'; side: 'client' | 'server'; control: number; lines: string[]; labels: Array<string | null> }
  | { kind: 'packet'; op: PacketOp; from: Endpoint; to: Endpoint; payload: Buffer; label: string | null }
  | { kind: 'pause'; micros: number };

/** Steps may be nested (macros return arrays); they are flattened in order. */
export type Steps = Array<Step | Steps>;

/** `label` names the last line; an array names each line (null for none). */
type LineLabels = string | Array<string | null> | undefined;

function lineStep(side: 'client' | 'server', lines: string | string[], labels: LineLabels): Step {
  const list = typeof lines === 'string' ? [lines] : lines;
  const names = labels === undefined ? list.map(() => null) : typeof labels === 'string' ? list.map((_, i) => (i === list.length - 1 ? labels : null)) : labels;
  if (names.length !== list.length) throw new Error(`${list.length} lines but ${names.length} labels`);
  return { kind: 'lines', side, control: 0, lines: list, labels: names };
}

/** Command line(s) from the client of control connection 0 (see `on`), in one segment. */
export function c(lines: string | string[], labels?: LineLabels): Step {
  return lineStep('client', lines, labels);
}

/** Reply line(s) from the server of control connection 0 (see `on`), in one segment. */
export function s(lines: string | string[], labels?: LineLabels): Step {
  return lineStep('server', lines, labels);
}

/** The same steps, with their control lines sent on control connection `index` instead of 0. */
export function on(index: number, ...steps: Steps): Step[] {
  return flatten(steps).map((step) => (step.kind === 'lines' ? { ...step, control: index } : step));
}

function packet(op: PacketOp, from: Endpoint, to: Endpoint, label?: string, payload: Buffer = Buffer.alloc(0)): Step {
  return { kind: 'packet', op, from, to, payload, label: label ?? null };
}

/** SYN from `from` to `to` (a retransmission when `from` already sent this connection's SYN). */
export const syn = (from: Endpoint, to: Endpoint, label?: string): Step => packet('syn', from, to, label);
/** SYN-ACK from `from` (the side that received the SYN). */
export const synAck = (from: Endpoint, to: Endpoint, label?: string): Step => packet('synAck', from, to, label);
/** A bare ACK of everything `to` sent so far. */
export const ack = (from: Endpoint, to: Endpoint, label?: string): Step => packet('ack', from, to, label);
/** PSH-ACK with a payload: `bytes` filler bytes, or the given buffer. */
export function data(from: Endpoint, to: Endpoint, bytes: number | Buffer, label?: string): Step {
  const payload = typeof bytes === 'number' ? Buffer.alloc(bytes, 0x61) : bytes;
  return packet('data', from, to, label, payload);
}
/** FIN-ACK. */
export const fin = (from: Endpoint, to: Endpoint, label?: string): Step => packet('fin', from, to, label);
/** RST-ACK (seq 0 when `from` never sent anything, as a refusal of a SYN). */
export const rst = (from: Endpoint, to: Endpoint, label?: string): Step => packet('rst', from, to, label);
/** The last payload segment from `from` to `to` sent again, same sequence number and bytes. */
export const resend = (from: Endpoint, to: Endpoint, label?: string): Step => packet('resend', from, to, label);
/** The last payload segment from `from` to `to` sent again with the same sequence number but other bytes. */
export const resendAs = (from: Endpoint, to: Endpoint, payload: Buffer, label?: string): Step => packet('resendAs', from, to, label, payload);
/** Time passes: the next frame comes `micros` later than it otherwise would. */
export const pause = (micros: number): Step => ({ kind: 'pause', micros });

/** The frames of a script and where its labelled steps landed. */
export interface Script {
  frames: CapturedFrame[];
  /** label -> 1-based frame number. */
  at: Record<string, number>;
}

export interface ScriptOptions {
  /** Send every control-connection payload as 1-byte segments. */
  split?: boolean;
  /** Time of the first frame, microseconds since the epoch. */
  startMicros?: number;
}

/** 2026-11-21T10:00:00Z, the day the samples were recorded. */
export const SCRIPT_START_MICROS = Date.UTC(2026, 10, 21, 10, 0, 0) * 1000;

/** One direction of a TCP connection: what its sender has used of its sequence space. */
interface Side {
  isn: number;
  /** Next sequence number to send. */
  next: number;
  /** Only the SYN was sent so far (a further SYN is a retransmission). */
  synOnly: boolean;
  last: { seq: number; ack: number; flags: number; payload: Buffer } | null;
}

/** Where an endpoint is in text, `ip|port`. */
function key(e: Endpoint): string {
  return `${e.ip}|${e.port}`;
}

export function script(controls: ControlPair[], steps: Steps, options: ScriptOptions = {}): Script {
  const frames: CapturedFrame[] = [];
  const at: Record<string, number> = {};
  const sides = new Map<string, Side>();
  const opened = new Set<number>();
  let time = options.startMicros ?? SCRIPT_START_MICROS;
  let isnCount = 0;

  const name = (label: string | null, frame: number) => {
    if (label === null) return;
    if (label in at) throw new Error(`label "${label}" used twice`);
    at[label] = frame;
  };

  // ISNs 512 apart just below 2^32: sequence numbers wrap within the first commands of the first
  // control connection and within the first kilobytes of the data connections.
  const nextIsn = () => (0xfffffff0 - isnCount++ * 512) >>> 0;

  const emit = (from: Endpoint, to: Endpoint, seq: number, ackNumber: number, flags: number, payload: Buffer) => {
    const segment = tcp({ srcPort: from.port, dstPort: to.port, seq, ack: ackNumber, flags }, payload);
    const v6 = from.ip.includes(':');
    if (v6 !== to.ip.includes(':')) throw new Error(`${from.ip} and ${to.ip} are not the same family`);
    const ip = v6 ? ipv6({ src: expandIPv6(from.ip), dst: expandIPv6(to.ip) }, segment) : ipv4({ src: from.ip, dst: to.ip }, segment);
    const frameBytes = ethernet(v6 ? 0x86dd : 0x0800, ip);
    frames.push({
      ref: { input: 0, frame: frames.length + 1 },
      timeMicros: time,
      linkType: 1,
      data: frameBytes,
      originalLength: frameBytes.length,
    });
    time += 1000;
    return frames.length;
  };

  const send = (op: PacketOp, from: Endpoint, to: Endpoint, payload: Buffer): number => {
    const mine = `${key(from)}>${key(to)}`;
    const theirs = `${key(to)}>${key(from)}`;
    let side = sides.get(mine);
    const peer = () => sides.get(theirs);
    const ackOf = () => peer()?.next ?? 0;
    switch (op) {
      case 'syn': {
        if (!side?.synOnly) {
          const isn = nextIsn();
          side = { isn, next: (isn + 1) >>> 0, synOnly: true, last: null };
          sides.set(mine, side);
          sides.delete(theirs);
        }
        return emit(from, to, side.isn, 0, TcpFlag.SYN, Buffer.alloc(0));
      }
      case 'synAck': {
        if (!side?.synOnly) {
          const isn = nextIsn();
          side = { isn, next: (isn + 1) >>> 0, synOnly: true, last: null };
          sides.set(mine, side);
        }
        return emit(from, to, side.isn, ackOf(), TcpFlag.SYN | TcpFlag.ACK, Buffer.alloc(0));
      }
      case 'rst': {
        const seq = side?.next ?? 0;
        return emit(from, to, seq, ackOf(), TcpFlag.RST | TcpFlag.ACK, Buffer.alloc(0));
      }
      case 'resend':
      case 'resendAs': {
        const last = side?.last;
        if (!last) throw new Error(`nothing to resend from ${key(from)} to ${key(to)}`);
        return emit(from, to, last.seq, last.ack, last.flags, op === 'resend' ? last.payload : payload);
      }
      default: {
        if (!side) throw new Error(`${op} from ${key(from)} to ${key(to)} before its SYN`);
        side.synOnly = false;
        const flags = op === 'fin' ? TcpFlag.FIN | TcpFlag.ACK : op === 'data' ? TcpFlag.PSH | TcpFlag.ACK : TcpFlag.ACK;
        const seq = side.next;
        const ackNumber = ackOf();
        side.next = (side.next + payload.length + (op === 'fin' ? 1 : 0)) >>> 0;
        if (payload.length > 0) side.last = { seq, ack: ackNumber, flags, payload };
        return emit(from, to, seq, ackNumber, flags, payload);
      }
    }
  };

  for (const step of flatten(steps)) {
    if (step.kind === 'pause') {
      time += step.micros;
    } else if (step.kind === 'packet') {
      name(step.label, send(step.op, step.from, step.to, step.payload));
    } else {
      const pair = controls[step.control];
      if (!pair) throw new Error(`no control connection ${step.control}`);
      if (!opened.has(step.control)) {
        opened.add(step.control);
        if (pair.midstream) {
          // Both sides have been talking for a while: sequence numbers far from their ISNs.
          for (const [a, b] of [
            [pair.client, pair.server],
            [pair.server, pair.client],
          ]) {
            const isn = nextIsn();
            sides.set(`${key(a)}>${key(b)}`, { isn, next: (isn + 7001) >>> 0, synOnly: false, last: null });
          }
        } else {
          send('syn', pair.client, pair.server, Buffer.alloc(0));
          send('synAck', pair.server, pair.client, Buffer.alloc(0));
          send('ack', pair.client, pair.server, Buffer.alloc(0));
        }
      }
      const [from, to] = step.side === 'client' ? [pair.client, pair.server] : [pair.server, pair.client];
      const payload = Buffer.from(step.lines.map((l) => `${l}\r\n`).join(''), 'latin1');
      // Frame number of each payload byte.
      const byteFrames: number[] = [];
      if (options.split) {
        for (let i = 0; i < payload.length; i++) byteFrames.push(send('data', from, to, payload.subarray(i, i + 1)));
      } else {
        const frame = send('data', from, to, payload);
        for (let i = 0; i < payload.length; i++) byteFrames.push(frame);
      }
      let end = -1;
      step.lines.forEach((line, i) => {
        end += Buffer.byteLength(line, 'latin1') + 2;
        name(step.labels[i], byteFrames[end]);
      });
    }
  }
  return { frames, at };
}

/**
 * The script without the frames of the given labels, as if the capture had missed them (frames
 * keep their numbers, so labels still name the frames that remain).
 */
export function withoutFrames(run: Script, labels: string[]): Script {
  const gone = new Set(
    labels.map((label) => {
      const frame = run.at[label];
      if (frame === undefined) throw new Error(`no step is labelled "${label}"`);
      return frame;
    }),
  );
  return { frames: run.frames.filter((f) => !gone.has(f.ref.frame)), at: run.at };
}

function flatten(steps: Steps): Step[] {
  return steps.flatMap((step) => (Array.isArray(step) ? flatten(step) : [step]));
}

/** `2001:db8::1` -> `2001:db8:0:0:0:0:0:1`, the 8-group form test/decode/build.ts writes. */
export function expandIPv6(text: string): string {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const left = head === '' ? [] : head.split(':');
  const right = tail === null || tail === '' ? [] : tail.split(':');
  const zeros = tail === null ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  const groups = [...left, ...zeros, ...right];
  if (groups.length !== 8) throw new Error(`cannot expand IPv6 address "${text}"`);
  return groups.join(':');
}
