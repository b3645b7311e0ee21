/**
 * Binary morphology on row-major Uint8Array masks (non-zero = foreground; outputs are 0/1).
 *
 * Border convention: the structuring element is clipped to the image, i.e. pixels outside are
 * ignored. So dilation never grows from outside, and erosion does not eat objects that touch
 * the image edge (as if the outside were foreground); both stay duals under complement.
 *
 * Cost: squares are separable with running counts, O(1) per pixel whatever the radius; disks
 * use per-row distances to the nearest foreground pixel and cost O(r) per pixel at most
 * (usually much less, as the scan stops at the first hit). Memory: one extra byte per pixel
 * (squares) or three (disks).
 */
import { ValidationError } from '../errors.ts';

export type StructuringShape = 'square' | 'disk';

/**
 * A square of side 2r + 1, or the disk of pixels (dx, dy) with dx² + dy² ≤ r², centred on the
 * pixel. Radius in pixels (convert from metres with the GSD).
 */
export interface StructuringElement {
  readonly shape: StructuringShape;
  readonly radius: number;
}

/** Largest radius accepted (distances are stored as uint16). */
export const MAX_MORPHOLOGY_RADIUS = 65_534;

function check(
  mask: Uint8Array,
  width: number,
  height: number,
  element: StructuringElement,
  out: Uint8Array | undefined,
  name: string,
): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new ValidationError(
      `${name}: size must be non-negative integers, got ${width}×${height}`,
    );
  }
  if (mask.length !== width * height || (out !== undefined && out.length !== mask.length)) {
    throw new ValidationError(
      `${name}: mask (and out) must have ${width}×${height} = ${width * height} elements, got ${mask.length}`,
    );
  }
  const r = element.radius;
  if (!Number.isInteger(r) || r < 0 || r > MAX_MORPHOLOGY_RADIUS) {
    throw new ValidationError(
      `${name}: radius must be an integer in [0, ${MAX_MORPHOLOGY_RADIUS}] pixels, got ${r}`,
    );
  }
}

/** Square: row pass then column pass with running counts; `erode` requires a full window. */
function squareFilter(
  mask: Uint8Array,
  width: number,
  height: number,
  r: number,
  erode: boolean,
  out: Uint8Array,
): void {
  const rows = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    const base = y * width;
    let count = 0;
    for (let x = 0; x <= r && x < width; x++) count += mask[base + x] !== 0 ? 1 : 0;
    for (let x = 0; x < width; x++) {
      const size = Math.min(x + r, width - 1) - Math.max(x - r, 0) + 1;
      rows[base + x] = erode ? (count === size ? 1 : 0) : count > 0 ? 1 : 0;
      if (x + r + 1 < width && mask[base + x + r + 1] !== 0) count++;
      if (x - r >= 0 && mask[base + x - r] !== 0) count--;
    }
  }
  const columns = new Int32Array(width);
  for (let y = 0; y <= r && y < height; y++) {
    for (let x = 0; x < width; x++) columns[x] = (columns[x] ?? 0) + (rows[y * width + x] ?? 0);
  }
  for (let y = 0; y < height; y++) {
    const size = Math.min(y + r, height - 1) - Math.max(y - r, 0) + 1;
    const base = y * width;
    for (let x = 0; x < width; x++) {
      const count = columns[x] ?? 0;
      out[base + x] = erode ? (count === size ? 1 : 0) : count > 0 ? 1 : 0;
    }
    const enter = (y + r + 1) * width;
    const leave = (y - r) * width;
    if (y + r + 1 < height) {
      for (let x = 0; x < width; x++) columns[x] = (columns[x] ?? 0) + (rows[enter + x] ?? 0);
    }
    if (y - r >= 0) {
      for (let x = 0; x < width; x++) columns[x] = (columns[x] ?? 0) - (rows[leave + x] ?? 0);
    }
  }
}

