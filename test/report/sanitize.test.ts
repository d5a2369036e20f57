import { expect, test } from 'vitest';
import { sanitize } from '../../src/report/sanitize';

// Hostile strings as they could appear in a user name, file name or reply text.
test.each([
  ['plain.txt', 'plain.txt'],
  ['\x1b[2J\x1b[31mred', '\\x1b[2J\\x1b[31mred'],
  ['bell\x07', 'bell\\x07'],
  ['tab\there', 'tab\\there'],
  ['cr\rline', 'cr\\x0dline'],
  ['c1\x9bcsi', 'c1\\x9bcsi'],
  ['del\x7f', 'del\\x7f'],
  ['rtl\u202eoverride', 'rtl\\u202eoverride'],
  ['café ünïcode', 'café ünïcode'],
])('sanitize(%j)', (input, expected) => {
  expect(sanitize(input)).toBe(expected);
});

test('JSON output escapes DEL, C1 and bidi controls and stays valid JSON', async () => {
  const { renderJson } = await import('../../src/report/json');
  const hostile = { arg: '\x9b31m\x1b]0;\x07x\x7f\u202e' };
  const text = renderJson(hostile as never);
  expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  expect(text).toContain('\\u009b31m');
  expect(JSON.parse(text)).toEqual(hostile);
});
