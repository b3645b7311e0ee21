import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnknownCrsError, ValidationError } from '../../core/errors.ts';
import { EpsgCrsRegistry, crsUnitsAreDegrees } from './epsg-crs-registry.ts';
import { normaliseCrsName } from './epsg-name-index.ts';
import { readWktCrsIdentity } from './wkt-crs-identity.ts';

const registry = new EpsgCrsRegistry();

/** Reference positions from `gdaltransform -s_srs EPSG:4326 -t_srs EPSG:n` (GDAL 3.6 / PROJ). */
const REFERENCES: readonly {
  crs: string;
  lonLat: [number, number];
  map: [number, number];
  toleranceMeters: number;
}[] = [
  { crs: 'EPSG:32618', lonLat: [-75, 40], map: [500000, 4427757.21873837], toleranceMeters: 0.01 },
  {
    crs: 'EPSG:3857',
    lonLat: [10, 50],
    map: [1113194.90793274, 6446275.84101716],
    toleranceMeters: 0.01,
  },
  // OSGB36 uses a Helmert stand-in for the OSTN15 grid; PROJ (without the grid) used the same.
  {
    crs: 'EPSG:27700',
    lonLat: [-1.5, 52.5],
    map: [434039.457286059, 289239.281092673],
    toleranceMeters: 0.05,
  },
  {
    crs: 'EPSG:2056',
    lonLat: [7.4395833, 46.9524056],
    map: [2600072.38716516, 1200147.06052339],
    toleranceMeters: 0.05,
  },
];

describe('EpsgCrsRegistry transforms', () => {
  it.each(REFERENCES)(
    '$crs matches PROJ at a reference point',
    ({ crs, lonLat, map, toleranceMeters }) => {
      const [x, y] = registry.fromLonLat(crs)(lonLat);
      expect(Math.abs(x - map[0])).toBeLessThan(toleranceMeters);
      expect(Math.abs(y - map[1])).toBeLessThan(toleranceMeters);
      const [lon, lat] = registry.toLonLat(crs)(map);
      expect(Math.abs(lon - lonLat[0])).toBeLessThan(1e-6);
      expect(Math.abs(lat - lonLat[1])).toBeLessThan(1e-6);
    },
  );

  it.each<{ crs: string; lon: [number, number]; lat: [number, number] }>([
    { crs: 'EPSG:4326', lon: [-179, 179], lat: [-89, 89] },
    { crs: 'EPSG:32618', lon: [-78, -72], lat: [0, 84] },
    { crs: 'epsg:3857', lon: [-179, 179], lat: [-85, 85] },
    { crs: 'EPSG:27700', lon: [-8, 1.7], lat: [50, 60.5] },
    { crs: 'Epsg:2056', lon: [6, 10.4], lat: [45.9, 47.8] },
  ])('round-trips lon/lat → $crs → lon/lat within 1e-7°', ({ crs, lon, lat }) => {
    const forward = registry.fromLonLat(crs);
    const inverse = registry.toLonLat(crs);
    fc.assert(
      fc.property(
        fc.double({ min: lon[0], max: lon[1], noNaN: true }),
        fc.double({ min: lat[0], max: lat[1], noNaN: true }),
        (longitude, latitude) => {
          const back = inverse(forward([longitude, latitude]));
          expect(Math.abs(back[0] - longitude)).toBeLessThan(1e-7);
          expect(Math.abs(back[1] - latitude)).toBeLessThan(1e-7);
        },
      ),
      { seed: 20240601, numRuns: 200 },
    );
  });

  it('caches converters per code', () => {
    const first = registry.toLonLat('EPSG:32618')([500000, 4427757.21873837]);
    const second = registry.toLonLat('epsg:32618')([500000, 4427757.21873837]);
    expect(second).toEqual(first);
  });

  it('throws ValidationError for a position outside the projection domain', () => {
    expect(() => registry.fromLonLat('EPSG:3857')([0, Number.NaN])).toThrow(ValidationError);
  });
});

describe('EpsgCrsRegistry.assertKnown', () => {
  it('accepts known horizontal CRSs in any case', () => {
    expect(() => {
      registry.assertKnown('EPSG:4326');
      registry.assertKnown('epsg:32618');
    }).not.toThrow();
  });

  it('throws UnknownCrsError naming an unknown code', () => {
    expect(() => {
      registry.assertKnown('EPSG:99999');
    }).toThrow(UnknownCrsError);
    expect(() => {
      registry.assertKnown('EPSG:99999');
    }).toThrow(/EPSG:99999/);
  });

  it('rejects strings that are not EPSG:n', () => {
    expect(() => {
      registry.assertKnown('WGS84');
    }).toThrow(/not of the form EPSG:n/);
    expect(() => registry.toLonLat('EPSG:')).toThrow(UnknownCrsError);
  });

  it('rejects vertical CRSs and codes without a PROJ definition', () => {
    expect(() => {
      registry.assertKnown('EPSG:5703');
    }).toThrow(/not a projected or geographic/);
    expect(() => {
      registry.assertKnown('EPSG:2000');
    }).toThrow(/no PROJ definition/);
  });
});

