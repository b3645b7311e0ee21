/**
 * A compact timeline of a site's images that stays light with hundreds of dates: a histogram of
 * images over time (at most MAX_BINS bars, whatever the count), the positions of A and B marked
 * on it, and a slider for B that steps one image per arrow key (Page Up/Down, Home/End too).
 * Clicking a bar makes its first image B.
 */
import { svg, svgTitle } from './svg.ts';

/** At most this many bars, so 500 or 5,000 images draw the same few elements. */
export const MAX_BINS = 48;

const WIDTH = 280;
const HEIGHT = 40;

export interface TimelineBin {
  /** Index (in the sorted dates) of the bin's first image; -1 when it holds none. */
  readonly first: number;
  readonly count: number;
  readonly startMs: number;
  readonly endMs: number;
}

/** Splits sorted acquisition times into at most MAX_BINS equal spans of time. */
export function binDates(timesMs: readonly number[], maxBins = MAX_BINS): TimelineBin[] {
  const firstMs = timesMs[0];
  const lastMs = timesMs[timesMs.length - 1];
  if (firstMs === undefined || lastMs === undefined) return [];
  const count = Math.max(1, Math.min(maxBins, timesMs.length));
  const spanMs = Math.max(1, lastMs - firstMs) / count;
  const bins = Array.from({ length: count }, (_, index) => ({
    first: -1,
    count: 0,
    startMs: firstMs + index * spanMs,
    endMs: firstMs + (index + 1) * spanMs,
  }));
  timesMs.forEach((atMs, index) => {
    const bin = bins[Math.min(count - 1, Math.floor((atMs - firstMs) / spanMs))];
    if (bin === undefined) return;
    if (bin.first < 0) bin.first = index;
    bin.count++;
  });
  return bins;
}

export class Timeline {
  private readonly chart: SVGSVGElement;
  private readonly slider: HTMLInputElement;
  private readonly label: HTMLElement;
  private dates: readonly string[] = [];
  private timesMs: number[] = [];

  constructor(
    root: HTMLElement,
    private readonly onPickB: (index: number) => void,
  ) {
    const chart = root.querySelector('svg');
    const slider = root.querySelector('input[type=range]');
    const label = root.querySelector('.timeline-date');
    if (
      chart === null ||
      !(slider instanceof HTMLInputElement) ||
      !(label instanceof HTMLElement)
    ) {
      throw new Error(`#${root.id} lacks its histogram, slider or date line`);
    }
    this.chart = chart;
    this.slider = slider;
    this.label = label;
    this.chart.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    this.slider.addEventListener('input', () => {
      this.onPickB(Number(this.slider.value));
    });
  }

  /** Draws the histogram of `dates` (ISO 8601, oldest first) and marks A and B. */
  show(dates: readonly string[], aIndex: number, bIndex: number): void {
    this.dates = dates;
    this.timesMs = dates.map((date) => Date.parse(date));
    this.slider.max = String(Math.max(0, dates.length - 1));
    this.slider.disabled = dates.length < 2;
    this.draw(aIndex, bIndex);
  }

  /** Moves the marks (and the slider) to A and B. */
  mark(aIndex: number, bIndex: number): void {
    this.draw(aIndex, bIndex);
  }

  private xOf(atMs: number): number {
    const first = this.timesMs[0] ?? 0;
    const last = this.timesMs[this.timesMs.length - 1] ?? first;
    return last === first ? WIDTH / 2 : ((atMs - first) / (last - first)) * (WIDTH - 2) + 1;
  }

  private draw(aIndex: number, bIndex: number): void {
    const bins = binDates(this.timesMs);
    const most = Math.max(1, ...bins.map((bin) => bin.count));
    const barWidth = WIDTH / Math.max(1, bins.length);
    const bars = bins.map((bin, index) => {
      const height = bin.count === 0 ? 0 : Math.max(2, (bin.count / most) * (HEIGHT - 8));
      const bar = svg('rect', {
        class: 'bin',
        x: index * barWidth + 0.5,
        y: HEIGHT - height,
        width: Math.max(1, barWidth - 1),
        height,
        'data-count': bin.count,
      });
      const from = new Date(bin.startMs).toISOString().slice(0, 10);
      const to = new Date(bin.endMs).toISOString().slice(0, 10);
      bar.append(svgTitle(`${bin.count} image${bin.count === 1 ? '' : 's'}, ${from} – ${to}`));
      if (bin.first >= 0) {
        bar.addEventListener('click', () => {
          this.onPickB(bin.first);
        });
      }
      return bar;
    });
    const marks = (
      [
        ['A', aIndex],
        ['B', bIndex],
      ] as const
    ).flatMap(([name, index]) => {
      const atMs = this.timesMs[index];
      if (atMs === undefined) return [];
      const x = this.xOf(atMs);
      return [
        svg('line', { class: `mark mark-${name.toLowerCase()}`, x1: x, x2: x, y1: 0, y2: HEIGHT }),
      ];
    });
    this.chart.replaceChildren(...bars, ...marks);
    this.slider.value = String(Math.max(0, bIndex));
    const b = this.dates[bIndex];
    this.label.textContent =
      b === undefined ? '' : `B ${b.slice(0, 10)} (${bIndex + 1} of ${this.dates.length})`;
  }
}
