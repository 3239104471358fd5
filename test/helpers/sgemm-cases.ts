/**
 * sgemm test cases: operands placed at an offset inside a larger (maybe shared) buffer with
 * sentinels around them, poisoned where the call must not read (NaN in C for beta = 0, in A and B
 * for alpha = 0), and a check against the float64 reference that also proves nothing outside the
 * m x n block of C, and nothing of A or B, was written.
 */
import { expect } from 'vitest';
import type { Backend } from '../../src/backend/contract.js';
import { xorshift } from './random.js';
import { extent, type Storage, storage } from './storage.js';
import { referenceSgemm, sgemmTolerance, type SgemmReference } from './reference.js';

export interface SgemmCase {
  ta: boolean;
  tb: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  padA?: number;
  padB?: number;
  padC?: number;
  offA?: number;
  offB?: number;
  offC?: number;
  shared?: boolean;
  seed?: number;
}

/** The four transpose pairs (A, B). */
export const TRANSPOSES: Array<[boolean, boolean]> = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

export interface Prepared {
  cs: SgemmCase;
  lda: number;
  ldb: number;
  ldc: number;
  a: Storage;
  b: Storage;
  c: Storage;
  /** All of C's storage before the call. */
  c0: Float32Array;
}

export function prepare(cs: SgemmCase): Prepared {
  const { ta, tb, m, n, k } = cs;
  const next = xorshift(cs.seed ?? m * 7919 + n * 104729 + k * 13 + (ta ? 1 : 0) + (tb ? 2 : 0));
  const [aRows, aCols] = ta ? [k, m] : [m, k];
  const [bRows, bCols] = tb ? [n, k] : [k, n];
  const lda = Math.max(1, aCols) + (cs.padA ?? 0);
  const ldb = Math.max(1, bCols) + (cs.padB ?? 0);
  const ldc = Math.max(1, n) + (cs.padC ?? 0);
  const shared = cs.shared ?? false;
  const a = storage(extent(aRows, aCols, lda), cs.offA ?? 0, shared);
  const b = storage(extent(bRows, bCols, ldb), cs.offB ?? 0, shared);
  const c = storage(extent(m, n, ldc), cs.offC ?? 0, shared);
  const fillAB = (s: Storage, rows: number, cols: number, ld: number) => {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) s.view[i * ld + j] = cs.alpha === 0 ? NaN : next();
    }
  };
  fillAB(a, aRows, aCols, lda);
  fillAB(b, bRows, bCols, ldb);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) c.view[i * ldc + j] = cs.beta === 0 ? NaN : next();
  }
  return { cs, lda, ldb, ldc, a, b, c, c0: Float32Array.from(c.whole) };
}

export function call(be: Backend, p: Prepared): void {
  const { cs } = p;
  be.sgemm(cs.ta, cs.tb, cs.m, cs.n, cs.k, cs.alpha, p.a.view, p.lda, p.b.view, p.ldb, cs.beta, p.c.view, p.ldc);
}

export function describeCase(cs: SgemmCase): string {
  return (
    `sgemm(${cs.ta ? 'T' : 'N'}${cs.tb ? 'T' : 'N'}, m=${cs.m}, n=${cs.n}, k=${cs.k}, alpha=${cs.alpha}, ` +
    `beta=${cs.beta}, pads=${cs.padA ?? 0}/${cs.padB ?? 0}/${cs.padC ?? 0}, ` +
    `offsets=${cs.offA ?? 0}/${cs.offB ?? 0}/${cs.offC ?? 0}${cs.shared ? ', shared' : ''}` +
    `${cs.seed === undefined ? '' : `, seed=${cs.seed}`})`
  );
}

// The data of a case is a function of the case, so every backend variant in a file shares one
// reference computation (the big shapes take a while in float64).
const references = new Map<string, SgemmReference>();

function reference(p: Prepared): SgemmReference {
  const key = describeCase(p.cs);
  let ref = references.get(key);
  if (!ref) {
    const { ta, tb, m, n, k, alpha, beta } = p.cs;
    ref = referenceSgemm(ta, tb, m, n, k, alpha, p.a.view, p.lda, p.b.view, p.ldb, beta, p.c0.subarray(p.c.offset), p.ldc);
    references.set(key, ref);
  }
  return ref;
}

/**
 * Checks C against the reference within sgemmTolerance, and that nothing outside the m x n block
 * of C (padding, offset, tail) and nothing of A or B changed. Returns the first failure, or null.
 */
export function check(p: Prepared, aBefore: Float32Array, bBefore: Float32Array): string | null {
  const { m, n, k } = p.cs;
  const ref = reference(p);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const want = ref.c[i * n + j];
      const tol = sgemmTolerance(k, ref.bound[i * n + j]);
      const got = p.c.view[i * p.ldc + j];
      if (!(Math.abs(got - want) <= tol)) return `C[${i},${j}] = ${got}, expected ${want} (tolerance ${tol})`;
    }
  }
  const inBlock = (idx: number) => {
    const rel = idx - p.c.offset;
    if (rel < 0 || m === 0 || n === 0) return false;
    return Math.floor(rel / p.ldc) < m && rel % p.ldc < n;
  };
  for (let idx = 0; idx < p.c.whole.length; idx++) {
    if (!inBlock(idx) && !Object.is(p.c.whole[idx], p.c0[idx])) {
      return `C storage element ${idx} outside the ${m}x${n} block changed to ${p.c.whole[idx]}`;
    }
  }
  for (const [name, now, before] of [
    ['A', p.a.whole, aBefore],
    ['B', p.b.whole, bBefore],
  ] as const) {
    for (let idx = 0; idx < now.length; idx++) {
      if (!Object.is(now[idx], before[idx])) return `${name} storage element ${idx} changed`;
    }
  }
  return null;
}

/** Prepares, runs and checks one case; returns the failure (naming the case) or null. */
export function runCase(be: Backend, cs: SgemmCase): string | null {
  const p = prepare(cs);
  const aBefore = Float32Array.from(p.a.whole);
  const bBefore = Float32Array.from(p.b.whole);
  call(be, p);
  const err = check(p, aBefore, bBefore);
  return err === null ? null : `${describeCase(cs)}: ${err}`;
}

/** Runs every case and fails with the first few failures and their count. */
export function expectAll(be: Backend, cases: SgemmCase[]): void {
  const failures: string[] = [];
  for (const cs of cases) {
    const err = runCase(be, cs);
    if (err !== null) failures.push(err);
  }
  expect(failures.slice(0, 5), `${failures.length} of ${cases.length} cases failed`).toEqual([]);
}
