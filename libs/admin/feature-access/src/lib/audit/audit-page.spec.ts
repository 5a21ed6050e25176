import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { AuthSession } from '@autocoder/admin-data-access-api';
import type { AuditEventView, AuthMeView, Page, ProjectView } from '@autocoder/shared-contracts';
import { auditRoutes } from '../access.routes';
import { AuditPage } from './audit-page';

const PROJECT_ID = '0b9a6a52-5d0e-4c1b-9a57-8f1f0f6c2d11';
const EVENT: AuditEventView = {
  id: '7',
  at: '2026-11-25T07:00:00.000Z',
  actorType: 'user',
  actorId: 'u1',
  actorLabel: 'ada@example.test',
  role: 'admin',
  ip: '127.0.0.1',
  requestId: 'req-abc',
  traceId: null,
  action: 'project.update',
  targetType: 'project',
  targetId: PROJECT_ID,
  projectId: PROJECT_ID,
  before: { concurrency: 3 },
  after: { concurrency: 5 },
};
const PROJECTS: Page<Pick<ProjectView, 'id' | 'name'>> = {
  items: [{ id: PROJECT_ID, name: 'Todo app' }],
  total: 1,
  limit: 100,
  offset: 0,
};
const page = (offset: number, items = [EVENT]): Page<AuditEventView> => ({
  items,
  total: 120,
  limit: 50,
  offset,
});

