/**
 * The sparse-input kernels in TypeScript: the specification of gatherSparse, sparseMatmul and
 * sparseMatmulT (see contract.ts), on arguments withChecks has checked (the column indices are
 * checked here, before anything is written).
 *
 * Each product runs the arithmetic of the TypeScript sgemm on the same depth blocks (KC) in the
 * same order, skipping only the zero inputs: float64 sums of float64 products, rounded into C
 * once per block. A skipped zero adds exactly nothing to a dense sum, so these equal the dense
 * sgemm bit for bit (except where W holds Inf or NaN, which a dense 0 * W turns into NaN).
 */
import { checkCsrColumns } from '../sparse-checks.js';
import { KC } from './sgemm.js';

/** float32(x / 255) for every byte value, as gatherPixels rounds it. */
let pixelScale: Float32Array | null = null;
function scale(): Float32Array {
  if (pixelScale === null) {
    pixelScale = new Float32Array(256);
    for (let i = 0; i < 256; i++) pixelScale[i] = i / 255;
  }
  return pixelScale;
}

// Scratch, grown on demand and reused: nothing is allocated per call in steady state.
let acc = new Float64Array(128);
let colPtr = new Int32Array(785);
let nextPos = new Int32Array(784);
let rowIdx = new Int32Array(0);
let scaled = new Float64Array(0);

function accumulator(n: number): Float64Array {
  if (acc.length < n) acc = new Float64Array(n);
  return acc;
}

export function gatherSparse(
  values: Float32Array,
  cols: Int32Array,
  rowPtr: Int32Array,
  images: Uint8Array,
  index: Uint32Array,
  start: number,
  rows: number,
  features: number,
): number {
  const table = scale();
  let q = 0;
  rowPtr[0] = 0;
  for (let r = 0; r < rows; r++) {
    const src = index[start + r] * features;
    for (let p = 0; p < features; p++) {
      const x = images[src + p];
      if (x !== 0) {
        values[q] = table[x];
        cols[q] = p;
        q++;
      }
    }
    rowPtr[r + 1] = q;
  }
  return q;
}

/** c (rows x n) = X b: per row, per KC block of X's columns, c += the block's sum. */
export function sparseMatmul(
  c: Float32Array,
  rowPtr: Int32Array,
  cols: Int32Array,
  values: Float32Array,
  b: Float32Array,
  rows: number,
  k: number,
  n: number,
): void {
  checkCsrColumns(cols, rowPtr[rows], k);
  const sum = accumulator(n);
  for (let i = 0; i < rows; i++) {
    const ci = i * n;
    c.fill(0, ci, ci + n);
    let t = rowPtr[i];
    const end = rowPtr[i + 1];
    for (let blk = 0; blk < k; blk += KC) {
      const limit = blk + KC >= k ? Infinity : blk + KC;
      if (t >= end || cols[t] >= limit) continue; // an empty block adds exactly nothing
      sum.fill(0, 0, n);
      for (; t < end && cols[t] < limit; t++) {
        const v = values[t];
        const row = cols[t] * n;
        for (let j = 0; j < n; j++) sum[j] += v * b[row + j];
      }
      for (let j = 0; j < n; j++) c[ci + j] += sum[j];
    }
  }
}

/**
 * c (k x n) = alpha X^T d + beta c: X^T by counting sort (compressed sparse columns, alpha
 * folded into the values in float64 as the sgemm's packing folds it), then per column of X, per
 * KC block of rows, c += the block's sum.
 */
export function sparseMatmulT(
  c: Float32Array,
  rowPtr: Int32Array,
  cols: Int32Array,
  values: Float32Array,
  d: Float32Array,
  rows: number,
  k: number,
  n: number,
  alpha: number,
  beta: number,
): void {
  const nnz = rowPtr[rows];
  checkCsrColumns(cols, nnz, k);
  const size = k * n;
  if (beta === 0) c.fill(0, 0, size);
  else if (beta !== 1) for (let i = 0; i < size; i++) c[i] *= beta;
  if (alpha === 0 || rows === 0 || n === 0) return;
  if (colPtr.length < k + 1) colPtr = new Int32Array(k + 1);
  if (nextPos.length < k) nextPos = new Int32Array(k);
  if (rowIdx.length < nnz) {
    rowIdx = new Int32Array(nnz);
    scaled = new Float64Array(nnz);
  }
  colPtr.fill(0, 0, k + 1);
  for (let t = 0; t < nnz; t++) colPtr[cols[t] + 1]++;
  for (let j = 0; j < k; j++) colPtr[j + 1] += colPtr[j];
  nextPos.set(colPtr.subarray(0, k));
  for (let i = 0; i < rows; i++) {
    for (let t = rowPtr[i]; t < rowPtr[i + 1]; t++) {
      const pos = nextPos[cols[t]]++;
      rowIdx[pos] = i;
      scaled[pos] = alpha * values[t];
    }
  }
  const sum = accumulator(n);
  for (let f = 0; f < k; f++) {
    const cf = f * n;
    let t = colPtr[f];
    const end = colPtr[f + 1];
    while (t < end) {
      const limit = rowIdx[t] - (rowIdx[t] % KC) + KC; // the KC block of rows t is in
      sum.fill(0, 0, n);
      for (; t < end && rowIdx[t] < limit; t++) {
        const v = scaled[t];
        const row = rowIdx[t] * n;
        for (let j = 0; j < n; j++) sum[j] += v * d[row + j];
      }
      for (let j = 0; j < n; j++) c[cf + j] += sum[j];
    }
  }
}
