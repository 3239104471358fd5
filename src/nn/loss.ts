/**
 * The loss heads: what turns the last layer's u_L into dL/du_L. Classification is softmax +
 * cross-entropy on class indices (Uint32Array); regression is a linear output with squared error
 * on float targets (Float32Array, rows x outputs, standardised). Both return the summed loss of
 * the rows and write du_L as the gradient of the mean over rows.
 */
import type { Backend } from '../backend/contract.js';

/** Class indices (classify) or rows x outputs values (regress). */
export type Targets = Uint32Array | Float32Array;

/**
 * du = dL/du_L for the rows' targets; returns the summed loss.
 *   classify: du = (softmax(u) - onehot) / rows,  loss = sum -log p[label]
 *   regress:  du = (u - y) / rows,                loss = sum 0.5 (u - y)^2 (scikit-learn's squared loss)
 */
export function lossGrad(be: Backend, du: Float32Array, u: Float32Array, targets: Targets, rows: number, cols: number): number {
  return targets instanceof Uint32Array
    ? be.softmaxXentGrad(du, u, targets, rows, cols)
    : be.mseGrad(du, u, targets, rows, cols);
}
