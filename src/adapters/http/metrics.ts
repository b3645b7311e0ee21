/**
 * A small Prometheus text-format registry (exposition format 0.0.4): counters, gauges and
 * histograms with labels, enough for the server's operations metrics without a client library.
 */

/** Seconds; the upper bounds of the latency histograms (tiles, HTTP requests). */
export const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Seconds; the upper bounds of the job duration histogram (compare, detect, assess). */
export const JOB_BUCKETS_S = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

export type Labels = Readonly<Record<string, string>>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels, extra: Labels = {}): string {
  const all = { ...labels, ...extra };
  const keys = Object.keys(all);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(all[k] ?? '')}"`).join(',')}}`;
}

function keyOf(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

function formatValue(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}

interface Series<T> {
  readonly labels: Labels;
  value: T;
}

interface HistogramValue {
  readonly counts: number[];
  sum: number;
  count: number;
}

/** A histogram: observations counted into cumulative `le` buckets, with their sum and count. */
export class Histogram {
  readonly #series = new Map<string, Series<HistogramValue>>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const key = keyOf(labels);
    let series = this.#series.get(key);
    if (series === undefined) {
      series = { labels, value: { counts: this.buckets.map(() => 0), sum: 0, count: 0 } };
      this.#series.set(key, series);
    }
    const v = series.value;
    this.buckets.forEach((bound, i) => {
      if (value <= bound) v.counts[i] = (v.counts[i] ?? 0) + 1;
    });
    v.sum += value;
    v.count += 1;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, value } of this.#series.values()) {
      this.buckets.forEach((bound, i) => {
        lines.push(
          `${this.name}_bucket${labelText(labels, { le: formatValue(bound) })} ${value.counts[i] ?? 0}`,
        );
      });
      lines.push(`${this.name}_bucket${labelText(labels, { le: '+Inf' })} ${value.count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${formatValue(value.sum)}`);
      lines.push(`${this.name}_count${labelText(labels)} ${value.count}`);
    }
    return lines;
  }
}

/** A counter or gauge. */
export class Scalar {
  readonly #series = new Map<string, Series<number>>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
  ) {}

  inc(labels: Labels, by = 1): void {
    const key = keyOf(labels);
    const series = this.#series.get(key);
    if (series === undefined) this.#series.set(key, { labels, value: by });
    else series.value += by;
  }

  set(labels: Labels, value: number): void {
    this.#series.set(keyOf(labels), { labels, value });
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.#series.values()) {
      lines.push(`${this.name}${labelText(labels)} ${formatValue(value)}`);
    }
    return lines;
  }
}

/** Renders metrics in the Prometheus text format (ends with a newline). */
export function renderMetrics(metrics: readonly (Histogram | Scalar)[]): string {
  return `${metrics.flatMap((m) => m.render()).join('\n')}\n`;
}
