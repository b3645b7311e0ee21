import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { NO_TRANSLATION } from './phase-correlation.ts';
import {
  chooseRefinementChips,
  combineChipShifts,
  type ChipShift,
  type CoarseReference,
} from './refinement-chips.ts';

/** A 64 × 32 coarse reference (factor 8 of 512 × 256) whose texture grows to the right. */
function coarseReference(): CoarseReference {
  const [width, height] = [64, 32];
  const data = Float64Array.from({ length: width * height }, (_, i) => {
    const x = i % width;
    const y = Math.floor(i / width);
    return ((x + y) % 2) * (1 + x / 32);
  });
  return { data, width, height, factor: 8 };
}

function chip(dx: number, dy: number, confidence: number): ChipShift {
  return {
    tile: { col0: 0, row0: 0, size: 64, dx, dy, confidence },
    estimate: { ...NO_TRANSLATION, dx, dy, confidence, peakRatio: 1 / (1 - confidence) },
  };
}

describe('chooseRefinementChips', () => {
  const selection = { cellSizePx: 64, insetPx: 4, maxChips: 4, nodata: null };

  it('cuts inset chips from cells, spread over the regions before the most textured', () => {
    const chips = chooseRefinementChips(coarseReference(), 512, 256, {
      ...selection,
      shift: { dx: 0, dy: 0 },
    });
    expect(chips).toHaveLength(4);
    expect(chips.every((c) => c.size === 56 && (c.col0 - 4) % 64 === 0)).toBe(true);
    // 2 × 2 regions: a chip in each, though the right half is the more textured.
    const regions = new Set(chips.map((c) => `${c.col0 < 256},${c.row0 < 128}`));
    expect(regions.size).toBe(4);
  });

  it('keeps moving chips (offset by the rounded shift) inside the image', () => {
    const chips = chooseRefinementChips(coarseReference(), 512, 256, {
      ...selection,
      maxChips: 32,
      shift: { dx: 6.6, dy: 0 },
    });
    expect(chips.length).toBeGreaterThan(0);
    expect(chips.every((c) => c.col0 - 7 >= 0)).toBe(true);
    expect(chips.some((c) => c.col0 === 4)).toBe(false);
  });

  it('refuses an inset that leaves no chip, naming the values', () => {
    expect(() =>
      chooseRefinementChips(coarseReference(), 512, 256, {
        ...selection,
        insetPx: 30,
        shift: { dx: 0, dy: 0 },
      }),
    ).toThrow(ValidationError);
  });
});

describe('combineChipShifts', () => {
  it('rejects a chip far from the weighted median and averages the rest by confidence', () => {
    const result = combineChipShifts(
      [chip(1.0, 2.0, 0.9), chip(1.1, 2.1, 0.9), chip(1.05, 2.0, 0.6), chip(4, -3, 0.95)],
      0.3,
    );
    expect(result?.dx).toBeCloseTo((0.9 * 1 + 0.9 * 1.1 + 0.6 * 1.05) / 2.4, 10);
    expect(result?.dy).toBeCloseTo((0.9 * 2 + 0.9 * 2.1 + 0.6 * 2) / 2.4, 10);
    // Median confidence 0.9 × 3 of 4 confident chips agreeing.
    expect(result?.confidence).toBeCloseTo(0.9 * 0.75, 10);
  });

  it('is null when no chip reaches the minimum confidence', () => {
    expect(combineChipShifts([chip(1, 1, 0.2)], 0.3)).toBeNull();
    expect(combineChipShifts([], 0.3)).toBeNull();
  });
});
