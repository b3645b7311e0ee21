/**
 * STAC 1.0.0 documents for derived products (comparisons, detection runs): one Item per
 * product with its files as assets and `derived_from` links to the source images, gathered in
 * one Collection per site. Layout: `collection.json` and `items/<id>.json`, linked relatively.
 */
import { bboxOfGeometry } from '../geo/bbox.ts';
import type { Bbox, PolygonalGeometry } from '../geo/types.ts';
import { unionBbox, type ExportValue } from './export-layer.ts';

export const STAC_VERSION = '1.0.0';

export interface StacAsset {
  readonly href: string;
  readonly type: string;
  readonly title: string;
  readonly roles: readonly string[];
}

export interface StacLink {
  readonly rel: string;
  readonly href: string;
  readonly type?: string;
  readonly title?: string;
}

/** What one derived product contributes to its Item. */
export interface DerivedProduct {
  /** Item id (the comparison or run id). */
  readonly id: string;
  /** lon/lat footprint of the product. */
  readonly geometry: PolygonalGeometry;
  /** ISO 8601 UTC: the (later) acquisition the product describes. */
  readonly datetime: string;
  /** For products spanning two dates: the earlier and the later acquisition. */
  readonly interval: readonly [string, string] | null;
  /** ISO 8601 UTC when the product was computed. */
  readonly created: string;
  readonly properties: Readonly<Record<string, ExportValue>>;
  readonly assets: Readonly<Record<string, StacAsset>>;
  /** The source images (href of the stored file, title naming the image). */
  readonly sources: readonly { readonly href: string; readonly title: string }[];
}

export interface StacItem {
  readonly type: 'Feature';
  readonly stac_version: string;
  readonly stac_extensions: readonly string[];
  readonly id: string;
  readonly collection: string;
  readonly geometry: PolygonalGeometry;
  readonly bbox: Bbox;
  readonly properties: Readonly<Record<string, ExportValue>>;
  readonly links: readonly StacLink[];
  readonly assets: Readonly<Record<string, StacAsset>>;
}

const COLLECTION_LINK = '../collection.json';

/** The Item of one product in the collection `collectionId` (written as `items/<id>.json`). */
export function stacItem(collectionId: string, product: DerivedProduct): StacItem {
  const time =
    product.interval === null
      ? { datetime: product.datetime }
      : {
          datetime: product.datetime,
          start_datetime: product.interval[0],
          end_datetime: product.interval[1],
        };
  return {
    type: 'Feature',
    stac_version: STAC_VERSION,
    stac_extensions: [],
    id: product.id,
    collection: collectionId,
    geometry: product.geometry,
    bbox: bboxOfGeometry(product.geometry),
    properties: { ...product.properties, ...time, created: product.created },
    links: [
      { rel: 'root', href: COLLECTION_LINK, type: 'application/json' },
      { rel: 'parent', href: COLLECTION_LINK, type: 'application/json' },
      { rel: 'collection', href: COLLECTION_LINK, type: 'application/json' },
      ...product.sources.map((source) => ({
        rel: 'derived_from',
        href: source.href,
        title: source.title,
      })),
    ],
    assets: product.assets,
  };
}

export interface StacCollectionInput {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly items: readonly StacItem[];
}

/** The Collection: spatial extent the union of the items' bboxes, temporal their datetimes. */
export function stacCollection(input: StacCollectionInput) {
  const bbox = unionBbox(input.items.map((item) => item.bbox)) ?? [-180, -90, 180, 90];
  const times = input.items
    .flatMap((item) => [item.properties.start_datetime, item.properties.datetime])
    .filter((t): t is string => typeof t === 'string')
    .sort();
  return {
    type: 'Collection' as const,
    stac_version: STAC_VERSION,
    stac_extensions: [] as string[],
    id: input.id,
    title: input.title,
    description: input.description,
    license: 'proprietary',
    extent: {
      spatial: { bbox: [bbox] },
      temporal: { interval: [[times[0] ?? null, times.at(-1) ?? null]] },
    },
    links: [
      { rel: 'root', href: './collection.json', type: 'application/json' },
      ...input.items.map((item) => ({
        rel: 'item',
        href: `./items/${item.id}.json`,
        type: 'application/geo+json',
      })),
    ],
  };
}
