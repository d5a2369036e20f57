#!/usr/bin/env node
'use strict';
/**
 * Synthetic captures for the scaling benchmark: as many FTP sessions, announcements or other
 * connections as asked for, written as classic pcap (microseconds, little-endian, Ethernet, IPv4)
 * with correct IPv4 and TCP checksums, streaming through one 8 MiB buffer, so that a capture of a
 * million sessions never sits in memory. Deterministic: no clock, no randomness.
 *
 * The dialogue is vsftpd 3.0.3's, as recorded in samples/vsftpd-mixed and samples/active-port
 * (the same reply texts), between a server at 192.0.2.10:21 and clients in 198.51.100.0/24:
 *
 * - `sessions`: complete sessions. Handshake, 220, USER / 331, PASS / 230, TYPE I / 200, then
 *   PASV / 227 and a data connection from the client, or PORT / 200 and one from the server's
 *   port 20 (they alternate, or `mode` picks one), RETR / 150, the file's bytes, the data
 *   connection closed, 226, QUIT / 221, and the control connection closed. `concurrency` of them
 *   are open at once (1: one after another), their packets interleaved one by one.
 * - `short`: SYN to port 21 with no answer, and the handshake + 220 + the client closing
 *   (`style`: 'syn', 'greeting' or 'mixed', alternating).
 * - `announcements`: one session (client 203.0.113.20) with `count` announcements, PORT and PASV
 *   alternating, each followed by LIST, its data connection, 150, a listing and 226.
 * - `other`: non-FTP TCP connections (HTTP/1.1 to 203.0.113.80, port 80 or `port`: handshake,
 *   request, response, both FINs, last ACK), `concurrency` at once.
 *
 * Several parts can go in one capture: each has its own lanes and their packets interleave.
 * Every client connection gets its own endpoint: 250 addresses (198.51.100.1-250) times 25 000
 * pairs of ports (10000-59999: the control port, and the next one for the data connection), so
 * up to 6.25 million sessions and connections are distinct.
 *
 *   node bench/lib/synthetic.js --sessions 100000 --concurrency 1000 --out bench/captures/s.pcap
 *   node bench/lib/synthetic.js --short 100000 --out /tmp/short.pcap
 *   node bench/lib/synthetic.js --announcements 200000 --out /tmp/a.pcap
 *   node bench/lib/synthetic.js --other 1000000 --concurrency 100 --out /tmp/o.pcap
 */
const fs = require('fs');
const path = require('path');
const { fold, onesSum, writePcapFile } = require('./pcap-writer');

const FIN = 0x01;
const SYN = 0x02;
const PSH = 0x08;
const ACK = 0x10;

const ETHERNET_LENGTH = 14;
const IPV4_LENGTH = 20;
const TCP_LENGTH = 20;
const RECORD_HEADER_LENGTH = 16;
const HEADERS_LENGTH = ETHERNET_LENGTH + IPV4_LENGTH + TCP_LENGTH;
/** The largest payload written: a record never reaches past this from its start. */
const MAX_PAYLOAD = 1400;

const ipv4 = (a, b, c, d) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const SERVER = ipv4(192, 0, 2, 10);
const ANNOUNCEMENT_CLIENT = ipv4(203, 0, 113, 20);
const WEB_SERVER = ipv4(203, 0, 113, 80);
const CLIENT_ADDRESSES = 250;
const CLIENT_PORT_PAIRS = 25_000;
const CLIENT_PORT_BASE = 10_000;
/** 2026-11-21T10:00:00Z, the day the samples were recorded. */
const START_MICROS = Date.UTC(2026, 10, 21, 10, 0, 0) * 1000;
/** Capture time between two packets (unless told otherwise). */
const TICK_MICROS = 20;
/** The bytes every RETR transfers, and every LIST's listing. */
const FILE_BYTES = 16;
const LISTING = '-rw-r--r--    1 0        0              16 Nov 21 10:00 f\r\n';

const formatIPv4 = (n) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
/** `h1,h2,h3,h4,p1,p2` of PORT and 227 (RFC 959 section 4.1.2). */
const commas = (address, port) => `${formatIPv4(address).replace(/\./g, ',')},${port >> 8},${port & 255}`;

