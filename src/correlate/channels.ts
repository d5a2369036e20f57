/**
 * Facts about a data channel that come from its matched TCP connection: which side sent the
 * transfer's bytes, and how many bytes crossed (and how many the capture lacks).
 */
import type { ChannelFirewallFacts, ChannelOutcome, DataChannel } from '../model';
import { isEstablished, missingBytes, payloadBytes } from '../tcp/connections';
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

/** The channel's outcome in one word (see README: data channel status). */
export function channelStatus(channel: DataChannel): ChannelOutcome {
  if (channel.reply && channel.reply.code >= 400) return 'refused';
  const transfer = channel.transfer;
  if (transfer) {
    if (transfer.final === null) return 'incomplete';
    return transfer.final.code < 300 ? 'completed' : 'failed';
  }
  if (channel.connection && !isEstablished(channel.connection)) return 'failed';
  if (channel.reply === null) return 'incomplete';
  return 'unused';
}

/** What the firewall plan needs of a session's channels, before any channel is added (src/firewall/plan.ts foldChannelFacts). */
export function emptyChannelFirewallFacts(): ChannelFirewallFacts {
  return {
    usedPassive: false,
    usedActive: false,
    passivePorts: new Set(),
    foreign: new Set(),
    activePorts: new Set(),
    activeClients: new Set(),
    activeSources: new Set(),
    passiveFailures: 0,
    activeFailures: 0,
    addressesDropped: false,
  };
}
