/**
 * The ladder of a session: the client's lifeline on the left, the server's on the right, and one row
 * per packet that matters, drawn in the direction it went — the control handshake, the login, each
 * announcement with its decoded address, each data connection's SYN / SYN-ACK / ACK (a SYN nobody
 * answered ends in ✗), the bytes of the transfer, FIN or RST. Runs of alike transfers are folded.
 *
 * This is a model, not a drawing: the terminal (diagram-text.ts) and HTML (html.ts) renderers draw
 * the same rows. Pure: report in, rows out. Text from the capture is left as it is: renderers
 * escape it for their medium.
 */
import type { Endpoint } from '../types';
import { formatBytes, formatEndpoint } from '../text';
import type { ReportChannel, ReportConnection, ReportSession, ReportTimelineEntry } from './schema';

export type LadderSide = 'client' | 'server';

/** What an arrow is, for the renderers' styles and for tests. */
export type ArrowKind = 'control' | 'syn' | 'syn-ack' | 'ack' | 'data' | 'fin' | 'rst';

export interface LadderArrow {
  type: 'arrow';
  kind: ArrowKind;
  /** The lifeline it leaves; it reaches the other one unless `blocked`. */
  from: LadderSide;
  /** What is written on the arrow: the control line, `SYN`, `135 bytes`... */
  label: string;
  /** The decoded meaning below it: `= 198.51.100.20:39091`; null when there is none. */
  meaning: string | null;
  /** TCP connection it belongs to: the endpoint on the client's lifeline and the one on the server's. */
  clientEnd: Endpoint;
  serverEnd: Endpoint;
  /** True for a data connection (the ports are drawn at the lifelines). */
  data: boolean;
  /** A SYN that got no answer: the arrow ends in ✗ before the other lifeline. */
  blocked: boolean;
  /** SYNs sent (for `syn`), 1 otherwise. */
  count: number;
  frame: number | null;
  input: number | null;
  time: string | null;
  /** Microseconds since the session's first packet; null for rows without a packet of their own. */
  offsetMicros: number | null;
  /** Data channel index in the session, or null. */
  channel: number | null;
  /** The control line as sent, when the row is one. */
  line: string | null;
  /** ftpcap's explanation of the row (from the timeline). */
  text: string;
}

export interface LadderNote {
  type: 'note';
  /** caption: who connected to whom and what each firewall needs; fold: transfers not drawn; gap: bytes missing; tls: the control connection is encrypted. */
  tone: 'caption' | 'fold' | 'gap' | 'tls';
  channel: number | null;
  text: string;
}

export type LadderRow = LadderArrow | LadderNote;

export interface Ladder {
  session: number;
  client: Endpoint;
  server: Endpoint;
  user: string | null;
  start: string;
  end: string;
  rows: LadderRow[];
  /** Data channels whose rows are drawn, and those folded into a `fold` note. */
  drawnChannels: number[];
  foldedChannels: number[];
}

export interface LadderOptions {
  /** A run of alike transfers longer than this is folded after its first one (default 3). */
  foldAfter?: number;
}

/** Microseconds since the epoch of an ISO time with microseconds (as the report writes them). */
export function isoMicros(iso: string): number {
  return Date.parse(iso) * 1000 + Number(iso.slice(23, 26));
}

/** Commands that ask for a passive port: drawn as the first row of their channel. */
const PASSIVE_REQUESTS = new Set(['PASV', 'EPSV', 'LPSV']);

