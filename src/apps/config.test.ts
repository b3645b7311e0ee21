import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/shared-data.ts';
import { DEFAULT_MAX_PIXELS, loadConfig, renderConfigDocs } from './config.ts';

describe('loadConfig', () => {
  it('uses defaults, environment, then flags', () => {
    expect(loadConfig({})).toEqual({ home: resolve('.sitewatch'), maxPixels: DEFAULT_MAX_PIXELS });
    expect(loadConfig({ SITEWATCH_HOME: '/tmp/a', SITEWATCH_MAX_PIXELS: '100' })).toEqual({
      home: '/tmp/a',
      maxPixels: 100,
    });
    expect(loadConfig({ SITEWATCH_HOME: '/tmp/a' }, { home: '/tmp/b' }).home).toBe('/tmp/b');
  });

  it('fails fast naming the variable', () => {
    expect(() => loadConfig({ SITEWATCH_MAX_PIXELS: 'lots' })).toThrow(
      'SITEWATCH_MAX_PIXELS="lots": expected a positive integer',
    );
  });
});

describe('docs/configuration.md', () => {
  it('matches the schema (regenerate with npm run docs:config)', () => {
    expect(readFileSync(join(REPO_ROOT, 'docs/configuration.md'), 'utf8')).toBe(renderConfigDocs());
  });
});
