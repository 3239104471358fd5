/**
 * Worker threads for the WASM sgemm: each worker instantiates the same module over the same
 * shared WebAssembly.Memory (its own stack, set by nmlp_set_stack, and its own packing
 * workspace), so arrays need no copying or registration: a job is just addresses. The split is
 * the TypeScript pool's (src/backend/js/threads-pool.ts): C is cut into one chunk of whole MR-row (or
 * NR-column) micro-panels per thread, claimed first-come with Atomics.add, the caller computing
 * chunks too; every element is summed in the same order as in a single-thread call, so results
 * are bit-identical for any thread count. The caller blocks in Atomics.wait until the chunks are
 * done (the sgemm API is synchronous).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WasmExports } from './exports.js';
import type { WasmMemory } from './memory.js';

/** Largest thread count setThreads accepts (as the other backends). */
export const MAX_THREADS = 256;
/** Rows and columns of the WASM micro-kernel (native/sgemm/kernels_wasm128.cc): the split's units. */
const MR = 4;
const NR = 8;
/** Multiply-adds each thread must get for a product to be split (as the TypeScript pool). */
const MIN_WORK_PER_THREAD = 1 << 19;
/** Stack of each worker instance (as the main instance's, -z stack-size in build-wasm.mjs). */
const STACK_BYTES = 256 * 1024;
/** How long the caller sleeps between checks that its workers are alive. */
const SLICE_MS = 200;

// Control cells (Int32Array on a SharedArrayBuffer).
const C_DONE = 0, C_CMD = 1, C_NEXT = 2, W_BASE = 16, W_STRIDE = 16;
const W_GO = 0, W_STATE = 1, W_FAILED = 2;
const CMD_SGEMM = 1, CMD_EXIT = 2;
const STATE_BOOTING = 0, STATE_READY = 1, STATE_DEAD = 2;

/**
 * Computes chunks of the job in `job` until none are left; returns how many it did. Runs on the
 * caller and, as source text, on the workers: it must not refer to anything outside itself.
 * job: [ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, byRows, panels, chunks].
 */
function runChunks(ex: WasmExports, ctrl: Int32Array, job: Float64Array): number {
  const ta = job[0], tb = job[1], m = job[2], n = job[3], k = job[4], alpha = job[5];
  const a = job[6], lda = job[7], b = job[8], ldb = job[9], beta = job[10], c = job[11], ldc = job[12];
  const byRows = job[13] === 1, panels = job[14], chunks = job[15];
  let done = 0;
  for (;;) {
    const i = Atomics.add(ctrl, 2 /* C_NEXT */, 1);
    if (i >= chunks) return done;
    const p0 = Math.floor((panels * i) / chunks), p1 = Math.floor((panels * (i + 1)) / chunks);
    if (byRows) {
      const r0 = p0 * 4 /* MR */, r1 = Math.min(m, p1 * 4);
      if (r1 > r0) {
        ex.sgemm(ta, tb, r1 - r0, n, k, alpha, a + 4 * (ta ? r0 : r0 * lda), lda, b, ldb, beta, c + 4 * r0 * ldc, ldc);
      }
    } else {
      const j0 = p0 * 8 /* NR */, j1 = Math.min(n, p1 * 8);
      if (j1 > j0) {
        ex.sgemm(ta, tb, m, j1 - j0, k, alpha, a, lda, b + 4 * (tb ? j0 * ldb : j0), ldb, beta, c + 4 * j0, ldc);
      }
    }
    done++;
  }
}

