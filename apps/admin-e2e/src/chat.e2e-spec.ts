// Chats in a real browser: the built api (serving the console) and a built runner that only
// answers chats (ACTIVE_QUEUES=chat), with llm-fake as the offline Claude and Gemini, on the
// seeded demo project. Claude streams a Markdown reply after a tool call; a Gemini chat says it
// runs without tools, and a Gemini expander falls back to Claude and proposes features that one
// click adds; a reply is stopped half-way; search finds a message and opens it; both exports
// download. Screenshots: tmp/screenshots/chat/ (1440 and 390 px, light and dark).
import { createTestDatabase, type TestDatabase } from '@autocoder/server-db/testing';
import { type LlmFakeServer, startLlmFake } from '@autocoder/server-llm-fake';
import { freePort, REPO_ROOT, ServiceProcess, waitForHttp } from '@autocoder/server-test-support';
import type { GraphView } from '@autocoder/shared-contracts';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expectNoSeriousA11yViolationsInBothThemes } from './support/accessibility';
import { type ConsoleApi, startConsoleApi } from './support/api-process';
import { launchChromium } from './support/browser';
import { assertBuilt } from './support/paths';
import { type SeededProject, seedDemoProject } from './support/seed-demo-project';

const SHOTS = join(REPO_ROOT, 'tmp', 'screenshots', 'chat');
const STEP_MS = 30_000;

