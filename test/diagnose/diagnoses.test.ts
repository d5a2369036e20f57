/**
 * The diagnoses, one scripted session per situation: which finding codes the analysis raises, with
 * which severity and on which frame, and (as important) which it does not raise. The dialogues
 * follow real servers' replies (vsftpd 3.0.3 unless said) and the failure signatures of
 * shared/reference/ftp-field-guide.md §3.2 (F6 address family, F7 EPSV fallback, F8 EPSV ALL,
 * F14 bounce). Rows run with whole control segments and again with 1-byte segments, except those
 * whose point is a property of whole segments (finding FTP on another port by its first segment).
 *
 * Also here: TCP as it arrives (mid-stream starts, frames the capture missed, retransmissions whose
 * bytes differ) seen through the analysis.
 */
import { describe, expect, test } from 'vitest';
import type { AnalyzerOptions } from '../../src/options';
import type { Report } from '../../src/report/build';
import type { Severity } from '../../src/types';
import {
  ack,
  c,
  data,
  on,
  pause,
  resendAs,
  rst,
  s,
  script,
  syn,
  synAck,
  withoutFrames,
  type ControlPair,
  type Script,
  type Step,
  type Steps,
} from '../correlate/script';
import { CONTROL, SECOND, client, dial, login, sendAndClose, server } from '../correlate/lab';
import { analyzeFrames } from '../helpers/analyze';

/** The data connection of passiveRetr: client 198.51.100.20:51001 to the server's port 40001. */
const DATA_CLIENT = client(51001);
const DATA_SERVER = server(40001);

/** PASV (port 40001), RETR `file`, its data connection dialled and the 150 reply; the bytes and the final reply follow. */
function passiveRetr(file: string, reply150: string): Step[] {
  return [c('PASV'), s('227 Entering Passive Mode (192,0,2,10,156,65).'), c(`RETR ${file}`), ...dial(DATA_CLIENT, DATA_SERVER, 'data'), s(reply150)];
}

/** A passive LIST over a working data connection to `port`. */
function passiveList(port: number, name: string): Step[] {
  return [
    c('LIST'),
    ...dial(client(51000 + port - 40000), server(port), name),
    s('150 Here comes the directory listing.'),
    ...sendAndClose(server(port), client(51000 + port - 40000), [120]),
    s('226 Directory send OK.'),
  ];
}

/** [code, severity, label of the frame (null: no frame)]. */
type FindingRow = [string, Severity, string | null];

interface Row {
  name: string;
  controls?: ControlPair[];
  steps: Steps;
  /** Frames (labels) the capture missed. */
  drop?: string[];
  /** Findings per session, in the order the analysis lists them. */
  sessions: FindingRow[][];
  /** Capture-level findings. */
  global?: FindingRow[];
  options?: Partial<AnalyzerOptions>;
  /** Only with whole control segments. */
  wholeOnly?: boolean;
  check?: (report: Report, run: Script) => void;
}

