import { Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install -y chromium`), headless. Playwright's own browser
 * downloads do not work on these machines, so the system browser is driven instead. The benches
 * launch it with the same flags (chromiumArgs in bench/support.mjs): keep the two alike.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
