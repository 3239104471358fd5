/**
 * Chart specifications (Vega-Lite) and their rendering to static SVG with Vega's headless
 * renderer: the report carries finished pictures, so it opens without any script. Epochs are a
 * quantitative axis (ticks thin themselves at any epoch count); names on axes are shortened
 * before they reach a chart (the tables carry the whole name).
 */
import type { ReportLibs } from './libs.js';
import { type Html, svg } from './markup.js';

export type Spec = Record<string, unknown>;
export type Row = Record<string, string | number>;

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Shared look: the page's font, quiet axes, no frame around the plot. */
const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e8e8e8', domainColor: '#999', tickColor: '#999' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom', direction: 'horizontal', labelLimit: 220 },
  title: { fontSize: 13, fontWeight: 600, anchor: 'start', offset: 8 },
};

/**
 * What Vega and Vega-Lite had to say while drawing (a warning means a spec is wrong): kept here
 * instead of going to stderr, so the CLI stays quiet and the tests can insist the list is empty.
 */
export const chartWarnings: string[] = [];

const logger = (level = 0) => {
  const self = {
    level: (l?: number) => (l === undefined ? level : ((level = l), self)),
    error: (...a: unknown[]) => {
      throw new Error(`chart: ${a.join(' ')}`);
    },
    warn: (...a: unknown[]) => (chartWarnings.push(a.join(' ')), self),
    info: () => self,
    debug: () => self,
  };
  return self;
};

/** Renders a Vega-Lite spec to an SVG element for inline use (no XML namespace URLs: HTML needs none). */
export async function renderSvg(libs: ReportLibs, spec: Spec): Promise<Html> {
  const { spec: vegaSpec } = libs.vegaLite.compile({ config: CONFIG, ...spec } as never, { logger: logger() as never });
  const view = new libs.vega.View(libs.vega.parse(vegaSpec), { renderer: 'none', logger: logger() as never, logLevel: libs.vega.Warn });
  try {
    const markup = await view.toSVG();
    return svg(markup.replace(/ xmlns(:xlink)?="[^"]*"/g, ''));
  } finally {
    view.finalize();
  }
}

/** Points on a line only while they can be told apart. */
const POINTS_UP_TO = 40;

/**
 * Values per epoch for a few series (training, validation), with an optional rule at `mark`
 * (the epoch whose weights early stopping kept).
 */
export function epochLines(
  title: string,
  rows: Row[],
  yTitle: string,
  opts: { percent?: boolean; log?: boolean; mark?: { epoch: number; label: string } } = {},
): Spec {
  const epochs = new Set(rows.map((r) => r.epoch)).size;
  const line = {
    mark: { type: 'line', strokeWidth: 2, ...(epochs <= POINTS_UP_TO ? { point: { size: 36 } } : {}) },
    encoding: {
      x: {
        field: 'epoch',
        type: 'quantitative',
        title: 'epoch',
        scale: { nice: false },
        axis: { tickMinStep: 1, format: 'd', labelOverlap: true },
      },
      y: {
        field: 'value',
        type: 'quantitative',
        title: yTitle,
        scale: { zero: false, ...(opts.log ? { type: 'log' } : {}) },
        ...(opts.percent ? { axis: { format: '.1%' } } : {}),
      },
      color: { field: 'series', type: 'nominal', title: null, sort: null },
    },
  };
  const rule = opts.mark && {
    data: { values: [{ epoch: opts.mark.epoch, label: opts.mark.label }] },
    layer: [
      { mark: { type: 'rule', color: '#888', strokeDash: [4, 3] }, encoding: { x: { field: 'epoch', type: 'quantitative' } } },
      {
        mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, y: 2, fontSize: 10, color: '#555' },
        encoding: { x: { field: 'epoch', type: 'quantitative' }, text: { field: 'label', type: 'nominal' } },
      },
    ],
  };
  return { title, width: 380, height: 200, data: { values: rows }, layer: rule ? [line, rule] : [line] };
}

/** Horizontal bars grouped by category (one colour per series). */
export function groupedBars(title: string, rows: Row[], group: string, series: string, value: string, xTitle: string): Spec {
  const groups = new Set(rows.map((r) => r[group])).size;
  const per = new Set(rows.map((r) => r[series])).size;
  return {
    ...(title ? { title } : {}),
    width: 520,
    height: Math.max(120, groups * per * 13),
    data: { values: rows },
    layer: [
      { mark: 'bar' },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#333' },
        encoding: { text: { field: value, type: 'quantitative', format: ',.3~r' } },
      },
    ],
    encoding: {
      y: { field: group, type: 'nominal', title: null, sort: null, axis: { labelLimit: 360, labelFontSize: 11 } },
      yOffset: { field: series, type: 'nominal', sort: null },
      x: { field: value, type: 'quantitative', title: xTitle },
      color: { field: series, type: 'nominal', title: null, sort: null },
    },
  };
}

