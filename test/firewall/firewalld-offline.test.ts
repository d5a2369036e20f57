/**
 * The firewalld scripts, run for real against firewalld's own parser: each script is executed with
 * `firewall-cmd` standing for `firewall-offline-cmd` on a scratch configuration directory (its
 * --system-config; the stock definitions from /usr/lib/firewalld), so every XML definition is loaded
 * by firewalld (`--new-service-from-file`, `--new-helper-from-file`, `--new-policy-from-file`) and
 * every command is checked as firewall-cmd would check it. Then `--check-config` reads the whole
 * configuration back, and the installed service, helper, policy and rich rules are read from it.
 * Skipped where firewalld is not installed (Debian: apt-get install firewalld).
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { renderFirewalld, serviceName } from '../../src/firewall/dialects/firewalld';
import type { Side, Style } from '../../src/firewall/types';
import { plans } from './plans';

const offline = spawnSync('firewall-offline-cmd', ['--version'], { encoding: 'utf8' });
const available = offline.status === 0;
const root = mkdtempSync(join(tmpdir(), 'ftpcap-firewalld-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A `firewall-cmd` for the script: firewall-offline-cmd on the scratch directory, --permanent implied, --reload a no-op. */
const shim = `#!/bin/sh
for a in "$@"; do [ "$a" = "--reload" ] && exit 0; done
first=1
for a in "$@"; do
  if [ "$first" = 1 ]; then set --; first=0; fi
  [ "$a" = "--permanent" ] || set -- "$@" "$a"
done
exec firewall-offline-cmd --system-config "$FTPCAP_FIREWALLD_DIR" --default-config /usr/lib/firewalld "$@"
`;

function scratch(name: string): { dir: string; config: string; env: NodeJS.ProcessEnv } {
  const dir = join(root, name);
  const config = join(dir, 'etc');
  const bin = join(dir, 'bin');
  mkdirSync(config, { recursive: true });
  mkdirSync(bin, { recursive: true });
  if (existsSync('/etc/firewalld/firewalld.conf')) copyFileSync('/etc/firewalld/firewalld.conf', join(config, 'firewalld.conf'));
  writeFileSync(join(bin, 'firewall-cmd'), shim);
  chmodSync(join(bin, 'firewall-cmd'), 0o755);
  return { dir, config, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FTPCAP_FIREWALLD_DIR: config } };
}

const run = promisify(execFile);

/** Port 2121 with both modes, implicit TLS, IPv6, two servers: every side and style; clients named: the server side. */
const cases: Array<[string, Side, Style]> = [
  ...['ipv4-2121-mixed', 'ipv4-990-tls', 'ipv6-passive-active', 'two-servers'].flatMap((planName) =>
    (['server', 'client'] as const).flatMap((side) => (['helper', 'stateless'] as const).map((style) => [planName, side, style] as [string, Side, Style])),
  ),
  ['ipv4-auth-tls-clients', 'server', 'helper'],
];

describe.skipIf(!available)('firewalld loads what ftpcap writes', { concurrent: true }, () => {
  // Concurrently: each firewall-offline-cmd is a Python start-up, seconds on a busy machine.
  test.concurrent.each(cases)(
    '%s %s %s',
    async (planName, side, style) => {
      const p = plans[planName];
      const set = renderFirewalld(p, side, style);
      const { dir, config, env } = scratch(`${planName}-${side}-${style}`);
      writeFileSync(join(dir, 'firewalld.sh'), set.text);
      const script = await run('sh', ['firewalld.sh'], { cwd: dir, env, encoding: 'utf8' }).catch((error: { stdout: string; stderr: string }) => {
        throw new Error(`the script failed:\n${error.stdout}\n${error.stderr}`);
      });
      expect(script.stderr).not.toMatch(/Error|INVALID/);
      await run('firewall-offline-cmd', ['--system-config', config, '--default-config', '/usr/lib/firewalld', '--check-config'], { encoding: 'utf8' });

      // What firewalld saved, read back from its files (firewalld.zone(5), firewalld.service(5), firewalld.policy(5)).
      const read = (file: string): string => (existsSync(join(config, file)) ? readFileSync(join(config, file), 'utf8') : '');
      const zone = read('zones/public.xml');
      for (const server of p.servers) {
        const name = serviceName(server);
        const service = read(`services/${name}.xml`);
        if (side === 'server') {
          expect(zone, `${name} in the default zone`).toContain(`name="${name}"`);
          expect(service).toContain(`port="${server.controlPort}"`);
          expect(service).toContain(`${server.family}="${server.ip}"`);
          if (style === 'helper' && !server.tls)
            expect(service).toContain(`<helper name="${server.controlPort === 21 ? 'ftp' : `ftp-${server.controlPort}`}"/>`);
          else expect(service).not.toContain('<helper');
          if (style === 'stateless' && server.passive) expect(service).toContain(`port="${server.passive.range.min}-${server.passive.range.max}"`);
        } else {
          if (style === 'helper' && !server.tls) expect(read('policies/ftpcap-client.xml')).toContain(`<service name="${name}"/>`);
          const activeCovered = style === 'helper' && server.flows.find((f) => f.role === 'active-data')?.helperCovers;
          if (server.active && !activeCovered) expect(zone).toContain(`<source address="${server.ip}"/>`);
        }
        if (style === 'helper' && !server.tls && server.controlPort !== 21)
          expect(read(`helpers/ftp-${server.controlPort}.xml`)).toContain(`port="${server.controlPort}"`);
      }
    },
    180_000,
  );

  test('and refuses a broken definition, so the checks above mean something', async () => {
    const { dir, env } = scratch('refused');
    const broken = renderFirewalld(plans['ipv4-passive-given'], 'server', 'stateless').text.replace('port="21"', 'port="21x"');
    writeFileSync(join(dir, 'firewalld.sh'), broken);
    await expect(run('sh', ['firewalld.sh'], { cwd: dir, env, encoding: 'utf8' })).rejects.toMatchObject({ stderr: expect.stringMatching(/INVALID_PORT/) });
  }, 60_000);
});
