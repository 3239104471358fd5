/**
 * Inference: class labels and softmax probabilities for a batch of rows (`predict`, the network
 * alone), and `predictRows` for a trained model with its data side: raw rows by column name (or
 * positional), encoded by the model's pipeline and standardised as in training (data/model-rows.ts),
 * returning class names with every class's probability, or values in the targets' units.
 */
import type { Backend } from '../backend/contract.js';
import type { Preprocessing, Task } from '../data/dataset.js';
import { modelInputs, type RawRows } from '../data/model-rows.js';
import type { ModelData } from '../model/data-meta.js';
import { invertColumns } from '../data/standardize.js';
import { forward, type Mlp, Workspace } from '../nn/mlp.js';
import { identityOrder } from '../train/batches.js';
import { argmaxRow } from './metrics.js';

export interface Prediction {
  /** The most probable class of each row. */
  labels: Uint32Array;
  /** count x classes softmax probabilities, row-major. */
  probabilities: Float32Array;
}

/** Rows pushed through the network at once. */
const CHUNK = 1000;

/** Runs rows x net.inputs through the network in chunks; `each` sees each chunk's outputs. */
export function forwardAll(
  be: Backend,
  net: Mlp,
  images: Uint8Array | Float32Array,
  each: (out: Float32Array, start: number, rows: number) => void,
): number {
  const f = net.inputs;
  if (!(images instanceof Uint8Array) && !(images instanceof Float32Array)) {
    throw new TypeError(`Expected images to be a Uint8Array (raw pixels) or Float32Array (scaled) but received ${typeof images}`);
  }
  if (images.length % f !== 0) {
    throw new RangeError(`Expected images to hold a whole number of ${f}-pixel images but it holds ${images.length} values`);
  }
  const count = images.length / f;
  const ws = new Workspace(net, Math.max(1, Math.min(CHUNK, count)), be.alloc);
  const order = identityOrder(count);
  for (let start = 0; start < count; start += ws.rows) {
    const rows = Math.min(ws.rows, count - start);
    if (images instanceof Uint8Array) be.gatherPixels(ws.X, images, order, start, rows, f);
    else ws.X.set(images.subarray(start * f, (start + rows) * f));
    each(forward(be, net, ws, rows), start, rows);
  }
  return count;
}

/**
 * Predicts `images`: count x net.inputs values, either raw bytes (Uint8Array, scaled x / 255 as in
 * training) or already-scaled floats (Float32Array).
 */
export function predict(be: Backend, net: Mlp, images: Uint8Array | Float32Array): Prediction {
  const C = net.classes;
  const count = images.length / net.inputs;
  const labels = new Uint32Array(Number.isInteger(count) ? count : 0);
  const probabilities = new Float32Array(labels.length * C);
  forwardAll(be, net, images, (logits, start, rows) => {
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
  });
  return { labels, probabilities };
}

/** A network with what it needs to predict from raw rows (a loaded model file has all of it). */
/** A network with its data side (task, names, scaling, a table's fitted pipeline). */
export interface TrainedModel extends ModelData {
  net: Mlp;
}

/**
 * Raw rows: objects by column name (number | string | boolean | null | undefined; null, undefined,
 * NaN and the model's missing spellings are missing), a table read by readCsv, or positional raw
 * columns (number[][] or a flat Float32Array) in the model's column order.
 */
export type PredictInput = RawRows;

export interface ClassPredictions {
  task: 'classify';
  /** Class names (when the model has them) or class indices, one per row. */
  labels: (string | number)[];
  classIndex: Uint32Array;
  /** The probability of each row's predicted class. */
  probability: Float32Array;
  /** count x classes softmax probabilities, row-major, in class order. */
  probabilities: Float32Array;
  /** Class names (or indices as strings), in the order of each row's probabilities. */
  classNames: string[];
  /** One line per column with categories not seen in training (encoded as all zero). */
  warnings: string[];
}

export interface ValuePredictions {
  task: 'regress';
  /** count x outputs values in the targets' units. */
  values: Float32Array;
  outputs: number;
  /** The target columns' names, when the model has them. */
  targetNames?: string[];
  warnings: string[];
}

/** Predicts raw rows with a trained model: encoded and standardised as in training, answers in the data's terms. */
export function predictRows(be: Backend, model: TrainedModel, x: PredictInput): ClassPredictions | ValuePredictions {
  const { net } = model;
  const { inputs, count, warnings } = modelInputs({ ...model, inputs: net.inputs, outputs: net.classes }, x);
  if (model.task === 'regress') {
    const K = net.classes;
    const values = new Float32Array(count * K);
    forwardAll(be, net, inputs, (out, start, rows) => values.set(out.subarray(0, rows * K), start * K));
    const p = model.preprocessing;
    if (p?.targetMean && p.targetStd) invertColumns(values, count, K, p.targetMean, p.targetStd);
    const targetNames = model.pipeline?.target.columns.length === K ? [...model.pipeline.target.columns] : undefined;
    return { task: 'regress', values, outputs: K, ...(targetNames ? { targetNames } : {}), warnings };
  }
  const { labels, probabilities } = predict(be, net, inputs);
  const C = net.classes;
  const probability = new Float32Array(count);
  for (let i = 0; i < count; i++) probability[i] = probabilities[i * C + labels[i]];
  const names = model.classNames;
  return {
    task: 'classify',
    labels: Array.from(labels, (k) => (names ? names[k] : k)),
    classIndex: labels,
    probability,
    probabilities,
    classNames: names ? [...names] : Array.from({ length: C }, (_, k) => String(k)),
    warnings,
  };
}
