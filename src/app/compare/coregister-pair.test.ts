/**
 * Co-registration of a pair too large to correlate undecimated: two xBD pre-disaster scenes
 * (1024² RGB, ../shared/data, read in place) side by side, 2048 × 1024, and the same mosaic
 * shifted by a known sub-pixel offset with another gain, offset and noise. The coarse estimate
 * on the 2× decimated luminance is refined on full-resolution chips, each read as its own window.
 */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { expect, it } from 'vitest';
import { perturbRadiometry } from '../../core/coregister/test-support.ts';
import { fourierShift } from '../../core/coregister/shift-image.ts';
import { buildPixelMapping } from '../../core/grid/approximate-mapping.ts';
import type { Grid } from '../../core/grid/grid.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import type { PixelWindow, RasterSource } from '../../core/raster/raster.ts';
import { seededRandom } from '../../core/random.ts';
import { readMemoryWindow } from '../../testing/memory-raster.ts';
import { describeShared, sharedData } from '../../testing/shared-data.ts';
import type { StripLayout } from '../ports.ts';
import { stripRows, type ComparisonPair, type PairSide } from './comparison-pair.ts';
import { coregisterPair } from './coregister-pair.ts';
import { inThreadStripWorkspaces } from './in-thread-strips.ts';
import { CHIP_CELL_PX } from './refine-on-chips.ts';
import { DecodedSources } from './strip-pipeline.ts';

const [WIDTH, HEIGHT] = [2048, 1024];
const SCENES = [
  'joplin-tornado_00000000_pre_disaster.png',
  'joplin-tornado_00000001_pre_disaster.png',
];

/** The two scenes side by side, one Float64Array per RGB band. */
function readMosaic(): Float64Array[] {
  const bands = [0, 1, 2].map(() => new Float64Array(WIDTH * HEIGHT));
  SCENES.forEach((name, s) => {
    const png = PNG.sync.read(readFileSync(sharedData('xbd-samples/images', name)));
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        const p = 4 * (y * png.width + x);
        bands.forEach((band, b) => (band[y * WIDTH + s * 1024 + x] = png.data[p + b] ?? 0));
      }
    }
  });
  return bands;
}

/** An in-memory RasterSource that records each window read. */
function memorySource(bands: readonly Float32Array[], reads: PixelWindow[]): RasterSource {
  return {
    description: { width: WIDTH, height: HEIGHT, nodata: null } as RasterSource['description'],
    readWindow(window: PixelWindow, options?: { readonly bands?: readonly number[] }) {
      reads.push(window);
      return Promise.resolve(readMemoryWindow(bands, WIDTH, window, options?.bands));
    },
    close: () => Promise.resolve(),
  };
}

function side(id: string, bands: readonly Float32Array[], grid: Grid, reads: PixelWindow[]) {
  const stats = bands.map((band) => {
    const mean = band.reduce((s, v) => s + v, 0) / band.length;
    const variance = band.reduce((s, v) => s + (v - mean) ** 2, 0) / band.length;
    return { mean, stdDev: Math.sqrt(variance) };
  });
  return {
    image: { id, stats } as unknown as ImageRecord,
    source: memorySource(bands, reads),
    bandIndexes: [0, 1, 2],
    mapping: buildPixelMapping(grid, grid, null),
  } satisfies PairSide;
}

describeShared('coregisterPair on a real 2048 × 1024 mosaic (xBD)', () => {
  it('refines sub-pixel shifts to 0.05 px on full-resolution chips, reading only their windows', async () => {
    const mosaic = readMosaic();
    const grid: Grid = { crs: null, geoTransform: null, width: WIDTH, height: HEIGHT };
    const layout: StripLayout = { gridWidth: WIDTH, strips: [...stripRows(HEIGHT)], bandCount: 3 };
    const random = seededRandom(31);
    // B shifted by (dx, dy) lands on A: B(x) = A(x + dx).
    const [dx, dy] = [-7 + 14 * random(), -7 + 14 * random()];
    const readsB: PixelWindow[] = [];
    const pair: ComparisonPair = {
      grid,
      gsdMeters: null,
      bandNames: ['red', 'green', 'blue'],
      a: side(
        'a',
        mosaic.map((band) => Float32Array.from(band)),
        grid,
        [],
      ),
      b: side(
        'b',
        mosaic.map((band, b) =>
          Float32Array.from(
            perturbRadiometry(fourierShift(band, WIDTH, HEIGHT, -dx, -dy), {
              gain: 1.1,
              offset: 20,
              noiseFraction: 0.01,
              seed: b,
            }),
          ),
        ),
        grid,
        readsB,
      ),
    };
    const workspace = await inThreadStripWorkspaces.open(layout, '');
    const result = await coregisterPair(pair, layout, workspace, {
      stage: 'test',
      decodedB: new DecodedSources(),
    });
    await workspace.close();
    const label = `shift (${dx.toFixed(3)}, ${dy.toFixed(3)})`;
    expect(Math.hypot(result.dx - dx, result.dy - dy), label).toBeLessThan(0.05);
    expect(result).toMatchObject({ decimation: 1, reliable: true, applied: true });
    expect(result.residualMedianPx, label).toBeLessThan(0.05);
    // One read per strip, then one per chip: a window of about a chip, never the image.
    const chipReads = readsB.slice(layout.strips.length);
    expect(chipReads.length).toBeGreaterThanOrEqual(8);
    for (const window of chipReads) {
      expect(window.width * window.height).toBeLessThanOrEqual((CHIP_CELL_PX + 4) ** 2);
    }
  }, 120_000);
});
