/** Order statistics used to summarise and combine shift estimates. */

/**
 * The p-quantile (p in [0, 1]) of the finite values, by linear interpolation between order
 * statistics at position p·(n − 1) (numpy's default); null when there is no finite value.
 */
export function quantile(values: readonly number[], p: number): number | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const position = Math.min(1, Math.max(0, p)) * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  const low = sorted[below] ?? 0;
  const high = sorted[above] ?? low;
  return low + (position - below) * (high - low);
}

/**
 * The weighted median of values[i] with weights[i] ≥ 0: the smallest value whose cumulative
 * weight reaches half the total, averaged with the next value on an exact tie. Entries with a
 * non-finite value or a weight ≤ 0 are ignored; null when none remain.
 */
export function weightedMedian(
  values: readonly number[],
  weights: readonly number[],
): number | null {
  const entries = values
    .map((value, i) => ({ value, weight: weights[i] ?? 0 }))
    .filter((e) => Number.isFinite(e.value) && e.weight > 0 && Number.isFinite(e.weight))
    .sort((a, b) => a.value - b.value);
  const total = entries.reduce((sum, e) => sum + e.weight, 0);
  if (entries.length === 0) return null;
  let cumulative = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (entry === undefined) break;
    cumulative += entry.weight;
    if (Math.abs(cumulative - total / 2) <= 1e-12 * total) {
      return (entry.value + (entries[i + 1]?.value ?? entry.value)) / 2;
    }
    if (cumulative > total / 2) return entry.value;
  }
  return entries[entries.length - 1]?.value ?? null;
}
