/**
 * One lab's proof, run start to end in the background while the tests await its pieces:
 *
 *   1. the reference transfers with no firewall, recorded by tcpdump on the router;
 *   2. `ftpcap firewall` on that capture, for the lab's side (and with `--clients seen` where the
 *      rules can name clients);
 *   3. per ruleset: loaded with a default-drop policy in the side's namespace, every transfer kind
 *      the capture showed, twice, from a quiet start (earlier sessions ended, conntrack and
 *      neighbour caches flushed); then probes that must be dropped (ports just outside the
 *      passive range; the stranger host where the rules name sources); then, for the sets the
 *      lab's spec names, each essential rule left out in turn: a transfer it concerns (or, for
 *      neighbour discovery, a resolution) must fail.
 *
 * A lab runs its sets one after another (they share its hosts); labs run side by side.
 */
import { join } from 'node:path';
import {
  ADDRESSES,
  CLIENT_LISTENER_PORT,
  Lab,
  makePayload,
  OUTSIDE_PORTS,
  TRANSFER_KINDS,
  type HostRole,
  type Payload,
  type TransferKind,
  type TransferResult,
} from './lab';
import {
  controlOnlyServerSet,
  ftpcapFirewall,
  handWrittenServerSet,
  iptablesToggle,
  isNeighbourDiscovery,
  transfersConcerned,
  withoutRule,
  type KernelRule,
  type KernelRuleSet,
  type Side,
} from './rules';

export type Software = 'vsftpd' | 'pure-ftpd';

export interface LabSpec {
  /** Namespace prefix, unique per lab (fk + digits). */
  prefix: string;
  software: Software;
  side: Side;
  /** The rule language whose sets this lab loads (one lab per dialect: they run side by side). */
  dialect: 'nftables' | 'iptables';
  /** The sets (dialect/style) whose essential rules are each left out in turn (a few seconds per rule). */
  ablation: string[];
}

export const SIDE_HOST: Record<Side, HostRole> = { server: 'srv', client: 'cli', router: 'rtr' };

/** IPv6 neighbours on the links of the host where a side's rules are loaded: who resolves which address. */
const NEIGHBOURS: Record<Side, Array<[HostRole, string]>> = {
  server: [
    ['rtr', ADDRESSES.server.ipv6],
    ['srv', '2001:db8:2::1'],
  ],
  client: [
    ['rtr', ADDRESSES.client.ipv6],
    ['cli', '2001:db8:1::1'],
  ],
  router: [
    ['srv', '2001:db8:2::1'],
    ['cli', '2001:db8:1::1'],
    ['rtr', ADDRESSES.server.ipv6],
    ['rtr', ADDRESSES.client.ipv6],
  ],
};

export interface Probe {
  what: string;
  from: HostRole;
  to: string;
  port: number;
  sourcePort: number;
  /** connected, refused, timeout, error: ... */
  result: string;
}

export interface AblationResult {
  rule: KernelRule;
  /** Load error of the set without the rule, or null. */
  loadError: string | null;
  /** Neighbour discovery rules: which neighbour resolved which address without the rule, and how it ended. */
  resolutions: Array<{ from: HostRole; address: string; ok: boolean; state: string }>;
  /** The transfers run without the rule, in order, up to the first failure. */
  transfers: TransferResult[];
}

export interface SetResult {
  set: KernelRuleSet;
  clientsSeen: boolean;
  loadError: string | null;
  /** Two runs of every transfer kind. */
  runs: TransferResult[][];
  probes: Probe[];
  ablation: AblationResult[] | null;
  /** nft list ruleset and conntrack in the side's namespace right after the first failed transfer. */
  snapshot: string | null;
  /** Seconds spent on the transfers, the probes and the rules left out. */
  seconds: { transfers: number; probes: number; ablation: number };
}

export interface ReferenceResult {
  capture: string;
  transfers: TransferResult[];
  /** The transfers through the hand-written field guide set (server side), and through a control-only set. */
  selfCheck: { good: TransferResult[]; controlOnly: TransferResult[] } | null;
}

class Deferred<T> {
  promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.promise.catch(() => undefined); // awaited by the tests; never an unhandled rejection
  }
}

