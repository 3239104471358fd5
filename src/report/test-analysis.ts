/**
 * The parts of the training report drawn from the `report` event: the confusion matrix and
 * per-class scores, ROC and PR curves (few classes), the most confident mistakes (image data
 * only), predicted vs true and residuals (regression). Bounded: the matrix is drawn up to
 * CLASSES_DRAWN classes, the table lists up to CLASS_ROWS, and each cut is said on the page.
 */
import { classCurves, confusionHeatmap, predictedVsTrue, renderSvg, residualPlot, type Row } from './charts.js';
import type { ReportEvent } from './events.js';
import { figure, fmt, grid, name, percent, section, shorten } from './html.js';
import type { ReportLibs } from './libs.js';
import { type Html, html, pngDataUrl } from './markup.js';

/** Classes the confusion matrix is drawn for at most. */
export const CLASSES_DRAWN = 40;
/** Rows of the per-class table at most. */
export const CLASS_ROWS = 100;
/** Misclassified images drawn at most. */
export const MISTAKES_DRAWN = 24;
/** Regression points drawn at most. */
export const POINTS_DRAWN = 2000;

const classNameOf = (r: ReportEvent, c: number) => r.classNames?.[c] ?? String(c);

/** Names short enough for an axis, made unique again where shortening made two alike. */
function axisNames(r: ReportEvent, classes: number): string[] {
  const seen = new Set<string>();
  return Array.from({ length: classes }, (_, c) => {
    let n = shorten(classNameOf(r, c), 16);
    if (seen.has(n)) n = `${n} #${c}`;
    seen.add(n);
    return n;
  });
}

async function confusionSection(libs: ReportLibs, r: ReportEvent): Promise<Html | ''> {
  if (!r.confusion || !r.classes) return '';
  const C = r.classes;
  if (C > CLASSES_DRAWN) {
    return section(
      'confusion',
      'Confusion matrix',
      html`<p class="note">${fmt(C)} classes: the matrix is drawn for at most ${CLASSES_DRAWN}; the per-class table below has the scores.</p>`,
    );
  }
  const names = axisNames(r, C);
  const rows: Row[] = [];
  for (let t = 0; t < C; t++) {
    const support = r.confusion.slice(t * C, (t + 1) * C).reduce((a, b) => a + b, 0);
    for (let p = 0; p < C; p++) {
      const count = r.confusion[t * C + p];
      rows.push({ truth: names[t], predicted: names[p], count, share: support ? count / support : 0 });
    }
  }
  const note = `Counts of the ${fmt(r.count)} test examples; rows are the true class, columns the predicted one; colour is the share of the row.`;
  return section('confusion', 'Confusion matrix', figure(await renderSvg(libs, confusionHeatmap(rows, names))), note);
}

function perClassSection(r: ReportEvent): Html | '' {
  if (!r.perClass) return '';
  const f = (v: number) => v.toFixed(3);
  const shown = r.perClass.slice(0, CLASS_ROWS);
  const rows = shown.map((s, c) => [name(classNameOf(r, c)), f(s.precision), f(s.recall), f(s.f1), fmt(s.support)]);
  const mean = (k: 'precision' | 'recall' | 'f1') => r.perClass!.reduce((a, s) => a + s[k], 0) / r.perClass!.length;
  const total = r.perClass.reduce((a, s) => a + s.support, 0);
  rows.push([html`<b>macro average</b>`, f(mean('precision')), f(mean('recall')), f(mean('f1')), fmt(total)]);
  const cut =
    r.perClass.length > CLASS_ROWS
      ? `The first ${CLASS_ROWS} of ${fmt(r.perClass.length)} classes (${fmt(r.perClass.length - CLASS_ROWS)} left out); the average is over all.`
      : '';
  return section('per-class', 'Per-class precision, recall and F1', grid(['class', 'precision', 'recall', 'F1', 'support'], rows), cut);
}

