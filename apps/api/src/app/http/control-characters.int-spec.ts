// NUL and other control characters in bodies, path parameters and queries: refused with a 400
// naming where they are, before anything reaches Postgres (which cannot store NUL) or the audit
// trail. Tab, newline and carriage return stay allowed in text bodies. Real api, Postgres, Redis.
import { randomBytes } from 'node:crypto';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

describe('control characters in requests', () => {
  let api: TestApi;
  let admin: string;
  let projectId: string;
  let conversationId: string;

  beforeAll(async () => {
    api = await startTestApi({ ...OIDC_WITHOUT_IDP });
    admin = (await tokensFor(api)).admin;
    const project = await call('POST', '/api/v1/projects', {
      name: `nul-${randomBytes(3).toString('hex')}`,
      spec: 'A todo app.',
    });
    expect(project.status).toBe(201);
    projectId = ((await project.json()) as { id: string }).id;
    const conversation = await call('POST', `/api/v1/projects/${projectId}/conversations`, {
      kind: 'assistant',
    });
    expect(conversation.status).toBe(201);
    conversationId = ((await conversation.json()) as { id: string }).id;
  }, 60_000);

  afterAll(async () => {
    await api?.close();
  });

  function call(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${api.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  const auditCount = () => api.prisma.auditEvent.count();

  it.each([
    ['POST', '/api/v1/projects', { name: 'nul', spec: 'a\u0000b' }, 'body.spec'],
    [
      'POST',
      '/api/v1/projects',
      { name: 'nul', spec: 'x', verifyCommand: 'npm\u0000 test' },
      'body.verifyCommand',
    ],
    [
      'POST',
      '/api/v1/projects/{p}/features',
      { category: 'c', name: 'n\u0000', description: 'd' },
      'body.name',
    ],
    [
      'POST',
      '/api/v1/projects/{p}/features',
      { category: 'c', name: 'n', description: 'd\u0000' },
      'body.description',
    ],
    [
      'POST',
      '/api/v1/projects/{p}/features',
      { category: 'c', name: 'n', description: 'd', steps: ['ok', 's\u0000'] },
      'body.steps.1',
    ],
    [
      'POST',
      '/api/v1/projects/{p}/conversations',
      { kind: 'assistant', title: 't\u0000' },
      'body.title',
    ],
    ['POST', '/api/v1/api-tokens', { name: 'tok\u0000en' }, 'body.name'],
    [
      'POST',
      '/api/v1/projects/{p}/conversations/{c}/messages',
      { content: 'hi\u0000' },
      'body.content',
    ],
    ['PATCH', '/api/v1/projects/{p}', { spec: '\u0000' }, 'body.spec'],
  ])('%s %s with NUL in a field answers 400 naming it', async (method, path, body, where) => {
    const before = await auditCount();
    const res = await call(
      method,
      path.replace('{p}', projectId).replace('{c}', conversationId),
      body,
    );
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { message: string; issues?: { path: string }[] };
    expect(answer.message).toMatch(/control character|NUL/i);
    expect(answer.issues?.map((i) => i.path)).toContain(where);
    // Nothing reached the database, not even the audit trail.
    expect(await auditCount()).toBe(before);
  });

  it.each([
    ['PATCH', '/api/v1/projects/%00', { spec: 'x' }],
    ['DELETE', '/api/v1/projects/%00', undefined],
    ['DELETE', '/api/v1/projects/{p}/features/abc%00def', undefined],
    ['POST', '/api/v1/projects/{p}/agents/start', {}],
    ['DELETE', '/api/v1/api-tokens/%00', undefined],
    ['POST', '/api/v1/projects/{p}/conversations/%00/messages', { content: 'hi' }],
    ['GET', '/api/v1/projects/%01', undefined],
    // Every row has a body (undefined: none), or jest would take the third parameter for `done`.
  ])('%s %s with a control character in the path answers 400', async (method, path, body) => {
    const url = path.replace('{p}', `${projectId}%00`);
    const res = await call(method, url, body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/control character/i);
  });

  it.each([
    '/api/v1/projects?q=%00',
    '/api/v1/projects/{p}/board?q=a%00b',
    '/api/v1/audit-events?actor=%00',
    '/api/v1/audit-events?action=%1b',
    '/api/v1/projects/{p}/conversations/search?q=%00',
    '/api/v1/projects?%00=1',
  ])('GET %s answers 400', async (path) => {
    const res = await call('GET', path.replace('{p}', projectId));
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { message: string; issues?: { path: string }[] };
    expect(answer.message).toMatch(/control character/i);
    expect(answer.issues?.[0]?.path).toMatch(/^query/);
  });

  it('answers the audit export with NUL in a filter with a 400, not a reset connection', async () => {
    const res = await call('GET', '/api/v1/audit-events/export?format=csv&actor=%00');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issues: { path: string }[] }).issues[0]?.path).toBe(
      'query.actor',
    );
  });

  it('keeps tab, newline and carriage return in multi-line text', async () => {
    const spec = 'Line one\r\n\tindented\nline three';
    const res = await call('PATCH', `/api/v1/projects/${projectId}`, { spec });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { spec: string }).spec).toBe(spec);
    const feature = await call('POST', `/api/v1/projects/${projectId}/features`, {
      category: 'c',
      name: 'multi-line',
      description: 'first\n\tsecond',
      steps: ['one\ntwo'],
    });
    expect(feature.status).toBe(201);
  });

  it('refuses NUL before authentication too, so an anonymous caller gets a 400, never a 500', async () => {
    const res = await fetch(`${api.base}/api/v1/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', spec: '\u0000' }),
    });
    expect(res.status).toBe(400);
    // With the security headers and the request id, like every answer.
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});
