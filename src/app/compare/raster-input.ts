/** How to open a stored image again: the RasterInput its record describes. */
import { CorruptFileError } from '../../core/errors.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import type { RasterInput } from '../ports.ts';

/**
 * The raster input of an ingested image: the stored GeoTIFF, the band files in band order
 * (named by the record's bands), or the PNG/JPEG with its world file and CRS.
 * @throws CorruptFileError when the record lacks the files its format needs.
 */
export function rasterInputOf(image: ImageRecord): RasterInput {
  const rasterFiles = image.files.filter((f) => f.role === 'raster' || f.role === 'band');
  const first = rasterFiles[0];
  if (first === undefined) {
    throw new CorruptFileError(`image ${image.id}: its record lists no raster file`);
  }
  if (image.format === 'geotiff') {
    return {
      kind: 'geotiff',
      path: first.storedPath,
      ...(image.crs !== null ? { crs: image.crs } : {}),
    };
  }
  if (image.format === 'band-set') {
    return {
      kind: 'band-set',
      bands: image.bands.map((band) => {
        const file = image.files[band.fileIndex];
        if (file === undefined) {
          throw new CorruptFileError(
            `image ${image.id}: band ${band.name} names file ${band.fileIndex}, which the record lacks`,
          );
        }
        return { name: band.name, path: file.storedPath };
      }),
    };
  }
  const worldFile = image.files.find((f) => f.role === 'world-file');
  return {
    kind: 'world-file-image',
    path: first.storedPath,
    format: image.format,
    ...(worldFile !== undefined ? { worldFilePath: worldFile.storedPath } : {}),
    ...(image.crs !== null ? { crs: image.crs } : {}),
  };
}
