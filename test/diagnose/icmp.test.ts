/**
 * A data SYN answered by an ICMP or ICMPv6 destination unreachable is a refusal with a sender and
 * a reason, not "no answer": `data-connect-unreachable` names who sent the error and what it says
 * (host / port unreachable, administratively prohibited: a firewall saying no). The captures are
 * generated: scripted sessions (test/correlate/script.ts) with ICMP errors built as a Linux router
 * sends them (RFC 792 / RFC 4443: the offending packet's IP header and first 8 TCP bytes quoted
 * after the 8-byte ICMP header), the SYN's sequence number taken from its frame.
 */
import { describe, expect, test } from 'vitest';
import { Analyzer } from '../../src/analyzer';
import { decodeTcpFrame } from '../../src/decode';
import type { Report } from '../../src/report/build';
import { renderText } from '../../src/report/text';
import type { CapturedFrame, Endpoint } from '../../src/types';
import { ethernet, ipv4, ipv6 } from '../decode/build';
import { c, s, script, syn, type Steps } from '../correlate/script';
import { analyzeFrames } from '../helpers/analyze';

/** An ICMP (type 3) or ICMPv6 (type 1) destination unreachable from `from` quoting the SYN in `synFrame`. */
function unreachableFrame(synFrame: CapturedFrame, from: string, type: number, code: number, at: number): CapturedFrame {
  const v6 = from.includes(':');
  const ipStart = 14;
  const quotedLength = v6 ? 40 + 8 : 20 + 8;
  const quoted = synFrame.data.subarray(ipStart, ipStart + quotedLength);
  const icmp = Buffer.concat([Buffer.from([type, code, 0, 0, 0, 0, 0, 0]), quoted]);
  const dst = v6 ? expand(readIPv6(quoted, 8)) : `${quoted[12]}.${quoted[13]}.${quoted[14]}.${quoted[15]}`;
  const data = v6 ? ethernet(0x86dd, ipv6({ src: expand(from), dst, next: 58 }, icmp)) : ethernet(0x0800, ipv4({ src: from, dst, protocol: 1 }, icmp));
  return { ref: { input: 0, frame: at }, timeMicros: synFrame.timeMicros + 3_000_000, linkType: 1, data, originalLength: data.length };
}

function readIPv6(bytes: Buffer, offset: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(offset + i).toString(16));
  return groups.join(':');
}

