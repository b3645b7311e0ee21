/**
 * Model descriptors (the JSON beside a model's `.onnx` file): parsing with defaults, and the
 * checks that the model's actual input and output shapes are what the descriptor implies.
 *
 * Shapes: a dimension that is not a positive integer (e.g. -1, NaN, 0) stands for a dynamic
 * (symbolic) dimension and matches anything; adapters map symbolic names to -1.
 */
import { z } from 'zod';
import { formatZodIssues } from '../catalog/zod-issues.ts';
import { SLUG_PATTERN } from '../catalog/site.ts';
import { ValidationError } from '../errors.ts';
import type { ModelDescriptor } from './detection.ts';
import { OUTPUT_LAYOUTS } from './detection.ts';

/** Defaults of the optional descriptor fields. */
export const DESCRIPTOR_DEFAULTS = {
  stride: null,
  maxDetectionsPerTile: 300,
  nmsIou: 0.5,
  stretch: 'none',
} as const;

const positive = z.number().positive();
const positiveInt = z.number().int().positive();

/** Unknown keys are ignored (stripped), so model cards may carry extra fields. */
const descriptorSchema = z.object({
  id: z.string().regex(SLUG_PATTERN, 'expected a lower-case slug such as "sitewatch-vehicles"'),
  version: z.string().min(1),
  description: z.string().default(''),
  layout: z.enum(OUTPUT_LAYOUTS as [string, ...string[]]),
  classes: z.array(z.string().min(1)).min(1),
  inputWidth: positiveInt,
  inputHeight: positiveInt,
  bands: z.array(z.string().min(1)).min(1),
  normalisation: z.object({
    scale: positive,
    mean: z.array(z.number()),
    std: z.array(positive),
    stretch: z.enum(['none', 'percentile']).default(DESCRIPTOR_DEFAULTS.stretch),
  }),
  gsdMeters: positive,
  stride: positiveInt.nullable().default(DESCRIPTOR_DEFAULTS.stride),
  maxDetectionsPerTile: positiveInt.default(DESCRIPTOR_DEFAULTS.maxDetectionsPerTile),
  nmsIou: z.number().gt(0).max(1).default(DESCRIPTOR_DEFAULTS.nmsIou),
  licence: z.string().min(1),
});

/** Cross-field rules zod's shape cannot say; returns one line per problem. */
function crossFieldProblems(d: z.infer<typeof descriptorSchema>): string[] {
  const problems: string[] = [];
  const n = d.bands.length;
  if (d.normalisation.mean.length !== n) {
    problems.push(
      `normalisation.mean: expected ${n} values (one per band of ${JSON.stringify(d.bands)}), got ${d.normalisation.mean.length}`,
    );
  }
  if (d.normalisation.std.length !== n) {
    problems.push(
      `normalisation.std: expected ${n} values (one per band of ${JSON.stringify(d.bands)}), got ${d.normalisation.std.length}`,
    );
  }
  if (new Set(d.classes).size !== d.classes.length) {
    problems.push(`classes: names must be unique, got ${JSON.stringify(d.classes)}`);
  }
  if (d.layout === 'sitewatch-centernet-v1') {
    if (d.stride === null) {
      problems.push('stride: required for layout sitewatch-centernet-v1, got null');
    } else if (d.inputWidth % d.stride !== 0 || d.inputHeight % d.stride !== 0) {
      problems.push(
        `stride: ${d.stride} must divide the input size ${d.inputWidth}×${d.inputHeight}`,
      );
    }
  }
  return problems;
}

/**
 * Validates a descriptor read from `source` (a file path or other label for messages).
 * Defaults: stride null, maxDetectionsPerTile 300, nmsIou 0.5, normalisation.stretch 'none'.
 * @throws ValidationError naming `source` and every bad field.
 */
export function parseModelDescriptor(json: unknown, source: string): ModelDescriptor {
  const parsed = descriptorSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    throw new ValidationError(
      `${source}: invalid model descriptor: ${formatZodIssues(parsed.error.issues).join('; ')}`,
    );
  }
  const problems = crossFieldProblems(parsed.data);
  if (problems.length > 0) {
    throw new ValidationError(`${source}: invalid model descriptor: ${problems.join('; ')}`);
  }
  const d = parsed.data;
  return {
    id: d.id,
    version: d.version,
    description: d.description,
    layout: d.layout as ModelDescriptor['layout'],
    classes: d.classes,
    inputWidth: d.inputWidth,
    inputHeight: d.inputHeight,
    bands: d.bands,
    normalisation: d.normalisation,
    gsdMeters: d.gsdMeters,
    stride: d.stride,
    maxDetectionsPerTile: d.maxDetectionsPerTile,
    nmsIou: d.nmsIou,
    licence: d.licence,
  };
}

/** True when a dimension is fixed (a positive integer); anything else is dynamic. */
export function isFixedDim(dim: number): boolean {
  return Number.isInteger(dim) && dim > 0;
}

