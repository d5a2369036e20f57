/**
 * `ftpcap explain`: short lessons on FTP's data connections, each told on a real capture that ships
 * with ftpcap (samples/). Every step points at the frame of the sample that shows it; the frames
 * are found in the sample's report, never written down, so a re-recorded sample keeps its lesson
 * true. Pure: reports in, text out (STYLE habit 10).
 */
import type { Report, ReportChannel, ReportSession } from './schema';
import { buildLadder } from './ladder';
import { renderLadderText, type DiagramOptions } from './diagram-text';
import { sanitize } from './sanitize';
import { formatBytes, formatEndpoint } from '../text';

export const topics = ['active', 'passive', 'eprt', 'epsv', 'nat'] as const;
export type Topic = (typeof topics)[number];

/** Bundled captures (paths under samples/) each topic is told on. */
export const topicSamples: Record<Topic, string[]> = {
  active: ['active-port/capture.pcap'],
  passive: ['passive-pasv/capture.pcap'],
  eprt: ['active-eprt/capture.pcap', 'ipv6/capture.pcap'],
  epsv: ['passive-epsv/capture.pcap', 'ipv6/capture.pcap', 'epsv-all/capture.pcap'],
  nat: ['nat-no-helper/capture.pcap', 'nat-pasv-private/capture.pcap', 'nat-helper/inside.pcap', 'nat-helper/capture.pcap'],
};

/** The sample files a set of topics needs, each once. */
export function samplesFor(list: Topic[]): string[] {
  return [...new Set(list.flatMap((t) => topicSamples[t]))];
}

/** The reports of the bundled samples, by path under samples/. */
export type SampleReports = Record<string, Report>;

interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  cyan(s: string): string;
}

function makePaint(color: boolean): Paint {
  const wrap = (open: number, close: number) => (s: string) => (color ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), cyan: wrap(36, 39) };
}

/** Words that fit `width`, with a hanging indent. */
function para(text: string, width: number, indent = '', hanging = indent): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = indent;
  for (const word of words) {
    const prefix = lines.length === 0 ? indent : hanging;
    if (line.length > prefix.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = `${hanging}${word}`;
    } else line = line.length > prefix.length ? `${line} ${word}` : `${prefix}${word}`;
  }
  if (line.trim().length > 0) lines.push(line);
  return lines.join('\n');
}

class Lesson {
  private readonly out: string[] = [];
  constructor(
    private readonly options: DiagramOptions,
    private readonly paint: Paint,
  ) {}

  get width(): number {
    return Math.max(60, this.options.width);
  }

  title(text: string): void {
    const rule = this.options.ascii ? '=' : '━';
    this.out.push('', this.paint.bold(`${rule.repeat(3)} ${text} ${rule.repeat(Math.max(3, this.width - text.length - 5))}`));
  }

  heading(text: string): void {
    this.out.push('', this.paint.bold(text));
  }

  text(text: string): void {
    this.out.push('', para(text, this.width));
  }

  steps(items: string[]): void {
    items.forEach((item, i) => {
      this.out.push(para(item, this.width, `  ${i + 1}. `, '     '));
    });
  }

  bullets(items: string[]): void {
    for (const item of items) this.out.push(para(item, this.width, `  ${this.options.ascii ? '-' : '•'} `, '    '));
  }

  /** The four permissions of a side: direction, from, to, what it is and the frame that shows it. */
  permissions(side: string, rows: Array<[string, string, string, string]>): void {
    this.out.push(`  ${this.paint.bold(side)}`);
    const arrow = this.options.ascii ? '->' : '→';
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    const w2 = Math.max(...rows.map((r) => r[2].length));
    const lead = 4 + w0 + 2 + w1 + 1 + arrow.length + 1 + w2 + 3;
    for (const [dir, from, to, what] of rows) {
      const head = `    ${dir.padEnd(w0)}  ${from.padEnd(w1)} ${arrow} ${to.padEnd(w2)}   `;
      // The explanation wraps in its own column when there is room for one, else below.
      if (this.width - lead >= 24) this.out.push(para(what, this.width, head, ' '.repeat(lead)));
      else this.out.push(head.trimEnd(), para(what, this.width, '        ', '        '));
    }
  }