describe('crsUnitsAreDegrees', () => {
  it('is true for geographic and false for projected CRSs', () => {
    expect(crsUnitsAreDegrees('EPSG:4326')).toBe(true);
    expect(crsUnitsAreDegrees('EPSG:4277')).toBe(true);
    expect(crsUnitsAreDegrees('EPSG:32618')).toBe(false);
    expect(crsUnitsAreDegrees('EPSG:27700')).toBe(false);
  });

  it('throws UnknownCrsError for an unknown code', () => {
    expect(() => crsUnitsAreDegrees('EPSG:99999')).toThrow(UnknownCrsError);
  });
});

const UTM18_WKT1 =
  'PROJCS["WGS 84 / UTM zone 18N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,' +
  'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],' +
  'AUTHORITY["EPSG","4326"]],PROJECTION["Transverse_Mercator"],PARAMETER["central_meridian",-75],' +
  'UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","32618"]]';

const BNG_WKT2 =
  'PROJCRS["OSGB36 / British National Grid",BASEGEOGCRS["OSGB36",DATUM["Ordnance Survey of Great Britain 1936",' +
  'ELLIPSOID["Airy 1830",6377563.396,299.3249646,LENGTHUNIT["metre",1]]],ID["EPSG",4277]],' +
  'CONVERSION["British National Grid",METHOD["Transverse Mercator",ID["EPSG",9807]]],' +
  'CS[Cartesian,2],AXIS["(E)",east,ORDER[1]],AXIS["(N)",north,ORDER[2]],ID["EPSG",27700]]';

const ESRI_UTM_WKT =
  'PROJCS["WGS_1984_UTM_Zone_18N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,' +
  '298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],' +
  'PARAMETER["False_Easting",500000.0],PARAMETER["Central_Meridian",-75.0],UNIT["Meter",1.0]]';

describe('EpsgCrsRegistry.fromWkt', () => {
  it('reads the outermost AUTHORITY of WKT1, not the inner datum/geogcs ones', () => {
    expect(registry.fromWkt(UTM18_WKT1)).toBe('EPSG:32618');
  });

  it('reads the outermost ID of WKT2', () => {
    expect(registry.fromWkt(BNG_WKT2)).toBe('EPSG:27700');
  });

  it('falls back to the CRS name, ESRI spellings included', () => {
    expect(registry.fromWkt(ESRI_UTM_WKT)).toBe('EPSG:32618');
    expect(
      registry.fromWkt(
        'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137,298.257223563]]]',
      ),
    ).toBe('EPSG:4326');
    expect(registry.fromWkt('PROJCS["CH1903+ / LV95",GEOGCS["CH1903+"]]')).toBe('EPSG:2056');
  });

  it('throws UnknownCrsError quoting the WKT when nothing identifies it', () => {
    expect(() => registry.fromWkt('PROJCS["my local grid",GEOGCS["x"]]')).toThrow(
      /PROJCS\["my local grid"/,
    );
    expect(() => registry.fromWkt('not wkt at all')).toThrow(UnknownCrsError);
    expect(() => registry.fromWkt('PROJCS["x",AUTHORITY["EPSG","99999"]]')).toThrow(/EPSG:99999/);
  });
});

describe('readWktCrsIdentity', () => {
  it('returns keyword, name and code', () => {
    expect(readWktCrsIdentity(UTM18_WKT1)).toEqual({
      keyword: 'PROJCS',
      name: 'WGS 84 / UTM zone 18N',
      epsgCode: 32618,
    });
  });

  it('returns null for unbalanced brackets', () => {
    expect(readWktCrsIdentity('PROJCS["x",GEOGCS["y"]')).toBeNull();
  });

  it('ignores non-EPSG authorities', () => {
    expect(readWktCrsIdentity('PROJCS["x",AUTHORITY["ESRI","102100"]]')?.epsgCode).toBeNull();
  });
});

describe('normaliseCrsName', () => {
  it('maps ESRI spellings onto EPSG names', () => {
    expect(normaliseCrsName('WGS_1984_UTM_Zone_33S')).toBe(
      normaliseCrsName('WGS 84 / UTM zone 33S'),
    );
    expect(normaliseCrsName('NAD_1983_UTM_Zone_10N')).toBe(
      normaliseCrsName('NAD83 / UTM zone 10N'),
    );
    expect(normaliseCrsName('GCS_WGS_1984')).toBe('wgs 84');
  });
});
