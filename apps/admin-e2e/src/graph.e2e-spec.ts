// The dependency graph in a real browser against the real api: the seeded demo project, built
// api and console (`npx nx run-many -t build -p api admin` first), Postgres, Redis and Chromium.
import { PrismaService } from '@autocoder/server-db';
import { createTestDatabase, type TestDatabase } from '@autocoder/server-db/testing';
import { REPO_ROOT } from '@autocoder/server-test-support';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type ConsoleApi, startConsoleApi } from './support/api-process';
import { expectNoSeriousA11yViolationsInBothThemes } from './support/accessibility';
import { launchChromium } from './support/browser';
import { assertBuilt } from './support/paths';
import { type SeededProject, seedDemoProject } from './support/seed-demo-project';

const SHOTS = join(REPO_ROOT, 'tmp', 'screenshots', 'graph');

/** The canvas pixel at (x, y) in CSS pixels of the canvas, as [r, g, b, a]. */
function pixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.getByTestId('graph-canvas').evaluate(
    (canvas: HTMLCanvasElement, [px, py]) => {
      const scale = canvas.width / canvas.getBoundingClientRect().width;
      const data = canvas
        .getContext('2d')
        ?.getImageData(Math.round(px * scale), Math.round(py * scale), 1, 1).data;
      return data ? [...data] : [];
    },
    [x, y],
  );
}

/** A console colour variable resolved in the page's current theme, as [r, g, b]. */
function cssColour(page: Page, variable: string): Promise<number[]> {
  return page.evaluate((name) => {
    const probe = document.createElement('span');
    probe.style.color = `var(${name})`;
    document.body.appendChild(probe);
    const rgb = getComputedStyle(probe).color.match(/\d+/g)?.slice(0, 3).map(Number) ?? [];
    probe.remove();
    return rgb;
  }, variable);
}

const zoom = async (page: Page): Promise<number> =>
  Number(await page.getByTestId('graph-canvas').getAttribute('data-zoom'));

/** Waits until the canvas reports a zoom close to `k` (the attribute follows on the next render). */
async function zoomReaches(page: Page, k: number): Promise<void> {
  await page.waitForFunction(
    (want) =>
      Math.abs(
        Number(document.querySelector('[data-testid=graph-canvas]')?.getAttribute('data-zoom')) -
          want,
      ) < 0.005,
    k,
  );
}

