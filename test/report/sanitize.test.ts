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