describe('AuditPage', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<AuditPage>;
  let el: HTMLElement;

  const settle = async () => {
    await fixture.whenStable();
    fixture.detectChanges();
  };
  const byTestId = <T extends HTMLElement = HTMLElement>(id: string) =>
    el.querySelector(`[data-testid=${id}]`) as T;
  const fill = (id: string, value: string) => {
    const input = byTestId<HTMLInputElement | HTMLSelectElement>(id);
    input.value = value;
    input.dispatchEvent(new Event(input instanceof HTMLSelectElement ? 'change' : 'input'));
  };
  const nextAuditRequest = () => http.expectOne((r) => r.url === '/api/v1/audit-events');

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AuditPage);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    const first = nextAuditRequest();
    // Newest first, one page, no filters yet.
    expect(first.request.params.keys().sort()).toEqual(['limit', 'offset']);
    expect(first.request.params.get('limit')).toBe('50');
    expect(first.request.params.get('offset')).toBe('0');
    first.flush(page(0));
    http.expectOne((r) => r.url === '/api/v1/projects').flush(PROJECTS);
    await settle();
  });

  afterEach(() => http.verify());

  it('shows one row per event with actor, role, action, target, project and request id', () => {
    const rows = el.querySelectorAll('[data-testid=audit-row]');
    expect(rows).toHaveLength(1);
    const text = rows[0].textContent ?? '';
    expect(text).toContain('ada@example.test');
    expect(text).toContain('(user)');
    expect(text).toContain('admin');
    expect(text).toContain('project.update');
    expect(text).toContain(`project ${PROJECT_ID}`);
    expect(text).toContain('Todo app');
    expect(text).toContain('req-abc');
    expect(el.textContent).toContain('1–1 of 120');
  });

  it('expands a row to its before and after as JSON, and folds it again', () => {
    expect(byTestId('audit-detail')).toBeNull();
    const toggle = byTestId<HTMLButtonElement>('audit-row-toggle');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    toggle.click();
    fixture.detectChanges();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const detail = byTestId('audit-detail');
    expect(detail.textContent).toContain('"concurrency": 3');
    expect(detail.textContent).toContain('"concurrency": 5');
    // The whole row is a target too.
    byTestId('audit-row').click();
    fixture.detectChanges();
    expect(byTestId('audit-detail')).toBeNull();
  });

  it('sends the filters as query parameters', async () => {
    fill('audit-filter-actor', '  ada@example.test ');
    fill('audit-filter-action', 'feature.');
    fill('audit-filter-project', PROJECT_ID);
    fill('audit-filter-from', '2026-11-01T00:00');
    fill('audit-filter-to', '2026-11-30T23:59');
    byTestId<HTMLButtonElement>('audit-filter-submit').click();

    const req = nextAuditRequest();
    const params = req.request.params;
    expect(params.get('actor')).toBe('ada@example.test');
    expect(params.get('action')).toBe('feature.');
    expect(params.get('projectId')).toBe(PROJECT_ID);
    // datetime-local is the browser's zone; the api gets instants.
    expect(params.get('from')).toBe(new Date('2026-11-01T00:00').toISOString());
    expect(params.get('to')).toBe(new Date('2026-11-30T23:59').toISOString());
    expect(params.get('offset')).toBe('0');
    req.flush(page(0));
    await settle();

    // Reset drops them all.
    (
      Array.from(el.querySelectorAll('button')).find((b) => b.textContent?.trim() === 'Reset') as
        | HTMLButtonElement
        | undefined
    )?.click();
    const cleared = nextAuditRequest();
    expect(cleared.request.params.keys().sort()).toEqual(['limit', 'offset']);
    cleared.flush(page(0));
    await settle();
  });

  it('pages forward and back with the applied filters', async () => {
    const previous = byTestId<HTMLButtonElement>('audit-previous');
    expect(previous.disabled).toBe(true);
    fill('audit-filter-action', 'project.');
    byTestId<HTMLButtonElement>('audit-filter-submit').click();
    nextAuditRequest().flush(page(0));
    await settle();

    // A half-typed filter is not applied by paging.
    fill('audit-filter-action', 'run.');
    byTestId<HTMLButtonElement>('audit-next').click();
    const next = nextAuditRequest();
    expect(next.request.params.get('offset')).toBe('50');
    expect(next.request.params.get('action')).toBe('project.');
    next.flush(page(50));
    await settle();
    expect(el.textContent).toContain('51–51 of 120');
    expect(previous.disabled).toBe(false);

    byTestId<HTMLButtonElement>('audit-next').click();
    nextAuditRequest().flush(page(100));
    await settle();
    byTestId<HTMLButtonElement>('audit-previous').click();
    const back = nextAuditRequest();
    expect(back.request.params.get('offset')).toBe('50');
    back.flush(page(50));
    await settle();
  });

  it('disables Next on the last page', async () => {
    byTestId<HTMLButtonElement>('audit-next').click();
    nextAuditRequest().flush({ items: [EVENT], total: 51, limit: 50, offset: 50 });
    await settle();
    expect(byTestId<HTMLButtonElement>('audit-next').disabled).toBe(true);
  });

  it('points both download links at the export with the applied filters', async () => {
    const csv = () => byTestId<HTMLAnchorElement>('audit-export-csv');
    const jsonl = () => byTestId<HTMLAnchorElement>('audit-export-jsonl');
    expect(csv().getAttribute('href')).toBe('/api/v1/audit-events/export?format=csv');
    expect(csv().hasAttribute('download')).toBe(true);
    expect(jsonl().getAttribute('href')).toBe('/api/v1/audit-events/export?format=jsonl');

    fill('audit-filter-actor', 'ada');
    fill('audit-filter-action', 'feature.');
    fill('audit-filter-project', PROJECT_ID);
    byTestId<HTMLButtonElement>('audit-filter-submit').click();
    nextAuditRequest().flush(page(0));
    await settle();

    const expected = `actor=ada&action=feature.&projectId=${PROJECT_ID}`;
    expect(csv().getAttribute('href')).toBe(`/api/v1/audit-events/export?${expected}&format=csv`);
    expect(jsonl().getAttribute('href')).toBe(
      `/api/v1/audit-events/export?${expected}&format=jsonl`,
    );
    expect(jsonl().hasAttribute('download')).toBe(true);
  });
});

describe('audit route', () => {
  const who = (role: AuthMeView['role']): AuthMeView => ({
    userId: 'u2',
    name: 'vic',
    role,
    via: 'session',
    authMode: 'oidc',
    errorReports: null,
  });

  const navigate = async (role: AuthMeView['role']) => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'audit', children: auditRoutes },
          { path: 'projects', children: [] },
        ]),
        provideHttpClient(),
        provideHttpClientTesting(),
      ],
    });
    TestBed.inject(AuthSession).me.set(who(role));
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/audit');
    return harness;
  };

  it('sends a viewer back to the projects', async () => {
    await navigate('viewer');
    expect(TestBed.inject(Router).url).toBe('/projects');
    // The page never asked for the trail.
    TestBed.inject(HttpTestingController).expectNone((r) => r.url === '/api/v1/audit-events');
  });

  it('lets an admin in', async () => {
    const harness = await navigate('admin');
    expect(TestBed.inject(Router).url).toBe('/audit');
    expect(harness.routeNativeElement?.querySelector('h1')?.textContent).toContain('Audit trail');
  });
});
