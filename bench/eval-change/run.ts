/**
 * Change-detection benchmark: sitewatch's methods and the peers (OTB MAD + thresholds, numpy
 * CVA / IR-MAD) on every labelled pair in ../shared/data, scored per pair, per dataset
 * (pixel-pooled) and overall. Prints tables and writes bench/results/eval-change.json.
 *
 *   npm run eval:change [-- --datasets levir,oscd --methods sitewatch-irmad --peers otb]
 *   npx tsx bench/eval-change/run.ts --help
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { machineInfo } from '../machine.ts';
import {
  DATASETS,
  loadPairs,
  parseDatasetIds,
  sharedDataDir,
  type ChangePair,
  type DatasetId,
} from './datasets.ts';
import { debianVersions } from './debian-tools.ts';
import {
  METHODS,
  parseMethodIds,
  SITEWATCH_CONFIGURATIONS,
  type MethodDescriptor,
} from './methods.ts';
import { PEER_PACKAGES, parsePeerIds, type Peer, type PeerOutput } from './peers.ts';
import { REFERENCE_FIGURES, SUPERVISED_CONTEXT } from './reference-figures.ts';
import { detailTable, f1Table, type ScoreGrid } from './report.ts';
import {
  createScoreBook,
  type PairRecord,
  type PooledScores,
  type ScoreBook,
} from './score-book.ts';

const USAGE = `usage: npx tsx bench/eval-change/run.ts [--datasets ${DATASETS.map((d) => d.id).join(',')}]
       [--methods all|none|${METHODS.map((m) => m.id).join(',')}] [--peers otb,numpy-cva,numpy-irmad|none]
       [--out bench/results/eval-change.json] [--readme]
--readme rewrites the results section of bench/eval-change/README.md with this run's tables.`;

const { values: flags } = parseArgs({
  options: {
    datasets: { type: 'string' },
    methods: { type: 'string' },
    peers: { type: 'string' },
    out: { type: 'string', default: resolve(import.meta.dirname, '../results/eval-change.json') },
    readme: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}

const log = (message: string) => process.stderr.write(`${message}\n`);
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

async function runMethod(
  book: ScoreBook,
  record: ReturnType<ScoreBook['addPair']>,
  pair: ChangePair,
  method: MethodDescriptor,
): Promise<string> {
  const start = process.hrtime.bigint();
  try {
    const { mask, details } = await method.run(pair);
    const r = book.result(record, method.id, mask, pair.truth, seconds(start), null, details);
    return `${method.id} ${r.scores?.f1.toFixed(3) ?? '–'}`;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    book.result(record, method.id, null, pair.truth, seconds(start), message);
    return `${method.id} FAILED`;
  }
}

async function runPeer(
  book: ScoreBook,
  record: ReturnType<ScoreBook['addPair']>,
  pair: ChangePair,
  peer: Peer,
): Promise<string> {
  const workDir = mkdtempSync(join(tmpdir(), `eval-change-${peer.id}-`));
  try {
    const output = await peer.run(pair, workDir).catch((error: unknown): PeerOutput => ({
      masks: {},
      seconds: 0,
      error: error instanceof Error ? error.message : String(error),
    }));
    return peer.variants
      .map((variant) => {
        const mask = output.masks[variant] ?? null;
        const error = mask === null ? (output.error ?? 'no mask') : null;
        const r = book.result(record, variant, mask, pair.truth, output.seconds, error);
        return `${variant} ${r.scores?.f1.toFixed(3) ?? 'FAILED'}`;
      })
      .join(', ');
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function grid(
  book: ScoreBook,
  ids: readonly string[],
  peers: readonly Peer[],
  datasets: readonly string[],
): ScoreGrid {
  const out: Record<string, Record<string, PooledScores | null>> = {};
  for (const id of ids) {
    const row: Record<string, PooledScores | null> = {};
    for (const d of datasets) row[d] = book.pooled(id, (r) => r.dataset === d);
    row.overall = book.pooled(id);
    out[id] = row;
  }
  for (const peer of peers) {
    if (peer.best === null) continue;
    const best = book.bestOf(peer.best.of, datasets);
    out[peer.best.id] = { ...best.perDataset, overall: best.overall };
  }
  return out;
}

/** Runs `prepare` of each peer; returns the ready ones and why the others cannot run. */
function preparePeers(peers: readonly Peer[]): {
  ready: Peer[];
  unavailable: Record<string, string>;
} {
  const unavailable: Record<string, string> = {};
  const ready = peers.filter((peer) => {
    const reason = peer.prepare();
    if (reason !== null) {
      unavailable[peer.id] = reason;
      log(`eval:change: peer ${peer.id} skipped: ${reason}`);
    }
    return reason === null;
  });
  return { ready, unavailable };
}

async function evaluate(
  datasetIds: readonly DatasetId[],
  methods: readonly MethodDescriptor[],
  peers: readonly Peer[],
): Promise<ScoreBook> {
  const book = createScoreBook();
  let index = 0;
  for await (const pair of loadPairs(datasetIds)) {
    index++;
    const pairStart = process.hrtime.bigint();
    const record = book.addPair(pair);
    const parts: string[] = [];
    for (const method of methods) parts.push(await runMethod(book, record, pair, method));
    for (const peer of peers) parts.push(await runPeer(book, record, pair, peer));
    const elapsed = seconds(pairStart).toFixed(1);
    log(
      `[${index}] ${pair.dataset}/${pair.name} ${pair.width}×${pair.height} (${elapsed} s): ${parts.join('; ')}`,
    );
  }
  return book;
}

