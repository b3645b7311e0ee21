/**
 * Geometry types. Axis order is always [x, y]: for lon/lat (EPSG:4326) that is
 * [longitude, latitude] in degrees, as GeoJSON (RFC 7946) requires. A bbox is
 * [minX, minY, maxX, maxY] in the same axis order.
 */
export type Position = readonly [number, number];
/** A closed ring: first and last positions are equal; at least 4 positions. */
export type Ring = readonly Position[];

export interface PolygonGeometry {
  readonly type: 'Polygon';
  /** Outer ring first, then holes. */
  readonly coordinates: readonly Ring[];
}

export interface MultiPolygonGeometry {
  readonly type: 'MultiPolygon';
  readonly coordinates: readonly (readonly Ring[])[];
}

export type PolygonalGeometry = PolygonGeometry | MultiPolygonGeometry;

/** [minX, minY, maxX, maxY]. */
export type Bbox = readonly [number, number, number, number];

/**
 * GDAL-order affine geotransform from pixel (col, row) to map (x, y):
 * x = t[0] + col * t[1] + row * t[2]; y = t[3] + col * t[4] + row * t[5].
 * (col, row) = (0, 0) is the top-left corner of the top-left pixel.
 */
export type GeoTransform = readonly [number, number, number, number, number, number];

/** A function that maps positions from one CRS to another (e.g. map x/y to lon/lat). */
export type PositionTransform = (position: Position) => Position;

/** Polygons of a possibly multi-part geometry, as ring lists. */
export function polygonsOf(geometry: PolygonalGeometry): readonly (readonly Ring[])[] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}
