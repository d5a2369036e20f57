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
  /** How many registered endpoints use each port: a cheap first look for packets of no connection. */
  private readonly ports = new Map<number, number>();
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
      this.ports.set(target.port, (this.ports.get(target.port) ?? 0) + 1);
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

  /**
   * Finds the channel whose connection a packet without SYN belongs to, when the capture lacks
   * the handshake: a packet between the expected source host and an expected endpoint, either way.
   * Only the expected source counts here (no NAT fallback): without a SYN nothing else says who
   * dialled. Returns the expectation and whether the packet's sender is the dialling side.
   */
  matchMidstream(srcIp: string, srcPort: number, dstIp: string, dstPort: number): { expectation: Expectation<Owner>; senderDialled: boolean } | null {
    if (this.ports.has(dstPort)) {
      const forward = this.byTarget.get(endpointKey(dstIp, dstPort))?.find((e) => e.channel.expectedFrom === srcIp);
      if (forward) return { expectation: forward, senderDialled: true };
    }
    if (this.ports.has(srcPort)) {
      const backward = this.byTarget.get(endpointKey(srcIp, srcPort))?.find((e) => e.channel.expectedFrom === dstIp);
      if (backward) return { expectation: backward, senderDialled: false };
    }
    return null;
  }

  /** Whether an expected endpoint uses this port (cheap: no string is built). */
  expectsPort(port: number): boolean {
    return this.ports.has(port);
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
      const count = (this.ports.get(target.port) ?? 1) - 1;
      if (count > 0) this.ports.set(target.port, count);
      else this.ports.delete(target.port);
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