describe('dependency graph (browser)', () => {
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
    mkdirSync(SHOTS, { recursive: true });
  });

  beforeEach(async () => {
    if (!browser) throw new Error('no browser');
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(20_000);
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

  const feature = (name: string) => {
    const f = seeded.features.find((x) => x.name === name);
    if (!f) throw new Error(`no seeded feature ${name}`);
    return f;
  };

  /** Finds a feature by name with the search box: it is selected and centred in the graph. */
  async function centre(name: string): Promise<void> {
    await page.getByTestId('graph-search').fill(name.slice(0, 12));
    await page.getByTestId('graph-search-result').filter({ hasText: name }).click();
    await page.waitForSelector(`[data-testid=graph-canvas][data-selected="${feature(name).id}"]`);
  }

  /** The centre of the canvas in page coordinates. */
  async function canvasCentre(): Promise<{ x: number; y: number; w: number; h: number }> {
    const box = await page.getByTestId('graph-canvas').boundingBox();
    if (!box) throw new Error('no canvas');
    return { x: box.x + box.width / 2, y: box.y + box.height / 2, w: box.width, h: box.height };
  }

  it('opens from the tab, colours features by status, marks the blocked one and opens its panel', async () => {
    if (!api) throw new Error('no api');
    await page.goto(`${api.baseUrl}/projects/${seeded.id}`);
    await page.getByTestId('project-tab-graph').click();
    await page.waitForURL(`**/projects/${seeded.id}/graph`);
    // Laid out in the worker and drawn: every feature is on screen after the fit.
    await page.waitForSelector('[data-testid=graph-canvas][data-drawn="6"]');
    expect(await page.getByTestId('graph-laying-out').count()).toBe(0);

    // The legend counts each status and the blocked feature.
    const legend = page.getByTestId('graph-legend');
    expect(await legend.getByTestId('graph-legend-passing').textContent()).toContain('2');
    expect(await legend.getByTestId('graph-legend-failing').textContent()).toContain('1');
    expect(await legend.textContent()).toMatch(/Blocked\s*1/);

    // Each feature's box is filled with its status badge's colour. Centred at zoom ≥ 1 by the
    // search, a point near the box's lower right corner shows the fill (no text there).
    const checks = [
      ['Filter todos by status', '--ac-neutral-bg'],
      ['Mark a todo as done', '--ac-danger-bg'],
      ['Show the landing page', '--ac-success-bg'],
      ['Add a todo item', '--ac-info-bg'],
      ['Choose the colour theme', '--ac-warning-bg'],
    ] as const;
    for (const [name, variable] of checks) {
      await centre(name);
      const k = await zoom(page);
      const c = await canvasCentre();
      const [r, g, b, a] = await pixel(page, c.w / 2 + 80 * k, c.h / 2 + 18 * k);
      const want = await cssColour(page, variable);
      expect({ name, a, rgb: [r, g, b].map((v, i) => Math.abs(v - want[i]) <= 3) }).toEqual({
        name,
        a: 255,
        rgb: [true, true, true],
      });
    }

    // The blocked feature: selected, the bar under the graph says what holds it back.
    await centre('Filter todos by status');
    expect(await page.getByTestId('graph-selection').textContent()).toMatch(
      /blocked: waits on 1 not passing/,
    );
    await page.screenshot({ path: join(SHOTS, 'graph-1440-selected.png') });

    // A click on the centred feature opens the side panel over the graph, at its own address.
    const c = await canvasCentre();
    await page.mouse.click(c.x, c.y);
    await page.waitForURL(
      `**/projects/${seeded.id}/graph/features/${feature('Filter todos by status').id}`,
    );
    const panel = page.getByTestId('side-panel');
    await panel.getByRole('heading', { name: 'Filter todos by status' }).waitFor();
    expect(await page.getByTestId('graph-canvas').isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'graph-1440-panel.png') });
    // A dependency's link stays on the graph.
    await panel
      .getByTestId('feature-dependencies')
      .getByRole('link', { name: 'Mark a todo as done' })
      .click();
    await page.waitForURL(`**/graph/features/${feature('Mark a todo as done').id}`);
    await panel.getByRole('heading', { name: 'Mark a todo as done' }).waitFor();
    await page.keyboard.press('Escape');
    await page.waitForURL(`**/projects/${seeded.id}/graph`);
    expect(await page.getByTestId('side-panel').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('zooms with the buttons, the wheel and the keyboard, and opens a feature with Enter', async () => {
    if (!api) throw new Error('no api');
    await page.goto(`${api.baseUrl}/projects/${seeded.id}/graph`);
    await page.waitForSelector('[data-testid=graph-canvas][data-drawn="6"]');
    const fitted = await zoom(page);

    await page.getByTestId('graph-zoom-in').click();
    await zoomReaches(page, fitted * 1.25);
    await page.getByTestId('graph-zoom-out').click();
    await page.getByTestId('graph-zoom-out').click();
    await zoomReaches(page, fitted / 1.25);

    // The wheel zooms around the pointer (down: out, up: in).
    const c = await canvasCentre();
    await page.mouse.move(c.x, c.y);
    const before = await zoom(page);
    await page.mouse.wheel(0, -300);
    await page.waitForFunction(
      (k) =>
        Number(document.querySelector('[data-testid=graph-canvas]')?.getAttribute('data-zoom')) > k,
      before,
    );
    await page.getByTestId('graph-fit').click();
    await zoomReaches(page, fitted);

    // Keyboard: the canvas is a tab stop; arrows select, + zooms, Enter opens, Esc closes.
    await page.getByTestId('graph-canvas').focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('[data-testid=graph-canvas][data-selected]');
    const selected = await page.getByTestId('graph-canvas').getAttribute('data-selected');
    expect(seeded.features.map((f) => f.id)).toContain(selected);
    await page.keyboard.press('+');
    await zoomReaches(page, fitted * 1.25);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/graph/features/${selected}`);
    await page.getByTestId('side-panel').waitFor();
    await page.keyboard.press('Escape');
    await page.waitForURL(`**/projects/${seeded.id}/graph`);
    expect(pageErrors).toEqual([]);
  });

  it('fits a 390 px phone (tap opens a feature) and reads well in light and dark', async () => {
    if (!api || !browser) throw new Error('no api');
    for (const width of [1440, 390]) {
      const context = await browser.newContext({
        viewport: { width, height: width === 390 ? 844 : 900 },
        hasTouch: width === 390,
        isMobile: width === 390,
      });
      const p = await context.newPage();
      p.on('pageerror', (error) => pageErrors.push(error.message));
      await p.goto(`${api.baseUrl}/projects/${seeded.id}/graph`);
      await p.waitForSelector('[data-testid=graph-canvas][data-drawn="6"]');
      for (const scheme of ['light', 'dark'] as const) {
        await p.emulateMedia({ colorScheme: scheme });
        // The canvas reads the theme's colours on the next frame.
        await p.evaluate(
          () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
        );
        await p.screenshot({ path: join(SHOTS, `graph-${width}-${scheme}.png`), fullPage: true });
        const overflow = await p.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect({ width, overflow }).toEqual({ width, overflow: 0 });
      }
      await expectNoSeriousA11yViolationsInBothThemes(p, `the graph at ${width} px`);
      if (width === 390) {
        // Find a feature, then tap it where the search centred it.
        await p.emulateMedia({ colorScheme: 'light' });
        await p.getByTestId('graph-search').fill('Mark a todo');
        await p.getByTestId('graph-search-result').first().click();
        const box = await p.getByTestId('graph-canvas').boundingBox();
        if (!box) throw new Error('no canvas');
        await p.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
        await p.waitForURL(`**/graph/features/${feature('Mark a todo as done').id}`);
        await p
          .getByTestId('side-panel')
          .getByRole('heading', { name: 'Mark a todo as done' })
          .waitFor();
        await p.screenshot({ path: join(SHOTS, 'graph-390-panel.png') });
      }
      await context.close();
    }
    expect(pageErrors).toEqual([]);
  });

  it('draws a 400-feature graph from tiles: the same colours at 100 %, 64 % and 26 % zoom', async () => {
    if (!api || !db) throw new Error('no api');
    // Graphs of 300 features and more are drawn from cached tiles (tile-cache.ts).
    const prisma = new PrismaService({ databaseUrl: db.url, maxConnections: 2 });
    let projectId: string;
    try {
      const project = await prisma.project.create({
        data: { name: 'Big graph', spec: 'Four hundred features in chains of twenty.' },
      });
      projectId = project.id;
      await prisma.feature.createMany({
        data: Array.from({ length: 400 }, (_, i) => ({
          projectId: project.id,
          priority: i,
          category: `area ${i % 7}`,
          name: `Big ${i}`,
          description: `Feature ${i} of the big graph.`,
          steps: [],
          status: i % 20 === 7 ? ('failing' as const) : ('passing' as const),
        })),
      });
      const rows = await prisma.feature.findMany({
        where: { projectId: project.id },
        select: { id: true, priority: true },
      });
      const id = new Map(rows.map((r) => [r.priority, r.id]));
      await prisma.featureDependency.createMany({
        data: rows
          .filter((r) => r.priority % 20 !== 0)
          .map((r) => ({
            projectId: project.id,
            featureId: r.id,
            dependsOnId: id.get(r.priority - 1) ?? '',
          })),
      });
    } finally {
      await prisma.$disconnect();
    }
    await page.goto(`${api.baseUrl}/projects/${projectId}/graph`);
    await page.waitForSelector('[data-testid=graph-canvas][data-drawn="400"]');
    await page.getByTestId('graph-search').fill('Big 27');
    // Matches come in priority order: Big 27 before Big 270-279.
    await page.getByTestId('graph-search-result').first().click();
    await page.waitForSelector('[data-testid=graph-canvas][data-selected]');
    const failing = await cssColour(page, '--ac-danger-bg');
    const c = await canvasCentre();
    // The keys zoom around the centre, where the search put the feature: a point inside its box
    // shows its status colour once the tiles of that zoom are drawn (a few frames).
    for (const [presses, k] of [
      [0, 1],
      [2, 0.64],
      [4, 0.262],
    ] as const) {
      await page.getByTestId('graph-canvas').focus();
      for (let i = 0; i < presses; i++) await page.keyboard.press('-');
      await zoomReaches(page, k);
      await page.waitForFunction(
        ([x, y, want]) => {
          const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=graph-canvas]');
          if (!canvas) return false;
          const scale = canvas.width / canvas.getBoundingClientRect().width;
          const d = canvas
            .getContext('2d')
            ?.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data;
          return !!d && want.every((v, i) => Math.abs(v - d[i]) <= 3);
        },
        [c.w / 2 + 80 * k, c.h / 2 + 18 * k, failing] as const,
      );
      await page.screenshot({ path: join(SHOTS, `graph-400-tiles-${Math.round(k * 100)}.png`) });
    }
    expect(pageErrors).toEqual([]);
  });
});
