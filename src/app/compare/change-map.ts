/**
 * From the change statistic to the change map: the threshold (automatic hysteresis levels, or
 * the user's),
 * morphological clean-up, the minimum mapping unit, change polygons with areas and site zones,
 * and the changed fraction per zone. Works on full-size Uint8 masks and Int32 labels.
 */
import type { Zone } from '../../core/catalog/site.ts';
import type { ChangeMethod, ZoneChange } from '../../core/change/comparison.ts';
import { createHistogramAccumulator } from '../../core/change/histogram.ts';
import {
  chiSquareQuantile,
  hysteresisLevelsOf,
  hysteresisMask,
  resolveThreshold,
  type HysteresisLevels,
} from '../../core/change/threshold.ts';
import { applyGeoTransform, invertGeoTransform } from '../../core/geo/footprint.ts';
import { geodesicAreaSquareMeters } from '../../core/geo/geodesy.ts';
import { geometriesIntersect, pointInPolygonalGeometry } from '../../core/geo/relations.ts';
import type { PolygonalGeometry, Position, PositionTransform, Ring } from '../../core/geo/types.ts';
import type { Grid } from '../../core/grid/grid.ts';
import { labelComponents, removeSmallComponents } from '../../core/raster/connected-components.ts';
import { closeMask, openMask } from '../../core/raster/morphology.ts';
import { polygonToMap, polygonizeComponents } from '../../core/raster/polygonize.ts';
import type { ChangeField } from './change-field.ts';

/** Radius of the opening and closing, px (square element). */
export const MORPHOLOGY_RADIUS_PX = 1;
const HISTOGRAM_BINS = 4096;

/** Largest number of valid magnitudes sampled for the median. */
const MEDIAN_SAMPLE = 1 << 20;
/** Change probability of the no-change quantile that floors the automatic levels. */
export const IRMAD_CHANGE_PROBABILITY = 0.99;

/** Median of an evenly spaced sample of the valid magnitudes; NaN when none is valid. */
function sampledMedian(field: ChangeField): number {
  const step = Math.max(1, Math.floor(field.validPixels / MEDIAN_SAMPLE));
  const sample: number[] = [];
  let seen = 0;
  for (let p = 0; p < field.magnitude.length; p += 1) {
    if (field.valid[p] !== 1) continue;
    if (seen % step === 0) sample.push(field.magnitude[p] ?? Number.NaN);
    seen += 1;
  }
  sample.sort((x, y) => x - y);
  return sample[Math.floor(sample.length / 2)] ?? Number.NaN;
}

/**
 * The robust no-change quantile: the statistic scaled so that its median is the χ²(n) median
 * (most pixels did not change), then its χ²(n) {@link IRMAD_CHANGE_PROBABILITY} quantile. For
 * IR-MAD the statistic is Z (scaled up only: the reweighting underestimates the no-change
 * variance); for CVA it is the squared magnitude (per band, a standardised no-change
 * difference is about Gaussian), returned as a magnitude.
 */
function noChangeQuantile(field: ChangeField, method: ChangeMethod, bandCount: number): number {
  const median = sampledMedian(field);
  const ratio = chiSquareQuantile(IRMAD_CHANGE_PROBABILITY, bandCount);
  const chiSquareMedian = chiSquareQuantile(0.5, bandCount);
  if (!(median >= 0)) return 0;
  if (method === 'irmad') return ratio * Math.max(1, median / chiSquareMedian);
  return median * Math.sqrt(ratio / chiSquareMedian);
}

/**
 * The levels on the magnitude (change: magnitude ≥ level). With `override`, that one value
 * (seed = grow: a plain threshold). Otherwise the automatic hysteresis levels of
 * {@link hysteresisLevelsOf} from log- and linear-axis histograms of the valid magnitudes and
 * the robust no-change quantile ({@link noChangeQuantile}). Infinity when every valid
 * magnitude is 0 (or none is valid), so identical images show no change.
 */
export function chooseThreshold(
  field: ChangeField,
  override: number | null,
  method: ChangeMethod,
  bandCount: number,
): HysteresisLevels {
  if (override !== null) {
    const value = resolveThreshold({ kind: 'fixed', value: override }, null);
    return { grow: value, seed: value };
  }
  let max = 0;
  let minPositive = Number.POSITIVE_INFINITY;
  for (let p = 0; p < field.magnitude.length; p += 1) {
    const v = field.magnitude[p] ?? Number.NaN;
    if (field.valid[p] !== 1 || !Number.isFinite(v) || !(v > 0)) continue;
    if (v > max) max = v;
    if (v < minPositive) minPositive = v;
  }
  const none = { grow: Number.POSITIVE_INFINITY, seed: Number.POSITIVE_INFINITY };
  if (!(max > 0) || !(max > minPositive)) return none;
  const log = createHistogramAccumulator({
    binCount: HISTOGRAM_BINS,
    min: minPositive,
    max,
    scale: 'log',
  });
  log.add(field.magnitude, field.valid);
  const linear = createHistogramAccumulator({ binCount: HISTOGRAM_BINS, min: 0, max });
  linear.add(field.magnitude, field.valid);
  return hysteresisLevelsOf({
    statistic: method === 'irmad' ? 'irmad' : 'cva',
    log: log.result(),
    linear: linear.result(),
    noChangeLevel: noChangeQuantile(field, method, bandCount),
  });
}

