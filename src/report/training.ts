/**
 * The training report: settings and environment, curves per epoch, throughput, the test result,
 * the confusion matrix, per-class scores, the most confident mistakes, predicted vs true. Every
 * part is drawn from the logged events and appears only when its fields are there, so fields that
 * later versions add to the events (validation metrics, lr, a stop event) show up without changes.
 */
import { bars, confusionHeatmap, epochLines, predictedVsTrue, renderSvg, type Row } from './charts.js';
import type { LoggedEvent, ReportEvent } from './events.js';
import { esc, figure, fmt, grid, keyValues, page, percent, section } from './html.js';
import type { ReportLibs } from './libs.js';

const ENVIRONMENT_KEYS = new Set(['backend', 'isa', 'threads']);
const DATA_KEYS = new Set(['data', 'source', 'features', 'classes', 'task']);
const isDataKey = (k: string) => DATA_KEYS.has(k) || /(Images|Rows|Examples|Samples|Count|Fraction)$/.test(k);

const LABELS: Record<string, string> = {
  layers: 'layers', epochs: 'epochs', batch: 'batch size', lr: 'learning rate', seed: 'seed',
  backend: 'backend', isa: 'instruction set', threads: 'threads', data: 'data source',
  trainImages: 'training images', testImages: 'test images', validationImages: 'validation images',
};
const label = (k: string) => LABELS[k] ?? k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
const show = (k: string, v: unknown): [string, unknown] => [label(k), k === 'layers' && Array.isArray(v) ? v.join('-') : v];

const num = (e: LoggedEvent | undefined, k: string): number | undefined => (typeof e?.[k] === 'number' ? (e[k] as number) : undefined);

/** Rows { epoch, series, value } of the given fields of the epoch events, one series per field present. */
function series(epochs: LoggedEvent[], fields: Array<[string, string]>): Row[] {
  const rows: Row[] = [];
  for (const [field, name] of fields) {
    for (const e of epochs) {
      const v = num(e, field);
      if (v !== undefined && Number.isFinite(v)) rows.push({ epoch: num(e, 'epoch') ?? rows.length + 1, series: name, value: v });
    }
  }
  return rows;
}

function settingsSection(start: LoggedEvent, report: ReportEvent | undefined): string {
  const entries = Object.entries(start).filter(([k]) => k !== 'event');
  const settings = entries.filter(([k]) => !ENVIRONMENT_KEYS.has(k) && !isDataKey(k)).map(([k, v]) => show(k, v));
  const data = entries.filter(([k]) => isDataKey(k)).map(([k, v]) => show(k, v));
  const env = report?.environment;
  const environment: Array<[string, unknown]> = [
    ...entries.filter(([k]) => ENVIRONMENT_KEYS.has(k)).map(([k, v]) => show(k, v)),
    ['native-mlp', env?.version], ['Node', env?.node], ['platform', env?.platform], ['CPU', env ? `${env.cpu} (${env.cores} cores)` : undefined],
  ];
  const col = (title: string, rows: Array<[string, unknown]>) => `<div><h3>${title}</h3>${keyValues(rows)}</div>`;
  return section('settings', 'Settings and environment', `<div class="row">${col('Training', settings)}${col('Environment', environment)}${col('Data', data)}</div>`);
}

async function curvesSection(libs: ReportLibs, epochs: LoggedEvent[]): Promise<string> {
  const charts: string[] = [];
  const loss = series(epochs, [['loss', 'training'], ['validationLoss', 'validation']]);
  if (loss.length) charts.push(await renderSvg(libs, epochLines('Loss', loss, 'mean loss')));
  const accuracy = series(epochs, [['trainAccuracy', 'training'], ['validationAccuracy', 'validation']]);
  if (accuracy.length) charts.push(await renderSvg(libs, epochLines('Accuracy', accuracy, 'accuracy', { percent: true })));
  const rmse = series(epochs, [['trainRmse', 'training'], ['validationRmse', 'validation']]);
  if (rmse.length) charts.push(await renderSvg(libs, epochLines('RMSE', rmse, 'root mean squared error')));
  const lr = series(epochs, [['lr', 'learning rate']]);
  if (new Set(lr.map((r) => r.value)).size > 1) charts.push(await renderSvg(libs, epochLines('Learning rate', lr, 'lr', { log: true })));
  if (!charts.length) return '';
  const note = epochs.length === 1 ? 'One epoch: each curve is a single point.' : '';
  return section('curves', 'Loss and accuracy per epoch', `<div class="figures">${charts.map(figure).join('')}</div>`, note);
}