async function curvesSection(libs: ReportLibs, r: ReportEvent): Promise<Html | ''> {
  if (!r.curves?.length) return '';
  const names = axisNames(r, r.classes ?? Math.max(...r.curves.map((c) => c.class)) + 1);
  const label = (c: number, area: number, what: string) => `${names[c]} (${what} ${area.toFixed(3)})`;
  const points = (key: 'roc' | 'pr', area: (c: NonNullable<ReportEvent['curves']>[number]) => string) =>
    r.curves!.flatMap((c) => c[key].map(([x, y], i): Row => ({ x, y, i, class: area(c) })));
  const roc = points('roc', (c) => label(c.class, c.auc, 'AUC'));
  const pr = points('pr', (c) => label(c.class, c.averagePrecision, 'AP'));
  const charts = [
    await renderSvg(libs, classCurves('ROC (one class against the rest)', roc, 'false positive rate', 'true positive rate', true)),
    await renderSvg(libs, classCurves('Precision-recall', pr, 'recall', 'precision', false)),
  ];
  const binary = r.classes === 2 ? ' For two classes the curves are mirror images: either class can be called positive.' : '';
  return section(
    'roc',
    'ROC and precision-recall curves',
    html`<div class="figures">${charts.map(figure)}</div>`,
    `Each class scored by its predicted probability on the test set; AUC is the area under the ROC curve, AP the average precision.${binary}`,
  );
}

function mistakesSection(libs: ReportLibs, r: ReportEvent): Html | '' {
  if (!r.mistakes || !r.imageSide) return '';
  const title = 'Most confidently misclassified test images';
  if (!r.mistakes.length) return section('mistakes', title, html`<p>No test image was misclassified.</p>`);
  const side = r.imageSide;
  const tiles = r.mistakes.slice(0, MISTAKES_DRAWN).map((m) => {
    const data = new Uint8Array(Buffer.from(m.pixels, 'base64'));
    const png = pngDataUrl(libs.fastPng.encode({ width: side, height: side, data, channels: 1, depth: 8 }));
    const truth = classNameOf(r, m.truth),
      predicted = classNameOf(r, m.predicted);
    return html`<figure><img src="${png}" alt="${`test image ${m.index}: true ${truth}, predicted ${predicted}`}" width="${side}" height="${side}">\
<figcaption>true ${name(truth)} → <b>${name(predicted)}</b><br>${percent(m.confidence, 1)} #${m.index}</figcaption></figure>`;
  });
  const note =
    'The misclassified test images the network was most sure of: true label, predicted label (red), its probability, and the index in the test set.';
  return section('mistakes', title, html`<div class="mistakes">${tiles}</div>`, note);
}

async function regressionSection(libs: ReportLibs, r: ReportEvent): Promise<Html | ''> {
  if (!r.regression) return '';
  const { truth, predicted } = r.regression;
  const rows: Row[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  const step = Math.max(1, Math.ceil(truth.length / POINTS_DRAWN));
  for (let i = 0; i < truth.length; i += step) {
    rows.push({ truth: truth[i], predicted: predicted[i], residual: predicted[i] - truth[i] });
    lo = Math.min(lo, truth[i], predicted[i]);
    hi = Math.max(hi, truth[i], predicted[i]);
  }
  const title = 'Predicted vs true and residuals';
  if (!rows.length) return section('regression', title, html`<p class="note">No test rows to draw.</p>`);
  const charts = [await renderSvg(libs, predictedVsTrue(rows, lo, hi)), await renderSvg(libs, residualPlot(rows))];
  const drawn = step > 1 ? ` (every ${step}th of ${fmt(truth.length)} drawn)` : '';
  return section(
    'regression',
    title,
    html`<div class="figures">${charts.map(figure)}</div>`,
    `${fmt(rows.length)} test rows${drawn}, first output, in the target's units; the dashed lines are predicted = true and a residual of 0.`,
  );
}

/** The sections of the report event; image panels only when the data is image data. */
export async function analysisSections(libs: ReportLibs, r: ReportEvent, images: boolean): Promise<Html> {
  return html`<div class="pair">${await confusionSection(libs, r)}${perClassSection(r)}</div>
${await curvesSection(libs, r)}${images ? mistakesSection(libs, r) : ''}${await regressionSection(libs, r)}`;
}
