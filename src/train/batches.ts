/**
 * Batch assembly: gathers the rows of one batch in epoch order into reused buffers, by the backend
 * (no JS loop over features): bytes are scaled x / 255 (NumPy's rounding), so no image set is ever
 * held as floats; float rows are copied. Regression targets are float rows and gathered the same way.
 * Image sets with class labels are gathered one step ahead (AheadBatches).
 */
import type { Backend } from '../backend/contract.js';
import { checkMemory } from '../budget.js';
import type { Rows } from '../data/dataset.js';
import type { Targets } from '../nn/loss.js';
import type { Workspace } from '../nn/mlp.js';
import { SparseInput } from '../nn/sparse-input.js';
import type { Generator } from '../rng/index.js';

/** A targets buffer for batches of up to `rows` rows of `set`: labels, or rows x outputs values. */
export function targetBuffer(set: Rows, rows: number, outputs: number): Targets {
  return set.targets instanceof Uint32Array ? new Uint32Array(rows) : new Float32Array(rows * outputs);
}

/** Fills X (rows x features) and targets with the rows order[start .. start + rows) of `set`. */
export function gatherBatch(
  be: Backend,
  X: Float32Array,
  targets: Targets,
  set: Rows,
  order: Uint32Array,
  start: number,
  rows: number,
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

/** out[r] = weights[order[start + r]]: the batch's row weights, in the batch's (shuffled) order. */
export function gatherWeights(out: Float32Array, weights: Float32Array, order: Uint32Array, start: number, rows: number): void {
  for (let r = 0; r < rows; r++) out[r] = weights[order[start + r]];
}

/** 0, 1, ..., n - 1: the order of a pass over rows as they are stored (evaluation, prediction). */
export function identityOrder(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/**
 * The batches of a set of images (byte inputs with class labels), gathered one step ahead: while
 * step i trains on one buffer, the backend fills the other with batch i + 1 (native: on the thread
 * pool's worker, during the step's serial part; js and wasm gather at once). The buffers are
 * compressed sparse rows (`first` given: the sparse input path) or dense rows, the second of which
 * take() swaps into the workspace as X. The images and the epoch order live on SharedArrayBuffers,
 * the memory native gathers from in the background. `rows` is the batch size; `first` the
 * network's SparseInput on the sparse path.
 */
export class AheadBatches {
  readonly order: Uint32Array;
  private readonly images: Uint8Array;
  private readonly sparse?: [SparseInput, SparseInput];
  private readonly dense: [Float32Array, Float32Array];
  private spare = 1; // the buffer not handed out by the last take()
  private ahead = -1; // start row of the batch begun into the spare buffer, or -1

  constructor(
    private readonly be: Backend,
    private readonly ws: Workspace,
    private readonly set: Rows,
    rows: number,
    first?: SparseInput,
  ) {
    if (!(set.inputs instanceof Uint8Array) || !(set.targets instanceof Uint32Array)) {
      throw new TypeError('AheadBatches needs byte inputs and class labels; other data takes gatherBatch');
    }
    // Only a backend that gathers in the background, with a worker thread, needs a shared copy.
    this.images = be.capabilities.backgroundGather && be.getThreads() > 1 ? onSharedMemory(set.inputs) : set.inputs;
    this.order = new Uint32Array(new SharedArrayBuffer(4 * set.count));
    if (first) this.sparse = [first, new SparseInput(first.maxRows, first.features, be.alloc)];
    this.dense = [ws.X, first ? ws.X : be.alloc(rows * set.features)];
  }

  /** Begins gathering the rows order[start .. start + rows) (the next step's batch). */
  begin(start: number, rows: number): void {
    const f = this.set.features;
    if (this.sparse) {
      const x = this.sparse[this.spare];
      this.be.startGatherSparse(x.values, x.cols, x.rowPtr, this.images, this.order, start, rows, f);
      x.rows = rows;
    } else {
      this.be.startGatherPixels(this.dense[this.spare], this.images, this.order, start, rows, f);
    }
    this.ahead = start;
  }

  /**
   * The batch order[start .. start + rows), begun ahead or gathered now, with its labels: the
   * compressed batch on the sparse path, else undefined with the batch in ws.X.
   */
  take(start: number, rows: number, labels: Uint32Array): SparseInput | undefined {
    if (this.ahead !== start) this.begin(start, rows);
    this.be.finishGather();
    this.ahead = -1;
    const at = this.spare;
    this.spare ^= 1;
    const t = this.set.targets as Uint32Array;
    for (let r = 0; r < rows; r++) labels[r] = t[this.order[start + r]];
    if (!this.sparse) {
      this.ws.h[0] = this.dense[at];
      return undefined;
    }
    const x = this.sparse[at];
    x.nnz = x.rowPtr[rows];
    return x;
  }

  /** Puts the workspace's own X back (evaluation gathers up to ws.rows rows into it). */
  restore(): void {
    this.ws.h[0] = this.dense[0];
  }
}

/** bytes itself when it lives on a SharedArrayBuffer, else a copy that does (made once per run). */
function onSharedMemory(bytes: Uint8Array): Uint8Array {
  if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
  checkMemory(bytes.length, 'A shared copy of the training images (native gathers batches from it on its worker thread)');
  const copy = new Uint8Array(new SharedArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
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
