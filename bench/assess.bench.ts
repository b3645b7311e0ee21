/**
 * Activity benchmark (issue 5): 1,000 sites × 5 years of weekly observations × 5 metrics.
 *
 *   npx tsx bench/assess.bench.ts          (BENCH_SITES=100 for a quick run)
 *
 * Measures, in one run on one machine:
 *   1. ingest of the observations into SQLite (SqliteObservationRepository.insertMany, 5,000 per
 *      transaction), against the peer: a bare better-sqlite3 insert of the same rows with no
 *      document and no index but the primary key (the floor for any SQLite store);
 *   2. baselines and anomaly scores of every series (reading each site back, then trailing and
 *      seasonal baselines);
 *   3. re-fusion of 50 playbooks after one new observation, incremental (IncrementalAssessment),
 *      against re-reading every observation of the 50 playbooks in memory and fusing again
 *      (readPlaybook + assessAt, without the trajectory: the peer);
 *      target: under 100 ms.
 * Writes bench/results/assess.json (or BENCH_RESULT) with the machine and commit.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

import { openSqliteDatabase } from '../src/adapters/sqlite/sqlite-database.ts';
import { SqliteObservationRepository } from '../src/adapters/sqlite/sqlite-observation-repository.ts';
import { MetricRegistry } from '../src/core/activity/metrics.ts';
import {
  OBSERVATION_SCHEMA_VERSION,
  observationIdentity,
  observationIdFromSha256,
  type Observation,
} from '../src/core/activity/observation.ts';
import { scoreSeries } from '../src/core/activity/robust-baseline.ts';
import { assembleSeries, seriesKeysOf } from '../src/core/activity/series.ts';
import { assessAt, readPlaybook } from '../src/core/assess/assessment.ts';
import { formatCondition, parseCondition } from '../src/core/assess/condition.ts';
import { IncrementalAssessment } from '../src/core/assess/incremental-assessment.ts';
import type { Indicator, Playbook } from '../src/core/assess/playbook.ts';
import { machineInfo, median } from './machine.ts';
import { seededRandom } from '../src/core/random.ts';

const SITES = Number(process.env.BENCH_SITES ?? 1000);
const WEEKS = 5 * 52;
const PLAYBOOKS = 50;
const INDICATORS_PER_PLAYBOOK = 6;
const TRIALS = Number(process.env.BENCH_TRIALS ?? 25);
const BATCH = 5000;
const METRICS = [
  'vehicles',
  'trucks',
  'crane-present',
  'construction-activity',
  'changed-fraction',
] as const;
const CONDITIONS: Readonly<Record<(typeof METRICS)[number], string>> = {
  vehicles: 'vehicles anomaly >= 2',
  trucks: 'trucks anomaly >= 2',
  'crane-present': 'crane-present',
  'construction-activity': 'construction-activity',
  'changed-fraction': 'changed-fraction >= 5%',
};
const START_MS = Date.UTC(2019, 0, 4, 2, 10);
const WEEK_MS = 7 * 86_400_000;
const metrics = new MetricRegistry();
const ENTERED_AT = '2024-05-01T12:00:00.000Z';

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
/** Partial figures on stderr as each stage ends, for a run stopped before the result is written. */
function progress(line: string): void {
  console.error(`[${new Date().toISOString()}] ${line}`);
}

function observation(
  site: number,
  metric: (typeof METRICS)[number],
  week: number,
  random: () => number,
): Observation {
  const hidden = random() < 0.1;
  const seasonal = Math.sin((2 * Math.PI * week) / 52);
  const value =
    metric === 'vehicles' || metric === 'trucks'
      ? Math.max(
          0,
          Math.round(10 + 4 * seasonal + 3 * (random() - 0.5) + (random() < 0.02 ? 20 : 0)),
        )
      : metric === 'changed-fraction'
        ? Math.round(random() * random() * 1000) / 10000
        : random() < 0.05;
  const core = {
    siteId: `site-${site}`,
    zoneId: 'z',
    metric,
    value,
    observedAt: new Date(START_MS + week * WEEK_MS).toISOString(),
    source: {
      kind: 'detection' as const,
      imageId: `img_${site}_${week}`,
      runId: `run_${site}_${week}`,
      comparisonId: null,
    },
    author: 'sitewatch',
    observability: {
      state: hidden ? ('not-observable' as const) : ('observed' as const),
      reasons: hidden
        ? [{ rule: 'cloud-cover' as const, message: 'cloud cover 80.0% is above 20%' }]
        : [],
      unchecked: [],
      zoneVisibleShare: 1,
      gsdMeters: 0.5,
      cloudCoverPercent: hidden ? 80 : 5,
    },
  };
  return {
    schemaVersion: OBSERVATION_SCHEMA_VERSION,
    id: observationIdFromSha256(sha256Hex(observationIdentity(core))),
    ...core,
    enteredAt: ENTERED_AT,
    note: '',
  };
}

