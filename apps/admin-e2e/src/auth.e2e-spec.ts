// Sign-in in a real browser: the built console and api with AUTH_MODE=oidc and the built dev
// IdP, each its own process. An admin signs in through the IdP's form, creates a project, creates
// an API token (secret shown once), uses and revokes it, finds the project's creation in the audit
// trail and signs out (at the IdP too); a viewer finds the create, start, token and audit controls
// absent and the api refusing them.
import { createTestDatabase, type TestDatabase } from '@autocoder/server-db/testing';
import { freePort, ServiceProcess, waitForHttp } from '@autocoder/server-test-support';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type ConsoleApi, startConsoleApi } from './support/api-process';
import { expectNoSeriousA11yViolationsInBothThemes } from './support/accessibility';
import { launchChromium } from './support/browser';
import { assertBuilt, SCREENSHOT_DIR } from './support/paths';

describe('console sign-in (browser, dev IdP)', () => {
  let db: TestDatabase | undefined;
  let idp: ServiceProcess | undefined;
  let api: ConsoleApi | undefined;
  let browser: Browser | undefined;
  let issuer = '';
  const projectName = `Signed-in project ${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    assertBuilt();
    db = await createTestDatabase();
    const [idpPort, apiPort] = [await freePort(), await freePort()];
    issuer = `http://127.0.0.1:${idpPort}`;
    const secret = randomBytes(24).toString('base64url');
    const base = `http://127.0.0.1:${apiPort}`;
    idp = ServiceProcess.start('dev-idp', {
      DEV_IDP_PORT: String(idpPort),
      DEV_IDP_CLIENT_SECRET: secret,
      DEV_IDP_REDIRECT_URIS: `${base}/api/v1/auth/callback`,
      DEV_IDP_POST_LOGOUT_REDIRECT_URIS: `${base}/`,
    });
    await waitForHttp(`${issuer}/health`);
    api = await startConsoleApi({
      databaseUrl: db.url,
      port: apiPort,
      env: {
        AUTH_MODE: 'oidc',
        PUBLIC_URL: base,
        OIDC_ISSUER_URL: issuer,
        OIDC_CLIENT_SECRET: secret,
        SESSION_SECRET: randomBytes(32).toString('base64url'),
      },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await idp?.stop();
    await db?.drop();
  });

  /** What Chromium reported as blocked by the content-security policy. */
  const cspViolations: string[] = [];

  /** A fresh browser profile: no cookies from another user. */
  const newPage = async (): Promise<{ context: BrowserContext; page: Page }> => {
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    return { context, page };
  };

  afterAll(() => {
    // The console runs under the api's strict policy (styles by nonce, no inline script).
    expect(cspViolations).toEqual([]);
  });

  const signIn = async (page: Page, username: string) => {
    if (!api) throw new Error('no api');
    await page.goto(`${api.baseUrl}/projects`);
    await page.getByTestId('sign-in').waitFor();
    await expectNoSeriousA11yViolationsInBothThemes(page, 'the sign-in panel');
    await page.getByTestId('sign-in').click();
    await page.waitForURL(`${issuer}/interaction/**`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(username);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${api.baseUrl}/projects`);
    await page.getByTestId('signed-in').waitFor();
  };

  it('signs the admin in, creates a project and signs out at the IdP too', async () => {
    if (!api) throw new Error('no api');
    const { context, page } = await newPage();
    await signIn(page, 'admin');
    expect(await page.getByTestId('user-name').textContent()).toContain('admin@autocoder.local');
    expect(await page.getByTestId('user-role').textContent()).toContain('admin');
    const sid = (await context.cookies()).find((c) => c.name === 'autocoder.sid');
    expect(sid).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    await page.getByTestId('new-project').click();
    await page.locator('#project-name').fill(projectName);
    await page.locator('#project-spec').fill('A tiny app, created by the admin in a browser.');
    await page.getByTestId('create-project-submit').click();
    await page.getByTestId('project-name').filter({ hasText: projectName }).waitFor();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'signed-in-admin.png') });
    await expectNoSeriousA11yViolationsInBothThemes(page, "an admin's project board");

    // A personal API token: shown once, then revoked.
    await page.getByTestId('nav-tokens').click();
    await page.getByTestId('token-name').fill('browser test');
    await page.getByTestId('token-create').click();
    const secret = (await page.getByTestId('token-created-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^acp_[A-Za-z0-9_-]{43}$/);
    const viaToken = await page.request.get(`${api.baseUrl}/api/v1/projects`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(viaToken.status()).toBe(200);
    expect(await page.getByTestId('token-secret-box').textContent()).toContain(
      'will not be shown again',
    );
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'api-token-created.png') });
    await expectNoSeriousA11yViolationsInBothThemes(page, 'the API tokens page with a new secret');
    // Shown once: away and back, the page only knows the token by its prefix.
    await page.getByRole('link', { name: 'Projects', exact: true }).click();
    await page.getByTestId('project-row').first().waitFor();
    await page.getByTestId('nav-tokens').click();
    await page.getByTestId('token-row').filter({ hasText: 'browser test' }).waitFor();
    expect(await page.getByTestId('token-created-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('token-revoke').click();
    await page.getByTestId('token-row').filter({ hasText: 'revoked' }).waitFor();
    await expectNoSeriousA11yViolationsInBothThemes(page, 'the API tokens page');
    const afterRevoke = await page.request.get(`${api.baseUrl}/api/v1/projects`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(afterRevoke.status()).toBe(401);

    // The audit trail has the project's creation, by this admin.
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-filter-action').fill('project.create');
    await page.getByTestId('audit-filter-project').selectOption({ label: projectName });
    await page.getByRole('button', { name: 'Filter' }).click();
    const created = page.getByTestId('audit-row').filter({ hasText: 'project.create' });
    await created.first().waitFor();
    expect(await created.first().textContent()).toContain('admin@autocoder.local');
    expect(await created.first().textContent()).toContain(projectName);
    await created.first().getByRole('button', { name: 'Details' }).click();
    expect(await page.getByTestId('audit-detail').textContent()).toContain(projectName);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'audit-trail.png'), fullPage: true });
    await expectNoSeriousA11yViolationsInBothThemes(page, 'the audit trail with a detail open');
    // The download links carry the filter, and the session cookie is enough to follow them.
    const csvHref = (await page.getByTestId('audit-export-csv').getAttribute('href')) ?? '';
    expect(csvHref).toContain('action=project.create');
    expect(csvHref).toContain('projectId=');
    expect(csvHref).toContain('format=csv');
    const csv = await page.request.get(`${api.baseUrl}${csvHref}`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain('project.create');
    const jsonlHref = (await page.getByTestId('audit-export-jsonl').getAttribute('href')) ?? '';
    expect(jsonlHref).toContain('action=project.create');
    expect(jsonlHref).toContain('format=jsonl');

    await page.getByTestId('sign-out').click();
    // The IdP asks to confirm ending its own session, then sends the browser back.
    await page.waitForURL(`${issuer}/session/end**`);
    await page.getByRole('button', { name: /sign me out/i }).click();
    await page.waitForURL(`${api.baseUrl}/**`);
    await page.getByTestId('sign-in-panel').waitFor();
    const me = await page.request.get(`${api.baseUrl}/api/v1/auth/me`);
    expect(me.status()).toBe(401);
    await context.close();
  });

  it('shows a viewer no create or start controls, and the api refuses them', async () => {
    if (!api) throw new Error('no api');
    const { context, page } = await newPage();
    await signIn(page, 'viewer');
    expect(await page.getByTestId('user-role').textContent()).toContain('viewer');

    const row = page.getByTestId('project-row').filter({ hasText: projectName });
    await row.waitFor();
    expect(await page.getByTestId('new-project').count()).toBe(0);
    await expectNoSeriousA11yViolationsInBothThemes(page, "a viewer's project list");
    await row.getByRole('link', { name: projectName }).click();
    await page.getByTestId('project-name').filter({ hasText: projectName }).waitFor();
    expect(await page.getByTestId('start-initializer').count()).toBe(0);
    // No audit trail for viewers: no link, and the route sends them back.
    expect(await page.getByTestId('nav-audit').count()).toBe(0);
    await page.goto(`${api.baseUrl}/audit`);
    await page.waitForURL(`${api.baseUrl}/projects`);
    // Their own tokens to look at, but nothing to create or revoke.
    await page.getByTestId('nav-tokens').click();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    expect(await page.getByTestId('token-create').count()).toBe(0);
    expect(await page.getByTestId('token-revoke').count()).toBe(0);
    await expectNoSeriousA11yViolationsInBothThemes(page, "a viewer's API tokens page");
    await page.getByRole('link', { name: 'Projects', exact: true }).click();
    await page.getByRole('link', { name: projectName }).click();
    await page.getByTestId('project-name').filter({ hasText: projectName }).waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'signed-in-viewer.png') });

    // The same session, straight at the api: both changes are refused for the role.
    const xsrf = (await context.cookies()).find((c) => c.name === 'XSRF-TOKEN')?.value ?? '';
    const projectId = page.url().split('/projects/')[1] ?? '';
    const create = await page.request.post(`${api.baseUrl}/api/v1/projects`, {
      headers: { 'x-xsrf-token': xsrf },
      data: { name: 'by a viewer', spec: 'no' },
    });
    expect(create.status()).toBe(403);
    const start = await page.request.post(`${api.baseUrl}/api/v1/projects/${projectId}/runs`, {
      headers: { 'x-xsrf-token': xsrf },
      data: { role: 'initializer' },
    });
    expect(start.status()).toBe(403);
    expect(await start.json()).toMatchObject({ message: expect.stringMatching(/admin role/) });
    await context.close();
  });
});
