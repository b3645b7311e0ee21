/** A figure's title, caption and credit line, from the image's metadata. */

export interface CaptionFacts {
  readonly siteName: string;
  readonly zoneName: string | null;
  /** ISO 8601 UTC. */
  readonly acquiredAt: string;
  readonly sensor: string | null;
  readonly gsdMeters: number | null;
  readonly imageId: string;
  readonly credit: string | null;
  readonly provider: string | null;
  readonly license: string | null;
  /** e.g. `12 vehicle, 3 building`; empty for none. */
  readonly counts: readonly string[];
}

/** The text printed when an image has no credit line. */
export const NO_CREDIT_TEXT = 'no credit line recorded for this image';

export interface CaptionText {
  readonly title: string;
  /** The caption sentence(s): date, sensor, GSD, counts. */
  readonly caption: string;
  /** `Image © provider, credit (licence)` or {@link NO_CREDIT_TEXT}. */
  readonly credit: string;
  /** Whether the image had no credit line (warn about it). */
  readonly creditMissing: boolean;
}

function formatGsd(gsdMeters: number | null): string {
  if (gsdMeters === null) return 'GSD unknown';
  return `GSD ${Number(gsdMeters.toPrecision(3))} m`;
}

/** The date of an ISO timestamp, `YYYY-MM-DD` (UTC). */
function datePart(iso: string): string {
  return iso.slice(0, 10);
}

export function captionText(facts: CaptionFacts): CaptionText {
  const place = facts.zoneName === null ? facts.siteName : `${facts.siteName}: ${facts.zoneName}`;
  const title = `${place}, ${datePart(facts.acquiredAt)}`;
  const parts = [
    `Acquired ${facts.acquiredAt.slice(0, 16).replace('T', ' ')} UTC`,
    facts.sensor ?? 'sensor unknown',
    formatGsd(facts.gsdMeters),
    `image ${facts.imageId}`,
  ];
  const counts = facts.counts.length > 0 ? ` Counts: ${facts.counts.join(', ')}.` : '';
  const caption = `${parts.join(', ')}.${counts}`;
  if (facts.credit === null) {
    return { title, caption, credit: NO_CREDIT_TEXT, creditMissing: true };
  }
  const provider = facts.provider === null ? '' : `Image © ${facts.provider}. `;
  const license = facts.license === null ? '' : ` Licence: ${facts.license}.`;
  return {
    title,
    caption,
    credit: `${provider}${facts.credit}${/[.!?]$/.test(facts.credit) ? '' : '.'}${license}`,
    creditMissing: false,
  };
}
