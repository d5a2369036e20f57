/**
 * `analyze --extract DIR`: writes each data connection's payload into DIR as the analyzer hands
 * it over, chunk by chunk (nothing is held in memory), and at the end names the files and writes
 * `DIR/manifest.json`.
 *
 * Names come from the capture and are not trusted: only the last path component of a file name is
 * used, stripped of control characters, bidirectional and invisible format characters, characters
 * Windows forbids, leading dots and Windows device names, cut to a safe length, behind a prefix
 * with the session, channel and command. A payload is first written to a fresh file opened with
 * 'wx' (never an existing file, never through a link), then linked to its final name, which fails
 * rather than replace anything: a name taken gets a suffix.
 *
 * With `--session`, `--client` or `--server`, only the selected sessions' payloads are written
 * and listed: a connection of a session outside the addresses is never opened as a file, and one
 * of a session whose number is not asked for (numbers are known only at the end) is dropped then.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { DataChannel } from '../model';
import { payloadFacts, type PayloadFacts } from '../report/build';
import { escapeUnsafeJson } from '../report/json';
import { selectSessions, type SessionSelection } from '../report/select';
import { payloadComplete } from '../transfer/content';
import type { PayloadConsumer, PayloadStream, PayloadWriter } from '../transfer/stream';
import type { FrameRef, PayloadContent } from '../types';

/** Longest name part taken from the capture, in UTF-8 bytes (the whole name stays far below 255). */
const MAX_NAME_BYTES = 120;

/** Windows device names, which name a device in any directory and with any extension. */
const DEVICE_NAMES = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$|clock\$)(\..*)?$/i;

/**
 * Control characters (C0, DEL, C1), bidirectional controls, zero-width and other invisible
 * format characters, line and paragraph separators, and the characters Windows forbids in names.
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: variation selectors are in the class on purpose, to be removed from names one by one
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\ufff0-\uffff<>:"/\\|?*]/gu;

/**
 * A file name for an untrusted name from the capture: its last path component, made safe to
 * create in any directory on Linux, macOS and Windows; null when nothing is left of it.
 */
export function safeNamePart(name: string): string | null {
  const last =
    name
      .split(/[/\\]/)
      .filter((part) => part !== '')
      .pop() ?? '';
  let safe = last.normalize('NFC').replace(UNSAFE, '_');
  safe = safe.replace(/^[.\s_]+/u, '').replace(/[.\s]+$/u, '');
  if (DEVICE_NAMES.test(safe)) safe = `_${safe}`;
  safe = cutToBytes(safe, MAX_NAME_BYTES);
  return /[\p{L}\p{N}]/u.test(safe) ? safe : null;
}

/** The longest prefix of `text` of at most `max` UTF-8 bytes that does not split a character. */
function cutToBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out.replace(/[.\s]+$/u, '');
}

/** The name a stream's file gets: session, channel, command and the file's own name. */
export function extractName(stream: PayloadStream, sessionId: number): string {
  const { channel, connection, direction } = stream;
  if (channel === null) return `s${sessionId}-port${connection.resp.port}-${direction === 'orig' ? 'from-dialler' : 'to-dialler'}.bin`;
  return `s${sessionId}-ch${channel.index}-${channelPart(channel, direction)}`;
}

function channelPart(channel: DataChannel, direction: PayloadStream['direction']): string {
  const transfer = channel.transfer;
  if (transfer === null) return 'data.bin';
  const verb = transfer.command.verb;
  const listing = verb === 'LIST' || verb === 'NLST' || verb === 'MLSD';
  const serverIsOrig = channel.mode === 'active';
  const serverSends = (direction === 'orig') === serverIsOrig;
  // Bytes against the transfer's direction (rare) are kept apart from the file.
  const against = serverSends !== (transfer.direction === 'download') ? `-from-${serverSends ? 'server' : 'client'}` : '';
  const name = safeNamePart(transfer.command.arg.replace(/^-[a-zA-Z]+\s*/, ''));
  if (listing) return `${verb}${name ? `-${name}` : ''}${against}.listing`;
  return `${verb}-${name ?? 'unnamed'}${against}`;
}

/** One line of DIR/manifest.json: a file written and what it holds (hashes, type, REST offset, ASCII mode as in the report). */
export interface ManifestEntry extends PayloadFacts {
  /** The file's name in DIR. */
  file: string;
  session: number;
  /** The data channel's index in its session; null for a connection that answered no announcement seen. */
  channel: number | null;
  command: string | null;
  /** The argument of the transfer command as sent (the file's name on the server). */
  nameAsSent: string | null;
  sender: 'client' | 'server';
  frames: { first: number | null; last: number | null; input?: number };
  size: number;
  complete: boolean;
  /** Byte ranges [start, end) the capture lacks: zeros in the file. */
  gaps: Array<{ start: number; end: number }>;
  gapRangesNotListed: number;
}

/** Every session: nothing asked with --session, --client or --server. */
const everySession: SessionSelection = { ids: [], clients: [], server: null };

interface Written {
  temp: string;
  stream: PayloadStream;
  content: PayloadContent | null;
}

/** Writes payloads into a directory (see the module comment); errors stop the writing, not the analysis. */
export class Extractor implements PayloadConsumer {
  private readonly written: Written[] = [];
  private counter = 0;
  /** The first write error; nothing more is written after it. */
  error: Error | null = null;

  constructor(
    private readonly dir: string,
    private readonly selection: SessionSelection = everySession,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  }

