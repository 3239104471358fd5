/**
 * The loss heads: what turns the last layer's u_L into dL/du_L. Classification is softmax +
 * cross-entropy on class indices (Uint32Array); regression is a linear output with squared error
 * on float targets (Float32Array, rows x outputs, standardised). Both return the summed loss of
 * the rows and write du_L as the gradient of the mean over rows; with per-row weights w, of the
 * weighted mean sum_i w_i l_i / sum_i w_i, returning sum_i w_i l_i.
 */
import type { Backend } from '../backend/contract.js';

/** Class indices (classify) or rows x outputs values (regress). */
export type Targets = Uint32Array | Float32Array;

/**
 * du = dL/du_L for the rows' targets; returns the summed loss.
 *   classify: du = (softmax(u) - onehot) / rows,  loss = sum -log p[label]
 *   regress:  du = (u - y) / rows,                loss = sum 0.5 (u - y)^2 (scikit-learn's squared loss)
 * With weights: du_i = w_i (...) / sum(w), loss = sum w_i l_i. No weights is the notebook's path
 * (the unweighted kernels, unchanged).
 */
export function lossGrad(
  be: Backend,
  du: Float32Array,
  u: Float32Array,
  targets: Targets,
  rows: number,
  cols: number,
  weights?: Float32Array,
): number {
  if (weights) {
    return targets instanceof Uint32Array
      ? be.softmaxXentGradWeighted(du, u, targets, weights, rows, cols)
      : be.mseGradWeighted(du, u, targets, weights, rows, cols);
  }
  return targets instanceof Uint32Array ? be.softmaxXentGrad(du, u, targets, rows, cols) : be.mseGrad(du, u, targets, rows, cols);
}
