/**
 * The brief's methods and provenance section: every image (sha256, sensor, date, GSD,
 * provider), every comparison (method, parameters, registration shift and residuals) and
 * detection run (model, version, hash, parameters), and how series and the assessment were
 * computed.
 */
import type { Comparison } from '../change/comparison.ts';
import type { BriefDetectionRun, BriefInputs } from './brief-inputs.ts';
import { BRIEF_ANOMALY_SCORE } from './brief-inputs.ts';
import type { BriefBlock, BriefSection, BriefTableColumn } from './document.ts';

const orDash = (value: string | null | undefined): string =>
  value === null || value === undefined || value === '' ? '—' : value;

const numberOrDash = (value: number | null, digits: number): string =>
  value === null ? '—' : value.toFixed(digits);

/** `name=value` pairs of a parameter object, sorted by name, objects as compact JSON. */
export function parameterText(parameters: Readonly<Record<string, unknown>>): string {
  return Object.keys(parameters)
    .sort()
    .map((k) => {
      const v = parameters[k];
      return `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`;
    })
    .join(', ');
}

function comparisonRow(c: Comparison): string[] {
  const r = c.registration;
  return [
    c.id,
    `${c.imageA} → ${c.imageB}`,
    c.parameters.method,
    `dx ${r.dx.toFixed(2)}, dy ${r.dy.toFixed(2)} px${r.applied ? '' : ' (not applied)'}`,
    `${numberOrDash(r.residualMedianPx, 2)} / ${numberOrDash(r.residualP90Px, 2)}`,
    `${r.confidence.toFixed(2)}${r.reliable ? '' : ' unreliable'}`,
    `${(c.changedFraction * 100).toFixed(2)} %`,
  ];
}

function runRow(r: BriefDetectionRun): string[] {
  return [
    r.id,
    r.imageId,
    `${r.modelId}@${r.modelVersion}`,
    orDash(r.modelSha256),
    String(r.detectionCount),
  ];
}

/** See the file comment. */
/** A table of `items` with a note under it for each, or a "None." note when there are none. */
function tableWithNotes<T>(
  items: readonly T[],
  columns: readonly BriefTableColumn[],
  row: (item: T) => string[],
  note: (item: T) => string,
): BriefBlock[] {
  if (items.length === 0) return [{ kind: 'paragraph', text: 'None.', style: 'note' }];
  return [
    { kind: 'table', columns, rows: items.map(row) },
    ...items.map((item): BriefBlock => ({ kind: 'paragraph', style: 'note', text: note(item) })),
  ];
}

export function methodsSection(inputs: BriefInputs): BriefSection {
  const blocks: BriefBlock[] = [
    {
      kind: 'key-values',
      pairs: [
        ['software', `sitewatch ${inputs.softwareVersion}`],
        ['generated', inputs.generatedAt],
        [
          'series baselines',
          `trailing median/MAD per series; points with |robust z| ≥ ${BRIEF_ANOMALY_SCORE} marked as anomalies; not-observable observations are gaps, never zeros`,
        ],
        [
          'assessment',
          'log-odds fusion of the playbook indicators (likelihood ratios weighted by age), analysts’ reviews in force applied',
        ],
      ],
    },
    { kind: 'subheading', text: `Images (${inputs.images.length})` },
    inputs.images.length === 0
      ? { kind: 'paragraph', text: 'None.', style: 'note' }
      : {
          kind: 'table',
          columns: [
            { title: 'image', weight: 2.6 },
            { title: 'acquired (UTC)', weight: 2.0 },
            { title: 'sensor', weight: 1.6 },
            { title: 'GSD m', weight: 0.8, align: 'right' },
            { title: 'sha256', weight: 7 },
          ],
          rows: inputs.images.map((i) => [
            i.id,
            i.acquisition.acquiredAt.slice(0, 16).replace('T', ' '),
            orDash(i.acquisition.sensor),
            numberOrDash(i.gsdMeters, 2),
            i.sha256,
          ]),
        },
    { kind: 'subheading', text: `Comparisons (${inputs.comparisons.length})` },
  ];
  blocks.push(
    ...tableWithNotes(
      inputs.comparisons,
      [
        { title: 'comparison', weight: 2.2 },
        { title: 'images A → B', weight: 4.4 },
        { title: 'method', weight: 1.4 },
        { title: 'shift', weight: 2.6 },
        { title: 'residual median / p90 px', weight: 2 },
        { title: 'confidence', weight: 1.6 },
        { title: 'changed', weight: 1.2, align: 'right' },
      ],
      comparisonRow,
      (c) =>
        `${c.id} (sitewatch ${c.softwareVersion}, ${c.createdAt}): ${parameterText({ ...c.parameters })}`,
    ),
  );
  blocks.push({ kind: 'subheading', text: `Detection runs (${inputs.detectionRuns.length})` });
  blocks.push(
    ...tableWithNotes(
      inputs.detectionRuns,
      [
        { title: 'run', weight: 2.2 },
        { title: 'image', weight: 2.2 },
        { title: 'model', weight: 2.4 },
        { title: 'model sha256', weight: 6 },
        { title: 'detections', weight: 1.2, align: 'right' },
      ],
      runRow,
      (r) => `${r.id} (${r.createdAt}): ${parameterText(r.parameters)}`,
    ),
  );
  return { id: 'methods', title: 'Methods and provenance', blocks, newPage: true };
}
