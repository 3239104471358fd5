/**
 * How well a network does on a split: accuracy, loss and confusion counts for classification;
 * RMSE, MAE and R^2 (in the targets' own units) for regression.
 */
import type { Backend } from '../backend/contract.js';
import type { Preprocessing, Rows } from '../data/dataset.js';
import { lossGrad, type Targets } from '../nn/loss.js';
import { forward, type Mlp, Workspace } from '../nn/mlp.js';
import { gatherBatch, gatherWeights, identityOrder, targetBuffer } from '../train/batches.js';

export interface Evaluation {
  accuracy: number;
  /** Mean cross-entropy. */
  loss: number;
  count: number;
  /** confusion[truth * classes + predicted] counts. */
  confusion: Uint32Array;
}

export interface RegressionEvaluation {
  /** Root mean squared error over every output, in the targets' units. */
  rmse: number;
  /** Mean absolute error, in the targets' units. */
  mae: number;
  /** Coefficient of determination, averaged over outputs (scikit-learn's r2_score). */
  r2: number;
  /** Mean of 0.5 * squared error on the standardised targets: the training loss. */
  loss: number;
  count: number;
}

/**
 * Macro-F1 and balanced accuracy from a confusion matrix (scikit-learn's f1_score(average='macro')
 * and balanced_accuracy_score): unweighted means over the classes that occur, in truth or in
 * prediction for F1 (a class never seen nor predicted adds nothing), in truth for recall.
 */
export function classScores(confusion: Uint32Array, classes: number): { testMacroF1: number; testBalancedAccuracy: number } {
  let f1 = 0,
    f1n = 0,
    recall = 0,
    recallN = 0;
  for (let k = 0; k < classes; k++) {
    let truth = 0,
      predicted = 0;
    for (let j = 0; j < classes; j++) {
      truth += confusion[k * classes + j];
      predicted += confusion[j * classes + k];
    }
    const hit = confusion[k * classes + k];
    if (truth + predicted > 0) {
      f1 += (2 * hit) / (truth + predicted);
      f1n++;
    }
    if (truth > 0) {
      recall += hit / truth;
      recallN++;
    }
  }
  return { testMacroF1: f1n ? f1 / f1n : 0, testBalancedAccuracy: recallN ? recall / recallN : 0 };
}

/** Index of the largest value in row i of a rows x cols block; the first one wins ties, as np.argmax. */
export function argmaxRow(x: Float32Array, i: number, cols: number): number {
  const row = i * cols;
  let best = 0;
  for (let j = 1; j < cols; j++) if (x[row + j] > x[row + best]) best = j;
  return best;
}

/** Rows evaluated at once when no workspace is given. */
export const EVAL_ROWS = 1000;

function checkCount(set: Rows, count: number): void {
  if (!Number.isInteger(count) || count < 0 || count > set.count) {
    throw new RangeError(`Expected count to be an integer from 0 to ${set.count} but received ${count}`);
  }
}

/**
 * Accuracy, mean loss and confusion matrix of `net` on the first `count` rows of `set`
 * (default all), in chunks of the workspace's rows. Pass the training workspace to reuse it.
 * With row weights (train/weights.ts) the loss is their weighted mean; the counts are not weighted.
 */
