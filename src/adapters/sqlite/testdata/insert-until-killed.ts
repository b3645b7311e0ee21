/**
 * Child process of the crash-safety test: inserts crashRecord(start), crashRecord(start + 1),
 * … into the database at argv[2] until it is killed, printing each index once committed.
 * Usage: node --import tsx insert-until-killed.ts <database path> <start index>
 */
import { openSqliteStore } from '../sqlite-store.ts';
import { crashRecord } from './crash-record.ts';

const [databasePath, startText] = process.argv.slice(2);
if (databasePath === undefined || startText === undefined) {
  process.stderr.write('usage: insert-until-killed.ts <database path> <start index>\n');
  process.exit(2);
}
const store = openSqliteStore(databasePath);
const limit = Number(startText) + 200_000;
for (let index = Number(startText); index < limit; index += 1) {
  await store.images.insert(crashRecord(index));
  // Writes to a pipe are synchronous on Linux: a line the parent reads was committed.
  process.stdout.write(`${index}\n`);
}
await store.close();
