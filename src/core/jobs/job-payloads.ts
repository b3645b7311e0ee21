/**
 * The job kinds and their payloads, one zod schema per kind. Payloads are JSON and hold
 * everything a runner on any host needs (ids, options, the playbook itself), never handles to
 * in-memory objects. The handler of a kind receives its payload type, derived from the schema.
 */
import { z } from 'zod';
import { formatZodIssues } from '../catalog/zod-issues.ts';
import { ValidationError } from '../errors.ts';
import { parseAcquisitionTime } from '../imagery/acquisition.ts';

const id = z.string().trim().min(1);

const comparePayloadSchema = z.strictObject({
  /** Image id of the reference (earlier) image. */
  imageA: id,
  imageB: id,
  siteId: id.optional(),
  method: z.enum(['combined', 'irmad', 'cva']).optional(),
  normalise: z.enum(['irmad', 'histogram', 'none']).optional(),
  threshold: z.number().optional(),
  minMappingUnitM2: z.number().positive().optional(),
  /** Folder for the output files, on the runner's file system. */
  outDir: z.string().min(1).optional(),
});

const detectPayloadSchema = z.strictObject({
  imageId: id,
  siteId: id.optional(),
  model: id.optional(),
  classes: z.array(id).min(1).optional(),
  minScore: z.number().min(0).max(1).optional(),
  gsdMeters: z.number().positive().optional(),
  testTimeFlips: z.boolean().optional(),
  batchSize: z.number().int().positive().optional(),
  outDir: z.string().min(1).optional(),
});

const assessPayloadSchema = z.strictObject({
  /** The playbook document (as parsed from its YAML or JSON file). */
  playbook: z.record(z.string(), z.unknown()),
  /** Names the playbook in messages, e.g. its file name. */
  label: z.string().min(1).default('playbook'),
  /** Date or date-time; observations after it are not used. Fixed at enqueue, so retries agree. */
  asOf: z.string().min(1),
});

/** One schema per kind; a new kind is a new entry here and a handler. */
export const JOB_PAYLOAD_SCHEMAS = {
  compare: comparePayloadSchema,
  detect: detectPayloadSchema,
  assess: assessPayloadSchema,
} as const;

export type JobKind = keyof typeof JOB_PAYLOAD_SCHEMAS;
export const JOB_KINDS = Object.keys(JOB_PAYLOAD_SCHEMAS) as JobKind[];

export type JobPayloads = { [K in JobKind]: z.output<(typeof JOB_PAYLOAD_SCHEMAS)[K]> };

export function isJobKind(value: string): value is JobKind {
  return (JOB_KINDS as readonly string[]).includes(value);
}

/** @throws ValidationError naming the kind and the kinds there are. */
export function parseJobKind(value: string): JobKind {
  if (!isJobKind(value)) {
    throw new ValidationError(
      `job kind must be one of ${JOB_KINDS.join(', ')}; got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * Validates a payload for its kind and returns it normalised (defaults filled, `asOf` as ISO
 * 8601 UTC).
 * @throws ValidationError listing every bad field as `payload.<path>: <problem>`.
 */
export function parseJobPayload<K extends JobKind>(kind: K, payload: unknown): JobPayloads[K] {
  const parsed = JOB_PAYLOAD_SCHEMAS[kind].safeParse(payload, { reportInput: true });
  if (!parsed.success) {
    const lines = formatZodIssues(
      parsed.error.issues.map((issue) => ({ ...issue, path: ['payload', ...issue.path] })),
    );
    throw new ValidationError(`invalid ${kind} job payload: ${lines.join('; ')}`);
  }
  const value = parsed.data;
  if ('asOf' in value) {
    return { ...value, asOf: parseAcquisitionTime(value.asOf, 'payload.asOf') } as JobPayloads[K];
  }
  return value as JobPayloads[K];
}
