/**
 * Exports of derived products: a comparison's change mask or magnitude as a Cloud-Optimized
 * GeoTIFF (the COG that `compare --out` wrote, copied), and a site's comparisons and detection
 * runs as STAC Items in a Collection linked to their source images.
 */
import type { Comparison } from '../../core/change/comparison.ts';
import { NotFoundError } from '../../core/errors.ts';
import { stacCollection, stacItem, type DerivedProduct } from '../../core/export/stac.ts';
import type { PolygonalGeometry } from '../../core/geo/types.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import type { DetectionRun } from '../detect/detection-run.ts';
import type { ComparisonRepository, CrsRegistry } from '../ports.ts';
import type { ExportFiles } from './export-ports.ts';
import { loadSiteProducts, type SiteProductDeps } from './site-products.ts';

export const COMPARISON_RASTERS = ['change-mask', 'change-magnitude'] as const;
export type ComparisonRaster = (typeof COMPARISON_RASTERS)[number];

export interface ExportComparisonDeps {
  readonly comparisons: ComparisonRepository;
  readonly files: ExportFiles;
}

/**
 * Copies the comparison's change mask or magnitude COG to `outPath`.
 * @throws NotFoundError for an unknown comparison, one stored without output files, or a
 * missing output file
 */
export async function exportComparisonRaster(
  deps: ExportComparisonDeps,
  comparisonId: string,
  what: ComparisonRaster,
  outPath: string,
): Promise<{ path: string; source: string }> {
  const comparison = await deps.comparisons.get(comparisonId);
  if (comparison === undefined) throw new NotFoundError(`comparison "${comparisonId}" not found`);
  if (comparison.outputs === null) {
    throw new NotFoundError(
      `comparison "${comparisonId}" was stored without output files (run compare with --out)`,
    );
  }
  const source =
    what === 'change-mask' ? comparison.outputs.changeMask : comparison.outputs.changeMagnitude;
  await deps.files.copyFile(source, outPath);
  return { path: outPath, source };
}

export interface ExportStacDeps extends SiteProductDeps {
  readonly crs: CrsRegistry;
  readonly files: ExportFiles;
}

/**
 * Writes `collection.json` and `items/<id>.json` under `outDir` for the site's comparisons
 * (with output files) and detection runs (with detections.geojson).
 * @throws NotFoundError naming an unknown site
 */
export async function exportSiteStac(
  deps: ExportStacDeps,
  siteId: string,
  outDir: string,
): Promise<{ path: string; itemCount: number }> {
  const products = await loadSiteProducts(deps, siteId);
  const image = (id: string) => products.images.get(id);
  const derived: DerivedProduct[] = [
    ...products.comparisons.flatMap((c) => comparisonProduct(deps.crs, c, image)),
    ...products.runs.flatMap((run) => runProduct(products.site.geometry, run, image)),
  ];
  const collectionId = `sitewatch-${siteId}`;
  const items = derived.map((product) => stacItem(collectionId, product));
  const collection = stacCollection({
    id: collectionId,
    title: `${products.site.name}: derived products`,
    description: `Change maps and detections computed by sitewatch over site ${siteId}.`,
    items,
  });
  const dir = await deps.files.ensureDir(outDir);
  const itemsDir = await deps.files.ensureDir(deps.files.join(dir, 'items'));
  for (const item of items) {
    await deps.files.writeText(
      deps.files.join(itemsDir, `${item.id}.json`),
      `${JSON.stringify(item, null, 2)}\n`,
    );
  }
  await deps.files.writeText(
    deps.files.join(dir, 'collection.json'),
    `${JSON.stringify(collection, null, 2)}\n`,
  );
  return { path: dir, itemCount: items.length };
}

type ImageLookup = (id: string) => ImageRecord | undefined;

function sourceOf(record: ImageRecord | undefined, id: string) {
  const file = record?.files[0];
  if (record === undefined || file === undefined) return [];
  return [{ href: file.storedPath, title: `${id} (${record.acquisition.acquiredAt})` }];
}

/** The comparison grid's outline in lon/lat, or image A's footprint when it has no CRS. */
function gridFootprint(
  crs: CrsRegistry,
  comparison: Comparison,
  imageA: ImageRecord | undefined,
): PolygonalGeometry | null {
  const { geoTransform: t, crs: code, width, height } = comparison.grid;
  if (t === null || code === null) return imageA?.footprint ?? null;
  const toLonLat = crs.toLonLat(code);
  const corners = [
    [0, 0],
    [width, 0],
    [width, height],
    [0, height],
    [0, 0],
  ].map(([col = 0, row = 0]) =>
    toLonLat([t[0] + col * t[1] + row * t[2], t[3] + col * t[4] + row * t[5]]),
  );
  return { type: 'Polygon', coordinates: [corners] };
}

const COG_TYPE = 'image/tiff; application=geotiff; profile=cloud-optimized';

function comparisonProduct(
  crs: CrsRegistry,
  comparison: Comparison,
  image: ImageLookup,
): DerivedProduct[] {
  const a = image(comparison.imageA);
  const b = image(comparison.imageB);
  const geometry = gridFootprint(crs, comparison, a);
  if (comparison.outputs === null || geometry === null || a === undefined || b === undefined) {
    return [];
  }
  const { outputs } = comparison;
  return [
    {
      id: comparison.id,
      geometry,
      datetime: b.acquisition.acquiredAt,
      interval: [a.acquisition.acquiredAt, b.acquisition.acquiredAt],
      created: comparison.createdAt,
      properties: {
        'sitewatch:kind': 'comparison',
        'sitewatch:method': comparison.parameters.method,
        'sitewatch:changed_fraction': comparison.changedFraction,
        'sitewatch:polygon_count': comparison.polygonCount,
        gsd: comparison.grid.gsdMeters,
      },
      assets: {
        'change-mask': {
          href: outputs.changeMask,
          type: COG_TYPE,
          title: 'Change mask',
          roles: ['data'],
        },
        'change-magnitude': {
          href: outputs.changeMagnitude,
          type: COG_TYPE,
          title: 'Change magnitude',
          roles: ['data'],
        },
        changes: {
          href: outputs.changes,
          type: 'application/geo+json',
          title: 'Change polygons',
          roles: ['data'],
        },
        registration: {
          href: outputs.registration,
          type: 'application/json',
          title: 'Co-registration',
          roles: ['metadata'],
        },
      },
      sources: [...sourceOf(a, comparison.imageA), ...sourceOf(b, comparison.imageB)],
    },
  ];
}

function runProduct(
  siteGeometry: PolygonalGeometry,
  run: DetectionRun,
  image: ImageLookup,
): DerivedProduct[] {
  const record = image(run.imageId);
  if (run.outputs === null || record === undefined) return [];
  return [
    {
      id: run.id,
      geometry: record.footprint ?? siteGeometry,
      datetime: record.acquisition.acquiredAt,
      interval: null,
      created: run.createdAt,
      properties: {
        'sitewatch:kind': 'detection-run',
        'sitewatch:model': run.model.id,
        'sitewatch:detection_count': run.detectionCount,
        gsd: run.parameters.imageGsdMeters,
      },
      assets: {
        detections: {
          href: run.outputs.detections,
          type: 'application/geo+json',
          title: 'Detections',
          roles: ['data'],
        },
      },
      sources: sourceOf(record, run.imageId),
    },
  ];
}
