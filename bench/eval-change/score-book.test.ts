import { describe, expect, it } from 'vitest';
import type { ChangePair } from './datasets.ts';
import { createScoreBook, scoreMask } from './score-book.ts';

function pair(dataset: ChangePair['dataset'], name: string, truth: number[]): ChangePair {
  return {
    dataset,
    name,
    width: truth.length,
    height: 1,
    bandNames: ['x'],
    bandsA: [new Float32Array(truth.length)],
    bandsB: [new Float32Array(truth.length)],
    truth: Uint8Array.from(truth),
    gsdMeters: 1,
    paths: { a: '', b: '', truth: '' },
  };
}

describe('scoreMask', () => {
  it('does not count pixels whose truth is 255', () => {
    const s = scoreMask(Uint8Array.from([1, 1, 0, 0, 1]), Uint8Array.from([1, 0, 1, 0, 255]));
    expect([s.truePositive, s.falsePositive, s.falseNegative, s.trueNegative]).toEqual([
      1, 1, 1, 1,
    ]);
  });
});

describe('createScoreBook', () => {
  it('pools counts per dataset and overall, and keeps failures out of the counts', () => {
    const book = createScoreBook();
    const p1 = pair('levir', 'a', [1, 1, 0, 0]);
    const p2 = pair('oscd', 'b', [1, 0, 0, 0]);
    const r1 = book.addPair(p1);
    const r2 = book.addPair(p2);
    expect(r1.changePixels).toBe(2);
    book.result(r1, 'm', Uint8Array.from([1, 0, 0, 0]), p1.truth, 1, null);
    book.result(r2, 'm', Uint8Array.from([1, 1, 0, 0]), p2.truth, 1, null);
    book.result(r1, 'peer', null, p1.truth, 1, 'timed out');
    const overall = book.pooled('m');
    expect(overall).toMatchObject({
      truePositive: 2,
      falsePositive: 1,
      falseNegative: 1,
      pairs: 2,
      failedPairs: 0,
    });
    expect(overall?.f1).toBeCloseTo(4 / 6, 4);
    expect(book.pooled('m', (r) => r.dataset === 'oscd')?.precision).toBe(0.5);
    expect(book.pooled('peer')).toMatchObject({ pairs: 0, failedPairs: 1 });
    expect(book.pooled('absent')).toBeNull();
  });

  it('bestOf picks the better variant per dataset and pools the chosen ones overall', () => {
    const book = createScoreBook();
    const p1 = pair('levir', 'a', [1, 1, 0, 0]);
    const p2 = pair('oscd', 'b', [1, 0, 0, 0]);
    const r1 = book.addPair(p1);
    const r2 = book.addPair(p2);
    book.result(r1, 'x', Uint8Array.from([1, 1, 0, 0]), p1.truth, 0, null); // F1 1
    book.result(r1, 'y', Uint8Array.from([0, 0, 0, 0]), p1.truth, 0, null); // F1 0
    book.result(r2, 'x', Uint8Array.from([0, 0, 1, 1]), p2.truth, 0, null); // F1 0
    book.result(r2, 'y', Uint8Array.from([1, 0, 0, 0]), p2.truth, 0, null); // F1 1
    const best = book.bestOf(['x', 'y'], ['levir', 'oscd']);
    expect(best.perDataset.levir?.chosen).toBe('x');
    expect(best.perDataset.oscd?.chosen).toBe('y');
    expect(best.overall).toMatchObject({ f1: 1, truePositive: 3, falsePositive: 0, pairs: 2 });
    expect(book.pooled('x')?.f1).toBeLessThan(1);
  });
});
