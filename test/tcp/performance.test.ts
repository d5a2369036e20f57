/**
 * Transfer performance from synthetic segment sequences: the meter (retransmitted bytes, zero-window
 * episodes, the longest stall and what it waited on, the control connection's silence), the
 * measurement built on it (duration, handshake RTT, throughput, the control connection's state),
 * and the findings with their thresholds. Each row is a data connection written as segments:
 * [time in ms, from, flags, seq offset after the ISN+1 (SYN: -1), payload bytes, ack offset, window].
 * A is the client (orig, it dials: passive mode), B the server, which sends a download.
 */
import { describe, expect, test } from 'vitest';
import { diagnosePerformance } from '../../src/diagnose/performance';
import type { DataChannel, FtpReply, FtpSession, Transfer } from '../../src/model';
import { defaultOptions, type PerformanceThresholds } from '../../src/options';
import { ConnectionTable, observeSegment, type Connection } from '../../src/tcp/connections';
import { TransferMeter } from '../../src/tcp/performance';
import { measureTransfer } from '../../src/transfer/performance';
import { TcpFlag, type FrameEvent, type TcpSegment } from '../../src/types';
import { tcpSegment } from '../decode/build';

const A = { ip: '198.51.100.20', port: 40000 };
const B = { ip: '192.0.2.10', port: 40001 };
const ISN_A = 0xfffffff0; // wraps within the first bytes
const ISN_B = 7000;
const { SYN, ACK, FIN, RST } = TcpFlag;
const MS = 1000;

/** [ms, from, flags, seq offset, payload bytes, ack offset (null: none), window (default 65535)] */
type Row = [number, 'A' | 'B', number, number, number, (number | null)?, number?];

function segment([, from, flags, offset, length, ackOffset, window]: Row): TcpSegment {
  const [src, dst, isn, peerIsn] = from === 'A' ? [A, B, ISN_A, ISN_B] : [B, A, ISN_B, ISN_A];
  return tcpSegment(src, dst, {
    seq: (isn + 1 + offset) >>> 0,
    ack: ackOffset === undefined || ackOffset === null ? 0 : (peerIsn + 1 + ackOffset) >>> 0,
    flags,
    window: window ?? 65535,
    payload: Buffer.alloc(length),
  });
}

/** The control connection as the meter sees it: its latest packet, moved by `controlAt`. */
interface ControlStub {
  last: FrameEvent;
}

/** Runs the rows through the connection record (and its meter); frames are numbered from 100. */
function run(rows: Row[], controlAt: number[] = [0]): { connection: Connection; control: ControlStub } {
  const control: ControlStub = { last: { ref: { input: 0, frame: 1 }, timeMicros: controlAt[0] * MS } };
  const table = new ConnectionTable(10);
  const first = segment(rows[0]);
  const connection = table.open(first, 'data', true, { input: 0, frame: 100 }, rows[0][0] * MS);
  connection.meter = new TransferMeter(control);
  const pending = controlAt.slice(1);
  rows.forEach((row, i) => {
    // Control packets at or before this data packet's time happen first.
    while (pending.length > 0 && pending[0] <= row[0]) {
      const at = pending.shift() as number;
      control.last = { ref: { input: 0, frame: 2 + i }, timeMicros: at * MS };
    }
    const direction = row[1] === 'A' ? 'orig' : 'resp';
    observeSegment(connection, segment(row), direction, { input: 0, frame: 100 + i }, row[0] * MS);
  });
  return { connection, control };
}

const handshake: Row[] = [
  [0, 'A', SYN, -1, 0],
  [1, 'B', SYN | ACK, -1, 0, 0],
  [2, 'A', ACK, 0, 0, 0],
];
const fins = (ms: number, bytes: number): Row[] => [
  [ms, 'B', FIN | ACK, bytes, 0, 0],
  [ms + 1, 'A', FIN | ACK, 0, 0, bytes + 1],
  [ms + 2, 'B', ACK, bytes + 1, 0, 1],
];

