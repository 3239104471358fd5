/**
 * sgemm with a narrow C (n <= 16: the output layer's classes), which the native backend runs
 * without packing op(A) when the call stays on one thread. Its sums must be the packed path's:
 * every narrow product is checked bit for bit against the first n columns of the same product
 * with op(B) widened to 32 columns (which no backend runs narrow), for all transpose pairs, around
 * the narrow path's bounds (n 1..17, rows around multiples of 6 and 8, depth across sgemm's
 * blocks), with beta 0 (NaN in C never read), 1 and 0.5, alpha 1 and not, padded strides, and B
 * holding exactly its extent, rows packed tight or padded (the path reads op(B) rows whole where
 * they stay inside B).
 */
import { expect, it } from 'vitest';
import { forEachBackend } from './helpers/backends.js';
import { randomF32 } from './helpers/random.js';
import type { Backend } from '../src/backend/contract.js';
import type { SgemmCase } from './helpers/sgemm-cases.js';

const WIDE = 32;

/** An sgemm case whose A and B rows are both padded by `pad`. */
type Narrow = Omit<SgemmCase, 'padA' | 'padB'> & { pad: number };

/** The first index where the narrow product differs from the wide one's first n columns, or null. */
function narrowAgainstWide(be: Backend, cs: Narrow, seed: number): string | null {
  const { ta, tb, m, n, k, alpha, beta, pad } = cs;
  const lda = (ta ? m : k) + pad;
  const a = randomF32((ta ? k : m) * lda, seed);
  // op(B) k x WIDE: stored k x WIDE (ldb >= WIDE) or, transposed, WIDE x k (ldb >= k).
  const ldb = (tb ? k : WIDE) + pad;
  const b = randomF32((tb ? WIDE : k) * ldb, seed + 1);
  // The narrow call's B: an array of exactly its extent, (rows - 1) * ldb + cols of its stored
  // shape (its own allocation, so a read past it is a read past the buffer, which
  // scripts/sanitize.sh's AddressSanitizer reports).
  const narrowB = Float32Array.from(tb ? b.subarray(0, (n - 1) * ldb + k) : b.subarray(0, (k - 1) * ldb + n));
  const ldc = WIDE + pad;
  const c0 = randomF32(m * ldc, seed + 2);
  if (beta === 0) c0.fill(NaN);
  const wide = Float32Array.from(c0);
  be.sgemm(ta, tb, m, WIDE, k, alpha, a, lda, b, ldb, beta, wide, ldc);
  const narrow = Float32Array.from(c0);
  be.sgemm(ta, tb, m, n, k, alpha, a, lda, narrowB, ldb, beta, narrow, ldc);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < ldc; j++) {
      const at = i * ldc + j;
      const want = j < n ? wide[at] : c0[at]; // columns past n untouched
      if (!Object.is(narrow[at], want)) return `C[${i},${j}] = ${narrow[at]}, expected ${want}`;
    }
  }
  return null;
}

const TRANSPOSES: Array<[boolean, boolean]> = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

forEachBackend(
  'sgemm narrow C',
  (be) => {
    it('equals the first n columns of the 32-column product, bit for bit, for n = 1..17', () => {
      const failures: string[] = [];
      let seed = 1;
      for (const [ta, tb] of TRANSPOSES) {
        for (let n = 1; n <= 17; n++) {
          for (const m of [1, 5, 6, 7, 8, 9, 13]) {
            const cs: Narrow = { ta, tb, m, n, k: 1 + ((m * n) % 23), alpha: n % 2 ? 1 : -0.1, beta: [0, 1, 0.5][m % 3], pad: m % 2 };
            const d = narrowAgainstWide(be, cs, seed++);
            if (d) failures.push(`${JSON.stringify(cs)}: ${d}`);
          }
        }
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });

    it('the training shapes and depth across the blocks (k 255..257, 300, 784), bit for bit', () => {
      const failures: string[] = [];
      let seed = 1000;
      for (const [ta, tb] of TRANSPOSES) {
        for (const [m, n, k] of [
          [128, 10, 128],
          [96, 10, 128],
          [127, 10, 129],
          [128, 12, 784],
          [33, 16, 255],
          [17, 13, 256],
          [40, 3, 257],
          [24, 10, 300],
        ]) {
          for (const [alpha, beta] of [
            [1, 0],
            [-0.1, 1],
            [0.5, 0.5],
          ]) {
            const cs: Narrow = { ta, tb, m, n, k, alpha, beta, pad: seed % 3 };
            const d = narrowAgainstWide(be, cs, seed++);
            if (d) failures.push(`${JSON.stringify(cs)}: ${d}`);
          }
        }
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });

    it('B with rows packed tight (ldb = n, each its own allocation) gives the padded-rows product', () => {
      const failures: string[] = [];
      for (let n = 1; n <= 16; n++) {
        for (const [m, k] of [
          [7, 1],
          [13, 2],
          [6, 5],
          [9, 33],
        ]) {
          const a = randomF32(m * k, 7 * n + k);
          const padded = randomF32(k * 32, 11 * n + k);
          const tight = new Float32Array(k * n);
          for (let p = 0; p < k; p++) tight.set(padded.subarray(p * 32, p * 32 + n), p * n);
          const want = new Float32Array(m * n);
          const got = new Float32Array(m * n);
          be.sgemm(false, false, m, n, k, 1, a, k, padded.subarray(0, (k - 1) * 32 + n), 32, 0, want, n);
          be.sgemm(false, false, m, n, k, 1, a, k, tight, n, 0, got, n);
          const at = got.findIndex((v, i) => !Object.is(v, want[i]));
          if (at >= 0) failures.push(`m=${m} n=${n} k=${k}: C[${at}] = ${got[at]}, expected ${want[at]}`);
        }
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });
  },
  { threads: [1, 2] },
);
