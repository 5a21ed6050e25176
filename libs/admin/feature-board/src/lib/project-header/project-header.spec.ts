import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { ProjectView } from '@autocoder/shared-contracts';
import { activity, ADMIN, project, setUpTestBed, VIEWER } from '../testing/fixtures';
import { activityLabel } from './activity-label';
import { ProjectHeader } from './project-header';

describe('ProjectHeader', () => {
  let fixture: ComponentFixture<ProjectHeader>;
  let el: HTMLElement;

  function render(p: ProjectView, me = ADMIN): void {
    setUpTestBed({ me });
    fixture = TestBed.createComponent(ProjectHeader);
    fixture.componentRef.setInput('project', p);
    el = fixture.nativeElement as HTMLElement;
    TestBed.tick();
  }
  const text = (id: string) => el.querySelector(`[data-testid=${id}]`)?.textContent?.trim();

  it('says plainly what is happening', () => {
    render(
      project({
        activity: activity({
          state: 'running',
          codingSessions: 2,
          testingSessions: 1,
          summary: 'Running 2 of 3 coding sessions and 1 testing session',
        }),
      }),
    );
    expect(text('activity-badge')).toBe('running 2 of 3 + 1 testing');
    expect(text('activity-summary')).toBe('Running 2 of 3 coding sessions and 1 testing session');
  });

  it('shows the provider and model, or that the defaults apply', () => {
    render(project({ agents: { provider: 'gemini', model: 'gemini-2.5-pro' } }));
    expect(
      el.querySelector('[data-testid=project-provider] .provider-badge')?.getAttribute('title'),
    ).toBe('Coding agents: Gemini · gemini-2.5-pro');
    fixture.componentRef.setInput('project', project({ agents: {} }));
    TestBed.tick();
    expect(text('provider-model')).toBe('default provider and model');
  });

  it('shows the verification command, and warns when there is none', () => {
    render(project({ verifyCommand: 'npm test' }));
    expect(text('verify-command')).toBe('npm test');
    expect(el.querySelector('[data-testid=no-verify-warning]')).toBeNull();
    fixture.componentRef.setInput('project', project({ verifyCommand: null }));
    TestBed.tick();
    expect(text('no-verify-warning')).toContain("only the agent's word");
  });

  it('shows a viewer the state without controls', () => {
    render(project({ activity: activity({ state: 'paused', summary: 'Paused' }) }), VIEWER);
    expect(text('activity-badge')).toBe('paused');
    expect(el.querySelector('[data-testid=agent-controls]')).toBeNull();
  });

  it('names every activity state in words', () => {
    const states = [
      'empty',
      'initializing',
      'ready',
      'paused',
      'waiting',
      'budget',
      'done',
    ] as const;
    expect(states.map((state) => activityLabel(activity({ state })))).toEqual([
      'no backlog',
      'initializing',
      'ready',
      'paused',
      'waiting for a person',
      'budget spent',
      'done',
    ]);
  });
});