function expand(ip: string): string {
  if (!ip.includes('::')) return ip;
  const [head, tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  return [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right].join(':');
}

interface Case {
  name: string;
  client: Endpoint;
  server: Endpoint;
  steps: (dataFrom: Endpoint, dataTo: Endpoint) => Steps;
  dataFrom: Endpoint;
  dataTo: Endpoint;
  icmpFrom: string;
  type: number;
  code: number;
}

function analyze(k: Case): { report: Report; text: string } {
  const run = script([{ client: k.client, server: k.server }], [...k.steps(k.dataFrom, k.dataTo), syn(k.dataFrom, k.dataTo, 'syn')]);
  const synFrame = run.frames[run.at.syn - 1];
  expect(decodeTcpFrame(1, synFrame.data, synFrame.data.length).kind).toBe('tcp');
  const frames = [...run.frames, unreachableFrame(synFrame, k.icmpFrom, k.type, k.code, run.frames.length + 1)];
  const { report } = analyzeFrames(frames);
  return { report, text: renderText(report, { color: false, firewall: false }) };
}

const greeting: Steps = [s('220 (vsFTPd 3.0.5)'), c('USER anonymous'), s('331 Please specify the password.'), c('PASS a@b'), s('230 Login successful.')];

const cases: Array<Case & { kind: string; says: RegExp; fix: RegExp }> = [
  {
    // Active mode: the server's SYN to the client is rejected by a router with nft `reject with icmp type admin-prohibited`.
    name: 'PORT, ICMP administratively prohibited (code 13) from a router',
    client: { ip: '198.51.100.20', port: 40000 },
    server: { ip: '192.0.2.10', port: 21 },
    steps: () => [greeting, c('PORT 198,51,100,20,156,65'), s('200 PORT command successful. Consider using PASV.'), c('LIST')],
    dataFrom: { ip: '192.0.2.10', port: 20 },
    dataTo: { ip: '198.51.100.20', port: 40001 },
    icmpFrom: '203.0.113.1',
    type: 3,
    code: 13,
    kind: 'admin-prohibited',
    says: /^192\.0\.2\.10 tried to open the data connection to 198\.51\.100\.20:40001 \(1 SYN\) and 203\.0\.113\.1 answered ICMP administratively prohibited \(type 3, code 13\): a firewall there rejects it$/,
    fix: /allow TCP port 40001 toward 198\.51\.100\.20 in the firewall at 203\.0\.113\.1/,
  },
  {
    // Passive mode over IPv6: the server host itself answers port unreachable (nft `reject with icmpx port-unreachable`).
    name: 'EPSV over IPv6, ICMPv6 port unreachable (type 1, code 4) from the server',
    client: { ip: '2001:db8:1::20', port: 40000 },
    server: { ip: '2001:db8:2::10', port: 21 },
    steps: () => [greeting, c('EPSV'), s('229 Entering Extended Passive Mode (|||40002|)'), c('RETR f')],
    dataFrom: { ip: '2001:db8:1::20', port: 40003 },
    dataTo: { ip: '2001:db8:2::10', port: 40002 },
    icmpFrom: '2001:db8:2::10',
    type: 1,
    code: 4,
    kind: 'port',
    says: /^2001:db8:1::20 tried to open the data connection to \[2001:db8:2::10\]:40002 \(1 SYN\) and 2001:db8:2::10 itself answered ICMPv6 port unreachable \(type 1, code 4\): nothing listens there for TCP, or its firewall rejects it$/,
    fix: /announced port/,
  },
  {
    name: 'PASV, ICMP host unreachable (code 1) from a router',
    client: { ip: '198.51.100.20', port: 40000 },
    server: { ip: '192.0.2.10', port: 21 },
    steps: () => [greeting, c('PASV'), s('227 Entering Passive Mode (192,0,2,10,156,68).')],
    dataFrom: { ip: '198.51.100.20', port: 40005 },
    dataTo: { ip: '192.0.2.10', port: 40004 },
    icmpFrom: '198.51.100.1',
    type: 3,
    code: 1,
    kind: 'host',
    says: /and 198\.51\.100\.1 answered ICMP host unreachable \(type 3, code 1\): 192\.0\.2\.10 cannot be reached from 198\.51\.100\.20$/,
    fix: /check the route/,
  },
];

describe.each(cases)('$name', (k) => {
  test('data-connect-unreachable names the sender and what it says; no data-connect-unanswered', () => {
    const { report, text } = analyze(k);
    const session = report.sessions[0];
    const codes = session.findings.map((f) => f.code);
    expect(codes).toContain('data-connect-unreachable');
    expect(codes).not.toContain('data-connect-unanswered');
    const finding = session.findings.find((f) => f.code === 'data-connect-unreachable');
    expect(finding?.message).toMatch(k.says);
    expect(finding?.fix).toMatch(k.fix);
    expect(finding?.frame).toBe(report.summary.frames);
    expect(session.dataChannels[0].connection?.unreachable).toEqual({
      from: k.icmpFrom,
      kind: k.kind,
      icmpType: k.type,
      icmpCode: k.code,
      frame: report.summary.frames,
    });
    expect(session.dataChannels[0].connection?.handshake).toBe('unanswered');
    expect(session.timeline.some((e) => e.kind === 'data-unreachable' && e.text.startsWith(`${k.icmpFrom} answers: ICMP`))).toBe(true);
    expect(text).toContain('data-connect-unreachable');
  });
});

test('an ICMP error quoting a segment of no tracked connection changes nothing', () => {
  const run = script(
    [{ client: { ip: '198.51.100.20', port: 40000 }, server: { ip: '192.0.2.10', port: 21 } }],
    [greeting, syn({ ip: '198.51.100.20', port: 50000 }, { ip: '192.0.2.99', port: 80 }, 'syn')],
  );
  const frames = [...run.frames, unreachableFrame(run.frames[run.at.syn - 1], '198.51.100.1', 3, 1, run.frames.length + 1)];
  const analyzer = new Analyzer();
  for (const frame of frames) analyzer.ingest(frame);
  const result = analyzer.finish();
  expect(result.sessions[0].findings.map((f) => f.code)).toEqual([]);
  expect(result.stats.otherFrames).toBe(1);
});

test.each([
  // Fragmentation needed (PMTU discovery) is no refusal; an echo reply and a time exceeded are no unreachable.
  ['fragmentation needed', 3, 4],
  ['echo reply', 0, 0],
  ['time exceeded', 11, 0],
])('ICMP %s is not read as a refusal', (_, type, code) => {
  const k = cases[2];
  const run = script([{ client: k.client, server: k.server }], [...k.steps(k.dataFrom, k.dataTo), syn(k.dataFrom, k.dataTo, 'syn')]);
  const frames = [...run.frames, unreachableFrame(run.frames[run.at.syn - 1], k.icmpFrom, type, code, run.frames.length + 1)];
  const analyzer = new Analyzer();
  for (const frame of frames) analyzer.ingest(frame);
  expect(analyzer.finish().sessions[0].dataChannels[0].connection?.unreachable).toBeNull();
});
