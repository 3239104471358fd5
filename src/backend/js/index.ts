/**
 * The TypeScript backend: the executable specification of every kernel, and the fallback
 * when the native addon is not available. Arguments are checked by withChecks (backend.ts), the
 * same wrapper the native backend uses, so both backends fail the same way on bad input.
 */
import { type Kernels, sharedF32, withChecks } from '../contract.js';
import { activate, activateGrad } from './activation.js';
import { dropout } from './dropout.js';
import { adamUpdate, momentumUpdate } from './optim.js';
import { gatherSparse, sparseMatmul, sparseMatmulT } from './sparse.js';
import { mseGradWeighted, softmaxXentGradWeighted } from './weighted-loss.js';
import { getJsThreads, setJsThreads, sgemmThreaded } from './threads.js';
import { Generator } from '../../rng/generator.js';

/** float32(x / 255) for every byte value: NumPy's astype(float32) / 255.0, correctly rounded. */
export const PIXEL_SCALE = /* @__PURE__ */ (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) t[i] = i / 255;
  return t;
})();

let twin: Generator | undefined;

/**
 * Backend.permutation: Generator.permutationInto on a generator set to `state`, whose advanced
 * state is written back (also the WASM backend's).
 */
export function permutation(out: Uint32Array, state: Uint32Array): void {
  twin ??= new Generator(0);
  twin.bitGenerator.loadWords(state);
  twin.permutationInto(out);
  twin.bitGenerator.saveWords(state);
}

/** out[r, :] = x[index[start + r], :] on checked arguments: one TypedArray.set per row (also the WASM backend's). */
export function gatherRows(out: Float32Array, x: Float32Array, index: Uint32Array, start: number, rows: number, features: number): void {
  for (let r = 0; r < rows; r++) {
    const src = index[start + r] * features;
    out.set(x.subarray(src, src + features), r * features);
  }
}

/** The TypeScript kernels, on arguments already checked. */
const jsKernels: Kernels = {
  sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
    // Split across worker threads when setThreads(n > 1) is in force, the arrays are on shared
    // memory and the product is big enough; bit-identical to the single-thread result.
    sgemmThreaded(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  },

  biasRelu(h, u, bias, rows, cols) {
    for (let i = 0; i < rows; i++) {
      const row = i * cols;
      for (let j = 0; j < cols; j++) {
        const v = (u[row + j] += bias[j]);
        h[row + j] = v > 0 ? v : 0;
      }
    }
  },

  biasAdd(u, bias, rows, cols) {
    for (let i = 0; i < rows; i++) {
      const row = i * cols;
      for (let j = 0; j < cols; j++) u[row + j] += bias[j];
    }
  },

  softmaxXentGrad(du, logits, labels, rows, cols) {
    let loss = 0;
    for (let i = 0; i < rows; i++) {
      const row = i * cols;
      let max = -Infinity;
      for (let j = 0; j < cols; j++) if (logits[row + j] > max) max = logits[row + j];
      // Float32 rounding at each step mirrors NumPy's float32 softmax.
      let sum = 0;
      for (let j = 0; j < cols; j++) {
        const e = Math.fround(Math.exp(Math.fround(logits[row + j] - max)));
        du[row + j] = e;
        sum += e;
      }
      sum = Math.fround(sum);
      const label = labels[i];
      for (let j = 0; j < cols; j++) {
        const p = Math.fround(du[row + j] / sum);
        if (j === label) loss -= Math.log(Math.max(p, 1e-30));
        du[row + j] = Math.fround(p - (j === label ? 1 : 0)) / rows;
      }
    }
    return loss;
  },

  mseGrad(du, pred, target, rows, cols) {
    let loss = 0;
    const n = rows * cols;
    for (let i = 0; i < n; i++) {
      const d = Math.fround(pred[i] - target[i]);
      loss += 0.5 * d * d;
      du[i] = d / rows; // one rounding on the store: float32 division
    }
    return loss;
  },

  softmaxXentGradWeighted,
  mseGradWeighted,

  reluBackward(dx, dy, u, n) {
    for (let i = 0; i < n; i++) dx[i] = u[i] > 0 ? dy[i] : 0;
  },

  biasAct(h, u, bias, rows, cols, act) {
    for (let i = 0; i < rows; i++) {
      const row = i * cols;
      for (let j = 0; j < cols; j++) {
        const v = Math.fround(u[row + j] + bias[j]);
        u[row + j] = v;
        h[row + j] = activate(act, v);
      }
    }
  },

  actBackward(dx, dy, u, h, n, act) {
    for (let i = 0; i < n; i++) dx[i] = activateGrad(act, dy[i], u[i], h[i]);
  },

  dropout,

  colSums(out, x, rows, cols) {
    out.fill(0, 0, cols);
    for (let i = 0; i < rows; i++) {
      const row = i * cols;
      for (let j = 0; j < cols; j++) out[j] += x[row + j];
    }
  },

  sgdUpdate(w, g, lr, n) {
    const step = Math.fround(lr);
    for (let i = 0; i < n; i++) w[i] -= Math.fround(step * g[i]);
  },

  gatherPixels(out, images, index, start, rows, features) {
    const scale = PIXEL_SCALE;
    for (let r = 0; r < rows; r++) {
      const src = index[start + r] * features;
      const dst = r * features;
      for (let p = 0; p < features; p++) out[dst + p] = scale[images[src + p]];
    }
  },

  gatherRows,
  permutation,
  // Sparse-input kernels (sparse.ts): single-threaded, bit-identical to the dense sgemm.
  gatherSparse,
  sparseMatmul,
  sparseMatmulT,
  momentumUpdate,
  adamUpdate,

  /** Threads sgemm uses: 1 (the default) or the calling thread plus n - 1 worker threads. */
  getThreads: () => getJsThreads(),
  /** n >= 1 threads, 0 = one per core, at most 256; RangeError naming threads otherwise. Returns the count in force. */
  setThreads: (n) => setJsThreads(n),
  isa: () => 'js',
  alloc: sharedF32,
  holds: () => true,
};

/** The TypeScript backend: the kernels above behind the shared argument checks. */
export const jsBackend = withChecks('js', jsKernels);
