/** Reads benchmark images from disk into float32 bands (one array per band, row-major). */
import { readFileSync } from 'node:fs';
import { fromArrayBuffer } from 'geotiff';
import { PNG } from 'pngjs';
import { ValidationError } from '../../../src/core/errors.ts';
import { decodeBmp } from './bmp.ts';
import { decodeEnvi, parseEnviHeader } from './envi.ts';

/** Bands of one image. */
export interface ImageBands {
  readonly width: number;
  readonly height: number;
  readonly bands: Float32Array[];
}

/** The first `channels` channels of a PNG (pngjs expands grey and palette images to RGBA). */
export function readPngBands(path: string, channels: number): ImageBands {
  const png = PNG.sync.read(readFileSync(path));
  const count = png.width * png.height;
  const bands = Array.from({ length: channels }, () => new Float32Array(count));
  for (let p = 0; p < count; p++) {
    for (let c = 0; c < channels; c++) bands[c]![p] = png.data[p * 4 + c]!;
  }
  return { width: png.width, height: png.height, bands };
}

/** Every band of a GeoTIFF as float32. */
export async function readTiffBands(path: string): Promise<ImageBands> {
  const bytes = readFileSync(path);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const tiff = await fromArrayBuffer(buffer);
  const image = await tiff.getImage();
  const rasters = await image.readRasters({ interleave: false });
  const bands: Float32Array[] = [];
  for (let b = 0; b < rasters.length; b++) {
    const band = rasters[b];
    if (band === undefined || typeof band === 'number') continue;
    bands.push(Float32Array.from(band as ArrayLike<number>));
  }
  return { width: image.getWidth(), height: image.getHeight(), bands };
}

/** A BMP's red, green and blue channels (palette colours for indexed images). */
export function readBmpBands(path: string): ImageBands {
  const decoded = decodeBmp(readFileSync(path), path);
  return {
    width: decoded.width,
    height: decoded.height,
    bands: decoded.channels.map((c) => Float32Array.from(c)),
  };
}

/** An ENVI raster: `path` is the data file, its header `path.HDR` or `path.hdr`. */
export function readEnviBands(
  path: string,
  headerPath: string,
): ImageBands & { bandNames: readonly string[] } {
  const header = parseEnviHeader(readFileSync(headerPath, 'latin1'));
  return {
    width: header.samples,
    height: header.lines,
    bands: decodeEnvi(header, readFileSync(path)),
    bandNames: header.bandNames,
  };
}

/**
 * Checks that both dates and the truth share one grid.
 * @throws ValidationError naming the pair and the sizes when they do not.
 */
export function checkSameGrid(
  name: string,
  ...images: readonly { width: number; height: number }[]
): void {
  const first = images[0];
  if (first === undefined) return;
  for (const image of images) {
    if (image.width !== first.width || image.height !== first.height) {
      throw new ValidationError(
        `${name}: images differ in size (${images.map((i) => `${i.width}×${i.height}`).join(', ')})`,
      );
    }
  }
}
