import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.ts';
import { boxesOverlap, placeLabels, type LabelRequest, type PixelBox } from './label-placement.ts';

function randomRequests(seed: number, count: number): LabelRequest[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const x = random() * 1500;
    const y = random() * 1100;
    const size = 4 + random() * 30;
    return {
      feature: [x, y, x + size, y + size] as const,
      widthPx: 40 + random() * 80,
      heightPx: 16,
    };
  });
}

describe('placeLabels', () => {
  it.each([1, 2, 3, 42, 2026])(
    'never overlaps labels, obstacles or the frame edge (seed %i)',
    (seed) => {
      const frame: PixelBox = [0, 0, 1600, 1200];
      const obstacles: PixelBox[] = [
        [0, 1100, 300, 1200],
        [1400, 0, 1600, 200],
      ];
      const requests = randomRequests(seed, 300);
      const { placed, dropped } = placeLabels(requests, frame, obstacles);
      expect(placed.length + dropped.length, `seed ${seed}`).toBe(requests.length);
      expect(placed.length, `seed ${seed}`).toBeGreaterThan(100);
      const problems: string[] = [];
      for (let i = 0; i < placed.length; i += 1) {
        const a = placed[i]!.box;
        if (!(a[0] >= frame[0] && a[1] >= frame[1] && a[2] <= frame[2] && a[3] <= frame[3])) {
          problems.push(`label ${i} leaves the frame`);
        }
        obstacles.forEach((o, k) => {
          if (boxesOverlap(a, o)) problems.push(`label ${i} covers obstacle ${k}`);
        });
        for (let j = i + 1; j < placed.length; j += 1) {
          if (boxesOverlap(a, placed[j]!.box)) problems.push(`labels ${i} and ${j} overlap`);
        }
      }
      expect(problems, `seed ${seed}`).toEqual([]);
    },
  );

  it('is deterministic and puts a lone label next to its feature with no leader', () => {
    const requests = randomRequests(7, 50);
    expect(placeLabels(requests, [0, 0, 1600, 1200])).toEqual(
      placeLabels(requests, [0, 0, 1600, 1200]),
    );
    const lone = placeLabels(
      [{ feature: [100, 100, 120, 120], widthPx: 50, heightPx: 14 }],
      [0, 0, 400, 400],
    );
    expect(lone.placed[0]?.leader).toBeNull();
    const [x0, , , y1] = lone.placed[0]!.box;
    expect(x0).toBeCloseTo(123);
    expect(y1).toBeCloseTo(97);
  });

  it('gives labels pushed away from a crowded feature a leader line ending on the feature', () => {
    const feature: PixelBox = [200, 200, 210, 210];
    const requests = Array.from({ length: 12 }, () => ({ feature, widthPx: 60, heightPx: 14 }));
    const { placed } = placeLabels(requests, [0, 0, 500, 500]);
    const far = placed.filter((p) => p.leader !== null);
    expect(far.length).toBeGreaterThan(0);
    for (const { leader } of far) {
      const [, , fx, fy] = leader!;
      expect(fx >= 200 && fx <= 210 && fy >= 200 && fy <= 210).toBe(true);
    }
  });
});
