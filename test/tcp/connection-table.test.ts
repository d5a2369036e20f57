/**
 * The connection table: a connection is found from either direction, by a packet's bytes (its
 * ports, then its addresses where they are in the frame) or by a segment's address bytes (never
 * its text), the same way for IPv4 and IPv6; connections sharing ports stay apart; closing, reopening and the
 * size limit. Frames are hand-built (test/decode/build.ts).
 */
import { describe, expect, test } from 'vitest';
import { locateTcpFrame, segmentOf, TcpLocation } from '../../src/decode';
import { ConnectionTable } from '../../src/tcp/connections';
import type { TcpSegment } from '../../src/types';
import { ethernet, ipv4, ipv6, tcp } from '../decode/build';

const ref = { input: 0, frame: 1 };

interface Packet {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** Bytes of IPv4 options (to move the ports away from the addresses). */
  ipOptions?: number;
}

function frameOf(p: Packet): Buffer {
  const segment = tcp({ srcPort: p.srcPort, dstPort: p.dstPort, flags: 0x02 });
  if (p.src.includes(':')) return ethernet(0x86dd, ipv6({ src: p.src, dst: p.dst }, segment));
  return ethernet(0x0800, ipv4({ src: p.src, dst: p.dst, options: Buffer.alloc(p.ipOptions ?? 0, 1) }, segment));
}

/** The packet located in its frame (as the analyzer sees it) and as a segment (addresses as text). */
function packet(p: Packet): { location: TcpLocation; segment: TcpSegment } {
  const location = new TcpLocation();
  const result = locateTcpFrame(1, frameOf(p), 0, location);
  expect(result.kind).toBe('located');
  return { location, segment: segmentOf(location) };
}

function find(table: ConnectionTable, p: Packet) {
  const { location } = packet(p);
  return table.find(location.bytes, location.addressOffset, location.addressLength, location.srcPort, location.dstPort);
}

const reverse = (p: Packet): Packet => ({ src: p.dst, dst: p.src, srcPort: p.dstPort, dstPort: p.srcPort });

// IPv6 test addresses in full form (build.ts), compared as the decoder formats them.
const cases: Array<[string, Packet]> = [
  ['IPv4', { src: '198.51.100.20', dst: '192.0.2.10', srcPort: 48690, dstPort: 21 }],
  ['IPv4 with options (ports apart from the addresses)', { src: '198.51.100.20', dst: '192.0.2.10', srcPort: 48690, dstPort: 21, ipOptions: 8 }],
  ['IPv6', { src: '2001:db8:1:0:0:0:0:21', dst: '2001:db8:2:0:0:0:0:10', srcPort: 41100, dstPort: 21 }],
  ['IPv4-mapped IPv6', { src: '0:0:0:0:0:ffff:c633:6414', dst: '0:0:0:0:0:ffff:c000:20a', srcPort: 41100, dstPort: 21 }],
];