/** The worker's program (CommonJS, evaluated), with runChunks's source text. */
const WORKER = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, job, index, stackTop } = workerData;
const base = ${W_BASE} + ${W_STRIDE} * index;
process.on('exit', () => {
  Atomics.store(ctrl, base + ${W_STATE}, ${STATE_DEAD});
  Atomics.add(ctrl, ${C_DONE}, 1);
  Atomics.notify(ctrl, ${C_DONE});
});
${runChunks.toString()}
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
ex.nmlp_set_stack(stackTop);
Atomics.store(ctrl, base + ${W_STATE}, ${STATE_READY});
Atomics.notify(ctrl, base + ${W_STATE});
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, base + ${W_GO}, seen);
  const gen = Atomics.load(ctrl, base + ${W_GO});
  if (gen === seen) continue;
  seen = gen;
  if (Atomics.load(ctrl, ${C_CMD}) === ${CMD_EXIT}) break;
  try {
    runChunks(ex, ctrl, job);
  } catch (e) {
    Atomics.store(ctrl, base + ${W_FAILED}, 1);
  }
  Atomics.add(ctrl, ${C_DONE}, 1);
  Atomics.notify(ctrl, ${C_DONE});
}
`;

let splitCalls = 0;
let active: WasmThreads | null = null;

/**
 * Blocks until every worker of the WASM backend has booted (tests and benchmarks, so the next
 * product is really split); false on timeout or when one died.
 */
export function wasmThreadsReady(timeoutMs = 30_000): boolean {
  return active?.waitUntilReady(timeoutMs) ?? true;
}

/** Products split across worker threads so far in this process (tests: the workers take part). */
export function wasmSplitCalls(): number {
  return splitCalls;
}

export class WasmThreads {
  private readonly mem: WasmMemory;
  private readonly module: WebAssembly.Module;
  private workers: Worker[] = [];
  private stacks: number[] = [];
  // Control cells and job of the current set of workers; a new set gets new ones, so a worker of
  // the previous set that is still exiting cannot mark a new worker's cells.
  private ctrl = new Int32Array(new SharedArrayBuffer(4 * (W_BASE + W_STRIDE * MAX_THREADS)));
  private job = new Float64Array(new SharedArrayBuffer(8 * 16));
  private threads = 1;
  private generation = 0;

  constructor(mem: WasmMemory, module: WebAssembly.Module) {
    this.mem = mem;
    this.module = module;
    active = this;
  }

  waitUntilReady(timeoutMs: number): boolean {
    const end = Date.now() + timeoutMs;
    for (let i = 0; i < this.workers.length; i++) {
      const cell = W_BASE + W_STRIDE * i + W_STATE;
      for (let s = Atomics.load(this.ctrl, cell); s !== STATE_READY; s = Atomics.load(this.ctrl, cell)) {
        if (s === STATE_DEAD || Date.now() >= end) return false;
        Atomics.wait(this.ctrl, cell, s, Math.max(1, Math.min(SLICE_MS, end - Date.now())));
      }
    }
    return true;
  }

  get count(): number {
    return this.threads;
  }

  /** n >= 1 threads, 0 = one per core; returns the count in force. */
  set(n: number): number {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_THREADS) {
      throw new RangeError(`Expected threads to be an integer in [0, ${MAX_THREADS}] (0 = one per core) but received ${typeof n === 'number' ? n : typeof n}`);
    }
    const want = n === 0 ? Math.min(MAX_THREADS, availableParallelism()) : n;
    if (want === this.threads) return want;
    this.stop();
    this.ctrl = new Int32Array(new SharedArrayBuffer(4 * (W_BASE + W_STRIDE * MAX_THREADS)));
    this.job = new Float64Array(new SharedArrayBuffer(8 * 16));
    for (let i = 0; i < want - 1; i++) {
      const stack = this.mem.block(STACK_BYTES, 'a worker thread stack');
      this.stacks.push(stack);
      Atomics.store(this.ctrl, W_BASE + W_STRIDE * i + W_STATE, STATE_BOOTING);
      Atomics.store(this.ctrl, W_BASE + W_STRIDE * i + W_GO, 0);
      const w = new Worker(WORKER, {
        eval: true,
        workerData: { module: this.module, memory: this.mem.memory, ctrl: this.ctrl, job: this.job, index: i, stackTop: stack + STACK_BYTES },
      });
      w.unref();
      this.workers.push(w);
    }
    this.generation = 0;
    this.threads = want;
    return want;
  }

  /** Ends the workers (they exit at their next wake-up) and frees their stacks. */
  stop(): void {
    if (this.workers.length > 0) {
      Atomics.store(this.ctrl, C_CMD, CMD_EXIT);
      for (let i = 0; i < this.workers.length; i++) {
        Atomics.add(this.ctrl, W_BASE + W_STRIDE * i + W_GO, 1);
        Atomics.notify(this.ctrl, W_BASE + W_STRIDE * i + W_GO);
      }
      // Their stacks stay reserved until they are gone: a worker may still be running.
      const stacks = this.stacks;
      let left = this.workers.length;
      for (const w of this.workers) {
        w.once('exit', () => {
          if (--left === 0) for (const s of stacks) this.mem.exports.free(s);
        });
      }
    }
    this.workers = [];
    this.stacks = [];
    this.threads = 1;
  }

  /**
   * sgemm on addresses, split across the workers when it is big enough; false when it should
   * run on the caller alone (the caller then calls the export itself).
   */
  sgemm(ta: number, tb: number, m: number, n: number, k: number, alpha: number, a: number, lda: number,
    b: number, ldb: number, beta: number, c: number, ldc: number): boolean {
    if (this.threads < 2 || alpha === 0 || k === 0) return false;
    const byRows = m >= n;
    const panels = byRows ? Math.ceil(m / MR) : Math.ceil(n / NR);
    const used = Math.min(this.threads, panels, Math.floor((m * n * k) / MIN_WORK_PER_THREAD));
    if (used < 2) return false;
    const ready = this.workers.filter((_, i) => Atomics.load(this.ctrl, W_BASE + W_STRIDE * i + W_STATE) === STATE_READY).length;
    const helpers = Math.min(used - 1, ready);
    if (helpers < 1) return false;  // still booting: run alone rather than wait for them
    const job = this.job;
    job[0] = ta; job[1] = tb; job[2] = m; job[3] = n; job[4] = k; job[5] = alpha;
    job[6] = a; job[7] = lda; job[8] = b; job[9] = ldb; job[10] = beta; job[11] = c; job[12] = ldc;
    job[13] = byRows ? 1 : 0; job[14] = panels; job[15] = helpers + 1;
    const ctrl = this.ctrl;
    Atomics.store(ctrl, C_NEXT, 0);
    Atomics.store(ctrl, C_DONE, 0);
    Atomics.store(ctrl, C_CMD, CMD_SGEMM);
    this.generation++;
    const woken: number[] = [];
    for (let i = 0; i < this.workers.length && woken.length < helpers; i++) {
      const base = W_BASE + W_STRIDE * i;
      if (Atomics.load(ctrl, base + W_STATE) !== STATE_READY) continue;
      Atomics.store(ctrl, base + W_FAILED, 0);
      Atomics.add(ctrl, base + W_GO, 1);
      Atomics.notify(ctrl, base + W_GO);
      woken.push(i);
    }
    runChunks(this.mem.exports, ctrl, job);
    for (let done = Atomics.load(ctrl, C_DONE); done < woken.length; done = Atomics.load(ctrl, C_DONE)) {
      Atomics.wait(ctrl, C_DONE, done, SLICE_MS);
      for (const i of woken) {
        if (Atomics.load(ctrl, W_BASE + W_STRIDE * i + W_STATE) === STATE_DEAD) {
          this.stop();
          throw new Error(`a WASM worker thread stopped in the middle of an sgemm; the result is incomplete (threads are now 1)`);
        }
      }
    }
    for (const i of woken) {
      if (Atomics.load(ctrl, W_BASE + W_STRIDE * i + W_FAILED) !== 0) {
        throw new Error('a WASM worker thread failed in the middle of an sgemm; the result is incomplete');
      }
    }
    splitCalls++;
    return true;
  }
}
