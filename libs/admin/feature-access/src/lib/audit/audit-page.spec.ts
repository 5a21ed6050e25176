import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { AuthSession } from '@autocoder/admin-data-access-api';
import type { AuditEventView } from '@autocoder/shared-contracts';
import { auditRoutes } from '../access.routes';
import { AuditPage } from './audit-page';

const EVENT: AuditEventView = {
  id: '7',
  at: '2026-11-25T07:00:00.000Z',
  actorType: 'user',
  actorId: 'u1',
  actorLabel: 'ada@example.test',
  role: 'admin',
  ip: '127.0.0.1',
  requestId: 'r1',
  traceId: null,
  action: 'project.update',
  targetType: 'project',
  targetId: 'p1',
  projectId: 'p1',
  before: { concurrency: 3 },
  after: { concurrency: 5 },
};

describe('AuditPage', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<AuditPage>;
  let el: HTMLElement;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AuditPage);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    http
      .expectOne((r) => r.url === '/api/v1/audit-events')
      .flush({ items: [EVENT], total: 120, limit: 50, offset: 0 });
    await fixture.whenStable();
    fixture.detectChanges();
  });

  it('shows events and their before/after on click', () => {
    const row = el.querySelector('[data-testid=audit-row]') as HTMLElement;
    expect(row.textContent).toContain('project.update');
    row.click();
    fixture.detectChanges();
    expect(el.textContent).toContain('"concurrency": 5');
  });

  it('filters, pages, and downloads with the applied filters', async () => {
    const action = el.querySelector('[data-testid=audit-filter-action]') as HTMLInputElement;
    action.value = 'feature.';
    action.dispatchEvent(new Event('input'));
    (el.querySelector('form') as HTMLFormElement).dispatchEvent(new Event('submit'));
    const filtered = http.expectOne((r) => r.url === '/api/v1/audit-events');
    expect(filtered.request.params.get('action')).toBe('feature.');
    expect(filtered.request.params.get('offset')).toBe('0');
    filtered.flush({ items: [EVENT], total: 120, limit: 50, offset: 0 });
    await fixture.whenStable();
    fixture.detectChanges();
    (el.querySelector('[data-testid=audit-next]') as HTMLButtonElement).click();
    const next = http.expectOne((r) => r.url === '/api/v1/audit-events');
    expect(next.request.params.get('offset')).toBe('50');
    expect(next.request.params.get('action')).toBe('feature.');
    next.flush({ items: [EVENT], total: 120, limit: 50, offset: 50 });
    await fixture.whenStable();
    fixture.detectChanges();
    const csv = el.querySelector('[data-testid=audit-export-csv]') as HTMLAnchorElement;
    expect(csv.getAttribute('href')).toBe('/api/v1/audit-events/export?action=feature.&format=csv');
  });
});

describe('audit route', () => {
  it('sends a viewer back to the projects', async () => {
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
    TestBed.inject(AuthSession).me.set({
      userId: 'u2',
      name: 'vic',
      role: 'viewer',
      via: 'session',
      authMode: 'oidc',
    });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/audit');
    expect(TestBed.inject(Router).url).toBe('/projects');
  });
});
