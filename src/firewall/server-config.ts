/**
 * The server configuration that makes a firewall's passive range and passive address real. An
 * explicit port range only works when the server announces ports inside it, and a passive reply
 * only works when it names an address the clients can reach; neither is up to the firewall. So next
 * to the rules, ftpcap says what to set on the server, for the software its 220 greeting names (or
 * for each common server when the greeting names none).
 *
 * Sources, per software:
 * - vsftpd: vsftpd.conf(5): pasv_enable, pasv_min_port, pasv_max_port, pasv_address,
 *   connect_from_port_20, listen_port.
 * - ProFTPD: the core directives PassivePorts, MasqueradeAddress, Port and RootRevoke
 *   (proftpd.org/docs/directives/linked/config_ref_PassivePorts.html, ..._MasqueradeAddress.html,
 *   ..._RootRevoke.html: with RootRevoke on, active transfers cannot use port 20).
 * - Pure-FTPd: pure-ftpd(8): `-p first:last` (passive range), `-P address` (ForcePassiveIP),
 *   `-S [address,]port`; Debian's wrapper reads one file per option in /etc/pure-ftpd/conf/.
 * - FileZilla Server 1.x: "Passive mode" settings (Server > Configure > FTP and FTP over TLS >
 *   Passive mode: "Use custom port range", "Use the following host").
 * - IIS 7 and later: system.ftpServer/firewallSupport lowDataChannelPort / highDataChannelPort
 *   (server level) and the site's ftpServer.firewallSupport.externalIp4Address (IIS settings
 *   schema, learn.microsoft.com), set with appcmd; the FTP service reads the range when it starts.
 *
 * Nothing from the capture but addresses and port numbers goes into the lines: the greeting only
 * chooses the software.
 */
import { isUnroutable } from '../diagnose/addresses';
import type { ServerConfigAdvice, ServerConfigInput, ServerSoftware } from './types';

type KnownSoftware = Exclude<ServerSoftware, 'unknown'>;
type Entry = ServerConfigAdvice['entries'][number];

/**
 * Greeting patterns, first match wins. vsftpd: `220 (vsFTPd 3.0.3)`; ProFTPD: `220 ProFTPD Server
 * (name) [address]`; Pure-FTPd: `220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------`;
 * FileZilla Server: `220-FileZilla Server 1.8.0` (0.9.x: `220-FileZilla Server version 0.9.60
 * beta`); IIS: `220 Microsoft FTP Service`.
 */
const greetings: Array<[RegExp, KnownSoftware]> = [
  [/\bvsftpd\b/i, 'vsftpd'],
  [/\bproftpd\b/i, 'proftpd'],
  [/\bpure-?ftpd\b/i, 'pure-ftpd'],
  [/\bfilezilla server\b/i, 'filezilla'],
  [/\bmicrosoft ftp service\b/i, 'iis'],
];

/** The server software a 220 greeting names, or 'unknown' (many administrators change the greeting). */
export function detectServerSoftware(banner: string | null): ServerSoftware {
  if (banner === null) return 'unknown';
  for (const [pattern, software] of greetings) if (pattern.test(banner)) return software;
  return 'unknown';
}

/** The order in which the common servers are shown when the greeting names none. */
const knownSoftware: KnownSoftware[] = ['vsftpd', 'proftpd', 'pure-ftpd', 'filezilla', 'iis'];

/**
 * The address the server should announce in passive replies, and why, or null when the one it
 * announces is fine.
 *
 * - It announced another address than the one the clients connected to (`serverIp`): when that
 *   one is reachable from anywhere, announce it; when the capture was taken behind a NAT (the
 *   server's own address is private) the other address is probably the NAT's public one, already
 *   set: keep it.
 * - It announced its own private address: clients beyond a NAT cannot reach it, so the public
 *   address must be set, which the capture cannot know.
 */
function passiveAddress(input: ServerConfigInput): { address: string | null; why: string } | null {
  const foreign = input.foreignPassiveAddresses;
  if (input.serverIp.includes(':')) return null; // EPSV carries no address; IPv6 needs no NAT advice
  if (foreign.length > 0) {
    if (!isUnroutable(input.serverIp)) {
      return { address: input.serverIp, why: `the server announced ${foreign.join(', ')}, but clients reach it at ${input.serverIp}` };
    }
    const reachable = foreign.find((a) => !isUnroutable(a));
    if (reachable) return { address: reachable, why: `the server already announces ${reachable} (its NAT's public address, most likely): keep it` };
    return { address: null, why: `the server announces ${foreign.join(', ')}, which clients beyond a NAT cannot reach: set the public address` };
  }
  if (isUnroutable(input.serverIp)) {
    return { address: null, why: `the server's own address ${input.serverIp} is private: behind a NAT, set the public address clients reach` };
  }
  return null;
}

