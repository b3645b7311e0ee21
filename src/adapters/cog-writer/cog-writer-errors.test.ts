/**
 * Error cases (each a ValidationError naming the value) and crash safety: an aborted, failed or
 * killed writer never leaves a partial file at the output path.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromFile } from 'geotiff';
import { afterAll, describe, expect, it } from 'vitest';
import { SitewatchError, ValidationError } from '../../core/errors.ts';
import type { RasterDataType } from '../../core/imagery/image.ts';
import { createCogWriter, type CogSpec } from './cog-writer.ts';

const here = dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'cog-writer-errors-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

let counter = 0;
/** A fresh, empty folder for one test, so leftover temporary files are visible. */
function folder(): string {
  const dir = join(work, `t${counter++}`);
  mkdirSync(dir);
  return dir;
}

const spec: CogSpec = {
  width: 100,
  height: 40,
  bandCount: 2,
  dataType: 'uint16',
  nodata: 0,
  crs: 'EPSG:32618',
  geoTransform: [500000, 10, 0, 4500000, 0, -10],
  tileSize: 32,
};
const rows = (n: number, fill = 1): Uint16Array[] => [
  new Uint16Array(100 * n).fill(fill),
  new Uint16Array(100 * n).fill(fill),
];

describe('createCogWriter spec validation', () => {
  it.each<readonly [Partial<CogSpec> & Record<string, unknown>, RegExp]>([
    [
      { dataType: 'complex64' as RasterDataType },
      /dataType "complex64" must be one of 'uint8', .*'float64'/,
    ],
    [{ width: 0 }, /width 0 must be an integer/],
    [{ height: 2.5 }, /height 2.5 must be an integer/],
    [{ bandCount: 0 }, /bandCount 0/],
    [{ tileSize: 100 }, /tileSize 100 must be a multiple of 16/],
    [{ nodata: 70000 }, /nodata 70000 is not a uint16 value/],
    [{ dataType: 'float32', nodata: 0.1 }, /nodata 0.1 is not exactly representable as float32/],
    [{ crs: 'WGS84' }, /crs "WGS84" must be 'EPSG:n'/],
    [
      { geoTransform: [0, 1, 0, 0, 0, Number.NaN] },
      /geoTransform \[0,1,0,0,0,NaN\] must be 6 finite numbers/,
    ],
    [{ geoTransform: [0, 0, 0, 0, 0, 0] }, /is singular/],
    [{ compression: 'lzw' as 'none' }, /compression "lzw"/],
    [{ compression: 'none', predictor: true }, /predictor needs compression 'deflate', not "none"/],
    [{ deflateLevel: 12 }, /deflateLevel 12/],
    [{ overviews: -2 }, /overviews -2/],
    [{ overviewResampling: 'cubic' as 'average' }, /overviewResampling "cubic"/],
    [{ bandDescriptions: ['only one'] }, /bandDescriptions has 1 entries; expected 2/],
    [{ photometric: 'rgb' }, /photometric 'rgb' needs ≥ 3 uint8 or uint16 bands, not 2 uint16/],
    [{ interleave: 'line' as 'band' }, /interleave "line"/],
  ])('rejects %o', async (change, message) => {
    const dir = folder();
    const attempt = createCogWriter(join(dir, 'out.tif'), { ...spec, ...change });
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toThrow(message);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('writeRows validation', () => {
  it('names the bad value and leaves the writer usable', async () => {
    const dir = folder();
    const path = join(dir, 'out.tif');
    const writer = await createCogWriter(path, spec);
    await expect(writer.writeRows(0, [rows(1)[0]!])).rejects.toThrow(
      /got 1 band arrays; expected 2/,
    );
    await expect(
      writer.writeRows(0, [new Float32Array(100), new Float32Array(100)]),
    ).rejects.toThrow(/band 0 is a Float32Array; expected the array type of uint16/);
    await expect(writer.writeRows(0, [new Uint16Array(150), new Uint16Array(150)])).rejects.toThrow(
      /band 0 has 150 samples; expected a positive multiple of width 100/,
    );
    await expect(writer.writeRows(0, [new Uint16Array(100), new Uint16Array(200)])).rejects.toThrow(
      /band 1 has 200 samples/,
    );
    await expect(writer.writeRows(5, rows(1))).rejects.toThrow(
      /row0 5 is out of order; .* next is 0/,
    );
    await expect(writer.writeRows(0, rows(41))).rejects.toThrow(/rows 0..40 pass the last row 39/);
    await writer.writeRows(0, rows(20));
    await expect(writer.writeRows(0, rows(1))).rejects.toThrow(
      /row0 0 is out of order; .* next is 20/,
    );
    await expect(writer.finish()).rejects.toThrow(/finish\(\) after 20 of 40 rows/);
    const pending = writer.writeRows(20, rows(10));
    await expect(writer.writeRows(30, rows(10))).rejects.toThrow(/while another call is pending/);
    await pending;
    await writer.writeRows(30, rows(10));
    await writer.finish();
    await expect(writer.writeRows(0, rows(1))).rejects.toThrow(/writer that is finished/);
    expect(readdirSync(dir)).toEqual(['out.tif']);
  });
});

describe('crash safety', () => {
  it('abort midway leaves no file at path and removes temporary files', async () => {
    const dir = folder();
    const path = join(dir, 'out.tif');
    const writer = await createCogWriter(path, spec);
    await writer.writeRows(0, rows(33));
    expect(readdirSync(dir)).toHaveLength(1); // the temporary folder
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);
    await expect(writer.writeRows(33, rows(1))).rejects.toThrow(/writer that is aborted/);
  });

  it('abort while a writeRows call is pending stops it and cleans up', async () => {
    const dir = folder();
    const writer = await createCogWriter(join(dir, 'out.tif'), spec);
    const pending = writer.writeRows(0, rows(40)).catch((error: unknown) => error);
    await writer.abort();
    await pending;
    expect(readdirSync(dir)).toEqual([]);
    await expect(writer.finish()).rejects.toThrow(/writer that is aborted/);
  });

  it('replaces an existing file only when finished, and keeps it on abort', async () => {
    const dir = folder();
    const path = join(dir, 'out.tif');
    writeFileSync(path, 'previous');
    const aborted = await createCogWriter(path, spec);
    await aborted.writeRows(0, rows(40));
    await aborted.abort();
    expect(readFileSync(path, 'utf8')).toBe('previous');
    const writer = await createCogWriter(path, spec);
    await writer.writeRows(0, rows(40, 9));
    await writer.finish();
    const tiff = await fromFile(path);
    const [band] = (await (
      await tiff.getImage()
    ).readRasters({ samples: [0] })) as unknown as Uint16Array[];
    expect(band![4000 - 1]).toBe(9);
    await tiff.close();
    expect(readdirSync(dir)).toEqual(['out.tif']);
  });

  it('fails with an IO error, cleaning up, when its temporary folder disappears', async () => {
    const dir = folder();
    const path = join(dir, 'out.tif');
    const writer = await createCogWriter(path, spec);
    await writer.writeRows(0, rows(40));
    for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
    const finished = writer.finish();
    await expect(finished).rejects.toBeInstanceOf(SitewatchError);
    await expect(finished).rejects.toMatchObject({ code: 'IO' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a writer killed while writing or finishing never leaves a partial file at path', async () => {
    for (const stage of ['rows 256', 'finishing']) {
      const dir = folder();
      const path = join(dir, 'out.tif');
      const seen = await runAndKill(path, stage);
      if (seen.includes('finished')) {
        // The kill came too late: the file must then be whole.
        const tiff = await fromFile(path);
        expect(await tiff.getImageCount()).toBe(4);
        await tiff.close();
      } else {
        expect(existsSync(path), `killed after "${stage}"`).toBe(false);
      }
    }
  });
});

/** Runs the writer child and SIGKILLs it as soon as it prints `stage`; returns what it printed. */
function runAndKill(path: string, stage: string): Promise<string> {
  const repoRoot = resolve(here, '../../..');
  const script = join(here, 'testdata', 'write-until-killed.ts');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, path], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (stdout.includes(`${stage}\n`)) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0)
        reject(new SitewatchError('IO', `child failed: ${stderr}`));
      else resolvePromise(stdout);
    });
  });
}
