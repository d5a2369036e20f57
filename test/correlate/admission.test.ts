/**
 * Admission on its own: which packets of no tracked connection start tracking one, and why. Every
 * row is one hand-built raw-IP frame (test/decode/build.ts) looked at twice, as the analyzer does:
 * located (the cheap `preview`, by port only) and decoded into a segment (the exact `classify`).
 * Both go through the one list of rules; the preview may admit what the exact look turns down
 * (same port, other hosts), never the other way round. Addresses are the lab's
 * (test/correlate/lab.ts): client 198.51.100.20, server 192.0.2.10, a host 203.0.113.7 the client
 * reaches over a watched session, strangers in 203.0.113.0/24.
 */
import { describe, expect, test } from 'vitest';
import { Admission, type AdmissionReason } from '../../src/correlate/admission';
import { ExpectationRegistry } from '../../src/correlate/expectations';
import { decodeTcpFrame, locateTcpFrame, TcpLocation } from '../../src/decode';
import { FtpDetector } from '../../src/ftp/detect';
import { LimitCounter } from '../../src/limits';
import { defaultOptions } from '../../src/options';
import type { TcpSegment } from '../../src/types';
import { ipv4, ipv6, tcp } from '../decode/build';
import { CLIENT_IP, CLIENT6_IP, SERVER_IP, SERVER6_IP } from './lab';
import { channel } from './rows';

const WATCHED_IP = '203.0.113.7';
const STRANGER_IP = '203.0.113.99';
const OTHER_IP = '203.0.113.50';

const SYN = 0x02;
const SYN_ACK = 0x12;
const ACK = 0x10;
const PSH_ACK = 0x18;
const FIN_ACK = 0x11;
const RST_ACK = 0x14;

interface Packet {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  flags: number;
  payload?: string;
}

/** The frame as it comes off a raw-IP capture (link type 101). */
function frameOf(p: Packet): Buffer {
  const segment = tcp({ srcPort: p.srcPort, dstPort: p.dstPort, flags: p.flags }, Buffer.from(p.payload ?? '', 'latin1'));
  return p.src.includes(':') ? ipv6({ src: p.src, dst: p.dst }, segment) : ipv4({ src: p.src, dst: p.dst }, segment);
}

/**
 * What the analysis's tables hold, as sessions leave them. Always a passive channel (227) waiting
 * for the client at 192.0.2.10:40000; `active-21`: an active one (PORT) waiting for the server at
 * the client's port 21; `watched`: the client's session with 203.0.113.7 watched (its
 * announcements are encrypted).
 */
type Extra = 'active-21' | 'watched';

function admission(detectFtp = true, extras: Extra[] = []): Admission<string> {
  const registry = new ExpectationRegistry<string>(100);
  registry.add(channel({ index: 1, mode: 'passive', from: CLIENT_IP, to: [{ ip: SERVER_IP, port: 40000 }] }), 'passive channel');
  if (extras.includes('active-21')) registry.add(channel({ index: 2, mode: 'active', from: SERVER_IP, to: [{ ip: CLIENT_IP, port: 21 }] }), 'active channel');
  const options = { ...defaultOptions, detectFtp };
  const result = new Admission<string>(options, registry, new FtpDetector(options, new LimitCounter()));
  if (extras.includes('watched')) result.watched.watch(CLIENT_IP, WATCHED_IP, 'watching session');
  return result;
}

function both(p: Packet, detectFtp: boolean, extras: Extra[] = []): { preview: AdmissionReason; classified: ReturnType<Admission<string>['classify']> } {
  const frame = frameOf(p);
  const gate = admission(detectFtp, extras);
  const location = new TcpLocation();
  expect(locateTcpFrame(101, frame, frame.length, location).kind).toBe('located');
  const decoded = decodeTcpFrame(101, frame, frame.length);
  if (decoded.kind !== 'tcp') throw new Error(decoded.kind);
  const segment: TcpSegment = decoded.segment;
  return { preview: gate.preview(location), classified: gate.classify(segment) };
}

