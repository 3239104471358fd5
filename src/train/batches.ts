/**
 * Batch assembly: gathers the rows of one batch in epoch order into reused buffers, by the backend
 * (no JS loop over features): bytes are scaled x / 255 (NumPy's rounding), so no image set is ever
 * held as floats; float rows are copied. Regression targets are float rows and gathered the same way.
 */
import type { Backend } from '../backend/contract.js';
import type { Rows } from '../data/dataset.js';
import type { Targets } from '../nn/loss.js';
import type { SparseInput } from '../nn/sparse-input.js';
import type { Generator } from '../rng/index.js';

/** A targets buffer for batches of up to `rows` rows of `set`: labels, or rows x outputs values. */
export function targetBuffer(set: Rows, rows: number, outputs: number): Targets {
  return set.targets instanceof Uint32Array ? new Uint32Array(rows) : new Float32Array(rows * outputs);
}

/** Fills X (rows x features) and targets with the rows order[start .. start + rows) of `set`. */
export function gatherBatch(
  be: Backend, X: Float32Array, targets: Targets, set: Rows, order: Uint32Array, start: number, rows: number,
): void {
  if (set.inputs instanceof Uint8Array) be.gatherPixels(X, set.inputs, order, start, rows, set.features);
  else be.gatherRows(X, set.inputs, order, start, rows, set.features);
  const t = set.targets;
  if (t instanceof Uint32Array) {
    const labels = targets as Uint32Array;
    for (let r = 0; r < rows; r++) labels[r] = t[order[start + r]];
  } else {
    be.gatherRows(targets as Float32Array, t, order, start, rows, set.count ? t.length / set.count : 0);
  }
}

/** 0, 1, ..., n - 1: the order of a pass over rows as they are stored (evaluation, prediction). */
export function identityOrder(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/**
 * Fills x (compressed sparse rows) and labels with the rows order[start .. start + rows) of a set
 * of byte inputs with class labels (the sparse path is for images; float rows take gatherBatch).
 */
export function gatherSparseBatch(
  be: Backend, x: SparseInput, labels: Uint32Array, set: Rows, order: Uint32Array, start: number, rows: number,
): void {
  if (!(set.inputs instanceof Uint8Array) || !(set.targets instanceof Uint32Array)) {
    throw new TypeError('gatherSparseBatch needs byte inputs and class labels; use gatherBatch for float rows');
  }
  x.nnz = be.gatherSparse(x.values, x.cols, x.rowPtr, set.inputs, order, start, rows, set.features);
  x.rows = rows;
  const t = set.targets;
  for (let r = 0; r < rows; r++) labels[r] = t[order[start + r]];
}

/**
 * order = rng.permutation(order.length), through the backend's kernel: the same numbers and the same
 * stream as rng.permutationInto, and on native without the ~20 ms V8 spends on that loop before
 * compiling it (the first epoch of every process paid them).
 */
export function epochOrder(be: Backend, rng: Generator, order: Uint32Array): void {
  const words = new Uint32Array(10);
  rng.bitGenerator.saveWords(words);
  be.permutation(order, words);
  rng.bitGenerator.loadWords(words);
}
