import type { ChartPalette } from './chart-palette';
import type { ChartOptions } from './chart-options';

/** The console's sans-serif stack (--ac-font), without the emoji fallbacks. */
export const CHART_FONT =
  "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

/** Text, axes and tooltip in the palette's colours: the part every dashboard chart shares. */
export function baseChartOptions(palette: ChartPalette): ChartOptions {
  return {
    backgroundColor: 'transparent',
    animation: false,
    aria: { enabled: true },
    // A concrete font: echarts measures labels with it (an inherited font would be measured as
    // its default and drawn wider, so labels overlapped and were clipped).
    textStyle: { color: palette.text, fontFamily: CHART_FONT },
    grid: { left: 8, right: 12, top: 32, bottom: 8, containLabel: true },
    legend: {
      top: 0,
      left: 0,
      itemGap: 16,
      itemWidth: 12,
      itemHeight: 8,
      textStyle: { color: palette.muted, fontFamily: CHART_FONT },
    },
    tooltip: {
      trigger: 'axis',
      backgroundColor: palette.surface,
      borderColor: palette.border,
      textStyle: { color: palette.text },
    },
  };
}

/** An axis in the palette's colours (category or value). */
export function axisStyle(palette: ChartPalette) {
  return {
    axisLine: { lineStyle: { color: palette.border } },
    axisTick: { lineStyle: { color: palette.border } },
    axisLabel: { color: palette.muted, hideOverlap: true },
    splitLine: { lineStyle: { color: palette.grid } },
  };
}

/** "$1.23", "$0.004": dollars at a precision that says something for small sums. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (Math.abs(usd) < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** "42 s", "12 min", "1 h 30 min". */
export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
}
