/**
 * Charts for briefs as a list of drawing primitives in a box of `width` × `height` points
 * (x to the right, y down, origin top left), so that the SVG writer (chart-svg.ts) and the
 * PDF writer draw the same layout. Pure and deterministic: every coordinate is rounded to
 * 0.01 pt, so the same input gives the same shapes.
 */

export type ChartShape =
  | {
      readonly kind: 'line';
      readonly x1: number;
      readonly y1: number;
      readonly x2: number;
      readonly y2: number;
      readonly stroke: string;
      readonly width: number;
      /** Dash and gap lengths in points; absent for a solid line. */
      readonly dash?: readonly [number, number];
    }
  | {
      readonly kind: 'polyline';
      readonly points: readonly (readonly [number, number])[];
      readonly stroke: string;
      readonly width: number;
    }
  | {
      readonly kind: 'circle';
      readonly cx: number;
      readonly cy: number;
      readonly r: number;
      readonly fill: string;
      readonly stroke: string;
    }
  | {
      readonly kind: 'rect';
      readonly x: number;
      readonly y: number;
      readonly width: number;
      readonly height: number;
      readonly fill: string;
      /** 0–1. */
      readonly opacity: number;
    }
  | {
      readonly kind: 'text';
      readonly x: number;
      readonly y: number;
      readonly text: string;
      /** Font size in points. */
      readonly size: number;
      readonly anchor: 'start' | 'middle' | 'end';
      readonly fill: string;
    };

export interface ChartLayout {
  /** Points. */
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly shapes: readonly ChartShape[];
}

/** One observed value of a series; `anomaly` marks it (e.g. |robust z| ≥ 3). */
export interface ChartPoint {
  /** Milliseconds since the epoch, UTC. */
  readonly atMs: number;
  readonly value: number;
  readonly anomaly: boolean;
}

export interface TimeChartInput {
  readonly title: string;
  readonly points: readonly ChartPoint[];
  /** Times (ms) at which the target was not observable: the line breaks there, shaded. */
  readonly gapsMs: readonly number[];
  /** Fixed y range; absent: from the data with 5 % margins. */
  readonly yDomain?: readonly [number, number];
  /** Draw the line as steps (a value holds until the next), e.g. a probability. */
  readonly step?: boolean;
  /** A horizontal reference (e.g. the prior), dashed, with its label. */
  readonly reference?: { readonly value: number; readonly label: string };
  /** Format for y tick labels; default: up to 3 significant digits. */
  readonly formatY?: (value: number) => string;
  readonly width?: number;
  readonly height?: number;
}

export const CHART_COLORS = {
  axis: '#444444',
  grid: '#dddddd',
  line: '#1f5f99',
  anomaly: '#c0392b',
  gap: '#f0b429',
  reference: '#777777',
  text: '#222222',
} as const;

const round2 = (x: number): number => Math.round(x * 100) / 100;
const DAY_MS = 86_400_000;

function formatDefault(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1000 || abs < 0.01) return value.toExponential(1);
  return String(Number(value.toPrecision(3)));
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

/** Date ticks (ISO day labels) spread over [minMs, maxMs]. */
function timeTicks(minMs: number, maxMs: number, count: number): number[] {
  if (!(maxMs > minMs)) return [minMs];
  const spanDays = (maxMs - minMs) / DAY_MS;
  const stepDays = niceTicks(0, spanDays, count)[1] ?? spanDays;
  const step = Math.max(1, Math.round(stepDays)) * DAY_MS;
  const first = Math.ceil(minMs / DAY_MS) * DAY_MS;
  const ticks: number[] = [];
  for (let t = first; t <= maxMs; t += step) ticks.push(t);
  return ticks;
}

