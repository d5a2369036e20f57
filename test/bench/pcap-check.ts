/**
 * Checks on the classic pcap files the benchmark generators write (little-endian, microseconds,
 * Ethernet): their records, and whether the IPv4, TCP and UDP checksums are right (RFC 1071).
 */
import * as pcapWriter from '../../bench/lib/pcap-writer.js';

const { fold, onesSum } = pcapWriter as { fold(sum: number): number; onesSum(bytes: Buffer, start: number, end: number): number };

/** Every record of a little-endian microsecond pcap. */
export function records(pcap: Buffer): Array<{ time: number; frame: Buffer }> {
  const out = [];
  for (let at = 24; at < pcap.length; ) {
    const length = pcap.readUInt32LE(at + 8);
    out.push({ time: pcap.readUInt32LE(at) * 1e6 + pcap.readUInt32LE(at + 4), frame: pcap.subarray(at + 16, at + 16 + length) });
    at += 16 + length;
  }
  return out;
}

/** Whether the IPv4 header, TCP and UDP checksums of an Ethernet frame are right. */
export function checksumsRight(frame: Buffer): boolean {
  const ipv6 = frame.readUInt16BE(12) === 0x86dd;
  const ip = 14;
  let l4: number;
  let end: number;
  let pseudo: number;
  let protocol: number;
  if (ipv6) {
    l4 = ip + 40;
    end = l4 + frame.readUInt16BE(ip + 4);
    protocol = frame[ip + 6];
    pseudo = onesSum(frame, ip + 8, ip + 40) + protocol + (end - l4);
  } else {
    const headerLength = (frame[ip] & 0x0f) * 4;
    if (fold(onesSum(frame, ip, ip + headerLength)) !== 0xffff) return false;
    l4 = ip + headerLength;
    end = ip + frame.readUInt16BE(ip + 2);
    protocol = frame[ip + 9];
    pseudo = onesSum(frame, ip + 12, ip + 20) + protocol + (end - l4);
  }
  if (protocol === 17 && !ipv6 && frame.readUInt16BE(l4 + 6) === 0) return true;
  return fold(pseudo + onesSum(frame, l4, end)) === 0xffff;
}