describe('the meter', () => {
  test.each<{ name: string; rows: Row[]; retransmittedBytes: number; retransmittedSegments: number }>([
    {
      name: 'in order, nothing sent twice',
      rows: [...handshake, [3, 'B', ACK, 0, 1000, 0], [4, 'B', ACK, 1000, 1000, 0], [5, 'A', ACK, 0, 0, 2000]],
      retransmittedBytes: 0,
      retransmittedSegments: 0,
    },
    {
      name: 'one segment sent again',
      rows: [...handshake, [3, 'B', ACK, 0, 1000, 0], [4, 'B', ACK, 1000, 1000, 0], [250, 'B', ACK, 1000, 1000, 0]],
      retransmittedBytes: 1000,
      retransmittedSegments: 1,
    },
    {
      name: 'a resend that overlaps new bytes counts only the old ones',
      rows: [...handshake, [3, 'B', ACK, 0, 1000, 0], [4, 'B', ACK, 500, 1000, 0]],
      retransmittedBytes: 500,
      retransmittedSegments: 1,
    },
    {
      name: 'a hole filled late (seen after later bytes) counts as sent again',
      rows: [...handshake, [3, 'B', ACK, 0, 1000, 0], [4, 'B', ACK, 2000, 1000, 0], [5, 'B', ACK, 1000, 1000, 0]],
      retransmittedBytes: 1000,
      retransmittedSegments: 1,
    },
    {
      name: 'a RST carries no payload to count',
      rows: [...handshake, [3, 'B', ACK, 0, 1000, 0], [4, 'B', RST | ACK, 0, 1000, 0]],
      retransmittedBytes: 0,
      retransmittedSegments: 0,
    },
  ])('$name', ({ rows, retransmittedBytes, retransmittedSegments }) => {
    const meter = run(rows).connection.meter!.directions.resp;
    expect(meter.retransmittedBytes).toBe(retransmittedBytes);
    expect(meter.retransmittedSegments).toBe(retransmittedSegments);
  });

  test.each<{ name: string; rows: Row[]; episodes: number; micros: number; open: boolean }>([
    { name: 'no zero window', rows: [...handshake, [3, 'B', ACK, 0, 1000, 0], [4, 'A', ACK, 0, 0, 1000, 0x100]], episodes: 0, micros: 0, open: false },
    {
      name: 'one episode of 2 s',
      rows: [...handshake, [3, 'B', ACK, 0, 1000, 0], [10, 'A', ACK, 0, 0, 1000, 0], [2010, 'A', ACK, 0, 0, 1000, 512]],
      episodes: 1,
      micros: 2_000_000,
      open: false,
    },
    {
      name: 'zero window repeated (probes answered) is one episode',
      rows: [...handshake, [10, 'A', ACK, 0, 0, 1000, 0], [500, 'A', ACK, 0, 0, 1000, 0], [1010, 'A', ACK, 0, 0, 1000, 512]],
      episodes: 1,
      micros: 1_000_000,
      open: false,
    },
    {
      name: 'two episodes',
      rows: [...handshake, [10, 'A', ACK, 0, 0, 0, 0], [110, 'A', ACK, 0, 0, 0, 10], [200, 'A', ACK, 0, 0, 0, 0], [500, 'A', ACK, 0, 0, 0, 10]],
      episodes: 2,
      micros: 400_000,
      open: false,
    },
    { name: 'still closed at the end', rows: [...handshake, [10, 'A', ACK, 0, 0, 0, 0]], episodes: 1, micros: 0, open: true },
    { name: 'a RST with window 0 is no zero window', rows: [...handshake, [10, 'A', RST | ACK, 0, 0, 0, 0]], episodes: 0, micros: 0, open: false },
  ])('zero windows: $name', ({ rows, episodes, micros, open }) => {
    const receiver = run(rows).connection.meter!.directions.orig;
    expect(receiver.zeroWindowEpisodes).toBe(episodes);
    expect(receiver.zeroWindowMicros).toBe(micros);
    expect(receiver.zeroWindowSince !== null).toBe(open);
  });

  test.each<{ name: string; rows: Row[]; micros: number; cause: string; fromFrame: number }>([
    {
      name: 'the receiver closed its window',
      rows: [...handshake, [3, 'B', ACK, 0, 1000, 0], [4, 'A', ACK, 0, 0, 1000, 0], [3004, 'A', ACK, 0, 0, 1000, 4096], [3005, 'B', ACK, 1000, 1000, 0]],
      micros: 3_002_000,
      cause: 'receiver-window',
      fromFrame: 103,
    },
    {
      name: 'the sender idled with everything acknowledged',
      rows: [...handshake, [3, 'B', ACK, 0, 1000, 0], [4, 'A', ACK, 0, 0, 1000], [6004, 'B', ACK, 1000, 1000, 0]],
      micros: 6_001_000,
      cause: 'sender-idle',
      fromFrame: 103,
    },
    {
      name: 'a segment was lost and sent again',
      rows: [
        ...handshake,
        [3, 'B', ACK, 0, 1000, 0],
        [4, 'B', ACK, 1000, 1000, 0],
        [5, 'A', ACK, 0, 0, 1000],
        [1005, 'B', ACK, 1000, 1000, 0],
        [1006, 'A', ACK, 0, 0, 2000],
        [1007, 'B', ACK, 2000, 1000, 0],
      ],
      micros: 1_003_000,
      cause: 'loss',
      fromFrame: 104,
    },
    {
      name: 'bytes in flight, not acknowledged, nothing sent again',
      rows: [...handshake, [3, 'B', ACK, 0, 1000, 0], [803, 'B', ACK, 1000, 1000, 0]],
      micros: 800_000,
      cause: 'awaiting-ack',
      fromFrame: 103,
    },
  ])('longest stall: $name', ({ rows, micros, cause, fromFrame }) => {
    const stall = run(rows).connection.meter!.directions.resp.longestStall!;
    expect(stall.micros).toBe(micros);
    expect(stall.cause).toBe(cause);
    expect(stall.from.ref.frame).toBe(fromFrame);
  });

  test('the control connection silence is measured at every data packet', () => {
    // Control packets at 0 ms and 4000 ms; data packets at 3, 3500 (3.5 s of silence), 4001 (1 ms).
    const { connection } = run([...handshake, [3, 'B', ACK, 0, 1000, 0], [3500, 'B', ACK, 1000, 1000, 0], [4001, 'B', ACK, 2000, 1000, 0]], [0, 4000]);
    expect(connection.meter!.controlSilenceMicros).toBe(3_500_000);
    expect(connection.meter!.controlLastSeen!.timeMicros).toBe(4_000_000);
  });
});

