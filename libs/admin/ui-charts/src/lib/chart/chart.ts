import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { NgxEchartsDirective, provideEchartsCore } from 'ngx-echarts';
import type { ChartOptions } from './chart-options';
import { echarts } from './echarts-setup';

/**
 * One dashboard chart: echarts (SVG) sized by its container and redrawn when it resizes; the
 * options come from a pure function of the data and the palette, so a theme change redraws it
 * in the new colours. `label` describes it for screen readers (the drawing itself is an image).
 */
@Component({
  selector: 'ac-chart',
  imports: [NgxEchartsDirective],
  providers: [provideEchartsCore({ echarts })],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div
    echarts
    class="chart"
    role="img"
    [attr.aria-label]="label()"
    [options]="options()"
    [initOpts]="initOpts"
    [autoResize]="true"
    [style.height]="height()"
  ></div>`,
  styles: `
    :host {
      display: block;
      min-width: 0;
    }
    .chart {
      width: 100%;
      /* While a resize is pending (100 ms) the old drawing must not widen the page. */
      overflow: hidden;
    }
  `,
})
export class Chart {
  readonly options = input.required<ChartOptions>();
  readonly label = input.required<string>();
  readonly height = input('240px');
  protected readonly initOpts = { renderer: 'svg' };
}
