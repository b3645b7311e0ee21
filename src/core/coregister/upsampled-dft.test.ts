import { describe, expect, it } from 'vitest';
import { fft2d } from '../fft/fft.ts';
import { randomArray } from './test-support.ts';
import { correlationOnGrid, refinePeak } from './upsampled-dft.ts';

/** The spectrum of a real random 16 × 8 array with its Nyquist row and column zeroed. */
function hermitianSpectrum(): {
  re: Float64Array;
  im: Float64Array;
  width: number;
  height: number;
  real: Float64Array;
} {
  const [width, height] = [16, 8];
  const re = randomArray(width * height, 12);
  const im = new Float64Array(width * height);
  fft2d(re, im, width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (x === width / 2 || y === height / 2) {
        re[y * width + x] = 0;
        im[y * width + x] = 0;
      }
    }
  }
  const real = re.slice();
  const imag = im.slice();
  fft2d(real, imag, width, height, true);
  return { re, im, width, height, real };
}

describe('correlationOnGrid', () => {
  it('equals the inverse FFT (times N) at integer points, including negative ones', () => {
    const spectrum = hermitianSpectrum();
    const xs = [0, 3, -2, 7];
    const ys = [0, -1, 2];
    const grid = correlationOnGrid(spectrum, xs, ys);
    ys.forEach((y, j) => {
      xs.forEach((x, i) => {
        const index = ((y + 8) % 8) * 16 + ((x + 16) % 16);
        expect(grid[j * xs.length + i]! / 128).toBeCloseTo(spectrum.real[index]!, 10);
      });
    });
  });

  it('finds the peak of a pure sub-pixel phase ramp to 1/upsampleFactor', () => {
    const [width, height] = [32, 32];
    const [dx, dy] = [3.237, -5.581];
    const re = new Float64Array(width * height);
    const im = new Float64Array(width * height);
    for (let ky = 0; ky < height; ky++) {
      for (let kx = 0; kx < width; kx++) {
        if (kx === width / 2 || ky === height / 2) continue;
        const fx = (kx < width / 2 ? kx : kx - width) / width;
        const fy = (ky < height / 2 ? ky : ky - height) / height;
        re[ky * width + kx] = Math.cos(-2 * Math.PI * (fx * dx + fy * dy));
        im[ky * width + kx] = Math.sin(-2 * Math.PI * (fx * dx + fy * dy));
      }
    }
    const peak = refinePeak(
      { re, im, width, height },
      { x: 3, y: -6, value: 0 },
      1000,
      1 / ((width - 1) * (height - 1)),
    );
    expect(Math.abs(peak.x - dx)).toBeLessThanOrEqual(0.0005 + 1e-12);
    expect(Math.abs(peak.y - dy)).toBeLessThanOrEqual(0.0005 + 1e-12);
    expect(peak.value).toBeCloseTo(1, 3);
  });
});
