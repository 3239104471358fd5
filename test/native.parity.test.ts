/**
 * Native kernels against plain references written here: sgemm against a naive float64 sgemm
 * (all four transpose pairs, every remainder of the micro-tile and cache blocks, padded leading
 * dimensions, alpha/beta edge values, NaN-filled C with beta = 0, NaN-filled A/B with alpha = 0,
 * byteOffset views, SharedArrayBuffer, the thread pool at 1 and 2 threads), and each fused kernel
 * against a plain loop. Runs once per instruction set this CPU supports (supportedIsas; the addon
 * is capped with setIsa before each ISA's suite), so the AVX2 and generic kernels are checked on
 * an AVX-512 machine too.
 *
 * Skipped visibly when the addon is not built, unless REQUIRE_NATIVE=1.
 */
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend/contract.js';
import { loadNative } from '../src/backend/native/load.js';

const native = loadNative();

// Every eligible call uses the pool (no adaptive pool-or-alone choice, see native/thread_pool.h),
// so the 2-thread cases below always exercise the parallel path.
native.binding?.setPoolPolicy('always');

// ------------------------------------------------------------------------------------------------
// Instruction sets: one addon instance, switched with setIsa before each ISA's suite.

const ISAS: string[] = native.binding ? native.binding.supportedIsas() : [];

/** Runs the enclosing describe's tests with the addon capped at `isa`, restoring the best after. */
function useIsa(isa: string): void {
  beforeAll(() => {
    expect(native.binding!.setIsa(isa)).toBe(isa);
  });
  afterAll(() => {
    native.binding!.setIsa(ISAS[0]);
  });
}

// ------------------------------------------------------------------------------------------------
// Data helpers.

/** xorshift32 floats in [-1, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 31 - 1;
  };
}

const SENTINEL = 1234.5;

interface Storage {
  /** Where the kernel is pointed (maybe a subarray view, maybe on a SharedArrayBuffer). */
  view: Float32Array;
  /** The whole allocation, to check that nothing outside the operand was touched. */
  whole: Float32Array;
  offset: number;
}

/** A Float32Array view of `len` elements at `offset` into a larger (maybe shared) buffer. */
function storage(len: number, offset: number, shared: boolean): Storage {
  const total = offset + len + 5;
  const buf = shared ? new SharedArrayBuffer(total * 4) : new ArrayBuffer(total * 4);
  const whole = new Float32Array(buf).fill(SENTINEL);
  return { view: whole.subarray(offset, offset + len + 3), whole, offset };
}

function extent(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

interface Case {
  ta: boolean; tb: boolean;
  m: number; n: number; k: number;
  alpha: number; beta: number;
  padA?: number; padB?: number; padC?: number;
  offA?: number; offB?: number; offC?: number;
  shared?: boolean;
  seed?: number;
}

interface Prepared {
  cs: Case;
  lda: number; ldb: number; ldc: number;
  a: Storage; b: Storage; c: Storage;
  c0: Float32Array; // C before the call
}

function prepare(cs: Case): Prepared {
  const { ta, tb, m, n, k } = cs;
  const next = rng(cs.seed ?? (m * 7919 + n * 104729 + k * 13 + (ta ? 1 : 0) + (tb ? 2 : 0)));
  const [aRows, aCols] = ta ? [k, m] : [m, k];
  const [bRows, bCols] = tb ? [n, k] : [k, n];
  const lda = Math.max(1, aCols) + (cs.padA ?? 0);
  const ldb = Math.max(1, bCols) + (cs.padB ?? 0);
  const ldc = Math.max(1, n) + (cs.padC ?? 0);
  const shared = cs.shared ?? false;
  const a = storage(extent(aRows, aCols, lda), cs.offA ?? 0, shared);
  const b = storage(extent(bRows, bCols, ldb), cs.offB ?? 0, shared);
  const c = storage(extent(m, n, ldc), cs.offC ?? 0, shared);
  // alpha = 0: A and B must not be read, so poison them.
  const fillAB = (s: Storage, rows: number, cols: number, ld: number) => {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) s.view[i * ld + j] = cs.alpha === 0 ? NaN : next();
    }
  };
  fillAB(a, aRows, aCols, lda);
  fillAB(b, bRows, bCols, ldb);
  // beta = 0: C must not be read, so poison it.
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) c.view[i * ldc + j] = cs.beta === 0 ? NaN : next();
  }
  return { cs, lda, ldb, ldc, a, b, c, c0: Float32Array.from(c.whole) };
}

