/**
 * Line charts over a time range with ECharts, loaded on demand (this module is its own
 * chunk) because ECharts is most of the app's weight. Only the parts drawn here are
 * registered: line series, grid, tooltip, legend, the SVG renderer.
 */
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { api } from './api';
import { formatBytes, formatDuration, formatPercent, formatZonedTime } from './format';
import { rangeQuery, type TimeRange } from './time-range';
import { useApiCall } from './use-api-call';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type SeriesUnit = 'percent' | 'bytes' | 'duration';

export interface Series {
  name: string;
  unit: SeriesUnit;
  color: string;
  /** [time in milliseconds, value or null for a gap], oldest first. */
  points: Array<[number, number | null]>;
}

const FORMATTERS: Record<SeriesUnit, (value: number) => string> = {
  percent: formatPercent,
  bytes: formatBytes,
  duration: formatDuration,
};

/** Below this many points each one is drawn, not just the line. */
const FEW_POINTS = 12;

interface TimeSeriesChartProps {
  series: Series[];
  range: TimeRange;
  /** What the chart shows, for screen readers and the empty state ("CPU use"). */
  label: string;
}

/** One chart; series of one unit share the axis. A summary stands in for screen readers. */
export function TimeSeriesChart({ series, range, label }: TimeSeriesChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const known = series.flatMap((one) =>
    one.points.flatMap(([, value]) => (value === null ? [] : [value])),
  );

  useEffect(() => {
    if (container.current === null || known.length === 0) return;
    const chart = echarts.init(container.current, undefined, { renderer: 'svg' });
    chart.setOption(chartOption(series, range));
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(container.current);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  }, [series, range, known.length]);

  if (known.length === 0) return <p className="empty-state">No data for {label} in this range.</p>;
  const summary = series
    .map((one) => {
      const values = one.points.flatMap(([, value]) => (value === null ? [] : [value]));
      if (values.length === 0) return `${one.name}: no data`;
      const format = FORMATTERS[one.unit];
      const average = values.reduce((sum, value) => sum + value, 0) / values.length;
      const peak = format(Math.max(...values));
      return `${one.name} over ${values.length} points: average ${format(average)}, peak ${peak}`;
    })
    .join('; ');
  return <div ref={container} className="chart" role="img" aria-label={summary} />;
}

function chartOption(series: Series[], range: TimeRange): echarts.EChartsCoreOption {
  const units = [...new Set(series.map((one) => one.unit))];
  return {
    animation: false,
    grid: { left: 64, right: units.length > 1 ? 64 : 16, top: 28, bottom: 28 },
    legend: { top: 0 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { label: { formatter: (p: { value: number }) => formatZonedTime(p.value) } },
    },
    xAxis: { type: 'time', min: range.fromMillis, max: range.toMillis },
    yAxis: units.map((unit) => ({
      type: 'value',
      min: 0,
      // Percentages fill 0 to 100, unless a sum over processes goes past it.
      ...(unit === 'percent'
        ? { max: (extent: { max: number }) => Math.max(100, extent.max) }
        : {}),
      axisLabel: { formatter: (value: number) => FORMATTERS[unit](value) },
    })),
    series: series.map((one) => ({
      name: one.name,
      type: 'line',
      yAxisIndex: units.indexOf(one.unit),
      showSymbol: one.points.length < FEW_POINTS,
      symbolSize: 6,
      // A missing sample is a gap in the line, not a drop to zero.
      connectNulls: false,
      lineStyle: { width: 1.5, color: one.color },
      itemStyle: { color: one.color },
      tooltip: {
        valueFormatter: (value: unknown) =>
          typeof value === 'number' ? FORMATTERS[one.unit](value) : '–',
      },
      data: one.points,
    })),
  };
}

/** Rows a list chart reads: one page of the list, so a chart never loads a whole list. */
const LIST_CHART_ROWS = 500;

interface ListSeriesChartProps {
  list: string;
  fixed: Record<string, string>;
  range: TimeRange;
  title: string;
}

/**
 * A chart of a list's first duration (or percent) column against its first time column,
 * from one page of the list in the range; the page default export for lazy loading.
 */
export default function ListSeriesChart({ list, fixed, range, title }: ListSeriesChartProps) {
  const params = new URLSearchParams({
    ...fixed,
    ...rangeQuery(range),
    limit: String(LIST_CHART_ROWS),
  });
  const call = useApiCall(() => api.listPage(list, params), `${list}?${params.toString()}`);
  if (call.error !== null) {
    return (
      <p role="alert" className="error">
        {title} could not be loaded: {call.error.message}
      </p>
    );
  }
  if (call.value === null) return <div className="chart-placeholder" />;
  const { columns, rows } = call.value;
  const time = columns.find((column) => column.type === 'time');
  const measure = columns.find((column) => column.type === 'duration' || column.type === 'percent');
  if (time === undefined || measure === undefined) {
    return <p className="empty-state">This list has no time and figure to chart.</p>;
  }
  const points = rows
    .map((row): [number, number | null] => {
      const raw = row[measure.key];
      const value = raw === null || raw === undefined || raw === '' ? NaN : Number(raw);
      return [Date.parse(String(row[time.key])), Number.isFinite(value) ? value : null];
    })
    // Rows without the figure (a logoff has no logon time) are events, not gaps: left out.
    .filter(([at, value]) => !Number.isNaN(at) && value !== null)
    .sort((a, b) => a[0] - b[0]);
  const unit: SeriesUnit = measure.type === 'duration' ? 'duration' : 'percent';
  return (
    <TimeSeriesChart
      series={[{ name: measure.label, unit, color: '#2563eb', points }]}
      range={range}
      label={title}
    />
  );
}
