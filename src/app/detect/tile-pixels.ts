/**
 * Reading one tile of the detection grid: the source window under it, resampled to the
 * detection grid (the source scaled by `scale` source pixels per grid pixel, corners aligned),
 * with its validity mask; and packing tiles into a normalised NCHW model input.
 *
 * Resampling: a copy when `scale` is 1; the mean of the valid source pixels whose centres
 * fall in each grid pixel (area average, no aliasing) when downsampling by more than 1.5×;
 * bilinear otherwise (separable taps; the mapping is a pure scaling).
 */
import type { ModelDescriptor } from '../../core/detect/detection.ts';
import type { BandStats } from '../../core/imagery/image.ts';
import type { PixelArray, PixelWindow, RasterSource } from '../../core/raster/raster.ts';

/** Above this many source pixels per grid pixel, grid pixels average their source pixels. */
const AREA_AVERAGE_ABOVE = 1.5;

/** Which pixels of a grid tile hold data in every band. */
export interface TileMask {
  readonly tile: PixelWindow;
  /** 1 where every band is valid, tile.width × tile.height. */
  readonly valid: Uint8Array;
  readonly validCount: number;
}

export interface TilePixels extends TileMask {
  /** One plane per requested band, tile.width × tile.height, NaN where invalid. */
  readonly planes: Float32Array[];
}

/** The source pixels a grid window covers, plus a 1-pixel margin, clipped to the raster. */
export function sourceWindowOf(
  tile: PixelWindow,
  scale: number,
  width: number,
  height: number,
): PixelWindow | null {
  const col0 = Math.max(0, Math.floor(tile.col0 * scale) - 1);
  const row0 = Math.max(0, Math.floor(tile.row0 * scale) - 1);
  const col1 = Math.min(width, Math.ceil((tile.col0 + tile.width) * scale) + 1);
  const row1 = Math.min(height, Math.ceil((tile.row0 + tile.height) * scale) + 1);
  if (col1 <= col0 || row1 <= row0) return null;
  return { col0, row0, width: col1 - col0, height: row1 - row0 };
}

function areaAverage(
  source: PixelArray,
  sw: PixelWindow,
  tile: PixelWindow,
  scale: number,
  nodata: number | null,
  out: Float32Array,
): void {
  const sums = new Float64Array(out.length);
  const counts = new Uint32Array(out.length);
  for (let r = 0; r < sw.height; r += 1) {
    const j = Math.floor((sw.row0 + r + 0.5) / scale) - tile.row0;
    if (j < 0 || j >= tile.height) continue;
    for (let c = 0; c < sw.width; c += 1) {
      const i = Math.floor((sw.col0 + c + 0.5) / scale) - tile.col0;
      if (i < 0 || i >= tile.width) continue;
      const v = source[r * sw.width + c] ?? Number.NaN;
      if (v !== v || v === nodata) continue;
      const k = j * tile.width + i;
      sums[k] = (sums[k] ?? 0) + v;
      counts[k] = (counts[k] ?? 0) + 1;
    }
  }
  for (let k = 0; k < out.length; k += 1) {
    const n = counts[k] ?? 0;
    out[k] = n > 0 ? (sums[k] ?? 0) / n : Number.NaN;
  }
}

function copyWindow(
  source: PixelArray,
  sw: PixelWindow,
  tile: PixelWindow,
  nodata: number | null,
  out: Float32Array,
): void {
  for (let j = 0; j < tile.height; j += 1) {
    const r = tile.row0 + j - sw.row0;
    for (let i = 0; i < tile.width; i += 1) {
      const c = tile.col0 + i - sw.col0;
      const inside = r >= 0 && r < sw.height && c >= 0 && c < sw.width;
      const v = inside ? (source[r * sw.width + c] ?? Number.NaN) : Number.NaN;
      out[j * tile.width + i] = v === nodata ? Number.NaN : v;
    }
  }
}

