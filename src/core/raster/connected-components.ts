/**
 * Connected-component labelling of binary masks (two-pass union-find, 8- or 4-connected) with
 * per-component pixel count, bounding box and value sums, and removal of components below a
 * minimum mapping unit.
 *
 * Memory: the whole mask is labelled at once: 4 bytes per pixel for labels, 4 bytes per
 * provisional label (at most about a quarter of the pixels for 8-connectivity, half for 4),
 * and 8 arrays of (components + 1) numbers. Streaming is not needed here: the pipeline labels
 * a downsampled mask or merges strips (a 20 000 × 20 000 mask needs about 1.6 GB of labels).
 */
import { ValidationError } from '../errors.ts';
import type { PixelArray } from './raster.ts';

export type Connectivity = 4 | 8;

/** Labels and per-component statistics; arrays indexed by label (index 0 is background). */
export interface ComponentLabels {
  readonly width: number;
  readonly height: number;
  /** Row-major labels: 0 background, 1 … count in raster order of each component's first pixel. */
  readonly labels: Int32Array;
  readonly count: number;
  readonly pixelCount: Float64Array;
  /** Inclusive bounding box in pixel indices. */
  readonly minCol: Int32Array;
  readonly minRow: Int32Array;
  readonly maxCol: Int32Array;
  readonly maxRow: Int32Array;
  /** Σ of `values` over each component (e.g. change magnitude; mean = valueSum / pixelCount). */
  readonly valueSum: Float64Array | null;
}

export interface LabelOptions {
  /** Default 8. */
  readonly connectivity?: Connectivity;
  /** Per-pixel values to sum per component (same length as the mask). */
  readonly values?: PixelArray;
}

function checkMask(mask: Uint8Array, width: number, height: number, name: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new ValidationError(
      `${name}: size must be non-negative integers, got ${width}×${height}`,
    );
  }
  if (mask.length !== width * height) {
    throw new ValidationError(
      `${name}: mask must have ${width}×${height} = ${width * height} elements, got ${mask.length}`,
    );
  }
}

class UnionFind {
  parent = new Int32Array(1024);
  size = 1;

  add(): number {
    if (this.size === this.parent.length) {
      const grown = new Int32Array(this.parent.length * 2);
      grown.set(this.parent);
      this.parent = grown;
    }
    this.parent[this.size] = this.size;
    return this.size++;
  }

  find(label: number): number {
    const parent = this.parent;
    let root = label;
    while ((parent[root] ?? root) !== root) root = parent[root] ?? root;
    let current = label;
    while (current !== root) {
      const next = parent[current] ?? root;
      parent[current] = root;
      current = next;
    }
    return root;
  }

  union(a: number, b: number): number {
    const rootA = this.find(a);
    const rootB = this.find(b);
    if (rootA === rootB) return rootA;
    const low = Math.min(rootA, rootB);
    this.parent[Math.max(rootA, rootB)] = low;
    return low;
  }
}

/** First pass: provisional labels in `labels`, equivalences in the union-find. */
function provisionalPass(
  mask: Uint8Array,
  width: number,
  height: number,
  eight: boolean,
  labels: Int32Array,
): UnionFind {
  const sets = new UnionFind();
  for (let y = 0; y < height; y++) {
    const base = y * width;
    for (let x = 0; x < width; x++) {
      if (mask[base + x] === 0) continue;
      let label = 0;
      const west = x > 0 ? (labels[base + x - 1] ?? 0) : 0;
      const north = y > 0 ? (labels[base - width + x] ?? 0) : 0;
      const northWest = eight && x > 0 && y > 0 ? (labels[base - width + x - 1] ?? 0) : 0;
      const northEast = eight && y > 0 && x + 1 < width ? (labels[base - width + x + 1] ?? 0) : 0;
      if (west !== 0) label = west;
      if (north !== 0) label = label === 0 ? north : sets.union(label, north);
      if (northWest !== 0) label = label === 0 ? northWest : sets.union(label, northWest);
      if (northEast !== 0) label = label === 0 ? northEast : sets.union(label, northEast);
      labels[base + x] = label === 0 ? sets.add() : label;
    }
  }
  return sets;
}

/**
 * Labels the connected components of the non-zero pixels of a row-major mask.
 * @throws ValidationError when the sizes disagree.
 */
