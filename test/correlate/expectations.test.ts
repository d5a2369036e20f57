/**
 * ExpectationRegistry on its own: which waiting channel a SYN claims, which one a packet of a
 * connection whose handshake the capture lacks belongs to, and how the registry stays bounded.
 * The channels are hand-built with the lab's addresses (test/correlate/rows.ts): client
 * 198.51.100.20, server 192.0.2.10, a NAT address 203.0.113.5 and a stranger 203.0.113.99.
 */
import { describe, expect, test } from 'vitest';
import { ExpectationRegistry } from '../../src/correlate/expectations';
import type { DataChannel } from '../../src/model';
import { CLIENT_IP, SERVER_IP } from './lab';
import { channel, type ChannelSpec } from './rows';

const NAT_IP = '203.0.113.5';
const STRANGER_IP = '203.0.113.99';

/** Active: the server dials the client's announced port. Passive: the client dials the server's. */
const active = (index: number, port: number): ChannelSpec => ({ index, mode: 'active', from: SERVER_IP, to: [{ ip: CLIENT_IP, port }] });
const passive = (index: number, port: number, announcedIp = SERVER_IP): ChannelSpec => ({
  index,
  mode: 'passive',
  from: CLIENT_IP,
  to:
    announcedIp === SERVER_IP
      ? [{ ip: SERVER_IP, port }]
      : [
          { ip: SERVER_IP, port },
          { ip: announcedIp, port },
        ],
});

function registry(specs: ChannelSpec[], max = 100): { registry: ExpectationRegistry<string>; channels: DataChannel[] } {
  const r = new ExpectationRegistry<string>(max);
  const channels = specs.map(channel);
  for (const c of channels) r.add(c, `owner of #${c.index}`);
  return { registry: r, channels };
}

// biome-ignore format: a table, one row a line
describe('a SYN claims a waiting channel', () => {
  test.each<[string, ChannelSpec[], [src: string, dst: string, dstPort: number], number | null]>([
    ['active: the server dials the announced port', [active(1, 50001)], [SERVER_IP, CLIENT_IP, 50001], 1],
    ['active: another port is no match', [active(1, 50001)], [SERVER_IP, CLIENT_IP, 50002], null],
    ['active: only the server may answer a PORT (no third party)', [active(1, 50001)], [STRANGER_IP, CLIENT_IP, 50001], null],
    ['passive: the client dials the announced port', [passive(1, 40001)], [CLIENT_IP, SERVER_IP, 40001], 1],
    ['passive: a NAT may dial for the client', [passive(1, 40001)], [NAT_IP, SERVER_IP, 40001], 1],
    ['passive: the announced address when it is not the server\'s', [passive(1, 40001, '100.64.0.10')], [CLIENT_IP, '100.64.0.10', 40001], 1],
    ['passive: the server\'s own address still counts then', [passive(1, 40001, '100.64.0.10')], [CLIENT_IP, SERVER_IP, 40001], 1],
    ['two channels on one endpoint: the oldest first', [passive(1, 40001), passive(2, 40001)], [CLIENT_IP, SERVER_IP, 40001], 1],
    ['the expected source before an older NAT fallback', [passive(1, 40001), { ...passive(2, 40001), from: NAT_IP }], [NAT_IP, SERVER_IP, 40001], 2],
    ['active and passive on one endpoint: a stranger gets the passive one', [{ ...active(1, 40001), to: [{ ip: SERVER_IP, port: 40001 }], from: CLIENT_IP }, passive(2, 40001)], [STRANGER_IP, SERVER_IP, 40001], 2],
    ['nothing registered', [], [CLIENT_IP, SERVER_IP, 40001], null],
  ])('%s', (_name, specs, [src, dst, dstPort], expected) => {
    const { registry: r } = registry(specs);
    const match = r.match(src, dst, dstPort);
    expect(match?.channel.index ?? null).toBe(expected);
    if (match) expect(match.owner).toBe(`owner of #${expected}`);
  });
});

// biome-ignore format: a table, one row a line
describe('a packet without SYN finds the channel of its connection', () => {
  test.each<[string, ChannelSpec[], [src: string, srcPort: number, dst: string, dstPort: number], [index: number, senderDialled: boolean] | null]>([
    ['passive, the client sends toward the server', [passive(1, 40001)], [CLIENT_IP, 55000, SERVER_IP, 40001], [1, true]],
    ['passive, the server answers the client', [passive(1, 40001)], [SERVER_IP, 40001, CLIENT_IP, 55000], [1, false]],
    ['active, the server sends to the announced port', [active(1, 50001)], [SERVER_IP, 20, CLIENT_IP, 50001], [1, true]],
    ['active, the client answers from it', [active(1, 50001)], [CLIENT_IP, 50001, SERVER_IP, 20], [1, false]],
    ['no NAT fallback without a SYN', [passive(1, 40001)], [NAT_IP, 55000, SERVER_IP, 40001], null],
    ['a port no channel expects', [passive(1, 40001)], [CLIENT_IP, 55000, SERVER_IP, 40002], null],
  ])('%s', (_name, specs, [src, srcPort, dst, dstPort], expected) => {
    const { registry: r } = registry(specs);
    const found = r.matchMidstream(src, srcPort, dst, dstPort);
    expect(found === null ? null : [found.expectation.channel.index, found.senderDialled]).toEqual(expected);
  });
});

describe('bookkeeping', () => {
  test('a removed channel no longer matches, and its ports are forgotten once no channel uses them', () => {
    const { registry: r, channels } = registry([passive(1, 40001), passive(2, 40001, '100.64.0.10'), passive(3, 40003)]);
    expect(r.size).toBe(3);
    expect([r.expectsPort(40001), r.expectsPort(40003), r.expectsPort(40002)]).toEqual([true, true, false]);
    r.remove(channels[0]);
    expect(r.match(CLIENT_IP, SERVER_IP, 40001)?.channel.index).toBe(2);
    r.remove(channels[1]);
    expect(r.match(CLIENT_IP, SERVER_IP, 40001)).toBeNull();
    expect(r.match(CLIENT_IP, '100.64.0.10', 40001)).toBeNull();
    expect(r.expectsPort(40001)).toBe(false);
    expect(r.expectsPort(40003)).toBe(true);
    r.remove(channels[1]); // twice: no effect
    expect(r.size).toBe(1);
  });

  test('when full, the oldest channel is dropped, closed and counted', () => {
    const { registry: r, channels } = registry([passive(1, 40001), passive(2, 40002), passive(3, 40003)], 2);
    expect(r.size).toBe(2);
    expect(r.dropped).toBe(1);
    expect(channels.map((c) => c.closed)).toEqual([true, false, false]);
    expect(r.match(CLIENT_IP, SERVER_IP, 40001)).toBeNull();
    expect(r.match(CLIENT_IP, SERVER_IP, 40003)?.channel.index).toBe(3);
  });
});
