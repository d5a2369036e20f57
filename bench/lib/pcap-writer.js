'use strict';
/**
 * Writing the benchmark captures: classic pcap files (microseconds, little-endian, Ethernet,
 * snap length 262144) streamed through one buffer, so that a capture of any size never sits in
 * memory, and the ones' complement sums their IPv4, TCP and UDP checksums are made of (RFC 1071).
 * bench/generate.js (replayed templates) and bench/lib/synthetic.js (made-up sessions) both write
 * through here.
 */
const fs = require('fs');

const BUFFER_SIZE = 8 * 1024 * 1024;
const PCAP_GLOBAL_HEADER_LENGTH = 24;
const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
const LINKTYPE_ETHERNET = 1;
const SNAP_LENGTH = 262144;

/** Ones' complement sum of `bytes[start, end)` as big-endian 16-bit words (an odd last byte is padded). */
function onesSum(bytes, start, end, sum = 0) {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) sum += bytes[i] << 8;
  return sum;
}

/** Folds a sum of 16-bit words to 16 bits (end-around carry). */
function fold(sum) {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/**
 * @typedef {object} PcapSink
 * @property {Buffer} out the buffer records are written into
 * @property {number} position where the next record goes in `out`
 * @property {(bytes: number) => void} room makes room for a record of at most `bytes` bytes (writes out the buffer when it would not fit)
 */

/**
 * Writes a classic pcap to `file`: its global header, then whatever `fill(sink)` writes at
 * `sink.position` in `sink.out` (calling `sink.room(n)` before a record of up to n bytes and
 * moving `sink.position` past it). The file is written under the name `temporary` and renamed
 * when done, so that a capture cut short by an error is never taken for a whole one. Returns
 * the bytes written; `onProgress` hears the count after each buffer.
 * @param {string} file
 * @param {string} temporary
 * @param {(sink: PcapSink) => void} fill
 * @param {(written: number) => void} [onProgress]
 * @returns {number}
 */
function writePcapFile(file, temporary, fill, onProgress = () => {}) {
  const fd = fs.openSync(temporary, 'w');
  let written = 0;
  /** @type {PcapSink} */
  const sink = { out: Buffer.alloc(BUFFER_SIZE), position: 0, room: (bytes) => (sink.position + bytes > sink.out.length ? flush() : undefined) };
  const flush = () => {
    let at = 0;
    while (at < sink.position) at += fs.writeSync(fd, sink.out, at, sink.position - at);
    written += sink.position;
    sink.position = 0;
    onProgress(written);
  };
  const out = sink.out;
  out.writeUInt32LE(PCAP_MAGIC_MICROSECONDS, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(0, 8);
  out.writeUInt32LE(0, 12);
  out.writeUInt32LE(SNAP_LENGTH, 16);
  out.writeUInt32LE(LINKTYPE_ETHERNET, 20);
  sink.position = PCAP_GLOBAL_HEADER_LENGTH;
  try {
    fill(sink);
    flush();
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
  return written;
}

module.exports = { fold, onesSum, writePcapFile };