describe('ConnectionTable', () => {
  test.each(cases)('%s: found from both directions, by bytes and by segment', (_name, p) => {
    const table = new ConnectionTable(10);
    const { segment } = packet(p);
    const connection = table.open(segment, 'control', true, ref, 0);
    expect(find(table, p)).toMatchObject({ connection, direction: 'orig' });
    expect(find(table, reverse(p))).toMatchObject({ connection, direction: 'resp' });
    expect(table.lookup(segment)).toMatchObject({ connection, direction: 'orig' });
    expect(table.lookup(packet(reverse(p)).segment)).toMatchObject({ connection, direction: 'resp' });
    expect(table.size).toBe(1);
  });

  test('segments are keyed by their address bytes, not by their text', () => {
    const table = new ConnectionTable(10);
    const p = cases[2][1];
    const { segment } = packet(p);
    // The text is only for people: the table neither parses nor compares it.
    const connection = table.open({ ...segment, src: 'client', dst: 'server' }, 'control', true, ref, 0);
    expect(table.lookup({ ...segment, src: '', dst: '' })).toMatchObject({ connection, direction: 'orig' });
    expect(find(table, p)).toMatchObject({ connection, direction: 'orig' });
    expect(table.lookup({ ...segment, addresses: Buffer.from(segment.addresses).fill(0, 0, 1) })).toBeNull();
  });

  test('the segment that opens it may come from resp (a connection picked up midstream)', () => {
    const table = new ConnectionTable(10);
    const p = cases[0][1];
    const connection = table.open(packet(p).segment, 'control', false, ref, 0);
    expect(connection.orig.ip).toBe(p.dst);
    expect(find(table, p)?.direction).toBe('resp');
    expect(find(table, reverse(p))?.direction).toBe('orig');
  });

  test('connections on the same ports between other hosts stay apart; other ports are not found', () => {
    const table = new ConnectionTable(10);
    const a: Packet = { src: '198.51.100.20', dst: '192.0.2.10', srcPort: 40000, dstPort: 20 };
    const b: Packet = { ...a, src: '198.51.100.21' };
    const c: Packet = { ...a, dst: '192.0.2.11' };
    const v6: Packet = { src: '2001:db8:1:0:0:0:0:21', dst: '2001:db8:2:0:0:0:0:10', srcPort: 40000, dstPort: 20 };
    const opened = [a, b, c, v6].map((p) => table.open(packet(p).segment, 'data', true, ref, 0));
    [a, b, c, v6].forEach((p, i) => {
      expect(find(table, p)?.connection).toBe(opened[i]);
      expect(find(table, reverse(p))?.connection).toBe(opened[i]);
    });
    expect(find(table, { ...a, src: '198.51.100.22' })).toBeUndefined();
    expect(find(table, { ...a, srcPort: 40001 })).toBeUndefined();
    expect(find(table, { ...a, srcPort: 20, dstPort: 40000 })).toBeUndefined();
  });

  test('close forgets both directions; the other connections on the ports stay', () => {
    const table = new ConnectionTable(10);
    const a: Packet = { src: '198.51.100.20', dst: '192.0.2.10', srcPort: 40000, dstPort: 20 };
    const b: Packet = { ...a, src: '198.51.100.21' };
    const first = table.open(packet(a).segment, 'data', true, ref, 0);
    const second = table.open(packet(b).segment, 'data', true, ref, 0);
    table.close(first);
    table.close(first);
    expect(find(table, a)).toBeUndefined();
    expect(find(table, reverse(a))).toBeUndefined();
    expect(find(table, b)?.connection).toBe(second);
    expect(table.size).toBe(1);
  });

  test('opening the same 4-tuple again replaces the old connection', () => {
    const table = new ConnectionTable(10);
    const p = cases[0][1];
    const old = table.open(packet(p).segment, 'control', true, ref, 0);
    const replacement = table.open(packet(reverse(p)).segment, 'control', false, ref, 0);
    expect(replacement).not.toBe(old);
    expect(find(table, p)).toMatchObject({ connection: replacement, direction: 'orig' });
    expect(table.size).toBe(1);
    // Closing the old record no longer touches the new one.
    table.close(old);
    expect(find(table, p)?.connection).toBe(replacement);
  });

  test('at the limit the oldest connection is dropped and counted', () => {
    const table = new ConnectionTable(2);
    const ps: Packet[] = [40000, 40001, 40002].map((srcPort) => ({ src: '198.51.100.20', dst: '192.0.2.10', srcPort, dstPort: 20 }));
    const opened = ps.map((p) => table.open(packet(p).segment, 'data', true, ref, 0));
    expect(table.size).toBe(2);
    expect(table.evicted).toBe(1);
    expect(find(table, ps[0])).toBeUndefined();
    expect(find(table, ps[1])?.connection).toBe(opened[1]);
    expect(find(table, ps[2])?.connection).toBe(opened[2]);
  });
});