/** One session's ladder: its control and data connections as columns, its packets as rows. */
export function buildLadder(session: ReportSession, options: LadderOptions = {}): Ladder {
  const start = isoMicros(session.start);
  const channels = new Map(session.dataChannels.map((c) => [c.index, c]));
  const byRequestFrame = new Map(session.dataChannels.map((c) => [frameKey(c.request.frame, c.request.input), c.index]));
  const rows: LadderRow[] = [];
  const controlEnds = { clientEnd: session.client, serverEnd: session.server };

  const arrow = (
    kind: ArrowKind,
    from: LadderSide,
    label: string,
    at: { frame: number | null; input?: unknown; time: string | null },
    rest: Partial<LadderArrow> = {},
  ): LadderArrow => ({
    type: 'arrow',
    kind,
    from,
    label,
    meaning: null,
    ...controlEnds,
    data: false,
    blocked: false,
    count: 1,
    frame: at.frame,
    input: typeof at.input === 'number' ? at.input : null,
    time: at.time,
    offsetMicros: at.time === null ? null : isoMicros(at.time) - start,
    channel: null,
    line: null,
    text: '',
    ...rest,
  });

  if (session.midstream) {
    rows.push({ type: 'note', tone: 'gap', channel: null, text: 'The capture begins in the middle of this session: its handshake and login are not in it.' });
  }
  // The control connection's handshake, when the capture has it.
  const control = session.control;
  if (control.synFrame !== null) {
    rows.push(
      arrow(
        'syn',
        'client',
        'SYN',
        { frame: control.synFrame, input: control.synInput, time: control.synTime },
        { text: 'the client opens the control connection' },
      ),
    );
  }
  if (control.synAckFrame !== null) {
    rows.push(
      arrow(
        'syn-ack',
        'server',
        'SYN+ACK',
        { frame: control.synAckFrame, input: control.synAckInput, time: control.synAckTime },
        { text: 'the server accepts it' },
      ),
    );
  }
  if (control.ackFrame !== null) {
    rows.push(
      arrow('ack', 'client', 'ACK', { frame: control.ackFrame, input: control.ackInput, time: control.ackTime }, { text: 'the control connection is open' }),
    );
  }

  let lastCommandShown = false;
  // After ABOR the server answers twice (426 for the transfer, then 226 for ABOR): draw both.
  let aborting = false;
  for (const entry of session.timeline) {
    const from: LadderSide = entry.source === 'server' ? 'server' : 'client';
    const at = { frame: entry.frame, input: entry.input, time: entry.time };
    switch (entry.kind) {
      case 'greeting':
      case 'login':
      case 'quit':
      case 'tls':
      case 'transfer':
      case 'transfer-result':
      case 'announcement': {
        if (entry.line === undefined) {
          // ftpcap's own word on the connection, such as implicit TLS from the first byte.
          if (entry.kind === 'tls') rows.push({ type: 'note', tone: 'tls', channel: null, text: entry.text });
          break;
        }
        const channel = entry.channel !== undefined ? (channels.get(entry.channel) ?? null) : null;
        rows.push(
          arrow('control', from, entry.line, at, {
            channel: entry.channel ?? null,
            line: entry.line,
            text: entry.text,
            meaning: entry.kind === 'announcement' && channel ? announcementMeaning(session, channel, entry) : null,
          }),
        );
        if (entry.kind === 'tls' && from === 'server' && /^2/.test(entry.line)) {
          rows.push({ type: 'note', tone: 'tls', channel: null, text: 'From here on the control connection is encrypted: its announcements cannot be read.' });
        }
        lastCommandShown = entry.source === 'client';
        break;
      }
      case 'command': {
        const verb = (entry.line ?? '').split(' ')[0].toUpperCase();
        const request = byRequestFrame.get(frameKey(entry.frame, entry.input));
        const epsvAll = /^EPSV\s+ALL$/i.test((entry.line ?? '').trim());
        // EPSV ALL changes what follows; ABOR cuts a transfer short: both belong in the picture.
        const standalone = epsvAll || verb === 'ABOR';
        lastCommandShown = entry.line !== undefined && (standalone || (PASSIVE_REQUESTS.has(verb) && request !== undefined));
        if (lastCommandShown)
          rows.push(
            arrow('control', 'client', entry.line as string, at, {
              channel: standalone ? null : (request ?? null),
              line: entry.line ?? null,
              text: entry.text,
            }),
          );
        aborting = verb === 'ABOR';
        break;
      }
      case 'reply':
        // Only the answer to a command drawn above (EPSV ALL, ABOR).
        if (entry.line !== undefined && (lastCommandShown || aborting) && entry.channel === undefined)
          rows.push(arrow('control', 'server', entry.line, at, { line: entry.line, text: entry.text }));
        lastCommandShown = false;
        aborting = false;
        break;
      case 'data-syn':
      case 'data-syn-ack':
      case 'data-ack':
      case 'data-end':
        rows.push(...dataRows(session, entry, channels, arrow));
        break;
      case 'gap':
        rows.push({ type: 'note', tone: 'gap', channel: null, text: entry.text });
        break;
      default:
        break;
    }
  }

  // The control connection's end.
  if (control.end !== 'open' && control.closedBy !== null) {
    const kind = control.end === 'rst' ? 'rst' : 'fin';
    rows.push(
      arrow(
        kind,
        control.closedBy,
        kind.toUpperCase(),
        { frame: control.endFrame, input: control.endInput, time: control.endTime },
        { text: `the ${control.closedBy} closes the control connection` },
      ),
    );
  }

  const folded = foldAndCaption(session, rows, options.foldAfter ?? 3);
  return {
    session: session.id,
    client: session.client,
    server: session.server,
    user: session.user,
    start: session.start,
    end: session.end,
    ...folded,
  };
}

