import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { estimateTranslationPyramid } from './pyramid.ts';
import { sampleTexture } from './test-support.ts';

const [W, H] = [1024, 768];
const options = { coarseMaxSizePx: 256, tileSizePx: 128, maxTiles: 6 };
const shift = { x: 13.37, y: -21.6 };
const reference = sampleTexture(W, H, { x: 0, y: 0 }, 77);
const moving = sampleTexture(W, H, shift, 77);

describe('estimateTranslationPyramid', () => {
  it('correlates small images directly at full resolution', () => {
    const small = sampleTexture(200, 150, { x: 0, y: 0 }, 5);
    const shifted = sampleTexture(200, 150, { x: 1.25, y: -0.5 }, 5);
    const estimate = estimateTranslationPyramid(small, shifted, 200, 150);
    expect(estimate.method).toBe('direct');
    expect(estimate.coarse).toBeNull();
    expect(estimate.tiles).toEqual([]);
    expect(Math.hypot(estimate.dx - 1.25, estimate.dy + 0.5)).toBeLessThan(0.05);
  });

  it('refines a coarse estimate on full-resolution tiles to 0.05 px', () => {
    const estimate = estimateTranslationPyramid(reference, moving, W, H, options);
    expect(estimate.method).toBe('tiles');
    expect(estimate.coarse?.factor).toBe(4);
    expect(Math.hypot(estimate.coarse!.dx - shift.x, estimate.coarse!.dy - shift.y)).toBeLessThan(
      1,
    );
    expect(estimate.tiles).toHaveLength(6);
    expect(estimate.tiles.every((t) => t.size === 128)).toBe(true);
    expect(Math.hypot(estimate.dx - shift.x, estimate.dy - shift.y)).toBeLessThan(0.05);
    expect(estimate.confidence).toBeGreaterThan(0.8);
    expect(estimate.peakRatio).toBeGreaterThan(5);
  });

  it('chooses the most textured tiles and skips tiles without data', () => {
    const flatLeft = Float32Array.from(reference);
    const flatLeftMoving = Float32Array.from(moving);
    for (let y = 0; y < H; y++) {
      flatLeft.fill(50, y * W, y * W + W / 2);
      flatLeftMoving.fill(50, y * W, y * W + W / 2);
    }
    for (let y = 0; y < 300; y++) flatLeft.fill(Number.NaN, y * W + W / 2, y * W + W);
    const estimate = estimateTranslationPyramid(flatLeft, flatLeftMoving, W, H, options);
    for (const tile of estimate.tiles) {
      expect(tile.col0).toBeGreaterThanOrEqual(W / 2);
      expect(tile.row0).toBeGreaterThanOrEqual(300);
    }
    expect(Math.hypot(estimate.dx - shift.x, estimate.dy - shift.y)).toBeLessThan(0.05);
  });

  it('falls back to the coarse estimate when no tile is confident enough', () => {
    const estimate = estimateTranslationPyramid(reference, moving, W, H, {
      ...options,
      minConfidence: 1,
    });
    expect(estimate.method).toBe('coarse');
    expect(estimate.dx).toBe(estimate.coarse!.dx);
    expect(estimate.tiles.length).toBeGreaterThan(0);
  });

  it('gives confidence 0 without NaN for flat images', () => {
    const flat = new Float32Array(W * H).fill(3);
    const estimate = estimateTranslationPyramid(flat, moving, W, H, options);
    expect(estimate.confidence).toBe(0);
    expect([estimate.dx, estimate.dy]).toEqual([0, 0]);
  });

  it('rejects out-of-range options, naming them', () => {
    expect(() => estimateTranslationPyramid(reference, moving, W, H, { maxTiles: 0 })).toThrow(
      /maxTiles.*got 0/,
    );
    expect(() =>
      estimateTranslationPyramid(reference, moving, W, H, { coarseMaxSizePx: 10 }),
    ).toThrow(ValidationError);
    expect(() => estimateTranslationPyramid(reference, moving, W, H - 1)).toThrow(ValidationError);
  });
});
