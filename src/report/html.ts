/**
 * The report as one self-contained HTML page: an overview, a ladder diagram per session (SVG, the
 * same rows as the terminal's), the timeline, the findings with their fixes, and the firewall rules
 * with copy buttons. No network request (a Content-Security-Policy forbids any, and only the
 * page's own script may run), works from file://, prints, follows the system's dark mode, and can
 * be used with the keyboard. Pure: report in, text out (STYLE habit 10).
 *
 * Everything that comes from a capture (names, reply text, file names) is untrusted: it goes
 * through `escapeHtml` and never into markup, attribute names, URLs, CSS or script.
 */
import { createHash } from 'node:crypto';
import type { Report, ReportChannel, ReportFinding, ReportSession, ReportTimelineEntry } from './schema';
import { buildLadder, isoMicros, type Ladder, type LadderArrow, type LadderNote } from './ladder';
import { sanitize } from './sanitize';
import { formatDelay, formatEndpoint } from '../text';
import type { Flow, FlowEnd, RuleSet } from '../firewall/types';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or attribute value (quoted with "), control characters made visible first. */
export function escapeHtml(text: string): string {
  return sanitize(String(text)).replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

const h = escapeHtml;

function frameLabel(frame: number | null, input: unknown): string {
  if (frame === null) return '-';
  return typeof input === 'number' ? `${input}:${frame}` : `${frame}`;
}

function seconds(micros: number): string {
  return `+${(micros / 1e6).toFixed(3)}`;
}

export function renderHtml(report: Report): string {
  const ladders = report.sessions.map((s) => buildLadder(s));
  const title = report.inputs.map((i) => i.file.split(/[\\/]/).pop() ?? i.file).join(', ');
  const script = PAGE_SCRIPT;
  const hash = createHash('sha256').update(script).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`;
  const body = [
    renderHeader(report, title),
    '<main>',
    renderOverview(report),
    renderFindings(report),
    `<section id="sessions" aria-labelledby="sessions-h"><h2 id="sessions-h">Sessions</h2>${report.sessions.length === 0 ? '<p>No FTP session was found in the capture.</p>' : ''}${report.sessions.map((s, i) => renderSession(s, ladders[i])).join('\n')}</section>`,
    renderFirewall(report),
    '</main>',
    `<footer>Made by ${h(report.tool.name)} ${h(report.tool.version)} · JSON report schema ${report.schemaVersion}</footer>`,
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>ftpcap: ${h(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<a class="skip" href="#sessions">Skip to the sessions</a>
${body}
<script>${script}</script>
</body>
</html>
`;
}

function renderHeader(report: Report, title: string): string {
  const inputs = report.inputs
    .map(
      (i) =>
        `<li><code>${h(i.file)}</code>: ${h(i.format)}${i.compressed ? ` (${h(i.compressed)})` : ''}, ${h(i.linkType)}, ${i.packets.toLocaleString('en-US')} packets${i.problems.length > 0 ? `, <strong class="sev-error">${i.problems.length} problem${i.problems.length === 1 ? '' : 's'}</strong>: ${i.problems.map((p) => h(p.message)).join('; ')}` : ''}</li>`,
    )
    .join('');
  const nav = [
    ['overview', 'Overview'],
    ['findings', 'Findings'],
    ['sessions', 'Sessions'],
    ['firewall', 'Firewall rules'],
  ]
    .map(([id, label]) => `<a href="#${id}">${label}</a>`)
    .join('');
  return `<header><h1>FTP in <span class="file">${h(title)}</span></h1><ul class="inputs">${inputs}</ul><nav aria-label="Sections">${nav}</nav></header>`;
}

const STATUSES: ReportChannel['status'][] = ['completed', 'failed', 'refused', 'unused', 'incomplete'];

function renderOverview(report: Report): string {
  const s = report.summary;
  const channels = report.sessions.flatMap((x) => x.dataChannels);
  const cards = [
    [String(s.sessions), `session${s.sessions === 1 ? '' : 's'}`],
    [String(s.dataChannels), `data channel${s.dataChannels === 1 ? '' : 's'}`],
    [String(s.findings.error), 'errors', 'sev-error'],
    [String(s.findings.warning), 'warnings', 'sev-warning'],
    [String(s.findings.info), 'notes', 'sev-info'],
  ]
    .map(([n, label, cls]) => `<div class="card${cls ? ` ${cls}` : ''}"><span class="n">${n}</span> ${label}</div>`)
    .join('');
  const modes = (['passive', 'active'] as const).filter((m) => channels.some((c) => c.mode === m));
  const table =
    channels.length === 0
      ? '<p>No data channel was announced.</p>'
      : `<table class="matrix"><caption>Data channels by mode and outcome</caption><thead><tr><th scope="col">mode</th><th scope="col">methods</th>${STATUSES.map((st) => `<th scope="col" class="st-${st}">${st}</th>`).join('')}</tr></thead><tbody>${modes
          .map((mode) => {
            const ofMode = channels.filter((c) => c.mode === mode);
            const methods = [...new Set(ofMode.map((c) => c.method))].join(', ');
            return `<tr><th scope="row">${mode}</th><td>${methods}</td>${STATUSES.map((st) => {
              const n = ofMode.filter((c) => c.status === st).length;
              return `<td class="num${n > 0 ? ` st-${st}` : ' zero'}">${n}</td>`;
            }).join('')}</tr>`;
          })
          .join('')}</tbody></table>`;
  return `<section id="overview" aria-labelledby="overview-h"><h2 id="overview-h">Overview</h2><div class="cards">${cards}</div>${table}${renderNeeds(report)}</section>`;
}

/** One end of a flow as HTML (escaped): its addresses, one a line (the first few), then its ports. */
function formatFlowEnd(end: FlowEnd): string {
  const shown = end.addresses === null ? ['any address'] : end.addresses.slice(0, 4);
  const more = end.addresses !== null && end.addresses.length > 4 ? [`… ${end.addresses.length - 4} more`] : [];
  const ports = end.ports.length === 0 ? 'any port' : end.ports.map((p) => (p.min === p.max ? `${p.min}` : `${p.min}–${p.max}`)).join(', ');
  return `${[...shown, ...more].map(h).join('<br>')}<br>port ${h(ports)}`;
}

/** What the firewall must let through: the plan's flows (who opens which connection to whom). */
function renderNeeds(report: Report): string {
  const plan = report.firewall?.plan;
  if (!plan || plan.servers.length === 0) return '';
  const rows = plan.servers.flatMap((server) =>
    server.flows.map(
      (flow: Flow) =>
        `<tr><td>${h(server.ip.includes(':') ? `[${server.ip}]:${server.controlPort}` : `${server.ip}:${server.controlPort}`)}</td><td>${h(flow.role)}</td><td class="end">${formatFlowEnd(flow.initiator)}</td><td class="end">${formatFlowEnd(flow.responder)}</td><td>${flow.role === 'control' ? 'opened by the rules' : flow.helperCovers ? 'yes' : '<strong>no: open it</strong>'}</td><td>${h(flow.purpose)}</td></tr>`,
    ),
  );
  const notes = plan.notes.length > 0 ? `<ul class="notes">${plan.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : '';
  return `<h3>What the firewall needs</h3><p>Each row is a kind of connection the traffic opened; a stateful firewall lets its replies back. “Helper” says whether the kernel’s FTP helper would open it by itself.</p><div class="scroll"><table class="flows"><thead><tr><th scope="col">server</th><th scope="col">connection</th><th scope="col">opened by</th><th scope="col">to</th><th scope="col">helper</th><th scope="col">why</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>${notes}`;
}

function allFindings(report: Report): Array<{ session: number | null; finding: ReportFinding }> {
  const all = [
    ...report.findings.map((finding) => ({ session: null as number | null, finding })),
    ...report.sessions.flatMap((s) => s.findings.map((finding) => ({ session: s.id as number | null, finding }))),
  ];
  const order = { error: 0, warning: 1, info: 2 };
  return all.sort((a, b) => order[a.finding.severity] - order[b.finding.severity]);
}

/** One entry per finding code (worst first): where each happened, the message, the likely fix. */
function renderFindings(report: Report): string {
  const all = allFindings(report);
  const byCode = new Map<string, typeof all>();
  for (const f of all) byCode.set(f.finding.code, [...(byCode.get(f.finding.code) ?? []), f]);
  const where = ({ session, finding }: (typeof all)[number]) =>
    [
      session !== null ? `<a href="#session-${session}">session ${session}</a>` : null,
      finding.frame !== null ? `frame ${h(frameLabel(finding.frame, finding.input))}` : null,
    ]
      .filter(Boolean)
      .join(', ');
  const items = [...byCode]
    .map(([code, list]) => {
      const first = list[0].finding;
      const places = list.map(where).filter(Boolean);
      const messages = [...new Set(list.map((f) => f.finding.message))];
      const more =
        messages.length > 1
          ? `<details><summary>${messages.length - 1} more message${messages.length === 2 ? '' : 's'} for this code</summary><ul>${list
              .slice(1)
              .filter((f, i, rest) => rest.findIndex((g) => g.finding.message === f.finding.message) === i && f.finding.message !== first.message)
              .map((f) => `<li>${where(f) ? `${where(f)}: ` : ''}${h(f.finding.message)}</li>`)
              .join('')}</ul></details>`
          : '';
      const fix = first.fix ? `<p class="fix"><span class="k">Likely fix:</span> ${h(first.fix)}</p>` : '';
      const count = list.length > 1 ? ` <span class="count">×${list.length}</span>` : '';
      return `<li class="finding sev-${first.severity}" data-code="${h(code)}" data-count="${list.length}"><p><span class="badge sev-${first.severity}">${first.severity}</span> <code>${h(code)}</code>${count}${places.length > 0 ? ` <span class="where">${places.join('; ')}</span>` : ''}</p><p>${h(first.message)}</p>${more}${fix}</li>`;
    })
    .join('');
  return `<section id="findings" aria-labelledby="findings-h"><h2 id="findings-h">Findings</h2>${all.length === 0 ? '<p>None: nothing in the capture points to a problem.</p>' : `<ol class="findings">${items}</ol>`}</section>`;
}

function renderSession(session: ReportSession, ladder: Ladder): string {
  const duration = formatDelay(Math.max(0, isoMicros(session.end) - isoMicros(session.start)));
  const user = session.user === null ? 'never sent' : `${h(session.user)} (${session.loggedIn ? 'logged in' : 'not logged in'})`;
  const notes = [
    session.midstream ? 'the control connection began before the capture' : null,
    session.tls ? 'the control connection switched to TLS: announcements after that are invisible' : null,
  ].filter(Boolean);
  return `<article class="session" id="session-${session.id}" aria-labelledby="session-${session.id}-h">
<h3 id="session-${session.id}-h">Session ${session.id}: ${h(formatEndpoint(session.client))} → ${h(formatEndpoint(session.server))}</h3>
<dl class="facts"><dt>user</dt><dd>${user}</dd><dt>time</dt><dd>${h(session.start.slice(0, 10))} ${h(session.start.slice(11, 26))} UTC, ${h(duration)}</dd><dt>data channels</dt><dd>${session.dataChannels.length}</dd>${notes.map((n) => `<dt>note</dt><dd>${n}</dd>`).join('')}</dl>
<figure class="ladder-figure">${renderLadderSvg(ladder)}
<figcaption class="detail" id="detail-${session.id}" aria-live="polite">Point at an arrow, click it, or move to it with Tab (then ↑ ↓) to see its frame, time and line.</figcaption></figure>
${renderTimeline(session)}
</article>`;
}

function renderTimeline(session: ReportSession): string {
  const start = isoMicros(session.start);
  const rows = session.timeline
    .map((e: ReportTimelineEntry) => {
      const who = e.source === 'data' ? `data${e.channel !== undefined ? `#${e.channel}` : ''}` : e.source === 'analysis' ? 'ftpcap' : e.source;
      const line = e.line !== undefined ? `<code>${h(e.line)}</code><br>` : '';
      return `<tr class="k-${e.kind}"><td class="num">${h(frameLabel(e.frame, e.input))}</td><td class="num">${seconds(isoMicros(e.time) - start)}</td><td>${who}</td><td>${line}${h(e.text)}</td></tr>`;
    })
    .join('');
  const dropped = session.timelineDropped > 0 ? `<p>… ${session.timelineDropped} more events not shown.</p>` : '';
  return `<details class="timeline"><summary>Timeline (${session.timeline.length} events)</summary><div class="scroll"><table><thead><tr><th scope="col">frame</th><th scope="col">seconds</th><th scope="col">from</th><th scope="col">what</th></tr></thead><tbody>${rows}</tbody></table></div>${dropped}</details>`;
}

// ---------------------------------------------------------------- ladder SVG --

const W = 1040;
const X_CLIENT = 210;
const X_SERVER = 880;
const TOP = 64;
const ROW = 28;
const MEANING = 16;
const NOTE_LINE = 16;
/** Characters per line of a caption (12 px sans-serif between the lifelines). */
const NOTE_CHARS = 100;

function wrapText(text: string, room: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (!word) continue;
    if (!line) line = word;
    else if (line.length + 1 + word.length <= room) line += ` ${word}`;
    else {
      out.push(line);
      line = word;
    }
  }
  if (line) out.push(line);
  return out;
}

function clip(text: string, room: number): string {
  return text.length <= room ? text : `${text.slice(0, room - 1)}…`;
}

function renderLadderSvg(ladder: Ladder): string {
  const parts: string[] = [];
  let y = TOP;
  for (const row of ladder.rows) {
    if (row.type === 'arrow') {
      parts.push(svgArrow(row, y, ladder.session));
      y += ROW + (row.meaning !== null ? MEANING : 0);
    } else {
      const lines = wrapText(row.text, NOTE_CHARS);
      parts.push(svgNote(row, lines, y));
      y += lines.length * NOTE_LINE + 10;
    }
  }
  const height = y + 16;
  const client = `client ${formatEndpoint(ladder.client)}`;
  const server = `server ${formatEndpoint(ladder.server)}`;
  // Boxes as wide as their monospace text (about 7.3 px a character at 12 px), IPv6 included.
  const box = (text: string) => Math.min(300, Math.max(210, Math.ceil(text.length * 7.3) + 24));
  const heads = [
    `<g class="head"><rect x="${X_CLIENT - box(client) / 2}" y="6" width="${box(client)}" height="30" rx="5"/><text x="${X_CLIENT}" y="26" text-anchor="middle">${h(client)}</text></g>`,
    `<g class="head"><rect x="${X_SERVER - box(server) / 2}" y="6" width="${box(server)}" height="30" rx="5"/><text x="${X_SERVER}" y="26" text-anchor="middle">${h(server)}</text></g>`,
    `<text class="margin-head" x="6" y="56">seconds</text><text class="margin-head" x="112" y="56" text-anchor="end">frame</text>`,
    `<line class="life" x1="${X_CLIENT}" y1="36" x2="${X_CLIENT}" y2="${height - 6}"/><line class="life" x1="${X_SERVER}" y1="36" x2="${X_SERVER}" y2="${height - 6}"/>`,
  ];
  const label = `Ladder diagram of session ${ladder.session}: ${formatEndpoint(ladder.client)} and ${formatEndpoint(ladder.server)}, ${ladder.rows.filter((r) => r.type === 'arrow').length} packets drawn`;
  return `<svg class="ladder" data-session="${ladder.session}" data-drawn="${ladder.drawnChannels.join(' ')}" data-folded="${ladder.foldedChannels.join(' ')}" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="group" aria-label="${h(label)}" xmlns="http://www.w3.org/2000/svg">${heads.join('')}${parts.join('')}</svg>`;
}

function svgArrow(row: LadderArrow, y: number, session: number): string {
  const rightward = row.from === 'client';
  const xFrom = rightward ? X_CLIENT : X_SERVER;
  const xTo = rightward ? X_SERVER : X_CLIENT;
  const lineY = y + 18;
  const span = X_SERVER - X_CLIENT;
  const end = row.blocked ? xFrom + (rightward ? 1 : -1) * span * 0.72 : xTo + (rightward ? -1 : 1) * 2;
  const classes = ['arrow', `kind-${row.kind}`, `from-${row.from}`, row.data ? 'data' : 'control', row.blocked ? 'blocked' : ''].filter(Boolean).join(' ');
  const head = row.blocked
    ? `<text class="cross" x="${end}" y="${lineY + 5}" text-anchor="middle">✗</text>`
    : `<polygon class="head" points="${end},${lineY} ${end + (rightward ? -9 : 9)},${lineY - 5} ${end + (rightward ? -9 : 9)},${lineY + 5}"/>`;
  const labelText = clip(row.label, row.kind === 'control' ? 88 : 80);
  let labelX: number;
  let anchor: string;
  if (row.kind === 'control') {
    labelX = rightward ? X_CLIENT + 12 : X_SERVER - 12;
    anchor = rightward ? 'start' : 'end';
  } else {
    labelX = (xFrom + (row.blocked ? end : xTo)) / 2;
    anchor = 'middle';
  }
  const margin = [
    row.offsetMicros !== null ? `<text class="margin" x="6" y="${lineY + 4}">${seconds(row.offsetMicros)}</text>` : '',
    row.frame !== null ? `<text class="margin" x="112" y="${lineY + 4}" text-anchor="end">${h(frameLabel(row.frame, row.input))}</text>` : '',
    row.data
      ? `<text class="port" x="${X_CLIENT - 8}" y="${lineY + 4}" text-anchor="end">${row.clientEnd.port}</text><text class="port" x="${X_SERVER + 8}" y="${lineY + 4}">${row.serverEnd.port}</text>`
      : '',
  ].join('');
  const meaning =
    row.meaning !== null ? `<text class="meaning" x="${(X_CLIENT + X_SERVER) / 2}" y="${lineY + 17}" text-anchor="middle">${h(row.meaning)}</text>` : '';
  const time = row.offsetMicros !== null ? `${seconds(row.offsetMicros)} s` : 'no packet of its own';
  const tooltip = [row.frame !== null ? `frame ${frameLabel(row.frame, row.input)}` : null, time, row.line ?? row.label, row.text].filter(Boolean).join(' · ');
  const attrs = [
    `class="${classes}"`,
    'tabindex="0"',
    `data-kind="${row.kind}"`,
    `data-from="${row.from}"`,
    row.channel !== null ? `data-channel="${row.channel}"` : '',
    row.data ? `data-client-port="${row.clientEnd.port}" data-server-port="${row.serverEnd.port}"` : '',
    row.frame !== null ? `data-frame="${h(frameLabel(row.frame, row.input))}"` : '',
    `data-time="${h(row.time ?? '')}"`,
    `data-offset="${h(row.offsetMicros !== null ? seconds(row.offsetMicros) : '')}"`,
    `data-line="${h(row.line ?? row.label)}"`,
    `data-text="${h(row.text)}"`,
    `data-session="${session}"`,
  ]
    .filter(Boolean)
    .join(' ');
  return `<g ${attrs}><title>${h(tooltip)}</title><rect class="hit" x="${X_CLIENT - 60}" y="${y}" width="${span + 120}" height="${ROW + (row.meaning !== null ? MEANING : 0) - 2}"/>${margin}<line class="shaft" x1="${xFrom}" y1="${lineY}" x2="${end}" y2="${lineY}"/>${head}<text class="label" x="${labelX}" y="${lineY - 6}" text-anchor="${anchor}">${h(labelText)}</text>${meaning}</g>`;
}

function svgNote(note: LadderNote, lines: string[], y: number): string {
  const x = X_CLIENT + 14;
  const text = lines.map((line, i) => `<tspan x="${x}" y="${y + 14 + i * NOTE_LINE}">${h(line)}</tspan>`).join('');
  const channel = note.channel !== null ? ` data-channel="${note.channel}"` : '';
  return `<g class="note tone-${note.tone}"${channel}><rect x="${X_CLIENT + 6}" y="${y + 2}" width="${X_SERVER - X_CLIENT - 12}" height="${lines.length * NOTE_LINE + 6}" rx="4"/><text>${text}</text></g>`;
}

// ------------------------------------------------------------------ firewall --

function renderFirewall(report: Report): string {
  const firewall = report.firewall;
  let sets: Array<Pick<RuleSet, 'title' | 'apply' | 'text' | 'notes'>>;
  if (firewall && Array.isArray(firewall.sets)) sets = firewall.sets;
  else if (firewall?.rules) {
    const titles: Record<string, string> = {
      nftables: 'nftables with the FTP helper',
      iptables: 'iptables with the FTP helper',
      nftablesStateless: 'nftables, stateless',
      iptablesStateless: 'iptables, stateless',
    };
    sets = Object.entries(firewall.rules as unknown as Record<string, string>)
      .filter(([, text]) => text !== '')
      .map(([key, text]) => ({ title: titles[key] ?? key, apply: '', text, notes: [] }));
  } else sets = [];
  const blocks = sets
    .map((set, i) => {
      const notes = set.notes.length > 0 ? `<ul class="notes">${set.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : '';
      return `<div class="ruleset"><div class="rules-head"><h3>${h(set.title)}</h3><button type="button" class="copy" data-copy="rules-${i}" aria-label="Copy: ${h(set.title)}">Copy</button></div>${set.apply ? `<p class="apply">${h(set.apply)}</p>` : ''}<pre id="rules-${i}" tabindex="0"><code>${h(set.text)}</code></pre>${notes}</div>`;
    })
    .join('');
  const advice = (firewall?.plan?.servers ?? [])
    .flatMap((server) => server.serverConfig.entries.map((entry) => ({ server, entry })))
    .map(
      ({ server, entry }, i) =>
        `<div class="ruleset"><div class="rules-head"><h3>${h(entry.software)} on ${h(formatEndpoint({ ip: server.ip, port: server.controlPort }))}: ${h(entry.where)}</h3><button type="button" class="copy" data-copy="config-${i}" aria-label="Copy the ${h(entry.software)} settings">Copy</button></div><pre id="config-${i}" tabindex="0"><code>${h(entry.lines.join('\n'))}</code></pre></div>`,
    )
    .join('');
  const none = sets.length === 0 ? '<p>No FTP server in the capture: no rules to suggest.</p>' : '';
  return `<section id="firewall" aria-labelledby="firewall-h"><h2 id="firewall-h">Firewall rules</h2><p>For the traffic in this capture; other dialects and sides: <code>ftpcap firewall --dialect all --side all</code>.</p>${none}${blocks}${advice ? `<h3>Server settings</h3>${advice}` : ''}</section>`;
}

// ------------------------------------------------------------ style and script --

const PAGE_STYLE = `
:root{--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--panel:#f6f8fa;--accent:#0a58ca;--ok:#1a7f37;--warn:#9a6700;--err:#cf222e;--info:#57606a;--data:#0a7ea4;--note:#fff8c5;--fold:#ddf4ff;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--panel:#161b22;--accent:#4493f8;--ok:#3fb950;--warn:#d29922;--err:#f85149;--info:#9198a1;--data:#39c5cf;--note:#2d2a12;--fold:#10243a}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,main,footer{max-width:1080px;margin:0 auto;padding:0 20px}
header{padding-top:16px;border-bottom:1px solid var(--line)}
h1{font-size:1.5rem;margin:.3em 0}h2{font-size:1.25rem;margin:1.6em 0 .6em;border-bottom:1px solid var(--line);padding-bottom:.2em}h3{font-size:1.05rem;margin:1.2em 0 .4em}
a{color:var(--accent)}code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
.file{font-family:ui-monospace,monospace;font-weight:600;word-break:break-all}
.inputs{margin:.2em 0;padding-left:1.2em;color:var(--muted)}
nav{display:flex;gap:1em;flex-wrap:wrap;padding:.5em 0}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:var(--bg);padding:4px 8px;z-index:9}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid var(--line);border-radius:8px;padding:8px 14px;background:var(--panel)}.card .n{font-size:1.4rem;font-weight:700}
.sev-error{color:var(--err)}.sev-warning{color:var(--warn)}.sev-info{color:var(--info)}
table{border-collapse:collapse;margin:.6em 0}th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}thead th{background:var(--panel)}
caption{text-align:left;font-weight:600;padding:.2em 0}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.zero{color:var(--muted)}
.st-completed{color:var(--ok)}.st-failed,.st-refused{color:var(--err)}.st-incomplete{color:var(--warn)}
.scroll{overflow-x:auto}.flows td.end,.flows td:first-child{white-space:nowrap}
.findings{padding-left:1.4em}.finding{margin:.5em 0;padding:.3em .6em;border-left:4px solid var(--line)}.finding p{margin:.15em 0}
.finding.sev-error{border-color:var(--err)}.finding.sev-warning{border-color:var(--warn)}.finding{color:var(--fg)}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:.8em;font-weight:600;border:1px solid currentColor}
.where{color:var(--muted)}.count{font-weight:600}.finding details{font-size:.92em;color:var(--muted)}.fix .k{font-weight:600}
.session{margin:1.2em 0 2em}.facts{display:grid;grid-template-columns:max-content 1fr;gap:0 1em;margin:.3em 0}.facts dt{color:var(--muted)}.facts dd{margin:0;word-break:break-word}
.ladder-figure{margin:.6em 0;overflow-x:auto}
svg.ladder{display:block;max-width:100%;height:auto;font:12px system-ui,sans-serif}
svg.ladder .head rect{fill:var(--panel);stroke:var(--line)}svg.ladder .head text{fill:var(--fg);font-weight:600;font-family:ui-monospace,monospace}
svg.ladder .life{stroke:var(--muted);stroke-width:2}
svg.ladder .margin,svg.ladder .margin-head,svg.ladder .port{fill:var(--muted);font-family:ui-monospace,monospace;font-size:11px}
svg.ladder .arrow .hit{fill:transparent}
svg.ladder .arrow:hover .hit,svg.ladder .arrow:focus .hit,svg.ladder .arrow.selected .hit{fill:var(--panel)}
svg.ladder .arrow:focus{outline:none}svg.ladder .arrow:focus .hit{stroke:var(--accent);stroke-width:2}
svg.ladder .shaft{stroke:var(--fg);stroke-width:1.4}svg.ladder .head{fill:var(--fg)}svg.ladder .label{fill:var(--fg);font-family:ui-monospace,monospace;font-size:12px}
svg.ladder .from-server.control .shaft{stroke:var(--muted)}svg.ladder .from-server.control .head{fill:var(--muted)}
svg.ladder .arrow.data .shaft{stroke:var(--data)}svg.ladder .arrow.data .head{fill:var(--data)}svg.ladder .arrow.data .label{fill:var(--data)}
svg.ladder .kind-data .shaft{stroke-width:4}
svg.ladder .arrow.kind-rst .shaft,svg.ladder .arrow.blocked .shaft{stroke:var(--err)}svg.ladder .arrow.kind-rst .head{fill:var(--err)}svg.ladder .arrow.kind-rst .label,svg.ladder .arrow.blocked .label,svg.ladder .cross{fill:var(--err)}
svg.ladder .blocked .shaft{stroke-dasharray:6 4}svg.ladder .cross{font-size:16px;font-weight:700}
svg.ladder .meaning{fill:var(--warn);font-family:ui-monospace,monospace;font-size:12px}
svg.ladder .note rect{fill:var(--note);stroke:none}svg.ladder .note.tone-fold rect{fill:var(--fold)}svg.ladder .note text{fill:var(--fg);font-size:12px}
.detail{min-height:3.2em;margin-top:.3em;padding:.4em .6em;border:1px solid var(--line);border-radius:6px;background:var(--panel);font-size:.9em}
.detail code{white-space:pre-wrap;word-break:break-all}
.timeline summary{cursor:pointer;font-weight:600}.timeline table{font-size:.9em}.timeline code{word-break:break-all}
tr.k-finding td{color:var(--warn)}
.ruleset{margin:1em 0}.rules-head{display:flex;align-items:center;gap:1em;justify-content:space-between}.rules-head h3{margin:.4em 0}
pre{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:10px;overflow-x:auto;max-height:32em}
button.copy{font:inherit;font-size:.9em;padding:3px 12px;border-radius:6px;border:1px solid var(--line);background:var(--bg);color:var(--fg);cursor:pointer}button.copy:hover{border-color:var(--accent)}
.apply{color:var(--muted);margin:.2em 0}.notes{color:var(--muted);font-size:.92em}
footer{color:var(--muted);font-size:.85em;padding:2em 20px}
@media print{nav,.skip,button.copy,.detail{display:none}body{font-size:11pt}pre{max-height:none;white-space:pre-wrap}.session{break-inside:avoid-page}svg.ladder{max-width:100%}a{color:inherit;text-decoration:none}}
`;

/** The page's only script: the arrow details (hover, click, keyboard), copy buttons, printing with the timelines open. */
const PAGE_SCRIPT = `
(function () {
  'use strict';
  function show(g) {
    var panel = document.getElementById('detail-' + g.getAttribute('data-session'));
    if (!panel) return;
    var parts = [
      ['frame', g.getAttribute('data-frame') || '(no packet of its own)'],
      ['time', (g.getAttribute('data-offset') ? g.getAttribute('data-offset') + ' s  ' : '') + (g.getAttribute('data-time') || '')],
      ['line', g.getAttribute('data-line') || ''],
      ['meaning', g.getAttribute('data-text') || '']
    ];
    panel.textContent = '';
    parts.forEach(function (p) {
      var row = document.createElement('div');
      var k = document.createElement('strong');
      k.textContent = p[0] + ': ';
      var v = document.createElement(p[0] === 'line' ? 'code' : 'span');
      v.textContent = p[1];
      row.appendChild(k);
      row.appendChild(v);
      panel.appendChild(row);
    });
    document.querySelectorAll('svg.ladder .arrow.selected').forEach(function (x) { x.classList.remove('selected'); });
    g.classList.add('selected');
  }
  document.querySelectorAll('svg.ladder .arrow').forEach(function (g) {
    g.addEventListener('mouseenter', function () { show(g); });
    g.addEventListener('focus', function () { show(g); });
    g.addEventListener('click', function () { g.focus(); show(g); });
    g.addEventListener('keydown', function (e) {
      var list = Array.prototype.slice.call(g.ownerSVGElement.querySelectorAll('.arrow'));
      var i = list.indexOf(g);
      var next = e.key === 'ArrowDown' ? list[i + 1] : e.key === 'ArrowUp' ? list[i - 1] : e.key === 'Home' ? list[0] : e.key === 'End' ? list[list.length - 1] : null;
      if (next) { e.preventDefault(); next.focus(); }
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); show(g); }
    });
  });
  function copied(button, ok) {
    var before = 'Copy';
    button.textContent = ok ? 'Copied' : 'Select and copy';
    setTimeout(function () { button.textContent = before; }, 1600);
  }
  document.querySelectorAll('button.copy').forEach(function (button) {
    button.addEventListener('click', function () {
      var pre = document.getElementById(button.getAttribute('data-copy'));
      if (!pre) return;
      var text = pre.textContent;
      function fallback() {
        var range = document.createRange();
        range.selectNodeContents(pre);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        var ok = false;
        try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
        copied(button, ok);
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { copied(button, true); }, fallback);
      } else fallback();
    });
  });
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.setAttribute('open', ''); });
  });
})();
`;