function call(be: Backend, p: Prepared): void {
  const { cs } = p;
  be.sgemm(cs.ta, cs.tb, cs.m, cs.n, cs.k, cs.alpha, p.a.view, p.lda, p.b.view, p.ldb, cs.beta, p.c.view, p.ldc);
}

/**
 * Checks C against a float64 reference: |got - want| <= 2 (k + 3) 2^-24 (|alpha| sum|a||b| +
 * |beta c0|), the worst-case rounding bound of any summation order. Also checks that nothing
 * outside the m x n block of C (padding, offset, tail) and nothing of A or B changed.
 * Returns a description of the first failure, or null.
 */
function check(p: Prepared, aBefore: Float32Array, bBefore: Float32Array): string | null {
  const { ta, tb, m, n, k, alpha, beta } = p.cs;
  const A = p.a.view, B = p.b.view, C = p.c.view;
  const c0 = p.c0.subarray(p.c.offset);
  const eps = 2 * (k + 3) * 2 ** -24;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0, mag = 0;
      if (alpha !== 0) {
        for (let q = 0; q < k; q++) {
          const av = ta ? A[q * p.lda + i] : A[i * p.lda + q];
          const bv = tb ? B[j * p.ldb + q] : B[q * p.ldb + j];
          sum += av * bv;
          mag += Math.abs(av * bv);
        }
      }
      const old = c0[i * p.ldc + j];
      const want = alpha * sum + (beta === 0 ? 0 : beta * old);
      const tol = eps * (Math.abs(alpha) * mag + (beta === 0 ? 0 : Math.abs(beta * old))) + 1e-30;
      const got = C[i * p.ldc + j];
      if (!(Math.abs(got - want) <= tol)) {
        return `C[${i},${j}] = ${got}, expected ${want} (tolerance ${tol})`;
      }
    }
  }
  // Outside the block: untouched.
  const inBlock = (idx: number) => {
    const rel = idx - p.c.offset;
    if (rel < 0 || m === 0 || n === 0) return false;
    const i = Math.floor(rel / p.ldc), j = rel % p.ldc;
    return i < m && j < n;
  };
  for (let idx = 0; idx < p.c.whole.length; idx++) {
    if (!inBlock(idx) && !Object.is(p.c.whole[idx], p.c0[idx])) {
      return `C storage element ${idx} outside the ${m}x${n} block changed to ${p.c.whole[idx]}`;
    }
  }
  for (const [name, now, before] of [['A', p.a.whole, aBefore], ['B', p.b.whole, bBefore]] as const) {
    for (let idx = 0; idx < now.length; idx++) {
      if (!Object.is(now[idx], before[idx])) return `${name} storage element ${idx} changed`;
    }
  }
  return null;
}

function runCase(be: Backend, cs: Case): string | null {
  const p = prepare(cs);
  const aBefore = Float32Array.from(p.a.whole);
  const bBefore = Float32Array.from(p.b.whole);
  call(be, p);
  const err = check(p, aBefore, bBefore);
  return err === null ? null : `${describeCase(cs)}: ${err}`;
}

function describeCase(cs: Case): string {
  return `sgemm(${cs.ta ? 'T' : 'N'}${cs.tb ? 'T' : 'N'}, m=${cs.m}, n=${cs.n}, k=${cs.k}, alpha=${cs.alpha}, ` +
    `beta=${cs.beta}, pads=${cs.padA ?? 0}/${cs.padB ?? 0}/${cs.padC ?? 0}, ` +
    `offsets=${cs.offA ?? 0}/${cs.offB ?? 0}/${cs.offC ?? 0}${cs.shared ? ', shared' : ''})`;
}

const TRANS: Array<[boolean, boolean]> = [[false, false], [true, false], [false, true], [true, true]];
const ALPHAS = [1, -0.5, 0];
const BETAS = [0, 1, 0.5];

/** Runs all cases, collecting every failure (the first few are reported). */
function expectAll(be: Backend, cases: Case[]): void {
  const failures: string[] = [];
  for (const cs of cases) {
    const err = runCase(be, cs);
    if (err !== null) failures.push(err);
  }
  expect(failures.slice(0, 5), `${failures.length} of ${cases.length} cases failed`).toEqual([]);
}

// ------------------------------------------------------------------------------------------------
// Fused-kernel references: plain loops with the same float32 rounding as binding.d.ts specifies.

const f = Math.fround;

