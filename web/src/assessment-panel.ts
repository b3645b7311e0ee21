/**
 * The assessment panel: the analyst opens a playbook file (YAML or JSON, parsed here and sent
 * as the body of POST /api/assessments), as of now or of a chosen day; the panel shows the probability over time and the
 * evidence trail. Clicking a piece of evidence jumps the map to its site and image; confirm or
 * reject (with the reason typed above the list) records a review of its indicator and the
 * assessment is computed again, showing the evidence it overrode.
 */
import { parse } from 'yaml';
import { api, type Assessment, type Evidence } from './api.ts';
import { svg, svgTitle } from './svg.ts';

const WIDTH = 280;
const HEIGHT = 90;
const MARGIN = 6;

export class AssessmentPanel {
  private readonly file: HTMLInputElement;
  private readonly reason: HTMLInputElement;
  private readonly asOf: HTMLInputElement;
  private readonly state: HTMLElement;
  private readonly chart: SVGSVGElement;
  private readonly list: HTMLOListElement;
  private playbook: unknown;

  constructor(
    root: HTMLElement,
    private readonly onEvidence: (siteId: string, imageId: string | null) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    const part = <T extends Element>(selector: string, type: abstract new () => T): T => {
      const found = root.querySelector(selector);
      if (!(found instanceof type)) throw new Error(`#${root.id} lacks its ${selector}`);
      return found;
    };
    this.file = part('input[type=file]', HTMLInputElement);
    this.reason = part('input.review-reason', HTMLInputElement);
    this.asOf = part('input.as-of', HTMLInputElement);
    this.state = part('.assessment-state', HTMLElement);
    this.chart = part('svg', SVGSVGElement);
    this.list = part('ol', HTMLOListElement);
    this.chart.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    this.file.addEventListener('change', () => {
      this.open().catch(this.onError);
    });
    this.asOf.addEventListener('change', () => {
      if (this.playbook !== undefined) this.assess().catch(this.onError);
    });
  }

  private async open(): Promise<void> {
    const chosen = this.file.files?.[0];
    if (chosen === undefined) return;
    const text = await chosen.text();
    try {
      // YAML is a superset of JSON: one parser reads both.
      this.playbook = parse(text) as unknown;
    } catch (error) {
      throw new Error(`${chosen.name} is not YAML or JSON: ${String(error)}`, { cause: error });
    }
    await this.assess();
  }

  private async assess(): Promise<void> {
    this.state.textContent = 'Assessing…';
    // The end of the chosen day, so that its observations count.
    const asOf = this.asOf.value === '' ? '' : `${this.asOf.value}T23:59:59Z`;
    const assessment = await api.assess(this.playbook, asOf);
    this.drawTrajectory(assessment);
    this.list.replaceChildren(...assessment.evidence.map((item) => this.itemOf(assessment, item)));
    const overridden = assessment.evidence.filter((item) => item.overridden).length;
    this.state.textContent =
      `${assessment.title}: ${(assessment.probability * 100).toFixed(0)} % as of ` +
      assessment.asOf.slice(0, 10) +
      (overridden === 0 ? '' : ` (${overridden} overridden by review)`);
  }

  private drawTrajectory(assessment: Assessment): void {
    const points = assessment.trajectory;
    this.chart.replaceChildren();
    const times = points.map((point) => Date.parse(point.at));
    const firstMs = Math.min(...times);
    const spanMs = Math.max(...times) - firstMs || 1;
    const x = (atMs: number): number => MARGIN + ((atMs - firstMs) / spanMs) * (WIDTH - 2 * MARGIN);
    const y = (probability: number): number =>
      HEIGHT - MARGIN - probability * (HEIGHT - 2 * MARGIN);
    this.chart.append(
      svg('line', { class: 'half', x1: MARGIN, x2: WIDTH - MARGIN, y1: y(0.5), y2: y(0.5) }),
      svg('polyline', {
        class: 'line',
        points: points
          .map(
            (point) => `${x(Date.parse(point.at)).toFixed(1)},${y(point.probability).toFixed(1)}`,
          )
          .join(' '),
      }),
    );
    for (const point of points) {
      const dot = svg('circle', {
        class: 'point',
        cx: x(Date.parse(point.at)),
        cy: y(point.probability),
        r: 2.5,
        'data-at': point.at,
      });
      dot.append(svgTitle(`${point.at.slice(0, 10)}: ${(point.probability * 100).toFixed(0)} %`));
      this.chart.append(dot);
    }
  }

  private itemOf(assessment: Assessment, item: Evidence): HTMLLIElement {
    const entry = document.createElement('li');
    entry.dataset.indicator = item.indicator;
    entry.classList.toggle('overridden', item.overridden);
    const jump = document.createElement('button');
    jump.type = 'button';
    jump.className = 'jump';
    const sign = item.logLikelihoodRatio >= 0 ? '+' : '−';
    jump.textContent =
      `${item.indicator} ${sign}${Math.abs(item.logLikelihoodRatio).toFixed(2)}` +
      (item.observedAt === null ? '' : ` (${item.observedAt.slice(0, 10)})`);
    jump.title = `${item.reason} — show ${item.site} on the map`;
    jump.addEventListener('click', () => {
      this.onEvidence(item.site, item.sources.find((source) => source.imageId)?.imageId ?? null);
    });
    entry.append(jump);
    if (item.overridden && item.review) {
      const note = document.createElement('span');
      note.className = 'review';
      note.textContent = `${item.review.verdict}ed: ${item.review.reason}`;
      entry.append(note);
    }
    for (const verdict of ['confirm', 'reject'] as const) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = verdict;
      button.textContent = verdict === 'confirm' ? 'Confirm' : 'Reject';
      button.addEventListener('click', () => {
        this.review(`${assessment.hypothesis}/${item.indicator}`, verdict).catch(this.onError);
      });
      entry.append(button);
    }
    return entry;
  }

  private async review(targetId: string, verdict: 'confirm' | 'reject'): Promise<void> {
    const reason = this.reason.value.trim();
    if (reason === '') {
      this.state.textContent = `Type a reason to ${verdict} ${targetId}.`;
      this.reason.focus();
      return;
    }
    await api.reviewIndicator(targetId, verdict, reason);
    this.reason.value = '';
    await this.assess();
  }
}
