#!/usr/bin/env node
'use strict';
/**
 * The floor for any reader built on pcap-parser: read a classic pcap with it, exactly as its README
 * shows (`parse(stream)`, one 'packet' event per record), and touch every packet (sum one byte of
 * each). The file is read in 1 MiB chunks, the read size ftpcap uses (with the default 64 KiB the
 * loop is about twice as slow: a generous floor would be no floor).
 *
 *   node bench/bare-loop.js FILE
 */
const fs = require('fs');
const pcapParser = require('pcap-parser');

const READ_SIZE = 1024 * 1024;

const parser = pcapParser.parse(fs.createReadStream(process.argv[2], { highWaterMark: READ_SIZE }));
let packets = 0;
let sum = 0;
parser.on('packet', (packet) => {
  packets++;
  sum += packet.data[packet.data.length - 1];
});
parser.on('error', (error) => {
  process.stderr.write(`bare-loop: ${error.message}\n`);
  process.exitCode = 1;
});
parser.on('end', () => process.stdout.write(`${packets} packets, byte sum ${sum}\n`));