function frameKey(frame: number | null, input: number | undefined): string {
  return `${input ?? 1}:${frame}`;
}

/** `= 198.51.100.20:39091` for the line that names the address; `refused` for a refusal. */
function announcementMeaning(session: ReportSession, channel: ReportChannel, entry: ReportTimelineEntry): string | null {
  if (entry.frame !== channel.frame || entry.input !== channel.input) {
    // The other half of the exchange: the server's answer to a PORT, the client's PASV.
    if (entry.source === 'server' && channel.reply && channel.reply.code >= 400) return `refused: no data connection`;
    return null;
  }
  if (channel.announced === null) return channel.reply && channel.reply.code >= 400 ? 'refused: no data connection' : null;
  const ip = channel.announced.ip ?? session.server.ip;
  const where = formatEndpoint({ ip, port: channel.announced.port });
  const implied = channel.announced.ip === null ? ' (the control connection’s address)' : '';
  return `= ${where}${implied}`;
}

type ArrowMaker = (
  kind: ArrowKind,
  from: LadderSide,
  label: string,
  at: { frame: number | null; input?: unknown; time: string | null },
  rest?: Partial<LadderArrow>,
) => LadderArrow;

/** Which lifeline an endpoint of a data connection sits on. */
function sideOf(session: ReportSession, channel: ReportChannel | null, ends: { from: Endpoint; to: Endpoint }): LadderSide {
  if (ends.from.ip === session.server.ip || ends.to.ip === session.client.ip) return 'server';
  if (ends.from.ip === session.client.ip || ends.to.ip === session.server.ip) return 'client';
  return channel?.mode === 'active' ? 'server' : 'client';
}

function dataRows(session: ReportSession, entry: ReportTimelineEntry, channels: Map<number, ReportChannel>, arrow: ArrowMaker): LadderArrow[] {
  const channel = entry.channel !== undefined ? (channels.get(entry.channel) ?? null) : null;
  const at = { frame: entry.frame, input: entry.input, time: entry.time };
  const connection: { from: Endpoint; to: Endpoint } | null =
    channel?.connection ??
    [...session.encryptedDataConnections, ...session.unannouncedDataConnections].find((c) => c.synFrame === entry.frame && c.synInput === entry.input) ??
    null;
  if (connection === null) return [];
  const opener = sideOf(session, channel, connection);
  const answerer: LadderSide = opener === 'client' ? 'server' : 'client';
  const ends = opener === 'client' ? { clientEnd: connection.from, serverEnd: connection.to } : { clientEnd: connection.to, serverEnd: connection.from };
  const tag = channel ? `#${channel.index} ` : '';
  const base = { ...ends, data: true, channel: channel?.index ?? null, text: entry.text };
  const c = channel?.connection ?? null;
  switch (entry.kind) {
    case 'data-syn': {
      if (channel === null) return [arrow('syn', opener, 'SYN (a data connection inside TLS)', at, base)];
      if (c === null) return [];
      if (c.synFrame === null) return [arrow('syn', opener, `${tag}first packet (SYN not captured)`, at, base)];
      const blocked = c.handshake === 'unanswered';
      const times = c.synCount > 1 ? ` ×${c.synCount}` : '';
      const far = farAddress(session, opener, c);
      const label = `${tag}SYN${times}${far}${blocked ? ', no answer' : ''}`;
      return [arrow('syn', opener, label, at, { ...base, blocked, count: c.synCount })];
    }
    case 'data-syn-ack':
      return [arrow('syn-ack', answerer, `${tag}SYN+ACK`, at, base)];
    case 'data-ack':
      return [arrow('ack', opener, `${tag}ACK`, at, base)];
    case 'data-end': {
      if (c === null || channel === null) return [];
      const rows: LadderArrow[] = [];
      if (c.end === 'fin' || c.bytes > 0) rows.push(bytesRow(session, channel, c, arrow, base));
      const closer: LadderSide = c.closedBy ?? answerer;
      rows.push(arrow(c.end === 'rst' ? 'rst' : 'fin', closer, `${tag}${c.end === 'rst' ? 'RST' : 'FIN'}`, at, base));
      return rows;
    }
    default:
      return [];
  }
}

