import { Component, signal } from '@angular/core';
import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { FeatureDetailView, FeatureView } from '@autocoder/shared-contracts';
import {
  board,
  column,
  feature,
  nextRequest,
  setUpTestBed,
  split,
  until,
} from '../testing/fixtures';
import { DependencyEditor } from './dependency-editor';

@Component({
  imports: [DependencyEditor],
  template: `<ac-dependency-editor
    projectId="p1"
    [feature]="feature()"
    [canChange]="canChange()"
    (changed)="changed.push($event)"
  />`,
})
class Host {
  readonly feature = signal<FeatureDetailView>(detail());
  readonly canChange = signal(true);
  readonly changed: FeatureView[] = [];
}

function detail(extra: Partial<FeatureDetailView> = {}): FeatureDetailView {
  return {
    ...feature('f1', 'pending', { name: 'Login form', dependsOn: ['f0'] }),
    dependencies: [{ id: 'f0', name: 'User table', status: 'passing' }],
    dependents: [{ id: 'f2', name: 'Logout', status: 'pending' }],
    runs: [],
    passedByRunId: null,
    spend: { ...split(0, 0) },
    ...extra,
  };
}

const DEPS = '/api/v1/projects/p1/features/f1/dependencies';

describe('DependencyEditor', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<Host>;
  let el: HTMLElement;

  beforeEach(async () => {
    ({ http } = setUpTestBed());
    fixture = TestBed.createComponent(Host);
    el = fixture.nativeElement as HTMLElement;
    document.body.appendChild(el);
    await fixture.whenStable();
  });

  afterEach(() => {
    fixture.destroy();
    el.remove();
    http.verify();
  });

  const q = <T extends HTMLElement = HTMLElement>(id: string) =>
    el.querySelector(`[data-testid=${id}]`) as T;

  /** Types into the search and answers the board query with `found`. */
  async function search(text: string, found: FeatureView[]): Promise<void> {
    const input = q<HTMLInputElement>('feature-search-input');
    input.value = text;
    input.dispatchEvent(new Event('input'));
    const req = await nextRequest(http, (r) => r.url === '/api/v1/projects/p1/board');
    expect(req.request.params.get('q')).toBe(text);
    req.flush(board({ pending: column('pending', found) }));
    await fixture.whenStable();
  }

  it('adds a dependency found by name, leaving out the feature itself and its dependencies', async () => {
    await search('log', [
      feature('f1', 'pending', { name: 'Login form' }),
      feature('f0', 'passing', { name: 'User table' }),
      feature('f2', 'pending', { name: 'Logout' }),
    ]);
    const results = el.querySelectorAll('[data-testid=feature-search-result]');
    expect([...results].map((r) => r.querySelector('.name')?.textContent)).toEqual(['Logout']);
    (results[0] as HTMLElement).click();
    await fixture.whenStable();
    const req = http.expectOne(DEPS);
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({ dependsOnId: 'f2' });
    req.flush(feature('f1', 'pending', { dependsOn: ['f0', 'f2'] }));
    await fixture.whenStable();
    expect(fixture.componentInstance.changed).toHaveLength(1);
    // Focus goes back to the search box for the next one.
    expect(document.activeElement).toBe(q('feature-search-input'));
  });

  it('shows the api’s cycle, with the features’ names, right under the search', async () => {
    await search('logout', [feature('f2', 'pending', { name: 'Logout' })]);
    q('feature-search-result').click();
    await fixture.whenStable();
    http.expectOne(DEPS).flush(
      {
        statusCode: 409,
        message: 'these dependencies would create a cycle: f1 -> f2 -> f1',
        issues: [{ path: 'dependsOn', message: 'cycle "Login form" -> "Logout" -> "Login form"' }],
      },
      { status: 409, statusText: 'Conflict' },
    );
    await fixture.whenStable();
    const problem = q('dependency-error');
    expect(problem.textContent?.trim()).toBe(
      'Depending on “Logout” would close a cycle: “Login form” → “Logout” → “Login form”. A feature cannot wait for itself; remove one of these dependencies first.',
    );
    expect(problem.getAttribute('role')).toBe('alert');
    // Tied to the control it concerns.
    const input = q<HTMLInputElement>('feature-search-input');
    expect(input.getAttribute('aria-describedby')).toBe(problem.id);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(fixture.componentInstance.changed).toHaveLength(0);
    // It lies inside the dependency control, next to the search.
    expect(q('dependency-add').contains(problem)).toBe(true);
  });

  it('removes a dependency', async () => {
    q('dependency-remove').click();
    await fixture.whenStable();
    const req = http.expectOne(`${DEPS}/f0`);
    expect(req.request.method).toBe('DELETE');
    req.flush(feature('f1', 'pending'));
    await until(() => fixture.componentInstance.changed.length === 1);
  });

  it('says so at the limit instead of offering the search', async () => {
    const many = Array.from({ length: 20 }, (_, i) => ({
      id: `d${i}`,
      name: `Dep ${i}`,
      status: 'passing' as const,
    }));
    fixture.componentInstance.feature.set(detail({ dependencies: many }));
    await fixture.whenStable();
    expect(q('feature-search-input')).toBeNull();
    expect(q('dependency-add').textContent).toContain('At the limit of 20 dependencies');
  });

  it('shows a viewer the dependencies without controls', async () => {
    fixture.componentInstance.canChange.set(false);
    await fixture.whenStable();
    expect(q('feature-dependencies').textContent).toContain('User table');
    expect(q('dependency-remove')).toBeNull();
    expect(q('dependency-add')).toBeNull();
  });
});
