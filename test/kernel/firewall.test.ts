/**
 * ftpcap's firewall rules on a real kernel. For each FTP server (vsftpd on port 21, Pure-FTPd on
 * port 2121) and each side the rules are written for (server host, client host, router), a lab of
 * network namespaces (lab.ts) records real transfers with no firewall, `ftpcap firewall` derives
 * the rules from that capture, and every nftables and iptables set it prints (helper and
 * stateless) is loaded with its default-drop policy where it belongs. Then:
 *
 *   1. every transfer kind the capture showed (curl EPSV, PASV, EPRT, PORT and lftp PASV over
 *      IPv4; curl EPSV and EPRT over IPv6) downloads the 300 KiB file intact, twice, with fresh
 *      neighbour caches, so new temporary and passive ports are used;
 *   2. every rule marked essential is needed: without its line, a transfer of the modes it
 *      concerns fails (for a neighbour discovery rule: the host or its router cannot resolve the
 *      other from empty caches, or a transfer fails); every other rule says why it is there. (On two of the four sets per lab,
 *      see ABLATION; so for every side, dialect and style once. Not on the sets with
 *      `--clients seen`: they differ only in the addresses they name, which point 3 checks.)
 *   3. nothing much wider is open: the client cannot reach listeners on the server's ports just
 *      outside the passive range, and a stranger host cannot reach the client's listener (rules
 *      that let the server's active connections in) nor, with `--clients seen`, the server.
 *
 * The labs (prefixes fk1..fk12) run side by side in the background from beforeAll; each test
 * awaits its lab's piece. Needs root (network namespaces): skipped otherwise, or with
 * FTPCAP_KERNEL_TESTS=0; FTPCAP_KERNEL_LABS=fk1,fk7 runs only some labs. It takes about 3.5
 * minutes on 2 cores (twice that when the machine is busy with other work), most of it waiting
 * for blocked transfers to time out; afterAll prints where the time went per lab and set.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensurePureFtpd, Lab, PASSIVE } from './lab';
import { describeTransfers, Proof, setKeys, type LabSpec, type SetResult } from './proof';

/**
 * One lab per server, side and dialect (fk1..fk12), all side by side: most of the time is spent
 * waiting for blocked transfers to time out. Leaving each essential rule out costs a failed
 * transfer (2-4 s) per rule, so it is done on two of the four sets of each server and side: the
 * vsftpd labs with the nftables helper and iptables stateless sets, the Pure-FTPd labs with the
 * nftables stateless and iptables helper sets; so every side sees every dialect and style once.
 */
const ABLATION: Record<LabSpec['software'], string[]> = {
  vsftpd: ['nftables/helper', 'iptables/stateless'],
  'pure-ftpd': ['nftables/stateless', 'iptables/helper'],
};

const ALL_LABS: LabSpec[] = (['vsftpd', 'pure-ftpd'] as const).flatMap((software, s) =>
  (['server', 'client', 'router'] as const).flatMap((side, i) =>
    (['nftables', 'iptables'] as const).map((dialect, d) => ({
      prefix: `fk${1 + s * 6 + i * 2 + d}`,
      software,
      side,
      dialect,
      ablation: ABLATION[software].filter((key) => key.startsWith(`${dialect}/`)),
    })),
  ),
);

/** FTPCAP_KERNEL_LABS=fk1,fk7 runs only those labs (while working on one of them). */
const only = process.env.FTPCAP_KERNEL_LABS?.split(',').map((p) => p.trim());
const LABS = only ? ALL_LABS.filter((spec) => only.includes(spec.prefix)) : ALL_LABS;

const enabled = process.getuid?.() === 0 && process.env.FTPCAP_KERNEL_TESTS !== '0';
const LONG = 480_000;

const proofs = new Map<string, Proof>();

function labName(spec: LabSpec): string {
  return `${spec.software} (port ${spec.software === 'vsftpd' ? 21 : 2121}), ${spec.dialect} rules for the ${spec.side}`;
}

function setReport(result: SetResult): string {
  return [
    `set: ${result.set.title} (${result.set.dialect}, ${result.set.style}, side ${result.set.side})`,
    '--- text ---',
    result.set.text.trimEnd(),
    '------------',
  ].join('\n');
}