function dayLabel(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * A time chart: axes with ticks, the series as a line broken at not-observable times (each
 * shaded as a band), anomalies as red circles, an optional dashed reference line and a legend.
 * Empty input gives the axes and a "no observations" note.
 */
export function layoutTimeChart(input: TimeChartInput): ChartLayout {
  const width = input.width ?? 480;
  const height = input.height ?? 180;
  const left = 46;
  const right = 10;
  const top = 18;
  const bottom = 30;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const shapes: ChartShape[] = [];
  const points = [...input.points].sort((a, b) => a.atMs - b.atMs);
  const times = [...points.map((p) => p.atMs), ...input.gapsMs];
  let minMs = times.length === 0 ? 0 : Math.min(...times);
  let maxMs = times.length === 0 ? DAY_MS : Math.max(...times);
  if (maxMs - minMs < DAY_MS) {
    minMs -= DAY_MS / 2;
    maxMs += DAY_MS / 2;
  }
  const values = points.map((p) => p.value);
  if (input.reference !== undefined) values.push(input.reference.value);
  let [minY, maxY] = input.yDomain ?? [
    values.length === 0 ? 0 : Math.min(...values),
    values.length === 0 ? 1 : Math.max(...values),
  ];
  if (input.yDomain === undefined) {
    const pad = (maxY - minY) * 0.05 || Math.max(1, Math.abs(maxY) * 0.1);
    minY -= pad;
    maxY += pad;
  }
  const x = (ms: number) => round2(left + ((ms - minMs) / (maxMs - minMs)) * plotW);
  const y = (v: number) => round2(top + plotH - ((v - minY) / (maxY - minY)) * plotH);
  const formatY = input.formatY ?? formatDefault;

  shapes.push({
    kind: 'text',
    x: left,
    y: 11,
    text: input.title,
    size: 9,
    anchor: 'start',
    fill: CHART_COLORS.text,
  });
  for (const tick of niceTicks(minY, maxY, 4)) {
    shapes.push({
      kind: 'line',
      x1: left,
      y1: y(tick),
      x2: left + plotW,
      y2: y(tick),
      stroke: CHART_COLORS.grid,
      width: 0.5,
    });
    shapes.push({
      kind: 'text',
      x: left - 4,
      y: y(tick) + 3,
      text: formatY(tick),
      size: 7,
      anchor: 'end',
      fill: CHART_COLORS.text,
    });
  }
  for (const tick of timeTicks(minMs, maxMs, 5)) {
    shapes.push({
      kind: 'line',
      x1: x(tick),
      y1: top + plotH,
      x2: x(tick),
      y2: top + plotH + 3,
      stroke: CHART_COLORS.axis,
      width: 0.5,
    });
    shapes.push({
      kind: 'text',
      x: x(tick),
      y: top + plotH + 12,
      text: dayLabel(tick),
      size: 7,
      anchor: 'middle',
      fill: CHART_COLORS.text,
    });
  }
  for (const gap of [...input.gapsMs].sort((a, b) => a - b)) {
    shapes.push({
      kind: 'rect',
      x: round2(x(gap) - 2),
      y: top,
      width: 4,
      height: plotH,
      fill: CHART_COLORS.gap,
      opacity: 0.45,
    });
  }
  if (input.reference !== undefined) {
    const ry = y(input.reference.value);
    shapes.push({
      kind: 'line',
      x1: left,
      y1: ry,
      x2: left + plotW,
      y2: ry,
      stroke: CHART_COLORS.reference,
      width: 0.75,
      dash: [3, 2],
    });
    shapes.push({
      kind: 'text',
      x: left + plotW - 2,
      y: round2(ry - 3),
      text: input.reference.label,
      size: 7,
      anchor: 'end',
      fill: CHART_COLORS.reference,
    });
  }
  for (const run of splitAtGaps(points, input.gapsMs)) {
    const line: [number, number][] = [];
    for (const [i, p] of run.entries()) {
      if (input.step === true && i > 0) line.push([x(p.atMs), y(run[i - 1]?.value ?? p.value)]);
      line.push([x(p.atMs), y(p.value)]);
    }
    if (line.length > 1)
      shapes.push({ kind: 'polyline', points: line, stroke: CHART_COLORS.line, width: 1.25 });
  }
  for (const p of points) {
    shapes.push(
      p.anomaly
        ? {
            kind: 'circle',
            cx: x(p.atMs),
            cy: y(p.value),
            r: 3.2,
            fill: CHART_COLORS.anomaly,
            stroke: CHART_COLORS.anomaly,
          }
        : {
            kind: 'circle',
            cx: x(p.atMs),
            cy: y(p.value),
            r: 1.6,
            fill: CHART_COLORS.line,
            stroke: CHART_COLORS.line,
          },
    );
  }
  if (points.length === 0) {
    shapes.push({
      kind: 'text',
      x: round2(left + plotW / 2),
      y: round2(top + plotH / 2),
      text: 'no observations',
      size: 8,
      anchor: 'middle',
      fill: CHART_COLORS.reference,
    });
  }
  shapes.push({
    kind: 'line',
    x1: left,
    y1: top,
    x2: left,
    y2: top + plotH,
    stroke: CHART_COLORS.axis,
    width: 0.75,
  });
  shapes.push({
    kind: 'line',
    x1: left,
    y1: top + plotH,
    x2: left + plotW,
    y2: top + plotH,
    stroke: CHART_COLORS.axis,
    width: 0.75,
  });
  const legendY = height - 4;
  shapes.push({
    kind: 'circle',
    cx: left + 4,
    cy: legendY - 2.5,
    r: 2.5,
    fill: CHART_COLORS.anomaly,
    stroke: CHART_COLORS.anomaly,
  });
  shapes.push({
    kind: 'text',
    x: left + 10,
    y: legendY,
    text: 'anomaly',
    size: 7,
    anchor: 'start',
    fill: CHART_COLORS.text,
  });
  shapes.push({
    kind: 'rect',
    x: left + 60,
    y: legendY - 6,
    width: 4,
    height: 7,
    fill: CHART_COLORS.gap,
    opacity: 0.45,
  });
  shapes.push({
    kind: 'text',
    x: left + 68,
    y: legendY,
    text: 'not observable',
    size: 7,
    anchor: 'start',
    fill: CHART_COLORS.text,
  });
  return { width, height, title: input.title, shapes };
}

/** Consecutive observed points with no not-observable time between them. */
function splitAtGaps(points: readonly ChartPoint[], gapsMs: readonly number[]): ChartPoint[][] {
  const runs: ChartPoint[][] = [];
  let current: ChartPoint[] = [];
  for (const p of points) {
    const previous = current.at(-1);
    if (previous !== undefined && gapsMs.some((g) => g > previous.atMs && g < p.atMs)) {
      runs.push(current);
      current = [];
    }
    current.push(p);
  }
  if (current.length > 0) runs.push(current);
  return runs;
}
