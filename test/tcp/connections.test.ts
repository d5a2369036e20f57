/**
 * The connection record: handshake outcomes, how connections end, and byte counts by sequence
 * space (retransmissions once, holes the capture lacks, the FIN or the peer's ACK telling how far
 * the bytes went). Segments are written as rows: [from, flags, seq offset, payload length, ack offset].
 */
import { describe, expect, test } from 'vitest';
import {
  ConnectionTable,
  connectionEnd,
  firstClose,
  handshakeOutcome,
  isNewIncarnation,
  missingBytes,
  observeSegment,
  payloadBytes,
  type Connection,
} from '../../src/tcp/connections';
import { TcpFlag, type TcpSegment } from '../../src/types';
import { tcpSegment } from '../decode/build';

const A = { ip: '198.51.100.20', port: 40000 };
const B = { ip: '192.0.2.10', port: 40001 };
const ISN_A = 0xfffffff0; // wraps within the first bytes
const ISN_B = 5000;
const { SYN, ACK, FIN, RST, PSH } = TcpFlag;

/** [from, flags, offset of seq after the ISN+1 (SYN: -1), payload bytes, ack offset or null] */
type Row = ['A' | 'B', number, number, number, (number | null)?];

function segment([from, flags, offset, length, ackOffset]: Row): TcpSegment {
  const [src, dst, isn, peerIsn] = from === 'A' ? [A, B, ISN_A, ISN_B] : [B, A, ISN_B, ISN_A];
  return tcpSegment(src, dst, {
    seq: (isn + 1 + offset) >>> 0,
    ack: ackOffset === undefined || ackOffset === null ? 0 : (peerIsn + 1 + ackOffset) >>> 0,
    flags,
    payload: Buffer.alloc(length, 0x61),
  });
}

function run(rows: Row[]): Connection {
  const table = new ConnectionTable(10);
  let connection: Connection | null = null;
  rows.forEach((row, i) => {
    const seg = segment(row);
    const ref = { input: 0, frame: i + 1 };
    if (connection === null) connection = table.open(seg, 'data', row[0] === 'A', ref, i * 1000);
    observeSegment(connection, seg, row[0] === 'A' ? 'orig' : 'resp', ref, i * 1000);
  });
  return connection as unknown as Connection;
}

const handshake: Row[] = [
  ['A', SYN, -1, 0],
  ['B', SYN | ACK, -1, 0, 0],
  ['A', ACK, 0, 0, 0],
];

describe('handshake outcome', () => {
  // biome-ignore format: a table, one row a line
  test.each<[string, Row[], string]>([
    ['SYN, SYN-ACK, ACK', handshake, 'established'],
    ['SYN-ACK then data from the client (final ACK not captured)', [handshake[0], handshake[1], ['A', PSH | ACK, 0, 10, 0]], 'established'],
    ['SYN answered by RST', [['A', SYN, -1, 0], ['B', RST | ACK, 0, 0, 0]], 'refused'],
    ['SYN sent three times, nothing back', [['A', SYN, -1, 0], ['A', SYN, -1, 0], ['A', SYN, -1, 0]], 'unanswered'],
    ['SYN-ACK but no final ACK', [handshake[0], handshake[1], ['B', SYN | ACK, -1, 0, 0]], 'half-open'],
    ['SYN-ACK then RST from the client', [handshake[0], handshake[1], ['A', RST | ACK, 0, 0, 0]], 'half-open'],
    ['first seen mid-stream', [['A', ACK, 100, 10, 50]], 'midstream'],
  ])('%s: %s', (_name, rows, outcome) => {
    expect(handshakeOutcome(run(rows))).toBe(outcome);
  });

  test('SYN retransmissions are counted', () => {
    const c = run([
      ['A', SYN, -1, 0],
      ['A', SYN, -1, 0],
      ['A', SYN, -1, 0],
    ]);
    expect(c.synCount).toBe(3);
    expect(c.lastSyn?.ref.frame).toBe(3);
  });
});

describe('how the connection ends', () => {
  test.each<[string, Row[], string, string | null]>([
    ['open', handshake, 'open', null],
    ['FIN from the sender first', [...handshake, ['A', FIN | ACK, 0, 0, 0], ['B', FIN | ACK, 0, 0, 1]], 'fin', 'orig'],
    ['FIN from the receiver first', [...handshake, ['B', FIN | ACK, 0, 0, 0], ['A', FIN | ACK, 0, 0, 1]], 'fin', 'resp'],
    ['RST from the receiver', [...handshake, ['B', RST | ACK, 0, 0, 0]], 'rst', 'resp'],
    ['FIN then RST: FIN first', [...handshake, ['A', FIN | ACK, 0, 0, 0], ['B', RST | ACK, 0, 0, 1]], 'fin', 'orig'],
  ])('%s', (_name, rows, end, from) => {
    const c = run(rows);
    expect(connectionEnd(c)).toBe(end);
    expect(firstClose(c)?.from ?? null).toBe(from);
  });
});

