import { expect, it } from 'vitest';
import type { Backend } from '../src/backend/contract.js';
import { forEachBackend, randomF32 } from './backends.js';

/** The naive reference, in float64: C = alpha op(A) op(B) + beta C; beta = 0 ignores C. */
function naiveSgemm(
  tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number,
): { c: Float64Array; bound: Float64Array } {
  const out = new Float64Array(m * n);
  const bound = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let abs = 0;
      for (let p = 0; p < k; p++) {
        const x = tA ? a[p * lda + i] : a[i * lda + p];
        const y = tB ? b[j * ldb + p] : b[p * ldb + j];
        s += x * y;
        abs += Math.abs(x * y);
      }
      const prev = beta === 0 ? 0 : beta * c[i * ldc + j];
      out[i * n + j] = alpha * s + prev;
      bound[i * n + j] = Math.abs(alpha) * abs + Math.abs(prev);
    }
  }
  return { c: out, bound };
}

interface Case { tA: boolean; tB: boolean; m: number; n: number; k: number; alpha: number; beta: number; pad: number; offset: number; shared?: boolean }

function run(be: Backend, t: Case, seed: number): void {
  const { tA, tB, m, n, k, alpha, beta, pad, offset } = t;
  const lda = (tA ? m : k) + pad || 1;
  const ldb = (tB ? k : n) + pad || 1;
  const ldc = n + pad || 1;
  const aLen = (tA ? k : m) * lda;
  const bLen = (tB ? n : k) * ldb;
  const cLen = m * ldc;
  // Views at an element offset inside a larger buffer, optionally shared memory.
  const mk = (len: number, s: number) => {
    const src = randomF32(len + offset, s);
    const buf = t.shared ? new SharedArrayBuffer(src.byteLength) : new ArrayBuffer(src.byteLength);
    const arr = new Float32Array(buf);
    arr.set(src);
    return arr.subarray(offset);
  };
  const a = mk(aLen, seed);
  const b = mk(bLen, seed + 1);
  const c = mk(cLen, seed + 2);
  if (beta === 0) c.fill(NaN); // beta = 0 must not read C
  const before = Float32Array.from(c);
  const ref = naiveSgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, before, ldc);
  be.sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < ldc; j++) {
      const got = c[i * ldc + j];
      if (j >= n) {
        // Padding between rows is never written.
        if (!Object.is(got, before[i * ldc + j])) expect.fail(`${JSON.stringify(t)}: padding C[${i},${j}] changed`);
        continue;
      }
      const want = ref.c[i * n + j];
      const tol = 1e-5 * ref.bound[i * n + j] + 1e-6;
      if (!(Math.abs(got - want) <= tol)) {
        expect.fail(`${JSON.stringify(t)}: C[${i},${j}] = ${got}, expected ${want} (tolerance ${tol})`);
      }
    }
  }
  if (offset > 0) expect(c.buffer.byteLength).toBe((cLen + offset) * 4);
}

const TRANSPOSES: Array<[boolean, boolean]> = [[false, false], [true, false], [false, true], [true, true]];

