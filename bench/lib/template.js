'use strict';
/**
 * Templates for the benchmark captures: real recorded captures (classic pcap, Ethernet, IPv4 or
 * IPv6, TCP and UDP) loaded into memory and indexed so that bench/generate.js can replay them many
 * times with other addresses, ports, times and transfer sizes.
 *
 * For every packet: where its headers are, its flow and direction, and for FTP control packets the
 * places in the payload that name an address or a port (PORT, EPRT, 227, 229) or a file size (150,
 * 213), so that they can be rewritten. For every TCP flow and direction: the initial sequence
 * number and how many payload bytes it carried, which decides whether its transfer is stretched.
 */
const zlib = require('zlib');
const { onesSum } = require('./pcap-writer');

const ETHERNET_HEADER_LENGTH = 14;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const PROTOCOL_TCP = 6;
const PROTOCOL_UDP = 17;
const FTP_CONTROL_PORT = 21;
/** A data-connection direction that carried at least this many payload bytes is a bulk transfer. */
const BULK_BYTES = 64 * 1024;
const PCAP_RECORD_HEADER_LENGTH = 16;

/** Reads a classic pcap (microsecond, little-endian, as tcpdump writes on x86); gzip is undone first. */
function readPcap(bytes) {
  const data = bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : bytes;
  if (data.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('template: only little-endian microsecond pcap is supported');
  const linkType = data.readUInt32LE(20) & 0xffff;
  if (linkType !== 1) throw new Error(`template: link type ${linkType}, only Ethernet (1) is supported`);
  const records = [];
  for (let at = 24; at + PCAP_RECORD_HEADER_LENGTH <= data.length; ) {
    const seconds = data.readUInt32LE(at);
    const micros = data.readUInt32LE(at + 4);
    const captured = data.readUInt32LE(at + 8);
    const original = data.readUInt32LE(at + 12);
    const frame = data.subarray(at + PCAP_RECORD_HEADER_LENGTH, at + PCAP_RECORD_HEADER_LENGTH + captured);
    if (frame.length !== captured) throw new Error('template: the last record is cut');
    records.push({ time: seconds * 1_000_000 + micros, frame, original });
    at += PCAP_RECORD_HEADER_LENGTH + captured;
  }
  return records;
}

/** RFC 5952 text of a 16-byte IPv6 address. */
function formatIPv6(bytes) {
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function formatAddress(bytes) {
  return bytes.length === 4 ? Array.from(bytes).join('.') : formatIPv6(bytes);
}

/**
 * The places in an FTP control payload that name an address, a port or a file size, as
 * { start, end, kind: 'address' | 'port' | 'size', style: 'commas' | 'text' | 'decimal' }
 * (offsets in the payload). Sizes are those of "150 ... (N bytes)" and of the 213 reply to SIZE;
 * `flow.lastCommand` remembers the client's last command for the latter. A line that names an
 * announcement the patterns do not recognise stops the template (it could not be rewritten).
 */
function findTextFields(payload, flow) {
  const text = payload.toString('latin1');
  const fields = [];
  const add = (offset, value, kind, style) => fields.push({ start: offset, end: offset + value.length, kind, style });
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    const command = /^([A-Za-z]{3,4})(?: |\r|$)/.exec(line);
    let m;
    if ((m = /^(PORT )(\d+,\d+,\d+,\d+),(\d+,\d+)/i.exec(line))) {
      add(lineStart + m[1].length, m[2], 'address', 'commas');
      add(lineStart + m[1].length + m[2].length + 1, m[3], 'port', 'commas');
    } else if ((m = /^(EPRT )(\|[12]\|)([^|]+)\|(\d+)\|/i.exec(line))) {
      const at = lineStart + m[1].length + m[2].length;
      add(at, m[3], 'address', 'text');
      add(at + m[3].length + 1, m[4], 'port', 'decimal');
    } else if ((m = /^(227 [^(]*\()(\d+,\d+,\d+,\d+),(\d+,\d+)\)/.exec(line))) {
      add(lineStart + m[1].length, m[2], 'address', 'commas');
      add(lineStart + m[1].length + m[2].length + 1, m[3], 'port', 'commas');
    } else if ((m = /^(229 [^(]*\(\|\|\|)(\d+)\|\)/.exec(line))) {
      add(lineStart + m[1].length, m[2], 'port', 'decimal');
    } else if ((m = /^(150 .*\()(\d+)( bytes\))/.exec(line))) {
      add(lineStart + m[1].length, m[2], 'size', 'decimal');
    } else if ((m = /^(213 )(\d+)/.exec(line)) && flow.lastCommand === 'SIZE') {
      add(lineStart + m[1].length, m[2], 'size', 'decimal');
    } else if (/^(PORT|EPRT|LPRT) |^22[789] /i.test(line)) {
      throw new Error(`template: cannot rewrite the announcement ${JSON.stringify(line.trim())}`);
    }
    if (command !== null && !/^\d/.test(line)) flow.lastCommand = command[1].toUpperCase();
    lineStart = lineEnd + 1;
  }
  return fields;
}

/**
 * Loads a template capture. `servers` lists the addresses (text) that stay as they are in every
 * replica; every other address is a client and gets a new one per replica.
 */
function loadTemplate(name, bytes, servers) {
  const serverSet = new Set(servers);
  const records = readPcap(bytes);
  const packets = [];
  const flows = new Map();
  const clients = new Map();
  for (const record of records) {
    const frame = record.frame;
    if (record.original !== frame.length) throw new Error(`${name}: a record is cut by the snap length`);
    if (frame.length < ETHERNET_HEADER_LENGTH) continue;
    const etherType = frame.readUInt16BE(12);
    const ip = ETHERNET_HEADER_LENGTH;
    let addressLength;
    let protocol;
    let l4;
    let ipEnd;
    if (etherType === ETHERTYPE_IPV4) {
      const headerLength = (frame[ip] & 0x0f) * 4;
      if ((frame.readUInt16BE(ip + 6) & 0x3fff) !== 0) throw new Error(`${name}: IPv4 fragments are not supported`);
      addressLength = 4;
      protocol = frame[ip + 9];
      l4 = ip + headerLength;
      ipEnd = ip + frame.readUInt16BE(ip + 2);
    } else if (etherType === ETHERTYPE_IPV6) {
      addressLength = 16;
      protocol = frame[ip + 6];
      l4 = ip + 40;
      ipEnd = l4 + frame.readUInt16BE(ip + 4);
    } else {
      continue;
    }
    if (protocol !== PROTOCOL_TCP && protocol !== PROTOCOL_UDP) continue;
    const srcAt = etherType === ETHERTYPE_IPV4 ? ip + 12 : ip + 8;
    const dstAt = srcAt + addressLength;
    const src = frame.toString('latin1', srcAt, srcAt + addressLength);
    const dst = frame.toString('latin1', dstAt, dstAt + addressLength);
    const srcPort = frame.readUInt16BE(l4);
    const dstPort = frame.readUInt16BE(l4 + 2);
    for (const [key, at] of [
      [src, srcAt],
      [dst, dstAt],
    ]) {
      const text = formatAddress(frame.subarray(at, at + addressLength));
      if (!serverSet.has(text) && !clients.has(key)) clients.set(key, { key, text, length: addressLength });
    }
    const forward = src < dst || (src === dst && srcPort <= dstPort);
    const flowKey = forward ? `${protocol}|${src}|${srcPort}|${dst}|${dstPort}` : `${protocol}|${dst}|${dstPort}|${src}|${srcPort}`;
    let flow = flows.get(flowKey);
    if (flow === undefined) {
      flow = {
        index: flows.size,
        protocol,
        control: protocol === PROTOCOL_TCP && (srcPort === FTP_CONTROL_PORT || dstPort === FTP_CONTROL_PORT),
        packets: [],
        /** Per direction ('a' = the first sender, 'b'): initial sequence number + 1, payload extent, stretched or not. */
        directions: { a: { sender: `${src}|${srcPort}`, base: null, extent: 0, bulk: false }, b: { base: null, extent: 0, bulk: false } },
        sessionStart: false,
        lastCommand: null,
      };
      flows.set(flowKey, flow);
    }
    const direction = flow.directions.a.sender === `${src}|${srcPort}` ? 'a' : 'b';
    const packet = {
      time: record.time,
      frame,
      flow,
      direction,
      ipVersion: addressLength === 4 ? 4 : 6,
      ip,
      srcAt,
      dstAt,
      addressLength,
      protocol,
      l4,
      payloadAt: 0,
      payloadLength: 0,
      payloadSum: 0,
      textFields: /** @type {object[] | null} */ (null),
      nextTime: null,
    };
    if (protocol === PROTOCOL_TCP) {
      const flags = frame[l4 + 13];
      const seq = frame.readUInt32BE(l4 + 4);
      packet.payloadAt = l4 + (frame[l4 + 12] >> 4) * 4;
      packet.payloadLength = Math.max(0, Math.min(ipEnd, frame.length) - packet.payloadAt);
      const state = flow.directions[direction];
      if (flags & 0x02) {
        state.base = (seq + 1) >>> 0;
        if (flow.control && !(flags & 0x10)) flow.sessionStart = true;
      } else if (state.base === null) {
        state.base = seq;
      }
      if (packet.payloadLength > 0) {
        const end = ((seq - state.base) | 0) + packet.payloadLength;
        if (end > state.extent) state.extent = end;
      }
      if (flow.control && packet.payloadLength > 0) {
        const fields = findTextFields(frame.subarray(packet.payloadAt, packet.payloadAt + packet.payloadLength), flow);
        if (fields.length > 0) packet.textFields = fields;
      }
    } else {
      packet.payloadAt = l4 + 8;
      packet.payloadLength = Math.max(0, Math.min(ipEnd, frame.length) - packet.payloadAt);
    }
    packet.payloadSum = onesSum(frame, packet.payloadAt, packet.payloadAt + packet.payloadLength);
    flow.packets.push(packet);
    packets.push(packet);
  }
  if (packets.length === 0) throw new Error(`${name}: no TCP or UDP packets`);
  for (const flow of flows.values()) {
    for (const state of Object.values(flow.directions)) state.bulk = flow.protocol === PROTOCOL_TCP && !flow.control && state.extent >= BULK_BYTES;
    for (let i = 0; i + 1 < flow.packets.length; i++) flow.packets[i].nextTime = flow.packets[i + 1].time;
  }
  const start = packets[0].time;
  const end = packets[packets.length - 1].time;
  // Bytes and packets that a stretch factor k multiplies, and the rest.
  const stats = { fixedPackets: 0, fixedBytes: 0, stretchPackets: 0, stretchBytes: 0 };
  for (const packet of packets) {
    const bytes = PCAP_RECORD_HEADER_LENGTH + packet.frame.length;
    if (isStretched(packet)) {
      stats.stretchPackets++;
      stats.stretchBytes += bytes;
    } else {
      stats.fixedPackets++;
      stats.fixedBytes += bytes;
    }
  }
  return {
    name,
    start,
    duration: Math.max(1, end - start),
    packets,
    flows: [...flows.values()],
    clients: [...clients.values()],
    sessions: [...flows.values()].filter((flow) => flow.sessionStart).length,
    stats,
  };
}

/** Whether a packet's payload is repeated when its transfer is stretched. */
function isStretched(packet) {
  return packet.payloadLength > 0 && packet.flow.directions[packet.direction].bulk;
}

module.exports = {
  BULK_BYTES,
  PCAP_RECORD_HEADER_LENGTH,
  PROTOCOL_TCP,
  PROTOCOL_UDP,
  findTextFields,
  formatAddress,
  formatIPv6,
  isStretched,
  loadTemplate,
  readPcap,
};