  ladder(session: ReportSession, file: string): void {
    this.out.push(this.paint.dim(`  ftpcap diagram samples/${file} --session ${session.id}`), '');
    this.out.push(renderLadderText(buildLadder(session), this.options));
  }

  toString(): string {
    const text = this.out.join('\n').replace(/^\n+/, '');
    return `${this.options.ascii ? asciiOnly(text) : text}\n`;
  }
}

const asciiFor: Record<string, string> = {
  '→': '->',
  '←': '<-',
  '–': '-',
  '—': '-',
  '…': '...',
  '×': 'x',
  µ: 'u',
  '’': "'",
  '“': '"',
  '”': '"',
  '✗': 'X',
  '≥': '>=',
  '•': '-',
};

function asciiOnly(text: string): string {
  return text.replace(/[^\x00-\x7e]/g, (ch) => asciiFor[ch] ?? '?');
}

// ----------------------------------------------------------- finding things --

interface Found {
  file: string;
  report: Report;
  session: ReportSession;
  channel: ReportChannel;
}

/** The first channel in the samples that `pick` accepts. */
function find(reports: SampleReports, files: string[], pick: (c: ReportChannel, s: ReportSession) => boolean): Found | null {
  for (const file of files) {
    const report = reports[file];
    if (!report) continue;
    for (const session of report.sessions) {
      for (const channel of session.dataChannels) if (pick(channel, session)) return { file, report, session, channel };
    }
  }
  return null;
}

const completed = (method: string) => (c: ReportChannel) => c.method === method && c.status === 'completed' && c.connection?.handshake === 'established';

/** The endpoint an announcement names; EPSV names none, so the control connection's server address. */
function named(c: ReportChannel, s: ReportSession): { ip: string; port: number } {
  if (c.announced === null) return c.connection?.to ?? s.server;
  return { ip: c.announced.ip ?? s.server.ip, port: c.announced.port };
}

function frame(n: number | null | undefined): string {
  return n === null || n === undefined ? 'a frame the capture lacks' : `frame ${n}`;
}

/** The timeline frame of the first entry of `kind` whose line starts with `prefix`. */
function lineFrame(session: ReportSession, prefix: RegExp): number | null {
  return session.timeline.find((e) => e.line !== undefined && prefix.test(e.line))?.frame ?? null;
}

function loginFrames(session: ReportSession): string {
  const login = session.timeline.filter((e) => e.kind === 'login');
  if (login.length === 0) return 'frames the capture lacks';
  return `frames ${login[0].frame}–${login[login.length - 1].frame}`;
}

function quote(text: string): string {
  return `\`${sanitize(text)}\``;
}

// ---------------------------------------------------------------- lessons --

export function renderExplain(list: Topic[], reports: SampleReports, options: DiagramOptions): string {
  const lesson = new Lesson(options, makePaint(options.color));
  for (const topic of list) lessons[topic](lesson, reports);
  return lesson.toString();
}

function missing(lesson: Lesson, what: string): void {
  lesson.text(`(The bundled sample for ${what} is not in this installation.)`);
}

function controlSteps(s: ReportSession): string[] {
  return [
    `The client opens the control connection from a temporary port to the server's port ${s.server.port}: ${formatEndpoint(s.client)} → ${formatEndpoint(s.server)}, SYN in ${frame(s.control.synFrame)}. Commands and replies travel on it as lines of text.`,
    `The server greets (${frame(lineFrame(s, /^220/))}) and the client logs in (${loginFrames(s)}; the password is masked).`,
  ];
}