forEachBackend('sgemm', (be) => {
  it('matches the naive reference for all four transpose pairs over awkward sizes', () => {
    const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33];
    let seed = 1;
    for (const [tA, tB] of TRANSPOSES) {
      for (const m of sizes) for (const n of [1, 5, 16, 17, 33]) for (const k of [1, 3, 8, 17]) {
        run(be, { tA, tB, m, n, k, alpha: 1, beta: 0, pad: 0, offset: 0 }, seed++);
      }
    }
  });

  it('crosses every block boundary (sizes around 64, 256, 512 and beyond)', () => {
    let seed = 100;
    const shapes: Array<[number, number, number]> = [
      [65, 129, 257], [128, 128, 784], [127, 130, 300], [70, 513, 31], [600, 10, 128], [31, 1030, 9], [257, 33, 600],
    ];
    for (const [tA, tB] of TRANSPOSES) {
      for (const [m, n, k] of shapes) run(be, { tA, tB, m, n, k, alpha: 1, beta: 0, pad: 0, offset: 0 }, seed++);
    }
  });

  it('handles the training shapes', () => {
    run(be, { tA: false, tB: false, m: 128, n: 128, k: 784, alpha: 1, beta: 0, pad: 0, offset: 0 }, 7);
    run(be, { tA: true, tB: false, m: 784, n: 128, k: 128, alpha: -0.1, beta: 1, pad: 0, offset: 0 }, 8);
    run(be, { tA: false, tB: true, m: 128, n: 128, k: 10, alpha: 1, beta: 0, pad: 0, offset: 0 }, 9);
    run(be, { tA: true, tB: false, m: 128, n: 10, k: 96, alpha: 1, beta: 0, pad: 0, offset: 0 }, 10);
  });

  it('respects padded leading dimensions, alpha and beta edge values, offsets and shared memory', () => {
    let seed = 1000;
    for (const [tA, tB] of TRANSPOSES) {
      for (const alpha of [0, 1, -0.5, 2]) for (const beta of [0, 1, 0.5, -1]) {
        run(be, { tA, tB, m: 19, n: 21, k: 23, alpha, beta, pad: 3, offset: 5 }, seed++);
        run(be, { tA, tB, m: 9, n: 37, k: 70, alpha, beta, pad: 1, offset: 1, shared: true }, seed++);
      }
    }
  });

  it('with alpha = 0 or k = 0 only scales C, and beta = 0 overwrites NaN', () => {
    for (const [tA, tB] of TRANSPOSES) {
      run(be, { tA, tB, m: 6, n: 7, k: 0, alpha: 1, beta: 0.5, pad: 0, offset: 0 }, 3);
      run(be, { tA, tB, m: 6, n: 7, k: 0, alpha: 1, beta: 0, pad: 0, offset: 0 }, 4);
      run(be, { tA, tB, m: 6, n: 7, k: 5, alpha: 0, beta: 0, pad: 2, offset: 0 }, 5);
    }
    // A and B are not read when alpha = 0: empty arrays are accepted.
    const c = new Float32Array(4).fill(NaN);
    be.sgemm(false, false, 2, 2, 3, 0, new Float32Array(0), 3, new Float32Array(0), 2, 0, c, 2);
    expect(Array.from(c)).toEqual([0, 0, 0, 0]);
  });

  it('does nothing for zero-sized m or n', () => {
    const c = new Float32Array([1, 2, 3]);
    be.sgemm(false, false, 0, 3, 4, 1, new Float32Array(0), 4, new Float32Array(12), 3, 0, new Float32Array(0), 3);
    be.sgemm(false, false, 1, 0, 4, 1, new Float32Array(4), 4, new Float32Array(0), 1, 0, c, 1);
    expect(Array.from(c)).toEqual([1, 2, 3]);
  });

  it('rejects bad arguments with errors naming them', () => {
    const a = new Float32Array(6);
    expect(() => be.sgemm(false, false, 2, 2, 3, 1, a, 2, a, 2, 0, a, 2)).toThrow(/lda/);
    expect(() => be.sgemm(false, false, 2, 2, 3, 1, new Float32Array(5), 3, a, 2, 0, a, 2)).toThrow(/\ba\b/);
    expect(() => be.sgemm(false, false, 3, 2, 3, 1, new Float32Array(9), 3, a, 2, 0, new Float32Array(5), 2)).toThrow(/\bc\b/);
    expect(() => be.sgemm(false, false, -1, 2, 3, 1, a, 3, a, 2, 0, a, 2)).toThrow(RangeError);
    expect(() => be.sgemm(false, false, 1.5, 2, 3, 1, a, 3, a, 2, 0, a, 2)).toThrow(/\bm\b/);
    expect(() => be.sgemm(false, false, 2, 2, 3, 1, new Float64Array(6) as unknown as Float32Array, 3, a, 2, 0, a, 2)).toThrow(TypeError);
  });
});