function* batches(random: () => number): Generator<Observation[]> {
  let batch: Observation[] = [];
  for (let site = 0; site < SITES; site += 1) {
    for (const metric of METRICS) {
      for (let week = 0; week < WEEKS; week += 1) {
        batch.push(observation(site, metric, week, random));
        if (batch.length === BATCH) {
          yield batch;
          batch = [];
        }
      }
    }
  }
  if (batch.length > 0) yield batch;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-assess-'));
try {
  // 1. Ingest.
  const db = openSqliteDatabase(join(dir, 'sitewatch.db'));
  const repository = new SqliteObservationRepository(db);
  let total = 0;
  let generateMs = 0;
  let t0 = process.hrtime.bigint();
  const generator = batches(seededRandom(5));
  let ingestMs = 0;
  for (;;) {
    const g0 = process.hrtime.bigint();
    const next = generator.next();
    generateMs += ms(g0);
    if (next.done === true) break;
    const i0 = process.hrtime.bigint();
    await repository.insertMany(next.value);
    ingestMs += ms(i0);
    total += next.value.length;
  }
  const wallMs = ms(t0);
  const peer = new Database(join(dir, 'peer.db'));
  peer.pragma('journal_mode = WAL');
  peer.pragma('synchronous = NORMAL');
  peer.exec(
    'CREATE TABLE o (id TEXT PRIMARY KEY, site TEXT, metric TEXT, at TEXT, value REAL) STRICT',
  );
  const insert = peer.prepare('INSERT INTO o VALUES (?, ?, ?, ?, ?)');
  const peerInsert = peer.transaction((rows: Observation[]) => {
    for (const o of rows)
      insert.run(
        o.id,
        o.siteId,
        o.metric,
        o.observedAt,
        typeof o.value === 'boolean' ? Number(o.value) : o.value,
      );
  });
  let peerMs = 0;
  for (const batch of batches(seededRandom(5))) {
    const p0 = process.hrtime.bigint();
    peerInsert(batch);
    peerMs += ms(p0);
  }
  peer.close();
  progress(
    `ingest: ${total} observations stored in ${Math.round(ingestMs)} ms (peer ${Math.round(peerMs)} ms)`,
  );

  // 2. Baselines and anomaly scores of every series, site by site from the store.
  t0 = process.hrtime.bigint();
  let readMs = 0;
  let scored = 0;
  let trailingMs = 0;
  let seasonalMs = 0;
  for (let site = 0; site < SITES; site += 1) {
    const r0 = process.hrtime.bigint();
    const list = await repository.list({ siteId: `site-${site}` });
    readMs += ms(r0);
    for (const key of seriesKeysOf(list)) {
      const series = assembleSeries(list, key);
      const madFloor = metrics.get(key.metric)?.madFloor ?? 1;
      const s0 = process.hrtime.bigint();
      scored += scoreSeries(series, {
        window: { kind: 'days', days: 90 },
        seasonal: false,
        madFloor,
      }).length;
      trailingMs += ms(s0);
      const s1 = process.hrtime.bigint();
      scoreSeries(series, { window: { kind: 'days', days: 90 }, seasonal: true, madFloor });
      seasonalMs += ms(s1);
    }
  }
  const scoresWallMs = ms(t0);
  progress(
    `scores: ${scored} points; read ${Math.round(readMs)} ms, trailing ${Math.round(trailingMs)} ms, seasonal ${Math.round(seasonalMs)} ms`,
  );

  // 3. Re-fusion of 50 playbooks after one new observation. Every playbook binds one
  // indicator to site-0's vehicles (the worst case: the new observation touches all 50).
  const random = seededRandom(50);
  const playbooks: Playbook[] = [];
  for (let p = 0; p < PLAYBOOKS; p += 1) {
    const indicators: Indicator[] = [];
    for (let i = 0; i < INDICATORS_PER_PLAYBOOK; i += 1) {
      const metric =
        i === 0 ? 'vehicles' : (METRICS[Math.floor(random() * METRICS.length)] ?? 'vehicles');
      const site = i === 0 ? 0 : Math.floor(random() * SITES);
      const condition = parseCondition(CONDITIONS[metric]);
      indicators.push({
        id: `i${i}`,
        description: '',
        bindings: [{ siteId: `site-${site}`, zoneId: 'z' }],
        condition,
        conditionText: formatCondition(condition),
        likelihoodRatio: { present: 1.5 + random() * 4, absent: 0.4 + random() * 0.5 },
        windowDays: 30,
        halfLifeDays: 21,
        baseline: { window: { kind: 'days', days: 90 }, seasonal: false },
      });
    }
    playbooks.push({
      hypothesis: `h${p}`,
      title: `h${p}`,
      description: '',
      prior: 0.1,
      indicators,
    });
  }
  const l0 = process.hrtime.bigint();
  const observationsOf = new Map<Playbook, Observation[]>();
  for (const playbook of playbooks) {
    const lists = await Promise.all(
      playbook.indicators.map((i) =>
        repository.list({ siteId: i.bindings[0]!.siteId, zoneId: 'z', metric: i.condition.metric }),
      ),
    );
    observationsOf.set(playbook, lists.flat());
  }
  const assessors = playbooks.map(
    (p) => new IncrementalAssessment(p, metrics, observationsOf.get(p)),
  );
  const loadMs = ms(l0);
  const insertOneMs: number[] = [];
  const incrementalMs: number[] = [];
  const fullMs: number[] = [];
  const incrementalCpuMs: number[] = [];
  const check: number[] = [];
  const trialRandom = seededRandom(99);
  const incrementalTrialsMs: number[] = [];
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const fresh = observation(0, 'vehicles', WEEKS + trial, trialRandom);
    const asOf = fresh.observedAt;
    const i0 = process.hrtime.bigint();
    await repository.insertMany([fresh]);
    insertOneMs.push(ms(i0));
    const c0 = process.cpuUsage();
    const f0 = process.hrtime.bigint();
    const incremental = assessors.map((a) => {
      a.add(fresh);
      return a.assessAt(asOf).probability;
    });
    incrementalMs.push(ms(f0));
    incrementalTrialsMs.push(Math.round(ms(f0) * 10) / 10);
    const cpu = process.cpuUsage(c0);
    incrementalCpuMs.push((cpu.user + cpu.system) / 1000);
    for (const playbook of playbooks) observationsOf.get(playbook)?.push(fresh);
    const p0 = process.hrtime.bigint();
    const full = playbooks.map(
      (p) =>
        assessAt(readPlaybook(p, observationsOf.get(p) ?? [], metrics), Date.parse(asOf))
          .probability,
    );
    fullMs.push(ms(p0));
    progress(
      `re-fusion trial ${trial}: incremental ${incrementalTrialsMs.at(-1)} ms, CPU ${incrementalCpuMs.at(-1)} ms, ended at ${Math.round(performance.now())} ms`,
    );
    check.push(Math.max(...incremental.map((value, i) => Math.abs(value - (full[i] ?? NaN)))));
  }
  db.close();

  const result = {
    benchmark: 'assess',
    command: `BENCH_SITES=${SITES} npx tsx bench/assess.bench.ts`,
    machine: { ...machineInfo(), loadAverage1m: loadavg()[0] },
    sites: SITES,
    weeks: WEEKS,
    metrics: METRICS.length,
    observations: total,
    ingest: {
      generateMs: Math.round(generateMs),
      storeMs: Math.round(ingestMs),
      wallMs: Math.round(wallMs),
      observationsPerSecond: Math.round(total / (ingestMs / 1000)),
      peerBareInsertMs: Math.round(peerMs),
      ratioVsPeer: Math.round((ingestMs / peerMs) * 100) / 100,
    },
    scores: {
      readMs: Math.round(readMs),
      trailingMs: Math.round(trailingMs),
      seasonalMs: Math.round(seasonalMs),
      wallMs: Math.round(scoresWallMs),
      pointsScored: scored,
    },
    refusion: {
      playbooks: PLAYBOOKS,
      indicatorsPerPlaybook: INDICATORS_PER_PLAYBOOK,
      trials: TRIALS,
      loadMs: Math.round(loadMs),
      insertOneMedianMs: median(insertOneMs),
      incrementalMedianMs: median(incrementalMs),
      incrementalMaxMs: Math.max(...incrementalMs),
      incrementalCpuMedianMs: median(incrementalCpuMs),
      peerFullRecomputeMedianMs: median(fullMs),
      speedupVsPeer: Math.round((median(fullMs) / median(incrementalMs)) * 10) / 10,
      incrementalCpuMaxMs: Math.max(...incrementalCpuMs),
      incrementalTrialsMs,
      maxProbabilityDifference: Math.max(...check),
      under100Ms: Math.max(...incrementalMs) < 100,
    },
  };
  console.log(JSON.stringify(result, null, 2));
  const out = resolve(import.meta.dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    process.env.BENCH_RESULT ?? join(out, 'assess.json'),
    `${JSON.stringify(result, null, 2)}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
