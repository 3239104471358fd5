/**
 * The kernels the network is built from (their list: kernels.ts), and the argument checks every
 * backend shares. The TypeScript backend is the executable specification. Semantics: binding.d.ts.
 */
import { MemoryBudgetError, mib } from '../budget.js';
import { type Capabilities, capabilitiesOf } from './capabilities.js';
import { type ActivationKernels, checkedActivations } from './activation-checks.js';
import { checkedDropout, type DropoutKernels } from './dropout.js';
import {
  checkBlock,
  checkBool,
  checkDim,
  checkDisjoint,
  checkF32,
  checkFinite,
  checkGather,
  checkGatherRows,
  checkLabels,
  checkSgemm,
  describe,
} from './checks.js';
import { checkGatherSparse, checkSparseMatmul, checkSparseMatmulT } from './sparse-checks.js';
import { checkedWeightedLoss, type WeightedLossKernels } from './weighted-checks.js';

export type BackendName = 'js' | 'native' | 'wasm';

export interface Backend extends ActivationKernels, DropoutKernels, WeightedLossKernels {
  readonly name: BackendName;
  /** What it can do beyond the kernels (capabilities.ts); ask this, never the name. */
  readonly capabilities: Capabilities;
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    beta: number,
    c: Float32Array,
    ldc: number,
  ): void;
  biasRelu(h: Float32Array, u: Float32Array, bias: Float32Array, rows: number, cols: number): void;
  biasAdd(u: Float32Array, bias: Float32Array, rows: number, cols: number): void;
  /** Returns the summed cross-entropy loss; du = (softmax - onehot) / rows. */
  softmaxXentGrad(du: Float32Array, logits: Float32Array, labels: Uint32Array, rows: number, cols: number): number;
  /**
   * Regression head: du = (pred - target) / rows (float32 difference, then division); returns the
   * summed 0.5 * (pred - target)^2 over every element. scikit-learn's squared loss and gradient,
   * so the same lr takes the same step. du may be pred.
   */
  mseGrad(du: Float32Array, pred: Float32Array, target: Float32Array, rows: number, cols: number): number;
  reluBackward(dx: Float32Array, dy: Float32Array, u: Float32Array, n: number): void;
  colSums(out: Float32Array, x: Float32Array, rows: number, cols: number): void;
  sgdUpdate(w: Float32Array, g: Float32Array, lr: number, n: number): void;
  /** out[r, :] = images[index[start + r], :] / 255 (NumPy's float32 rounding): the batch gather. */
  gatherPixels(out: Float32Array, images: Uint8Array, index: Uint32Array, start: number, rows: number, features: number): void;
  /** out[r, :] = x[index[start + r], :]: the batch gather of float rows (a copy). */
  gatherRows(out: Float32Array, x: Float32Array, index: Uint32Array, start: number, rows: number, features: number): void;
  /**
   * The batch gather for sparse inputs: the non-zero pixels of images[index[start + r]], r < rows,
   * as compressed sparse rows (values = pixel / 255 as gatherPixels rounds it, column indices
   * ascending, rowPtr with rows + 1 entries). values and cols must hold rows * features. Returns
   * the non-zero count.
   */
  gatherSparse(
    values: Float32Array,
    cols: Int32Array,
    rowPtr: Int32Array,
    images: Uint8Array,
    index: Uint32Array,
    start: number,
    rows: number,
    features: number,
  ): number;
  /**
   * gatherSparse's work, begun now; after finishGather() the batch is complete and rowPtr[rows] is
   * its non-zero count. Native runs it on the thread pool's worker while the caller goes on (the
   * next batch's gather during the current training step) when all five arrays live on
   * SharedArrayBuffers and a worker is free; otherwise, and on js and wasm, it gathers at once.
   * Until then the outputs hold a gather in progress; starting another gather completes this one.
   */
  startGatherSparse(
    values: Float32Array,
    cols: Int32Array,
    rowPtr: Int32Array,
    images: Uint8Array,
    index: Uint32Array,
    start: number,
    rows: number,
    features: number,
  ): void;
  /** gatherPixels begun now, as startGatherSparse (its three arrays on SharedArrayBuffers). */
  startGatherPixels(out: Float32Array, images: Uint8Array, index: Uint32Array, start: number, rows: number, features: number): void;
  /** Returns once the gather begun last (startGatherSparse or startGatherPixels), if any, is complete. */
  finishGather(): void;
  /** c (rows x n) = X b for X (rows x k) in compressed sparse rows and b (k x n); c is overwritten. */
  sparseMatmul(
    c: Float32Array,
    rowPtr: Int32Array,
    cols: Int32Array,
    values: Float32Array,
    b: Float32Array,
    rows: number,
    k: number,
    n: number,
  ): void;
  /** c (k x n) = alpha X^T d + beta c for X (rows x k) in compressed sparse rows and d (rows x n). */
  sparseMatmulT(
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
  ): void;
  /**
   * out = rng.permutation(out.length) for the PCG64 whose state is in `state` (10 uint32 words, as
   * Pcg64.saveWords writes them), which it advances in place: the training loop's epoch order.
   * The TypeScript kernel is Generator.permutationInto; the native one draws the same numbers.
   */
  permutation(out: Uint32Array, state: Uint32Array): void;
  /**
   * torch.optim.SGD over n parameters (L2 weight decay, momentum, nesterov), float32 per element;
   * velocity is read only when momentum != 0. See binding.d.ts.
   */
  momentumUpdate(
    w: Float32Array,
    g: Float32Array,
    velocity: Float32Array,
    n: number,
    lr: number,
    momentum: number,
    weightDecay: number,
    nesterov: boolean,
  ): void;
  /** torch.optim.Adam (decoupled = false) / AdamW (true) at step >= 1 over n parameters. See binding.d.ts. */
  adamUpdate(
    w: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    decoupled: boolean,
    step: number,
  ): void;
  /** Threads the kernels use (the TypeScript backend: 1 unless setThreads added worker threads). */
  getThreads(): number;
  setThreads(n: number): number;
  /** Instruction set of the inner kernels ("js" for TypeScript). */
  isa(): string;
  /**
   * n zeroed float32s on memory this backend's kernels use in place: SharedArrayBuffer views for
   * js and native (shareable with worker threads; native's start on a 64-byte boundary, so their
   * byteOffset need not be 0), views into the module's linear memory for wasm. Long-lived arrays
   * (parameters, workspace, batches) come from here; RangeError naming n when n is not a size or
   * the memory cannot grow that far.
   */
  alloc(n: number): Float32Array;
  /**
   * Whether the kernels use x in place (true for every array on js and native; on wasm, only for
   * views into its memory: other arrays are copied in, and out, once per call).
   */
  holds(x: ArrayBufferView): boolean;
}