/** The set keys a lab produces, known before it runs: dialect/style[/clients-seen]. */
export function setKeys(spec: LabSpec): string[] {
  const variants = spec.side === 'client' ? [false] : [false, true];
  return variants.flatMap((clientsSeen) => ['helper', 'stateless'].map((style) => `${spec.dialect}/${style}${clientsSeen ? '/clients-seen' : ''}`));
}

export function setKey(set: KernelRuleSet, clientsSeen: boolean): string {
  return `${set.dialect}/${set.style}${clientsSeen ? '/clients-seen' : ''}`;
}

export class Proof {
  readonly lab: Lab;
  readonly reference = new Deferred<ReferenceResult>();
  readonly sets = new Map<string, Deferred<SetResult>>();
  readonly done: Promise<void>;
  payload: Payload | null = null;
  startedAt = Date.now();
  finishedAt: number | null = null;

  constructor(
    readonly spec: LabSpec,
    readonly options: {
      pureFtpd: string | null;
      selfCheck?: boolean;
      /** Where the rulesets come from: `ftpcap firewall` unless told otherwise. */
      rules?: (capture: string, side: Side, clientsSeen: boolean) => Promise<KernelRuleSet[]>;
    },
  ) {
    this.lab = new Lab(spec.prefix);
    for (const key of setKeys(spec)) this.sets.set(key, new Deferred<SetResult>());
    this.done = this.run().then(
      () => undefined,
      (error) => {
        this.reference.reject(error);
        for (const d of this.sets.values()) d.reject(error);
      },
    );
  }

  get kinds(): TransferKind[] {
    return TRANSFER_KINDS;
  }

  private async run(): Promise<void> {
    const lab = this.lab;
    try {
      await lab.up();
      const payload = (this.payload = makePayload(lab.work));
      if (this.spec.software === 'vsftpd') await lab.startVsftpd(payload);
      else {
        if (!this.options.pureFtpd) throw new Error('Pure-FTPd is not available: apt-get download pure-ftpd failed');
        await lab.startPureFtpd(payload, this.options.pureFtpd);
      }
      await lab.startListeners();

      // 1. reference transfers, recorded on the router
      const capture = join(lab.work, 'capture.pcap');
      const recorder = await lab.startCapture(capture);
      const transfers: TransferResult[] = [];
      for (let round = 0; round < 2; round++) for (const kind of this.kinds) transfers.push(await lab.transfer(kind, payload));
      await recorder.stop();
      const unblocked = await lab.probe('cli', ADDRESSES.server.ipv4, OUTSIDE_PORTS[0]);
      if (unblocked !== 'connected') throw new Error(`without rules the client cannot reach the listener on ${OUTSIDE_PORTS[0]}: ${unblocked}`);
      let selfCheck: ReferenceResult['selfCheck'] = null;
      if (this.options.selfCheck) selfCheck = await this.selfCheck(payload);
      this.reference.resolve({ capture, transfers, selfCheck });
      if (transfers.some((t) => !t.ok))
        throw new Error(
          `reference transfers failed without a firewall: ${transfers
            .filter((t) => !t.ok)
            .map((t) => `${t.kind.id}: ${t.detail}`)
            .join('; ')}`,
        );

      // 2. the rules
      const variants = this.spec.side === 'client' ? [false] : [false, true];
      for (const clientsSeen of variants) {
        let sets: KernelRuleSet[];
        try {
          sets = this.options.rules
            ? await this.options.rules(capture, this.spec.side, clientsSeen)
            : (await ftpcapFirewall(capture, this.spec.side, clientsSeen)).sets;
        } catch (error) {
          for (const [key, d] of this.sets) if (key.endsWith('/clients-seen') === clientsSeen) d.reject(error);
          continue;
        }
        for (const key of setKeys(this.spec).filter((k) => k.endsWith('/clients-seen') === clientsSeen)) {
          const set = sets.find((s) => setKey(s, clientsSeen) === key);
          if (!set) this.sets.get(key)?.reject(new Error(`ftpcap printed no ${key} set for side ${this.spec.side}`));
        }
        // 3. each set on the kernel
        for (const set of sets) {
          const deferred = this.sets.get(setKey(set, clientsSeen));
          if (!deferred) continue;
          try {
            deferred.resolve(await this.proveSet(set, clientsSeen, payload));
          } catch (error) {
            deferred.reject(error);
          } finally {
            await lab.clearRules(SIDE_HOST[this.spec.side]);
          }
        }
      }
    } finally {
      this.finishedAt = Date.now();
      await lab.down();
    }
  }

