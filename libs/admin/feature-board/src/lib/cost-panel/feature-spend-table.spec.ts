import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { featureSpend } from '../testing/fixtures';
import { FeatureSpendTable, SPEND_ROWS_SHOWN } from './feature-spend-table';

describe('FeatureSpendTable', () => {
  it('sorts by column and shows the top 20 until asked for all', () => {
    TestBed.configureTestingModule({ providers: [provideRouter([])] });
    const fixture = TestBed.createComponent(FeatureSpendTable);
    // Most expensive first, as the api sends them.
    const features = Array.from({ length: 25 }, (_, i) => featureSpend(i, 30 - i, i % 3));
    fixture.componentRef.setInput('features', features);
    fixture.componentRef.setInput('projectId', 'p1');
    TestBed.tick();
    const el = fixture.nativeElement as HTMLElement;
    const rows = () => Array.from(el.querySelectorAll('[data-testid=feature-spend-row]'));
    const click = (id: string) => {
      (el.querySelector(`[data-testid=${id}]`) as HTMLButtonElement).click();
      TestBed.tick();
    };

    expect(rows()).toHaveLength(SPEND_ROWS_SHOWN);
    expect(rows()[0].textContent).toContain('Feature 00');
    expect(rows()[0].querySelector('a')?.getAttribute('href')).toBe('/projects/p1/features/f0');
    expect(el.querySelector('th[aria-sort=descending]')?.textContent).toContain('Total');

    click('sort-regressionUsd');
    expect(rows()[0].querySelectorAll('td')[2].textContent?.trim()).toBe('$2.00');
    expect(el.querySelector('th[aria-sort=descending]')?.textContent).toContain('Regression');
    click('sort-regressionUsd');
    expect(rows()[0].querySelectorAll('td')[2].textContent?.trim()).toBe('$0.00');
    expect(el.querySelector('th[aria-sort=ascending]')?.textContent).toContain('Regression');

    click('sort-name');
    expect(rows()[0].textContent).toContain('Feature 00');
    click('sort-name');
    expect(rows()[0].textContent).toContain('Feature 24');

    click('spend-show-all');
    expect(rows()).toHaveLength(25);
    expect(el.querySelector('[data-testid=spend-show-all]')?.textContent).toContain('top 20');
  });

  it('says so when nothing has cost anything yet', () => {
    TestBed.configureTestingModule({ providers: [provideRouter([])] });
    const fixture = TestBed.createComponent(FeatureSpendTable);
    fixture.componentRef.setInput('features', []);
    fixture.componentRef.setInput('projectId', 'p1');
    TestBed.tick();
    expect((fixture.nativeElement as HTMLElement).textContent).toContain('No feature has cost');
  });
});
