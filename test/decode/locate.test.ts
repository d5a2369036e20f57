/**
 * locateTcpFrame: the numbers and offsets it leaves in a TcpLocation describe the same segment
 * decodeTcpFrame builds, for every link layer; segmentOf takes known addresses as given.
 * Frames are hand-built (build.ts).
 */
import { describe, expect, test } from 'vitest';
import { decodeTcpFrame, locateTcpFrame, segmentOf, TcpLocation } from '../../src/decode';
import { ethernet, ipv4, ipv6, ipv6Options, loopback, sll, sll2, tcp } from './build';

const PAYLOAD = Buffer.from('USER anonymous\r\n');
const segment = (fields = {}) => tcp({ srcPort: 48690, dstPort: 21, seq: 0xfffffff0, ack: 77, flags: 0x18, window: 502, ...fields }, PAYLOAD);

const frames: Array<[string, number, Buffer]> = [
  ['Ethernet IPv4', 1, ethernet(0x0800, ipv4({}, segment()))],
  ['Ethernet IPv4 with options', 1, ethernet(0x0800, ipv4({ options: Buffer.alloc(12, 1) }, segment()))],
  ['802.1Q IPv4', 1, ethernet(0x0800, ipv4({}, segment()), [[0x8100, 10]])],
  ['Ethernet IPv6 with a destination options header', 1, ethernet(0x86dd, ipv6({ next: 60 }, Buffer.concat([ipv6Options(6, 16), segment()])))],
  ['Linux cooked v1 IPv6', 113, sll(0x86dd, ipv6({}, segment()))],
  ['Linux cooked v2 IPv4', 276, sll2(0x0800, ipv4({}, segment()))],
  ['raw IP', 101, ipv4({}, segment())],
  ['BSD loopback', 0, loopback(2, true, ipv4({}, segment()))],
];

describe('locateTcpFrame', () => {
  test.each(frames)('%s: the segment decodeTcpFrame builds', (_name, linkType, frame) => {
    const location = new TcpLocation();
    expect(locateTcpFrame(linkType, frame, frame.length, location).kind).toBe('located');
    const decoded = decodeTcpFrame(linkType, frame, frame.length);
    if (decoded.kind !== 'tcp') throw new Error(decoded.kind);
    expect(segmentOf(location)).toEqual(decoded.segment);
    expect(location.payloadLength).toBe(PAYLOAD.length);
    expect(location.bytes.subarray(location.payloadOffset, location.payloadEnd).equals(PAYLOAD)).toBe(true);
    // The ports are where the TCP header starts.
    expect(frame.readUInt16BE(location.tcpOffset)).toBe(48690);
  });

  test('a location is reused: each frame overwrites every field', () => {
    const location = new TcpLocation();
    locateTcpFrame(1, ethernet(0x86dd, ipv6({}, segment({ flags: 0x02 }))), 0, location);
    // Cut by the snap length 10 bytes into a 30-byte payload.
    const frame = ethernet(0x0800, ipv4({}, tcp({ srcPort: 1, dstPort: 2, seq: 3, ack: 4, flags: 0x10, window: 5 }, Buffer.alloc(30))));
    locateTcpFrame(1, frame.subarray(0, frame.length - 20), frame.length, location);
    expect(location).toMatchObject({ ipVersion: 4, srcPort: 1, dstPort: 2, seq: 3, ack: 4, flags: 0x10, window: 5, missingPayload: 20 });
    expect(location.payloadLength).toBe(10);
    expect(location.addressLength).toBe(4);
  });

  test('segmentOf takes the addresses it is given instead of formatting them', () => {
    const location = new TcpLocation();
    locateTcpFrame(1, frames[0][2], 0, location);
    const built = segmentOf(location, 'client', 'server');
    expect(built.src).toBe('client');
    expect(built.dst).toBe('server');
    expect(segmentOf(location)).toMatchObject({ src: '192.0.2.1', dst: '198.51.100.2' });
  });

  test('not TCP: what decodeTcpFrame returns, the location untouched', () => {
    const location = new TcpLocation();
    const frame = ethernet(0x0800, ipv4({ protocol: 17 }, Buffer.alloc(8)));
    expect(locateTcpFrame(1, frame, frame.length, location)).toEqual(decodeTcpFrame(1, frame, frame.length));
    expect(location.addressOffset).toBe(-1);
  });
});
