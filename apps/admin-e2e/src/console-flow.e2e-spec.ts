// The product's main job, done in the console in a real browser: the built api (serving the
// console), a built runner, the dev IdP and llm-fake (the offline demo provider) on a fresh
// database. An admin signs in, creates a project, watches the initializer fill the board, starts
// the agents, sees their sessions and a live log, pauses, resumes, stops and starts them, answers
// an agent's question and sees the agents go on by themselves, opens the diff that made a feature
// pass and sees the cost rise; a viewer then sees all of it and none of the controls.
// Screenshots of each step go to tmp/e2e/flow-*.png (outside the repository).
import { createTestDatabase, type TestDatabase } from '@autocoder/server-db/testing';
import { type LlmFakeServer, startLlmFake } from '@autocoder/server-llm-fake';
import { freePort, REPO_ROOT, ServiceProcess, waitForHttp } from '@autocoder/server-test-support';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expectNoSeriousA11yViolations } from './support/accessibility';
import { type ConsoleApi, startConsoleApi } from './support/api-process';
import { launchChromium } from './support/browser';
import { assertBuilt, SCREENSHOT_DIR } from './support/paths';

/** Generous: the runner works through real git, verification and model turns on a busy machine. */
const STEP_MS = 90_000;
const PROJECT = `Console flow ${randomBytes(3).toString('hex')}`;