/** The client endpoint of the `slot`-th client connection: an address and an even port (its data port is the next). */
function clientEndpoint(slot) {
  if (slot >= CLIENT_ADDRESSES * CLIENT_PORT_PAIRS) throw new Error(`more than ${CLIENT_ADDRESSES * CLIENT_PORT_PAIRS} client connections`);
  return {
    address: ipv4(198, 51, 100, 1 + (slot % CLIENT_ADDRESSES)),
    port: CLIENT_PORT_BASE + 2 * Math.floor(slot / CLIENT_ADDRESSES),
  };
}

/**
 * One TCP connection between `a` (the side that sends the SYN) and `b`, each { address, port }:
 * the next sequence number of each side. Initial sequence numbers come from a counter, spread
 * over the whole space so that some wrap.
 */
class Connection {
  constructor(a, b, number) {
    this.ends = [a, b];
    this.next = [Math.imul(number * 2 + 1, 0x9e3779b1) >>> 0, Math.imul(number * 2 + 2, 0x9e3779b1) >>> 0];
  }
}

/** The client's side of a connection is 0, the server's 1. */
const CLIENT = 0;
const SERVER_SIDE = 1;

/** A packet of a conversation: the side of `connection` that sends it, TCP flags, payload (text or a byte count). */
/**
 * @param {any} connection
 * @param {number} side
 * @param {number} flags
 * @param {string | number | null} [payload] text, a number of filler bytes, or none
 */
const packet = (connection, side, flags, payload = null) => ({ connection, side, flags, payload });

/** The three packets of a handshake. */
function* handshake(connection) {
  yield packet(connection, CLIENT, SYN);
  yield packet(connection, SERVER_SIDE, SYN | ACK);
  yield packet(connection, CLIENT, ACK);
}

/** `closer` sends FIN, the other side FIN too, `closer` acknowledges. */
function* close(connection, closer) {
  yield packet(connection, closer, FIN | ACK);
  yield packet(connection, 1 - closer, FIN | ACK);
  yield packet(connection, closer, ACK);
}

const command = (control, line) => packet(control, CLIENT, PSH | ACK, `${line}\r\n`);
const reply = (control, line) => packet(control, SERVER_SIDE, PSH | ACK, `${line}\r\n`);

/** The control connection's handshake, vsftpd's greeting and an anonymous login. */
function* login(control) {
  yield* handshake(control);
  yield reply(control, '220 (vsFTPd 3.0.3)');
  yield command(control, 'USER anonymous');
  yield reply(control, '331 Please specify the password.');
  yield command(control, 'PASS anonymous@');
  yield reply(control, '230 Login successful.');
}

/** A complete session (see the file's comment); `passive` picks PASV over PORT. */
function* completeSession(context, index, passive) {
  const client = clientEndpoint(context.slot());
  const control = context.connection(client, { address: SERVER, port: 21 });
  yield* login(control);
  yield command(control, 'TYPE I');
  yield reply(control, '200 Switching to Binary mode.');
  const file = `f${index}.bin`;
  const dataPort = client.port + 1;
  let data;
  if (passive) {
    const serverPort = 30_000 + (index % 30_000);
    yield command(control, 'PASV');
    yield reply(control, `227 Entering Passive Mode (${commas(SERVER, serverPort)}).`);
    data = context.connection({ address: client.address, port: dataPort }, { address: SERVER, port: serverPort });
    yield* handshake(data);
    yield command(control, `RETR ${file}`);
    yield reply(control, `150 Opening BINARY mode data connection for ${file} (${FILE_BYTES} bytes).`);
  } else {
    yield command(control, `PORT ${commas(client.address, dataPort)}`);
    yield reply(control, '200 PORT command successful. Consider using PASV.');
    yield command(control, `RETR ${file}`);
    // The server dials: it is side 0 of the data connection.
    data = context.connection({ address: SERVER, port: 20 }, { address: client.address, port: dataPort });
    yield* handshake(data);
    yield reply(control, `150 Opening BINARY mode data connection for ${file} (${FILE_BYTES} bytes).`);
  }
  const sender = passive ? SERVER_SIDE : CLIENT;
  yield packet(data, sender, PSH | ACK, FILE_BYTES);
  yield* close(data, sender);
  yield reply(control, '226 Transfer complete.');
  yield command(control, 'QUIT');
  yield reply(control, '221 Goodbye.');
  yield* close(control, SERVER_SIDE);
}

