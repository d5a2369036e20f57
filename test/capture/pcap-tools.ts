/**
 * Stand-ins for editcap in the tests, for machines without Wireshark (the CI installs none): the
 * same conversions of a little-endian microsecond classic pcap, done here by hand.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PCAP_HEADER_LENGTH, PCAP_MAGIC_NANOSECONDS, pcapRecordHeader, readPcapRecords } from '../helpers/pcap';
import { PcapngBuilder } from './pcapng-builder';

export const hasEditcap = spawnSync('editcap', ['-h']).status === 0;

/** Like `editcap -F pcapng`: one section, one interface (microseconds), an EPB per record. */
export function pcapToPcapng(pcap: Buffer): Buffer {
  const b = new PcapngBuilder();
  const blocks = [b.shb(), b.idb({ linkType: pcap.readUInt32LE(20), snapLength: pcap.readUInt32LE(16) })];
  for (const r of readPcapRecords(pcap)) {
    blocks.push(b.epb({ timestamp: BigInt(r.sec) * 1_000_000n + BigInt(r.usec), data: r.data, originalLength: r.originalLength }));
  }
  return Buffer.concat(blocks);
}

/** Like `editcap -F nsecpcap`: magic a1b23c4d, the fraction fields in nanoseconds. */
export function pcapToNanosecondPcap(pcap: Buffer): Buffer {
  const out = Buffer.from(pcap);
  out.writeUInt32LE(PCAP_MAGIC_NANOSECONDS, 0);
  for (let at = PCAP_HEADER_LENGTH; at + 16 <= out.length; at += 16 + out.readUInt32LE(at + 8)) out.writeUInt32LE(out.readUInt32LE(at + 4) * 1000, at + 4);
  return out;
}

/** Like `editcap -c <count>`: files of `count` records each, named so that they sort in order. */
export function splitPcap(pcap: Buffer, count: number, dir: string): string[] {
  const all = readPcapRecords(pcap);
  const files: string[] = [];
  for (let first = 0; first < all.length; first += count) {
    const parts = [pcap.subarray(0, PCAP_HEADER_LENGTH)];
    for (const r of all.slice(first, first + count)) parts.push(pcapRecordHeader(r), r.data);
    const file = path.join(dir, `ring_${String(files.length).padStart(5, '0')}.pcap`);
    fs.writeFileSync(file, Buffer.concat(parts));
    files.push(file);
  }
  return files;
}
