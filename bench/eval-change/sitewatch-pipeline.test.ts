import { describe, expect, it } from 'vitest';
import { makeSyntheticPair } from '../../src/core/change/synthetic-pair.ts';
import { shiftImage } from '../../src/core/coregister/shift-image.ts';
import type { ChangePair } from './datasets.ts';
import { METHODS, SITEWATCH_CONFIGURATIONS } from './methods.ts';
import { scoreMask } from './score-book.ts';
import { runSitewatchPipeline, type SitewatchOptions } from './sitewatch-pipeline.ts';

function syntheticPair(shiftPx = 0): ChangePair {
  const size = 128;
  const synthetic = makeSyntheticPair({
    width: size,
    height: size,
    bandCount: 4,
    seed: 11,
    changes: [
      { col0: 20, row0: 24, width: 24, height: 20 },
      { col0: 80, row0: 70, width: 30, height: 28 },
    ],
    gain: [1.3, 0.8, 1.1, 0.9],
    offset: [50, -20, 10, 0],
    blockSize: 8,
  });
  const bandsB = synthetic.bandsB.map((b) => {
    const f = Float32Array.from(b);
    return shiftPx === 0 ? f : shiftImage(f, size, size, shiftPx, -shiftPx, 'cubic', 0);
  });
  return {
    dataset: 'levir',
    name: 'synthetic',
    width: size,
    height: size,
    bandNames: ['b1', 'b2', 'b3', 'b4'],
    bandsA: synthetic.bandsA.map((b) => Float32Array.from(b)),
    bandsB,
    truth: synthetic.truth,
    gsdMeters: 1,
    paths: { a: '', b: '', truth: '' },
  };
}

describe('runSitewatchPipeline', () => {
  const defaults = METHODS.filter((m) => m.isDefault && m.id in SITEWATCH_CONFIGURATIONS).map(
    (m) => [m.id, SITEWATCH_CONFIGURATIONS[m.id]!] as const,
  );
  it('registers the default methods', () => {
    expect(defaults.length).toBeGreaterThanOrEqual(2);
  });
  it.each(defaults)(
    '%s finds the changed blocks of a synthetic pair with a gain/offset',
    (_id, options) => {
      const pair = syntheticPair();
      const { mask, diagnostics } = runSitewatchPipeline(pair, options);
      const scores = scoreMask(mask, pair.truth);
      expect(scores.f1, JSON.stringify(diagnostics)).toBeGreaterThan(0.7);
    },
  );

  it('co-registers a shifted pair when the estimate is confident, and not when disabled', () => {
    const pair = syntheticPair(1.5);
    const base = SITEWATCH_CONFIGURATIONS['sitewatch-irmad']!;
    const aligned = runSitewatchPipeline(pair, base);
    expect(aligned.diagnostics.shiftApplied).toBe(true);
    expect(aligned.diagnostics.shiftPx?.dx).toBeCloseTo(-1.5, 0);
    expect(aligned.diagnostics.shiftPx?.dy).toBeCloseTo(1.5, 0);
    const options: SitewatchOptions = { ...base, coregisterMinConfidence: null };
    const unaligned = runSitewatchPipeline(pair, options);
    expect(unaligned.diagnostics.shiftApplied).toBe(false);
    expect(scoreMask(aligned.mask, pair.truth).f1).toBeGreaterThan(
      scoreMask(unaligned.mask, pair.truth).f1,
    );
  });
});
