import { fromArrayBuffer } from 'geotiff';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';

import { encodeTiff } from './tiff-writer.ts';
import { seededRandom } from '../../src/core/random.ts';

async function readBack(bytes: Uint8Array) {
  const buffer = new Uint8Array(bytes).buffer;
  const image = await (await fromArrayBuffer(buffer)).getImage();
  const rasters = await image.readRasters({ interleave: false });
  return {
    width: image.getWidth(),
    height: image.getHeight(),
    bands: Array.from({ length: rasters.length }, (_, b) =>
      Array.from(rasters[b] as ArrayLike<number>),
    ),
  };
}

describe('encodeTiff', () => {
  it('round-trips float32 multi-band images through geotiff.js', async () => {
    const random = seededRandom(7);
    const [width, height] = [5, 3];
    const bands = Array.from({ length: 4 }, () =>
      Float32Array.from({ length: width * height }, () => random() * 1000 - 500),
    );
    const back = await readBack(encodeTiff(bands, width, height, 'float32'));
    expect([back.width, back.height]).toEqual([width, height]);
    expect(back.bands).toEqual(bands.map((b) => Array.from(b)));
  });

  it('writes uint8 single-band masks, clamping and rounding', async () => {
    const back = await readBack(encodeTiff([[0, 1, 255, 300, -4, 2.6]], 3, 2, 'uint8'));
    expect(back.bands).toEqual([[0, 1, 255, 255, 0, 3]]);
  });

  it('rejects no bands and bands of the wrong length', () => {
    expect(() => encodeTiff([], 2, 2, 'uint8')).toThrow(ValidationError);
    expect(() => encodeTiff([[1, 2, 3]], 2, 2, 'float32')).toThrow(/band 0 has 3 samples/);
  });
});
