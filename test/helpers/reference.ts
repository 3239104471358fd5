/**
 * The test suite's references, written here and not imported from src/, so a bug in the library
 * cannot hide in its own yardstick: the one sgemm (a naive triple loop in float64), the network's
 * float64 forward pass, and the central-difference gradient check.
 *
 * The bench (src/bench/run.ts) keeps its own small sampled check instead of using this one:
 * production code must not import from test/ (test/ is not shipped in the package), and tests must
 * never depend on production code for their expected values. The two are each a few lines.
 */
import { expect } from 'vitest';

export interface SgemmReference {
  /** alpha op(A) op(B) + beta C0, m x n, dense (leading dimension n), in float64. */
  c: Float64Array;
  /** |alpha| sum |a b| + |beta c0| per element: the scale of the rounding error any order can make. */
  bound: Float64Array;
}

/**
 * C = alpha op(A) op(B) + beta C0, CBLAS row-major, with binding.d.ts's rules: beta = 0 never
 * reads C0 (NaN there does not leak), alpha = 0 never reads A or B.
 */
export function referenceSgemm(
  tA: boolean,
  tB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: ArrayLike<number>,
  lda: number,
  b: ArrayLike<number>,
  ldb: number,
  beta: number,
  c0: ArrayLike<number>,
  ldc: number,
): SgemmReference {
  const c = new Float64Array(m * n);
  const bound = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let mag = 0;
      if (alpha !== 0) {
        for (let p = 0; p < k; p++) {
          const x = tA ? a[p * lda + i] : a[i * lda + p];
          const y = tB ? b[j * ldb + p] : b[p * ldb + j];
          sum += x * y;
          mag += Math.abs(x * y);
        }
      }
      const prev = beta === 0 ? 0 : beta * c0[i * ldc + j];
      c[i * n + j] = alpha * sum + prev;
      bound[i * n + j] = Math.abs(alpha) * mag + Math.abs(prev);
    }
  }
  return { c, bound };
}

/**
 * How far a float32 sgemm of depth k may be from the float64 value: 2 (k + 3) 2^-24 times the
 * bound, the worst case of any summation order (blocked, threaded, FMA or not).
 */
export function sgemmTolerance(k: number, bound: number): number {
  return 2 * (k + 3) * 2 ** -24 * bound + 1e-30;
}

/**
 * The network's output rows x sizes[L] in float64 (hidden layers through `act`, ReLU by default;
 * a linear last layer), parameters laid out like Mlp.params (W1, b1, W2, b2, ...): the loss
 * references' forward pass.
 */
export function referenceForward(
  sizes: readonly number[],
  params: Float64Array,
  X: Float32Array,
  rows: number,
  act: (v: number) => number = (v) => Math.max(v, 0),
): Float64Array {
  let h: Float64Array = Float64Array.from(X.subarray(0, rows * sizes[0]));
  let off = 0;
  for (let l = 1; l < sizes.length; l++) {
    const [nin, nout] = [sizes[l - 1], sizes[l]];
    const W = params.subarray(off, off + nin * nout);
    const b = params.subarray(off + nin * nout, off + nin * nout + nout);
    off += nin * nout + nout;
    const u = new Float64Array(rows * nout);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < nout; j++) {
        let s = b[j];
        for (let p = 0; p < nin; p++) s += h[i * nin + p] * W[p * nout + j];
        u[i * nout + j] = l < sizes.length - 1 ? act(s) : s;
      }
    h = u;
  }
  return h;
}

/**
 * Checks every analytic gradient against the central difference (eps 1e-6, in float64) of
 * `loss` over `params`, failing at the first that differs by more than 1e-4 + 1e-3 |numeric|.
 * Returns the number of parameters checked.
 */
export function expectCentralDifferences(params: Float64Array, analytic: Float32Array, loss: (p: Float64Array) => number): number {
  const eps = 1e-6;
  let checked = 0;
  for (let i = 0; i < params.length; i++) {
    const saved = params[i];
    params[i] = saved + eps;
    const up = loss(params);
    params[i] = saved - eps;
    const down = loss(params);
    params[i] = saved;
    const numeric = (up - down) / (2 * eps);
    if (!(Math.abs(numeric - analytic[i]) <= 1e-4 + 1e-3 * Math.abs(numeric))) {
      expect.fail(`parameter ${i}: backprop ${analytic[i]}, central difference ${numeric}`);
    }
    checked++;
  }
  return checked;
}
