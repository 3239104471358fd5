/**
 * A fixed set of training threads (worker_threads), each training one unit at a time with its
 * own backend. Units wait in order for a free thread. stop() ends the running trainings within a
 * batch (their checkpoints are written) and resolves the waiting ones as aborted.
 */
import { Worker } from 'node:worker_threads';
import type { BackendChoice } from '../backend/select.js';
import type { DataSet } from '../data/dataset.js';
import type { EpochEvent } from '../train/events.js';
import type { UnitResult, UnitTask } from './unit.js';

/**
 * A unit's data goes with it only when it is not the thread's last unit's (the thread keeps that
 * one): the units of a sweep train on the same objects, and on what the thread prepared from them.
 */
export type ThreadRequest =
  { type: 'run'; task: Omit<UnitTask, 'data'>; data?: DataSet } | { type: 'threads'; n: number } | { type: 'stop' };
export type ThreadMessage =
  { type: 'epochs'; events: EpochEvent[] } | { type: 'done'; result: UnitResult } | { type: 'fatal'; message: string };

export interface PoolOptions {
  backend?: BackendChoice;
  /** Native kernel threads per training (default 1). */
  threads?: number;
}

interface Pending {
  task: UnitTask;
  onEpoch: (e: EpochEvent) => void;
  resolve: (r: UnitResult) => void;
}

/** The compiled thread script (tests import this file from src/; threads always run from dist/). */
function threadScript(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/sweep/thread-main.js', here) : new URL('./thread-main.js', here);
}

class TrainThread {
  readonly worker: Worker;
  current: Pending | null = null;
  /** The data of the last unit posted to this thread. */
  private data: DataSet | undefined;
  private kernelThreads: number;
  /** Why the thread could not start (its backend did not load): it is not replaced. */
  fatal: string | undefined;

  constructor(
    options: PoolOptions,
    private readonly onIdle: (t: TrainThread) => void,
    onExit: (t: TrainThread) => void,
  ) {
    this.kernelThreads = options.threads ?? 1;
    this.worker = new Worker(threadScript(), { workerData: { backend: options.backend, threads: this.kernelThreads } });
    this.worker.on('message', (m: ThreadMessage) => {
      if (m.type === 'epochs') for (const e of m.events) this.current?.onEpoch(e);
      else if (m.type === 'done') this.finish(m.result);
      else {
        this.fatal = m.message;
        this.fail(m.message);
      }
    });
    this.worker.on('error', (e) => this.fail(e.message));
    this.worker.on('exit', (code) => {
      this.fail(`training thread exited with code ${code}`);
      onExit(this);
    });
  }

  start(p: Pending): void {
    this.current = p;
    const { data, ...task } = p.task;
    this.worker.postMessage({ type: 'run', task, ...(data !== this.data ? { data } : {}) } satisfies ThreadRequest);
    this.data = data;
  }

  /** Kernel threads for the running training, from its next batch (a backend without cheap threads keeps its own). */
  useThreads(n: number): void {
    if (n === this.kernelThreads) return;
    this.kernelThreads = n;
    this.worker.postMessage({ type: 'threads', n } satisfies ThreadRequest);
  }

  private finish(r: UnitResult): void {
    const p = this.current;
    this.current = null;
    p?.resolve(r);
    this.onIdle(this);
  }

  private fail(message: string): void {
    const p = this.current;
    if (!p) return;
    this.current = null;
    p.resolve({ run: p.task.run, fold: p.task.fold, epochs: [], aborted: false, error: message });
  }
}

export class TrainPool {
  private readonly threads: TrainThread[] = [];
  private readonly waiting: Pending[] = [];
  private stopped = false;
  private closing = false;
  /** A thread's start-up failure (e.g. the backend asked for did not load). */
  fatal: string | undefined;

  constructor(
    readonly size: number,
    private readonly options: PoolOptions = {},
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`Expected a pool size >= 1 but received ${size}`);
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn(): void {
    const t = new TrainThread(
      this.options,
      (idle) => this.next(idle),
      (dead) => {
        this.threads.splice(this.threads.indexOf(dead), 1);
        if (dead.fatal !== undefined) this.fatal = dead.fatal;
        if (!this.closing && dead.fatal === undefined) this.spawn();
        else if (this.threads.length === 0) this.stop(); // nothing left to train on: the waiting units end
      },
    );
    this.threads.push(t);
    this.next(t);
  }

  private next(t: TrainThread): void {
    if (t.current || this.stopped) return;
    const p = this.waiting.shift();
    if (p) t.start(p);
    this.lend();
  }

  /**
   * Kernel threads per running training: its own, and once no unit waits (a sweep's last runs)
   * the idle threads' share too, so their cores are not left unused while the last runs end.
   */
  private lend(): void {
    const busy = this.threads.filter((t) => t.current);
    const own = this.options.threads ?? 1;
    const n = this.waiting.length > 0 ? own : Math.floor((own * this.threads.length) / Math.max(1, busy.length));
    for (const t of busy) t.useThreads(n);
  }

  /** Trains `task` on the next free thread. */
  run(task: UnitTask, onEpoch: (e: EpochEvent) => void = () => {}): Promise<UnitResult> {
    return new Promise((resolve) => {
      const p = { task, onEpoch, resolve };
      if (this.stopped) return resolve({ run: task.run, fold: task.fold, epochs: [], aborted: true });
      this.waiting.push(p);
      const idle = this.threads.find((t) => !t.current);
      if (idle) this.next(idle);
    });
  }

  /** Ends running trainings within a batch (checkpointed) and every waiting one, as aborted. */
  stop(): void {
    this.stopped = true;
    const ending = this.fatal === undefined ? { aborted: true } : { aborted: false, error: this.fatal };
    for (const p of this.waiting.splice(0)) p.resolve({ run: p.task.run, fold: p.task.fold, epochs: [], ...ending });
    for (const t of this.threads) if (t.current) t.worker.postMessage({ type: 'stop' } satisfies ThreadRequest);
  }

  /** Ends the threads (after stop() or when every run is done). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