/** A session around one data connection (passive RETR of `bytes` bytes), for measureTransfer and the findings. */
function sessionWith(connection: Connection, control: Connection | ControlStub, transfer: Partial<Transfer> = {}): FtpSession {
  const at = { ref: { input: 0, frame: 1 }, timeMicros: 0 };
  const fullTransfer: Transfer = {
    command: { verb: 'RETR', arg: 'file.bin', at },
    direction: 'download',
    preliminary: null,
    final: null,
    announcedSize: null,
    sizeReply: null,
    restOffset: 0,
    type: 'I',
    leftChannel: null,
    abort: null,
    ...transfer,
  };
  const channel = { index: 1, mode: 'passive', connection, transfer: fullTransfer } as unknown as DataChannel;
  return { client: { ip: A.ip, port: 50000 }, server: { ip: B.ip, port: 21 }, control, dataChannels: [channel], timeline: [] } as unknown as FtpSession;
}

/** A control connection record with its FIN or RST at `endMs` (or none). */
function controlConnection(lastMs: number, end: { how: 'fin' | 'rst'; ms: number } | null): Connection {
  const table = new ConnectionTable(10);
  const syn: TcpSegment = { ...segment([0, 'A', SYN, -1, 0]), srcPort: 50000, dstPort: 21 };
  const control = table.open(syn, 'control', true, { input: 0, frame: 1 }, 0);
  control.last = { ref: { input: 0, frame: 2 }, timeMicros: lastMs * MS };
  if (end) {
    const event = { ref: { input: 0, frame: 9000 }, timeMicros: end.ms * MS };
    if (end.how === 'rst') control.rst = { ...event, from: 'orig' };
    else control.finOrig = event;
  }
  return control;
}

