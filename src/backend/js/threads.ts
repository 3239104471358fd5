/**
 * The TypeScript sgemm's thread setting, and per call the choice between splitting a product
 * across the worker-thread pool (threads-pool.ts) and running it on the calling thread. Results
 * are bit-identical either way. Arrays on ordinary ArrayBuffers cannot be shared, so such calls
 * run on the calling thread.
 */
import { availableParallelism } from 'node:os';
import { isSharedArrayBuffer } from 'node:util/types';
import { MAX_JS_THREADS } from '../../limits.js';
import { SPLIT_COLS, SPLIT_ROWS, sgemmJs } from './sgemm.js';
import { CMD_SGEMM, CMD_TEST_EXIT, CMD_TEST_THROW } from './threads-protocol.js';
import { Pool } from './threads-pool.js';

/**
 * Largest thread count setThreads accepts: each helper is a V8 isolate (about 10 MB), so far
 * fewer than the native pool's MAX_THREADS (src/limits.ts, where both are documented).
 */
export const MAX_THREADS = MAX_JS_THREADS;

/**
 * Multiply-adds (m * n * k) each thread must get for a product to be split. Handing a slice to a
 * sleeping helper costs tens of microseconds (a futex wake, the helper being scheduled, its done
 * signal), and each helper packs its own copy of the shared operand. 2^19 multiply-adds take
 * ~0.2 ms at ~2.5 GMAC/s (one core), so the handoff stays a small fraction of a slice; below 2^20 (~1e6) a
 * product stays on the calling thread. In the 784-128-10 net at batch 128 that splits the two big
 * products (12.8M multiply-adds each, ~98% of the work) and keeps the three 128 x 10 ones
 * (164K each) on the calling thread.
 */
export const MIN_WORK_PER_THREAD = 1 << 19;

let pool: Pool | null = null;
let threads = 1;

/** Sets the thread count (0 = one per core); see Backend.setThreads. Returns the count in force. */
export function setJsThreads(n: number): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_THREADS) {
    throw new RangeError(
      `Expected threads to be an integer in [0, ${MAX_THREADS}] (0 = one per core) but received ${typeof n === 'number' ? n : typeof n}`,
    );
  }
  const want = n === 0 ? Math.min(MAX_THREADS, availableParallelism()) : n;
  if (want === threads && (want === 1 || pool?.usable)) return threads;
  pool?.stop();
  pool = null;
  threads = 1;
  if (want > 1) {
    pool = new Pool(want);
    threads = want;
  }
  return threads;
}

export function getJsThreads(): number {
  return threads;
}

/**
 * Whether helpers can see x: it must be on a SharedArrayBuffer, and not a growable one (helpers
 * view each buffer at the length it had when first sent).
 */
function shareable(x: Float32Array): boolean {
  return isSharedArrayBuffer(x.buffer) && (x.buffer as { growable?: boolean }).growable !== true;
}

/** A checked sgemm, split across the pool when it is running, the arrays are shared and the product is big enough. */
export function sgemmThreaded(
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
): void {
  const p = pool;
  if (p !== null && alpha !== 0) {
    const byRows = m >= n;
    const panels = byRows ? Math.ceil(m / SPLIT_ROWS) : Math.ceil(n / SPLIT_COLS);
    const used = Math.min(p.threads, panels, Math.floor((m * n * k) / MIN_WORK_PER_THREAD));
    if (used >= 2 && shareable(a) && shareable(b) && shareable(c)) {
      p.run(CMD_SGEMM, used, byRows, panels, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      return;
    }
  }
  sgemmJs(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/** Test hooks (not part of the package's API). */
export const __testing = {
  /** Products split across threads since the pool started (0 without a pool). */
  pooledCalls: (): number => pool?.calls ?? 0,
  /** Chunks of those products the helper threads computed (the caller does the rest). */
  helperChunks: (): number => pool?.helperChunks() ?? 0,
  /** Blocks until the helpers have loaded, so the next product is really shared. */
  waitUntilReady: (timeoutMs = 30_000): boolean => pool?.waitUntilReady(timeoutMs) ?? true,
  /** Runs a product on all threads with a command that makes helper threads throw (mode 'throw') or exit ('exit'). */
  failingSgemm(mode: 'throw' | 'exit', m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void {
    if (pool === null) throw new Error('no thread pool running');
    const panels = Math.ceil(m / SPLIT_ROWS);
    pool.run(
      mode === 'throw' ? CMD_TEST_THROW : CMD_TEST_EXIT,
      Math.min(pool.threads, panels),
      true,
      panels,
      false,
      false,
      m,
      n,
      k,
      1,
      a,
      k,
      b,
      n,
      0,
      c,
      n,
    );
  },
};
