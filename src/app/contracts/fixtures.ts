/**
 * Valid, realistic test records for the contract suites, derived from a seed so that each
 * test names exactly the records it uses.
 */
import type { Site } from '../../core/catalog/site.ts';
import { ValidationError } from '../../core/errors.ts';
import type { PolygonGeometry } from '../../core/geo/types.ts';
import {
  IMAGE_SCHEMA_VERSION,
  imageIdFromSha256,
  type Acquisition,
  type ImageRecord,
} from '../../core/imagery/image.ts';
import { seededRandom } from '../../core/random.ts';

/**
 * `value`, or a thrown error naming `what` when it is undefined (narrows indexed access).
 * @throws ValidationError when `value` is undefined.
 */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ValidationError(`expected ${what}; got undefined`);
  return value;
}

/** 64 lowercase hex digits determined by `seed` (shaped like a sha256; not a real digest). */
export function fakeSha256(seed: number): string {
  const random = seededRandom(seed * 7919 + 17);
  let hex = '';
  while (hex.length < 64) {
    hex += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  }
  return hex;
}

/** An axis-aligned lon/lat rectangle as a closed polygon, counter-clockwise. */
export function rectangle(bbox: readonly [number, number, number, number]): PolygonGeometry {
  const [minLon, minLat, maxLon, maxLat] = bbox;
  return {
    type: 'Polygon',
    coordinates: [
      [
        [minLon, minLat],
        [maxLon, minLat],
        [maxLon, maxLat],
        [minLon, maxLat],
        [minLon, minLat],
      ],
    ],
  };
}

export type ImageRecordOverrides = Partial<Omit<ImageRecord, 'acquisition'>> & {
  /** Picks the sha256, place and date; 1 when absent. */
  readonly seed?: number;
  /** Merged into the default acquisition. */
  readonly acquisition?: Partial<Acquisition>;
};

const HOME = '/home/analyst/.sitewatch';
const DAY_MS = 86_400_000;

/**
 * A geo-referenced three-band GeoTIFF record (0.5 m UTM imagery near 124.7°E 39.66°N),
 * acquired `seed` days after 2019-01-01T02:10Z. `id` follows `sha256` unless overridden.
 */
export function makeImageRecord(overrides: ImageRecordOverrides = {}): ImageRecord {
  const { seed = 1, acquisition, ...rest } = overrides;
  const sha256 = rest.sha256 ?? fakeSha256(seed);
  const minLon = 124.7 + (seed % 10) * 0.004;
  const minLat = 39.66 + (seed % 7) * 0.003;
  const originalPath = `/data/incoming/scene-${String(seed).padStart(4, '0')}.tif`;
  return {
    schemaVersion: IMAGE_SCHEMA_VERSION,
    id: imageIdFromSha256(sha256),
    sha256,
    format: 'geotiff',
    width: 1024,
    height: 1024,
    bands: ['red', 'green', 'blue'].map((name, fileBand) => ({
      name,
      nativeGsdMeters: 0.5,
      fileIndex: 0,
      fileBand,
    })),
    dataType: 'uint8',
    nodata: 0,
    crs: 'EPSG:32651',
    geoTransform: [386_000 + seed * 100, 0.5, 0, 4_391_000 - seed * 50, 0, -0.5],
    gsdMeters: 0.5,
    footprint: rectangle([minLon, minLat, minLon + 0.006, minLat + 0.0046]),
    acquisition: {
      acquiredAt: new Date(Date.UTC(2019, 0, 1, 2, 10) + seed * DAY_MS).toISOString(),
      sensor: 'WorldView-3',
      provider: 'Maxar',
      sunElevationDeg: 31.5,
      sunAzimuthDeg: 162.25,
      offNadirDeg: 14.1,
      cloudCoverPercent: 0,
      credit: 'Satellite image © Maxar Technologies',
      license: null,
      sources: { acquiredAt: 'sidecar', sensor: 'sidecar', provider: 'flag' },
      ...acquisition,
    },
    layout: {
      tiled: true,
      blockWidth: 256,
      blockHeight: 256,
      compression: 'deflate',
      overviewCount: 2,
      cloudOptimized: true,
    },
    stats: [0, 1, 2].map((band) => ({
      min: 1,
      max: 255,
      mean: 101.25 + band,
      stdDev: 38.5,
      validCount: 1_048_000,
    })),
    files: [
      {
        role: 'raster',
        sha256,
        sizeBytes: 2_411_520 + seed,
        originalPath,
        storedPath: `${HOME}/blobs/sha256/${sha256.slice(0, 2)}/${sha256}`,
        linked: false,
      },
      {
        role: 'sidecar',
        sha256: fakeSha256(seed + 100_000),
        sizeBytes: 412,
        originalPath: originalPath.replace(/\.tif$/, '.json'),
        storedPath: `${HOME}/blobs/sha256/00/${fakeSha256(seed + 100_000)}`,
        linked: false,
      },
    ],
    sites: [],
    ingestedAt: '2024-05-01T12:00:00.000Z',
    ...rest,
  };
}

export type SiteOverrides = Partial<Site> & {
  /** Picks the id and place; 1 when absent. */
  readonly seed?: number;
};

/** A launch site with one pad zone and one link, its polygon near 124.7°E 39.66°N. */
export function makeSite(overrides: SiteOverrides = {}): Site {
  const { seed = 1, ...rest } = overrides;
  const minLon = 124.7 + (seed % 10) * 0.01;
  const minLat = 39.66 + (seed % 7) * 0.01;
  return {
    id: `site-${seed}`,
    name: `Launch site ${seed}`,
    kind: 'launch-site',
    tags: ['coastal', 'rail-served'],
    notes: 'Vertical engine test stand to the north; pad extended in 2018.',
    geometry: rectangle([minLon, minLat, minLon + 0.02, minLat + 0.015]),
    zones: [
      {
        id: 'pad-1',
        name: 'Launch pad',
        kind: 'pad',
        geometry: rectangle([minLon + 0.005, minLat + 0.005, minLon + 0.008, minLat + 0.008]),
      },
    ],
    links: [{ target: 'rail-yard', relation: 'supplies', note: 'rail spur' }],
    ...rest,
  };
}
