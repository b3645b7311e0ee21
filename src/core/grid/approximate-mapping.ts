/**
 * Building the pixel mapping from a destination grid to a source grid: one affine map when
 * both share a CRS, otherwise an adaptively refined mesh of exact CRS transforms with bilinear
 * interpolation in between (see mapping-mesh.ts), so that an 8192² grid needs thousands of
 * exact transforms instead of 67 million.
 */
import { composeAffine } from '../coregister/affine.ts';
import { ValidationError } from '../errors.ts';
import { applyGeoTransform, invertGeoTransform } from '../geo/footprint.ts';
import type { GeoTransform, PositionTransform } from '../geo/types.ts';
import { describeGrid, validateGrid, type Grid } from './grid.ts';
import { MeshPixelMapping, type ExactPixelMap } from './mapping-mesh.ts';
import { AffinePixelMapping, type CornerAffine, type PixelMapping } from './pixel-mapping.ts';
import { transformOrNull } from './safe-transform.ts';

export type { CornerAffine, PixelMapping } from './pixel-mapping.ts';
export { withAffine, withTranslation, type CorrectionSide } from './mapping-correction.ts';

/** Options of {@link buildPixelMapping}. */
export interface PixelMappingOptions {
  /** Largest interpolation error accepted, in source pixels (> 0); default 0.125, as GDAL. */
  readonly maxErrorPx?: number;
  /** Side of the coarsest mesh cells, in destination pixels (integer >= 2); default 64. */
  readonly initialStepPx?: number;
}

/** A geotransform as a pixel-corner affine map (col, row) ↦ (x, y). */
function geoTransformAffine(t: GeoTransform): CornerAffine {
  return [t[1], t[2], t[0], t[4], t[5], t[3]];
}

function sameCrs(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.toUpperCase() === b.toUpperCase();
}

function checkOptions(options: PixelMappingOptions): { maxErrorPx: number; initialStepPx: number } {
  const maxErrorPx = options.maxErrorPx ?? 0.125;
  const initialStepPx = options.initialStepPx ?? 64;
  if (!(Number.isFinite(maxErrorPx) && maxErrorPx > 0)) {
    throw new ValidationError(`maxErrorPx must be a finite number > 0; got ${maxErrorPx}`);
  }
  if (!Number.isInteger(initialStepPx) || initialStepPx < 2) {
    throw new ValidationError(`initialStepPx must be an integer >= 2; got ${initialStepPx}`);
  }
  return { maxErrorPx, initialStepPx };
}

/**
 * The map from destination pixels to source pixels (pixel-corner coordinates, see
 * pixel-mapping.ts). Grids in the same CRS (equal codes, or `destinationToSource` null) get
 * an exact affine mapping; otherwise a mesh whose interpolation error is within `maxErrorPx`
 * source pixels of the exact transform wherever the map is smooth. Positions outside the
 * transform's domain (it throws a SitewatchError or returns non-finite numbers) map to NaN.
 * Two pixel-only grids (no geotransforms) map by identity.
 * @param destinationToSource transform from destination map coordinates to source map
 *   coordinates (e.g. `registry.toLonLat(dst)` then `registry.fromLonLat(src)`), or null when
 *   both grids are in the same CRS.
 * @throws ValidationError for invalid grids or options, for a geotransform on one side only,
 *   or for grids in different CRSs without a transform.
 */
export function buildPixelMapping(
  destination: Grid,
  source: Grid,
  destinationToSource: PositionTransform | null,
  options: PixelMappingOptions = {},
): PixelMapping {
  validateGrid(destination, 'destination grid');
  validateGrid(source, 'source grid');
  const { maxErrorPx, initialStepPx } = checkOptions(options);
  const from = destination.geoTransform;
  const to = source.geoTransform;
  if (from === null || to === null) {
    if (from !== to) {
      throw new ValidationError(
        `cannot map destination (${describeGrid(destination)}) to source (${describeGrid(source)}): only one has a geotransform`,
      );
    }
    return new AffinePixelMapping(destination, source, [1, 0, 0, 0, 1, 0]);
  }
  const toSourcePixel = invertGeoTransform(to);
  const crsDiffer =
    destination.crs !== null && source.crs !== null && !sameCrs(destination.crs, source.crs);
  if (destinationToSource === null && crsDiffer) {
    throw new ValidationError(
      `destination is in ${destination.crs} and source in ${source.crs}; a transform between them is needed`,
    );
  }
  if (destinationToSource === null || sameCrs(destination.crs, source.crs)) {
    const affine = composeAffine(geoTransformAffine(toSourcePixel), geoTransformAffine(from));
    return new AffinePixelMapping(destination, source, affine);
  }
  const exact: ExactPixelMap = (col, row) => {
    const position = transformOrNull(destinationToSource, applyGeoTransform(from, col, row));
    return position === null ? null : applyGeoTransform(toSourcePixel, position[0], position[1]);
  };
  return new MeshPixelMapping(destination, source, exact, { maxErrorPx, initialStepPx });
}
