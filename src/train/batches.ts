/**
 * Batch assembly: gathers the rows of one batch in epoch order, scaling the uint8 pixels to
 * float32 x / 255 (NumPy's rounding) into a reused buffer, so no image set is ever held as floats.
 */
import type { Backend } from '../backend/contract.js';
import type { LabeledImages } from '../data/mnist.js';
import type { SparseInput } from '../nn/sparse-input.js';

/** Fills X (rows x features) and labels with the images order[start .. start + rows). */
export function gatherBatch(
  be: Backend, X: Float32Array, labels: Uint8Array, set: LabeledImages, order: Uint32Array, start: number, rows: number,
): void {
  be.gatherPixels(X, set.images, order, start, rows, set.features);
  for (let r = 0; r < rows; r++) labels[r] = set.labels[order[start + r]];
}

/** 0, 1, ..., n - 1: the order of a pass over rows as they are stored (evaluation, prediction). */
export function identityOrder(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** Fills x (compressed sparse rows) and labels with the images order[start .. start + rows). */
export function gatherSparseBatch(
  be: Backend, x: SparseInput, labels: Uint8Array, set: LabeledImages, order: Uint32Array, start: number, rows: number,
): void {
  x.nnz = be.gatherSparse(x.values, x.cols, x.rowPtr, set.images, order, start, rows, set.features);
  x.rows = rows;
  for (let r = 0; r < rows; r++) labels[r] = set.labels[order[start + r]];
}
