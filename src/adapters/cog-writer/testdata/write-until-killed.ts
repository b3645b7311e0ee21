/**
 * Child process for the crash-safety test: writes a COG to argv[2] in strips, printing
 * `rows N` after each strip, `finishing` before finish() and `finished` after it, so the parent
 * can SIGKILL it at a chosen stage.
 */
import { createCogWriter } from '../cog-writer.ts';
import { syntheticBands } from '../synthetic-bands.ts';

const path = process.argv[2];
if (path === undefined) {
  console.error('usage: write-until-killed.ts <path>');
  process.exit(2);
}
const side = 2048;
const strip = 64;
const bands = syntheticBands({
  width: side,
  height: strip,
  bandCount: 2,
  dataType: 'uint16',
  seed: 3,
});
const writer = await createCogWriter(path, {
  width: side,
  height: side,
  bandCount: 2,
  dataType: 'uint16',
  nodata: null,
  crs: 'EPSG:32618',
  geoTransform: [500000, 10, 0, 4500000, 0, -10],
  tileSize: 256,
});
for (let row = 0; row < side; row += strip) {
  await writer.writeRows(row, bands);
  process.stdout.write(`rows ${row + strip}\n`);
}
process.stdout.write('finishing\n');
await writer.finish();
process.stdout.write('finished\n');