/** A SYN nobody answers, or (`greeting`) a handshake, 220, and the client closing. */
function* shortSession(context, greeting) {
  const control = context.connection(clientEndpoint(context.slot()), { address: SERVER, port: 21 });
  if (!greeting) {
    yield packet(control, CLIENT, SYN);
    return;
  }
  yield* handshake(control);
  yield reply(control, '220 (vsFTPd 3.0.3)');
  yield* close(control, CLIENT);
}

/**
 * One session with `count` announcements, PORT and PASV alternating, each used by a LIST. The
 * client's data ports for PORT run through 1024-65535 (without the control port) and come round
 * again after 64 000 announcements, as a busy client's would; with PASV the server's port runs
 * through 10000-59999 and the client's moves on by one every 50 000.
 */
function* announcementSession(context, count) {
  const client = { address: ANNOUNCEMENT_CLIENT, port: 1023 };
  const control = context.connection(client, { address: SERVER, port: 21 });
  yield* login(control);
  for (let i = 0; i < count; i++) {
    const n = i >> 1;
    let data;
    if (i % 2 === 0) {
      const clientPort = 1024 + (n % 64_000);
      yield command(control, `PORT ${commas(ANNOUNCEMENT_CLIENT, clientPort)}`);
      yield reply(control, '200 PORT command successful. Consider using PASV.');
      yield command(control, 'LIST');
      data = context.connection({ address: SERVER, port: 20 }, { address: ANNOUNCEMENT_CLIENT, port: clientPort });
      yield* handshake(data);
      yield reply(control, '150 Here comes the directory listing.');
      yield packet(data, CLIENT, PSH | ACK, LISTING);
      yield* close(data, CLIENT);
    } else {
      const serverPort = 10_000 + (n % 50_000);
      const clientPort = 1024 + Math.floor(n / 50_000);
      yield command(control, 'PASV');
      yield reply(control, `227 Entering Passive Mode (${commas(SERVER, serverPort)}).`);
      data = context.connection({ address: ANNOUNCEMENT_CLIENT, port: clientPort }, { address: SERVER, port: serverPort });
      yield* handshake(data);
      yield command(control, 'LIST');
      yield reply(control, '150 Here comes the directory listing.');
      yield packet(data, SERVER_SIDE, PSH | ACK, LISTING);
      yield* close(data, SERVER_SIDE);
    }
    yield reply(control, '226 Directory send OK.');
  }
  yield command(control, 'QUIT');
  yield reply(control, '221 Goodbye.');
  yield* close(control, SERVER_SIDE);
}

