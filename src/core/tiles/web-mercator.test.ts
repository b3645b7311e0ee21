import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import {
  checkTileAddress,
  lonLatToMercator,
  MERCATOR_HALF_WORLD_METERS,
  mercatorToLonLat,
  tileAtLonLat,
  tileBoundsMercator,
  tileGeoTransform,
  tilePixelSizeMeters,
} from './web-mercator.ts';

const H = MERCATOR_HALF_WORLD_METERS;

describe('Web-Mercator tiles', () => {
  it('gives the known bounds of z0, z1 and a z10 tile', () => {
    expect(H).toBeCloseTo(20037508.342789244, 6);
    expect(tileBoundsMercator({ z: 0, x: 0, y: 0 })).toEqual([-H, -H, H, H]);
    expect(tileBoundsMercator({ z: 1, x: 1, y: 0 })).toEqual([0, 0, H, H]);
    // 10/518/352 (Paris): minX = -H + 518 · 2H / 1024 = 12H / 1024, maxY = H - 352 · 2H / 1024.
    const [minX, minY, maxX, maxY] = tileBoundsMercator({ z: 10, x: 518, y: 352 });
    expect(minX).toBeCloseTo(234814.5509, 3);
    expect(maxX - minX).toBeCloseTo(39135.7585, 3);
    expect(maxY).toBeCloseTo(6261721.3571, 3);
    expect(minY).toBeCloseTo(6222585.5986, 3);
    expect(tileGeoTransform({ z: 10, x: 518, y: 352 })).toEqual([
      minX,
      tilePixelSizeMeters(10),
      0,
      maxY,
      0,
      -tilePixelSizeMeters(10),
    ]);
  });

  it('finds the tile and pixel of a lon/lat position', () => {
    const at = tileAtLonLat([2.3522, 48.8566], 10);
    expect(at.tile).toEqual({ z: 10, x: 518, y: 352 });
    expect(at.col).toBeGreaterThanOrEqual(0);
    expect(at.col).toBeLessThan(256);
  });

  it('round-trips lon/lat through metres', () => {
    const [lon, lat] = mercatorToLonLat(lonLatToMercator([-122.4194, 37.7749]));
    expect(lon).toBeCloseTo(-122.4194, 9);
    expect(lat).toBeCloseTo(37.7749, 9);
  });

  it('refuses a huge zoom or an x/y outside the zoom, naming the value', () => {
    expect(() => {
      checkTileAddress({ z: 25, x: 0, y: 0 });
    }).toThrow(new ValidationError('tile zoom 25 must be an integer in [0, 24]'));
    expect(() => tileBoundsMercator({ z: 2, x: 4, y: 0 })).toThrow(
      new ValidationError('tile x 4 at zoom 2 must be an integer in [0, 3]'),
    );
    expect(() => tileBoundsMercator({ z: 2, x: 0, y: -1 })).toThrow(ValidationError);
  });
});
