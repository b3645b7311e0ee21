import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { layoutTimeChart } from '../../core/brief/chart.ts';
import type { BriefDocument } from '../../core/brief/document.ts';
import { ValidationError } from '../../core/errors.ts';
import { renderBriefHtml } from './html-brief-writer.ts';
import { pdfSafeText, renderBriefPdf } from './pdf-brief-writer.ts';
import { encodePng } from './png-encode.ts';

const raster = (() => {
  const width = 16;
  const height = 8;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i += 1)
    rgba.set([i % 256, 40, 200, i % 3 === 0 ? 0 : 255], i * 4);
  return { rgba, width, height };
})();

function document(generatedAt: string): BriefDocument {
  return {
    title: 'Brief → test',
    subtitle: 'one site',
    generatedAt,
    sections: [
      {
        id: 's',
        title: 'Section',
        blocks: [
          { kind: 'paragraph', text: 'a ≥ b − c' },
          { kind: 'key-values', pairs: [['k', 'v']] },
          {
            kind: 'table',
            columns: [
              { title: 'a', weight: 1 },
              { title: 'b', weight: 2, align: 'right' },
            ],
            rows: Array.from({ length: 120 }, (_, i) => [`row ${i}`, String(i)]),
          },
          {
            kind: 'chart',
            chart: layoutTimeChart({
              title: 'series',
              points: [
                { atMs: 0, value: 1, anomaly: false },
                { atMs: 86_400_000, value: 5, anomaly: true },
              ],
              gapsMs: [43_200_000],
            }),
          },
          { kind: 'images', items: [{ raster, caption: 'thumb' }], widthPt: 100 },
        ],
      },
    ],
  };
}

describe('renderBriefPdf', () => {
  it('gives the same bytes for the same document and states its timestamp', async () => {
    const a = await renderBriefPdf(document('2026-01-01T00:00:00.000Z'));
    const b = await renderBriefPdf(document('2026-01-01T00:00:00.000Z'));
    expect(a.equals(b)).toBe(true);
    const text = a.toString('latin1');
    expect(text).toContain('(D:20260101000000Z)');
    expect((text.match(/\/Type \/Page\b(?!s)/g) ?? []).length).toBeGreaterThan(1);
    const c = await renderBriefPdf(document('2026-01-02T00:00:00.000Z'));
    expect(c.equals(a)).toBe(false);
  });
});

describe('pdfSafeText', () => {
  it('replaces what the standard fonts cannot show', () => {
    expect(pdfSafeText('a → b ≥ c − d — é 漢')).toBe('a -> b >= c - d — é ?');
  });
});

describe('renderBriefHtml', () => {
  it('inlines charts and images', () => {
    const html = renderBriefHtml(document('2026-01-01T00:00:00.000Z'));
    expect(html).toContain('<svg xmlns=');
    expect(html).toContain('src="data:image/png;base64,');
    expect(html).toContain('Brief → test');
  });
});

describe('encodePng', () => {
  it('round-trips through a PNG decoder', async () => {
    const { data, info } = await sharp(encodePng(raster))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([16, 8, 4]);
    expect(new Uint8Array(data)).toEqual(raster.rgba);
  });

  it('names the sizes of a wrong buffer', () => {
    expect(() => encodePng({ rgba: new Uint8Array(3), width: 2, height: 2 })).toThrow(
      ValidationError,
    );
    expect(() => encodePng({ rgba: new Uint8Array(3), width: 2, height: 2 })).toThrow(
      /16 bytes; got 3/,
    );
  });
});