/**
 * The cleaned change mask (1 change, 0 otherwise, invalid pixels 0): hysteresis threshold
 * (see `core/change/hysteresis.ts`; a plain threshold when seed ≤ grow), opening then closing
 * (radius {@link MORPHOLOGY_RADIUS_PX}), back inside the valid pixels, then components under
 * `minPixels` (8-connected) removed.
 */
export function cleanChangeMask(
  field: ChangeField,
  grid: Grid,
  levels: HysteresisLevels,
  minPixels: number,
): Uint8Array {
  const { width, height } = grid;
  const raw = hysteresisMask(field.magnitude, field.valid, width, height, levels);
  const element = { shape: 'square', radius: MORPHOLOGY_RADIUS_PX } as const;
  const cleaned = closeMask(openMask(raw, width, height, element), width, height, element);
  for (let p = 0; p < cleaned.length; p += 1)
    cleaned[p] = (cleaned[p] ?? 0) & (field.valid[p] ?? 0);
  return removeSmallComponents(cleaned, width, height, minPixels).mask;
}

/** One change polygon: map geometry in lon/lat (null for pixel-only), or pixel rings. */
export interface ChangePolygon {
  readonly geometry: PolygonalGeometry | null;
  readonly pixelPolygon: readonly (readonly Ring[])[] | null;
  readonly pixelCount: number;
  /** Geodesic area of the geometry, m²; null for pixel-only grids. */
  readonly areaM2: number | null;
  readonly meanMagnitude: number;
  readonly zone: string | null;
}

function asGeometry(polygons: readonly (readonly Ring[])[]): PolygonalGeometry {
  const first = polygons[0];
  return polygons.length === 1 && first !== undefined
    ? { type: 'Polygon', coordinates: first }
    : { type: 'MultiPolygon', coordinates: polygons };
}

/**
 * Polygons of the mask's 8-connected components, with their mean magnitude, area and the
 * first site zone they intersect.
 * @param toLonLat from the grid's CRS to lon/lat; null for pixel-only grids.
 */
export function changePolygons(
  mask: Uint8Array,
  field: ChangeField,
  grid: Grid,
  toLonLat: PositionTransform | null,
  zones: readonly Zone[],
): ChangePolygon[] {
  const components = labelComponents(mask, grid.width, grid.height, {
    values: field.magnitude,
  });
  const transform = grid.geoTransform;
  return polygonizeComponents(components).map((component) => {
    const pixelCount = component.pixelCount;
    const sum = components.valueSum?.[component.label] ?? Number.NaN;
    const meanMagnitude = sum / pixelCount;
    if (transform === null || toLonLat === null) {
      return {
        geometry: null,
        pixelPolygon: component.polygons,
        pixelCount,
        areaM2: null,
        meanMagnitude,
        zone: null,
      };
    }
    const lonLat = component.polygons.map((polygon) =>
      polygonToMap(polygon, transform).map((ring) => ring.map((p): Position => toLonLat(p))),
    );
    const geometry = asGeometry(lonLat);
    const zone = zones.find((z) => geometriesIntersect(geometry, z.geometry))?.id ?? null;
    return {
      geometry,
      pixelPolygon: null,
      pixelCount,
      areaM2: geodesicAreaSquareMeters(geometry),
      meanMagnitude,
      zone,
    };
  });
}

/** `geometry` (lon/lat) in the grid's pixel-corner coordinates. */
function toPixels(
  geometry: PolygonalGeometry,
  grid: Grid,
  fromLonLat: PositionTransform,
): PolygonalGeometry | null {
  if (grid.geoTransform === null) return null;
  const toPixel = invertGeoTransform(grid.geoTransform);
  const map = (ring: Ring): Ring =>
    ring.map((p) => {
      const [x, y] = fromLonLat(p);
      return applyGeoTransform(toPixel, x, y);
    });
  return geometry.type === 'Polygon'
    ? { type: 'Polygon', coordinates: geometry.coordinates.map(map) }
    : {
        type: 'MultiPolygon',
        coordinates: geometry.coordinates.map((rings) => rings.map(map)),
      };
}

/** Valid and changed pixels whose centre lies in each zone. */
export function zoneChanges(
  mask: Uint8Array,
  valid: Uint8Array,
  grid: Grid,
  fromLonLat: PositionTransform,
  zones: readonly Zone[],
): ZoneChange[] {
  return zones.map((zone) => {
    const pixels = toPixels(zone.geometry, grid, fromLonLat);
    let validPixels = 0;
    let changedPixels = 0;
    if (pixels !== null) {
      const rings = pixels.type === 'Polygon' ? [pixels.coordinates] : pixels.coordinates;
      const points = rings.flat(2);
      const cols = points.map((p) => p[0]);
      const rows = points.map((p) => p[1]);
      const c0 = Math.max(0, Math.floor(Math.min(...cols)));
      const c1 = Math.min(grid.width, Math.ceil(Math.max(...cols)));
      const r0 = Math.max(0, Math.floor(Math.min(...rows)));
      const r1 = Math.min(grid.height, Math.ceil(Math.max(...rows)));
      for (let r = r0; r < r1; r += 1) {
        for (let c = c0; c < c1; c += 1) {
          const p = r * grid.width + c;
          if (valid[p] !== 1 || !pointInPolygonalGeometry([c + 0.5, r + 0.5], pixels)) continue;
          validPixels += 1;
          changedPixels += mask[p] ?? 0;
        }
      }
    }
    return {
      zoneId: zone.id,
      validPixels,
      changedPixels,
      changedFraction: validPixels > 0 ? changedPixels / validPixels : null,
    };
  });
}
