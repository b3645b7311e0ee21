/**
 * Reads the identity of a CRS from WKT text without a full WKT parser: the EPSG code of the
 * outermost `AUTHORITY["EPSG","n"]` (WKT1) or `ID["EPSG",n]` (WKT2), the root keyword and the
 * root name. Pure string work, so it is cheap to test.
 */

/** What a WKT string says about the CRS it describes. */
export interface WktCrsIdentity {
  /** Upper-case root keyword, e.g. `PROJCS`, `GEOGCS`, `PROJCRS`, `GEOGCRS`. */
  readonly keyword: string;
  /** The quoted name right after the root keyword, e.g. `WGS 84 / UTM zone 18N`. */
  readonly name: string | null;
  /** EPSG code from an authority clause that is a direct child of the root, if any. */
  readonly epsgCode: number | null;
}

interface Node {
  readonly keyword: string;
  readonly args: (Node | string)[];
}

/** Splits WKT into nodes; returns null when brackets or quotes do not balance. */
function parseWkt(text: string): Node | null {
  let index = 0;
  const skipSpace = (): void => {
    while (index < text.length && /[\s,]/.test(text.charAt(index))) index += 1;
  };
  const parseNode = (depth: number): Node | string | null => {
    skipSpace();
    if (depth > 64) return null;
    if (text.charAt(index) === '"') {
      let value = '';
      index += 1;
      while (index < text.length) {
        const char = text.charAt(index);
        if (char === '"' && text.charAt(index + 1) === '"') {
          value += '"';
          index += 2;
        } else if (char === '"') {
          index += 1;
          return value;
        } else {
          value += char;
          index += 1;
        }
      }
      return null;
    }
    const start = index;
    while (index < text.length && /[A-Za-z0-9_.+-]/.test(text.charAt(index))) index += 1;
    const word = text.slice(start, index);
    if (word === '') return null;
    skipSpace();
    const open = text.charAt(index);
    if (open !== '[' && open !== '(') return word;
    const close = open === '[' ? ']' : ')';
    index += 1;
    const args: (Node | string)[] = [];
    for (;;) {
      skipSpace();
      if (index >= text.length) return null;
      if (text.charAt(index) === close) {
        index += 1;
        return { keyword: word.toUpperCase(), args };
      }
      const child = parseNode(depth + 1);
      if (child === null) return null;
      args.push(child);
    }
  };
  const root = parseNode(0);
  return root !== null && typeof root !== 'string' ? root : null;
}

/**
 * Reads the root keyword, name and EPSG authority code of a WKT1 or WKT2 CRS.
 * Returns null when the text is not bracket-balanced WKT.
 */
export function readWktCrsIdentity(wkt: string): WktCrsIdentity | null {
  const root = parseWkt(wkt.trim());
  if (root === null) return null;
  const first = root.args[0];
  const name = typeof first === 'string' ? first : null;
  let epsgCode: number | null = null;
  for (const child of root.args) {
    if (typeof child === 'string') continue;
    if (child.keyword !== 'AUTHORITY' && child.keyword !== 'ID') continue;
    const [authority, code] = child.args;
    if (typeof authority !== 'string' || authority.toUpperCase() !== 'EPSG') continue;
    const parsed = typeof code === 'string' ? Number(code) : Number.NaN;
    if (Number.isInteger(parsed) && parsed > 0) epsgCode = parsed;
  }
  return { keyword: root.keyword, name, epsgCode };
}
