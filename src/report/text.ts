/**
 * The report for people: one block per session with its timeline, a table of every data channel,
 * the findings, and the firewall rules. Pure: report in, text out (STYLE habit 10).
 */
import Table from 'cli-table3';
import type { Report, ReportChannel, ReportFinding, ReportTimelineEntry, ReportUnlistedChannels } from './schema';
import { formatBytes, formatDelay, formatEndpoint } from '../text';
import { renderFirewallText } from './firewall-text';
import { renderTransferPerformance } from './performance-text';
import { sanitize } from './sanitize';
import type { SessionView } from './session-view';

export interface TextOptions {
  /** Use ANSI colours (only on a terminal). */
  color: boolean;
  /** Print the firewall section (with the rule sets the report holds). */
  firewall: boolean;
}

interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
}

function makeStyle(color: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) => (color ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    cyan: wrap(36, 39),
  };
}

function micros(iso: string): number {
  return Date.parse(iso) * 1000 + Number(iso.slice(23, 26));
}

/** `2026-11-21 10:15:40.123456 UTC` */
function clock(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 26)} UTC`;
}

/** Frame reference as the user should look it up: `17`, or `2:17` (input 2) with several inputs. */
function frameLabel(frame: number | null, input: number | undefined): string {
  if (frame === null) return '-';
  return input !== undefined ? `${input}:${frame}` : `${frame}`;
}

export function renderText(report: Report, options: TextOptions): string {
  return [...renderTextChunks(report, () => report.sessions, options)].join('');
}

/**
 * The same text as renderText, a part at a time, with the sessions from `sessions` (called twice:
 * once for the summary that comes first, once for the sessions' blocks), so that the sessions
 * can be read back one by one from wherever they wait, never all in memory.
 */
export function* renderTextChunks(report: Report, sessions: () => Iterable<SessionView>, options: TextOptions): Generator<string> {
  const style = makeStyle(options.color);
  const digest = digestReport(report, sessions());
  let first = true;
  const part = (text: string): string => {
    if (text.length === 0) return '';
    const out = first ? text : `\n\n${text}`;
    first = false;
    return out;
  };
  yield part(renderHeader(report, style));
  if (report.summary.sessions > OVERVIEW_SESSIONS) yield part(renderOverview(report.summary.sessions, digest, style));
  yield part(renderAtAGlance(digest, style));
  let unopenedStart = true;
  for (const lines of renderUnopened(report, style)) {
    // The later chunks go on the lines of the first.
    yield unopenedStart ? part(lines) : lines;
    unopenedStart = false;
  }
  for (const session of sessions()) yield part(renderSession(session, style));
  if (digest.sessions > 0) yield part(renderChannelTable(digest, style));
  yield part(renderFiles(digest, style));
  yield part(renderFindings(digest, style));
  if (options.firewall && report.firewall.servers.length > 0) yield part(renderFirewall(report, style));
  yield '\n';
}

/** Past this many sessions, the report opens with a one-screen overview before any session. */
export const OVERVIEW_SESSIONS = 10;
/** Entries per overview line (servers, clients, finding codes) before the rest is counted. */
const OVERVIEW_ENTRIES = 6;

/** Distinct servers, clients and server-client pairs the overview counts (past this, new ones are not). */
const OVERVIEW_TRACKED = 100_000;

function sortCounts(counts: Map<string, number>): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

function listed(entries: string[], total: number, what: string, more = false): string {
  const rest = total > entries.length ? `, … ${more ? 'over ' : ''}${total - entries.length} more ${what}` : '';
  return `${entries.join(', ')}${rest}`;
}

const severityRank = { error: 0, warning: 1, info: 2 } as const;

/** A finding where the reader meets it: its session (null: capture-level) and its place in the report. */
interface PlacedFinding {
  session: number | null;
  finding: ReportFinding;
  /** Capture-level findings first, then each session's, in report order. */
  position: number;
}

/** Findings listed per code in the Findings section; the rest are counted (--format json has them all). */
const LISTED_PER_CODE = 20;

/**
 * What the text report says about all sessions, gathered in one pass over them (in report order)
 * with bounded memory: the overview's counts, the first finding of each code, the rows of the
 * data channel table, the findings listed.
 */
interface Digest {
  sessions: number;
  servers: Map<string, { sessions: number; clients: Set<string> }>;
  clients: Map<string, number>;
  /** Some server, client or pair was not counted (more than OVERVIEW_TRACKED). */
  untracked: boolean;
  pairs: number;
  modes: Record<'passive' | 'active', Map<string, number>>;
  outcomes: Map<string, number>;
  withUser: number;
  notLoggedIn: number;
  /** Per finding code: findings, sessions with one, the worst severity, occurrences (counts) of the problems. */
  codes: Map<string, { findings: number; sessions: number; worst: ReportFinding['severity']; first: PlacedFinding | null; occurrences: number }>;
  /** Per code and severity: the first LISTED_PER_CODE findings. */
  listed: Map<string, PlacedFinding[]>;
  table: { problems: TableRow[]; others: TableRow[]; total: number; completed: number; unlisted: number };
  /** The Files and listings section: its first MAX_FILE_ROWS rows, how many in all, whether any has hashes. */
  files: { rows: Array<{ session: number; channel: ReportChannel }>; total: number; hashed: boolean };
}

interface TableRow {
  session: number;
  channel: ReportChannel;
  /** The row's place among all channels. */
  position: number;
}

function digestReport(report: Report, sessions: Iterable<SessionView>): Digest {
  const digest: Digest = {
    sessions: 0,
    servers: new Map(),
    clients: new Map(),
    untracked: false,
    pairs: 0,
    modes: { passive: new Map(), active: new Map() },
    outcomes: new Map(),
    withUser: 0,
    notLoggedIn: 0,
    codes: new Map(),
    listed: new Map(),
    table: { problems: [], others: [], total: 0, completed: 0, unlisted: 0 },
    files: { rows: [], total: 0, hashed: false },
  };
  let position = 0;
  const addFinding = (session: number | null, finding: ReportFinding) => {
    const placed: PlacedFinding = { session, finding, position: position++ };
    let code = digest.codes.get(finding.code);
    if (code === undefined) {
      code = { findings: 0, sessions: 0, worst: finding.severity, first: null, occurrences: 0 };
      digest.codes.set(finding.code, code);
    }
    code.findings++;
    if (severityRank[finding.severity] < severityRank[code.worst]) code.worst = finding.severity;
    if (finding.severity !== 'info') {
      code.occurrences += finding.count ?? 1;
      if (code.first === null || severityRank[finding.severity] < severityRank[code.first.finding.severity]) code.first = placed;
    }
    const key = `${finding.severity}|${finding.code}`;
    const list = digest.listed.get(key) ?? [];
    if (list.length < LISTED_PER_CODE) list.push(placed);
    digest.listed.set(key, list);
  };
  for (const finding of report.findings) addFinding(null, finding);
  for (const session of sessions) {
    digest.sessions++;
    const server = formatEndpoint(session.server);
    let entry = digest.servers.get(server);
    if (entry === undefined && digest.servers.size < OVERVIEW_TRACKED) {
      entry = { sessions: 0, clients: new Set() };
      digest.servers.set(server, entry);
    }
    if (entry === undefined) digest.untracked = true;
    else {
      entry.sessions++;
      if (!entry.clients.has(session.client.ip)) {
        if (digest.pairs < OVERVIEW_TRACKED) {
          entry.clients.add(session.client.ip);
          digest.pairs++;
        } else digest.untracked = true;
      }
    }
    const client = digest.clients.get(session.client.ip);
    if (client !== undefined) digest.clients.set(session.client.ip, client + 1);
    else if (digest.clients.size < OVERVIEW_TRACKED) digest.clients.set(session.client.ip, 1);
    else digest.untracked = true;
    if (session.user !== null) {
      digest.withUser++;
      if (!session.loggedIn) digest.notLoggedIn++;
    }
    for (const channel of session.dataChannels) {
      if (channel.content !== null) {
        const files = digest.files;
        if (files.rows.length < MAX_FILE_ROWS) files.rows.push({ session: session.id, channel });
        files.total++;
        if (channel.content.sha256 !== null) files.hashed = true;
      }
      const methods = digest.modes[channel.mode];
      methods.set(channel.method, (methods.get(channel.method) ?? 0) + 1);
      digest.outcomes.set(channel.status, (digest.outcomes.get(channel.status) ?? 0) + 1);
      const table = digest.table;
      const row: TableRow = { session: session.id, channel, position: table.total++ };
      if (channel.status === 'completed') {
        table.completed++;
        if (table.others.length < MAX_TABLE_ROWS) table.others.push(row);
      } else if (table.problems.length < MAX_TABLE_ROWS) table.problems.push(row);
    }
    const unlisted = session.unlistedDataChannels;
    if (unlisted !== undefined) {
      for (const mode of ['passive', 'active'] as const) {
        if (unlisted[mode] > 0) digest.modes[mode].set('unlisted', (digest.modes[mode].get('unlisted') ?? 0) + unlisted[mode]);
      }
      for (const [status, n] of Object.entries(unlisted.byStatus)) if (n > 0) digest.outcomes.set(status, (digest.outcomes.get(status) ?? 0) + n);
      digest.table.unlisted += unlisted.count;
    }
    const codes = new Set<string>();
    for (const finding of session.findings) {
      addFinding(session.id, finding);
      codes.add(finding.code);
    }
    for (const code of codes) (digest.codes.get(code) as { sessions: number }).sessions++;
  }
  return digest;
}

/**
 * For captures with many sessions: who talked to whom, which modes, how the data channels ended,
 * and the findings by code, before any per-session detail.
 */
function renderOverview(total: number, digest: Digest, style: Style): string {
  const lines = [style.bold(`Overview of ${total} sessions`)];
  const more = digest.untracked;
  const servers = sortCounts(new Map([...digest.servers].map(([server, entry]) => [server, entry.sessions])));
  lines.push('  servers');
  for (const [server, n] of servers.slice(0, OVERVIEW_ENTRIES)) {
    const clients = digest.servers.get(server)?.clients.size ?? 0;
    lines.push(`    ${server}  ${n} session${n === 1 ? '' : 's'} from ${more ? 'at least ' : ''}${clients} client${clients === 1 ? '' : 's'}`);
  }
  if (servers.length > OVERVIEW_ENTRIES) lines.push(style.dim(`    … ${more ? 'over ' : ''}${servers.length - OVERVIEW_ENTRIES} more servers`));
  const clients = sortCounts(digest.clients);
  lines.push(
    `  clients   ${listed(
      clients.slice(0, OVERVIEW_ENTRIES).map(([ip, n]) => `${ip} (${n})`),
      clients.length,
      'clients',
      more,
    )}`,
  );
  const modes = (['passive', 'active'] as const)
    .map((mode) => {
      const methods = sortCounts(digest.modes[mode]);
      const n = methods.reduce((sum, [, count]) => sum + count, 0);
      if (n === 0) return null;
      return `${mode} ${n} (${methods.map(([m, count]) => `${m} ${count}`).join(', ')})`;
    })
    .filter((m): m is string => m !== null);
  lines.push(`  modes     ${modes.length > 0 ? modes.join('; ') : 'no data channel'}`);
  const outcomes = sortCounts(digest.outcomes).map(([status, n]) => `${statusStyle(style, status as ReportChannel['status'])} ${n}`);
  if (outcomes.length > 0) lines.push(`  outcomes  ${outcomes.join(', ')}`);
  lines.push(`  logins    ${digest.withUser - digest.notLoggedIn} logged in, ${digest.notLoggedIn} not, ${digest.sessions - digest.withUser} without USER`);
  // One line per code, worst severity first, then the most frequent.
  const codes = sortCounts(new Map([...digest.codes].map(([code, entry]) => [code, entry.findings])));
  const worst = (code: string) => digest.codes.get(code)?.worst ?? 'info';
  codes.sort((a, b) => severityRank[worst(a[0])] - severityRank[worst(b[0])] || b[1] - a[1]);
  if (codes.length === 0) lines.push('  findings  none');
  else {
    lines.push('  findings');
    for (const [code, n] of codes.slice(0, OVERVIEW_ENTRIES * 2)) {
      const severity = worst(code);
      const mark = severity === 'error' ? style.red('error  ') : severity === 'warning' ? style.yellow('warning') : 'info   ';
      const sessionsWith = digest.codes.get(code)?.sessions ?? 0;
      lines.push(`    ${mark} ${code} ×${n}${sessionsWith > 0 ? style.dim(` in ${sessionsWith} session${sessionsWith === 1 ? '' : 's'}`) : ''}`);
    }
    if (codes.length > OVERVIEW_ENTRIES * 2) lines.push(style.dim(`    … ${codes.length - OVERVIEW_ENTRIES * 2} more codes: see Findings below`));
  }
  lines.push(style.dim('  One part only: --session N, --client ADDR, --server ADDR[:PORT]'));
  return lines.join('\n');
}

/** The firewall section on its own (`ftpcap firewall`), without analyze's pointer to that command. */
export function renderFirewallSection(report: Report, options: Pick<TextOptions, 'color'>): string {
  return renderFirewallText(report.firewall, makeStyle(options.color));
}

/** One session's block, on its own (`ftpcap watch` prints each as it ends). */
export function renderSessionText(session: SessionView, options: Pick<TextOptions, 'color'>): string {
  return `${renderSession(session, makeStyle(options.color))}\n`;
}

/** Everything but the sessions' blocks: at a glance, the data channel table, the findings and the firewall. */
export function renderSummaryText(report: Report, options: TextOptions): string {
  const style = makeStyle(options.color);
  const digest = digestReport(report, report.sessions);
  const out: string[] = [renderHeader(report, style), renderAtAGlance(digest, style)];
  if (digest.sessions > 0) out.push(renderChannelTable(digest, style));
  out.push(renderFiles(digest, style));
  out.push(renderFindings(digest, style));
  if (options.firewall && report.firewall.servers.length > 0) out.push(renderFirewall(report, style));
  return `${out.filter((s) => s.length > 0).join('\n\n')}\n`;
}

function renderHeader(report: Report, style: Style): string {
  const lines: string[] = [];
  for (const input of report.inputs) {
    const truncated = input.truncatedPackets > 0 ? `, ${input.truncatedPackets} cut by the snap length` : '';
    lines.push(`${style.bold('ftpcap')} ${sanitize(input.file)}: ${input.format}, ${input.linkType}, ${input.packets} packets${truncated}`);
    for (const problem of input.problems) {
      const where = [problem.frame !== null ? `packet ${problem.frame}` : null, problem.offset !== null ? `byte ${problem.offset}` : null]
        .filter(Boolean)
        .join(', ');
      const label = problem.severity === 'error' ? style.red('error') : style.yellow('warning');
      lines.push(`  ${label} ${sanitize(problem.message)}${where ? ` (${where})` : ''}`);
    }
  }
  const s = report.summary;
  const statusParts = Object.entries(s.byStatus)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`);
  lines.push(
    `${s.sessions} FTP session${s.sessions === 1 ? '' : 's'}, ${s.dataChannels} data channel${s.dataChannels === 1 ? '' : 's'}` +
      (statusParts.length > 0 ? ` (${statusParts.join(', ')})` : ''),
  );
  const undecoded = Object.entries(s.undecodedFrames);
  if (undecoded.length > 0) {
    const n = undecoded.reduce((sum, [, count]) => sum + count, 0);
    lines.push(`${n} frame${n === 1 ? '' : 's'} could not be decoded: ${undecoded.map(([reason, count]) => `${sanitize(reason)} (${count})`).join(', ')}`);
  }
  if (s.unopenedControlConnections > 0) {
    const n = s.unopenedControlConnections;
    lines.push(`${n} FTP control connection${n === 1 ? '' : 's'} never opened (refused or unanswered; listed below)`);
  }
  if (s.otherProtocolConnections > 0) {
    const n = s.otherProtocolConnections;
    lines.push(style.dim(`${n} connection${n === 1 ? '' : 's'} on FTP ports carried another protocol (not FTP) and ${n === 1 ? 'is' : 'are'} left out.`));
  }
  if (s.sessions === 0 && s.unopenedControlConnections === 0) {
    lines.push(
      style.dim(
        s.tcpSegments === 0
          ? 'No TCP segment could be decoded (see the findings below).'
          : 'No FTP control connection was found. FTP on a port other than 21? Try --ftp-port N.',
      ),
    );
  }
  return lines.join('\n');
}

