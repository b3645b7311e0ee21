/**
 * Mapping between an ImageRecord and its rows: the document (without `sites`, which live in
 * image_sites) and the indexed columns derived from it.
 */
import type { Bbox } from '../../core/geo/types.ts';
import {
  IMAGE_SCHEMA_VERSION,
  imageIdFromSha256,
  type ImageRecord,
} from '../../core/imagery/image.ts';
import { CorruptFileError, ValidationError } from '../../core/errors.ts';
import { canonicalIsoInstant } from './iso-time-bounds.ts';
import type { ImageFootprint } from '../../app/ports.ts';
import {
  decodeDocument,
  encodeDocument,
  omitKey,
  readStoredDocument,
  type DocumentSchema,
} from './stored-document.ts';

const SHA256_HEX = /^[0-9a-f]{64}$/;

const IMAGE_SCHEMA: DocumentSchema = {
  kind: 'image',
  currentVersion: IMAGE_SCHEMA_VERSION,
  upgrades: new Map(),
};

/** Column values of one `images` row. */
export interface ImageRow {
  readonly id: string;
  readonly sha256: string;
  readonly acquiredAt: string;
  readonly ingestedAt: string;
  /** lon/lat bounds of the footprint; null for pixel-only imagery. */
  readonly bbox: Bbox | null;
  readonly doc: string;
  readonly schemaVersion: number;
}

/**
 * Validates what the indexes rely on and derives the row.
 * @throws ValidationError naming the field: a sha256 that is not 64 lowercase hex digits,
 *   an id other than `img_` + its first 16, times that are not ISO 8601 with a zone, a
 *   footprint with non-finite or missing coordinates.
 */
export function toImageRow(record: ImageRecord): ImageRow {
  if (!SHA256_HEX.test(record.sha256)) {
    throw new ValidationError(
      `image sha256 '${record.sha256}' is not 64 lowercase hexadecimal digits`,
    );
  }
  const expectedId = imageIdFromSha256(record.sha256);
  if (record.id !== expectedId) {
    throw new ValidationError(
      `image id '${record.id}' does not match its sha256; expected '${expectedId}'`,
    );
  }
  if ((record.schemaVersion as number) !== IMAGE_SCHEMA_VERSION) {
    throw new ValidationError(
      `image '${record.id}' has schemaVersion ${String(record.schemaVersion)}; expected ${IMAGE_SCHEMA_VERSION}`,
    );
  }
  return {
    id: record.id,
    sha256: record.sha256,
    acquiredAt: canonicalIsoInstant(
      record.acquisition.acquiredAt,
      `image '${record.id}' acquiredAt`,
    ),
    ingestedAt: canonicalIsoInstant(record.ingestedAt, `image '${record.id}' ingestedAt`),
    bbox: record.footprint === null ? null : footprintBbox(record.footprint, record.id),
    doc: encodeDocument(omitKey(record, 'sites')),
    schemaVersion: record.schemaVersion,
  };
}

/** The record from its stored document and its index rows (`sites` as a JSON array). */
export function fromImageRow(id: string, doc: string, sitesJson: string): ImageRecord {
  const stored = readStoredDocument(doc, id, IMAGE_SCHEMA);
  if (stored.id !== id) {
    throw new CorruptFileError(
      `stored image '${id}' holds a document for id '${String(stored.id)}'`,
    );
  }
  const sites = JSON.parse(sitesJson) as string[];
  return { ...stored, sites } as unknown as ImageRecord;
}

/**
 * [minLon, minLat, maxLon, maxLat] over every ring of a lon/lat polygon.
 * @throws ValidationError when it has no positions or a non-finite coordinate.
 */
export function footprintBbox(footprint: NonNullable<ImageRecord['footprint']>, id: string): Bbox {
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  for (const ring of footprint.coordinates) {
    for (const [lon, lat] of ring) {
      if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
        throw new ValidationError(
          `image '${id}' footprint has position [${String(lon)}, ${String(lat)}]; expected finite lon/lat`,
        );
      }
      minLon = Math.min(minLon, lon);
      minLat = Math.min(minLat, lat);
      maxLon = Math.max(maxLon, lon);
      maxLat = Math.max(maxLat, lat);
    }
  }
  if (minLon > maxLon) {
    throw new ValidationError(`image '${id}' footprint has no positions`);
  }
  return [minLon, minLat, maxLon, maxLat];
}

/**
 * Checks a query bbox.
 * @throws ValidationError unless it is four finite numbers with min <= max on both axes.
 */
export function assertQueryBbox(bbox: Bbox): void {
  const [minLon, minLat, maxLon, maxLat] = bbox;
  if (!bbox.every((value) => Number.isFinite(value)) || minLon > maxLon || minLat > maxLat) {
    throw new ValidationError(
      `bbox [${bbox.join(', ')}] is not [minLon, minLat, maxLon, maxLat] with finite min <= max`,
    );
  }
}

/** One row of a footprint query: the image id, its lon/lat bounds and footprint document. */
export interface FootprintRow {
  id: string;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
  footprint: string;
}

export function footprintFromRow(row: FootprintRow): ImageFootprint {
  return {
    id: row.id,
    bbox: [row.min_lon, row.min_lat, row.max_lon, row.max_lat],
    footprint: decodeDocument(row.footprint) as ImageFootprint['footprint'],
  };
}
