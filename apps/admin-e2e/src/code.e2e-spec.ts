// The Code tab in a real browser against the built api: a seeded project whose repository is
// built by the real workspace code exactly as coding sessions build it (a worktree per run,
// commit, merge into main with the sessions' merge message, the workspace.merged event). A run's
// diff opens from the run panel, unified and side by side; the repository browser shows main's
// tree and a file; the history lists the merges with their features and their diffs, under the
// merge queue (requests seeded as the merge worker leaves them: a merging batch, a waiting
// request, merged, conflict and failed outcomes).
// Screenshots go to tmp/screenshots/code/ (outside the repository).
import { createTestDatabase, type TestDatabase } from '@autocoder/server-db/testing';
import { PrismaService } from '@autocoder/server-db';
import { mergeMessage } from '@autocoder/server-code';
import { REPO_ROOT } from '@autocoder/server-test-support';
import { directoryRemotes, ProjectRepository } from '@autocoder/server-workspace';
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { promises as fs, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expectNoSeriousA11yViolationsInBothThemes } from './support/accessibility';
import { type ConsoleApi, startConsoleApi } from './support/api-process';
import { launchChromium } from './support/browser';
import { assertBuilt } from './support/paths';
import { type SeededProject, seedDemoProject } from './support/seed-demo-project';

const SHOTS = join(REPO_ROOT, 'tmp', 'screenshots', 'code');

const FILES: Record<string, Record<string, string>> = {
  'Show the landing page': {
    'README.md': '# Todos\n\nA small todo app.\n',
    'src/index.html': '<!doctype html>\n<h1>Todos</h1>\n<p class="empty">No todos yet.</p>\n',
    'src/app.js': [
      "import { render } from './render.js';",
      '',
      '// The list starts empty.',
      'export const todos = [];',
      '',
      'export function start(root) {',
      "  render(root, todos, 'No todos yet.');",
      '}',
      '',
    ].join('\n'),
  },
  'Create an account': {
    'src/app.js': [
      "import { render } from './render.js';",
      "import { signUp } from './account.js';",
      '',
      '// The list starts empty.',
      'export const todos = [];',
      '',
      'export function start(root) {',
      "  render(root, todos, 'No todos yet.');",
      "  root.querySelector('form.signup')?.addEventListener('submit', signUp);",
      '}',
      '',
    ].join('\n'),
    'src/account.js': [
      'export async function signUp(event) {',
      '  event.preventDefault();',
      '  const data = new FormData(event.target);',
      "  await fetch('/api/accounts', { method: 'POST', body: data });",
      '}',
      '',
    ].join('\n'),
  },
};

interface Merged {
  runId: string;
  featureId: string;
  name: string;
  commit: string;
}

/** Coding runs of the seeded passing features, merged into main through the workspace code. */
async function buildRepository(
  databaseUrl: string,
  workspaceRoot: string,
  seeded: SeededProject,
): Promise<Merged[]> {
  const prisma = new PrismaService({ databaseUrl, maxConnections: 2 });
  const repos = new ProjectRepository({
    root: join(workspaceRoot, 'runner'),
    remotes: directoryRemotes(join(workspaceRoot, 'remotes')),
  });
  const merged: Merged[] = [];
  try {
    await repos.ensure(seeded.id);
    for (const [name, files] of Object.entries(FILES)) {
      const feature = seeded.features.find((f) => f.name === name);
      if (!feature) throw new Error(`no seeded feature ${name}`);
      const queuedAt = new Date(Date.now() - 60_000);
      const run = await prisma.run.create({
        data: {
          projectId: seeded.id,
          role: 'coding',
          status: 'succeeded',
          provider: 'demo',
          model: 'demo-coder',
          queuedAt,
          startedAt: queuedAt,
          finishedAt: new Date(),
          features: { create: { featureId: feature.id } },
          events: { create: [{ type: 'run.started', message: 'Coding session started' }] },
        },
      });
      const worktree = await repos.createWorktree(seeded.id, run.id);
      for (const [file, content] of Object.entries(files)) {
        await fs.mkdir(dirname(join(worktree.path, file)), { recursive: true });
        await fs.writeFile(join(worktree.path, file), content);
      }
      await repos.commitAll(worktree, `ui: ${name}\n\nFeature ${feature.id}, run ${run.id}.`);
      const result = await repos.mergeToMain(seeded.id, worktree, {
        message: mergeMessage({ id: feature.id, name }, run),
      });
      if (result.status !== 'merged') throw new Error(`merge of ${name}: ${result.status}`);
      await prisma.runEvent.create({
        data: {
          runId: run.id,
          type: 'workspace.merged',
          message: `main at ${result.commit.slice(0, 12)}`,
          data: { commit: result.commit, previousMain: result.previousMain },
        },
      });
      await repos.discardWorktree(seeded.id, run.id);
      merged.push({ runId: run.id, featureId: feature.id, name, commit: result.commit });
    }
    return merged;
  } finally {
    await prisma.$disconnect();
  }
}

