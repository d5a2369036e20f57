#!/usr/bin/env node
'use strict';
/**
 * Generates the benchmark captures by replaying real recorded sessions many times at once.
 *
 *   node bench/generate.js --size 1GiB --out bench/captures/ftp-1GiB.pcap
 *   node bench/generate.js --size 1GiB --noise 0.95 --out bench/captures/other95.pcap
 *
 * The FTP sessions are the committed samples (samples/<case>/capture.pcap: vsftpd with lftp,
 * curl, Python ftplib and tnftp; PASV, EPSV, PORT, EPRT; IPv4 and IPv6). Each replica of a sample
 * gets:
 *
 * - its own client addresses (198.51.100.10-99, 2001:db8:1::10-ff) and ports (the high byte of
 *   every port from 10240 up is shifted within its decimal width), in the headers and in the
 *   PORT / EPRT / 227 / 229 text, rewritten to text of the same length; the server (192.0.2.10,
 *   2001:db8:2::10) and the ports below 10240 (20, 21) stay;
 * - its own start time and pace: its recorded timing is dilated so that every session spans most
 *   of the capture, and all sessions run at once;
 * - bigger transfers: every data connection that carried at least 64 KiB is stretched by a factor
 *   k, the same for all: each of its segments is sent k times back to back with consecutive
 *   sequence numbers (k times the bytes, the same segment sizes), and sequence, acknowledgement
 *   and SACK numbers are renumbered to match. The file sizes the control connections announce
 *   ("150 ... (N bytes)", "213 N" after SIZE) are multiplied too; where that adds a digit, the
 *   control connection's later sequence numbers move by it. Nothing else in them changes.
 *
 * So the number of sessions is the same at every size (8 rounds of the six samples: 104 sessions,
 * up to 56 of them at once) and only the transfers grow with the file, as they do in captures of a
 * busy server. Checksums (IPv4, TCP, UDP) are recomputed. With --noise SHARE, replicas of a
 * recorded non-FTP template (bench/templates/noise.pcap.gz: HTTP downloads and DNS queries) are
 * added until they are SHARE of the packets, with as many bytes per packet as the FTP-only capture
 * of --size (the file is then bigger than --size).
 *
 * Deterministic (no clock, no randomness) and streaming: the templates are in memory, packets go
 * out through one 8 MiB buffer. The file is written under a temporary name and renamed when done.
 */
const fs = require('fs');
const path = require('path');
const { fold, onesSum, writePcapFile } = require('./lib/pcap-writer');
const { BULK_BYTES, PCAP_RECORD_HEADER_LENGTH, PROTOCOL_TCP, formatAddress, isStretched, loadTemplate } = require('./lib/template');

const ROOT = path.resolve(__dirname, '..');
const FTP_SERVERS = ['192.0.2.10', '2001:db8:2::10'];
const NOISE_SERVERS = ['203.0.113.10'];
/** The committed samples replayed, in the order of a round. */
const FTP_TEMPLATES = ['vsftpd-mixed', 'passive-pasv', 'passive-epsv', 'active-port', 'active-eprt', 'ipv6'];
const NOISE_TEMPLATE = 'bench/templates/noise.pcap.gz';
/** The most a non-FTP transfer is stretched: beyond, few flows would carry all the bytes. */
const MAX_NOISE_STRETCH = 64;

const DEFAULTS = {
  /** Rounds of the six samples: 104 sessions, up to 56 of them at once. */
  rounds: 8,
  /** Seconds of capture the sessions are spread over. */
  span: 60,
};

/** Address pools: text of the same length as the clients' in the templates (198.51.100.2x, 2001:db8:1::21). */
function ftpAddress(family, index) {
  if (family === 4) {
    if (index >= 90) throw new Error('more than 90 IPv4 FTP clients: the PORT text would change length');
    return Buffer.from([198, 51, 100, 10 + index]);
  }
  if (index >= 240) throw new Error('more than 240 IPv6 FTP clients');
  const bytes = Buffer.alloc(16);
  bytes.writeUInt32BE(0x20010db8, 0);
  bytes.writeUInt16BE(1, 4);
  bytes[15] = 0x10 + index;
  return bytes;
}

/** Non-FTP clients: 203.0.113.20-254, then 198.51.100.100-254 (no text to keep the length of). */
function noiseAddress(index) {
  const pool = 235 + 155;
  const i = index % pool;
  return i < 235 ? Buffer.from([203, 0, 113, 20 + i]) : Buffer.from([198, 51, 100, 100 + (i - 235)]);
}