// biome-ignore format: a table, one row a line
const rows: Row[] = [
  {
    name: 'EPSV answered, its SYN unanswered 3 times, then PASV works: epsv-fallback with the delay',
    steps: [
      login(),
      c('EPSV', 'epsv'),
      s('229 Entering Extended Passive Mode (|||40001|)'),
      c('LIST'),
      syn(DATA_CLIENT, DATA_SERVER, 'lost.syn'),
      pause(1 * SECOND),
      syn(DATA_CLIENT, DATA_SERVER),
      pause(2 * SECOND),
      syn(DATA_CLIENT, DATA_SERVER),
      pause(2 * SECOND),
      s('425 Failed to establish connection.', '425'),
      c('PASV', 'pasv'),
      s('227 Entering Passive Mode (192,0,2,10,156,66).'),
      passiveList(40002, 'data'),
    ],
    sessions: [[
      ['data-connect-unanswered', 'error', 'lost.syn'],
      ['transfer-failed', 'error', '425'],
      ['epsv-fallback', 'warning', 'pasv'],
    ]],
    check: (report) => {
      const fallback = report.sessions[0].findings.find((f) => f.code === 'epsv-fallback');
      expect(fallback?.message).toMatch(/got no answer \(3 SYNs\).*fell back to PASV 5\.\d s later/);
      expect(report.sessions[0].dataChannels[0].connection?.handshake).toBe('unanswered');
    },
  },
  {
    name: 'EPSV refused (ProFTPD <Limit EPSV>), then PASV: announcement-refused and epsv-fallback',
    steps: [login(), c('EPSV'), s('500 EPSV not understood', 'refused'), c('PASV', 'pasv'), s('227 Entering Passive Mode (192,0,2,10,156,66).'), passiveList(40002, 'data')],
    sessions: [[
      ['announcement-refused', 'warning', 'refused'],
      ['epsv-fallback', 'warning', 'pasv'],
    ]],
  },
  {
    name: 'EPSV that works is no fallback, even when PASV follows later',
    steps: [login(), c('EPSV'), s('229 Entering Extended Passive Mode (|||40001|)'), passiveList(40001, 'd1'), c('PASV'), s('227 Entering Passive Mode (192,0,2,10,156,66).'), passiveList(40002, 'd2')],
    sessions: [[]],
  },
  {
    name: 'EPSV ALL accepted, then PASV refused and PORT accepted: epsv-all-violation twice',
    steps: [
      login(),
      c('EPSV ALL'),
      s('200 EPSV ALL ok.'),
      c('PASV', 'pasv'),
      s('500 Illegal PASV command.', 'pasv.reply'),
      c('PORT 198,51,100,20,200,10', 'port'),
      s('200 PORT command successful. Consider using PASV.', 'port.reply'),
    ],
    sessions: [[
      ['announcement-refused', 'error', 'pasv.reply'],
      ['epsv-all-violation', 'warning', 'pasv'],
      ['epsv-all-violation', 'error', 'port.reply'],
    ]],
  },
  {
    name: 'EPSV 2 on an IPv4 control connection: 522, address-family-mismatch',
    steps: [login(), c('EPSV 2'), s('522 Bad network protocol.', 'reply')],
    sessions: [[
      ['announcement-refused', 'error', 'reply'],
      ['address-family-mismatch', 'error', 'reply'],
    ]],
  },
  {
    name: 'EPRT |2| on an IPv4 control connection: refused, address-family-mismatch',
    steps: [login(), c('EPRT |2|2001:db8:1::20|50123|'), s('500 Bad EPRT protocol.', 'reply')],
    sessions: [[
      ['announcement-refused', 'error', 'reply'],
      ['address-family-mismatch', 'error', 'reply'],
    ]],
  },
  {
    name: "PORT to the client's own port 80, refused: privileged-data-port, no address mismatch; the refusal is protection (warning)",
    steps: [login(), c('PORT 198,51,100,20,0,80', 'port'), s('500 Illegal PORT command.', 'reply')],
    sessions: [[
      ['announcement-refused', 'warning', 'reply'],
      ['privileged-data-port', 'warning', 'port'],
    ]],
  },
  {
    name: 'PORT to a third host port 25, accepted (port_promiscuous): third-party-data-target and privileged-data-port errors',
    steps: [login(), c('PORT 203,0,113,50,0,25', 'port'), s('200 PORT command successful. Consider using PASV.')],
    sessions: [[
      ['third-party-data-target', 'error', 'port'],
      ['privileged-data-port', 'error', 'port'],
    ]],
  },
  {
    name: '227 without parentheses (used): nonstandard-reply-format warning',
    steps: [login(), c('PASV'), s('227 Entering Passive Mode 192,0,2,10,156,65', 'pasv'), passiveList(40001, 'data')],
    sessions: [[['nonstandard-reply-format', 'warning', 'pasv']]],
  },
  {
    name: 'a multi-line 227 that the client never used for its LIST: nonstandard-reply-format error',
    steps: [
      login(),
      c('PASV'),
      s(['227-Entering Passive Mode (192,0,2,10,156,65)', '227 OK'], 'pasv'),
      c('LIST', 'list'),
      s('425 Failed to establish connection.', '425'),
    ],
    sessions: [[
      ['data-connection-missing', 'error', 'list'],
      ['transfer-failed', 'error', '425'],
      ['nonstandard-reply-format', 'error', 'pasv'],
    ]],
  },
  {
    name: 'RETR announced 1000 bytes, 600 arrive, 226: transfer-size-mismatch error',
    steps: [
      login(),
      ...passiveRetr('f.bin', '150 Opening BINARY mode data connection for f.bin (1000 bytes).'),
      ...sendAndClose(DATA_SERVER, DATA_CLIENT, [300, 300]),
      s('226 Transfer complete.', '226'),
    ],
    sessions: [[['transfer-size-mismatch', 'error', '226']]],
    check: (report) => expect(report.sessions[0].findings[0].message).toMatch(/announced 1,000 bytes in its 150 reply, but the data connection carried 600 bytes/),
  },
  {
    name: 'RETR announced 3000 bytes, the capture stops showing the data after 1000 (no FIN), 226: a warning, not an accusation',
    steps: [
      login(),
      ...passiveRetr('f.bin', '150 Opening BINARY mode data connection for f.bin (3000 bytes).'),
      data(DATA_SERVER, DATA_CLIENT, 1000),
      ack(DATA_CLIENT, DATA_SERVER),
      s('226 Transfer complete.', '226'),
    ],
    sessions: [[['transfer-size-mismatch', 'warning', '226']]],
    check: (report) => expect(report.sessions[0].findings[0].message).toMatch(/as far as the capture shows; the connection's end \(FIN or RST\) is not in the capture/),
  },
  {
    name: 'REST 400 then RETR of a 1000-byte file: 600 bytes is right',
    steps: [
      login(),
      c('REST 400'),
      s('350 Restart position accepted (400).'),
      ...passiveRetr('f.bin', '150 Opening BINARY mode data connection for f.bin (1000 bytes).'),
      ...sendAndClose(DATA_SERVER, DATA_CLIENT, [600]),
      s('226 Transfer complete.'),
    ],
    sessions: [[]],
  },
  {
    name: 'SIZE says 1000, the 150 gives no size, 999 arrive: transfer-size-mismatch from SIZE',
    steps: [
      login(),
      c('SIZE f.bin'),
      s('213 1000'),
      ...passiveRetr('f.bin', '150 Opening BINARY mode data connection.'),
      ...sendAndClose(DATA_SERVER, DATA_CLIENT, [999]),
      s('226 Transfer complete.', '226'),
    ],
    sessions: [[['transfer-size-mismatch', 'error', '226']]],
  },
  {
    name: 'TYPE A: line ends are converted, sizes are not compared',
    steps: [
      login(),
      c('TYPE A'),
      s('200 Switching to ASCII mode.'),
      ...passiveRetr('notes.txt', '150 Opening ASCII mode data connection for notes.txt (1000 bytes).'),
      ...sendAndClose(DATA_SERVER, DATA_CLIENT, [1040]),
      s('226 Transfer complete.'),
    ],
    sessions: [[]],
  },
  {
    name: 'a data segment the capture missed: capture-gap, the byte count still equals the size',
    steps: [
      login(),
      ...passiveRetr('f.bin', '150 Opening BINARY mode data connection for f.bin (3000 bytes).'),
      ...sendAndClose(DATA_SERVER, DATA_CLIENT, [1000, 1000, 1000], ['d1', 'd2', 'd3'], 'fin'),
      s('226 Transfer complete.'),
    ],
    drop: ['d2'],
    sessions: [[['capture-gap', 'warning', 'fin']]],
    check: (report) => {
      const connection = report.sessions[0].dataChannels[0].connection;
      expect([connection?.bytes, connection?.missingBytes]).toEqual([3000, 1000]);
    },
  },
  {
    name: 'the last data segments and the FIN missed: the client ACK tells the length',
    steps: [
      login(),
      ...passiveRetr('f.bin', '150 Opening BINARY mode data connection for f.bin (3000 bytes).'),
      data(DATA_SERVER, DATA_CLIENT, 1000),
      data(DATA_SERVER, DATA_CLIENT, 2000, 'tail'),
      ack(DATA_CLIENT, DATA_SERVER, 'ack'),
      s('226 Transfer complete.'),
    ],
    drop: ['tail'],
    sessions: [[['capture-gap', 'warning', 'ack']]],
    check: (report) => {
      const connection = report.sessions[0].dataChannels[0].connection;
      expect([connection?.bytes, connection?.missingBytes, connection?.end]).toEqual([3000, 2000, 'open']);
    },
  },
  {
    name: 'three failed logins in one session, two in another from the same client: per session, and password guessing',
    controls: [CONTROL, { client: client(50002), server: server(21) }],
    steps: [
      s('220 (vsFTPd 3.0.3)'),
      ...[1, 2, 3].flatMap((n) => [c('USER alice'), s('331 Please specify the password.'), c(`PASS guess${n}`, `pass${n}`), s('530 Login incorrect.', `fail${n}`)]),
      on(1, s('220 (vsFTPd 3.0.3)')),
      ...[4, 5].flatMap((n) => on(1, c('USER alice'), s('331 Please specify the password.'), c(`PASS guess${n}`, `pass${n}`), s('530 Login incorrect.', `fail${n}`))),
    ],
    sessions: [
      [['cleartext-credentials', 'warning', 'pass1'], ['login-failed', 'warning', 'fail1']],
      [['cleartext-credentials', 'warning', 'pass4'], ['login-failed', 'warning', 'fail4']],
    ],
    global: [['login-failed', 'error', 'fail1']],
    check: (report) => {
      expect(report.findings[0].message).toMatch(/198\.51\.100\.20 failed to log in 5 times in 2 sessions/);
      expect(JSON.stringify(report)).not.toMatch(/guess\d/);
    },
  },
  {
    name: 'anonymous login: no cleartext-credentials',
    steps: [login('anonymous', 'me@example.com')],
    sessions: [[]],
  },
  {
    name: 'AUTH TLS accepted, then connections to the passive range: tls-control-channel lists them',
    steps: [
      s('220 (vsFTPd 3.0.3)'),
      c('AUTH TLS'),
      s('234 Proceed with negotiation.', '234'),
      data(CONTROL.client, CONTROL.server, Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5])),
      ...dial(client(51001), server(40003), 'tls1'),
      ...dial(client(51002), server(40007), 'tls2'),
      // A second control connection from the same client is a session, not a data connection.
      syn(client(50003), server(21)),
    ],
    sessions: [[['tls-control-channel', 'warning', '234']], []],
    check: (report) => {
      expect(report.sessions[0].findings[0].message).toMatch(/2 later TCP connections between these hosts are probably its data connections: 2 from the client to server ports 40003-40007/);
      expect(report.sessions[0].timeline.filter((e) => e.kind === 'data-syn')).toHaveLength(2);
      // The rules open what the TLS session's connections used, as no helper can read the announcements.
      expect(report.firewall.servers[0]).toMatchObject({ tls: true, passivePorts: { min: 40003, max: 40007 } });
      expect(report.firewall.rules.nftables).toMatch(/tcp dport 40003-40007/);
    },
  },
  {
    name: 'FTP on port 2121 found by its greeting: nonstandard-control-port',
    controls: [{ client: client(50000), server: server(2121) }],
    wholeOnly: true,
    steps: [s('220 (vsFTPd 3.0.3)', 'greeting'), login().slice(1), c('PASV'), s('227 Entering Passive Mode (192,0,2,10,156,65).'), passiveList(40001, 'data')],
    // The handshake was seen: the session starts at its SYN, not at the greeting where it was recognised.
    sessions: [[['nonstandard-control-port', 'warning', 'first']]],
    check: (report) => expect([report.sessions[0].startFrame, report.sessions[0].midstream]).toEqual([1, false]),
  },
  {
    name: 'two sessions with one server on port 2121: nonstandard-control-port once, on the first',
    controls: [{ client: client(50000), server: server(2121) }, { client: client(50001), server: server(2121) }],
    wholeOnly: true,
    steps: [s('220 (vsFTPd 3.0.3)', 'greeting'), c('USER anonymous'), on(1, s('220 (vsFTPd 3.0.3)'), c('USER anonymous'))],
    sessions: [[['nonstandard-control-port', 'info', 'first']], []],
  },
  {
    name: "Pure-FTPd's stray '227 Logout.' answering no command: nonstandard-reply-format, no channel",
    steps: [login(), s('227 Logout.', 'stray')],
    sessions: [[['nonstandard-reply-format', 'warning', 'stray']]],
    check: (report) => expect(report.sessions[0].dataChannels).toEqual([]),
  },
  {
    name: 'a multi-line reply shows its first and last lines in the timeline',
    steps: [login(), c('PASV'), s('227 Entering Passive Mode (192,0,2,10,156,65)'), c('LIST'), ...dial(DATA_CLIENT, DATA_SERVER, 'data'), s('150 Accepted data connection'), ...sendAndClose(DATA_SERVER, DATA_CLIENT, [100]), s(['226-Options: -l', '226 2 matches total'])],
    sessions: [[]],
    check: (report) => expect(report.sessions[0].timeline.map((e) => e.line)).toContain('226 Options: -l … 2 matches total'),
  },
  {
    name: 'SMTP on port 25 greets with 220 too: no session',
    controls: [{ client: client(50000), server: server(25) }],
    wholeOnly: true,
    steps: [s('220 mail.example.net ESMTP'), c('EHLO client.example'), s('250 mail.example.net'), c('USER x'), c('QUIT'), s('221 Bye')],
    sessions: [],
  },
  {
    name: 'picked up mid-stream on port 21: the partial first lines are dropped, the rest decoded, client and server right',
    controls: [{ ...CONTROL, midstream: true }],
    steps: [
      s('ssword.'),
      c('R alice'),
      c('PASS s3cret', 'pass'),
      s('230 Login successful.'),
      c('PASV'),
      s('227 Entering Passive Mode (192,0,2,10,156,65).'),
      passiveList(40001, 'data'),
    ],
    sessions: [[['cleartext-credentials', 'warning', 'pass'], ['capture-started-midstream', 'info', 'first']]],
    check: (report) => {
      const session = report.sessions[0];
      expect(session.findings[0].message).toMatch(/^a user sent the password in cleartext/);
      expect([session.client, session.server, session.midstream]).toEqual([CONTROL.client, CONTROL.server, true]);
      expect(session.dataChannels[0].status).toBe('completed');
      expect(session.timeline.some((e) => /ssword|R alice/.test(e.line ?? ''))).toBe(false);
    },
  },
  {
    name: 'a retransmitted command whose bytes differ: overlap-conflict, the first copy kept',
    steps: [login(), c('PASV'), resendAs(CONTROL.client, CONTROL.server, Buffer.from('EPSV\r\n'), 'resent'), s('227 Entering Passive Mode (192,0,2,10,156,65).'), passiveList(40001, 'data')],
    wholeOnly: true,
    sessions: [[['overlap-conflict', 'warning', 'resent']]],
    check: (report) => expect(report.sessions[0].dataChannels[0].method).toBe('PASV'),
  },
  {
    name: 'a hole in the control stream and more bytes after it than the buffer holds: reorder-buffer-full, then a gap',
    options: { maxOutOfOrderBytes: 20 },
    wholeOnly: true,
    steps: [
      login(),
      c('CWD pub', 'lost'),
      c('PASV', 'after'),
      c('NOOP'),
      c('NOOP'),
      // 6 + 6 + 6 + 6 bytes wait behind the hole: over the 20-byte buffer.
      c('NOOP', 'over'),
      s('250 Directory successfully changed.', '250'),
    ],
    drop: ['lost'],
    // The 250 answers the lost CWD: the commands after the hole wait for replies that fit them.
    sessions: [[['reorder-buffer-full', 'warning', 'over'], ['reply-desync', 'warning', '250'], ['capture-gap', 'warning', 'after']]],
  },
];

