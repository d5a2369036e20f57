/**
 * The text report's lines on how each transfer of a session went (from the JSON's
 * `connection.performance`). Pure: report data in, lines out.
 */
import type { SessionView } from './session-view';
import type { ReportPerformance } from './schema';
import { formatBytes, formatDelay, formatThroughput } from '../text';
import { sanitize } from './sanitize';

/** Transfers listed per session; the rest are counted (the JSON has them all). */
const MAX_LISTED = 20;

const stallWords: Record<NonNullable<ReportPerformance['longestStall']>['cause'], string> = {
  'receiver-window': 'receiver window closed',
  loss: 'packets lost',
  'awaiting-ack': 'waiting for acknowledgements',
  'sender-idle': 'sender idle',
};

function frame(n: number | null, input: unknown): string {
  if (n === null) return '?';
  return typeof input === 'number' ? `${input}:${n}` : `${n}`;
}

/** Two lines per measured data connection: bytes, time and rate; then loss, windows, stalls and control. */
export function renderTransferPerformance(session: Pick<SessionView, 'dataChannels'>): string[] {
  let measured = 0;
  const lines = ['', '  transfers (how each data connection went)'];
  for (const channel of session.dataChannels) {
    if (!channel.connection?.performance) continue;
    if (++measured > MAX_LISTED) continue;
    const p = channel.connection!.performance as ReportPerformance;
    const t = channel.transfer;
    const what = t ? sanitize(`${t.command} ${t.arg}`.trim()) : 'no transfer';
    const rate = p.throughput !== null ? ` (${formatThroughput(p.throughput)})` : '';
    // All new data in segments of one instant (one segment, often): no time to divide by.
    const data = p.dataMicros === null ? '' : p.dataMicros === 0 ? ' at once' : ` in ${formatDelay(p.dataMicros)}${rate}`;
    const handshake = p.handshakeRttMicros !== null ? `, handshake RTT ${formatDelay(p.handshakeRttMicros)}` : '';
    const open = p.closed ? '' : ', still open at the end of the capture';
    lines.push(
      `   #${channel.index} ${what}: ${formatBytes(channel.connection!.bytes)} from the ${p.sender}${data}; ${formatDelay(p.durationMicros)} from SYN to close${open}${handshake}`,
    );
    const facts: string[] = [];
    facts.push(
      p.retransmittedSegments > 0
        ? `sent again ${formatBytes(p.retransmittedBytes)} (${p.retransmittedPercent}%, ${p.retransmittedSegments} segment${p.retransmittedSegments === 1 ? '' : 's'}, first frame ${frame(p.firstRetransmissionFrame, p.firstRetransmissionInput)})`
        : 'nothing sent again',
    );
    const z = p.zeroWindow;
    facts.push(z.episodes > 0 ? `zero window ${z.episodes}× for ${formatDelay(z.totalMicros)} (first frame ${frame(z.frame, z.input)})` : 'no zero window');
    const s = p.longestStall;
    if (s)
      facts.push(`longest stall ${formatDelay(s.micros)} after frame ${frame(s.fromFrame, s.fromInput)} (${s.side} sent nothing new: ${stallWords[s.cause]})`);
    const c = p.control;
    const control =
      c.state === 'active'
        ? 'active'
        : c.state === 'idle'
          ? `idle ${formatDelay(c.idleMicros)}`
          : `${c.state} (frame ${frame(c.endFrame, c.endInput)}) after ${formatDelay(c.idleMicros)} idle`;
    facts.push(`control connection ${control}`);
    lines.push(`      ${facts.join('; ')}`);
  }
  if (measured === 0) return [];
  if (measured > MAX_LISTED) lines.push(`   … ${measured - MAX_LISTED} more data connections: --format json lists them all`);
  return lines;
}