/** An HTTP/1.1 request and response on a connection of its own, to `port`. */
function* otherConnection(context, index, port) {
  const connection = context.connection(clientEndpoint(context.slot()), { address: WEB_SERVER, port });
  yield* handshake(connection);
  yield packet(connection, CLIENT, PSH | ACK, `GET /item/${index} HTTP/1.1\r\nHost: www.example.com\r\nAccept: */*\r\n\r\n`);
  yield packet(connection, SERVER_SIDE, PSH | ACK, 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n\r\n0123456789abcdef');
  yield* close(connection, CLIENT);
}

/**
 * What one part of a capture holds: its conversations, how many at once, and what a correct
 * analysis of it finds (sessions, data channels, each matched to its data connection).
 */
function describePart(part) {
  const count = part.count;
  if (!(Number.isInteger(count) && count >= 0)) throw new Error(`${part.kind}: count must be a whole number`);
  switch (part.kind) {
    case 'sessions': {
      const mode = part.mode ?? 'mixed';
      if (!['mixed', 'passive', 'active'].includes(mode)) throw new Error(`sessions: unknown mode ${mode}`);
      const passive = (i) => (mode === 'mixed' ? i % 2 === 0 : mode === 'passive');
      return {
        lanes: part.concurrency ?? 1,
        conversations: count,
        make: (c, i) => completeSession(c, i, passive(i)),
        sessions: count,
        channels: count,
        packets: 27 * count,
      };
    }
    case 'short': {
      const style = part.style ?? 'mixed';
      if (!['mixed', 'syn', 'greeting'].includes(style)) throw new Error(`short: unknown style ${style}`);
      const greeting = (i) => (style === 'mixed' ? i % 2 === 1 : style === 'greeting');
      const greetings = style === 'mixed' ? Math.floor(count / 2) : style === 'greeting' ? count : 0;
      // A SYN nobody answered is a session unless the capture went on a while after it
      // (then ftpcap lists it among the unopened control connections, with one
      // control-connect-unanswered error per client and server).
      return {
        lanes: part.concurrency ?? 1,
        conversations: count,
        make: (c, i) => shortSession(c, greeting(i)),
        sessions: count,
        channels: 0,
        packets: count - greetings + 7 * greetings,
        unansweredClients: Math.min(CLIENT_ADDRESSES, count - greetings),
      };
    }
    case 'announcements':
      return { lanes: 1, conversations: 1, make: (c) => announcementSession(c, count), sessions: 1, channels: count, packets: 13 + 12 * count };
    case 'other':
      return {
        lanes: part.concurrency ?? 1,
        conversations: count,
        make: (c, i) => otherConnection(c, i, part.port ?? 80),
        sessions: 0,
        channels: 0,
        packets: 8 * count,
      };
    default:
      throw new Error(`unknown part kind ${part.kind}`);
  }
}

/**
 * Writes the parts (see the file's comment) as one classic pcap to `file` (through a temporary
 * file renamed when done). Returns what it holds: bytes, packets, the sessions (control
 * connections to port 21: sessions or unopened control connections) and data channels a correct
 * analysis finds, and `unansweredClients`, the most clients whose SYNs went unanswered (each
 * may give one control-connect-unanswered error). `tickMicros`: capture time between two packets.
 */
/**
 * @param {string} file
 * @param {any[]} parts
 * @param {{ tickMicros?: number, onProgress?: (written: number) => void }} [options]
 */
function writeSynthetic(file, parts, { tickMicros = TICK_MICROS, onProgress = () => {} } = {}) {
  const described = parts.map(describePart);
  let slots = 0;
  let connections = 0;
  const context = {
    slot: () => slots++,
    connection: (a, b) => new Connection(a, b, connections++),
  };
  // Lanes: each runs its part's conversations one after another; packets go out one per lane in turn.
  const lanes = [];
  const nextOf = described.map(() => 0);
  const start = (lane) => {
    const part = described[lane.part];
    if (nextOf[lane.part] >= part.conversations) return false;
    const index = nextOf[lane.part]++;
    lane.conversation = part.make(context, index);
    return true;
  };
  described.forEach((part, index) => {
    if (!(Number.isInteger(part.lanes) && part.lanes >= 1)) throw new Error('concurrency must be a positive whole number');
    for (let l = 0; l < Math.min(part.lanes, part.conversations); l++) {
      const lane = { part: index, conversation: null };
      start(lane);
      lanes.push(lane);
    }
  });

  let packets = 0;
  let time = START_MICROS;
  const written = writePcapFile(
    file,
    `${file}.${process.pid}.partial`,
    (sink) => {
      let active = lanes;
      while (active.length > 0) {
        const still = [];
        for (const lane of active) {
          let step = lane.conversation.next();
          while (step.done) {
            if (!start(lane)) break;
            step = lane.conversation.next();
          }
          if (step.done) continue;
          still.push(lane);
          sink.room(RECORD_HEADER_LENGTH + HEADERS_LENGTH + MAX_PAYLOAD);
          sink.position = writePacket(sink.out, sink.position, step.value, time);
          time += tickMicros;
          packets++;
        }
        active = still;
      }
    },
    onProgress,
  );
  const sum = (key) => described.reduce((total, part) => total + (part[key] ?? 0), 0);
  if (packets !== sum('packets')) throw new Error(`wrote ${packets} packets, planned ${sum('packets')}`);
  return { bytes: written, packets, sessions: sum('sessions'), channels: sum('channels'), connections, unansweredClients: sum('unansweredClients') };
}

/** Writes one packet's record at `position` in `out`; returns the position after it. */
function writePacket(out, position, { connection, side, flags, payload }, time) {
  const from = connection.ends[side];
  const to = connection.ends[1 - side];
  const frame = position + RECORD_HEADER_LENGTH;
  const ip = frame + ETHERNET_LENGTH;
  const tcp = ip + IPV4_LENGTH;
  const body = tcp + TCP_LENGTH;
  let payloadLength = 0;
  if (typeof payload === 'string') payloadLength = out.write(payload, body, 'latin1');
  else if (typeof payload === 'number') {
    out.fill(0x61, body, body + payload);
    payloadLength = payload;
  }
  if (payloadLength > MAX_PAYLOAD) throw new Error('payload too long');
  const frameLength = HEADERS_LENGTH + payloadLength;
  // Record header.
  out.writeUInt32LE(Math.floor(time / 1e6), position);
  out.writeUInt32LE(time % 1e6, position + 4);
  out.writeUInt32LE(frameLength, position + 8);
  out.writeUInt32LE(frameLength, position + 12);
  // Ethernet: locally administered MACs, one per side.
  out.writeUInt32BE(0x02000000, frame);
  out.writeUInt16BE(side === 0 ? 0x0001 : 0x0002, frame + 4);
  out.writeUInt32BE(0x02000000, frame + 6);
  out.writeUInt16BE(side === 0 ? 0x0002 : 0x0001, frame + 10);
  out.writeUInt16BE(0x0800, frame + 12);
  // IPv4 (RFC 791): no options, DF, TTL 64.
  out[ip] = 0x45;
  out[ip + 1] = 0;
  out.writeUInt16BE(IPV4_LENGTH + TCP_LENGTH + payloadLength, ip + 2);
  out.writeUInt16BE(0, ip + 4);
  out.writeUInt16BE(0x4000, ip + 6);
  out[ip + 8] = 64;
  out[ip + 9] = 6;
  out.writeUInt16BE(0, ip + 10);
  out.writeUInt32BE(from.address, ip + 12);
  out.writeUInt32BE(to.address, ip + 16);
  out.writeUInt16BE(0xffff - fold(onesSum(out, ip, ip + IPV4_LENGTH)), ip + 10);
  // TCP (RFC 9293).
  const next = connection.next;
  const seq = next[side];
  const ackNumber = flags & ACK ? next[1 - side] : 0;
  next[side] = (seq + payloadLength + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0)) >>> 0;
  out.writeUInt16BE(from.port, tcp);
  out.writeUInt16BE(to.port, tcp + 2);
  out.writeUInt32BE(seq, tcp + 4);
  out.writeUInt32BE(ackNumber, tcp + 8);
  out[tcp + 12] = (TCP_LENGTH / 4) << 4;
  out[tcp + 13] = flags;
  out.writeUInt16BE(64240, tcp + 14);
  out.writeUInt16BE(0, tcp + 16);
  out.writeUInt16BE(0, tcp + 18);
  const segmentLength = TCP_LENGTH + payloadLength;
  const pseudo = onesSum(out, ip + 12, ip + 20) + 6 + segmentLength;
  out.writeUInt16BE(0xffff - fold(onesSum(out, tcp, tcp + segmentLength, pseudo)), tcp + 16);
  return body + payloadLength;
}

