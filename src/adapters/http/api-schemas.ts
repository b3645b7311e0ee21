/**
 * The API's request and response schemas (zod 4). Requests are parsed with them at the edge;
 * the OpenAPI document (docs/openapi.json) is generated from them. Domain objects are
 * described by their main fields and are open (`looseObject`): the full shapes are the
 * TypeScript types named in each description.
 */
import { z } from 'zod';
import { ROLES } from '../../core/auth/roles.ts';
import { parseAcquisitionTime } from '../../core/imagery/acquisition.ts';

/** Named schemas, emitted under `components.schemas` of the OpenAPI document. */
export const apiSchemaNames = z.registry<{ id: string }>();

export function named<T extends z.ZodType>(id: string, schema: T): T {
  apiSchemaNames.add(schema, { id });
  return schema;
}

/** An ISO 8601 date or date-time (UTC when no zone is given), canonicalised. */
export const isoDateText = z
  .string()
  .max(40)
  .transform((text, context) => {
    try {
      return parseAcquisitionTime(text, text);
    } catch {
      context.issues.push({
        code: 'custom',
        input: text,
        message: `"${text}" is not a date or date-time (expected e.g. 2019-02-22 or 2019-02-22T02:10:00Z)`,
      });
      return z.NEVER;
    }
  });

export const idParams = z.object({ id: z.string().min(1).max(200) });

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('Items per page (1–500).'),
  cursor: z.string().max(500).optional().describe('Opaque cursor from the previous page’s `next`.'),
});

export const dateRangeQuery = z.object({
  since: isoDateText.optional().describe('Only items at or after this time.'),
  until: isoDateText.optional().describe('Only items at or before this time.'),
});

