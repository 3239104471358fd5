/**
 * The only way the report makes HTML: `html` tagged templates. The literal parts of a template
 * are the program's own markup; every interpolated value is escaped as text unless it is an
 * `Html` value that this module made, and `Html` values can only be made here (the constructor
 * takes a module-private key). So a class name, a setting or a message from a log reaches the
 * page as text whatever it contains, in element content and in quoted attribute values alike.
 *
 * Three doors let finished markup in, each checked: `svg` (Vega's serializer escapes text and
 * attributes; the result is also checked against a list of SVG elements, with no event handler
 * or link), `pngDataUrl` (bytes encoded here) and `jsonScript` (a data block, escaped for the
 * script context: `<`, `>`, `&`, U+2028 and U+2029 as \u escapes).
 */
import { createHash } from 'node:crypto';

const KEY = Symbol('html');

export class Html {
  readonly #text: string;
  constructor(key: symbol, text: string) {
    if (key !== KEY) throw new TypeError('Html values are made by the html template of src/report/markup.ts only');
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

const make = (text: string) => new Html(KEY, text);

/** Text as HTML text or a quoted attribute value: & < > " ' escaped (and nothing else left special). */
export function escapeText(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** What may be interpolated: escaped text, trusted Html, or lists of them (joined without separator). */
export type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(v: Part): string {
  if (v instanceof Html) return v.toString();
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeText(String(v));
}

/** `html\`<td title="${name}">${name}</td>\``: values escaped, Html values kept. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  // A real template's strings are frozen and carry .raw; a plain array passed as one would smuggle text in.
  if (!Object.isFrozen(strings) || !Array.isArray(strings.raw)) throw new TypeError('html must be used as a tagged template');
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return make(out);
}

/** Html parts joined with a separator (itself escaped text unless Html). */
export function join(parts: Part[], separator: Part = ''): Html {
  return make(parts.map(render).join(render(separator)));
}

/** The SVG elements Vega's serializer writes; anything else (script, foreignObject, a, image) is refused. */
const SVG_ELEMENTS = new Set([
  'svg',
  'g',
  'path',
  'rect',
  'line',
  'circle',
  'text',
  'tspan',
  'defs',
  'clipPath',
  'linearGradient',
  'radialGradient',
  'stop',
  'title',
  'desc',
  'pattern',
  'polygon',
  'polyline',
  'ellipse',
]);

/** A finished SVG picture from the chart renderer, checked for elements and attributes that could act. */
export function svg(markup: string): Html {
  // Text and attribute values arrive escaped (no literal < or " inside them), so every literal < opens a real tag.
  if (markup.includes('<!') || markup.includes('<?'))
    throw new TypeError('chart markup holds a declaration or a processing instruction; refused');
  for (const tag of markup.match(/<[^>]*>/g) ?? []) {
    const name = /^<\/?([A-Za-z][\w:-]*)/.exec(tag)?.[1];
    if (!name || !SVG_ELEMENTS.has(name)) throw new TypeError(`chart markup holds a <${name ?? '?'}> element; refused`);
    const names = tag.replace(/"[^"]*"/g, '""').match(/\s[^\s=/>]+(?==)/g) ?? [];
    const acting = names.map((n) => n.trim()).find((n) => /^on|^(href|xlink:href|src|style)$/i.test(n));
    if (acting) throw new TypeError(`chart markup holds a ${acting} attribute; refused`);
  }
  return make(markup);
}

/** A PNG's bytes as a data: URL for an img src. */
export const pngDataUrl = (png: Uint8Array): Html => make(`data:image/png;base64,${Buffer.from(png).toString('base64')}`);

/**
 * A JSON data block. JSON.stringify leaves `<`, `>`, `&` and U+2028/2029 as they are; in a script
 * element `</script>` or `<!--` would end or change the block, so they become \u escapes, which
 * JSON.parse reads back as the same characters.
 */
export function jsonScript(id: string, value: unknown): Html {
  const json = JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return html`<script type="application/json" id="${id}">${make(json)}</script>`;
}

/** The page's own style sheet (a constant of html.ts) as a style element; it cannot end the element early. */
export function styleElement(css: string): Html {
  if (/<\//.test(css)) throw new TypeError('a style sheet must not contain "</"');
  return make(`<style>${css}</style>`);
}

/** The CSP source of an inline style element's exact text. */
export const styleHash = (css: string) => `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
