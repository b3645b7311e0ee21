/**
 * Streams rows into tiles of every pyramid level. Each level keeps one row of tiles (tileSize
 * rows × its width, per band); when that fills (or the level's last row arrives) the level cuts
 * and emits its tiles, then reduces the rows 2 × 2 into the next level's buffer. Memory is thus
 * bounded by one row of tiles per level, whatever the image height.
 */
import { ValidationError } from '../../core/errors.ts';
import { downsampleByTwo, type DownsampleOptions } from '../../core/raster/overview.ts';
import type { PixelArray } from '../../core/raster/raster.ts';
import { isFloatType, levelSize, type ResolvedCogSpec } from './cog-spec.ts';
import {
  allocatePixels,
  cutBandTile,
  cutPixelInterleavedTile,
  type TileSource,
} from './tile-cutter.ts';

/** Receives each tile once, row-major within a level, in TIFF tile order `index`. */
export type TileSink = (level: number, index: number, tile: PixelArray) => Promise<void>;

/** Tiles in the TIFF tile index of `level` (those of all bands for band interleave). */
export function levelTileCount(spec: ResolvedCogSpec, level: number): number {
  const { width, height } = levelSize(spec, level);
  const perBand = Math.ceil(width / spec.tileSize) * Math.ceil(height / spec.tileSize);
  return perBand * (spec.interleave === 'band' ? spec.bandCount : 1);
}

function bandAt(bands: readonly PixelArray[], band: number): PixelArray {
  const array = bands[band];
  if (array === undefined) throw new ValidationError(`band ${band} of ${bands.length} is missing`);
  return array;
}

interface LevelState {
  readonly width: number;
  readonly height: number;
  readonly tilesAcross: number;
  readonly tilesPerBand: number;
  /** One array per band of min(tileSize, height) rows × width. */
  readonly bands: PixelArray[];
  /** Rows in `bands` now. */
  filled: number;
  /** Rows of this level received so far. */
  received: number;
  tileRow: number;
}

export class LevelPyramid {
  private readonly levels: LevelState[];
  private readonly downsample: DownsampleOptions;

  constructor(
    private readonly spec: ResolvedCogSpec,
    private readonly sink: TileSink,
  ) {
    const t = spec.tileSize;
    this.levels = spec.levels.map(({ width, height }) => ({
      width,
      height,
      tilesAcross: Math.ceil(width / t),
      tilesPerBand: Math.ceil(width / t) * Math.ceil(height / t),
      bands: Array.from({ length: spec.bandCount }, () =>
        allocatePixels(spec.dataType, Math.min(t, height) * width),
      ),
      filled: 0,
      received: 0,
      tileRow: 0,
    }));
    this.downsample = {
      resampling: spec.overviewResampling,
      nodata: spec.nodata,
      integer: !isFloatType(spec.dataType),
    };
  }

  /** Full-resolution rows received so far. */
  get rowsReceived(): number {
    return this.state(0).received;
  }

  /** Appends `rowCount` full-resolution rows (one array per band, row-major). */
  async push(bands: readonly PixelArray[], rowCount: number): Promise<void> {
    const level = this.state(0);
    const width = level.width;
    let done = 0;
    while (done < rowCount) {
      const take = Math.min(this.spec.tileSize - level.filled, rowCount - done);
      level.bands.forEach((target, b) => {
        const band = bandAt(bands, b);
        target.set(band.subarray(done * width, (done + take) * width), level.filled * width);
      });
      level.filled += take;
      level.received += take;
      done += take;
      if (level.filled === this.spec.tileSize || level.received === level.height) {
        await this.flush(0);
      }
    }
  }

  private state(level: number): LevelState {
    const state = this.levels[level];
    if (state === undefined) {
      throw new ValidationError(`level ${level} is not one of the ${this.levels.length} levels`);
    }
    return state;
  }

  /** Emits the level's row of tiles, then reduces it into the next level (flushing that too when full). */
  private async flush(index: number): Promise<void> {
    const level = this.state(index);
    await this.emitTiles(index, level);
    const next = this.levels[index + 1];
    if (next) {
      next.bands.forEach((target, b) => {
        const band = bandAt(level.bands, b);
        const at = next.filled * next.width;
        downsampleByTwo(band, level.width, level.filled, target, at, this.downsample);
      });
      const produced = Math.ceil(level.filled / 2);
      next.filled += produced;
      next.received += produced;
    }
    level.filled = 0;
    level.tileRow++;
    if (next && (next.filled === this.spec.tileSize || next.received === next.height)) {
      await this.flush(index + 1);
    }
  }

  private async emitTiles(index: number, level: LevelState): Promise<void> {
    const firstTile = level.tileRow * level.tilesAcross;
    const sourceAt = (col: number): TileSource => ({
      bands: level.bands,
      width: level.width,
      rowCount: level.filled,
      col0: col * this.spec.tileSize,
      tileSize: this.spec.tileSize,
      dataType: this.spec.dataType,
    });
    if (this.spec.interleave === 'pixel') {
      for (let col = 0; col < level.tilesAcross; col++) {
        await this.sink(index, firstTile + col, cutPixelInterleavedTile(sourceAt(col)));
      }
      return;
    }
    // Band-separate tiles: TIFF numbers all tiles of band 0, then band 1, …
    for (let b = 0; b < this.spec.bandCount; b++) {
      for (let col = 0; col < level.tilesAcross; col++) {
        await this.sink(
          index,
          b * level.tilesPerBand + firstTile + col,
          cutBandTile(sourceAt(col), b),
        );
      }
    }
  }
}