/** `PUBLIC_ADDRESS` stands for the address only the administrator knows. */
const PLACEHOLDER = 'PUBLIC_ADDRESS';

const writers: Record<KnownSoftware, (input: ServerConfigInput) => Entry> = {
  vsftpd: (input) => {
    const lines: string[] = [];
    const range = input.passiveRange;
    if (input.controlPort !== 21) lines.push(`listen_port=${input.controlPort}`);
    if (range) lines.push('pasv_enable=YES', `pasv_min_port=${range.min}`, `pasv_max_port=${range.max}`);
    const address = range ? passiveAddress(input) : null;
    if (address) lines.push(`# ${address.why}`, `pasv_address=${address.address ?? PLACEHOLDER}`);
    if (input.activeFromPort20 === false)
      lines.push('# active mode: connect from port 20, so the firewall can name the source port', 'connect_from_port_20=YES');
    else if (input.activeFromPort20 === true) lines.push('connect_from_port_20=YES');
    return { software: 'vsftpd', where: '/etc/vsftpd.conf (then restart vsftpd)', lines };
  },
  proftpd: (input) => {
    const lines: string[] = [];
    const range = input.passiveRange;
    if (input.controlPort !== 21) lines.push(`Port ${input.controlPort}`);
    if (range) lines.push(`PassivePorts ${range.min} ${range.max}`);
    const address = range ? passiveAddress(input) : null;
    if (address) lines.push(`# ${address.why}`, `MasqueradeAddress ${address.address ?? PLACEHOLDER}`);
    if (input.activeFromPort20 === false)
      lines.push('# active mode: RootRevoke on makes ProFTPD connect from temporary ports; off lets it use port 20', 'RootRevoke off');
    return { software: 'proftpd', where: '/etc/proftpd/proftpd.conf (then restart proftpd)', lines };
  },
  'pure-ftpd': (input) => {
    const lines: string[] = [];
    const range = input.passiveRange;
    if (input.controlPort !== 21) lines.push(`-S ${input.controlPort}`);
    if (range) lines.push(`-p ${range.min}:${range.max}`);
    const address = range ? passiveAddress(input) : null;
    if (address) lines.push(`-P ${address.address ?? PLACEHOLDER}`);
    return {
      software: 'pure-ftpd',
      where:
        'pure-ftpd\'s command line; Debian\'s wrapper: one file per option in /etc/pure-ftpd/conf/ (PassivePortRange holds "LO HI", ForcePassiveIP the address)',
      lines,
    };
  },
  filezilla: (input) => {
    const lines: string[] = [];
    const range = input.passiveRange;
    if (range) lines.push(`Passive mode: Use custom port range: ${range.min} - ${range.max}`);
    const address = range ? passiveAddress(input) : null;
    if (address) lines.push(`Passive mode: Use the following host: ${address.address ?? PLACEHOLDER}`);
    return { software: 'filezilla', where: 'FileZilla Server administration: Server > Configure > FTP and FTP over TLS (FTPS) > Passive mode', lines };
  },
  iis: (input) => {
    const lines: string[] = [];
    const range = input.passiveRange;
    const appcmd = '%windir%\\system32\\inetsrv\\appcmd';
    if (range) {
      lines.push(
        `${appcmd} set config -section:system.ftpServer/firewallSupport /lowDataChannelPort:${range.min} /highDataChannelPort:${range.max} /commit:apphost`,
      );
    }
    const address = range ? passiveAddress(input) : null;
    if (address) {
      lines.push(
        `${appcmd} set config -section:system.applicationHost/sites /[name='Default FTP Site'].ftpServer.firewallSupport.externalIp4Address:${address.address ?? PLACEHOLDER} /commit:apphost`,
      );
    }
    if (lines.length > 0) lines.push('net stop ftpsvc && net start ftpsvc');
    return { software: 'iis', where: "an elevated command prompt on the IIS server (the site name is IIS's default: use yours)", lines };
  },
};

/**
 * The configuration lines for the software the greeting names, or for each common server when it
 * names none. Servers with nothing to set (no passive mode, port 21, no active mode) get no entry.
 */
export function suggestServerConfig(input: ServerConfigInput): ServerConfigAdvice {
  const chosen = input.software === 'unknown' ? knownSoftware : [input.software];
  const entries = chosen.map((software) => writers[software](input)).filter((entry) => entry.lines.length > 0);
  return { software: input.software, entries };
}
