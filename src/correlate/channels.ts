/**
 * Facts about a data channel that come from its matched TCP connection: which side sent the
 * transfer's bytes, and how many bytes crossed (and how many the capture lacks).
 */
import type { DataChannel } from '../model';
import { missingBytes, payloadBytes } from '../tcp/connections';
import type { Direction } from '../types';

/** Which side of the channel's data connection sends the transfer's bytes: orig or resp. */
export function transferSender(channel: DataChannel): Direction | null {
  if (!channel.transfer) return null;
  const serverSends = channel.transfer.direction === 'download';
  // Passive: the client opens the connection (orig); active: the server does.
  const serverIsOrig = channel.mode === 'active';
  return serverSends === serverIsOrig ? 'orig' : 'resp';
}

/**
 * Bytes the channel's data connection carried in the transfer's direction (both directions when
 * no transfer used it), and how many of them the capture lacks.
 */
export function channelBytes(channel: DataChannel): { bytes: number; missing: number } {
  const connection = channel.connection;
  if (!connection) return { bytes: 0, missing: 0 };
  const sender = transferSender(channel);
  const directions: Direction[] = sender === null ? ['orig', 'resp'] : [sender];
  let bytes = 0;
  let missing = 0;
  for (const d of directions) {
    bytes += payloadBytes(connection, d);
    missing += missingBytes(connection, d);
  }
  return { bytes, missing };
}
