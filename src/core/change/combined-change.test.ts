import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { combinedChangeMask, type CombinedChangeInput } from './combined-change.ts';
import { createCvaStatsAccumulator, cvaWindow } from './cva.ts';
import { DEFAULT_CHANGE_CONFIG } from './defaults.ts';
import { madWindow, runIrmad } from './irmad.ts';
import { makeSyntheticPair } from './synthetic-pair.ts';
import { computeValidMask } from './valid-mask.ts';

function statisticsOf(
  bandsA: Uint16Array[],
  bandsB: Uint16Array[],
  width: number,
  height: number,
  gsdMeters: number,
): CombinedChangeInput {
  const valid = computeValidMask(bandsA, bandsB, null, null, new Uint8Array(width * height));
  const stats = createCvaStatsAccumulator(bandsA.length);
  stats.add(bandsA, bandsB, valid);
  const cvaMagnitude = new Float32Array(width * height);
  cvaWindow(
    bandsA,
    bandsB,
    null,
    null,
    { magnitude: cvaMagnitude, valid },
    {
      standardisation: { mode: 'per-image', statistics: stats.result() },
    },
  );
  const { parameters } = runIrmad(() => [{ bandsA, bandsB, valid }], { iterations: 5 });
  const chiSquare = new Float32Array(width * height);
  madWindow(parameters, bandsA, bandsB, valid, {
    chiSquare,
    weights: new Float32Array(width * height),
  });
  return { cvaMagnitude, chiSquare, valid, width, height, bandCount: bandsA.length, gsdMeters };
}

describe('combinedChangeMask', () => {
  it('calls no change between identical dates', () => {
    const pair = makeSyntheticPair({ width: 48, height: 40, bandCount: 3, seed: 11 });
    const input = statisticsOf(pair.bandsA, pair.bandsA, 48, 40, 1);
    const { mask } = combinedChangeMask(input, DEFAULT_CHANGE_CONFIG);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('finds synthetic changes and little else, with a gain between the dates', () => {
    const width = 96;
    const height = 96;
    const changes = [
      { col0: 10, row0: 12, width: 20, height: 16 },
      { col0: 60, row0: 55, width: 24, height: 24 },
    ];
    const pair = makeSyntheticPair({
      width,
      height,
      bandCount: 4,
      seed: 21,
      changes,
      gain: [1.2, 0.9, 1.1, 1],
      offset: [30, -10, 5, 0],
    });
    const input = statisticsOf(pair.bandsA, pair.bandsB, width, height, 2);
    const { mask, radiusPx } = combinedChangeMask(input, DEFAULT_CHANGE_CONFIG);
    expect(radiusPx).toBe(2);
    let hits = 0;
    let truthCount = 0;
    let falseAlarms = 0;
    for (let p = 0; p < mask.length; p++) {
      if (pair.truth[p] === 1) {
        truthCount++;
        hits += mask[p] ?? 0;
      } else falseAlarms += mask[p] ?? 0;
    }
    expect(hits / truthCount).toBeGreaterThan(0.6);
    expect(falseAlarms / (mask.length - truthCount)).toBeLessThan(0.1);
  });

  it('rejects mismatched sizes and band counts', () => {
    const input: CombinedChangeInput = {
      cvaMagnitude: new Float32Array(4),
      chiSquare: new Float32Array(3),
      valid: new Uint8Array(4),
      width: 2,
      height: 2,
      bandCount: 3,
      gsdMeters: 1,
    };
    expect(() => combinedChangeMask(input, DEFAULT_CHANGE_CONFIG)).toThrow(ValidationError);
    expect(() =>
      combinedChangeMask(
        { ...input, chiSquare: new Float32Array(4), bandCount: 0 },
        DEFAULT_CHANGE_CONFIG,
      ),
    ).toThrow(/got 0/);
  });
});