  /** The lab can tell success from failure: a field-guide set carries everything, a control-only set does not. */
  private async selfCheck(payload: Payload): Promise<{ good: TransferResult[]; controlOnly: TransferResult[] }> {
    const port = this.lab.serverEndpoint!.port;
    const good: TransferResult[] = [];
    const controlOnly: TransferResult[] = [];
    const loadGood = await this.lab.loadRules('srv', 'nftables', handWrittenServerSet(port).text);
    if (loadGood) throw new Error(`the field guide set does not load: ${loadGood}`);
    await this.lab.quiesce();
    good.push(...(await Promise.all(this.kinds.map((kind) => this.lab.transfer(kind, payload)))));
    const loadBad = await this.lab.loadRules('srv', 'nftables', controlOnlyServerSet(port).text);
    if (loadBad) throw new Error(`the control-only set does not load: ${loadBad}`);
    await this.lab.quiesce();
    const blocked = this.kinds.filter((k) => k.client === 'curl' && k.family === 'ipv4' && (k.mode === 'PASV' || k.mode === 'PORT'));
    controlOnly.push(...(await Promise.all(blocked.map((kind) => this.lab.transfer(kind, payload)))));
    await this.lab.clearRules('srv');
    return { good, controlOnly };
  }

  private async proveSet(set: KernelRuleSet, clientsSeen: boolean, payload: Payload): Promise<SetResult> {
    const lab = this.lab;
    const host = SIDE_HOST[this.spec.side];
    const result: SetResult = {
      set,
      clientsSeen,
      loadError: null,
      runs: [],
      probes: [],
      ablation: null,
      snapshot: null,
      seconds: { transfers: 0, probes: 0, ablation: 0 },
    };
    let mark = Date.now();
    const lap = () => {
      const now = Date.now();
      const seconds = (now - mark) / 1000;
      mark = now;
      return seconds;
    };
    result.loadError = await lab.loadRules(host, set.dialect, set.text);
    if (result.loadError) return result;

    for (let round = 0; round < 2; round++) {
      await lab.quiesce();
      // The kinds of one round run side by side (as several users would): the wall time of a
      // round is that of its slowest transfer.
      const runResults = await Promise.all(this.kinds.map((kind) => lab.transfer(kind, payload)));
      if (runResults.some((t) => !t.ok) && result.snapshot === null) result.snapshot = await lab.snapshot(host);
      result.runs.push(runResults);
    }

    result.seconds.transfers = lap();
    result.probes = await this.probes(clientsSeen);
    result.seconds.probes = lap();

    if (this.spec.ablation.includes(setKey(set, clientsSeen))) {
      result.ablation = [];
      // iptables: leave a rule out with -D and put it back with -I (see iptablesToggle), once
      // checked against loading the text without the line; nftables: load the text without it.
      let toggleState: 'unchecked' | 'same' | 'differs' = 'unchecked';
      // The neighbour resolutions that work through the whole set (a host whose own output policy
      // drops the datagram that would make it resolve cannot be asked to): only those count.
      const resolvable: Array<[HostRole, string]> = [];
      if (set.rules.some((r) => r.essential && isNeighbourDiscovery(r))) {
        for (const [from, address] of NEIGHBOURS[this.spec.side]) if ((await lab.resolves(from, address)).ok) resolvable.push([from, address]);
      }
      let loaded = true;
      for (const rule of set.rules.filter((r) => r.essential)) {
        const entry: AblationResult = { rule, loadError: null, resolutions: [], transfers: [] };
        let text: string;
        try {
          text = withoutRule(set, rule);
        } catch (error) {
          entry.loadError = String((error as Error).message);
          result.ablation.push(entry);
          continue;
        }
        const toggle = toggleState === 'differs' ? null : iptablesToggle(set, rule);
        let restore: string | null = null;
        if (toggle && toggleState === 'unchecked') {
          entry.loadError = await lab.loadRules(host, set.dialect, text);
          const fresh = entry.loadError ? null : await lab.iptablesSave(host);
          const full = await lab.loadRules(host, set.dialect, set.text);
          if (full) throw new Error(`the set no longer loads: ${full}`);
          const removed = await lab.shell(host, toggle.remove);
          toggleState = removed === null && fresh !== null && fresh === (await lab.iptablesSave(host)) ? 'same' : 'differs';
          if (removed === null) {
            const back = await lab.shell(host, toggle.restore);
            if (back) throw new Error(`cannot put back ${rule.text}: ${back}`);
          }
          if (!entry.loadError) await lab.loadRules(host, set.dialect, text);
          loaded = false;
        } else if (toggle) {
          if (!loaded) {
            const full = await lab.loadRules(host, set.dialect, set.text);
            if (full) throw new Error(`the set no longer loads: ${full}`);
            loaded = true;
          }
          entry.loadError = await lab.shell(host, toggle.remove);
          restore = toggle.restore;
        } else {
          entry.loadError = await lab.loadRules(host, set.dialect, text);
          loaded = false;
        }
        if (!entry.loadError && isNeighbourDiscovery(rule)) {
          // A host that speaks first teaches its neighbour its link-layer address with its own
          // solicitation, so short transfers need some of these rules only by the order of events.
          // What they are for is shown directly: each end of the host's links resolves the other
          // from empty caches (the router must be able to resolve the host when a client's first
          // packet arrives, and again when its entry goes stale).
          for (const [from, address] of resolvable) {
            const outcome = await lab.resolves(from, address);
            entry.resolutions.push({ from, address, ...outcome });
            if (!outcome.ok) break;
          }
        }
        if (!entry.loadError && entry.resolutions.every((r) => r.ok)) {
          await lab.quiesce();
          // One after another, up to the first failure: side by side, one transfer's packets can
          // teach a host a neighbour that another transfer would have had to resolve (an NS carries
          // its sender's link-layer address), and a rule for the answer would look unneeded.
          for (const kind of transfersConcerned(rule, this.kinds)) {
            const t = await lab.transfer(kind, payload);
            entry.transfers.push(t);
            if (!t.ok) break;
          }
        }
        if (restore && !entry.loadError) {
          const back = await lab.shell(host, restore);
          if (back) throw new Error(`cannot put back ${rule.text}: ${back}`);
        }
        result.ablation.push(entry);
      }
      result.seconds.ablation = lap();
    }
    return result;
  }