describe('chats in the console (browser)', () => {
  let db: TestDatabase | undefined;
  let fake: LlmFakeServer | undefined;
  let runner: ServiceProcess | undefined;
  let api: ConsoleApi | undefined;
  let browser: Browser | undefined;
  let seeded: SeededProject;
  let page: Page;
  let workspaceRoot = '';
  const pageErrors: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    assertBuilt();
    db = await createTestDatabase();
    seeded = await seedDemoProject(db.url);
    fake = await startLlmFake({
      port: 0,
      scenariosDir: join(REPO_ROOT, 'apps/llm-fake/scenarios'),
    });
    workspaceRoot = mkdtempSync(join(tmpdir(), 'autocoder-chat-'));
    const shared = {
      QUEUE_PREFIX: `chat-e2e-${randomBytes(4).toString('hex')}`,
      WORKSPACE_ROOT: workspaceRoot,
      GIT_SERVER_URL: `${workspaceRoot}/.remotes`,
      LLM_PROVIDER: 'demo',
      LLM_FAKE_URL: fake.url,
    };
    api = await startConsoleApi({ databaseUrl: db.url, env: shared });
    const runnerPort = await freePort();
    runner = ServiceProcess.start('runner', {
      ...shared,
      DATABASE_URL: db.url,
      REDIS_URL: process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      RUNNER_HEALTH_PORT: String(runnerPort),
      RUNNER_ID: 'chat-runner',
      ACTIVE_QUEUES: 'chat',
      LOG_LEVEL: 'warn',
    });
    await waitForHttp(`http://127.0.0.1:${runnerPort}/health`);
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  }, 180_000);

  beforeEach(async () => {
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({
      viewport: { width: 1440, height: 1000 },
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // A hostile reply must never run script: an alert would show up here.
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  afterEach(async () => {
    await page?.context().close();
  });

  afterAll(async () => {
    await browser?.close();
    await runner?.stop();
    await api?.stop();
    await fake?.close();
    await db?.drop();
    if (workspaceRoot) rmSync(workspaceRoot, { recursive: true, force: true });
  }, 60_000);

  const chatUrl = () => `${api?.baseUrl}/projects/${seeded.id}/chat`;

  /** Starts a conversation from the page's form and waits for it to open. */
  const start = async (
    kind: 'assistant' | 'spec' | 'expand',
    provider: 'anthropic' | 'gemini',
    title: string,
  ) => {
    await page.getByTestId('new-conversation-open').click();
    await page.getByTestId(`chat-kind-${kind}`).check();
    await page.getByTestId('chat-provider').selectOption(provider);
    await page.getByLabel('Title').fill(title);
    await page.getByTestId('new-conversation-submit').click();
    await page.getByTestId('conversation-title').filter({ hasText: title }).waitFor();
    await page.waitForURL(/\/chat\/[0-9a-f-]{36}$/);
  };

  const send = async (text: string) => {
    await page.getByTestId('chat-input').fill(text);
    await page.getByTestId('chat-input').press('Enter');
  };

  const reply = () => page.locator('[data-testid="chat-message"][data-role="assistant"]');

  it('streams a Claude reply after a tool call, rendered as safe Markdown, and stops another half-way', async () => {
    await page.goto(chatUrl());
    await page.getByTestId('chat-start').waitFor();
    await start('assistant', 'anthropic', 'Where we stand');
    await send('[scenario:chat-console] Where do we stand?');

    // The tool call shows inline, collapsed to one line, and opens to its input and output.
    const call = page.getByTestId('tool-call').filter({ hasText: 'feature_stats' });
    await call.getByTestId('tool-call-state').filter({ hasText: 'done' }).waitFor();
    // The answer arrives token by token before it is stored.
    const streaming = page.getByTestId('chat-streaming');
    await streaming.waitFor();
    const early = (await streaming.textContent()) ?? '';
    const answer = reply().filter({ hasText: 'Where the backlog stands' });
    await answer.getByTestId('reply-badge').waitFor();
    expect(await streaming.count()).toBe(0);
    expect(early.length).toBeLessThan(((await answer.textContent()) ?? '').length);
    expect(await answer.getByTestId('reply-badge').textContent()).toContain('claude-sonnet-5-5');

    expect(await answer.locator('h2').textContent()).toBe('Where the backlog stands');
    expect(await answer.locator('pre code').textContent()).toContain('npm test -- --runInBand');
    const docs = answer.getByRole('link', { name: 'the docs' });
    expect(await docs.getAttribute('rel')).toContain('noopener');
    expect(await answer.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await answer.locator('img, script').count()).toBe(0);
    expect(await answer.textContent()).toContain('<img src=x onerror=alert(1)>');
    expect(await answer.textContent()).toMatch(/holds \*?\*?6 features/);

    await call.locator('summary').click();
    expect(await call.getByTestId('tool-call-output').textContent()).toContain('"total": 6');
    await page.screenshot({ path: join(SHOTS, 'claude-1440-light.png') });
    await expectNoSeriousA11yViolationsInBothThemes(page, 'a Claude conversation');

    // Stop: a slow reply stops half-way and keeps what had streamed; retry is offered.
    await start('assistant', 'anthropic', 'Too long');
    await send('[scenario:chat-slow] Tell me everything.');
    await page.getByTestId('chat-streaming').waitFor();
    await page.getByTestId('chat-stop').click();
    await reply().getByTestId('reply-stopped').waitFor();
    await page.getByTestId('chat-retry').waitFor();
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('says a Gemini chat runs without tools, and notes a fallback to Claude on the reply', async () => {
    await page.goto(chatUrl());
    await start('assistant', 'gemini', 'Gemini chat');
    await page.getByTestId('gemini-no-tools').waitFor();
    await send('[scenario:chat-gemini] Is anything passing?');
    const answer = reply().filter({ hasText: 'From the snapshot I was given' });
    await answer.waitFor();
    expect(await answer.getByTestId('reply-badge').textContent()).toContain('Gemini');
    expect(await answer.getByTestId('reply-fallback').count()).toBe(0);

    // The expander needs tools: Claude answers for Gemini, says so, and proposes features.
    await start('expand', 'gemini', 'More search');
    expect(await page.getByTestId('gemini-no-tools').textContent()).toContain(
      'Claude writes the replies',
    );
    await send('[scenario:chat-expand] Add search to the app.');
    const proposal = page.getByTestId('proposal');
    await proposal.waitFor();
    const notes = page.getByTestId('reply-fallback');
    expect(await notes.first().textContent()).toContain(
      'Gemini (gemini-2.5-flash) cannot use tools',
    );
    expect(await proposal.getByTestId('proposal-feature').count()).toBe(2);
    expect(await proposal.getByTestId('proposal-deps').textContent()).toContain('1. Search todos');
    await page.screenshot({ path: join(SHOTS, 'expand-1440-light.png'), fullPage: true });
    await proposal.getByTestId('proposal-add').click();
    await proposal.getByTestId('proposal-added').waitFor();
    // They are in the backlog now, the second depending on the first.
    const res = await fetch(`${api?.baseUrl}/api/v1/projects/${seeded.id}/graph`);
    const graph = (await res.json()) as GraphView;
    const idOf = (name: string) => graph.nodes.find((n) => n.name === name)?.id;
    const [search, filter] = [idOf('Search todos'), idOf('Filter search results by state')];
    expect(search && filter).toBeTruthy();
    expect(
      graph.edges.some(
        (e) => (e.from === filter && e.to === search) || (e.from === search && e.to === filter),
      ),
    ).toBe(true);
    await expectNoSeriousA11yViolationsInBothThemes(
      page,
      'an expander conversation with its proposal',
    );
    expect(pageErrors).toEqual([]);
  });

  it('finds a message by search, opens it, and downloads the conversation', async () => {
    await page.goto(chatUrl());
    await page.getByTestId('chat-search').fill('verification command');
    await page.getByTestId('chat-search').press('Enter');
    const hit = page.getByTestId('chat-search-hit').first();
    await hit.waitFor();
    expect(await hit.locator('mark').first().textContent()).toMatch(/verification/i);
    await page.screenshot({ path: join(SHOTS, 'search-1440-light.png') });
    await hit.click();
    await page.waitForURL(/\/chat\/[0-9a-f-]{36}\?message=/);
    await reply().filter({ hasText: 'Where the backlog stands' }).waitFor();

    for (const [format, ext, expected] of [
      ['markdown', '.md', '## Where the backlog stands'],
      ['json', '.json', '"role":"assistant"'],
    ] as const) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId(`export-${format}`).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(
        new RegExp(`^where-we-stand-[0-9a-f]{8}\\${ext}$`),
      );
      const path = await download.path();
      expect(readFileSync(path, 'utf8')).toContain(expected);
    }

    // The conversation page at a phone's width and in both themes.
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 1000 });
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.screenshot({ path: join(SHOTS, `conversation-${width}-${scheme}.png`) });
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect({ width, scheme, overflow }).toEqual({ width, scheme, overflow: 0 });
      }
    }
    await page.goto(chatUrl());
    await page.getByTestId('conversation-item').first().waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(SHOTS, `list-390-${scheme}.png`), fullPage: true });
    }
    await expectNoSeriousA11yViolationsInBothThemes(page, 'the chat list on a phone');
    expect(pageErrors).toEqual([]);
  });
});
