import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import {
  applyAffine,
  composeAffine,
  cornerDisagreementPx,
  IDENTITY_AFFINE,
  invertAffine,
  rotationScaleAbout,
  translationAffine,
  type AffineMatrix,
} from './affine.ts';

const m: AffineMatrix = [1.02, -0.03, 4.5, 0.05, 0.97, -2.25];

describe('affine maps', () => {
  it('apply, invert and compose consistently', () => {
    const [x, y] = applyAffine(m, 10, 20);
    expect(x).toBeCloseTo(1.02 * 10 - 0.03 * 20 + 4.5, 12);
    const [bx, by] = applyAffine(invertAffine(m), x, y);
    expect(bx).toBeCloseTo(10, 12);
    expect(by).toBeCloseTo(20, 12);
    const both = composeAffine(translationAffine(1, 2), m);
    expect(applyAffine(both, 10, 20)).toEqual([x + 1, y + 2]);
    composeAffine(invertAffine(m), m).forEach((v, i) => {
      expect(v).toBeCloseTo(IDENTITY_AFFINE[i]!, 12);
    });
  });

  it('rotates and scales about a fixed point, clockwise on screen for positive angles', () => {
    const r = rotationScaleAbout(Math.PI / 2, 2, 5, 5);
    const [fx, fy] = applyAffine(r, 5, 5);
    expect(fx).toBeCloseTo(5, 12);
    expect(fy).toBeCloseTo(5, 12);
    const [x, y] = applyAffine(r, 6, 5);
    // One pixel to the right of the centre goes two pixels down (y grows downwards).
    expect(x).toBeCloseTo(5, 12);
    expect(y).toBeCloseTo(7, 12);
  });

  it('measures the largest corner disagreement', () => {
    expect(cornerDisagreementPx(IDENTITY_AFFINE, translationAffine(3, 4), 10, 10)).toBeCloseTo(
      5,
      12,
    );
    expect(
      cornerDisagreementPx(IDENTITY_AFFINE, rotationScaleAbout(0, 1.1, 0, 0), 11, 1),
    ).toBeCloseTo(1, 12);
  });

  it('refuses to invert a singular map, naming the determinant', () => {
    expect(() => invertAffine([1, 2, 0, 2, 4, 0])).toThrow(ValidationError);
    expect(() => invertAffine([1, 2, 0, 2, 4, 0])).toThrow(/determinant 0/);
  });
});
