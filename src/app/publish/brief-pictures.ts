/**
 * The brief's pictures from the figure use cases (figure.ts, image-crop.ts): a thumbnail is
 * the image cropped to the site with a margin; the before/after figure is `renderBeforeAfter`
 * of a comparison's two images, composited to RGBA by the figure encoder. One tile renderer
 * is shared by every picture of a brief; `close` releases it.
 */
import type { BriefRaster } from '../../core/brief/document.ts';
import type { Comparison } from '../../core/change/comparison.ts';
import { NotFoundError } from '../../core/errors.ts';
import { padBbox } from '../../core/figure/layout.ts';
import { bboxOfGeometry } from '../../core/geo/bbox.ts';
import { TileRenderer } from '../tiles/render-tile.ts';
import type { BriefPictures } from './brief.ts';
import { figureLayers, renderBeforeAfter, type FigureDeps, type FigureEncoder } from './figure.ts';
import { renderImageCrop } from './image-crop.ts';

export interface BriefPictureOptions {
  /** Thumbnail size in pixels (square); default 240. */
  readonly thumbnailPx?: number;
  /** Before/after figure size in pixels; default 1200 × 600. */
  readonly figureWidthPx?: number;
  readonly figureHeightPx?: number;
}

/** See the file comment. */
export function createBriefPictures(
  deps: FigureDeps,
  encoder: FigureEncoder,
  options: BriefPictureOptions = {},
): BriefPictures & { close(): Promise<void> } {
  const renderer = deps.renderer ?? new TileRenderer(deps, { maxOpenImages: 2 });
  const shared: FigureDeps = { ...deps, renderer };
  const size = options.thumbnailPx ?? 240;
  return {
    async thumbnail(siteId: string, imageId: string): Promise<BriefRaster> {
      const site = await deps.sites.get(siteId);
      if (site === undefined) throw new NotFoundError(`site ${siteId} not found`);
      const crop = await renderImageCrop(shared, {
        imageId,
        bboxLonLat: padBbox(bboxOfGeometry(site.geometry), 0.15),
        widthPx: size,
        heightPx: size,
      });
      return { rgba: crop.rgba, width: crop.width, height: crop.height };
    },
    async beforeAfter(siteId: string, comparison: Comparison) {
      const figure = await renderBeforeAfter(shared, {
        siteId,
        beforeImageId: comparison.imageA,
        afterImageId: comparison.imageB,
        layout: 'side',
        widthPx: options.figureWidthPx ?? 1200,
        heightPx: options.figureHeightPx ?? 600,
      });
      const layers = figure.figures.flatMap(({ figure: f, left, top }) =>
        figureLayers(f, left, top),
      );
      const rgba = await encoder.composite(figure.width, figure.height, layers, 'raw');
      const warnings = figure.warnings.length === 0 ? '' : ` (${figure.warnings.join('; ')})`;
      return {
        raster: { rgba, width: figure.width, height: figure.height },
        caption: `${figure.title}: comparison ${comparison.id}, ${(comparison.changedFraction * 100).toFixed(2)} % changed${warnings}`,
      };
    },
    close: async () => {
      if (deps.renderer === undefined) await renderer.close();
    },
  };
}
