/**
 * The held-out split of the detection data (training/splits.json, written by training/prepare.py)
 * and the label files it points at, decoded to oriented boxes in source-image pixels.
 */
import { z } from 'zod';
import type { OrientedBox } from '../../src/core/detect/detection.ts';
import { normaliseAngle } from '../../src/core/detect/rotated-iou.ts';
import type { GroundTruth } from '../../src/core/detect/metrics.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { formatZodIssues } from '../../src/core/catalog/zod-issues.ts';

const windowSchema = z.object({
  col0: z.number(),
  row0: z.number(),
  width: z.number().positive(),
  height: z.number().positive(),
});

const imageSchema = z.object({
  source: z.string(),
  /** Relative to the shared data root. */
  path: z.string(),
  labels: z.string(),
  labelFormat: z.enum(['dota-labeltxt', 'yolo']),
  /** DOTA: label pixels × labelScale = image pixels. */
  labelScale: z.number().positive().default(1),
  /** Label class (DOTA name or YOLO id) → model class; unmapped labels are dropped. */
  classMap: z.record(z.string(), z.string()),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  gsdMeters: z.number().positive(),
  gsdNote: z.string().default(''),
  heldOut: z.boolean(),
  testRegion: windowSchema.nullable().default(null),
});

const splitsSchema = z.object({
  schema: z.literal('sitewatch-detect-splits-v1'),
  modelGsdMeters: z.number().positive(),
  classes: z.array(z.string()),
  rules: z.record(z.string(), z.string()).default({}),
  images: z.array(imageSchema),
});

export type SplitImage = z.infer<typeof imageSchema>;
export type Splits = z.infer<typeof splitsSchema>;

/** @throws ValidationError naming `source` and the bad fields. */
export function parseSplits(json: unknown, source: string): Splits {
  const parsed = splitsSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    throw new ValidationError(`${source}: ${formatZodIssues(parsed.error.issues).join('; ')}`);
  }
  return parsed.data;
}

/** A pixel rectangle with real-valued edges: [col0, col0 + width) × [row0, row0 + height). */
export interface Region {
  readonly col0: number;
  readonly row0: number;
  readonly width: number;
  readonly height: number;
}

/** Fraction of the width left of the DOTA test region (objects centred at x ≥ 0.7 · width). */
export const DOTA_TEST_FROM = 0.7;

/**
 * The region scored in an image, or null when none of it is held out: a held-out image is
 * scored whole; a DOTA image on its right 30 % (x ≥ 0.7 · width, the rule training/ follows).
 */
export function testRegionOf(image: SplitImage): Region | null {
  if (image.heldOut) return { col0: 0, row0: 0, width: image.width, height: image.height };
  if (image.testRegion === null) return null;
  if (image.source === 'dota-samples') {
    const col0 = DOTA_TEST_FROM * image.width;
    return { col0, row0: 0, width: image.width - col0, height: image.height };
  }
  return image.testRegion;
}

/** True when the box's centre lies in the region. */
export function centreInRegion(box: OrientedBox, region: Region): boolean {
  return (
    box.cx >= region.col0 &&
    box.cx < region.col0 + region.width &&
    box.cy >= region.row0 &&
    box.cy < region.row0 + region.height
  );
}

/**
 * An oriented box from four corners in order (a DOTA quadrilateral or a detection's polygon):
 * width along corner 1 → 2, sides averaged over opposite edges, centre the corners' mean.
 */
export function quadToBox(points: readonly (readonly [number, number])[]): OrientedBox {
  if (points.length < 4) {
    throw new ValidationError(`a box needs 4 corners, got ${points.length}`);
  }
  const [p1, p2, p3, p4] = points as [
    readonly [number, number],
    readonly [number, number],
    readonly [number, number],
    readonly [number, number],
  ];
  const length = (a: readonly [number, number], b: readonly [number, number]): number =>
    Math.hypot(b[0] - a[0], b[1] - a[1]);
  return {
    cx: (p1[0] + p2[0] + p3[0] + p4[0]) / 4,
    cy: (p1[1] + p2[1] + p3[1] + p4[1]) / 4,
    width: (length(p1, p2) + length(p3, p4)) / 2,
    height: (length(p2, p3) + length(p4, p1)) / 2,
    angleRad: normaliseAngle(Math.atan2(p2[1] - p1[1], p2[0] - p1[0])),
  };
}

/**
 * DOTA v1 labelTxt: header lines (`imagesource:`, `gsd:`) then
 * `x1 y1 x2 y2 x3 y3 x4 y4 class difficult`; coordinates × `scale`; classes through `classMap`.
 * @throws ValidationError naming the file and line of a malformed row.
 */
export function parseDotaLabels(
  text: string,
  source: string,
  scale: number,
  classMap: Readonly<Record<string, string>>,
): GroundTruth[] {
  const truths: GroundTruth[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || /^(imagesource|gsd):/i.test(line)) return;
    const fields = line.split(/\s+/);
    const numbers = fields.slice(0, 8).map(Number);
    const label = fields[8];
    if (fields.length < 9 || label === undefined || !numbers.every(Number.isFinite)) {
      throw new ValidationError(
        `${source}:${index + 1}: expected 8 coordinates, a class and difficult, got "${line}"`,
      );
    }
    const className = classMap[label];
    if (className === undefined) return;
    const corners: [number, number][] = [];
    for (let k = 0; k < 8; k += 2)
      corners.push([(numbers[k] ?? 0) * scale, (numbers[k + 1] ?? 0) * scale]);
    truths.push({ box: quadToBox(corners), className, difficult: fields[9] === '1' });
  });
  return truths;
}

/**
 * YOLO `class cx cy w h` normalised to the image size; axis-aligned; classes through `classMap`.
 * @throws ValidationError naming the file and line of a malformed row.
 */
export function parseYoloLabels(
  text: string,
  source: string,
  width: number,
  height: number,
  classMap: Readonly<Record<string, string>>,
): GroundTruth[] {
  const truths: GroundTruth[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const fields = line.split(/\s+/);
    const [label, ...rest] = fields;
    const [cx, cy, w, h] = rest.map(Number);
    if (
      label === undefined ||
      cx === undefined ||
      cy === undefined ||
      w === undefined ||
      h === undefined ||
      ![cx, cy, w, h].every(Number.isFinite)
    ) {
      throw new ValidationError(
        `${source}:${index + 1}: expected "class cx cy w h", got "${line}"`,
      );
    }
    const className = classMap[label];
    if (className === undefined) return;
    truths.push({
      box: { cx: cx * width, cy: cy * height, width: w * width, height: h * height, angleRad: 0 },
      className,
    });
  });
  return truths;
}
