/**
 * The comparison of dates A → B: the newest stored comparison of exactly that pair, its
 * registration report (shift, residuals, confidence; an unreliable one flagged in red), its
 * change polygons on the map when asked, and downloads of its change mask and magnitude.
 */
import GeoJSON from 'ol/format/GeoJSON.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import { Fill, Stroke, Style } from 'ol/style.js';
import { api, comparisonExportUrl, type Comparison, type Image } from './api.ts';

const geoJson = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' });

const CHANGE_STYLE = new Style({
  stroke: new Stroke({ color: '#ff2d55', width: 2 }),
  fill: new Fill({ color: 'rgba(255, 45, 85, 0.25)' }),
});

function part<T extends Element>(root: HTMLElement, selector: string, type: new () => T): T {
  const found = root.querySelector(selector);
  if (!(found instanceof type)) throw new Error(`#${root.id} lacks its ${selector}`);
  return found;
}

function pixels(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(2)} px`;
}

/** The report's lines: term and value (dx, dy, residuals, confidence, reliable). */
function reportOf(registration: Comparison['registration']): [string, string][] {
  return [
    ['dx, dy', `${registration.dx.toFixed(2)}, ${registration.dy.toFixed(2)} px`],
    ['residual median', pixels(registration.residualMedianPx)],
    ['residual p90', pixels(registration.residualP90Px)],
    ['confidence', registration.confidence.toFixed(2)],
    ['reliable', registration.reliable ? 'yes' : 'NO: shift not applied'],
  ];
}

export class ChangesPanel {
  readonly layer: VectorLayer;
  private readonly source = new VectorSource();
  private readonly toggle: HTMLInputElement;
  private readonly state: HTMLElement;
  private readonly report: HTMLDListElement;
  private readonly exports: HTMLElement;
  private comparison: Comparison | undefined;
  /** Bumped on every `show`, so an older answer arriving late is dropped. */
  private generation = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly onError: (error: unknown) => void,
  ) {
    this.layer = new VectorLayer({
      source: this.source,
      style: CHANGE_STYLE,
      properties: { name: 'changes' },
    });
    this.toggle = part(root, 'input.overlay-changes', HTMLInputElement);
    this.state = part(root, '.changes-state', HTMLElement);
    this.report = part(root, 'dl.registration', HTMLDListElement);
    this.exports = part(root, '.comparison-export', HTMLElement);
    this.toggle.addEventListener('change', () => {
      this.drawPolygons().catch(this.onError);
    });
  }

  /** Finds the comparison of A → B and shows its report (and polygons, when on). */
  async show(a: Image | undefined, b: Image | undefined): Promise<void> {
    const generation = ++this.generation;
    this.comparison = undefined;
    this.source.clear();
    this.report.replaceChildren();
    this.exports.replaceChildren();
    this.root.classList.remove('unreliable');
    if (a === undefined || b === undefined || a.id === b.id) {
      this.state.textContent = 'Pick two different dates.';
      return;
    }
    const comparison = await api.comparisonOf(a.id, b.id);
    if (generation !== this.generation) return;
    if (comparison === undefined) {
      this.state.textContent = 'No comparison of these two dates (run compare A B).';
      return;
    }
    this.comparison = comparison;
    const { registration } = comparison;
    this.root.classList.toggle('unreliable', !registration.reliable);
    this.root.dataset.comparisonId = comparison.id;
    this.state.textContent =
      `${comparison.id}: ${comparison.polygonCount} polygons, ` +
      `${(comparison.changedFraction * 100).toFixed(1)} % changed` +
      (registration.reliable ? '' : ' (UNRELIABLE registration)');
    this.report.replaceChildren(
      ...reportOf(registration).flatMap(([term, value]) => {
        const dt = document.createElement('dt');
        dt.textContent = term;
        const dd = document.createElement('dd');
        dd.textContent = value;
        return [dt, dd];
      }),
    );
    this.exports.replaceChildren(
      ...(['change-mask', 'change-magnitude'] as const).map((what) => {
        const link = document.createElement('a');
        link.href = comparisonExportUrl(comparison.id, what);
        link.download = '';
        link.textContent = `${what} (COG)`;
        link.dataset.export = what;
        return link;
      }),
    );
    await this.drawPolygons();
  }

  /** Whether the polygons are asked for (read afresh after an await). */
  private wanted(): boolean {
    return this.toggle.checked;
  }

  private async drawPolygons(): Promise<void> {
    this.source.clear();
    const comparison = this.comparison;
    if (!this.toggle.checked || comparison === undefined) return;
    const generation = this.generation;
    const changes = await api.changes(comparison.id).catch((error: unknown) => error);
    if (generation !== this.generation || !this.wanted()) return;
    if (changes instanceof Error) {
      this.state.textContent = `${comparison.id}: ${changes.message}`;
      return;
    }
    const drawable = (changes as Awaited<ReturnType<typeof api.changes>>).features.filter(
      (feature) => feature.geometry !== null,
    );
    this.source.addFeatures(
      geoJson.readFeatures({ type: 'FeatureCollection', features: drawable }),
    );
    this.root.dataset.polygons = String(drawable.length);
  }
}
