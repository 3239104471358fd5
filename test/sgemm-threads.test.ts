/**
 * sgemm split over threads, on every threaded backend and instruction set at 1 and 2 threads:
 * the result matches the float64 reference and is bit-identical to the 1-thread result (same
 * blocking, same summation order), call after call. Operands are on SharedArrayBuffer where the
 * TypeScript backend needs it to split (it runs other arrays on the calling thread).
 * The TypeScript pool's own mechanics are in js-threads.test.ts, the native pool's in
 * native.pool.test.ts.
 */
import { expect, it } from 'vitest';
import type { Backend } from '../src/backend/contract.js';
import { __testing as jsThreads } from '../src/backend/js/threads.js';
import { forEachBackend, useThreads } from './helpers/backends.js';
import { call, check, describeCase, prepare, type SgemmCase, TRANSPOSES } from './helpers/sgemm-cases.js';
import { extent } from './helpers/storage.js';

const SHAPES: SgemmCase[] = [
  { ta: false, tb: false, m: 128, n: 128, k: 784, alpha: 1, beta: 0, shared: true }, // X W1
  { ta: true, tb: false, m: 784, n: 128, k: 128, alpha: 1, beta: 0, shared: true }, // X^T dU1
  { ta: false, tb: true, m: 128, n: 128, k: 10, alpha: 1, beta: 0, shared: true }, // dU2 W2^T
  { ta: false, tb: false, m: 128, n: 10, k: 128, alpha: 1, beta: 0 }, // H1 W2
  { ta: true, tb: false, m: 128, n: 10, k: 128, alpha: 1, beta: 0 }, // H1^T dU2
  ...TRANSPOSES.map(([ta, tb]): SgemmCase => ({ ta, tb, m: 300, n: 700, k: 500, alpha: -0.5, beta: 0.5, padA: 1, padC: 3, shared: true })),
  // Row split with several rounds (column blocks x depth groups) of shared packed B.
  { ta: false, tb: true, m: 64, n: 2100, k: 300, alpha: 1, beta: 0.5, offC: 1, shared: true },
  // Column split (fewer row panels than threads).
  { ta: true, tb: false, m: 3, n: 1000, k: 400, alpha: 1, beta: 0, shared: true },
  // Not shared: the TypeScript backend stays on the calling thread; native splits anyway.
  { ta: false, tb: false, m: 131, n: 97, k: 203, alpha: 0.75, beta: 1, padB: 2 },
];

/** C's whole storage after one call, and the check's verdict. */
function result(be: Backend, cs: SgemmCase): { whole: Float32Array; error: string | null } {
  const p = prepare(cs);
  const aBefore = Float32Array.from(p.a.whole);
  const bBefore = Float32Array.from(p.b.whole);
  call(be, p);
  return { whole: Float32Array.from(p.c.whole), error: check(p, aBefore, bBefore) };
}

forEachBackend(
  'sgemm threads',
  (be, v) => {
    it('training shapes and 300x700x500: the reference, and bit-identical to 1 thread', () => {
      const failures: string[] = [];
      const pooled = jsThreads.pooledCalls();
      useThreads(be, 1);
      const ones = v.threads > 1 ? SHAPES.map((cs) => result(be, cs).whole) : [];
      useThreads(be, v.threads);
      SHAPES.forEach((cs, i) => {
        const got = result(be, cs);
        if (got.error !== null) failures.push(`${describeCase(cs)}: ${got.error}`);
        if (v.threads === 1) return;
        const one = ones[i];
        const diff = one.findIndex((x, i) => !Object.is(x, got.whole[i]));
        if (diff >= 0) failures.push(`${describeCase(cs)}: ${v.threads} threads gave ${got.whole[diff]} at ${diff}, 1 thread ${one[diff]}`);
      });
      expect(failures).toEqual([]);
      // The TypeScript backend splits only shared operands over 2^20 multiply-adds: make sure it did.
      if (v.name === 'js' && v.threads > 1) expect(jsThreads.pooledCalls() - pooled, 'calls split over threads').toBeGreaterThanOrEqual(7);
    }, 120_000);

    it('many back-to-back calls through the pool stay correct', () => {
      const cs: SgemmCase = { ta: false, tb: false, m: 96, n: 160, k: 200, alpha: 1, beta: 0, shared: true };
      const p = prepare(cs);
      call(be, p);
      expect(check(p, Float32Array.from(p.a.whole), Float32Array.from(p.b.whole))).toBeNull();
      const first = Float32Array.from(p.c.view);
      for (let r = 0; r < 200; r++) {
        p.c.view.fill(NaN, 0, extent(cs.m, cs.n, p.ldc));
        call(be, p);
        const diff = first.findIndex((x, i) => !Object.is(x, p.c.view[i]));
        if (diff >= 0) expect.fail(`call ${r}: element ${diff} is ${p.c.view[diff]}, first call gave ${first[diff]}`);
      }
    }, 120_000);

    it('setThreads / getThreads round-trip', () => {
      expect(be.setThreads(2)).toBe(2);
      expect(be.getThreads()).toBe(2);
      expect(be.setThreads(1)).toBe(1);
      expect(be.getThreads()).toBe(1);
      expect(be.setThreads(0)).toBeGreaterThanOrEqual(1);
      useThreads(be, v.threads);
    });
  },
  { threads: [1, 2] },
);
