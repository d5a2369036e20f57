/**
 * The data-channel table of the text report stays readable on big captures: past 20 rows it lists
 * every channel that did not complete and fills the rest with completed ones, and says how many
 * it left out (the JSON report lists them all).
 */
import { describe, expect, test } from 'vitest';
import { renderText } from '../../src/report/text';
import { c, s, script, syn, type Steps } from '../correlate/script';
import { analyzeFrames } from '../helpers/analyze';
import { CONTROL, client, dial, login, sendAndClose, server } from '../correlate/lab';

/** `count` passive LISTs; those in `failing` get a SYN nobody answers and a 425. */
function listings(count: number, failing: Set<number>): Steps {
  const steps: Steps = [login()];
  for (let i = 0; i < count; i++) {
    const port = 40000 + i;
    steps.push(c('PASV'), s(`227 Entering Passive Mode (192,0,2,10,${port >> 8},${port & 255}).`), c('LIST'));
    if (failing.has(i)) {
      steps.push(syn(client(50001 + i), server(port)), s('425 Failed to establish connection.'));
    } else {
      steps.push(
        dial(client(50001 + i), server(port), `d${i}`),
        s('150 Here comes the directory listing.'),
        sendAndClose(server(port), client(50001 + i), [10]),
        s('226 Directory send OK.'),
      );
    }
  }
  return steps;
}

function text(count: number, failing: number[]): string {
  const run = script([CONTROL], listings(count, new Set(failing)));
  return renderText(analyzeFrames(run.frames).report, { color: false, firewall: false });
}

/** The channel numbers the table lists, in order. */
const listed = (out: string) => [...out.matchAll(/^│ 1 +│ (\d+) +│/gm)].map((m) => Number(m[1]));

describe('data-channel table', () => {
  test('20 channels: all listed', () => {
    const out = text(20, []);
    expect(listed(out)).toHaveLength(20);
    expect(out).not.toMatch(/more channels/);
  });

  test('25 channels, two failed late: the failures are listed, 5 completed ones counted', () => {
    const out = text(25, [22, 24]);
    const channels = listed(out);
    expect(channels).toHaveLength(20);
    expect(channels).toContain(23);
    expect(channels).toContain(25);
    expect(out).toMatch(/… 5 more channels \(all completed\) are not listed: --format json lists every channel/);
  });
});