/** Per output index along one axis: the two source taps (window-relative, clamped) and the weight of the second. */
function axisTaps(
  start: number,
  length: number,
  scale: number,
  windowStart: number,
  windowLength: number,
  rasterLength: number,
): { readonly i0: Int32Array; readonly i1: Int32Array; readonly t: Float32Array } {
  const i0 = new Int32Array(length);
  const i1 = new Int32Array(length);
  const t = new Float32Array(length);
  const low = Math.max(0, windowStart);
  const high = Math.min(rasterLength, windowStart + windowLength) - 1;
  for (let d = 0; d < length; d += 1) {
    const centre = (start + d + 0.5) * scale - 0.5;
    const base = Math.floor(centre);
    t[d] = centre - base;
    i0[d] = Math.min(high, Math.max(low, base)) - windowStart;
    i1[d] = Math.min(high, Math.max(low, base + 1)) - windowStart;
  }
  return { i0, i1, t };
}

/** The taps of a bilinear scaling, both axes: computed once per tile, shared by its bands. */
interface BilinearTaps {
  readonly cols: ReturnType<typeof axisTaps>;
  readonly rows: ReturnType<typeof axisTaps>;
}

function bilinearTaps(
  sw: PixelWindow,
  tile: PixelWindow,
  scale: number,
  rasterWidth: number,
  rasterHeight: number,
): BilinearTaps {
  return {
    cols: axisTaps(tile.col0, tile.width, scale, sw.col0, sw.width, rasterWidth),
    rows: axisTaps(tile.row0, tile.height, scale, sw.row0, sw.height, rasterHeight),
  };
}

/**
 * One source row interpolated along x at the tile's columns (`a + (b − a)·t`, in doubles),
 * NaN where a tap is nodata.
 */
function interpolateRow(
  source: PixelArray,
  rowStart: number,
  cols: BilinearTaps['cols'],
  nodata: number | null,
  out: Float64Array,
): void {
  for (let i = 0; i < out.length; i += 1) {
    const a = source[rowStart + (cols.i0[i] ?? 0)] ?? Number.NaN;
    const b = source[rowStart + (cols.i1[i] ?? 0)] ?? Number.NaN;
    out[i] =
      nodata !== null && (a === nodata || b === nodata)
        ? Number.NaN
        : a + (b - a) * (cols.t[i] ?? 0);
  }
}

/**
 * Bilinear resampling for a pure scaling (separable taps, edges repeated); a pixel with a
 * nodata tap is NaN. Separable: each source row is interpolated along x once (two rows
 * held), then pairs of rows along y, which gives the same doubles as interpolating the four
 * taps of every pixel.
 */
function bilinearScaled(
  source: PixelArray,
  sw: PixelWindow,
  tile: PixelWindow,
  taps: BilinearTaps,
  nodata: number | null,
  out: Float32Array,
): void {
  const { cols, rows } = taps;
  const held = [new Float64Array(tile.width), new Float64Array(tile.width)] as const;
  const heldRow = [-1, -1];
  /** Row `r` interpolated along x, computed unless held; never evicting row `keep`. */
  const rowAlongX = (r: number, keep: number): Float64Array => {
    const at = heldRow[0] === r ? 0 : heldRow[1] === r ? 1 : heldRow[0] === keep ? 1 : 0;
    if (heldRow[at] !== r) {
      interpolateRow(source, r * sw.width, cols, nodata, held[at]);
      heldRow[at] = r;
    }
    return held[at];
  };
  for (let j = 0; j < tile.height; j += 1) {
    const r0 = rows.i0[j] ?? 0;
    const r1 = rows.i1[j] ?? 0;
    const top = rowAlongX(r0, r1);
    const bottom = rowAlongX(r1, r0);
    const ty = rows.t[j] ?? 0;
    const line = j * tile.width;
    for (let i = 0; i < tile.width; i += 1) {
      const t = top[i] ?? Number.NaN;
      out[line + i] = t + ((bottom[i] ?? Number.NaN) - t) * ty;
    }
  }
}

/** A grid tile's source samples, for a reader that resamples each band into a plane. */
interface TileWindow {
  readonly sw: PixelWindow;
  readonly data: PixelArray[];
  readonly unique: number[];
  /** The plane writer for one band: copy, bilinear or area average. */
  readonly resample: (samples: PixelArray, out: Float32Array) => void;
}

