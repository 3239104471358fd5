/** Human and JSON Lines output of training events, and the progress bar. */
import type { ClassPredictions, ValuePredictions } from '../infer/predict.js';
import type { BatchProgress, TrainEvent } from '../train/train.js';
import { groupedInteger } from '../show-value.js';

export interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
}

/**
 * A name from a file (a class, a column) as terminal text: control characters (C0, DEL, C1: newlines,
 * escape sequences, carriage returns) and Unicode bidirectional overrides are written as \xNN or
 * \u{NNNN}, and a backslash as \\, so a name cannot split a line, move the cursor, recolour or
 * retitle the terminal, or reorder what is shown. JSON output is left to JSON.stringify, which
 * escapes control characters itself.
 */
export function escapeText(s: string, backslash = true): string {
  return s.replace(backslash ? UNSAFE_OR_BACKSLASH : UNSAFE, (c) => {
    if (c === '\\') return '\\\\';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_OR_BACKSLASH = /[\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const pad2 = (n: number) => String(n).padStart(2, '0');

/** One line per event, the notebook's wording first, measurements after. */
export function formatEvent(e: TrainEvent): string {
  switch (e.event) {
    case 'start':
      return (
        `native-mlp: ${e.layers.join('-')} ${e.activation ?? 'relu'} net, ${e.epochs} epochs, batch ${e.batch}, ${e.optimizer === 'sgd' ? '' : `${e.optimizer} `}lr ${e.lr}, seed ${e.seed}` +
        `${e.init ? `, init ${e.init}` : ''}${e.alpha ? `, alpha ${e.alpha}` : ''}${e.dropout ? `, dropout ${e.dropout}` : ''}${e.earlyStopping ? `, stop after ${e.patience} epochs without ${e.monitor} improving by ${e.minDelta}` : ''}` +
        `${e.preset ? ` (${e.preset} defaults${e.preset === 'table' ? ", scikit-learn's" : ''})` : ''}\n` +
        `backend: ${e.backend} (${e.isa}, ${e.threads} thread${e.threads === 1 ? '' : 's'})\n` +
        `data: ${escapeText(e.data, false)} (${e.trainRows} training, ${e.validationRows > 0 ? `${e.validationRows} validation, ` : ''}` +
        `${e.testRows} test ${e.layers[0] === 784 && e.task !== 'regress' ? 'images' : 'rows'}${e.task === 'regress' ? ', regression' : ''})` +
        (e.classWeights || e.sampleWeights
          ? `\nloss weighted by ${[e.sampleWeights && 'sample weights', e.classWeights && `class weights ${e.classWeights.map((w) => Number(w.toPrecision(4))).join(', ')}`].filter(Boolean).join(' and ')}`
          : '')
      );
    case 'epoch':
      return (
        `Epoch ${pad2(e.epoch)} -` +
        (e.trainAccuracy !== undefined ? ` Training accuracy: ${e.trainAccuracy.toFixed(4)}  ` : '') +
        (e.trainRmse !== undefined ? ` Training RMSE: ${fmt(e.trainRmse)}  ` : '') +
        ` loss ${e.loss.toFixed(4)}` +
        (e.validationLoss !== undefined ? `   validation loss ${e.validationLoss.toFixed(4)}` : '') +
        (e.validationAccuracy !== undefined ? ` accuracy ${e.validationAccuracy.toFixed(4)}` : '') +
        (e.validationRmse !== undefined ? ` RMSE ${fmt(e.validationRmse)}` : '') +
        (e.lr !== undefined ? `  lr ${Number(e.lr.toPrecision(4))}` : '') +
        `  ${e.seconds.toFixed(2)} s  ${groupedInteger(e.rowsPerSecond)} ${e.validationLoss !== undefined || e.trainAccuracy === undefined ? 'rows' : 'images'}/s`
      );
    case 'stop':
      if (e.bestEpoch === undefined && e.reason === 'early-stopping')
        return `Early stopping at epoch ${e.epoch}: the training loss stopped improving`;
      if (e.bestEpoch === undefined && e.reason === 'completed') return `Finished all ${e.epoch} epochs`;
      return e.reason === 'early-stopping' || e.reason === 'completed'
        ? `${e.reason === 'early-stopping' ? 'Early stopping' : 'Finished'}: restored the best weights, from epoch ${e.bestEpoch}`
        : `Stopped (${e.reason}) at epoch ${e.epoch}, batch ${e.batch}`;
    case 'test':
      return e.testRmse !== undefined
        ? `Test RMSE: ${fmt(e.testRmse)}`
        : `Test Accuracy: ${((e.testAccuracy ?? NaN) * 100).toFixed(2)}%` +
            // On its own line, so the notebook's accuracy line stays as the notebook prints it.
            (e.testMacroF1 !== undefined
              ? `\nTest macro-F1: ${e.testMacroF1.toFixed(4)}   balanced accuracy: ${e.testBalancedAccuracy!.toFixed(4)}`
              : '');
    case 'warning':
      return `warning: ${e.message}`;
  }
}

/** m:ss (or h:mm:ss) of a number of seconds. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  return hms[0] ? `${hms[0]}:${pad2(hms[1])}:${pad2(hms[2])}` : `${hms[1]}:${pad2(hms[2])}`;
}

/**
 * The progress line for a terminal `columns` wide: the widest of a few layouts that fits in
 * columns - 1 characters (writing into the last column wraps on some terminals), the bar taking
 * what is left. Elapsed time and the ETA are for the whole run.
 */
export function progressLine(
  p: BatchProgress,
  epochs: number | undefined,
  elapsed: number,
  eta: number | undefined,
  columns: number,
): string {
  const room = Math.max(1, columns - 1);
  const of = epochs ? `/${epochs}` : '';
  const time = `${clock(elapsed)}${eta === undefined ? '' : ` eta ${clock(eta)}`}`;
  const pct = `${Math.floor((100 * p.batch) / p.batches)}%`.padStart(4);
  const withBar = [
    [`Epoch ${pad2(p.epoch)}${of} `, ` ${pct} ${time}`],
    [`E${p.epoch}${of} `, ` ${pct} ${time}`],
  ];
  for (const [head, tail] of withBar) {
    const width = Math.min(40, room - head.length - tail.length - 2);
    if (width < 10) continue;
    const filled = Math.round((width * p.batch) / p.batches);
    return `${head}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${tail}`;
  }
  // Too narrow for a useful bar: the numbers alone, the ETA kept longest.
  const short = [
    `E${p.epoch}${of} ${pct.trim()} ${time}`,
    `E${p.epoch}${of} ${pct.trim()}${eta === undefined ? '' : ` eta ${clock(eta)}`}`,
  ];
  return (short.find((l) => l.length <= room) ?? short[1]).slice(0, room);
}

/** A measurement in the data's own units: 4 significant digits, no exponent for everyday sizes. */
export function fmt(v: number): string {
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? String(Number(v.toPrecision(4))) : v.toExponential(3);
}

/** Draws a one-line progress bar on a terminal, at most ~10 times a second, never wider than the terminal. */
export class ProgressBar {
  private last = 0;
  private shown = false;
  private started = 0;
  private done = 0;

  /** `epochs`: the run's epoch count, for the ETA (without it the bar shows elapsed time only). */
  constructor(
    private readonly out: Out & { columns?: number },
    private readonly epochs?: number,
  ) {}

  update(p: BatchProgress): void {
    const now = performance.now();
    if (!this.started) this.started = now;
    this.done++;
    if (now - this.last < 100 && p.batch !== p.batches) return;
    this.last = now;
    const elapsed = (now - this.started) / 1000;
    // Batches left in the run at the mean pace so far (evaluation passes included in the pace).
    const left = this.epochs ? (this.epochs - p.epoch) * p.batches + (p.batches - p.batch) : undefined;
    const eta = left !== undefined && this.done > 1 ? (elapsed / this.done) * left : undefined;
    const columns = this.out.columns && this.out.columns > 0 ? this.out.columns : 80;
    this.out.write(`\r\x1b[2K${progressLine(p, this.epochs, elapsed, eta, columns)}`);
    this.shown = true;
  }

  /** Erases the bar so the next line starts clean. */
  clear(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}

/** The confusion matrix as a table: rows are true classes, columns predicted (by name when known). */
export function formatConfusion(confusion: Uint32Array, classes: number, names?: readonly string[]): string {
  const name = (i: number) => (names ? escapeText(names[i]) : String(i));
  const width = Math.max(
    5,
    ...Array.from(confusion, (v) => String(v).length + 1),
    ...Array.from({ length: classes }, (_, i) => name(i).length + 1),
  );
  const cell = (s: string | number) => String(s).padStart(width);
  const lines = [
    `confusion (rows: true class, columns: predicted)`,
    cell('') + Array.from({ length: classes }, (_, j) => cell(name(j))).join(''),
  ];
  for (let i = 0; i < classes; i++) {
    lines.push(cell(name(i)) + Array.from(confusion.subarray(i * classes, (i + 1) * classes), cell).join(''));
  }
  return lines.join('\n');
}

/**
 * One prediction line. JSON: {"row":0,"label":"Adelie","probability":0.98,"probabilities":{"Adelie":0.98,...}}
 * (every class by name, full precision) or {"row":0,"value":151.2} / {"row":0,"values":{"a":1,"b":2}}.
 * Text: row, label and its probability, tab-separated; with top > 1 the `top` most probable classes.
 */
export function formatPrediction(p: ClassPredictions | ValuePredictions, i: number, json: boolean, top = 1): string {
  if (p.task === 'regress') {
    const v = Array.from(p.values.subarray(i * p.outputs, (i + 1) * p.outputs));
    if (json) {
      if (p.outputs === 1) return JSON.stringify({ row: i, value: v[0] });
      return JSON.stringify({ row: i, values: p.targetNames ? Object.fromEntries(p.targetNames.map((n, k) => [n, v[k]])) : v });
    }
    return `${i}\t${v.map(fmt).join('\t')}`;
  }
  const C = p.classNames.length;
  const probs = Array.from(p.probabilities.subarray(i * C, (i + 1) * C));
  if (json) {
    return JSON.stringify({
      row: i,
      label: p.labels[i],
      probability: p.probability[i],
      probabilities: Object.fromEntries(p.classNames.map((n, k) => [n, probs[k]])),
    });
  }
  if (top <= 1) return `${i}\t${escapeText(String(p.labels[i]))}\t${p.probability[i].toFixed(4)}`;
  const order = probs
    .map((_, k) => k)
    .sort((a, b) => probs[b] - probs[a] || a - b)
    .slice(0, top);
  return `${i}\t${order.map((k) => `${escapeText(p.classNames[k])}\t${probs[k].toFixed(4)}`).join('\t')}`;
}