/** Lines of the unopened control connections written per chunk (a flood of SYNs lists many). */
const UNOPENED_LINES_PER_CHUNK = 1000;

/**
 * Control connections that never opened: one line each, so retries show as what they are; in
 * chunks of lines (each but the first begins with the line break the chunk before it lacks).
 */
function* renderUnopened(report: Report, style: Style): Generator<string> {
  const list = report.unopenedControlConnections;
  if (list.length === 0) return;
  let lines = [style.bold(`── Control connections that never opened (${list.length}) ${'─'.repeat(30)}`)];
  let first = true;
  const chunk = () => {
    const text = `${first ? '' : '\n'}${lines.join('\n')}`;
    first = false;
    lines = [];
    return text;
  };
  for (const u of list) {
    if (lines.length === UNOPENED_LINES_PER_CHUNK) yield chunk();
    const tries = `${u.synCount} SYN${u.synCount === 1 ? '' : 's'}${u.synCount > 1 ? ` over ${formatDelay(u.retryMicros)}` : ''}`;
    const how = u.outcome === 'refused' ? `refused: RST, frame ${frameLabel(u.rstFrame, u.rstInput)}` : 'unanswered';
    lines.push(
      `  ${frameLabel(u.synFrame, u.synInput).padStart(6)}  ${clock(u.synTime)}  ${formatEndpoint(u.client)} → ${formatEndpoint(u.server)}  ${tries}, ${style.red(how)}`,
    );
  }
  yield chunk();
}

