/**
 * The training report: settings and environment, curves per epoch, throughput, the test result
 * and the test-set analysis (test-analysis.ts), drawn from a run log that schema.ts has checked.
 * Every part appears only when its fields are there. Large logs are summarised: curves through
 * at most EPOCHS_DRAWN epochs, the epoch table's first and last rows, and a line saying how many
 * were left out.
 */
import { epochLines, renderSvg, type Row } from './charts.js';
import type { LoggedEvent, ReportEvent } from './events.js';
import { duration, figure, fmt, grid, keyValues, name, page, percent, section, shorten } from './html.js';
import type { ReportLibs } from './libs.js';
import { type Html, html, jsonScript } from './markup.js';
import { field } from './schema.js';
import { analysisSections } from './test-analysis.js';

/** Epochs a curve is drawn through at most (an even thinning beyond, first and last kept). */
export const EPOCHS_DRAWN = 1000;
/** Epoch table rows shown at most: the first and the last half of them. */
export const EPOCH_ROWS = 200;

const ENVIRONMENT_KEYS = new Set(['backend', 'isa', 'threads']);
const DATA_KEYS = new Set([
  'data',
  'source',
  'featureNames',
  'classNames',
  'schema',
  'testFile',
  'target',
  'features',
  'classes',
  'outputs',
  'task',
  'inputKind',
  'images',
  'imageSide',
  'validation',
]);
const isDataKey = (k: string) => DATA_KEYS.has(k) || /(Images|Rows)$/.test(k);

/** Old field names and the names that replace them (kept as aliases for one release). */
const ALIASES: Record<string, string> = {
  trainImages: 'trainRows',
  validationImages: 'validationRows',
  testImages: 'testRows',
  evalImages: 'evalRows',
  imagesPerSecond: 'rowsPerSecond',
};

