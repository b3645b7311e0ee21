/**
 * Child process of the detection crash-safety test: inserts detection runs start, start + 1,
 * … (run i holds 20 + i % 50 detections) into the database at argv[2] until it is killed,
 * printing each index once committed.
 * Usage: node --import tsx insert-runs-until-killed.ts <database path> <start index>
 */
import { makeDetectionRun } from '../../../app/detect/detection-fixtures.ts';
import { openSqliteDatabase } from '../sqlite-database.ts';
import { SqliteDetectionRepository } from '../sqlite-detection-repository.ts';

const [databasePath, startText] = process.argv.slice(2);
if (databasePath === undefined || startText === undefined) {
  process.stderr.write('usage: insert-runs-until-killed.ts <database path> <start index>\n');
  process.exit(2);
}
const db = openSqliteDatabase(databasePath);
const repository = new SqliteDetectionRepository(db);
const limit = Number(startText) + 200_000;
for (let index = Number(startText); index < limit; index += 1) {
  const { run, detections } = makeDetectionRun(
    index,
    `img_${index % 7}`,
    20 + (index % 50),
    '2026-01-01T00:00:00.000Z',
  );
  await repository.insert(run, detections);
  // Writes to a pipe are synchronous on Linux: a line the parent reads was committed.
  process.stdout.write(`${index}\n`);
}
db.close();
