/**
 * The labelled change-detection pairs of ../shared/data, decoded to one common shape. Label
 * decisions (see README.md): truth 1 = change, 0 = no change, 255 = unknown (not scored).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NotFoundError, ValidationError } from '../../src/core/errors.ts';
import {
  checkSameGrid,
  readBmpBands,
  readEnviBands,
  readPngBands,
  readTiffBands,
} from './decoders/image-readers.ts';
import { xbdChangeMask, xbdGsdMeters } from './xbd-truth.ts';

/** Truth value of pixels that are not scored. */
export const TRUTH_IGNORE = 255;

export type DatasetId = 'levir' | 'dsifn' | 'oscd' | 'sztaki' | 'taizhou' | 'xbd';

/** One co-located pair with its reference change mask. */
export interface ChangePair {
  readonly dataset: DatasetId;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly bandNames: readonly string[];
  /** Earlier image, one float32 array per band, row-major, original digital numbers. */
  readonly bandsA: Float32Array[];
  /** Later image, same grid and bands as A. */
  readonly bandsB: Float32Array[];
  /** 1 change, 0 no change, {@link TRUTH_IGNORE} unknown. */
  readonly truth: Uint8Array;
  readonly gsdMeters: number;
  /** Files on disk (OSCD: the folders of the per-band files). */
  readonly paths: { readonly a: string; readonly b: string; readonly truth: string };
}

/** A dataset: its folder under the data directory and how to list and load its pairs. */
export interface DatasetDescriptor {
  readonly id: DatasetId;
  readonly title: string;
  readonly folder: string;
  listPairs(root: string): string[];
  loadPair(root: string, name: string): Promise<ChangePair>;
}

/** Absolute path of ../shared/data (override with SITEWATCH_SHARED_DATA). */
export function sharedDataDir(): string {
  return process.env.SITEWATCH_SHARED_DATA ?? resolve(import.meta.dirname, '../../../shared/data');
}

const RGB = ['red', 'green', 'blue'];

function binaryTruth(band: Float32Array | undefined): Uint8Array {
  if (band === undefined) throw new ValidationError('truth image has no band');
  return Uint8Array.from(band, (v) => (v > 0 ? 1 : 0));
}

function pngFolderDataset(
  id: DatasetId,
  title: string,
  folder: string,
  gsdMeters: number,
): DatasetDescriptor {
  return {
    id,
    title,
    folder,
    listPairs: (root) =>
      readdirSync(join(root, 'label'))
        .filter((f) => f.endsWith('.png'))
        .map((f) => f.slice(0, -4))
        .sort(),
    loadPair(root, name) {
      const paths = {
        a: join(root, 'A', `${name}.png`),
        b: join(root, 'B', `${name}.png`),
        truth: join(root, 'label', `${name}.png`),
      };
      const a = readPngBands(paths.a, 3);
      const b = readPngBands(paths.b, 3);
      const label = readPngBands(paths.truth, 1);
      checkSameGrid(`${id}/${name}`, a, b, label);
      const truth = binaryTruth(label.bands[0]);
      return Promise.resolve(pair(id, name, a, b, truth, RGB, gsdMeters, paths));
    },
  };
}

function pair(
  dataset: DatasetId,
  name: string,
  a: { width: number; height: number; bands: Float32Array[] },
  b: { bands: Float32Array[] },
  truth: Uint8Array,
  bandNames: readonly string[],
  gsdMeters: number,
  paths: ChangePair['paths'],
): ChangePair {
  return {
    dataset,
    name,
    width: a.width,
    height: a.height,
    bandNames,
    bandsA: a.bands,
    bandsB: b.bands,
    truth,
    gsdMeters,
    paths,
  };
}

/** Sentinel-2 bands at 10 m, in this order. */
export const OSCD_BANDS = ['B02', 'B03', 'B04', 'B08'] as const;

async function readOscdDate(
  folder: string,
): Promise<{ width: number; height: number; bands: Float32Array[] }> {
  const files = readdirSync(folder);
  const bands: Float32Array[] = [];
  let size = { width: 0, height: 0 };
  for (const band of OSCD_BANDS) {
    const file = files.find((f) => f.endsWith(`_${band}.tif`));
    if (file === undefined) throw new NotFoundError(`OSCD: no ${band} file in ${folder}`);
    const image = await readTiffBands(join(folder, file));
    if (bands.length > 0) checkSameGrid(folder, size, image);
    size = image;
    bands.push(image.bands[0]!);
  }
  return { ...size, bands };
}

const oscd: DatasetDescriptor = {
  id: 'oscd',
  title: 'OSCD Sentinel-2 (10 m bands)',
  folder: 'oscd',
  listPairs: (root) =>
    readdirSync(join(root, 'labels'))
      .filter((c) => existsSync(join(root, 'labels', c, 'cm', `${c}-cm.tif`)))
      .sort(),
  async loadPair(root, city) {
    const paths = {
      a: join(root, 'images', city, 'imgs_1'),
      b: join(root, 'images', city, 'imgs_2'),
      truth: join(root, 'labels', city, 'cm', `${city}-cm.tif`),
    };
    const a = await readOscdDate(paths.a);
    const b = await readOscdDate(paths.b);
    const label = await readTiffBands(paths.truth);
    checkSameGrid(`oscd/${city}`, a, b, label);
    // Observed values: 1 = no change, 2 = change (not the 0/1 of the upstream README).
    const truth = Uint8Array.from(label.bands[0] ?? [], (v) =>
      v === 2 ? 1 : v === 1 ? 0 : TRUTH_IGNORE,
    );
    return pair('oscd', city, a, b, truth, OSCD_BANDS, 10, paths);
  },
};

