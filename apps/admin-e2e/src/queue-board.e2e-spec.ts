// The queue view in a real browser: the built api serves bull-board's page at
// /api/v1/admin/queues, reached from the console's "Queues" link; it draws the queues of the
// contract under its own content-security policy (inline styles, scripts of this origin only)
// with no CSP refusal but the one of its Google Fonts stylesheet.
import { createTestDatabase, type TestDatabase } from '@autocoder/server-db/testing';
import { QueueName } from '@autocoder/shared-contracts';
import type { Browser } from 'playwright-core';
import { type ConsoleApi, startConsoleApi } from './support/api-process';
import { launchChromium } from './support/browser';
import { join } from 'node:path';
import { assertBuilt, SCREENSHOT_DIR } from './support/paths';

describe('queue view (browser, bull-board)', () => {
  let db: TestDatabase | undefined;
  let api: ConsoleApi | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    assertBuilt();
    db = await createTestDatabase();
    api = await startConsoleApi({ databaseUrl: db.url });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await db?.drop();
  });

  it("opens from the console's Queues link and shows every queue", async () => {
    if (!browser || !api) throw new Error('not started');
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const cspViolations: string[] = [];
    const pageErrors: string[] = [];
    context.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    context.on('weberror', (error) => pageErrors.push(error.error().message));

    await page.goto(`${api.baseUrl}/projects`);
    const link = page.getByTestId('nav-queues');
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe('/api/v1/admin/queues');
    const [board] = await Promise.all([context.waitForEvent('page'), link.click()]);
    board.setDefaultTimeout(20_000);
    await board.waitForURL(`${api.baseUrl}/api/v1/admin/queues`);
    for (const name of Object.values(QueueName)) {
      await board.getByText(name, { exact: true }).first().waitFor();
    }
    // bull-board's page links Google Fonts; the policy refuses it on purpose (no third-party
    // requests from an admin's browser) and the page falls back to system fonts.
    expect(cspViolations.filter((v) => !v.includes('https://fonts.googleapis.com/'))).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('shows the Queues link and the board at 1440 and 390 px, light and dark', async () => {
    if (!browser || !api) throw new Error('not started');
    for (const width of [1440, 390]) {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${api.baseUrl}/projects`);
        await page.getByTestId('nav-queues').waitFor({ state: 'attached' });
        await page.getByText('No projects yet.').waitFor();
        await page.screenshot({ path: join(SCREENSHOT_DIR, `queues-link-${width}-${scheme}.png`) });
        await page.goto(`${api.baseUrl}/api/v1/admin/queues`);
        await page.getByText(QueueName.AgentSession, { exact: true }).first().waitFor();
        // The overview's cards, not its "Loading…" placeholder.
        await page
          .getByText(/\d+ Jobs/)
          .first()
          .waitFor();
        await page.screenshot({ path: join(SCREENSHOT_DIR, `queue-board-${width}-${scheme}.png`) });
      }
      await context.close();
    }
  }, 180_000);
});
