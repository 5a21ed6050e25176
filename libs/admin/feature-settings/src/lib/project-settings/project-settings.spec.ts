import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { providerListFixture } from '@autocoder/admin-ui';
import type { ApiErrorBody, ProjectView } from '@autocoder/shared-contracts';
import { ADMIN, bundledRemote, project, setUp, VIEWER } from '../testing';
import { ProjectSettings } from './project-settings';
import { fieldOf, formOf, payloadOf } from './settings-form';

describe('ProjectSettings', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<ProjectSettings>;
  let el: HTMLElement;

  async function render(p: ProjectView = project(), me = ADMIN) {
    http = setUp(me);
    fixture = TestBed.createComponent(ProjectSettings);
    fixture.componentRef.setInput('id', p.id);
    el = fixture.nativeElement as HTMLElement;
    await fixture.whenStable();
    http.expectOne('/api/v1/providers').flush(providerListFixture());
    http.expectOne(`/api/v1/projects/${p.id}`).flush(p);
    await fixture.whenStable();
    http.expectOne(`/api/v1/projects/${p.id}/remote`).flush(bundledRemote());
    await fixture.whenStable();
  }
  const $ = <T extends Element = HTMLElement>(selector: string) => el.querySelector(selector) as T;
  async function type(selector: string, value: string) {
    const input = $<HTMLInputElement>(selector);
    input.value = value;
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
  }
  async function choose(selector: string, value: string) {
    const select = $<HTMLSelectElement>(selector);
    select.value = value;
    select.dispatchEvent(new Event('change'));
    await fixture.whenStable();
  }
  async function save() {
    $<HTMLButtonElement>('[data-testid=save-settings]').click();
    await fixture.whenStable();
  }

  afterEach(() => http.verify());

  it('fills every field from the project and saves only once something changed', async () => {
    await render(project({ agents: { testingAgents: 1, allowedCommands: ['cargo', 'make'] } }));
    expect($<HTMLInputElement>('#s-name').value).toBe('Todo app');
    expect($<HTMLTextAreaElement>('#s-spec').value).toBe('A todo list.');
    expect($<HTMLInputElement>('#s-verify').value).toBe('npm test');
    expect($<HTMLInputElement>('#s-concurrency').value).toBe('3');
    expect($<HTMLInputElement>('#s-testing-agents').value).toBe('1');
    expect($<HTMLInputElement>('#s-budget').value).toBe('10');
    expect($<HTMLInputElement>('#s-commands').value).toBe('cargo, make');
    expect($<HTMLSelectElement>('#coding-provider').value).toBe('');
    expect($('[data-testid=settings-provider] .provider-badge').getAttribute('title')).toBe(
      'Coding agents: Demo · claude-sonnet-5-5 (deployment default)',
    );
    expect($<HTMLButtonElement>('[data-testid=save-settings]').disabled).toBe(true);
    expect($('[data-testid=save-status]').textContent?.trim()).toBe('All changes saved');
  });

  it('sends the whole form in one PATCH, shows progress, and takes the saved project', async () => {
    await render();
    await choose('#coding-provider', 'ollama');
    await type('#s-warn', '75');
    await type('#s-commands', 'cargo make');
    expect($('[data-testid=save-status]').textContent?.trim()).toBe('Unsaved changes');
    await save();

    expect($('[data-testid=save-status]').textContent?.trim()).toBe('Saving…');
    const req = http.expectOne('/api/v1/projects/p1');
    expect(req.request.method).toBe('PATCH');
    expect(req.request.body).toEqual({
      name: 'Todo app',
      spec: 'A todo list.',
      verifyCommand: 'npm test',
      concurrency: 3,
      budgetUsd: 10,
      budgetWarnShare: 0.75,
      agents: {
        testingAgents: 1,
        allowedCommands: ['cargo', 'make'],
        provider: 'ollama',
        model: 'llama3.1:latest',
      },
    });
    req.flush(
      project({
        budgetWarnShare: 0.75,
        agents: { ...req.request.body.agents },
      }),
    );
    await fixture.whenStable();
    expect($('[data-testid=save-status]').textContent?.trim()).toBe('Saved.');
    expect($('[data-testid=settings-provider] .provider-badge').getAttribute('title')).toBe(
      'Coding agents: Ollama · llama3.1:latest',
    );
  });

  it("refuses what the contract refuses before sending, on the field's own line", async () => {
    await render();
    await type('#s-concurrency', '12');
    await type('#s-commands', 'rm -rf/');
    await save();
    expect($('[data-testid=error-concurrency]').textContent).toContain('10');
    expect($('[data-testid=error-allowedCommands]').textContent).toContain('A program name');
    expect($('#s-concurrency').getAttribute('aria-invalid')).toBe('true');
    http.expectNone('/api/v1/projects/p1');

    await type('#s-concurrency', '4');
    expect($('[data-testid=error-concurrency]')).toBeNull();
  });

  it("shows the api's field errors on their fields and its message with the request id", async () => {
    await render();
    await type('#s-name', 'Blog');
    await save();
    const body: ApiErrorBody = {
      statusCode: 400,
      error: 'Bad Request',
      message: 'Validation failed',
      requestId: 'req-42',
      issues: [
        { path: 'body.name', message: 'a project named "Blog" already exists' },
        { path: 'body.agents.testing.model', message: 'unknown model' },
        { path: 'body.somethingElse', message: 'odd' },
      ],
    };
    http.expectOne('/api/v1/projects/p1').flush(body, { status: 400, statusText: 'Bad Request' });
    await fixture.whenStable();
    expect($('[data-testid=error-name]').textContent).toContain(
      'A project named "Blog" already exists',
    );
    expect($('[data-testid=testing-detail]').textContent).toContain('Unknown model');
    expect($('[data-testid=error-panel]').textContent).toContain('req-42');
    expect($('.other-issues').textContent).toContain('somethingElse: Odd');
    expect($<HTMLButtonElement>('[data-testid=save-settings]').disabled).toBe(false);
  });

  it('warns when there is no verification command', async () => {
    await render(project({ verifyCommand: null }));
    expect($('[data-testid=no-verify-warning]').textContent).toContain("only the agent's word");
    await type('#s-verify', 'npm test');
    expect($('[data-testid=no-verify-warning]')).toBeNull();
  });

  it('shows a viewer everything read-only, with nothing to save or delete', async () => {
    await render(project({ agents: { provider: 'ollama', model: 'llama3.1:latest' } }), VIEWER);
    expect($('[data-testid=read-only-note]')).not.toBeNull();
    expect($<HTMLInputElement>('#s-name').readOnly).toBe(true);
    expect($<HTMLTextAreaElement>('#s-spec').readOnly).toBe(true);
    expect($<HTMLInputElement>('#s-budget').readOnly).toBe(true);
    expect($<HTMLSelectElement>('#coding-provider').disabled).toBe(true);
    expect($<HTMLSelectElement>('#coding-provider').value).toBe('ollama');
    expect($('[data-testid=save-bar]')).toBeNull();
    expect($('[data-testid=delete-project]')).toBeNull();
  });

  it('asks the api to ask the providers again, for admins only', async () => {
    await render();
    $<HTMLButtonElement>('[data-testid=providers-refresh]').click();
    await fixture.whenStable();
    expect($<HTMLButtonElement>('[data-testid=providers-refresh]').disabled).toBe(true);
    const refresh = http.expectOne('/api/v1/providers/refresh');
    expect(refresh.request.method).toBe('POST');
    refresh.flush(providerListFixture());
    // The reload's promise chain settles outside Angular's view of things: let it, then render.
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
    expect($<HTMLButtonElement>('[data-testid=providers-refresh]').disabled).toBe(false);
  });

  it('offers no provider refresh to a viewer', async () => {
    await render(project(), VIEWER);
    expect($('[data-testid=providers-refresh]')).toBeNull();
  });

  it('opens the delete confirmation from the danger zone', async () => {
    await render();
    $<HTMLButtonElement>('[data-testid=delete-project]').click();
    await fixture.whenStable();
    expect($('[data-testid=delete-dialog]')).not.toBeNull();
    http.expectOne('/api/v1/projects/p1/delete-preview');
  });
});

