#!/usr/bin/env node
/**
 * Regenerates the pictures in README.md: the HTML report of a bundled sample, rendered by Debian's
 * Chromium (driven by playwright-core; no browser download) into docs/html-report.png, and the
 * ladder diagram text of another into docs/ladder.txt.
 *
 *   npm run screenshots        (builds first)
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { pathToFileURL } = require('url');
const { chromium } = require('playwright-core');
const { run } = require('../dist/src/cli/main');

const root = path.resolve(__dirname, '..');
const CHROMIUM = process.env.FTPCAP_CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function ftpcap(...args) {
  let out = '';
  const code = await run(['node', 'ftpcap', ...args], {
    stdout: (t) => (out += t),
    stderr: (t) => process.stderr.write(t),
    isTty: false,
    env: { LANG: 'C.UTF-8' },
  });
  if (code !== 0) throw new Error(`ftpcap ${args.join(' ')}: exit ${code}`);
  return out;
}

async function main() {
  process.chdir(root);
  fs.mkdirSync('docs', { recursive: true });
  const ladder = await ftpcap('diagram', 'samples/firewall-passive-blocked/capture.pcap', '--session', '2', '--width', '96', '--no-color');
  fs.writeFileSync('docs/ladder.txt', ladder);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpcap-shots-'));
  const html = path.join(dir, 'report.html');
  fs.writeFileSync(html, await ftpcap('analyze', 'samples/nat-pasv-private/capture.pcap', '--format', 'html'));
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, colorScheme: 'light' });
    await page.goto(pathToFileURL(html).href);
    // Overview, findings and the first ladder with its unanswered SYNs.
    const top = await page.evaluate(() => /** @type {Element} */ (document.querySelector('#session-1')).getBoundingClientRect().bottom + window.scrollY);
    await page.screenshot({ path: 'docs/html-report.png', fullPage: true, clip: { x: 0, y: 0, width: 1200, height: Math.min(2600, Math.ceil(top)) } });
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log('wrote docs/html-report.png and docs/ladder.txt');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
