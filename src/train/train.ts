/**
 * The training loop: the notebook's schedule (a fresh permutation each epoch, minibatches in
 * that order with the last partial batch divided by its own size, then the accuracy on the first
 * 10,000 training images), with the data set's loss head (classify or regress), an optimizer, a
 * learning-rate schedule, the validation split's metrics, early stopping, checkpoints and exact
 * resume, reporting through events rather than printing.
 *
 * The loop is one generator (`session`, over a TrainingRun: run.ts) that yields after every
 * minibatch: `train` drives it on the calling thread without ever yielding to the event loop (so
 * timers and signal handlers cannot run until it returns: stop it from onBatch/onEvent by
 * returning false, or use an AbortSignal from trainAsync or trainInWorker); `trainAsync` drives
 * the same steps and gives the event loop a turn every few milliseconds, so timers,
 * AbortSignal.timeout and SIGINT work.
 */
import type { Backend } from '../backend/contract.js';
import type { DataSet } from '../data/dataset.js';
import type { Mlp } from '../nn/mlp.js';
import type { InputMode } from '../nn/sparse-input.js';
import type { Generator as RandomGenerator } from '../rng/index.js';
import type { Checkpoint } from './checkpoint.js';
import type { Preset, ResolvedConfig, TrainConfig } from './config.js';
import type { DataSource } from './data-source.js';
import type { BatchProgress, EpochEvent, StopEvent, TestEvent, TrainEvent } from './events.js';
import { TrainingRun } from './run.js';

export * from './config.js';
export * from './events.js';

export interface TrainOptions {
  /** Every event; return false to stop the run (a 'stop' event with reason 'callback' follows). */
  onEvent?: (e: TrainEvent) => unknown;
  /** Called after every minibatch; keep it cheap. Return false to stop after this batch. */
  onBatch?: (p: BatchProgress) => unknown;
  /** Checked before every minibatch; an aborted signal stops the run after the last completed step. */
  signal?: AbortSignal;
  /**
   * Train this network further instead of drawing new weights (its sizes must fit the data).
   * The seed then only drives the epoch order.
   */
  net?: Mlp;
  /**
   * How `net` was made, as the start event's `init` names it: the scheme that drew it while the
   * data loaded ('notebook', 'he' ...), or 'from FILE' for a warm start (default 'given').
   */
  netOrigin?: string;
  /** A warm start's model file, for the start event's `warmStart`. */
  warmStart?: string;
  /**
   * The run's data source, written into each checkpoint so that a resume needs nothing else
   * (fit records it for data read from files). A resumed run keeps its checkpoint's.
   */
  source?: DataSource;
  /**
   * The random stream the epoch order is drawn from (default: default_rng(seed)). Pass the
   * generator that drew `net`'s weights to keep the notebook's single stream.
   */
  rng?: RandomGenerator;
  /** Write a checkpoint to this file (atomically) after every epoch, and when the run is stopped. */
  checkpoint?: string;
  /**
   * Skip an epoch's checkpoint until this many seconds have passed since the last one (default 0:
   * every epoch); a stopped run still writes one. Short runs then pay no file writes per epoch.
   */
  checkpointSeconds?: number;
  /**
   * Continue the run a checkpoint (file or loaded) describes. The config must be the
   * checkpoint's except for epochs, and the data the same (checked by fingerprint).
   */
  resume?: string | Checkpoint;
  /**
   * How the first layer reads the batches: 'auto' (default) compresses them when the training
   * images are mostly zeros (nn/sparse-input.ts), 'dense' never, 'sparse' always. Same results
   * bit for bit; only the speed differs.
   */
  input?: InputMode;
  /** Which defaults the config came from (fit's choice), for the start event. */
  preset?: Preset;
}

export interface TrainResult {
  /** The trained network; after an abort, as of the last completed step. */
  net: Mlp;
  /** The epochs this call trained. */
  epochs: EpochEvent[];
  /** Why the run ended early, or which epoch early stopping kept. */
  stop?: StopEvent;
  /** Absent when the run was stopped before its end. */
  test?: TestEvent;
  aborted: boolean;
  /** Every setting the run trained with: the caller's over the data's preset, filled in. */
  config: ResolvedConfig;
}

/** Trains on the calling thread; blocks until done (see the file comment for stopping it). */
export function train(be: Backend, data: DataSet, config: Partial<TrainConfig> = {}, options: TrainOptions = {}): TrainResult {
  const steps = session(be, data, config, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** train() that lets the event loop run every `sliceMs` milliseconds (timers, signals, I/O). */
export async function trainAsync(
  be: Backend,
  data: DataSet,
  config: Partial<TrainConfig> = {},
  options: TrainOptions = {},
  sliceMs = 25,
): Promise<TrainResult> {
  const steps = session(be, data, config, options);
  let since = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - since >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
}

/** The run (train/run.ts) a minibatch at a time, yielding after each. */
function* session(be: Backend, data: DataSet, partial: Partial<TrainConfig>, options: TrainOptions): Generator<void, TrainResult> {
  const run = new TrainingRun(be, data, partial, options);
  for (let epoch = run.startEpoch; epoch <= run.c.epochs && !run.ended; epoch++) {
    for (let bi = run.beginEpoch(epoch); bi < run.batches; bi++) {
      const stopped = run.trainBatch(epoch, bi);
      if (stopped) return stopped;
      yield;
    }
    const stopped = run.endEpoch(epoch);
    if (stopped) return stopped;
  }
  return run.finish();
}
