/**
 * Callout labels placed without overlap: each label tries candidate positions around its
 * feature (close ones first, then further out on a leader line) and takes the first that
 * overlaps no label placed before it, no obstacle and stays inside the frame. Labels are
 * taken in the given order (put the most important first); a label with no free position is
 * dropped. Deterministic: the same input gives the same placement. Pixel coordinates, y down.
 */

/** [minX, minY, maxX, maxY] in pixels. */
export type PixelBox = readonly [number, number, number, number];

export interface LabelRequest {
  /** The feature's box; the label goes around it. */
  readonly feature: PixelBox;
  readonly widthPx: number;
  readonly heightPx: number;
}

export interface PlacedLabel {
  /** Index into the requests. */
  readonly index: number;
  readonly box: PixelBox;
  /**
   * Leader line from the label's nearest edge point to the feature's nearest point, or null
   * when the label touches the feature.
   */
  readonly leader: readonly [number, number, number, number] | null;
}

export interface LabelPlacement {
  readonly placed: readonly PlacedLabel[];
  /** Indexes of the labels with no free position. */
  readonly dropped: readonly number[];
}

/** Gap between feature and label, and between labels, pixels. */
const GAP_PX = 3;
/** Leader lengths tried, in label heights beyond the feature. */
const RINGS = [0, 1.5, 3, 5];
/** Directions tried on each ring (unit-ish vectors), right and up first. */
const DIRECTIONS: readonly (readonly [number, number])[] = [
  [1, -1],
  [1, 1],
  [-1, -1],
  [-1, 1],
  [0, -1],
  [0, 1],
  [1, 0],
  [-1, 0],
];

export function boxesOverlap(a: PixelBox, b: PixelBox): boolean {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

function inflate(b: PixelBox, by: number): PixelBox {
  return [b[0] - by, b[1] - by, b[2] + by, b[3] + by];
}

/** Candidate box for a direction and ring around a feature. */
function candidate(
  feature: PixelBox,
  w: number,
  h: number,
  [dx, dy]: readonly [number, number],
  ring: number,
): PixelBox {
  const reach = GAP_PX + ring * h;
  const cx = (feature[0] + feature[2]) / 2;
  const cy = (feature[1] + feature[3]) / 2;
  const x0 = dx > 0 ? feature[2] + reach : dx < 0 ? feature[0] - reach - w : cx - w / 2;
  const y0 = dy > 0 ? feature[3] + reach : dy < 0 ? feature[1] - reach - h : cy - h / 2;
  return [x0, y0, x0 + w, y0 + h];
}

function clampPoint(x: number, y: number, b: PixelBox): [number, number] {
  return [Math.min(Math.max(x, b[0]), b[2]), Math.min(Math.max(y, b[1]), b[3])];
}

/** The leader between a label and its feature: nearest points of the two boxes. */
function leaderBetween(
  label: PixelBox,
  feature: PixelBox,
): readonly [number, number, number, number] | null {
  const fc: [number, number] = [(feature[0] + feature[2]) / 2, (feature[1] + feature[3]) / 2];
  const [lx, ly] = clampPoint(fc[0], fc[1], label);
  const [fx, fy] = clampPoint(lx, ly, feature);
  return Math.hypot(lx - fx, ly - fy) <= 2 * GAP_PX ? null : [lx, ly, fx, fy];
}

/** Uniform grid of placed boxes, so each test looks at its neighbourhood only. */
class BoxIndex {
  readonly #cells = new Map<number, PixelBox[]>();
  constructor(private readonly cellPx: number) {}

  #keys(b: PixelBox): number[] {
    const keys: number[] = [];
    const c0 = Math.floor(b[0] / this.cellPx);
    const c1 = Math.floor(b[2] / this.cellPx);
    const r0 = Math.floor(b[1] / this.cellPx);
    const r1 = Math.floor(b[3] / this.cellPx);
    for (let r = r0; r <= r1; r += 1) for (let c = c0; c <= c1; c += 1) keys.push(r * 100_003 + c);
    return keys;
  }

  add(b: PixelBox): void {
    for (const key of this.#keys(b)) {
      const cell = this.#cells.get(key);
      if (cell === undefined) this.#cells.set(key, [b]);
      else cell.push(b);
    }
  }

  hits(b: PixelBox): boolean {
    return this.#keys(b).some((key) => this.#cells.get(key)?.some((o) => boxesOverlap(o, b)));
  }
}

/**
 * Places the labels (see the file comment). `obstacles` (the figure's title, legend, scale bar,
 * inset) are never covered; `frame` bounds every label.
 */
export function placeLabels(
  requests: readonly LabelRequest[],
  frame: PixelBox,
  obstacles: readonly PixelBox[] = [],
): LabelPlacement {
  const tallest = Math.max(8, ...requests.map((r) => r.heightPx));
  const index = new BoxIndex(tallest * 4);
  for (const obstacle of obstacles) index.add(obstacle);
  const placed: PlacedLabel[] = [];
  const dropped: number[] = [];
  requests.forEach((request, i) => {
    const { feature, widthPx: w, heightPx: h } = request;
    for (const ring of RINGS) {
      for (const direction of DIRECTIONS) {
        const box = candidate(feature, w, h, direction, ring);
        if (box[0] < frame[0] || box[1] < frame[1] || box[2] > frame[2] || box[3] > frame[3]) {
          continue;
        }
        if (index.hits(inflate(box, GAP_PX / 2))) continue;
        index.add(box);
        placed.push({ index: i, box, leader: leaderBetween(box, feature) });
        return;
      }
    }
    dropped.push(i);
  });
  return { placed, dropped };
}
