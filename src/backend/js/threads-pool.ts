/**
 * The worker-thread pool behind the TypeScript sgemm (threads.ts decides which calls reach it),
 * over shared memory.
 *
 * The sgemm API is synchronous, so the calling thread blocks: it writes a job descriptor into
 * shared memory, wakes the helpers it needs with Atomics.notify, computes its own slice of C,
 * then Atomics.waits for the helpers' done signals. Nothing is posted per call and nothing is
 * allocated per call. C is cut into one chunk per thread (whole MR-row or NR-column micro-panels),
 * which the threads claim first-come with Atomics.add, and each chunk is computed by
 * sgemmJsRange, which applies to every element exactly the operations one sgemmJs call would:
 * results are bit-identical for any thread count and any assignment of chunks to threads.
 *
 * Arrays reach the helpers without copies: each distinct SharedArrayBuffer is posted to every
 * helper once (on a private MessageChannel) and later referred to by id; a helper that wakes for
 * a job naming an id it has not seen yet reads its port synchronously with receiveMessageOnPort.
 *
 * Helpers are unref()'d (they never keep the process alive) and stopped by stop(). A helper that
 * throws reports the error, which the caller rethrows; a helper that dies makes the call throw
 * (it is noticed through the helper's exit hook, or through a watchdog on its progress counter),
 * never hang.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { SPLIT_COLS, SPLIT_ROWS } from './sgemm.js';
import {
  CMD_EXIT,
  C_CMD,
  C_DONE,
  C_NEXT,
  J_ALPHA,
  J_A_ID,
  J_A_OFF,
  J_BETA,
  J_BY_ROWS,
  J_B_ID,
  J_B_OFF,
  J_CHUNKS,
  J_C_ID,
  J_C_OFF,
  J_K,
  J_LDA,
  J_LDB,
  J_LDC,
  J_M,
  J_N,
  J_PART,
  J_TA,
  J_TB,
  STATE_BOOTING,
  STATE_DEAD,
  W_BASE,
  W_CHUNKS,
  W_DONE,
  W_FAILED,
  W_GO,
  W_PROGRESS,
  W_STATE,
  W_STRIDE,
  runChunks,
  type HelperData,
  type ToHelper,
} from './threads-protocol.js';

/** How long the caller sleeps between checks on its helpers while it waits. */
const SLICE_MS = 200;
/** A helper that shows no progress for this long is taken for dead (it normally bumps every few ms). */
const STALL_MS = 30_000;
/** Grace for a helper still loading its script (a slow, busy machine). */
const BOOT_STALL_MS = 120_000;

/** The compiled helper script (tests run this file from src/, helpers always run from dist/). */
function helperScript(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../../dist/backend/js/threads-worker.js', here) : new URL('./threads-worker.js', here);
}

/**
 * What each helper thread runs first (CommonJS, evaluated): the exit hook that tells a caller
 * blocked in Atomics.wait that this thread is gone, then the helper script itself, so even a
 * script that fails to load is reported (with its error on the port) rather than waited for.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const { ctrl, cells, port, script } = workerData;
process.on('exit', () => {
  Atomics.store(ctrl, cells.state, cells.dead);
  Atomics.add(ctrl, cells.done, 1);
  Atomics.notify(ctrl, cells.done);
});
import(script).catch((e) => {
  port.postMessage('could not load ' + script + ': ' + (e && e.stack || e));
  process.exit(1);
});
`;

/**
 * Chunks per thread: one. Threads claim chunks first-come, so a helper that wakes late finds
 * its chunk already taken by the caller rather than making the caller wait for it. Finer
 * chunks would balance better in principle, but every chunk packs its own copy of the shared
 * operand (all of op(B) for a row chunk): two per thread made the 128 x 128 x 784 product ~3%
 * slower on an idle machine, and did not help on a busy one (the kernel's time slices are
 * longer than a whole product).
 */
const CHUNKS_PER_THREAD = 1;

/** Helper threads 1 .. threads-1 (the caller is thread 0) and the shared memory they work in. */
export class Pool {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly ctrl: Int32Array;
  private readonly job: Float64Array;
  private readonly ids = new WeakMap<SharedArrayBuffer, number>();
  private readonly forget: FinalizationRegistry<number>;
  private nextId = 1;
  private gen = 0;
  /** Why the pool can no longer be used (a helper died), or null. */
  private broken: string | null = null;
  private stopped = false;
  /** Products this pool has split (for tests). */
  calls = 0;
  /** Watchdog state, per helper: progress count last seen and when it last changed. */
  private readonly seenProgress: Int32Array;
  private readonly seenAt: Float64Array;

