/**
 * The comparison report of several runs (a sweep's runs.jsonl, or several train --json logs):
 * the runs' curves overlaid with the best one highlighted, each varying setting against the
 * metric, and a table of settings and final metrics sorted by the metric. Bounded: at most
 * CURVES_DRAWN curves and PARAMETERS_DRAWN parameter panels are drawn, the table lists up to
 * RUN_ROWS runs, and each cut is said on the page.
 */
import { renderSvg, type Row, type Spec } from './charts.js';
import { figure, fmt, grid, name, page, section } from './html.js';
import type { ReportLibs } from './libs.js';
import { type Html, html, type Part } from './markup.js';
import { type CompareOptions, type ComparedRun, higherIsBetter, METRICS, type SettingValue } from './runs.js';
import { evenly } from './training.js';

export const CURVES_DRAWN = 50;
/** Epochs per overlaid curve at most (50 curves of 200 points keep the picture light). */
export const CURVE_EPOCHS = 200;
export const PARAMETERS_DRAWN = 12;
export const RUN_ROWS = 1000;

const BEST = '#e45756';
const OTHERS = '#7f9cbf';

const settingText = (v: SettingValue | undefined): string => (v === undefined ? '' : Array.isArray(v) ? v.join('-') : String(v));
const runLabel = (r: ComparedRun) => (typeof r.run === 'number' ? `run ${r.run}` : r.run);

/** The metric to rank by: the one asked for, else the first of METRICS that some run has. */
export function rankingMetric(runs: ComparedRun[], asked?: string): string | undefined {
  if (asked) return asked;
  return METRICS.find((m) => runs.some((r) => Number.isFinite(r.final[m])));
}

/** Runs best first; runs without a finite value of the metric (failed runs among them) last, in their order. */
export function rankRuns(runs: ComparedRun[], metric: string | undefined): ComparedRun[] {
  if (!metric) return [...runs];
  const sign = higherIsBetter(metric) ? -1 : 1;
  const value = (r: ComparedRun) => (r.error === undefined && Number.isFinite(r.final[metric]) ? r.final[metric] : undefined);
  return runs
    .map((r, i) => ({ r, i, v: value(r) }))
    .sort((a, b) => {
      if (a.v === undefined || b.v === undefined) return a.v === undefined ? (b.v === undefined ? a.i - b.i : 1) : -1;
      return sign * (a.v - b.v) || a.i - b.i;
    })
    .map((x) => x.r);
}

/** The epoch field drawn for the metric: the metric itself when epochs carry it, else its validation or training form, else the loss. */
function curveField(runs: ComparedRun[], metric: string | undefined): string {
  const base = metric?.replace(/^(test|validation|train)/, '') ?? 'Loss';
  const candidates = [metric ?? '', `validation${base}`, `train${base}`, 'validationLoss', 'loss'];
  return candidates.find((f) => f && runs.some((r) => r.epochs.some((e) => typeof e[f] === 'number'))) ?? 'loss';
}

function curvesChart(ranked: ComparedRun[], fieldName: string, best: ComparedRun | undefined): Spec {
  const rows: Row[] = [];
  for (const r of ranked.slice(0, CURVES_DRAWN)) {
    evenly(r.epochs, CURVE_EPOCHS).forEach((e, i) => {
      const v = e[fieldName];
      if (typeof v === 'number' && Number.isFinite(v)) {
        rows.push({ run: runLabel(r), epoch: typeof e.epoch === 'number' ? e.epoch : i + 1, value: v, best: r === best ? 1 : 0 });
      }
    });
  }
  return {
    title: `${fieldName} per epoch`,
    width: 520,
    height: 260,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { nice: false }, axis: { tickMinStep: 1, format: 'd' } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: fieldName,
        scale: { zero: false },
        ...(/accuracy/i.test(fieldName) ? { axis: { format: '.1%' } } : {}),
      },
      detail: { field: 'run', type: 'nominal' },
      color: { condition: { test: 'datum.best == 1', value: BEST }, value: OTHERS },
      opacity: { condition: { test: 'datum.best == 1', value: 1 }, value: 0.45 },
      strokeWidth: { condition: { test: 'datum.best == 1', value: 3 }, value: 1.2 },
      order: { field: 'best', type: 'quantitative' },
    },
  };
}

/** One panel per setting that varies: its value against the metric, the best run in red. */
function parameterChart(param: string, ranked: ComparedRun[], metric: string, best: ComparedRun | undefined): Spec {
  const runs = ranked.filter((r) => r.error === undefined && Number.isFinite(r.final[metric]) && r.settings[param] !== undefined);
  const numeric = runs.every((r) => typeof r.settings[param] === 'number');
  const values = runs.map((r) => r.settings[param] as number);
  const log = numeric && values.every((v) => v > 0) && Math.max(...values) / Math.min(...values) >= 100;
  const rows: Row[] = runs.map((r) => ({
    x: numeric ? (r.settings[param] as number) : settingText(r.settings[param]),
    y: r.final[metric],
    best: r === best ? 1 : 0,
  }));
  return {
    title: param,
    width: 220,
    height: 180,
    data: { values: rows },
    mark: { type: 'point', filled: true, size: 60 },
    encoding: {
      x: numeric
        ? { field: 'x', type: 'quantitative', title: param, scale: { zero: false, ...(log ? { type: 'log' } : {}) } }
        : { field: 'x', type: 'nominal', title: param, sort: null, axis: { labelAngle: -30, labelLimit: 100 } },
      y: { field: 'y', type: 'quantitative', title: metric, scale: { zero: false } },
      color: { condition: { test: 'datum.best == 1', value: BEST }, value: OTHERS },
      order: { field: 'best', type: 'quantitative' },
    },
  };
}