describe('settings form', () => {
  it('reads back what it writes', () => {
    const p = project({
      budgetWarnShare: 0.6,
      agents: {
        testingAgents: 2,
        provider: 'ollama',
        model: 'qwen3',
        testing: { provider: 'demo', model: 'claude-haiku-5-5' },
        prompts: { coding: { system: 'Be brief.' } },
      },
    });
    const body = payloadOf(formOf(p));
    expect(body.budgetWarnShare).toBe(0.6);
    expect(body.agents).toEqual(p.agents);
  });

  it('clears optional fields to null or leaves them out', () => {
    const form = { ...formOf(project()), verifyCommand: ' ', budgetUsd: '', testingAgents: '' };
    const body = payloadOf(form);
    expect(body.verifyCommand).toBeNull();
    expect(body.budgetUsd).toBeNull();
    expect(body.agents).toEqual({});
  });

  it.each([
    ['body.name', 'name'],
    ['body.budgetWarnShare', 'budgetWarnPercent'],
    ['body.agents.allowedCommands.3', 'allowedCommands'],
    ['body.agents.model', 'coding'],
    ['agents.testing.provider', 'testing'],
    ['body.agents.prompts.testing.task', 'testingTask'],
    ['body.whatever', null],
  ])('maps %s to %s', (path, field) => expect(fieldOf(path)).toBe(field));
});
