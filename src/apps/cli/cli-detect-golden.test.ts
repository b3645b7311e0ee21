/**
 * Whole-image detection on a real labelled image (DOTA P1888, Google Earth, 0.266 m, pixel-only
 * PNG) compared with golden GeoJSON files: every golden detection must be found again (same
 * class, centre within 1 px, score within 0.02) and the count must agree within 5 %.
 * `REGEN=1` (or `SITEWATCH_UPDATE_GOLDENS=1`) rewrites the goldens. The default model's golden
 * runs only when `sitewatch-vehicles` is shipped in models/. After regenerating, run
 * `npx prettier --write src/apps/cli/testdata/detect-p1888-*.geojson`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT, describeShared, sharedData } from '../../testing/shared-data.ts';
import { runCliCaptured } from './run-cli-for-test.ts';

const IMAGE = sharedData('dota-samples', 'devkit', 'images', 'P1888.png');
/** From the label file's header (`gsd:0.266170468393`). */
const GSD = '0.266170468393';
const regenerate = process.env.REGEN === '1' || process.env.SITEWATCH_UPDATE_GOLDENS === '1';
const hasDefaultModel = existsSync(join(REPO_ROOT, 'models', 'sitewatch-vehicles', 'model.onnx'));

interface GoldenFeature {
  readonly class: string;
  readonly score: number;
  readonly pixelPolygon: readonly (readonly [number, number])[];
}

interface GeoJsonOut {
  features: { geometry: unknown; properties: GoldenFeature }[];
}

function centre(polygon: readonly (readonly [number, number])[]): [number, number] {
  const n = polygon.length;
  return [polygon.reduce((s, p) => s + p[0], 0) / n, polygon.reduce((s, p) => s + p[1], 0) / n];
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));

describeShared('detect on DOTA P1888 against golden GeoJSON', () => {
  const home = mkdtempSync(join(tmpdir(), 'sitewatch-detect-golden-'));
  let imageId: string;
  const sw = (...args: string[]) => runCliCaptured(['--home', home, ...args]);

  beforeAll(async () => {
    const run = await sw(
      'images',
      'ingest',
      IMAGE,
      '--link',
      '--acquired-at',
      '2018-01-01',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    imageId = run.json<{ id: string }[]>()[0]!.id;
  });
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
  });

  async function checkGolden(model: string): Promise<void> {
    const golden = join(REPO_ROOT, 'src/apps/cli/testdata', `detect-p1888-${model}.geojson`);
    const out = join(home, `out-${model}`);
    const run = await sw('detect', imageId, '--model', model, '--gsd', GSD, '--out', out, '--json');
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(
      readFileSync(join(out, 'detections.geojson'), 'utf8'),
    ) as GeoJsonOut & {
      model: { sha256: string | null };
    };
    const features = result.features.map((f) => {
      expect(f.geometry).toBeNull();
      return {
        class: f.properties.class,
        score: round(f.properties.score, 4),
        pixelPolygon: f.properties.pixelPolygon.map(
          ([c, r]) => [round(c, 2), round(r, 2)] as const,
        ),
      };
    });
    if (regenerate) {
      writeFileSync(
        golden,
        `${JSON.stringify({ type: 'FeatureCollection', model, modelSha256: result.model.sha256, image: 'dota-samples/devkit/images/P1888.png', gsdMeters: Number(GSD), features: features.map((p) => ({ type: 'Feature', geometry: null, properties: p })) }, null, 2)}\n`,
      );
    }
    expect(existsSync(golden), `${golden} is missing: run with REGEN=1`).toBe(true);
    const goldenDoc = JSON.parse(readFileSync(golden, 'utf8')) as GeoJsonOut & {
      modelSha256: string | null;
    };
    expect(
      result.model.sha256,
      `the ${model} model file changed since ${golden} was made: regenerate it with REGEN=1`,
    ).toBe(goldenDoc.modelSha256);
    const expected = goldenDoc.features.map((f) => f.properties);
    expect(Math.abs(features.length - expected.length)).toBeLessThanOrEqual(
      Math.max(1, Math.round(expected.length * 0.05)),
    );
    let unmatched = 0;
    for (const g of expected) {
      const [gx, gy] = centre(g.pixelPolygon);
      const match = features.some((f) => {
        const [fx, fy] = centre(f.pixelPolygon);
        return (
          f.class === g.class &&
          Math.hypot(fx - gx, fy - gy) <= 1 &&
          Math.abs(f.score - g.score) <= 0.02
        );
      });
      if (!match) unmatched += 1;
    }
    expect(
      unmatched,
      `${unmatched} of ${expected.length} golden detections not found again`,
    ).toBeLessThanOrEqual(Math.max(1, Math.round(expected.length * 0.05)));
  }

  it('tophat-baseline matches its golden (REGEN=1 rewrites it)', async () => {
    await checkGolden('tophat-baseline');
  });

  it.skipIf(!hasDefaultModel)(
    `sitewatch-vehicles matches its golden${hasDefaultModel ? '' : ' (skipped: models/sitewatch-vehicles is not shipped yet)'}`,
    async () => {
      await checkGolden('sitewatch-vehicles');
    },
  );
});