  constructor(threads: number) {
    this.threads = threads;
    const script = helperScript();
    if (script.protocol === 'file:' && !existsSync(fileURLToPath(script))) {
      throw new Error(`Cannot start sgemm worker threads: ${fileURLToPath(script)} is missing (run \`npx tsc -p tsconfig.json\`)`);
    }
    this.ctrl = new Int32Array(new SharedArrayBuffer(4 * (W_BASE + W_STRIDE * threads)));
    this.job = new Float64Array(new SharedArrayBuffer(8 * (J_PART + 2 * CHUNKS_PER_THREAD * threads)));
    this.seenProgress = new Int32Array(threads);
    this.seenAt = new Float64Array(threads);
    this.forget = new FinalizationRegistry((id) => {
      if (this.stopped) return;
      for (const p of this.ports) if (p) p.postMessage({ forget: id } satisfies ToHelper);
    });
    // Index 0 is the calling thread; helpers are 1 .. threads-1.
    this.workers.length = threads;
    this.ports.length = threads;
    try {
      for (let w = 1; w < threads; w++) {
        const { port1, port2 } = new MessageChannel();
        const data: HelperData = {
          index: w,
          ctrl: this.ctrl,
          job: this.job,
          port: port2,
          cells: { state: W_BASE + W_STRIDE * w + W_STATE, dead: STATE_DEAD, done: C_DONE },
          script: script.href,
        };
        // execArgv: [] so the caller's flags (e.g. --input-type from `node -e`, test-runner
        // loaders) do not reach the plain-JS helper, where some of them stop it from loading.
        const worker = new Worker(BOOTSTRAP, {
          eval: true,
          execArgv: [],
          workerData: data,
          transferList: [port2],
          name: `native-mlp sgemm ${w}`,
        });
        worker.unref();
        port1.unref();
        // Seen between calls (the event loop cannot run while a call blocks; the helper's own
        // exit hook covers that case). Also keeps an 'error' event from crashing the process.
        worker.on('error', (e) => this.markDead(w, `threw ${e instanceof Error ? e.message : String(e)}`));
        worker.on('exit', (code) => {
          if (!this.stopped) this.markDead(w, `exited with code ${code}`);
        });
        this.workers[w] = worker;
        this.ports[w] = port1;
      }
    } catch (e) {
      this.stop();
      throw e;
    }
  }

  private markDead(w: number, why: string): void {
    Atomics.store(this.ctrl, W_BASE + W_STRIDE * w + W_STATE, STATE_DEAD);
    this.broken ??= `sgemm worker thread ${w} ${why}`;
  }

  get usable(): boolean {
    return this.broken === null && !this.stopped;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const ctrl = this.ctrl;
    Atomics.store(ctrl, C_CMD, CMD_EXIT);
    for (let w = 1; w < this.threads; w++) {
      const go = W_BASE + W_STRIDE * w + W_GO;
      Atomics.add(ctrl, go, 1);
      Atomics.notify(ctrl, go);
    }
    for (let w = 1; w < this.threads; w++) {
      this.ports[w]?.close();
      void this.workers[w]?.terminate();
    }
  }

