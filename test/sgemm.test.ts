/**
 * sgemm on every backend and instruction set against the float64 reference (test/helpers/):
 * all four transpose pairs, sizes through every remainder of the micro-tile and of the MC, KC and
 * NC cache blocks, padded leading dimensions, alpha/beta edge values, NaN-filled C with beta = 0,
 * NaN-filled A/B with alpha = 0, views at offsets, SharedArrayBuffer, argument errors.
 * Threaded runs are in sgemm-threads.test.ts.
 */
import { expect, it } from 'vitest';
import { forEachBackend } from './helpers/backends.js';
import { expectAll, type SgemmCase, TRANSPOSES } from './helpers/sgemm-cases.js';

const ALPHAS = [1, -0.5, 0];
const BETAS = [0, 1, 0.5];

// Generous timeout: the float64 reference is slow for the big shapes, and scripts/sanitize.sh
// runs the native suites under ASan at -O1.
const SLOW = 120_000;

forEachBackend('sgemm', (be) => {
  it(
    'small sizes through every micro-tile remainder, all transposes, alpha/beta edges',
    () => {
      const ms = Array.from({ length: 18 }, (_, i) => i);
      const ns = [...Array.from({ length: 18 }, (_, i) => i), 31, 32, 33, 47, 48, 49, 63, 64, 65];
      const cases: SgemmCase[] = [];
      let i = 0;
      for (const [ta, tb] of TRANSPOSES) {
        for (const m of ms)
          for (const n of ns)
            for (const k of [0, 1, 3, 8, 17]) {
              const alpha = ALPHAS[i % 3];
              const beta = BETAS[Math.floor(i / 3) % 3];
              cases.push({ ta, tb, m, n, k, alpha, beta, padA: i % 2, padB: (i >> 1) % 3, padC: (i >> 2) % 2 });
              i++;
            }
      }
      expectAll(be, cases);
    },
    SLOW,
  );

  it('awkward sizes (m up to 33, n up to 33, k up to 17), dense', () => {
    const cases: SgemmCase[] = [];
    let seed = 1;
    for (const [ta, tb] of TRANSPOSES) {
      for (const m of [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33])
        for (const n of [1, 5, 16, 17, 33])
          for (const k of [1, 3, 8, 17]) {
            cases.push({ ta, tb, m, n, k, alpha: 1, beta: 0, seed: seed++ });
          }
    }
    expectAll(be, cases);
  });

  it('every alpha x beta pair, with NaN in C for beta = 0 and in A/B for alpha = 0', () => {
    const cases: SgemmCase[] = [];
    for (const [ta, tb] of TRANSPOSES) {
      for (const alpha of [...ALPHAS, 2])
        for (const beta of [...BETAS, -1]) {
          cases.push({ ta, tb, m: 13, n: 37, k: 11, alpha, beta, padA: 3, padB: 2, padC: 5 });
          cases.push({ ta, tb, m: 13, n: 37, k: 0, alpha, beta });
          cases.push({ ta, tb, m: 19, n: 21, k: 23, alpha, beta, padA: 3, padB: 3, padC: 3, offA: 5, offB: 5, offC: 5 });
          cases.push({ ta, tb, m: 9, n: 37, k: 70, alpha, beta, padA: 1, padB: 1, padC: 1, offA: 1, offB: 1, offC: 1, shared: true });
        }
    }
    expectAll(be, cases);
  });

  it(
    'depth across the KC blocks (255, 256, 257, 511, 512, 513, 784)',
    () => {
      const cases: SgemmCase[] = [];
      for (const [ta, tb] of TRANSPOSES) {
        for (const k of [255, 256, 257, 511, 512, 513, 784]) {
          cases.push({ ta, tb, m: 9, n: 33, k, alpha: 1, beta: 0, padA: 1, padB: 2, padC: 1 });
          cases.push({ ta, tb, m: 7, n: 17, k, alpha: -0.5, beta: 0.5 });
        }
      }
      expectAll(be, cases);
    },
    SLOW,
  );

  it(
    'rows across the MC blocks (127..129, 143..145, 255..257, 513)',
    () => {
      const cases: SgemmCase[] = [];
      for (const [ta, tb] of TRANSPOSES) {
        for (const m of [127, 128, 129, 143, 144, 145, 255, 256, 257, 513]) {
          cases.push({ ta, tb, m, n: 19, k: 9, alpha: 1, beta: 0, padC: 3 });
        }
      }
      expectAll(be, cases);
    },
    SLOW,
  );

  it(
    'columns across the NC block (2047, 2048, 2049, 4097)',
    () => {
      const cases: SgemmCase[] = [];
      for (const [ta, tb] of TRANSPOSES) {
        for (const n of [2047, 2048, 2049, 4097]) cases.push({ ta, tb, m: 3, n, k: 5, alpha: 1, beta: 1, padB: 1 });
      }
      expectAll(be, cases);
    },
    SLOW,
  );

  it(
    'several blocks at once (sizes around 64, 256, 512 and beyond)',
    () => {
      const shapes: Array<[number, number, number]> = [
        [65, 129, 257],
        [128, 128, 784],
        [127, 130, 300],
        [70, 513, 31],
        [600, 10, 128],
        [31, 1030, 9],
        [257, 33, 600],
      ];
      const cases: SgemmCase[] = [];
      let seed = 100;
      for (const [ta, tb] of TRANSPOSES) {
        for (const [m, n, k] of shapes) cases.push({ ta, tb, m, n, k, alpha: 1, beta: 0, seed: seed++ });
      }
      expectAll(be, cases);
    },
    SLOW,
  );

  it('views at element offsets, on ArrayBuffer and SharedArrayBuffer', () => {
    const cases: SgemmCase[] = [];
    for (const [ta, tb] of TRANSPOSES) {
      for (const shared of [false, true]) {
        cases.push({ ta, tb, m: 21, n: 45, k: 30, alpha: 1, beta: 0, offA: 1, offB: 3, offC: 7, padC: 2, shared });
        cases.push({ ta, tb, m: 8, n: 32, k: 16, alpha: -0.5, beta: 0.5, offA: 5, offB: 1, offC: 2, shared });
      }
    }
    expectAll(be, cases);
  });

  it(
    'the training shapes, with the SGD update folded in (alpha = -lr, beta = 1)',
    () => {
      expectAll(be, [
        { ta: false, tb: false, m: 128, n: 128, k: 784, alpha: 1, beta: 0 }, // X W1
        { ta: true, tb: false, m: 784, n: 128, k: 128, alpha: -0.1, beta: 1 }, // W1 -= lr X^T dU1
        { ta: false, tb: true, m: 128, n: 128, k: 10, alpha: 1, beta: 0 }, // dU2 W2^T
        { ta: false, tb: false, m: 128, n: 10, k: 128, alpha: 1, beta: 0 }, // H1 W2
        { ta: true, tb: false, m: 128, n: 10, k: 96, alpha: 1, beta: 0 }, // H1^T dU2, a short last batch
      ]);
    },
    SLOW,
  );

  it('alpha = 0 reads neither A nor B: empty arrays are accepted', () => {
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
