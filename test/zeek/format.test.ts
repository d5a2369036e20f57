/**
 * The pieces of Zeek's behaviour that ftp.log is built from, one table each: paths in `arg`
 * (Zeek's build_path / compress_path / extract_path), the size in a reply (extract_count), and
 * how a value is written in the ASCII and JSON formats (Zeek's LogAscii writer).
 */
import { describe, expect, test } from 'vitest';
import { renderZeekAsciiRecord, renderZeekJsonRecord } from '../../src/report/zeek';
import { buildPath, compressPath, extractPath, ftpUrl, lastNumber, type ZeekFtpRecord } from '../../src/zeek/ftp-log';

describe('paths', () => {
  test.each([
    ['.', 'robots.txt', './robots.txt'],
    ['/pub', 'file', '/pub/file'],
    ['/pub/', 'file', '/pub/file'],
    ['/pub', '/etc/passwd', '/etc/passwd'],
    ['/pub', 'C:\\x', 'C:\\x'],
    ['', 'file', 'file'],
  ])('buildPath(%j, %j) = %j', (dir, file, path) => {
    expect(buildPath(dir, file)).toBe(path);
  });

  test.each([
    ['./robots.txt', './robots.txt'],
    ['/a/b/../c', '/a/c'],
    ['/a/b/..', '/a'],
    ['a/../b', 'b'],
    ['//a///b/', '/a/b'],
    ['/a/./b', '/a/b'],
    ['../..', '../..'],
    ['/', '/'],
  ])('compressPath(%j) = %j', (path, compressed) => {
    expect(compressPath(path)).toBe(compressed);
  });

  test.each([
    ['"/home/alice" is the current directory', '/home/alice'],
    ['"/with space" is current', '/with space'],
    ['Current directory is /pub/data now', '/pub/data'],
    ['no path here', ''],
  ])('extractPath(%j) = %j', (reply, path) => {
    expect(extractPath(reply)).toBe(path);
  });

  test.each([
    ['192.0.2.10', '.', 'robots.txt', 'ftp://192.0.2.10/./robots.txt'],
    ['2001:db8::10', '/pub', 'a.txt', 'ftp://[2001:db8::10]/pub/a.txt'],
    ['192.0.2.10', '.', '', 'ftp://192.0.2.10/.'],
  ])('ftpUrl(%j, %j, %j) = %j', (server, cwd, name, url) => {
    expect(ftpUrl(server, cwd, name)).toBe(url);
  });

  test.each([
    ['Opening BINARY mode data connection for robots.txt (77 bytes).', 77],
    ['Opening BINARY mode data connection for rfc1001.txt (154427 bytes)', 154427],
    ['Here comes the file.', 0],
  ])('the size in %j is %d (the last number)', (text, size) => {
    expect(lastNumber(text)).toBe(size);
  });
});

describe('values as Zeek writes them', () => {
  const base: ZeekFtpRecord = {
    ts: 1329843175.68,
    uid: 'CHhAvVGS1DHFjwGM9',
    'id.orig_h': '192.0.2.20',
    'id.orig_p': 50003,
    'id.resp_h': '192.0.2.10',
    'id.resp_p': 21,
    user: 'anonymous',
    command: 'RETR',
  };

  test('ASCII: times with six decimals, unset as -, booleans as T/F', () => {
    const line = renderZeekAsciiRecord({ ...base, 'data_channel.passive': true, reply_code: 226 }).split('\t');
    expect(line[0]).toBe('1329843175.680000');
    expect(line[7]).toBe('-');
    expect(line[12]).toBe('226');
    expect(line[14]).toBe('T');
  });

  test.each([
    ['', '(empty)'],
    ['-', '\\x2d'],
    ['tab\there', 'tab\\x09here'],
    ['bell\x07', 'bell\\x07'],
    // Bytes of valid UTF-8 pass through as text, others are escaped.
    [Buffer.from('café', 'utf8').toString('latin1'), 'café'],
    ['\xff\xfe', '\\xff\\xfe'],
    // Valid UTF-8 that a terminal must not get raw: its bytes escaped (found by the fuzzer: a
    // 257 reply naming "\u2028" reached the log as a raw line separator).
    [Buffer.from('a\u2028b', 'utf8').toString('latin1'), 'a\\xe2\\x80\\xa8b'],
    [Buffer.from('x\u202etxt.exe', 'utf8').toString('latin1'), 'x\\xe2\\x80\\xaetxt.exe'],
    [Buffer.from('c1\u0085', 'utf8').toString('latin1'), 'c1\\xc2\\x85'],
  ])('ASCII: the string %j is written %j', (value, written) => {
    expect(renderZeekAsciiRecord({ ...base, reply_msg: value }).split('\t')[13]).toBe(written);
  });

  test('JSON: unset fields left out, times as epoch seconds without trailing zeros', () => {
    expect(renderZeekJsonRecord({ ...base, ts: 1329843175 })).toBe(
      '{"ts":1329843175.0,"uid":"CHhAvVGS1DHFjwGM9","id.orig_h":"192.0.2.20","id.orig_p":50003,"id.resp_h":"192.0.2.10","id.resp_p":21,"user":"anonymous","command":"RETR"}',
    );
    expect(renderZeekJsonRecord({ ...base, 'data_channel.passive': false })).toMatch(/^\{"ts":1329843175\.68,.*"data_channel\.passive":false\}$/);
  });
});