function analyze(run: Script, options: Partial<AnalyzerOptions> = {}): Report {
  return analyzeFrames(run.frames, options).report;
}

const frameOf = (run: Script, label: string | null): number | null => {
  if (label === null) return null;
  if (label === 'first') return run.frames[0].ref.frame;
  const frame = run.at[label];
  if (frame === undefined) throw new Error(`no step is labelled "${label}"`);
  return frame;
};

describe.each([false, true])('diagnoses (control payloads in 1-byte segments: %s)', (split) => {
  test.each(rows.filter((row) => !split || !row.wholeOnly))('$name', (row) => {
    const built = script(row.controls ?? [CONTROL], row.steps, { split });
    const run = row.drop ? withoutFrames(built, row.drop) : built;
    const report = analyze(run, row.options);
    const view = (f: { code: string; severity: Severity; frame: number | null }) => [f.code, f.severity, f.frame];
    const expectRows = (findings: FindingRow[]) => findings.map(([code, severity, label]) => [code, severity, frameOf(run, label)]);
    expect(report.sessions.map((session) => session.findings.map(view))).toEqual(row.sessions.map(expectRows));
    expect(report.findings.map(view)).toEqual(expectRows(row.global ?? []));
    row.check?.(report, run);
  });
});

test('implicit FTPS: the session is TLS from its first frame', () => {
  // biome-ignore format: a table, one row a line
  const run = script(
    [{ client: client(50000), server: server(990) }],
    [syn(client(50000), server(990)), synAck(server(990), client(50000)), ack(client(50000), server(990)), data(client(50000), server(990), Buffer.from([0x16, 3, 1, 0, 1, 1])), rst(server(990), client(50000))],
  );
  const report = analyze(run);
  expect(report.sessions).toHaveLength(1);
  expect(report.sessions[0].tls).toBe(true);
  expect(report.sessions[0].findings.map((f) => f.code)).toEqual(['tls-control-channel']);
});
