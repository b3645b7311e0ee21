/**
 * Writes web/src/api-client.gen.ts, the typed client of the REST API (imported by the workbench
 * and by `sitewatch remote`, src/apps/cli/commands/remote.ts), from the committed
 * docs/openapi.json (regenerate that first: REGEN=1 with src/adapters/http/openapi.test.ts).
 *   npx tsx scripts/gen-api-client.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { renderApiClient, type OpenApiDocument } from '../src/adapters/http/api-client-gen.ts';

export const OPENAPI_FILE = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
export const API_CLIENT_FILE = fileURLToPath(
  new URL('../web/src/api-client.gen.ts', import.meta.url),
);

/** The client for `doc`, formatted as `npm run format:check` wants it. */
export async function renderApiClientFile(doc: OpenApiDocument): Promise<string> {
  const options = (await resolveConfig(API_CLIENT_FILE)) ?? {};
  return format(renderApiClient(doc), { ...options, parser: 'typescript' });
}

/** Regenerates the client from docs/openapi.json. */
export async function writeApiClientFile(): Promise<void> {
  const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument;
  writeFileSync(API_CLIENT_FILE, await renderApiClientFile(doc));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await writeApiClientFile();
