/**
 * The pyramid estimator at 8192² (Float32): bounded work, no NaN or overflow. About 15 s and
 * 1 GB of memory on 2 cores, so it runs only with SITEWATCH_SLOW=1.
 */
import { describe, expect, it } from 'vitest';
import { estimateTranslationPyramid } from './pyramid.ts';
import { sampleTexture } from './test-support.ts';

const SIZE = 8192;

describe('estimateTranslationPyramid at 8192²', () => {
  it.skipIf(!process.env.SITEWATCH_SLOW)(
    'recovers a sub-pixel shift within 0.05 px with finite outputs, in bounded time',
    () => {
      const shift = { x: 13.37, y: -5.21 };
      const reference = sampleTexture(SIZE, SIZE, { x: 0, y: 0 }, 2, [16, 4]);
      const moving = sampleTexture(SIZE, SIZE, shift, 2, [16, 4]);
      reference.fill(Number.NaN, 0, SIZE * 100);
      const started = performance.now();
      const estimate = estimateTranslationPyramid(reference, moving, SIZE, SIZE);
      const elapsedMs = performance.now() - started;
      expect(estimate.method).toBe('tiles');
      expect(estimate.coarse?.factor).toBe(8);
      for (const value of [
        estimate.dx,
        estimate.dy,
        estimate.confidence,
        estimate.peakRatio,
        estimate.peakHeight,
      ]) {
        expect(Number.isFinite(value)).toBe(true);
      }
      expect(Math.hypot(estimate.dx - shift.x, estimate.dy - shift.y)).toBeLessThan(0.05);
      expect(estimate.confidence).toBeGreaterThan(0.8);
      expect(elapsedMs).toBeLessThan(10_000);
    },
  );
});
