/**
 * Annotations on image B: draw a box, polygon, arrow, text label or measurement (a line's
 * length or a polygon's area, in metres, shown live while drawing and as the server measured it
 * once saved). Each drawing is saved at once as lon/lat GeoJSON with the image (and site) it
 * belongs to, listed, drawn on the map, and can be deleted. Escape cancels a drawing.
 */
import type Feature from 'ol/Feature.js';
import type OlMap from 'ol/Map.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import { LineString, Point, Polygon, type Geometry as OlGeometry } from 'ol/geom.js';
import Draw, { createBox, type DrawEvent } from 'ol/interaction/Draw.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import { getArea, getLength } from 'ol/sphere.js';
import { Circle, Fill, RegularShape, Stroke, Style, Text } from 'ol/style.js';
import type { FeatureLike } from 'ol/Feature.js';
import { api, type Annotation, type Geometry, type Image, type NewAnnotation } from './api.ts';

const geoJson = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' });
const COLOUR = '#ff9f1c';

/** A tool: what it draws (OpenLayers type) and what it is saved as. */
interface Tool {
  readonly label: string;
  readonly type: 'Circle' | 'Polygon' | 'LineString' | 'Point';
  readonly kind: Annotation['properties']['kind'];
  readonly box?: boolean;
  readonly maxPoints?: number;
}

export const TOOLS: Readonly<Record<string, Tool>> = {
  box: { label: 'Box', type: 'Circle', kind: 'box', box: true },
  polygon: { label: 'Polygon', type: 'Polygon', kind: 'polygon' },
  arrow: { label: 'Arrow', type: 'LineString', kind: 'arrow', maxPoints: 2 },
  text: { label: 'Text', type: 'Point', kind: 'text' },
  distance: { label: 'Distance', type: 'LineString', kind: 'measurement' },
  area: { label: 'Area', type: 'Polygon', kind: 'measurement' },
};

/** `1,234 m` / `2.5 km`; `m²` / `ha` / `km²` for areas. */
export function formatMetres(metres: number, squared = false): string {
  if (squared) {
    if (metres >= 1e6) return `${(metres / 1e6).toFixed(2)} km²`;
    if (metres >= 1e4) return `${(metres / 1e4).toFixed(2)} ha`;
    return `${Math.round(metres).toLocaleString('en')} m²`;
  }
  return metres >= 10_000
    ? `${(metres / 1000).toFixed(2)} km`
    : `${metres.toFixed(metres < 100 ? 1 : 0)} m`;
}

/** What an annotation says in the list: kind, text, and the server's measurement. */
export function describeAnnotation(annotation: Annotation): string {
  const { kind, text, length_m: length, area_m2: area } = annotation.properties;
  const parts: string[] = [kind];
  if (text !== undefined && text !== '') parts.push(`“${text}”`);
  if (area !== undefined) parts.push(formatMetres(area, true));
  if (length !== undefined)
    parts.push(area === undefined ? formatMetres(length) : `perimeter ${formatMetres(length)}`);
  return parts.join(' · ');
}

/** The label drawn on the map: the text, or the measurement. */
function mapLabelOf(annotation: Annotation): string {
  const { text, length_m: length, area_m2: area } = annotation.properties;
  if (text !== undefined && text !== '') return text;
  if (area !== undefined) return formatMetres(area, true);
  return length === undefined ? '' : formatMetres(length);
}

function liveMeasure(geometry: OlGeometry | undefined): string {
  if (geometry instanceof Polygon) return formatMetres(getArea(geometry), true);
  if (geometry instanceof LineString) return formatMetres(getLength(geometry));
  return '';
}

function annotationStyle(feature: FeatureLike): Style[] {
  const geometry = feature.getGeometry();
  const label = String(feature.get('label') ?? '');
  const styles = [
    new Style({
      stroke: new Stroke({ color: COLOUR, width: 2 }),
      fill: new Fill({ color: 'rgba(255, 159, 28, 0.12)' }),
      image: new Circle({ radius: 4, fill: new Fill({ color: COLOUR }) }),
      text: new Text({
        text: label,
        font: 'bold 12px sans-serif',
        overflow: true,
        offsetY: geometry instanceof Point ? -12 : 0,
        fill: new Fill({ color: '#fff' }),
        stroke: new Stroke({ color: '#000', width: 3 }),
      }),
    }),
  ];
  if (feature.get('kind') === 'arrow' && geometry instanceof LineString) {
    const coordinates = geometry.getCoordinates();
    const end = coordinates[coordinates.length - 1];
    const before = coordinates[coordinates.length - 2];
    if (end !== undefined && before !== undefined) {
      const angle = Math.atan2((end[1] ?? 0) - (before[1] ?? 0), (end[0] ?? 0) - (before[0] ?? 0));
      styles.push(
        new Style({
          geometry: new Point(end),
          image: new RegularShape({
            points: 3,
            radius: 8,
            rotation: Math.PI / 2 - angle,
            fill: new Fill({ color: COLOUR }),
          }),
        }),
      );
    }
  }
  return styles;
}

function part<T extends Element>(root: HTMLElement, selector: string, type: new () => T): T {
  const found = root.querySelector(selector);
  if (!(found instanceof type)) throw new Error(`#${root.id} lacks its ${selector}`);
  return found;
}

