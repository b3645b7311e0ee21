/**
 * The map: no external base map (the workbench runs offline), site and zone polygons with
 * labels, and two imagery layers A and B from the tile route. B is drawn over A either clipped
 * left of the swipe position (swipe mode) or whole / hidden (blink mode); in side-by-side mode
 * a second map, sharing the first one's view (pan and zoom move both), shows B beside A.
 */
import OlMap from 'ol/Map.js';
import View from 'ol/View.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import type Feature from 'ol/Feature.js';
import TileLayer from 'ol/layer/Tile.js';
import VectorLayer from 'ol/layer/Vector.js';
import type RenderEvent from 'ol/render/Event.js';
import { getRenderPixel } from 'ol/render.js';
import VectorSource from 'ol/source/Vector.js';
import XYZ from 'ol/source/XYZ.js';
import { Fill, Stroke, Style, Text } from 'ol/style.js';
import type { FeatureLike } from 'ol/Feature.js';
import { tileUrlOf, type DetectionsCollection, type Image, type Site } from './api.ts';

const geoJson = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' });

function outlineStyle(colour: string, width: number): (feature: FeatureLike) => Style {
  return (feature) =>
    new Style({
      stroke: new Stroke({ color: colour, width }),
      fill: new Fill({ color: 'rgba(0, 0, 0, 0)' }),
      text: new Text({
        text: String(feature.get('label') ?? ''),
        font: '12px sans-serif',
        overflow: true,
        fill: new Fill({ color: '#fff' }),
        stroke: new Stroke({ color: '#000', width: 3 }),
      }),
    });
}

/** A stable colour per detection class (hue from the name). */
function classColour(className: string): string {
  let hash = 0;
  for (const char of className) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 360;
  return `hsl(${hash}, 90%, 55%)`;
}

function detectionStyle(feature: FeatureLike): Style {
  const className = String(feature.get('class') ?? '');
  const verdict = feature.get('verdict') as string | undefined;
  const selected = feature.get('selected') === true;
  const mark = verdict === 'confirm' ? ' ✓' : verdict === 'reject' ? ' ✗' : '';
  return new Style({
    stroke: new Stroke({
      color: selected ? '#fff' : classColour(className),
      width: selected ? 3 : 2,
      ...(verdict === 'reject' ? { lineDash: [4, 3] } : {}),
    }),
    // Transparent, but present: a click inside the box selects it.
    fill: new Fill({ color: 'rgba(0, 0, 0, 0)' }),
    text: new Text({
      text: `${className}${mark}`,
      font: '10px sans-serif',
      offsetY: -10,
      fill: new Fill({ color: classColour(className) }),
      stroke: new Stroke({ color: '#000', width: 2 }),
    }),
  });
}

export type CompareMode = 'swipe' | 'blink' | 'side';

/** One detection picked on the map: review it as `<runId>#<index>`. */
export interface DetectionPick {
  readonly runId: string;
  readonly index: number;
  readonly className: string;
  readonly score: number;
}

/** The modes in the order the `v` key cycles through them. */
export const COMPARE_MODES: readonly CompareMode[] = ['swipe', 'blink', 'side'];

export class MapView {
  readonly map: OlMap;
  /** The right-hand map of side-by-side mode: B alone, on the same view as `map`. */
  readonly mapB: OlMap;
  private readonly sites = new VectorSource();
  private readonly zones = new VectorSource();
  private readonly layerA = new TileLayer({ properties: { name: 'image-a' } });
  private readonly layerB = new TileLayer({ properties: { name: 'image-b' } });
  private readonly layerBSide = new TileLayer({ properties: { name: 'image-b-side' } });
  private readonly detections = new VectorSource();
  /** Fraction of the map width, from the left, that shows B in swipe mode. */
  private swipeFraction = 0.5;
  private mode: CompareMode = 'swipe';
  /** In blink mode: whether B is the one shown. */
  private showingB = true;
  /** Tiles loaded and failed, for the status line and the tests. */
  readonly tileCounts = { loaded: 0, failed: 0 };