describe('the console runs the product (browser, whole flow)', () => {
  let db: TestDatabase | undefined;
  let fake: LlmFakeServer | undefined;
  let idp: ServiceProcess | undefined;
  let runner: ServiceProcess | undefined;
  let api: ConsoleApi | undefined;
  let browser: Browser | undefined;
  let workspaceRoot = '';
  let issuer = '';
  let projectUrl = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertBuilt();
    db = await createTestDatabase();
    fake = await startLlmFake({
      port: 0,
      scenariosDir: join(REPO_ROOT, 'apps/llm-fake/scenarios'),
    });
    workspaceRoot = mkdtempSync(join(tmpdir(), 'autocoder-flow-'));
    const [idpPort, apiPort, runnerPort] = [await freePort(), await freePort(), await freePort()];
    issuer = `http://127.0.0.1:${idpPort}`;
    const base = `http://127.0.0.1:${apiPort}`;
    const clientSecret = randomBytes(24).toString('base64url');
    idp = ServiceProcess.start('dev-idp', {
      DEV_IDP_PORT: String(idpPort),
      DEV_IDP_CLIENT_SECRET: clientSecret,
      DEV_IDP_REDIRECT_URIS: `${base}/api/v1/auth/callback`,
      DEV_IDP_POST_LOGOUT_REDIRECT_URIS: `${base}/`,
    });
    await waitForHttp(`${issuer}/health`);
    // api and runner share the database, Redis prefix and workspace (the api reads diffs there).
    const shared = {
      QUEUE_PREFIX: `flow-${randomBytes(4).toString('hex')}`,
      WORKSPACE_ROOT: workspaceRoot,
      GIT_SERVER_URL: `${workspaceRoot}/.remotes`,
      LLM_PROVIDER: 'demo',
      LLM_FAKE_URL: fake.url,
      CONTROL_TICK_MS: '1000',
    };
    api = await startConsoleApi({
      databaseUrl: db.url,
      port: apiPort,
      env: {
        ...shared,
        AUTH_MODE: 'oidc',
        PUBLIC_URL: base,
        OIDC_ISSUER_URL: issuer,
        OIDC_CLIENT_SECRET: clientSecret,
        SESSION_SECRET: randomBytes(32).toString('base64url'),
      },
    });
    runner = ServiceProcess.start('runner', {
      ...shared,
      DATABASE_URL: db.url,
      REDIS_URL: process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      RUNNER_HEALTH_PORT: String(runnerPort),
      RUNNER_ID: 'flow-runner',
      LOG_LEVEL: 'warn',
    });
    await waitForHttp(`http://127.0.0.1:${runnerPort}/health`);
    browser = await launchChromium();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await runner?.stop();
    await api?.stop();
    await idp?.stop();
    await fake?.close();
    await db?.drop();
    if (workspaceRoot) rmSync(workspaceRoot, { recursive: true, force: true });
  }, 60_000);

  const newPage = async (): Promise<{ context: BrowserContext; page: Page }> => {
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return { context, page };
  };

  const signIn = async (page: Page, username: string) => {
    if (!api) throw new Error('no api');
    await page.goto(`${api.baseUrl}/projects`);
    await page.getByTestId('sign-in').click();
    await page.waitForURL(`${issuer}/interaction/**`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(username);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${api.baseUrl}/projects`);
    await page.getByTestId('signed-in').waitFor();
  };

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SCREENSHOT_DIR, `flow-${name}.png`), fullPage: true });

  const card = (page: Page, status: string, name: string): Locator =>
    page
      .getByTestId(`board-column-${status}`)
      .getByTestId('feature-card')
      .filter({ hasText: name });

  const badge = (page: Page) => page.getByTestId('activity-badge');

  /** Dollars in a text such as "$0.0123". */
  const dollars = async (locator: Locator): Promise<number> =>
    Number(((await locator.textContent()) ?? '').replace(/[^0-9.]/g, ''));

  it('lets an admin run, watch and steer the agents, and a viewer watch them', async () => {
    const { context, page } = await newPage();
    await signIn(page, 'admin');

    // Create a project; the initializer starts at once and fills the board.
    await page.getByTestId('new-project').click();
    await page.locator('#project-name').fill(PROJECT);
    await page.locator('#project-spec').fill('[scenario:console] A tiny todo page.');
    await page.getByTestId('create-project-submit').click();
    await page.getByTestId('project-name').filter({ hasText: PROJECT }).waitFor();
    projectUrl = page.url();
    for (const name of ['Page scaffold', 'Todo store', 'Choose the storage', 'Add a todo']) {
      await card(page, 'pending', name).waitFor();
    }
    // No verification command: the header says "passing" is then the agent's word.
    await page.getByTestId('no-verify-warning').waitFor();
    await badge(page).filter({ hasText: /ready/i }).waitFor();
    const costAfterInit = await dollars(page.getByTestId('spent-total'));
    await shot(page, '1-board-filled');
    await expectNoSeriousA11yViolations(page, 'the filled board');

    // Start one coding agent, then pause, resume, stop and start again from the header.
    await page.getByTestId('concurrency-input').fill('1');
    await page.getByTestId('start-agents').click();
    await page.getByTestId('pause-agents').waitFor();
    await page.getByTestId('live-sessions').getByTestId('session').first().waitFor();
    await shot(page, '2-running');
    await page.getByTestId('pause-agents').click();
    await badge(page)
      .filter({ hasText: /paused/i })
      .waitFor();
    await page.getByTestId('resume-agents').click();
    await page.getByTestId('pause-agents').waitFor();
    await page.getByTestId('stop-agents').click();
    await page.getByTestId('confirm-stop').click();
    await page.getByTestId('start-agents').waitFor();
    await shot(page, '3-stopped');
    await page.getByTestId('start-agents').click();
    await page.getByTestId('stop-agents').waitFor();

    // A session's live log, opened from the runs list while or after it works.
    // Through the row's own link: a click on the row's centre can land on a feature's link in it
    // (which opens the feature), depending on how wide the columns are at that moment.
    await page
      .getByTestId('run-row')
      .filter({ hasText: 'coding' })
      .first()
      .getByTestId('run-link')
      .click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const panel = page.getByTestId('side-panel');
    await panel.getByTestId('log-row').first().waitFor();
    expect(await panel.getByTestId('log-row').count()).toBeGreaterThan(1);
    await shot(page, '4-live-log');
    await panel.getByTestId('side-panel-close').click();

    // The agent's question: the project waits, the header counts it, an admin answers it.
    await badge(page)
      .filter({ hasText: /waiting/i })
      .waitFor();
    const question = card(page, 'needs_input', 'Choose the storage');
    await question.waitFor();
    expect(await question.textContent()).toContain('Where should todos be stored?');
    await page.getByTestId('needs-you-count').filter({ hasText: '1' }).waitFor();
    await shot(page, '5-question');
    await page.getByTestId('needs-you').click();
    await page.getByTestId('needs-you-item').filter({ hasText: 'Choose the storage' }).click();
    await page.waitForURL(/\/features\/[0-9a-f-]{36}$/);
    await panel.getByTestId('human-input-form').waitFor();
    await expectNoSeriousA11yViolations(page, 'the question in the feature panel');
    await panel.getByLabel('Storage').selectOption('sqlite');
    await panel.getByTestId('human-input-submit').click();
    await panel.getByTestId('side-panel-close').click();

    // Nobody presses start: the agents pick the answered feature up and finish the backlog.
    for (const name of ['Page scaffold', 'Todo store', 'Choose the storage', 'Add a todo']) {
      await card(page, 'passing', name).waitFor();
    }
    await badge(page).filter({ hasText: /done/i }).waitFor();
    expect(await dollars(page.getByTestId('spent-total'))).toBeGreaterThan(costAfterInit);
    await page.getByTestId('feature-spend-row').first().waitFor();
    await shot(page, '6-done');

    // The diff of the merge that made a feature pass.
    await card(page, 'passing', 'Page scaffold').click();
    await page.waitForURL(/\/features\/[0-9a-f-]{36}$/);
    await panel.getByTestId('diff').filter({ hasText: 'features/' }).waitFor();
    expect(await panel.getByTestId('feature-runs').textContent()).toContain('coding');
    await shot(page, '7-diff');
    await context.close();

    // A viewer sees the same project, its cost and its runs, and no control at all.
    const viewer = await newPage();
    await signIn(viewer.page, 'viewer');
    await viewer.page.goto(projectUrl);
    await card(viewer.page, 'passing', 'Choose the storage').waitFor();
    await badge(viewer.page).filter({ hasText: /done/i }).waitFor();
    await viewer.page.getByTestId('spent-total').waitFor();
    await viewer.page.getByTestId('run-row').first().waitFor();
    for (const control of ['start-agents', 'pause-agents', 'stop-agents', 'start-initializer']) {
      expect(await viewer.page.getByTestId(control).count()).toBe(0);
    }
    await card(viewer.page, 'passing', 'Choose the storage').click();
    await viewer.page.getByTestId('side-panel').getByTestId('feature-runs').waitFor();
    for (const control of ['feature-skip', 'feature-retry', 'feature-edit', 'human-input-form']) {
      expect(await viewer.page.getByTestId(control).count()).toBe(0);
    }
    await shot(viewer.page, '8-viewer');
    await viewer.context.close();
    expect(pageErrors).toEqual([]);
  }, 600_000);
});
