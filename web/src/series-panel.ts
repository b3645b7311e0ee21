/**
 * The time-series panel: one zone-and-metric series of the selected site at a time, drawn as a
 * small SVG chart. Observed values are joined by a line that breaks where the zone could not be
 * seen; those "not observable" times are hatched bands, never zeros. Points whose robust
 * anomaly score reaches ANOMALY_SCORE are marked. Clicking a point asks for that date as B.
 */
import { api, type ScoredSeries, type Site } from './api.ts';
import { svg, svgTitle } from './svg.ts';

/** |robust z-score| from which a point is drawn as an anomaly. */
export const ANOMALY_SCORE = 3;

const WIDTH = 280;
const HEIGHT = 140;
const MARGIN = { left: 28, right: 8, top: 8, bottom: 18 };

export class SeriesPanel {
  private readonly select: HTMLSelectElement;
  private readonly state: HTMLElement;
  private readonly chart: SVGSVGElement;
  private series: ScoredSeries[] = [];
  private site: Site | undefined;

  constructor(
    root: HTMLElement,
    private readonly onSelectDate: (atIso: string) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    const select = root.querySelector('select');
    const state = root.querySelector('.series-state');
    const chart = root.querySelector('svg');
    if (select === null || !(state instanceof HTMLElement) || chart === null) {
      throw new Error(`#${root.id} lacks its select, state line or svg`);
    }
    this.select = select;
    this.state = state;
    this.chart = chart;
    this.chart.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    this.select.addEventListener('change', () => {
      this.draw();
    });
  }

  /** Loads and draws the series of `site` (the first one until another is chosen). */
  async show(site: Site): Promise<void> {
    this.site = site;
    try {
      this.series = await api.series(site.id);
    } catch (error) {
      this.series = [];
      this.onError(error);
    }
    if (this.site !== site) return;
    this.select.replaceChildren(
      ...this.series.map((item, index) => new Option(this.labelOf(item), String(index))),
    );
    this.select.hidden = this.series.length === 0;
    this.draw();
  }

  private labelOf(item: ScoredSeries): string {
    const { zoneId, metric } = item.series.key;
    const zone = this.site?.zones.find((candidate) => candidate.id === zoneId);
    return `${zoneId === null ? 'whole site' : (zone?.name ?? zoneId)} · ${metric}`;
  }

  private draw(): void {
    const item = this.series[Number(this.select.value)];
    this.chart.replaceChildren();
    if (item === undefined) {
      this.state.textContent = this.site === undefined ? '' : 'No observations of this site.';
      return;
    }
    const { scored } = item;
    const gaps = item.series.notObservable;
    const times = [...scored.map((point) => point.atMs), ...gaps.map((point) => point.atMs)];
    const firstMs = Math.min(...times);
    const spanMs = Math.max(...times) - firstMs || 1;
    const maxValue = Math.max(1, ...scored.map((point) => point.value));
    const x = (atMs: number): number =>
      MARGIN.left + ((atMs - firstMs) / spanMs) * (WIDTH - MARGIN.left - MARGIN.right);
    const y = (value: number): number =>
      HEIGHT - MARGIN.bottom - (value / maxValue) * (HEIGHT - MARGIN.top - MARGIN.bottom);
    const bottom = y(0);

    const hatch = svg('pattern', {
      id: 'series-hatch',
      width: 6,
      height: 6,
      patternUnits: 'userSpaceOnUse',
      patternTransform: 'rotate(45)',
    });
    hatch.append(svg('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#8890a0', 'stroke-width': 2 }));
    const defs = svg('defs', {});
    defs.append(hatch);
    this.chart.append(defs);

    // A band from the observed point before each unseen time to the one after it.
    for (const gap of gaps) {
      const before = scored.filter((point) => point.atMs < gap.atMs).at(-1);
      const after = scored.find((point) => point.atMs > gap.atMs);
      const left = before === undefined ? x(gap.atMs) - 4 : x(before.atMs);
      const right = after === undefined ? x(gap.atMs) + 4 : x(after.atMs);
      const band = svg('rect', {
        class: 'gap',
        x: left,
        y: MARGIN.top,
        width: Math.max(2, right - left),
        height: bottom - MARGIN.top,
        'data-at': gap.at,
      });
      band.append(svgTitle(`${gap.at.slice(0, 10)}: not observable`));
      this.chart.append(band);
    }

    // The line, broken wherever an unseen time falls between two observed points.
    let path = '';
    scored.forEach((point, index) => {
      const previous = scored[index - 1];
      const broken =
        previous === undefined ||
        gaps.some((gap) => gap.atMs > previous.atMs && gap.atMs < point.atMs);
      path += `${broken ? 'M' : 'L'}${x(point.atMs).toFixed(1)},${y(point.value).toFixed(1)}`;
    });
    if (path !== '') this.chart.append(svg('path', { class: 'line', d: path }));

    for (const point of scored) {
      const anomaly = point.anomalyScore !== null && Math.abs(point.anomalyScore) >= ANOMALY_SCORE;
      const dot = svg('circle', {
        class: anomaly ? 'point anomaly' : 'point',
        cx: x(point.atMs),
        cy: y(point.value),
        r: anomaly ? 4.5 : 3,
        'data-at': point.at,
      });
      dot.append(
        svgTitle(
          `${point.at.slice(0, 10)}: ${point.value}` +
            (point.anomalyScore === null ? '' : ` (score ${point.anomalyScore.toFixed(1)})`),
        ),
      );
      dot.addEventListener('click', () => {
        this.onSelectDate(point.at);
      });
      this.chart.append(dot);
    }

    for (const [text, atX, anchor] of [
      [new Date(firstMs).toISOString().slice(0, 10), MARGIN.left, 'start'],
      [new Date(firstMs + spanMs).toISOString().slice(0, 10), WIDTH - MARGIN.right, 'end'],
    ] as const) {
      const label = svg('text', { class: 'axis', x: atX, y: HEIGHT - 4, 'text-anchor': anchor });
      label.textContent = text;
      this.chart.append(label);
    }
    const top = svg('text', { class: 'axis', x: 2, y: MARGIN.top + 8 });
    top.textContent = String(maxValue);
    this.chart.append(top);

    const anomalies = scored.filter(
      (point) => point.anomalyScore !== null && Math.abs(point.anomalyScore) >= ANOMALY_SCORE,
    ).length;
    this.state.textContent = `${scored.length} observed, ${gaps.length} not observable, ${anomalies} anomal${anomalies === 1 ? 'y' : 'ies'}`;
  }
}
