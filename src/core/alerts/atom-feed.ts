/** Renders alerts as an Atom 1.0 feed (RFC 4287), newest first. */
import type { Alert } from './alert.ts';

export interface AtomFeedOptions {
  /** A stable IRI for the feed, e.g. `urn:sitewatch:alerts:<home>`. */
  readonly feedId: string;
  readonly title: string;
  /** ISO 8601 UTC used as the feed's `updated` when there is no alert. */
  readonly emptyUpdated: string;
}

/** Escapes text for XML element content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
}

export function renderAtomFeed(alerts: readonly Alert[], options: AtomFeedOptions): string {
  const sorted = [...alerts].sort((a, b) =>
    a.decidedAt === b.decidedAt ? (a.id < b.id ? 1 : -1) : a.decidedAt < b.decidedAt ? 1 : -1,
  );
  const updated = sorted[0]?.decidedAt ?? options.emptyUpdated;
  const entries = sorted.map(
    (alert) => `  <entry>
    <id>urn:sitewatch:alert:${escapeXml(alert.id)}</id>
    <title>[${escapeXml(alert.severity)}] ${escapeXml(alert.title)}</title>
    <updated>${escapeXml(alert.decidedAt)}</updated>
    <published>${escapeXml(alert.decidedAt)}</published>
    <category term="${escapeXml(alert.severity)}" label="severity"/>
    <category term="${escapeXml(alert.ruleId)}" label="rule"/>
    <summary type="text">${escapeXml(alert.summary)}</summary>
  </entry>`,
  );
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(options.feedId)}</id>`,
    `  <title>${escapeXml(options.title)}</title>`,
    `  <updated>${escapeXml(updated)}</updated>`,
    '  <author><name>sitewatch</name></author>',
    '  <generator>sitewatch</generator>',
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}
