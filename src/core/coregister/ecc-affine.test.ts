import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { ValidationError } from '../errors.ts';
import {
  composeAffine,
  cornerDisagreementPx,
  IDENTITY_AFFINE,
  rotationScaleAbout,
  translationAffine,
} from './affine.ts';
import { estimateAffineEcc } from './ecc-affine.ts';
import { perturbRadiometry, sampleTexture } from './test-support.ts';
import { warpAffine } from './warp-affine.ts';

const PARIS_B04 = join(
  REPO_ROOT,
  'examples/imagery/paris-bercy/2016-11-30/S2A_20161130_T31UDQ_paris-bercy_B04.tif',
);

/** Sentinel-2 B04 (red, 10 m) over Paris-Bercy: 180 × 180 uint16, freely licensed sample. */
async function readParisRed(): Promise<{ data: Float64Array; width: number; height: number }> {
  const image = await (await fromFile(PARIS_B04)).getImage();
  const [band] = (await image.readRasters()) as unknown as [Uint16Array];
  return { data: Float64Array.from(band), width: image.getWidth(), height: image.getHeight() };
}

describe('estimateAffineEcc on a real image (Sentinel-2 B04, Paris-Bercy)', () => {
  let paris: { data: Float64Array; width: number; height: number };
  beforeAll(async () => {
    paris = await readParisRed();
  });

  it('recovers a 1.5° rotation, 1.5 % scale and a shift to 0.1 px at the corners', () => {
    const { data, width, height } = paris;
    const truth = composeAffine(
      translationAffine(2.3, -1.7),
      rotationScaleAbout((1.5 * Math.PI) / 180, 1.015, (width - 1) / 2, (height - 1) / 2),
    );
    // moving(m) = reference(truth(m)): truth maps moving pixel coordinates to reference ones.
    const warped = warpAffine(data, width, height, truth, { method: 'bilinear', fill: Number.NaN });
    const moving = perturbRadiometry(warped, {
      gain: 1.1,
      offset: 20,
      noiseFraction: 0.01,
      seed: 3,
    });
    const result = estimateAffineEcc(data, moving, width, height);
    expect(cornerDisagreementPx(result.movingToReference, truth, width, height)).toBeLessThan(0.1);
    expect(
      cornerDisagreementPx(
        composeAffine(result.referenceToMoving, truth),
        IDENTITY_AFFINE,
        width,
        height,
      ),
    ).toBeLessThan(0.1);
    expect(result.correlation).toBeGreaterThan(0.9);
    expect(result.converged).toBe(true);
    expect(result.iterations).toBeGreaterThan(0);
  });

  it('returns the identity for an image against itself', () => {
    const result = estimateAffineEcc(paris.data, paris.data, paris.width, paris.height);
    expect(
      cornerDisagreementPx(result.movingToReference, IDENTITY_AFFINE, paris.width, paris.height),
    ).toBeLessThan(1e-3);
    expect(result.correlation).toBeCloseTo(1, 9);
  });
});

describe('estimateAffineEcc', () => {
  const reference = sampleTexture(128, 128, { x: 0, y: 0 }, 12);

  it('starts from a given initial map and refines a pure translation', () => {
    const moving = sampleTexture(128, 128, { x: 3.4, y: -2.2 }, 12);
    const result = estimateAffineEcc(reference, moving, 128, 128, {
      initial: translationAffine(3, -2),
    });
    expect(
      cornerDisagreementPx(result.movingToReference, translationAffine(3.4, -2.2), 128, 128),
    ).toBeLessThan(0.05);
  });

  it('ignores nodata samples', () => {
    const moving = Float32Array.from(sampleTexture(128, 128, { x: 1.5, y: 0.5 }, 12));
    for (let i = 0; i < 128 * 30; i++) moving[i] = -1;
    const result = estimateAffineEcc(reference, moving, 128, 128, { nodata: -1 });
    expect(
      cornerDisagreementPx(result.movingToReference, translationAffine(1.5, 0.5), 128, 128),
    ).toBeLessThan(0.05);
  });

  it('reports unrelated images through a low correlation, without NaN', () => {
    const other = sampleTexture(128, 128, { x: 0, y: 0 }, 99, [2, 1]);
    const result = estimateAffineEcc(reference, other, 128, 128, { maxIterations: 10 });
    expect(result.correlation).toBeLessThan(0.5);
    expect(result.movingToReference.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('rejects small images, bad options and a singular initial map', () => {
    expect(() => estimateAffineEcc(new Float32Array(100), new Float32Array(100), 10, 10)).toThrow(
      /≥ 16 px/,
    );
    expect(() => estimateAffineEcc(reference, reference, 128, 128, { maxLevels: 0 })).toThrow(
      ValidationError,
    );
    expect(() => estimateAffineEcc(reference, reference, 128, 128, { tolerancePx: 0 })).toThrow(
      /tolerancePx/,
    );
    expect(() =>
      estimateAffineEcc(reference, reference, 128, 128, { initial: [0, 0, 0, 0, 0, 0] }),
    ).toThrow(/not invertible/);
  });
});
