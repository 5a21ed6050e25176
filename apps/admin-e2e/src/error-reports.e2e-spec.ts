// The console's error reports in a real browser: the built api (SENTRY_DSN at a loopback receiver
// of Sentry envelopes) serves the built console; once signed in, the console loads @sentry/angular
// and an error thrown in the page arrives as one event tagged with the release and the role,
// without the token planted in the page's URL or the one in the error's message, and nothing is
// blocked by the content-security policy (the DSN's origin is in connect-src).
import { createTestDatabase, type TestDatabase } from '@autocoder/server-db/testing';
import {
  type SentryReceiver,
  startSentryReceiver,
  waitUntil,
} from '@autocoder/server-test-support';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { type ConsoleApi, startConsoleApi } from './support/api-process';
import { launchChromium } from './support/browser';
import { assertBuilt } from './support/paths';

describe('console error reports (browser, Sentry)', () => {
  let db: TestDatabase | undefined;
  let api: ConsoleApi | undefined;
  let browser: Browser | undefined;
  let receiver: SentryReceiver | undefined;
  const release = `autocoder@e2e-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    assertBuilt();
    receiver = await startSentryReceiver();
    db = await createTestDatabase();
    api = await startConsoleApi({
      databaseUrl: db.url,
      env: { SENTRY_DSN: receiver.dsn, SENTRY_RELEASE: release, SENTRY_ENVIRONMENT: 'e2e' },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await db?.drop();
    await receiver?.close();
  });

  it('reports an error thrown in the console, tagged and scrubbed', async () => {
    if (!browser || !api || !receiver) throw new Error('not started');
    const urlSecret = randomBytes(16).toString('hex');
    const messageSecret = randomBytes(16).toString('hex');
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });

    await page.goto(`${api.baseUrl}/projects?token=${urlSecret}`);
    await page.getByTestId('signed-in').waitFor();
    // An error nobody catches, as a broken component would raise it.
    await page.evaluate((secret) => {
      setTimeout(() => {
        throw new Error(`planted console failure; token=${secret}`);
      }, 0);
    }, messageSecret);

    const consoleEvents = () =>
      receiver?.events.filter((e) => e.tags?.['service'] === 'console') ?? [];
    const [event, ...more] = await waitUntil(
      "the console's error report",
      consoleEvents,
      (events) => events.length > 0,
      { timeoutMs: 30_000 },
    );
    expect(more).toHaveLength(0);
    expect(event?.release).toBe(release);
    expect(event?.environment).toBe('e2e');
    expect(event?.tags).toMatchObject({ service: 'console', role: 'admin' });
    expect(JSON.stringify(event?.exception)).toContain('planted console failure');
    expect(event?.user ?? {}).toEqual({});
    // The page and the message are there for whoever debugs it, their tokens censored.
    expect(event?.request?.['url']).toBe(`${api.baseUrl}/projects?token=[redacted]`);
    expect(event?.exception?.values?.[0]?.value).toBe('planted console failure; token=[redacted]');

    const sent = receiver.raw.join('\n');
    expect(sent).not.toContain(urlSecret);
    expect(sent).not.toContain(messageSecret);
    expect(cspViolations).toEqual([]);
    await context.close();
  }, 120_000);
});