/**
 * Ports from 10240 up get their high byte shifted within the same decimal width (40-99 or
 * 100-255), the low byte kept: the port keeps its five digits and "p1,p2" its length.
 */
function mapPort(port, shift) {
  const high = port >> 8;
  if (high < 40 || shift === 0) return port;
  const [low, size] = high < 100 ? [40, 60] : [100, 156];
  return ((low + ((high - low + shift) % size)) << 8) | (port & 0xff);
}

/** A deterministic number in [0, 1) from an integer (a 32-bit integer hash). */
function unit(n, salt) {
  let x = (Math.imul(n + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 0x100000000;
}

function loadFtpTemplates() {
  return FTP_TEMPLATES.map((name) => loadTemplate(name, fs.readFileSync(path.join(ROOT, 'samples', name, 'capture.pcap')), FTP_SERVERS));
}

function loadNoiseTemplate() {
  return loadTemplate('noise', fs.readFileSync(path.join(ROOT, NOISE_TEMPLATE)), NOISE_SERVERS);
}

function bytesOf(template, k) {
  return template.stats.fixedBytes + k * template.stats.stretchBytes;
}

function packetsOf(template, k) {
  return template.stats.fixedPackets + k * template.stats.stretchPackets;
}

/**
 * What to write: every replica with its template, addresses, port shift, timing and stretch, and
 * what the file will hold (`bytes` leaves out the digits stretched file sizes gain in the control
 * replies). `options`: targetBytes, noiseShare (0 for FTP only), rounds, span (seconds).
 */
function planCapture(options) {
  const rounds = options.rounds ?? DEFAULTS.rounds;
  const spanMicros = (options.span ?? DEFAULTS.span) * 1_000_000;
  const noiseShare = options.noiseShare ?? 0;
  const ftpTemplates = loadFtpTemplates();
  const ftpFixed = rounds * ftpTemplates.reduce((sum, t) => sum + bytesOf(t, 0), 0);
  const ftpPerK = rounds * ftpTemplates.reduce((sum, t) => sum + t.stats.stretchBytes, 0);
  const ftpPackets = (k) => rounds * ftpTemplates.reduce((sum, t) => sum + packetsOf(t, k), 0);

  let ftpStretch = 1;
  let noise = null;
  if (noiseShare === 0) {
    ftpStretch = Math.max(1, Math.ceil((options.targetBytes - ftpFixed) / ftpPerK));
  } else {
    // The FTP sessions as recorded; replicas of the non-FTP template make up `noiseShare` of the
    // packets, their transfers stretched so that the whole file has as many bytes per packet as
    // the FTP-only capture of `targetBytes` (as close as the template allows): the cost per byte of
    // the two then compares the work per packet, not the packet sizes. The file comes out bigger.
    const template = loadNoiseTemplate();
    const { fixedPackets: fP, stretchPackets: sP, fixedBytes: fB, stretchBytes: sB } = template.stats;
    const referenceStretch = Math.max(1, Math.ceil((options.targetBytes - ftpFixed) / ftpPerK));
    const density = (ftpFixed + referenceStretch * ftpPerK) / ftpPackets(referenceStretch);
    const packetsNeeded = (ftpPackets(1) * noiseShare) / (1 - noiseShare);
    const wanted = (density * (ftpPackets(1) + packetsNeeded) - (ftpFixed + ftpPerK)) / packetsNeeded;
    // Per replica, (fB + s*sB) / (fP + s*sP) bytes per packet: solve for s.
    const stretch = wanted >= sB / sP ? MAX_NOISE_STRETCH : Math.min(MAX_NOISE_STRETCH, Math.max(1, Math.round((wanted * fP - fB) / (sB - wanted * sP))));
    noise = { template, stretch, replicas: Math.ceil(packetsNeeded / packetsOf(template, stretch)) };
  }

  const shifts = new Map(ftpTemplates.map((template) => [template, controlShifts(template, ftpStretch)]));
  const replicas = [];
  const pools = { 4: 0, 6: 0, noise: 0 };
  const used = new Set();
  let index = 0;
  for (let round = 0; round < rounds; round++) {
    for (const template of ftpTemplates) {
      const addresses = new Map();
      for (const client of template.clients) {
        const family = client.length === 4 ? 4 : 6;
        addresses.set(client.key, ftpAddress(family, pools[family]++));
      }
      const duration = spanMicros * (0.85 + 0.1 * unit(index, 1));
      replicas.push(
        makeReplica(index, template, addresses, used, {
          start: Math.round(spanMicros * 0.05 * unit(index, 2)),
          dilation: duration / template.duration,
          stretch: ftpStretch,
          controlShifts: shifts.get(template),
        }),
      );
      index++;
    }
  }
  if (noise !== null) {
    for (let n = 0; n < noise.replicas; n++) {
      const addresses = new Map();
      for (const client of noise.template.clients) addresses.set(client.key, noiseAddress(pools.noise++));
      const duration = spanMicros * (0.1 + 0.2 * unit(index, 1));
      replicas.push(
        makeReplica(index, noise.template, addresses, used, {
          start: Math.round((spanMicros - duration) * unit(index, 2)),
          dilation: duration / noise.template.duration,
          stretch: noise.stretch,
          controlShifts: new Map(),
        }),
      );
      index++;
    }
  }
  const packets = replicas.reduce((sum, r) => sum + packetsOf(r.template, r.stretch), 0);
  const bytes = 24 + replicas.reduce((sum, r) => sum + bytesOf(r.template, r.stretch), 0);
  const ftpOnlyPackets = replicas.filter((r) => r.template.name !== 'noise').reduce((sum, r) => sum + packetsOf(r.template, r.stretch), 0);
  return {
    replicas,
    sessions: replicas.reduce((sum, r) => sum + r.template.sessions, 0),
    ftpStretch,
    noiseStretch: noise?.stretch ?? null,
    noiseReplicas: noise?.replicas ?? 0,
    packets,
    bytes,
    ftpPackets: ftpOnlyPackets,
  };
}

/**
 * A replica with a port shift under which none of its flows reuses a 4-tuple of another replica
 * (the shift is the replica's number, or the next one that is free).
 */
function makeReplica(index, template, addresses, used, timing) {
  const rewrite = (key, bytes) => addresses.get(key) ?? bytes;
  for (let attempt = 0; attempt < 156; attempt++) {
    const shift = (index + attempt) % 156 || 156;
    const tuples = template.flows.map((flow) => {
      const packet = flow.packets[0];
      const frame = packet.frame;
      const src = rewrite(frame.toString('latin1', packet.srcAt, packet.srcAt + packet.addressLength), null);
      const dst = rewrite(frame.toString('latin1', packet.dstAt, packet.dstAt + packet.addressLength), null);
      const a = `${src ? src.toString('hex') : frame.toString('hex', packet.srcAt, packet.srcAt + packet.addressLength)}|${mapPort(frame.readUInt16BE(packet.l4), shift)}`;
      const b = `${dst ? dst.toString('hex') : frame.toString('hex', packet.dstAt, packet.dstAt + packet.addressLength)}|${mapPort(frame.readUInt16BE(packet.l4 + 2), shift)}`;
      return `${flow.protocol}|${a < b ? `${a}|${b}` : `${b}|${a}`}`;
    });
    if (tuples.some((tuple) => used.has(tuple)) || new Set(tuples).size !== tuples.length) continue;
    for (const tuple of tuples) used.add(tuple);
    // The same mapping for addresses written as text in the control connections.
    const texts = new Map();
    for (const client of template.clients) texts.set(client.text, formatAddress(addresses.get(client.key)));
    return { index, template, addresses, texts, shift, ...timing, origin: template.start };
  }
  throw new Error(`replica ${index} of ${template.name}: no free port shift`);
}

/** A sequence number of a stretched direction, renumbered (offsets k times larger up to the last byte). */
function stretchSeq(seq, state, k) {
  if (k === 1 || !state.bulk || state.base === null) return seq;
  const offset = (seq - state.base) | 0;
  if (offset < 0) return seq;
  const moved = offset <= state.extent ? k * offset : k * state.extent + (offset - state.extent);
  return (state.base + moved) >>> 0;
}

/**
 * Writes `plan` as a classic pcap (microseconds, little-endian, Ethernet) to `file`.
 * @param {(bytesWritten: number) => void} [onProgress]
 */
function writeCapture(plan, file, onProgress = () => {}) {
  // One stream per flow of every replica; a heap by next packet time (then stream number) merges them.
  const base = Math.min(...plan.replicas.map((r) => r.origin));
  const streams = [];
  for (const replica of plan.replicas) {
    for (const flow of replica.template.flows) {
      const stream = { id: streams.length, replica, flow, packet: 0, copy: 0, time: 0 };
      stream.time = emissionTime(stream, base);
      streams.push(stream);
    }
  }
  const heap = new StreamHeap(streams);
  return writePcapFile(
    file,
    `${file}.partial`,
    (sink) => {
      while (heap.size > 0) {
        const stream = heap.top();
        sink.room(70 * 1024);
        sink.position = writePacket(sink.out, sink.position, stream);
        if (advance(stream)) {
          stream.time = emissionTime(stream, base);
          heap.replaceTop(stream);
        } else {
          heap.pop();
        }
      }
    },
    onProgress,
  );
}

function copiesOf(stream, packet) {
  return isStretched(packet) ? stream.replica.stretch : 1;
}

/** Moves a stream to its next packet or copy; false when it is done. */
function advance(stream) {
  const packet = stream.flow.packets[stream.packet];
  if (++stream.copy < copiesOf(stream, packet)) return true;
  stream.copy = 0;
  return ++stream.packet < stream.flow.packets.length;
}

/** Capture time of a stream's current packet or copy: copies are spread until the flow's next packet. */
function emissionTime(stream, base) {
  const replica = stream.replica;
  const packet = stream.flow.packets[stream.packet];
  const at = (t) => base + replica.start + Math.round((t - replica.origin) * replica.dilation);
  const time = at(packet.time);
  if (stream.copy === 0) return time;
  const copies = copiesOf(stream, packet);
  const next = packet.nextTime === null ? time + copies : at(packet.nextTime);
  return time + Math.floor((stream.copy * (next - time)) / copies);
}

/** Writes the stream's current packet (or copy) at `position` in `out`; returns the new position. */
function writePacket(out, position, stream) {
  const { replica, flow } = stream;
  const packet = flow.packets[stream.packet];
  const frame = packet.frame;
  const at = position + PCAP_RECORD_HEADER_LENGTH;
  frame.copy(out, at);

  const length = packet.addressLength;
  for (const offset of [packet.srcAt, packet.dstAt]) {
    const bytes = replica.addresses.get(frame.toString('latin1', offset, offset + length));
    if (bytes !== undefined) bytes.copy(out, at + offset);
  }
  const l4 = at + packet.l4;
  out.writeUInt16BE(mapPort(frame.readUInt16BE(packet.l4), replica.shift), l4);
  out.writeUInt16BE(mapPort(frame.readUInt16BE(packet.l4 + 2), replica.shift), l4 + 2);

  let payloadLength = packet.payloadLength;
  let payloadSum = packet.payloadSum;
  const payloadAt = at + packet.payloadAt;
  if (packet.protocol === PROTOCOL_TCP) {
    const own = flow.directions[packet.direction];
    const other = flow.directions[packet.direction === 'a' ? 'b' : 'a'];
    const k = replica.stretch;
    const flags = frame[packet.l4 + 13];
    const shift = replica.controlShifts.get(packet);
    let seq = stretchSeq(frame.readUInt32BE(packet.l4 + 4), own, k);
    const copies = copiesOf(stream, packet);
    if (copies > 1) {
      seq = (seq + stream.copy * packet.payloadLength) >>> 0;
      // Only the last copy carries the FIN: it comes after all the bytes.
      if (stream.copy < copies - 1) out[l4 + 13] = flags & ~0x01;
    }
    if (shift !== undefined) seq = (seq + shift.seqShift) >>> 0;
    out.writeUInt32BE(seq, l4 + 4);
    if (flags & 0x10) {
      const ack = stretchSeq(frame.readUInt32BE(packet.l4 + 8), other, k);
      out.writeUInt32BE(shift !== undefined ? (ack + shift.ackShift) >>> 0 : ack, l4 + 8);
    }
    stretchSackBlocks(out, l4, other, k);
    if (packet.textFields !== null) {
      const old = frame.toString('latin1', packet.payloadAt, packet.payloadAt + packet.payloadLength);
      const text = rewriteText(old, packet.textFields, replica);
      if (text.length !== old.length) {
        // A file size grew by a digit: the frame grows; later sequence numbers moved (controlShifts).
        frame.copy(out, payloadAt + text.length, packet.payloadAt + packet.payloadLength);
        payloadLength = text.length;
        setIpPayloadGrowth(out, at, packet, text.length - old.length);
      }
      out.write(text, payloadAt, 'latin1');
      payloadSum = onesSum(out, payloadAt, payloadAt + payloadLength);
    }
    const tcpLength = packet.payloadAt + payloadLength - packet.l4;
    out.writeUInt16BE(0, l4 + 16);
    const sum = pseudoHeaderSum(out, at, packet, tcpLength) + onesSum(out, l4, payloadAt) + payloadSum;
    out.writeUInt16BE(~fold(sum) & 0xffff, l4 + 16);
  } else {
    const udpLength = packet.payloadAt + packet.payloadLength - packet.l4;
    if (packet.ipVersion === 6 || frame.readUInt16BE(packet.l4 + 6) !== 0) {
      out.writeUInt16BE(0, l4 + 6);
      const sum = pseudoHeaderSum(out, at, packet, udpLength) + onesSum(out, l4, payloadAt) + payloadSum;
      out.writeUInt16BE(~fold(sum) & 0xffff || 0xffff, l4 + 6);
    }
  }
  if (packet.ipVersion === 4) {
    const ip = at + packet.ip;
    const headerLength = (out[ip] & 0x0f) * 4;
    out.writeUInt16BE(0, ip + 10);
    out.writeUInt16BE(~fold(onesSum(out, ip, ip + headerLength)) & 0xffff, ip + 10);
  }
  const frameLength = frame.length + (payloadLength - packet.payloadLength);
  const time = stream.time;
  out.writeUInt32LE(Math.floor(time / 1_000_000), position);
  out.writeUInt32LE(time % 1_000_000, position + 4);
  out.writeUInt32LE(frameLength, position + 8);
  out.writeUInt32LE(frameLength, position + 12);
  return at + frameLength;
}

/** Adds `growth` bytes to the IP length field of the packet written at `at`. */
function setIpPayloadGrowth(out, at, packet, growth) {
  const field = at + packet.ip + (packet.ipVersion === 4 ? 2 : 4);
  out.writeUInt16BE(out.readUInt16BE(field) + growth, field);
}

function pseudoHeaderSum(out, at, packet, l4Length) {
  const addresses = onesSum(out, at + packet.srcAt, at + packet.dstAt + packet.addressLength);
  return addresses + packet.protocol + (l4Length >>> 16) + (l4Length & 0xffff);
}

/** SACK blocks (TCP option 5) name the other direction's sequence numbers: renumber them too. */
function stretchSackBlocks(out, l4, other, k) {
  if (k === 1 || !other.bulk) return;
  const end = l4 + (out[l4 + 12] >> 4) * 4;
  for (let at = l4 + 20; at < end; ) {
    const kind = out[at];
    if (kind === 0) break;
    if (kind === 1) {
      at++;
      continue;
    }
    const length = out[at + 1];
    if (length < 2 || at + length > end) break;
    if (kind === 5) {
      for (let edge = at + 2; edge + 4 <= at + length; edge += 4) out.writeUInt32BE(stretchSeq(out.readUInt32BE(edge), other, k), edge);
    }
    at += length;
  }
}

/**
 * The control payload `old` with the addresses and ports it names rewritten to the replica's (same
 * length) and the sizes of stretched files multiplied by the stretch (perhaps a digit longer).
 */
function rewriteText(old, fields, replica) {
  let text = '';
  let from = 0;
  for (const field of fields) {
    const value = old.slice(field.start, field.end);
    let replacement;
    if (field.kind === 'address') {
      const plain = field.style === 'commas' ? value.replace(/,/g, '.') : value;
      const mapped = replica.texts.get(plain) ?? plain;
      replacement = field.style === 'commas' ? mapped.replace(/\./g, ',') : mapped;
    } else if (field.kind === 'size') {
      replacement = String(stretchSize(Number(value), replica.stretch));
    } else if (field.style === 'commas') {
      const [high, low] = value.split(',').map(Number);
      const port = mapPort(high * 256 + low, replica.shift);
      replacement = `${port >> 8},${port & 0xff}`;
    } else {
      replacement = String(mapPort(Number(value), replica.shift));
    }
    if (field.kind !== 'size' && replacement.length !== value.length) {
      throw new Error(`rewriting "${value}" as "${replacement}" would change the length of the line`);
    }
    text += old.slice(from, field.start) + replacement;
    from = field.end;
  }
  return text + old.slice(from);
}

/** A file size named in a control reply, as the stretched transfer carries it. */
function stretchSize(size, k) {
  return size >= BULK_BYTES ? size * k : size;
}

/**
 * Where a control connection's text grows (a stretched file size with more digits), its later
 * sequence numbers and the acknowledgements of them move: per packet, { seqShift, ackShift }.
 * The same for every replica of a template (all have the same stretch factor).
 */
function controlShifts(template, k) {
  const shifts = new Map();
  const after = (a, b) => ((a - b) | 0) >= 0;
  for (const flow of template.flows) {
    if (!flow.control) continue;
    /** Per direction: [original end sequence number, growth] of every segment that grew. */
    /** @type {Record<'a' | 'b', Array<[number, number]>>} */
    const grown = { a: [], b: [] };
    for (const packet of flow.packets) {
      const frame = packet.frame;
      const other = packet.direction === 'a' ? 'b' : 'a';
      const seq = frame.readUInt32BE(packet.l4 + 4);
      const ack = frame.readUInt32BE(packet.l4 + 8);
      const seqShift = grown[packet.direction].reduce((sum, [end, growth]) => (after(seq, end) ? sum + growth : sum), 0);
      const ackShift = grown[other].reduce((sum, [end, growth]) => (after(ack, end) ? sum + growth : sum), 0);
      if (seqShift !== 0 || ackShift !== 0) shifts.set(packet, { seqShift, ackShift });
      let growth = 0;
      for (const field of packet.textFields ?? []) {
        if (field.kind !== 'size') continue;
        const value = frame.toString('latin1', packet.payloadAt + field.start, packet.payloadAt + field.end);
        growth += String(stretchSize(Number(value), k)).length - value.length;
      }
      if (growth !== 0) grown[packet.direction].push([(seq + packet.payloadLength) >>> 0, growth]);
    }
  }
  return shifts;
}

/** A binary min-heap of streams by (time, id). */
class StreamHeap {
  constructor(items) {
    this.items = [...items];
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  get size() {
    return this.items.length;
  }

  top() {
    return this.items[0];
  }

  pop() {
    const last = this.items.pop();
    if (this.items.length > 0) {
      this.items[0] = last;
      this.down(0);
    }
  }

  replaceTop(item) {
    this.items[0] = item;
    this.down(0);
  }

  down(i) {
    const items = this.items;
    const before = (a, b) => a.time < b.time || (a.time === b.time && a.id < b.id);
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) return;
      const right = left + 1;
      const child = right < items.length && before(items[right], items[left]) ? right : left;
      if (!before(items[child], items[i])) return;
      [items[i], items[child]] = [items[child], items[i]];
      i = child;
    }
  }
}

/** "256MiB", "1GiB", "1.5GB", "300000000" -> bytes. */
function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*(|k|m|g|ki|mi|gi)b?$/i.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text}`);
  const unit = { '': 1, k: 1e3, m: 1e6, g: 1e9, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3 }[m[2].toLowerCase()];
  return Math.round(Number(m[1]) * unit);
}

function main(argv) {
  /** @type {{ size: number | null, out: string | null, noise: number }} */
  const args = { size: null, out: null, noise: 0 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--size') args.size = parseSize(argv[++i]);
    else if (arg === '--out') args.out = argv[++i];
    else if (arg === '--noise') args.noise = Number(argv[++i]);
    else throw new Error(`unknown argument ${arg}`);
  }
  if (args.size === null || args.out === null) {
    process.stderr.write('usage: node bench/generate.js --size SIZE --out FILE [--noise SHARE]\n');
    return 2;
  }
  const plan = planCapture({ targetBytes: args.size, noiseShare: args.noise });
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  const bytes = writeCapture(plan, args.out);
  process.stdout.write(
    `${args.out}: ${bytes} bytes, ${plan.packets} packets, ${plan.sessions} FTP sessions, ` +
      `transfers stretched x${plan.ftpStretch}` +
      (plan.noiseReplicas > 0 ? `, ${plan.noiseReplicas} non-FTP replicas (x${plan.noiseStretch}), FTP ${plan.ftpPackets} packets` : '') +
      '\n',
  );
  return 0;
}

module.exports = { DEFAULTS, mapPort, parseSize, planCapture, stretchSeq, writeCapture };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