  constructor(
    target: HTMLElement,
    private readonly targetB: HTMLElement,
  ) {
    const view = new View({ center: [0, 0], zoom: 2, maxZoom: 19 });
    this.map = new OlMap({
      target,
      layers: [this.layerA, this.layerB, ...this.overlays()],
      view,
    });
    this.mapB = new OlMap({ target: targetB, layers: [this.layerBSide, ...this.overlays()], view });
    // Counts finished renders (all tiles loaded) so tests can wait for a stable picture.
    let renders = 0;
    this.map.on('rendercomplete', () => {
      target.dataset.renderCount = String(++renders);
    });
    this.map.on('loadstart', () => {
      target.dataset.loading = 'true';
    });
    this.map.on('loadend', () => {
      target.dataset.loading = 'false';
      target.dataset.tilesLoaded = String(this.tileCounts.loaded);
    });
    this.layerB.on('prerender', (event) => {
      this.clipB(event);
    });
    this.layerB.on('postrender', (event) => {
      (event.context as CanvasRenderingContext2D | undefined)?.restore();
    });
  }

  /** Zones, detections and sites, drawn over the imagery (a layer per map, shared sources). */
  private overlays(): VectorLayer[] {
    return [
      new VectorLayer({ source: this.zones, style: outlineStyle('#ffd23f', 1.5) }),
      new VectorLayer({ source: this.detections, style: detectionStyle }),
      new VectorLayer({ source: this.sites, style: outlineStyle('#3fa7ff', 2.5) }),
    ];
  }

  /** Draws every site outline (and the zones of `selected`). */
  showSites(sites: readonly Site[], selected?: Site): void {
    this.sites.clear();
    this.sites.addFeatures(sites.map((site) => this.featureOf(site.geometry, site.name, site.id)));
    this.zones.clear();
    if (selected !== undefined) {
      this.zones.addFeatures(
        selected.zones.map((zone) => this.featureOf(zone.geometry, zone.name, zone.id)),
      );
    }
  }

  /** Fits the view to a site's polygon. */
  fitSite(site: Site): void {
    const feature = this.featureOf(site.geometry, site.name, site.id);
    const extent = feature.getGeometry()?.getExtent();
    if (extent !== undefined) {
      // The size of the main map: the view is shared with mapB, whose size (hidden: none) the
      // view may otherwise take as its viewport's.
      const size = this.map.getSize();
      this.map.getView().fit(extent, {
        padding: [40, 40, 40, 40],
        maxZoom: 17,
        ...(size === undefined ? {} : { size }),
      });
    }
  }

  setImages(a: Image | undefined, b: Image | undefined): void {
    const sourceB = b === undefined ? null : this.sourceOf(b);
    for (const [layer, image, source] of [
      [this.layerA, a, a === undefined ? null : this.sourceOf(a)],
      [this.layerB, b, sourceB],
      [this.layerBSide, b, sourceB],
    ] as const) {
      layer.setSource(source);
      // Only tiles over the image's footprint are asked for (others would be 404).
      const footprint = image?.footprint ?? null;
      layer.setExtent(
        footprint === null
          ? undefined
          : this.featureOf(footprint, '', image?.id ?? '')
              .getGeometry()
              ?.getExtent(),
      );
    }
  }

  /** Adds a layer drawn over the imagery and the other overlays of the main map. */
  addOverlay(layer: VectorLayer): void {
    this.map.addLayer(layer);
  }

  /** The detection under a pixel of the main map (a little tolerance), if any. */
  detectionAt(pixel: readonly number[]): DetectionPick | undefined {
    let found: Feature | undefined;
    this.map.forEachFeatureAtPixel(
      [pixel[0] ?? 0, pixel[1] ?? 0],
      (feature) => {
        found = feature as Feature;
        return true;
      },
      { hitTolerance: 3, layerFilter: (layer) => layer.getSource() === this.detections },
    );
    return found === undefined ? undefined : this.selectDetection(found);
  }

