// A project's Settings tab in a real browser against the built api (AUTH_MODE=oidc, people as
// API-token bearers) with llm-fake serving Ollama's model list: an admin changes the coding
// model to a local Ollama one, saves, and sees the provider badge change on the settings page,
// the board and the project list; deletes a throwaway project after typing its name; a viewer
// reads the same page with nothing to change. Screenshots at 1440 and 390 px, light and dark.
// Needs `npx nx run-many -t build -p api admin` first, Postgres, Redis and Chromium.
import { ApiTokensService } from '@autocoder/server-auth';
import { ApiTokenRepository, PrismaService, UserRepository } from '@autocoder/server-db';
import { createTestDatabase, type TestDatabase } from '@autocoder/server-db/testing';
import { type LlmFakeServer, startLlmFake } from '@autocoder/server-llm-fake';
import { REPO_ROOT } from '@autocoder/server-test-support';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectNoSeriousA11yViolationsInBothThemes } from './support/accessibility';
import { type ConsoleApi, startConsoleApi } from './support/api-process';
import { launchChromium } from './support/browser';
import { assertBuilt } from './support/paths';
import {
  SEEDED_PROJECT_NAME,
  type SeededProject,
  seedDemoProject,
} from './support/seed-demo-project';

const SHOTS = join(REPO_ROOT, 'tmp', 'screenshots', 'models-settings');

/** An admin and a viewer with an API token each (what the console sends as a bearer). */
async function makeTokens(databaseUrl: string): Promise<{ admin: string; viewer: string }> {
  const prisma = new PrismaService({ databaseUrl, maxConnections: 1 });
  try {
    const tokens = new ApiTokensService(new ApiTokenRepository(prisma), new UserRepository(prisma));
    const make = async (role: 'admin' | 'viewer') => {
      const user = await prisma.user.create({
        data: { issuer: 'urn:e2e', subject: role, role, name: `E2E ${role}` },
      });
      return (await tokens.create(user.id, { name: role, role })).token;
    };
    return { admin: await make('admin'), viewer: await make('viewer') };
  } finally {
    await prisma.$disconnect();
  }
}

