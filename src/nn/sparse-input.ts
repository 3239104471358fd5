/**
 * The input batch in compressed sparse rows, for data whose inputs are mostly zero (MNIST: 81 %
 * of pixels). The first layer's two big products, u1 = X W1 and the W1 gradient X^T du1, then
 * cost in proportion to the non-zeros (backend kernels sparseMatmul / sparseMatmulT), with the
 * same result bits as the dense products. forward() and backward() take one as
 * their optional last argument; the training loop decides per data set (sparseInputFor).
 */
import { sharedF32 } from '../backend/contract.js';
import type { Alloc } from './mlp.js';

export class SparseInput {
  /** Non-zero values of the batch, row by row (capacity: maxRows * features). */
  readonly values: Float32Array;
  /** Their column (input feature) indices, ascending within a row. */
  readonly cols: Int32Array;
  /** Row r's non-zeros are [rowPtr[r], rowPtr[r + 1]). */
  readonly rowPtr: Int32Array;
  readonly features: number;
  readonly maxRows: number;
  /** Rows of the batch now held (set by the gather). */
  rows = 0;
  /** Non-zeros of the batch now held. */
  nnz = 0;

  /** The float blocks under cols and rowPtr, held so that their memory lives as long as this. */
  private readonly blocks: Float32Array[];

  /** `alloc`: the backend's (Backend.alloc), so that a backend with its own memory uses the batch in place. */
  constructor(maxRows: number, features: number, alloc: Alloc = sharedF32) {
    if (!Number.isInteger(maxRows) || maxRows < 1) throw new RangeError(`Expected a batch of at least 1 row but received ${maxRows}`);
    this.maxRows = maxRows;
    this.features = features;
    this.values = alloc(maxRows * features);
    // Int32 views of float blocks: alloc hands out float32 storage, and both are 4-byte elements.
    this.blocks = [alloc(maxRows * features), alloc(maxRows + 1)];
    const int32 = (f: Float32Array) => new Int32Array(f.buffer, f.byteOffset, f.length);
    this.cols = int32(this.blocks[0]);
    this.rowPtr = int32(this.blocks[1]);
  }
}

/**
 * The densest input (fraction of non-zero inputs) the sparse path is used for. Measured with
 * one thread on the bench machine (AVX2, BENCHMARKS.md): at 100 % density the sparse products
 * take 2.6x (X W1) and 4.0x (the W1 update) the dense sgemm's time, so together they break even
 * near 30 % non-zeros; at MNIST's 18-19 % they take 0.57x. 0.25 leaves a margin.
 */
export const SPARSE_MAX_DENSITY = 0.25;

/** Fraction of non-zero bytes over up to `sample` images spread evenly through the set. */
export function inputDensity(images: Uint8Array, features: number, count: number, sample = 2000): number {
  if (count === 0 || features === 0) return 1;
  const step = Math.max(1, Math.floor(count / sample));
  let nonZero = 0;
  let seen = 0;
  for (let i = 0; i < count; i += step) {
    const row = i * features;
    for (let p = 0; p < features; p++) nonZero += images[row + p] !== 0 ? 1 : 0;
    seen += features;
  }
  return nonZero / seen;
}

/** How the first layer reads its input: 'auto' picks sparse below SPARSE_MAX_DENSITY. */
export type InputMode = 'auto' | 'dense' | 'sparse';

/**
 * A SparseInput for batches of `rows` when `mode` (or, for 'auto', the data's density) calls for
 * one, on memory from `alloc` (the backend's).
 */
export function sparseInputFor(
  mode: InputMode,
  set: { inputs: Uint8Array | Float32Array; targets: ArrayLike<number>; features: number; count: number },
  rows: number,
  alloc: Alloc,
): SparseInput | undefined {
  // The sparse gather reads bytes with class labels (images); float rows always go dense.
  const bytes = set.inputs instanceof Uint8Array && set.targets instanceof Uint32Array;
  if (mode === 'sparse' && !bytes)
    throw new RangeError('Expected byte inputs with class labels for input "sparse"; float rows train dense (input "auto" or "dense")');
  const sparse =
    mode === 'sparse' || (mode === 'auto' && bytes && inputDensity(set.inputs as Uint8Array, set.features, set.count) < SPARSE_MAX_DENSITY);
  return sparse ? new SparseInput(rows, set.features, alloc) : undefined;
}
