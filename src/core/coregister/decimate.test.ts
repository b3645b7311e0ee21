import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { decimateBox } from './decimate.ts';

describe('decimateBox', () => {
  it('averages f × f blocks and drops partial blocks at the right and bottom', () => {
    const image = Float64Array.from({ length: 5 * 4 }, (_, i) => i);
    const { data, width, height, factor } = decimateBox(image, 5, 4, 2);
    expect([width, height, factor]).toEqual([2, 2, 2]);
    // Block (0, 0) holds 0, 1, 5, 6; block (1, 1) holds 12, 13, 17, 18.
    expect(Array.from(data)).toEqual([3, 5, 13, 15]);
  });

  it('leaves NaN, ±Infinity and nodata out of each mean; an empty block is NaN', () => {
    const image = new Float32Array([1, Number.NaN, 4, -1, Number.POSITIVE_INFINITY, 5, -1, -1]);
    const { data } = decimateBox(image, 4, 2, 2, -1);
    expect(data[0]).toBe(3);
    expect(data[1]).toBe(4);
    const empty = decimateBox(new Float32Array(4).fill(Number.NaN), 2, 2, 2);
    expect(Number.isNaN(empty.data[0])).toBe(true);
  });

  it('keeps the image at factor 1 and rejects bad factors', () => {
    const image = new Float64Array([1, 2, 3, 4]);
    expect(Array.from(decimateBox(image, 2, 2, 1).data)).toEqual([1, 2, 3, 4]);
    expect(() => decimateBox(image, 2, 2, 3)).toThrow(
      /factor must be an integer in \[1, 2\]; got 3/,
    );
    expect(() => decimateBox(image, 2, 2, 1.5)).toThrow(ValidationError);
  });
});
