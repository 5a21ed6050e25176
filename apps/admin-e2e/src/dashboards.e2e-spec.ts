// The dashboards in a real browser against the real api: the fleet page over real BullMQ queues
// (jobs waiting, a named worker connected) and the seeded demo's stats page with a week of
// sessions and spend (seed-dashboard-history). Needs `npx nx run-many -t build -p api admin`.
import { createTestDatabase, type TestDatabase } from '@autocoder/server-db/testing';
import { QueueName } from '@autocoder/shared-contracts';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expectNoSeriousA11yViolationsInBothThemes } from './support/accessibility';
import { type ConsoleApi, startConsoleApi } from './support/api-process';
import { launchChromium } from './support/browser';
import { assertBuilt, SCREENSHOT_DIR } from './support/paths';
import { type DashboardHistory, seedDashboardHistory } from './support/seed-dashboard-history';
import { type SeededProject, seedDemoProject } from './support/seed-demo-project';

const SHOTS = join(SCREENSHOT_DIR, '..', 'screenshots', 'dashboards');
const CHARTS = [
  'chart-passing',
  'chart-daily-cost',
  'chart-feature-cost',
  'chart-feature-time',
  'chart-category',
];

jest.setTimeout(120_000);

describe('dashboards (browser)', () => {
  let db: TestDatabase | undefined;
  let api: ConsoleApi | undefined;
  let browser: Browser | undefined;
  let redis: Redis | undefined;
  let worker: Worker | undefined;
  let sessions: Queue | undefined;
  let seeded: SeededProject;
  let history: DashboardHistory;
  let page: Page;
  const pageErrors: string[] = [];
  const prefix = `e2e-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    assertBuilt();
    db = await createTestDatabase();
    seeded = await seedDemoProject(db.url);
    history = await seedDashboardHistory(db.url, seeded);
    const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
    api = await startConsoleApi({ databaseUrl: db.url, env: { QUEUE_PREFIX: prefix } });
    redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    // Two sessions wait on the agent-session queue; the runner's control worker is connected.
    sessions = new Queue(QueueName.AgentSession, { connection: redis, prefix });
    await sessions.add('coding-session', { runId: 'a' });
    await sessions.add('coding-session', { runId: 'b' });
    worker = new Worker(QueueName.Control, async () => undefined, {
      connection: redis,
      prefix,
      name: history.runnerId,
    });
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });

  beforeEach(async () => {
    if (!browser) throw new Error('no browser');
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterEach(async () => {
    await page?.close();
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await sessions?.obliterate({ force: true });
    await sessions?.close();
    await redis?.quit();
    await api?.stop();
    await db?.drop();
  });

  /** Every page at 1440 and 390 px, light and dark: screenshots, no sideways scroll. */
  async function shootAllSizes(name: string, ready: () => Promise<void>): Promise<void> {
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 1000 });
      // Charts redraw for their new width (ngx-echarts follows a ResizeObserver, throttled).
      await page.waitForFunction(() =>
        [...document.querySelectorAll('[echarts]')].every(
          (chart) => (chart.querySelector('svg')?.clientWidth ?? 0) <= chart.clientWidth + 1,
        ),
      );
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await ready();
        await page.screenshot({
          path: join(SHOTS, `${name}-${width}-${scheme}.png`),
          fullPage: true,
        });
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect({ name, width, scheme, overflow }).toEqual({ name, width, scheme, overflow: 0 });
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1440, height: 1000 });
  }

  it('shows the fleet: queues, runners with their sessions, and spend', async () => {
    if (!api) throw new Error('no api');
    await page.goto(`${api.baseUrl}/projects`);
    await page.getByTestId('nav-fleet').click();
    await page.waitForURL('**/fleet');

    const agentQueue = page.getByTestId(`queue-${QueueName.AgentSession}`);
    await agentQueue.getByTestId('queue-waiting').filter({ hasText: '2' }).waitFor();
    expect(await page.getByTestId('fleet-queues').locator('tbody tr').count()).toBe(
      Object.values(QueueName).length,
    );
    await page
      .getByTestId(`queue-${QueueName.Control}`)
      .getByTestId('queue-workers')
      .filter({ hasText: '1' })
      .waitFor();

    const runner = page.getByTestId(`runner-${history.runnerId}`);
    await runner.filter({ hasText: 'connected' }).waitFor();
    expect(await runner.textContent()).toContain(seeded.name);
    expect(await runner.textContent()).toContain('Add a todo item');

    const today = `$${history.todayUsd.toFixed(2)}`;
    expect(await page.getByTestId('tile-spend-today').getByTestId('stat-value').textContent()).toBe(
      today,
    );
    expect(
      await page.getByTestId('tile-spend-month').getByTestId('stat-value').textContent(),
    ).toMatch(/^\$\d+\.\d\d$/);
    // Sessions per hour: today's sessions make bars.
    await page.getByTestId('fleet-per-hour').locator('[echarts] svg').first().waitFor();

    await shootAllSizes('fleet', () => agentQueue.waitFor());
    await expectNoSeriousA11yViolationsInBothThemes(page, 'the fleet page');
    expect(pageErrors).toEqual([]);
  });

  it('charts the seeded project: progress, cost, time per feature and categories', async () => {
    if (!api) throw new Error('no api');
    await page.goto(`${api.baseUrl}/projects/${seeded.id}`);
    await page.getByTestId('project-tab-stats').click();
    await page.waitForURL(`**/projects/${seeded.id}/stats`);

    expect(await page.getByTestId('tile-passing').getByTestId('stat-value').textContent()).toBe(
      '2 / 6',
    );
    await page.getByTestId('tile-passing').filter({ hasText: '+2 in 7 days' }).waitFor();
    expect(
      await page.getByTestId('tile-cost-per-feature').getByTestId('stat-value').textContent(),
    ).toMatch(/^\$\d+\.\d\d$/);
    for (const chart of CHARTS) {
      await page.getByTestId(chart).locator('[echarts] svg').first().waitFor();
    }
    expect(await page.getByTestId('feature-cost-table').locator('tbody tr').count()).toBe(3);
    expect(await page.getByTestId('chart-feature-time').textContent()).toContain(
      '2 passing features',
    );

    // The charts follow the theme: an axis label is drawn in the light text colour, then in the
    // dark one once the system scheme turns dark (the page follows the system by default).
    const labelFill = () =>
      page.getByTestId('chart-passing').locator('svg text').first().getAttribute('fill');
    const light = await labelFill();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(
      (before) =>
        document.querySelector('[data-testid="chart-passing"] svg text')?.getAttribute('fill') !==
        before,
      light,
    );
    expect(await labelFill()).not.toBe(light);
    await page.emulateMedia({ colorScheme: 'light' });

    // Another range of history loads in place.
    await page.getByTestId('range-7').click();
    await page.getByTestId('range-7').and(page.locator('[aria-pressed="true"]')).waitFor();
    await page.locator('[data-testid="chart-daily-cost"][data-days="7"]').waitFor();
    expect(await page.getByTestId('chart-daily-cost').textContent()).toContain('7 days:');

    await shootAllSizes('stats', () =>
      page.getByTestId('chart-category').locator('[echarts] svg').first().waitFor(),
    );
    await expectNoSeriousA11yViolationsInBothThemes(page, 'the project stats page');
    expect(pageErrors).toEqual([]);
  });
});
