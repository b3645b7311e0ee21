/**
 * The brief as a document model: titled sections of blocks (paragraphs, tables, charts,
 * images), which the PDF and HTML writers render the same way. Built by build-brief.ts from
 * what the use case gathered; pure data, so the same inputs give the same document.
 */
import type { ChartLayout } from './chart.ts';

/** An RGBA raster (width × height × 4 bytes, row-major), e.g. a thumbnail or a figure. */
export interface BriefRaster {
  readonly rgba: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface BriefTableColumn {
  readonly title: string;
  /** Relative width; the writers share the page width in these proportions. */
  readonly weight: number;
  readonly align?: 'left' | 'right';
}

export type BriefBlock =
  | {
      readonly kind: 'paragraph';
      readonly text: string;
      /** `note`: smaller, grey (caveats, captions). */
      readonly style?: 'normal' | 'note' | 'strong';
    }
  | { readonly kind: 'subheading'; readonly text: string }
  | {
      readonly kind: 'key-values';
      readonly pairs: readonly (readonly [string, string])[];
    }
  | {
      readonly kind: 'table';
      readonly columns: readonly BriefTableColumn[];
      readonly rows: readonly (readonly string[])[];
    }
  | { readonly kind: 'chart'; readonly chart: ChartLayout }
  | {
      readonly kind: 'images';
      /** Drawn side by side, as many per row as fit at `widthPt` each. */
      readonly items: readonly { readonly raster: BriefRaster; readonly caption: string }[];
      /** Display width of each image in points. */
      readonly widthPt: number;
    };

export interface BriefSection {
  readonly id: string;
  readonly title: string;
  readonly blocks: readonly BriefBlock[];
  /** Start the section on a new page (PDF). */
  readonly newPage?: boolean;
}

export interface BriefDocument {
  readonly title: string;
  readonly subtitle: string;
  /** ISO 8601 UTC: the one timestamp the document states (from the clock or `--now`). */
  readonly generatedAt: string;
  readonly sections: readonly BriefSection[];
}
