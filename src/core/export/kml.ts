/**
 * KML 2.2 of an export layer: one Document with a Folder named after the layer, one
 * Placemark per feature with its properties as ExtendedData and its geometry (lon,lat).
 * Features without a geometry are left out (KML has no place for them).
 */
import { polygonsOf, type Position, type Ring } from '../geo/types.ts';
import type { ExportGeometry, ExportLayer } from './export-layer.ts';

/** Escapes the five XML special characters. */
export function xmlText(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

function coordinatesKml(positions: readonly Position[]): string {
  return `<coordinates>${positions.map(([x, y]) => `${x},${y}`).join(' ')}</coordinates>`;
}

function ringKml(ring: Ring): string {
  return `<LinearRing>${coordinatesKml(ring)}</LinearRing>`;
}

function geometryKml(geometry: ExportGeometry): string {
  if (geometry.type === 'Point') return `<Point>${coordinatesKml([geometry.coordinates])}</Point>`;
  if (geometry.type === 'LineString') {
    return `<LineString>${coordinatesKml(geometry.coordinates)}</LineString>`;
  }
  const polygons = polygonsOf(geometry).map((rings) => {
    const [outer, ...holes] = rings;
    const inner = holes.map((h) => `<innerBoundaryIs>${ringKml(h)}</innerBoundaryIs>`).join('');
    return `<Polygon><outerBoundaryIs>${outer === undefined ? '' : ringKml(outer)}</outerBoundaryIs>${inner}</Polygon>`;
  });
  return polygons.length === 1
    ? (polygons[0] ?? '')
    : `<MultiGeometry>${polygons.join('')}</MultiGeometry>`;
}

export function layerKml(layer: ExportLayer): string {
  const placemarks = layer.features.flatMap((feature) => {
    if (feature.geometry === null) return [];
    const data = Object.entries(feature.properties)
      .filter(([, value]) => value !== null)
      .map(
        ([name, value]) =>
          `<Data name="${xmlText(name)}"><value>${xmlText(String(value))}</value></Data>`,
      )
      .join('');
    return [
      `<Placemark id="${xmlText(feature.id)}"><name>${xmlText(feature.id)}</name><ExtendedData>${data}</ExtendedData>${geometryKml(feature.geometry)}</Placemark>`,
    ];
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<kml xmlns="http://www.opengis.net/kml/2.2">',
    `<Document><name>${xmlText(layer.name)}</name><Folder><name>${xmlText(layer.name)}</name>`,
    ...placemarks,
    '</Folder></Document>',
    '</kml>',
    '',
  ].join('\n');
}
