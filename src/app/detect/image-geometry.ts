/**
 * Geometry between an image's pixel grid and lon/lat for detection: site and zone polygons
 * in source pixels, detections' oriented boxes to lon/lat polygons, and the region of the
 * image a run covers.
 */
import { ValidationError } from '../../core/errors.ts';
import { applyGeoTransform, invertGeoTransform } from '../../core/geo/footprint.ts';
import { bboxOfGeometry } from '../../core/geo/bbox.ts';
import { signedRingArea } from '../../core/geo/ring.ts';
import type {
  PolygonGeometry,
  PolygonalGeometry,
  Position,
  PositionTransform,
  Ring,
} from '../../core/geo/types.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import type { PixelWindow } from '../../core/raster/raster.ts';
import type { CrsRegistry } from '../ports.ts';

/** lon/lat ↔ source pixel (col, row) of one georeferenced image. */
export interface ImageGeoreference {
  toPixel(lonLat: Position): Position;
  toLonLat(pixel: Position): Position;
}

/** The image's georeference, or null for pixel-only imagery. */
export function imageGeoreference(image: ImageRecord, crs: CrsRegistry): ImageGeoreference | null {
  const t = image.geoTransform;
  if (t === null || image.crs === null) return null;
  const inverse = invertGeoTransform(t);
  const fromLonLat: PositionTransform = crs.fromLonLat(image.crs);
  const toLonLat: PositionTransform = crs.toLonLat(image.crs);
  return {
    toPixel: (lonLat) => {
      const [x, y] = fromLonLat(lonLat);
      return applyGeoTransform(inverse, x, y);
    },
    toLonLat: ([col, row]) => toLonLat(applyGeoTransform(t, col, row)),
  };
}

function mapRing(ring: Ring, f: (p: Position) => Position): Position[] {
  return ring.map(f);
}

/** A lon/lat polygon mapped vertex by vertex into source pixels (fine for site-sized shapes). */
export function geometryToPixels(
  geometry: PolygonalGeometry,
  georef: ImageGeoreference,
): PolygonalGeometry {
  const f = (p: Position): Position => georef.toPixel(p);
  return geometry.type === 'Polygon'
    ? { type: 'Polygon', coordinates: geometry.coordinates.map((r) => mapRing(r, f)) }
    : {
        type: 'MultiPolygon',
        coordinates: geometry.coordinates.map((rings) => rings.map((r) => mapRing(r, f))),
      };
}

/**
 * The pixel window of a pixel-space polygon, clipped to the image.
 * @throws ValidationError naming the site and image when they do not overlap.
 */
export function regionWindow(
  polygon: PolygonalGeometry,
  image: ImageRecord,
  label: string,
): PixelWindow {
  const [minX, minY, maxX, maxY] = bboxOfGeometry(polygon);
  const col0 = Math.max(0, Math.floor(minX));
  const row0 = Math.max(0, Math.floor(minY));
  const col1 = Math.min(image.width, Math.ceil(maxX));
  const row1 = Math.min(image.height, Math.ceil(maxY));
  if (!(col1 > col0 && row1 > row0)) {
    throw new ValidationError(
      `${label} does not overlap image ${image.id} (${image.width} × ${image.height} px): its polygon spans pixels [${minX.toFixed(1)}, ${maxX.toFixed(1)}] × [${minY.toFixed(1)}, ${maxY.toFixed(1)}]`,
    );
  }
  return { col0, row0, width: col1 - col0, height: row1 - row0 };
}

/** The rectangle of a window as a polygon (pixel space). */
export function windowPolygon(w: PixelWindow): PolygonGeometry {
  const x1 = w.col0 + w.width;
  const y1 = w.row0 + w.height;
  return {
    type: 'Polygon',
    coordinates: [
      [
        [w.col0, w.row0],
        [x1, w.row0],
        [x1, y1],
        [w.col0, y1],
        [w.col0, w.row0],
      ],
    ],
  };
}

/** A pixel polygon's corners (open ring) as a closed lon/lat GeoJSON polygon. */
export function cornersToLonLat(
  corners: readonly (readonly [number, number])[],
  georef: ImageGeoreference,
): PolygonGeometry {
  const ring = corners.map((p) => {
    const [lon, lat] = georef.toLonLat(p);
    return [lon, lat] as const;
  });
  const first = ring[0];
  if (first === undefined) throw new ValidationError('a detection polygon has no corners');
  const closed = [...ring, first];
  // RFC 7946: exterior rings counter-clockwise (in lon/lat).
  if (signedRingArea(closed) < 0) closed.reverse();
  return { type: 'Polygon', coordinates: [closed] };
}
