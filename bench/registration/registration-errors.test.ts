import { describe, expect, it } from 'vitest';
import { rotationScaleAbout, translationAffine } from '../../src/core/coregister/affine.ts';
import { centreShiftOf, pairErrors, summariseErrors } from './registration-errors.ts';

const translationTruth = {
  width: 101,
  height: 101,
  dx: 2.5,
  dy: -1.25,
  referenceToMoving: translationAffine(-2.5, 1.25),
};

describe('pairErrors', () => {
  it('is 0 for the true shift and the shift distance otherwise', () => {
    const exact = { dx: 2.5, dy: -1.25, referenceToMoving: null, seconds: 0, error: null };
    expect(pairErrors(translationTruth, exact)).toEqual({ centrePx: 0, cornerPx: 0 });
    const off = { ...exact, dx: 2.53, dy: -1.21 };
    expect(pairErrors(translationTruth, off).centrePx).toBeCloseTo(0.05, 12);
    expect(pairErrors(translationTruth, off).cornerPx).toBeCloseTo(0.05, 12);
  });

  it('measures what a translation misses of a rotation at the corners, not at the centre', () => {
    const rotation = rotationScaleAbout(0.02, 1, 50, 50);
    const truth = { width: 101, height: 101, dx: 0, dy: 0, referenceToMoving: rotation };
    const [dx, dy] = centreShiftOf(rotation, 101, 101);
    const errors = pairErrors(truth, { dx, dy, referenceToMoving: null, seconds: 0, error: null });
    expect(errors.centrePx).toBeCloseTo(0, 12);
    // corner at distance 50·√2 from the centre moves by about 50·√2·0.02
    expect(errors.cornerPx).toBeCloseTo(50 * Math.SQRT2 * 2 * Math.sin(0.01), 6);
    const full = pairErrors(truth, {
      dx,
      dy,
      referenceToMoving: rotation,
      seconds: 0,
      error: null,
    });
    expect(full.cornerPx).toBeCloseTo(0, 12);
  });

  it('gives null errors for a failed or non-finite estimate', () => {
    const failed = { dx: null, dy: null, referenceToMoving: null, seconds: 0, error: 'x' };
    expect(pairErrors(translationTruth, failed)).toEqual({ centrePx: null, cornerPx: null });
    const nan = { dx: Number.NaN, dy: 0, referenceToMoving: null, seconds: 0, error: null };
    expect(pairErrors(translationTruth, nan).centrePx).toBeNull();
  });
});

describe('summariseErrors', () => {
  it('counts failures and summarises the rest', () => {
    const s = summariseErrors([0.01, null, 0.03, 0.2, 0.02]);
    expect(s.pairs).toBe(5);
    expect(s.failed).toBe(1);
    expect(s.meanPx).toBeCloseTo(0.065, 12);
    expect(s.medianPx).toBeCloseTo(0.025, 12);
    expect(s.maxPx).toBe(0.2);
    expect(s.within005).toBeCloseTo(3 / 5, 12);
    expect(summariseErrors([]).meanPx).toBeNull();
  });
});
