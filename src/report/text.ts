/**
 * The report for people: one block per session with its timeline, a table of every data channel,
 * the findings, and the firewall rules. Pure: report in, text out (STYLE habit 10).
 */
import Table from 'cli-table3';
import type { Report, ReportChannel, ReportFinding, ReportSession, ReportTimelineEntry } from './build';
import { formatDelay, formatEndpoint } from '../text';
import { sanitize } from './sanitize';

export interface TextOptions {
  /** Use ANSI colours (only on a terminal). */
  color: boolean;
  /** Print the firewall rules section. */
  firewall: boolean;
  /** Which rule sets to print: nftables (default), iptables, or both. */
  rules?: 'nftables' | 'iptables' | 'all';
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
function frameLabel(frame: number | null, input: unknown): string {
  if (frame === null) return '-';
  return typeof input === 'number' ? `${input}:${frame}` : `${frame}`;
}

export function renderText(report: Report, options: TextOptions): string {
  const style = makeStyle(options.color);
  const out: string[] = [];
  out.push(renderHeader(report, style));
  out.push(renderAtAGlance(report, style));
  out.push(renderUnopened(report, style));
  for (const session of report.sessions) out.push(renderSession(session, style));
  if (report.sessions.length > 0) out.push(renderChannelTable(report, style));
  out.push(renderFindings(report, style));
  if (options.firewall && report.firewall.servers.length > 0) out.push(renderFirewall(report, style, options.rules ?? 'nftables'));
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
      lines.push(`  ${style.red('error')} ${sanitize(problem.message)}${where ? ` (${where})` : ''}`);
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

/** Control connections that never opened: one line each, so retries show as what they are. */
function renderUnopened(report: Report, style: Style): string {
  const list = report.unopenedControlConnections;
  if (list.length === 0) return '';
  const lines = [style.bold(`── Control connections that never opened (${list.length}) ${'─'.repeat(30)}`)];
  for (const u of list) {
    const tries = `${u.synCount} SYN${u.synCount === 1 ? '' : 's'}${u.synCount > 1 ? ` over ${formatDelay(u.retryMicros)}` : ''}`;
    const how = u.outcome === 'refused' ? `refused: RST, frame ${frameLabel(u.rstFrame, u.rstInput)}` : 'unanswered';
    lines.push(`  ${frameLabel(u.synFrame, u.synInput).padStart(6)}  ${clock(u.synTime)}  ${formatEndpoint(u.client)} → ${formatEndpoint(u.server)}  ${tries}, ${style.red(how)}`);
  }
  return lines.join('\n');
}

function renderSession(session: ReportSession, style: Style): string {
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
  const start = micros(session.start);
  lines.push('');
  lines.push(style.dim('   frame  seconds   from    what'));
  for (const entry of session.timeline) lines.push(...renderEntry(entry, start, style));
  if (session.timelineDropped > 0) lines.push(style.dim(`   … ${session.timelineDropped} more events not shown`));
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
function tableChannels(report: Report): { rows: Array<{ session: ReportSession; channel: ReportChannel }>; omitted: ReportChannel[] } {
  const all = report.sessions.flatMap((session) => session.dataChannels.map((channel) => ({ session, channel })));
  if (all.length <= MAX_TABLE_ROWS) return { rows: all, omitted: [] };
  const problems = all.filter((r) => r.channel.status !== 'completed').slice(0, MAX_TABLE_ROWS);
  let room = MAX_TABLE_ROWS - problems.length;
  const keep = new Set(problems);
  for (const r of all) {
    if (room === 0) break;
    if (!keep.has(r)) {
      keep.add(r);
      room--;
    }
  }
  return { rows: all.filter((r) => keep.has(r)), omitted: all.filter((r) => !keep.has(r)).map((r) => r.channel) };
}

function renderChannelTable(report: Report, style: Style): string {
  const table = new Table({
    head: ['sess', 'ch', 'mode', 'method', 'announced', 'data connection', 'handshake', 'transfer', 'outcome', 'bytes'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  const { rows, omitted } = tableChannels(report);
  for (const { session, channel } of rows) {
    const c = channel.connection;
    const announced = channel.announced
      ? channel.announced.ip === null
        ? `port ${channel.announced.port}`
        : formatEndpoint({ ip: channel.announced.ip, port: channel.announced.port })
      : 'refused';
    const connection = c ? `${formatEndpoint(c.from)} →\n${formatEndpoint(c.to)}` : channel.status === 'refused' ? '-' : 'none seen';
    const handshake = c?.handshake === 'midstream'
      ? 'not in the\ncapture'
      : c
      ? [
          `SYN ${frameLabel(c.synFrame, c.synInput)}${c.synCount > 1 ? ` ×${c.synCount}` : ''}`,
          c.synAckFrame !== null ? `SYN-ACK ${frameLabel(c.synAckFrame, c.synAckInput)}` : 'no SYN-ACK',
          ...(c.handshake === 'established' ? [] : [style.red(c.handshake)]),
        ].join('\n')
      : '-';
    const t = channel.transfer;
    const transfer = t ? `${t.command} ${sanitize(t.arg)}`.trim() + (t.replyCode !== null ? ` → ${t.replyCode}` : '') : '-';
    table.push([
      `${session.id}`,
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
  const completed = omitted.filter((c) => c.status === 'completed').length;
  const which = completed === omitted.length ? 'all completed' : `${completed} of them completed`;
  const more = omitted.length > 0 ? `\n${style.dim(`  … ${omitted.length} more channels (${which}) are not listed: --format json lists every channel`)}` : '';
  return `${style.bold('Data channels')}\n${table.toString()}${more}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function renderFindings(report: Report, style: Style): string {
  const all = allFindings(report);
  if (all.length === 0) return `${style.bold('Findings')}\n  none: nothing in the capture points to a problem`;
  const lines = [style.bold('Findings')];
  for (const { session, finding } of all) {
    const severity =
      finding.severity === 'error' ? style.red('error  ') : finding.severity === 'warning' ? style.yellow('warning') : 'info   ';
    const where = findingWhere(session, finding);
    lines.push(`  ${severity} ${style.bold(finding.code)}${where ? style.dim(` (${where})`) : ''}`);
    lines.push(`          ${sanitize(finding.message)}`);
    if (finding.fix) lines.push(`          ${style.dim('likely fix:')} ${sanitize(finding.fix)}`);
  }
  return lines.join('\n');
}

/** Findings in the order a reader needs them: errors, warnings, then information. */
function allFindings(report: Report): Array<{ session: number | null; finding: ReportFinding }> {
  const all = [
    ...report.findings.map((finding) => ({ session: null as number | null, finding })),
    ...report.sessions.flatMap((s) => s.findings.map((finding) => ({ session: s.id as number | null, finding }))),
  ];
  const order = { error: 0, warning: 1, info: 2 };
  return all.sort((a, b) => order[a.finding.severity] - order[b.finding.severity]);
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
function renderAtAGlance(report: Report, style: Style): string {
  const problems = allFindings(report).filter((f) => f.finding.severity !== 'info');
  if (problems.length === 0) return '';
  const byCode = new Map<string, typeof problems>();
  for (const p of problems) byCode.set(p.finding.code, [...(byCode.get(p.finding.code) ?? []), p]);
  const lines = [style.bold('What went wrong')];
  for (const [code, list] of [...byCode].slice(0, GLANCE_CODES)) {
    const { session, finding } = list[0];
    const where = findingWhere(session, finding);
    const more = list.length > 1 ? ` (and ${list.length - 1} more)` : '';
    const mark = finding.severity === 'error' ? style.red('✗') : style.yellow('!');
    lines.push(`  ${mark} ${style.bold(code)}${more}${where ? style.dim(` — ${where}`) : ''}`);
    lines.push(`    ${sanitize(finding.message)}`);
    if (finding.fix) lines.push(`    ${style.dim('fix:')} ${sanitize(finding.fix)}`);
  }
  if (byCode.size > GLANCE_CODES) lines.push(style.dim(`  … ${byCode.size - GLANCE_CODES} more kinds of finding: see Findings below`));
  return lines.join('\n');
}

function renderFirewall(report: Report, style: Style, rules: 'nftables' | 'iptables' | 'all'): string {
  const fw = report.firewall;
  const lines = [style.bold('Firewall rules for the traffic seen')];
  for (const server of fw.servers) {
    const name = server.family === 'ipv6' ? `[${server.ip}]` : server.ip;
    lines.push(`  ${name} control port ${server.controlPort}, ${server.sessions} session${server.sessions === 1 ? '' : 's'}`);
    if (server.passivePorts) {
      const seen = server.passivePortsSeen.length;
      lines.push(`    passive: clients connect to ports ${server.passivePorts.min}–${server.passivePorts.max} (${seen} port${seen === 1 ? '' : 's'} announced)`);
    }
    if (server.active) {
      const sources = server.active.sourcePorts.length > 0 ? server.active.sourcePorts.join(', ') : 'unknown';
      lines.push(
        `    active: server connects from port ${sources} to ${server.active.clients.join(', ')} ports ${server.active.clientPorts.min}–${server.active.clientPorts.max}`,
      );
    }
  }
  for (const note of fw.notes) lines.push(`  ${style.yellow('note')} ${sanitize(note)}`);
  if (rules !== 'iptables') {
    lines.push('', style.dim('nftables, with the kernel FTP helper:'), fw.rules.nftables.trimEnd());
    lines.push('', style.dim('nftables, without a helper (stateless, every port named):'), fw.rules.nftablesStateless.trimEnd());
  }
  if (rules !== 'nftables') {
    lines.push('', style.dim('iptables, with the kernel FTP helper:'), fw.rules.iptables.trimEnd());
    lines.push('', style.dim('iptables, without a helper:'), fw.rules.iptablesStateless.trimEnd());
  }
  if (rules === 'nftables') lines.push('', style.dim('(iptables rules: --rules iptables or --rules all; all four sets are in the JSON report)'));
  return lines.join('\n');
}