describe('byte counts by sequence space', () => {
  const data = (offset: number, length: number): Row => ['A', PSH | ACK, offset, length, 0];
  const ackBack = (offset: number): Row => ['B', ACK, 0, 0, offset];
  const finA = (offset: number): Row => ['A', FIN | ACK, offset, 0, 0];

  test.each<[string, Row[], number, number]>([
    ['in order', [...handshake, data(0, 1000), data(1000, 1000), finA(2000)], 2000, 0],
    ['a retransmission counts once', [...handshake, data(0, 1000), data(0, 1000), data(1000, 500), finA(1500)], 1500, 0],
    ['reordered', [...handshake, data(1000, 1000), data(0, 1000), finA(2000)], 2000, 0],
    ['a segment the capture lacks (hole), FIN after it', [...handshake, data(0, 1000), data(2000, 1000), finA(3000)], 3000, 1000],
    ['last segments not captured: the FIN tells the end', [...handshake, data(0, 1000), finA(5000)], 5000, 4000],
    ['no FIN captured: the peer ACK tells the end', [...handshake, data(0, 1000), ackBack(3000)], 3000, 2000],
    ['an ACK one past the last byte may be a lost FIN: not counted', [...handshake, data(0, 1000), ackBack(1001)], 1000, 0],
    ['a nonsense ACK far ahead is not believed', [...handshake, data(0, 1000), ackBack(0x7000_0000)], 1000, 0],
    ['retransmission overlapping two segments', [...handshake, data(0, 100), data(200, 100), data(50, 200), finA(300)], 300, 0],
    ['no data', [...handshake, finA(0)], 0, 0],
  ])('%s', (_name, rows, bytes, missing) => {
    const c = run(rows);
    expect(payloadBytes(c, 'orig')).toBe(bytes);
    expect(missingBytes(c, 'orig')).toBe(missing);
  });

  test('many holes: ranges stay capped and the count stays right', () => {
    const rows: Row[] = [...handshake];
    for (let i = 0; i < 200; i++) rows.push(data(i * 100, 50));
    rows.push(finA(200 * 100));
    const c = run(rows);
    expect(payloadBytes(c, 'orig')).toBe(20_000);
    expect(c.payload.orig.ranges.length).toBeLessThanOrEqual(32);
    expect(c.payload.orig.rangesMerged).toBe(true);
    // Merged holes count as captured: the missing count is a lower bound.
    expect(missingBytes(c, 'orig')).toBeGreaterThan(0);
    expect(missingBytes(c, 'orig')).toBeLessThanOrEqual(10_000);
  });

  test('generated: any split, order and duplication of a stream gives its length and no missing bytes', () => {
    let seed = 3;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let round = 0; round < 100; round++) {
      const total = 1 + Math.floor(random() * 20_000);
      const segs: Row[] = [];
      for (let at = 0; at < total; ) {
        const size = Math.min(total - at, 1 + Math.floor(random() * 1460));
        segs.push(data(at, size));
        at += size;
      }
      const mixed = [...segs, ...segs.filter(() => random() < 0.2)].sort(() => random() - 0.5);
      const c = run([...handshake, ...mixed, finA(total)]);
      expect(payloadBytes(c, 'orig')).toBe(total);
      expect(missingBytes(c, 'orig')).toBe(0);
    }
  });
});

describe('port reuse', () => {
  const table = new ConnectionTable(10);
  const syn = segment(['A', SYN, -1, 0]);
  const open = (rows: Row[]) => run(rows);

  test.each<[string, Row[], number, boolean]>([
    ['SYN retransmission', [['A', SYN, -1, 0]], 1000, false],
    ['SYN after FIN', [...handshake, ['A', FIN | ACK, 0, 0, 0]], 4000, true],
    ['SYN after RST', [...handshake, ['B', RST | ACK, 0, 0, 0]], 4000, true],
    ['SYN after a long idle', [['A', SYN, -1, 0]], 200_000_000, true],
  ])('%s: new connection = %s', (_name, rows, time, expected) => {
    const c = open(rows);
    expect(isNewIncarnation(c, syn, 'orig', time, 120_000_000)).toBe(expected);
  });

  test('the table holds one record per 4-tuple', () => {
    const c = table.open(syn, 'data', true, { input: 0, frame: 1 }, 0);
    expect(table.lookup(segment(['B', SYN | ACK, -1, 0, 0]))?.connection).toBe(c);
  });
});
