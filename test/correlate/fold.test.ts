/**
 * maxDataChannelsPerSession: past it, a session's finished data channels are counted, not listed.
 * Each scripted session (test/correlate/script.ts: a vsftpd-like server at 192.0.2.10:21, a client
 * at 198.51.100.20) is analyzed with a cap of 3 and without one: the listed channels are the same,
 * the totals and findings are exact, and channels still open stay listed.
 */
import { describe, expect, test } from 'vitest';
import type { Report, ReportChannel, ReportFinding, ReportSession } from '../../src/report/build';
import { renderText } from '../../src/report/text';
import { c, data, fin, pause, s, script, syn, type Steps } from './script';
import { dial, login } from './lab';
import { analyzeFrames } from '../helpers/analyze';

const client = { ip: '198.51.100.20', port: 40000 };
const server = { ip: '192.0.2.10', port: 21 };

/** A PASV download of `bytes` bytes over client port 41000 + i, server port 30000 + i. */
function download(i: number, bytes = 10): Steps {
  const dataClient = { ip: client.ip, port: 41_000 + i };
  const dataServer = { ip: server.ip, port: 30_000 + i };
  return [
    c('PASV'),
    s(`227 Entering Passive Mode (192,0,2,10,${dataServer.port >> 8},${dataServer.port & 255}).`),
    dial(dataClient, dataServer),
    c(`RETR f${i}`),
    s(`150 Opening BINARY mode data connection for f${i} (${bytes} bytes).`),
    data(dataServer, dataClient, bytes),
    fin(dataServer, dataClient),
    fin(dataClient, dataServer),
    s('226 Transfer complete.'),
  ];
}

/** A PORT download: the server dials the client's port 50000 + i from port 20. */
function activeDownload(i: number): Steps {
  const dataClient = { ip: client.ip, port: 50_000 + i };
  const dataServer = { ip: server.ip, port: 20 };
  return [
    c(`PORT 198,51,100,20,${dataClient.port >> 8},${dataClient.port & 255}`),
    s('200 PORT command successful. Consider using PASV.'),
    c(`RETR a${i}`),
    s('150 Opening BINARY mode data connection.'),
    dial(dataServer, dataClient),
    data(dataServer, dataClient, 7),
    fin(dataServer, dataClient),
    fin(dataClient, dataServer),
    s('226 Transfer complete.'),
  ];
}

const refusedEpsv: Steps = [c('EPSV'), s('500 Unknown command.')];
const refusedPort = (i: number): Steps => [c(`PORT 198,51,100,20,${(50_000 + i) >> 8},${(50_000 + i) & 255}`), s('500 Illegal PORT command.')];

/** A PASV whose data SYN is never answered, then two minutes of nothing on it. */
function unanswered(i: number): Steps {
  const dataClient = { ip: client.ip, port: 41_000 + i };
  const dataServer = { ip: server.ip, port: 30_000 + i };
  return [
    c('PASV'),
    s(`227 Entering Passive Mode (192,0,2,10,${dataServer.port >> 8},${dataServer.port & 255}).`),
    syn(dataClient, dataServer),
    c(`LIST d${i}`),
    s('425 Failed to establish connection.'),
    pause(130_000_000),
  ];
}

