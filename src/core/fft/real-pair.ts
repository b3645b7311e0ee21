/**
 * The spectra of two real 2-D arrays for the price of one complex FFT: transform z = a + i·b,
 * then separate A[k] = (Z[k] + conj Z[−k]) / 2 and B[k] = (Z[k] − conj Z[−k]) / (2i), where −k
 * is the frequency ((width − kx) mod width, (height − ky) mod height).
 */
import { ValidationError } from '../errors.ts';
import { fft2d } from './fft.ts';

/** Forward spectra of two real row-major arrays (same conventions as {@link fft2d}). */
export interface RealPairSpectra {
  readonly aRe: Float64Array;
  readonly aIm: Float64Array;
  readonly bRe: Float64Array;
  readonly bIm: Float64Array;
}

/**
 * Forward 2-D FFTs of the real row-major width × height arrays `a` and `b` (powers of two).
 * The inputs are left untouched.
 * @throws ValidationError when the sizes are not powers of two or the arrays do not hold
 * width·height samples.
 */
export function fft2dRealPair(
  a: Float64Array,
  b: Float64Array,
  width: number,
  height: number,
): RealPairSpectra {
  const n = width * height;
  if (a.length !== n || b.length !== n) {
    throw new ValidationError(
      `fft2dRealPair ${width}×${height}: inputs must hold ${n} samples; got ${a.length} and ${b.length}`,
    );
  }
  const zRe = a.slice();
  const zIm = b.slice();
  fft2d(zRe, zIm, width, height);
  const bRe = new Float64Array(n);
  const bIm = new Float64Array(n);
  for (let ky = 0; ky < height; ky++) {
    const my = ky === 0 ? 0 : height - ky;
    for (let kx = 0; kx < width; kx++) {
      const i = ky * width + kx;
      const j = my * width + (kx === 0 ? 0 : width - kx);
      if (j < i) continue;
      const pr = zRe[i] ?? 0;
      const pi = zIm[i] ?? 0;
      const qr = zRe[j] ?? 0;
      const qi = zIm[j] ?? 0;
      // A[i] = (P + conj Q)/2, B[i] = (P − conj Q)/(2i); and symmetrically for j.
      zRe[i] = (pr + qr) / 2;
      zIm[i] = (pi - qi) / 2;
      bRe[i] = (pi + qi) / 2;
      bIm[i] = (qr - pr) / 2;
      zRe[j] = (qr + pr) / 2;
      zIm[j] = (qi - pi) / 2;
      bRe[j] = (qi + pi) / 2;
      bIm[j] = (pr - qr) / 2;
    }
  }
  return { aRe: zRe, aIm: zIm, bRe, bIm };
}
