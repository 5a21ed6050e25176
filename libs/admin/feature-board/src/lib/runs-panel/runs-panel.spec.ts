import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { run } from '../testing/fixtures';
import { RunsPanel } from './runs-panel';

@Component({ template: '' })
class Blank {}

describe('RunsPanel', () => {
  function render() {
    TestBed.configureTestingModule({
      providers: [provideRouter([{ path: '**', component: Blank }])],
    });
    const fixture = TestBed.createComponent(RunsPanel);
    fixture.componentRef.setInput('projectId', 'p1');
    fixture.componentRef.setInput('runs', [
      run('running', {
        id: 'r2',
        role: 'coding',
        costUsd: 0.5,
        features: [
          { id: 'f1', name: 'Login form', status: 'in_progress' },
          { id: 'f2', name: 'Logout', status: 'pending' },
        ],
      }),
      run('succeeded', { id: 'r1', role: 'initializer', costUsd: 0.0123 }),
    ]);
    fixture.componentRef.setInput('total', 2);
    TestBed.tick();
    return fixture.nativeElement as HTMLElement;
  }

  it('names the features of each run, linked, and its cost', () => {
    const el = render();
    const rows = el.querySelectorAll('[data-testid=run-row]');
    const links = rows[0].querySelectorAll('[data-testid=run-features] a');
    expect(Array.from(links).map((a) => a.textContent)).toEqual(['Login form', 'Logout']);
    expect(links[0].getAttribute('href')).toBe('/projects/p1/features/f1');
    expect(rows[0].querySelector('[data-testid=run-cost]')?.textContent?.trim()).toBe('$0.50');
    expect(rows[1].querySelector('[data-testid=run-features]')?.textContent?.trim()).toBe(
      'backlog',
    );
    expect(rows[1].querySelector('[data-testid=run-cost]')?.textContent?.trim()).toBe('$0.0123');
  });

  it("opens a run's log at its own address, by link or by clicking the row", async () => {
    const el = render();
    const link = el.querySelector('[data-testid=run-link]');
    expect(link?.getAttribute('href')).toBe('/projects/p1/runs/r2');
    (el.querySelectorAll('[data-testid=run-row]')[1] as HTMLElement).click();
    const router = TestBed.inject(Router);
    // Navigation is asynchronous: wait until it lands.
    for (let i = 0; i < 50 && router.url !== '/projects/p1/runs/r1'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(router.url).toBe('/projects/p1/runs/r1');
  });
});