const reply = (code: number, ms: number): FtpReply => ({
  code,
  text: 'x',
  multiline: false,
  at: { ref: { input: 0, frame: 8000 }, timeMicros: ms * MS },
  quirks: [],
});

describe('measureTransfer', () => {
  test('duration from SYN to the second FIN, handshake RTT, throughput over the data', () => {
    const rows: Row[] = [
      ...handshake,
      [3, 'B', ACK, 0, 1000, 0],
      [4, 'B', ACK, 1000, 1000, 0],
      [5, 'B', ACK, 2000, 1000, 0],
      [13, 'B', ACK, 3000, 1000, 0],
      ...fins(20, 4000),
    ];
    const { connection, control } = run(rows);
    const session = sessionWith(connection, control, { final: reply(226, 30) });
    const p = measureTransfer(session, session.dataChannels[0])!;
    expect(p.sender).toBe('resp');
    expect(p.durationMicros).toBe(21_000); // SYN at 0, the client's FIN (the second) at 21 ms
    expect(p.closed).toBe(true);
    expect(p.handshakeRttMicros).toBe(2_000);
    expect(p.bytes).toBe(4000);
    expect(p.dataMicros).toBe(10_000);
    expect(p.throughput).toBe(400_000);
    expect(p.retransmittedPercent).toBe(0);
    expect(p.longestStall).toMatchObject({ micros: 8_000, cause: 'awaiting-ack' });
  });

  test('a stall up to a RST mid-transfer is the longest, and the connection counts as closed', () => {
    const rows: Row[] = [...handshake, [3, 'B', ACK, 0, 1000, 0], [4, 'A', ACK, 0, 0, 1000], [7004, 'A', RST | ACK, 0, 0, 1000]];
    const { connection, control } = run(rows);
    const session = sessionWith(connection, control);
    const p = measureTransfer(session, session.dataChannels[0])!;
    expect(p.closed).toBe(true);
    expect(p.longestStall).toMatchObject({ micros: 7_001_000, cause: 'sender-idle' });
    expect(p.longestStall!.to!.ref.frame).toBe(105);
  });

  test.each<{ name: string; control: Connection; final: FtpReply | null; state: string; idle: number }>([
    { name: 'final reply right after the data', control: controlConnection(0, null), final: reply(226, 21), state: 'active', idle: 21_000 - 0 },
    { name: 'silent for 40 s until the final reply', control: controlConnection(0, null), final: reply(226, 40_000), state: 'idle', idle: 40_000_000 },
    { name: 'closed without a final reply', control: controlConnection(0, { how: 'fin', ms: 60_000 }), final: null, state: 'closed', idle: 60_000_000 },
    { name: 'reset without a final reply', control: controlConnection(0, { how: 'rst', ms: 50_000 }), final: null, state: 'reset', idle: 50_000_000 },
    {
      name: 'closed after the final reply: not during the transfer',
      control: controlConnection(0, { how: 'fin', ms: 60_000 }),
      final: reply(226, 30),
      state: 'active',
      idle: 30_000,
    },
  ])('control connection: $name', ({ control, final, state, idle }) => {
    const { connection } = run([...handshake, [3, 'B', ACK, 0, 1000, 0], ...fins(10, 1000)]);
    connection.meter = connection.meter!; // measured with a control stub at 0 ms
    const session = sessionWith(connection, control, { final });
    const p = measureTransfer(session, session.dataChannels[0])!;
    expect(p.control.state).toBe(state);
    expect(p.control.idleMicros).toBe(state === 'active' && final && final.at.timeMicros < 1_000_000 ? final.at.timeMicros : idle);
  });
});

