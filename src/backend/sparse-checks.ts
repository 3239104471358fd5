/**
 * Argument checks of the sparse-input kernels (gatherSparse, sparseMatmul, sparseMatmulT), shared
 * by every backend through withChecks (contract.ts). They run in O(rows); the column indices
 * (O(non-zeros)) are checked by each backend's kernel before it touches memory
 * (checkCsrColumns for TypeScript, native/napi/binding_sparse.cc for the addon, native/wasm/wasm_entry.cc for
 * WASM, which reports the position for checkCsrColumns to word), with the same message.
 */
import { checkDim, checkF32, checkGather, describe, MAX_DIM } from './checks.js';

export function checkI32(name: string, v: unknown, need: number): asserts v is Int32Array {
  if (!(v instanceof Int32Array)) {
    throw new TypeError(`Expected ${name} to be a Int32Array but received ${describe(v)}`);
  }
  if (v.length < need) {
    throw new RangeError(`Expected ${name} to hold at least ${need} elements but it holds ${v.length}`);
  }
}

/**
 * A batch of `rows` compressed sparse rows: rowPtr holds rows + 1 entries from 0, never
 * decreasing; cols and values hold rowPtr[rows] entries. Returns the non-zero count.
 */
export function checkCsr(rowPtr: unknown, cols: unknown, values: unknown, rows: number): number {
  checkI32('rowPtr', rowPtr, rows + 1);
  if (!(cols instanceof Int32Array)) throw new TypeError(`Expected cols to be a Int32Array but received ${describe(cols)}`);
  checkF32('values', values, 0);
  if (rowPtr[0] !== 0) {
    throw new RangeError(`Expected rowPtr[0] to be 0 (compressed sparse rows) but received ${rowPtr[0]}`);
  }
  for (let i = 0; i < rows; i++) {
    if (rowPtr[i + 1] < rowPtr[i]) {
      throw new RangeError(
        `Expected rowPtr never to decrease (compressed sparse rows) but rowPtr[${i + 1}] = ${rowPtr[i + 1]} < rowPtr[${i}] = ${rowPtr[i]}`,
      );
    }
  }
  const nnz = rowPtr[rows];
  checkI32('cols', cols, nnz);
  checkF32('values', values, nnz);
  return nnz;
}

/** Every column index of the first nnz entries is in [0, k). */
export function checkCsrColumns(cols: Int32Array, nnz: number, k: number): void {
  for (let t = 0; t < nnz; t++) {
    const j = cols[t];
    if (!(j >= 0 && j < k)) {
      throw new RangeError(`Expected every column index to be in [0, ${k}) (k) but cols[${t}] is ${j}`);
    }
  }
}

export function checkSparseMatmul(
  c: unknown,
  rowPtr: unknown,
  cols: unknown,
  values: unknown,
  b: unknown,
  rows: unknown,
  k: unknown,
  n: unknown,
): void {
  checkDim('rows', rows);
  checkDim('k', k);
  checkDim('n', n);
  checkF32('c', c, rows * n);
  checkCsr(rowPtr, cols, values, rows);
  checkF32('b', b, k * n);
}

export function checkSparseMatmulT(
  c: unknown,
  rowPtr: unknown,
  cols: unknown,
  values: unknown,
  d: unknown,
  rows: unknown,
  k: unknown,
  n: unknown,
  alpha: unknown,
  beta: unknown,
): void {
  checkDim('rows', rows);
  checkDim('k', k);
  checkDim('n', n);
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
    throw new RangeError(`Expected alpha to be a finite number but received ${describe(alpha)}`);
  }
  if (typeof beta !== 'number' || !Number.isFinite(beta)) {
    throw new RangeError(`Expected beta to be a finite number but received ${describe(beta)}`);
  }
  checkF32('c', c, k * n);
  checkCsr(rowPtr, cols, values, rows);
  checkF32('d', d, rows * n);
}

export function checkGatherSparse(
  values: unknown,
  cols: unknown,
  rowPtr: unknown,
  images: unknown,
  index: unknown,
  start: unknown,
  rows: unknown,
  features: unknown,
): void {
  checkDim('start', start);
  checkDim('rows', rows);
  checkDim('features', features);
  const worst = rows * features;
  if (worst > MAX_DIM) {
    throw new RangeError(`Expected rows * features to be at most ${MAX_DIM} (32-bit rowPtr) but it is ${worst}`);
  }
  checkF32('values', values, worst);
  checkI32('cols', cols, worst);
  checkI32('rowPtr', rowPtr, rows + 1);
  // images and index as gatherPixels checks them (its `out` is values, already checked).
  checkGather(values, images, index, start, rows, features);
}
