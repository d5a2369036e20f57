/**
 * diagnoseCapture on its own: each fact the frame dispatcher counts about the capture gives its
 * finding, none when the count is zero, and the findings come in the order the report has always
 * listed them (undecodable frames, then the limits reached, then fragments, copies, time, cut
 * segments). The facts are written by hand; the frames behind them are the e2e cases'
 * (samples/*, test/e2e) and src/decode/dispatch.ts's counting is covered there.
 */
import { describe, expect, test } from 'vitest';
import type { CaptureFacts } from '../../src/decode/dispatch';
import { diagnoseCapture } from '../../src/diagnose/capture';
import type { Finding } from '../../src/types';

const frame = (n: number) => ({ input: 0, frame: n });

const clean: CaptureFacts = {
  malformed: [],
  undecodedFrames: {},
  firstUnsupported: null,
  unsupportedLinkTypes: new Map(),
  fragmentsLost: 0,
  duplicates: 0,
  firstDuplicate: null,
  reversals: [],
  cutSegments: 0,
};

type Row = [name: string, facts: Partial<CaptureFacts>, expected: Array<Pick<Finding, 'code' | 'severity' | 'frame'> & { says: string }>];

// biome-ignore format: a table, one row a line
const rows: Row[] = [
  ['nothing wrong', {}, []],
  ['a malformed frame', { malformed: [{ ref: frame(7), layer: 'ipv4', offset: 14, reason: 'version field is 5' }], undecodedFrames: { 'malformed ipv4': 1 } }, [
    { code: 'malformed-packet', severity: 'warning', frame: frame(7), says: 'ipv4 header cannot be decoded at byte 14 of the frame: version field is 5' },
  ]],
  ['frames in encapsulations ftpcap does not read, not counting malformed ones or link types', { undecodedFrames: { 'malformed tcp': 2, 'link type 147 (USER0)': 3, 'MPLS label stack': 4, 'ESP (encrypted)': 1 }, firstUnsupported: frame(3) }, [
    { code: 'unsupported-encapsulation', severity: 'warning', frame: frame(3), says: '5 frames are in an encapsulation that could not be decoded (MPLS label stack: 4, ESP (encrypted): 1)' },
  ]],
  ['a link type no decoder handles', { unsupportedLinkTypes: new Map([[147, 3]]) }, [
    { code: 'unsupported-link-type', severity: 'error', frame: null, says: 'link type 147 (' },
  ]],
  ['fragments never reassembled', { fragmentsLost: 2 }, [
    { code: 'fragments-dropped', severity: 'warning', frame: null, says: '2 fragmented IP datagrams could not be reassembled' },
  ]],
  ['copies of frames', { duplicates: 12, firstDuplicate: frame(40) }, [
    { code: 'duplicate-frames', severity: 'warning', frame: frame(40), says: '12 frames are exact copies of a frame close in time' },
  ]],
  ['time going backwards once, then three times', { reversals: [
    { first: frame(5), firstStepMicros: 1_500_000, largestStepMicros: 1_500_000, count: 1 },
    { first: frame(9), firstStepMicros: 250_000, largestStepMicros: 60_000_000, count: 3 },
  ] }, [
    { code: 'time-goes-backwards', severity: 'warning', frame: frame(5), says: 'time goes backwards by 1.500 s here:' },
    { code: 'time-goes-backwards', severity: 'warning', frame: frame(9), says: 'time goes backwards by 0.250 s here; 3 times in all, at most 60.000 s:' },
  ]],
  ['segments cut by the snap length', { cutSegments: 17 }, [
    { code: 'capture-truncated', severity: 'warning', frame: null, says: '17 TCP segments were cut short' },
  ]],
];

describe('diagnoseCapture', () => {
  test.each(rows)('%s', (_name, facts, expected) => {
    const findings = diagnoseCapture({ ...clean, ...facts });
    expect(findings.map(({ code, severity, frame }) => ({ code, severity, frame }))).toEqual(expected.map(({ says: _, ...f }) => f));
    for (const [i, finding] of findings.entries()) expect(finding.message).toContain(expected[i]?.says);
  });

  test('every fact at once: undecodable frames, the limits, fragments, copies, time, cut segments', () => {
    const limit: Finding = { code: 'limit-reached', severity: 'warning', frame: null, message: 'limit maxConnections (1) reached: ...' };
    const findings = diagnoseCapture(
      {
        malformed: [{ ref: frame(1), layer: 'tcp', offset: 46, reason: 'data offset too small' }],
        undecodedFrames: { 'malformed tcp': 1, 'link type 147 (USER0)': 1, 'MPLS label stack': 1 },
        firstUnsupported: frame(2),
        unsupportedLinkTypes: new Map([[147, 1]]),
        fragmentsLost: 1,
        duplicates: 1,
        firstDuplicate: frame(4),
        reversals: [{ first: frame(5), firstStepMicros: 1, largestStepMicros: 1, count: 1 }],
        cutSegments: 1,
      },
      [limit],
    );
    expect(findings.map((f) => f.code)).toEqual([
      'malformed-packet',
      'unsupported-encapsulation',
      'unsupported-link-type',
      'limit-reached',
      'fragments-dropped',
      'duplicate-frames',
      'time-goes-backwards',
      'capture-truncated',
    ]);
  });
});
