/**
 * CrsRegistry on proj4 with EPSG definitions read offline, lazily, from the `epsg-index` package.
 */
import proj4 from 'proj4';
import type { CrsRegistry } from '../../app/ports.ts';
import { UnknownCrsError, ValidationError, describeError } from '../../core/errors.ts';
import type { Position, PositionTransform } from '../../core/geo/types.ts';
import {
  parseEpsgCode,
  proj4DefinitionFor,
  requireHorizontalEntry,
  type EpsgEntry,
} from './epsg-index-reader.ts';
import { findEpsgCodesByName } from './epsg-name-index.ts';
import { readWktCrsIdentity } from './wkt-crs-identity.ts';

const WGS84_LON_LAT = 4326;

interface Converter {
  forward(position: [number, number]): number[];
  inverse(position: [number, number]): number[];
}

/**
 * Whether the CRS's axes are in degrees (geographic CRSs such as EPSG:4326) rather than linear
 * units (metres, feet).
 * @throws UnknownCrsError when `crs` is not a known horizontal EPSG CRS.
 */
export function crsUnitsAreDegrees(crs: string): boolean {
  const entry = requireHorizontalEntry(crs);
  if (entry.unit !== null) return entry.unit.toLowerCase().startsWith('degree');
  return /\+proj=longlat\b/.test(entry.proj4 ?? '');
}

function applying(
  converter: Converter,
  direction: 'forward' | 'inverse',
  from: string,
  to: string,
): PositionTransform {
  return (position: Position): Position => {
    let result: number[];
    try {
      result = converter[direction]([position[0], position[1]]);
    } catch (error) {
      throw new ValidationError(
        `cannot transform [${position[0]}, ${position[1]}] from ${from} to ${to}: ${describeError(error)}`,
        { cause: error },
      );
    }
    const [x, y] = result;
    if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new ValidationError(
        `cannot transform [${position[0]}, ${position[1]}] from ${from} to ${to}: outside the projection's domain`,
      );
    }
    return [x, y];
  };
}

const identity: PositionTransform = (position) => [position[0], position[1]];

/**
 * Resolves `EPSG:n` codes (any case) offline. Converters are built once per code and cached.
 * Grid-shift files are not shipped; see `proj4DefinitionFor` for the accuracy this implies.
 */
export class EpsgCrsRegistry implements CrsRegistry {
  readonly #converters = new Map<number, Converter>();

  /** @throws UnknownCrsError naming the code when it is unknown or cannot be transformed. */
  assertKnown(crs: string): void {
    requireHorizontalEntry(crs);
  }

  /**
   * A transform from `crs` map coordinates to [longitude, latitude] in degrees (EPSG:4326).
   * The transform throws ValidationError for positions outside the projection's domain.
   * @throws UnknownCrsError
   */
  toLonLat(crs: string): PositionTransform {
    const code = parseEpsgCode(crs);
    if (code === WGS84_LON_LAT) return identity;
    return applying(this.#converter(code), 'inverse', `EPSG:${code}`, 'EPSG:4326');
  }

  /**
   * A transform from [longitude, latitude] in degrees to `crs` map coordinates.
   * @throws UnknownCrsError
   */
  fromLonLat(crs: string): PositionTransform {
    const code = parseEpsgCode(crs);
    if (code === WGS84_LON_LAT) return identity;
    return applying(this.#converter(code), 'forward', 'EPSG:4326', `EPSG:${code}`);
  }

  /**
   * `EPSG:n` for WKT1/WKT2 text: the outermost EPSG authority code, else a unique match of the
   * root CRS name against the EPSG index (ESRI `.prj` spellings included).
   * @throws UnknownCrsError quoting the start of the WKT when neither identifies a known CRS.
   */
  fromWkt(wkt: string): string {
    const start = wkt.trim().slice(0, 80);
    const identity = readWktCrsIdentity(wkt);
    if (identity === null) {
      throw new UnknownCrsError(`not a WKT CRS definition: '${start}'`);
    }
    if (identity.epsgCode !== null) {
      const crs = `EPSG:${identity.epsgCode}`;
      this.assertKnown(crs);
      return crs;
    }
    const codes =
      identity.name === null ? [] : findEpsgCodesByName(identity.name, identity.keyword);
    const [first] = codes;
    if (first === undefined) {
      throw new UnknownCrsError(
        `no EPSG code found for WKT '${start}': it has no AUTHORITY/ID clause and its name ` +
          `'${identity.name ?? ''}' matches no EPSG CRS; pass --crs EPSG:n`,
      );
    }
    if (codes.length > 1) {
      throw new UnknownCrsError(
        `WKT name '${identity.name ?? ''}' matches several EPSG CRSs (${codes
          .slice(0, 5)
          .map((c) => `EPSG:${c}`)
          .join(', ')}); pass --crs EPSG:n`,
      );
    }
    const crs = `EPSG:${first}`;
    this.assertKnown(crs);
    return crs;
  }

  #converter(code: number): Converter {
    const cached = this.#converters.get(code);
    if (cached !== undefined) return cached;
    const entry: EpsgEntry = requireHorizontalEntry(`EPSG:${code}`);
    let converter: Converter;
    try {
      converter = proj4('EPSG:4326', proj4DefinitionFor(entry));
    } catch (error) {
      throw new UnknownCrsError(
        `EPSG:${code} (${entry.name}): proj4 cannot use its definition '${entry.proj4 ?? ''}': ${describeError(error)}`,
        { cause: error },
      );
    }
    this.#converters.set(code, converter);
    return converter;
  }
}
