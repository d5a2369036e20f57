/**
 * FTP told from the protocols that share its verbs and reply numbers, line by line. The lines are
 * those of real servers: vsftpd, Dovecot (POP3, IMAP), exim (SMTP), an NNTP server, HTTP.
 */
import { describe, expect, test } from 'vitest';
import { FtpEvidence, type Verdict } from '../../src/ftp/evidence';

type Lines = Array<['c' | 's', string]>;

function verdict(fromStart: boolean, lines: Lines, tolerant = false): Verdict {
  const evidence = new FtpEvidence(fromStart, tolerant);
  for (const [side, text] of lines) {
    if (side === 'c') evidence.clientLine(text);
    else evidence.serverLine(text);
  }
  return evidence.verdict;
}

describe('seen from the start', () => {
  // biome-ignore format: a table, one row a line
  test.each<[string, Lines, Verdict]>([
    ['vsftpd: 220, USER', [['s', '220 (vsFTPd 3.0.3)'], ['c', 'USER anonymous']], 'ftp'],
    ['ProFTPD: multi-line 220, AUTH TLS', [['s', '220-Welcome'], ['s', 'to the lab'], ['s', '220 ProFTPD'], ['c', 'AUTH TLS']], 'ftp'],
    ['a greeting alone', [['s', '220 hello']], 'unknown'],
    ['POP3 (Dovecot)', [['s', '+OK Dovecot (Debian) ready.']], 'not-ftp'],
    ['IMAP (Dovecot)', [['s', '* OK [CAPABILITY IMAP4rev1 SASL-IR] Dovecot (Debian) ready.']], 'not-ftp'],
    ['SMTP (exim): 220, EHLO', [['s', '220 mail.example ESMTP Exim 4.96'], ['c', 'EHLO client']], 'not-ftp'],
    ['NNTP: 200 greeting', [['s', '200 news.example InterNetNews server ready']], 'not-ftp'],
    ['NNTP: 201 greeting', [['s', '201 news.example ready (no posting)']], 'not-ftp'],
    ['HTTP: the client speaks first', [['c', 'GET / HTTP/1.1'], ['c', 'Host: 192.0.2.10']], 'not-ftp'],
    ['SSH', [['s', 'SSH-2.0-OpenSSH_9.2p1 Debian-2']], 'not-ftp'],
  ])('%s', (_name, lines, expected) => {
    expect(verdict(true, lines)).toBe(expected);
  });
});

describe('picked up in the middle', () => {
  // biome-ignore format: a table, one row a line
  test.each<[string, Lines, Verdict]>([
    ['PASV 227, RETR 150 226', [['c', 'PASV'], ['s', '227 Entering Passive Mode (192,0,2,10,156,64).'], ['c', 'RETR a'], ['s', '150 Opening'], ['s', '226 Done']], 'ftp'],
    ['one exchange', [['c', 'CWD /pub'], ['s', '250 Directory successfully changed.']], 'unknown'],
    ['two exchanges of shared verbs only', [['c', 'NOOP'], ['s', '200 ok'], ['c', 'QUIT'], ['s', '221 bye']], 'unknown'],
    ['POP3 LIST lines: codes that start with 9 and 1-digit numbers', [['c', 'LIST'], ['s', '977 341382'], ['s', '978 12'], ['s', '979 5']], 'not-ftp'],
    ['POP3 -ERR', [['c', 'USER bob'], ['s', '-ERR unknown']], 'not-ftp'],
    ['IMAP tagged command', [['c', 'a002 SELECT INBOX']], 'not-ftp'],
    ['NNTP GROUP', [['c', 'GROUP misc.test'], ['s', '211 3 1 3 misc.test']], 'not-ftp'],
    ['replies that cannot answer FTP commands', [['c', 'PWD'], ['s', '215 x'], ['c', 'CWD a'], ['s', '211 y'], ['c', 'TYPE I'], ['s', '354 z']], 'not-ftp'],
    ['the verdict stays once FTP', [['c', 'PASV'], ['s', '227 (192,0,2,10,1,2)'], ['c', 'NLST'], ['s', '226 ok'], ['s', '+OK']], 'ftp'],
  ])('%s', (_name, lines, expected) => {
    expect(verdict(false, lines)).toBe(expected);
  });
});

describe('on a port named FTP (tolerant): only another protocol lets go', () => {
  // biome-ignore format: a table, one row a line
  test.each<[string, boolean, Lines, Verdict]>([
    ['a damaged greeting and garbage', true, [['s', '\xcd20 (vsFTPd 3.0.3)'], ['c', '\xaaSER anonymous'], ['s', '\xcc31 x'], ['c', '\xafASS x']], 'unknown'],
    ['POP3 LIST lines', false, [['c', 'LIST'], ['s', '977 341382'], ['s', '978 12'], ['s', '979 5']], 'unknown'],
    ['POP3 +OK', true, [['s', '+OK Dovecot (Debian) ready.']], 'not-ftp'],
    ['NNTP greeting', true, [['s', '200 news.example ready']], 'not-ftp'],
    ['SMTP EHLO', true, [['s', '220 mail ESMTP'], ['c', 'EHLO client']], 'not-ftp'],
    ['HTTP request', false, [['c', 'GET / HTTP/1.1']], 'not-ftp'],
    ['vsftpd', true, [['s', '220 (vsFTPd 3.0.3)'], ['c', 'USER anonymous']], 'ftp'],
  ])('%s', (_name, fromStart, lines, expected) => {
    expect(verdict(fromStart, lines, true)).toBe(expected);
  });
});
