/**
 * Co-registration corrections composed onto a pixel mapping, so the final resample applies
 * georeferencing and correction in one pass (one interpolation, not two).
 *
 * Convention (as in coregister/): "B shifted by (dx, dy) lands on A", i.e.
 * A(x, y) ≈ B(x − dx, y − dy). The correction is expressed on one of two sides:
 * - `'destination'`: in destination (common-grid) pixels, for shifts estimated between A and
 *   B already resampled onto the common grid: out(p) = B(mapping(p − d)).
 * - `'source'`: in source pixels, for shifts estimated on B's own grid:
 *   out(p) = B(mapping(p) − d).
 */
import { composeAffine, type AffineMatrix } from '../coregister/affine.ts';
import { ValidationError } from '../errors.ts';
import type { PixelWindow } from '../raster/raster.ts';
import {
  AffinePixelMapping,
  checkOutputs,
  probeSourceWindow,
  windowCentres,
  type CornerAffine,
  type PixelMapping,
} from './pixel-mapping.ts';

/** Which pixels a correction is measured in; see the module comment. */
export type CorrectionSide = 'destination' | 'source';

function applyInPlace(
  m: CornerAffine,
  cols: Float64Array,
  rows: Float64Array,
  count: number,
): void {
  const [a, b, c, d, e, f] = m;
  for (let i = 0; i < count; i += 1) {
    const x = cols[i] ?? Number.NaN;
    const y = rows[i] ?? Number.NaN;
    cols[i] = a * x + b * y + c;
    rows[i] = d * x + e * y + f;
  }
}

/** A mapping followed (source side) or preceded (destination side) by an affine correction. */
class CorrectedPixelMapping implements PixelMapping {
  readonly affine = null;

  constructor(
    readonly inner: PixelMapping,
    readonly correction: CornerAffine,
    readonly side: CorrectionSide,
  ) {}

  get destination(): PixelMapping['destination'] {
    return this.inner.destination;
  }

  get source(): PixelMapping['source'] {
    return this.inner.source;
  }

  get exactTransformCount(): number {
    return this.inner.exactTransformCount;
  }

  mapWindow(window: PixelWindow, outCol: Float64Array, outRow: Float64Array): void {
    checkOutputs(window, outCol, outRow);
    const count = window.width * window.height;
    if (this.side === 'source') {
      this.inner.mapWindow(window, outCol, outRow);
      applyInPlace(this.correction, outCol, outRow, count);
      return;
    }
    const cols = outCol.subarray(0, count);
    const rows = outRow.subarray(0, count);
    windowCentres(window, cols, rows);
    applyInPlace(this.correction, cols, rows, count);
    this.inner.mapPoints(cols, rows, cols, rows);
  }

  mapPoints(
    cols: Float64Array,
    rows: Float64Array,
    outCol: Float64Array,
    outRow: Float64Array,
  ): void {
    if (this.side === 'source') {
      this.inner.mapPoints(cols, rows, outCol, outRow);
      applyInPlace(this.correction, outCol, outRow, cols.length);
      return;
    }
    for (let i = 0; i < cols.length; i += 1) {
      outCol[i] = cols[i] ?? Number.NaN;
      outRow[i] = rows[i] ?? Number.NaN;
    }
    const count = cols.length;
    applyInPlace(this.correction, outCol, outRow, count);
    this.inner.mapPoints(outCol.subarray(0, count), outRow.subarray(0, count), outCol, outRow);
  }

  sourceWindowFor(window: PixelWindow, marginPx: number): PixelWindow | null {
    return probeSourceWindow(this, window, marginPx);
  }
}

/** The same map in pixel-corner coordinates of a matrix whose pixel centres sit at integers. */
function cornerFromCentre(m: AffineMatrix): CornerAffine {
  return composeAffine([1, 0, 0.5, 0, 1, 0.5], composeAffine(m, [1, 0, -0.5, 0, 1, -0.5]));
}

function compose(
  mapping: PixelMapping,
  correction: CornerAffine,
  side: CorrectionSide,
): PixelMapping {
  if (!correction.every((term) => Number.isFinite(term))) {
    throw new ValidationError(`correction [${correction.join(', ')}] must be finite`);
  }
  if (mapping.affine !== null) {
    const combined =
      side === 'source'
        ? composeAffine(correction, mapping.affine)
        : composeAffine(mapping.affine, correction);
    return new AffinePixelMapping(mapping.destination, mapping.source, combined);
  }
  return new CorrectedPixelMapping(mapping, correction, side);
}

/**
 * `mapping` corrected by the translation that lands B on A: out(p) = B(mapping(p − d)) for
 * side `'destination'`, out(p) = B(mapping(p) − d) for side `'source'`, d = (dxPx, dyPx) in
 * that side's pixels (as estimated by coregister's phase correlation). Stays affine when
 * `mapping` is.
 * @throws ValidationError for non-finite shifts.
 */
export function withTranslation(
  mapping: PixelMapping,
  dxPx: number,
  dyPx: number,
  side: CorrectionSide,
): PixelMapping {
  return compose(mapping, [1, 0, -dxPx, 0, 1, -dyPx], side);
}

/**
 * `mapping` corrected by an affine map R from reference (A) pixels to moving (B) pixels, with
 * pixel centres at integers as in coregister/affine.ts (e.g. the `referenceToMoving` of ECC):
 * out(p) = B(mapping(R(p))) for side `'destination'`, out(p) = B(R(mapping(p))) for side
 * `'source'`. withAffine(m, [1, 0, −dx, 0, 1, −dy], side) equals withTranslation(m, dx, dy, side).
 * @throws ValidationError for a non-finite matrix.
 */
export function withAffine(
  mapping: PixelMapping,
  referenceToMoving: AffineMatrix,
  side: CorrectionSide,
): PixelMapping {
  return compose(mapping, cornerFromCentre(referenceToMoving), side);
}
