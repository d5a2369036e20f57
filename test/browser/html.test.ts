/**
 * The HTML report where it acts: in a real browser (Debian's Chromium, driven by playwright-core).
 * For every sample (real captures, samples/README.md) the page loads from file:// with no console
 * error and no request but its own, shows one ladder per session whose data-connection arrows
 * (count, direction, ports) are the JSON report's, and the hostile-names sample's markup stays
 * text. A screenshot of every report is left in test-output/html/ for a person to look at.
 */
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Report, ReportChannel, ReportSession } from '../../src/report/build';
import { runCli } from '../e2e/run-cli';
import { launchChromium } from './chromium';
import { sampleCases } from '../helpers/golden';

const OUT = resolve('test-output/html');
const cases = sampleCases();

/** Screenshots stop at this height: the overview, the findings and the first ladders. */
const SHOT_HEIGHT = 2400;

// One browser, one page for every test: a new context costs more than a navigation.
let browser: Browser;
let page: Page;
const seen = { errors: [] as string[], requests: [] as string[], dialogs: [] as string[] };

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => undefined);
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') seen.errors.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('request', (r) => seen.requests.push(r.url()));
  page.on('dialog', (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

interface Loaded {
  page: Page;
  report: Report;
  errors: string[];
  requests: string[];
  dialogs: string[];
  close(): Promise<void>;
}

/** The page, as tall as the report but at most SHOT_HEIGHT, as a PNG. */
async function screenshot(name: string): Promise<void> {
  const height = Math.min(SHOT_HEIGHT, await page.evaluate(() => document.documentElement.scrollHeight));
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true, clip: { x: 0, y: 0, width: 1280, height } });
}

/** Writes the sample's HTML report, opens it from file:// and records what the page did. */
async function load(name: string, extra: string[] = [], colorScheme: 'light' | 'dark' = 'light'): Promise<Loaded> {
  const capture = join('samples', name, 'capture.pcap');
  const json = await runCli('analyze', capture, '--format', 'json', ...extra);
  const html = await runCli('analyze', capture, '--format', 'html', ...extra);
  expect(html.code).toBe(0);
  const file = join(OUT, `${name}${colorScheme === 'dark' ? '.dark' : ''}.html`);
  writeFileSync(file, html.stdout);
  seen.errors = [];
  seen.requests = [];
  seen.dialogs = [];
  await page.emulateMedia({ colorScheme, media: 'screen' });
  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: 'load' });
  const loaded: Loaded = {
    page,
    report: JSON.parse(json.stdout) as Report,
    errors: seen.errors,
    requests: seen.requests.filter((r) => r !== url),
    dialogs: seen.dialogs,
    close: async () => undefined,
  };

  return loaded;
}

function openedByClient(session: ReportSession, channel: ReportChannel): boolean {
  const c = channel.connection!;
  if (c.from.ip === session.client.ip) return true;
  if (c.from.ip === session.server.ip) return false;
  return channel.mode === 'passive';
}

describe.each(cases)('HTML report of %s', (name) => {
  test('loads clean, one ladder per session, arrows as in the JSON; screenshot', async () => {
    const { page, report, errors, requests, dialogs, close } = await load(name);
    try {
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(dialogs).toEqual([]);
      const ladders = await page.$$eval('svg.ladder', (svgs) =>
        svgs.map((svg) => ({
          session: Number(svg.getAttribute('data-session')),
          folded: (svg.getAttribute('data-folded') ?? '').split(' ').filter(Boolean).map(Number),
          syns: [...svg.querySelectorAll('.arrow[data-kind="syn"][data-channel]')].map((g) => ({
            channel: Number(g.getAttribute('data-channel')),
            from: g.getAttribute('data-from'),
            clientPort: Number(g.getAttribute('data-client-port')),
            serverPort: Number(g.getAttribute('data-server-port')),
            blocked: g.classList.contains('blocked'),
            visible: (g as SVGGraphicsElement).getBBox().width > 0,
          })),
        })),
      );
      expect(ladders.map((l) => l.session)).toEqual(report.sessions.map((s) => s.id));
      for (const [i, session] of report.sessions.entries()) {
        const ladder = ladders[i];
        // A connection whose SYN the capture lacks is drawn too, from its first packet.
        const expected = session.dataChannels.filter((c) => c.connection !== null && !ladder.folded.includes(c.index));
        expect(ladder.syns.map((s) => s.channel)).toEqual(expected.map((c) => c.index));
        for (const channel of expected) {
          const c = channel.connection!;
          const arrow = ladder.syns.find((s) => s.channel === channel.index)!;
          const byClient = openedByClient(session, channel);
          expect(arrow.from, `session ${session.id} #${channel.index}`).toBe(byClient ? 'client' : 'server');
          expect(arrow.clientPort).toBe(byClient ? c.from.port : c.to.port);
          expect(arrow.serverPort).toBe(byClient ? c.to.port : c.from.port);
          expect(arrow.blocked).toBe(c.handshake === 'unanswered');
          expect(arrow.visible).toBe(true);
        }
      }
      // Findings and rule sets: one entry each.
      const findings = report.findings.length + report.sessions.reduce((n, s) => n + s.findings.length, 0);
      const counts = await page.$$eval('li.finding', (items) => items.map((li) => Number(li.getAttribute('data-count'))));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(findings);
      expect(await page.locator('#firewall pre[id^="rules-"]').count()).toBe(report.firewall.sets.length);
      await screenshot(name);
    } finally {
      await close();
    }
  });
});

