import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { ApiErrorBody, AuthMeView, ProjectRemoteView } from '@autocoder/shared-contracts';
import { ADMIN, bundledRemote, setUp, VIEWER } from '../testing';
import { ProjectRemote } from './project-remote';

const OWN: ProjectRemoteView = {
  kind: 'own',
  url: 'https://github.com/acme/app.git',
  username: 'ada',
  hasCredential: true,
  updatedAt: '2026-12-05T14:30:00.000Z',
};

describe('ProjectRemote', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<ProjectRemote>;
  let el: HTMLElement;

  async function render(view: ProjectRemoteView = bundledRemote(), me: AuthMeView = ADMIN) {
    http = setUp(me);
    fixture = TestBed.createComponent(ProjectRemote);
    fixture.componentRef.setInput('projectId', 'p1');
    el = fixture.nativeElement as HTMLElement;
    await fixture.whenStable();
    http.expectOne('/api/v1/projects/p1/remote').flush(view);
    await fixture.whenStable();
  }
  const $ = <T extends Element = HTMLElement>(selector: string) => el.querySelector(selector) as T;
  const text = (testId: string) => $(`[data-testid=${testId}]`)?.textContent?.trim();
  async function type(testId: string, value: string) {
    const input = $<HTMLInputElement>(`[data-testid=${testId}]`);
    input.value = value;
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
  }
  async function click(testId: string) {
    $<HTMLButtonElement>(`[data-testid=${testId}]`).click();
    await fixture.whenStable();
  }
  const failure = (statusCode: number, message: string, issues?: ApiErrorBody['issues']) => ({
    body: { statusCode, error: 'Error', message, requestId: 'req-1', ...(issues && { issues }) },
    status: { status: statusCode, statusText: 'Error' },
  });

  afterEach(() => http.verify());

  it('shows a viewer where the repository lives, without a form', async () => {
    await render(bundledRemote(), VIEWER);
    expect(text('remote-kind')).toBe('The bundled git server');
    expect(text('remote-url')).toBe('http://git:8080/p1.git');
    expect($('[data-testid=remote-credential-stored]')).toBeNull();
    expect($('form')).toBeNull();
    expect($('[data-testid=remote-save]')).toBeNull();
  });

  it("shows the own remote's user name, a stored-credential badge and when it changed", async () => {
    await render(OWN, VIEWER);
    expect(text('remote-kind')).toBe("The project's own remote");
    expect(text('remote-url')).toBe(OWN.url);
    expect(text('remote-username')).toBe('ada');
    expect(text('remote-credential-stored')).toBe('Credential stored');
    expect(text('remote-updated')).toMatch(/^Dec 5, 2026, 2:30:00\sPM UTC$/);
  });

  it('prefills URL and user name for an admin, never the credential', async () => {
    await render(OWN);
    expect($<HTMLInputElement>('[data-testid=remote-url-input]').value).toBe(OWN.url);
    expect($<HTMLInputElement>('[data-testid=remote-username-input]').value).toBe('ada');
    const credential = $<HTMLInputElement>('[data-testid=remote-credential-input]');
    expect(credential.type).toBe('password');
    expect(credential.value).toBe('');
  });

  it('saves and moves with one PUT, then forgets the typed credential', async () => {
    await render();
    expect($<HTMLButtonElement>('[data-testid=remote-save]').disabled).toBe(true);
    expect($('[data-testid=remote-move-back]')).toBeNull();
    await type('remote-url-input', OWN.url);
    await type('remote-username-input', 'ada');
    await type('remote-credential-input', 'ghp_token');
    await click('remote-save');
    expect(text('remote-save')).toBe('Moving…');
    const req = http.expectOne('/api/v1/projects/p1/remote');
    expect(req.request.method).toBe('PUT');
    expect(req.request.body).toEqual({ url: OWN.url, username: 'ada', credential: 'ghp_token' });
    req.flush(OWN);
    await fixture.whenStable();
    expect(text('remote-status')).toBe(`Saved: the repository now lives at ${OWN.url}.`);
    expect(text('remote-credential-stored')).toBe('Credential stored');
    expect($<HTMLInputElement>('[data-testid=remote-credential-input]').value).toBe('');
  });

  it('leaves the credential out when the field is empty (the api keeps the stored one)', async () => {
    await render(OWN);
    await type('remote-username-input', 'grace');
    await click('remote-save');
    const req = http.expectOne('/api/v1/projects/p1/remote');
    expect(req.request.body).toEqual({ url: OWN.url, username: 'grace' });
    req.flush({ ...OWN, username: 'grace' });
    await fixture.whenStable();
    expect(text('remote-username')).toBe('grace');
  });

  it("shows the api's refusal inline, on the field it names", async () => {
    await render();
    await type('remote-url-input', OWN.url);
    await type('remote-credential-input', 'ghp_token');
    await type('remote-username-input', 'ada');
    await click('remote-save');
    const { body, status } = failure(409, "the remote's main does not contain the project's main");
    http.expectOne('/api/v1/projects/p1/remote').flush(body, status);
    await fixture.whenStable();
    expect(text('remote-error')).toContain("the remote's main does not contain the project's main");
    expect(text('remote-error')).toContain('req-1');
    expect($<HTMLInputElement>('[data-testid=remote-credential-input]').value).toBe('');
    expect(text('remote-kind')).toBe('The bundled git server');

    await click('remote-save');
    const bad = failure(400, 'url must be https://', [
      { path: 'body.url', message: 'must be https:// (smart HTTP over TLS)' },
    ]);
    http.expectOne('/api/v1/projects/p1/remote').flush(bad.body, bad.status);
    await fixture.whenStable();
    expect(text('remote-error-url')).toBe('Must be https:// (smart HTTP over TLS)');
    await type('remote-url-input', 'https://gitlab.com/acme/app.git');
    expect($('[data-testid=remote-error-url]')).toBeNull();
  });

  it('checks the fields before asking the api', async () => {
    await render();
    await type('remote-url-input', OWN.url);
    await type('remote-credential-input', 'a\u0007b');
    await click('remote-save');
    expect(text('remote-error-credential')).toBe('Must not hold control characters');
    http.expectNone('/api/v1/projects/p1/remote');
  });

  it('moves an own remote back to the bundled git server', async () => {
    await render(OWN);
    await click('remote-move-back');
    const req = http.expectOne('/api/v1/projects/p1/remote');
    expect(req.request.method).toBe('DELETE');
    req.flush(bundledRemote({ updatedAt: '2026-12-06T00:00:00.000Z' }));
    await fixture.whenStable();
    expect(text('remote-kind')).toBe('The bundled git server');
    expect(text('remote-status')).toBe('Moved back to the bundled git server.');
    expect($<HTMLInputElement>('[data-testid=remote-url-input]').value).toBe('');
  });
});
