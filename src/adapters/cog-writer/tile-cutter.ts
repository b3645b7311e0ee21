/**
 * Cuts full tiles (tileSize × tileSize, zero-padded past the image edge, as TIFF requires) out of a
 * block of rows held one array per band, pixel-interleaved or one tile per band.
 *
 * Interleaving copies samples as raw words (Uint8/Uint16/Uint32 views; a float64 sample is two
 * Uint32 words) so the hot loop sees only three array classes whatever the data type, and float
 * bits (NaN payloads included) pass through unchanged.
 */
import type { RasterDataType } from '../../core/imagery/image.ts';
import type { PixelArray } from '../../core/raster/raster.ts';

type PixelArrayConstructor = new (length: number) => PixelArray;

const ARRAY_TYPES: Record<RasterDataType, PixelArrayConstructor> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** A zero-filled array of `length` samples of `dataType`. */
export function allocatePixels(dataType: RasterDataType, length: number): PixelArray {
  return new ARRAY_TYPES[dataType](length);
}

/** Whether `array` is the typed-array class that holds `dataType` samples. */
export function isArrayOfType(array: unknown, dataType: RasterDataType): array is PixelArray {
  return array instanceof ARRAY_TYPES[dataType];
}

/** The rectangle of a block of rows that one tile covers. */
export interface TileSource {
  /** One array per band, `rowCount` rows of `width` samples each. */
  readonly bands: readonly PixelArray[];
  readonly width: number;
  readonly rowCount: number;
  /** Column of the tile's left edge, in pixels. */
  readonly col0: number;
  readonly tileSize: number;
  readonly dataType: RasterDataType;
}

type WordArray = Uint8Array | Uint16Array | Uint32Array;

function wordView(array: PixelArray): WordArray {
  const { buffer, byteOffset, byteLength } = array;
  switch (array.BYTES_PER_ELEMENT) {
    case 1:
      return new Uint8Array(buffer, byteOffset, byteLength);
    case 2:
      return new Uint16Array(buffer, byteOffset, byteLength / 2);
    default:
      return new Uint32Array(buffer, byteOffset, byteLength / 4);
  }
}

/** Where one band's samples go in a pixel-interleaved tile, in words. */
interface Scatter {
  readonly rows: number;
  readonly width: number;
  readonly col0: number;
  readonly cols: number;
  /** Words per tile row: tileSize × samples per pixel × words per sample. */
  readonly tileRowWords: number;
  /** Index of this band's sample within a pixel. */
  readonly first: number;
  readonly samples: number;
  readonly wordsPerSample: number;
}

/** Copies `cols` samples of each row of `band` into every `samples`-th sample of `tile`. */
function scatterBand(tile: WordArray, band: WordArray, at: Scatter): void {
  const { wordsPerSample } = at;
  const step = at.samples * wordsPerSample;
  for (let row = 0; row < at.rows; row++) {
    const from = (row * at.width + at.col0) * wordsPerSample;
    const source = band.subarray(from, from + at.cols * wordsPerSample);
    for (let w = 0; w < wordsPerSample; w++) {
      let to = row * at.tileRowWords + at.first * wordsPerSample + w;
      for (let c = w; c < source.length; c += wordsPerSample, to += step) tile[to] = source[c] ?? 0;
    }
  }
}

/** Copies the tile's rectangle of one band into a band-separate tile. */
function copyBand(tile: PixelArray, band: PixelArray, source: TileSource): void {
  const { width, rowCount, col0, tileSize } = source;
  const cols = Math.min(tileSize, width - col0);
  for (let row = 0; row < rowCount; row++) {
    const from = row * width + col0;
    tile.set(band.subarray(from, from + cols), row * tileSize);
  }
}

/** The tile starting at `col0`, all bands interleaved per pixel (PlanarConfiguration 1). */
export function cutPixelInterleavedTile(source: TileSource): PixelArray {
  const { bands, tileSize } = source;
  const samples = bands.length;
  const tile = allocatePixels(source.dataType, tileSize * tileSize * samples);
  if (samples === 1) {
    for (const band of bands) copyBand(tile, band, source);
    return tile;
  }
  const tileWords = wordView(tile);
  const wordsPerSample = tile.BYTES_PER_ELEMENT === 8 ? 2 : 1;
  bands.forEach((band, first) => {
    scatterBand(tileWords, wordView(band), {
      rows: source.rowCount,
      width: source.width,
      col0: source.col0,
      cols: Math.min(tileSize, source.width - source.col0),
      tileRowWords: tileSize * samples * wordsPerSample,
      first,
      samples,
      wordsPerSample,
    });
  });
  return tile;
}

/** The tile of band `band` starting at `col0` (PlanarConfiguration 2). */
export function cutBandTile(source: TileSource, band: number): PixelArray {
  const tile = allocatePixels(source.dataType, source.tileSize * source.tileSize);
  const data = source.bands[band];
  if (data) copyBand(tile, data, source);
  return tile;
}
