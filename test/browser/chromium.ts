/**
 * One headless Chromium for the browser tests and the README screenshots: Debian's package
 * (`apt-get install chromium`, which .ci/run does when it is missing), driven by playwright-core.
 * No browser is ever downloaded; the profile is a fresh temporary directory per launch.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.FTPCAP_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set FTPCAP_CHROMIUM to a Chromium binary)`);
  }
  // playwright-core's launch() gives every browser a new empty --user-data-dir of its own.
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
