/**
 * Row builders for the correlation tables: FTP commands and replies, control connections and data
 * channels as the analyzer hands them to SessionTracker and ExpectationRegistry, with the lab's
 * addresses (test/correlate/lab.ts). Frame numbers stand for time: frame n is n ms into the capture.
 */
import type { AnnouncementMethod, DataChannel, FtpCommand, FtpReply } from '../../src/model';
import type { Connection, ConnectionRole } from '../../src/tcp/connections';
import type { Endpoint, FrameEvent } from '../../src/types';
import { defaultOptions } from '../../src/options';
import { CONTROL } from './lab';

/** Frame `frame` of input 0, `frame` milliseconds into the capture. */
export function at(frame: number): FrameEvent {
  return { ref: { input: 0, frame }, timeMicros: frame * 1000 };
}

/** A client command line ("PORT 198,51,100,20,195,81") seen in frame `frame`. */
export function command(line: string, frame: number): FtpCommand {
  const space = line.indexOf(' ');
  return { verb: space < 0 ? line : line.slice(0, space), arg: space < 0 ? '' : line.slice(space + 1), at: at(frame) };
}

/** A single-line server reply ("227 Entering Passive Mode (...)") seen in frame `frame`. */
export function reply(line: string, frame: number): FtpReply {
  return { code: Number(line.slice(0, 3)), text: line.slice(4), multiline: false, at: at(frame), quirks: [] };
}

/** A connection from `orig` to `resp` whose SYN is frame `frame`, as the connection table opens it. */
export function connection(orig: Endpoint, resp: Endpoint, frame = 1, role: ConnectionRole = 'other'): Connection {
  const first = at(frame);
  const rangeCap = { max: defaultOptions.maxSequenceRanges, reached: 0 };
  const bytes = () => ({ base: null, highest: 0, finEnd: null, acked: 0, ranges: [], rangeCap, rangesMerged: false });
  return {
    id: frame,
    role,
    orig,
    resp,
    ipVersion: orig.ip.includes(':') ? 6 : 4,
    midstream: false,
    first,
    last: first,
    syn: first,
    synCount: 1,
    lastSyn: first,
    synAck: null,
    handshakeAck: null,
    finOrig: null,
    finResp: null,
    respSpoke: false,
    rst: null,
    unreachable: null,
    payload: { orig: bytes(), resp: bytes() },
    cutBytes: { orig: 0, resp: 0 },
    packets: 1,
  };
}

/** The lab's control connection, client 198.51.100.20:50000 to server 192.0.2.10:21. */
export const controlConnection = (): Connection => connection(CONTROL.client, CONTROL.server, 1, 'control');

export interface ChannelSpec {
  index?: number;
  method?: AnnouncementMethod;
  mode: 'active' | 'passive';
  /** The address the data connection's SYN is expected from. */
  from: string;
  /** The endpoints it may be dialled to. */
  to: Endpoint[];
}

/** A data channel waiting for its connection, as SessionTracker opens one. */
export function channel(spec: ChannelSpec): DataChannel {
  const method = spec.method ?? (spec.mode === 'active' ? 'PORT' : 'PASV');
  const request = command(method, 1);
  return {
    index: spec.index ?? 1,
    method,
    mode: spec.mode,
    request,
    announcedAt: request.at,
    announced: spec.to[0] ?? null,
    announcementText: '',
    quirks: [],
    reply: null,
    expectedFrom: spec.from,
    expectedTo: spec.to,
    connection: null,
    transfer: null,
    closed: false,
  };
}