/** ` to 100.64.1.10`: when the connection goes to another address than the lifeline's host. */
function farAddress(session: ReportSession, opener: LadderSide, c: ReportConnection): string {
  const expected = opener === 'client' ? session.server.ip : session.client.ip;
  return c.to.ip === expected ? '' : ` to ${c.to.ip}`;
}

/** The transfer's bytes, drawn in the direction they went (no packet of its own: no frame). */
function bytesRow(session: ReportSession, channel: ReportChannel, c: ReportConnection, arrow: ArrowMaker, base: Partial<LadderArrow>): LadderArrow {
  let from: LadderSide;
  if (channel.transfer) from = channel.transfer.direction === 'download' ? 'server' : 'client';
  else from = c.bytesFromOrig >= c.bytesFromResp === (sideOf(session, channel, c) === 'client') ? 'client' : 'server';
  const what = channel.transfer ? `${channel.transfer.command} ` : '';
  const missing = c.missingBytes > 0 ? ` (${c.missingBytes.toLocaleString('en-US')} not captured)` : '';
  return arrow(
    'data',
    from,
    `#${channel.index} ${what}${formatBytes(c.bytes)}${missing}`,
    { frame: null, time: null },
    { ...base, text: `${formatBytes(c.bytes)} on the data connection` },
  );
}

/** What makes two transfers alike enough to fold: method, command, how the handshake went, outcome. */
function signature(channel: ReportChannel): string {
  const c = channel.connection;
  return [
    channel.method,
    channel.transfer?.command ?? '-',
    channel.transfer?.replyCode ?? '-',
    channel.status,
    c?.handshake ?? 'none',
    c ? c.synCount > 1 : '-',
    c ? c.from.port === 20 : '-',
  ].join('|');
}

/**
 * Groups rows into blocks of one data channel, folds runs of more than `foldAfter` alike blocks
 * after the first, and puts each drawn channel's caption right after its rows.
 */
function foldAndCaption(
  session: ReportSession,
  rows: LadderRow[],
  foldAfter: number,
): { rows: LadderRow[]; drawnChannels: number[]; foldedChannels: number[] } {
  type Block = { channel: number | null; rows: LadderRow[] };
  // A row of no channel between two rows of the same channel (ABOR during its transfer) is part of it.
  const next: Array<number | null> = new Array(rows.length).fill(null);
  for (let i = rows.length - 2; i >= 0; i--) next[i] = rows[i + 1].channel ?? next[i + 1];
  const blocks: Block[] = [];
  let previous: number | null = null;
  rows.forEach((row, i) => {
    const channel = row.channel ?? (previous !== null && next[i] === previous ? previous : null);
    const last = blocks[blocks.length - 1];
    if (last && last.channel === channel && channel !== null) last.rows.push(row);
    else blocks.push({ channel, rows: [row] });
    if (row.channel !== null) previous = row.channel;
  });
  const byIndex = new Map(session.dataChannels.map((c) => [c.index, c]));
  const out: LadderRow[] = [];
  const drawn: number[] = [];
  const folded: number[] = [];
  let i = 0;
  while (i < blocks.length) {
    const block = blocks[i];
    const channel = block.channel === null ? undefined : byIndex.get(block.channel);
    if (!channel) {
      out.push(...block.rows);
      i++;
      continue;
    }
    // The run of alike channel blocks starting here (rows between them that belong to no channel end it).
    let j = i + 1;
    while (j < blocks.length) {
      const next = blocks[j].channel === null ? undefined : byIndex.get(blocks[j].channel as number);
      if (!next || signature(next) !== signature(channel)) break;
      j++;
    }
    const run = blocks.slice(i, j);
    const keep = run.length > foldAfter ? 1 : run.length;
    for (const kept of run.slice(0, keep)) {
      const c = byIndex.get(kept.channel as number) as ReportChannel;
      out.push(...kept.rows, { type: 'note', tone: 'caption', channel: c.index, text: channelCaption(session, c) });
      drawn.push(c.index);
    }
    if (run.length > keep) {
      const rest = run.slice(keep).map((b) => byIndex.get(b.channel as number) as ReportChannel);
      folded.push(...rest.map((c) => c.index));
      out.push({ type: 'note', tone: 'fold', channel: null, text: foldText(rest) });
    }
    i = j;
  }
  return { rows: out, drawnChannels: drawn, foldedChannels: folded };
}

