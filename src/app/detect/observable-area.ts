/**
 * Observable area per zone: how much of each zone the run actually saw, i.e. the zone inside
 * the image footprint minus nodata. Estimated from the tiles read: every
 * {@link SAMPLE_STEP}-th detection-grid pixel in each direction (a fixed lattice over the
 * grid) is a sample; each tile counts only the samples in the part of it it owns (the tiles'
 * owned parts split their overlaps halfway, so no sample is counted twice); a sample counts
 * when it is valid (every band has data) and its source position lies in the zone. Area =
 * samples × (step · scale · GSD)². Tiles never read (outside the site, all nodata) add
 * nothing, which is right: they are outside the region or hold no data.
 */
import type { PolygonalGeometry, Position } from '../../core/geo/types.ts';
import { bboxOfGeometry } from '../../core/geo/bbox.ts';
import { pointInPolygonalGeometry } from '../../core/geo/relations.ts';
import type { PixelWindow } from '../../core/raster/raster.ts';

/** Grid pixels between samples, in each direction. */
export const SAMPLE_STEP = 4;

/** A zone in source-image pixels; `null` geometry: the whole image. */
export interface PixelZone {
  readonly id: string;
  readonly polygon: PolygonalGeometry | null;
}

/**
 * The owned part of each tile along one axis: [start_k, start_k + size) trimmed to the
 * midpoints of the overlaps with its neighbours.
 */
function ownedRanges(starts: readonly number[], size: number): Map<number, [number, number]> {
  const sorted = [...new Set(starts)].sort((a, b) => a - b);
  const ranges = new Map<number, [number, number]>();
  sorted.forEach((s, k) => {
    const prev = sorted[k - 1];
    const next = sorted[k + 1];
    const low = prev === undefined ? s : Math.ceil((s + prev + size) / 2);
    const high = next === undefined ? s + size : Math.ceil((next + s + size) / 2);
    ranges.set(s, [low, high]);
  });
  return ranges;
}

/** Owned window of each tile of a plan (tiles keyed by `col0,row0`). */
export function ownedWindows(tiles: readonly PixelWindow[]): Map<string, PixelWindow> {
  const out = new Map<string, PixelWindow>();
  const first = tiles[0];
  if (first === undefined) return out;
  const cols = ownedRanges(
    tiles.map((t) => t.col0),
    first.width,
  );
  const rows = ownedRanges(
    tiles.map((t) => t.row0),
    first.height,
  );
  for (const t of tiles) {
    const [c0, c1] = cols.get(t.col0) ?? [t.col0, t.col0 + t.width];
    const [r0, r1] = rows.get(t.row0) ?? [t.row0, t.row0 + t.height];
    out.set(`${t.col0},${t.row0}`, { col0: c0, row0: r0, width: c1 - c0, height: r1 - r0 });
  }
  return out;
}

/** Accumulates valid samples per zone over the tiles read. */
export class ObservableAreaSampler {
  readonly #zones: readonly PixelZone[];
  readonly #bboxes: (readonly [number, number, number, number] | null)[];
  readonly #scale: number;
  readonly #counts: number[];

  /** @param scale source pixels per grid pixel */
  constructor(zones: readonly PixelZone[], scale: number) {
    this.#zones = zones;
    this.#scale = scale;
    this.#bboxes = zones.map((z) => (z.polygon === null ? null : bboxOfGeometry(z.polygon)));
    this.#counts = zones.map(() => 0);
  }

  /** Adds the samples of `owned` (grid pixels) from a tile's validity mask. */
  addTile(tile: PixelWindow, valid: Uint8Array, owned: PixelWindow): void {
    const c0 = Math.ceil(owned.col0 / SAMPLE_STEP) * SAMPLE_STEP;
    const r0 = Math.ceil(owned.row0 / SAMPLE_STEP) * SAMPLE_STEP;
    const c1 = Math.min(owned.col0 + owned.width, tile.col0 + tile.width);
    const r1 = Math.min(owned.row0 + owned.height, tile.row0 + tile.height);
    for (let row = r0; row < r1; row += SAMPLE_STEP) {
      for (let col = c0; col < c1; col += SAMPLE_STEP) {
        if (valid[(row - tile.row0) * tile.width + (col - tile.col0)] !== 1) continue;
        const p: Position = [(col + 0.5) * this.#scale, (row + 0.5) * this.#scale];
        this.#zones.forEach((zone, z) => {
          const box = this.#bboxes[z];
          const inside =
            zone.polygon === null ||
            (box !== null &&
              box !== undefined &&
              p[0] >= box[0] &&
              p[0] <= box[2] &&
              p[1] >= box[1] &&
              p[1] <= box[3] &&
              pointInPolygonalGeometry(p, zone.polygon));
          if (inside) this.#counts[z] = (this.#counts[z] ?? 0) + 1;
        });
      }
    }
  }

  /** Per zone: valid samples, the source pixels they stand for, and the area in m² at `gsdMeters`. */
  results(gsdMeters: number | null): {
    readonly zone: string;
    readonly samples: number;
    readonly pixels: number;
    readonly areaM2: number | null;
  }[] {
    const pixelsPerSample = (SAMPLE_STEP * this.#scale) ** 2;
    return this.#zones.map((zone, z) => {
      const samples = this.#counts[z] ?? 0;
      const pixels = samples * pixelsPerSample;
      return {
        zone: zone.id,
        samples,
        pixels: Math.round(pixels),
        areaM2: gsdMeters === null ? null : pixels * gsdMeters * gsdMeters,
      };
    });
  }
}
