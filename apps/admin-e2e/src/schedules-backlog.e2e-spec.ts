// Schedules and backlog editing in a real browser against the real api (seeded Postgres, built
// api and console). Needs `npx nx run-many -t build -p api admin` first, Postgres, Redis and
// Chromium.
import { REPO_ROOT } from '@autocoder/server-test-support';
import { createTestDatabase, type TestDatabase } from '@autocoder/server-db/testing';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expectNoSeriousA11yViolationsInBothThemes } from './support/accessibility';
import { type ConsoleApi, startConsoleApi } from './support/api-process';
import { launchChromium } from './support/browser';
import { assertBuilt } from './support/paths';
import { type SeededProject, seedDemoProject } from './support/seed-demo-project';

const SHOTS = join(REPO_ROOT, 'tmp', 'screenshots', 'schedules-backlog');

describe('schedules and backlog editing (browser)', () => {
  let db: TestDatabase | undefined;
  let api: ConsoleApi | undefined;
  let browser: Browser | undefined;
  let seeded: SeededProject;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertBuilt();
    mkdirSync(SHOTS, { recursive: true });
    db = await createTestDatabase();
    seeded = await seedDemoProject(db.url);
    api = await startConsoleApi({ databaseUrl: db.url });
    browser = await launchChromium();
  });

  beforeEach(async () => {
    if (!browser) throw new Error('no browser');
    // The browser is in New York; the schedule follows Berlin: both clocks show.
    page = await browser.newPage({
      viewport: { width: 1440, height: 1000 },
      timezoneId: 'America/New_York',
    });
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

  /** Light and dark at 1440 and 390 px; the page must not scroll sideways at 390. */
  async function shoot(name: string, ready: () => Promise<unknown>): Promise<void> {
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 1000 });
      await ready();
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.screenshot({
          path: join(SHOTS, `${name}-${width}-${scheme}.png`),
          fullPage: true,
        });
      }
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect({ name, width, overflow }).toEqual({ name, width, overflow: 0 });
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1440, height: 1000 });
  }

  it('creates a schedule and shows its next start; refuses an overlapping one on the duration', async () => {
    if (!api) throw new Error('no api');
    await page.goto(`${api.baseUrl}/projects/${seeded.id}`);
    await page.getByTestId('project-tab-schedules').click();
    await page.waitForURL(`**/projects/${seeded.id}/schedules`);
    await page.getByTestId('schedule-empty').waitFor();

    await page.getByTestId('schedule-new').click();
    const editor = page.getByTestId('schedule-editor');
    // Weekdays are chosen already; Friday off, Saturday on.
    await editor.getByRole('button', { name: 'Fri', exact: true }).click();
    await editor.getByRole('button', { name: 'Sat', exact: true }).click();
    expect(
      await editor.getByRole('button', { name: 'Sat', exact: true }).getAttribute('aria-pressed'),
    ).toBe('true');
    await editor.getByLabel('Start time').fill('21:30');
    await editor.getByTestId('schedule-hours').fill('4');
    await editor.getByTestId('schedule-minutes').fill('0');
    await editor.getByLabel('Time zone').fill('Europe/Berlin');
    await editor.getByTestId('schedule-ends').filter({ hasText: '01:30 the next day' }).waitFor();
    await editor.getByTestId('schedule-save').click();

    const item = page.getByTestId('schedule-item');
    await item.waitFor();
    expect(await item.getByTestId('schedule-title').textContent()).toContain(
      'Mon, Tue, Wed, Thu, Sat · 21:30–01:30',
    );
    // The api's next start, on Berlin's clock and on the browser's (New York).
    const nextStart = (await item.getByTestId('schedule-next-start').textContent()) ?? '';
    expect(nextStart).toMatch(/(Mon|Tue|Wed|Thu|Sat) \d{1,2} \w{3}, 21:30/);
    expect(nextStart).toContain('your time');
    expect(await item.getByTestId('schedule-next-stop').textContent()).toMatch(/, 01:30/);
    expect(await item.getByTestId('week-strip').locator('.bar').count()).toBe(10);

    // Monday and Tuesday leave 24 hours between starts: a 25-hour window runs into the next.
    await page.getByTestId('schedule-new').click();
    for (const day of ['Wed', 'Thu', 'Fri']) {
      await editor.getByRole('button', { name: day, exact: true }).click();
    }
    await editor.getByTestId('schedule-hours').fill('25');
    await editor.getByTestId('schedule-save').click();
    const error = editor.getByTestId('schedule-error-durationMinutes');
    await error.waitFor();
    expect(await error.textContent()).toContain('runs into the next start 1440 minutes later');
    // On the duration field, described by it, and nowhere else.
    expect(await editor.getByTestId('schedule-hours').getAttribute('aria-describedby')).toBe(
      await error.getAttribute('id'),
    );
    expect(await editor.getByTestId('schedule-error-startTime').count()).toBe(0);
    expect(await page.getByTestId('schedule-item').count()).toBe(1);

    await expectNoSeriousA11yViolationsInBothThemes(page, 'the schedules page with an error');
    await shoot('schedules', () => error.waitFor());

    // A person stops and starts the agents by hand: the schedules leave them alone until the
    // window holding now ends or, outside the windows, until the next one starts.
    const agents = `${api.baseUrl}/api/v1/projects/${seeded.id}/agents`;
    expect((await page.request.post(`${agents}/stop`)).status()).toBe(200);
    expect((await page.request.post(`${agents}/start`, { data: {} })).status()).toBe(202);
    await page.reload();
    const override = page.getByTestId('schedule-override');
    await override.waitFor();
    expect(await override.textContent()).toMatch(
      /The agents were started by hand until the (window ends|next window starts)/,
    );
    await shoot('schedules-override', () => override.waitFor());
    expect(pageErrors).toEqual([]);
  });

  it('adds a feature, adds a dependency, and refuses a cycle next to the control', async () => {
    if (!api) throw new Error('no api');
    await page.goto(`${api.baseUrl}/projects/${seeded.id}`);
    await page.getByTestId('add-feature').click();
    await page.waitForURL(`**/projects/${seeded.id}/features/new`);
    const form = page.getByTestId('feature-create-form');
    await form.getByLabel('Name').fill('Export todos as CSV');
    await form.getByLabel('Category').fill('todos');
    await form.getByLabel('Description').fill('Download the list as a CSV file.');
    await form.getByLabel('Step 1', { exact: true }).fill('Add two todos');
    await form.getByLabel('Step 1', { exact: true }).press('Enter');
    await form.getByLabel('Step 2', { exact: true }).fill('Click "Export"');
    await form.getByLabel('Add a dependency').fill('Add a todo');
    await form.getByTestId('feature-search-result').filter({ hasText: 'Add a todo item' }).click();
    await form.getByTestId('create-dependencies').filter({ hasText: 'Add a todo item' }).waitFor();
    await shoot('add-feature', () => form.waitFor());
    await form.getByTestId('create-save').click();

    // The new feature opens in the panel, with its dependency; the board shows its card.
    await page.waitForURL(/\/features\/[0-9a-f-]{36}$/);
    const panel = page.getByTestId('side-panel');
    await panel.getByRole('heading', { name: 'Export todos as CSV' }).waitFor();
    await panel
      .getByTestId('feature-dependencies')
      .filter({ hasText: 'Add a todo item' })
      .waitFor();
    await page
      .getByTestId('board-column-pending')
      .getByTestId('feature-card')
      .filter({ hasText: 'Export todos as CSV' })
      .waitFor();

    // A second dependency, added from the panel.
    await panel.getByLabel('Add a dependency').fill('landing');
    await panel
      .getByTestId('feature-search-result')
      .filter({ hasText: 'Show the landing page' })
      .click();
    await panel
      .getByTestId('feature-dependencies')
      .filter({ hasText: 'Show the landing page' })
      .waitFor();

    // "Mark a todo as done" is needed by "Filter todos by status": depending on it would close
    // a cycle, which the api refuses and the panel names next to the control.
    const markDone = seeded.features.find((f) => f.name === 'Mark a todo as done');
    await page.goto(`${api.baseUrl}/projects/${seeded.id}/features/${markDone?.id}`);
    await panel.getByRole('heading', { name: 'Mark a todo as done' }).waitFor();
    await panel.getByLabel('Add a dependency').fill('Filter');
    await panel
      .getByTestId('feature-search-result')
      .filter({ hasText: 'Filter todos by status' })
      .click();
    const problem = panel.getByTestId('dependency-add').getByTestId('dependency-error');
    await problem.waitFor();
    expect(await problem.textContent()).toContain(
      'Depending on “Filter todos by status” would close a cycle: “Mark a todo as done” → “Filter todos by status” → “Mark a todo as done”.',
    );
    expect(await panel.getByLabel('Add a dependency').getAttribute('aria-describedby')).toBe(
      await problem.getAttribute('id'),
    );
    // Nothing changed.
    expect(await panel.getByTestId('feature-dependencies').textContent()).toContain('Nothing');

    await expectNoSeriousA11yViolationsInBothThemes(page, 'the feature panel with a cycle refused');
    await shoot('dependency-cycle', () => problem.waitFor());
    expect(pageErrors).toEqual([]);
  });
});