function foldText(rest: ReportChannel[]): string {
  const first = rest[0];
  const last = rest[rest.length - 1];
  const what = first.transfer?.command ?? first.method;
  const bytes = rest.reduce((n, c) => n + (c.connection?.bytes ?? 0), 0);
  const frames = first.frame === last.frame ? `frame ${first.frame}` : `frames ${first.frame}–${last.frame}`;
  return `… ${rest.length} more ${what} like this (data channels #${first.index}–#${last.index}, ${frames}, ${formatBytes(bytes)} in all)`;
}

/**
 * Who connected to whom, and what that means for each side's firewall: the caption of a data channel.
 */
export function channelCaption(session: ReportSession, channel: ReportChannel): string {
  const head = `#${channel.index} ${channel.mode} (${channel.method})`;
  if (channel.reply && channel.reply.code >= 400) {
    return `${head}: the server refused the announcement (${channel.reply.code}), so no data connection was made; no firewall is involved.`;
  }
  const c = channel.connection;
  if (c === null) {
    const who = channel.mode === 'active' ? 'the server' : 'the client';
    return channel.status === 'unused'
      ? `${head}: announced, but no transfer used it.`
      : `${head}: no SYN toward the announced port is in the capture: ${who} did not connect, or its SYN was dropped before the capture point.`;
  }
  const opener = sideOf(session, channel, c);
  const target = formatEndpoint(c.to);
  const origin = formatEndpoint(c.from);
  const connected = `${opener === 'client' ? 'the client' : 'the server'} ${origin} connected to ${opener === 'client' ? 'the server' : 'the client'} ${target}`;
  const needs =
    channel.mode === 'active'
      ? `Server firewall: out from port ${c.from.port} to clients' ports above 1023. Client firewall: in from ${origin} to a temporary port (${c.to.port}), which stateful rules allow only with an FTP helper.`
      : `Server firewall: in to the passive port range (here ${c.to.port}). Client firewall: only an outgoing connection, which stateful rules allow.`;
  switch (c.handshake) {
    case 'unanswered': {
      const tried = `${opener === 'client' ? 'the client' : 'the server'} ${origin} sent ${c.synCount} SYN${c.synCount === 1 ? '' : 's'} to ${target} and got no answer`;
      const why =
        channel.mode === 'passive'
          ? c.to.ip !== session.server.ip
            ? `the announced address is not the server's (${session.server.ip}): a NAT in front of the server without an FTP helper, or a wrong passive address setting.`
            : `a firewall drops connections to the passive port: the server's firewall must accept its passive range.`
          : `a firewall drops the server's connection: the client's firewall (or a NAT in front of it) must let it in, or the client should use passive mode.`;
      return `${head}: ${tried}: ${why}`;
    }
    case 'refused':
      return `${head}: ${connected}, and was refused (RST): nothing listened there, or a firewall rejects it. ${needs}`;
    case 'half-open':
      return `${head}: ${connected}, but the handshake never completed. ${needs}`;
    case 'midstream':
      return `${head}: the connection ${origin} → ${target} began before the capture. ${needs}`;
    default:
      return `${head}: ${connected}. ${needs}`;
  }
}
