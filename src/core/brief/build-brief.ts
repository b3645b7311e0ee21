/**
 * Builds the brief's document model from the gathered inputs: the subject and its linked sites,
 * the assessment and its probability over time, the evidence with thumbnails, a before/after
 * figure, the activity charts, the observability gaps and caveats, and (methods.ts) the
 * methods and provenance. Pure: the same inputs give the same document.
 */
import type { Evidence } from '../assess/assessment.ts';
import type { BriefInputs, BriefSeries } from './brief-inputs.ts';
import { BRIEF_ANOMALY_SCORE, BRIEF_MAX_CHARTS } from './brief-inputs.ts';
import { layoutTimeChart } from './chart.ts';
import type { BriefBlock, BriefDocument, BriefSection } from './document.ts';
import { methodsSection } from './methods.ts';

export const percentText = (p: number): string => `${(p * 100).toFixed(1)} %`;

export function seriesLabel(s: BriefSeries): string {
  const k = s.series.key;
  return `${k.siteId}${k.zoneId === null ? '' : `/${k.zoneId}`} ${k.metric}`;
}

function subjectSection(inputs: BriefInputs): BriefSection {
  const intro =
    inputs.subject.kind === 'site'
      ? `Brief on site ${inputs.subject.siteId} and the sites it links to.`
      : `Brief on the playbook ${inputs.subject.label} and the sites its indicators name.`;
  return {
    id: 'subject',
    title: 'Sites',
    blocks: [
      { kind: 'paragraph', text: intro },
      {
        kind: 'table',
        columns: [
          { title: 'site', weight: 2 },
          { title: 'name', weight: 3 },
          { title: 'kind', weight: 2 },
          { title: 'zones', weight: 3 },
          { title: 'links', weight: 4 },
        ],
        rows: inputs.sites.map((s) => [
          s.id,
          s.name,
          s.kind,
          s.zones.map((z) => z.id).join(', ') || '—',
          s.links.map((l) => `${l.relation} ${l.target}`).join('; ') || '—',
        ]),
      },
    ],
  };
}

function assessmentSection(inputs: BriefInputs): BriefSection {
  const a = inputs.assessment;
  if (a === null) {
    return {
      id: 'assessment',
      title: 'Assessment',
      blocks: [
        {
          kind: 'paragraph',
          text: 'No playbook assessment covers this site: no watched playbook names it. Run the brief with --playbook for a hypothesis, its probability and its evidence.',
          style: 'note',
        },
      ],
    };
  }
  const trajectory = a.trajectory.map((t) => ({
    atMs: Date.parse(t.at),
    value: t.probability,
    anomaly: false,
  }));
  const blocks: BriefBlock[] = [
    { kind: 'paragraph', text: `${a.hypothesis} — ${a.title}`, style: 'strong' },
    {
      kind: 'key-values',
      pairs: [
        ['as of', a.asOf],
        ['probability', percentText(a.probability)],
        ['prior', percentText(a.prior)],
        ['log-odds', `${a.priorLogOdds.toFixed(3)} → ${a.logOdds.toFixed(3)}`],
        ['indicators', String(a.evidence.length)],
      ],
    },
    {
      kind: 'chart',
      chart: layoutTimeChart({
        title: 'Probability over time',
        points: trajectory,
        gapsMs: [],
        yDomain: [0, 1],
        step: true,
        reference: { value: a.prior, label: `prior ${percentText(a.prior)}` },
        formatY: (v) => `${Math.round(v * 100)} %`,
      }),
    },
  ];
  if (inputs.snapshots.length > 0) {
    blocks.push({
      kind: 'paragraph',
      style: 'note',
      text: `Recorded snapshots: ${inputs.snapshots
        .slice(-12)
        .map((s) => `${s.asOf.slice(0, 10)} ${percentText(s.probability)}`)
        .join(
          '; ',
        )}${inputs.snapshots.length > 12 ? ` (latest 12 of ${inputs.snapshots.length})` : ''}.`,
    });
  }
  return { id: 'assessment', title: 'Assessment', blocks };
}

