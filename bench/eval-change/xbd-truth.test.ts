import { describe, expect, it } from 'vitest';
import { xbdChangeMask, xbdGsdMeters } from './xbd-truth.ts';

const square = (x0: number, y0: number, size: number) =>
  `POLYGON ((${x0} ${y0}, ${x0 + size} ${y0}, ${x0 + size} ${y0 + size}, ${x0} ${y0 + size}, ${x0} ${y0}))`;

const feature = (subtype: string, wkt: string) => ({
  properties: { feature_type: 'building', subtype, uid: subtype },
  wkt,
});

const labels = {
  metadata: { gsd: 2.35, pan_resolution: 0.59 },
  features: {
    xy: [
      feature('no-damage', square(0, 0, 2)),
      feature('destroyed', square(4, 0, 2)),
      feature('minor-damage', square(0, 4, 2)),
      feature('un-classified', square(4, 4, 2)),
      feature('major-damage', square(5, 5, 2)),
      feature('no-damage', square(6, 6, 2)),
    ],
  },
};

describe('xbdChangeMask', () => {
  it('marks damaged buildings 1, undamaged 0, un-classified 255, and lets damage win overlaps', () => {
    const mask = xbdChangeMask(labels, 8, 8);
    const at = (x: number, y: number) => mask[y * 8 + x];
    expect(at(0, 0)).toBe(0);
    expect(at(4, 0)).toBe(1);
    expect(at(0, 4)).toBe(1);
    expect(at(4, 4)).toBe(255);
    expect(at(5, 5)).toBe(1);
    expect(at(6, 6)).toBe(1);
    expect(at(7, 7)).toBe(0);
    expect(at(3, 3)).toBe(0);
    expect(mask.filter((v) => v === 1)).toHaveLength(4 + 4 + 4);
  });

  it('takes the pan-sharpened GSD, and rejects files that are not xBD labels', () => {
    expect(xbdGsdMeters(labels)).toBe(0.59);
    expect(xbdGsdMeters({ ...labels, metadata: { gsd: 2 } })).toBe(2);
    expect(() => xbdChangeMask({ features: {} }, 4, 4)).toThrow();
  });
});
