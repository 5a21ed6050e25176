import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { AuthSession } from '@autocoder/admin-data-access-api';
import type { ApiTokenView, AuthMeView } from '@autocoder/shared-contracts';
import { ApiTokensPage } from './api-tokens-page';

const ME: AuthMeView = {
  userId: 'u1',
  name: 'ada',
  role: 'admin',
  via: 'session',
  authMode: 'oidc',
};
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

describe('ApiTokensPage', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<ApiTokensPage>;
  let el: HTMLElement;

  const open = async (role: 'admin' | 'viewer') => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
    TestBed.inject(AuthSession).me.set({ ...ME, role });
    fixture = TestBed.createComponent(ApiTokensPage);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    http.expectOne('/api/v1/api-tokens').flush([TOKEN]);
    if (role === 'admin') {
      http
        .expectOne((r) => r.url === '/api/v1/projects')
        .flush({ items: [], total: 0, limit: 100, offset: 0 });
    }
    await fixture.whenStable();
    fixture.detectChanges();
  };

  it('lists tokens without secrets; a viewer gets no create or revoke controls', async () => {
    await open('viewer');
    expect(el.querySelectorAll('[data-testid=token-row]')).toHaveLength(1);
    expect(el.textContent).toContain('acp_Xy3k…');
    expect(el.querySelector('[data-testid=token-create]')).toBeNull();
    expect(el.querySelector('[data-testid=token-revoke]')).toBeNull();
  });

  it('creates a token and shows its secret once', async () => {
    await open('admin');
    const name = el.querySelector('[data-testid=token-name]') as HTMLInputElement;
    name.value = 'claude code';
    name.dispatchEvent(new Event('input'));
    (el.querySelector('[data-testid=token-create]') as HTMLButtonElement).click();
    const post = http.expectOne((r) => r.method === 'POST' && r.url === '/api/v1/api-tokens');
    expect(post.request.body).toEqual({ name: 'claude code', role: 'viewer' });
    post.flush({ ...TOKEN, id: 't2', name: 'claude code', token: 'acp_secret-shown-once' });
    await fixture.whenStable();
    http.expectOne('/api/v1/api-tokens').flush([TOKEN]);
    await fixture.whenStable();
    fixture.detectChanges();
    expect(el.querySelector('[data-testid=token-created-secret]')?.textContent).toContain(
      'acp_secret-shown-once',
    );
  });

  it('revokes after confirmation only', async () => {
    await open('admin');
    const confirm = jest
      .spyOn(window, 'confirm')
      .mockReturnValueOnce(false)
      .mockReturnValueOnce(true);
    const revoke = () =>
      (el.querySelector('[data-testid=token-revoke]') as HTMLButtonElement).click();
    revoke();
    http.expectNone((r) => r.method === 'DELETE');
    revoke();
    http.expectOne((r) => r.method === 'DELETE' && r.url === '/api/v1/api-tokens/t1').flush(null);
    await fixture.whenStable();
    http
      .expectOne('/api/v1/api-tokens')
      .flush([{ ...TOKEN, revokedAt: '2026-11-25T08:00:00.000Z' }]);
    await fixture.whenStable();
    fixture.detectChanges();
    expect(el.textContent).toContain('revoked');
    expect(confirm).toHaveBeenCalledTimes(2);
  });
});
