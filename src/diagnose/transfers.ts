/**
 * Findings about what the data connections carried: a byte count that differs from the size the
 * server announced, and bytes of a data connection that the capture lacks.
 */
import { channelBytes } from '../correlate/channels';
import type { DataChannel } from '../model';
import { connectionEnd, firstClose, isEstablished } from '../tcp/connections';
import type { Finding } from '../types';
import { firstLine, formatBytes } from '../text';

export function diagnoseTransfers(channels: DataChannel[]): Finding[] {
  const findings: Finding[] = [];
  for (const channel of channels) findings.push(...diagnoseChannelTransfer(channel));
  return findings;
}

/** What one channel's data connection carried, against what was announced. */
export function diagnoseChannelTransfer(channel: DataChannel): Finding[] {
  const findings: Finding[] = [];
  const size = sizeMismatch(channel);
  if (size) findings.push(size);
  const gap = dataGap(channel);
  if (gap) findings.push(gap);
  return findings;
}

/**
 * The bytes of a finished transfer compared with the size the server gave: in its 150 reply, or
 * in a 213 reply to SIZE for the same path. After REST the transfer starts at the offset (servers
 * announce the whole file or the rest: either is accepted). In ASCII mode line ends are converted
 * and a transfer may be longer than the file, never shorter.
 */
function sizeMismatch(channel: DataChannel): Finding | null {
  const transfer = channel.transfer;
  const connection = channel.connection;
  if (!transfer || !connection || !isEstablished(connection)) return null;
  const announced = transfer.announcedSize ?? transfer.sizeReply;
  if (announced === null) return null;
  // Still running when the capture ended: nothing to compare yet.
  if (transfer.final === null && connectionEnd(connection) === 'open') return null;
  const { bytes } = channelBytes(channel);
  const rest = transfer.restOffset;
  if (bytes === announced - rest || bytes === announced) return null;
  // In ASCII mode line ends may grow (LF to CR LF): only fewer bytes than announced is a mismatch.
  if (transfer.type === 'A' && bytes > announced - rest) return null;
  const source = transfer.announcedSize !== null ? 'in its 150 reply' : 'in its reply to SIZE';
  const final = transfer.final;
  const completed = final !== null && final.code < 300;
  const expected = rest > 0 ? `${formatBytes(announced - rest)} (${formatBytes(announced)} from offset ${rest})` : formatBytes(announced);
  const carried = `the server announced ${expected} ${source}, but the data connection carried ${formatBytes(bytes)}`;
  const what = `${transfer.command.verb} ${transfer.command.arg}`.trim();
  // Without the connection's FIN or RST the capture may simply lack its end: say so, do not accuse.
  if (connectionEnd(connection) === 'open') {
    return {
      code: 'transfer-size-mismatch',
      severity: 'warning',
      frame: (final ?? transfer.command).at.ref,
      message: `${what}: ${carried} as far as the capture shows; the connection's end (FIN or RST) is not in the capture, so the capture probably lacks the rest`,
      fix: 'capture the whole transfer (a larger buffer or ring, tcpdump -B) to confirm',
    };
  }
  const ending =
    final === null
      ? 'the capture has no final reply'
      : completed
        ? `the server still reported success (${final.code})`
        : `the transfer ended with "${final.code} ${firstLine(final.text)}"`;
  return {
    code: 'transfer-size-mismatch',
    severity: completed ? 'error' : 'warning',
    frame: (final ?? transfer.command).at.ref,
    message: `${what}: ${carried}; ${ending}`,
    fix: completed
      ? 'the file changed during the transfer, or something on the path altered the data: compare checksums on both ends'
      : 'the transfer was cut short: resume it (REST) or retry',
  };
}

/** Bytes of the data connection that the capture lacks (the counts still come from sequence numbers). */
function dataGap(channel: DataChannel): Finding | null {
  const { bytes, missing } = channelBytes(channel);
  if (missing === 0 || !channel.connection) return null;
  return {
    code: 'capture-gap',
    severity: 'warning',
    frame: (firstClose(channel.connection) ?? channel.connection.last).ref,
    message: `${formatBytes(missing)} of the ${formatBytes(bytes)} on data channel #${channel.index} are not in the capture (no copy of them was captured); the byte count, taken from sequence numbers, still holds`,
  };
}
