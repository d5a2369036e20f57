/**
 * The server configuration next to the rules: which software a 220 greeting names, and the lines
 * that make the passive range and the passive address real for it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { detectServerSoftware, suggestServerConfig } from '../../src/firewall/server-config';
import type { ServerConfigInput, ServerSoftware } from '../../src/firewall/types';

describe('detectServerSoftware', () => {
  test.each<[string | null, ServerSoftware]>([
    // The greetings of the servers in samples/ (their expected.json timelines).
    ['220 (vsFTPd 3.0.3)', 'vsftpd'],
    ['(vsFTPd 3.0.3)', 'vsftpd'],
    ['220 ProFTPD Server (ftpcap sample ProFTPD) [::ffff:192.0.2.10]', 'proftpd'],
    ['220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------', 'pure-ftpd'],
    ['--------- Welcome to Pure-FTPd [privsep] [TLS] ---------- … You will be disconnected after 15 minutes of inactivity.', 'pure-ftpd'],
    // FileZilla Server 1.x and 0.9.x, IIS: their default greetings.
    ['220-FileZilla Server 1.8.0', 'filezilla'],
    ['FileZilla Server version 0.9.60 beta', 'filezilla'],
    ['220 Microsoft FTP Service', 'iis'],
    // Changed or missing greetings name nothing.
    ['220 Welcome to example.com FTP service.', 'unknown'],
    ['220 FileZilla client test', 'unknown'],
    ['', 'unknown'],
    [null, 'unknown'],
  ])('%j', (banner, software) => {
    expect(detectServerSoftware(banner)).toBe(software);
  });

  test('every greeting in the samples names its server', () => {
    const root = join(__dirname, '../../samples');
    const found = new Set<ServerSoftware>();
    for (const name of readdirSync(root)) {
      let json: string;
      try {
        json = readFileSync(join(root, name, 'expected.json'), 'utf8');
      } catch {
        continue;
      }
      for (const match of json.matchAll(/"line": "(220[^"]*)"/g)) {
        const software = detectServerSoftware(match[1]);
        expect(software, match[1]).not.toBe('unknown');
        found.add(software);
      }
    }
    expect([...found].sort()).toEqual(['proftpd', 'pure-ftpd', 'vsftpd']);
  });
});

const base: ServerConfigInput = {
  software: 'vsftpd',
  passiveRange: { min: 40000, max: 40100 },
  foreignPassiveAddresses: [],
  serverIp: '192.0.2.10',
  controlPort: 21,
  activeFromPort20: null,
  tls: false,
};

function linesFor(input: Partial<ServerConfigInput>, software: Exclude<ServerSoftware, 'unknown'>): string[] {
  const advice = suggestServerConfig({ ...base, ...input });
  return advice.entries.find((e) => e.software === software)?.lines ?? [];
}

describe('suggestServerConfig', () => {
  // biome-ignore format: a table, one row a line
  test.each<[string, Partial<ServerConfigInput>, Exclude<ServerSoftware, 'unknown'>, string[], string[]]>([
    // [case, input, software, lines wanted, lines that must not be there]
    ['vsftpd, passive range on a public address', {}, 'vsftpd', ['pasv_enable=YES', 'pasv_min_port=40000', 'pasv_max_port=40100'], ['pasv_address=PUBLIC_ADDRESS']],
    ['vsftpd announcing a private address to clients that reached a public one', { foreignPassiveAddresses: ['10.0.0.10'] }, 'vsftpd', ['pasv_address=192.0.2.10'], []],
    ['vsftpd on a private address behind NAT', { serverIp: '10.0.0.10' }, 'vsftpd', ['pasv_address=PUBLIC_ADDRESS'], []],
    ['vsftpd seen behind its NAT, already announcing the public address', { serverIp: '10.0.0.10', foreignPassiveAddresses: ['203.0.113.5'] }, 'vsftpd', ['pasv_address=203.0.113.5'], []],
    ['vsftpd active from temporary ports', { passiveRange: null, activeFromPort20: false }, 'vsftpd', ['connect_from_port_20=YES'], ['pasv_enable=YES']],
    ['vsftpd on port 2121', { controlPort: 2121 }, 'vsftpd', ['listen_port=2121'], []],
    ['ProFTPD', { software: 'proftpd', controlPort: 2121, foreignPassiveAddresses: ['10.0.0.10'] }, 'proftpd', ['Port 2121', 'PassivePorts 40000 40100', 'MasqueradeAddress 192.0.2.10'], []],
    ['ProFTPD active from temporary ports', { software: 'proftpd', activeFromPort20: false }, 'proftpd', ['RootRevoke off'], []],
    ['Pure-FTPd', { software: 'pure-ftpd', serverIp: '10.0.0.10', foreignPassiveAddresses: ['203.0.113.5'] }, 'pure-ftpd', ['-p 40000:40100', '-P 203.0.113.5'], []],
    ['FileZilla Server', { software: 'filezilla' }, 'filezilla', ['Passive mode: Use custom port range: 40000 - 40100'], []],
    [
      'IIS',
      { software: 'iis', serverIp: '10.0.0.10' },
      'iis',
      [
        '%windir%\\system32\\inetsrv\\appcmd set config -section:system.ftpServer/firewallSupport /lowDataChannelPort:40000 /highDataChannelPort:40100 /commit:apphost',
        "%windir%\\system32\\inetsrv\\appcmd set config -section:system.applicationHost/sites /[name='Default FTP Site'].ftpServer.firewallSupport.externalIp4Address:PUBLIC_ADDRESS /commit:apphost",
        'net stop ftpsvc && net start ftpsvc',
      ],
      [],
    ],
    ['IPv6: no passive address (EPSV names none)', { serverIp: '2001:db8::10', foreignPassiveAddresses: ['2001:db8::99'] }, 'vsftpd', ['pasv_min_port=40000'], ['pasv_address=2001:db8::10']],
  ])('%s', (_name, input, software, wanted, unwanted) => {
    const lines = linesFor(input, software);
    for (const line of wanted) expect(lines).toContain(line);
    for (const line of unwanted) expect(lines).not.toContain(line);
  });

  test('a greeting that names nothing gets every common server', () => {
    const advice = suggestServerConfig({ ...base, software: 'unknown' });
    expect(advice.software).toBe('unknown');
    expect(advice.entries.map((e) => e.software)).toEqual(['vsftpd', 'proftpd', 'pure-ftpd', 'filezilla', 'iis']);
  });

  test('nothing to set: no entry', () => {
    expect(suggestServerConfig({ ...base, passiveRange: null }).entries).toEqual([]);
  });
});