/** One bar per category (few categories: machine columns of the bench). */
export function bars(title: string, rows: Row[], x: string, y: string, yTitle: string, color = '#4c78a8'): Spec {
  return {
    ...(title ? { title } : {}),
    width: 380,
    height: 200,
    data: { values: rows },
    layer: [
      { mark: { type: 'bar', color }, encoding: { y: { field: y, type: 'quantitative', title: yTitle } } },
      {
        mark: { type: 'text', dy: -6, fontSize: 10, color: '#333' },
        encoding: { y: { field: y, type: 'quantitative' }, text: { field: y, type: 'quantitative', format: ',.3~r' } },
      },
    ],
    encoding: { x: { field: x, type: 'nominal', title: x, sort: null, axis: { labelAngle: -30, labelLimit: 140, labelOverlap: true } } },
  };
}

/** Confusion matrix heat map: colour by the share of the true class's examples, text the count. Names arrive shortened. */
export function confusionHeatmap(rows: Row[], names: string[]): Spec {
  const classes = names.length;
  const cell = classes <= 12 ? 34 : Math.max(12, Math.floor(420 / classes));
  const size = cell * classes;
  const long = names.some((n) => n.length > 3);
  // Names arrive at most 16 characters long; vertical column labels never collide, whatever the cell size.
  const axis = { ticks: false, domain: false, labelPadding: 4, labelLimit: 200 };
  return {
    width: size,
    height: size,
    data: { values: rows },
    encoding: {
      x: {
        field: 'predicted',
        type: 'ordinal',
        title: 'predicted class',
        sort: names,
        axis: { ...axis, orient: 'top', labelAngle: long ? -90 : 0, labelAlign: long ? 'left' : 'center', labelBaseline: 'middle' },
      },
      y: { field: 'truth', type: 'ordinal', title: 'true class', sort: names, axis: { ...axis, labelAngle: 0 } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'share',
            type: 'quantitative',
            title: 'row share',
            scale: { scheme: 'blues', type: 'sqrt', domain: [0, 1] },
            legend: { orient: 'right', direction: 'vertical', format: '.0%', gradientLength: Math.max(60, size * 0.6) },
          },
        },
      },
      ...(classes <= 20
        ? [
            {
              mark: { type: 'text', fontSize: cell >= 30 ? 11 : 8 },
              encoding: {
                text: { field: 'count', type: 'quantitative' },
                color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: '#222' },
                opacity: { condition: { test: 'datum.count == 0', value: 0.35 }, value: 1 },
              },
            },
          ]
        : []),
    ],
  };
}

/** Predicted against true values, with the line predicted = true. */
export function predictedVsTrue(rows: Row[], lo: number, hi: number): Spec {
  return {
    title: 'Predicted vs true (test set)',
    width: 340,
    height: 340,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, opacity: 0.5, size: 16 },
        encoding: {
          x: { field: 'truth', type: 'quantitative', title: 'true', scale: { domain: [lo, hi] } },
          y: { field: 'predicted', type: 'quantitative', title: 'predicted', scale: { domain: [lo, hi] } },
        },
      },
      {
        data: {
          values: [
            { a: lo, b: lo },
            { a: hi, b: hi },
          ],
        },
        mark: { type: 'line', color: '#e45756', strokeDash: [4, 3] },
        encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
      },
    ],
  };
}

/** Residuals (predicted - true) against the prediction, with the zero line. */
export function residualPlot(rows: Row[]): Spec {
  return {
    title: 'Residuals (test set)',
    width: 340,
    height: 340,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, opacity: 0.5, size: 16, color: '#54a24b' },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', title: 'predicted', scale: { zero: false } },
          y: { field: 'residual', type: 'quantitative', title: 'predicted - true' },
        },
      },
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', color: '#e45756', strokeDash: [4, 3] },
        encoding: { y: { field: 'zero', type: 'quantitative' } },
      },
    ],
  };
}

/** A curve per class through [x, y] points (ROC: with the chance diagonal). */
export function classCurves(title: string, rows: Row[], xTitle: string, yTitle: string, diagonal: boolean): Spec {
  const curve = {
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2, interpolate: 'linear' },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle, scale: { domain: [0, 1] } },
      y: { field: 'y', type: 'quantitative', title: yTitle, scale: { domain: [0, 1] } },
      color: { field: 'class', type: 'nominal', title: null, sort: null, legend: { direction: 'vertical', labelLimit: 320 } },
      order: { field: 'i', type: 'quantitative' },
    },
  };
  const chance = {
    data: {
      values: [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ],
    },
    mark: { type: 'line', color: '#bbb', strokeDash: [4, 3] },
    encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
  };
  return { title, width: 300, height: 300, layer: diagonal ? [chance, curve] : [curve] };
}