const sztaki: DatasetDescriptor = {
  id: 'sztaki',
  title: 'SZTAKI AirChange',
  folder: 'sztaki-airchange',
  listPairs: (root) =>
    ['Szada', 'Tiszadob'].flatMap((site) =>
      readdirSync(join(root, site))
        .sort()
        .map((n) => `${site}/${n}`),
    ),
  loadPair(root, name) {
    const folder = join(root, name);
    const files = readdirSync(folder);
    const find = (stem: string) => {
      const file = files.find((f) => f.toLowerCase() === `${stem}.bmp`);
      if (file === undefined) throw new NotFoundError(`SZTAKI: no ${stem}.bmp in ${folder}`);
      return join(folder, file);
    };
    const paths = { a: find('im1'), b: find('im2'), truth: find('gt') };
    const a = readBmpBands(paths.a);
    const b = readBmpBands(paths.b);
    const label = readBmpBands(paths.truth);
    checkSameGrid(`sztaki/${name}`, a, b, label);
    return Promise.resolve(
      pair('sztaki', name, a, b, binaryTruth(label.bands[0]), RGB, 1.5, paths),
    );
  },
};

const taizhou: DatasetDescriptor = {
  id: 'taizhou',
  title: 'Landsat Taizhou',
  folder: 'landsat-taizhou-cd',
  listPairs: () => ['Taizhou'],
  loadPair(root, name) {
    const folder = join(root, name);
    const paths = {
      a: join(folder, '2000TM'),
      b: join(folder, '2003TM'),
      truth: join(folder, 'change.bmp'),
    };
    const a = readEnviBands(paths.a, `${paths.a}.HDR`);
    const b = readEnviBands(paths.b, `${paths.b}.HDR`);
    const changed = readBmpBands(paths.truth);
    const unchanged = readBmpBands(join(folder, 'unchanged.bmp'));
    checkSameGrid(`taizhou/${name}`, a, b, changed, unchanged);
    const c = changed.bands[0]!;
    const u = unchanged.bands[0]!;
    // Partial reference: pixels in neither mask are unlabelled; a pixel in both would be too.
    const truth = Uint8Array.from(c, (v, p) =>
      v > 0 && !((u[p] ?? 0) > 0) ? 1 : (u[p] ?? 0) > 0 && !(v > 0) ? 0 : TRUTH_IGNORE,
    );
    const bandNames = ['ETM+ B1', 'ETM+ B2', 'ETM+ B3', 'ETM+ B4', 'ETM+ B5', 'ETM+ B7'];
    return Promise.resolve(pair('taizhou', name, a, b, truth, bandNames, 30, paths));
  },
};

const xbd: DatasetDescriptor = {
  id: 'xbd',
  title: 'xBD Joplin (damaged buildings)',
  folder: 'xbd-samples',
  listPairs: (root) =>
    readdirSync(join(root, 'labels'))
      .filter((f) => f.endsWith('_post_disaster.json'))
      .map((f) => f.replace('_post_disaster.json', ''))
      .sort(),
  loadPair(root, name) {
    const paths = {
      a: join(root, 'images', `${name}_pre_disaster.png`),
      b: join(root, 'images', `${name}_post_disaster.png`),
      truth: join(root, 'labels', `${name}_post_disaster.json`),
    };
    const a = readPngBands(paths.a, 3);
    const b = readPngBands(paths.b, 3);
    checkSameGrid(`xbd/${name}`, a, b);
    const labels: unknown = JSON.parse(readFileSync(paths.truth, 'utf8'));
    const truth = xbdChangeMask(labels, a.width, a.height);
    return Promise.resolve(pair('xbd', name, a, b, truth, RGB, xbdGsdMeters(labels), paths));
  },
};

/** Every dataset, in report order. */
export const DATASETS: readonly DatasetDescriptor[] = [
  pngFolderDataset('levir', 'LEVIR-CD', 'levir-cd', 0.5),
  pngFolderDataset('dsifn', 'DSIFN-CD', 'dsifn-cd', 2),
  oscd,
  sztaki,
  taizhou,
  xbd,
];

/**
 * Parses a comma-separated list of dataset ids (null or empty: all).
 * @throws ValidationError naming an unknown id and the known ones.
 */
export function parseDatasetIds(list: string | null): DatasetId[] {
  if (list === null || list.trim() === '') return DATASETS.map((d) => d.id);
  return list.split(',').map((raw) => {
    const id = raw.trim();
    const found = DATASETS.find((d) => d.id === id);
    if (found === undefined) {
      throw new ValidationError(
        `unknown dataset "${id}"; expected one of ${DATASETS.map((d) => d.id).join(', ')}`,
      );
    }
    return found.id;
  });
}

/**
 * Yields every labelled pair of the chosen datasets, one at a time (decoded lazily).
 * @throws NotFoundError when a dataset's folder is missing under `dataDir`.
 */
export async function* loadPairs(
  datasetIds: readonly DatasetId[] = DATASETS.map((d) => d.id),
  dataDir: string = sharedDataDir(),
): AsyncGenerator<ChangePair> {
  for (const descriptor of DATASETS) {
    if (!datasetIds.includes(descriptor.id)) continue;
    const root = join(dataDir, descriptor.folder);
    if (!existsSync(root)) throw new NotFoundError(`dataset folder ${root} is missing`);
    for (const name of descriptor.listPairs(root)) yield await descriptor.loadPair(root, name);
  }
}