describe('untrusted text', () => {
  test('markup and script in user and file names show as text and never run', async () => {
    const { page, errors, requests, dialogs, close } = await load('hostile-names');
    try {
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(await page.locator('img, iframe, object, embed').count()).toBe(0);
      expect(await page.locator('script').count()).toBe(1);
      expect(await page.locator('svg [onload], [onerror]').count()).toBe(0);
      const text = await page.locator('body').innerText();
      expect(text).toContain('<img src=x onerror=alert(1)>.txt');
      expect(text).toContain('<img src=x onerror=alert(4)>');
      expect(text).toContain('&lt;b&gt; &amp; "quotes" \'too\'.txt');
      // Inside the ladder too (SVG text), and in the details shown for an arrow.
      const labels = await page.locator('svg.ladder .label').allTextContents();
      expect(labels.some((l) => l.includes('RETR <img src=x onerror=alert(1)>.txt'))).toBe(true);
      const retr = page.locator('svg.ladder .arrow[data-line^="RETR <img"]').first();
      await retr.click();
      await expect.poll(() => page.locator('#detail-1').innerText()).toContain('RETR <img src=x onerror=alert(1)>.txt');
      expect(await page.locator('#detail-1 img').count()).toBe(0);
    } finally {
      await close();
    }
  });
});

describe('the page', () => {
  test('keyboard: Tab reaches the arrows, ↑ ↓ move between them, the details follow', async () => {
    const { page, close } = await load('active-port');
    try {
      const first = page.locator('svg.ladder .arrow').first();
      await first.focus();
      await expect.poll(() => page.locator('#detail-1').innerText()).toContain('frame: 1');
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => page.locator('#detail-1').innerText()).toContain('frame: 2');
      // Pointing at an arrow shows it too.
      await page.locator('svg.ladder .arrow[data-kind="syn"][data-channel="2"]').hover();
      await expect
        .poll(() => page.locator('#detail-1').innerText())
        .toMatch(/frame: 34[\s\S]*server opens the data connection 192\.0\.2\.10:20 → 198\.51\.100\.22:43135/);
      await first.focus();
      await page.keyboard.press('End');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-kind'))).toBe('fin');
      // The first Tab from the top reaches the skip link, which leads to the sessions.
      await page.reload();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the sessions');
    } finally {
      await close();
    }
  });

  test('copy buttons copy the rule set', async () => {
    const { page, close } = await load('passive-pasv');
    try {
      const button = page.locator('button.copy').first();
      await button.click();
      await expect.poll(() => button.innerText()).toMatch(/Copied|Select and copy/);
    } finally {
      await close();
    }
  });

  test('dark mode and print', async () => {
    const { page, close } = await load('nat-pasv-private', [], 'dark');
    try {
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [r, g, b] = background.match(/\d+/g)!.map(Number);
      expect(r + g + b).toBeLessThan(120);
      await screenshot('nat-pasv-private.dark');
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('button.copy').first().isVisible()).toBe(false);
      expect(await page.locator('svg.ladder').first().isVisible()).toBe(true);
      // It prints: Chromium's own PDF of the page, ladders included.
      const pdf = await page.pdf({ format: 'A4', printBackground: false });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      writeFileSync(join(OUT, 'nat-pasv-private.pdf'), pdf);
    } finally {
      await close();
    }
  });

  test('--session shows one session; a capture without FTP says so', async () => {
    const { page, close } = await load('vsftpd-mixed', ['--session', '3']);
    try {
      expect(await page.locator('svg.ladder').count()).toBe(1);
      expect(await page.locator('svg.ladder').getAttribute('data-session')).toBe('3');
    } finally {
      await close();
    }
  });
});
