import { describe, expect, it } from 'vitest';
import { CHART_COLORS, layoutTimeChart, niceTicks, type ChartShape } from './chart.ts';
import { chartToSvg, escapeXml } from './chart-svg.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2019, 0, 1);

const polylines = (shapes: readonly ChartShape[]) =>
  shapes.filter((s): s is Extract<ChartShape, { kind: 'polyline' }> => s.kind === 'polyline');

describe('layoutTimeChart', () => {
  const points = [0, 1, 2, 3, 4, 5].map((d) => ({
    atMs: T0 + d * DAY,
    value: d === 4 ? 20 : 5 + (d % 2),
    anomaly: d === 4,
  }));

  it('breaks the line at a not-observable time and shades it, never drawing a zero there', () => {
    const chart = layoutTimeChart({ title: 'vehicles', points, gapsMs: [T0 + 2.5 * DAY] });
    const lines = polylines(chart.shapes);
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => l.points.length)).toEqual([3, 3]);
    const gaps = chart.shapes.filter((s) => s.kind === 'rect' && s.height > 10);
    expect(gaps).toHaveLength(1);
  });

  it('marks anomalies with larger red circles', () => {
    const chart = layoutTimeChart({ title: 'vehicles', points, gapsMs: [] });
    const circles = chart.shapes.filter((s) => s.kind === 'circle' && s.r > 3);
    expect(circles).toHaveLength(1);
    expect(circles[0]).toMatchObject({ fill: CHART_COLORS.anomaly });
    expect(polylines(chart.shapes)).toHaveLength(1);
  });

  it('keeps every shape inside the box and is deterministic', () => {
    const a = layoutTimeChart({ title: 't', points, gapsMs: [T0 + 10 * DAY] });
    const b = layoutTimeChart({ title: 't', points, gapsMs: [T0 + 10 * DAY] });
    expect(chartToSvg(a)).toBe(chartToSvg(b));
    for (const s of a.shapes) {
      if (s.kind === 'circle') {
        expect(s.cx).toBeGreaterThanOrEqual(0);
        expect(s.cx).toBeLessThanOrEqual(a.width);
        expect(s.cy).toBeLessThanOrEqual(a.height);
      }
    }
  });

  it('draws steps for a probability and a dashed prior', () => {
    const chart = layoutTimeChart({
      title: 'p',
      points: [
        { atMs: T0, value: 0.1, anomaly: false },
        { atMs: T0 + DAY, value: 0.6, anomaly: false },
      ],
      gapsMs: [],
      yDomain: [0, 1],
      step: true,
      reference: { value: 0.1, label: 'prior' },
    });
    const [line] = polylines(chart.shapes);
    expect(line?.points).toHaveLength(3);
    expect(line?.points[1]?.[1]).toBe(line?.points[0]?.[1]);
    expect(chart.shapes.some((s) => s.kind === 'line' && s.dash !== undefined)).toBe(true);
  });

  it('says so when there is nothing to draw', () => {
    const chart = layoutTimeChart({ title: 'empty', points: [], gapsMs: [] });
    expect(chart.shapes.some((s) => s.kind === 'text' && s.text === 'no observations')).toBe(true);
  });
});

describe('niceTicks', () => {
  it('gives round steps covering the range', () => {
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(3, 27, 5)).toEqual([5, 10, 15, 20, 25]);
  });
});

describe('chartToSvg', () => {
  it('escapes text', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    const svg = chartToSvg(layoutTimeChart({ title: 'a < b', points: [], gapsMs: [] }));
    expect(svg).toContain('a &lt; b');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });
});
