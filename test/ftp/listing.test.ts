/**
 * Directory listing lines as real servers send them. Unix lines are copied from the samples' data
 * connections (vsftpd 3.0.3: vsftpd-mixed; ProFTPD 1.3.8: proftpd-mixed; Pure-FTPd 1.0.50:
 * pureftpd-mixed); MLSD lines follow RFC 3659 §7.7 and the facts Pure-FTPd and ProFTPD send; DOS
 * lines are IIS's "MS-DOS" style.
 */
import { describe, expect, test } from 'vitest';
import { ListingParser, parseListingLine, parseMlsdTime, type ListingCommand } from '../../src/ftp/listing';

describe('parseListingLine', () => {
  test.each([
    [
      'vsftpd file',
      'LIST',
      '-rw-r--r--    1 0        0         1048576 Jan 01  2024 one-mb.bin',
      { name: 'one-mb.bin', type: 'file', size: 1048576, time: 'Jan 01 2024', perm: '-rw-r--r--' },
      'unix',
    ],
    [
      'vsftpd dir',
      'LIST',
      'drwxr-xr-x    2 0        0            4096 Jan 01  2024 pub',
      { name: 'pub', type: 'dir', size: 4096, time: 'Jan 01 2024', perm: 'drwxr-xr-x' },
      'unix',
    ],
    [
      'ProFTPD owner names',
      'LIST',
      '-rw-r--r--   1 alice    alice          28 Jan  1  2024 notes.txt',
      { name: 'notes.txt', type: 'file', size: 28, time: 'Jan 1 2024', perm: '-rw-r--r--' },
      'unix',
    ],
    [
      'Pure-FTPd wide columns',
      'LIST',
      '-rw-r--r--    1 0          0               65536 Jan  1  2024 data-64k.bin',
      { name: 'data-64k.bin', type: 'file', size: 65536, time: 'Jan 1 2024', perm: '-rw-r--r--' },
      'unix',
    ],
    [
      'recent file with time',
      'LIST',
      '-rw-r--r--    1 ftp      ftp           119 Nov 21 10:00 readme.txt',
      { name: 'readme.txt', type: 'file', size: 119, time: 'Nov 21 10:00', perm: '-rw-r--r--' },
      'unix',
    ],
    [
      'name with spaces',
      'LIST',
      '-rw-r--r--    1 0        0              23 Jan 01  2024 a b  c.txt',
      { name: 'a b  c.txt', type: 'file', size: 23, time: 'Jan 01 2024', perm: '-rw-r--r--' },
      'unix',
    ],
    [
      'symbolic link',
      'LIST',
      'lrwxrwxrwx    1 0        0               7 Jan 01  2024 latest -> one-mb.bin',
      { name: 'latest', type: 'link', size: 7, time: 'Jan 01 2024', perm: 'lrwxrwxrwx', target: 'one-mb.bin' },
      'unix',
    ],
    [
      'no group column',
      'LIST',
      '-rw-r--r-- 1 ftp 512 Jan 01  2024 x.bin',
      { name: 'x.bin', type: 'file', size: 512, time: 'Jan 01 2024', perm: '-rw-r--r--' },
      'unix',
    ],
    [
      'device',
      'LIST',
      'crw-rw-rw-    1 0        0          1,   3 Jan 01  2024 null',
      { name: 'null', type: 'other', size: 3, time: 'Jan 01 2024', perm: 'crw-rw-rw-' },
      'unix',
    ],
    [
      'MLSD file',
      'MLSD',
      'type=file;size=119;modify=20240101120000;perm=adfr;unique=803U1A; readme.txt',
      { name: 'readme.txt', type: 'file', size: 119, time: '2024-01-01T12:00:00Z', perm: 'adfr' },
      'mlsd',
    ],
    [
      'MLSD dir, fraction',
      'MLSD',
      'type=dir;modify=20240101120000.123;perm=flcdmpe; pub',
      { name: 'pub', type: 'dir', size: null, time: '2024-01-01T12:00:00.123Z', perm: 'flcdmpe' },
      'mlsd',
    ],
    ['MLSD cdir', 'MLSD', 'type=cdir;modify=20240101120000; /srv/ftp', { name: '/srv/ftp', type: 'dir', size: null, time: '2024-01-01T12:00:00Z' }, 'mlsd'],
    [
      'MLSD symlink (ProFTPD)',
      'MLSD',
      'type=OS.unix=slink:/srv/one-mb.bin;size=10;modify=20240101120000; latest',
      { name: 'latest', type: 'link', size: 10, time: '2024-01-01T12:00:00Z', target: '/srv/one-mb.bin' },
      'mlsd',
    ],
    ['MLSD name with spaces and semicolons', 'MLSD', 'type=file;size=1; a; b c', { name: 'a; b c', type: 'file', size: 1, time: null }, 'mlsd'],
    ['DOS file', 'LIST', '01-31-24  09:05PM                  119 readme.txt', { name: 'readme.txt', type: 'file', size: 119, time: '01-31-24 09:05PM' }, 'dos'],
    ['DOS dir', 'LIST', '01-31-2024  21:05       <DIR>          pub', { name: 'pub', type: 'dir', size: null, time: '01-31-2024 21:05' }, 'dos'],
    ['NLST name', 'NLST', '<img src=x onerror=alert(1)>.txt', { name: '<img src=x onerror=alert(1)>.txt', type: null, size: null, time: null }, 'names'],
  ] as const)('%s', (_, command, line, entry, format) => {
    expect(parseListingLine(line, command as ListingCommand)).toEqual({ entry, format });
  });

  test.each([
    ['total line', 'LIST', 'total 12'],
    ['free text', 'LIST', 'Permission denied'],
    ['MLSD without facts', 'MLSD', 'readme.txt'],
    ['MLSD fact without value', 'MLSD', 'type;size=1; x'],
    ['empty', 'LIST', ''],
  ] as const)('%s is no entry', (_, command, line) => {
    expect(parseListingLine(line, command)).toBeNull();
  });

  test.each([
    ['20240101120000', '2024-01-01T12:00:00Z'],
    ['20240101120000.5', '2024-01-01T12:00:00.500Z'],
    ['2024010112', null],
  ])('parseMlsdTime(%s)', (text, iso) => {
    expect(parseMlsdTime(text)).toBe(iso);
  });
});