const c = (port: number) => ({ ip: CLIENT_IP, port });
const s = (port: number) => ({ ip: SERVER_IP, port });
const host = (ip: string, port: number) => ({ ip, port });
const packet = (from: { ip: string; port: number }, to: { ip: string; port: number }, flags: number, payload?: string): Packet => ({
  src: from.ip,
  srcPort: from.port,
  dst: to.ip,
  dstPort: to.port,
  flags,
  ...(payload === undefined ? {} : { payload }),
});

type Row = [name: string, packet: Packet, detectFtp: boolean, extras: Extra[], exact: AdmissionReason, preview?: AdmissionReason];

// biome-ignore format: a table, one row a line
const rows: Row[] = [
  ['SYN to the announced passive endpoint', packet(c(50001), s(40000), SYN), true, [], 'announced-data'],
  ['SYN to an announced endpoint on port 21 (PORT h,h,h,h,0,21): data, not control', packet(s(20), c(21), SYN), true, ['active-21'], 'announced-data'],
  ['payload to the announced endpoint, handshake not captured', packet(c(50001), s(40000), PSH_ACK, 'x'.repeat(100)), true, [], 'midstream-data'],
  ['payload from the announced endpoint, handshake not captured', packet(s(40000), c(50001), PSH_ACK, 'x'.repeat(100)), true, [], 'midstream-data'],
  ['SYN to a watched pair (either order)', packet(host(WATCHED_IP, 50002), c(6000), SYN), true, ['watched'], 'watched-pair'],
  ['SYN to a watched pair on a control port: control, not data', packet(c(50003), host(WATCHED_IP, 21), SYN), true, ['watched'], 'ftp-control'],
  ['SYN to an implicit-TLS control port', packet(c(50004), s(990), SYN), true, [], 'ftps-control'],
  ['TLS payload from an implicit-TLS control port', packet(s(990), c(50004), PSH_ACK, '\x17\x03\x03\x00\x20'), true, [], 'ftps-control'],
  ['bare ACK to an implicit-TLS control port', packet(c(50004), s(990), ACK), true, [], 'none'],
  ['SYN to port 21', packet(c(50005), s(21), SYN), true, [], 'ftp-control'],
  ['SYN-ACK from port 21', packet(s(21), c(50005), SYN_ACK), true, [], 'ftp-control'],
  ['a reply from port 21, picked up in the middle', packet(s(21), c(50005), PSH_ACK, '226 Transfer complete.\r\n'), true, [], 'ftp-control'],
  ['IPv6: a command to port 21', packet(host(CLIENT6_IP, 50006), host(SERVER6_IP, 21), PSH_ACK, 'NOOP\r\n'), true, [], 'ftp-control'],
  ['bare ACK to port 21: the end of a connection before the capture', packet(c(50005), s(21), ACK), true, [], 'none'],
  ['FIN to port 21 without payload', packet(c(50005), s(21), FIN_ACK), true, [], 'none'],
  ['RST from port 21 without payload', packet(s(21), c(50005), RST_ACK), true, [], 'none'],
  ['SYN to an unnamed port: the detector keeps it', packet(host(STRANGER_IP, 50007), host(OTHER_IP, 2121), SYN), true, [], 'detector-handshake'],
  ['SYN-ACK from an unnamed port', packet(host(OTHER_IP, 2121), host(STRANGER_IP, 50007), SYN_ACK), true, [], 'detector-handshake'],
  ['a greeting from an unnamed port', packet(host(OTHER_IP, 2121), host(STRANGER_IP, 50007), PSH_ACK, '220 ProFTPD Server ready.\r\n'), true, [], 'detector-candidate'],
  ['an FTP-only command to an unnamed port', packet(host(STRANGER_IP, 50007), host(OTHER_IP, 2121), PSH_ACK, 'PASV\r\n'), true, [], 'detector-candidate'],
  ['an HTTP request', packet(host(STRANGER_IP, 50008), host(OTHER_IP, 80), PSH_ACK, 'GET / HTTP/1.1\r\n'), true, [], 'none'],
  ['a bare ACK on other ports', packet(host(STRANGER_IP, 50008), host(OTHER_IP, 80), ACK), true, [], 'none'],
  ['without detection: SYN to an unnamed port', packet(host(STRANGER_IP, 50007), host(OTHER_IP, 2121), SYN), false, [], 'none'],
  ['without detection: a greeting from an unnamed port', packet(host(OTHER_IP, 2121), host(STRANGER_IP, 50007), PSH_ACK, '220 ready\r\n'), false, [], 'none'],
  ['without detection: SYN to port 21 still', packet(c(50005), s(21), SYN), false, [], 'ftp-control'],
  // By port only, the preview cannot tell these from the rows above; the exact look can.
  ['SYN to the announced port on another host', packet(host(STRANGER_IP, 50009), host(OTHER_IP, 40000), SYN), true, [], 'detector-handshake', 'announced-data'],
  ['without detection: SYN to the announced port on another host', packet(host(STRANGER_IP, 50009), host(OTHER_IP, 40000), SYN), false, [], 'none', 'announced-data'],
  ['payload on the announced port between other hosts', packet(host(STRANGER_IP, 50009), host(OTHER_IP, 40000), PSH_ACK, 'GET /\r\n'), true, [], 'none', 'midstream-data'],
  ['SYN between hosts nobody watches, while a pair is watched', packet(host(STRANGER_IP, 50010), host(OTHER_IP, 6000), SYN), false, ['watched'], 'none', 'watched-pair'],
];

