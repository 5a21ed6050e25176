import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { ProjectSpendView, ProjectView } from '@autocoder/shared-contracts';
import {
  activity,
  ADMIN,
  featureSpend,
  project,
  setUpTestBed,
  spend,
  VIEWER,
} from '../testing/fixtures';
import { CostPanel } from './cost-panel';

describe('CostPanel', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<CostPanel>;
  let el: HTMLElement;
  let changed: ProjectView[];

  function render(p: ProjectView, me = ADMIN): void {
    ({ http } = setUpTestBed({ me }));
    fixture = TestBed.createComponent(CostPanel);
    fixture.componentRef.setInput('project', p);
    changed = [];
    fixture.componentInstance.changed.subscribe((v) => changed.push(v));
    el = fixture.nativeElement as HTMLElement;
    TestBed.tick();
  }
  const q = <T extends Element = HTMLElement>(id: string) =>
    el.querySelector(`[data-testid=${id}]`) as T | null;
  const answerSpend = (value: ProjectSpendView) => {
    http.expectOne('/api/v1/projects/p1/spend').flush(value);
    TestBed.tick();
  };
  const type = (id: string, value: string) => {
    const input = q<HTMLInputElement>(id) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event('input'));
    TestBed.tick();
  };

  afterEach(() => http.verify());

  it('shows the total, today and the budget bar with its warning mark', () => {
    render(project({ spentUsd: 8.5, spentTodayUsd: 1.25, budgetUsd: 10 }));
    answerSpend(spend([]));
    expect(q('spent-total')?.textContent?.trim()).toBe('$8.50');
    expect(q('spent-today')?.textContent?.trim()).toBe('$1.25');
    expect(q('budget')?.textContent?.trim()).toBe('$10.00');
    const bar = q('budget-bar') as HTMLElement;
    expect(bar.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow')).toBe('85');
    expect((bar.querySelector('[data-testid=progress-mark]') as HTMLElement).style.left).toBe(
      '80%',
    );
    // Past the warning threshold: the bar says so by its colour too.
    expect(bar.querySelector('.fill')?.classList).toContain('tone-warning');
    expect(q('budget-warn-at')?.textContent).toContain('80%');
  });

  it('draws no bar without a budget', () => {
    render(project({ spentUsd: 2, budgetUsd: null }));
    answerSpend(spend([], { budgetUsd: null }));
    expect(q('budget-bar')).toBeNull();
    expect(q('budget')?.textContent).toContain('none');
    expect(q('edit-budget')?.textContent?.trim()).toBe('Set a budget');
  });

  it('fetches the spend again only when the project spent more', () => {
    const p = project({ spentUsd: 1 });
    render(p);
    answerSpend(spend([]));
    fixture.componentRef.setInput('project', { ...p, updatedAt: 'later' });
    TestBed.tick();
    http.expectNone('/api/v1/projects/p1/spend');
    fixture.componentRef.setInput('project', { ...p, spentUsd: 1.5 });
    TestBed.tick();
    answerSpend(spend([]));
  });

  it('splits the spend into new work and regression and hands it to the page', () => {
    render(project());
    const loaded: ProjectSpendView[] = [];
    fixture.componentInstance.loaded.subscribe((v) => loaded.push(v));
    const value = spend([featureSpend(1, 1, 0.5)]);
    answerSpend(value);
    expect(q('spend-split')?.textContent).toContain('New work $3.00');
    expect(q('spend-split')?.textContent).toContain('regression $1.00');
    expect(loaded).toEqual([value]);
  });

  it('shows a spent budget as a state with its way out, and an admin raises it there', () => {
    const spent = project({
      spentUsd: 10.2,
      budgetUsd: 10,
      activity: activity({ state: 'budget' }),
    });
    render(spent);
    answerSpend(spend([]));
    expect(q('budget-spent')?.textContent).toContain('Raise the budget');
    expect(q('budget-bar')?.querySelector('.fill')?.classList).toContain('tone-danger');

    // Not above what is spent: refused before asking the api.
    type('budget-input', '10');
    expect(q<HTMLButtonElement>('save-budget')?.disabled).toBe(true);
    expect(el.querySelector('.field-error')?.textContent).toContain('above what is spent');

    type('budget-input', '25');
    q<HTMLButtonElement>('save-budget')?.click();
    TestBed.tick();
    expect(q('save-budget')?.textContent?.trim()).toBe('Saving…');
    const req = http.expectOne('/api/v1/projects/p1');
    expect(req.request.method).toBe('PATCH');
    expect(req.request.body).toEqual({ budgetUsd: 25 });
    const raised = { ...spent, budgetUsd: 25, activity: activity({ state: 'ready' }) };
    req.flush(raised);
    TestBed.tick();
    expect(changed).toEqual([raised]);
  });

  it("shows the api's reason when a budget change is refused", () => {
    render(project({ budgetUsd: 10 }));
    answerSpend(spend([]));
    q<HTMLButtonElement>('edit-budget')?.click();
    TestBed.tick();
    type('budget-input', '20');
    q<HTMLButtonElement>('save-budget')?.click();
    http
      .expectOne('/api/v1/projects/p1')
      .flush(
        { statusCode: 400, error: 'Bad Request', message: 'budgetUsd: too big', requestId: 'r-2' },
        { status: 400, statusText: 'Bad Request' },
      );
    TestBed.tick();
    expect(q('error-panel')?.textContent).toContain('budgetUsd: too big');
    expect(changed).toEqual([]);
  });

  it('tells a viewer about a spent budget without a form', () => {
    render(
      project({ spentUsd: 10, budgetUsd: 10, activity: activity({ state: 'budget' }) }),
      VIEWER,
    );
    answerSpend(spend([]));
    expect(q('budget-spent')?.textContent).toContain('An admin can raise');
    expect(q('budget-input')).toBeNull();
    expect(q('edit-budget')).toBeNull();
  });
});
