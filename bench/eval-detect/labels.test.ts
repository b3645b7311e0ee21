import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rotatedIou } from '../../src/core/detect/rotated-iou.ts';
import { describeShared, REPO_ROOT, sharedData } from '../../src/testing/shared-data.ts';
import {
  centreInRegion,
  parseDotaLabels,
  parseSplits,
  parseYoloLabels,
  quadToBox,
  testRegionOf,
  type SplitImage,
} from './labels.ts';

const image = (overrides: Partial<SplitImage>): SplitImage => ({
  source: 'dota-samples',
  path: 'dota-samples/x.png',
  labels: 'dota-samples/x.txt',
  labelFormat: 'dota-labeltxt',
  labelScale: 1,
  classMap: {},
  width: 1000,
  height: 500,
  gsdMeters: 0.3,
  gsdNote: '',
  heldOut: false,
  testRegion: null,
  ...overrides,
});

describe('quadToBox', () => {
  it('reads centre, sides and the angle of the first edge', () => {
    expect(
      quadToBox([
        [8, 19],
        [12, 19],
        [12, 21],
        [8, 21],
      ]),
    ).toEqual({ cx: 10, cy: 20, width: 4, height: 2, angleRad: 0 });
    const turned = quadToBox([
      [1, -2],
      [1, 2],
      [-1, 2],
      [-1, -2],
    ]);
    expect(turned.angleRad).toBeCloseTo(-Math.PI / 2, 12);
    expect(rotatedIou(turned, { cx: 0, cy: 0, width: 2, height: 4, angleRad: 0 })).toBeCloseTo(
      1,
      12,
    );
    expect(() => quadToBox([[0, 0]])).toThrow(/4 corners, got 1/);
  });
});

describe('parseDotaLabels', () => {
  const text =
    'imagesource:GoogleEarth\ngsd:0.26\n0 0 10 0 10 4 0 4 small-vehicle 0\n20 20 40 20 40 30 20 30 harbor 1\n100 0 110 0 110 4 100 4 large-vehicle 1\n';
  it('skips the header, maps classes, drops unmapped ones and keeps difficult', () => {
    const truths = parseDotaLabels(text, 'x.txt', 0.5, {
      'small-vehicle': 'small-vehicle',
      'large-vehicle': 'large-vehicle',
    });
    expect(truths).toEqual([
      {
        box: { cx: 2.5, cy: 1, width: 5, height: 2, angleRad: 0 },
        className: 'small-vehicle',
        difficult: false,
      },
      {
        box: { cx: 52.5, cy: 1, width: 5, height: 2, angleRad: 0 },
        className: 'large-vehicle',
        difficult: true,
      },
    ]);
  });
  it('names the file and line of a bad row', () => {
    expect(() => parseDotaLabels('gsd:1\n1 2 3 car 0', 'x.txt', 1, {})).toThrow(
      /x\.txt:2: expected 8 coordinates/,
    );
  });
});

describe('parseYoloLabels', () => {
  it('scales normalised boxes to the image and maps ids', () => {
    expect(
      parseYoloLabels('0 0.5 0.25 0.1 0.2\n7 0.1 0.1 0.1 0.1\n', 'y.txt', 200, 100, {
        '0': 'small-vehicle',
      }),
    ).toEqual([
      { box: { cx: 100, cy: 25, width: 20, height: 20, angleRad: 0 }, className: 'small-vehicle' },
    ]);
    expect(() => parseYoloLabels('0 0.5 x 0.1 0.2', 'y.txt', 1, 1, {})).toThrow(/y\.txt:1/);
  });
});

describe('testRegionOf', () => {
  it('scores held-out images whole and DOTA images on x ≥ 0.7 · width; others not at all', () => {
    expect(testRegionOf(image({ heldOut: true, source: 'vehicles-cats-drone' }))).toEqual({
      col0: 0,
      row0: 0,
      width: 1000,
      height: 500,
    });
    const region = testRegionOf(
      image({ testRegion: { col0: 700, row0: 0, width: 300, height: 500 } }),
    )!;
    expect(region).toEqual({ col0: 700, row0: 0, width: 300, height: 500 });
    expect(testRegionOf(image({}))).toBeNull();
    const odd = testRegionOf(
      image({ width: 712, testRegion: { col0: 498, row0: 0, width: 214, height: 500 } }),
    )!;
    expect(odd.col0).toBeCloseTo(498.4, 12);
    expect(centreInRegion({ cx: 498.2, cy: 10, width: 1, height: 1, angleRad: 0 }, odd)).toBe(
      false,
    );
    expect(centreInRegion({ cx: 498.4, cy: 10, width: 1, height: 1, angleRad: 0 }, odd)).toBe(true);
  });
});

const splitsPath = join(REPO_ROOT, 'training/splits.json');

describeShared('the held-out split on the real labels', () => {
  it.skipIf(!existsSync(splitsPath))(
    'finds as many test objects per image as training/prepare.py counted',
    () => {
      const splits = parseSplits(JSON.parse(readFileSync(splitsPath, 'utf8')), splitsPath);
      const raw = JSON.parse(readFileSync(splitsPath, 'utf8')) as {
        images: { path: string; testObjects?: number }[];
      };
      let checked = 0;
      for (const entry of splits.images) {
        const region = testRegionOf(entry);
        const expected = raw.images.find((r) => r.path === entry.path)?.testObjects;
        if (region === null || expected === undefined) continue;
        const text = readFileSync(sharedData(entry.labels), 'utf8');
        const truths =
          entry.labelFormat === 'dota-labeltxt'
            ? parseDotaLabels(text, entry.labels, entry.labelScale, entry.classMap)
            : parseYoloLabels(text, entry.labels, entry.width, entry.height, entry.classMap);
        expect(truths.filter((t) => centreInRegion(t.box, region)).length, entry.path).toBe(
          expected,
        );
        checked++;
      }
      expect(checked).toBeGreaterThan(10);
    },
  );
});
