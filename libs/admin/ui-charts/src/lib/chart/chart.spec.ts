import { Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { ThemeService } from '@autocoder/admin-ui';
import { stubCharts } from '../../testing/echarts-stub';
import { formatSeconds, formatUsd } from './axis';
import { Chart } from './chart';
import type { ChartOptions } from './chart-options';
import { ChartPaletteService, FALLBACK_PALETTE, readChartPalette } from './chart-palette';

@Component({
  imports: [Chart],
  template: `<ac-chart [options]="options()" label="Sessions per hour" height="180px" />`,
})
class Host {
  readonly options = signal<ChartOptions>({ series: [{ type: 'bar', data: [1, 2] }] });
}

describe('Chart', () => {
  it('draws the options it is given, as an image described by its label', async () => {
    const fixture = TestBed.createComponent(Host);
    fixture.detectChanges();
    await new Promise((r) => setTimeout(r)); // ngx-echarts creates the chart after a tick
    await fixture.whenStable();
    const el = (fixture.nativeElement as HTMLElement).querySelector('[echarts]') as HTMLElement;
    expect(el.getAttribute('role')).toBe('img');
    expect(el.getAttribute('aria-label')).toBe('Sessions per hour');
    expect(el.style.height).toBe('180px');
    const chart = stubCharts.at(-1);
    expect(chart?.options).toEqual({ series: [{ type: 'bar', data: [1, 2] }] });

    // New options (new data, or the palette of another theme) reach the same chart.
    fixture.componentInstance.options.set({ series: [{ type: 'line', data: [3] }] });
    fixture.detectChanges();
    await fixture.whenStable();
    expect(chart?.options).toEqual({ series: [{ type: 'line', data: [3] }] });
    fixture.destroy();
    expect(chart?.disposed).toBe(true);
  });
});

describe('chart palette', () => {
  afterEach(() => jest.restoreAllMocks());

  it('falls back to the light colours where styles do not resolve', () => {
    jest.spyOn(window, 'getComputedStyle').mockReturnValue({ color: '' } as CSSStyleDeclaration);
    expect(readChartPalette(document)).toEqual(FALLBACK_PALETTE);
  });

  it('is re-read when the person picks another theme', () => {
    // The browser resolves light-dark() by the scheme on <html>; this fake does the same.
    jest.spyOn(window, 'getComputedStyle').mockImplementation(
      () =>
        ({
          color:
            document.documentElement.getAttribute('data-theme') === 'dark'
              ? 'rgb(230, 234, 240)'
              : 'rgb(31, 41, 51)',
        }) as CSSStyleDeclaration,
    );
    const service = TestBed.inject(ChartPaletteService);
    TestBed.tick();
    expect(service.palette().text).toBe('rgb(31, 41, 51)');
    TestBed.inject(ThemeService).set('dark');
    TestBed.tick();
    expect(service.palette().text).toBe('rgb(230, 234, 240)');
    TestBed.inject(ThemeService).set('system');
    TestBed.tick();
    expect(service.palette().text).toBe('rgb(31, 41, 51)');
  });
});

describe('formats', () => {
  it('writes dollars and durations for people', () => {
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(0.0042)).toBe('$0.0042');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatSeconds(42)).toBe('42 s');
    expect(formatSeconds(720)).toBe('12 min');
    expect(formatSeconds(5400)).toBe('1 h 30 min');
    expect(formatSeconds(7200)).toBe('2 h');
  });
});