/** Reads the source window under `tile` (null when the tile lies beyond the raster). */
async function readTileWindow(
  source: RasterSource,
  bands: readonly number[],
  tile: PixelWindow,
  scale: number,
  signal: AbortSignal | undefined,
): Promise<TileWindow | null> {
  const { width, height, nodata } = source.description;
  const sw = sourceWindowOf(tile, scale, width, height);
  if (sw === null) return null;
  const unique = [...new Set(bands)];
  const data = await source.readWindow(sw, {
    bands: unique,
    ...(signal !== undefined ? { signal } : {}),
  });
  let resample: TileWindow['resample'];
  if (Math.abs(scale - 1) < 1e-9) {
    resample = (samples, out) => {
      copyWindow(samples, sw, tile, nodata, out);
    };
  } else if (scale <= AREA_AVERAGE_ABOVE) {
    const taps = bilinearTaps(sw, tile, scale, width, height);
    resample = (samples, out) => {
      bilinearScaled(samples, sw, tile, taps, nodata, out);
    };
  } else {
    resample = (samples, out) => {
      areaAverage(samples, sw, tile, scale, nodata, out);
    };
  }
  return { sw, data, unique, resample };
}

function countValid(valid: Uint8Array): number {
  let validCount = 0;
  for (let k = 0; k < valid.length; k += 1) validCount += valid[k] ?? 0;
  return validCount;
}

/**
 * Reads `bands` of `source` under grid window `tile` (grid = source scaled by `scale`).
 * Pixels of the tile beyond the raster are invalid.
 */
export async function readTilePixels(
  source: RasterSource,
  bands: readonly number[],
  tile: PixelWindow,
  scale: number,
  signal?: AbortSignal,
): Promise<TilePixels> {
  const count = tile.width * tile.height;
  const planes = bands.map(() => new Float32Array(count).fill(Number.NaN));
  const valid = new Uint8Array(count);
  const read = await readTileWindow(source, bands, tile, scale, signal);
  if (read === null) return { tile, planes, valid, validCount: 0 };
  valid.fill(1);
  bands.forEach((band, b) => {
    const samples = read.data[read.unique.indexOf(band)];
    const out = planes[b];
    if (samples === undefined || out === undefined) return;
    read.resample(samples, out);
    for (let k = 0; k < count; k += 1) {
      const v = out[k] ?? Number.NaN;
      if (v !== v) valid[k] = 0;
    }
  });
  return { tile, planes, valid, validCount: countValid(valid) };
}

/** z for the 2nd and 98th percentiles of a normal distribution. */
const Z_98 = 2.054;

/**
 * Per channel: sample v ↦ model input value. Without stretch: v · gain + offset. With the
 * percentile stretch: u = clamp(v · stretchGain + stretchOffset, 0, 255), then u · gain + offset.
 */
export interface ChannelNormaliser {
  readonly stretch: boolean;
  readonly stretchGain: number;
  readonly stretchOffset: number;
  readonly gain: number;
  readonly offset: number;
  /** The value fed for invalid or padding pixels. */
  readonly fill: number;
}

function normalise(n: ChannelNormaliser, v: number): number {
  const u = n.stretch ? Math.min(255, Math.max(0, v * n.stretchGain + n.stretchOffset)) : v;
  return u * n.gain + n.offset;
}

/**
 * The descriptor's normalisation per channel. `stretch: 'percentile'` maps the band's 2nd–98th
 * percentile to [0, 255] first, the percentiles estimated from the stored statistics as
 * mean ∓ 2.054 σ clipped to [min, max] (the statistics hold no histogram). Invalid pixels are
 * fed the normalised band mean.
 */
export function channelNormalisers(
  descriptor: ModelDescriptor,
  stats: readonly (BandStats | undefined)[],
): ChannelNormaliser[] {
  const { scale, mean, std, stretch } = descriptor.normalisation;
  return descriptor.bands.map((_, c) => {
    const s = stats[c];
    const sd = std[c] ?? 1;
    let lo = 0;
    let hi = 255;
    const stretched = stretch === 'percentile' && s !== undefined;
    if (stretched) {
      lo = Math.max(s.min, s.mean - Z_98 * s.stdDev);
      hi = Math.min(s.max, s.mean + Z_98 * s.stdDev);
      if (!(hi > lo)) hi = lo + 1;
    }
    const base = {
      stretch: stretched,
      stretchGain: 255 / (hi - lo),
      stretchOffset: (-255 * lo) / (hi - lo),
      gain: scale / sd,
      offset: -(mean[c] ?? 0) / sd,
      fill: 0,
    };
    return { ...base, fill: normalise(base, s?.mean ?? (lo + hi) / 2) };
  });
}

