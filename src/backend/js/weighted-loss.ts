/**
 * The weighted loss heads, the specification native/weighted_loss.cc follows operation for
 * operation: float32 steps as Math.fround, exp from the activations' hand-written expd (no libm),
 * NumPy's pairwise row sum, and the native calls' flush-to-zero / denormals-are-zero mode written
 * out (subnormal inputs read as zero, subnormal float32 results stored as zero), so TypeScript,
 * native and WASM give the same du bits. Semantics: binding.d.ts.
 */
import { expd } from './activation.js';

const MIN_NORMAL = 2 ** -126;
/** Floor of the label probability in the loss, as the unweighted kernel's. */
const TINY = 1e-30;
/** exp(z) rounds to a float32 subnormal (flushed) below this, so expd's range is never left. */
const EXP_FLOOR = -104;

/** A float32 value below the smallest normal as a zero of its sign (FTZ on results, DAZ on inputs). */
function flush(r: number): number {
  return r > -MIN_NORMAL && r < MIN_NORMAL ? (r < 0 || Object.is(r, -0) ? -0 : 0) : r;
}

/** NumPy's pairwise float32 summation of a[from, from + n) (numpy/_core/src/umath/loops_utils.h.src). */
export function pairwiseSum(a: Float32Array, from: number, n: number): number {
  if (n < 8) {
    let s = 0;
    for (let i = 0; i < n; i++) s = Math.fround(s + a[from + i]);
    return s;
  }
  if (n <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = a[from + j];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = Math.fround(r[j] + a[from + i + j]);
    const f = Math.fround;
    let s = f(f(f(r[0] + r[1]) + f(r[2] + r[3])) + f(f(r[4] + r[5]) + f(r[6] + r[7])));
    for (; i < n; i++) s = f(s + a[from + i]);
    return s;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return Math.fround(pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2));
}

/** float32(sum of the rows' weights, added in float64 in row order), subnormal weights read as 0. */
function weightSum(weights: Float32Array, rows: number): number {
  let s = 0;
  for (let i = 0; i < rows; i++) s += flush(weights[i]);
  return flush(Math.fround(s));
}

/**
 * du = w_i (softmax(logits_i) - onehot(label_i)) / sum(w), each step float32; returns
 * sum_i w_i * -log(max(p[label_i], 1e-30)) in float64. All-zero weights: du = 0, loss 0.
 */
export function softmaxXentGradWeighted(
  du: Float32Array,
  logits: Float32Array,
  labels: Uint32Array,
  weights: Float32Array,
  rows: number,
  cols: number,
): number {
  const f = Math.fround;
  const s = weightSum(weights, rows);
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) {
      const x = flush(logits[row + j]);
      if (x > max) max = x;
    }
    for (let j = 0; j < cols; j++) {
      const z = flush(f(flush(logits[row + j]) - max));
      du[row + j] = z !== z ? z : z < EXP_FLOOR ? 0 : flush(f(expd(z)));
    }
    const sum = pairwiseSum(du, row, cols);
    const w = flush(weights[i]);
    const label = labels[i];
    for (let j = 0; j < cols; j++) {
      const p = flush(f(du[row + j] / sum));
      if (j === label) loss += w * -Math.log(p > TINY || p !== p ? p : TINY);
      const d = f(p - (j === label ? 1 : 0));
      du[row + j] = s > 0 ? flush(f(flush(f(d * w)) / s)) : 0;
    }
  }
  return loss;
}

/** du = w_i (pred - target) / sum(w), each step float32; returns sum_i w_i * 0.5 * (pred - target)^2 in float64. */
export function mseGradWeighted(
  du: Float32Array,
  pred: Float32Array,
  target: Float32Array,
  weights: Float32Array,
  rows: number,
  cols: number,
): number {
  const f = Math.fround;
  const s = weightSum(weights, rows);
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    const w = flush(weights[i]);
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      const d = flush(f(flush(pred[k]) - flush(target[k])));
      loss += w * (0.5 * d * d);
      du[k] = s > 0 ? flush(f(flush(f(d * w)) / s)) : 0;
    }
  }
  return loss;
}