  start(stream: PayloadStream): PayloadWriter | null {
    if (this.error !== null) return null;
    // Addresses are known from the start; session numbers only at the end (see finish).
    if (selectSessions([stream.session], { ...this.selection, ids: [] }).length === 0) return null;
    let fd: number;
    let temp: string;
    try {
      ({ fd, temp } = this.openFresh());
    } catch (error) {
      this.fail(error);
      return null;
    }
    const record: Written = { temp, stream, content: null };
    this.written.push(record);
    let position = 0;
    let open = true;
    const close = () => {
      if (!open) return;
      open = false;
      try {
        fs.closeSync(fd);
      } catch (error) {
        this.fail(error);
      }
    };
    const guard = (action: () => void) => {
      if (!open || this.error !== null) return;
      try {
        action();
      } catch (error) {
        this.fail(error);
        close();
      }
    };
    return {
      data: (bytes) =>
        guard(() => {
          let done = 0;
          while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
          position += bytes.length;
        }),
      // A hole: the file is extended past it (it reads as zeros; sparse where the file system can).
      gap: (length) =>
        guard(() => {
          position += length;
          fs.ftruncateSync(fd, position);
        }),
      end: (content) => {
        record.content = content;
        guard(() => fs.ftruncateSync(fd, content.size));
        close();
      },
    };
  }

  /**
   * Gives each file written its name, removes the temporary names and writes the manifest (to
   * `manifest.json`, or `manifest-N.json` when that exists). Returns the manifest's path.
   * `reportNumber` turns a session's number while it was analyzed into its number in the report
   * (they differ when sessions were released as they ended and numbered by start time at the end).
   */
  finish(reportNumber: (id: number) => number = (id) => id): { manifest: string | null; entries: ManifestEntry[] } {
    const entries: ManifestEntry[] = [];
    for (const record of this.written) {
      if (this.error !== null) break;
      const { stream, content } = record;
      if (content === null) continue;
      try {
        const session = reportNumber(stream.session.id);
        if (this.selection.ids.length > 0 && !this.selection.ids.includes(session)) continue;
        const file = this.linkUnique(record.temp, extractName(stream, session));
        fs.unlinkSync(record.temp);
        entries.push(manifestEntry(file, stream, content, session));
      } catch (error) {
        this.fail(error);
      }
    }
    for (const record of this.written) fs.rmSync(record.temp, { force: true });
    if (this.error !== null) return { manifest: null, entries };
    try {
      // Names as sent may hold bidirectional marks and C1 controls: escaped as in the JSON report.
      const manifest = this.writeNew('manifest', '.json', `${escapeUnsafeJson(JSON.stringify({ files: entries }, null, 2))}\n`);
      return { manifest, entries };
    } catch (error) {
      this.fail(error);
      return { manifest: null, entries };
    }
  }

  private fail(error: unknown): void {
    this.error ??= error instanceof Error ? error : new Error(String(error));
  }

  /** A new file in DIR under a name of our own, created with O_EXCL. */
  private openFresh(): { fd: number; temp: string } {
    for (;;) {
      const temp = path.join(this.dir, `.ftpcap-partial-${process.pid}-${++this.counter}`);
      try {
        return { fd: fs.openSync(temp, 'wx', 0o644), temp };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }

  /** Links `temp` to `name` in DIR, or to `name-2`, `name-3`, ... when taken; returns the name used. */
  private linkUnique(temp: string, name: string): string {
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const extension = dot > 0 ? name.slice(dot) : '';
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? name : `${stem}-${n}${extension}`;
      const target = path.join(this.dir, candidate);
      // The name is one component: it cannot leave DIR (checked anyway).
      if (path.dirname(target) !== path.normalize(this.dir) && path.dirname(target) !== this.dir)
        throw new Error(`refusing to write outside ${this.dir}: ${candidate}`);
      try {
        fs.linkSync(temp, target);
        return candidate;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV') {
          // No hard links here: copy with O_EXCL instead.
          try {
            fs.copyFileSync(temp, target, fs.constants.COPYFILE_EXCL);
            return candidate;
          } catch (copyError) {
            if ((copyError as NodeJS.ErrnoException).code === 'EEXIST') continue;
            throw copyError;
          }
        }
        throw error;
      }
    }
  }

  /** Writes a new file `stem.ext` (or `stem-N.ext`) in DIR with O_EXCL; returns its path. */
  private writeNew(stem: string, extension: string, text: string): string {
    for (let n = 1; ; n++) {
      const file = path.join(this.dir, n === 1 ? `${stem}${extension}` : `${stem}-${n}${extension}`);
      try {
        fs.writeFileSync(file, text, { flag: 'wx' });
        return file;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }
}

function manifestEntry(file: string, stream: PayloadStream, content: PayloadContent, sessionNumber: number): ManifestEntry {
  const { session, channel, connection, direction } = stream;
  const transfer = channel?.transfer ?? null;
  const senderIp = direction === 'orig' ? connection.orig.ip : connection.resp.ip;
  const frames: ManifestEntry['frames'] = { first: content.firstFrame?.frame ?? null, last: content.lastFrame?.frame ?? null };
  const input = (content.firstFrame ?? content.lastFrame) as FrameRef | null;
  if (input !== null && input.input > 0) frames.input = input.input;
  return {
    file,
    session: sessionNumber,
    channel: channel?.index ?? null,
    command: transfer?.command.verb ?? null,
    nameAsSent: transfer?.command.arg ?? null,
    sender: senderIp === session.server.ip ? 'server' : 'client',
    frames,
    size: content.size,
    complete: payloadComplete(content),
    gaps: content.missing,
    gapRangesNotListed: content.missingRangesDropped,
    ...payloadFacts(content, transfer),
  };
}
