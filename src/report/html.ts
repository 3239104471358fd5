/**
 * The page around the charts: one HTML file with its style inline and nothing loaded from
 * elsewhere. Everything here returns Html from markup.ts, so values are escaped by construction.
 */
import { type Html, html, type Part, styleElement, styleHash } from './markup.js';
import { groupedInteger } from '../show-value.js';

/** A number as a person reads it: grouped integers, 2 decimals from 1 up, 4 below, 4 significant digits when tiny. */
export function fmt(v: unknown): string {
  if (typeof v !== 'number') return Array.isArray(v) ? v.join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) || Math.abs(v) >= 1000) return groupedInteger(v);
  if (Math.abs(v) >= 1) return v.toFixed(2);
  if (Math.abs(v) >= 0.001) return v.toFixed(4);
  return String(Number(v.toPrecision(4)));
}

export const percent = (v: number, digits = 2) => `${(v * 100).toFixed(digits)}%`;

/** A duration in the unit that shows it: ms below a second, s below ten minutes, then min and h. */
export function duration(seconds: number): string {
  if (seconds < 1e-3) return `${(seconds * 1e6).toPrecision(3)} µs`;
  if (seconds < 1) return `${(seconds * 1e3).toPrecision(3)} ms`;
  if (seconds < 600) return `${seconds.toPrecision(3)} s`;
  if (seconds < 3 * 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Names longer than this are shortened on the page (the whole name in the title attribute). */
export const NAME_SHOWN = 24;
export const shorten = (s: string, n = NAME_SHOWN) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** A name, shortened with the whole of it as the tooltip. */
export const name = (s: string): Html => (s.length > NAME_SHOWN ? html`<span title="${s}">${shorten(s)}</span>` : html`${s}`);

/** A two-column table of label and value (fractions as given: they are settings); rows with an undefined value are left out. */
export function keyValues(rows: Array<[string, unknown]>): Html {
  const body = rows
    .filter(([, v]) => v !== undefined && v !== null)
    .map(
      ([k, v]) =>
        html`<tr><th>${k}</th><td>${typeof v === 'string' || (typeof v === 'number' && !Number.isInteger(v)) ? String(v) : fmt(v)}</td></tr>`,
    );
  return html`<table class="kv">${body}</table>`;
}

/** A table with a header row; cells are text or Html. `rowClass` marks rows (the best run). */
export function grid(header: string[], rows: Part[][], cls = 'grid', rowClass: (i: number) => string = () => ''): Html {
  const head = html`<tr>${header.map((h) => html`<th>${h}</th>`)}</tr>`;
  const body = rows.map((r, i) => html`<tr class="${rowClass(i)}">${r.map((c) => html`<td>${c}</td>`)}</tr>`);
  return html`<table class="${cls}"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

export function section(id: string, title: string, body: Part, note: Part = ''): Html {
  return html`<section id="${id}"><h2>${title}</h2>${note ? html`<p class="note">${note}</p>` : ''}${body}</section>`;
}

export const figure = (chart: Html) => html`<figure class="chart">${chart}</figure>`;

const STYLE = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #e3e6ec; --accent: #2f6fb3; }
* { box-sizing: border-box; }
body { margin: 0; background: #f5f6f8; color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 20px 48px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: var(--muted); }
section { background: white; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px 16px; margin-top: 16px; }
h2 { margin: 0 0 10px; font-size: 16px; }
h3 { margin: 0 0 6px; font-size: 13px; color: var(--muted); font-weight: 600; }
.note { margin: -4px 0 10px; color: var(--muted); font-size: 13px; }
.row { display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: flex-start; }
figure.chart { margin: 0; }
.pair { display: flex; flex-wrap: wrap; gap: 0 16px; align-items: stretch; }
.pair > section { flex: 1 1 420px; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
.figures { display: flex; flex-wrap: wrap; gap: 14px 22px; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 130px; }
.tile b { display: block; font-size: 22px; font-weight: 650; }
.tile span { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.kv th { text-align: left; font-weight: normal; color: var(--muted); padding: 2px 16px 2px 0; vertical-align: top; }
table.kv td { padding: 2px 0; word-break: break-all; }
table.grid th, table.grid td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: right; }
table.grid th { font-weight: 600; color: var(--muted); font-size: 12px; }
table.grid td:first-child, table.grid th:first-child { text-align: left; }
table.grid tr.total td { font-weight: 600; border-top: 2px solid var(--line); }
.mistakes { display: grid; grid-template-columns: repeat(12, 1fr); gap: 10px 4px; }
@media (max-width: 1000px) { .mistakes { grid-template-columns: repeat(auto-fill, minmax(80px, 1fr)); } }
.mistakes figure { margin: 0; text-align: center; font-size: 11px; line-height: 1.35; white-space: nowrap; }
.mistakes img { width: 72px; height: 72px; image-rendering: pixelated; border-radius: 4px; background: black; }
.mistakes figcaption b { color: #c0392b; }
pre { background: #f7f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 10px; overflow-x: auto; font-size: 12px; }
table.grid td { white-space: nowrap; }
details > summary { cursor: pointer; color: var(--accent); margin-bottom: 6px; }
tr.best td { background: #fff1d6; font-weight: 600; }
.scroll { overflow-x: auto; }
.error { color: #c0392b; }
footer { margin-top: 18px; color: var(--muted); font-size: 12px; }
`;

const POLICY = [
  "default-src 'none'",
  'img-src data:',
  `style-src ${styleHash(STYLE)}`,
  "form-action 'none'",
  "base-uri 'none'",
  // navigate-to was dropped from CSP 3 and no browser enforces it (Chromium warns about it), so
  // it is not set: navigation is prevented by the page holding no markup from the log at all.
].join('; ');

/**
 * The whole page. The content security policy forbids any load from elsewhere, any script, any
 * form target and any base URL; the style element is allowed by its hash.
 */
export function page(title: string, subtitle: Part, sections: Part[], data?: Html): Html {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${POLICY}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${styleElement(STYLE)}
</head>
<body>
<main>
<header><h1>${title}</h1><p>${subtitle}</p></header>
${sections.filter(Boolean).map(
  (s) => html`${s}
`,
)}<footer>Written by native-mlp. Self-contained: charts are static SVG drawn with Vega-Lite and Vega, images are inline PNG.</footer>
</main>
${data ?? ''}</body>
</html>
`;
}
