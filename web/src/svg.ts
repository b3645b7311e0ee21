/** Building SVG charts without a chart library. */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A new SVG element with its attributes. */
export function svg<K extends keyof SVGElementTagNameMap>(
  name: K,
  attributes: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

/** A `<title>` (the browser's tooltip) holding `text`. */
export function svgTitle(text: string): SVGTitleElement {
  const title = svg('title', {});
  title.textContent = text;
  return title;
}
