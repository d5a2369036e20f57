/**
 * Expected data connections: every accepted announcement registers the endpoints a data
 * connection may be dialled to; the first SYN toward one of them claims the announcement.
 */
import type { DataChannel } from '../model';
import { endpointKey } from '../tcp/connections';

/** A channel waiting for its data connection, and whoever should hear when it arrives. */
export interface Expectation<Owner> {
  channel: DataChannel;
  owner: Owner;
}

export class ExpectationRegistry<Owner> {
  /** endpoint key -> expectations waiting for a SYN to that endpoint, oldest first. */
  private readonly byTarget = new Map<string, Expectation<Owner>[]>();
  /** Registered channels in registration order (the first is the oldest). */
  private readonly order = new Set<DataChannel>();
  /** Expectations dropped because the registry was full. */
  dropped = 0;

  constructor(private readonly maxExpectations: number) {}

  get size(): number {
    return this.order.size;
  }

  /** Registers a channel under each endpoint it expects a SYN to. */
  add(channel: DataChannel, owner: Owner): void {
    if (this.order.size >= this.maxExpectations) this.dropOldest();
    const expectation = { channel, owner };
    for (const target of channel.expectedTo) {
      const key = endpointKey(target.ip, target.port);
      const list = this.byTarget.get(key);
      if (list) list.push(expectation);
      else this.byTarget.set(key, [expectation]);
    }
    this.order.add(channel);
  }

  /**
   * Finds the channel a SYN from `srcIp` to `dstIp:dstPort` answers: among the open channels
   * expecting that endpoint, the oldest whose expected source is `srcIp`; failing that, the oldest
   * passive one (a NAT or proxy may dial for the client). An active channel is answered only by
   * the server it expects.
   */
  match(srcIp: string, dstIp: string, dstPort: number): Expectation<Owner> | null {
    const list = this.byTarget.get(endpointKey(dstIp, dstPort));
    if (!list) return null;
    return list.find((e) => e.channel.expectedFrom === srcIp) ?? list.find((e) => e.channel.mode === 'passive') ?? null;
  }

  /** Stops matching a channel (it was matched, refused or superseded). */
  remove(channel: DataChannel): void {
    if (!this.order.delete(channel)) return;
    for (const target of channel.expectedTo) {
      const key = endpointKey(target.ip, target.port);
      const list = this.byTarget.get(key);
      if (!list) continue;
      const index = list.findIndex((e) => e.channel === channel);
      if (index < 0) continue;
      list.splice(index, 1);
      if (list.length === 0) this.byTarget.delete(key);
    }
  }

  private dropOldest(): void {
    const oldest = this.order.values().next();
    if (oldest.done) return;
    this.remove(oldest.value);
    oldest.value.closed = true;
    this.dropped++;
  }
}