async function throughputSection(libs: ReportLibs, epochs: LoggedEvent[]): Promise<string> {
  const rows = epochs.filter((e) => num(e, 'imagesPerSecond') !== undefined)
    .map((e) => ({ epoch: num(e, 'epoch') ?? 0, 'images/s': num(e, 'imagesPerSecond')!, seconds: num(e, 'seconds') ?? 0 }));
  if (!rows.length) return '';
  const charts = [
    await renderSvg(libs, bars('Training throughput', rows, 'epoch', 'images/s', 'images per second')),
    await renderSvg(libs, bars('Seconds per epoch (training pass)', rows, 'epoch', 'seconds', 'seconds', '#72b7b2')),
  ];
  return section('throughput', 'Throughput per epoch', `<div class="figures">${charts.map(figure).join('')}</div>`);
}

/** Every field of the epoch events as a table, columns in the order they first appear. */
function epochTable(epochs: LoggedEvent[]): string {
  if (!epochs.length) return '';
  const keys = [...new Set(epochs.flatMap((e) => Object.keys(e)))].filter((k) => k !== 'event');
  return section('epochs', 'Epochs', grid(keys.map(label), epochs.map((e) => keys.map((k) => esc(e[k] === undefined ? '' : fmt(e[k]))))));
}

function testSection(test: LoggedEvent | undefined, stop: LoggedEvent | undefined, epochs: LoggedEvent[]): string {
  const tiles: Array<[string, string]> = [];
  const acc = num(test, 'testAccuracy');
  if (acc !== undefined) tiles.push([percent(acc), 'test accuracy']);
  for (const k of Object.keys(test ?? {}).filter((k) => k !== 'event' && k !== 'testAccuracy')) {
    if (typeof test![k] === 'number') tiles.push([fmt(test![k]), label(k)]);
  }
  const last = epochs[epochs.length - 1];
  const trainAcc = num(last, 'trainAccuracy');
  if (trainAcc !== undefined) tiles.push([percent(trainAcc), 'final training accuracy']);
  const seconds = epochs.reduce((s, e) => s + (num(e, 'seconds') ?? 0) + (num(e, 'evalSeconds') ?? 0), 0);
  if (seconds) tiles.push([`${seconds.toFixed(1)} s`, 'training time']);
  const body = `<div class="tiles">${tiles.map(([v, k]) => `<div class="tile"><b>${esc(v)}</b><span>${esc(k)}</span></div>`).join('')}</div>`;
  const stopped = stop
    ? `<p>Stopped: ${Object.entries(stop).filter(([k]) => k !== 'event').map(([k, v]) => `${esc(label(k))} ${esc(fmt(v))}`).join(', ')}</p>`
    : '';
  const missing = test ? '' : '<p class="note">The log has no test event: the run did not finish.</p>';
  return section('test', 'Test result', body + stopped + missing);
}

const className = (r: ReportEvent, c: number) => r.classNames?.[c] ?? String(c);

async function confusionSection(libs: ReportLibs, r: ReportEvent): Promise<string> {
  if (!r.confusion || !r.classes) return '';
  const C = r.classes;
  const rows: Row[] = [];
  for (let t = 0; t < C; t++) {
    const support = r.confusion.slice(t * C, (t + 1) * C).reduce((a, b) => a + b, 0);
    for (let p = 0; p < C; p++) {
      const count = r.confusion[t * C + p];
      rows.push({ truth: className(r, t), predicted: className(r, p), count, share: support ? count / support : 0 });
    }
  }
  const note = `Counts of the ${fmt(r.count)} test examples; rows are the true class, columns the predicted one; colour is the share of the row.`;
  return section('confusion', 'Confusion matrix', figure(await renderSvg(libs, confusionHeatmap(rows, C))), note);
}

