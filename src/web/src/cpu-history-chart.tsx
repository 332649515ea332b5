/**
 * A small line chart of the machine's CPU use, one point per stored sample, oldest at the
 * left. Loaded on demand (default export for `React.lazy`) because ECharts is large.
 */
import { LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import type { HistoryPoint } from './api-types';
import { formatPercent } from './format';

// Only what this chart draws is registered, which keeps the chunk a fraction of full ECharts.
echarts.use([LineChart, GridComponent, TooltipComponent, SVGRenderer]);

const LINE_COLOR = '#2563eb';

export default function CpuHistoryChart({ history }: { history: HistoryPoint[] }) {
  const container = useRef<HTMLDivElement>(null);
  const known = history.flatMap((point) => (point.cpuPercent === null ? [] : [point.cpuPercent]));

  useEffect(() => {
    if (container.current === null || known.length === 0) return;
    const chart = echarts.init(container.current, undefined, { renderer: 'svg' });
    chart.setOption(chartOption(history));

    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(container.current);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  }, [history, known.length]);

  if (known.length === 0) {
    return <p className="empty-state">No CPU history yet.</p>;
  }
  const average = known.reduce((sum, value) => sum + value, 0) / known.length;
  const peak = Math.max(...known);
  const summary =
    `CPU use over the last ${known.length} samples: ` +
    `average ${formatPercent(average)}, peak ${formatPercent(peak)}`;

  // The drawing is not readable by screen readers, so the summary stands in for it.
  return <div ref={container} className="chart" role="img" aria-label={summary} />;
}

/** Below this many samples the points are drawn, not just the line. */
const FEW_POINTS = 12;

function chartOption(history: HistoryPoint[]): echarts.EChartsCoreOption {
  return {
    animation: false,
    grid: { left: 48, right: 16, top: 12, bottom: 28 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (value: unknown) => (typeof value === 'number' ? formatPercent(value) : '–'),
    },
    xAxis: { type: 'time' },
    yAxis: {
      type: 'value',
      min: 0,
      max: 100,
      interval: 25,
      axisLabel: { formatter: '{value} %' },
    },
    series: [
      {
        name: 'CPU',
        type: 'line',
        // With only a few samples (a new machine) a line has nothing to join: show the points.
        showSymbol: history.length < FEW_POINTS,
        symbolSize: 6,
        // A missing sample is a gap in the line, not a drop to zero.
        connectNulls: false,
        lineStyle: { width: 1.5, color: LINE_COLOR },
        itemStyle: { color: LINE_COLOR },
        areaStyle: { color: LINE_COLOR, opacity: 0.12 },
        data: history.map((point) => [Date.parse(point.at), point.cpuPercent]),
      },
    ],
  };
}
