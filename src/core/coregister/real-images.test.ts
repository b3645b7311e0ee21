/**
 * Co-registration on larger real images from ../shared/data (research licences: read in
 * place, never copied into the repository). Skipped with a message when the folder is absent.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { fromFile } from 'geotiff';
import { PNG } from 'pngjs';
import { beforeAll, expect, it } from 'vitest';
import { describeShared, sharedData } from '../../testing/shared-data.ts';
import {
  composeAffine,
  cornerDisagreementPx,
  rotationScaleAbout,
  translationAffine,
} from './affine.ts';
import { estimateAffineEcc } from './ecc-affine.ts';
import { estimateLocalShifts } from './local-shifts.ts';
import { estimateTranslation } from './phase-correlation.ts';
import { fourierShift, shiftImage } from './shift-image.ts';
import { cropImage, perturbRadiometry } from './test-support.ts';
import { warpAffine } from './warp-affine.ts';
import { seededRandom } from '../random.ts';

interface GrayImage {
  readonly data: Float64Array;
  readonly width: number;
  readonly height: number;
}

const luminance = (r: number, g: number, b: number): number => 0.299 * r + 0.587 * g + 0.114 * b;

/** Puerto Rico before Hurricane Maria: 512 × 512 RGB GeoTIFF, 0.3 m. */
async function readPuertoRico(): Promise<GrayImage> {
  const path = sharedData('puerto-rico-maria/Pre_Event_Grids_In_TIFF/tile_0_107.tif');
  const image = await (await fromFile(path)).getImage();
  const [r, g, b] = (await image.readRasters()) as unknown as [Uint8Array, Uint8Array, Uint8Array];
  const data = Float64Array.from({ length: r.length }, (_, i) => luminance(r[i]!, g[i]!, b[i]!));
  return { data, width: image.getWidth(), height: image.getHeight() };
}

/** A LEVIR-CD "A" (earlier date) RGB PNG, 0.5 m. */
function readLevir(name: string): GrayImage {
  const png = PNG.sync.read(readFileSync(sharedData('levir-cd/A', name)));
  const data = Float64Array.from({ length: png.width * png.height }, (_, i) =>
    luminance(png.data[4 * i]!, png.data[4 * i + 1]!, png.data[4 * i + 2]!),
  );
  return { data, width: png.width, height: png.height };
}

describeShared('co-registration on real imagery (../shared/data)', () => {
  let puertoRico: GrayImage;
  beforeAll(async () => {
    puertoRico = await readPuertoRico();
  });

  it('recovers Fourier sub-pixel shifts of Puerto Rico (256² centre) within 0.05 px with gain, offset and noise', () => {
    const size = 256;
    const window = { col0: 128, row0: 128, width: size, height: size };
    const base = cropImage(puertoRico.data, puertoRico.width, window);
    fc.assert(
      fc.property(
        fc.double({ min: -8, max: 8, noNaN: true }),
        fc.double({ min: -8, max: 8, noNaN: true }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (dx, dy, seed) => {
          const shifted = fourierShift(base, size, size, dx, dy);
          const reference = perturbRadiometry(shifted, {
            gain: 1.1,
            offset: 20,
            noiseFraction: 0.01,
            seed,
          });
          const estimate = estimateTranslation(reference, base, size, size);
          return (
            Math.hypot(estimate.dx - dx, estimate.dy - dy) <= 0.05 && estimate.confidence > 0.5
          );
        },
      ),
      { seed: 4_242, numRuns: 20 },
    );
  });

  it('recovers cubic-resampled shifts of LEVIR-CD images within 0.06 px', () => {
    const random = seededRandom(9);
    for (const name of ['test_2_0000_0000.png', 'train_36_0512_0512.png', 'val_27_0000_0256.png']) {
      const image = readLevir(name);
      const [dx, dy] = [-6 + 12 * random(), -6 + 12 * random()];
      const window = { col0: 10, row0: 10, width: image.width - 20, height: image.height - 20 };
      const shifted = shiftImage(
        image.data,
        image.width,
        image.height,
        dx,
        dy,
        'cubic',
        Number.NaN,
      );
      const reference = perturbRadiometry(cropImage(shifted, image.width, window), {
        gain: 1.1,
        offset: 20,
        noiseFraction: 0.01,
        seed: 1,
      });
      const moving = cropImage(image.data, image.width, window);
      const estimate = estimateTranslation(reference, moving, window.width, window.height);
      expect(Math.hypot(estimate.dx - dx, estimate.dy - dy), name).toBeLessThan(0.06);
    }
  });

  it('measures a near-zero residual on tiles after a known translation of Puerto Rico', () => {
    const { data, width, height } = puertoRico;
    const reference = fourierShift(data, width, height, 4.3, -2.8);
    const result = estimateLocalShifts(reference, data, width, height, {
      tileSize: 128,
      global: { dx: 4.3, dy: -2.8 },
    });
    expect(result.residual.count).toBeGreaterThanOrEqual(14);
    expect(result.residual.medianPx!).toBeLessThan(0.05);
    expect(result.residual.p90Px!).toBeLessThan(0.1);
  });

  it('recovers rotation 1.5° and scale 1.5 % of Puerto Rico to 0.1 px at the corners (ECC)', () => {
    const { data, width, height } = puertoRico;
    const truth = composeAffine(
      translationAffine(-3.1, 1.4),
      rotationScaleAbout((-1.5 * Math.PI) / 180, 1.015, (width - 1) / 2, (height - 1) / 2),
    );
    const warped = warpAffine(data, width, height, truth, { method: 'bilinear', fill: Number.NaN });
    const moving = perturbRadiometry(warped, {
      gain: 1.1,
      offset: 20,
      noiseFraction: 0.01,
      seed: 5,
    });
    const result = estimateAffineEcc(data, moving, width, height);
    expect(cornerDisagreementPx(result.movingToReference, truth, width, height)).toBeLessThan(0.1);
    expect(result.converged).toBe(true);
  });
});
