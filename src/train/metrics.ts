/** Accuracy, loss and confusion counts of a network over a labelled image set. */
import type { Backend } from '../backend/contract.js';
import type { LabeledImages } from '../data/mnist.js';
import { forward, type Mlp, Workspace } from '../nn/mlp.js';
import { gatherBatch, identityOrder } from './batches.js';

export interface Evaluation {
  accuracy: number;
  /** Mean cross-entropy. */
  loss: number;
  count: number;
  /** confusion[truth * classes + predicted] counts. */
  confusion: Uint32Array;
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

/**
 * Accuracy, mean loss and confusion matrix of `net` on the first `count` images of `set`
 * (default all), in chunks of the workspace's rows. Pass the training workspace to reuse it.
 */
export function evaluate(
  be: Backend, net: Mlp, set: LabeledImages, count = set.count, ws = new Workspace(net, Math.max(1, Math.min(EVAL_ROWS, count)), be.alloc),
): Evaluation {
  if (!Number.isInteger(count) || count < 0 || count > set.count) {
    throw new RangeError(`Expected count to be an integer from 0 to ${set.count} but received ${count}`);
  }
  const labels = new Uint8Array(ws.rows);
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
    loss += be.softmaxXentGrad(ws.du[L], logits, labels, rows, C);
  }
  return { accuracy: count ? correct / count : 0, loss: count ? loss / count : 0, count, confusion };
}
