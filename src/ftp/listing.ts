/**
 * Directory listings as servers send them on a data connection: LIST (no standard format; in
 * practice Unix `ls -l` lines, or DOS/IIS lines), NLST (one name per line, RFC 959 §4.1.3) and
 * MLSD (facts then a space then the name, RFC 3659 §7). `parseListingLine` reads one line; the
 * `ListingParser` splits a stream of chunks into lines (CRLF or LF), resumes cleanly after a gap
 * and keeps at most a capped number of entries.
 */
import type { ListingEntry, ListingSummary } from '../types';

export type ListingCommand = 'LIST' | 'NLST' | 'MLSD';
type LineFormat = 'unix' | 'mlsd' | 'dos' | 'names';

/**
 * `ls -l` as vsftpd, ProFTPD and Pure-FTPd write it: mode, links, owner, (group), size (or a
 * device's `major, minor`), a date of `Mon dd hh:mm` or `Mon dd yyyy`, one space, the name.
 */
const UNIX_LINE = /^([bcdlpsD-])([rwxsStTl-]{9})[.+@]?\s+\d+\s+(?:\S+\s+){1,2}?(?:\d+,\s*)?(\d+)\s+([A-Z][a-z]{2}\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4}))\s(.*)$/;

/** IIS in its DOS style: `01-31-24  12:00PM       <DIR>          name` or a size instead of `<DIR>`. */
const DOS_LINE = /^(\d{2}-\d{2}-\d{2,4})\s+(\d{1,2}:\d{2}\s*(?:[AaPp][Mm])?)\s+(<DIR>|\d+)\s+(.*)$/;

/** The `total N` line that `ls -l` starts with. */
const TOTAL_LINE = /^total\s+\d+$/;

const UNIX_TYPES: Record<string, ListingEntry['type']> = { '-': 'file', d: 'dir', l: 'link' };

