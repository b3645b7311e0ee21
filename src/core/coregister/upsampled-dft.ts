/**
 * Sub-pixel location of a cross-correlation peak by the matrix-multiply upsampled DFT
 * (Guizar-Sicairos, Thurman & Fienup, "Efficient subpixel image registration algorithms",
 * Opt. Lett. 33(2), 2008): the inverse DFT of the cross-power spectrum is evaluated only on a
 * fine grid of points around the integer peak, never on the whole upsampled surface.
 *
 * Two nested grids keep the work at about 40 × (width·height / 2) complex multiply-adds whatever
 * the precision: ±1 px in steps of 1/coarse, then ±1/coarse px in steps of 1/upsampleFactor.
 */

/** A row-major width × height spectrum with Hermitian symmetry (the transform of real data). */
export interface HermitianSpectrum {
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly width: number;
  readonly height: number;
}

/** A peak location in pixels (signed shifts, may be negative) and its height. */
export interface Peak {
  readonly x: number;
  readonly y: number;
  readonly value: number;
}

const COARSE_FACTOR = 10;

/**
 * The maximum of the correlation surface c(x, y) = scale · Σₖ S(k)·e^(+2πi(kx·x/width +
 * ky·y/height)) (signed frequencies; the Nyquist row and column must be zero) near `start`, to
 * 1/upsampleFactor px.
 */
export function refinePeak(
  spectrum: HermitianSpectrum,
  start: Peak,
  upsampleFactor: number,
  scale: number,
): Peak {
  if (upsampleFactor <= 1) return start;
  const coarse = Math.min(COARSE_FACTOR, upsampleFactor);
  const first = bestOnGrid(spectrum, start, 1, 1 / coarse, scale);
  if (coarse === upsampleFactor) return first;
  return bestOnGrid(spectrum, first, 1 / coarse, 1 / upsampleFactor, scale);
}

function bestOnGrid(
  spectrum: HermitianSpectrum,
  centre: Peak,
  halfWidthPx: number,
  stepPx: number,
  scale: number,
): Peak {
  const steps = Math.ceil(halfWidthPx / stepPx - 1e-9);
  const offsets = Array.from({ length: 2 * steps + 1 }, (_, i) => (i - steps) * stepPx);
  const xs = offsets.map((o) => centre.x + o);
  const ys = offsets.map((o) => centre.y + o);
  const surface = correlationOnGrid(spectrum, xs, ys);
  let best = centre;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < ys.length; j++) {
    for (let i = 0; i < xs.length; i++) {
      const value = (surface[j * xs.length + i] ?? 0) * scale;
      if (value > bestValue) {
        bestValue = value;
        best = { x: xs[i] ?? centre.x, y: ys[j] ?? centre.y, value };
      }
    }
  }
  return best;
}

/**
 * Σₖ S(k)·e^(+2πi(kx·x/width + ky·y/height)) at every (xs[i], ys[j]), row-major by j. Only the
 * rows ky in [0, height/2) are visited: the partner row −ky contributes the complex conjugate,
 * so it is twice the real part of each row's sum (once for ky = 0, which is its own partner).
 */
export function correlationOnGrid(
  spectrum: HermitianSpectrum,
  xs: readonly number[],
  ys: readonly number[],
): Float64Array {
  const { re, im, width, height } = spectrum;
  const nx = xs.length;
  const ny = ys.length;
  const rows = Math.ceil(height / 2);
  const kernelX = complexExponentials(xs, width, width);
  const kernelY = complexExponentials(ys, height, rows);
  const out = new Float64Array(nx * ny);
  const sums = new Float64Array(2 * nx);
  for (let ky = 0; ky < rows; ky++) {
    const row = ky * width;
    for (let i = 0; i < nx; i++) {
      let sumRe = 0;
      let sumIm = 0;
      const k0 = i * width;
      for (let kx = 0; kx < width; kx++) {
        const sr = re[row + kx] ?? 0;
        const si = im[row + kx] ?? 0;
        const er = kernelX.re[k0 + kx] ?? 0;
        const ei = kernelX.im[k0 + kx] ?? 0;
        sumRe += sr * er - si * ei;
        sumIm += sr * ei + si * er;
      }
      sums[2 * i] = sumRe;
      sums[2 * i + 1] = sumIm;
    }
    const weight = ky === 0 ? 1 : 2;
    for (let j = 0; j < ny; j++) {
      const cy = weight * (kernelY.re[j * rows + ky] ?? 0);
      const sy = weight * (kernelY.im[j * rows + ky] ?? 0);
      for (let i = 0; i < nx; i++) {
        out[j * nx + i] =
          (out[j * nx + i] ?? 0) + (sums[2 * i] ?? 0) * cy - (sums[2 * i + 1] ?? 0) * sy;
      }
    }
  }
  return out;
}

/**
 * e^(+2πi·k·p/size) for each point p and the first `count` frequency indices k, with k ≥ size/2
 * standing for k − size; row-major by point.
 */
function complexExponentials(
  points: readonly number[],
  size: number,
  count: number,
): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(points.length * count);
  const im = new Float64Array(points.length * count);
  points.forEach((p, i) => {
    for (let k = 0; k < count; k++) {
      const signed = k < size / 2 ? k : k - size;
      const angle = (2 * Math.PI * signed * p) / size;
      re[i * count + k] = Math.cos(angle);
      im[i * count + k] = Math.sin(angle);
    }
  });
  return { re, im };
}
