/**
 * Every finding code ftpcap raises, with the severities it can have and what it means: the closed
 * list behind `ftpcap help codes`, the README's finding table (a test holds them equal) and the
 * test that every code raised in the source is listed here.
 */
import type { Severity } from '../types';

export interface FindingCodeInfo {
  code: string;
  /** The severities it is raised with (several when the context decides). */
  severities: readonly Severity[];
  /** When it is raised, in one or two sentences (the README's "when" column). */
  when: string;
  /** The group of the README table it belongs to, when several codes share one row. */
  group?: string;
}

const e: Severity = 'error';
const w: Severity = 'warning';
const i: Severity = 'info';

/** In the order of the README's finding table. */
export const findingCodes: readonly FindingCodeInfo[] = [
  {
    code: 'pasv-address-mismatch',
    severities: [w, e],
    when: "a 227/228 names another address than the control connection's server; says whether the client dialled it (and failed) or the control address (rescued), and whether the address is private, CGNAT or loopback",
  },
  {
    code: 'port-address-mismatch',
    severities: [w],
    when: "a PORT/EPRT/LPRT names a private or shared address that is not the client's: a NAT without a working FTP helper",
  },
  {
    code: 'third-party-data-target',
    severities: [w, e],
    when: 'a PORT/EPRT names another public host (FXP or an FTP bounce); an error when the server accepted it',
  },
  {
    code: 'privileged-data-port',
    severities: [w, e],
    when: 'an announced port below 1024; an error when the server accepted it in active mode',
  },
  {
    code: 'announcement-refused',
    severities: [w, e],
    when: 'PORT/EPRT/PASV/EPSV answered 4xx/5xx (`500 Illegal PORT command.`, `522`), quoted',
  },
  {
    code: 'data-connect-unanswered',
    severities: [e],
    when: "the data SYN was never answered (SYNs counted, duration): which side's firewall and which port",
  },
  {
    code: 'data-connect-refused',
    severities: [e],
    when: 'the data SYN was answered by RST: nothing listening, or a wrong port mapping',
  },
  {
    code: 'data-connect-aborted',
    severities: [e],
    when: 'the data SYN got a SYN-ACK but the handshake was reset or never completed',
  },
  {
    code: 'data-connection-missing',
    severities: [w, e],
    when: 'a transfer followed an accepted announcement but no SYN toward it is in the capture',
  },
  { code: 'transfer-failed', severities: [e], when: 'a transfer command got a 4xx/5xx final reply' },
  {
    code: 'transfer-size-mismatch',
    severities: [w, e],
    when: 'the bytes on the data connection differ from the size the server announced',
  },
  {
    code: 'epsv-fallback',
    severities: [w],
    when: 'EPSV was refused or its connection failed, and the client fell back to PASV (with the delay)',
  },
  {
    code: 'epsv-all-violation',
    severities: [w, e],
    when: 'after an accepted `EPSV ALL` the client sent PORT/PASV/EPRT (warning) or the server accepted one (error)',
  },
  {
    code: 'address-family-mismatch',
    severities: [w, e],
    when: 'EPRT/EPSV of the other address family, a 522, or PASV answered 229 / EPSV answered 227',
  },
  {
    code: 'tls-control-channel',
    severities: [w],
    when: 'AUTH TLS/SSL accepted, or implicit FTPS on 990: the connections that follow between the same hosts are listed as its probable data connections, with their ports',
  },
  {
    code: 'cleartext-credentials',
    severities: [w],
    when: 'a non-anonymous password sent without TLS (it stays masked in the output)',
  },
  {
    code: 'login-failed',
    severities: [w, e],
    when: '530 after USER/PASS, per session; an error for a client that failed 5 times or more (password guessing)',
  },
  {
    code: 'nonstandard-control-port',
    severities: [i, w],
    when: 'FTP control on a port other than 21 (or 990): kernel FTP helpers and many firewalls watch only 21',
  },
  {
    code: 'nonstandard-reply-format',
    severities: [w, e],
    when: 'a 227/228/229 that deviates from the RFC shape (no parentheses, extra text, odd delimiters, multi-line); an error when the client then did not use it',
  },
  {
    code: 'malformed-announcement',
    severities: [w],
    when: 'an announcement that cannot be parsed (octet > 255, port 0 or > 65535, ...)',
  },
  {
    code: 'capture-gap',
    severities: [w],
    when: 'bytes of a control connection (commands or replies lost) or of a data connection (byte count still holds) are not in the capture',
  },
  {
    code: 'capture-truncated',
    severities: [w],
    when: 'the snap length cut packets: control lines in them are lost, byte counts still hold',
  },
  { code: 'capture-started-midstream', severities: [i], when: 'the control connection began before the capture' },
  ...group('retransmitted bytes that differ, a full out-of-order buffer, replies lost to a gap', [w], ['overlap-conflict', 'reorder-buffer-full', 'reply-desync']),
  ...group('frames that could not be decoded, fragments that could not be reassembled', [e, w], ['unsupported-link-type', 'fragments-dropped'], {
    'unsupported-link-type': [e],
    'fragments-dropped': [w],
  }),
  ...group(
    'traffic the decoders could not read in full, or a limit reached',
    [w],
    ['malformed-packet', 'invalid-command', 'invalid-reply', 'line-too-long', 'unterminated-line', 'unterminated-reply', 'too-many-pending-commands', 'limit-reached'],
  ),
];

/** Several codes that share one row of the README table. */
function group(when: string, severities: Severity[], codes: string[], own: Record<string, Severity[]> = {}): FindingCodeInfo[] {
  const name = codes.join(', ');
  return codes.map((code) => ({ code, severities: own[code] ?? severities, when, group: name }));
}

export type FindingCode = string;

const byCode = new Map(findingCodes.map((info) => [info.code, info]));

/** The entry for a code, or undefined. */
export function findingCode(code: string): FindingCodeInfo | undefined {
  return byCode.get(code);
}