function perClassSection(r: ReportEvent): string {
  if (!r.perClass) return '';
  const f = (v: number) => v.toFixed(3);
  const rows = r.perClass.map((s, c) => [esc(className(r, c)), f(s.precision), f(s.recall), f(s.f1), fmt(s.support)]);
  const mean = (k: 'precision' | 'recall' | 'f1') => r.perClass!.reduce((a, s) => a + s[k], 0) / r.perClass!.length;
  const total = r.perClass.reduce((a, s) => a + s.support, 0);
  const table = grid(['class', 'precision', 'recall', 'F1', 'support'], rows).replace(
    '</tbody>', `<tr class="total"><td>macro average</td><td>${f(mean('precision'))}</td><td>${f(mean('recall'))}</td><td>${f(mean('f1'))}</td><td>${fmt(total)}</td></tr></tbody>`,
  );
  return section('per-class', 'Per-class precision, recall and F1', table);
}

function mistakesSection(libs: ReportLibs, r: ReportEvent): string {
  if (!r.mistakes || !r.imageSide) return '';
  if (!r.mistakes.length) return section('mistakes', 'Most confidently misclassified test images', '<p>No test image was misclassified.</p>');
  const side = r.imageSide;
  const tiles = r.mistakes.map((m) => {
    const data = new Uint8Array(Buffer.from(m.pixels, 'base64'));
    const png = Buffer.from(libs.fastPng.encode({ width: side, height: side, data, channels: 1, depth: 8 })).toString('base64');
    const alt = `test image ${m.index}: true ${className(r, m.truth)}, predicted ${className(r, m.predicted)}`;
    return `<figure><img src="data:image/png;base64,${png}" alt="${esc(alt)}" width="${side}" height="${side}">` +
      `<figcaption>true ${esc(className(r, m.truth))} &rarr; <b>${esc(className(r, m.predicted))}</b><br>${percent(m.confidence, 1)} #${m.index}</figcaption></figure>`;
  });
  const note = 'The misclassified test images the network was most sure of: true label, predicted label (red), its probability, and the index in the test set.';
  return section('mistakes', 'Most confidently misclassified test images', `<div class="mistakes">${tiles.join('')}</div>`, note);
}

async function regressionSection(libs: ReportLibs, r: ReportEvent): Promise<string> {
  if (!r.regression) return '';
  const { truth, predicted } = r.regression;
  const rows = truth.map((t, i) => ({ truth: t, predicted: predicted[i] }));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of [...truth, ...predicted]) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  if (lo > hi) return section('regression', 'Predicted vs true', '<p class="note">No finite predictions to draw.</p>');
  return section('regression', 'Predicted vs true', figure(await renderSvg(libs, predictedVsTrue(rows, lo, hi))),
    `${fmt(truth.length)} test examples; the dashed line is predicted = true.`);
}

/** The training report of a run log as one HTML page. */
export async function renderTrainingReport(libs: ReportLibs, events: LoggedEvent[]): Promise<string> {
  const start = events.find((e) => e.event === 'start')!;
  const epochs = events.filter((e) => e.event === 'epoch');
  const test = events.find((e) => e.event === 'test');
  const stop = events.find((e) => e.event === 'stop');
  const report = events.find((e) => e.event === 'report') as ReportEvent | undefined;
  const layers = Array.isArray(start.layers) ? start.layers.join('-') : '';
  const acc = num(test, 'testAccuracy');
  const subtitle = [
    layers && `${esc(layers)} network`, `${epochs.length} epoch${epochs.length === 1 ? '' : 's'}`,
    start.backend !== undefined && `${esc(start.backend)} backend (${esc(start.isa)}, ${esc(start.threads)} threads)`,
    acc !== undefined && `test accuracy ${percent(acc)}`,
  ].filter(Boolean).join(' &middot; ');
  const noReport = report
    ? ''
    : section('analysis', 'Test-set analysis', '<p class="note">This log has no <code>report</code> event, so there is no confusion matrix, per-class table or mistakes grid: run <code>native-mlp train --json --report FILE</code> to record one.</p>');
  return page('native-mlp training report', subtitle, [
    settingsSection(start, report),
    await curvesSection(libs, epochs),
    testSection(test, stop, epochs),
    report ? `<div class="pair">${await confusionSection(libs, report)}${perClassSection(report)}</div>` : noReport,
    report ? mistakesSection(libs, report) : '',
    report ? await regressionSection(libs, report) : '',
    await throughputSection(libs, epochs),
    epochTable(epochs),
  ]);
}
