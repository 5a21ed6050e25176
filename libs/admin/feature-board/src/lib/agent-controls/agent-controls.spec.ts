import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { ProjectView, RunView } from '@autocoder/shared-contracts';
import { activity, ADMIN, project, run, setUpTestBed, VIEWER } from '../testing/fixtures';
import { AgentControls } from './agent-controls';

describe('AgentControls', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<AgentControls>;
  let el: HTMLElement;
  let changed: ProjectView[];
  let started: RunView[];

  function setUp(p: ProjectView, me = ADMIN): void {
    ({ http } = setUpTestBed({ me }));
    fixture = TestBed.createComponent(AgentControls);
    fixture.componentRef.setInput('project', p);
    changed = [];
    started = [];
    fixture.componentInstance.changed.subscribe((v) => changed.push(v));
    fixture.componentInstance.initializerStarted.subscribe((v) => started.push(v));
    el = fixture.nativeElement as HTMLElement;
    document.body.appendChild(el); // focus needs the element in the document
    TestBed.tick();
  }

  const q = <T extends Element = HTMLButtonElement>(id: string) =>
    el.querySelector(`[data-testid=${id}]`) as T | null;
  const buttons = () =>
    Array.from(el.querySelectorAll('button')).map((b) => b.getAttribute('data-testid'));

  afterEach(() => {
    http.verify();
    el.remove();
  });

  it('shows a viewer no controls at all', () => {
    setUp(project({ activity: activity({ state: 'running', codingSessions: 2 }) }), VIEWER);
    expect(q('agent-controls')).toBeNull();
    expect(el.querySelectorAll('button')).toHaveLength(0);
  });

  it('offers only the initializer on an empty backlog', () => {
    setUp(project({ total: 0, activity: activity({ state: 'empty' }) }));
    expect(buttons()).toEqual(['start-initializer']);
  });

  it('offers nothing while the initializer works, and says why in words', () => {
    setUp(project({ activity: activity({ state: 'initializing' }) }));
    expect(buttons()).toEqual([]);
    expect(q('controls-why')?.textContent).toContain('initializer is writing the backlog');
  });

  it('offers pause and stop while running, resume and stop while paused', () => {
    setUp(project({ activity: activity({ state: 'running', codingSessions: 2 }) }));
    expect(buttons()).toEqual(['pause-agents', 'stop-agents']);
    fixture.componentRef.setInput('project', project({ activity: activity({ state: 'paused' }) }));
    TestBed.tick();
    expect(buttons()).toEqual(['resume-agents', 'stop-agents']);
  });

  it('says the way out when the budget is spent or everything passes', () => {
    setUp(project({ activity: activity({ state: 'budget' }) }));
    expect(buttons()).toEqual([]);
    expect(q('controls-why')?.textContent).toContain('Raise it');
    fixture.componentRef.setInput('project', project({ activity: activity({ state: 'done' }) }));
    TestBed.tick();
    expect(q('controls-why')?.textContent).toContain('Every feature passes');
  });

  it('starts agents with the numbers prefilled from the project, showing progress', () => {
    setUp(project({ concurrency: 4, agents: { testingAgents: 2 } }));
    expect(q<HTMLInputElement>('concurrency-input')?.value).toBe('4');
    expect(q<HTMLInputElement>('testing-agents-input')?.value).toBe('2');

    const input = q<HTMLInputElement>('concurrency-input') as HTMLInputElement;
    input.value = '6';
    input.dispatchEvent(new Event('input'));
    TestBed.tick();
    q('start-agents')?.click();
    TestBed.tick();
    expect(q('start-agents')?.textContent?.trim()).toBe('Starting…');
    expect(q('start-agents')?.disabled).toBe(true);

    const req = http.expectOne('/api/v1/projects/p1/agents/start');
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({ concurrency: 6, testingAgents: 2 });
    const running = project({ activity: activity({ state: 'running', codingSessions: 3 }) });
    req.flush(running);
    TestBed.tick();
    expect(changed).toEqual([running]);
    expect(q('controls-done')?.textContent).toContain('Agents started');
  });

  it('keeps what the admin typed when a poll brings the same project again', () => {
    setUp(project());
    const input = q<HTMLInputElement>('concurrency-input') as HTMLInputElement;
    input.value = '7';
    input.dispatchEvent(new Event('input'));
    fixture.componentRef.setInput('project', project({ updatedAt: 'later' }));
    TestBed.tick();
    expect(q<HTMLInputElement>('concurrency-input')?.value).toBe('7');
  });

  it('refuses numbers out of range before asking the api', () => {
    setUp(project());
    const input = q<HTMLInputElement>('testing-agents-input') as HTMLInputElement;
    input.value = '9';
    input.dispatchEvent(new Event('input'));
    TestBed.tick();
    expect(q('start-agents')?.disabled).toBe(true);
    expect(el.querySelector('.field-error')?.textContent).toContain('testing agents: 0–5');
  });

  it("shows the api's reason when a start is refused", () => {
    setUp(project());
    q('start-agents')?.click();
    http.expectOne('/api/v1/projects/p1/agents/start').flush(
      {
        statusCode: 409,
        error: 'Conflict',
        message: 'No feature is ready: every pending one waits on another',
        requestId: 'req-9',
      },
      { status: 409, statusText: 'Conflict' },
    );
    TestBed.tick();
    const panel = q('error-panel');
    expect(panel?.textContent).toContain('Could not start the agents');
    expect(panel?.textContent).toContain('every pending one waits on another');
    expect(panel?.textContent).toContain('req-9');
    expect(q('start-agents')?.textContent?.trim()).toBe('Start agents');
    expect(changed).toEqual([]);
  });

  it('asks before stopping, and can be talked out of it', () => {
    setUp(project({ activity: activity({ state: 'running', codingSessions: 1 }) }));
    q('stop-agents')?.click();
    TestBed.tick();
    expect(el.textContent).toContain('Stop every session?');
    // Focus follows the confirmation to its safe choice, and back to Stop.
    expect(document.activeElement).toBe(q('cancel-stop'));
    q('cancel-stop')?.click();
    TestBed.tick();
    expect(q('confirm-stop')).toBeNull();
    expect(document.activeElement).toBe(q('stop-agents'));
    http.expectNone('/api/v1/projects/p1/agents/stop');

    q('stop-agents')?.click();
    TestBed.tick();
    q('confirm-stop')?.click();
    TestBed.tick();
    expect(q('stop-agents')?.textContent?.trim()).toBe('Stopping…');
    http
      .expectOne('/api/v1/projects/p1/agents/stop')
      .flush(project({ activity: activity({ state: 'ready' }) }));
    TestBed.tick();
    expect(changed[0].activity.state).toBe('ready');
  });

  it('pauses and resumes', () => {
    setUp(project({ activity: activity({ state: 'running', codingSessions: 1 }) }));
    q('pause-agents')?.click();
    TestBed.tick();
    expect(q('pause-agents')?.textContent?.trim()).toBe('Pausing…');
    http
      .expectOne('/api/v1/projects/p1/agents/pause')
      .flush(project({ activity: activity({ state: 'paused' }) }));
    fixture.componentRef.setInput('project', changed[0]);
    TestBed.tick();
    q('resume-agents')?.click();
    http
      .expectOne('/api/v1/projects/p1/agents/resume')
      .flush(project({ activity: activity({ state: 'running' }) }));
    expect(changed.map((p) => p.activity.state)).toEqual(['paused', 'running']);
  });

  it('starts the initializer and hands the run over', () => {
    setUp(project({ total: 0, activity: activity({ state: 'empty' }) }));
    q('start-initializer')?.click();
    TestBed.tick();
    expect(q('start-initializer')?.disabled).toBe(true);
    const req = http.expectOne('/api/v1/projects/p1/runs');
    expect(req.request.body).toEqual({ role: 'initializer' });
    req.flush(run('queued'), { status: 202, statusText: 'Accepted' });
    expect(started.map((r) => r.id)).toEqual(['r1']);
  });
});