/** Per row, distance (capped at cap) to the nearest pixel whose foreground-ness is `target`. */
function rowDistances(
  mask: Uint8Array,
  width: number,
  height: number,
  cap: number,
  invert: boolean,
): Uint16Array {
  const distances = new Uint16Array(mask.length);
  for (let y = 0; y < height; y++) {
    const base = y * width;
    let run = cap;
    for (let x = 0; x < width; x++) {
      const isTarget = (mask[base + x] !== 0) !== invert;
      run = isTarget ? 0 : Math.min(cap, run + 1);
      distances[base + x] = run;
    }
    run = cap;
    for (let x = width - 1; x >= 0; x--) {
      const isTarget = (mask[base + x] !== 0) !== invert;
      run = isTarget ? 0 : Math.min(cap, run + 1);
      if (run < (distances[base + x] ?? cap)) distances[base + x] = run;
    }
  }
  return distances;
}

/** Disk dilation of the foreground (or of the background when `invert`, giving erosion). */
function diskFilter(
  mask: Uint8Array,
  width: number,
  height: number,
  r: number,
  invert: boolean,
  out: Uint8Array,
): void {
  const distances = rowDistances(mask, width, height, r + 1, invert);
  const halfWidths = new Int32Array(2 * r + 1);
  for (let dy = -r; dy <= r; dy++) halfWidths[dy + r] = Math.floor(Math.sqrt(r * r - dy * dy));
  for (let y = 0; y < height; y++) {
    const low = Math.max(-r, -y);
    const high = Math.min(r, height - 1 - y);
    for (let x = 0; x < width; x++) {
      let hit = 0;
      for (let dy = low; dy <= high; dy++) {
        if ((distances[(y + dy) * width + x] ?? 0) <= (halfWidths[dy + r] ?? 0)) {
          hit = 1;
          break;
        }
      }
      out[y * width + x] = invert ? 1 - hit : hit;
    }
  }
}

function filter(
  mask: Uint8Array,
  width: number,
  height: number,
  element: StructuringElement,
  erode: boolean,
  out: Uint8Array | undefined,
  name: string,
): Uint8Array {
  check(mask, width, height, element, out, name);
  const target = out ?? new Uint8Array(mask.length);
  if (element.radius === 0) {
    for (let p = 0; p < mask.length; p++) target[p] = mask[p] !== 0 ? 1 : 0;
  } else if (element.shape === 'square') {
    squareFilter(mask, width, height, element.radius, erode, target);
  } else {
    diskFilter(mask, width, height, element.radius, erode, target);
  }
  return target;
}

/**
 * Binary dilation: a pixel is set when the structuring element centred on it meets the
 * foreground. `out` (may be `mask` itself) is written and returned; allocated when absent.
 * @throws ValidationError for a size/length mismatch or a radius that is not an integer in
 *   [0, {@link MAX_MORPHOLOGY_RADIUS}].
 */
export function dilateMask(
  mask: Uint8Array,
  width: number,
  height: number,
  element: StructuringElement,
  out?: Uint8Array,
): Uint8Array {
  return filter(mask, width, height, element, false, out, 'dilate');
}

/**
 * Binary erosion: a pixel stays set when the structuring element centred on it (clipped to the
 * image) lies in the foreground. Same `out` and errors as {@link dilateMask}.
 */
export function erodeMask(
  mask: Uint8Array,
  width: number,
  height: number,
  element: StructuringElement,
  out?: Uint8Array,
): Uint8Array {
  return filter(mask, width, height, element, true, out, 'erode');
}

/** Opening (erosion then dilation): removes specks and thin spurs smaller than the element. */
export function openMask(
  mask: Uint8Array,
  width: number,
  height: number,
  element: StructuringElement,
  out?: Uint8Array,
): Uint8Array {
  return dilateMask(erodeMask(mask, width, height, element), width, height, element, out);
}

/** Closing (dilation then erosion): fills holes and gaps smaller than the element. */
export function closeMask(
  mask: Uint8Array,
  width: number,
  height: number,
  element: StructuringElement,
  out?: Uint8Array,
): Uint8Array {
  return erodeMask(dilateMask(mask, width, height, element), width, height, element, out);
}
