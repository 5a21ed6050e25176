// The console in a real browser against the real api: seeded Postgres, built api and console.
// Needs `npx nx run-many -t build -p api admin` first, Postgres and Redis running, and Chromium.
import { createTestDatabase, type TestDatabase } from '@autocoder/server-db/testing';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type ConsoleApi, startConsoleApi } from './support/api-process';
import { launchChromium } from './support/browser';
import { assertBuilt, SCREENSHOT_DIR } from './support/paths';
import {
  SEEDED_PROJECT_NAME,
  type SeededProject,
  seedDemoProject,
} from './support/seed-demo-project';

describe('console board (browser)', () => {
  let db: TestDatabase | undefined;
  let api: ConsoleApi | undefined;
  let browser: Browser | undefined;
  let seeded: SeededProject;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertBuilt();
    db = await createTestDatabase();
    seeded = await seedDemoProject(db.url);
    api = await startConsoleApi({ databaseUrl: db.url });
    browser = await launchChromium();
  });

  beforeEach(async () => {
    if (!browser) throw new Error('no browser');
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterEach(async () => {
    await page?.close();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await db?.drop();
  });

  it('lists the seeded project and shows every feature in its status column', async () => {
    if (!api) throw new Error('no api');
    await page.goto(`${api.baseUrl}/`);
    // The default route is the project list.
    await page.waitForURL('**/projects');

    const row = page.getByTestId('project-row').filter({ hasText: SEEDED_PROJECT_NAME });
    await row.waitFor();
    expect(await row.textContent()).toContain('2 / 6');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'projects.png') });

    await row.getByRole('link', { name: SEEDED_PROJECT_NAME }).click();
    await page.waitForURL(`**/projects/${seeded.id}`);
    await page.getByTestId('project-name').filter({ hasText: SEEDED_PROJECT_NAME }).waitFor();

    for (const feature of seeded.features) {
      const card = page
        .getByTestId(`board-column-${feature.status}`)
        .getByTestId('feature-card')
        .filter({ hasText: feature.name });
      await card.waitFor();
      expect(await card.count()).toBe(1);
      expect(await card.getByTestId('blocked-marker').count()).toBe(feature.blocked ? 1 : 0);
    }
    // Nothing else on the board: each column holds exactly its seeded features.
    expect(await page.getByTestId('feature-card').count()).toBe(seeded.features.length);

    // The seeded initializer run and its log.
    // The runs list loads on its own: wait for the row (a second one fails the strict locator).
    const run = page.getByTestId('run-row');
    await run.waitFor();
    expect(await run.count()).toBe(1);
    expect(await run.textContent()).toContain('succeeded');
    await run.click();
    await page.getByTestId('run-events').filter({ hasText: 'Backlog ready' }).waitFor();

    await page.screenshot({ path: join(SCREENSHOT_DIR, 'board.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('creates a project from the form and opens its empty board', async () => {
    if (!api) throw new Error('no api');
    await page.goto(`${api.baseUrl}/projects/new`);

    // Client-side validation stops an empty form before it reaches the api.
    await page.getByTestId('create-project-submit').click();
    await page.getByTestId('spec-error').waitFor();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'new-project.png') });

    await page.getByLabel('Name', { exact: true }).fill('Browser made');
    await page
      .getByLabel('Specification', { exact: true })
      .fill('A guest book: visitors leave a message.');
    // No runner in this test: leave the initializer for later.
    await page.getByTestId('start-now').uncheck();
    await page.getByTestId('create-project-submit').click();

    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    await page.getByTestId('project-name').filter({ hasText: 'Browser made' }).waitFor();
    expect(await page.getByTestId('feature-card').count()).toBe(0);
    expect(await page.getByTestId('start-initializer').isEnabled()).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
