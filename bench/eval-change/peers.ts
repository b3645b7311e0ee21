/**
 * The peers sitewatch is measured against, run as external programs on the same pairs in the
 * same run. Each is time-bounded; a failure is recorded for that pair, never fatal.
 */
import { ValidationError } from '../../src/core/errors.ts';
import type { ChangePair } from './datasets.ts';
import { numpyCvaPeer, numpyIrmadPeer } from './peer-numpy.ts';
import { otbPeer } from './peer-otb.ts';

/** Masks of one peer on one pair: one per variant (e.g. per threshold rule). */
export interface PeerOutput {
  readonly masks: Readonly<Record<string, Uint8Array>>;
  /** Wall time of the external program, s. */
  readonly seconds: number;
  readonly error: string | null;
}

export interface Peer {
  readonly id: string;
  /** Result ids this peer produces (one mask each per pair). */
  readonly variants: readonly string[];
  /** A derived entry: per dataset, the best of `of` by pixel-pooled F1 (chosen on the labels). */
  readonly best: { readonly id: string; readonly of: readonly string[] } | null;
  readonly description: string;
  /** Installs or checks what the peer needs; null when ready, else why it cannot run. */
  prepare(): string | null;
  /** Runs on one pair, writing scratch files in `workDir` (empty, owned by the caller). */
  run(pair: ChangePair, workDir: string): Promise<PeerOutput>;
}

/** Debian packages whose versions the result file records. */
export const PEER_PACKAGES = [
  'otb-bin',
  'python3-numpy',
  'python3-opencv',
  'python3-skimage',
  'python3-scipy',
  'gdal-bin',
];

/** Every peer, in report order. */
export const PEERS: readonly Peer[] = [otbPeer, numpyCvaPeer, numpyIrmadPeer];

/**
 * Parses a comma-separated list of peer ids ("none" or empty: no peers; null: all).
 * @throws ValidationError naming an unknown id.
 */
export function parsePeerIds(list: string | null): Peer[] {
  if (list === null) return [...PEERS];
  if (list.trim() === '' || list.trim() === 'none') return [];
  return list.split(',').map((raw) => {
    const peer = PEERS.find((p) => p.id === raw.trim());
    if (peer === undefined) {
      throw new ValidationError(
        `unknown peer "${raw.trim()}"; expected one of ${PEERS.map((p) => p.id).join(', ')}`,
      );
    }
    return peer;
  });
}
