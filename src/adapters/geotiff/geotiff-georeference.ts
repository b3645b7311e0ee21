/**
 * CRS and geotransform of a GeoTIFF from its GeoKeys and model tags, as GDAL reads them.
 */
import type { CrsRegistry } from '../../app/ports.ts';
import {
  CorruptFileError,
  SitewatchError,
  UnknownCrsError,
  UnsupportedError,
} from '../../core/errors.ts';
import type { GeoTransform } from '../../core/geo/types.ts';
import type { IfdValues } from './tiff-image-info.ts';
import { TAG } from './tiff-tags.ts';

const GEO_KEY = {
  GTModelType: 1024,
  GTRasterType: 1025,
  GTCitation: 1026,
  GeographicType: 2048,
  GeogCitation: 2049,
  ProjectedCSType: 3072,
  PCSCitation: 3073,
  GeogEllipsoid: 2056,
  Projection: 3074,
  ProjLinearUnits: 3076,
} as const;
const ELLIPSOID_WGS84 = 7030;
const UNIT_METRE = 9001;
const USER_DEFINED = 32767;
const MODEL_TYPE_PROJECTED = 1;
const RASTER_PIXEL_IS_POINT = 2;

export interface Georeference {
  /** `EPSG:n`, or null for pixel-only images. */
  readonly crs: string | null;
  readonly geoTransform: GeoTransform | null;
}

interface GeoKeys {
  readonly shorts: ReadonlyMap<number, number>;
  readonly texts: ReadonlyMap<number, string>;
}

async function readGeoKeys(values: IfdValues): Promise<GeoKeys | null> {
  const directory = await values.numbers(TAG.GeoKeyDirectory);
  if (directory === undefined || directory.length < 4) return null;
  const ascii = (await values.text(TAG.GeoAsciiParams)) ?? '';
  const shorts = new Map<number, number>();
  const texts = new Map<number, string>();
  const keyCount = Math.min(directory[3] ?? 0, Math.floor((directory.length - 4) / 4));
  for (let i = 0; i < keyCount; i += 1) {
    const [key, location, count, value] = directory.slice(4 + i * 4, 8 + i * 4);
    if (key === undefined || location === undefined || count === undefined || value === undefined)
      break;
    if (location === 0) shorts.set(key, value);
    else if (location === TAG.GeoAsciiParams)
      texts.set(key, ascii.slice(value, value + count).replace(/[|\0]+$/, ''));
  }
  return { shorts, texts };
}

function finite(values: readonly number[]): boolean {
  return values.every((v) => Number.isFinite(v));
}

async function readGeoTransform(values: IfdValues, path: string): Promise<GeoTransform | null> {
  const matrix = await values.numbers(TAG.ModelTransformation);
  if (matrix !== undefined && matrix.length >= 16) {
    const t: GeoTransform = [
      matrix[3] ?? 0,
      matrix[0] ?? 0,
      matrix[1] ?? 0,
      matrix[7] ?? 0,
      matrix[4] ?? 0,
      matrix[5] ?? 0,
    ];
    if (!finite(t) || t[1] * t[5] - t[2] * t[4] === 0) {
      throw new CorruptFileError(
        `${path}: ModelTransformation [${matrix.join(', ')}] is not an invertible affine transform`,
      );
    }
    return t;
  }
  const tiepoints = await values.numbers(TAG.ModelTiepoint);
  if (tiepoints === undefined || tiepoints.length < 6) return null;
  const scale = await values.numbers(TAG.ModelPixelScale);
  if (scale === undefined || scale.length < 2) {
    throw new UnsupportedError(
      `${path}: georeferenced by ${Math.floor(tiepoints.length / 6)} ground control points without ModelPixelScale; warp it to a grid first (e.g. gdalwarp)`,
    );
  }
  const [i = 0, j = 0, , x = 0, y = 0] = tiepoints;
  const [sx = 0, sy = 0] = scale;
  if (!finite([i, j, x, y, sx, sy]) || sx === 0 || sy === 0) {
    throw new CorruptFileError(
      `${path}: ModelPixelScale [${scale.join(', ')}] / ModelTiepoint [${tiepoints.slice(0, 6).join(', ')}] are not a usable grid`,
    );
  }
  return [x - i * sx, sx, 0, y + j * sy, 0, -sy];
}

function crsHint(path: string, reason: string): UnknownCrsError {
  return new UnknownCrsError(
    `${path}: ${reason}, so sitewatch cannot tell which EPSG CRS it is in; if you know it, pass --crs EPSG:n`,
  );
}

function citationOf(keys: GeoKeys): string {
  const raw =
    keys.texts.get(GEO_KEY.GTCitation) ??
    keys.texts.get(GEO_KEY.PCSCitation) ??
    keys.texts.get(GEO_KEY.GeogCitation) ??
    '';
  const text = raw.replace(/^ESRI PE String = /, '').trim();
  if (text === '') return '';
  return ` ('${text.length > 60 ? `${text.slice(0, 60)}…` : text}')`;
}

/**
 * A user-defined projected CRS that is a UTM zone by its ProjectionGeoKey (EPSG conversion
 * 16001–16060 north, 16101–16160 south) in metres on WGS 84, NAD83 or NAD27 is that datum's
 * EPSG UTM code, as rasterio's RGB.byte.tif quadrants ("UTM Zone 18, Northern Hemisphere",
 * datum unspecified on the WGS 84 ellipsoid) need. Undefined when the keys say anything else.
 */
