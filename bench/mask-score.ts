/**
 * Pixel scores of a change mask against a ground-truth mask, read strip by strip with the
 * project's own GeoTIFF adapter (memory: one strip of each). Scored as
 * ../shared/bench/cd_numpy.py does, so figures compare with the numpy peer: a border of
 * `borderPx` pixels is left out, a pixel is "change" when its value is non-zero (nodata, if
 * any, counts as no change).
 */
import { EpsgCrsRegistry } from '../src/adapters/crs/epsg-crs-registry.ts';
import { openGeoTiff } from '../src/adapters/geotiff/geotiff-raster-source.ts';
import { ValidationError } from '../src/core/errors.ts';
import type { PixelArray } from '../src/core/raster/raster.ts';

/** Confusion counts and the scores derived from them. */
export interface MaskScores {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** Precision, recall and F1 from counts, as cd_numpy.py computes them (0 when undefined). */
export function scoresOf(tp: number, fp: number, fn: number): MaskScores {
  const precision = tp / Math.max(1, tp + fp);
  const recall = tp / Math.max(1, tp + fn);
  const f1 = (2 * precision * recall) / Math.max(1e-9, precision + recall);
  return { truePositives: tp, falsePositives: fp, falseNegatives: fn, precision, recall, f1 };
}

/** Running confusion counts over strips of two masks on one grid. */
export class MaskConfusion {
  #tp = 0;
  #fp = 0;
  #fn = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly borderPx: number,
  ) {}

  /** Adds rows [row0, row0 + rows) of both masks (row-major, `width` samples a row). */
  add(row0: number, rows: number, predicted: ArrayLike<number>, truth: ArrayLike<number>): void {
    const { width, height, borderPx } = this;
    if (predicted.length !== rows * width || truth.length !== rows * width) {
      throw new ValidationError(
        `mask strip at row ${row0} holds ${predicted.length} and ${truth.length} samples; expected ${rows * width}`,
      );
    }
    const rowStart = Math.max(row0, borderPx);
    const rowEnd = Math.min(row0 + rows, height - borderPx);
    const colEnd = width - borderPx;
    for (let row = rowStart; row < rowEnd; row++) {
      const base = (row - row0) * width;
      for (let col = borderPx; col < colEnd; col++) {
        const p = (predicted[base + col] ?? 0) !== 0;
        const t = (truth[base + col] ?? 0) !== 0;
        if (p && t) this.#tp++;
        else if (p) this.#fp++;
        else if (t) this.#fn++;
      }
    }
  }

  scores(): MaskScores {
    return scoresOf(this.#tp, this.#fp, this.#fn);
  }
}

const STRIP_ROWS = 512;

/** Non-zero samples of band 0 as 1 (NaN as 0). */
function binary(band: PixelArray | undefined, nodata: number | null): Uint8Array {
  if (band === undefined) return new Uint8Array(0);
  const out = new Uint8Array(band.length);
  for (let i = 0; i < band.length; i++) {
    const v = band[i] ?? 0;
    out[i] = v !== 0 && !Number.isNaN(v) && v !== nodata ? 1 : 0;
  }
  return out;
}

/**
 * Scores the first band of `predictedPath` against the first band of `truthPath`.
 * @throws ValidationError when the two rasters differ in size; the adapter's errors for
 * unreadable files.
 */
export async function scoreMaskFiles(
  predictedPath: string,
  truthPath: string,
  borderPx = 10,
): Promise<MaskScores> {
  const crs = new EpsgCrsRegistry();
  const limits = { maxPixels: 2 ** 31 };
  const predicted = await openGeoTiff(predictedPath, limits, crs);
  try {
    const truth = await openGeoTiff(truthPath, limits, crs);
    try {
      const { width, height } = truth.description;
      if (predicted.description.width !== width || predicted.description.height !== height) {
        throw new ValidationError(
          `${predictedPath} is ${predicted.description.width}×${predicted.description.height}; the truth ${truthPath} is ${width}×${height}`,
        );
      }
      const confusion = new MaskConfusion(width, height, borderPx);
      for (let row0 = 0; row0 < height; row0 += STRIP_ROWS) {
        const rows = Math.min(STRIP_ROWS, height - row0);
        const window = { col0: 0, row0, width, height: rows };
        const [p] = await predicted.readWindow(window, { bands: [0] });
        const [t] = await truth.readWindow(window, { bands: [0] });
        confusion.add(
          row0,
          rows,
          binary(p, predicted.description.nodata),
          binary(t, truth.description.nodata),
        );
      }
      return confusion.scores();
    } finally {
      await truth.close();
    }
  } finally {
    await predicted.close();
  }
}
