import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import type { ApiErrorBody } from '@autocoder/shared-contracts';
import { ProjectCreate, SPEC_IN_CHAT_PLACEHOLDER } from './project-create';

describe('ProjectCreate', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  async function render() {
    const fixture = TestBed.createComponent(ProjectCreate);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    const type = (selector: string, value: string) => {
      const input = el.querySelector(selector) as HTMLInputElement | HTMLTextAreaElement;
      input.value = value;
      input.dispatchEvent(new Event('input'));
      input.dispatchEvent(new Event('blur'));
    };
    const submit = async () => {
      (el.querySelector('[data-testid=create-project-submit]') as HTMLButtonElement).click();
      await fixture.whenStable();
    };
    return { fixture, el, type, submit };
  }

  it('validates with the contract schema before sending anything', async () => {
    const { el, type, submit } = await render();
    type('#project-name', 'bad/name');
    await submit();

    expect(el.querySelector('[data-testid=name-error]')?.textContent).toContain('Letters, digits');
    expect(el.querySelector('[data-testid=spec-error]')?.textContent).toContain('Required');
    http.expectNone('/api/v1/projects');
  });

  it('starts the initializer by default, sends trimmed values and opens the new project', async () => {
    const { fixture, type, submit } = await render();
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    type('#project-name', '  Todo app ');
    type('#project-spec', 'A todo list with due dates.');
    await submit();

    const req = http.expectOne('/api/v1/projects');
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({
      name: 'Todo app',
      spec: 'A todo list with due dates.',
      start: true,
    });
    req.flush({ id: 'new-id' }, { status: 201, statusText: 'Created' });
    await fixture.whenStable();

    expect(navigate).toHaveBeenCalledWith(['/projects', 'new-id']);
  });

  it('writes the spec in a chat: creates the project without starting it, opens a spec conversation', async () => {
    const { fixture, el, type } = await render();
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    const chat = el.querySelector('[data-testid=write-spec-in-chat]') as HTMLButtonElement;
    // The name is still needed; the spec is not.
    chat.click();
    await fixture.whenStable();
    expect(el.querySelector('[data-testid=name-error]')).not.toBeNull();
    expect(el.querySelector('[data-testid=spec-error]')).toBeNull();
    http.expectNone('/api/v1/projects');

    type('#project-name', 'Todo app');
    chat.click();
    const created = http.expectOne('/api/v1/projects');
    expect(created.request.body).toEqual({
      name: 'Todo app',
      spec: SPEC_IN_CHAT_PLACEHOLDER,
      start: false,
    });
    created.flush({ id: 'p9', name: 'Todo app' }, { status: 201, statusText: 'Created' });
    await fixture.whenStable();
    const conversation = http.expectOne('/api/v1/projects/p9/conversations');
    expect(conversation.request.body).toEqual({ kind: 'spec', title: 'Spec of Todo app' });
    conversation.flush({ id: 'c9' }, { status: 201, statusText: 'Created' });
    await fixture.whenStable();
    expect(navigate).toHaveBeenCalledWith(['/projects', 'p9', 'chat', 'c9']);
  });

  it('shows server issues next to their fields and the request id above the form', async () => {
    const { fixture, el, type, submit } = await render();
    type('#project-name', 'Todo app');
    type('#project-spec', 'Spec');
    await submit();

    const body: ApiErrorBody = {
      statusCode: 409,
      error: 'Conflict',
      message: 'A project with this name exists',
      requestId: 'req-9',
      issues: [{ path: 'body.name', message: 'Name already taken' }],
    };
    http.expectOne('/api/v1/projects').flush(body, { status: 409, statusText: 'Conflict' });
    await fixture.whenStable();

    expect(el.querySelector('[data-testid=name-error]')?.textContent).toContain(
      'Name already taken',
    );
    const panel = el.querySelector('[data-testid=error-panel]');
    expect(panel?.textContent).toContain('A project with this name exists');
    expect(panel?.textContent).toContain('req-9');
    const button = el.querySelector('[data-testid=create-project-submit]') as HTMLButtonElement;
    expect(button.disabled).toBe(false);

    // Editing the field clears the server's verdict.
    type('#project-name', 'Todo app 2');
    await fixture.whenStable();
    expect(el.querySelector('[data-testid=name-error]')).toBeNull();
  });
});