export class AnnotationTools {
  readonly layer: VectorLayer;
  private readonly source = new VectorSource();
  private readonly list: HTMLUListElement;
  private readonly state: HTMLElement;
  private readonly text: HTMLInputElement;
  private readonly buttons: HTMLButtonElement[];
  private draw: Draw | undefined;
  private image: Image | undefined;
  private siteId: string | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly map: OlMap,
    private readonly onError: (error: unknown) => void,
  ) {
    this.layer = new VectorLayer({
      source: this.source,
      style: annotationStyle,
      properties: { name: 'annotations' },
    });
    this.list = part(root, 'ul.annotations', HTMLUListElement);
    this.state = part(root, '.annotate-state', HTMLElement);
    this.text = part(root, 'input.annotation-text', HTMLInputElement);
    const toolbar = part(root, '.tools', HTMLElement);
    this.buttons = Object.entries(TOOLS).map(([name, tool]) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = tool.label;
      button.dataset.tool = name;
      button.setAttribute('aria-pressed', 'false');
      button.addEventListener('click', () => {
        if (this.activeTool() === name) this.stop();
        else this.start(name);
      });
      return button;
    });
    toolbar.replaceChildren(...this.buttons);
  }

  /** Whether a tool is drawing (map clicks then belong to it). */
  isDrawing(): boolean {
    return this.draw !== undefined;
  }

  /** Shows (and draws on) image B of the site; loads its annotations. */
  async show(image: Image | undefined, siteId: string | null): Promise<void> {
    this.stop();
    this.image = image;
    this.siteId = siteId;
    await this.reload();
  }

  /** Ends the drawing in progress, if any, saving nothing. */
  stop(): void {
    if (this.draw !== undefined) this.map.removeInteraction(this.draw);
    this.draw = undefined;
    for (const button of this.buttons) button.setAttribute('aria-pressed', 'false');
  }

  private activeTool(): string | undefined {
    return this.buttons.find((button) => button.getAttribute('aria-pressed') === 'true')?.dataset
      .tool;
  }

  private start(name: string): void {
    this.stop();
    const tool = TOOLS[name];
    if (tool === undefined) return;
    if (this.image === undefined) {
      this.state.textContent = 'Pick a date B to annotate.';
      return;
    }
    if (tool.kind === 'text' && this.text.value.trim() === '') {
      this.state.textContent = 'Type the label text first.';
      return;
    }
    const draw = new Draw({
      type: tool.type,
      ...(tool.box === true ? { geometryFunction: createBox() } : {}),
      ...(tool.maxPoints === undefined ? {} : { maxPoints: tool.maxPoints }),
    });
    draw.on('drawstart', (event: DrawEvent) => {
      if (tool.kind !== 'measurement') return;
      event.feature.getGeometry()?.on('change', (change) => {
        this.state.textContent = liveMeasure(change.target as OlGeometry);
      });
    });
    draw.on('drawend', (event: DrawEvent) => {
      this.save(tool, event.feature).catch(this.onError);
    });
    this.map.addInteraction(draw);
    this.draw = draw;
    this.buttons
      .find((button) => button.dataset.tool === name)
      ?.setAttribute('aria-pressed', 'true');
    this.state.textContent = `Drawing a ${tool.label.toLowerCase()} on B (Escape cancels).`;
  }

  private async save(tool: Tool, feature: Feature): Promise<void> {
    const image = this.image;
    const geometry = feature.getGeometry();
    this.stop();
    if (image === undefined || geometry === undefined) return;
    const body: NewAnnotation = {
      imageId: image.id,
      siteId: this.siteId,
      geometry: geoJson.writeGeometryObject(geometry) as Geometry,
      properties:
        tool.kind === 'text' ? { kind: 'text', text: this.text.value.trim() } : { kind: tool.kind },
    };
    const saved = await api.createAnnotation(body);
    this.state.textContent = `Saved: ${describeAnnotation(saved)}`;
    await this.reload();
  }

  private async reload(): Promise<void> {
    this.source.clear();
    const image = this.image;
    if (image === undefined) {
      this.list.replaceChildren();
      return;
    }
    const annotations = await api.annotations(image.id);
    if (this.image !== image) return;
    this.source.addFeatures(
      annotations.map((annotation) => {
        const feature = geoJson.readFeature({
          type: 'Feature',
          geometry: annotation.geometry,
          properties: {
            kind: annotation.properties.kind,
            label: mapLabelOf(annotation),
          },
        }) as Feature;
        feature.setId(annotation.id);
        return feature;
      }),
    );
    this.list.replaceChildren(...annotations.map((annotation) => this.itemOf(annotation)));
    this.root.dataset.count = String(annotations.length);
  }

  private itemOf(annotation: Annotation): HTMLLIElement {
    const item = document.createElement('li');
    item.dataset.annotationId = annotation.id;
    item.dataset.kind = annotation.properties.kind;
    const label = document.createElement('span');
    label.textContent = `${describeAnnotation(annotation)} (${annotation.author})`;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'delete';
    remove.textContent = 'Delete';
    remove.addEventListener('click', () => {
      api
        .deleteAnnotation(annotation.id)
        .then(() => this.reload())
        .catch(this.onError);
    });
    item.append(label, ' ', remove);
    return item;
  }
}
