/**
 * What a figure draws over an image, read from the stores: the newest detection run's
 * detections, the newest comparison's change polygons (its changes.geojson) and the analysts'
 * live annotations, as callouts in the figure's pixels, with per-zone counts for the caption.
 */
import type { Annotation } from '../../core/annotations/annotation.ts';
import type { Callout } from '../../core/figure/figure-svg.ts';
import type { FigureFrame } from '../../core/figure/layout.ts';
import { lonLatToPixel } from '../../core/figure/layout.ts';
import { formatMeters } from '../../core/figure/scale-bar.ts';
import type { Position, PositionTransform } from '../../core/geo/types.ts';
import type { AnnotationRepository } from '../annotations/annotation-ports.ts';
import type { RunOutputReader } from '../activity/derive-observations.ts';
import type { ComparisonRepository, DetectionRepository } from '../ports.ts';

export const FIGURE_LAYERS = ['detections', 'changes', 'annotations'] as const;
export type FigureLayer = (typeof FIGURE_LAYERS)[number];

export interface FigureOverlayDeps {
  readonly detections: DetectionRepository;
  readonly comparisons: ComparisonRepository;
  readonly annotations: AnnotationRepository;
  readonly runOutputs: RunOutputReader;
}

export interface FigureOverlays {
  readonly callouts: Callout[];
  /** e.g. `14 vehicle (zone north-lot: 9)`. */
  readonly counts: string[];
  readonly warnings: string[];
}

/** Change polygons labelled, largest first; the others are outlined without a label. */
const MAX_CHANGE_LABELS = 12;

const COLORS: Readonly<Record<Callout['kind'], string>> = {
  detection: '#ffd400',
  change: '#ff3b30',
  annotation: '#00c7ff',
};

function inFrame(points: readonly Position[], frame: FigureFrame): boolean {
  const { width, height } = frame.grid;
  return points.some(([x, y]) => x >= 0 && y >= 0 && x <= width && y <= height);
}

function ringOf(geometry: unknown): Position[] | null {
  if (typeof geometry !== 'object' || geometry === null) return null;
  const g = geometry as { type?: unknown; coordinates?: unknown };
  const coords =
    g.type === 'Polygon'
      ? (g.coordinates as unknown[] | undefined)?.[0]
      : g.type === 'MultiPolygon'
        ? ((g.coordinates as unknown[] | undefined)?.[0] as unknown[] | undefined)?.[0]
        : undefined;
  if (!Array.isArray(coords)) return null;
  const ring = coords.filter(
    (p): p is [number, number] =>
      Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number',
  );
  return ring.length >= 3 ? ring.map(([x, y]) => [x, y] as const) : null;
}

async function detectionCallouts(
  deps: FigureOverlayDeps,
  imageId: string,
  frame: FigureFrame,
  toPixel: PositionTransform,
  zoneId: string | null,
): Promise<{ callouts: Callout[]; counts: string[]; warnings: string[] }> {
  const run = (await deps.detections.listRunsForImage(imageId))[0];
  if (run === undefined) {
    return { callouts: [], counts: [], warnings: [`no detection run on image ${imageId}`] };
  }
  const callouts: Callout[] = [];
  const perClass = new Map<string, number>();
  for (const d of await deps.detections.listDetections(run.id)) {
    if (d.geometry === null) continue;
    if (zoneId !== null && !d.zones.includes(zoneId)) continue;
    const points = (d.geometry.coordinates[0] ?? []).slice(0, -1).map(toPixel);
    if (!inFrame(points, frame)) continue;
    perClass.set(d.className, (perClass.get(d.className) ?? 0) + 1);
    callouts.push({
      kind: 'detection',
      shape: 'polygon',
      points,
      label: `${d.className} ${d.score.toFixed(2)}`,
      color: COLORS.detection,
    });
  }
  const counts = [...perClass]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([name, n]) => `${n} ${name}`);
  const zoneCounts = run.counts.filter((c) => c.zone !== 'all' && c.counts !== null);
  for (const zone of zoneCounts) {
    if (zoneId !== null && zone.zone !== zoneId) continue;
    const total = Object.values(zone.counts ?? {}).reduce((a, b) => a + b, 0);
    counts.push(`zone ${zone.zone}: ${total}`);
  }
  return { callouts, counts, warnings: [] };
}