describe('admission', () => {
  test.each(rows)('%s', (_name, p, detectFtp, extras, exact, preview = exact) => {
    const { preview: previewed, classified } = both(p, detectFtp, extras);
    expect(classified.reason).toBe(exact);
    expect(previewed).toBe(preview);
  });

  test.each(rows)('%s: the preview never turns down what the exact look admits', (_name, p, detectFtp, extras) => {
    const { preview, classified } = both(p, detectFtp, extras);
    if (preview === 'none') expect(classified.reason).toBe('none');
    // The first rule that holds wins in both, and the preview's lookups say yes at least as often.
    const order: AdmissionReason[] = [
      'announced-data',
      'midstream-data',
      'watched-pair',
      'ftps-control',
      'ftp-control',
      'detector-handshake',
      'detector-candidate',
      'none',
    ];
    expect(order.indexOf(preview)).toBeLessThanOrEqual(order.indexOf(classified.reason));
  });

  test('the exact look hands back what it matched', () => {
    const announced = both(packet(c(50001), s(40000), SYN), true).classified;
    expect(announced.reason === 'announced-data' && announced.expectation.owner).toBe('passive channel');
    const active = both(packet(s(20), c(21), SYN), true, ['active-21']).classified;
    expect(active.reason === 'announced-data' && active.expectation.owner).toBe('active channel');
    const forward = both(packet(c(50001), s(40000), PSH_ACK, 'x'), true).classified;
    expect(forward.reason === 'midstream-data' && [forward.expectation.owner, forward.senderDialled]).toEqual(['passive channel', true]);
    const backward = both(packet(s(40000), c(50001), PSH_ACK, 'x'), true).classified;
    expect(backward.reason === 'midstream-data' && [backward.expectation.owner, backward.senderDialled]).toEqual(['passive channel', false]);
    const watched = both(packet(host(WATCHED_IP, 50002), c(6000), SYN), true, ['watched']).classified;
    expect(watched.reason === 'watched-pair' && watched.watcher).toBe('watching session');
  });

  test('a pair is watched by its latest session only until that session lets go', () => {
    const gate = admission(true, ['watched']);
    gate.watched.watch(WATCHED_IP, CLIENT_IP, 'later session');
    gate.watched.unwatch(CLIENT_IP, WATCHED_IP, 'watching session');
    expect(gate.watched.get(CLIENT_IP, WATCHED_IP)).toBe('later session');
    gate.watched.unwatch(CLIENT_IP, WATCHED_IP, 'later session');
    expect(gate.watched.size).toBe(0);
  });
});
