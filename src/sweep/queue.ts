/**
 * The sweep's side of the queue: each training becomes a BullMQ job (settings, where to read the
 * data and its SHA-256, the checkpoint path on shared storage); results come back as the job's
 * return value (with the model's bytes), epochs as its progress. Job ids are the sweep's id and
 * the training's name, so a resumed sweep finds the jobs that finished while it was away.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { Queue, QueueEvents } from 'bullmq';
import type { EpochEvent, StopEvent, TestEvent } from '../train/events.js';
import { SweepError } from './errors.js';
import { type BullMq, connectRedis, loadBullMq, type RedisClient } from './redis.js';
import type { DataSpec, SweepPlan } from './run-dir.js';
import type { Executor } from './sweep.js';
import { priorEpochs } from './train-unit.js';
import { dedupeEpochs, epochsFile, type UnitJob, type UnitResult, unitName } from './unit.js';

export const DEFAULT_QUEUE = 'native-mlp-train';
export const DEFAULT_ATTEMPTS = 3;

/** A job's data: the training (its model path is the worker's to choose) and the data to read. */
export interface QueuePayload {
  job: Omit<UnitJob, 'model'>;
  data: DataSpec;
  folds?: number;
}

/** A job's return value. */
export interface QueueReturn {
  epochs: EpochEvent[];
  stop?: StopEvent;
  test?: TestEvent;
  /** The model file, base64 (absent when the training failed for good: `error`). */
  model?: string;
  error?: string;
  seconds?: number;
}

export class QueueExecutor implements Executor {
  readonly workers = 0;
  private stopped = false;
  private removing: Promise<unknown> = Promise.resolve();
  private readonly waiting = new Map<string, { onEpoch: (e: EpochEvent) => void; abort: () => void }>();

  private constructor(
    private readonly bull: BullMq,
    private readonly connections: RedisClient[],
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly plan: SweepPlan,
    private readonly attempts: number,
  ) {
    events.on('progress', ({ jobId, data }: { jobId: string; data: unknown }) => {
      const w = this.waiting.get(jobId);
      if (w && typeof data === 'object' && data !== null && (data as EpochEvent).event === 'epoch') w.onEpoch(data as EpochEvent);
    });
  }

  static async connect(url: string, plan: SweepPlan, o: { queue?: string; attempts?: number } = {}): Promise<QueueExecutor> {
    const bull = await loadBullMq();
    const connection = await connectRedis(url);
    const name = o.queue ?? DEFAULT_QUEUE;
    const queue = new bull.Queue(name, { connection: connection as never });
    // QueueEvents blocks on its connection: its own, closed with the others.
    const listener = (connection as unknown as { duplicate(): RedisClient }).duplicate();
    const events = new bull.QueueEvents(name, { connection: listener as never });
    await events.waitUntilReady();
    // One waiter per training in flight (a sweep may have hundreds): not a leak.
    queue.setMaxListeners(0);
    events.setMaxListeners(0);
    return new QueueExecutor(bull, [connection, listener], queue, events, plan, o.attempts ?? DEFAULT_ATTEMPTS);
  }

  private jobId(job: UnitJob): string {
    return `${this.plan.id}_${unitName(job)}`;
  }

  async run(unit: UnitJob, onEpoch: (e: EpochEvent) => void): Promise<UnitResult> {
    const id = this.jobId(unit);
    const ids = { run: unit.run, fold: unit.fold };
    if (this.stopped) return { ...ids, epochs: [], aborted: true };
    const { model: _, ...job } = unit;
    const payload: QueuePayload = { job, data: this.plan.data, folds: this.plan.folds };
    let j = await this.queue.getJob(id);
    if (!j) {
      j = await this.queue.add('train', payload, {
        jobId: id,
        attempts: this.attempts,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
    } else if ((await j.getState()) === 'failed') await j.retry(); // a resumed sweep tries its failed trainings again
    let abort!: () => void;
    const aborted = new Promise<'aborted'>((resolve) => (abort = () => resolve('aborted')));
    this.waiting.set(id, { onEpoch, abort });
    try {
      const r = await Promise.race([j.waitUntilFinished(this.events) as Promise<QueueReturn>, aborted]);
      if (r === 'aborted') return { ...ids, epochs: [], aborted: true };
      if (r.error !== undefined || r.model === undefined)
        return { ...ids, epochs: r.epochs ?? [], aborted: false, error: r.error ?? 'no model came back' };
      writeFileSync(unit.model, Buffer.from(r.model, 'base64'));
      return { ...ids, epochs: r.epochs, stop: r.stop, test: r.test, aborted: false, seconds: r.seconds };
    } catch (e) {
      if (this.stopped) return { ...ids, epochs: [], aborted: true };
      // The epochs its workers recorded on shared storage before it failed.
      const epochs =
        existsSync(unit.checkpoint) || existsSync(epochsFile(unit.checkpoint)) ? dedupeEpochs(priorEpochs(unit.checkpoint)) : [];
      return {
        ...ids,
        epochs,
        aborted: false,
        error: `the job failed for good (${this.attempts} attempts, or its worker lost too often): ${(e as Error).message}`,
      };
    } finally {
      this.waiting.delete(id);
    }
  }

  /** Takes the sweep's waiting jobs off the queue; jobs being trained finish and are collected by a resume. */
  stop(): void {
    this.stopped = true;
    const ids = [...this.waiting.keys()];
    for (const w of this.waiting.values()) w.abort();
    this.removing = Promise.all(
      ids.map(async (id) => {
        const j = await this.queue.getJob(id);
        const state = await j?.getState();
        if (state === 'waiting' || state === 'delayed' || state === 'prioritized') await j!.remove().catch(() => {});
      }),
    ).catch(() => {});
  }

  async close(): Promise<void> {
    await this.removing;
    await this.events.close().catch(() => {});
    await this.queue.close().catch(() => {});
    for (const c of this.connections) c.disconnect();
  }
}

export { SweepError };
