import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { AuthSession } from '@autocoder/admin-data-access-api';
import type { AuthMeView } from '@autocoder/shared-contracts';
import { App } from './app';
import { appRoutes } from './app.routes';

const ADMIN: AuthMeView = {
  userId: 'u1',
  name: 'admin@autocoder.local',
  role: 'admin',
  via: 'session',
  authMode: 'oidc',
  errorReports: null,
};

describe('App', () => {
  const setup = (routes = appRoutes) => {
    TestBed.configureTestingModule({
      providers: [provideRouter(routes), provideHttpClient(), provideHttpClientTesting()],
    });
    return TestBed.inject(HttpTestingController);
  };

  it('shows who is signed in, their role and a sign-out button', async () => {
    const http = setup([]);
    const fixture = TestBed.createComponent(App);
    fixture.detectChanges();
    http.expectOne('/api/v1/auth/me').flush(ADMIN);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('.brand')?.textContent).toContain('AutoCoder');
    expect(el.querySelector('[data-testid=user-name]')?.textContent).toContain(
      'admin@autocoder.local',
    );
    expect(el.querySelector('[data-testid=user-role]')?.textContent).toContain('admin');
    expect(el.querySelector('[data-testid=sign-out]')).not.toBeNull();
    expect(el.querySelector('[data-testid=sign-in-panel]')).toBeNull();
  });

  it('links API tokens for everyone and the audit trail for admins only', async () => {
    for (const role of ['admin', 'viewer'] as const) {
      TestBed.resetTestingModule();
      const http = setup([]);
      const fixture = TestBed.createComponent(App);
      fixture.detectChanges();
      http.expectOne('/api/v1/auth/me').flush({ ...ADMIN, role });
      await fixture.whenStable();
      const el = fixture.nativeElement as HTMLElement;
      expect(el.querySelector('[data-testid=nav-tokens]')?.getAttribute('href')).toBe(
        '/settings/tokens',
      );
      const audit = el.querySelector('[data-testid=nav-audit]');
      if (role === 'admin') expect(audit?.getAttribute('href')).toBe('/audit');
      else expect(audit).toBeNull();
      // The queue view is the api's page (bull-board), for admins only.
      const queues = el.querySelector('[data-testid=nav-queues]');
      if (role === 'admin') expect(queues?.getAttribute('href')).toBe('/api/v1/admin/queues');
      else expect(queues).toBeNull();
    }
  });

  it('shows how many questions wait across projects once signed in', async () => {
    const http = setup([]);
    const fixture = TestBed.createComponent(App);
    fixture.detectChanges();
    http.expectOne('/api/v1/auth/me').flush(ADMIN);
    await fixture.whenStable();
    http.expectOne('/api/v1/questions').flush({ total: 3, items: [] });
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('[data-testid=needs-you-count]')?.textContent?.trim()).toBe('3');
  });

  it('offers to sign in when the api answers 401', async () => {
    const http = setup([]);
    const fixture = TestBed.createComponent(App);
    fixture.detectChanges();
    http
      .expectOne('/api/v1/auth/me')
      .flush({ statusCode: 401, message: 'Sign in' }, { status: 401, statusText: 'Unauthorized' });
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('[data-testid=sign-in]')).not.toBeNull();
    expect(el.querySelector('[data-testid=signed-in]')).toBeNull();
    expect(el.querySelector('router-outlet')).toBeNull();
  });

  it('redirects the root and unknown paths to the project list', async () => {
    setup();
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/');
    expect(TestBed.inject(Router).url).toBe('/projects');

    await harness.navigateByUrl('/nowhere');
    expect(TestBed.inject(Router).url).toBe('/projects');
  });

  it('routes /projects/new to the form for an admin, back to the list for a viewer', async () => {
    setup();
    const auth = TestBed.inject(AuthSession);
    auth.me.set(ADMIN);
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/projects/new');
    const page = harness.routeNativeElement as HTMLElement;
    expect(page.querySelector('[data-testid=create-project-submit]')).not.toBeNull();

    auth.me.set({ ...ADMIN, role: 'viewer' });
    await harness.navigateByUrl('/projects');
    await harness.navigateByUrl('/projects/new');
    expect(TestBed.inject(Router).url).toBe('/projects');
  });

  it('waits for the session before deciding a deep link to an admin page', async () => {
    const http = setup();
    const harness = await RouterTestingHarness.create();
    // The router decides before /auth/me has answered (a deep link on a fresh page load).
    const navigation = harness.navigateByUrl('/audit');
    await new Promise((resolve) => setTimeout(resolve, 0));
    http.expectOne('/api/v1/auth/me').flush(ADMIN);
    await navigation;
    expect(TestBed.inject(Router).url).toBe('/audit');
    http.match(() => true);
  });

  it('loads the API tokens page for anyone, the audit page for admins only', async () => {
    const http = setup();
    const auth = TestBed.inject(AuthSession);
    auth.me.set({ ...ADMIN, role: 'viewer' });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/settings/tokens');
    expect(harness.routeNativeElement?.querySelector('h1')?.textContent).toContain('API tokens');
    await harness.navigateByUrl('/audit');
    expect(TestBed.inject(Router).url).toBe('/projects');

    auth.me.set(ADMIN);
    await harness.navigateByUrl('/audit');
    expect(TestBed.inject(Router).url).toBe('/audit');
    expect(harness.routeNativeElement?.querySelector('h1')?.textContent).toContain('Audit trail');
    // The pages' own requests are not this test's concern.
    http.match(() => true);
  });

  it('starts with a skip link to the page and offers the theme choice in the top bar', async () => {
    const http = setup([]);
    const fixture = TestBed.createComponent(App);
    fixture.detectChanges();
    http.expectOne('/api/v1/auth/me').flush(ADMIN);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    document.body.appendChild(el);

    const skip = el.querySelector('a, button, select') as HTMLAnchorElement;
    expect(skip.textContent).toContain('Skip to content');
    skip.click();
    expect(document.activeElement?.id).toBe('content');
    expect(el.querySelector('.topbar [data-testid=theme-toggle]')).not.toBeNull();
    el.remove();
  });
});