/** `[1, 9, N]` style text; expected dims given as numbers or symbols. */
function formatDims(dims: readonly (number | string)[]): string {
  return `[${dims.map((d) => (typeof d === 'number' && !isFixedDim(d) ? '?' : String(d))).join(', ')}]`;
}

/** Each expected entry: a number that must match (unless the model's dim is dynamic) or a free symbol. */
function dimsMatch(actual: readonly number[], expected: readonly (number | string)[]): boolean {
  if (actual.length !== expected.length) return false;
  return expected.every((e, i) => {
    const a = actual[i] ?? Number.NaN;
    return typeof e === 'string' || !isFixedDim(a) || a === e;
  });
}

interface NamedDims {
  readonly name: string;
  readonly dims: readonly number[];
}

function classesText(descriptor: ModelDescriptor): string {
  const c = descriptor.classes.length;
  return `descriptor "${descriptor.id}" has ${c} ${c === 1 ? 'class' : 'classes'}`;
}

/**
 * The output shapes the descriptor implies, by output name (`*` for the single output of the
 * YOLO layouts, which may have any name).
 */
export function expectedOutputDims(
  descriptor: ModelDescriptor,
): { name: string; dims: (number | string)[] }[] {
  const c = descriptor.classes.length;
  switch (descriptor.layout) {
    case 'yolov8-detect':
      return [{ name: '*', dims: ['B', 4 + c, 'N'] }];
    case 'yolov8-obb':
      return [{ name: '*', dims: ['B', 4 + c + 1, 'N'] }];
    case 'sitewatch-centernet-v1': {
      const s = descriptor.stride ?? 1;
      const h = descriptor.inputHeight / s;
      const w = descriptor.inputWidth / s;
      return [
        { name: 'heatmap', dims: ['B', c, h, w] },
        { name: 'box', dims: ['B', 4, h, w] },
        { name: 'angle', dims: ['B', 2, h, w] },
      ];
    }
  }
}

/**
 * Checks the model's outputs against the descriptor's layout and class count.
 * @throws ValidationError naming the model's dims and what the descriptor implies, e.g.
 *   `descriptor "x" has 4 classes so yolov8-obb expects [B, 9, N]; the model outputs [1, 20, 21504]`.
 */
export function checkOutputShapes(
  descriptor: ModelDescriptor,
  outputs: readonly NamedDims[],
): void {
  const expected = expectedOutputDims(descriptor);
  const layout = descriptor.layout;
  const listed = outputs.map((o) => `${o.name} ${formatDims(o.dims)}`).join(', ');
  if (layout === 'yolov8-detect' || layout === 'yolov8-obb') {
    const want = expected[0] ?? { name: '*', dims: [] };
    const only = outputs[0];
    if (outputs.length !== 1 || only === undefined) {
      throw new ValidationError(
        `${classesText(descriptor)} so ${layout} expects one output ${formatDims(want.dims)}; the model has ${outputs.length} outputs (${listed || 'none'})`,
      );
    }
    if (!dimsMatch(only.dims, want.dims)) {
      throw new ValidationError(
        `${classesText(descriptor)} so ${layout} expects ${formatDims(want.dims)}; the model outputs ${formatDims(only.dims)}`,
      );
    }
    return;
  }
  for (const want of expected) {
    const found = outputs.find((o) => o.name === want.name);
    if (found === undefined) {
      throw new ValidationError(
        `${layout} expects an output named "${want.name}" ${formatDims(want.dims)}; the model outputs ${listed || 'nothing'}`,
      );
    }
    if (!dimsMatch(found.dims, want.dims)) {
      throw new ValidationError(
        `${classesText(descriptor)}, input ${descriptor.inputWidth}×${descriptor.inputHeight} and stride ${descriptor.stride} so ${layout} expects "${want.name}" ${formatDims(want.dims)}; the model outputs ${formatDims(found.dims)}`,
      );
    }
  }
}

/**
 * Checks the model's input: rank 4 `[B, C, H, W]` with C = the descriptor's band count and
 * H × W = its input size (or dynamic).
 * @throws ValidationError naming both shapes.
 */
export function checkInputShape(descriptor: ModelDescriptor, dims: readonly number[]): void {
  const want: (number | string)[] = [
    'B',
    descriptor.bands.length,
    descriptor.inputHeight,
    descriptor.inputWidth,
  ];
  if (dims.length !== 4) {
    throw new ValidationError(
      `model input must have rank 4 [B, C, H, W]; descriptor "${descriptor.id}" implies ${formatDims(want)}; the model's input is ${formatDims(dims)} (rank ${dims.length})`,
    );
  }
  if (!dimsMatch(dims, want)) {
    throw new ValidationError(
      `descriptor "${descriptor.id}" has ${descriptor.bands.length} bands (${descriptor.bands.join(', ')}) and input ${descriptor.inputWidth}×${descriptor.inputHeight} so the model input should be ${formatDims(want)}; the model's input is ${formatDims(dims)}`,
    );
  }
}