function f32(len: number, seed: number, scale = 1, offset = 0, shared = false): Float32Array {
  const next = rng(seed);
  const st = storage(len, offset, shared);
  const v = st.view.subarray(0, len);
  for (let i = 0; i < len; i++) v[i] = next() * scale;
  return v;
}

function expectSame(got: Float32Array, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i]) && !(got[i] === 0 && want[i] === 0)) {
      expect.fail(`${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
    }
  }
}

// ------------------------------------------------------------------------------------------------

const backends: Array<[string, Backend]> = native.backend ? ISAS.map((isa) => [isa, native.backend!]) : [];

if (backends.length === 0) {
  if (process.env.REQUIRE_NATIVE === '1') {
    describe('native parity', () => {
      it('needs the native addon (REQUIRE_NATIVE=1)', () => {
        throw new Error(`native addon did not load: ${native.error?.message}`);
      });
    });
  } else {
    describe.skip(`native parity skipped: native addon not built (${native.error?.message ?? 'unknown reason'})`, () => {
      it('parity', () => {});
    });
  }
}

for (const [isa, be] of backends) {
  // Generous timeout: the float64 reference is slow for the big shapes, and scripts/sanitize.sh
  // runs this file under ASan at -O1.
  describe(`native parity [${isa}]`, { timeout: 600_000 }, () => {
    useIsa(isa);
    let savedThreads = 1;
    beforeAll(() => {
      savedThreads = be.getThreads();
    });
    afterAll(() => {
      be.setThreads(savedThreads);
    });

    it('sgemm: small sizes through every micro-tile remainder, all transposes, alpha/beta edges', () => {
      be.setThreads(1);
      const ms = Array.from({ length: 18 }, (_, i) => i);
      const ns = [...Array.from({ length: 18 }, (_, i) => i), 31, 32, 33, 47, 48, 49, 63, 64, 65];
      const ks = [0, 1, 3, 8, 17];
      const cases: Case[] = [];
      let i = 0;
      for (const [ta, tb] of TRANS) {
        for (const m of ms) {
          for (const n of ns) {
            for (const k of ks) {
              const alpha = ALPHAS[i % 3];
              const beta = BETAS[Math.floor(i / 3) % 3];
              cases.push({ ta, tb, m, n, k, alpha, beta, padA: i % 2, padB: (i >> 1) % 3, padC: (i >> 2) % 2 });
              i++;
            }
          }
        }
      }
      expectAll(be, cases);
    });

    it('sgemm: every alpha x beta pair, with NaN in C for beta = 0 and in A/B for alpha = 0', () => {
      be.setThreads(1);
      const cases: Case[] = [];
      for (const [ta, tb] of TRANS) {
        for (const alpha of ALPHAS) {
          for (const beta of BETAS) {
            cases.push({ ta, tb, m: 13, n: 37, k: 11, alpha, beta, padA: 3, padB: 2, padC: 5 });
            cases.push({ ta, tb, m: 13, n: 37, k: 0, alpha, beta });
          }
        }
      }
      expectAll(be, cases);
    });

    it('sgemm: depth across the KC blocks (255, 256, 257, 511, 512, 513, 784)', () => {
      be.setThreads(1);
      const cases: Case[] = [];
      for (const [ta, tb] of TRANS) {
        for (const k of [255, 256, 257, 511, 512, 513, 784]) {
          cases.push({ ta, tb, m: 9, n: 33, k, alpha: 1, beta: 0, padA: 1, padB: 2, padC: 1 });
          cases.push({ ta, tb, m: 7, n: 17, k, alpha: -0.5, beta: 0.5 });
        }
      }
      expectAll(be, cases);
    });

    it('sgemm: rows across the MC blocks (127..129, 143..145, 255..257, 513)', () => {
      be.setThreads(1);
      const cases: Case[] = [];
      for (const [ta, tb] of TRANS) {
        for (const m of [127, 128, 129, 143, 144, 145, 255, 256, 257, 513]) {
          cases.push({ ta, tb, m, n: 19, k: 9, alpha: 1, beta: 0, padC: 3 });
        }
      }
      expectAll(be, cases);
    });

    it('sgemm: columns across the NC block (2047, 2048, 2049, 4097)', () => {
      be.setThreads(1);
      const cases: Case[] = [];
      for (const [ta, tb] of TRANS) {
        for (const n of [2047, 2048, 2049, 4097]) {
          cases.push({ ta, tb, m: 3, n, k: 5, alpha: 1, beta: 1, padB: 1 });
        }
      }
      expectAll(be, cases);
    });

    it('sgemm: byteOffset views and SharedArrayBuffer-backed arrays', () => {
      be.setThreads(1);
      const cases: Case[] = [];
      for (const [ta, tb] of TRANS) {
        for (const shared of [false, true]) {
          cases.push({ ta, tb, m: 21, n: 45, k: 30, alpha: 1, beta: 0, offA: 1, offB: 3, offC: 7, padC: 2, shared });
          cases.push({ ta, tb, m: 8, n: 32, k: 16, alpha: -0.5, beta: 0.5, offA: 5, offB: 1, offC: 2, shared });
        }
      }
      expectAll(be, cases);
    });

    it('sgemm: training shapes and 300x700x500 on 1 and 2 threads, identical results', () => {
      const shapes: Case[] = [
        { ta: false, tb: false, m: 128, n: 128, k: 784, alpha: 1, beta: 0 },   // X W1
        { ta: true, tb: false, m: 784, n: 128, k: 128, alpha: 1, beta: 0 },    // X^T dU1
        { ta: false, tb: true, m: 128, n: 128, k: 10, alpha: 1, beta: 0 },     // dU2 W2^T
        { ta: false, tb: false, m: 128, n: 10, k: 128, alpha: 1, beta: 0 },    // H1 W2
        { ta: true, tb: false, m: 128, n: 10, k: 128, alpha: 1, beta: 0 },     // H1^T dU2
        ...TRANS.map(([ta, tb]): Case => ({ ta, tb, m: 300, n: 700, k: 500, alpha: -0.5, beta: 0.5, padA: 1, padC: 3 })),
        // Row split with several rounds (column blocks x depth groups) of shared packed B.
        { ta: false, tb: true, m: 64, n: 2100, k: 300, alpha: 1, beta: 0.5, offC: 1 },
        // Column split (fewer row panels than threads).
        { ta: true, tb: false, m: 3, n: 1000, k: 400, alpha: 1, beta: 0, shared: true },
      ];
      const failures: string[] = [];
      for (const cs of shapes) {
        const results: Float32Array[] = [];
        for (const threads of [1, 2]) {
          be.setThreads(threads);
          const p = prepare(cs);
          const aBefore = Float32Array.from(p.a.whole);
          const bBefore = Float32Array.from(p.b.whole);
          call(be, p);
          // The naive reference is slow in JS for the big shapes: check it once, then compare.
          if (threads === 1) {
            const err = check(p, aBefore, bBefore);
            if (err !== null) failures.push(`${describeCase(cs)}: ${err}`);
          }
          results.push(Float32Array.from(p.c.whole));
        }
        const [one, two] = results;
        const diff = one.findIndex((v, i) => !Object.is(v, two[i]));
        if (diff >= 0) {
          failures.push(`${describeCase(cs)}: 2 threads gave ${two[diff]} at ${diff}, 1 thread ${one[diff]}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('sgemm: many back-to-back calls through the pool stay correct', () => {
      be.setThreads(2);
      const cs: Case = { ta: false, tb: false, m: 96, n: 160, k: 200, alpha: 1, beta: 0 };
      const p = prepare(cs);
      call(be, p);
      const first = Float32Array.from(p.c.view);
      for (let r = 0; r < 200; r++) {
        p.c.view.fill(NaN, 0, extent(cs.m, cs.n, p.ldc));
        call(be, p);
        const diff = first.findIndex((v, i) => !Object.is(v, p.c.view[i]));
        if (diff >= 0) expect.fail(`call ${r}: element ${diff} is ${p.c.view[diff]}, first call gave ${first[diff]}`);
      }
    });

    it('biasRelu and biasAdd match a plain loop (views, shared buffers, h = u)', () => {
      for (const [rows, cols, off, shared] of [[0, 5, 0, false], [1, 1, 0, false], [37, 19, 3, false], [64, 130, 1, true]] as const) {
        const u0 = f32(rows * cols, rows + cols, 3, off, shared);
        const bias = f32(cols, cols, 1, off + 2, shared);
        const wantU = u0.map((v, i) => f(v + bias[i % cols]));
        const wantH = wantU.map((v) => (v > 0 ? v : 0));
        const u = Float32Array.from(u0);
        const h = f32(rows * cols, 99, 1, off, shared).fill(NaN);
        be.biasRelu(h, u, bias, rows, cols);
        expectSame(u, wantU, 'biasRelu u');
        expectSame(h, wantH, 'biasRelu h');
        const same = Float32Array.from(u0);
        be.biasRelu(same, same, bias, rows, cols);
        expectSame(same, wantH, 'biasRelu h = u');
        const v = Float32Array.from(u0);
        be.biasAdd(v, bias, rows, cols);
        expectSame(v, wantU, 'biasAdd');
      }
    });

    it('softmaxXentGrad matches a float64 loop (views, du = logits, extreme logits)', () => {
      for (const [rows, cols, scale, off, shared] of [[1, 1, 1, 0, false], [37, 10, 20, 2, false], [128, 10, 5, 0, true], [5, 300, 50, 1, false]] as const) {
        const logits = f32(rows * cols, rows * cols, scale, off, shared);
        if (rows > 2) { logits[0] = 80; logits[1] = -80; } // far apart: a probability underflows
        const labels = Uint8Array.from({ length: rows }, (_, i) => (i * 7 + 3) % cols);
        const want = new Float64Array(rows * cols);
        let wantLoss = 0;
        for (let i = 0; i < rows; i++) {
          const row = Array.from(logits.subarray(i * cols, (i + 1) * cols));
          const max = Math.max(...row);
          const e = row.map((x) => Math.exp(x - max));
          const s = e.reduce((x, y) => x + y, 0);
          e.forEach((x, j) => (want[i * cols + j] = (x / s - (j === labels[i] ? 1 : 0)) / rows));
          wantLoss -= Math.log(Math.max(e[labels[i]] / s, 1e-30));
        }
        for (const alias of [false, true]) {
          const du = alias ? Float32Array.from(logits) : f32(rows * cols, 7, 1, off, shared).fill(NaN);
          const src = alias ? du : logits;
          const loss = be.softmaxXentGrad(du, src, labels, rows, cols);
          for (let i = 0; i < want.length; i++) {
            if (!(Math.abs(du[i] - want[i]) <= 1e-6 / rows + 1e-6 * Math.abs(want[i]))) {
              expect.fail(`rows=${rows} cols=${cols} alias=${alias}: du[${i}] = ${du[i]}, expected ${want[i]}`);
            }
          }
          expect(Math.abs(loss - wantLoss)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(wantLoss)));
        }
      }
    });

    it('reluBackward, colSums and sgdUpdate match a plain loop', () => {
      for (const [n, off, shared] of [[0, 0, false], [1, 0, false], [101, 3, false], [4099, 1, true]] as const) {
        const dy = f32(n, n + 1, 1, off, shared);
        const u = f32(n, n + 2, 1, off + 1, shared);
        const dx = f32(n, 5, 1, off, shared).fill(NaN);
        be.reluBackward(dx, dy, u, n);
        const want = dy.map((v, i) => (u[i] > 0 ? v : 0));
        expectSame(dx, want, 'reluBackward');
        const same = Float32Array.from(dy);
        be.reluBackward(same, same, u, n);
        expectSame(same, want, 'reluBackward dx = dy');

        const w0 = f32(n, n + 3, 1, off, shared);
        const g = f32(n, n + 4, 1, off + 2, shared);
        const w = Float32Array.from(w0);
        be.sgdUpdate(w, g, 0.1, n);
        const step = f(0.1);
        expectSame(w, w0.map((v, i) => f(v - f(step * g[i]))), 'sgdUpdate');
      }
      for (const [rows, cols, off, shared] of [[0, 4, 0, false], [1, 1, 0, false], [37, 19, 2, false], [128, 700, 1, true]] as const) {
        const x = f32(rows * cols, rows + cols, 1, off, shared);
        const out = f32(cols, 3, 1, off, shared).fill(NaN);
        be.colSums(out, x, rows, cols);
        const want = new Float32Array(cols);
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) want[j] += x[i * cols + j];
        expectSame(out, want, 'colSums');
      }
    });

    it('setThreads / getThreads round-trip', () => {
      expect(be.setThreads(2)).toBe(2);
      expect(be.getThreads()).toBe(2);
      expect(be.setThreads(1)).toBe(1);
      expect(be.getThreads()).toBe(1);
      expect(be.setThreads(0)).toBeGreaterThanOrEqual(1);
    });
  });
}

