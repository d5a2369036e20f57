/**
 * Stand-ins for editcap in the tests, for machines without Wireshark (the CI installs none): the
 * same conversions of a little-endian microsecond classic pcap, done here by hand.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PcapngBuilder } from './pcapng-builder';

export const hasEditcap = spawnSync('editcap', ['-h']).status === 0;

interface PcapRecord {
  seconds: number;
  micros: number;
  originalLength: number;
  data: Buffer;
}

function records(pcap: Buffer): PcapRecord[] {
  if (pcap.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('expected a little-endian microsecond pcap');
  const out: PcapRecord[] = [];
  for (let at = 24; at + 16 <= pcap.length; ) {
    const length = pcap.readUInt32LE(at + 8);
    out.push({ seconds: pcap.readUInt32LE(at), micros: pcap.readUInt32LE(at + 4), originalLength: pcap.readUInt32LE(at + 12), data: pcap.subarray(at + 16, at + 16 + length) });
    at += 16 + length;
  }
  return out;
}

/** Like `editcap -F pcapng`: one section, one interface (microseconds), an EPB per record. */
export function pcapToPcapng(pcap: Buffer): Buffer {
  const b = new PcapngBuilder();
  const blocks = [b.shb(), b.idb({ linkType: pcap.readUInt32LE(20), snapLength: pcap.readUInt32LE(16) })];
  for (const r of records(pcap)) {
    blocks.push(b.epb({ timestamp: BigInt(r.seconds) * 1_000_000n + BigInt(r.micros), data: r.data, originalLength: r.originalLength }));
  }
  return Buffer.concat(blocks);
}

/** Like `editcap -F nsecpcap`: magic a1b23c4d, the fraction fields in nanoseconds. */
export function pcapToNanosecondPcap(pcap: Buffer): Buffer {
  const out = Buffer.from(pcap);
  out.writeUInt32LE(0xa1b23c4d, 0);
  for (let at = 24; at + 16 <= out.length; at += 16 + out.readUInt32LE(at + 8)) out.writeUInt32LE(out.readUInt32LE(at + 4) * 1000, at + 4);
  return out;
}

/** Like `editcap -c <count>`: files of `count` records each, named so that they sort in order. */
export function splitPcap(pcap: Buffer, count: number, dir: string): string[] {
  const all = records(pcap);
  const files: string[] = [];
  for (let first = 0; first < all.length; first += count) {
    const parts = [pcap.subarray(0, 24)];
    for (const r of all.slice(first, first + count)) {
      const header = Buffer.alloc(16);
      header.writeUInt32LE(r.seconds, 0);
      header.writeUInt32LE(r.micros, 4);
      header.writeUInt32LE(r.data.length, 8);
      header.writeUInt32LE(r.originalLength, 12);
      parts.push(header, r.data);
    }
    const file = path.join(dir, `ring_${String(files.length).padStart(5, '0')}.pcap`);
    fs.writeFileSync(file, Buffer.concat(parts));
    files.push(file);
  }
  return files;
}

/** A little-endian microsecond classic pcap (Ethernet) holding the given frames. */
export function framesToPcap(frames: Array<{ timeMicros: number; data: Buffer; originalLength: number }>): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  const parts: Buffer[] = [header];
  for (const frame of frames) {
    const record = Buffer.alloc(16);
    record.writeUInt32LE(Math.floor(frame.timeMicros / 1e6), 0);
    record.writeUInt32LE(frame.timeMicros % 1e6, 4);
    record.writeUInt32LE(frame.data.length, 8);
    record.writeUInt32LE(frame.originalLength, 12);
    parts.push(record, frame.data);
  }
  return Buffer.concat(parts);
}