function renderSession(session: SessionView, style: Style): string {
  const lines: string[] = [];
  const title = ` Session ${session.id} `;
  lines.push(style.bold(`──${title}${'─'.repeat(Math.max(4, 72 - title.length))}`));
  lines.push(`  client   ${formatEndpoint(session.client)}`);
  lines.push(`  server   ${formatEndpoint(session.server)}`);
  const login = session.user === null ? 'never sent' : `${sanitize(session.user)} (${session.loggedIn ? 'logged in' : 'not logged in'})`;
  lines.push(`  user     ${login}`);
  const duration = formatDelay(micros(session.end) - micros(session.start));
  lines.push(`  time     ${clock(session.start)} → ${session.end.slice(11, 26)} (${duration})`);
  if (session.midstream) lines.push(`  ${style.yellow('note')}     the control connection began before the capture`);
  if (session.tls) lines.push(`  ${style.yellow('note')}     the control connection switched to TLS: announcements after that are invisible`);
  const unlisted = session.unlistedDataChannels;
  if (unlisted !== undefined) lines.push(`  ${style.yellow('note')}     ${describeUnlisted(unlisted)}`);
  const start = micros(session.start);
  lines.push('');
  lines.push(style.dim('   frame  seconds   from    what'));
  for (const entry of session.timeline) lines.push(...renderEntry(entry, start, style));
  if (session.timelineDropped > 0) lines.push(style.dim(`   … ${session.timelineDropped} more events not shown`));
  lines.push(...renderTransferPerformance(session));
  return lines.join('\n');
}