describe('project settings and models (browser)', () => {
  let db: TestDatabase | undefined;
  let fake: LlmFakeServer | undefined;
  let api: ConsoleApi | undefined;
  let browser: Browser | undefined;
  let seeded: SeededProject;
  let tokens: { admin: string; viewer: string };
  const pageErrors: string[] = [];

  async function open(
    token: string,
    width = 1440,
  ): Promise<{ context: BrowserContext; page: Page }> {
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({
      viewport: { width, height: 900 },
      extraHTTPHeaders: { authorization: `Bearer ${token}` },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return { context, page };
  }

  const badgeTitle = (page: Page, testId: string) =>
    page.getByTestId(testId).locator('.provider-badge').getAttribute('title');

  beforeAll(async () => {
    assertBuilt();
    mkdirSync(SHOTS, { recursive: true });
    db = await createTestDatabase();
    seeded = await seedDemoProject(db.url);
    tokens = await makeTokens(db.url);
    fake = await startLlmFake({
      port: 0,
      scenariosDir: join(REPO_ROOT, 'apps/llm-fake/scenarios'),
    });
    api = await startConsoleApi({
      databaseUrl: db.url,
      env: {
        AUTH_MODE: 'oidc',
        OIDC_ISSUER_URL: 'http://127.0.0.1:9',
        SESSION_SECRET: randomBytes(32).toString('base64url'),
        LLM_PROVIDER: 'demo',
        LLM_FAKE_URL: fake.url,
        OLLAMA_HOST: fake.url,
      },
    });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await fake?.close();
    await db?.drop();
  });

  it("changes the coding model, saves, and the project's provider badge follows", async () => {
    if (!api) throw new Error('no api');
    const { context, page } = await open(tokens.admin);
    await page.goto(`${api.baseUrl}/projects`);
    // The deployment default in the top bar, and on the row of a project that chose nothing.
    await page.getByTestId('active-provider').waitFor();
    expect(await badgeTitle(page, 'active-provider')).toBe(
      'Deployment default: Demo · claude-sonnet-5-5',
    );
    const row = page.getByTestId('project-row').filter({ hasText: SEEDED_PROJECT_NAME });
    await row.locator('.provider-badge').waitFor();
    expect(await row.locator('.provider-badge').getAttribute('title')).toBe(
      'Coding agents: Demo · claude-sonnet-5-5 (deployment default)',
    );

    await row.getByRole('link', { name: SEEDED_PROJECT_NAME }).click();
    await page.getByTestId('project-tab-settings').click();
    await page.waitForURL(`**/projects/${seeded.id}/settings`);
    const coding = page.getByTestId('coding-provider');
    await coding.waitFor();
    // Gemini is chat-only on this deployment: not offered for coding agents, and says why.
    const gemini = coding.locator('option[value=gemini]');
    expect(await gemini.isDisabled()).toBe(true);
    expect(await gemini.textContent()).toContain('no model here can call tools');
    await page.screenshot({ path: join(SHOTS, 'settings-before.png'), fullPage: true });

    await coding.selectOption('ollama');
    // The Ollama host's models, as llm-fake's /api/tags lists them, priced from the catalogue.
    const model = page.getByTestId('coding-model');
    expect(await model.locator('option').allTextContents()).toEqual([
      expect.stringContaining('Llama3.1 — free (local)'),
      expect.stringContaining('Qwen2.5 Coder — free (local)'),
    ]);
    await model.selectOption('qwen2.5-coder:latest');
    expect(await page.getByTestId('save-status').textContent()).toContain('Unsaved changes');
    await page.getByTestId('save-settings').click();
    await page.getByTestId('save-status').filter({ hasText: 'Saved.' }).waitFor();
    expect(await badgeTitle(page, 'settings-provider')).toBe(
      'Coding agents: Ollama · qwen2.5-coder:latest',
    );

    // The board's header and the project list say the same.
    await page.getByTestId('project-tab-board').click();
    await page.getByTestId('project-provider').waitFor();
    expect(await badgeTitle(page, 'project-provider')).toBe(
      'Coding agents: Ollama · qwen2.5-coder:latest',
    );
    await page.getByRole('banner').getByRole('link', { name: 'Projects', exact: true }).click();
    await row.locator('.provider-badge[data-provider=ollama]').waitFor();

    // Field errors from the form land on their fields; nothing is sent.
    await page.goto(`${api.baseUrl}/projects/${seeded.id}/settings`);
    await page.getByLabel('Coding agents at once').fill('12');
    await page.getByTestId('save-settings').click();
    await page.getByTestId('error-concurrency').waitFor();
    await page.screenshot({ path: join(SHOTS, 'settings-field-error.png') });
    await page.getByTestId('discard').click();

    // Screenshots and layout at both widths and in both themes; axe at 390 px.
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.goto(`${api.baseUrl}/projects/${seeded.id}/settings`);
      await page.getByTestId('coding-provider').waitFor();
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.screenshot({
          path: join(SHOTS, `settings-${width}-${scheme}.png`),
          fullPage: true,
        });
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect({ width, scheme, overflow }).toEqual({ width, scheme, overflow: 0 });
      }
    }
    await expectNoSeriousA11yViolationsInBothThemes(page, 'the settings page at 390 px');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('deletes a project after naming what goes with it and having its name typed', async () => {
    if (!api) throw new Error('no api');
    const { context, page } = await open(tokens.admin);
    const created = await page.request.post(`${api.baseUrl}/api/v1/projects`, {
      data: { name: 'Throwaway', spec: 'Nothing much.' },
    });
    expect(created.status()).toBe(201);
    const { id } = (await created.json()) as { id: string };

    await page.goto(`${api.baseUrl}/projects/${id}/settings`);
    await page.getByTestId('delete-project').click();
    const dialog = page.getByTestId('delete-dialog');
    await dialog.getByTestId('delete-counts').waitFor();
    expect(await dialog.getByTestId('delete-counts').innerText()).toContain('0 features');
    const confirm = dialog.getByTestId('delete-confirm');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByTestId('delete-confirm-name').fill('Throwaway');
    await page.screenshot({ path: join(SHOTS, 'delete-dialog-1440.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'delete-dialog-1440-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await expectNoSeriousA11yViolationsInBothThemes(page, 'the delete confirmation');
    await page.emulateMedia({ colorScheme: 'light' });
    await confirm.click();
    await page.waitForURL('**/projects');
    await page.getByTestId('project-row').filter({ hasText: SEEDED_PROJECT_NAME }).waitFor();
    expect(await page.getByTestId('project-row').filter({ hasText: 'Throwaway' }).count()).toBe(0);
    expect((await page.request.get(`${api.baseUrl}/api/v1/projects/${id}`)).status()).toBe(404);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('shows a viewer the settings read-only, with nothing to save or delete', async () => {
    if (!api) throw new Error('no api');
    for (const width of [1440, 390]) {
      const { context, page } = await open(tokens.viewer, width);
      await page.goto(`${api.baseUrl}/projects/${seeded.id}/settings`);
      await page.getByTestId('read-only-note').waitFor();
      expect(
        await page.getByLabel('Name', { exact: true }).getAttribute('readonly'),
      ).not.toBeNull();
      expect(await page.getByTestId('coding-provider').isDisabled()).toBe(true);
      expect(await page.getByTestId('coding-provider').inputValue()).toBe('ollama');
      expect(await page.getByTestId('save-settings').count()).toBe(0);
      expect(await page.getByTestId('delete-project').count()).toBe(0);
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.screenshot({
          path: join(SHOTS, `settings-viewer-${width}-${scheme}.png`),
          fullPage: true,
        });
      }
      if (width === 390)
        await expectNoSeriousA11yViolationsInBothThemes(page, "a viewer's settings");
      await context.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