function main(argv) {
  /** @type {any[]} */
  const parts = [];
  let out = null;
  let concurrency = 1;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${arg} needs a whole number`);
      return n;
    };
    if (arg === '--sessions') parts.push({ kind: 'sessions', count: value() });
    else if (arg === '--short') parts.push({ kind: 'short', count: value() });
    else if (arg === '--announcements') parts.push({ kind: 'announcements', count: value() });
    else if (arg === '--other') parts.push({ kind: 'other', count: value() });
    else if (arg === '--concurrency') concurrency = value();
    else if (arg === '--mode') parts.at(-1).mode = argv[++i];
    else if (arg === '--style') parts.at(-1).style = argv[++i];
    else if (arg === '--port') parts.at(-1).port = value();
    else if (arg === '--out') out = argv[++i];
    else throw new Error(`unknown argument ${arg}`);
  }
  if (parts.length === 0 || out === null) {
    process.stderr.write(
      'usage: node bench/lib/synthetic.js [--sessions N [--mode mixed|passive|active]] [--short N [--style mixed|syn|greeting]]\n' +
        '         [--announcements M] [--other N [--port P]] [--concurrency K] --out FILE\n',
    );
    return 2;
  }
  for (const part of parts) if (part.kind !== 'announcements') part.concurrency = concurrency;
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  const result = writeSynthetic(out, parts);
  process.stdout.write(`${out}: ${result.bytes} bytes, ${result.packets} packets, ${result.sessions} FTP sessions, ${result.channels} data channels\n`);
  return 0;
}

module.exports = { START_MICROS, clientEndpoint, describePart, writeSynthetic };

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`synthetic: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
