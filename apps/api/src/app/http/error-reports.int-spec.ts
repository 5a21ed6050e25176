// Error reports of the api: the real Sentry SDK (started as instrument.ts starts it) posts to a
// loopback receiver of Sentry envelopes. A server error arrives once, tagged with release, request
// id, role and service, and none of the secrets the request carried (bearer token, cookie, query
// token, body) is anywhere in the bytes sent; 4xx answers send nothing.
import {
  flushErrorReports,
  startErrorReporting,
  stopErrorReporting,
} from '@autocoder/server-observability';
import { SentryReceiver, startSentryReceiver } from '@autocoder/server-test-support';
import { TestDatabase } from '@autocoder/server-db/testing';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

describe('error reports (Sentry)', () => {
  let receiver: SentryReceiver;
  let api: TestApi & { db: TestDatabase };
  let admin: string;
  let viewer: string;
  const release = `autocoder@test-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    receiver = await startSentryReceiver();
    expect(
      startErrorReporting({
        service: 'api',
        env: { SENTRY_DSN: receiver.dsn, SENTRY_RELEASE: release, NODE_ENV: 'test' },
      }),
    ).toBe(true);
    api = await startTestApi({ ...OIDC_WITHOUT_IDP });
    ({ admin, viewer } = await tokensFor(api));
  }, 60_000);

  afterAll(async () => {
    // Reporting off again: later test files in this worker must not report to a closed receiver.
    await stopErrorReporting();
    await api?.close();
    await receiver?.close();
  }, 30_000);

  it('is off without SENTRY_DSN', () => {
    expect(startErrorReporting({ service: 'api', env: {} })).toBe(false);
  });

  it('sends nothing for 4xx answers', async () => {
    const answers = await Promise.all([
      fetch(`${api.base}/api/v1/projects`), // 401
      fetch(`${api.base}/api/v1/projects`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${viewer}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'x', spec: 'y' }),
      }), // 403
      fetch(`${api.base}/api/v1/projects/not-an-id`, {
        headers: { Authorization: `Bearer ${admin}` },
      }), // 400
      fetch(`${api.base}/api/v1/projects/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, {
        headers: { Authorization: `Bearer ${admin}` },
      }), // 404
    ]);
    expect(answers.map((r) => r.status)).toEqual([401, 403, 400, 404]);
    await flushErrorReports(5000);
    expect(receiver.events).toHaveLength(0);
  });

  it('reports a server error once, tagged, without the secrets of the request', async () => {
    // A real fault: the projects table is gone, so creating a project fails inside Prisma.
    const owner = new Client({ connectionString: api.db.adminUrl });
    await owner.connect();
    await owner.query('ALTER TABLE "Project" RENAME TO "Project_gone"');
    const cookieSecret = randomBytes(16).toString('hex');
    const querySecret = randomBytes(16).toString('hex');
    const bodySecret = randomBytes(16).toString('hex');
    const requestId = `err-${randomBytes(6).toString('hex')}`;
    try {
      const res = await fetch(`${api.base}/api/v1/projects?token=${querySecret}`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${admin}`,
          Cookie: `ac_other=${cookieSecret}`,
          'Content-Type': 'application/json',
          'X-Request-Id': requestId,
        },
        body: JSON.stringify({ name: 'boom', spec: `password: ${bodySecret}` }),
      });
      expect(res.status).toBe(500);
      // The answer is the api's usual one, unchanged by reporting.
      expect(await res.json()).toMatchObject({ statusCode: 500, requestId });
    } finally {
      await owner.query('ALTER TABLE "Project_gone" RENAME TO "Project"');
      await owner.end();
    }

    const [event] = await receiver.waitForEvents(1);
    await flushErrorReports(5000);
    expect(receiver.events).toHaveLength(1);
    expect(event?.release).toBe(release);
    expect(event?.environment).toBe('test');
    expect(event?.tags).toMatchObject({
      service: 'api',
      request_id: requestId,
      role: 'admin',
      method: 'POST',
      route: '/api/v1/projects',
    });
    expect(event?.exception?.values?.length).toBeGreaterThan(0);
    expect(JSON.stringify(event?.exception)).toMatch(/Project/);
    expect(event?.user ?? {}).toEqual({});
    // The request is there for whoever debugs it, without its credentials.
    expect(event?.request).toMatchObject({
      method: 'POST',
      url: '/api/v1/projects?token=[redacted]',
      headers: { 'x-request-id': requestId, 'content-type': 'application/json' },
    });
    expect(event?.request).not.toHaveProperty('cookies');
    expect(event?.request).not.toHaveProperty('data');

    const sent = receiver.raw.join('\n');
    for (const secret of [admin, cookieSecret, querySecret, bodySecret]) {
      expect(sent).not.toContain(secret);
    }
    // Not even the token's prefix-free part (the random tail of acp_…).
    expect(sent).not.toContain(admin.slice(8));
  }, 60_000);
});
