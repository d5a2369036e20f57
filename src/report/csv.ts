/**
 * The data channels as CSV (RFC 4180): a header row, then one row per data channel, CRLF line
 * ends, every field that holds a comma, quote or line end quoted. Text from the capture that a
 * spreadsheet would read as a formula (first character = + - @, tab or CR) is prefixed with `'`.
 * Pure: the report in, text out.
 */
import type { Report, ReportChannel } from './schema';
import type { SessionView } from './session-view';
import { sanitize } from './sanitize';

/** The columns, in order, with what each holds (documented in README.md). */
export const csvColumns: ReadonlyArray<readonly [string, string]> = [
  ['session', 'session number, as in the JSON report'],
  ['client', 'client address:port of the control connection ([v6]:port for IPv6)'],
  ['server', 'server address:port of the control connection'],
  ['channel', 'data channel number within the session'],
  ['mode', 'active or passive'],
  ['method', 'PORT, EPRT, LPRT, PASV, EPSV or LPSV'],
  ['announced', 'the address:port announced (port only for EPSV); empty when refused'],
  ['announcement_frame', 'frame of the announcing line (input:frame with several inputs)'],
  ['connection', 'the data connection that answered: opener -> listener; empty when none'],
  ['syn_frame', 'frame of its first SYN'],
  ['handshake', 'established, refused, unanswered, half-open, midstream, or none'],
  ['transfer', 'the command that used the channel, with its argument'],
  ['reply', 'the final reply to the transfer (or to a refused announcement): code and text'],
  ['status', 'completed, failed, refused, unused or incomplete'],
  ['bytes', 'payload bytes in the transfer direction'],
  ['missing_bytes', 'of those, bytes in no captured segment'],
  ['findings', 'codes of the findings raised at the frames of this channel, space-separated'],
];

/** One field, quoted when it must be (RFC 4180 §2.6, §2.7). */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Text from the capture, made safe for spreadsheets and terminals. */
export function csvText(text: string): string {
  const visible = sanitize(text);
  return /^[=+\-@\t\r]/.test(text) ? `'${visible}` : visible;
}

function endpoint(e: { ip: string | null; port: number }, fallbackIp: string): string {
  const ip = e.ip ?? fallbackIp;
  return ip.includes(':') ? `[${ip}]:${e.port}` : `${ip}:${e.port}`;
}

function frameRef(frame: number | null, input: number | undefined, multipleInputs: boolean): string | null {
  if (frame === null) return null;
  return multipleInputs && input !== undefined ? `${input}:${frame}` : String(frame);
}

/** The frames where this channel happened: announcement, reply, handshake, transfer. */
function channelFrames(channel: ReportChannel): Set<number> {
  const frames = [
    channel.frame,
    channel.request.frame,
    channel.reply?.frame,
    channel.connection?.synFrame,
    channel.connection?.synAckFrame,
    channel.connection?.ackFrame,
    channel.connection?.endFrame,
    channel.transfer?.frame,
    channel.transfer?.replyFrame,
  ];
  return new Set(frames.filter((f): f is number => typeof f === 'number'));
}

function channelRow(session: SessionView, channel: ReportChannel, multipleInputs: boolean): string[] {
  const connection = channel.connection;
  const transfer = channel.transfer;
  const frames = channelFrames(channel);
  const findings = [...new Set(session.findings.filter((f) => f.frame !== null && frames.has(f.frame)).map((f) => f.code))];
  const reply =
    transfer?.replyCode != null
      ? `${transfer.replyCode} ${transfer.replyText ?? ''}`.trim()
      : channel.status === 'refused' && channel.reply
        ? `${channel.reply.code} ${channel.reply.text}`
        : '';
  const cells: Array<string | number | null> = [
    session.id,
    endpoint(session.client, ''),
    endpoint(session.server, ''),
    channel.index,
    channel.mode,
    channel.method,
    channel.announced ? (channel.announced.ip === null ? `port ${channel.announced.port}` : endpoint(channel.announced, '')) : '',
    frameRef(channel.frame, channel.input, multipleInputs),
    connection ? `${endpoint(connection.from, '')} -> ${endpoint(connection.to, '')}` : '',
    connection ? frameRef(connection.synFrame, connection.synInput, multipleInputs) : null,
    connection ? connection.handshake : 'none',
    transfer ? csvText(transfer.arg ? `${transfer.command} ${transfer.arg}` : transfer.command) : '',
    csvText(reply.split('\n').join(' ')),
    channel.status,
    connection ? connection.bytes : 0,
    connection ? connection.missingBytes : 0,
    findings.join(' '),
  ];
  return cells.map(csvField);
}

/** The CSV text: header row and one row per data channel of every session. */
export function renderCsv(report: Report): string {
  return [...renderCsvChunks(report)].join('');
}

/** The same text as renderCsv, a session's rows at a time, with the sessions from `sessions` (default: the report's). */
export function* renderCsvChunks(report: Report, sessions: Iterable<SessionView> = report.sessions): Generator<string> {
  const multipleInputs = report.inputs.length > 1;
  yield `${csvColumns.map(([name]) => name).join(',')}\r\n`;
  for (const session of sessions) {
    let rows = '';
    for (const channel of session.dataChannels) {
      rows += `${channelRow(session, channel, multipleInputs).join(',')}\r\n`;
      if (rows.length >= 64 * 1024) {
        yield rows;
        rows = '';
      }
    }
    if (rows.length > 0) yield rows;
  }
}
