// Keeps docs/catalog-format.md honest: its example must parse and its error sample match.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rectangle } from '../geo/test-shapes.ts';
import { parseCatalog } from './catalog-geojson.ts';
import { applySiteChange } from './validate-catalog.ts';

const doc = readFileSync(new URL('../../../docs/catalog-format.md', import.meta.url), 'utf8');

function codeBlock(language: string): string {
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(doc);
  if (match?.[1] === undefined) throw new Error(`no \`\`\`${language} block in the doc`);
  return match[1];
}

describe('docs/catalog-format.md', () => {
  it('has an example that parses and imports next to the site it links to', () => {
    const sites = parseCatalog(JSON.parse(codeBlock('json')));
    expect(sites.map((s) => s.id)).toEqual(['sohae']);
    expect(sites[0]?.attributes).toEqual({ source: 'analyst notes, 2019' });
    const sanumdong = {
      ...sites[0]!,
      id: 'sanumdong',
      zones: [],
      links: [],
      geometry: rectangle(125, 39, 125.1, 39.1),
    };
    expect(applySiteChange([sanumdong], { upsert: sites })).toHaveLength(2);
  });

  it('shows error lines as the parser writes them', () => {
    const feature = (
      id: string,
      properties: Record<string, unknown>,
      geometry = rectangle(125, 39, 125.3, 39.3),
    ) => ({
      type: 'Feature',
      id,
      geometry,
      properties: { name: id, kind: 'k', ...properties },
    });
    const zone = (id: string, kind: string, geometry: unknown) => ({
      id,
      name: id,
      kind,
      geometry,
    });
    const yard = {
      type: 'Polygon',
      coordinates: [
        [
          [125.1, 39.1],
          [125.2, 39.2],
          [125.2, 39.1],
          [125.1, 39.2],
          [125.1, 39.1],
        ],
      ],
    };
    const features = [
      feature('a', {}, rectangle(0, 0, 1, 1)),
      feature('b', {}, rectangle(2, 0, 3, 1)),
      feature('c', {}, rectangle(4, 0, 5, 1)),
      feature('sohae', {
        zones: [
          zone('ok', 'pad', rectangle(125.1, 39.1, 125.2, 39.2)),
          zone('pad', 'launchpad', rectangle(125.1, 39.1, 125.2, 39.2)),
        ],
      }),
      feature('d', {}, rectangle(6, 0, 7, 1)),
      feature('sanumdong', { zones: [zone('yard', 'rail', yard)] }),
    ];
    let message = '';
    try {
      parseCatalog({ type: 'FeatureCollection', features });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(`${message}\n`).toBe(codeBlock('text'));
  });
});
