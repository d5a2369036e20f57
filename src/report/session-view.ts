/**
 * A report session whose long lists come one element at a time: a session with 200 000 data
 * channels is read back from disk (src/cli/session-spill.ts) and written out channel by channel,
 * never whole in memory. The lists that grow with the traffic of one session are the data channels
 * and the transfers without a channel; the others are capped by the options (timeline, findings)
 * and stay arrays. A ReportSession is a SessionView whose lists are arrays.
 */
import type { ReportChannel, ReportOrphanTransfer, ReportSession } from './schema';

/** The session's lists that come one element at a time, in no particular order. */
export const STREAMED_LISTS = ['dataChannels', 'transfersWithoutChannel'] as const;
export type StreamedList = (typeof STREAMED_LISTS)[number];

export type SessionView = Omit<ReportSession, StreamedList> & {
  /** Each iteration goes through the whole list again. */
  dataChannels: Iterable<ReportChannel>;
  transfersWithoutChannel: Iterable<ReportOrphanTransfer>;
};

const streamed = new Set<string>(STREAMED_LISTS);

/** The session with its lists made arrays (for the formats built whole in memory). */
export function materialize(session: SessionView): ReportSession {
  return { ...session, dataChannels: [...session.dataChannels], transfersWithoutChannel: [...session.transfersWithoutChannel] };
}

/** Text gathered before it is handed on: about a disk block's worth, not a string per element. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The session as JSON text, a part at a time: exactly `JSON.stringify(session)` (pretty: with
 * `JSON.stringify(session, null, 2)`, every line after the first starting with `indent`), built
 * key by key so that the streamed lists are written element by element.
 */
export function* sessionJsonChunks(session: SessionView, pretty: boolean, indent = ''): Generator<string> {
  const keyIndent = pretty ? `\n${indent}  ` : '';
  const elementIndent = pretty ? `${keyIndent}  ` : '';
  const colon = pretty ? ': ' : ':';
  const value = (v: unknown, at: string): string => {
    const text = pretty ? JSON.stringify(v, null, 2) : JSON.stringify(v);
    return pretty ? text.replace(/\n/g, at) : text;
  };
  let out = '{';
  let firstKey = true;
  for (const [key, v] of Object.entries(session)) {
    // JSON.stringify leaves these keys out.
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    out += `${firstKey ? '' : ','}${keyIndent}${JSON.stringify(key)}${colon}`;
    firstKey = false;
    if (!streamed.has(key)) {
      out += value(v, keyIndent);
      continue;
    }
    let first = true;
    for (const element of v as Iterable<unknown>) {
      out += `${first ? '[' : ','}${elementIndent}${value(element, elementIndent)}`;
      first = false;
      if (out.length >= CHUNK_CHARS) {
        yield out;
        out = '';
      }
    }
    out += first ? '[]' : `${keyIndent}]`;
  }
  out += firstKey ? '}' : `${pretty ? `\n${indent}` : ''}}`;
  yield out;
}