/** A PASV download whose data connection never closes (the capture ends with it open). */
function leftOpen(i: number): Steps {
  const dataClient = { ip: client.ip, port: 41_000 + i };
  const dataServer = { ip: server.ip, port: 30_000 + i };
  return [
    c('PASV'),
    s(`227 Entering Passive Mode (192,0,2,10,${dataServer.port >> 8},${dataServer.port & 255}).`),
    dial(dataClient, dataServer),
    c(`RETR open${i}`),
    s('150 Opening BINARY mode data connection.'),
    data(dataServer, dataClient, 5),
  ];
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

interface Case {
  name: string;
  steps: Steps;
  /** Indexes listed with the cap of 3. */
  listed: number[];
  unlisted: { active: number; passive: number; bytes: number };
}

const cases: Case[] = [
  {
    name: 'eight downloads: five folded, with their bytes',
    steps: range(1, 8).map((i) => download(i, 10 * i)),
    listed: [1, 2, 3],
    unlisted: { active: 0, passive: 5, bytes: 10 * (4 + 5 + 6 + 7 + 8) },
  },
  {
    name: 'refusals folded before a transfer that makes them good, an EPSV falling back to PASV across the fold',
    steps: [download(1), download(2), download(3), refusedPort(4), refusedPort(5), refusedEpsv, download(7), activeDownload(8), refusedPort(9)],
    listed: [1, 2, 3],
    unlisted: { active: 4, passive: 2, bytes: 10 + 7 },
  },
  {
    // Past 64 channels beyond the listed ones they are folded while the session runs, before the
    // download that makes their refusals good is seen.
    name: 'seventy-seven refusals folded while the session runs, made good by a later download',
    steps: [download(1), download(2), download(3), range(4, 80).map(refusedPort), download(81), refusedPort(82)],
    listed: [1, 2, 3],
    unlisted: { active: 78, passive: 1, bytes: 10 },
  },
  {
    name: 'data SYNs never answered: given up after connectionIdleMicros, folded with data-connect-unanswered',
    steps: [download(1), download(2), download(3), unanswered(4), unanswered(5), download(6), unanswered(7), download(8)],
    listed: [1, 2, 3],
    unlisted: { active: 0, passive: 5, bytes: 20 },
  },
  {
    name: 'a data connection still open stays listed; the finished ones around it are folded',
    steps: [download(1), download(2), download(3), download(4), leftOpen(5), download(6), download(7)],
    listed: [1, 2, 3, 5],
    unlisted: { active: 0, passive: 3, bytes: 30 },
  },
];

/** A finding without where its count landed (the counted list may keep a different one of a code first). */
const findingKey = (f: ReportFinding) => `${f.code} ${f.severity} ${f.frame} ${f.message}`;

function run(steps: Steps, cap?: number): { report: Report; session: ReportSession } {
  const frames = script([{ client, server }], [login(), ...steps, c('QUIT'), s('221 Goodbye.')]).frames;
  const { report } = analyzeFrames(frames, cap === undefined ? {} : { maxDataChannelsPerSession: cap });
  expect(report.sessions).toHaveLength(1);
  return { report, session: report.sessions[0] };
}

describe('maxDataChannelsPerSession', () => {
  test.each(cases)('$name', ({ steps, listed, unlisted }) => {
    const full = run(steps);
    const capped = run(steps, 3);
    const session = capped.session;
    // The listed channels are exactly those of the uncapped run with the same index.
    expect(session.dataChannels.map((ch) => ch.index)).toEqual(listed);
    const byIndex = new Map(full.session.dataChannels.map((ch) => [ch.index, ch]));
    for (const channel of session.dataChannels) expect(channel).toEqual(byIndex.get(channel.index));
    // The rest are counted exactly: by mode, by status, bytes.
    const rest = full.session.dataChannels.filter((ch) => !listed.includes(ch.index));
    const count = (pick: (ch: ReportChannel) => boolean) => rest.filter(pick).length;
    expect(session.unlistedDataChannels).toEqual({
      count: rest.length,
      active: unlisted.active,
      passive: unlisted.passive,
      byStatus: {
        completed: count((ch) => ch.status === 'completed'),
        failed: count((ch) => ch.status === 'failed'),
        refused: count((ch) => ch.status === 'refused'),
        unused: count((ch) => ch.status === 'unused'),
        incomplete: count((ch) => ch.status === 'incomplete'),
      },
      bytes: unlisted.bytes,
      missingBytes: 0,
    });
    expect(count((ch) => ch.mode === 'active')).toBe(unlisted.active);
    // The firewall plan sees every channel, listed or not (the helper's prediction lists the listed ones).
    const plan = (r: Report) => JSON.parse(JSON.stringify(r.firewall, (key, value) => (key === 'channels' ? undefined : value)));
    expect(plan(capped.report)).toEqual(plan(full.report));
    // The summary counts every channel, listed or not.
    expect(capped.report.summary.dataChannels).toBe(full.report.summary.dataChannels);
    expect(capped.report.summary.byStatus).toEqual(full.report.summary.byStatus);
    // Every finding of the folded channels is raised, with the same words and severity.
    expect(session.findings.map(findingKey).sort()).toEqual(full.session.findings.map(findingKey).sort());
    const perCode = (r: ReportSession) => {
      const counts: Record<string, number> = {};
      for (const f of r.findings) counts[f.code] = (counts[f.code] ?? 0) + (f.count ?? 1);
      return counts;
    };
    expect(perCode(session)).toEqual(perCode(full.session));
    // Reaching the cap is a limit-reached finding, once for the session.
    const limit = capped.report.findings.filter((f) => f.code === 'limit-reached');
    expect(limit).toHaveLength(1);
    expect(limit[0].message).toMatch(/^limit maxDataChannelsPerSession \(3\) reached/);
    expect(limit[0].count).toBeUndefined();
    expect(full.report.findings.some((f) => f.code === 'limit-reached')).toBe(false);
    // The timeline shows no packet of a folded channel's data connection, and counts them.
    const shown = new Set(session.timeline.filter((e) => e.source === 'data').map((e) => e.channel));
    for (const index of shown) expect(listed).toContain(index);
    expect(session.timelineDropped).toBeGreaterThan(full.session.timelineDropped);
    // The text report says how many channels are not listed.
    const text = renderText(capped.report, { color: false, firewall: false });
    expect(text).toContain(`${rest.length} more data channels are not listed (past maxDataChannelsPerSession)`);
    expect(text).toContain(`${rest.length} more channels were only counted (past maxDataChannelsPerSession)`);
  });

  test('a cap no session reaches changes nothing', () => {
    const steps = range(1, 5).map((i) => download(i));
    const full = run(steps);
    const capped = run(steps, 5);
    expect(capped.report).toEqual(full.report);
    expect(capped.session.unlistedDataChannels).toBeUndefined();
  });
});