/**
 * Writes one channel plane (tile-sized, NaN where invalid) normalised into its plane of an
 * input at `base`, `inputWidth` wide; invalid and padding pixels get the channel's fill. When
 * `valid` is given, NaN pixels are marked 0 in it. Returns how many pixels it marked.
 */
function writeChannel(
  n: ChannelNormaliser,
  src: Float32Array,
  tile: PixelWindow,
  input: Float32Array,
  base: number,
  inputWidth: number,
  inputHeight: number,
  valid: Uint8Array | null,
): number {
  const { gain, offset, fill } = n;
  let marked = 0;
  for (let j = 0; j < tile.height; j += 1) {
    const row = base + j * inputWidth;
    const from = j * tile.width;
    for (let i = 0; i < tile.width; i += 1) {
      const v = src[from + i] ?? Number.NaN;
      if (v === v) {
        input[row + i] = n.stretch ? normalise(n, v) : v * gain + offset;
      } else {
        input[row + i] = fill;
        if (valid !== null && valid[from + i] === 1) {
          valid[from + i] = 0;
          marked += 1;
        }
      }
    }
    if (tile.width < inputWidth) input.fill(fill, row + tile.width, row + inputWidth);
  }
  if (tile.height < inputHeight) {
    input.fill(fill, base + tile.height * inputWidth, base + inputHeight * inputWidth);
  }
  return marked;
}

/**
 * Writes one tile into batch slot `slot` of an NCHW buffer of `inputWidth × inputHeight`
 * planes (tiles smaller than the input are padded with each channel's fill value).
 */
export function packTile(
  pixels: TilePixels,
  normalisers: readonly ChannelNormaliser[],
  input: Float32Array,
  slot: number,
  inputWidth: number,
  inputHeight: number,
): void {
  const plane = inputWidth * inputHeight;
  normalisers.forEach((n, c) => {
    const base = (slot * normalisers.length + c) * plane;
    const src = pixels.planes[c];
    if (src === undefined) input.fill(n.fill, base, base + plane);
    else writeChannel(n, src, pixels.tile, input, base, inputWidth, inputHeight, null);
  });
}

/** Where {@link readTileIntoInput} writes: a batch slot of an NCHW model input. */
export interface InputSlot {
  readonly normalisers: readonly ChannelNormaliser[];
  readonly input: Float32Array;
  readonly slot: number;
  readonly inputWidth: number;
  readonly inputHeight: number;
  /** A reused plane of at least the tile's pixels, for one band at a time. */
  readonly scratch: Float32Array;
}

/**
 * {@link readTilePixels} then {@link packTile} without the per-tile planes: each band is
 * resampled into the reused `scratch` plane and normalised straight into the slot, so the
 * input holds the same values, bit for bit. Returns the tile's validity.
 */
export async function readTileIntoInput(
  source: RasterSource,
  bands: readonly number[],
  tile: PixelWindow,
  scale: number,
  target: InputSlot,
  signal?: AbortSignal,
): Promise<TileMask> {
  const { normalisers, input, slot, inputWidth, inputHeight } = target;
  const count = tile.width * tile.height;
  const plane = inputWidth * inputHeight;
  const valid = new Uint8Array(count);
  const read = await readTileWindow(source, bands, tile, scale, signal);
  const base = slot * normalisers.length * plane;
  if (read === null) {
    normalisers.forEach((n, c) => input.fill(n.fill, base + c * plane, base + (c + 1) * plane));
    return { tile, valid, validCount: 0 };
  }
  valid.fill(1);
  let validCount = count;
  const scratch = target.scratch.subarray(0, count);
  normalisers.forEach((n, c) => {
    const samples = read.data[read.unique.indexOf(bands[c] ?? -1)];
    if (samples === undefined) {
      input.fill(n.fill, base + c * plane, base + (c + 1) * plane);
      valid.fill(0);
      validCount = 0;
      return;
    }
    read.resample(samples, scratch);
    const at = base + c * plane;
    validCount -= writeChannel(n, scratch, tile, input, at, inputWidth, inputHeight, valid);
  });
  return { tile, valid, validCount };
}
