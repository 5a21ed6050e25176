// Only the echarts parts the dashboards draw (line and bar charts on a grid, with tooltip, legend
// and aria descriptions, drawn as SVG), so the lazy chunk stays small: the full `echarts` entry
// is several times larger.
import { BarChart, LineChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([
  LineChart,
  BarChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  AriaComponent,
  SVGRenderer,
]);

export { echarts };
