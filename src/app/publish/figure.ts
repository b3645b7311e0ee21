/**
 * Annotated figures of a site on one image (`renderFigure`), two dates side by side or stacked
 * (`renderBeforeAfter`) and animations through dates (`renderFigureAnimation`), encoded by
 * `encodeFigure` as PNG, JPEG, SVG or PDF.
 *
 * A figure is the image crop (image-crop.ts) around the site or one zone, with detections,
 * change polygons and annotations drawn as labelled callouts, a title, a caption (date, sensor,
 * GSD, counts), the image's credit line, a scale bar, a north arrow and an inset locator. Its
 * `svg` leaves the map area transparent; the crop is composited beneath it when encoded (or
 * embedded as a data: PNG for `svg`). Signatures here are used by the PDF briefs: keep them.
 */
import { captionText } from '../../core/figure/caption.ts';
import { composeFigureSvg, figureBands, type FigureModel } from '../../core/figure/figure-svg.ts';
import { buildInset } from '../../core/figure/inset.ts';
import { padBbox, trueNorthAngleDeg } from '../../core/figure/layout.ts';
import { niceScaleBar } from '../../core/figure/scale-bar.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { bboxOfGeometry } from '../../core/geo/bbox.ts';
import type { Bbox, Position } from '../../core/geo/types.ts';
import { polygonsOf } from '../../core/geo/types.ts';
import type { Site } from '../../core/catalog/site.ts';
import type { ImageRepository, SiteRepository } from '../ports.ts';
import { TileRenderer } from '../tiles/render-tile.ts';
import {
  FIGURE_LAYERS,
  gatherOverlays,
  type FigureLayer,
  type FigureOverlayDeps,
} from './figure-overlays.ts';
import { renderImageCrop, type ImageCrop, type ImageCropDeps } from './image-crop.ts';

export { FIGURE_LAYERS, type FigureLayer } from './figure-overlays.ts';

export const FIGURE_FORMATS = ['png', 'jpeg', 'svg', 'pdf'] as const;
export type FigureFormat = (typeof FIGURE_FORMATS)[number];
export const ANIMATION_FORMATS = ['gif', 'webp'] as const;
export type AnimationFormat = (typeof ANIMATION_FORMATS)[number];

/** Turns figures into files (sharp/libvips, pdfkit: src/adapters/image-encode/). */
export interface FigureEncoder {
  /** RGBA → a `data:image/png;base64,…` URI. */
  pngDataUri(rgba: Uint8Array, width: number, height: number): Promise<string>;
  /**
   * Draws `layers` (RGBA rasters at a position, then SVG documents, in order) on a white
   * width × height canvas; returns the encoded figure or, for 'raw', its RGBA bytes.
   */
  composite(
    width: number,
    height: number,
    layers: readonly FigureLayerImage[],
    format: 'png' | 'jpeg' | 'raw',
  ): Promise<Uint8Array>;
  /** A one-page PDF holding a PNG at its size (72 dpi points). */
  pdfFromPng(png: Uint8Array, width: number, height: number, title: string): Promise<Uint8Array>;
  /** An animation from RGBA frames of one size, each shown `delayMs`, looping. */
  animate(
    frames: readonly Uint8Array[],
    width: number,
    height: number,
    delayMs: number,
    format: AnimationFormat,
  ): Promise<Uint8Array>;
}

export type FigureLayerImage =
  | {
      readonly kind: 'raster';
      readonly rgba: Uint8Array;
      readonly width: number;
      readonly height: number;
      readonly left: number;
      readonly top: number;
    }
  | { readonly kind: 'svg'; readonly svg: string; readonly left: number; readonly top: number };

export interface FigureDeps extends ImageCropDeps, FigureOverlayDeps {
  readonly sites: SiteRepository;
  readonly images: ImageRepository;
}

export interface FigureRequest {
  readonly siteId: string;
  readonly imageId: string;
  /** A zone of the site to frame instead of the whole site. */
  readonly zoneId?: string | undefined;
  /** Layers drawn; default all. */
  readonly layers?: readonly FigureLayer[] | undefined;
  readonly widthPx: number;
  readonly heightPx: number;
  /** Margin around the site/zone, as a fraction of its larger side; default 0.15. */
  readonly marginFraction?: number | undefined;
  /** A lon/lat box to frame instead of site/zone + margin (before/after panels share one). */
  readonly bboxLonLat?: Bbox | undefined;
  readonly bands?: string | undefined;
  /** A fixed scale in metres per pixel, centred on the site/zone; default: fit it. */
  readonly metersPerPixel?: number | undefined;
  /** Text over the map's top-left corner, e.g. the date in before/after panels. */
  readonly cornerLabel?: string | undefined;
}