type BackgroundGather = 'startGatherSparse' | 'startGatherPixels' | 'finishGather';

/**
 * What a backend implements; withChecks() turns it into a Backend. A backend without its own
 * background gather gets one that gathers at once.
 */
export type Kernels = Omit<Backend, 'name' | 'capabilities' | BackgroundGather> & Partial<Pick<Backend, BackgroundGather>>;

/**
 * Wraps kernels so every call is checked first, the same way for both backends: the TypeScript
 * kernels assume valid arguments, and the native ones check again in C++ for memory safety.
 */
export function withChecks(name: BackendName, k: Kernels): Backend {
  return {
    name,
    capabilities: capabilitiesOf(name, k),
    sgemm(transA, transB, m, n, kk, alpha, a, lda, b, ldb, beta, c, ldc) {
      checkSgemm(transA, transB, m, n, kk, alpha, a, lda, b, ldb, beta, c, ldc);
      k.sgemm(transA, transB, m, n, kk, alpha, a, lda, b, ldb, beta, c, ldc);
    },
    biasRelu(h, u, bias, rows, cols) {
      const size = checkBlock(rows, cols);
      checkF32('h', h, size);
      checkF32('u', u, size);
      checkF32('bias', bias, cols);
      k.biasRelu(h, u, bias, rows, cols);
    },
    biasAdd(u, bias, rows, cols) {
      const size = checkBlock(rows, cols);
      checkF32('u', u, size);
      checkF32('bias', bias, cols);
      k.biasAdd(u, bias, rows, cols);
    },
    softmaxXentGrad(du, logits, labels, rows, cols) {
      const size = checkBlock(rows, cols);
      checkF32('du', du, size);
      checkF32('logits', logits, size);
      checkLabels(labels, rows, cols);
      if (rows > 0 && cols === 0) throw new RangeError('Expected cols >= 1 (the class count) but received 0');
      return k.softmaxXentGrad(du, logits, labels, rows, cols);
    },
    reluBackward(dx, dy, u, n) {
      checkDim('n', n);
      checkF32('dx', dx, n);
      checkF32('dy', dy, n);
      checkF32('u', u, n);
      k.reluBackward(dx, dy, u, n);
    },
    ...checkedActivations(k),
    ...checkedDropout(k),
    ...checkedWeightedLoss(k),
    colSums(out, x, rows, cols) {
      const size = checkBlock(rows, cols);
      checkF32('out', out, cols);
      checkF32('x', x, size);
      k.colSums(out, x, rows, cols);
    },
    sgdUpdate(w, g, lr, n) {
      checkDim('n', n);
      checkFinite('lr', lr);
      checkF32('w', w, n);
      checkF32('g', g, n);
      k.sgdUpdate(w, g, lr, n);
    },
    gatherPixels(out, images, index, start, rows, features) {
      checkGather(out, images, index, start, rows, features);
      k.gatherPixels(out, images, index, start, rows, features);
    },
    mseGrad(du, pred, target, rows, cols) {
      const size = checkBlock(rows, cols);
      checkF32('du', du, size);
      checkF32('pred', pred, size);
      checkF32('target', target, size);
      return k.mseGrad(du, pred, target, rows, cols);
    },
    gatherRows(out, x, index, start, rows, features) {
      checkGatherRows(out, x, index, start, rows, features);
      k.gatherRows(out, x, index, start, rows, features);
    },
    gatherSparse(values, cols, rowPtr, images, index, start, rows, features) {
      checkGatherSparse(values, cols, rowPtr, images, index, start, rows, features);
      return k.gatherSparse(values, cols, rowPtr, images, index, start, rows, features);
    },
    startGatherSparse(values, cols, rowPtr, images, index, start, rows, features) {
      checkGatherSparse(values, cols, rowPtr, images, index, start, rows, features);
      if (k.startGatherSparse) k.startGatherSparse(values, cols, rowPtr, images, index, start, rows, features);
      else k.gatherSparse(values, cols, rowPtr, images, index, start, rows, features);
    },
    startGatherPixels(out, images, index, start, rows, features) {
      checkGather(out, images, index, start, rows, features);
      if (k.startGatherPixels) k.startGatherPixels(out, images, index, start, rows, features);
      else k.gatherPixels(out, images, index, start, rows, features);
    },
    finishGather() {
      k.finishGather?.();
    },
    sparseMatmul(c, rowPtr, cols, values, b, rows, kk, n) {
      checkSparseMatmul(c, rowPtr, cols, values, b, rows, kk, n);
      k.sparseMatmul(c, rowPtr, cols, values, b, rows, kk, n);
    },
    sparseMatmulT(c, rowPtr, cols, values, d, rows, kk, n, alpha, beta) {
      checkSparseMatmulT(c, rowPtr, cols, values, d, rows, kk, n, alpha, beta);
      k.sparseMatmulT(c, rowPtr, cols, values, d, rows, kk, n, alpha, beta);
    },
    permutation(out, state) {
      if (!(out instanceof Uint32Array)) throw new TypeError(`Expected out to be a Uint32Array but received ${describe(out)}`);
      if (!(state instanceof Uint32Array) || state.length < 10) {
        throw new TypeError(`Expected state to be a Uint32Array of 10 words (Pcg64.saveWords) but received ${describe(state)}`);
      }
      if ((state[4] & 1) === 0 || state[8] > 1) {
        throw new RangeError('Expected state to be a PCG64 state (an odd increment, has_uint32 0 or 1); take it from the generator');
      }
      k.permutation(out, state);
    },
    momentumUpdate(w, g, velocity, n, lr, momentum, weightDecay, nesterov) {
      checkDim('n', n);
      checkFinite('lr', lr);
      checkFinite('momentum', momentum);
      checkFinite('weightDecay', weightDecay);
      checkBool('nesterov', nesterov);
      checkF32('w', w, n);
      checkF32('g', g, n);
      checkF32('velocity', velocity, momentum !== 0 ? n : 0);
      checkDisjoint(n, ['w', w], ['g', g], ...(momentum !== 0 ? [['velocity', velocity] as const] : []));
      k.momentumUpdate(w, g, velocity, n, lr, momentum, weightDecay, nesterov);
    },
    adamUpdate(w, g, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupled, step) {
      checkDim('n', n);
      checkFinite('lr', lr);
      checkFinite('beta1', beta1);
      checkFinite('beta2', beta2);
      checkFinite('eps', eps);
      checkFinite('weightDecay', weightDecay);
      checkBool('decoupled', decoupled);
      checkDim('step', step);
      if (step < 1) throw new RangeError('Expected step to be an integer >= 1 but received 0');
      checkF32('w', w, n);
      checkF32('g', g, n);
      checkF32('m', m, n);
      checkF32('v', v, n);
      checkDisjoint(n, ['w', w], ['g', g], ['m', m], ['v', v]);
      k.adamUpdate(w, g, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupled, step);
    },
    getThreads: () => k.getThreads(),
    setThreads: (n) => k.setThreads(n),
    isa: () => k.isa(),
    alloc(n) {
      checkDim('n', n);
      return k.alloc(n);
    },
    holds: (x) => k.holds(x),
  };
}

/** Float32 storage on shared memory (Backend.alloc of js and native): shareable with worker threads without copying. */
export function sharedF32(n: number): Float32Array {
  try {
    return new Float32Array(new SharedArrayBuffer(4 * n));
  } catch (e) {
    // Within the budget but refused by the system (ulimit, cgroup): say how much, not just "failed".
    throw new MemoryBudgetError(`Cannot allocate ${mib(4 * n)} of float32 storage: ${(e as Error).message}`);
  }
}
