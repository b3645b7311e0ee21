/** The JSON shape of an image in CLI output (the scripts' contract in the README). */
import type { ImageRecord } from '../../core/imagery/image.ts';
import { NotFoundError } from '../../core/errors.ts';
import { resolve } from 'node:path';
import type { ImageRepository } from '../../app/ports.ts';

export function imageJson(image: ImageRecord, duplicate?: boolean) {
  return {
    id: image.id,
    sha256: image.sha256,
    format: image.format,
    width: image.width,
    height: image.height,
    bands: image.bands.map((b) => b.name),
    bandInfo: image.bands,
    dataType: image.dataType,
    nodata: image.nodata,
    crs: image.crs,
    geoTransform: image.geoTransform,
    gsdMeters: image.gsdMeters,
    footprint: image.footprint,
    acquiredAt: image.acquisition.acquiredAt,
    acquisition: image.acquisition,
    layout: image.layout,
    stats: image.stats,
    files: image.files,
    sites: image.sites,
    ingestedAt: image.ingestedAt,
    ...(duplicate !== undefined ? { duplicate } : {}),
  };
}

/**
 * Finds an image by id (`img_…`), full sha256, or the path it was ingested from.
 * @throws NotFoundError naming the reference
 */
export async function resolveImage(images: ImageRepository, ref: string): Promise<ImageRecord> {
  const byId = await images.get(ref);
  if (byId) return byId;
  if (/^[0-9a-f]{64}$/.test(ref)) {
    const bySha = await images.findBySha256(ref);
    if (bySha) return bySha;
  }
  const byPath = await images.findByOriginalPath(resolve(ref));
  if (byPath) return byPath;
  throw new NotFoundError(`image "${ref}": no image with this id, sha256 or ingested path`);
}