/** `{ items, next }`: `next` is the cursor of the following page, null on the last. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next: z.string().nullable() });
}

export const problemSchema = named(
  'Problem',
  z
    .object({
      type: z.string(),
      title: z.string(),
      status: z.number().int(),
      detail: z.string(),
      invalidParams: z
        .array(z.object({ name: z.string(), reason: z.string() }))
        .optional()
        .describe('Each bad field (`query.since`, `body.password`, …) and what was expected.'),
    })
    .describe('RFC 9457 problem details (application/problem+json).'),
);

const geometry = z
  .looseObject({ type: z.string(), coordinates: z.unknown() })
  .describe('GeoJSON geometry, lon/lat (EPSG:4326).');

export const siteSchema = named(
  'Site',
  z
    .looseObject({
      id: z.string(),
      name: z.string(),
      kind: z.string(),
      tags: z.array(z.string()),
      notes: z.string(),
      geometry,
      zones: z.array(
        z.looseObject({ id: z.string(), name: z.string(), kind: z.string(), geometry }),
      ),
      links: z.array(
        z.object({ target: z.string(), relation: z.string(), note: z.string().optional() }),
      ),
    })
    .describe('A watched facility with its zones and links (core/catalog/site.ts Site).'),
);

export const imageSchema = named(
  'Image',
  z
    .looseObject({
      id: z.string(),
      sha256: z.string(),
      width: z.number().int(),
      height: z.number().int(),
      acquiredAt: z.string(),
      crs: z.string().nullable(),
      gsdMeters: z.number().nullable(),
      footprint: geometry.nullable(),
      sites: z.array(z.string()),
    })
    .describe('An ingested image (core/imagery/image.ts ImageRecord).'),
);

export const comparisonSchema = named(
  'Comparison',
  z
    .looseObject({
      id: z.string(),
      imageA: z.string(),
      imageB: z.string(),
      createdAt: z.string(),
      changedFraction: z.number(),
      polygonCount: z.number().int(),
      registration: z
        .looseObject({
          dx: z.number(),
          dy: z.number(),
          residualMedianPx: z.number().nullable(),
          residualP90Px: z.number().nullable(),
          confidence: z.number().describe('Of the global shift, 0–1.'),
          reliable: z.boolean().describe('confidence ≥ 0.5; when false the shift is not applied.'),
        })
        .describe('Co-registration of B onto A in reference pixels (core/change/comparison.ts).'),
    })
    .describe('A stored comparison of two images (core/change/comparison.ts Comparison).'),
);

export const detectionRunSchema = named(
  'DetectionRun',
  z
    .looseObject({
      id: z.string(),
      imageId: z.string(),
      createdAt: z.string(),
      detectionCount: z.number().int(),
      model: z.looseObject({ id: z.string(), version: z.string() }),
      counts: z.array(
        z.looseObject({
          zone: z.string().describe('Zone id, or `all` for the whole site or image.'),
          observable: z.boolean(),
          counts: z
            .record(z.string(), z.number())
            .nullable()
            .describe('Detections per class; null when the zone was not observable.'),
        }),
      ),
    })
    .describe('A detection run (app/detect/detection-run.ts DetectionRun).'),
);

export const detectionsGeoJsonSchema = named(
  'DetectionsFeatureCollection',
  z
    .looseObject({
      type: z.literal('FeatureCollection'),
      runId: z.string(),
      imageId: z.string(),
      features: z.array(
        z.looseObject({
          type: z.literal('Feature'),
          geometry: geometry.nullable(),
          properties: z.looseObject({ class: z.string(), score: z.number() }),
        }),
      ),
    })
    .describe('The detections of a run as GeoJSON (app/detect/detections-geojson.ts).'),
);

export const observationSchema = named(
  'Observation',
  z
    .looseObject({
      id: z.string(),
      siteId: z.string(),
      zoneId: z.string().nullable(),
      metric: z.string(),
      value: z.unknown(),
      observedAt: z.string(),
      observability: z.looseObject({ state: z.enum(['observed', 'not-observable']) }),
    })
    .describe('An observation (core/activity/observation.ts Observation).'),
);

export const seriesSchema = named(
  'ScoredSeries',
  z
    .looseObject({
      series: z.looseObject({ key: z.looseObject({ metric: z.string() }) }),
      scored: z.array(
        z.looseObject({ anomalyScore: z.number().nullable(), reason: z.string().nullable() }),
      ),
    })
    .describe('A series with baselines and anomaly scores (app/activity/series-query.ts).'),
);

export const assessmentSchema = named(
  'Assessment',
  z
    .looseObject({
      hypothesis: z.string(),
      prior: z.number(),
      probability: z.number(),
      asOf: z.string(),
      evidence: z.array(z.looseObject({ id: z.string() })),
      trajectory: z.array(
        z.object({ at: z.string(), probability: z.number(), logOdds: z.number() }),
      ),
    })
    .describe('A fused assessment with its evidence trail (core/assess/assessment.ts).'),
);

export const alertSchema = named(
  'Alert',
  z
    .object({
      alert: z.looseObject({
        id: z.string(),
        ruleId: z.string(),
        severity: z.string(),
        decidedAt: z.string(),
        factAt: z.string(),
      }),
      deliveries: z.array(z.looseObject({ channel: z.string(), state: z.string() })),
    })
    .describe('An alert with each channel’s delivery state.'),
);

export const roleSchema = z.enum(ROLES);

export const userSchema = named(
  'User',
  z.object({ name: z.string(), role: roleSchema, createdAt: z.string() }),
);

export const loginBody = z.object({
  name: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});

export const sessionSchema = named(
  'Session',
  z.object({ user: userSchema, expiresAt: z.string().nullable() }),
);

export const newUserBody = z.object({
  name: z.string(),
  role: roleSchema,
  password: z.string(),
});

export const newTokenBody = z.object({
  user: z.string().optional().describe('Whose token (admins only); default: the caller.'),
  label: z.string().max(200).optional(),
});

export const createdTokenSchema = named(
  'CreatedToken',
  z
    .object({
      token: z.string().describe('Shown once; only its sha256 is stored.'),
      id: z.string(),
      userName: z.string(),
      label: z.string(),
      createdAt: z.string(),
    })
    .describe('A new API token: send it as `Authorization: Bearer <token>`.'),
);

export const assessmentBody = z.object({
  playbook: z.unknown().describe('The playbook document (docs: examples/playbooks/*.yaml).'),
  asOf: isoDateText.optional().describe('Assess as of this time; default: now.'),
});

export const healthSchema = z.object({
  status: z.literal('ok'),
  version: z.string(),
  checks: z
    .record(z.string(), z.literal('ok'))
    .optional()
    .describe('Each dependency checked (store, queue) and its state; any failure answers 503.'),
});
