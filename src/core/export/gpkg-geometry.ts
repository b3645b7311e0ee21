/**
 * GeoPackage geometry blobs (OGC 12-128r18 §2.1.3): the "GP" header with an envelope, then
 * little-endian ISO WKB. Polygons are written as MultiPolygons so that a layer of polygons has
 * one geometry type; points and lines (annotations) as they are.
 */
import { polygonsOf, type Position } from '../geo/types.ts';
import { exportGeometryBbox, type ExportGeometry, type ExportLayer } from './export-layer.ts';

/** EPSG:4326, the only spatial reference sitewatch exports in. */
export const GPKG_SRS_ID = 4326;

const WKB_POINT = 1;
const WKB_LINESTRING = 2;
const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;

/** MULTIPOLYGON when every geometry is polygonal, else GEOMETRY. */
export function layerGeometryTypeName(layer: ExportLayer): 'MULTIPOLYGON' | 'GEOMETRY' {
  const mixed = layer.features.some(
    (f) => f.geometry !== null && (f.geometry.type === 'Point' || f.geometry.type === 'LineString'),
  );
  return mixed ? 'GEOMETRY' : 'MULTIPOLYGON';
}

class WkbWriter {
  private readonly chunks: Uint8Array[] = [];

  header(type: number): void {
    const bytes = new Uint8Array(5);
    const view = new DataView(bytes.buffer);
    view.setUint8(0, 1);
    view.setUint32(1, type, true);
    this.chunks.push(bytes);
  }

  count(n: number): void {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, n, true);
    this.chunks.push(bytes);
  }

  positions(positions: readonly Position[]): void {
    const bytes = new Uint8Array(positions.length * 16);
    const view = new DataView(bytes.buffer);
    positions.forEach(([x, y], i) => {
      view.setFloat64(i * 16, x, true);
      view.setFloat64(i * 16 + 8, y, true);
    });
    this.chunks.push(bytes);
  }

  bytes(): Uint8Array {
    const size = this.chunks.reduce((sum, c) => sum + c.length, 0);
    const out = new Uint8Array(size);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

/** Little-endian ISO WKB; polygons as a MultiPolygon. */
export function geometryWkb(geometry: ExportGeometry): Uint8Array {
  const w = new WkbWriter();
  if (geometry.type === 'Point') {
    w.header(WKB_POINT);
    w.positions([geometry.coordinates]);
  } else if (geometry.type === 'LineString') {
    w.header(WKB_LINESTRING);
    w.count(geometry.coordinates.length);
    w.positions(geometry.coordinates);
  } else {
    const polygons = polygonsOf(geometry);
    w.header(WKB_MULTIPOLYGON);
    w.count(polygons.length);
    for (const rings of polygons) {
      w.header(WKB_POLYGON);
      w.count(rings.length);
      for (const ring of rings) {
        w.count(ring.length);
        w.positions(ring);
      }
    }
  }
  return w.bytes();
}

/**
 * The GeoPackage binary geometry: magic "GP", version 0, flags (little-endian, envelope
 * [minX, maxX, minY, maxY]), srs_id, then the WKB.
 */
export function gpkgGeometryBlob(geometry: ExportGeometry): Uint8Array {
  const wkb = geometryWkb(geometry);
  const [minX, minY, maxX, maxY] = exportGeometryBbox(geometry);
  const bytes = new Uint8Array(8 + 32 + wkb.length);
  const view = new DataView(bytes.buffer);
  bytes[0] = 0x47; // 'G'
  bytes[1] = 0x50; // 'P'
  bytes[2] = 0;
  bytes[3] = (1 << 1) | 1; // envelope [minx, maxx, miny, maxy], little-endian
  view.setInt32(4, GPKG_SRS_ID, true);
  [minX, maxX, minY, maxY].forEach((value, i) => {
    view.setFloat64(8 + i * 8, value, true);
  });
  bytes.set(wkb, 40);
  return bytes;
}
