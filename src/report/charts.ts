/**
 * Chart specifications (Vega-Lite) and their rendering to static SVG with Vega's headless
 * renderer: the report carries finished pictures, so it opens without any script.
 */
import type { ReportLibs } from './libs.js';

type Spec = Record<string, unknown>;
export type Row = Record<string, string | number>;

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Shared look: the page's font, quiet axes, no frame around the plot. */
const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e8e8e8', domainColor: '#999', tickColor: '#999' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom', direction: 'horizontal' },
  title: { fontSize: 13, fontWeight: 600, anchor: 'start', offset: 8 },
};

/** Renders a Vega-Lite spec to an SVG element for inline use (no XML namespace URLs: HTML needs none). */
export async function renderSvg(libs: ReportLibs, spec: Spec): Promise<string> {
  const { spec: vegaSpec } = libs.vegaLite.compile({ config: CONFIG, ...spec } as never);
  const view = new libs.vega.View(libs.vega.parse(vegaSpec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return svg.replace(/ xmlns(:xlink)?="[^"]*"/g, '');
  } finally {
    view.finalize();
  }
}

/** Values per epoch for a few series (training, validation): lines with points. */
export function epochLines(title: string, rows: Row[], yTitle: string, opts: { percent?: boolean; log?: boolean } = {}): Spec {
  return {
    title, width: 380, height: 200, data: { values: rows },
    mark: { type: 'line', point: { size: 40 }, strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'ordinal', title: 'epoch', axis: { labelAngle: 0, labelOverlap: true } },
      y: {
        field: 'value', type: 'quantitative', title: yTitle, scale: { zero: false, ...(opts.log ? { type: 'log' } : {}) },
        ...(opts.percent ? { axis: { format: '.1%' } } : {}),
      },
      color: { field: 'series', type: 'nominal', title: null, sort: null },
      tooltip: [{ field: 'series' }, { field: 'epoch' }, { field: 'value', format: '.4~g' }],
    },
  };
}

/** One bar per category. */
export function bars(title: string, rows: Row[], x: string, y: string, yTitle: string, color = '#4c78a8'): Spec {
  return {
    ...(title ? { title } : {}), width: 380, height: 200, data: { values: rows },
    layer: [
      { mark: { type: 'bar', color }, encoding: { y: { field: y, type: 'quantitative', title: yTitle } } },
      {
        mark: { type: 'text', dy: -6, fontSize: 10, color: '#333' },
        encoding: { y: { field: y, type: 'quantitative' }, text: { field: y, type: 'quantitative', format: ',.3~r' } },
      },
    ],
    encoding: { x: { field: x, type: 'ordinal', title: x, sort: null, axis: { labelAngle: 0, labelOverlap: true } } },
  };
}

/** Horizontal bars grouped by category (one colour per series). */
export function groupedBars(title: string, rows: Row[], group: string, series: string, value: string, xTitle: string): Spec {
  const groups = new Set(rows.map((r) => r[group])).size;
  const per = new Set(rows.map((r) => r[series])).size;
  return {
    ...(title ? { title } : {}), width: 520, height: Math.max(120, groups * per * 13), data: { values: rows },
    layer: [
      { mark: 'bar' },
      { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#333' }, encoding: { text: { field: value, type: 'quantitative', format: ',.3~r' } } },
    ],
    encoding: {
      y: { field: group, type: 'nominal', title: null, sort: null, axis: { labelLimit: 360, labelFontSize: 11 } },
      yOffset: { field: series, type: 'nominal', sort: null },
      x: { field: value, type: 'quantitative', title: xTitle },
      color: { field: series, type: 'nominal', title: null, sort: null },
    },
  };
}

/** Confusion matrix heat map: colour by the share of the true class's examples, text the count. */
export function confusionHeatmap(rows: Row[], classes: number): Spec {
  const cell = classes <= 12 ? 34 : Math.max(12, Math.floor(420 / classes));
  const size = cell * classes;
  const axis = { labelAngle: 0, ticks: false, domain: false, labelPadding: 4 };
  return {
    width: size, height: size, data: { values: rows },
    encoding: {
      x: { field: 'predicted', type: 'ordinal', title: 'predicted class', sort: null, axis: { ...axis, orient: 'top' } },
      y: { field: 'truth', type: 'ordinal', title: 'true class', sort: null, axis },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'share', type: 'quantitative', title: 'row share',
            scale: { scheme: 'blues', type: 'sqrt', domain: [0, 1] }, legend: { orient: 'right', direction: 'vertical', format: '.0%', gradientLength: size * 0.6 },
          },
        },
      },
      ...(classes <= 20
        ? [{
            mark: { type: 'text', fontSize: cell >= 30 ? 11 : 8 },
            encoding: {
              text: { field: 'count', type: 'quantitative' },
              color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: '#222' },
              opacity: { condition: { test: 'datum.count == 0', value: 0.35 }, value: 1 },
            },
          }]
        : []),
    ],
  };
}

/** Predicted against true values, with the line predicted = true. */
export function predictedVsTrue(rows: Row[], lo: number, hi: number): Spec {
  return {
    title: 'Predicted vs true (test set)', width: 380, height: 380,
    layer: [
      { data: { values: rows }, mark: { type: 'point', filled: true, opacity: 0.5, size: 16 },
        encoding: { x: { field: 'truth', type: 'quantitative', title: 'true', scale: { domain: [lo, hi] } },
          y: { field: 'predicted', type: 'quantitative', title: 'predicted', scale: { domain: [lo, hi] } } } },
      { data: { values: [{ a: lo, b: lo }, { a: hi, b: hi }] }, mark: { type: 'line', color: '#e45756', strokeDash: [4, 3] },
        encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } } },
    ],
  };
}
