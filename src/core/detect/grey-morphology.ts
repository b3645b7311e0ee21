/**
 * Grey-level morphology with square structuring elements (side 2r + 1), separable rows then
 * columns with the van Herk / Gil–Werman running extrema: 3 comparisons per pixel whatever r.
 * Border: the element is clipped to the image (outside pixels are ignored), as in
 * src/core/raster/morphology.ts for masks. Only used by the top-hat baseline so far.
 */
import { ValidationError } from '../errors.ts';

type Pick = (a: number, b: number) => number;

/** Running min or max over windows of 2r + 1 along one line of `n` values, clipped at the ends. */
function filterLine(
  src: Float32Array,
  dst: Float32Array,
  start: number,
  stride: number,
  n: number,
  r: number,
  pick: Pick,
  prefix: Float32Array,
  suffix: Float32Array,
): void {
  const k = 2 * r + 1;
  // Blocks of k values: prefix[i] = extreme from the block start to i, suffix[i] = from i to the block end.
  for (let b = 0; b < n; b += k) {
    const end = Math.min(n, b + k);
    prefix[b] = src[start + b * stride] ?? 0;
    for (let i = b + 1; i < end; i++)
      prefix[i] = pick(prefix[i - 1] ?? 0, src[start + i * stride] ?? 0);
    suffix[end - 1] = src[start + (end - 1) * stride] ?? 0;
    for (let i = end - 2; i >= b; i--)
      suffix[i] = pick(suffix[i + 1] ?? 0, src[start + i * stride] ?? 0);
  }
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - r);
    const hi = Math.min(n - 1, i + r);
    // [lo, hi] spans at most two blocks: suffix of the first, prefix of the second.
    dst[start + i * stride] =
      Math.floor(lo / k) === Math.floor(hi / k) && lo % k === 0
        ? (prefix[hi] ?? 0)
        : Math.floor(lo / k) === Math.floor(hi / k)
          ? rangeInBlock(src, start, stride, lo, hi, pick)
          : pick(suffix[lo] ?? 0, prefix[hi] ?? 0);
  }
}

/** Extreme of a range inside one block that does not start at the block start (only at borders). */
function rangeInBlock(
  src: Float32Array,
  start: number,
  stride: number,
  lo: number,
  hi: number,
  pick: Pick,
): number {
  let v = src[start + lo * stride] ?? 0;
  for (let i = lo + 1; i <= hi; i++) v = pick(v, src[start + i * stride] ?? 0);
  return v;
}

function filter2d(
  image: Float32Array,
  width: number,
  height: number,
  radius: number,
  pick: Pick,
): Float32Array {
  if (image.length !== width * height) {
    throw new ValidationError(
      `grey morphology: image must have ${width}×${height} = ${width * height} values, got ${image.length}`,
    );
  }
  if (!Number.isInteger(radius) || radius < 0) {
    throw new ValidationError(
      `grey morphology: radius must be a non-negative integer, got ${radius}`,
    );
  }
  const rows = new Float32Array(image.length);
  const out = new Float32Array(image.length);
  const longest = Math.max(width, height);
  const prefix = new Float32Array(longest);
  const suffix = new Float32Array(longest);
  for (let y = 0; y < height; y++) {
    filterLine(image, rows, y * width, 1, width, radius, pick, prefix, suffix);
  }
  for (let x = 0; x < width; x++) {
    filterLine(rows, out, x, width, height, radius, pick, prefix, suffix);
  }
  return out;
}

/** Grey erosion (minimum over the (2r+1)² square). */
export function erodeGrey(
  image: Float32Array,
  width: number,
  height: number,
  radius: number,
): Float32Array {
  return filter2d(image, width, height, radius, Math.min);
}

/** Grey dilation (maximum over the (2r+1)² square). */
export function dilateGrey(
  image: Float32Array,
  width: number,
  height: number,
  radius: number,
): Float32Array {
  return filter2d(image, width, height, radius, Math.max);
}

/** White top-hat: image − opening; bright details narrower than 2r + 1 px, ≥ 0. */
export function whiteTopHat(
  image: Float32Array,
  width: number,
  height: number,
  radius: number,
): Float32Array {
  const opened = dilateGrey(erodeGrey(image, width, height, radius), width, height, radius);
  for (let i = 0; i < opened.length; i++) opened[i] = (image[i] ?? 0) - (opened[i] ?? 0);
  return opened;
}

/** Black top-hat: closing − image; dark details narrower than 2r + 1 px, ≥ 0. */
export function blackTopHat(
  image: Float32Array,
  width: number,
  height: number,
  radius: number,
): Float32Array {
  const closed = erodeGrey(dilateGrey(image, width, height, radius), width, height, radius);
  for (let i = 0; i < closed.length; i++) closed[i] = (closed[i] ?? 0) - (image[i] ?? 0);
  return closed;
}