export interface RenderedFigure {
  readonly width: number;
  readonly height: number;
  /** The figure with a transparent map area (see the file comment). */
  readonly svg: string;
  /** Where the map (the crop) sits in the figure. */
  readonly map: {
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
  };
  readonly crop: ImageCrop;
  readonly title: string;
  /** The credit line printed (or the no-credit note). */
  readonly credit: string;
  /** Things the user should know: no credit line, labels left out, partial coverage. */
  readonly warnings: readonly string[];
}

async function loadSite(deps: FigureDeps, siteId: string): Promise<Site> {
  const site = await deps.sites.get(siteId);
  if (site === undefined) throw new NotFoundError(`site ${siteId} not found`);
  return site;
}

function frameBbox(site: Site, zoneId: string | undefined, margin: number): Bbox {
  if (zoneId === undefined) return padBbox(bboxOfGeometry(site.geometry), margin);
  const zone = site.zones.find((z) => z.id === zoneId);
  if (zone === undefined) {
    const known = site.zones.map((z) => z.id).join(', ');
    throw new NotFoundError(
      `zone ${zoneId} is not a zone of site ${site.id}${known === '' ? ' (it has none)' : ` (zones: ${known})`}`,
    );
  }
  return padBbox(bboxOfGeometry(zone.geometry), margin);
}

function bboxRing([w, s, e, n]: Bbox): Position[] {
  return [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
  ];
}

/** Renders one annotated figure (see the file comment). @throws NotFoundError, ValidationError */
export async function renderFigure(
  deps: FigureDeps,
  request: FigureRequest,
): Promise<RenderedFigure> {
  const site = await loadSite(deps, request.siteId);
  const image = await deps.images.get(request.imageId);
  if (image === undefined) throw new NotFoundError(`image ${request.imageId} not found`);
  const margin = request.marginFraction ?? 0.15;
  const bbox = request.bboxLonLat ?? frameBbox(site, request.zoneId, margin);
  const { width, height } = { width: request.widthPx, height: request.heightPx };
  const bands = figureBands(width, height);
  const map = { x: 0, y: bands.titlePx, width, height: height - bands.titlePx - bands.captionPx };
  if (map.height < 16) {
    throw new ValidationError(
      `figure size ${width}x${height} leaves no room for the map; make it taller`,
    );
  }
  const crop = await renderImageCrop(deps, {
    imageId: image.id,
    bboxLonLat: bbox,
    widthPx: map.width,
    heightPx: map.height,
    bands: request.bands,
    metersPerPixel: request.metersPerPixel,
  });
  const zoneId = request.zoneId ?? null;
  const overlays = await gatherOverlays(
    deps,
    image.id,
    crop.frame,
    crop.toMap,
    request.layers ?? FIGURE_LAYERS,
    zoneId,
  );
  const zone = site.zones.find((z) => z.id === zoneId);
  const acquisition = image.acquisition;
  const text = captionText({
    siteName: site.name,
    zoneName: zone?.name ?? null,
    acquiredAt: acquisition.acquiredAt,
    sensor: acquisition.sensor,
    gsdMeters: image.gsdMeters,
    imageId: image.id,
    credit: acquisition.credit,
    provider: acquisition.provider,
    license: acquisition.license,
    counts: overlays.counts,
  });
  const [minX, minY, maxX, maxY] = crop.frame.mapBbox;
  const extent = [
    [minX, minY],
    [maxX, minY],
    [maxX, maxY],
    [minX, maxY],
  ].map((p) => crop.toLonLat(p as unknown as Position));
  const insetSize = Math.round(Math.min(map.width, map.height) * 0.22);
  const inset = buildInset({
    sizePx: insetSize,
    context: image.footprint === null ? [bboxRing(bbox)] : [image.footprint.coordinates[0] ?? []],
    site: polygonsOf(site.geometry).map((rings) => rings[0] ?? []),
    extent,
  });
  const model: FigureModel = {
    width,
    height,
    map,
    title: text.title,
    caption: text.caption,
    credit: text.credit,
    scaleBar: niceScaleBar(crop.frame.metersPerPixel, map.width * 0.25),
    northAngleDeg: trueNorthAngleDeg(crop.frame, crop.toLonLat, crop.toMap),
    callouts: overlays.callouts,
    inset,
    mapImageHref: null,
    ...(request.cornerLabel === undefined ? {} : { cornerLabel: request.cornerLabel }),
  };
  const composed = composeFigureSvg(model);
  // A missing layer is worth a warning only when the user asked for it by name.
  const warnings = request.layers === undefined ? [] : [...overlays.warnings];
  if (text.creditMissing)
    warnings.push(`image ${image.id} has no credit line recorded; the caption says so`);
  if (composed.droppedLabels > 0) {
    warnings.push(`${composed.droppedLabels} labels left out: no free place for them`);
  }
  if (crop.coverage === 0) warnings.push(`image ${image.id} does not cover the figure's extent`);
  else if (crop.coverage < 0.98) {
    warnings.push(
      `image ${image.id} covers ${Math.round(crop.coverage * 100)} % of the figure's extent`,
    );
  }
  return {
    width,
    height,
    svg: composed.svg,
    map,
    crop,
    title: text.title,
    credit: text.credit,
    warnings,
  };
}

