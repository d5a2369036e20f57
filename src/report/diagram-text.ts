/**
 * Ladder diagrams for the terminal: one per session, the client's lifeline on the left and the
 * server's on the right, relative times and frame numbers in the margin, data-connection ports at
 * the lifelines. Box drawing, or plain ASCII for terminals that cannot show Unicode. Pure: report
 * in, text out (STYLE habit 10).
 *
 * ```
 *   seconds  frame   client 198.51.100.22:38474                       server 192.0.2.10:21
 *    +0.057     15        │── PORT 198,51,100,22,168,59 ──────────────────────>│
 *                         │              = 198.51.100.22:43067                 │
 *    +0.057     18  43067 │<──────────────────── #1 SYN ───────────────────────│ 20
 * ```
 */
import type { Report } from './schema';
import { buildLadder, type Ladder, type LadderArrow, type LadderNote, type LadderOptions } from './ladder';
import { sanitize } from './sanitize';
import { formatDelay, formatEndpoint } from '../text';

export interface DiagramOptions extends LadderOptions {
  /** Columns the diagram may use (at least 60). */
  width: number;
  /** Plain ASCII instead of box drawing. */
  ascii: boolean;
  /** ANSI colours. */
  color: boolean;
}

interface Glyphs {
  line: string;
  thick: string;
  life: string;
  right: string;
  left: string;
  cross: string;
  ellipsis: string;
  rule: string;
}

const unicode: Glyphs = { line: '─', thick: '═', life: '│', right: '>', left: '<', cross: '✗', ellipsis: '…', rule: '─' };
const ascii: Glyphs = { line: '-', thick: '=', life: '|', right: '>', left: '<', cross: 'X', ellipsis: '...', rule: '-' };

/** Width of the port column on each side of the lifelines (`65535`). */
const PORT = 5;
const MIN_WIDTH = 60;

interface Paint {
  dim(s: string): string;
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  yellow(s: string): string;
}

function makePaint(color: boolean): Paint {
  const wrap = (open: number, close: number) => (s: string) => (color && s.length > 0 ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), cyan: wrap(36, 39), yellow: wrap(33, 39) };
}

/** Every session's ladder, one after the other. */
export function renderDiagrams(report: Report, options: DiagramOptions): string {
  if (report.sessions.length === 0) return 'No FTP session to draw.\n';
  return `${report.sessions.map((s) => renderLadderText(buildLadder(s, options), options)).join('\n\n')}\n`;
}

/** Text from the capture, made safe for a terminal (and for ASCII, plain). */
function clean(text: string, glyphs: Glyphs): string {
  const safe = sanitize(text);
  return glyphs === ascii ? safe.replace(/[^\x20-\x7e]/g, (ch) => asciiFor[ch] ?? '?') : safe;
}

const asciiFor: Record<string, string> = { '→': '->', '←': '<-', '–': '-', '—': '-', '…': '...', '×': 'x', µ: 'u', '’': "'", '✗': 'X', '═': '=' };

function fit(text: string, room: number, glyphs: Glyphs): string {
  if (text.length <= room) return text;
  if (room <= glyphs.ellipsis.length) return text.slice(0, room);
  return `${text.slice(0, room - glyphs.ellipsis.length)}${glyphs.ellipsis}`;
}

function wrap(text: string, room: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (word === '') continue;
    if (line.length === 0) line = word;
    else if (line.length + 1 + word.length <= room) line += ` ${word}`;
    else {
      out.push(line);
      line = word;
    }
    while (line.length > room) {
      out.push(line.slice(0, room));
      line = line.slice(room);
    }
  }
  if (line.length > 0) out.push(line);
  return out;
}

/** `+0.057`, `+12.345`, `+1234.5` */
function seconds(micros: number): string {
  const s = micros / 1e6;
  return s < 1000 ? `+${s.toFixed(3)}` : `+${s.toFixed(1)}`;
}