export function evaluate(
  be: Backend,
  net: Mlp,
  set: Rows,
  count = set.count,
  ws = new Workspace(net, Math.max(1, Math.min(EVAL_ROWS, count)), be.alloc),
  weights?: Float32Array,
): Evaluation {
  checkCount(set, count);
  if (!(set.targets instanceof Uint32Array))
    throw new TypeError('evaluate() measures classification; use evaluateRegression() for float targets');
  const labels = new Uint32Array(ws.rows);
  const order = identityOrder(count);
  const C = net.classes;
  const L = net.layers;
  const confusion = new Uint32Array(C * C);
  let correct = 0;
  let loss = 0;
  for (let start = 0; start < count; start += ws.rows) {
    const rows = Math.min(ws.rows, count - start);
    gatherBatch(be, ws.X, labels, set, order, start, rows);
    const logits = forward(be, net, ws, rows);
    for (let i = 0; i < rows; i++) {
      const predicted = argmaxRow(logits, i, C);
      confusion[labels[i] * C + predicted]++;
      if (predicted === labels[i]) correct++;
    }
    // du[L] is scratch here: only the summed loss is wanted.
    loss += lossOf(be, ws, L, logits, labels, rows, C, order, start, weights);
  }
  const total = weightOf(weights, count);
  return { accuracy: count ? correct / count : 0, loss: total ? loss / total : 0, count, confusion };
}

/**
 * RMSE, MAE and R^2 of `net` on the first `count` rows of `set`, whose targets are standardised
 * with `p`'s target mean and std (if any): errors are reported back in the targets' units.
 */
export function evaluateRegression(
  be: Backend,
  net: Mlp,
  set: Rows,
  p?: Preprocessing,
  count = set.count,
  ws = new Workspace(net, Math.max(1, Math.min(EVAL_ROWS, count)), be.alloc),
  weights?: Float32Array,
): RegressionEvaluation {
  checkCount(set, count);
  if (!(set.targets instanceof Float32Array)) throw new TypeError('evaluateRegression() needs float targets; use evaluate() for classes');
  const K = net.classes;
  const L = net.layers;
  const targets = targetBuffer(set, ws.rows, K) as Float32Array;
  const order = identityOrder(count);
  const std = p?.targetStd;
  const mean = p?.targetMean;
  let sq = 0,
    abs = 0,
    loss = 0;
  // R^2 per output from sums in original units: SS_res and SS_tot = sum y^2 - (sum y)^2 / n.
  const res = new Float64Array(K),
    sy = new Float64Array(K),
    syy = new Float64Array(K);
  for (let start = 0; start < count; start += ws.rows) {
    const rows = Math.min(ws.rows, count - start);
    gatherBatch(be, ws.X, targets, set, order, start, rows);
    const pred = forward(be, net, ws, rows);
    for (let i = 0; i < rows * K; i++) {
      const k = i % K;
      const s = std ? std[k] : 1;
      const d = (pred[i] - targets[i]) * s;
      const y = targets[i] * s + (mean ? mean[k] : 0);
      sq += d * d;
      abs += Math.abs(d);
      res[k] += d * d;
      sy[k] += y;
      syy[k] += y * y;
    }
    loss += lossOf(be, ws, L, pred, targets, rows, K, order, start, weights);
  }
  let r2 = 0;
  for (let k = 0; k < K; k++) {
    const tot = syy[k] - (sy[k] * sy[k]) / count;
    r2 += tot > 0 ? 1 - res[k] / tot : res[k] === 0 ? 1 : 0;
  }
  const n = count * K;
  const total = weightOf(weights, count);
  return { rmse: n ? Math.sqrt(sq / n) : 0, mae: n ? abs / n : 0, r2: count ? r2 / K : 0, loss: total ? loss / total : 0, count };
}

/** The summed (weighted) loss of one evaluated chunk; du[L] is scratch. */
function lossOf(
  be: Backend,
  ws: Workspace,
  L: number,
  out: Float32Array,
  targets: Targets,
  rows: number,
  cols: number,
  order: Uint32Array,
  start: number,
  weights?: Float32Array,
): number {
  let w: Float32Array | undefined;
  if (weights) gatherWeights((w = new Float32Array(rows)), weights, order, start, rows);
  return lossGrad(be, ws.du[L], out, targets, rows, cols, w);
}

/** The summed weight of the first `count` rows (count itself without weights). */
function weightOf(weights: Float32Array | undefined, count: number): number {
  if (!weights) return count;
  let s = 0;
  for (let i = 0; i < count; i++) s += weights[i];
  return s;
}