const lessons: Record<Topic, (lesson: Lesson, reports: SampleReports) => void> = {
  active(lesson, reports) {
    lesson.title('Active mode (PORT): the server connects back to the client');
    const f =
      find(reports, topicSamples.active, (c) => completed('PORT')(c) && c.transfer?.command === 'RETR') ??
      find(reports, topicSamples.active, completed('PORT'));
    if (!f) return missing(lesson, 'active mode');
    const { session: s, channel: c } = f;
    const conn = c.connection!;
    lesson.text(`On samples/${f.file} (${sanitize(s.user ?? 'a client')} with Python ftplib against vsftpd):`);
    lesson.steps([
      ...controlSteps(s),
      `For a transfer, the client listens on a new temporary port and announces it: ${quote(`PORT ${c.text}`)} in ${frame(c.frame)} — four numbers for the address, two for the port (${c.announced ? `${Math.floor(c.announced.port / 256)}×256 + ${c.announced.port % 256} = ${c.announced.port}` : 'a port'}), so ${formatEndpoint(named(c, s))}. The server accepts it (${c.reply?.code}, ${frame(c.reply?.frame)}).`,
      `The client asks for the file: ${quote(`${c.transfer!.command} ${c.transfer!.arg}`)} (${frame(c.transfer!.frame)}).`,
      `The server connects from its port ${conn.from.port} to the announced port: SYN ${formatEndpoint(conn.from)} → ${formatEndpoint(conn.to)} in ${frame(conn.synFrame)}, SYN-ACK from the client in ${frame(conn.synAckFrame)}, ACK in ${frame(conn.ackFrame)}. The data connection goes the other way round from the control connection.`,
      `The file flows over it (${formatBytes(conn.bytes)}), the server closes it (${conn.end.toUpperCase()} in ${frame(conn.endFrame)}) and reports ${c.transfer!.replyCode} on the control connection (${frame(c.transfer!.replyFrame)}).`,
    ]);
    lesson.heading('The ladder');
    lesson.ladder(s, f.file);
    lesson.heading('What each firewall must allow (active mode)');
    const cl = s.client.ip;
    const sv = s.server.ip;
    lesson.permissions('Server side', [
      ['in', `client:>1023`, `server:${s.server.port}`, `control, opened by the client (${frame(s.control.synFrame)})`],
      ['out', `server:${s.server.port}`, 'client:>1023', `its replies (${frame(s.control.synAckFrame)})`],
      ['out', `server:${conn.from.port}`, 'client data port', `data, opened by the server (${frame(conn.synFrame)})`],
      ['in', 'client data port', `server:${conn.from.port}`, `the client's answers on it (${frame(conn.synAckFrame)})`],
    ]);
    lesson.permissions('Client side', [
      ['out', `client:>1023`, `server:${s.server.port}`, `control (${frame(s.control.synFrame)})`],
      ['in', `server:${s.server.port}`, 'client:>1023', `replies (${frame(s.control.synAckFrame)})`],
      [
        'in',
        `server:${conn.from.port}`,
        `client data port (here ${conn.to.port})`,
        `the server's connection (${frame(conn.synFrame)}): an incoming connection to a port nobody knew in advance`,
      ],
      ['out', 'client data port', `server:${conn.from.port}`, `answers on it (${frame(conn.synAckFrame)})`],
    ]);
    lesson.text(
      `The hard one is the third on the client side: a stateful firewall in front of ${cl} sees a new connection from ${sv} and drops it, unless an FTP helper read the PORT and expects it. That is why active mode fails behind most client firewalls and NATs (ftpcap explain nat), and why clients prefer passive mode.`,
    );
  },

  passive(lesson, reports) {
    lesson.title('Passive mode (PASV): the client connects to a port the server opened');
    const f =
      find(reports, topicSamples.passive, (c) => completed('PASV')(c) && c.transfer?.command === 'RETR') ??
      find(reports, topicSamples.passive, completed('PASV'));
    if (!f) return missing(lesson, 'passive mode');
    const { session: s, channel: c } = f;
    const conn = c.connection!;
    const request = c.request;
    lesson.text(`On samples/${f.file} (lftp against vsftpd, anonymous):`);
    lesson.steps([
      ...controlSteps(s),
      `For a transfer, the client sends ${quote(request.command)} (${frame(request.frame)}); the server opens a port of its passive range and names it: ${quote(`227 ${c.text}`)} in ${frame(c.frame)} — ${formatEndpoint(named(c, s))}.`,
      `The client connects to it: SYN ${formatEndpoint(conn.from)} → ${formatEndpoint(conn.to)} in ${frame(conn.synFrame)}, SYN-ACK in ${frame(conn.synAckFrame)}, ACK in ${frame(conn.ackFrame)}. Both connections now go from the client to the server.`,
      `It asks for the file: ${quote(`${c.transfer!.command} ${c.transfer!.arg}`)} (${frame(c.transfer!.frame)}); ${formatBytes(conn.bytes)} flow from the server, the ${conn.closedBy ?? 'server'} closes (${frame(conn.endFrame)}), and the server reports ${c.transfer!.replyCode} (${frame(c.transfer!.replyFrame)}).`,
    ]);
    lesson.heading('The ladder');
    lesson.ladder(s, f.file);
    lesson.heading('What each firewall must allow (passive mode)');
    lesson.permissions('Server side', [
      ['in', 'client:>1023', `server:${s.server.port}`, `control (${frame(s.control.synFrame)})`],
      ['out', `server:${s.server.port}`, 'client:>1023', `its replies (${frame(s.control.synAckFrame)})`],
      ['in', 'client:>1023', `server passive range (here ${conn.to.port})`, `data, opened by the client (${frame(conn.synFrame)})`],
      ['out', 'server passive range', 'client:>1023', `its answers (${frame(conn.synAckFrame)})`],
    ]);
    lesson.permissions('Client side', [
      ['out', 'client:>1023', `server:${s.server.port}`, `control (${frame(s.control.synFrame)})`],
      ['in', `server:${s.server.port}`, 'client:>1023', `replies (${frame(s.control.synAckFrame)})`],
      ['out', 'client:>1023', 'server passive range', `data (${frame(conn.synFrame)})`],
      ['in', 'server passive range', 'client:>1023', `answers (${frame(conn.synAckFrame)})`],
    ]);
    lesson.text(
      'On the client side everything is outgoing, which any stateful firewall allows. The burden moves to the server: it must accept connections to its passive range, so pin that range in the server configuration (vsftpd pasv_min_port / pasv_max_port) and open exactly it — or load an FTP helper that reads the 227 (it cannot when the control connection is encrypted).',
    );
  },

  eprt(lesson, reports) {
    lesson.title('EPRT: PORT for any address family');
    const v4 = find(reports, topicSamples.eprt, (c) => completed('EPRT')(c) && c.announced?.ip?.includes('.') === true);
    const v6 = find(reports, topicSamples.eprt, (c) => completed('EPRT')(c) && c.announced?.ip?.includes(':') === true);
    if (!v4 && !v6) return missing(lesson, 'EPRT');
    lesson.text(
      'PORT can only carry an IPv4 address (four numbers and two for the port). EPRT (RFC 2428) names the family, the address as text and the port in decimal: |1| for IPv4, |2| for IPv6. Otherwise it is active mode as before: the server connects to the announced port.',
    );
    const points: string[] = [];
    if (v4)
      points.push(
        `IPv4, samples/${v4.file}: ${quote(`EPRT ${v4.channel.text}`)} in ${frame(v4.channel.frame)}, and the server connects ${formatEndpoint(v4.channel.connection!.from)} → ${formatEndpoint(v4.channel.connection!.to)} in ${frame(v4.channel.connection!.synFrame)}.`,
      );
    if (v6)
      points.push(
        `IPv6, samples/${v6.file}: ${quote(`EPRT ${v6.channel.text}`)} in ${frame(v6.channel.frame)}, the server connects ${formatEndpoint(v6.channel.connection!.from)} → ${formatEndpoint(v6.channel.connection!.to)} in ${frame(v6.channel.connection!.synFrame)}.`,
      );
    points.push(
      "Behind NAT, EPRT breaks just like PORT: it still carries the client's own address, which the server cannot reach (ftpcap explain nat). The firewall permissions are those of active mode.",
    );
    lesson.bullets(points);
    const shown = v6 ?? v4!;
    lesson.heading('The ladder');
    lesson.ladder(shown.session, shown.file);
  },

  epsv(lesson, reports) {
    lesson.title('EPSV: passive mode with only a port, and EPSV ALL');
    const v4 = find(reports, topicSamples.epsv, (c) => completed('EPSV')(c) && !c.connection!.to.ip.includes(':'));
    const v6 = find(reports, topicSamples.epsv, (c) => completed('EPSV')(c) && c.connection!.to.ip.includes(':'));
    if (!v4 && !v6) return missing(lesson, 'EPSV');
    lesson.text(
      "EPSV (RFC 2428) asks for passive mode like PASV, but the 229 reply names only a port: |||port|. The client connects to that port on the address it already talks to — the control connection's. So there is no address in the reply to be wrong: a server behind NAT cannot announce its private address, and the same command works for IPv4 and IPv6.",
    );
    const points: string[] = [];
    if (v4)
      points.push(
        `samples/${v4.file}: ${quote(`229 ${v4.channel.text}`)} in ${frame(v4.channel.frame)}; the client connects ${formatEndpoint(v4.channel.connection!.from)} → ${formatEndpoint(v4.channel.connection!.to)} in ${frame(v4.channel.connection!.synFrame)}, the control connection's server address.`,
      );
    if (v6)
      points.push(
        `IPv6, samples/${v6.file}: ${quote(`229 ${v6.channel.text}`)} in ${frame(v6.channel.frame)}; SYN ${formatEndpoint(v6.channel.connection!.from)} → ${formatEndpoint(v6.channel.connection!.to)} in ${frame(v6.channel.connection!.synFrame)}.`,
      );
    points.push('The firewall permissions are those of passive mode (ftpcap explain passive): the server accepts connections to its passive range.');
    lesson.bullets(points);
    const shown = v4 ?? v6!;
    lesson.heading('The ladder');
    lesson.ladder(shown.session, shown.file);
    const all = reports['epsv-all/capture.pcap'];
    const session = all?.sessions.find((s) => s.timeline.some((e) => /^EPSV\s+ALL/i.test(e.line ?? '')));
    lesson.heading('EPSV ALL');
    if (!all || !session) return missing(lesson, 'EPSV ALL');
    const allFrame = lineFrame(session, /^EPSV\s+ALL/i);
    const reply = session.timeline.find((e) => e.kind === 'reply' && e.frame > (allFrame ?? 0));
    const afterwards = session.dataChannels.filter((c) => c.method !== 'EPSV');
    const accepted = afterwards.find((c) => c.reply && c.reply.code < 300);
    const refused = afterwards.filter((c) => c.reply && c.reply.code >= 400);
    const epsv = session.dataChannels.find((c) => c.method === 'EPSV' && c.status === 'completed');
    lesson.text(
      `With ${quote('EPSV ALL')} the client promises to use nothing but EPSV for the rest of the session, so a NAT or firewall between the two may stop reading the control connection for PORT and PASV at all. On samples/epsv-all/capture.pcap:`,
    );
    lesson.bullets(
      [
        `${quote('EPSV ALL')} in ${frame(allFrame)}, accepted: ${reply ? quote(`${reply.line}`) : 'a 200 reply'} (${frame(reply?.frame)}).`,
        refused.length > 0
          ? `The server then refuses ${refused.map((c) => `${c.method} (${frame(c.reply!.frame)}: ${c.reply!.code})`).join(' and ')}, as RFC 2428 asks.`
          : null,
        accepted
          ? `But vsftpd accepts ${quote(`${accepted.method} ${accepted.text}`)} (${frame(accepted.reply!.frame)}) and connects to it (${frame(accepted.connection?.synFrame)}): ftpcap reports that as epsv-all-violation, because a middlebox that trusted the promise would not have opened the way.`
          : null,
        epsv
          ? `The well-behaved transfer afterwards uses EPSV: ${quote(`229 ${epsv.text}`)} in ${frame(epsv.frame)}, SYN in ${frame(epsv.connection?.synFrame)}.`
          : null,
      ].filter((p): p is string => p !== null),
    );
  },

  nat(lesson, reports) {
    lesson.title('NAT: why PORT and PASV break, and what an FTP helper does');
    lesson.text(
      "PORT and 227 carry an IP address inside the control connection's text. A NAT rewrites addresses in packet headers, not in text, so an address from behind the NAT reaches the other side unchanged — an address that means nothing there.",
    );
    const port = find(reports, ['nat-no-helper/capture.pcap'], (c) => c.method === 'PORT' && c.status === 'refused');
    lesson.heading('PORT from behind a NAT');
    if (port) {
      const { session: s, channel: c } = port;
      lesson.bullets([
        `samples/nat-no-helper/capture.pcap, seen outside the NAT: the control connection comes from the NAT's public address ${s.client.ip} (${frame(s.control.synFrame)}), but the client announces its own address inside the NAT: ${quote(`PORT ${c.text}`)} = ${formatEndpoint(named(c, s))} in ${frame(c.frame)}.`,
        `vsftpd refuses to connect to an address that is not the client's: ${quote(`${c.reply!.code} ${c.reply!.text}`)} (${frame(c.reply!.frame)}). A server that accepted it would send its SYN to an address it cannot reach.`,
      ]);
    } else missing(lesson, 'PORT behind NAT');
    const pasv = find(reports, ['nat-pasv-private/capture.pcap'], (c) => c.method === 'PASV' && c.connection?.handshake === 'unanswered');
    lesson.heading('PASV from a server behind a NAT');
    if (pasv) {
      const { session: s, channel: c } = pasv;
      const conn = c.connection!;
      lesson.bullets([
        `samples/nat-pasv-private/capture.pcap: the client talks to the NAT's public address ${s.server.ip}, but the server names its inside address: ${quote(`227 ${c.text}`)} = ${formatEndpoint(named(c, s))} in ${frame(c.frame)}.`,
        `lftp dials it: ${conn.synCount} SYNs to ${formatEndpoint(conn.to)} from ${frame(conn.synFrame)} on, none answered. Other clients (curl, ftplib) ignore the 227 address and dial the control connection's — and succeed; EPSV avoids the question entirely (ftpcap explain epsv).`,
        'The fix is on the server: announce the public address (vsftpd pasv_address, ProFTPD MasqueradeAddress, Pure-FTPd -P), and forward the passive range through the NAT.',
      ]);
      lesson.heading('The ladder');
      lesson.ladder(s, pasv.file);
    } else missing(lesson, 'PASV behind NAT');
    const inside = find(reports, ['nat-helper/inside.pcap'], (c) => c.method === 'PORT' && c.status === 'completed');
    const outside = find(reports, ['nat-helper/capture.pcap'], (c) => c.method === 'PORT' && c.status === 'completed');
    lesson.heading('What an FTP helper does');
    if (inside && outside) {
      lesson.bullets([
        `The same NAT with Linux's FTP helper (nf_conntrack_ftp + nf_nat_ftp) reads the control connection. Inside (samples/nat-helper/inside.pcap) the client sends ${quote(`PORT ${inside.channel.text}`)} = ${formatEndpoint(named(inside.channel, inside.session))} in ${frame(inside.channel.frame)}.`,
        `Outside (samples/nat-helper/capture.pcap) the server receives ${quote(`PORT ${outside.channel.text}`)} = ${formatEndpoint(named(outside.channel, outside.session))} in ${frame(outside.channel.frame)}: the helper rewrote the address in the text to the NAT's public one, and expects the connection.`,
        `The server's SYN to it (${formatEndpoint(outside.channel.connection!.from)} → ${formatEndpoint(outside.channel.connection!.to)}, ${frame(outside.channel.connection!.synFrame)}) is let in and forwarded to the client as a RELATED connection; the transfer completes (${outside.channel.transfer?.replyCode ?? 'a 2xx'}, ${frame(outside.channel.transfer?.replyFrame)}).`,
        'A helper only works when it can read the line: not on TLS (AUTH TLS, port 990), and not on a control port it is not bound to. ftpcap firewall predicts, per session, whether the kernel helper would have followed it.',
      ]);
    } else missing(lesson, 'the FTP helper');
  },
};
