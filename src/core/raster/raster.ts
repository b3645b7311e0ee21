import type { GeoTransform } from '../geo/types.ts';
import type { RasterDataType, RasterLayout } from '../imagery/image.ts';

/** A rectangle in pixel space: columns [col0, col0 + width), rows [row0, row0 + height). */
export interface PixelWindow {
  readonly col0: number;
  readonly row0: number;
  readonly width: number;
  readonly height: number;
}

export type PixelArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

/** What a raster is, read from its header without decoding pixels. */
export interface RasterDescription {
  readonly width: number;
  readonly height: number;
  readonly bandNames: readonly string[];
  /** Native GSD per band in metres where bands differ (band sets); null when unknown or uniform. */
  readonly bandNativeGsdMeters: readonly (number | null)[];
  readonly dataType: RasterDataType;
  readonly nodata: number | null;
  /** `EPSG:nnnn`, or null for pixel-only imagery. */
  readonly crs: string | null;
  readonly geoTransform: GeoTransform | null;
  readonly layout: RasterLayout;
  /**
   * Metadata found in the file itself, e.g. TIFF `DateTime` (306) as `TIFFTAG_DATETIME`,
   * `ImageDescription`, GDAL metadata items (`ACQUISITION_DATE`, …). Keys upper-case.
   */
  readonly tags: Readonly<Record<string, string>>;
}

/** An open raster from which windows of pixels are read, one band per array, row-major. */
export interface RasterSource {
  readonly description: RasterDescription;
  /**
   * Reads `window` (full resolution) for `bands` (0-based; default all). Each array holds
   * `window.width * window.height` samples of `description.dataType`.
   * @throws CorruptFileError when the bytes cannot be decoded.
   */
  readWindow(
    window: PixelWindow,
    options?: { readonly bands?: readonly number[]; readonly signal?: AbortSignal },
  ): Promise<PixelArray[]>;
  /**
   * Sizes of the reduced-resolution copies (overviews) the file holds, finest first; absent or
   * empty when it holds none.
   */
  readonly overviews?: readonly { readonly width: number; readonly height: number }[];
  /** Like {@link readWindow}, in the pixels of overview `index` (of {@link overviews}). */
  readOverviewWindow?(
    index: number,
    window: PixelWindow,
    options?: { readonly bands?: readonly number[]; readonly signal?: AbortSignal },
  ): Promise<PixelArray[]>;
  close(): Promise<void>;
}

/** Splits a width × height raster into row-major windows of at most blockWidth × blockHeight. */
export function tileWindows(
  width: number,
  height: number,
  blockWidth: number,
  blockHeight: number,
): PixelWindow[] {
  const windows: PixelWindow[] = [];
  for (let row0 = 0; row0 < height; row0 += blockHeight) {
    for (let col0 = 0; col0 < width; col0 += blockWidth) {
      windows.push({
        col0,
        row0,
        width: Math.min(blockWidth, width - col0),
        height: Math.min(blockHeight, height - row0),
      });
    }
  }
  return windows;
}