describe('findings', () => {
  const t: PerformanceThresholds = defaultOptions;
  const codes = (session: FtpSession, thresholds = t) => diagnosePerformance(session, thresholds).map((f) => f.code);
  const clean: Row[] = [...handshake, [3, 'B', ACK, 0, 1000, 0], [4, 'A', ACK, 0, 0, 1000], [5, 'B', ACK, 1000, 1000, 0], ...fins(6, 2000)];

  /** The receiver's window closes after the first 1000 bytes and opens again 3 s later. */
  const windowClosed3s: Row[] = [
    ...handshake,
    [3, 'B', ACK, 0, 1000, 0],
    [4, 'A', ACK, 0, 0, 1000, 0],
    [3004, 'A', ACK, 0, 0, 1000, 4096],
    [3005, 'B', ACK, 1000, 1000, 0],
    ...fins(3006, 2000),
  ];

  /** 40 segments of 1000 bytes, each `resent` one sent twice. */
  function lossy(resentEvery: number): Row[] {
    const rows: Row[] = [...handshake];
    for (let i = 0; i < 40; i++) {
      rows.push([3 + i * 2, 'B', ACK, i * 1000, 1000, 0]);
      if (i % resentEvery === 0) rows.push([4 + i * 2, 'B', ACK, i * 1000, 1000, 0]);
    }
    return [...rows, ...fins(100, 40_000)];
  }

  test.each<{ name: string; rows: Row[]; control?: Connection; transfer?: Partial<Transfer>; thresholds?: Partial<PerformanceThresholds>; want: string[] }>([
    { name: 'a clean transfer', rows: clean, transfer: { final: reply(226, 10) }, want: [] },
    {
      name: 'receiver window closed 3 s',
      rows: windowClosed3s,
      transfer: { final: reply(226, 3010) },
      want: ['zero-window'],
    },
    {
      name: 'receiver window closed 3 s, threshold 5 s: the stall over 2 s is reported instead',
      rows: windowClosed3s,
      transfer: { final: reply(226, 3010) },
      thresholds: { zeroWindowMicros: 5_000_000, stallMicros: 2_000_000 },
      want: ['transfer-stalled'],
    },
    {
      name: 'the sender paused 6 s',
      rows: [...handshake, [3, 'B', ACK, 0, 1000, 0], [4, 'A', ACK, 0, 0, 1000], [6004, 'B', ACK, 1000, 1000, 0], ...fins(6005, 2000)],
      transfer: { final: reply(226, 6010) },
      want: ['transfer-stalled'],
    },
    {
      name: 'the sender paused 6 s, threshold 10 s',
      rows: [...handshake, [3, 'B', ACK, 0, 1000, 0], [4, 'A', ACK, 0, 0, 1000], [6004, 'B', ACK, 1000, 1000, 0], ...fins(6005, 2000)],
      transfer: { final: reply(226, 6010) },
      thresholds: { stallMicros: 10_000_000 },
      want: [],
    },
    {
      name: '1 in 4 segments sent again',
      rows: lossy(4),
      transfer: { final: reply(226, 110) },
      thresholds: { heavyLossMinSegments: 10 },
      want: ['heavy-loss'],
    },
    { name: '1 in 4 segments sent again, fewer than 30 segments', rows: lossy(4), transfer: { final: reply(226, 110) }, want: [] },
    {
      name: '1 in 20 segments sent again: under 10 %',
      rows: lossy(20),
      transfer: { final: reply(226, 110) },
      thresholds: { heavyLossMinSegments: 1 },
      want: [],
    },
    {
      name: 'ABOR during the transfer',
      rows: clean,
      transfer: { abort: { verb: 'ABOR', arg: '', at: { ref: { input: 0, frame: 50 }, timeMicros: 5000 } }, final: reply(426, 8) },
      want: ['transfer-aborted'],
    },
    {
      name: 'RST from the client before the server finished',
      rows: [...handshake, [3, 'B', ACK, 0, 1000, 0], [4, 'A', RST | ACK, 0, 0, 1000]],
      transfer: { final: reply(426, 8) },
      want: ['transfer-aborted'],
    },
    {
      name: 'RST after the server FIN: the transfer was complete',
      rows: [...handshake, [3, 'B', ACK, 0, 1000, 0], [4, 'B', FIN | ACK, 1000, 0, 0], [5, 'A', RST | ACK, 0, 0, 1001]],
      transfer: { final: reply(226, 8) },
      want: [],
    },
    {
      name: 'control silent 60 s, then closed without the final reply',
      rows: clean,
      control: controlConnection(0, { how: 'fin', ms: 60_000 }),
      want: ['control-idle-drop'],
    },
    {
      name: 'control silent 60 s, then the final reply',
      rows: clean,
      control: controlConnection(0, null),
      transfer: { final: reply(226, 60_000) },
      want: [],
    },
    {
      name: 'control closed after 10 s without the final reply: under the 30 s threshold',
      rows: clean,
      control: controlConnection(0, { how: 'rst', ms: 10_000 }),
      want: [],
    },
    {
      name: 'control reset after 10 s without the final reply, threshold 5 s',
      rows: clean,
      control: controlConnection(0, { how: 'rst', ms: 10_000 }),
      thresholds: { controlIdleMicros: 5_000_000 },
      want: ['control-idle-drop'],
    },
  ])('$name', ({ rows, control, transfer, thresholds, want }) => {
    const measured = run(rows);
    const session = sessionWith(measured.connection, control ?? measured.control, transfer);
    expect(codes(session, { ...t, ...thresholds })).toEqual(want);
  });

  test("a command after the data ends the control connection's silence: closed 60 s later, but QUIT at 50 s", () => {
    const rows: Row[] = [...handshake, [3, 'B', ACK, 0, 1000, 0], ...fins(10, 1000)];
    const measured = run(rows);
    const session = sessionWith(measured.connection, controlConnection(0, { how: 'fin', ms: 60_000 }));
    const quit = { ref: { input: 0, frame: 7000 }, timeMicros: 50_000 * MS };
    session.timeline = [{ at: quit, kind: 'quit', source: 'client', text: 'client ends the session' }];
    const p = measureTransfer(session, session.dataChannels[0])!;
    expect(p.control).toMatchObject({ state: 'closed', idleMicros: 10_000_000 });
    expect(p.control.since).toBe(quit);
    expect(codes(session)).toEqual([]);
  });

  test('a data connection that no transfer used: a control connection closed after a long silence is no drop', () => {
    const measured = run(clean);
    const session = sessionWith(measured.connection, controlConnection(0, { how: 'fin', ms: 60_000 }));
    session.dataChannels[0].transfer = null;
    expect(codes(session)).toEqual([]);
  });

  test('each finding names the frame that proves it', () => {
    const measured = run(windowClosed3s);
    const [finding] = diagnosePerformance(sessionWith(measured.connection, measured.control, { final: reply(226, 3010) }), t);
    expect(finding.frame).toEqual({ input: 0, frame: 104 }); // the first window 0
    expect(finding.message).toContain('the client closed its receive window 1 time');
    expect(finding.fix).toBeTruthy();
  });
});