describe('ListingParser', () => {
  // vsftpd's LIST of the anonymous root (passive-pasv, data channel 1), CRLF line ends.
  const listing = Buffer.from(
    '-rw-r--r--    1 0        0         1048576 Jan 01  2024 one-mb.bin\r\n' +
      'drwxr-xr-x    2 0        0            4096 Jan 01  2024 pub\r\n' +
      '-rw-r--r--    1 0        0             119 Jan 01  2024 readme.txt\r\n',
  );

  function parse(chunks: Buffer[], maxEntries = 100): ReturnType<ListingParser['summary']> {
    const parser = new ListingParser('LIST', maxEntries, 4096);
    for (const chunk of chunks) parser.push(chunk);
    return parser.summary();
  }

  test('whole and in 1-byte chunks alike', () => {
    const whole = parse([listing]);
    expect(whole.format).toBe('unix');
    expect(whole.entries.map((e) => e.name)).toEqual(['one-mb.bin', 'pub', 'readme.txt']);
    expect(parse([...listing].map((b) => Buffer.from([b])))).toEqual(whole);
  });

  test('a last line without its line end counts; LF alone ends a line', () => {
    const text = Buffer.from('-rw-r--r-- 1 0 0 1 Jan 01  2024 a\n-rw-r--r-- 1 0 0 2 Jan 01  2024 b');
    expect(parse([text]).entries.map((e) => [e.name, e.size])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  test('entries past the cap are counted', () => {
    const summary = parse([listing], 2);
    expect(summary.entries).toHaveLength(2);
    expect(summary.entriesDropped).toBe(1);
  });

  test('a gap loses the line it falls in; parsing resumes at the next line end', () => {
    const parser = new ListingParser('LIST', 100, 4096);
    parser.push(listing.subarray(0, 80));
    parser.gap();
    parser.push(listing.subarray(100));
    const summary = parser.summary();
    // The first line (68 bytes) is whole before the gap; the second is cut by it.
    expect(summary.entries.map((e) => e.name)).toEqual(['one-mb.bin', 'readme.txt']);
    expect(summary.unparsedLines).toBe(1);
  });

  test('a line longer than the cap is not parsed', () => {
    const parser = new ListingParser('NLST', 100, 16);
    parser.push(Buffer.from(`${'x'.repeat(40)}\r\nshort\r\n`));
    expect(parser.summary()).toEqual({
      format: 'names',
      entries: [{ name: 'short', type: null, size: null, time: null }],
      entriesDropped: 0,
      unparsedLines: 1,
    });
  });
});
