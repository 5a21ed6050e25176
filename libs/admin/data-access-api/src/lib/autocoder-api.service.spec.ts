import { HttpErrorResponse, HttpHeaders, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { ApiErrorBody, Page, ProjectView } from '@autocoder/shared-contracts';
import { firstValueFrom } from 'rxjs';
import { issueField, toApiError } from './api-error';
import { AutocoderApi } from './autocoder-api.service';

describe('AutocoderApi', () => {
  let api: AutocoderApi;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    api = TestBed.inject(AutocoderApi);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  it('lists projects with only the query parameters that are set', async () => {
    const page: Page<ProjectView> = { items: [], total: 0, limit: 20, offset: 0 };
    const result = firstValueFrom(api.listProjects({ limit: 20, q: '' }));

    const req = http.expectOne((r) => r.url === '/api/v1/projects');
    expect(req.request.method).toBe('GET');
    expect(req.request.params.get('limit')).toBe('20');
    // An empty search is no search.
    expect(req.request.params.has('q')).toBe(false);
    req.flush(page);

    await expect(result).resolves.toEqual(page);
  });

  it('creates a project with a JSON body', () => {
    api.createProject({ name: 'Demo', spec: 'A todo app', start: true }).subscribe();

    const req = http.expectOne('/api/v1/projects');
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({ name: 'Demo', spec: 'A todo app', start: true });
    req.flush({});
  });

  it('reads the board with filters and escapes the project id', () => {
    api.getBoard('a/b', { status: 'passing', limit: 10 }).subscribe();

    const req = http.expectOne((r) => r.url === '/api/v1/projects/a%2Fb/board');
    expect(req.request.params.get('status')).toBe('passing');
    expect(req.request.params.get('limit')).toBe('10');
    req.flush({ projectId: 'a/b', limit: 10, offset: 0, columns: [] });
  });

  it("reads a project's dependency graph", () => {
    let nodes = -1;
    api.getGraph('a/b').subscribe((g) => (nodes = g.nodes.length));
    http.expectOne('/api/v1/projects/a%2Fb/graph').flush({ nodes: [], edges: [] });
    expect(nodes).toBe(0);
  });

  it('starts an initializer run and reads runs', () => {
    api.startRun('p1').subscribe();
    const start = http.expectOne('/api/v1/projects/p1/runs');
    expect(start.request.method).toBe('POST');
    expect(start.request.body).toEqual({ role: 'initializer' });
    start.flush({}, { status: 202, statusText: 'Accepted' });

    api.listRuns('p1', { limit: 5 }).subscribe();
    http
      .expectOne((r) => r.url === '/api/v1/projects/p1/runs' && r.params.get('limit') === '5')
      .flush({});

    api.getRun('r1').subscribe();
    http.expectOne('/api/v1/runs/r1').flush({});
  });

  it('surfaces the api error body, request id and issues', async () => {
    const body: ApiErrorBody = {
      statusCode: 400,
      error: 'Bad Request',
      message: 'Validation failed',
      requestId: 'req-1',
      issues: [{ path: 'body.name', message: 'Required' }],
    };
    const result = firstValueFrom(api.createProject({ name: '', spec: '' }));
    http.expectOne('/api/v1/projects').flush(body, { status: 400, statusText: 'Bad Request' });

    const error = toApiError(await result.catch((e: unknown) => e));
    expect(error).toEqual({
      statusCode: 400,
      message: 'Validation failed',
      requestId: 'req-1',
      issues: [{ path: 'body.name', message: 'Required' }],
    });
    expect(issueField(error.issues[0])).toBe('name');
  });

  it('lists, creates and revokes API tokens', () => {
    api.listApiTokens().subscribe();
    const list = http.expectOne('/api/v1/api-tokens');
    expect(list.request.method).toBe('GET');
    list.flush([]);

    api.createApiToken({ name: 'ci', role: 'viewer', expiresInDays: 30 }).subscribe();
    const create = http.expectOne('/api/v1/api-tokens');
    expect(create.request.method).toBe('POST');
    expect(create.request.body).toEqual({ name: 'ci', role: 'viewer', expiresInDays: 30 });
    create.flush({}, { status: 201, statusText: 'Created' });

    api.revokeApiToken('t/1').subscribe();
    const revoke = http.expectOne('/api/v1/api-tokens/t%2F1');
    expect(revoke.request.method).toBe('DELETE');
    revoke.flush(null, { status: 204, statusText: 'No Content' });
  });

  it('reads the audit trail with its filters and builds export links', () => {
    api.listAuditEvents({ action: 'feature.', actor: '', limit: 50, offset: 0 }).subscribe();
    const req = http.expectOne((r) => r.url === '/api/v1/audit-events');
    expect(req.request.params.get('action')).toBe('feature.');
    expect(req.request.params.has('actor')).toBe(false);
    expect(req.request.params.get('offset')).toBe('0');
    req.flush({ items: [], total: 0, limit: 50, offset: 0 });

    expect(api.auditExportUrl({})).toBe('/api/v1/audit-events/export');
    expect(
      api.auditExportUrl({
        from: '2026-11-25T10:00:00.000Z',
        action: 'project.create',
        format: 'csv',
      }),
    ).toBe(
      '/api/v1/audit-events/export?from=2026-11-25T10:00:00.000Z&action=project.create&format=csv',
    );
  });
});

describe('toApiError', () => {
  it('explains an unreachable api', () => {
    const err = new HttpErrorResponse({ status: 0, statusText: 'Unknown Error' });
    expect(toApiError(err).message).toMatch(/cannot be reached/);
  });

  it('keeps the request id header when the body is not ours', () => {
    const err = new HttpErrorResponse({
      status: 502,
      statusText: 'Bad Gateway',
      error: '<html>proxy error</html>',
      headers: new HttpHeaders({ 'x-request-id': 'abc' }),
    });
    expect(toApiError(err)).toEqual({
      statusCode: 502,
      message: '502 Bad Gateway',
      requestId: 'abc',
      issues: [],
    });
  });
});