const sourceLabel: Record<ReportTimelineEntry['source'], string> = {
  client: 'client',
  server: 'server',
  data: 'data',
  analysis: 'ftpcap',
};

function renderEntry(entry: ReportTimelineEntry, start: number, style: Style): string[] {
  const frame = frameLabel(entry.frame, entry.input).padStart(8);
  const offset = `+${((micros(entry.time) - start) / 1e6).toFixed(3)}`.padStart(9);
  const tag = entry.channel !== undefined ? `#${entry.channel} ` : '';
  let who = sourceLabel[entry.source];
  if (entry.source === 'data') who = `data${entry.channel !== undefined ? `#${entry.channel}` : ''}`;
  const prefix = `${frame} ${offset}   ${who.padEnd(7)} `;
  const indent = ' '.repeat(prefix.length);
  const text = sanitize(entry.text);
  if (entry.kind === 'finding') return [`${prefix}${style.yellow(`⚠ ${text}`)}`];
  if (entry.kind === 'gap') return [`${prefix}${style.yellow(`… ${text}`)}`];
  if (entry.line === undefined) return [`${prefix}${style.cyan(`${entry.source === 'data' ? '' : tag}${text}`)}`];
  return [`${prefix}${style.bold(sanitize(entry.line))}`, `${indent}${style.dim(`${tag}${text}`)}`];
}

