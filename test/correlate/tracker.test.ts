/**
 * SessionTracker on its own: a control dialogue (hand-written in vsftpd 3.0.3's wording, the lab's
 * addresses: client 198.51.100.20:50000, server 192.0.2.10:21) goes in as commands and replies,
 * and out come the session's data channels, the expectations it registered, its orphan transfers
 * and findings. The end-to-end path from bytes is in correlate.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { ExpectationRegistry } from '../../src/correlate/expectations';
import { SessionTracker } from '../../src/correlate/tracker';
import { defaultOptions } from '../../src/options';
import type { FtpCommand } from '../../src/model';
import { CLIENT_IP, SERVER_IP } from './lab';
import { command, connection, controlConnection, reply } from './rows';

/** Lines of a control dialogue: 'C <command>' from the client, 'S <reply>' from the server. */
type Dialogue = string[];

/** Feeds a dialogue to a tracker; a reply answers the oldest command waiting (a 1yz keeps it waiting). */
function track(dialogue: Dialogue, maxExpectations = 100): { tracker: SessionTracker; registry: ExpectationRegistry<SessionTracker> } {
  const registry = new ExpectationRegistry<SessionTracker>(maxExpectations);
  const tracker = new SessionTracker(1, controlConnection(), registry, { ...defaultOptions, maxTimelineEvents: 1000, maxFindingsPerCode: 5 });
  const pending: FtpCommand[] = [];
  dialogue.forEach((line, i) => {
    const frame = i + 4;
    if (line.startsWith('C ')) {
      const c = command(line.slice(2), frame);
      pending.push(c);
      tracker.command(c);
    } else {
      const r = reply(line.slice(2), frame);
      const answers = r.code >= 100 && r.code < 200 ? (pending[0] ?? null) : (pending.shift() ?? null);
      tracker.reply(r, r.code === 220 && answers === null ? null : answers);
    }
  });
  return { tracker, registry };
}

const LOGIN: Dialogue = ['S 220 (vsFTPd 3.0.3)', 'C USER anonymous', 'S 331 Please specify the password.', 'C PASS guest@', 'S 230 Login successful.'];
const PASV_40001 = 'S 227 Entering Passive Mode (192,0,2,10,156,65).';
const PORT_50001 = 'C PORT 198,51,100,20,195,81';

/** A channel as the table states it: method, announced endpoint, expected source, targets, closed, transfer verb. */
type ChannelRow = [method: string, announced: string | null, from: string, to: string[], closed: boolean, transfer: string | null];

interface Row {
  name: string;
  dialogue: Dialogue;
  channels: ChannelRow[];
  /** Channels still registered for a SYN. */
  waiting: number;
  orphans?: string[];
  findings?: string[];
}

// biome-ignore format: a table, one row a line
const rows: Row[] = [
  { name: 'PASV, RETR, 226: the channel waits for the client, then closes', dialogue: [...LOGIN, 'C PASV', PASV_40001, 'C RETR a.bin', 'S 150 Opening BINARY mode data connection for a.bin (5 bytes).', 'S 226 Transfer complete.'], channels: [['PASV', '192.0.2.10:40001', CLIENT_IP, ['192.0.2.10:40001'], true, 'RETR']], waiting: 0 },
  { name: 'PASV answered, no transfer yet: still waiting', dialogue: [...LOGIN, 'C PASV', PASV_40001], channels: [['PASV', '192.0.2.10:40001', CLIENT_IP, ['192.0.2.10:40001'], false, null]], waiting: 1 },
  { name: 'PASV naming a private address: both it and the server are expected', dialogue: [...LOGIN, 'C PASV', 'S 227 Entering Passive Mode (100,64,0,10,156,65).'], channels: [['PASV', '100.64.0.10:40001', CLIENT_IP, ['192.0.2.10:40001', '100.64.0.10:40001'], false, null]], waiting: 1 },
  { name: 'EPSV: the server\'s own address', dialogue: [...LOGIN, 'C EPSV', 'S 229 Entering Extended Passive Mode (|||40001|)'], channels: [['EPSV', ':40001', CLIENT_IP, ['192.0.2.10:40001'], false, null]], waiting: 1 },
  { name: 'PORT accepted: the server is expected to dial the client', dialogue: [...LOGIN, PORT_50001, 'S 200 PORT command successful. Consider using PASV.'], channels: [['PORT', '198.51.100.20:50001', SERVER_IP, ['198.51.100.20:50001'], false, null]], waiting: 1 },
  { name: 'PORT refused: the channel closes at once', dialogue: [...LOGIN, PORT_50001, 'S 500 Illegal PORT command.'], channels: [['PORT', '198.51.100.20:50001', SERVER_IP, ['198.51.100.20:50001'], true, null]], waiting: 0 },
  { name: 'EPRT over IPv6 text', dialogue: [...LOGIN, 'C EPRT |2|2001:db8:1::20|50001|', 'S 200 EPRT command successful. Consider using EPSV.'], channels: [['EPRT', '[2001:db8:1::20]:50001', SERVER_IP, ['[2001:db8:1::20]:50001'], false, null]], waiting: 1 },
  { name: 'malformed PORT: a finding, no channel', dialogue: [...LOGIN, 'C PORT 198,51,100,20,300,81', 'S 500 Illegal PORT command.'], channels: [], waiting: 0, findings: ['malformed-announcement'] },
  { name: 'RETR pipelined behind PASV takes the channel the reply opens', dialogue: [...LOGIN, 'C PASV', 'C RETR a.bin', PASV_40001, 'S 150 Opening BINARY mode data connection for a.bin (5 bytes).'], channels: [['PASV', '192.0.2.10:40001', CLIENT_IP, ['192.0.2.10:40001'], false, 'RETR']], waiting: 1 },
  { name: 'RETR without any announcement is an orphan', dialogue: [...LOGIN, 'C RETR a.bin', 'S 425 Use PORT or PASV first.'], channels: [], waiting: 0, orphans: ['RETR'] },
  { name: 'a second PASV supersedes the first, which stops waiting', dialogue: [...LOGIN, 'C PASV', PASV_40001, 'C PASV', 'S 227 Entering Passive Mode (192,0,2,10,156,66).'], channels: [['PASV', '192.0.2.10:40001', CLIENT_IP, ['192.0.2.10:40001'], true, null], ['PASV', '192.0.2.10:40002', CLIENT_IP, ['192.0.2.10:40002'], false, null]], waiting: 1 },
  { name: '550 before any connection leaves the channel for the next transfer', dialogue: [...LOGIN, 'C PASV', PASV_40001, 'C RETR missing', 'S 550 Failed to open file.', 'C RETR a.bin'], channels: [['PASV', '192.0.2.10:40001', CLIENT_IP, ['192.0.2.10:40001'], false, 'RETR']], waiting: 1, orphans: ['RETR'] },
  { name: 'a 227 answering no passive request is a nonstandard reply', dialogue: [...LOGIN, 'C NOOP', PASV_40001], channels: [], waiting: 0, findings: ['nonstandard-reply-format'] },
];

