/**
 * `native-mlp worker`: takes sweep trainings from the BullMQ queue and trains them on local
 * threads (as many as --concurrency). The data is read from its location, checked against the
 * job's SHA-256 and kept for the next job of the same sweep. Every epoch is checkpointed to the
 * job's path on shared storage; a job whose worker died is picked up again (BullMQ's stalled-job
 * check) and resumes there, so it ends as if never interrupted.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendChoice } from '../backend/select.js';
import type { DataSet } from '../data/dataset.js';
import { UnitData } from './data.js';
import { TrainPool } from './pool.js';
import { DEFAULT_QUEUE, type QueuePayload, type QueueReturn } from './queue.js';
import { connectRedis, loadBullMq } from './redis.js';
import { loadSweepData } from './source.js';
import { unitName } from './unit.js';

export interface QueueWorkerOptions {
  redis: string;
  queue?: string;
  /** Trainings at once (default 1), each on its own thread. */
  concurrency?: number;
  backend?: BackendChoice;
  /** Native kernel threads per training (default 1). */
  threads?: number;
  /** How long a job's lock lasts without renewal: a dead worker's job is retried after about this long (default 30). */
  lockSeconds?: number;
  /** Times a job may be found abandoned (its worker died) before it fails (default 2). */
  maxStalled?: number;
  onEvent?: (e: QueueWorkerEvent) => void;
}

export type QueueWorkerEvent =
  | { event: 'ready'; queue: string; concurrency: number }
  | { event: 'job'; id: string; run: number; fold?: number; resumed: boolean }
  | { event: 'done'; id: string; run: number; fold?: number; error?: string }
  | { event: 'failed'; id: string; message: string };

export interface QueueWorker {
  /** Stops taking jobs; running trainings are checkpointed and left for another worker. */
  close(): Promise<void>;
}

/**
 * The data of the sweeps whose jobs came last, cached by where it comes from, its hash and its
 * folds; a worker that serves sweep after sweep (a nightly retrain) keeps only the recent ones.
 */
export class DataCache {
  private readonly loaded = new Map<string, Promise<UnitData>>();

  async get(p: QueuePayload): Promise<DataSet> {
    const key = JSON.stringify([p.data, p.folds]);
    let sweepData = this.loaded.get(key);
    this.loaded.delete(key); // set again below: the Map's order is the order of last use
    if (!sweepData) {
      sweepData = loadSweepData(p.data).then(({ data }) => new UnitData(data, p.folds));
      const failed = sweepData;
      failed.catch(() => this.loaded.get(key) === failed && this.loaded.delete(key)); // a failed download is tried again by the next attempt
    }
    this.loaded.set(key, sweepData);
    if (this.loaded.size > CACHED_SWEEPS) this.loaded.delete(this.loaded.keys().next().value!);
    return (await sweepData).get(p.job.fold);
  }
}

/** Sweeps whose data a worker keeps (more than run at once on one queue, usually one). */
const CACHED_SWEEPS = 4;

export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  const bull = await loadBullMq();
  const connection = await connectRedis(o.redis);
  const name = o.queue ?? DEFAULT_QUEUE;
  const concurrency = o.concurrency ?? 1;
  const pool = new TrainPool(concurrency, { backend: o.backend, threads: o.threads ?? 1 });
  const cache = new DataCache();
  const tmp = mkdtempSync(join(tmpdir(), 'native-mlp-worker-'));
  const emit = (e: QueueWorkerEvent) => o.onEvent?.(e);
  let closing = false;
  const lockDuration = (o.lockSeconds ?? 30) * 1000;
  const worker = new bull.Worker(
    name,
    async (job) => {
      const p = job.data as QueuePayload;
      const id = String(job.id);
      const data = await cache.get(p);
      const model = join(tmp, `${unitName(p.job)}-${process.pid}.safetensors`);
      const { existsSync } = await import('node:fs');
      emit({ event: 'job', id, run: p.job.run, fold: p.job.fold, resumed: existsSync(p.job.checkpoint) });
      const r = await pool.run({ ...p.job, model, data }, (e) => void job.updateProgress(e as never).catch(() => {}));
      // Stopping: the training is checkpointed; never settle, so the job stays ours until the lock lapses and another worker resumes it.
      if (r.aborted || closing) return new Promise<never>(() => {});
      emit({ event: 'done', id, run: p.job.run, fold: p.job.fold, error: r.error });
      // A training that failed by itself (diverged, a bad setting) fails again on retry: reported, not retried.
      if (r.error !== undefined) return { epochs: r.epochs, error: r.error, seconds: r.seconds } satisfies QueueReturn;
      const bytes = readFileSync(model);
      rmSync(model, { force: true });
      return { epochs: r.epochs, stop: r.stop, test: r.test, model: bytes.toString('base64'), seconds: r.seconds } satisfies QueueReturn;
    },
    {
      connection: connection as never,
      concurrency,
      lockDuration,
      stalledInterval: Math.max(1000, lockDuration / 2),
      maxStalledCount: o.maxStalled ?? 2,
    },
  );
  worker.on('failed', (job, err) => emit({ event: 'failed', id: String(job?.id), message: err.message }));
  worker.on('error', () => {}); // connection trouble: ioredis reconnects; jobs show it by not finishing
  await worker.waitUntilReady();
  emit({ event: 'ready', queue: name, concurrency });
  return {
    async close() {
      closing = true;
      pool.stop();
      await worker.close(true).catch(() => {});
      await pool.close();
      await connection.quit().catch(() => {});
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
