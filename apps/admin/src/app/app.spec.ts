import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { App } from './app';
import { appRoutes } from './app.routes';

describe('App', () => {
  it('shows the AutoCoder top bar', async () => {
    TestBed.configureTestingModule({ providers: [provideRouter([])] });
    const fixture = TestBed.createComponent(App);
    await fixture.whenStable();

    const brand = (fixture.nativeElement as HTMLElement).querySelector('.brand');
    expect(brand?.textContent).toContain('AutoCoder');
  });

  it('redirects the root and unknown paths to the project list', async () => {
    TestBed.configureTestingModule({
      providers: [provideRouter(appRoutes), provideHttpClient(), provideHttpClientTesting()],
    });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/');
    expect(TestBed.inject(Router).url).toBe('/projects');

    await harness.navigateByUrl('/nowhere');
    expect(TestBed.inject(Router).url).toBe('/projects');
  });

  it('routes /projects/new to the form, not to a project called "new"', async () => {
    TestBed.configureTestingModule({
      providers: [provideRouter(appRoutes), provideHttpClient(), provideHttpClientTesting()],
    });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/projects/new');

    const page = harness.routeNativeElement as HTMLElement;
    expect(page.querySelector('[data-testid=create-project-submit]')).not.toBeNull();
  });
});
