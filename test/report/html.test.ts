/**
 * The HTML renderer without a browser: escaping, the page's security policy, and the firewall
 * section's two shapes (rule sets, or schemaVersion 1's four `rules` strings). The browser tests
 * (test/browser/) load the pages themselves.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Report } from '../../src/report/build';
import { escapeHtml, renderHtml } from '../../src/report/html';
import { runCli } from '../e2e/run-cli';

async function report(sample: string): Promise<Report> {
  return JSON.parse((await runCli('analyze', `samples/${sample}/capture.pcap`, '--format', 'json')).stdout) as Report;
}

describe('escapeHtml', () => {
  test.each([
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['&lt;b&gt; &amp;', '&amp;lt;b&amp;gt; &amp;amp;'],
    [`"'`, '&quot;&#39;'],
    ['\x1b[31mred', '\\x1b[31mred'],
    ['\u202eevil', '\\u202eevil'],
  ])('%j', (input, output) => {
    expect(escapeHtml(input)).toBe(output);
  });
});

describe('the page', () => {
  test('only its own script may run, and nothing is fetched', async () => {
    const html = renderHtml(await report('hostile-names'));
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
    const hash = createHash('sha256').update(script).digest('base64');
    expect(html).toContain(`script-src &#39;sha256-${hash}&#39;`);
    expect(html).toContain('default-src &#39;none&#39;');
    expect(html.match(/<script/g)).toHaveLength(1);
    // No URL but the SVG namespace and in-page anchors.
    const urls = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(urls.every((u) => u.startsWith('#'))).toBe(true);
    expect(html).not.toMatch(/<img|onerror=alert\(1\)>/);
    expect(html).toContain('RETR &lt;img src=x onerror=alert(1)&gt;.txt');
  });

  test('a capture file named like markup is shown as text too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftpcap-html-'));
    const file = join(dir, '<img src=x onerror=alert(9)>.pcap');
    copyFileSync('samples/hostile-names/capture.pcap', file);
    const html = (await runCli('analyze', file, '--format', 'html')).stdout;
    expect(html).toContain('<title>ftpcap: &lt;img src=x onerror=alert(9)&gt;.pcap</title>');
    expect(html).not.toContain('<img src=x onerror=alert(9)>');
  });

  test('rule sets when the report has them, else schemaVersion 1 rules', async () => {
    const full = await report('active-port');
    expect(renderHtml(full)).toContain(escapeHtml(full.firewall.sets[0].text));
    const legacy = { ...full, firewall: { ...full.firewall, sets: undefined, plan: undefined } } as unknown as Report;
    const html = renderHtml(legacy);
    expect(html).toContain(escapeHtml(full.firewall.rules.nftablesStateless));
    expect(html).toContain('nftables, stateless');
  });

  test('a capture without FTP says so', async () => {
    const empty = await report('active-port');
    const none = { ...empty, sessions: [], summary: { ...empty.summary, sessions: 0, dataChannels: 0 } } as Report;
    const html = renderHtml(none);
    expect(html).toContain('No FTP session was found in the capture.');
    expect(html).not.toContain('<svg class="ladder"');
  });
});
