/**
 * Peers: the numpy CVA and IR-MAD pipelines of ../shared/bench/cd_numpy.py (phase-correlation
 * co-registration, CVA or 5-iteration IR-MAD, Otsu on the statistic clipped at its 99.9th
 * percentile, components < 16 px dropped). The script reads `DIR/t1.tif`, `t2.tif`,
 * `gt_change.tif` and `truth.json`, so each pair is written in that layout; the wrapper
 * `cd-numpy-mask.py` runs it unchanged and saves its mask for scoring here.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ChangePair } from './datasets.ts';
import { sharedDataDir } from './datasets.ts';
import { ensureDebianPackages, probe, runCommand } from './debian-tools.ts';
import type { Peer, PeerOutput } from './peers.ts';
import { encodeTiff } from './tiff-writer.ts';

const PYTHON = '/usr/bin/python3';
const TIMEOUT_MS = 180_000;
const WRAPPER = resolve(import.meta.dirname, 'cd-numpy-mask.py');

/** ../shared/bench/cd_numpy.py (next to the data folder). */
export function cdNumpyScript(): string {
  return resolve(sharedDataDir(), '..', 'bench', 'cd_numpy.py');
}

/** Writes a pair in the layout cd_numpy.py reads. */
export function writeCdNumpyLayout(pair: ChangePair, dir: string): void {
  writeFileSync(join(dir, 't1.tif'), encodeTiff(pair.bandsA, pair.width, pair.height, 'float32'));
  writeFileSync(join(dir, 't2.tif'), encodeTiff(pair.bandsB, pair.width, pair.height, 'float32'));
  writeFileSync(
    join(dir, 'gt_change.tif'),
    encodeTiff([pair.truth], pair.width, pair.height, 'uint8'),
  );
  writeFileSync(join(dir, 'truth.json'), JSON.stringify({ N: pair.width, rects_xywh_class: [] }));
}

function prepare(): string | null {
  if (!existsSync(cdNumpyScript())) return `${cdNumpyScript()} is missing`;
  return ensureDebianPackages(
    'numpy/OpenCV/scikit-image/SciPy/GDAL for Debian python3',
    ['python3-numpy', 'python3-scipy', 'python3-opencv', 'python3-skimage', 'python3-gdal'],
    () => probe(PYTHON, ['-c', 'import numpy, cv2, scipy, skimage, osgeo']),
  );
}

function numpyPeer(mode: 'cva' | 'irmad'): Peer {
  const variant = `numpy-${mode}`;
  return {
    id: variant,
    variants: [variant],
    best: null,
    description: `../shared/bench/cd_numpy.py ${mode} --coreg${mode === 'irmad' ? ' --iters 5' : ''}`,
    prepare,
    async run(pair: ChangePair, workDir: string): Promise<PeerOutput> {
      writeCdNumpyLayout(pair, workDir);
      const maskPath = join(workDir, `${mode}.u8`);
      const args = [WRAPPER, cdNumpyScript(), maskPath, mode, workDir, '--coreg'];
      if (mode === 'irmad') args.push('--iters', '5');
      const result = await runCommand(PYTHON, args, TIMEOUT_MS);
      if (!result.ok)
        return {
          masks: {},
          seconds: result.seconds,
          error: `cd_numpy.py ${mode}: ${result.failure ?? ''}`,
        };
      const mask = new Uint8Array(readFileSync(maskPath));
      if (mask.length !== pair.width * pair.height) {
        return {
          masks: {},
          seconds: result.seconds,
          error: `cd_numpy.py ${mode}: mask has ${mask.length} pixels`,
        };
      }
      return { masks: { [variant]: mask }, seconds: result.seconds, error: null };
    },
  };
}

export const numpyCvaPeer: Peer = numpyPeer('cva');
export const numpyIrmadPeer: Peer = numpyPeer('irmad');
