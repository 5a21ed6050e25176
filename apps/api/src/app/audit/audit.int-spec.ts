// The admin's view of the audit trail: filter, page, export as CSV and JSON lines; viewers refused.
import type { AuditEventView, Page } from '@autocoder/shared-contracts';
import { AuditService } from '@autocoder/server-audit';
import { randomBytes, randomUUID } from 'node:crypto';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

describe('audit trail API', () => {
  let api: TestApi;
  let base: string;
  let admin: string;
  let viewer: string;
  let projectId: string;

  beforeAll(async () => {
    api = await startTestApi(OIDC_WITHOUT_IDP);
    base = api.base;
    ({ admin, viewer } = await tokensFor(api));
    const created = await call(admin, '/api/v1/projects', {
      method: 'POST',
      body: JSON.stringify({ name: `audited-${randomBytes(3).toString('hex')}`, spec: 'x' }),
    });
    projectId = ((await created.json()) as { id: string }).id;
    await call(admin, `/api/v1/projects/${projectId}`, {
      method: 'PATCH',
      body: JSON.stringify({ concurrency: 5 }),
    });
    await call(admin, `/api/v1/projects/${projectId}`, {
      method: 'PATCH',
      body: JSON.stringify({ concurrency: 99 }),
    });
  });

  afterAll(() => api?.close());

  const call = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });

  it('lists changes newest first with who, what, before and after', async () => {
    const res = await call(admin, `/api/v1/audit-events?projectId=${projectId}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page<AuditEventView>;
    expect(page.items.map((e) => e.action)).toEqual([
      'project.update',
      'project.update',
      'project.create',
    ]);
    const [refused, update, create] = page.items;
    expect(create).toMatchObject({ actorType: 'token', role: 'admin', targetId: projectId });
    expect(update).toMatchObject({
      before: expect.objectContaining({ concurrency: 3 }),
      after: expect.objectContaining({ concurrency: 5 }),
    });
    // A refused change is recorded with its reason, and changes nothing.
    expect(refused?.after).toMatchObject({ refused: true, status: 400 });
  });

  it('filters by action prefix and actor, and pages', async () => {
    const byPrefix = (await (
      await call(admin, '/api/v1/audit-events?action=project.&limit=1&offset=1')
    ).json()) as Page<AuditEventView>;
    expect(byPrefix).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(byPrefix.items).toHaveLength(1);
    const nobody = (await (
      await call(admin, '/api/v1/audit-events?actor=vic@example.test')
    ).json()) as Page<AuditEventView>;
    expect(nobody.total).toBe(0);
  });

  it('exports CSV and JSON lines', async () => {
    const csv = await call(admin, `/api/v1/audit-events/export?format=csv&projectId=${projectId}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(
      /attachment; filename="autocoder-audit-.*\.csv"/,
    );
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe(
      'id,at,actorType,actorId,actorLabel,role,ip,requestId,traceId,action,targetType,targetId,projectId,before,after',
    );
    expect(lines).toHaveLength(4);
    const jsonl = await call(admin, `/api/v1/audit-events/export?projectId=${projectId}`);
    const events = (await jsonl.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEventView);
    expect(events.map((e) => e.action)).toEqual([
      'project.update',
      'project.update',
      'project.create',
    ]);
  });

  it('refuses viewers and bad filters', async () => {
    expect((await call(viewer, '/api/v1/audit-events')).status).toBe(403);
    expect((await call(viewer, '/api/v1/audit-events/export')).status).toBe(403);
    const bad = await call(admin, '/api/v1/audit-events?from=yesterday&format=xml');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ statusCode: 400 });
  });

  it('neutralises cells a spreadsheet would run as formulas in the CSV export', async () => {
    // Text callers choose (labels, addresses, targets) starting with = + - @ tab or CR.
    const project = randomUUID();
    await api.app.get(AuditService).record({
      actorType: 'user',
      actorLabel: '=HYPERLINK("http://evil.example","click")',
      ip: '+1+1',
      requestId: '-2+3',
      action: 'project.update',
      targetType: '@SUM(A1)',
      targetId: '\tcmd',
      projectId: project,
      after: { note: '\rnew line' },
    });
    const res = await call(admin, `/api/v1/audit-events/export?format=csv&projectId=${project}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const row = text.trim().split('\n')[1] ?? '';
    expect(row).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(row).toContain(",'+1+1,'-2+3,");
    expect(row).toContain(",'@SUM(A1),");
    expect(row).toContain(`'\tcmd`);
    // No cell starts with a formula character any more.
    expect(row.split(',').some((cell) => /^"?[=+\-@\t\r]/.test(cell))).toBe(false);
    // JSON lines keep the values as they are.
    const jsonl = await call(admin, `/api/v1/audit-events/export?projectId=${project}`);
    expect(JSON.parse((await jsonl.text()).trim()) as AuditEventView).toMatchObject({
      actorLabel: '=HYPERLINK("http://evil.example","click")',
      ip: '+1+1',
    });
  });
});