if (native.binding) {
  const raw = native.binding;
  describe('native instruction-set switch', () => {
    afterAll(() => {
      raw.setIsa(ISAS[0]);
    });

    it('supportedIsas lists the best first and ends with generic; setIsa caps, never above the CPU', () => {
      expect(ISAS.length).toBeGreaterThanOrEqual(1);
      expect(ISAS[ISAS.length - 1]).toBe('generic');
      expect(raw.isa()).toBe(ISAS[0]);
      for (const isa of ISAS) {
        expect(raw.setIsa(isa)).toBe(isa);
        expect(raw.isa()).toBe(isa);
      }
      // Names this CPU cannot run (or another architecture's) give the best one below them.
      const order = process.arch === 'arm64' ? ['neon', 'generic'] : ['avx512', 'avx2', 'generic'];
      for (const cap of ['avx512', 'avx2', 'neon', 'generic']) {
        const at = order.indexOf(cap);
        const want = at < 0 ? 'generic' : ISAS.find((isa) => order.indexOf(isa) >= at) ?? 'generic';
        expect(raw.setIsa(cap), `setIsa(${cap})`).toBe(want);
      }
      expect(() => raw.setIsa('sse9')).toThrow(RangeError);
      expect(raw.setIsa(ISAS[0])).toBe(ISAS[0]);
    });

    it('switching the ISA between calls gives the same sgemm results within rounding', () => {
      const cs: Case = { ta: false, tb: true, m: 37, n: 45, k: 70, alpha: 1, beta: 0 };
      for (const isa of [...ISAS, ...ISAS]) {
        raw.setIsa(isa);
        const err = runCase(native.backend!, cs);
        expect(err, isa).toBeNull();
      }
    });
  });
}

