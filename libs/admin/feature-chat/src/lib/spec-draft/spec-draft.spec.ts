import { TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import type { ProjectView } from '@autocoder/shared-contracts';
import { setUpTestBed, until } from '../testing/fixtures';
import { SpecDraftPanel } from './spec-draft';

const project = (extra: Partial<ProjectView>): ProjectView =>
  ({
    id: 'p1',
    name: 'Todo',
    spec: '(placeholder)',
    status: 'idle',
    total: 0,
    ...extra,
  }) as ProjectView;

describe('SpecDraftPanel', () => {
  it('creates a new project from the spec: saves it, starts the initializer, opens the board', async () => {
    const { http } = setUpTestBed();
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    const fixture = TestBed.createComponent(SpecDraftPanel);
    fixture.componentRef.setInput('project', project({}));
    fixture.componentRef.setInput('draft', { messageId: 'a1', spec: '# Todo app\n\nA list.' });
    TestBed.tick();
    const el = fixture.nativeElement as HTMLElement;
    (el.querySelector('[data-testid="spec-create-project"]') as HTMLButtonElement).click();
    const patch = http.expectOne({ method: 'PATCH', url: '/api/v1/projects/p1' });
    expect(patch.request.body).toEqual({ spec: '# Todo app\n\nA list.' });
    patch.flush(project({ spec: '# Todo app\n\nA list.' }));
    await until(() => {
      const runs = http.match({ method: 'POST', url: '/api/v1/projects/p1/runs' });
      if (runs.length === 0) return false;
      expect(runs[0]?.request.body).toEqual({ role: 'initializer' });
      runs[0]?.flush({ id: 'r1' });
      return true;
    });
    await until(() => navigate.mock.calls.length > 0);
    expect(navigate).toHaveBeenCalledWith(['/projects', 'p1']);
    http.verify();
  });

  it('only replaces the spec of a project that has a backlog', () => {
    setUpTestBed();
    const fixture = TestBed.createComponent(SpecDraftPanel);
    fixture.componentRef.setInput('project', project({ status: 'ready', total: 4, spec: 'old' }));
    fixture.componentRef.setInput('draft', { messageId: 'a1', spec: 'new' });
    TestBed.tick();
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('[data-testid="spec-create-project"]')).toBeNull();
    expect(el.querySelector('[data-testid="spec-use"]')?.textContent).toContain(
      "Make this the project's spec",
    );
  });
});