/** The figure's layers for the encoder: the crop, then the SVG over it. */
export function figureLayers(figure: RenderedFigure, left = 0, top = 0): FigureLayerImage[] {
  return [
    {
      kind: 'raster',
      rgba: figure.crop.rgba,
      width: figure.crop.width,
      height: figure.crop.height,
      left: left + figure.map.x,
      top: top + figure.map.y,
    },
    { kind: 'svg', svg: figure.svg, left, top },
  ];
}

/** A stand-alone SVG document: the crop embedded as a data: PNG beneath the figure. */
export async function figureSvgDocument(
  encoder: FigureEncoder,
  figure: RenderedFigure,
): Promise<string> {
  const href = await encoder.pngDataUri(figure.crop.rgba, figure.crop.width, figure.crop.height);
  const { x, y, width, height } = figure.map;
  const image = `<image x="${x}" y="${y}" width="${width}" height="${height}" href="${href}"/>`;
  // The figure's first shape is its background with the map punched out: put the image under it.
  const open = figure.svg.indexOf('>') + 1;
  return `${figure.svg.slice(0, open)}\n${image}${figure.svg.slice(open)}`;
}

/** Encodes a figure (or a before/after composite) in the chosen format. */
export async function encodeFigure(
  encoder: FigureEncoder,
  composite: {
    readonly width: number;
    readonly height: number;
    readonly title: string;
    readonly figures: readonly { figure: RenderedFigure; left: number; top: number }[];
  },
  format: FigureFormat,
): Promise<Uint8Array> {
  const { width, height } = composite;
  if (format === 'svg') {
    const parts = await Promise.all(
      composite.figures.map(async ({ figure, left, top }) => {
        const doc = await figureSvgDocument(encoder, figure);
        return `<g transform="translate(${left},${top})">${doc}</g>`;
      }),
    );
    const svg =
      composite.figures.length === 1
        ? await figureSvgDocument(encoder, composite.figures[0]?.figure as RenderedFigure)
        : `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n${parts.join('\n')}\n</svg>`;
    return new TextEncoder().encode(svg);
  }
  const layers = composite.figures.flatMap(({ figure, left, top }) =>
    figureLayers(figure, left, top),
  );
  if (format === 'pdf') {
    const png = await encoder.composite(width, height, layers, 'png');
    return encoder.pdfFromPng(png, width, height, composite.title);
  }
  return encoder.composite(width, height, layers, format);
}

export const BEFORE_AFTER_LAYOUTS = ['side', 'stacked'] as const;
export type BeforeAfterLayout = (typeof BEFORE_AFTER_LAYOUTS)[number];

export interface BeforeAfterRequest extends Omit<
  FigureRequest,
  'imageId' | 'cornerLabel' | 'bboxLonLat'
> {
  readonly beforeImageId: string;
  readonly afterImageId: string;
  readonly layout: BeforeAfterLayout;
}

export interface RenderedBeforeAfter {
  readonly width: number;
  readonly height: number;
  readonly title: string;
  /** Before then after, each placed at (left, top); same extent and scale. */
  readonly figures: readonly { figure: RenderedFigure; left: number; top: number }[];
  readonly warnings: readonly string[];
}

/** The one extent every date of a request shares. */
async function sharedBbox(
  deps: FigureDeps,
  request: Omit<FigureRequest, 'imageId'>,
): Promise<Bbox> {
  const site = await loadSite(deps, request.siteId);
  return frameBbox(site, request.zoneId, request.marginFraction ?? 0.15);
}

