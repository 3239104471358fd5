/**
 * The weighted loss heads and their argument checks, shared by every backend through withChecks
 * (contract.ts); native/binding_weighted.cc checks the same again in C++. Weights are per row,
 * finite and >= 0 (a NaN or negative weight would turn the step into nonsense without a trace).
 */
import { checkBlock, checkF32, checkLabels, describe } from './checks.js';

export interface WeightedLossKernels {
  /**
   * Class head with per-row weights w: du[i, j] = w_i (softmax(logits_i)[j] - (j == labels_i)) /
   * sum(w), the gradient of sum_i w_i l_i / sum_i w_i; returns sum_i w_i l_i (l_i the row's
   * cross-entropy). Every step float32 as binding.d.ts says, the same bits on every backend; all
   * weights 0 give du = 0 and loss 0. du may be logits; weights must not overlap du.
   */
  softmaxXentGradWeighted(
    du: Float32Array,
    logits: Float32Array,
    labels: Uint32Array,
    weights: Float32Array,
    rows: number,
    cols: number,
  ): number;
  /** Squared error with per-row weights: du = w_i (pred - target) / sum(w); returns sum_i w_i * 0.5 * sum_j (pred - target)^2. du may be pred. */
  mseGradWeighted(du: Float32Array, pred: Float32Array, target: Float32Array, weights: Float32Array, rows: number, cols: number): number;
}

/** Throws unless weights holds `rows` finite values >= 0 outside du's memory. */
export function checkWeights(weights: unknown, rows: number, du: Float32Array, duLength: number): asserts weights is Float32Array {
  checkF32('weights', weights, rows);
  for (let i = 0; i < rows; i++) {
    const w = weights[i];
    if (!(w >= 0 && w <= 3.4028234663852886e38)) {
      throw new RangeError(`Expected every weight to be a finite number >= 0 but weights[${i}] is ${describe(w)}`);
    }
  }
  if (rows > 0 && duLength > 0 && weights.buffer === du.buffer) {
    const w0 = weights.byteOffset,
      w1 = w0 + 4 * rows,
      d0 = du.byteOffset,
      d1 = d0 + 4 * duLength;
    if (w0 < d1 && d0 < w1) throw new RangeError('Expected weights not to overlap du (du is written while weights are read)');
  }
}

/** The weighted loss kernels of k behind the checks. */
export function checkedWeightedLoss(k: WeightedLossKernels): WeightedLossKernels {
  return {
    softmaxXentGradWeighted(du, logits, labels, weights, rows, cols) {
      const size = checkBlock(rows, cols);
      checkF32('du', du, size);
      checkF32('logits', logits, size);
      checkLabels(labels, rows, cols);
      if (rows > 0 && cols === 0) throw new RangeError('Expected cols >= 1 (the class count) but received 0');
      checkWeights(weights, rows, du, size);
      return k.softmaxXentGradWeighted(du, logits, labels, weights, rows, cols);
    },
    mseGradWeighted(du, pred, target, weights, rows, cols) {
      const size = checkBlock(rows, cols);
      checkF32('du', du, size);
      checkF32('pred', pred, size);
      checkF32('target', target, size);
      checkWeights(weights, rows, du, size);
      return k.mseGradWeighted(du, pred, target, weights, rows, cols);
    },
  };
}
