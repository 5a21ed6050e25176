// The console in a real browser against the real api: seeded Postgres, built api and console.
// Needs `npx nx run-many -t build -p api admin` first, Postgres and Redis running, and Chromium.
import { createTestDatabase, type TestDatabase } from '@autocoder/server-db/testing';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type ConsoleApi, startConsoleApi } from './support/api-process';
import { expectNoSeriousA11yViolationsInBothThemes } from './support/accessibility';
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
    await expectNoSeriousA11yViolationsInBothThemes(page, 'the project list');

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

    // The seeded initializer run (the runs list loads on its own: wait for the row; a second one
    // would fail the strict locator); a click opens its log at its own address.
    const run = page.getByTestId('run-row');
    await run.waitFor();
    expect(await run.count()).toBe(1);
    expect(await run.textContent()).toContain('succeeded');
    await run.click();
    // The log opens in the side panel, at its own address, over the board.
    await page.waitForURL(`**/projects/${seeded.id}/runs/**`);
    await page.getByTestId('run-events').filter({ hasText: 'Backlog ready' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'run-panel.png') });
    await page.keyboard.press('Escape');
    await page.waitForURL(`**/projects/${seeded.id}`);
    expect(await page.getByTestId('side-panel').count()).toBe(0);

    await page.screenshot({ path: join(SCREENSHOT_DIR, 'board.png'), fullPage: true });
    await expectNoSeriousA11yViolationsInBothThemes(page, "the project's board with a run's log");
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
    await expectNoSeriousA11yViolationsInBothThemes(page, 'the new-project form with errors');

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
    await expectNoSeriousA11yViolationsInBothThemes(page, 'an empty board');
    expect(pageErrors).toEqual([]);
  });

  it('fits a 390 px phone and reads well in light and dark, with the theme choice remembered', async () => {
    if (!api || !browser) throw new Error('no api');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const pages = [
      { path: '/projects', ready: 'project-row', name: 'projects' },
      { path: '/projects/new', ready: 'create-project-submit', name: 'new-project' },
      { path: '/settings/tokens', ready: 'token-create', name: 'tokens' },
      { path: '/audit', ready: 'audit-filter-action', name: 'audit' },
      { path: `/projects/${seeded.id}`, ready: 'feature-card', name: 'board' },
    ];
    for (const width of [390, 1440]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      for (const { path, ready, name } of pages) {
        await page.goto(`${api.baseUrl}${path}`);
        await page.getByTestId(ready).first().waitFor();
        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          await page.screenshot({
            path: join(SCREENSHOT_DIR, `${name}-${width}-${scheme}.png`),
            fullPage: true,
          });
          // No sideways scrolling of the page itself (wide tables scroll inside their card).
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          // The board's own layout at 390 px belongs to the board's work; the shell must fit.
          if (name !== 'board')
            expect({ path, width, overflow }).toEqual({ path, width, overflow: 0 });
        }
        if (width === 390 && name !== 'board') {
          await expectNoSeriousA11yViolationsInBothThemes(page, `${path} at 390 px`);
        }
      }
    }

    // The keyboard's first stop is the skip link, shown on focus; it lands on the page, and what
    // is focused next carries a visible outline.
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${api.baseUrl}/projects`);
    await page.getByTestId('project-row').first().waitFor();
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
    expect((await skip.boundingBox())?.y).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('content');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const focused = document.activeElement as HTMLElement;
      return { tag: focused.tagName, style: getComputedStyle(focused).outlineStyle };
    });
    expect(outline).toEqual({ tag: expect.any(String), style: 'solid' });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'focus-1440-light.png') });

    // A chosen theme wins over the system's and survives a reload.
    await page.goto(`${api.baseUrl}/projects`);
    await page.getByTestId('theme-toggle').selectOption('dark');
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await background()).toBe('rgb(15, 20, 27)');
    await page.reload();
    await page.getByTestId('project-row').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    expect(await background()).toBe('rgb(15, 20, 27)');
    await page.getByTestId('theme-toggle').selectOption('system');
    expect(await background()).toBe('rgb(245, 246, 248)');
    expect(pageErrors).toEqual([]);
  });
});
