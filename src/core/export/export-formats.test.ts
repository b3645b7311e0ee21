import { describe, expect, it } from 'vitest';
import { csvField, geometryWkt, layerCsv } from './csv.ts';
import { layerFields, type ExportLayer } from './export-layer.ts';
import { geometryWkb, gpkgGeometryBlob, layerGeometryTypeName } from './gpkg-geometry.ts';
import { layerKml, xmlText } from './kml.ts';
import { stacCollection, stacItem } from './stac.ts';

const square = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 0],
    ] as const,
  ],
};

const layer: ExportLayer = {
  name: 'site_things',
  features: [
    { id: 'a', geometry: square, properties: { n: 1, x: 1.5, ok: true, note: 'a,b' } },
    { id: 'b', geometry: null, properties: { n: 2, x: 2, ok: false, note: null } },
  ],
};

describe('CSV (RFC 4180)', () => {
  it('quotes fields with commas, quotes or line breaks and doubles quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
  });

  it('writes a header, CRLF rows and the geometry as WKT', () => {
    expect(layerCsv(layer)).toBe(
      'n,x,ok,note,wkt\r\n1,1.5,true,"a,b","MULTIPOLYGON (((0 0, 1 0, 1 1, 0 1, 0 0)))"\r\n2,2,false,,\r\n',
    );
    expect(geometryWkt({ type: 'Point', coordinates: [2, 3] })).toBe('POINT (2 3)');
  });
});

describe('layer fields', () => {
  it('types each field by the values it holds', () => {
    expect(layerFields(layer)).toEqual([
      { name: 'n', type: 'INTEGER' },
      { name: 'x', type: 'REAL' },
      { name: 'ok', type: 'BOOLEAN' },
      { name: 'note', type: 'TEXT' },
    ]);
  });
});

describe('GeoPackage geometry', () => {
  it('encodes a point as little-endian WKB', () => {
    const wkb = geometryWkb({ type: 'Point', coordinates: [1, 2] });
    expect(Buffer.from(wkb).toString('hex')).toBe('0101000000000000000000f03f0000000000000040');
  });

  it('writes the GP header with srs 4326 and the envelope, then a MultiPolygon', () => {
    const blob = gpkgGeometryBlob(square);
    const view = new DataView(blob.buffer);
    expect(String.fromCharCode(blob[0]!, blob[1]!)).toBe('GP');
    expect(blob[3]).toBe(0b11);
    expect(view.getInt32(4, true)).toBe(4326);
    expect([8, 16, 24, 32].map((o) => view.getFloat64(o, true))).toEqual([0, 1, 0, 1]);
    expect(view.getUint32(41, true)).toBe(6);
    expect(blob.length).toBe(40 + 9 + 9 + 4 + 5 * 16);
    expect(layerGeometryTypeName(layer)).toBe('MULTIPOLYGON');
  });
});

describe('KML', () => {
  it('escapes XML and leaves out features without geometry', () => {
    expect(xmlText(`<a & "b">`)).toBe('&lt;a &amp; &quot;b&quot;&gt;');
    const kml = layerKml(layer);
    expect(kml).toContain('<Data name="note"><value>a,b</value></Data>');
    expect(kml).toContain('<coordinates>0,0 1,0 1,1 0,1 0,0</coordinates>');
    expect(kml.match(/<Placemark/g)).toHaveLength(1);
  });
});

describe('STAC', () => {
  it('builds an Item with a time interval and a Collection spanning it', () => {
    const item = stacItem('c', {
      id: 'cmp_1',
      geometry: square,
      datetime: '2020-02-01T00:00:00Z',
      interval: ['2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z'],
      created: '2020-03-01T00:00:00Z',
      properties: {},
      assets: {},
      sources: [{ href: '/a.tif', title: 'img_a' }],
    });
    expect(item.bbox).toEqual([0, 0, 1, 1]);
    expect(item.links.map((l) => l.rel)).toEqual(['root', 'parent', 'collection', 'derived_from']);
    const collection = stacCollection({ id: 'c', title: 't', description: 'd', items: [item] });
    expect(collection.extent.temporal.interval).toEqual([
      ['2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z'],
    ]);
    expect(collection.links.at(-1)?.href).toBe('./items/cmp_1.json');
  });
});
