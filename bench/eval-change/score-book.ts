/**
 * Scores of every method and peer: per pair, pooled per dataset (sum of confusion counts over
 * its pairs) and overall (sum over every pair scored), plus derived "best of" entries.
 */
import type { ChangeScores, ConfusionCounts } from '../../src/core/change/metrics.ts';
import { createConfusionAccumulator, scoresOf } from '../../src/core/change/metrics.ts';
import { TRUTH_IGNORE, type ChangePair } from './datasets.ts';

/** Scores rounded for the record, with the counts they come from. */
export interface ScoreSummary extends ConfusionCounts {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly iou: number;
  /** Cohen's kappa: 0 for a prediction no better than chance (e.g. "all change"). */
  readonly kappa: number;
}

export interface PairResult {
  readonly scores: ScoreSummary | null;
  readonly seconds: number;
  readonly error: string | null;
  readonly details?: unknown;
}

export interface PairRecord {
  readonly dataset: string;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly changePixels: number;
  readonly ignoredPixels: number;
  readonly results: Record<string, PairResult>;
}

/** Pooled scores of one method on a set of pairs. */
export interface PooledScores extends ScoreSummary {
  readonly pairs: number;
  readonly failedPairs: number;
  /** For derived entries: which variant was chosen. */
  readonly chosen?: string;
}

const round = (v: number): number => Math.round(v * 1e4) / 1e4;

/** Rounds scores for the record. */
export function summarise(scores: ChangeScores): ScoreSummary {
  return {
    precision: round(scores.precision),
    recall: round(scores.recall),
    f1: round(scores.f1),
    iou: round(scores.iou),
    kappa: round(scores.kappa),
    truePositive: scores.truePositive,
    falsePositive: scores.falsePositive,
    falseNegative: scores.falseNegative,
    trueNegative: scores.trueNegative,
  };
}

/** Scores a mask against a pair's truth; truth pixels equal to 255 are not counted. */
export function scoreMask(mask: Uint8Array, truth: Uint8Array): ChangeScores {
  const valid = Uint8Array.from(truth, (v) => (v === TRUTH_IGNORE ? 0 : 1));
  const confusion = createConfusionAccumulator();
  confusion.add(mask, truth, valid);
  return confusion.result();
}

function pool(records: readonly PairRecord[], id: string): PooledScores | null {
  let counts = { truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 0 };
  let pairs = 0;
  let failedPairs = 0;
  for (const record of records) {
    const result = record.results[id];
    if (result === undefined) continue;
    if (result.scores === null) {
      failedPairs++;
      continue;
    }
    pairs++;
    counts = {
      truePositive: counts.truePositive + result.scores.truePositive,
      falsePositive: counts.falsePositive + result.scores.falsePositive,
      falseNegative: counts.falseNegative + result.scores.falseNegative,
      trueNegative: counts.trueNegative + result.scores.trueNegative,
    };
  }
  if (pairs === 0 && failedPairs === 0) return null;
  return { ...summarise(scoresOf(counts)), pairs, failedPairs };
}

export interface ScoreBook {
  /** Adds one pair's record (call {@link ScoreBook.result} on it for each method). */
  addPair(pair: ChangePair): PairRecord;
  /** Records a method's mask (null on failure) for a pair. */
  result(
    record: PairRecord,
    id: string,
    mask: Uint8Array | null,
    truth: Uint8Array,
    seconds: number,
    error: string | null,
    details?: unknown,
  ): PairResult;
  readonly pairs: readonly PairRecord[];
  /** Pooled scores of `id` over the pairs that `keep` selects (null: none ran). */
  pooled(id: string, keep?: (record: PairRecord) => boolean): PooledScores | null;
  /**
   * Per dataset, the variant of `of` with the highest pooled F1; overall, the sum of the
   * chosen variants' counts. Chosen on the labels: an optimistic figure for a peer.
   */
  bestOf(
    of: readonly string[],
    datasets: readonly string[],
  ): {
    perDataset: Record<string, PooledScores>;
    overall: PooledScores | null;
  };
}

/** Creates an empty {@link ScoreBook}. */
export function createScoreBook(): ScoreBook {
  const pairs: PairRecord[] = [];
  const pooled = (id: string, keep: (record: PairRecord) => boolean = () => true) =>
    pool(pairs.filter(keep), id);
  return {
    pairs,
    addPair(pair) {
      let changePixels = 0;
      let ignoredPixels = 0;
      for (const v of pair.truth) {
        if (v === 1) changePixels++;
        else if (v === TRUTH_IGNORE) ignoredPixels++;
      }
      const record = {
        dataset: pair.dataset,
        name: pair.name,
        width: pair.width,
        height: pair.height,
        changePixels,
        ignoredPixels,
        results: {},
      };
      pairs.push(record);
      return record;
    },
    result(record, id, mask, truth, seconds, error, details) {
      const entry: PairResult = {
        scores: mask === null ? null : summarise(scoreMask(mask, truth)),
        seconds: round(seconds),
        error,
        ...(details === undefined ? {} : { details }),
      };
      record.results[id] = entry;
      return entry;
    },
    pooled,
    bestOf(of, datasets) {
      const perDataset: Record<string, PooledScores> = {};
      const chosenOf: Record<string, string> = {};
      for (const dataset of datasets) {
        const candidates = of
          .map((id) => ({ id, scores: pooled(id, (r) => r.dataset === dataset) }))
          .filter((c): c is { id: string; scores: PooledScores } => c.scores !== null);
        candidates.sort((a, b) => b.scores.f1 - a.scores.f1);
        const best = candidates[0];
        if (best === undefined) continue;
        perDataset[dataset] = { ...best.scores, chosen: best.id };
        chosenOf[dataset] = best.id;
      }
      const overall = pool(
        pairs.map((r) => {
          const chosen = chosenOf[r.dataset];
          const result = chosen === undefined ? undefined : r.results[chosen];
          return { ...r, results: result === undefined ? {} : { best: result } };
        }),
        'best',
      );
      return { perDataset, overall };
    },
  };
}
