/**
 * Every finding code ftpcap raises, with the severities it can have and what it means: the closed
 * list behind `ftpcap help codes`, the README's finding table (a test holds them equal) and the
 * test that every code raised in the source is listed here.
 */
import type { Severity } from './types';

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

const reassemblyRow = {
  when: 'retransmitted bytes that differ, a full out-of-order buffer, replies lost to a gap',
  group: 'overlap-conflict, reorder-buffer-full, reply-desync',
};
const decodingRow = { when: 'frames that could not be decoded, fragments that could not be reassembled', group: 'unsupported-link-type, fragments-dropped' };
const readingRow = {
  when: 'traffic the decoders could not read in full, or a limit reached',
  group: 'malformed-packet, invalid-command, invalid-reply, line-too-long, unterminated-line, unterminated-reply, too-many-pending-commands, limit-reached',
};

/**
 * The table itself, in the order of the README's finding table. Codes that share one README row
 * carry the row's codes as `group`.
 */
const table = {
  'pasv-address-mismatch': {
    severities: [w, e],
    when: "a 227/228 names another address than the control connection's server; says whether the client dialled it (and failed) or the control address (rescued), and whether the address is private, CGNAT or loopback",
  },
  'port-address-mismatch': {
    severities: [w],
    when: "a PORT/EPRT/LPRT names a private or shared address that is not the client's: a NAT without a working FTP helper",
  },
  'third-party-data-target': { severities: [w, e], when: 'a PORT/EPRT names another public host (FXP or an FTP bounce); an error when the server accepted it' },
  'privileged-data-port': { severities: [w, e], when: 'an announced port below 1024; an error when the server accepted it in active mode' },
  'announcement-refused': { severities: [w, e], when: 'PORT/EPRT/PASV/EPSV answered 4xx/5xx (`500 Illegal PORT command.`, `522`), quoted' },
  'data-connect-unanswered': { severities: [e], when: "the data SYN was never answered (SYNs counted, duration): which side's firewall and which port" },
  'data-connect-refused': { severities: [e], when: 'the data SYN was answered by RST: nothing listening, or a wrong port mapping' },
  'data-connect-unreachable': {
    severities: [e],
    when: 'the data SYN was answered by an ICMP/ICMPv6 destination unreachable: names who sent it and what it says (host or network unreachable: a wrong address or route; port unreachable; administratively prohibited: a firewall saying no)',
  },
  'data-connect-aborted': { severities: [e], when: 'the data SYN got a SYN-ACK but the handshake was reset or never completed' },
  'data-connection-missing': { severities: [w, e], when: 'a transfer followed an accepted announcement but no SYN toward it is in the capture' },
  'transfer-failed': { severities: [e], when: 'a transfer command got a 4xx/5xx final reply' },
  'transfer-size-mismatch': { severities: [w, e], when: 'the bytes on the data connection differ from the size the server announced' },
  'transfer-aborted': {
    severities: [w],
    when: 'the client sent ABOR during a transfer, or a side reset the data connection (RST) before the sender finished: with the bytes that had arrived',
  },
  'control-idle-drop': {
    severities: [e],
    when: 'the control connection was silent during a long transfer (30 s, `--control-idle`) and then was reset or closed before the final reply: a NAT or firewall idle timeout',
  },
  'transfer-stalled': {
    severities: [w],
    when: 'no new data on a data connection for 5 s or more (`--stall`): which side, and whether it waited on loss, acknowledgements or an idle sender',
  },
  'zero-window': {
    severities: [w],
    when: 'the receiver of a transfer advertised a zero window for 1 s or more in all (`--zero-window`): its application, disk or buffer could not keep up',
  },
  'heavy-loss': { severities: [w], when: "10 % or more of a transfer's bytes were sent again, in 30 segments or more (`--loss`, `--loss-segments`)" },
  'epsv-fallback': { severities: [w], when: 'EPSV was refused or its connection failed, and the client fell back to PASV (with the delay)' },
  'epsv-all-violation': {
    severities: [w, e],
    when: 'after an accepted `EPSV ALL` the client sent PORT/PASV/EPRT (warning) or the server accepted one (error)',
  },
  'address-family-mismatch': { severities: [w, e], when: 'EPRT/EPSV of the other address family, a 522, or PASV answered 229 / EPSV answered 227' },
  'tls-control-channel': {
    severities: [w],
    when: 'AUTH TLS/SSL accepted, or implicit FTPS on 990: the connections that follow between the same hosts are listed as its probable data connections, with their ports',
  },
  'cleartext-credentials': { severities: [w], when: 'a non-anonymous password sent without TLS (it stays masked in the output)' },
  'login-failed': { severities: [w, e], when: '530 after USER/PASS, per session; an error for a client that failed 5 times or more (password guessing)' },
  'control-connect-refused': {
    severities: [e],
    when: "an FTP control connection's SYN was answered by RST: nothing listens on the server's port, or a firewall rejects with TCP reset (per client and server: attempts and SYNs counted)",
  },
  'control-connect-unanswered': {
    severities: [e],
    when: "an FTP control connection's SYNs got no answer: a firewall on the server's side of the capture point drops them, or the host is down (attempts, SYNs and the time they spanned)",
  },
  'nonstandard-control-port': {
    severities: [i, w],
    when: 'FTP control on a port other than 21 (or 990): kernel FTP helpers and many firewalls watch only 21; raised once per server, on its first session seen',
  },
  'nonstandard-reply-format': {
    severities: [w, e],
    when: 'a 227/228/229 that deviates from the RFC shape (no parentheses, extra text, odd delimiters, multi-line); an error when the client then did not use it',
  },
  'malformed-announcement': { severities: [w], when: 'an announcement that cannot be parsed (octet > 255, port 0 or > 65535, ...)' },
  'capture-gap': {
    severities: [w],
    when: 'bytes of a control connection (commands or replies lost) or of a data connection (byte count still holds) are not in the capture',
  },
  'capture-truncated': { severities: [w], when: 'the snap length cut packets: control lines in them are lost, byte counts still hold' },
  'capture-started-midstream': { severities: [i], when: 'the control connection began before the capture' },
  'overlap-conflict': { severities: [w], ...reassemblyRow },
  'reorder-buffer-full': { severities: [w], ...reassemblyRow },
  'reply-desync': { severities: [w], ...reassemblyRow },
  'input-problem': {
    severities: [w, e],
    when: 'a problem reading an input file (a damaged record, a file cut short, a timestamp no date can show), with the file, packet and byte offset; an error when reading stopped there',
  },
  'duplicate-frames': {
    severities: [w],
    when: 'frames that are exact copies (same bytes) of a frame at most 0.5 ms away (a retransmission comes later): two mirror ports or interfaces on one path, or a file merged with itself; each is analyzed once, and `summary.duplicateFrames` counts the copies',
  },
  'time-goes-backwards': {
    severities: [w],
    when: 'within one file a frame is more than 10 ms earlier than the one before it (captures concatenated, e.g. `mergecap -a` of a file with itself): where, by how much, how often',
  },
  'unsupported-encapsulation': {
    severities: [w],
    when: "frames in an encapsulation ftpcap does not read (PPTP's GRE version 1, a GRE or GENEVE protocol type other than IP, Ethernet or MPLS, VXLAN without its I flag), counted by reason: FTP inside them is not analyzed",
  },
  'unsupported-link-type': { severities: [e], ...decodingRow },
  'fragments-dropped': { severities: [w], ...decodingRow },
  'malformed-packet': { severities: [w], ...readingRow },
  'invalid-command': { severities: [w], ...readingRow },
  'invalid-reply': { severities: [w], ...readingRow },
  'line-too-long': { severities: [w], ...readingRow },
  'unterminated-line': { severities: [w], ...readingRow },
  'unterminated-reply': { severities: [w], ...readingRow },
  'too-many-pending-commands': { severities: [w], ...readingRow },
  'limit-reached': { severities: [w], ...readingRow },
} satisfies Record<string, { severities: Severity[]; when: string; group?: string }>;

/** A finding code: one of the table's keys (the type every Finding's code has). */
export type FindingCode = keyof typeof table;

export const findingCodes: readonly FindingCodeInfo[] = Object.entries(table).map(([code, info]) => ({ code, ...info }));

const byCode = new Map(findingCodes.map((info) => [info.code, info]));

/** The entry for a code, or undefined. */
export function findingCode(code: string): FindingCodeInfo | undefined {
  return byCode.get(code);
}