describe.skipIf(!enabled)('firewall rules on a real kernel', () => {
  beforeAll(async () => {
    for (const spec of LABS) await Lab.removeNamespaces(spec.prefix);
    const pureFtpd = await ensurePureFtpd();
    for (const spec of LABS) proofs.set(spec.prefix, new Proof(spec, { pureFtpd, selfCheck: spec.prefix === 'fk1' }));
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...proofs.values()].map((p) => p.done));
    // Where the time went, per lab and set (transfers / probes / rules left out), in seconds.
    const lines: string[] = [];
    for (const [prefix, p] of proofs) {
      lines.push(`${prefix} ${labName(p.spec)}: ${((p.finishedAt ?? Date.now()) - p.startedAt) / 1000} s`);
      for (const [key, d] of p.sets) {
        const r = await d.promise.catch(() => null);
        if (r) lines.push(`  ${key}: ${r.seconds.transfers.toFixed(1)} / ${r.seconds.probes.toFixed(1)} / ${r.seconds.ablation.toFixed(1)}`);
      }
    }
    console.log(lines.join('\n'));
    for (const spec of LABS) await Lab.removeNamespaces(spec.prefix);
  }, LONG);

  for (const spec of LABS) {
    const name = labName(spec);
    const proof = () => proofs.get(spec.prefix)!;

    test(
      `${name}: every transfer kind works without a firewall (the reference capture)`,
      async () => {
        const reference = await proof().reference.promise;
        expect(
          reference.transfers.filter((t) => !t.ok),
          describeTransfers(reference.transfers),
        ).toEqual([]);
        if (reference.selfCheck) {
          // The lab tells success from failure: the field guide's server idiom (helper + passive
          // range) carries everything; with the control port alone, PASV and PORT fail.
          const { good, controlOnly } = reference.selfCheck;
          expect(
            good.filter((t) => !t.ok),
            describeTransfers(good),
          ).toEqual([]);
          expect(
            controlOnly.filter((t) => t.ok),
            describeTransfers(controlOnly),
          ).toEqual([]);
        }
      },
      LONG,
    );

    for (const key of setKeys(spec)) {
      const result = () => proof().sets.get(key)!.promise;

      test(
        `${name}: ${key}: loads, and every transfer works twice`,
        async () => {
          const r = await result();
          expect(r.loadError, setReport(r)).toBeNull();
          const failed = r.runs.flat().filter((t) => !t.ok);
          expect(
            failed.map((t) => `${t.kind.id}: ${t.detail}`),
            `${setReport(r)}\n${r.runs.map(describeTransfers).join('\n--\n')}\n${r.snapshot ?? ''}`,
          ).toEqual([]);
          expect(r.runs.flat()).toHaveLength(2 * proof().kinds.length);
        },
        LONG,
      );

      test(
        `${name}: ${key}: drops the client outside ${PASSIVE.min}-${PASSIVE.max} and strangers`,
        async () => {
          const r = await result();
          expect(r.loadError).toBeNull();
          const open = r.probes.filter((p) => p.result === 'connected');
          expect(
            open.map((p) => `${p.what}: ${p.to} port ${p.port} connected`),
            setReport(r),
          ).toEqual([]);
          expect(r.probes.length).toBeGreaterThan(0);
        },
        LONG,
      );

      if (spec.ablation.includes(key)) {
        test(
          `${name}: ${key}: each essential rule is needed, every other rule says why`,
          async () => {
            const r = await result();
            expect(r.loadError).toBeNull();
            expect(r.set.rules.filter((rule) => !rule.essential && rule.why.trim() === '').map((rule) => rule.text)).toEqual([]);
            const needless = (r.ablation ?? [])
              .filter((a) => a.loadError !== null || (a.resolutions.every((r) => r.ok) && (a.transfers.length === 0 || a.transfers.every((t) => t.ok))))
              .map((a) =>
                a.loadError !== null
                  ? `${a.rule.text}: the set without it does not load (${a.loadError})`
                  : `${a.rule.text} (${a.rule.part}, ${a.rule.role ?? 'no role'}): without it ${a.transfers.length === 0 ? 'no transfer concerns it' : `these still work: ${a.transfers.map((t) => t.kind.id).join(', ')}`}`,
              );
            expect(needless, setReport(r)).toEqual([]);
            expect(r.ablation?.length).toBe(r.set.rules.filter((rule) => rule.essential).length);
          },
          LONG,
        );
      }
    }
  }
});