  /**
   * Selects the next (`delta` 1) or previous (-1) detection, by decreasing score, and centres
   * the view on it.
   */
  stepDetection(delta: number): DetectionPick | undefined {
    const byScore = this.detections
      .getFeatures()
      .sort((a, b) => Number(b.get('score')) - Number(a.get('score')));
    if (byScore.length === 0) return undefined;
    const current = byScore.findIndex((feature) => feature.get('selected') === true);
    const next = byScore[(current + delta + byScore.length) % byScore.length];
    if (next === undefined) return undefined;
    const extent = next.getGeometry()?.getExtent();
    if (extent !== undefined) {
      const view = this.map.getView();
      const [minX = 0, minY = 0, maxX = 0, maxY = 0] = extent;
      view.setCenter([(minX + maxX) / 2, (minY + maxY) / 2]);
      view.setZoom(Math.max(view.getZoom() ?? 0, 16));
    }
    return this.selectDetection(next);
  }

  /** Shows a review's verdict on the detection's box. */
  markDetection(index: number, verdict: 'confirm' | 'reject'): void {
    this.detections.getFeatureById(index)?.set('verdict', verdict);
  }

  private selectDetection(feature: Feature): DetectionPick {
    for (const other of this.detections.getFeatures()) {
      if (other !== feature && other.get('selected') === true) other.set('selected', false);
    }
    feature.set('selected', true);
    return {
      runId: String(feature.get('runId') ?? ''),
      index: Number(feature.getId()),
      className: String(feature.get('class') ?? ''),
      score: Number(feature.get('score')),
    };
  }

  /** Draws a run's oriented boxes (or clears them). */
  showDetections(collection: DetectionsCollection | undefined): void {
    this.detections.clear();
    if (collection === undefined) return;
    const drawable = collection.features.filter((feature) => feature.geometry !== null);
    this.detections.addFeatures(
      geoJson.readFeatures({
        type: 'FeatureCollection',
        features: drawable.map((feature) => ({
          ...feature,
          type: 'Feature',
          properties: { ...feature.properties, runId: collection.runId },
        })),
      }),
    );
  }

  setMode(mode: CompareMode): void {
    this.mode = mode;
    this.showingB = true;
    this.layerB.setVisible(mode !== 'side');
    this.targetB.hidden = mode !== 'side';
    // The main map is half as wide in side-by-side mode (the page's CSS): measure both again.
    this.map.updateSize();
    this.mapB.updateSize();
    this.map.render();
  }

  getMode(): CompareMode {
    return this.mode;
  }

  /** 0 (B hidden) … 1 (B over the whole map). */
  setSwipe(fraction: number): void {
    this.swipeFraction = Math.min(1, Math.max(0, fraction));
    this.map.render();
  }

  /** Switches between A and B (in swipe mode, first switches to blink mode). */
  blink(): 'A' | 'B' {
    if (this.mode !== 'blink') this.setMode('blink');
    this.showingB = !this.showingB;
    this.layerB.setVisible(this.showingB);
    return this.showingB ? 'B' : 'A';
  }

  private featureOf(geometry: Site['geometry'], label: string, id: string): Feature {
    const feature = geoJson.readFeature({ type: 'Feature', geometry, properties: { label } });
    const single = Array.isArray(feature) ? feature[0] : feature;
    if (single === undefined) throw new Error(`geometry of "${id}" is empty`);
    single.setId(id);
    return single;
  }

  private sourceOf(image: Image): XYZ {
    const source = new XYZ({ url: tileUrlOf(image), maxZoom: 19, transition: 0 });
    source.on('tileloadend', () => {
      this.tileCounts.loaded++;
    });
    source.on('tileloaderror', () => {
      this.tileCounts.failed++;
    });
    return source;
  }

  private clipB(event: RenderEvent): void {
    const context = event.context as CanvasRenderingContext2D | undefined;
    const size = this.map.getSize();
    if (context === undefined || size === undefined) return;
    context.save();
    if (this.mode !== 'swipe') return;
    const [width = 0, height = 0] = size;
    const right = width * this.swipeFraction;
    const corners = [
      getRenderPixel(event, [0, 0]),
      getRenderPixel(event, [right, 0]),
      getRenderPixel(event, [right, height]),
      getRenderPixel(event, [0, height]),
    ];
    context.beginPath();
    corners.forEach(([x, y], index) => {
      if (index === 0) context.moveTo(x ?? 0, y ?? 0);
      else context.lineTo(x ?? 0, y ?? 0);
    });
    context.closePath();
    context.clip();
  }
}
