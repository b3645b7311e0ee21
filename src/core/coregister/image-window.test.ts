import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { extractWindow, windowInside, windowTexture } from './image-window.ts';

describe('image windows', () => {
  const image = Float32Array.from({ length: 6 * 4 }, (_, i) => i);

  it('extracts a window as Float64Array, row by row', () => {
    const window = extractWindow(image, 6, { col0: 2, row0: 1, width: 3, height: 2 });
    expect(window).toBeInstanceOf(Float64Array);
    expect(Array.from(window)).toEqual([8, 9, 10, 14, 15, 16]);
  });

  it('rejects windows outside the image, naming both', () => {
    expect(() => extractWindow(image, 6, { col0: 4, row0: 0, width: 3, height: 2 })).toThrow(
      /3 × 2 at \(4, 0\) is not inside the 6 × 4 image/,
    );
    expect(() => extractWindow(image, 6, { col0: 0, row0: 0, width: 0, height: 2 })).toThrow(
      ValidationError,
    );
    expect(windowInside({ col0: -1, row0: 0, width: 1, height: 1 }, 6, 4)).toBe(false);
  });

  it('measures texture as mean squared forward difference and the data fraction', () => {
    // Along x the step is 1, along y 6: energy 1 + 36 per interior pixel.
    const texture = windowTexture(image, 6, { col0: 0, row0: 0, width: 6, height: 4 }, null);
    expect(texture.gradientEnergy).toBe(37);
    expect(texture.dataFraction).toBe(1);
    const flat = windowTexture(
      new Float32Array(24).fill(3),
      6,
      { col0: 0, row0: 0, width: 6, height: 4 },
      3,
    );
    expect(flat).toEqual({ gradientEnergy: 0, dataFraction: 0 });
  });
});