/** Per method and dataset (and overall): whether its F1 is above otb-best's. */
function versusOtbBest(
  scoreGrid: ScoreGrid,
  methods: readonly MethodDescriptor[],
  columns: readonly string[],
): Record<string, Record<string, boolean | null>> | null {
  const otbBest = scoreGrid['otb-best'];
  if (otbBest === undefined) return null;
  const out: Record<string, Record<string, boolean | null>> = {};
  for (const method of methods) {
    const row: Record<string, boolean | null> = {};
    for (const column of columns) {
      const mine = scoreGrid[method.id]?.[column]?.f1;
      const theirs = otbBest[column]?.f1;
      row[column] = mine === undefined || theirs === undefined ? null : mine > theirs;
    }
    out[method.id] = row;
  }
  return out;
}

/** The OTB variants on the subsets the reference figures were measured on. */
function otbCrossCheck(book: ScoreBook): Record<string, Record<string, PooledScores | null>> {
  const subsets: Record<string, (r: PairRecord) => boolean> = {
    levirAll7Crops: (r) => r.dataset === 'levir',
    oscdBercyAndRennes10mBands: (r) =>
      r.dataset === 'oscd' && (r.name === 'bercy' || r.name === 'rennes'),
  };
  const out: Record<string, Record<string, PooledScores | null>> = {};
  for (const [name, keep] of Object.entries(subsets)) {
    out[name] = {
      'otb-otsu-log': book.pooled('otb-otsu-log', keep),
      'otb-chi2-q99': book.pooled('otb-chi2-q99', keep),
    };
  }
  return out;
}

const README = resolve(import.meta.dirname, 'README.md');
const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

/** Replaces the text between the results markers of the README with this run's tables. */
function updateReadme(
  tables: { f1: string; detail: string },
  machine: Record<string, unknown>,
  wallSeconds: number,
): void {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) {
    log(`eval:change: ${README} has no ${START} … ${END} section; not updated`);
    return;
  }
  const about = `Run of ${String(machine.date)} on ${String(machine.cpu)} (${String(machine.cores)} cores), commit ${String(machine.commit)}${machine.dirty === true ? ' (uncommitted changes)' : ''}, ${wallSeconds} s, written by \`run.ts --readme\`. F1 of the change class, pixel-pooled per dataset; overall pools every pair; \`otb-best\` marks the chosen threshold in brackets.`;
  const body = `${START}\n\n${about}\n\n${tables.f1}\n\n<details><summary>precision, recall, F1, IoU, kappa</summary>\n\n${tables.detail}\n\n</details>\n\n`;
  writeFileSync(README, text.slice(0, start) + body + text.slice(end));
  log(`eval:change: updated ${README}`);
}

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  const datasetIds = parseDatasetIds(flags.datasets ?? null);
  const methods = parseMethodIds(flags.methods ?? null);
  const peers = parsePeerIds(flags.peers ?? null);
  const { ready, unavailable } = preparePeers(peers);
  const book = await evaluate(datasetIds, methods, ready);
  const ids = [...methods.map((m) => m.id), ...ready.flatMap((p) => p.variants)];
  const scoreGrid = grid(book, ids, ready, datasetIds);
  const tables = { f1: f1Table(scoreGrid, datasetIds), detail: detailTable(scoreGrid, datasetIds) };
  console.log(
    `\nF1 of the change class (pixel-pooled per dataset; overall pools every pair)\n\n${tables.f1}\n\n${tables.detail}\n`,
  );
  const result = {
    benchmark: 'eval-change',
    machine: { ...machineInfo(), debianPackages: debianVersions(PEER_PACKAGES) },
    dataDir: sharedDataDir(),
    wallSeconds: Math.round(seconds(started) * 10) / 10,
    datasets: datasetIds.map((id) => ({
      id,
      title: DATASETS.find((d) => d.id === id)?.title ?? id,
    })),
    methods: methods.map((m) => ({
      id: m.id,
      description: m.description,
      options: SITEWATCH_CONFIGURATIONS[m.id] ?? null,
    })),
    peers: peers.map((p) => ({
      id: p.id,
      description: p.description,
      variants: p.variants,
      best: p.best,
      unavailable: unavailable[p.id] ?? null,
    })),
    referenceFigures: REFERENCE_FIGURES,
    supervisedContext: SUPERVISED_CONTEXT,
    scores: scoreGrid,
    versusOtbBest: versusOtbBest(scoreGrid, methods, [...datasetIds, 'overall']),
    otbCrossCheck: ready.some((p) => p.id === 'otb') ? otbCrossCheck(book) : null,
    pairs: book.pairs,
    tables,
  };
  mkdirSync(dirname(flags.out), { recursive: true });
  writeFileSync(flags.out, `${JSON.stringify(result, null, 1)}\n`);
  log(`eval:change: ${book.pairs.length} pairs in ${result.wallSeconds} s; wrote ${flags.out}`);
  if (flags.readme) updateReadme(tables, result.machine, result.wallSeconds);
}

await main();