  /** Connections the rules must drop (any answer but "connected" counts as dropped). */
  private async probes(clientsSeen: boolean): Promise<Probe[]> {
    const wanted: Array<Omit<Probe, 'result'>> = [];
    for (const family of ['ipv4', 'ipv6'] as const) {
      for (const port of OUTSIDE_PORTS) {
        wanted.push({ what: `client to a server port outside the passive range (${family})`, from: 'cli', to: ADDRESSES.server[family], port, sourcePort: 0 });
      }
      if (this.spec.side === 'client' || this.spec.side === 'router') {
        // The client-side and router rules let the server's active connections in: only the server's.
        for (const sourcePort of [20, 0]) {
          wanted.push({
            what: `stranger to the client's port ${CLIENT_LISTENER_PORT}${sourcePort ? ` from port ${sourcePort}` : ''} (${family})`,
            from: 'str',
            to: ADDRESSES.client[family],
            port: CLIENT_LISTENER_PORT,
            sourcePort,
          });
        }
      }
      if (clientsSeen) {
        const port = this.lab.serverEndpoint!.port;
        wanted.push({
          what: `stranger to the server's control port (${family}), rules naming the clients seen`,
          from: 'str',
          to: ADDRESSES.server[family],
          port,
          sourcePort: 0,
        });
      }
    }
    await this.lab.quiesce();
    // Independent connections: all at once.
    return Promise.all(wanted.map(async (p) => ({ ...p, result: await this.lab.probe(p.from, p.to, p.port, p.sourcePort) })));
  }
}

export function describeTransfers(results: TransferResult[]): string {
  return results.map((t) => `${t.kind.id}: ${t.detail} (${t.ms} ms)`).join('\n');
}
