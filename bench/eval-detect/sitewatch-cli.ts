/**
 * Runs sitewatch as a user would (`node bin/sitewatch.js --home H …`) and reads what `detect
 * --out DIR` writes (docs: issue 4's "Contract for scripts").
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Detection } from '../../src/core/detect/detection.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { quadToBox } from './labels.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(REPO_ROOT, 'bin/sitewatch.js');

export interface CliRun {
  readonly command: string;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI with `--home home`; never throws on a non-zero exit. */
export function runCli(home: string, args: readonly string[], timeoutMs = 600_000): CliRun {
  const full = [CLI, '--home', home, ...args];
  const result = spawnSync(process.execPath, full, {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 2 ** 20,
  });
  return {
    command: `node ${['bin/sitewatch.js', '--home', home, ...args].join(' ')}`,
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Ingests the files (one call; pixel-only PNG/JPEG need an acquisition date) and returns
 * sha256 → image id from `images list`, so duplicates already held still map.
 * @throws Error with the CLI's message when listing fails or a file did not get in.
 */
export function ingestAll(home: string, files: readonly string[]): Map<string, string> {
  const ingest = runCli(home, [
    'images',
    'ingest',
    ...files,
    '--acquired-at',
    '2020-01-01',
    '--json',
  ]);
  const list = runCli(home, ['images', 'list', '--json']);
  if (list.status !== 0) throw new Error(`${list.command} failed: ${list.stderr.trim()}`);
  const held = JSON.parse(list.stdout) as { id: string; sha256: string }[];
  const ids = new Map(held.map((i) => [i.sha256, i.id]));
  for (const file of files) {
    if (!ids.has(sha256File(file))) {
      throw new Error(
        `${file} was not ingested (exit ${ingest.status}): ${ingest.stderr.trim().slice(0, 500)}`,
      );
    }
  }
  return ids;
}

interface FeatureJson {
  readonly properties?: { class?: unknown; score?: unknown; pixelPolygon?: unknown } | null;
}

/**
 * Detections from `detections.geojson`: class, score and the box from `pixelPolygon` (corners
 * in the source image's pixels, optionally closed). Class indices are the order of first sight.
 * @throws ValidationError naming `source` and the feature that lacks a field.
 */
export function parseDetectionsGeoJson(json: unknown, source: string): Detection[] {
  const features = (json as { features?: unknown } | null)?.features;
  if (!Array.isArray(features))
    throw new ValidationError(`${source}: expected a FeatureCollection with features`);
  const classIndex = new Map<string, number>();
  return (features as FeatureJson[]).map((feature, i) => {
    const p = feature.properties ?? {};
    const polygon = p.pixelPolygon;
    if (
      typeof p.class !== 'string' ||
      typeof p.score !== 'number' ||
      !Array.isArray(polygon) ||
      polygon.length < 4 ||
      !polygon.every(
        (c: unknown) =>
          Array.isArray(c) && c.length >= 2 && c.every((v: unknown) => typeof v === 'number'),
      )
    ) {
      throw new ValidationError(
        `${source}: features[${i}] needs properties.class, .score and .pixelPolygon [[col, row], …]`,
      );
    }
    if (!classIndex.has(p.class)) classIndex.set(p.class, classIndex.size);
    return {
      box: quadToBox(polygon as [number, number][]),
      className: p.class,
      classIndex: classIndex.get(p.class) ?? 0,
      score: p.score,
    };
  });
}

export type DetectOutcome =
  | {
      readonly ok: true;
      readonly detections: Detection[];
      readonly summary: unknown;
      readonly seconds: number;
    }
  | { readonly ok: false; readonly error: string };

/** `detect IMAGE --model M --gsd G --min-score S --out DIR --json`, then reads DIR/detections.geojson. */
export function detectWithCli(
  home: string,
  imageId: string,
  model: string,
  gsdMeters: number,
  minScore: number,
  outDir: string,
): DetectOutcome {
  const started = process.hrtime.bigint();
  const run = runCli(home, [
    'detect',
    imageId,
    '--model',
    model,
    '--gsd',
    String(gsdMeters),
    '--min-score',
    String(minScore),
    '--out',
    outDir,
    '--json',
  ]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0)
    return { ok: false, error: (run.stderr.trim() || `exit ${run.status}`).slice(0, 400) };
  const path = join(outDir, 'detections.geojson');
  const detections = parseDetectionsGeoJson(JSON.parse(readFileSync(path, 'utf8')), path);
  return { ok: true, detections, summary: JSON.parse(run.stdout), seconds };
}

/** `models list --json`: each model's id and classes (empty when listing fails). */
export function listModelClasses(home: string): Map<string, string[]> {
  const run = runCli(home, ['models', 'list', '--json']);
  if (run.status !== 0) return new Map();
  const models = JSON.parse(run.stdout) as { id: string; classes?: string[] }[];
  return new Map(models.map((m) => [m.id, m.classes ?? []]));
}