  /** The id helpers know sab by, posting it to them the first time it is seen. */
  private bufferId(sab: SharedArrayBuffer): number {
    let id = this.ids.get(sab);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(sab, id);
      this.forget.register(sab, id);
      for (let w = 1; w < this.threads; w++) this.ports[w].postMessage({ id, sab } satisfies ToHelper);
    }
    return id;
  }

  /**
   * Runs one checked sgemm, on up to `used` threads (2 <= used <= threads) split along rows
   * (byRows) or columns into `panels` micro-panels. a, b and c must be on SharedArrayBuffers.
   */
  run(
    cmd: number,
    used: number,
    byRows: boolean,
    panels: number,
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
    if (this.broken !== null)
      throw new Error(`${this.broken}; the TypeScript backend's thread pool is stopped (call setThreads again to restart it)`);
    this.calls++;
    const job = this.job;
    const ctrl = this.ctrl;
    job[J_TA] = transA ? 1 : 0;
    job[J_TB] = transB ? 1 : 0;
    job[J_M] = m;
    job[J_N] = n;
    job[J_K] = k;
    job[J_ALPHA] = alpha;
    job[J_BETA] = beta;
    job[J_A_ID] = this.bufferId(a.buffer as SharedArrayBuffer);
    job[J_A_OFF] = a.byteOffset / 4;
    job[J_LDA] = lda;
    job[J_B_ID] = this.bufferId(b.buffer as SharedArrayBuffer);
    job[J_B_OFF] = b.byteOffset / 4;
    job[J_LDB] = ldb;
    job[J_C_ID] = this.bufferId(c.buffer as SharedArrayBuffer);
    job[J_C_OFF] = c.byteOffset / 4;
    job[J_LDC] = ldc;
    job[J_BY_ROWS] = byRows ? 1 : 0;
    // Balanced cut into whole micro-panels; chunk i is [lo, hi) in rows or columns.
    const unit = byRows ? SPLIT_ROWS : SPLIT_COLS;
    const extent = byRows ? m : n;
    const chunks = Math.min(panels, used * CHUNKS_PER_THREAD);
    job[J_CHUNKS] = chunks;
    for (let i = 0; i < chunks; i++) {
      job[J_PART + 2 * i] = Math.min(extent, Math.floor((i * panels) / chunks) * unit);
      job[J_PART + 2 * i + 1] = Math.min(extent, Math.floor(((i + 1) * panels) / chunks) * unit);
    }
    Atomics.store(ctrl, C_NEXT, 0);
    const gen = ++this.gen;
    Atomics.store(ctrl, C_CMD, cmd);
    const now = performance.now();
    for (let w = 1; w < used; w++) {
      const base = W_BASE + W_STRIDE * w;
      this.seenProgress[w] = Atomics.load(ctrl, base + W_PROGRESS);
      this.seenAt[w] = now;
      Atomics.store(ctrl, base + W_GO, gen);
      Atomics.notify(ctrl, base + W_GO, 1);
    }
    let own: unknown = null;
    try {
      runChunks(ctrl, job, a, 0, b, 0, c, 0);
    } catch (e) {
      own = e ?? new Error('sgemm failed');
    }
    // Wait for every helper, even if our own slice failed: none may still write C after we return.
    const dead = this.waitFor(gen, used);
    if (dead !== 0) {
      const text = this.lastMessage(dead);
      this.broken ??= `sgemm worker thread ${dead} died during a call${text === null ? '' : `: ${text}`}`;
      this.stop();
      throw new Error(`${this.broken}; the TypeScript backend's thread pool is stopped (call setThreads again to restart it)`);
    }
    if (own !== null) throw own;
    for (let w = 1; w < used; w++) {
      const cell = W_BASE + W_STRIDE * w + W_FAILED;
      if (Atomics.load(ctrl, cell) !== 0) {
        Atomics.store(ctrl, cell, 0);
        throw new Error(`sgemm worker thread ${w} failed: ${this.lastMessage(w) ?? 'unknown error'}`);
      }
    }
  }

  /** Blocks until every helper has loaded (or timeoutMs passes); returns whether they all did. */
  waitUntilReady(timeoutMs: number): boolean {
    const end = performance.now() + timeoutMs;
    for (let w = 1; w < this.threads; w++) {
      const cell = W_BASE + W_STRIDE * w + W_STATE;
      while (Atomics.load(this.ctrl, cell) === STATE_BOOTING) {
        const left = end - performance.now();
        if (left <= 0) return false;
        Atomics.wait(this.ctrl, cell, STATE_BOOTING, Math.min(left, 10));
      }
    }
    return true;
  }

  /** Chunks the helpers have computed so far. */
  helperChunks(): number {
    let sum = 0;
    for (let w = 1; w < this.threads; w++) sum += Atomics.load(this.ctrl, W_BASE + W_STRIDE * w + W_CHUNKS);
    return sum;
  }

  /** The last text helper w posted (its errors), or null. */
  private lastMessage(w: number): string | null {
    let text: string | null = null;
    for (let msg = receiveMessageOnPort(this.ports[w]); msg; msg = receiveMessageOnPort(this.ports[w])) text = String(msg.message);
    return text;
  }

  /** Blocks until helpers 1 .. used-1 have finished generation gen; returns a dead helper's index, or 0. */
  private waitFor(gen: number, used: number): number {
    const ctrl = this.ctrl;
    for (;;) {
      const done = Atomics.load(ctrl, C_DONE);
      let pending = 0;
      let dead = 0;
      for (let w = 1; w < used; w++) {
        const base = W_BASE + W_STRIDE * w;
        if (Atomics.load(ctrl, base + W_DONE) === gen) continue;
        if (Atomics.load(ctrl, base + W_STATE) === STATE_DEAD) dead = w;
        else pending++;
      }
      if (pending === 0) return dead;
      if (Atomics.wait(ctrl, C_DONE, done, SLICE_MS) !== 'timed-out') continue;
      // Watchdog: a helper whose progress counter has not moved for a long time is gone.
      const now = performance.now();
      for (let w = 1; w < used; w++) {
        const base = W_BASE + W_STRIDE * w;
        if (Atomics.load(ctrl, base + W_DONE) === gen) continue;
        const p = Atomics.load(ctrl, base + W_PROGRESS);
        if (p !== this.seenProgress[w]) {
          this.seenProgress[w] = p;
          this.seenAt[w] = now;
        } else {
          const limit = Atomics.load(ctrl, base + W_STATE) === STATE_BOOTING ? BOOT_STALL_MS : STALL_MS;
          if (now - this.seenAt[w] > limit) {
            this.markDead(w, `made no progress for ${Math.round((now - this.seenAt[w]) / 1000)} s`);
          }
        }
      }
    }
  }
}
