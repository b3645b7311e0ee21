/**
 * docs/openapi.json is generated from the route table: this fails when the committed file
 * drifts from what the code generates. `REGEN=1` rewrites it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { documentedApiRoutes } from './api-server.ts';
import { buildOpenApiDocument } from './openapi.ts';

const COMMITTED = join(REPO_ROOT, 'docs/openapi.json');

describe('the OpenAPI document', () => {
  const generated = `${JSON.stringify(buildOpenApiDocument(documentedApiRoutes()), null, 2)}\n`;

  it('matches the committed docs/openapi.json (REGEN=1 rewrites it)', async () => {
    // Formatted as `npm run format:check` wants it, so the committed file passes that too.
    const options = (await resolveConfig(COMMITTED)) ?? {};
    const formatted = await format(generated, { ...options, parser: 'json' });
    if (process.env.REGEN === '1') writeFileSync(COMMITTED, formatted);
    expect(readFileSync(COMMITTED, 'utf8')).toBe(formatted);
  });

  it('documents every route with its access and error answers', () => {
    const doc = JSON.parse(generated) as {
      paths: Record<string, Record<string, { 'x-sitewatch-access': string; responses: object }>>;
    };
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const access = operation['x-sitewatch-access'];
        expect(['public', 'viewer', 'analyst', 'admin'], `${method} ${path}`).toContain(access);
        if (access !== 'public') expect(Object.keys(operation.responses)).toContain('401');
      }
    }
    expect(doc.paths['/api/health']?.get?.['x-sitewatch-access']).toBe('public');
    expect(doc.paths['/api/jobs']?.post?.['x-sitewatch-access']).toBe('analyst');
    expect(doc.paths['/api/jobs/{id}/cancel']?.post).toBeDefined();
    expect(doc.paths['/api/images/{id}/tiles/{z}/{x}/{file}']?.get).toBeDefined();
    expect(doc.paths['/api/annotations/{id}']?.patch?.['x-sitewatch-access']).toBe('analyst');
    expect(doc.paths['/api/comparisons/{id}/changes']?.get).toBeDefined();
  });
});
