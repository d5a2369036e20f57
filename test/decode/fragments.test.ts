/**
 * IP fragment reassembly: hand-built TCP segments cut into IPv4 and IPv6 fragments (RFC 791
 * section 3.2, RFC 8200 section 4.5), delivered in every order, with duplicates and overlaps.
 */
import { describe, expect, test } from 'vitest';
import { decodeTcpFrame } from '../../src/decode';
import { FragmentTable } from '../../src/decode/fragments';
import type { IpFragment } from '../../src/decode/result';
import { decodeTcp } from '../../src/decode/tcp';
import { addressBytes, ethernet, ipv4, ipv6, ipv6Fragment, tcp } from './build';

const PAYLOAD = Buffer.from('RETR a-file-with-a-rather-long-name-so-the-segment-spans-fragments.bin\r\n'.repeat(4));
const SEGMENT = tcp({ srcPort: 40000, dstPort: 21, seq: 7, flags: 0x18 }, PAYLOAD);

/** Cuts the TCP segment into IP fragments of `size` bytes (a multiple of 8), as frames. */
function fragmentsV4(size: number): Buffer[] {
  const frames: Buffer[] = [];
  for (let at = 0; at < SEGMENT.length; at += size) {
    const more = at + size < SEGMENT.length;
    frames.push(ethernet(0x0800, ipv4({ fragment: (more ? 0x2000 : 0) | (at / 8) }, SEGMENT.subarray(at, at + size))));
  }
  return frames;
}

function fragmentsV6(size: number): Buffer[] {
  const frames: Buffer[] = [];
  for (let at = 0; at < SEGMENT.length; at += size) {
    const more = at + size < SEGMENT.length;
    frames.push(ethernet(0x86dd, ipv6({ next: 44 }, Buffer.concat([ipv6Fragment(6, at / 8, more), SEGMENT.subarray(at, at + size)]))));
  }
  return frames;
}

function fragmentOf(frame: Buffer): IpFragment {
  const decoded = decodeTcpFrame(1, frame, frame.length);
  if (decoded.kind !== 'fragment') throw new Error(`expected a fragment, got ${decoded.kind}`);
  return decoded.fragment;
}

/** Feeds fragments; returns the TCP payload of the reassembled segment (or null). */
function reassemble(frames: Buffer[], table = new FragmentTable(16, 30e6)): string | null {
  let whole: Buffer | null = null;
  frames.forEach((frame, i) => {
    const f = fragmentOf(frame);
    const out = table.add(f, i);
    if (out) {
      const decoded = decodeTcp(out, 0, out.length, out.length, f.ipVersion, f.src, f.dst, f.addresses);
      if (decoded.kind !== 'tcp') throw new Error('reassembled datagram is not TCP');
      whole = decoded.segment.payload;
    }
  });
  return whole === null ? null : (whole as Buffer).toString('latin1');
}

const orders: Array<[string, (frames: Buffer[]) => Buffer[]]> = [
  ['in order', (f) => f],
  ['reversed', (f) => [...f].reverse()],
  ['last first', (f) => [f[f.length - 1], ...f.slice(0, -1)]],
  ['duplicated', (f) => f.flatMap((x) => [x, x])],
];

describe.each([
  ['IPv4', fragmentsV4],
  ['IPv6', fragmentsV6],
])('%s fragments', (_, make) => {
  test.each(orders)('reassembled %s', (_order, arrange) => {
    for (const size of [8, 16, 104]) {
      expect(reassemble(arrange(make(size)))).toBe(PAYLOAD.toString('latin1'));
    }
  });

  test('a missing fragment leaves nothing reassembled', () => {
    const frames = make(16);
    frames.splice(2, 1);
    expect(reassemble(frames)).toBeNull();
  });

  test('fragments carry their addresses and offsets', () => {
    const f = fragmentOf(make(16)[1]);
    expect(f.offset).toBe(16);
    expect(f.more).toBe(true);
    expect(f.data.length).toBe(16);
  });
});

test('overlapping fragments: the first copy of each byte wins', () => {
  const table = new FragmentTable(4, 30e6);
  const base = {
    ipVersion: 4 as const,
    protocol: 6,
    src: '192.0.2.1',
    dst: '198.51.100.2',
    addresses: addressBytes('192.0.2.1', '198.51.100.2'),
    id: 9,
    cut: false,
  };
  expect(table.add({ ...base, offset: 0, more: true, data: Buffer.from('abcdefgh') }, 1)).toBeNull();
  expect(table.add({ ...base, offset: 0, more: true, data: Buffer.from('XXXXXXXXijkl') }, 2)).toBeNull();
  expect(table.add({ ...base, offset: 16, more: false, data: Buffer.from('mnop') }, 3)).toBeNull(); // hole 12..16
  expect(table.add({ ...base, offset: 8, more: true, data: Buffer.from('YYYYQRST') }, 4)?.toString()).toBe('abcdefghijklQRSTmnop');
});

test('the table is bounded: the oldest datagram is dropped, and old ones time out', () => {
  const table = new FragmentTable(2, 1000);
  const first = (id: number) => ({
    ipVersion: 4 as const,
    protocol: 6,
    src: '192.0.2.1',
    dst: '198.51.100.2',
    addresses: addressBytes('192.0.2.1', '198.51.100.2'),
    id,
    cut: false,
    offset: 0,
    more: true,
    data: Buffer.alloc(8),
  });
  table.add(first(1), 0);
  table.add(first(2), 10);
  table.add(first(3), 20);
  expect(table.size).toBe(2);
  expect(table.stats.dropped).toBe(1);
  table.add(first(4), 5000); // 1 and 2... timed out by now
  expect(table.size).toBe(1);
  expect(table.stats.dropped).toBe(3);
});

test('a fragment cut by the snap length drops its datagram', () => {
  const frames = fragmentsV4(16);
  const table = new FragmentTable(4, 30e6);
  const cut = frames[1].subarray(0, frames[1].length - 4);
  const f = decodeTcpFrame(1, cut, frames[1].length);
  expect(f.kind).toBe('fragment');
  if (f.kind !== 'fragment') return;
  expect(f.fragment.cut).toBe(true);
  expect(table.add(f.fragment, 0)).toBeNull();
  expect(table.stats.dropped).toBe(1);
});
