// The queue view with the console's own sign-in (a session cookie from the real dev IdP, as the
// browser holds it): an admin's session reads the board, and a change needs the CSRF token that
// bull-board's UI sends back from the XSRF-TOKEN cookie (axios's default), else 403.
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { redisOptions } from '@autocoder/server-queue';
import { freePort, HttpBrowser, ServiceProcess, waitForHttp } from '@autocoder/server-test-support';
import { QueueName } from '@autocoder/shared-contracts';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { startTestApi, TestApi } from '../../testing/test-api';

const CLIENT_SECRET = 'queue-board-int-spec-client-secret';
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

describe('queue view with a console session (dev IdP)', () => {
  let db: TestDatabase;
  let idp: ServiceProcess | undefined;
  let api: (TestApi & { prefix: string }) | undefined;
  let issuer = '';
  let queue: Queue;

  beforeAll(async () => {
    db = await createTestDatabase();
    const [idpPort, apiPort] = [await freePort(), await freePort()];
    issuer = `http://127.0.0.1:${idpPort}`;
    idp = ServiceProcess.start('dev-idp', {
      DEV_IDP_PORT: String(idpPort),
      DEV_IDP_CLIENT_SECRET: CLIENT_SECRET,
      DEV_IDP_REDIRECT_URIS: `http://127.0.0.1:${apiPort}/api/v1/auth/callback`,
      DEV_IDP_POST_LOGOUT_REDIRECT_URIS: `http://127.0.0.1:${apiPort}/`,
    });
    await waitForHttp(`${issuer}/health`);
    api = await startTestApi(
      {
        AUTH_MODE: 'oidc',
        PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
        OIDC_ISSUER_URL: issuer,
        OIDC_CLIENT_SECRET: CLIENT_SECRET,
        SESSION_SECRET: randomBytes(32).toString('base64url'),
      },
      { db, prefix: `qb-${randomBytes(4).toString('hex')}` },
      undefined,
      apiPort,
    );
    queue = new Queue(QueueName.Chat, {
      connection: redisOptions(REDIS_URL, 'producer'),
      prefix: api.prefix,
    });
  }, 90_000);

  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await queue?.close();
    await api?.close();
    await idp?.stop();
    await db?.drop();
  }, 30_000);

  const signIn = async (username: string) => {
    if (!api) throw new Error('no api');
    const browser = new HttpBrowser();
    await browser.navigate(
      `${api.base}/api/v1/auth/login?returnTo=${encodeURIComponent('/api/v1/auth/me')}`,
    );
    const me = await browser.submit(`${browser.url}/login`, { username, password: username });
    expect(me.status).toBe(200);
    return browser;
  };

  it('lets an admin session read, and change only with the CSRF token', async () => {
    if (!api) throw new Error('no api');
    const browser = await signIn('admin');
    const board = `${api.base}/api/v1/admin/queues`;
    expect((await browser.fetch(board)).status).toBe(200);
    expect((await browser.fetch(`${board}/api/queues`)).status).toBe(200);

    const pause = `${board}/api/queues/${QueueName.Chat}/pause`;
    const without = await browser.fetch(pause, { method: 'PUT' });
    expect(without.status).toBe(403);
    expect(await without.json()).toMatchObject({ message: expect.stringMatching(/CSRF/) });
    expect(await queue.isPaused()).toBe(false);

    const xsrf = browser.cookie(api.base, 'XSRF-TOKEN')?.value ?? '';
    const ok = await browser.fetch(pause, {
      method: 'PUT',
      headers: { 'x-xsrf-token': xsrf, origin: api.base, 'sec-fetch-site': 'same-origin' },
    });
    expect(ok.status).toBeLessThan(300);
    expect(await queue.isPaused()).toBe(true);
    const [row] = await api.prisma.auditEvent.findMany({
      where: { action: 'queue.paused', targetId: QueueName.Chat },
    });
    expect(row).toMatchObject({ actorType: 'user', role: 'admin', actorLabel: expect.any(String) });
  });

  it("refuses a viewer's session (403)", async () => {
    if (!api) throw new Error('no api');
    const browser = await signIn('viewer');
    expect((await browser.fetch(`${api.base}/api/v1/admin/queues`)).status).toBe(403);
  });
});