function evidenceRow(e: Evidence): string[] {
  return [
    e.indicator,
    e.zone === null ? e.site : `${e.site}/${e.zone}`,
    `${e.observed}${e.overridden ? ' (overridden)' : ''}`,
    e.observedAt === null ? '—' : e.observedAt.slice(0, 10),
    e.likelihoodRatio === null ? '—' : String(e.likelihoodRatio),
    e.logLikelihoodRatio.toFixed(3),
    e.reason,
  ];
}

function evidenceSection(inputs: BriefInputs): BriefSection | null {
  const a = inputs.assessment;
  if (a === null) return null;
  const blocks: BriefBlock[] = [
    {
      kind: 'table',
      columns: [
        { title: 'indicator', weight: 3 },
        { title: 'where', weight: 3 },
        { title: 'observed', weight: 2 },
        { title: 'date', weight: 2 },
        { title: 'LR', weight: 1, align: 'right' },
        { title: 'log-odds', weight: 1.5, align: 'right' },
        { title: 'reason', weight: 6 },
      ],
      rows: a.evidence.map(evidenceRow),
    },
  ];
  const sources = a.evidence.flatMap((e) =>
    e.sources.map(
      (s) =>
        `${e.indicator}: ${s.observationId} (${s.kind}${s.imageId === null ? '' : `, image ${s.imageId}`}${s.comparisonId === null ? '' : `, comparison ${s.comparisonId}`}, by ${s.author})`,
    ),
  );
  if (sources.length > 0) {
    blocks.push({ kind: 'subheading', text: 'Sources' });
    for (const line of sources) blocks.push({ kind: 'paragraph', text: line, style: 'note' });
  }
  const imageIds = [
    ...new Set(
      a.evidence.flatMap((e) => e.sources.flatMap((s) => (s.imageId === null ? [] : [s.imageId]))),
    ),
  ];
  const items = imageIds.flatMap((id) => {
    const raster = inputs.thumbnails.get(id);
    const image = inputs.images.find((i) => i.id === id);
    const date = image === undefined ? '' : ` ${image.acquisition.acquiredAt.slice(0, 10)}`;
    return raster === undefined ? [] : [{ raster, caption: `${id}${date}` }];
  });
  if (items.length > 0) {
    blocks.push({ kind: 'subheading', text: 'Evidence images' });
    blocks.push({ kind: 'images', items, widthPt: 120 });
  }
  return { id: 'evidence', title: 'Evidence', blocks };
}

function figureSection(inputs: BriefInputs): BriefSection | null {
  const evidenceImages = new Set(
    inputs.assessment?.evidence.flatMap((e) => e.sources.map((s) => s.imageId)) ?? [],
  );
  const latest = inputs.images.flatMap((image) => {
    const raster = inputs.thumbnails.get(image.id);
    return raster === undefined || evidenceImages.has(image.id)
      ? []
      : [{ raster, caption: `${image.id} ${image.acquisition.acquiredAt.slice(0, 10)}` }];
  });
  const blocks: BriefBlock[] = [];
  if (latest.length > 0) {
    blocks.push({ kind: 'subheading', text: 'Latest images' });
    blocks.push({ kind: 'images', items: latest, widthPt: 120 });
  }
  if (inputs.beforeAfter !== null) {
    blocks.push({ kind: 'subheading', text: 'Before and after' });
    blocks.push({ kind: 'images', items: [inputs.beforeAfter], widthPt: 500 });
  }
  return blocks.length === 0 ? null : { id: 'imagery', title: 'Imagery', blocks };
}