function labelFor(unit: string) {
  const LABELS: Record<string, string> = {
    layers: 'layers',
    epochs: 'epochs',
    batch: 'batch size',
    lr: 'learning rate',
    seed: 'seed',
    backend: 'backend',
    isa: 'instruction set',
    threads: 'threads',
    data: 'data source',
    trainRows: `training ${unit}`,
    testRows: `test ${unit}`,
    validationRows: `validation ${unit}`,
    evalRows: `${unit} scored per epoch`,
    rowsPerSecond: `${unit}/s`,
    testMacroF1: 'test macro F1',
    testLoss: 'test loss',
    testBalancedAccuracy: 'test balanced accuracy',
    testRmse: 'test RMSE',
    testMae: 'test MAE',
    testR2: 'test R²',
  };
  return (k: string) => LABELS[ALIASES[k] ?? k] ?? (ALIASES[k] ?? k).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

const num = (e: Record<string, unknown> | undefined, ...k: string[]): number | undefined => {
  const v = field(e, ...k);
  return typeof v === 'number' ? v : undefined;
};

/** Every k-th of many items (first and last kept), so a drawing stays bounded. */
export function evenly<T>(items: T[], most: number): T[] {
  if (items.length <= most) return items;
  const step = (items.length - 1) / (most - 1);
  return Array.from({ length: most }, (_, i) => items[Math.round(i * step)]);
}

/** Rows { epoch, series, value } of the given fields (each with its aliases), one series per field present. */
export function series(epochs: Array<Record<string, unknown>>, fields: Array<[string[], string]>): Row[] {
  const rows: Row[] = [];
  const drawn = evenly(epochs, EPOCHS_DRAWN);
  for (const [names, name] of fields) {
    drawn.forEach((e, i) => {
      const v = num(e, ...names);
      if (v !== undefined && Number.isFinite(v)) rows.push({ epoch: num(e, 'epoch') ?? i + 1, series: name, value: v });
    });
  }
  return rows;
}

function settingsSection(start: LoggedEvent, report: ReportEvent | undefined, label: (k: string) => string): Html {
  const entries = Object.entries(start).filter(
    ([k]) => k !== 'event' && k !== 'schema' && !(ALIASES[k] && start[ALIASES[k]] !== undefined),
  );
  const show = ([k, v]: [string, unknown]): [string, unknown] => [
    label(k),
    k === 'layers' && Array.isArray(v)
      ? v.join('-')
      : Array.isArray(v) && v.length > 12
        ? `${v.slice(0, 12).join(', ')} … (${v.length} in all)`
        : v,
  ];
  const settings = entries.filter(([k]) => !ENVIRONMENT_KEYS.has(k) && !isDataKey(k)).map(show);
  const data = entries.filter(([k]) => isDataKey(k)).map(show);
  const env = report?.environment;
  const environment: Array<[string, unknown]> = [
    ...entries.filter(([k]) => ENVIRONMENT_KEYS.has(k)).map(show),
    ['native-mlp', env?.version],
    ['Node', env?.node],
    ['platform', env?.platform],
    ['CPU', env?.cpu !== undefined ? `${env.cpu} (${env.cores} cores)` : undefined],
  ];
  const col = (title: string, rows: Array<[string, unknown]>) => html`<div><h3>${title}</h3>${keyValues(rows)}</div>`;
  return section(
    'settings',
    'Settings and environment',
    html`<div class="row">${col('Training', settings)}${col('Environment', environment)}${col('Data', data)}</div>`,
  );
}

/** Table columns shown at most in the columns section. */
export const COLUMN_ROWS = 100;

/** The table schema of the start event (CSV runs): each column's type, missing cells, range and what it became. */
function columnsSection(start: LoggedEvent): Html | '' {
  const columns = start.schema as Array<Record<string, unknown>> | undefined;
  if (!columns?.length) return '';
  const text = (v: unknown) => (v === undefined ? '' : typeof v === 'number' ? fmt(v) : String(v));
  const rows = columns.slice(0, COLUMN_ROWS).map((c) => {
    const expands = c.expandsTo as string[] | undefined;
    const classes = c.classes as Array<{ name: string; rows: number }> | undefined;
    const note =
      c.excluded !== undefined
        ? `left out: ${text(c.excluded)}`
        : classes
          ? `${classes.length} class${classes.length === 1 ? '' : 'es'}: ${classes
              .slice(0, 6)
              .map((k) => `${shorten(k.name, 16)} (${fmt(k.rows)})`)
              .join(', ')}${classes.length > 6 ? ', …' : ''}`
          : expands && expands.length > 1
            ? `${expands
                .slice(0, 4)
                .map((n) => shorten(n, 20))
                .join(', ')}${expands.length > 4 ? ', …' : ''}`
            : '';
    const range = c.min !== undefined || c.max !== undefined ? `${text(c.min)} – ${text(c.max)}` : '';
    return [name(String(c.column)), text(c.type), text(c.missing), text(c.distinct), range, text(c.features), note];
  });
  const cut =
    columns.length > COLUMN_ROWS
      ? `The first ${COLUMN_ROWS} of ${fmt(columns.length)} columns (${fmt(columns.length - COLUMN_ROWS)} left out).`
      : '';
  const table = grid(['column', 'type', 'missing', 'distinct', 'range', 'features', ''], rows);
  return section(
    'columns',
    'Columns of the table',
    columns.length > 12 ? html`<details><summary>${fmt(columns.length)} columns</summary>${table}</details>` : table,
    cut,
  );
}

async function curvesSection(libs: ReportLibs, epochs: LoggedEvent[], stop: LoggedEvent | undefined): Promise<Html | ''> {
  const best = num(stop, 'bestEpoch');
  const mark = best !== undefined ? { epoch: best, label: `kept: epoch ${best}` } : undefined;
  const charts: Html[] = [];
  const loss = series(epochs, [
    [['loss', 'trainLoss'], 'training'],
    [['validationLoss'], 'validation'],
  ]);
  if (loss.length) charts.push(await renderSvg(libs, epochLines('Loss', loss, 'mean loss', { mark })));
  const accuracy = series(epochs, [
    [['trainAccuracy'], 'training'],
    [['validationAccuracy'], 'validation'],
  ]);
  if (accuracy.length) charts.push(await renderSvg(libs, epochLines('Accuracy', accuracy, 'accuracy', { percent: true, mark })));
  const rmse = series(epochs, [
    [['trainRmse'], 'training'],
    [['validationRmse'], 'validation'],
  ]);
  if (rmse.length) charts.push(await renderSvg(libs, epochLines('RMSE', rmse, 'root mean squared error', { mark })));
  const lr = series(epochs, [[['lr'], 'learning rate']]);
  if (new Set(lr.map((r) => r.value)).size > 1) {
    charts.push(await renderSvg(libs, epochLines('Learning rate', lr, 'lr', { log: lr.every((r) => (r.value as number) > 0) })));
  }
  if (!charts.length) return '';
  const notes = [
    epochs.length === 1 ? 'One epoch: each curve is a single point.' : '',
    epochs.length > EPOCHS_DRAWN
      ? `${fmt(epochs.length)} epochs: the curves are drawn through ${fmt(EPOCHS_DRAWN)} of them, evenly spaced (${fmt(epochs.length - EPOCHS_DRAWN)} left out).`
      : '',
    mark ? `The dashed line marks epoch ${best}, whose weights early stopping kept.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const title = `Loss${accuracy.length ? ' and accuracy' : rmse.length ? ' and RMSE' : ''} per epoch`;
  return section('curves', title, html`<div class="figures">${charts.map(figure)}</div>`, notes);
}

async function throughputSection(libs: ReportLibs, epochs: LoggedEvent[], unit: string): Promise<Html | ''> {
  const rate = series(epochs, [[['rowsPerSecond', 'imagesPerSecond'], 'training']]);
  if (!rate.length) return '';
  const seconds = series(epochs, [
    [['seconds'], 'training pass'],
    [['evalSeconds'], 'scoring'],
  ]);
  const charts = [
    await renderSvg(libs, epochLines('Training throughput', rate, `${unit} per second`)),
    await renderSvg(libs, epochLines('Seconds per epoch', seconds, 'seconds')),
  ];
  return section('throughput', 'Throughput per epoch', html`<div class="figures">${charts.map(figure)}</div>`);
}

/** Every field of the epoch events as a table, columns in the order they first appear; the first and last rows of a long run. */
function epochTable(epochs: LoggedEvent[], label: (k: string) => string): Html | '' {
  if (!epochs.length) return '';
  const all = new Set(epochs.flatMap((e) => Object.keys(e)));
  const keys = [...all].filter((k) => k !== 'event' && !(ALIASES[k] && all.has(ALIASES[k])));
  const row = (e: LoggedEvent) => keys.map((k) => (e[k] === undefined ? '' : fmt(e[k])));
  const half = EPOCH_ROWS / 2;
  const long = epochs.length > EPOCH_ROWS;
  const rows = long
    ? [...epochs.slice(0, half).map(row), [`… ${fmt(epochs.length - EPOCH_ROWS)} epochs left out …`], ...epochs.slice(-half).map(row)]
    : epochs.map(row);
  const table = grid(keys.map(label), rows);
  // A long table folds away (details needs no script), so the charts stay in view.
  const body =
    epochs.length > 20 ? html`<details><summary>Every field of the ${fmt(epochs.length)} epochs</summary>${table}</details>` : table;
  return section('epochs', 'Epochs', body, long ? `The first and last ${half} of ${fmt(epochs.length)} epochs.` : '');
}

function testSection(
  test: LoggedEvent | undefined,
  stop: LoggedEvent | undefined,
  epochs: LoggedEvent[],
  report: ReportEvent | undefined,
  label: (k: string) => string,
  warnings: LoggedEvent[],
): Html {
  const tiles: Array<[string, string]> = [];
  const acc = num(test, 'testAccuracy');
  if (acc !== undefined) tiles.push([percent(acc), 'test accuracy']);
  const m = report?.regressionMetrics;
  const shown = new Set(['event', 'testAccuracy', ...(m ? ['testRmse', 'testMae', 'testR2'] : [])]);
  if (m) tiles.push([fmt(m.rmse), 'test RMSE'], [fmt(m.mae), 'test MAE'], [m.r2 === null ? 'n/a' : m.r2.toFixed(3), 'test R²']);
  for (const [k, v] of Object.entries(test ?? {})) {
    if (!shown.has(k) && typeof v === 'number') tiles.push([/Accuracy$/.test(k) ? percent(v) : fmt(v), label(k)]);
  }
  const trainAcc = num(epochs.at(-1), 'trainAccuracy');
  if (trainAcc !== undefined) tiles.push([percent(trainAcc), 'final training accuracy']);
  const seconds = epochs.reduce((s, e) => s + (num(e, 'seconds') ?? 0) + (num(e, 'evalSeconds') ?? 0), 0);
  if (seconds > 0) tiles.push([duration(seconds), 'training time']);
  const body = html`<div class="tiles">${tiles.map(([v, k]) => html`<div class="tile"><b>${v}</b><span>${k}</span></div>`)}</div>`;
  const stopped = stop
    ? html`<p>Stopped: ${Object.entries(stop)
        .filter(([k]) => k !== 'event')
        .map(([k, v]) => `${label(k)} ${fmt(v)}`)
        .join(', ')}</p>`
    : '';
  const missing = test ? '' : html`<p class="note">The log has no test event: the run did not finish.</p>`;
  const shownWarnings = warnings.slice(0, 20).map((w) => html`<li>${String(w.message ?? '')}</li>`);
  const warned = warnings.length
    ? html`<h3>Warnings</h3><ul class="warnings">${shownWarnings}</ul>${warnings.length > 20 ? html`<p class="note">${warnings.length - 20} more warnings left out.</p>` : ''}`
    : '';
  return section('test', 'Test result', html`${body}${stopped}${missing}${warned}`);
}

/** The training report of a checked run log as one HTML page. */
export async function renderTrainingReport(libs: ReportLibs, events: LoggedEvent[]): Promise<string> {
  const start = events.find((e) => e.event === 'start')!;
  const epochs = events.filter((e) => e.event === 'epoch');
  const test = events.find((e) => e.event === 'test');
  const stop = events.find((e) => e.event === 'stop');
  const report = events.find((e) => e.event === 'report') as ReportEvent | undefined;
  const images =
    report?.inputKind === 'images' ||
    (report?.inputKind === undefined && report?.imageSide !== undefined) ||
    start.inputKind === 'images' ||
    start.images === true;
  const unit = images ? 'images' : 'rows';
  const label = labelFor(unit);
  const layers = Array.isArray(start.layers) ? start.layers.join('-') : '';
  const acc = num(test, 'testAccuracy');
  const subtitle = [
    layers && `${layers} network`,
    `${epochs.length} epoch${epochs.length === 1 ? '' : 's'}`,
    start.backend !== undefined && `${start.backend} backend (${start.isa ?? '?'}, ${start.threads ?? '?'} threads)`,
    acc !== undefined && `test accuracy ${percent(acc)}`,
  ]
    .filter(Boolean)
    .join(' · ');
  const noReport = section(
    'analysis',
    'Test-set analysis',
    html`<p class="note">This log has no <code>report</code> event, so there is no confusion matrix, per-class table or test-set plot: run <code>native-mlp train --json --report FILE</code> to record one.</p>`,
  );
  const summary = { start, test: test ?? null, stop: stop ?? null, epochs: epochs.length };
  return page(
    'native-mlp training report',
    subtitle,
    [
      settingsSection(start, report, label),
      columnsSection(start),
      await curvesSection(libs, epochs, stop),
      testSection(
        test,
        stop,
        epochs,
        report,
        label,
        events.filter((e) => e.event === 'warning'),
      ),
      report ? await analysisSections(libs, report, images) : noReport,
      await throughputSection(libs, epochs, unit),
      epochTable(epochs, label),
    ],
    jsonScript('run-summary', summary),
  ).toString();
}
