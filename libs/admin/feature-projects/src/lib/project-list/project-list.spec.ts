import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { ApiErrorBody, Page, ProjectView } from '@autocoder/shared-contracts';
import { ProjectList } from './project-list';

function project(overrides: Partial<ProjectView>): ProjectView {
  return {
    id: 'p1',
    name: 'Todo app',
    spec: 'spec',
    status: 'running',
    concurrency: 3,
    verifyCommand: null,
    createdAt: '2025-01-01T10:00:00.000Z',
    updatedAt: '2025-01-01T10:00:00.000Z',
    counts: { pending: 2, in_progress: 1, needs_input: 0, passing: 1, failing: 0 },
    total: 4,
    progress: 25,
    ...overrides,
  };
}

describe('ProjectList', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
  });

  async function render() {
    const fixture = TestBed.createComponent(ProjectList);
    fixture.detectChanges();
    // Let the query effect run and issue the first request.
    await Promise.resolve();
    fixture.detectChanges();
    return fixture;
  }

  it('shows one row per project with status, progress and counts', async () => {
    const fixture = await render();
    const req = http.expectOne((r) => r.url === '/api/v1/projects');
    expect(req.request.params.get('limit')).toBe('25');
    const page: Page<ProjectView> = {
      items: [
        project({}),
        project({ id: 'p2', name: 'Blog', status: 'idle', progress: 0, total: 0 }),
      ],
      total: 2,
      limit: 25,
      offset: 0,
    };
    req.flush(page);
    await fixture.whenStable();

    const rows = (fixture.nativeElement as HTMLElement).querySelectorAll(
      '[data-testid=project-row]',
    );
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain('Todo app');
    expect(rows[0].textContent).toContain('running');
    expect(rows[0].querySelector('[role=progressbar]')?.getAttribute('aria-valuenow')).toBe('25');
    expect(rows[0].textContent).toContain('1 / 4');
    expect(rows[1].textContent).toContain('Blog');
  });

  it('shows the api error with its request id', async () => {
    const fixture = await render();
    const body: ApiErrorBody = {
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Database is down',
      requestId: 'req-7',
    };
    http
      .expectOne((r) => r.url === '/api/v1/projects')
      .flush(body, { status: 503, statusText: 'Service Unavailable' });
    await fixture.whenStable();

    const panel = (fixture.nativeElement as HTMLElement).querySelector('[data-testid=error-panel]');
    expect(panel?.textContent).toContain('Database is down');
    expect(panel?.textContent).toContain('req-7');
  });
});