function seriesSection(inputs: BriefInputs): BriefSection {
  const charted = inputs.series.slice(0, BRIEF_MAX_CHARTS);
  const blocks: BriefBlock[] = charted.map((s) => ({
    kind: 'chart',
    chart: layoutTimeChart({
      title: seriesLabel(s),
      points: s.scored.map((p) => ({
        atMs: p.atMs,
        value: p.value,
        anomaly: p.anomalyScore !== null && Math.abs(p.anomalyScore) >= BRIEF_ANOMALY_SCORE,
      })),
      gapsMs: s.series.notObservable.map((p) => p.atMs),
    }),
  }));
  if (inputs.series.length === 0) {
    blocks.push({ kind: 'paragraph', text: 'No observations of these sites.', style: 'note' });
  }
  const rest = inputs.series.slice(BRIEF_MAX_CHARTS);
  if (rest.length > 0) {
    blocks.push({
      kind: 'paragraph',
      style: 'note',
      text: `Not charted (${rest.length} more series): ${rest.map(seriesLabel).join(', ')}.`,
    });
  }
  return { id: 'series', title: 'Activity over time', blocks, newPage: true };
}

function caveatLines(inputs: BriefInputs): string[] {
  const lines: string[] = [];
  for (const e of inputs.assessment?.evidence ?? []) {
    if (e.observed === 'unobservable') {
      lines.push(
        `${e.indicator} at ${e.site}: not observable, so it did not update the probability.`,
      );
    }
    if (e.overridden)
      lines.push(`${e.indicator}: an analyst's review overrides the reading as measured.`);
  }
  for (const c of inputs.comparisons) {
    if (!c.registration.reliable) {
      lines.push(
        `Comparison ${c.id} (${c.imageA} → ${c.imageB}): registration unreliable (confidence ${c.registration.confidence.toFixed(2)}); its changes may be misregistration.`,
      );
    }
  }
  for (const i of inputs.images) {
    const cloud = i.acquisition.cloudCoverPercent;
    if (cloud !== null && cloud >= 50)
      lines.push(`Image ${i.id}: ${cloud.toFixed(0)} % cloud cover.`);
  }
  if (inputs.images.length === 0) lines.push('No images of these sites are held.');
  return [...lines, ...inputs.caveats];
}

function gapsSection(inputs: BriefInputs): BriefSection {
  const rows = inputs.series.flatMap((s) =>
    s.series.notObservable.map((p) => [
      seriesLabel(s),
      p.at.slice(0, 16).replace('T', ' '),
      p.reasons.map((r) => r.message).join('; ') || 'not observable',
    ]),
  );
  const blocks: BriefBlock[] = [
    rows.length === 0
      ? { kind: 'paragraph', text: 'No observation was marked not observable.', style: 'note' }
      : {
          kind: 'table',
          columns: [
            { title: 'series', weight: 3 },
            { title: 'time (UTC)', weight: 2 },
            { title: 'why not observable', weight: 6 },
          ],
          rows,
        },
    { kind: 'subheading', text: 'Caveats' },
  ];
  const caveats = caveatLines(inputs);
  if (caveats.length === 0) blocks.push({ kind: 'paragraph', text: 'None found.', style: 'note' });
  for (const line of caveats) blocks.push({ kind: 'paragraph', text: `• ${line}` });
  return { id: 'gaps', title: 'Observability gaps and caveats', blocks };
}

/** See the file comment. */
export function buildBrief(inputs: BriefInputs): BriefDocument {
  const subject =
    inputs.subject.kind === 'site'
      ? (inputs.sites[0]?.name ?? inputs.subject.siteId)
      : (inputs.assessment?.title ?? inputs.subject.label);
  const sections = [
    subjectSection(inputs),
    assessmentSection(inputs),
    evidenceSection(inputs),
    figureSection(inputs),
    seriesSection(inputs),
    gapsSection(inputs),
    methodsSection(inputs),
  ].filter((s): s is BriefSection => s !== null);
  return {
    title: `sitewatch brief: ${subject}`,
    subtitle: `${inputs.sites.length} site(s), ${inputs.images.length} image(s), ${inputs.series.length} series${inputs.assessment === null ? '' : `; as of ${inputs.assessment.asOf}`}`,
    generatedAt: inputs.generatedAt,
    sections,
  };
}