// The pool is per process, not per instruction set: this runs once, at the best ISA.
if (backends.length > 0) {
  const be = backends[0][1];
  describe(`native thread pool [${ISAS[0]}]`, { timeout: 120_000 }, () => {
    let savedThreads = 1;
    beforeAll(() => {
      savedThreads = be.getThreads();
    });
    afterAll(() => {
      be.setThreads(savedThreads);
    });

    it('sgemm: concurrent callers in worker_threads (own addon instances, one shared pool)', async () => {
      // Results do not depend on the thread count (same blocking, same summation order), so every
      // call from every worker must reproduce the single-threaded result bit for bit, whether it
      // got the pool or ran alone because another worker held it. One more worker keeps changing
      // the thread count meanwhile.
      be.setThreads(1);
      const shapes: Case[] = [
        { ta: false, tb: false, m: 128, n: 128, k: 784, alpha: 1, beta: 0, shared: true },
        { ta: true, tb: false, m: 200, n: 96, k: 128, alpha: -0.5, beta: 0, shared: true },
        { ta: false, tb: true, m: 3, n: 700, k: 300, alpha: 1, beta: 0, shared: true },
      ];
      const jobs = shapes.map((cs) => {
        const p = prepare(cs);
        call(be, p);
        const want = Float32Array.from(p.c.view.subarray(0, extent(cs.m, cs.n, p.ldc)));
        return { ...cs, lda: p.lda, ldb: p.ldb, ldc: p.ldc, a: p.a.view, b: p.b.view, want };
      });
      be.setThreads(2);
      const source = `
        const { parentPort, workerData } = require('node:worker_threads');
        const addon = require(workerData.path);
        let bad = 0;
        if (workerData.toggler) {
          for (let i = 0; i < 300; i++) addon.setThreads(1 + (i % 2));
          addon.setThreads(2);
        } else {
          for (let r = 0; r < workerData.rounds; r++) {
            for (const j of workerData.jobs) {
              const c = new Float32Array(j.want.length).fill(NaN);
              addon.sgemm(j.ta, j.tb, j.m, j.n, j.k, j.alpha, j.a, j.lda, j.b, j.ldb, 0, c, j.ldc);
              for (let i = 0; i < c.length; i++) if (!Object.is(c[i], j.want[i])) { bad++; break; }
            }
          }
        }
        parentPort.postMessage(bad);
      `;
      const run = (toggler: boolean) =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(source, {
            eval: true,
            workerData: { path: native.path, jobs, rounds: 15, toggler },
          });
          w.once('message', resolve);
          w.once('error', reject);
          w.once('exit', (code) => { if (code !== 0) reject(new Error(`worker exited with ${code}`)); });
        });
      const results = await Promise.all([run(false), run(false), run(false), run(true)]);
      expect(results).toEqual([0, 0, 0, 0]);
      // And the main thread still gets correct results afterwards.
      for (const j of jobs) {
        const c = new Float32Array(j.want.length).fill(NaN);
        be.sgemm(j.ta, j.tb, j.m, j.n, j.k, j.alpha, j.a, j.lda, j.b, j.ldb, 0, c, j.ldc);
        expect(c).toEqual(j.want);
      }
    });

  });
}