export function labelComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  options: LabelOptions = {},
): ComponentLabels {
  checkMask(mask, width, height, 'labelComponents');
  const values = options.values ?? null;
  if (values !== null && values.length !== mask.length) {
    throw new ValidationError(
      `labelComponents: values have ${values.length} elements, mask ${mask.length}`,
    );
  }
  const labels = new Int32Array(mask.length);
  const sets = provisionalPass(mask, width, height, options.connectivity !== 4, labels);
  const finalOf = new Int32Array(sets.size);
  let count = 0;
  for (let label = 1; label < sets.size; label++) {
    const root = sets.find(label);
    if (root === label) finalOf[label] = ++count;
  }
  for (let label = 1; label < sets.size; label++) finalOf[label] = finalOf[sets.find(label)] ?? 0;
  const result = {
    width,
    height,
    labels,
    count,
    pixelCount: new Float64Array(count + 1),
    minCol: new Int32Array(count + 1).fill(width),
    minRow: new Int32Array(count + 1).fill(height),
    maxCol: new Int32Array(count + 1).fill(-1),
    maxRow: new Int32Array(count + 1).fill(-1),
    valueSum: values === null ? null : new Float64Array(count + 1),
  };
  secondPass(result, finalOf, values);
  return result;
}

/** Rewrites provisional labels as final ones and gathers the statistics. */
function secondPass(result: ComponentLabels, finalOf: Int32Array, values: PixelArray | null) {
  const { labels, width, height, pixelCount, minCol, minRow, maxCol, maxRow, valueSum } = result;
  for (let y = 0; y < height; y++) {
    const base = y * width;
    for (let x = 0; x < width; x++) {
      const provisional = labels[base + x] ?? 0;
      if (provisional === 0) continue;
      const label = finalOf[provisional] ?? 0;
      labels[base + x] = label;
      pixelCount[label] = (pixelCount[label] ?? 0) + 1;
      if (x < (minCol[label] ?? 0)) minCol[label] = x;
      if (x > (maxCol[label] ?? 0)) maxCol[label] = x;
      if (y < (minRow[label] ?? 0)) minRow[label] = y;
      maxRow[label] = y;
      if (valueSum !== null && values !== null) {
        valueSum[label] = (valueSum[label] ?? 0) + (values[base + x] ?? 0);
      }
    }
  }
}

/**
 * The smallest component, in pixels, that covers `areaSquareMeters` at `gsdMeters` per pixel
 * (rounded up; at least 1).
 * @throws ValidationError for a negative or non-finite area or a non-positive GSD.
 */
export function minimumMappingUnitPixels(areaSquareMeters: number, gsdMeters: number): number {
  if (!(areaSquareMeters >= 0) || !Number.isFinite(areaSquareMeters)) {
    throw new ValidationError(
      `minimum mapping unit must be a finite area ≥ 0 m², got ${areaSquareMeters}`,
    );
  }
  if (!(gsdMeters > 0) || !Number.isFinite(gsdMeters)) {
    throw new ValidationError(`GSD must be a finite number of metres > 0, got ${gsdMeters}`);
  }
  return Math.max(1, Math.ceil(areaSquareMeters / (gsdMeters * gsdMeters) - 1e-9));
}

/**
 * Clears the components with fewer than `minPixels` pixels.
 * @returns the cleaned mask (0/1, written to `options.out` when given, which may be `mask`),
 *   and how many components and pixels were removed and kept.
 * @throws ValidationError when the sizes disagree or minPixels is negative.
 */
export function removeSmallComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  minPixels: number,
  options: { readonly connectivity?: Connectivity; readonly out?: Uint8Array } = {},
): { mask: Uint8Array; removedComponents: number; removedPixels: number; keptComponents: number } {
  if (!(minPixels >= 0)) {
    throw new ValidationError(`removeSmallComponents: minPixels must be ≥ 0, got ${minPixels}`);
  }
  const connectivity = options.connectivity ?? 8;
  const components = labelComponents(mask, width, height, { connectivity });
  const keep = new Uint8Array(components.count + 1);
  let removedComponents = 0;
  let removedPixels = 0;
  for (let label = 1; label <= components.count; label++) {
    const pixels = components.pixelCount[label] ?? 0;
    if (pixels >= minPixels) keep[label] = 1;
    else {
      removedComponents++;
      removedPixels += pixels;
    }
  }
  const out = options.out ?? new Uint8Array(mask.length);
  if (out.length !== mask.length) {
    throw new ValidationError(
      `removeSmallComponents: out has ${out.length} elements, mask ${mask.length}`,
    );
  }
  const labels = components.labels;
  for (let p = 0; p < labels.length; p++) out[p] = keep[labels[p] ?? 0] ?? 0;
  return {
    mask: out,
    removedComponents,
    removedPixels,
    keptComponents: components.count - removedComponents,
  };
}
