/**
 * Checks that the files of a band set describe one acquisition on compatible grids, picks the
 * finest grid, and measures each band's native pixel size in metres.
 */
import { UnsupportedError, ValidationError } from '../../core/errors.ts';
import type { GeoTransform } from '../../core/geo/types.ts';
import type { RasterDescription } from '../../core/raster/raster.ts';

/** Spherical metres per degree of latitude (WGS 84 semi-major axis), as used for GSD estimates. */
const METERS_PER_DEGREE = (Math.PI / 180) * 6378137;

export interface BandGrid {
  readonly path: string;
  readonly description: RasterDescription;
}

interface Georeferenced {
  readonly crs: string;
  readonly geoTransform: GeoTransform;
}

/** [minX, minY, maxX, maxY] of a north-up grid. */
function extentOf(
  description: RasterDescription,
  t: GeoTransform,
): [number, number, number, number] {
  const x1 = t[0] + description.width * t[1];
  const y1 = t[3] + description.height * t[5];
  return [Math.min(t[0], x1), Math.min(t[3], y1), Math.max(t[0], x1), Math.max(t[3], y1)];
}

function georeferenced(band: BandGrid): Georeferenced {
  const { crs, geoTransform } = band.description;
  if (crs === null || geoTransform === null) {
    throw new ValidationError(
      `${band.path}: a band-set file must be georeferenced (it has no CRS or geotransform)`,
    );
  }
  if (geoTransform[2] !== 0 || geoTransform[4] !== 0) {
    throw new UnsupportedError(
      `${band.path}: rotated grids are not supported in band sets (geotransform [${geoTransform.join(', ')}])`,
    );
  }
  return { crs, geoTransform };
}

const format = (values: readonly number[]): string =>
  `[${values.map((v) => Number(v.toPrecision(10))).join(', ')}]`;

function checkPair(reference: BandGrid, band: BandGrid): void {
  const a = georeferenced(reference);
  const b = georeferenced(band);
  if (band.description.bandNames.length !== 1) {
    throw new ValidationError(
      `${band.path}: has ${band.description.bandNames.length} bands; each band-set file must hold one band`,
    );
  }
  if (a.crs !== b.crs) {
    throw new ValidationError(
      `band-set files differ in CRS: ${reference.path} is in ${a.crs}, ${band.path} is in ${b.crs}`,
    );
  }
  if (reference.description.dataType !== band.description.dataType) {
    throw new ValidationError(
      `band-set files differ in data type: ${reference.path} is ${reference.description.dataType}, ${band.path} is ${band.description.dataType}`,
    );
  }
  const nodataA = reference.description.nodata;
  const nodataB = band.description.nodata;
  if (!(nodataA === nodataB || (Number.isNaN(nodataA) && Number.isNaN(nodataB)))) {
    throw new ValidationError(
      `band-set files differ in nodata: ${reference.path} has ${nodataA}, ${band.path} has ${nodataB}`,
    );
  }
  const extentA = extentOf(reference.description, a.geoTransform);
  const extentB = extentOf(band.description, b.geoTransform);
  const toleranceX = 0.5 * Math.max(Math.abs(a.geoTransform[1]), Math.abs(b.geoTransform[1]));
  const toleranceY = 0.5 * Math.max(Math.abs(a.geoTransform[5]), Math.abs(b.geoTransform[5]));
  const tolerances = [toleranceX, toleranceY, toleranceX, toleranceY];
  if (
    extentA.some(
      (v, i) => Math.abs(v - (extentB[i] ?? Number.NaN)) > (tolerances[i] ?? 0) || Number.isNaN(v),
    )
  ) {
    throw new ValidationError(
      `band-set files do not cover the same extent (within half the coarser pixel): ${reference.path} covers ` +
        `${format(extentA)} and ${band.path} covers ${format(extentB)} in ${a.crs}; are they the same acquisition?`,
    );
  }
}

/**
 * Checks every band against the first (single band, same CRS, data type, nodata and extent
 * within half the coarser pixel) and returns the index of the finest band (smallest pixel area;
 * the first on ties), whose grid the set uses.
 * @throws ValidationError naming the two files (and their CRSs or extents) that disagree;
 *   UnsupportedError for rotated grids.
 */
export function checkBandGrids(bands: readonly BandGrid[]): number {
  const [first] = bands;
  if (first === undefined) throw new ValidationError('a band set needs at least one band file');
  let finest = 0;
  let finestArea = Number.POSITIVE_INFINITY;
  bands.forEach((band, index) => {
    checkPair(first, band);
    const t = georeferenced(band).geoTransform;
    const area = Math.abs(t[1] * t[5]);
    if (area < finestArea) {
      finest = index;
      finestArea = area;
    }
  });
  return finest;
}

/**
 * The native ground sample distance of a north-up grid in metres: the square root of the pixel
 * area. Degree grids use a sphere of the WGS 84 semi-major axis at the grid's centre latitude;
 * other CRSs are taken to be in metres.
 */
export function nativeGsdMeters(
  description: RasterDescription,
  t: GeoTransform,
  unitsAreDegrees: boolean,
): number {
  if (!unitsAreDegrees) return Math.sqrt(Math.abs(t[1] * t[5]));
  const centreLatitude = t[3] + (description.height / 2) * t[5];
  const xMeters = Math.abs(t[1]) * METERS_PER_DEGREE * Math.cos((centreLatitude * Math.PI) / 180);
  const yMeters = Math.abs(t[5]) * METERS_PER_DEGREE;
  return Math.sqrt(xMeters * yMeters);
}
