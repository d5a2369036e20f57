/**
 * The firewalld scripts in a running firewalld: a scratch network and mount namespace (`unshare
 * --net --mount`: the machine's own firewall, D-Bus and /etc/firewalld are untouched) gets its own
 * D-Bus system bus and firewalld, whose /etc/firewalld is an empty scratch directory; the scripts
 * run there unchanged (real firewall-cmd, --permanent, --reload), and the nftables ruleset firewalld
 * then loads into the namespace's kernel must hold what the scripts asked for: the FTP helper bound
 * to the real control port (the stock one for 21, ftpcap's helper for 2121, on the host's own
 * connections through the HOST-to-ANY policy), the ports of the services, the rich rules.
 * Skipped without root, unshare or firewalld.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { renderFirewalld } from '../../src/firewall/dialects/firewalld';
import { plans } from './plans';

const root = mkdtempSync(join(tmpdir(), 'ftpcap-firewalld-rt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const available =
  process.getuid?.() === 0 &&
  existsSync('/usr/sbin/firewalld') &&
  existsSync('/etc/firewalld/firewalld.conf') &&
  spawnSync('unshare', ['--net', '--mount', 'true']).status === 0 &&
  spawnSync('dbus-daemon', ['--version']).status === 0;

/**
 * Runs in the namespace: a private /run (for the bus socket) and /etc/firewalld, a system bus,
 * firewalld, then each script in turn; both daemons are stopped by their process ids on the way out.
 */
const harness = `
set -e
mount -t tmpfs tmpfs /run
mkdir -p /run/dbus
mount --bind "$FTPCAP_CONFIG" /etc/firewalld
dbus_pid=$(dbus-daemon --system --fork --nopidfile --print-pid)
/usr/sbin/firewalld --nofork --nopid >"$FTPCAP_OUT/firewalld.log" 2>&1 &
firewalld_pid=$!
trap 'kill $firewalld_pid $dbus_pid 2>/dev/null || true' EXIT
i=0
until firewall-cmd --state >/dev/null 2>&1; do i=$((i + 1)); [ $i -lt 150 ] || exit 3; sleep 0.2; done
for script in "$FTPCAP_OUT"/*.sh; do
  dir="$script.d"; mkdir -p "$dir"; (cd "$dir" && sh "$script")
done
nft list ruleset >"$FTPCAP_OUT/ruleset.nft"
firewall-cmd --list-all >"$FTPCAP_OUT/zone.txt"
firewall-cmd --info-policy=ftpcap-client >"$FTPCAP_OUT/policy.txt" 2>&1 || true
`;

describe.skipIf(!available)('firewalld running the scripts', () => {
  // Names do not clash between these three, so one firewalld runs them all.
  const scripts = {
    'server-2121-helper': renderFirewalld(plans['ipv4-2121-mixed'], 'server', 'helper'),
    'server-ipv6-stateless': renderFirewalld(plans['ipv6-passive-active'], 'server', 'stateless'),
    'client-21-helper': renderFirewalld(plans['ipv4-active-port20'], 'client', 'helper'),
  };
  const out = join(root, 'out');
  const config = join(root, 'etc');
  mkdirSync(out, { recursive: true });
  mkdirSync(config, { recursive: true });
  if (available) copyFileSync('/etc/firewalld/firewalld.conf', join(config, 'firewalld.conf'));
  for (const [name, set] of Object.entries(scripts)) writeFileSync(join(out, `${name}.sh`), set.text);
  const run = available
    ? spawnSync('unshare', ['--net', '--mount', 'sh', '-c', harness], {
        env: { ...process.env, FTPCAP_CONFIG: config, FTPCAP_OUT: out },
        encoding: 'utf8',
        timeout: 120_000,
      })
    : null;
  const read = (file: string): string => (existsSync(join(out, file)) ? readFileSync(join(out, file), 'utf8') : '');

  test('every script runs', () => {
    expect(run?.status, `${run?.stdout}\n${run?.stderr}\n${read('firewalld.log')}`).toBe(0);
    expect(read('firewalld.log')).not.toMatch(/ERROR/);
  });

  test("port 2121: ftpcap's helper is bound to the control port on the way in", () => {
    const ruleset = read('ruleset.nft');
    expect(ruleset).toMatch(/ct helper "?helper-ftp-2121-tcp"? \{\s*type "ftp" protocol tcp/);
    expect(ruleset).toMatch(/ip daddr 192\.0\.2\.10 tcp dport 2121 ct helper set "helper-ftp-2121-tcp"/);
    expect(ruleset).toMatch(/ip daddr 192\.0\.2\.10 tcp dport 2121 accept/);
    // The helper opens the passive range: it is not opened as such.
    expect(ruleset).not.toMatch(/tcp dport 30000-30009/);
  });

  test('IPv6 without helper: the control port and the passive range, to the server address', () => {
    const ruleset = read('ruleset.nft');
    expect(ruleset).toMatch(/ip6 daddr 2001:db8::10 tcp dport 21 accept/);
    expect(ruleset).toMatch(/ip6 daddr 2001:db8::10 tcp dport 40000-40100 accept/);
    expect(read('zone.txt')).toMatch(/services: .*ftpcap-2001-db8-10-21/);
  });

  test('client host: the policy from HOST binds the stock helper to the control connections it opens', () => {
    expect(read('policy.txt')).toMatch(/ingress-zones: HOST/);
    expect(read('policy.txt')).toMatch(/services: ftpcap-192-0-2-10-21/);
    expect(read('ruleset.nft')).toMatch(/ip daddr 192\.0\.2\.10 tcp dport 21 ct helper set "helper-ftp-tcp"/);
  });
});