function dateLabel(figure: RenderedFigure, which: string): string {
  return `${which} ${figure.crop.image.acquisition.acquiredAt.slice(0, 10)}`;
}

/**
 * Two dates of a site side by side (`side`: each panel half the width) or stacked (half the
 * height), with the same extent, scale and furniture, each labelled with its date.
 */
export async function renderBeforeAfter(
  deps: FigureDeps,
  request: BeforeAfterRequest,
): Promise<RenderedBeforeAfter> {
  const bbox = await sharedBbox(deps, request);
  const side = request.layout === 'side';
  const panelWidth = side ? Math.floor(request.widthPx / 2) : request.widthPx;
  const panelHeight = side ? request.heightPx : Math.floor(request.heightPx / 2);
  const renderer = deps.renderer ?? new TileRenderer(deps, { maxOpenImages: 2 });
  try {
    const shared = { ...deps, renderer };
    const panels: RenderedFigure[] = [];
    for (const [imageId, which] of [
      [request.beforeImageId, 'Before'],
      [request.afterImageId, 'After'],
    ] as const) {
      const image = await deps.images.get(imageId);
      if (image === undefined) throw new NotFoundError(`image ${imageId} not found`);
      panels.push(
        await renderFigure(shared, {
          ...request,
          imageId,
          bboxLonLat: bbox,
          widthPx: panelWidth,
          heightPx: panelHeight,
          cornerLabel: `${which} ${image.acquisition.acquiredAt.slice(0, 10)}`,
        }),
      );
    }
    const [before, after] = panels as [RenderedFigure, RenderedFigure];
    return {
      width: side ? panelWidth * 2 : panelWidth,
      height: side ? panelHeight : panelHeight * 2,
      title: `${dateLabel(before, 'Before')} / ${dateLabel(after, 'After')}`,
      figures: [
        { figure: before, left: 0, top: 0 },
        { figure: after, left: side ? panelWidth : 0, top: side ? 0 : panelHeight },
      ],
      warnings: [...new Set([...before.warnings, ...after.warnings])],
    };
  } finally {
    if (deps.renderer === undefined) await renderer.close();
  }
}

export interface AnimationRequest extends Omit<
  FigureRequest,
  'imageId' | 'cornerLabel' | 'bboxLonLat'
> {
  /** Images in frame order (two for a flip, all of a site's for a timeline). */
  readonly imageIds: readonly string[];
  readonly delayMs: number;
  readonly format: AnimationFormat;
}

/**
 * An animation flipping between dates (or running through a timeline): one full figure per
 * image, same extent and scale, each labelled with its date.
 * @throws ValidationError for fewer than two images.
 */
export async function renderFigureAnimation(
  deps: FigureDeps & { readonly encoder: FigureEncoder },
  request: AnimationRequest,
): Promise<{
  bytes: Uint8Array;
  frameCount: number;
  credits: readonly string[];
  warnings: readonly string[];
}> {
  if (request.imageIds.length < 2) {
    throw new ValidationError(
      `an animation needs at least 2 images; got ${request.imageIds.length} (${request.imageIds.join(', ') || 'none'})`,
    );
  }
  const bbox = await sharedBbox(deps, request);
  const renderer = deps.renderer ?? new TileRenderer(deps, { maxOpenImages: 2 });
  const frames: Uint8Array[] = [];
  const warnings = new Set<string>();
  const credits = new Set<string>();
  try {
    for (const imageId of request.imageIds) {
      const image = await deps.images.get(imageId);
      if (image === undefined) throw new NotFoundError(`image ${imageId} not found`);
      const figure = await renderFigure(
        { ...deps, renderer },
        {
          ...request,
          imageId,
          bboxLonLat: bbox,
          cornerLabel: image.acquisition.acquiredAt.slice(0, 10),
        },
      );
      figure.warnings.forEach((w) => warnings.add(w));
      credits.add(figure.credit);
      frames.push(
        await deps.encoder.composite(figure.width, figure.height, figureLayers(figure), 'raw'),
      );
    }
  } finally {
    if (deps.renderer === undefined) await renderer.close();
  }
  const bytes = await deps.encoder.animate(
    frames,
    request.widthPx,
    request.heightPx,
    request.delayMs,
    request.format,
  );
  return { bytes, frameCount: frames.length, credits: [...credits], warnings: [...warnings] };
}