const endpoint = (e: { ip: string | null; port: number }): string =>
  e.ip === null ? `:${e.port}` : e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;

describe('announcements become data channels', () => {
  test.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const { tracker, registry } = track(row.dialogue);
    const session = tracker.session;
    const channels: ChannelRow[] = session.dataChannels.map((c) => [
      c.method,
      c.announced === null ? null : endpoint(c.announced),
      c.expectedFrom,
      c.expectedTo.map(endpoint),
      c.closed,
      c.transfer?.command.verb ?? null,
    ]);
    expect(channels).toEqual(row.channels);
    expect(registry.size).toBe(row.waiting);
    expect(session.orphanTransfers.map((t) => t.command.verb)).toEqual(row.orphans ?? []);
    expect(session.findings.map((f) => f.code)).toEqual(row.findings ?? []);
  });
});

describe('the session around the channels', () => {
  test('login, greeting and counts', () => {
    const { tracker } = track([...LOGIN, 'C SYST', 'S 215 UNIX Type: L8']);
    const s = tracker.session;
    expect([s.user, s.greeting?.code, s.commands, s.replies]).toEqual(['anonymous', 220, 3, 4]);
  });

  test('a connection answering a channel stops its wait; finish closes what is left', () => {
    const { tracker, registry } = track([...LOGIN, 'C PASV', PASV_40001, 'C EPSV', 'S 229 Entering Extended Passive Mode (|||40002|)']);
    const [superseded, passive] = tracker.session.dataChannels;
    expect(superseded.closed).toBe(true);
    const data = connection({ ip: CLIENT_IP, port: 55000 }, { ip: SERVER_IP, port: 40002 }, 20, 'data');
    expect(registry.match(CLIENT_IP, SERVER_IP, 40002)?.channel).toBe(passive);
    tracker.dataConnection(passive, data);
    expect(passive.connection).toBe(data);
    expect(registry.match(CLIENT_IP, SERVER_IP, 40002)).toBeNull();
    expect(registry.size).toBe(0);

    const { tracker: later, registry: laterRegistry } = track([...LOGIN, PORT_50001, 'S 200 PORT command successful. Consider using PASV.']);
    expect(laterRegistry.size).toBe(1);
    later.finish();
    expect(later.session.dataChannels[0].closed).toBe(true);
    expect(laterRegistry.size).toBe(0);
  });

  test('repeated anomalies of one code are counted in one finding', () => {
    const { tracker } = track(LOGIN);
    for (let i = 0; i < 3; i++) tracker.anomaly('line-too-long', 'a line longer than the limit', { ref: { input: 0, frame: 30 + i }, timeMicros: 0 });
    expect(tracker.session.findings.map((f) => [f.code, f.count ?? 1])).toEqual([['line-too-long', 3]]);
  });
});
