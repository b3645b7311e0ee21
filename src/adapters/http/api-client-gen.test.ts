/**
 * web/src/api-client.gen.ts is generated from docs/openapi.json: this fails when the
 * committed file drifts from what the generator writes. `REGEN=1` rewrites it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  API_CLIENT_FILE,
  OPENAPI_FILE,
  renderApiClientFile,
  writeApiClientFile,
} from '../../../scripts/gen-api-client.ts';
import type { OpenApiDocument } from './api-client-gen.ts';
import { tsType } from './api-client-gen.ts';

describe('the generated API client', () => {
  it('matches the committed web/src/api-client.gen.ts (REGEN=1 rewrites it)', async () => {
    if (process.env.REGEN === '1') await writeApiClientFile();
    const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument;
    expect(readFileSync(API_CLIENT_FILE, 'utf8')).toBe(await renderApiClientFile(doc));
  });

  it('types JSON Schemas as TypeScript', () => {
    expect(tsType({ type: ['string', 'null'] })).toBe('string | null');
    expect(tsType({ type: 'array', items: { $ref: '#/components/schemas/Site' } })).toBe('Site[]');
    expect(tsType({ enum: ['a', 'b'] })).toBe('"a" | "b"');
    expect(tsType({ type: 'object', properties: { n: { type: 'integer' } }, required: [] })).toBe(
      '{\n  n?: number;\n}',
    );
  });
});