async function changeCallouts(
  deps: FigureOverlayDeps,
  imageId: string,
  frame: FigureFrame,
  toPixel: PositionTransform,
): Promise<{ callouts: Callout[]; counts: string[]; warnings: string[] }> {
  const comparisons = await deps.comparisons.listForImage(imageId);
  const comparison = comparisons.find((c) => c.outputs !== null);
  if (comparison?.outputs == null) {
    return {
      callouts: [],
      counts: [],
      warnings: [`no comparison with change polygons on image ${imageId}`],
    };
  }
  const json = await deps.runOutputs.readJson(comparison.outputs.changes);
  const features = (json as { features?: unknown } | undefined)?.features;
  if (!Array.isArray(features)) {
    return {
      callouts: [],
      counts: [],
      warnings: [
        `comparison ${comparison.id}: ${comparison.outputs.changes} is missing or not GeoJSON`,
      ],
    };
  }
  const callouts: (Callout & { areaM2: number })[] = [];
  for (const feature of features as { geometry?: unknown; properties?: { areaM2?: unknown } }[]) {
    const ring = ringOf(feature.geometry);
    if (ring === null) continue;
    const points = ring.slice(0, -1).map(toPixel);
    if (!inFrame(points, frame)) continue;
    const area = feature.properties?.areaM2;
    callouts.push({
      kind: 'change',
      shape: 'polygon',
      points,
      label: typeof area === 'number' ? `change ${Math.round(area)} m2` : 'change',
      color: COLORS.change,
      areaM2: typeof area === 'number' ? area : 0,
    });
  }
  // Only the largest changes get labels; the rest are outlined.
  const labelled = new Set(
    [...callouts].sort((a, b) => b.areaM2 - a.areaM2).slice(0, MAX_CHANGE_LABELS),
  );
  for (const [i, c] of callouts.entries()) {
    callouts[i] = { ...c, label: labelled.has(c) ? c.label : '' };
  }
  return {
    callouts,
    counts: [`${callouts.length} change polygons (${comparison.id})`],
    warnings: [],
  };
}

function annotationLabel(a: Annotation): string {
  const text = a.properties.text ?? '';
  if (a.properties.kind === 'measurement') {
    const measure =
      a.properties.area_m2 !== undefined
        ? `${Math.round(a.properties.area_m2)} m2`
        : a.properties.length_m !== undefined
          ? formatMeters(a.properties.length_m)
          : '';
    return [text, measure].filter((s) => s !== '').join(' ');
  }
  return text;
}

async function annotationCallouts(
  deps: FigureOverlayDeps,
  imageId: string,
  frame: FigureFrame,
  toPixel: PositionTransform,
): Promise<Callout[]> {
  const callouts: Callout[] = [];
  for (const a of await deps.annotations.list({ imageId })) {
    const g = a.geometry;
    const points =
      g.type === 'Point'
        ? [toPixel(g.coordinates)]
        : g.type === 'LineString'
          ? g.coordinates.map(toPixel)
          : (g.coordinates[0] ?? []).slice(0, -1).map(toPixel);
    if (!inFrame(points, frame)) continue;
    callouts.push({
      kind: 'annotation',
      shape: g.type === 'Point' ? 'point' : g.type === 'LineString' ? 'line' : 'polygon',
      points,
      label: annotationLabel(a),
      color: a.properties.color?.slice(0, 7) ?? COLORS.annotation,
    });
  }
  return callouts;
}

/**
 * The callouts of the chosen layers on `imageId` inside the frame, in drawing order
 * (changes, detections, annotations: annotations on top and labelled first).
 */
export async function gatherOverlays(
  deps: FigureOverlayDeps,
  imageId: string,
  frame: FigureFrame,
  toMap: PositionTransform,
  layers: readonly FigureLayer[],
  zoneId: string | null,
): Promise<FigureOverlays> {
  const toPixel = lonLatToPixel(frame, toMap);
  const callouts: Callout[] = [];
  const counts: string[] = [];
  const warnings: string[] = [];
  if (layers.includes('changes')) {
    const changes = await changeCallouts(deps, imageId, frame, toPixel);
    callouts.push(...changes.callouts);
    counts.push(...changes.counts);
    warnings.push(...changes.warnings);
  }
  if (layers.includes('detections')) {
    const detections = await detectionCallouts(deps, imageId, frame, toPixel, zoneId);
    callouts.push(...detections.callouts);
    counts.unshift(...detections.counts);
    warnings.push(...detections.warnings);
  }
  if (layers.includes('annotations')) {
    callouts.push(...(await annotationCallouts(deps, imageId, frame, toPixel)));
  }
  return { callouts, counts, warnings };
}
