// Stands in for echarts' ES modules under jest (see jest.config.cts): records what a chart was
// given, so a spec can check the options that reached it, and draws nothing.
export interface StubChart {
  options: unknown;
  disposed: boolean;
}

export const stubCharts: StubChart[] = [];

export function use(): void {
  /* registering parts does nothing here */
}

export function init(): object {
  const record: StubChart = { options: undefined, disposed: false };
  stubCharts.push(record);
  return {
    setOption: (options: unknown) => (record.options = options),
    resize: () => undefined,
    dispose: () => (record.disposed = true),
    isDisposed: () => record.disposed,
    on: () => undefined,
    off: () => undefined,
    showLoading: () => undefined,
    hideLoading: () => undefined,
  };
}

// The named parts echarts-setup.ts registers.
export const LineChart = {};
export const BarChart = {};
export const GridComponent = {};
export const TooltipComponent = {};
export const LegendComponent = {};
export const AriaComponent = {};
export const SVGRenderer = {};
