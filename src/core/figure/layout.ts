/**
 * The map frame of a figure: a north-up grid in a projected CRS (metres) that holds a lon/lat
 * box, with the pixel ↔ map transforms the overlay is drawn with. Pixel coordinates are
 * pixel-corner (0, 0 = top-left corner of the top-left pixel), as in a GDAL geotransform.
 */
import { ValidationError } from '../errors.ts';
import { bboxOfPositions } from '../geo/bbox.ts';
import type { Bbox, GeoTransform, Position, PositionTransform } from '../geo/types.ts';
import type { Grid } from '../grid/grid.ts';

/** A figure's map frame: the grid and the transforms between its pixels and lon/lat. */
export interface FigureFrame {
  readonly grid: Grid & { readonly crs: string; readonly geoTransform: GeoTransform };
  /** Metres per pixel along both axes. */
  readonly metersPerPixel: number;
  /** [minX, minY, maxX, maxY] of the grid in map metres. */
  readonly mapBbox: Bbox;
}

/** Points per bbox edge projected, so a curved projected edge is covered. */
const POINTS_PER_EDGE = 8;

function requirePixels(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 16 || value > 16_384) {
    throw new ValidationError(`${name} must be an integer in [16, 16384] pixels; got ${value}`);
  }
}

/**
 * A lon/lat bbox grown by `marginFraction` of its larger side on every side (at least
 * `minMarginDegrees`), e.g. the crop around a site.
 */
export function padBbox(bbox: Bbox, marginFraction: number, minMarginDegrees = 0.0005): Bbox {
  const [minX, minY, maxX, maxY] = bbox;
  const margin = Math.max(Math.max(maxX - minX, maxY - minY) * marginFraction, minMarginDegrees);
  return [minX - margin, minY - margin, maxX + margin, maxY + margin];
}

/**
 * The smallest north-up grid of `widthPx` × `heightPx` square pixels, centred on the projected
 * `bboxLonLat`, that holds all of it (the box is widened or heightened to the frame's aspect);
 * with `metersPerPixel`, the grid of that scale centred on the box instead (it may crop it).
 * @param toMap lon/lat → `crs` map metres
 * @throws ValidationError for bad sizes or scale, an empty/invalid bbox or a transform giving NaN.
 */
export function figureFrame(
  bboxLonLat: Bbox,
  widthPx: number,
  heightPx: number,
  crs: string,
  toMap: PositionTransform,
  fixedMetersPerPixel?: number,
): FigureFrame {
  if (
    fixedMetersPerPixel !== undefined &&
    !(Number.isFinite(fixedMetersPerPixel) && fixedMetersPerPixel > 0)
  ) {
    throw new ValidationError(
      `metres per pixel must be a finite number > 0; got ${fixedMetersPerPixel}`,
    );
  }
  requirePixels('width', widthPx);
  requirePixels('height', heightPx);
  const [minLon, minLat, maxLon, maxLat] = bboxLonLat;
  if (!(minLon < maxLon && minLat < maxLat)) {
    throw new ValidationError(
      `bbox [${bboxLonLat.join(', ')}] must be [minLon, minLat, maxLon, maxLat] with min < max`,
    );
  }
  const points: Position[] = [];
  for (let i = 0; i <= POINTS_PER_EDGE; i += 1) {
    const t = i / POINTS_PER_EDGE;
    const lon = minLon + (maxLon - minLon) * t;
    const lat = minLat + (maxLat - minLat) * t;
    points.push(
      toMap([lon, minLat]),
      toMap([lon, maxLat]),
      toMap([minLon, lat]),
      toMap([maxLon, lat]),
    );
  }
  const [x0, y0, x1, y1] = bboxOfPositions(points);
  if (![x0, y0, x1, y1].every(Number.isFinite)) {
    throw new ValidationError(`bbox [${bboxLonLat.join(', ')}] does not project to ${crs}`);
  }
  const metersPerPixel = fixedMetersPerPixel ?? Math.max((x1 - x0) / widthPx, (y1 - y0) / heightPx);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const left = cx - (widthPx * metersPerPixel) / 2;
  const top = cy + (heightPx * metersPerPixel) / 2;
  const geoTransform: GeoTransform = [left, metersPerPixel, 0, top, 0, -metersPerPixel];
  return {
    grid: { crs, geoTransform, width: widthPx, height: heightPx },
    metersPerPixel,
    mapBbox: [left, top - heightPx * metersPerPixel, left + widthPx * metersPerPixel, top],
  };
}

/** Map metres → figure pixel (col, row), pixel-corner coordinates. */
export function mapToPixel(frame: FigureFrame, [x, y]: Position): Position {
  const t = frame.grid.geoTransform;
  return [(x - t[0]) / t[1], (y - t[3]) / t[5]];
}

/** A lon/lat → figure pixel transform from a lon/lat → map one. */
export function lonLatToPixel(frame: FigureFrame, toMap: PositionTransform): PositionTransform {
  return (p) => mapToPixel(frame, toMap(p));
}

/**
 * The angle of true north in the figure, in degrees clockwise from straight up (the grid's
 * north): the direction of a short step north from the frame's centre. 0 for north-up grids
 * on their central meridian; a few degrees off it in UTM (meridian convergence).
 * @param toLonLat figure map metres → lon/lat; `toMap` its inverse
 */
export function trueNorthAngleDeg(
  frame: FigureFrame,
  toLonLat: PositionTransform,
  toMap: PositionTransform,
): number {
  const [minX, minY, maxX, maxY] = frame.mapBbox;
  const centre = toLonLat([(minX + maxX) / 2, (minY + maxY) / 2]);
  const a = toMap(centre);
  const b = toMap([centre[0], centre[1] + 0.001]);
  const angle = (Math.atan2(b[0] - a[0], b[1] - a[1]) * 180) / Math.PI;
  return Number.isFinite(angle) ? angle : 0;
}