describe('the Code tab (browser)', () => {
  let db: TestDatabase | undefined;
  let api: ConsoleApi | undefined;
  let browser: Browser | undefined;
  let seeded: SeededProject;
  let merged: Merged[];
  let workspaceRoot = '';
  let page: Page;
  // The api's QUEUE_PREFIX: live events for the console go out on its Redis channels.
  const prefix = `e2e-code-${randomBytes(4).toString('hex')}`;
  const pageErrors: string[] = [];

  const overflow = () =>
    page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );

  beforeAll(async () => {
    assertBuilt();
    db = await createTestDatabase();
    seeded = await seedDemoProject(db.url);
    workspaceRoot = mkdtempSync(join(tmpdir(), 'autocoder-code-'));
    merged = await buildRepository(db.url, workspaceRoot, seeded);
    api = await startConsoleApi({
      databaseUrl: db.url,
      env: {
        WORKSPACE_ROOT: join(workspaceRoot, 'api'),
        GIT_SERVER_URL: join(workspaceRoot, 'remotes'),
        QUEUE_PREFIX: prefix,
      },
    });
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
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
    if (workspaceRoot) rmSync(workspaceRoot, { recursive: true, force: true });
  });

  it("opens a run's diff from the run panel, unified and side by side", async () => {
    if (!api) throw new Error('no api');
    const account = merged[1];
    await page.goto(`${api.baseUrl}/projects/${seeded.id}/runs/${account.runId}`);
    await page.getByTestId('run-diff-link').click();
    await page.waitForURL(`**/projects/${seeded.id}/code/runs/${account.runId}`);

    const files = page.getByTestId('diff-file');
    await files.filter({ hasText: 'src/account.js' }).waitFor();
    expect(await files.count()).toBe(2);
    expect(await page.getByTestId('diff-summary').textContent()).toMatch(
      /2 files changed\s*\+7 −0/,
    );
    // Syntax colours from highlight.js, inside diff2html's lines.
    await page.locator('[data-testid="diff-file"] .hljs-keyword').first().waitFor();
    expect(await page.locator('.d2h-file-side-diff').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'run-diff-unified-1440-light.png'), fullPage: true });

    await page.getByTestId('diff-side-by-side').click();
    await page.locator('.d2h-file-side-diff').first().waitFor();
    expect(await page.locator('.d2h-file-side-diff').count()).toBe(4);
    await page.screenshot({ path: join(SHOTS, 'run-diff-split-1440-light.png'), fullPage: true });

    // The file list jumps to a file; a file folds away.
    await page.getByTestId('diff-file-link').filter({ hasText: 'src/app.js' }).click();
    const appToggle = files.filter({ hasText: 'src/app.js' }).getByTestId('diff-file-toggle');
    expect(await appToggle.evaluate((el) => el === document.activeElement)).toBe(true);
    // Folding re-renders the file: wait for the new state instead of reading it at once.
    await appToggle.click();
    await files
      .filter({ hasText: 'src/app.js' })
      .locator('[data-testid=diff-file-toggle][aria-expanded=false]')
      .waitFor();
    await appToggle.click();
    await files
      .filter({ hasText: 'src/app.js' })
      .locator('[data-testid=diff-file-toggle][aria-expanded=true]')
      .waitFor();

    await page.getByTestId('diff-line-by-line').click();
    await page.locator('.d2h-file-diff').first().waitFor();
    await expectNoSeriousA11yViolationsInBothThemes(page, "a run's diff");
    expect(pageErrors).toEqual([]);
  });

  it("browses main's tree and opens a file", async () => {
    if (!api) throw new Error('no api');
    await page.goto(`${api.baseUrl}/projects/${seeded.id}`);
    await page.getByTestId('project-tab-code').click();
    await page.waitForURL(`**/projects/${seeded.id}/code`);

    const tree = page.getByTestId('file-tree');
    await tree.getByTestId('tree-dir').filter({ hasText: 'src' }).waitFor();
    expect(await tree.getByTestId('tree-file').allTextContents()).toEqual(['README.md']);
    const listing = page.getByTestId('dir-listing');
    await listing.getByRole('link', { name: 'src/' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'code-root-1440-light.png'), fullPage: true });

    // Opening src lists it beside the tree, lazily.
    await tree.getByTestId('tree-dir').filter({ hasText: 'src' }).click();
    await tree.locator('[data-path="src/app.js"]').waitFor();
    expect(await tree.getByTestId('tree-file').allTextContents()).toEqual([
      'account.js',
      'app.js',
      'index.html',
      'README.md',
    ]);
    await tree.locator('[data-path="src/app.js"]').click();
    await page.waitForURL(/code\?file=src%2Fapp\.js$/);
    const content = page.getByTestId('file-content');
    await content.filter({ hasText: "addEventListener('submit', signUp)" }).waitFor();
    await content.locator('.hljs-keyword').first().waitFor();
    expect(await page.getByTestId('file-meta').textContent()).toContain('10 lines');
    expect(
      (await page.getByTestId('code-breadcrumbs').innerText()).replace(/\s*\/\s*/g, ' / ').trim(),
    ).toBe(`${seeded.name} / src / app.js`);
    await page.screenshot({ path: join(SHOTS, 'code-file-1440-light.png'), fullPage: true });

    // The breadcrumb leads back to the directory.
    await page.getByTestId('code-breadcrumbs').getByRole('link', { name: 'src' }).click();
    await page.getByTestId('dir-listing').getByRole('link', { name: 'account.js' }).waitFor();
    await expectNoSeriousA11yViolationsInBothThemes(page, 'the repository browser');

    // The archive is one click away.
    const download = page.waitForEvent('download');
    await page.getByTestId('archive-download').click();
    expect((await download).suggestedFilename()).toBe(`project-${seeded.id}.tar.gz`);
    expect(pageErrors).toEqual([]);
  });

  it('lists the merges with the features they name, and shows a merge diff', async () => {
    if (!api) throw new Error('no api');
    await page.goto(`${api.baseUrl}/projects/${seeded.id}/code`);
    await page.getByTestId('code-history-tab').click();
    await page.waitForURL(`**/projects/${seeded.id}/code/history`);
    const merges = page.getByTestId('merge');
    await merges.first().waitFor();
    expect(await merges.getByTestId('merge-feature').allTextContents()).toEqual([
      'Create an account',
      'Show the landing page',
    ]);
    const landing = merges.filter({ hasText: 'Show the landing page' });
    await landing.getByTestId('merge-diff-toggle').click();
    await landing.getByTestId('diff-file').filter({ hasText: 'src/index.html' }).waitFor();
    expect(await landing.getByTestId('diff-file').count()).toBe(3);
    await page.screenshot({ path: join(SHOTS, 'history-1440-light.png'), fullPage: true });
    await expectNoSeriousA11yViolationsInBothThemes(page, 'the merge history');

    // The feature opens in its panel over the board.
    await landing.getByTestId('merge-feature').click();
    await page.waitForURL(`**/projects/${seeded.id}/features/${merged[0].featureId}`);
    expect(pageErrors).toEqual([]);
  });

  it('fits a 390 px phone and reads well in light and dark', async () => {
    if (!api) throw new Error('no api');
    const views = [
      { path: `/projects/${seeded.id}/code`, ready: 'dir-listing', name: 'code-root' },
      {
        path: `/projects/${seeded.id}/code?file=src%2Fapp.js`,
        ready: 'file-content',
        name: 'code-file',
      },
      { path: `/projects/${seeded.id}/code/history`, ready: 'merge', name: 'history' },
      {
        path: `/projects/${seeded.id}/code/runs/${merged[1].runId}`,
        ready: 'diff-file',
        name: 'run-diff',
      },
    ];
    for (const width of [390, 1440]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      for (const { path, ready, name } of views) {
        await page.goto(`${api.baseUrl}${path}`);
        await page.getByTestId(ready).first().waitFor();
        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          await page.screenshot({
            path: join(SHOTS, `${name}-${width}-${scheme}.png`),
            fullPage: true,
          });
          expect({ path, width, overflow: await overflow() }).toEqual({ path, width, overflow: 0 });
        }
        if (width === 390)
          await expectNoSeriousA11yViolationsInBothThemes(page, `${path} at 390 px`);
      }
    }
    expect(pageErrors).toEqual([]);
  });

  /** Merge requests as the merge worker leaves them, for the features of the seeded project. */
  async function seedMergeQueue(): Promise<void> {
    if (!db) throw new Error('no database');
    const prisma = new PrismaService({ databaseUrl: db.url, maxConnections: 2 });
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    const feature = (name: string) => {
      const f = seeded.features.find((x) => x.name === name);
      if (!f) throw new Error(`no seeded feature ${name}`);
      return f;
    };
    const batchId = randomUUID();
    try {
      const request = async (
        name: string,
        data: {
          status: 'queued' | 'merging' | 'merged' | 'conflict' | 'failed';
          createdAt: Date;
          runId?: string;
          batchId?: string | null;
          position?: number | null;
          startedAt?: Date | null;
          finishedAt?: Date | null;
          mergeCommit?: string | null;
          detail?: string | null;
          attempts?: number;
        },
      ) => {
        const { id: featureId } = feature(name);
        const runId =
          data.runId ??
          (
            await prisma.run.create({
              data: {
                projectId: seeded.id,
                role: 'coding',
                status:
                  data.status === 'queued' || data.status === 'merging' ? 'running' : 'failed',
                features: { create: { featureId } },
              },
            })
          ).id;
        await prisma.mergeRequest.create({
          data: {
            projectId: seeded.id,
            featureId,
            runId,
            owner: `${runId}:1`,
            branch: `autocoder/session/${runId}`,
            commit: randomUUID().replace(/-/g, '').padEnd(40, '0'),
            status: data.status,
            createdAt: data.createdAt,
            batchId: data.batchId ?? null,
            position: data.position ?? null,
            startedAt: data.startedAt ?? null,
            finishedAt: data.finishedAt ?? null,
            mergeCommit: data.mergeCommit ?? null,
            detail: data.detail ?? null,
            attempts: data.attempts ?? 0,
          },
        });
      };
      for (const [i, m] of merged.entries()) {
        await request(m.name, {
          status: 'merged',
          runId: m.runId,
          createdAt: minutesAgo(50 - i * 10),
          batchId: randomUUID(),
          position: 1,
          startedAt: minutesAgo(48 - i * 10),
          finishedAt: minutesAgo(45 - i * 10),
          mergeCommit: m.commit,
        });
      }
      await request('Filter todos by status', {
        status: 'conflict',
        createdAt: minutesAgo(30),
        batchId: randomUUID(),
        position: 2,
        startedAt: minutesAgo(28),
        finishedAt: minutesAgo(27),
        detail: 'src/app.js\nsrc/render.js',
      });
      await request('Mark a todo as done', {
        status: 'failed',
        createdAt: minutesAgo(25),
        batchId: randomUUID(),
        position: 1,
        startedAt: minutesAgo(24),
        finishedAt: minutesAgo(20),
        attempts: 1,
        detail: [
          '> todos@1.0.0 test',
          '> node --test',
          '',
          '✔ renders the empty list (2.1ms)',
          '✖ marks a todo as done (4.7ms)',
          "  AssertionError: expected 'done' class on the item",
          '      at TestContext.<anonymous> (test/done.test.js:14:10)',
          'ℹ tests 2',
          'ℹ pass 1',
          'ℹ fail 1',
        ].join('\n'),
      });
      await request('Add a todo item', {
        status: 'merging',
        createdAt: minutesAgo(6),
        batchId,
        position: 1,
        startedAt: minutesAgo(2),
      });
      await request('Choose the colour theme', {
        status: 'merging',
        createdAt: minutesAgo(4),
        batchId,
        position: 2,
        startedAt: minutesAgo(2),
      });
      await request('Mark a todo as done', { status: 'queued', createdAt: minutesAgo(1) });
    } finally {
      await prisma.$disconnect();
    }
  }

  it('shows the merge queue above the history: a batch, a waiting request and outcomes', async () => {
    if (!api) throw new Error('no api');
    await page.goto(`${api.baseUrl}/projects/${seeded.id}/code/history`);
    await page.getByTestId('merge-queue-empty').waitFor();
    const loadedAt = Date.now();
    await seedMergeQueue();
    // A merge worker announces its batch over Redis (as MergeQueueService does); the panel
    // reloads on it, well before its idle poll (MERGE_QUEUE_IDLE_POLL_MS, 15 s) would. The SSE
    // connection may not be up yet: announce until the batch shows.
    const batches = page.getByTestId('merge-batch');
    const redis = new Redis(process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    try {
      for (;;) {
        await redis.publish(
          `${prefix}:live:project:${seeded.id}`,
          JSON.stringify({
            projectId: seeded.id,
            type: 'merge_queue.batch',
            level: 'info',
            message: 'batch of 2 merging',
            data: { batchId: randomUUID(), requestIds: [] },
            at: new Date().toISOString(),
          }),
        );
        const shown = await batches
          .first()
          .waitFor({ timeout: 1000 })
          .then(
            () => true,
            () => false,
          );
        if (shown) break;
        // Past this, the idle poll might be what reloaded.
        if (Date.now() - loadedAt > 12_000) throw new Error('the live event did not reload');
      }
    } finally {
      redis.disconnect();
    }
    expect(await page.getByTestId('merge-queue-empty').count()).toBe(0);
    expect(
      await batches.evaluateAll((els) => els.map((e) => e.getAttribute('data-state'))),
    ).toEqual(['merging', 'queued']);
    expect(await batches.nth(0).getByTestId('merge-request-feature').allTextContents()).toEqual([
      'Add a todo item',
      'Choose the colour theme',
    ]);
    expect(await batches.nth(1).getByTestId('merge-request-feature').allTextContents()).toEqual([
      'Mark a todo as done',
    ]);
    const outcomes = page.getByTestId('merge-outcome');
    expect(
      await outcomes.evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))),
    ).toEqual(['failed', 'conflict', 'merged', 'merged']);
    expect(await page.getByTestId('merge-outcome-sha').allTextContents()).toEqual([
      merged[1].commit.slice(0, 7),
      merged[0].commit.slice(0, 7),
    ]);
    expect(await page.getByTestId('merge-outcome-conflict').innerText()).toContain('src/render.js');
    // The verification output opens from the keyboard.
    const output = page.getByTestId('merge-outcome-output');
    await output.locator('summary').focus();
    await page.keyboard.press('Enter');
    await output.locator('pre').filter({ hasText: 'AssertionError' }).waitFor();
    // The queue sits above the merges, which still list.
    const queueTop = await page.getByTestId('merge-queue-card').boundingBox();
    const historyTop = await page.getByTestId('merge-history').boundingBox();
    expect((queueTop?.y ?? 0) < (historyTop?.y ?? 0)).toBe(true);

    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 1000 });
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.screenshot({
          path: join(SHOTS, `merge-queue-${width}-${scheme}.png`),
          fullPage: true,
        });
        expect({ width, overflow: await overflow() }).toEqual({ width, overflow: 0 });
      }
      await expectNoSeriousA11yViolationsInBothThemes(page, `the merge queue at ${width} px`);
    }

    // A merged request's sha opens the run's changes.
    await page.getByTestId('merge-outcome-sha').first().click();
    await page.waitForURL(`**/projects/${seeded.id}/code/runs/${merged[1].runId}`);
    await page.getByTestId('diff-file').first().waitFor();
    expect(pageErrors).toEqual([]);
  });
});