function runTable(ranked: ComparedRun[], params: string[], metrics: string[], best: ComparedRun | undefined): Html {
  const shown = ranked.slice(0, RUN_ROWS);
  const rows: Part[][] = shown.map((r, i) => [
    String(i + 1),
    name(runLabel(r)),
    ...params.map((p) => name(settingText(r.settings[p]))),
    ...metrics.map((m) => (r.final[m] === undefined ? '' : fmt(r.final[m]))),
    r.seconds === undefined ? '' : fmt(r.seconds),
    r.error !== undefined ? html`<span class="error">${r.error.slice(0, 200)}</span>` : r.model !== undefined ? name(r.model) : '',
  ]);
  const header = ['rank', 'run', ...params, ...metrics, 'seconds', 'model'];
  const cut =
    ranked.length > RUN_ROWS
      ? html`<p class="note">The best ${RUN_ROWS} of ${fmt(ranked.length)} runs (${fmt(ranked.length - RUN_ROWS)} left out).</p>`
      : '';
  return html`${cut}<div class="scroll">${grid(header, rows, 'grid', (i) => (shown[i] === best ? 'best' : ''))}</div>`;
}

/** The comparison page; `runs` must have passed checkRun (compareReportHtml in index.ts checks them). */
export async function renderComparison(libs: ReportLibs, runs: ComparedRun[], options: CompareOptions = {}): Promise<string> {
  const metric = rankingMetric(runs, options.metric);
  const ranked = rankRuns(runs, metric);
  const best = metric && ranked[0] && ranked[0].error === undefined && Number.isFinite(ranked[0].final[metric]) ? ranked[0] : undefined;
  const allParams = [...new Set(runs.flatMap((r) => Object.keys(r.settings)))];
  const varies = (p: string) => new Set(runs.map((r) => settingText(r.settings[p]))).size > 1;
  // Settings every run shares are said once above the table; the table's columns are those that vary.
  const params = allParams.filter(varies);
  const shared = allParams
    .filter((p) => !varies(p))
    .map((p) => `${p} ${settingText(runs[0].settings[p])}`)
    .join(', ');
  const metrics = [...new Set([...(metric ? [metric] : []), ...runs.flatMap((r) => Object.keys(r.final))])];
  const direction = metric ? (higherIsBetter(metric) ? 'higher is better' : 'lower is better') : '';

  const curveName = curveField(runs, metric);
  const curves = runs.some((r) => r.epochs.length)
    ? section(
        'curves',
        'Curves of every run',
        figure(await renderSvg(libs, curvesChart(ranked, curveName, best))),
        html`The best run in red${best ? html` (${name(runLabel(best))})` : ''}.${ranked.length > CURVES_DRAWN ? ` The best ${CURVES_DRAWN} of ${fmt(ranked.length)} runs are drawn (${fmt(ranked.length - CURVES_DRAWN)} left out; all are in the table).` : ''}`,
      )
    : '';
  const varying = allParams.filter(varies);
  const panels: Html[] = [];
  if (metric)
    for (const p of varying.slice(0, PARAMETERS_DRAWN)) panels.push(await renderSvg(libs, parameterChart(p, ranked, metric, best)));
  const parameters = panels.length
    ? section(
        'parameters',
        `Each setting against ${metric}`,
        html`<div class="figures">${panels.map(figure)}</div>`,
        `One point per run (${direction}); the best run in red.${varying.length > PARAMETERS_DRAWN ? ` ${PARAMETERS_DRAWN} of ${varying.length} varying settings drawn.` : ''}`,
      )
    : '';
  const table = section(
    'runs',
    metric ? `Runs by ${metric} (${direction})` : 'Runs',
    runTable(ranked, params, metrics, best),
    `The best run is highlighted.${shared ? ` Same in every run: ${shared}.` : ''}`,
  );
  const failed = runs.filter((r) => r.error !== undefined).length;
  const subtitle = [
    options.title,
    `${runs.length} run${runs.length === 1 ? '' : 's'}`,
    failed ? `${failed} failed` : '',
    best && metric ? `best: ${runLabel(best)}, ${metric} ${fmt(best.final[metric])}` : 'no run has a value of the metric',
  ]
    .filter(Boolean)
    .join(' · ');
  return page('native-mlp run comparison', subtitle, [curves, parameters, table]).toString();
}
