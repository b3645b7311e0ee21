/**
 * CSV (RFC 4180) of an export layer: a header row, one row per feature, CRLF line ends, the
 * geometry as WKT in the last column (`wkt`, lon/lat), as GDAL's CSV driver reads it.
 */
import { polygonsOf, type Position } from '../geo/types.ts';
import {
  layerFields,
  type ExportGeometry,
  type ExportLayer,
  type ExportValue,
} from './export-layer.ts';

/** A field quoted when it holds a comma, a quote, CR or LF; quotes doubled. */
export function csvField(value: ExportValue): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function positionsWkt(positions: readonly Position[]): string {
  return `(${positions.map(([x, y]) => `${x} ${y}`).join(', ')})`;
}

/** The geometry as WKT: POINT, LINESTRING, or polygons as a MULTIPOLYGON. */
export function geometryWkt(geometry: ExportGeometry): string {
  if (geometry.type === 'Point') return `POINT ${positionsWkt([geometry.coordinates])}`;
  if (geometry.type === 'LineString') return `LINESTRING ${positionsWkt(geometry.coordinates)}`;
  const polygons = polygonsOf(geometry).map((rings) => `(${rings.map(positionsWkt).join(', ')})`);
  return `MULTIPOLYGON (${polygons.join(', ')})`;
}

export function layerCsv(layer: ExportLayer): string {
  const names = layerFields(layer).map((field) => field.name);
  const rows = [[...names, 'wkt'].map(csvField).join(',')];
  for (const feature of layer.features) {
    const values = names.map((name) => feature.properties[name] ?? null);
    const wkt = feature.geometry === null ? null : geometryWkt(feature.geometry);
    rows.push([...values, wkt].map(csvField).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}
