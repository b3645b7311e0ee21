/**
 * Parses GDAL's `GDAL_METADATA` TIFF tag (42112): `<GDALMetadata><Item name=".." sample="0"
 * role="description">..</Item>…</GDALMetadata>`. A tolerant regex reader, not an XML parser:
 * anything it does not understand is skipped.
 */

export interface GdalMetadata {
  /** Dataset-level items (no `sample`), default or IMAGERY domain, keys upper-case. */
  readonly dataset: Readonly<Record<string, string>>;
  /** Band descriptions by 0-based sample index. */
  readonly bandDescriptions: ReadonlyMap<number, string>;
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X'))
      return safeCodePoint(parseInt(body.slice(2), 16), whole);
    if (body.startsWith('#')) return safeCodePoint(parseInt(body.slice(1), 10), whole);
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

function safeCodePoint(code: number, fallback: string): string {
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff
    ? String.fromCodePoint(code)
    : fallback;
}

function attributes(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const match of text.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*"([^"]*)"/g)) {
    const [, name, value] = match;
    if (name !== undefined && value !== undefined) result.set(name.toLowerCase(), decodeXml(value));
  }
  return result;
}

/** Reads dataset items and band descriptions from GDAL_METADATA XML. */
export function parseGdalMetadata(xml: string): GdalMetadata {
  const dataset: Record<string, string> = {};
  const bandDescriptions = new Map<number, string>();
  for (const match of xml.matchAll(/<Item\b([^>]*)>([\s\S]*?)<\/Item>/g)) {
    const attrs = attributes(match[1] ?? '');
    const name = attrs.get('name');
    if (name === undefined || name === '') continue;
    const value = decodeXml(match[2] ?? '');
    const sample = attrs.get('sample');
    const domain = attrs.get('domain') ?? '';
    if (sample !== undefined) {
      const index = Number(sample);
      const isDescription =
        attrs.get('role') === 'description' || name.toUpperCase() === 'DESCRIPTION';
      if (isDescription && Number.isInteger(index) && index >= 0 && value.trim() !== '') {
        bandDescriptions.set(index, value.trim());
      }
      continue;
    }
    if (domain === '' || domain.toUpperCase() === 'IMAGERY') dataset[name.toUpperCase()] = value;
  }
  return { dataset, bandDescriptions };
}
