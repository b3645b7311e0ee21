import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../src/core/errors.ts';
import { encodeTiff } from './eval-change/tiff-writer.ts';
import { MaskConfusion, scoreMaskFiles, scoresOf } from './mask-score.ts';

describe('scoresOf', () => {
  it('gives precision, recall and F1 as cd_numpy.py does', () => {
    const s = scoresOf(6, 2, 4);
    expect(s.precision).toBeCloseTo(0.75, 12);
    expect(s.recall).toBeCloseTo(0.6, 12);
    expect(s.f1).toBeCloseTo((2 * 0.75 * 0.6) / 1.35, 12);
    expect(scoresOf(0, 0, 0).f1).toBe(0);
  });
});

describe('MaskConfusion', () => {
  it('leaves the border out and adds strips', () => {
    // 4 × 4, border 1: only the centre 2 × 2 counts.
    const predicted = [1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    const truth = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1];
    const confusion = new MaskConfusion(4, 4, 1);
    confusion.add(0, 2, predicted.slice(0, 8), truth.slice(0, 8));
    confusion.add(2, 2, predicted.slice(8), truth.slice(8));
    const s = confusion.scores();
    // centre pixels (p, t): (1,1) (0,1) (1,0) (1,0)
    expect([s.truePositives, s.falseNegatives, s.falsePositives]).toEqual([1, 1, 2]);
  });

  it('refuses a strip of the wrong length', () => {
    const confusion = new MaskConfusion(4, 4, 0);
    expect(() => {
      confusion.add(0, 1, [1, 0, 1], [1, 0, 1, 0]);
    }).toThrow(ValidationError);
  });
});

describe('scoreMaskFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mask-score-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('scores two TIFF masks read with the project adapter', async () => {
    const width = 40;
    const height = 30;
    const truth = new Uint8Array(width * height);
    const predicted = new Uint8Array(width * height);
    for (let y = 12; y < 20; y++) for (let x = 12; x < 22; x++) truth[y * width + x] = 1;
    // predicted: the truth shifted 2 columns right, so 8 × 8 overlap, 16 missed, 16 extra
    for (let y = 12; y < 20; y++) for (let x = 14; x < 24; x++) predicted[y * width + x] = 1;
    writeFileSync(join(dir, 'truth.tif'), encodeTiff([truth], width, height, 'uint8'));
    writeFileSync(join(dir, 'predicted.tif'), encodeTiff([predicted], width, height, 'uint8'));
    const s = await scoreMaskFiles(join(dir, 'predicted.tif'), join(dir, 'truth.tif'), 10);
    expect([s.truePositives, s.falsePositives, s.falseNegatives]).toEqual([64, 16, 16]);
    expect(s.f1).toBeCloseTo(0.8, 12);
  });
});
