import { describe, expect, it } from 'vitest';
import { seededGaussian } from '../coregister/test-support.ts';
import { ValidationError } from '../errors.ts';
import type { OrientedBox } from './detection.ts';
import {
  detectCompactBlobs,
  luminance,
  TOPHAT_BASELINE_DESCRIPTOR,
  TOPHAT_BASELINE_ID,
} from './tophat.ts';

const GSD = 0.3;
const W = 200;
const H = 200;

/** Adds `value` to the pixels whose centres fall inside the box. */
function paint(image: Float32Array, box: OrientedBox, value: number): void {
  const cos = Math.cos(box.angleRad);
  const sin = Math.sin(box.angleRad);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const dx = x + 0.5 - box.cx;
      const dy = y + 0.5 - box.cy;
      const u = dx * cos + dy * sin;
      const v = -dx * sin + dy * cos;
      if (Math.abs(u) <= box.width / 2 && Math.abs(v) <= box.height / 2) image[y * W + x]! += value;
    }
  }
}

// A car 4.5 × 1.8 m (bright), a truck 12 × 2.4 m (dark), and things that are not vehicles:
// a 30 × 22 m building, a 0.3 m wide road line, a 0.9 m speck.
const car: OrientedBox = { cx: 50, cy: 60, width: 15, height: 6, angleRad: 0.5 };
const truck: OrientedBox = { cx: 140, cy: 60, width: 40, height: 8, angleRad: -0.3 };

function scene(): Float32Array {
  const noise = seededGaussian(7);
  const image = new Float32Array(W * H).map(() => 100 + 2 * noise());
  paint(image, car, 60);
  paint(image, truck, -50);
  paint(image, { cx: 70, cy: 157, width: 100, height: 73, angleRad: 0 }, 60);
  paint(image, { cx: 100, cy: 110.5, width: 180, height: 1, angleRad: 0 }, 80);
  paint(image, { cx: 170, cy: 170, width: 3, height: 3, angleRad: 0 }, 80);
  return image;
}

describe('detectCompactBlobs', () => {
  it('finds the bright car and the dark truck with their size, angle and class, nothing else', () => {
    const found = detectCompactBlobs({ data: scene(), width: W, height: H }, GSD);
    expect(found.map((d) => d.className).sort()).toEqual(['large-vehicle', 'small-vehicle']);
    const small = found.find((d) => d.className === 'small-vehicle')!;
    const large = found.find((d) => d.className === 'large-vehicle')!;
    for (const [d, truth] of [
      [small, car],
      [large, truck],
    ] as const) {
      expect(Math.hypot(d.box.cx - truth.cx, d.box.cy - truth.cy)).toBeLessThan(1);
      expect(Math.abs(d.box.angleRad - truth.angleRad)).toBeLessThan(0.08);
      expect(d.box.width / truth.width).toBeGreaterThan(0.85);
      expect(d.box.width / truth.width).toBeLessThan(1.15);
      expect(d.box.height / truth.height).toBeGreaterThan(0.75);
      expect(d.box.height / truth.height).toBeLessThan(1.25);
      expect(d.score).toBeGreaterThan(0.3);
      expect(d.score).toBeLessThanOrEqual(1);
    }
    expect(small.classIndex).toBe(0);
    expect(large.classIndex).toBe(1);
  });

  it('scales its filters with the GSD: at 10× coarser pixels the same blobs are too big', () => {
    expect(detectCompactBlobs({ data: scene(), width: W, height: H }, GSD * 10)).toEqual([]);
  });

  it('looks for one polarity when asked', () => {
    const bright = detectCompactBlobs({ data: scene(), width: W, height: H }, GSD, {
      polarity: 'bright',
    });
    expect(bright.map((d) => d.className)).toEqual(['small-vehicle']);
  });

  it('finds nothing in flat or pure-noise images', () => {
    expect(
      detectCompactBlobs({ data: new Float32Array(64 * 64).fill(3), width: 64, height: 64 }, 0.5),
    ).toEqual([]);
    const noise = seededGaussian(3);
    const data = new Float32Array(128 * 128).map(() => 100 + 5 * noise());
    expect(detectCompactBlobs({ data, width: 128, height: 128 }, 0.3)).toEqual([]);
  });

  it('rejects bad sizes, GSDs and ranges', () => {
    expect(() =>
      detectCompactBlobs({ data: new Float32Array(3), width: 2, height: 2 }, 0.5),
    ).toThrow(/needs 4 values, got 3/);
    expect(() => detectCompactBlobs({ data: new Float32Array(4), width: 2, height: 2 }, 0)).toThrow(
      /gsdMeters/,
    );
    expect(() =>
      detectCompactBlobs({ data: new Float32Array(4), width: 2, height: 2 }, 0.5, {
        minLengthMeters: 9,
        maxLengthMeters: 5,
      }),
    ).toThrow(ValidationError);
  });

  it('is described as a baseline with fixed classes', () => {
    expect(TOPHAT_BASELINE_ID).toBe('tophat-baseline');
    expect(TOPHAT_BASELINE_DESCRIPTOR.classes).toEqual(['small-vehicle', 'large-vehicle']);
    expect(TOPHAT_BASELINE_DESCRIPTOR.gsdMeters).toBeNull();
  });
});

describe('luminance', () => {
  it('weights the first three bands (Rec. 601) and passes a single band through', () => {
    expect([...luminance([[100], [200], [50], [9]])]).toEqual([
      Math.fround(0.299 * 100 + 0.587 * 200 + 0.114 * 50),
    ]);
    expect([...luminance([Uint8Array.from([7, 8])])]).toEqual([7, 8]);
    expect(() => luminance([])).toThrow(/no bands/);
    expect(() => luminance([[1], [1, 2], [1]])).toThrow(/differ in length/);
  });
});
