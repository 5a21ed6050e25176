import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { AuthSession } from '@autocoder/admin-data-access-api';
import type {
  ApiErrorBody,
  ApiTokenView,
  AuthMeView,
  CreatedApiTokenView,
  Page,
  ProjectView,
} from '@autocoder/shared-contracts';
import { ApiTokensPage } from './api-tokens-page';

const ME: AuthMeView = {
  userId: 'u1',
  name: 'ada',
  role: 'admin',
  via: 'session',
  authMode: 'oidc',
  errorReports: null,
};
const PROJECT_ID = '0b9a6a52-5d0e-4c1b-9a57-8f1f0f6c2d11';
const TOKEN: ApiTokenView = {
  id: 't1',
  name: 'ci',
  prefix: 'acp_Xy3k',
  role: 'viewer',
  projectId: null,
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
  createdAt: '2026-11-25T07:00:00.000Z',
};
const SCOPED: ApiTokenView = {
  ...TOKEN,
  id: 't3',
  name: 'deploy bot',
  prefix: 'acp_Ab12',
  role: 'admin',
  projectId: PROJECT_ID,
  expiresAt: '2026-12-25T12:00:00.000Z',
  lastUsedAt: '2026-11-25T07:30:00.000Z',
};
const PROJECTS: Page<Pick<ProjectView, 'id' | 'name'>> = {
  items: [{ id: PROJECT_ID, name: 'Todo app' }],
  total: 1,
  limit: 100,
  offset: 0,
};
const SECRET = 'acp_secret-shown-once';

