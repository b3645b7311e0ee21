import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { selectBands } from './band-selection.ts';
import {
  chooseOverviewLevel,
  levelGeoTransform,
  levelSize,
  pyramidLevelCount,
} from './overview-level.ts';
import { pixelTileMaxZoom, pixelTileSource } from './pixel-tiles.ts';

const S2 = ['B01', 'B02', 'B03', 'B04', 'B08'];

describe('band selection', () => {
  it('defaults to red, green, blue by canonical name, else the first three, else grey', () => {
    expect(selectBands(undefined, S2)).toEqual([3, 2, 1]);
    expect(selectBands(undefined, ['hh', 'hv', 'vv', 'vh'])).toEqual([0, 1, 2]);
    expect(selectBands('', ['b1'])).toEqual([0]);
  });

  it('takes names (any case, canonical too) and 1-based indexes', () => {
    expect(selectBands('b04,B03,b02', S2)).toEqual([3, 2, 1]);
    expect(selectBands('nir', S2)).toEqual([4]);
    expect(selectBands('5,1,2', S2)).toEqual([4, 0, 1]);
  });

  it('names an unknown band, a bad index or a bad count', () => {
    expect(() => selectBands('B99', S2)).toThrow(/band 'B99' is not one of the image's bands/);
    expect(() => selectBands('6', S2)).toThrow(/band index 6 must be in \[1, 5\]/);
    expect(() => selectBands('1,2', S2)).toThrow(ValidationError);
  });
});

describe('overview levels and pixel tiles', () => {
  it('counts levels until the image fits one tile and sizes them as GDAL does', () => {
    expect(pyramidLevelCount(256, 200)).toBe(0);
    expect(pyramidLevelCount(8192, 8192)).toBe(5);
    expect(levelSize(1001, 17, 2)).toEqual({ width: 251, height: 5 });
    expect(levelGeoTransform([100, 10, 0, 500, 0, -10], 2)).toEqual([100, 40, 0, 500, 0, -40]);
  });

  it('picks the coarsest level with at least one pixel per tile pixel', () => {
    expect(chooseOverviewLevel(0.3, 5)).toBe(0);
    expect(chooseOverviewLevel(1.99, 5)).toBe(0);
    expect(chooseOverviewLevel(3.9999999, 5)).toBe(2);
    expect(chooseOverviewLevel(40, 5)).toBe(5);
    expect(() => chooseOverviewLevel(Number.NaN, 5)).toThrow(ValidationError);
  });

  it('places pixel tiles on levels, clipped at the image edge; null beyond it', () => {
    expect(pixelTileMaxZoom(1000, 600)).toBe(2);
    expect(pixelTileSource({ z: 2, x: 3, y: 2 }, 1000, 600)).toEqual({
      level: 0,
      window: { col0: 768, row0: 512, width: 232, height: 88 },
    });
    expect(pixelTileSource({ z: 0, x: 0, y: 0 }, 1000, 600)).toEqual({
      level: 2,
      window: { col0: 0, row0: 0, width: 250, height: 150 },
    });
    expect(pixelTileSource({ z: 1, x: 1, y: 1 }, 1000, 300)).toBeNull();
    expect(() => pixelTileSource({ z: 3, x: 0, y: 0 }, 1000, 600)).toThrow(
      new ValidationError('tile zoom 3 must be an integer in [0, 2]'),
    );
  });
});
