/**
 * Detection benchmark: `sitewatch detect` (whole pipeline, in process) on a large image at
 * 0.5 m GSD on this machine's cores (onnxruntime with 2 intra-op threads), against a bare
 * onnxruntime-node loop running the same ONNX model on as many batches of the same shape.
 *
 *   npx tsx bench/detect.bench.ts [IMAGE] [--model ID|PATH] [--gsd 0.5] [--reps 3] [--threads 1]
 *
 * IMAGE defaults to the synthetic 2048² image /tmp/sw/pairs/2048/t1_u8.tif (8-bit, made by
 * `/usr/bin/python3 ../shared/bench/gen_pair.py 2048 /tmp/sw/pairs`; declared at 0.5 m with
 * --gsd: the content does not change a convolutional model's cost).
 * Prints and writes bench/results/detect.json: throughput in km² per minute, the share of
 * wall time outside the model (reading, resampling, normalising, decoding, NMS,
 * georeferencing, storing), and the model's own time per tile inside sitewatch vs the bare
 * loop (ratio), with the machine and commit. The model's time is what onnxruntime spent in
 * its runs, measured on the detector's thread; loading the model (starting that thread and
 * the session) counts as outside the model, and is also given alone (`modelLoadMsMedian`).
 * The bare loop feeds seeded random values in [0, 1): the work of a convolutional network
 * does not depend on the values.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { detectImage } from '../src/app/detect-image.ts';
import { runCliCaptured } from '../src/apps/cli/run-cli-for-test.ts';
import { loadConfig } from '../src/apps/config.ts';
import { openSitewatch } from '../src/apps/wiring.ts';
import { machineInfo, median } from './machine.ts';

const repo = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
function flag(name: string, fallback: string): string {
  const i = args.indexOf(name);
  const value = i >= 0 ? args[i + 1] : undefined;
  if (i >= 0) args.splice(i, 2);
  return value ?? fallback;
}
const modelRef = flag('--model', 'sitewatch-vehicles');
const gsdMeters = Number(flag('--gsd', '0.5'));
const reps = Number(flag('--reps', '3'));
/** onnxruntime intra-op threads, here and in the bare loop; 1 is the product's (wiring.ts). */
const INTRA_OP_THREADS = Number(flag('--threads', '1'));
const imagePath = resolve(args[0] ?? '/tmp/sw/pairs/2048/t1_u8.tif');

const home = mkdtempSync(join(tmpdir(), 'bench-detect-'));
try {
  const ingest = await runCliCaptured([
    '--home',
    home,
    'images',
    'ingest',
    imagePath,
    '--link',
    '--acquired-at',
    '2024-01-01',
    '--json',
  ]);
  if (ingest.code !== 0) throw new Error(`ingest failed: ${ingest.stderr}`);
  const image = ingest.json<{ id: string; width: number; height: number }[]>()[0]!;
  const sw = await openSitewatch(loadConfig({}, { home }));
  const model = await sw.models.resolve(modelRef);
  if (model.kind !== 'onnx') throw new Error(`${modelRef} is not an ONNX model`);
  const areaKm2 = (image.width * image.height * gsdMeters * gsdMeters) / 1e6;

  const runs: {
    wallMs: number;
    inferenceMs: number;
    modelLoadMs: number;
    readMs: number;
    tiles: number;
    batch: number;
  }[] = [];
  for (let r = 0; r < reps; r += 1) {
    const t0 = performance.now();
    const { run } = await detectImage(sw.detectDeps, {
      imageId: image.id,
      model: modelRef,
      gsdMeters,
    });
    const wallMs = performance.now() - t0;
    runs.push({
      wallMs,
      inferenceMs: run.timingsMs.inferenceMs ?? 0,
      modelLoadMs: run.timingsMs.modelLoadMs ?? 0,
      readMs: run.timingsMs.readMs ?? 0,
      tiles: run.tiles.run,
      batch: run.parameters.batchSize,
    });
    console.error(
      `run ${r + 1}/${reps}: ${(wallMs / 1000).toFixed(1)} s, ${run.tiles.run} tiles, ${run.detectionCount} detections, timings ${JSON.stringify(run.timingsMs)}`,
    );
  }
  await sw.close();

  // The bare loop: same model file, same session options, same batch shape and count.
  const d = model.descriptor;
  const { tiles, batch } = runs[0]!;
  const batches = Math.ceil(tiles / batch);
  const session = await ort.InferenceSession.create(model.modelPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: INTRA_OP_THREADS,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const dims = [batch, d.bands.length, d.inputHeight, d.inputWidth];
  const input = new Float32Array(dims.reduce((a, b) => a * b, 1));
  let state = 0x5eed;
  for (let i = 0; i < input.length; i += 1) {
    state = (state * 1103515245 + 12345) % 2147483648;
    input[i] = state / 2147483648;
  }
  const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input, dims) };
  await session.run(feeds); // warm-up, as sitewatch's first batch is not excluded either
  const bareMs: number[] = [];
  for (let r = 0; r < reps; r += 1) {
    const t0 = performance.now();
    for (let b = 0; b < batches; b += 1) await session.run(feeds);
    bareMs.push(performance.now() - t0);
  }
  await session.release();

  const wallMs = median(runs.map((r) => r.wallMs));
  const inferenceMs = median(runs.map((r) => r.inferenceMs));
  const bare = median(bareMs);
  const result = {
    command: `npx tsx bench/detect.bench.ts ${imagePath} --model ${modelRef} --gsd ${gsdMeters} --reps ${reps} --threads ${INTRA_OP_THREADS}`,
    machine: machineInfo(),
    // Other processes compete for the same cores: compare figures only at a low load.
    loadAverage1mAtEnd: loadavg()[0],
    image: { path: imagePath, width: image.width, height: image.height, gsdMeters, areaKm2 },
    model: {
      id: model.id,
      version: model.version,
      sha256: model.sha256,
      layout: d.layout,
      input: dims,
    },
    intraOpThreads: INTRA_OP_THREADS,
    tiles,
    batch,
    repetitions: reps,
    wallMsMedian: wallMs,
    throughputKm2PerMin: areaKm2 / (wallMs / 60000),
    modelMsMedian: inferenceMs,
    shareOutsideModel: (wallMs - inferenceMs) / wallMs,
    modelLoadMsMedian: median(runs.map((r) => r.modelLoadMs)),
    // Reading, resampling and normalising on the main thread, overlapped with the model.
    readMsMedian: median(runs.map((r) => r.readMs)),
    modelMsPerTile: inferenceMs / tiles,
    bareLoopMsPerTile: bare / tiles,
    modelVsBareRatio: inferenceMs / bare,
  };
  mkdirSync(join(repo, 'bench/results'), { recursive: true });
  writeFileSync(join(repo, 'bench/results/detect.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  rmSync(home, { recursive: true, force: true });
}