describe('ApiTokensPage', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<ApiTokensPage>;
  let el: HTMLElement;

  const configure = (role: 'admin' | 'viewer') => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
    TestBed.inject(AuthSession).me.set({ ...ME, role });
  };

  /** Renders the page and answers its first requests (tokens, then project names). */
  const render = async (tokens: ApiTokenView[] = [TOKEN]) => {
    fixture = TestBed.createComponent(ApiTokensPage);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    http.expectOne('/api/v1/api-tokens').flush(tokens);
    const projects = http.expectOne((r) => r.url === '/api/v1/projects');
    expect(projects.request.params.get('limit')).toBe('100');
    projects.flush(PROJECTS);
    await settle();
  };

  const open = async (role: 'admin' | 'viewer', tokens?: ApiTokenView[]) => {
    configure(role);
    await render(tokens);
  };

  const settle = async () => {
    await fixture.whenStable();
    fixture.detectChanges();
  };

  const byTestId = <T extends HTMLElement = HTMLElement>(id: string) =>
    el.querySelector(`[data-testid=${id}]`) as T | null;

  const fill = (id: string, value: string) => {
    const input = byTestId<HTMLInputElement | HTMLSelectElement>(id);
    if (!input) throw new Error(`no ${id}`);
    input.value = value;
    input.dispatchEvent(new Event(input instanceof HTMLSelectElement ? 'change' : 'input'));
  };

  /** Submits the form and answers the POST; returns its body. */
  const createToken = async (answer: CreatedApiTokenView): Promise<unknown> => {
    byTestId<HTMLButtonElement>('token-create')?.click();
    const post = http.expectOne((r) => r.method === 'POST' && r.url === '/api/v1/api-tokens');
    post.flush(answer, { status: 201, statusText: 'Created' });
    await fixture.whenStable();
    http.expectOne('/api/v1/api-tokens').flush([TOKEN, answer]);
    await settle();
    return post.request.body;
  };

  afterEach(() => {
    http.verify();
    jest.restoreAllMocks();
  });

  it('lists tokens by prefix, with role, project, dates and state, never a secret', async () => {
    await open('viewer', [
      TOKEN,
      SCOPED,
      { ...TOKEN, id: 't4', name: 'old', revokedAt: '2026-11-25T08:00:00.000Z' },
    ]);
    const rows = el.querySelectorAll('[data-testid=token-row]');
    expect(rows).toHaveLength(3);
    expect(rows[0].textContent).toContain('ci');
    expect(rows[0].textContent).toContain('acp_Xy3k…');
    expect(rows[0].textContent).toContain('all projects');
    expect(rows[0].textContent).toContain('never');
    expect(rows[0].textContent).toContain('active');
    expect(rows[1].textContent).toContain('Todo app');
    expect(rows[1].textContent).toContain('admin');
    expect(rows[1].textContent).toContain('Dec 25, 2026');
    expect(rows[2].textContent).toContain('revoked');
    expect(byTestId('token-created-secret')).toBeNull();
  });

  it('gives a viewer the list only: no create form and no revoke buttons', async () => {
    await open('viewer');
    expect(el.querySelectorAll('[data-testid=token-row]')).toHaveLength(1);
    expect(byTestId('token-create')).toBeNull();
    expect(byTestId('token-name')).toBeNull();
    expect(byTestId('token-revoke')).toBeNull();
  });

  it('creates a token for an admin and shows its secret once', async () => {
    await open('admin');
    fill('token-name', 'claude code');
    fill('token-role', 'admin');
    fill('token-project', PROJECT_ID);
    fill('token-expiry', '30');
    const body = await createToken({ ...SCOPED, id: 't2', name: 'claude code', token: SECRET });
    expect(body).toEqual({
      name: 'claude code',
      role: 'admin',
      projectId: PROJECT_ID,
      expiresInDays: 30,
    });

    expect(byTestId('token-created-secret')?.textContent).toContain(SECRET);
    expect(byTestId('token-secret-box')?.textContent).toContain('will not be shown again');
    // The form is ready for the next one; the list shows the new token by prefix only.
    expect(byTestId<HTMLInputElement>('token-name')?.value).toBe('');
    expect(el.querySelectorAll('[data-testid=token-row]')).toHaveLength(2);
    expect(el.querySelector('table')?.textContent).not.toContain(SECRET);

    byTestId<HTMLButtonElement>('token-secret-done')?.click();
    fixture.detectChanges();
    expect(byTestId('token-created-secret')).toBeNull();
    expect(el.textContent).not.toContain(SECRET);
  });

  it('forgets the secret when the page is left', async () => {
    await open('admin');
    fill('token-name', 'ci 2');
    await createToken({ ...TOKEN, id: 't2', name: 'ci 2', token: SECRET });
    expect(byTestId('token-created-secret')).not.toBeNull();

    // Navigating away destroys the page; coming back renders a new one from the list alone.
    fixture.destroy();
    await render();
    expect(byTestId('token-created-secret')).toBeNull();
    expect(el.textContent).not.toContain(SECRET);
  });

  it('copies the secret to the clipboard', async () => {
    const writeText = jest.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await open('admin');
    fill('token-name', 'ci 2');
    await createToken({ ...TOKEN, id: 't2', name: 'ci 2', token: SECRET });

    byTestId<HTMLButtonElement>('token-copy')?.click();
    await settle();
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(byTestId('token-copy')?.textContent).toContain('Copied');
    Reflect.deleteProperty(navigator, 'clipboard');
  });

  it('checks the form before asking the api', async () => {
    await open('admin');
    byTestId<HTMLButtonElement>('token-create')?.click();
    await settle();
    http.expectNone((r) => r.method === 'POST');
    expect(el.querySelector('.field-error')?.textContent).toContain('name');
  });

  it('shows the api refusal with its request id', async () => {
    await open('admin');
    fill('token-name', 'ci 2');
    byTestId<HTMLButtonElement>('token-create')?.click();
    const refusal: ApiErrorBody = {
      statusCode: 403,
      error: 'Forbidden',
      message: 'This needs the admin role',
      requestId: 'req-9',
    };
    http
      .expectOne((r) => r.method === 'POST')
      .flush(refusal, { status: 403, statusText: 'Forbidden' });
    await settle();
    const panel = byTestId('error-panel');
    expect(panel?.textContent).toContain('Could not create the token');
    expect(panel?.textContent).toContain('This needs the admin role');
    expect(panel?.textContent).toContain('req-9');
    expect(byTestId('token-created-secret')).toBeNull();
  });

  it('revokes after confirmation only', async () => {
    await open('admin');
    const confirm = jest
      .spyOn(window, 'confirm')
      .mockReturnValueOnce(false)
      .mockReturnValueOnce(true);
    const revoke = () => byTestId<HTMLButtonElement>('token-revoke')?.click();
    revoke();
    http.expectNone((r) => r.method === 'DELETE');
    revoke();
    http
      .expectOne((r) => r.method === 'DELETE' && r.url === '/api/v1/api-tokens/t1')
      .flush(null, { status: 204, statusText: 'No Content' });
    await fixture.whenStable();
    http
      .expectOne('/api/v1/api-tokens')
      .flush([{ ...TOKEN, revokedAt: '2026-11-25T08:00:00.000Z' }]);
    await settle();
    expect(byTestId('token-row')?.textContent).toContain('revoked');
    // A revoked token has nothing left to revoke.
    expect(byTestId('token-revoke')).toBeNull();
    expect(confirm).toHaveBeenCalledTimes(2);
  });
});