function utmEquivalent(keys: GeoKeys): string | undefined {
  const projection = keys.shorts.get(GEO_KEY.Projection);
  const units = keys.shorts.get(GEO_KEY.ProjLinearUnits);
  if (projection === undefined || (units !== undefined && units !== UNIT_METRE)) return undefined;
  const north = projection >= 16001 && projection <= 16060;
  const south = projection >= 16101 && projection <= 16160;
  if (!north && !south) return undefined;
  const zone = projection % 100;
  const geographic = keys.shorts.get(GEO_KEY.GeographicType);
  const ellipsoid = keys.shorts.get(GEO_KEY.GeogEllipsoid);
  if (geographic === 4326 || (geographic === USER_DEFINED && ellipsoid === ELLIPSOID_WGS84)) {
    return `EPSG:${north ? 32600 + zone : 32700 + zone}`;
  }
  if (north && geographic === 4269 && zone <= 23) return `EPSG:${26900 + zone}`;
  if (north && geographic === 4267 && zone <= 22) return `EPSG:${26700 + zone}`;
  return undefined;
}

/** `EPSG:n` from the GeoKeys, or '' when they name none. @throws UnknownCrsError for user-defined CRSs. */
function crsFromGeoKeys(keys: GeoKeys | null, path: string): string {
  if (keys === null) return '';
  const projected = keys.shorts.get(GEO_KEY.ProjectedCSType);
  const geographic = keys.shorts.get(GEO_KEY.GeographicType);
  const modelType = keys.shorts.get(GEO_KEY.GTModelType);
  const isProjected =
    modelType === MODEL_TYPE_PROJECTED ||
    modelType === USER_DEFINED ||
    (projected !== undefined && projected !== 0);
  const code = isProjected ? projected : geographic;
  const utm = isProjected && code === USER_DEFINED ? utmEquivalent(keys) : undefined;
  if (utm !== undefined) return utm;
  if (code === USER_DEFINED || (isProjected && modelType === USER_DEFINED)) {
    throw crsHint(
      path,
      `its CRS is user-defined in the GeoKeys${citationOf(keys)}, not an EPSG code`,
    );
  }
  if (code === undefined || code === 0) {
    if (isProjected)
      throw crsHint(path, `its projected CRS has no EPSG code in the GeoKeys${citationOf(keys)}`);
    return '';
  }
  return `EPSG:${code}`;
}

function resolveFileCrs(keys: GeoKeys | null, crs: CrsRegistry, path: string): string {
  const code = crsFromGeoKeys(keys, path);
  if (code === '') throw crsHint(path, 'it is georeferenced but its GeoKeys name no CRS');
  try {
    crs.assertKnown(code);
  } catch (error) {
    if (!(error instanceof SitewatchError)) throw error;
    throw new UnknownCrsError(
      `${path}: CRS ${code} from its GeoKeys is unknown (${error.message}); if you know its EPSG equivalent, pass --crs EPSG:n`,
      { cause: error },
    );
  }
  return code;
}

function resolveFallbackCrs(fallback: string, crs: CrsRegistry, path: string): string {
  try {
    crs.assertKnown(fallback);
  } catch (error) {
    if (!(error instanceof SitewatchError)) throw error;
    throw new UnknownCrsError(
      `${path}: the CRS given with --crs (${fallback}) is unknown: ${error.message}`,
      {
        cause: error,
      },
    );
  }
  return fallback.trim().toUpperCase();
}

/**
 * Reads the georeference of a GeoTIFF image. No ModelTiepoint/ModelTransformation at all means
 * pixel-only (both null). RasterPixelIsPoint shifts the origin by half a pixel, as GDAL does.
 * @param crsFallback `EPSG:n` to use when the GeoKeys name no known CRS (user-defined, missing
 *   or unknown code); a known code in the file wins.
 * @throws UnknownCrsError naming the file and code for unknown EPSG codes, or with a `--crs` hint
 *   for user-defined or missing CRS keys (unless `crsFallback` resolves them); CorruptFileError
 *   for unusable transforms; UnsupportedError for GCP-only georeferencing.
 */
export async function readGeoreference(
  values: IfdValues,
  crs: CrsRegistry,
  crsFallback?: string,
): Promise<Georeference> {
  const path = values.source.path;
  const transform = await readGeoTransform(values, path);
  if (transform === null) return { crs: null, geoTransform: null };
  const keys = await readGeoKeys(values);
  let code: string;
  try {
    code = resolveFileCrs(keys, crs, path);
  } catch (error) {
    if (!(error instanceof UnknownCrsError) || crsFallback === undefined) throw error;
    code = resolveFallbackCrs(crsFallback, crs, path);
  }
  let geoTransform = transform;
  if (keys?.shorts.get(GEO_KEY.GTRasterType) === RASTER_PIXEL_IS_POINT) {
    const [x0, a, b, y0, d, e] = transform;
    geoTransform = [x0 - (a + b) * 0.5, a, b, y0 - (d + e) * 0.5, d, e];
  }
  return { crs: code, geoTransform };
}
