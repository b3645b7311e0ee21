/**
 * The Web-Mercator XYZ tile scheme (EPSG:3857, "slippy map" tiles): tile (z, x, y) with x growing
 * east and y growing south from the north-west corner of the square world.
 *
 * Map coordinates are EPSG:3857 metres `[x, y]`; boxes are `[minX, minY, maxX, maxY]`.
 */
import { ValidationError } from '../errors.ts';
import type { Bbox, GeoTransform, Position } from '../geo/types.ts';

/** Side of a tile in pixels. */
export const TILE_SIZE_PX = 256;
/** The deepest zoom served: 2.3 cm pixels at the equator, far below any satellite's GSD. */
export const MAX_TILE_ZOOM = 24;
/** WGS 84 semi-major axis, the sphere radius of EPSG:3857, metres. */
const EARTH_RADIUS_METERS = 6378137;
/** Half the side of the square Web-Mercator world, metres (x and y range ±this). */
export const MERCATOR_HALF_WORLD_METERS = Math.PI * EARTH_RADIUS_METERS;

/** A tile address. */
export interface TileAddress {
  readonly z: number;
  readonly x: number;
  readonly y: number;
}

/**
 * Checks a tile address: integer z in [0, maxZoom], integer x and y in [0, 2^z).
 * @throws ValidationError naming the bad value and the range expected.
 */
export function checkTileAddress(tile: TileAddress, maxZoom: number = MAX_TILE_ZOOM): void {
  const { z, x, y } = tile;
  if (!Number.isInteger(z) || z < 0 || z > maxZoom) {
    throw new ValidationError(`tile zoom ${z} must be an integer in [0, ${maxZoom}]`);
  }
  const count = 2 ** z;
  for (const [name, value] of [
    ['x', x],
    ['y', y],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value >= count) {
      throw new ValidationError(
        `tile ${name} ${value} at zoom ${z} must be an integer in [0, ${count - 1}]`,
      );
    }
  }
}

/** Size of one tile pixel at zoom z, in EPSG:3857 metres (true ground size only at the equator). */
export function tilePixelSizeMeters(z: number): number {
  return (2 * MERCATOR_HALF_WORLD_METERS) / (TILE_SIZE_PX * 2 ** z);
}

/**
 * The tile's box in EPSG:3857 metres, `[minX, minY, maxX, maxY]`.
 * @throws ValidationError for a bad address (see {@link checkTileAddress}).
 */
export function tileBoundsMercator(tile: TileAddress): Bbox {
  checkTileAddress(tile);
  const side = (2 * MERCATOR_HALF_WORLD_METERS) / 2 ** tile.z;
  const minX = -MERCATOR_HALF_WORLD_METERS + tile.x * side;
  const maxY = MERCATOR_HALF_WORLD_METERS - tile.y * side;
  return [minX, maxY - side, minX + side, maxY];
}

/** The tile's pixel grid as a north-up GDAL geotransform in EPSG:3857. */
export function tileGeoTransform(tile: TileAddress): GeoTransform {
  const [minX, , , maxY] = tileBoundsMercator(tile);
  const pixel = tilePixelSizeMeters(tile.z);
  return [minX, pixel, 0, maxY, 0, -pixel];
}

/** lon/lat degrees → EPSG:3857 metres (spherical Mercator); latitudes clamp to ±85.0511°. */
export function lonLatToMercator([lon, lat]: Position): Position {
  const maxLat = 85.05112877980659;
  const clamped = Math.max(-maxLat, Math.min(maxLat, lat));
  const phi = (clamped * Math.PI) / 180;
  return [
    (lon * Math.PI * EARTH_RADIUS_METERS) / 180,
    EARTH_RADIUS_METERS * Math.log(Math.tan(Math.PI / 4 + phi / 2)),
  ];
}

/** EPSG:3857 metres → lon/lat degrees. */
export function mercatorToLonLat([x, y]: Position): Position {
  return [
    (x / EARTH_RADIUS_METERS) * (180 / Math.PI),
    (2 * Math.atan(Math.exp(y / EARTH_RADIUS_METERS)) - Math.PI / 2) * (180 / Math.PI),
  ];
}

/**
 * The tile holding a lon/lat position at zoom z, and the position's pixel (fractional,
 * pixel-corner coordinates) inside it.
 */
export function tileAtLonLat(
  position: Position,
  z: number,
): { readonly tile: TileAddress; readonly col: number; readonly row: number } {
  const [mx, my] = lonLatToMercator(position);
  const pixel = tilePixelSizeMeters(z);
  const worldCol = (mx + MERCATOR_HALF_WORLD_METERS) / pixel;
  const worldRow = (MERCATOR_HALF_WORLD_METERS - my) / pixel;
  const x = Math.floor(worldCol / TILE_SIZE_PX);
  const y = Math.floor(worldRow / TILE_SIZE_PX);
  return { tile: { z, x, y }, col: worldCol - x * TILE_SIZE_PX, row: worldRow - y * TILE_SIZE_PX };
}