const statusStyle = (style: Style, status: ReportChannel['status']): string =>
  status === 'completed' ? style.green(status) : status === 'unused' ? status : status === 'incomplete' ? style.yellow(status) : style.red(status);

/** Rows of the data-channel table (about a screen); past that, completed channels are counted, not listed. */
const MAX_TABLE_ROWS = 20;

/**
 * The channels the table lists, in report order: all when they fit, else every channel that did
 * not complete (up to the limit) and as many completed ones as room is left for.
 */
function tableChannels(digest: Digest): { rows: TableRow[]; omitted: number; omittedCompleted: number } {
  const { problems, others, total, completed } = digest.table;
  const room = MAX_TABLE_ROWS - problems.length;
  const rows = [...problems, ...others.slice(0, room)].sort((a, b) => a.position - b.position);
  const keptCompleted = Math.min(room, others.length);
  return { rows, omitted: total - rows.length, omittedCompleted: completed - keptCompleted };
}

/** The session's data channels counted, not listed, in one line. */
export function describeUnlisted(unlisted: ReportUnlistedChannels): string {
  const n = unlisted.count;
  const outcomes = Object.entries(unlisted.byStatus)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
  const missing = unlisted.missingBytes > 0 ? `, ${formatBytes(unlisted.missingBytes)} of them not in the capture` : '';
  return `${n} more data channel${n === 1 ? ' is' : 's are'} not listed (past maxDataChannelsPerSession), only counted: ${unlisted.passive} passive, ${unlisted.active} active; ${outcomes}; ${formatBytes(unlisted.bytes)} carried${missing}`;
}

