/**
 * The shape of an observation as an analyst enters it (a command line, or one entry of an
 * import file in JSON or YAML), checked with clear errors before anything is looked up.
 */
import { z } from 'zod';
import { formatZodIssues } from '../catalog/zod-issues.ts';
import { ValidationError } from '../errors.ts';

const entrySchema = z.strictObject({
  site: z.string().min(1),
  zone: z.string().min(1).nullable().optional(),
  metric: z.string().min(1),
  /** Absent or null only with `notObservable`. */
  value: z.union([z.number(), z.boolean()]).nullable().optional(),
  /** Date or date-time; defaults to the image's acquisition time. */
  observedAt: z.string().optional(),
  /** Image id (`img_…`) or sha256. */
  image: z.string().min(1).nullable().optional(),
  note: z.string().optional(),
  author: z.string().min(1).optional(),
  /** The analyst's reason when the zone could not be seen. */
  notObservable: z.string().min(1).optional(),
  /** Override or supply what the image metadata says (e.g. the zone's own cloud cover). */
  gsdMeters: z.number().positive().optional(),
  cloudCoverPercent: z.number().min(0).max(100).optional(),
  zoneVisibleShare: z.number().min(0).max(1).optional(),
});

/** One observation as entered. */
export type ObservationEntry = z.infer<typeof entrySchema>;

const fileSchema = z.union([
  z.array(z.unknown()),
  z.looseObject({ observations: z.array(z.unknown()) }),
]);

/**
 * Checks one entry.
 * @param label names the entry in messages (e.g. `obs.json: observations[3]`).
 * @throws ValidationError naming every bad field and value.
 */
export function parseObservationEntry(json: unknown, label: string): ObservationEntry {
  const parsed = entrySchema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    throw new ValidationError(
      formatZodIssues(parsed.error.issues)
        .map((line) => `${label}: ${line}`)
        .join('\n'),
    );
  }
  const entry = parsed.data;
  if ((entry.value === undefined || entry.value === null) && entry.notObservable === undefined) {
    throw new ValidationError(
      `${label}: value: missing; give the value seen, or notObservable with the reason the zone could not be seen`,
    );
  }
  return entry;
}

/**
 * The entries of an import file: a list, or an object with an `observations` list (other
 * members, such as a description, are ignored). Entries are returned unchecked, each to be
 * checked with {@link parseObservationEntry}.
 * @throws ValidationError when the file is neither.
 */
export function observationEntriesOf(
  json: unknown,
  label: string,
): { path: string; json: unknown }[] {
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError(
      `${label}: expected a list of observations or an object with an "observations" list`,
    );
  }
  const list = Array.isArray(parsed.data) ? parsed.data : parsed.data.observations;
  const prefix = Array.isArray(parsed.data) ? '' : 'observations';
  return list.map((item, index) => ({ path: `${prefix}[${index}]`, json: item }));
}
