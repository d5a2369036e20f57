/** Reads the tshark-frames*.txt files that samples/tools/tshark-frames.sh writes next to a capture. */

export interface TsharkFrames {
  announcements: Array<{ frame: number; decoded: string }>;
  syns: Array<{ frame: number; stream: number; kind: 'SYN' | 'SYN-ACK'; from: string; to: string }>;
  /** The control port of each run in the file (its SYN table leaves that port out). */
  controlPorts: number[];
}

export function parseTsharkFrames(text: string): TsharkFrames {
  const result: TsharkFrames = { announcements: [], syns: [], controlPorts: [] };
  let section: 'announcements' | 'syns' | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('## Announcements')) section = 'announcements';
    else if (line.startsWith('## TCP SYN')) {
      section = 'syns';
      result.controlPorts.push(Number(/not to\/from port (\d+)/.exec(line)?.[1] ?? 21));
    }
    if (!/^\d+\s/.test(line)) continue;
    const fields = line.trim().split(/\s+/);
    if (section === 'announcements') {
      result.announcements.push({ frame: Number(fields[0]), decoded: fields[fields.length - 1] });
    } else if (section === 'syns') {
      // An ICMP error quoting a SYN is listed with both packets' addresses ("a,b"): not a SYN.
      if (fields[3].includes(',') || fields[5]?.includes(',')) continue;
      result.syns.push({ frame: Number(fields[0]), stream: Number(fields[1]), kind: fields[2] as 'SYN' | 'SYN-ACK', from: fields[3], to: fields[5] });
    }
  }
  return result;
}
