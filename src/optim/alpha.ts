/**
 * scikit-learn's `alpha`: an L2 penalty on the weights only (biases are not penalised), scaled as
 * scikit-learn scales it per minibatch of n rows: the loss gains 0.5 * alpha * sum(W^2) / n and
 * each weight gradient alpha * W / n. Separate from the optimizer's weightDecay (PyTorch's
 * weight_decay: lambda * w added to every parameter's gradient, biases included).
 */
import type { Backend } from '../backend/contract.js';
import type { Mlp } from '../nn/mlp.js';

/**
 * gW_l += float32(alpha / rows) * W_l for every layer (one sgdUpdate with a negative step:
 * g - (-s) * W); returns the penalty 0.5 * alpha * sum(W^2) summed into a batch's summed loss
 * (rows * the per-row 0.5 * alpha * sum(W^2) / rows), in float64.
 */
export function addAlphaPenalty(be: Backend, net: Mlp, grads: Mlp, alpha: number, rows: number): number {
  let sq = 0;
  for (let l = 1; l <= net.layers; l++) {
    const w = net.W[l];
    for (let i = 0; i < w.length; i++) sq += w[i] * w[i];
    be.sgdUpdate(grads.W[l], w, -alpha / rows, w.length);
  }
  return 0.5 * alpha * sq;
}