/** An MLSD `modify` fact (YYYYMMDDHHMMSS[.sss], UTC) as ISO 8601, or null when malformed. */
export function parseMlsdTime(value: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?$/.exec(value);
  if (!m) return null;
  const fraction = m[7] ? m[7].slice(0, 4).padEnd(4, '0') : '';
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${fraction}Z`;
}

/** One MLSD/MLST line (`fact=value;...; name`), or null when it is not one. */
function parseMlsdLine(line: string): ListingEntry | null {
  const space = line.indexOf(' ');
  if (space <= 0) return null;
  const factText = line.slice(0, space);
  if (!factText.endsWith(';') || !factText.includes('=')) return null;
  const facts = new Map<string, string>();
  for (const fact of factText.slice(0, -1).split(';')) {
    const eq = fact.indexOf('=');
    if (eq <= 0) return null;
    facts.set(fact.slice(0, eq).toLowerCase(), fact.slice(eq + 1));
  }
  const name = line.slice(space + 1);
  const typeFact = (facts.get('type') ?? '').toLowerCase();
  let type: ListingEntry['type'] = null;
  let target: string | undefined;
  if (typeFact === 'file') type = 'file';
  else if (typeFact === 'dir' || typeFact === 'cdir' || typeFact === 'pdir') type = 'dir';
  else if (typeFact.startsWith('os.unix=slink') || typeFact.startsWith('os.unix=symlink')) {
    type = 'link';
    const colon = typeFact.indexOf(':');
    if (colon > 0) target = facts.get('type')!.slice(colon + 1);
  } else if (typeFact !== '') type = 'other';
  const sizeText = facts.get('size') ?? facts.get('sizd');
  const size = sizeText !== undefined && /^\d+$/.test(sizeText) ? Number(sizeText) : null;
  const modify = facts.get('modify');
  const entry: ListingEntry = { name, type, size, time: modify === undefined ? null : (parseMlsdTime(modify) ?? modify) };
  const perm = facts.get('perm') ?? facts.get('unix.mode');
  if (perm !== undefined) entry.perm = perm;
  if (target !== undefined) entry.target = target;
  return entry;
}

function parseUnixLine(line: string): ListingEntry | null {
  const m = UNIX_LINE.exec(line);
  if (!m) return null;
  const type = UNIX_TYPES[m[1]] ?? 'other';
  let name = m[5];
  let target: string | undefined;
  if (type === 'link') {
    const arrow = name.indexOf(' -> ');
    if (arrow >= 0) {
      target = name.slice(arrow + 4);
      name = name.slice(0, arrow);
    }
  }
  const entry: ListingEntry = { name, type, size: Number(m[3]), time: m[4].replace(/\s+/g, ' '), perm: m[1] + m[2] };
  if (target !== undefined) entry.target = target;
  return entry;
}

function parseDosLine(line: string): ListingEntry | null {
  const m = DOS_LINE.exec(line);
  if (!m) return null;
  const dir = m[3] === '<DIR>';
  return { name: m[4], type: dir ? 'dir' : 'file', size: dir ? null : Number(m[3]), time: `${m[1]} ${m[2].replace(/\s+/g, '')}` };
}

/**
 * One listing line (without its line end) as an entry and the format it was in, or null when it
 * is in none (or is `ls`'s `total N`). NLST lines are names whatever they look like.
 */
export function parseListingLine(line: string, command: ListingCommand): { entry: ListingEntry; format: LineFormat } | null {
  if (line === '') return null;
  if (command === 'NLST') return { entry: { name: line, type: null, size: null, time: null }, format: 'names' };
  if (command === 'MLSD') {
    const entry = parseMlsdLine(line);
    return entry ? { entry, format: 'mlsd' } : null;
  }
  if (TOTAL_LINE.test(line)) return null;
  const unix = parseUnixLine(line);
  if (unix) return { entry: unix, format: 'unix' };
  const dos = parseDosLine(line);
  if (dos) return { entry: dos, format: 'dos' };
  // Some servers answer LIST in MLSD's format.
  const mlsd = parseMlsdLine(line);
  return mlsd ? { entry: mlsd, format: 'mlsd' } : null;
}

/** A listing's entries from its bytes in order, as chunks and gaps (STYLE habit 6: resumes after a gap). */
export class ListingParser {
  private readonly entries: ListingEntry[] = [];
  private readonly formats = new Set<LineFormat>();
  private entriesDropped = 0;
  private unparsedLines = 0;
  /** The line begun in an earlier chunk (at most maxLineLength bytes of it). */
  private partial: Buffer[] = [];
  private partialLength = 0;
  /** Bytes of the current line beyond maxLineLength were dropped, or a gap cut it: it is not parsed. */
  private spoiled = false;

  constructor(
    private readonly command: ListingCommand,
    private readonly maxEntries: number,
    private readonly maxLineLength: number,
  ) {}

  push(bytes: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = bytes.indexOf(0x0a, start);
      if (newline < 0) break;
      this.append(bytes.subarray(start, newline));
      this.endLine();
      start = newline + 1;
    }
    if (start < bytes.length) this.append(bytes.subarray(start));
  }

  /** Bytes the capture lacks: the line they fall in is lost; parsing resumes at the next line end. */
  gap(): void {
    this.spoiled = true;
    this.partial = [];
    this.partialLength = 0;
  }

  /** The listing so far (a last line without its line end counts). */
  summary(): ListingSummary {
    if (this.partialLength > 0 || this.spoiled) this.endLine();
    const format = this.formats.size === 0 ? 'empty' : this.formats.size > 1 ? 'mixed' : [...this.formats][0];
    return { format, entries: this.entries, entriesDropped: this.entriesDropped, unparsedLines: this.unparsedLines };
  }

  private append(bytes: Buffer): void {
    const room = this.maxLineLength - this.partialLength;
    if (bytes.length > room) this.spoiled = true;
    const kept = bytes.length > room ? bytes.subarray(0, Math.max(0, room)) : bytes;
    if (kept.length === 0) return;
    // Copy: the chunk belongs to the capture reader.
    this.partial.push(Buffer.from(kept));
    this.partialLength += kept.length;
  }

  private endLine(): void {
    const spoiled = this.spoiled;
    const bytes = Buffer.concat(this.partial, this.partialLength);
    this.partial = [];
    this.partialLength = 0;
    this.spoiled = false;
    if (spoiled) {
      if (bytes.length > 0) this.unparsedLines++;
      return;
    }
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0d) end--;
    const line = bytes.toString('utf8', 0, end);
    if (line === '') return;
    const parsed = parseListingLine(line, this.command);
    if (parsed === null) {
      if (!TOTAL_LINE.test(line)) this.unparsedLines++;
      return;
    }
    this.formats.add(parsed.format);
    if (this.entries.length < this.maxEntries) this.entries.push(parsed.entry);
    else this.entriesDropped++;
  }
}
