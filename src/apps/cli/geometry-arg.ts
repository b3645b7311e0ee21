/** Reads a geometry given on the command line: inline GeoJSON, a file, or a bbox. */
import { readFileSync, existsSync } from 'node:fs';
import { validatePolygonalGeometry } from '../../core/geo/polygon-validity.ts';
import type { PolygonalGeometry } from '../../core/geo/types.ts';
import { ValidationError } from '../../core/errors.ts';

/**
 * `value` is inline JSON (a Polygon/MultiPolygon geometry or a Feature holding one), or a
 * path to a file holding the same.
 * @throws ValidationError / GeometryError naming `label`
 */
export function readGeometryArg(value: string, label: string): PolygonalGeometry {
  const text = value.trim().startsWith('{') ? value : readTextFile(value, label);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${label}: not valid GeoJSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  const record = json as { type?: unknown; geometry?: unknown };
  const geometry = record.type === 'Feature' ? record.geometry : json;
  return validatePolygonalGeometry(geometry, label);
}

function readTextFile(path: string, label: string): string {
  if (!existsSync(path)) {
    throw new ValidationError(`${label}: "${path}" is neither inline GeoJSON nor an existing file`);
  }
  return readFileSync(path, 'utf8');
}

/** `minLon,minLat,maxLon,maxLat` to a rectangle polygon. */
export function bboxArgToGeometry(value: string, label: string): PolygonalGeometry {
  const parts = value.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) {
    throw new ValidationError(`${label}: "${value}" is not minLon,minLat,maxLon,maxLat`);
  }
  const [w, s, e, n] = parts as [number, number, number, number];
  if (!(w < e && s < n)) {
    throw new ValidationError(`${label}: "${value}" needs minLon < maxLon and minLat < maxLat`);
  }
  return validatePolygonalGeometry(
    {
      type: 'Polygon',
      coordinates: [
        [
          [w, s],
          [e, s],
          [e, n],
          [w, n],
          [w, s],
        ],
      ],
    },
    label,
  );
}

/** Splits a comma list, dropping blanks. */
export function listArg(value: string | undefined): string[] {
  return value === undefined
    ? []
    : value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}
