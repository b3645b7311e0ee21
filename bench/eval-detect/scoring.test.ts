import { describe, expect, it } from 'vitest';
import type { Detection } from '../../src/core/detect/detection.ts';
import type { GroundTruth } from '../../src/core/detect/metrics.ts';
import {
  asAnyVehicle,
  axisAlignedEnvelope,
  evaluate,
  restrictToRegion,
  type ScoredImage,
} from './scoring.ts';

const box = (cx: number, cy = 10) => ({ cx, cy, width: 10, height: 4, angleRad: 0 });
const truth = (cx: number, className = 'small-vehicle'): GroundTruth => ({
  box: box(cx),
  className,
});
const det = (cx: number, score: number, className = 'small-vehicle'): Detection => ({
  box: box(cx),
  classIndex: 0,
  className,
  score,
});
const right = { col0: 100, row0: 0, width: 100, height: 100 };

describe('region and class helpers', () => {
  it('keeps what is centred in the region and merges vehicle classes', () => {
    expect(
      restrictToRegion([det(99.9, 1), det(100, 1), det(150, 1)], right).map((d) => d.box.cx),
    ).toEqual([100, 150]);
    expect(
      asAnyVehicle([
        det(1, 1, 'large-vehicle'),
        det(2, 1, 'ship'),
        det(3, 1, 'armoured-vehicle'),
      ]).map((d) => d.className),
    ).toEqual(['vehicle', 'vehicle']);
  });
});

describe('evaluate', () => {
  // Truths: two small vehicles in the test region, one left of it (not scored).
  const images: ScoredImage[] = [
    {
      dataset: 'dota',
      name: 'a.png',
      region: right,
      axisAlignedTruths: false,
      truths: [truth(50), truth(120), truth(160)],
      predictions: {
        model: [det(50, 0.9), det(120, 0.8), det(160, 0.2), det(180, 0.4)],
        baseline: [det(120, 0.5, 'large-vehicle')],
        broken: null,
      },
    },
  ];
  const result = evaluate(images, ['model', 'baseline', 'broken'], {
    operatingScore: 0.3,
    classesOf: { baseline: ['small-vehicle', 'large-vehicle'] },
  });

  it('scores in the region: AP over all detections, precision and recall at the operating score', () => {
    // Model, ranked: 0.8 hit, 0.4 miss, 0.2 hit → AP = 1/2 · 1 + 1/2 · 2/3.
    const model = result.scores.dota!['small-vehicle']!.model!;
    expect(model.ap).toBeCloseTo(1 / 2 + 1 / 3, 12);
    expect([model.truePositives, model.falsePositives, model.falseNegatives, model.truths]).toEqual(
      [1, 1, 1, 2],
    );
    expect(model.precision).toBe(0.5);
    expect(model.recall).toBe(0.5);
    // The baseline called the small vehicle large: wrong class, right as "vehicle".
    expect(result.scores.dota!['small-vehicle']!.baseline!.ap).toBe(0);
    expect(result.scores.dota!.vehicle!.baseline!.recall).toBe(0.5);
    expect(result.scores.dota!['small-vehicle']!.broken).toBeUndefined();
  });

  it('gives count errors per image at the operating score', () => {
    const small = result.counts.find((c) => c.className === 'small-vehicle')!;
    expect(small).toMatchObject({ truth: 2, predicted: { model: 2, baseline: 0, broken: null } });
    expect(small.countError).toEqual({ model: 0, baseline: 1, broken: null });
    expect(result.counts.map((c) => c.className)).toEqual(['small-vehicle', 'vehicle']);
  });

  it('does not score a detector on classes it does not have', () => {
    const withShips = evaluate(
      [{ ...images[0]!, truths: [{ box: box(150), className: 'ship' }] }],
      ['model', 'baseline'],
      { operatingScore: 0.3, classesOf: { baseline: ['small-vehicle', 'large-vehicle'] } },
    );
    expect(Object.keys(withShips.scores.dota!.ship!)).toEqual(['model']);
    expect(withShips.counts[0]!.predicted.baseline).toBeNull();
  });
});

describe('axis-aligned labels', () => {
  it('scores a turned prediction by its envelope against an axis-aligned label', () => {
    // A 10 × 4 car at 45°: its envelope is a 7√2-wide square, which is what a YOLO label boxes.
    const turned: Detection = {
      box: { cx: 150, cy: 50, width: 10, height: 4, angleRad: Math.PI / 4 },
      classIndex: 0,
      className: 'small-vehicle',
      score: 0.9,
    };
    const envelope = axisAlignedEnvelope(turned.box);
    expect(envelope.width).toBeCloseTo(7 * Math.SQRT2, 12);
    expect(envelope.height).toBeCloseTo(7 * Math.SQRT2, 12);
    const label: GroundTruth = { box: { ...envelope }, className: 'small-vehicle' };
    const base = {
      dataset: 'cars',
      name: 'c.png',
      region: right,
      truths: [label],
      predictions: { model: [turned] },
    };
    const asOriented = evaluate([{ ...base, axisAlignedTruths: false }], ['model'], {
      operatingScore: 0.3,
    });
    const asLabelled = evaluate([{ ...base, axisAlignedTruths: true }], ['model'], {
      operatingScore: 0.3,
    });
    expect(asOriented.scores.cars!['small-vehicle']!.model!.ap).toBe(0);
    expect(asLabelled.scores.cars!['small-vehicle']!.model!.ap).toBe(1);
  });
});
