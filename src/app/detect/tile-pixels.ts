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

export interface TilePixels {
  readonly tile: PixelWindow;
  /** One plane per requested band, tile.width × tile.height, NaN where invalid. */
  readonly planes: Float32Array[];
  /** 1 where every band is valid. */
  readonly valid: Uint8Array;
  readonly validCount: number;
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

/**
 * Bilinear resampling for a pure scaling (separable taps, edges repeated); a pixel with a
 * nodata tap of non-zero weight is NaN.
 */
function bilinearScaled(
  source: PixelArray,
  sw: PixelWindow,
  tile: PixelWindow,
  scale: number,
  rasterWidth: number,
  rasterHeight: number,
  nodata: number | null,
  out: Float32Array,
): void {
  const cols = axisTaps(tile.col0, tile.width, scale, sw.col0, sw.width, rasterWidth);
  const rows = axisTaps(tile.row0, tile.height, scale, sw.row0, sw.height, rasterHeight);
  const w = sw.width;
  for (let j = 0; j < tile.height; j += 1) {
    const r0 = (rows.i0[j] ?? 0) * w;
    const r1 = (rows.i1[j] ?? 0) * w;
    const ty = rows.t[j] ?? 0;
    const line = j * tile.width;
    for (let i = 0; i < tile.width; i += 1) {
      const c0 = cols.i0[i] ?? 0;
      const c1 = cols.i1[i] ?? 0;
      const tx = cols.t[i] ?? 0;
      const a = source[r0 + c0] ?? Number.NaN;
      const b = source[r0 + c1] ?? Number.NaN;
      const c = source[r1 + c0] ?? Number.NaN;
      const d = source[r1 + c1] ?? Number.NaN;
      if (nodata !== null && (a === nodata || b === nodata || c === nodata || d === nodata)) {
        out[line + i] = Number.NaN;
        continue;
      }
      const top = a + (b - a) * tx;
      const bottom = c + (d - c) * tx;
      out[line + i] = top + (bottom - top) * ty;
    }
  }
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
  const { width, height, nodata } = source.description;
  const planes = bands.map(() => new Float32Array(count).fill(Number.NaN));
  const valid = new Uint8Array(count);
  const sw = sourceWindowOf(tile, scale, width, height);
  if (sw === null) return { tile, planes, valid, validCount: 0 };
  const unique = [...new Set(bands)];
  const data = await source.readWindow(sw, {
    bands: unique,
    ...(signal !== undefined ? { signal } : {}),
  });
  const identity = Math.abs(scale - 1) < 1e-9;
  valid.fill(1);
  bands.forEach((band, b) => {
    const samples = data[unique.indexOf(band)];
    const out = planes[b];
    if (samples === undefined || out === undefined) return;
    if (identity) copyWindow(samples, sw, tile, nodata, out);
    else if (scale <= AREA_AVERAGE_ABOVE) {
      bilinearScaled(samples, sw, tile, scale, width, height, nodata, out);
    } else areaAverage(samples, sw, tile, scale, nodata, out);
    for (let k = 0; k < count; k += 1) {
      const v = out[k] ?? Number.NaN;
      if (v !== v) valid[k] = 0;
    }
  });
  let validCount = 0;
  for (let k = 0; k < count; k += 1) validCount += valid[k] ?? 0;
  return { tile, planes, valid, validCount };
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
  const { tile, planes } = pixels;
  normalisers.forEach((n, c) => {
    const base = (slot * normalisers.length + c) * plane;
    input.fill(n.fill, base, base + plane);
    const src = planes[c];
    if (src === undefined) return;
    const { gain, offset, fill } = n;
    for (let j = 0; j < tile.height; j += 1) {
      const row = base + j * inputWidth;
      const from = j * tile.width;
      if (n.stretch) {
        for (let i = 0; i < tile.width; i += 1) {
          const v = src[from + i] ?? Number.NaN;
          input[row + i] = v === v ? normalise(n, v) : fill;
        }
      } else {
        for (let i = 0; i < tile.width; i += 1) {
          const v = src[from + i] ?? Number.NaN;
          input[row + i] = v === v ? v * gain + offset : fill;
        }
      }
    }
  });
}