export function renderLadderText(ladder: Ladder, options: DiagramOptions): string {
  const glyphs = options.ascii ? ascii : unicode;
  const paint = makePaint(options.color);
  const width = Math.max(MIN_WIDTH, Math.floor(options.width));
  const frameWidth = Math.max(5, ...ladder.rows.map((r) => (r.type === 'arrow' ? frameText(r).length : 0)));
  const timeWidth = Math.max(7, ...ladder.rows.map((r) => (r.type === 'arrow' && r.offsetMicros !== null ? seconds(r.offsetMicros).length : 0)));
  const margin = timeWidth + 1 + frameWidth + 1;
  // margin | port | lifeline | inner | lifeline | space port
  const inner = width - margin - PORT - 1 - 2 - 1 - PORT;
  const pad = ' '.repeat(margin);
  const lines: string[] = [];

  const duration = formatDelay(
    Math.max(0, Date.parse(ladder.end) * 1000 + Number(ladder.end.slice(23, 26)) - (Date.parse(ladder.start) * 1000 + Number(ladder.start.slice(23, 26)))),
  );
  const user = ladder.user === null ? 'no login' : `user ${clean(ladder.user, glyphs)}`;
  const title = ` Session ${ladder.session} `;
  const head = `${glyphs.rule.repeat(2)}${title}${glyphs.rule.repeat(Math.max(4, width - title.length - 2))}`;
  lines.push(paint.bold(fit(head, width, glyphs)));
  lines.push(
    fit(
      `${formatEndpoint(ladder.client)} ${glyphs === ascii ? '->' : '→'} ${formatEndpoint(ladder.server)}, ${user}, ${clean(duration, glyphs)}`,
      width,
      glyphs,
    ),
  );
  lines.push('');
  const left = `client ${formatEndpoint(ladder.client)}`;
  const right = `server ${formatEndpoint(ladder.server)}`;
  const lifeStart = margin + PORT + 1;
  const lifeEnd = lifeStart + 1 + inner;
  const heading = `${'seconds'.padStart(timeWidth)} ${'frame'.padStart(frameWidth)} `;
  const headRoom = lifeEnd + 1 - heading.length;
  const gapWidth = headRoom - (PORT + 1) - left.length - right.length;
  const header =
    gapWidth >= 1
      ? `${heading}${' '.repeat(PORT + 1)}${left}${' '.repeat(gapWidth)}${right}`
      : `${heading}${' '.repeat(PORT + 1)}${fit(`${left}  ${right}`, headRoom - PORT - 1, glyphs)}`;
  lines.push(paint.dim(header));
  const empty = `${pad}${' '.repeat(PORT)} ${glyphs.life}${' '.repeat(inner)}${glyphs.life}`;
  lines.push(empty);

  for (const row of ladder.rows) {
    if (row.type === 'arrow') lines.push(...arrowLines(row, { timeWidth, frameWidth, inner, glyphs, paint }));
    else lines.push(...noteLines(row, pad, inner, glyphs, paint));
  }
  lines.push(empty);
  return lines.map((l) => l.replace(/\s+$/, '')).join('\n');
}

interface Layout {
  timeWidth: number;
  frameWidth: number;
  inner: number;
  glyphs: Glyphs;
  paint: Paint;
}

function frameText(row: LadderArrow): string {
  if (row.frame === null) return '';
  return row.input !== null ? `${row.input}:${row.frame}` : `${row.frame}`;
}

function arrowLines(row: LadderArrow, layout: Layout): string[] {
  const { timeWidth, frameWidth, inner, glyphs, paint } = layout;
  const time = row.offsetMicros === null ? '' : seconds(row.offsetMicros);
  const margin = `${time.padStart(timeWidth)} ${frameText(row).padStart(frameWidth)} `;
  const leftPort = row.data ? String(row.clientEnd.port) : '';
  const rightPort = row.data ? String(row.serverEnd.port) : '';
  const body = drawArrow(row, inner, glyphs);
  const styled =
    row.blocked || row.kind === 'rst'
      ? paint.red(body)
      : row.kind === 'data'
        ? paint.green(body)
        : row.data
          ? paint.cyan(body)
          : row.from === 'client'
            ? paint.bold(body)
            : body;
  const out = [`${margin}${leftPort.padStart(PORT)} ${glyphs.life}${styled}${glyphs.life} ${rightPort}`];
  if (row.meaning !== null) {
    const meaning = fit(clean(row.meaning, glyphs), inner - 2, glyphs);
    const before = Math.floor((inner - meaning.length) / 2);
    out.push(
      `${' '.repeat(margin.length)}${' '.repeat(PORT)} ${glyphs.life}${' '.repeat(before)}${paint.yellow(meaning)}${' '.repeat(inner - before - meaning.length)}${glyphs.life}`,
    );
  }
  return out;
}

/**
 * The arrow between the lifelines, exactly `inner` columns: `── label ──>` from the client,
 * `<── label ──` from the server; a blocked SYN stops short of the other lifeline with ✗.
 */
export function drawArrow(row: LadderArrow, inner: number, glyphs: Glyphs): string {
  const stroke = row.kind === 'data' ? glyphs.thick : glyphs.line;
  const short = row.blocked ? Math.max(4, Math.floor(inner / 5)) : 0;
  const span = inner - short;
  const label = fit(clean(row.label, glyphs), span - 6, glyphs);
  const room = span - 1 - label.length - 2;
  // Control lines start near their sender, like someone speaking; data packets are centred.
  const lead = row.kind === 'control' ? 2 : Math.floor(room / 2);
  const tail = room - lead;
  const rightward = row.from === 'client';
  const head = row.blocked ? glyphs.cross : rightward ? glyphs.right : glyphs.left;
  let shaft: string;
  if (rightward) shaft = `${stroke.repeat(lead)} ${label} ${stroke.repeat(tail)}${head}`;
  else shaft = `${head}${stroke.repeat(tail)} ${label} ${stroke.repeat(lead)}`;
  if (!row.blocked) return shaft;
  return rightward ? `${shaft}${' '.repeat(short)}` : `${' '.repeat(short)}${shaft}`;
}

function noteLines(note: LadderNote, pad: string, inner: number, glyphs: Glyphs, paint: Paint): string[] {
  const text = clean(note.text, glyphs);
  const wrapped = wrap(text, inner - 6);
  const style = note.tone === 'caption' ? paint.dim : note.tone === 'fold' ? paint.bold : paint.yellow;
  const prefix = `${pad}${' '.repeat(PORT)} ${glyphs.life}`;
  return wrapped.map((line, i) => {
    const indent = note.tone === 'caption' && i > 0 ? '    ' : '  ';
    const body = `${indent}${line}`.slice(0, inner);
    return `${prefix}${style(body)}${' '.repeat(inner - body.length)}${glyphs.life}`;
  });
}