function renderChannelTable(digest: Digest, style: Style): string {
  const table = new Table({
    head: ['sess', 'ch', 'mode', 'method', 'announced', 'data connection', 'handshake', 'transfer', 'outcome', 'bytes'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  const { rows, omitted, omittedCompleted } = tableChannels(digest);
  for (const { session, channel } of rows) {
    const c = channel.connection;
    const announced = channel.announced
      ? channel.announced.ip === null
        ? `port ${channel.announced.port}`
        : formatEndpoint({ ip: channel.announced.ip, port: channel.announced.port })
      : 'refused';
    const connection = c ? `${formatEndpoint(c.from)} →\n${formatEndpoint(c.to)}` : channel.status === 'refused' ? '-' : 'none seen';
    const handshake =
      c?.handshake === 'midstream'
        ? 'not in the\ncapture'
        : c
          ? [
              `SYN ${frameLabel(c.synFrame, c.synInput)}${c.synCount > 1 ? ` ×${c.synCount}` : ''}`,
              c.synAckFrame !== null ? `SYN-ACK ${frameLabel(c.synAckFrame, c.synAckInput)}` : 'no SYN-ACK',
              ...(c.handshake === 'established' ? [] : [style.red(c.handshake)]),
              ...(c.unreachable ? [style.red(`ICMP ${c.unreachable.kind} ${frameLabel(c.unreachable.frame, c.unreachable.input)}`)] : []),
            ].join('\n')
          : '-';
    const t = channel.transfer;
    const transfer = t ? `${t.command} ${sanitize(t.arg)}`.trim() + (t.replyCode !== null ? ` → ${t.replyCode}` : '') : '-';
    table.push([
      `${session}`,
      `${channel.index}`,
      channel.mode,
      channel.method,
      `${announced}\nframe ${frameLabel(channel.frame, channel.input)}`,
      connection,
      handshake,
      truncate(transfer, 28),
      statusStyle(style, channel.status),
      c ? c.bytes.toLocaleString('en-US') : '-',
    ]);
  }
  const which = omittedCompleted === omitted ? 'all completed' : `${omittedCompleted} of them completed`;
  const kept = digest.table.unlisted > 0 ? ' the analysis kept' : '';
  const more = omitted > 0 ? `\n${style.dim(`  … ${omitted} more channels (${which}) are not listed: --format json lists every channel${kept}`)}` : '';
  const counted = digest.table.unlisted;
  const folded =
    counted > 0
      ? `\n${style.dim(`  … ${counted} more channel${counted === 1 ? ' was' : 's were'} only counted (past maxDataChannelsPerSession): see their sessions`)}`
      : '';
  return `${style.bold('Data channels')}\n${table.toString()}${more}${folded}`;
}

/** Data channels whose content the files section lists; the rest are counted (the JSON has them all). */
const MAX_FILE_ROWS = 40;
/** Missing ranges shown per file. */
const MAX_RANGES_SHOWN = 4;

/**
 * What each data connection carried: the file or listing, its size, whether the capture holds it
 * whole (else the missing ranges), its type and hashes.
 */
function renderFiles(digest: Digest, style: Style): string {
  const { rows, total, hashed } = digest.files;
  if (total === 0) return '';
  const lines = [style.bold('Files and listings')];
  for (const { session, channel } of rows) {
    const content = channel.content!;
    const t = channel.transfer;
    const what = t ? `${t.command} ${sanitize(t.arg)}`.trim() : 'no transfer command seen';
    const whole = content.complete ? style.green('complete') : style.yellow(incompleteText(content));
    const type = content.listing
      ? `listing, ${content.listing.entries.length + content.listing.entriesDropped} entries (${content.listing.format})`
      : content.type
        ? (content.type.mime ?? content.type.name)
        : 'type unknown';
    lines.push(
      `  ${style.bold(`session ${session} #${channel.index}`)}  ${truncate(what, 60)}: ${formatBytes(content.size)} from the ${content.sender}, ${whole}, ${type}`,
    );
    const notes: string[] = [];
    if (content.restOffset !== null) notes.push(`REST ${content.restOffset}: the bytes are the file from offset ${content.restOffset} on`);
    if (content.asciiMode && !content.listing) notes.push('ASCII mode (TYPE A): line ends on the wire are CRLF; the file on disk may differ');
    for (const note of notes) lines.push(`      ${style.dim(note)}`);
    if (content.sha256 !== null) {
      lines.push(`      ${style.dim(`sha256 ${content.sha256}`)}`);
      lines.push(`      ${style.dim(`md5 ${content.md5}  sha1 ${content.sha1}`)}`);
    }
  }
  if (total > rows.length) lines.push(style.dim(`  … ${total - rows.length} more: --format json lists every data channel's content`));
  if (!hashed) lines.push(style.dim('  hashes not computed: --hash always (off by default for inputs over 64 MiB)'));
  return lines.join('\n');
}

function incompleteText(content: NonNullable<ReportChannel['content']>): string {
  const parts: string[] = [];
  if (content.missingBytes > 0) {
    const ranges = content.missing.slice(0, MAX_RANGES_SHOWN).map((r) => `${r.start}-${r.end}`);
    const more = content.missing.length - ranges.length + content.missingRangesDropped;
    parts.push(`${formatBytes(content.missingBytes)} missing at ${ranges.join(', ')}${more > 0 ? ` and ${more} more ranges` : ''}`);
  }
  if (content.startUnknown) parts.push('start not in the capture');
  if (!content.endSeen) parts.push('end not in the capture');
  return `incomplete (${parts.join('; ')})`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function renderFindings(digest: Digest, style: Style): string {
  const all = [...digest.listed.values()].flat().sort((a, b) => severityRank[a.finding.severity] - severityRank[b.finding.severity] || a.position - b.position);
  if (all.length === 0) return `${style.bold('Findings')}\n  none: nothing in the capture points to a problem`;
  const lines = [style.bold('Findings')];
  const shown = new Map<string, number>();
  for (const { session, finding } of all) {
    const count = shown.get(finding.code) ?? 0;
    if (count >= LISTED_PER_CODE) continue;
    shown.set(finding.code, count + 1);
    const severity = finding.severity === 'error' ? style.red('error  ') : finding.severity === 'warning' ? style.yellow('warning') : 'info   ';
    const where = findingWhere(session, finding);
    lines.push(`  ${severity} ${style.bold(finding.code)}${where ? style.dim(` (${where})`) : ''}`);
    lines.push(`          ${sanitize(finding.message)}`);
    if (finding.fix) lines.push(`          ${style.dim('likely fix:')} ${sanitize(finding.fix)}`);
  }
  for (const [code, entry] of digest.codes) {
    const listedCount = shown.get(code) ?? 0;
    if (entry.findings > listedCount) {
      lines.push(style.dim(`  … ${entry.findings - listedCount} more ${code} findings are not listed: --format json lists every finding`));
    }
  }
  return lines.join('\n');
}

/** Where a finding is: `session 2, frame 17` (either part may be missing). */
function findingWhere(session: number | null, finding: ReportFinding): string {
  return [session !== null ? `session ${session}` : null, finding.frame !== null ? `frame ${frameLabel(finding.frame, finding.input)}` : null]
    .filter(Boolean)
    .join(', ');
}

/** Most problems listed up front, one per code. */
const GLANCE_CODES = 6;

/**
 * The answer first: what went wrong, where, and the likely fix, one line pair per finding code
 * (errors before warnings), before the timelines and tables that prove it.
 */
function renderAtAGlance(digest: Digest, style: Style): string {
  // Per code: the first finding (errors before warnings, then in report order), and how many occurrences all of its findings stand for.
  const byCode = [...digest.codes]
    .filter(([, entry]) => entry.first !== null)
    .map(([code, entry]) => ({ code, first: entry.first as PlacedFinding, occurrences: entry.occurrences }))
    .sort((a, b) => severityRank[a.first.finding.severity] - severityRank[b.first.finding.severity] || a.first.position - b.first.position);
  if (byCode.length === 0) return '';
  const lines = [style.bold('What went wrong')];
  for (const { code, first, occurrences } of byCode.slice(0, GLANCE_CODES)) {
    const { session, finding } = first;
    const where = findingWhere(session, finding);
    const more = occurrences > 1 ? ` (and ${occurrences - 1} more)` : '';
    const mark = finding.severity === 'error' ? style.red('✗') : style.yellow('!');
    lines.push(`  ${mark} ${style.bold(code)}${more}${where ? style.dim(` — ${where}`) : ''}`);
    lines.push(`    ${sanitize(finding.message)}`);
    if (finding.fix) lines.push(`    ${style.dim('fix:')} ${sanitize(finding.fix)}`);
  }
  if (byCode.length > GLANCE_CODES) lines.push(style.dim(`  … ${byCode.length - GLANCE_CODES} more kinds of finding: see Findings below`));
  return lines.join('\n');
}

function renderFirewall(report: Report, style: Style): string {
  const hint = style.dim('(other dialects and sides: --dialect all --side client --side router; ftpcap firewall --help)');
  return `${renderFirewallText(report.firewall, style)}\n\n${hint}`;
}
