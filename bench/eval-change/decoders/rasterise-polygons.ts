/**
 * WKT polygons in pixel coordinates (xBD `features.xy`) burnt into a mask: even-odd scanline
 * fill at pixel centres, so pixel (col, row) is inside when its centre (col + 0.5, row + 0.5)
 * is. Coordinates: x to the right, y down, (0, 0) the top-left corner of the image.
 */
import { ValidationError } from '../../../src/core/errors.ts';

/** A polygon as rings of [x, y] vertices (the first ring the shell, the others holes). */
export type PixelPolygon = readonly (readonly (readonly [number, number])[])[];

function parseRing(text: string, wkt: string): [number, number][] {
  return text.split(',').map((pair) => {
    const [x, y] = pair.trim().split(/\s+/).map(Number);
    if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new ValidationError(`WKT: bad vertex "${pair.trim()}" in ${wkt.slice(0, 80)}`);
    }
    return [x, y];
  });
}

/**
 * Parses a WKT POLYGON or MULTIPOLYGON into polygons of rings.
 * @throws ValidationError for other geometry types or malformed coordinates.
 */
export function parseWktPolygons(wkt: string): PixelPolygon[] {
  const trimmed = wkt.trim();
  const type = /^([A-Z]+)/i.exec(trimmed)?.[1]?.toUpperCase();
  if (type !== 'POLYGON' && type !== 'MULTIPOLYGON') {
    throw new ValidationError(
      `WKT: expected POLYGON or MULTIPOLYGON, got "${trimmed.slice(0, 30)}"`,
    );
  }
  if (/EMPTY\s*$/i.test(trimmed)) return [];
  const ringDepth = type === 'POLYGON' ? 2 : 3;
  const polygons: [number, number][][][] = [];
  let depth = 0;
  let ringStart = -1;
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i];
    if (c === '(') {
      depth++;
      if (depth === ringDepth - 1) polygons.push([]);
      if (depth === ringDepth) ringStart = i + 1;
    } else if (c === ')') {
      if (depth === ringDepth) polygons.at(-1)?.push(parseRing(trimmed.slice(ringStart, i), wkt));
      depth--;
    }
  }
  if (depth !== 0) throw new ValidationError(`WKT: unbalanced parentheses in ${wkt.slice(0, 80)}`);
  return polygons;
}

/** Crossings of the horizontal line y = yCentre with the polygon's edges, sorted. */
function crossings(polygon: PixelPolygon, yCentre: number): number[] {
  const xs: number[] = [];
  for (const ring of polygon) {
    for (let i = 0; i < ring.length; i++) {
      const [x0, y0] = ring[i]!;
      const [x1, y1] = ring[(i + 1) % ring.length]!;
      if (y0 <= yCentre === y1 <= yCentre) continue;
      xs.push(x0 + ((yCentre - y0) / (y1 - y0)) * (x1 - x0));
    }
  }
  return xs.sort((a, b) => a - b);
}

/**
 * Sets `value` in `mask` at every pixel whose centre lies inside `polygon` (even-odd rule, so
 * holes stay unset). Parts outside the width × height image are clipped.
 * @throws ValidationError when the mask does not hold width × height pixels.
 */
export function burnPolygon(
  mask: Uint8Array,
  width: number,
  height: number,
  polygon: PixelPolygon,
  value: number,
): void {
  if (mask.length !== width * height) {
    throw new ValidationError(
      `burnPolygon: mask has ${mask.length} pixels, expected ${width}×${height}`,
    );
  }
  let minY = Infinity;
  let maxY = -Infinity;
  for (const ring of polygon) {
    for (const [, y] of ring) {
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  const rowStart = Math.max(0, Math.floor(minY - 0.5));
  const rowEnd = Math.min(height - 1, Math.ceil(maxY - 0.5));
  for (let row = rowStart; row <= rowEnd; row++) {
    const xs = crossings(polygon, row + 0.5);
    for (let i = 0; i + 1 < xs.length; i += 2) {
      const colStart = Math.max(0, Math.ceil(xs[i]! - 0.5));
      const colEnd = Math.min(width - 1, Math.ceil(xs[i + 1]! - 0.5) - 1);
      if (colEnd >= colStart) mask.fill(value, row * width + colStart, row * width + colEnd + 1);
    }
  }
}
