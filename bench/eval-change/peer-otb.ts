/**
 * Peer: Orfeo ToolBox `otbcli_MultivariateAlterationDetector` (one MAD pass) followed by a
 * threshold on the chi-square statistic Z = Σᵢ (MADᵢ/σᵢ)², σᵢ the standard deviation of MAD
 * band i over the image: (i) Otsu on log Z, (ii) Z above the χ²(n) 0.99 quantile. No
 * post-processing: this is the pipeline whose reference F1 the issue quotes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHistogramAccumulator } from '../../src/core/change/histogram.ts';
import { chiSquareQuantile, otsuThresholdOf } from '../../src/core/change/threshold.ts';
import type { ChangePair } from './datasets.ts';
import { ensureDebianPackages, probe, runCommand } from './debian-tools.ts';
import { readTiffBands } from './decoders/image-readers.ts';
import type { Peer, PeerOutput } from './peers.ts';
import { encodeTiff } from './tiff-writer.ts';

const TOOL = 'otbcli_MultivariateAlterationDetector';
const TIMEOUT_MS = 180_000;

/**
 * Z = Σᵢ (MADᵢ/σᵢ)² per pixel; NaN where any MAD band is not finite.
 * Bands with σ = 0 are skipped.
 */
export function chiSquareOfMad(mad: readonly Float32Array[]): Float32Array {
  const count = mad[0]?.length ?? 0;
  const z = new Float32Array(count);
  for (const band of mad) {
    let sum = 0;
    let sumSquares = 0;
    let n = 0;
    for (const v of band) {
      if (!Number.isFinite(v)) continue;
      sum += v;
      sumSquares += v * v;
      n++;
    }
    const mean = n > 0 ? sum / n : 0;
    const variance = n > 0 ? sumSquares / n - mean * mean : 0;
    if (!(variance > 0)) continue;
    const inverse = 1 / variance;
    for (let p = 0; p < count; p++) {
      const v = band[p] ?? Number.NaN;
      z[p] = Number.isFinite(v) ? (z[p] ?? 0) + v * v * inverse : Number.NaN;
    }
  }
  return z;
}

/** 1 where value ≥ threshold (NaN never). */
export function maskAbove(values: Float32Array, threshold: number): Uint8Array {
  return Uint8Array.from(values, (v) => (v >= threshold ? 1 : 0));
}

/** Otsu's threshold on the natural log of the positive finite values (512 bins). */
export function otsuOnLog(values: Float32Array): number {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (!(max > min)) return Infinity;
  const histogram = createHistogramAccumulator({ binCount: 512, min, max, scale: 'log' });
  histogram.add(values, null);
  return otsuThresholdOf(histogram.result());
}

async function run(pair: ChangePair, workDir: string): Promise<PeerOutput> {
  const a = join(workDir, 'a.tif');
  const b = join(workDir, 'b.tif');
  const out = join(workDir, 'mad.tif');
  writeFileSync(a, encodeTiff(pair.bandsA, pair.width, pair.height, 'float32'));
  writeFileSync(b, encodeTiff(pair.bandsB, pair.width, pair.height, 'float32'));
  const result = await runCommand(TOOL, ['-in1', a, '-in2', b, '-out', out, 'float'], TIMEOUT_MS);
  if (!result.ok)
    return { masks: {}, seconds: result.seconds, error: `${TOOL}: ${result.failure ?? ''}` };
  const mad = await readTiffBands(out);
  const z = chiSquareOfMad(mad.bands);
  return {
    masks: {
      'otb-otsu-log': maskAbove(z, otsuOnLog(z)),
      'otb-chi2-q99': maskAbove(z, chiSquareQuantile(0.99, mad.bands.length)),
    },
    seconds: result.seconds,
    error: null,
  };
}

export const otbPeer: Peer = {
  id: 'otb',
  variants: ['otb-otsu-log', 'otb-chi2-q99'],
  best: { id: 'otb-best', of: ['otb-otsu-log', 'otb-chi2-q99'] },
  description:
    'Orfeo ToolBox MultivariateAlterationDetector (one MAD pass) + threshold on Σ(MAD/σ)²: Otsu on log, or the χ² 0.99 quantile',
  prepare: () =>
    ensureDebianPackages(TOOL, ['otb-bin'], () => probe('sh', ['-c', `command -v ${TOOL}`])),
  run,
};
