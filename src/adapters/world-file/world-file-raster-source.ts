/**
 * RasterSource for PNG and JPEG images, georeferenced by an ESRI world file. The header is read
 * (and the pixel limit checked) at open; the whole image is decoded on the first readWindow and
 * kept until close(). Alpha is dropped and nodata is null: an alpha mask cannot become a nodata
 * value without colliding with real pixel values.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import type { CrsRegistry, RasterOpenLimits } from '../../app/ports.ts';
import {
  CancelledError,
  NotFoundError,
  SitewatchError,
  TooLargeError,
  UnknownCrsError,
} from '../../core/errors.ts';
import type { GeoTransform } from '../../core/geo/types.ts';
import type {
  PixelArray,
  PixelWindow,
  RasterDescription,
  RasterSource,
} from '../../core/raster/raster.ts';
import { checkBandIndexes, checkWindow } from '../geotiff/pixel-window.ts';
import { bandCountFor, decodeJpeg, decodePng, type ImagePlanes } from './decode-image.ts';
import { readJpegHeader, readPngHeader, type ImageHeader } from './image-header.ts';
import { parseWorldFile } from './world-file.ts';

export { findPrjFile, findWorldFile } from './world-file.ts';

export interface WorldFileImageInput {
  readonly path: string;
  readonly format: 'png' | 'jpeg';
  /** Path of the world file; absent means pixel-only. */
  readonly worldFilePath?: string;
  /** `EPSG:n` of the world file's coordinates (from a `.prj` or a flag). */
  readonly crs?: string;
}

async function readHeader(input: WorldFileImageInput): Promise<ImageHeader> {
  let handle: FileHandle;
  try {
    handle = await open(input.path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`image not found: ${input.path}`, { cause: error });
    }
    throw new SitewatchError('IO', `cannot open ${input.path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const { size } = await handle.stat();
    return input.format === 'png'
      ? await readPngHeader(handle, input.path)
      : await readJpegHeader(handle, input.path, size);
  } finally {
    await handle.close();
  }
}

async function readGeoreference(
  input: WorldFileImageInput,
  crs: CrsRegistry,
): Promise<{ crs: string | null; geoTransform: GeoTransform | null }> {
  if (input.worldFilePath === undefined) return { crs: null, geoTransform: null };
  let text: string;
  try {
    text = await readFile(input.worldFilePath, 'utf8');
  } catch (error) {
    throw new NotFoundError(`world file not found: ${input.worldFilePath}`, { cause: error });
  }
  const geoTransform = parseWorldFile(text, input.worldFilePath);
  if (input.crs === undefined) {
    throw new UnknownCrsError(
      `${input.path}: has a world file (${input.worldFilePath}) but no CRS; add a .prj file beside it or pass --crs EPSG:n`,
    );
  }
  crs.assertKnown(input.crs);
  return { crs: input.crs.trim().toUpperCase(), geoTransform };
}

class WorldFileRasterSource implements RasterSource {
  #planes: ImagePlanes | undefined;
  #closed = false;

  constructor(
    readonly description: RasterDescription,
    private readonly input: WorldFileImageInput,
    private readonly header: ImageHeader,
    private readonly maxPixels: number,
  ) {}

  async #decoded(): Promise<ImagePlanes> {
    if (this.#planes !== undefined) return this.#planes;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.input.path);
    } catch (error) {
      throw new SitewatchError(
        'IO',
        `cannot read ${this.input.path}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.#planes =
      this.input.format === 'png'
        ? decodePng(bytes, this.header, this.input.path)
        : decodeJpeg(bytes, this.header, this.maxPixels, this.input.path);
    return this.#planes;
  }

  async readWindow(
    window: PixelWindow,
    options: { readonly bands?: readonly number[]; readonly signal?: AbortSignal } = {},
  ): Promise<PixelArray[]> {
    const { path } = this.input;
    checkWindow(window, this.description, path);
    const bands = checkBandIndexes(options.bands, this.description.bandNames.length, path);
    if (this.#closed) throw new SitewatchError('IO', `${path} is closed`);
    if (options.signal?.aborted === true) throw new CancelledError(`reading ${path} was cancelled`);
    const planes = await this.#decoded();
    return bands.map((band) => {
      const plane = planes[band];
      if (plane === undefined)
        throw new SitewatchError('IO', `${path}: band ${band} was not decoded`);
      const out =
        plane instanceof Uint16Array
          ? new Uint16Array(window.width * window.height)
          : new Uint8Array(window.width * window.height);
      for (let row = 0; row < window.height; row += 1) {
        const from = (window.row0 + row) * this.description.width + window.col0;
        out.set(plane.subarray(from, from + window.width), row * window.width);
      }
      return out;
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#planes = undefined;
    return Promise.resolve();
  }
}

/**
 * Opens a PNG or JPEG with an optional world file. Reads only the header now.
 * @throws NotFoundError for a missing image or world file; CorruptFileError for bytes that are
 *   not a PNG/JPEG; TooLargeError above `limits.maxPixels`; ValidationError for a malformed
 *   world file; UnknownCrsError for a world file without (or with an unknown) CRS;
 *   UnsupportedError for 12-bit, lossless or arithmetic-coded JPEGs.
 */
export async function openWorldFileImage(
  input: WorldFileImageInput,
  limits: RasterOpenLimits,
  crs: CrsRegistry,
): Promise<RasterSource> {
  const header = await readHeader(input);
  if (header.width * header.height > limits.maxPixels) {
    throw new TooLargeError(
      `${input.path}: ${header.width} × ${header.height} pixels (${header.width * header.height}) exceed the limit of ${limits.maxPixels} pixels`,
    );
  }
  const georeference = await readGeoreference(input, crs);
  const bands = bandCountFor(header);
  const description: RasterDescription = {
    width: header.width,
    height: header.height,
    bandNames: bands === 1 ? ['gray'] : ['red', 'green', 'blue'],
    bandNativeGsdMeters: Array.from({ length: bands }, () => null),
    dataType: header.bitDepth === 16 ? 'uint16' : 'uint8',
    nodata: null,
    crs: georeference.crs,
    geoTransform: georeference.geoTransform,
    layout: {
      tiled: false,
      blockWidth: header.width,
      blockHeight: header.height,
      compression: input.format === 'png' ? 'deflate' : 'jpeg',
      overviewCount: 0,
      cloudOptimized: false,
    },
    tags: {},
  };
  return new WorldFileRasterSource(description, input, header, limits.maxPixels);
}
