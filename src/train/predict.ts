/** Inference: class labels and softmax probabilities for a batch of images. */
import type { Backend } from '../backend/contract.js';
import { forward, type Mlp, Workspace } from '../nn/mlp.js';
import { identityOrder } from './batches.js';
import { argmaxRow } from './metrics.js';

export interface Prediction {
  /** The most probable class of each image. */
  labels: Uint8Array;
  /** count x classes softmax probabilities, row-major. */
  probabilities: Float32Array;
}

/** Rows pushed through the network at once. */
const CHUNK = 1000;

/**
 * Predicts `images`: count x net.inputs values, either raw bytes (Uint8Array, scaled x / 255 as in
 * training) or already-scaled floats (Float32Array).
 */
export function predict(be: Backend, net: Mlp, images: Uint8Array | Float32Array): Prediction {
  const f = net.inputs;
  const C = net.classes;
  if (!(images instanceof Uint8Array) && !(images instanceof Float32Array)) {
    throw new TypeError(`Expected images to be a Uint8Array (raw pixels) or Float32Array (scaled) but received ${typeof images}`);
  }
  if (images.length % f !== 0) {
    throw new RangeError(`Expected images to hold a whole number of ${f}-pixel images but it holds ${images.length} values`);
  }
  const count = images.length / f;
  const ws = new Workspace(net, Math.max(1, Math.min(CHUNK, count)), be.alloc);
  const order = identityOrder(count);
  const labels = new Uint8Array(count);
  const probabilities = new Float32Array(count * C);
  for (let start = 0; start < count; start += ws.rows) {
    const rows = Math.min(ws.rows, count - start);
    if (images instanceof Uint8Array) be.gatherPixels(ws.X, images, order, start, rows, f);
    else ws.X.set(images.subarray(start * f, (start + rows) * f));
    const logits = forward(be, net, ws, rows);
    for (let i = 0; i < rows; i++) {
      const row = logits.subarray(i * C, (i + 1) * C);
      const out = probabilities.subarray((start + i) * C, (start + i + 1) * C);
      const best = argmaxRow(logits, i, C);
      const max = row[best];
      let sum = 0;
      for (let j = 0; j < C; j++) sum += out[j] = Math.exp(row[j] - max);
      for (let j = 0; j < C; j++) out[j] /= sum;
      labels[start + i] = best;
    }
  }
  return { labels, probabilities };
}
