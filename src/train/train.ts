/**
 * The training loop: the notebook's schedule (a fresh permutation each epoch, minibatches in
 * that order with the last partial batch divided by its own size, then the accuracy on the first
 * 10,000 training images), with the data set's loss head (classify or regress), an optimizer, a
 * learning-rate schedule, the validation split's metrics, early stopping, checkpoints and exact
 * resume, reporting through events rather than printing.
 *
 * The loop is one generator (`session`) that yields after every minibatch: `train` drives it on
 * the calling thread without ever yielding to the event loop (so timers and signal handlers
 * cannot run until it returns: stop it from onBatch/onEvent by returning false, or use an
 * AbortSignal from trainAsync or trainInWorker); `trainAsync` drives the same steps and gives
 * the event loop a turn every few milliseconds, so timers, AbortSignal.timeout and SIGINT work.
 */
import type { Backend } from '../backend/contract.js';
import { type DataSet, DataError, type Rows } from '../data/dataset.js';
import { initMlp } from '../nn/init.js';
import { backward, forward, type GradientTarget, Mlp, onBackend, onBackendMemory, Workspace } from '../nn/mlp.js';
import type { Targets } from '../nn/loss.js';
import { type InputMode, sparseInputFor } from '../nn/sparse-input.js';
import { Optimizer } from '../optim/optimizer.js';
import { addAlphaPenalty } from '../optim/alpha.js';
import { Schedule } from '../optim/schedule.js';
import { defaultRng, type Generator as RandomGenerator } from '../rng/index.js';
import { AheadBatches, epochOrder, gatherBatch, gatherWeights, targetBuffer } from './batches.js';
import { type Checkpoint, dataFingerprint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { checkConfig, type Preset, presetFor, type ResolvedConfig, resolveConfig, resolvePreset, type TrainConfig } from './config.js';
import type { DataSource } from './data-source.js';
import { atChance, CHANCE_EPOCHS, CHANCE_MESSAGE, checkFiniteWeights, mismatch } from './run-checks.js';
import { checkActivations } from '../nn/activation.js';
import { EarlyStopping } from './early-stopping.js';
import {
  type BatchProgress,
  type EpochEvent,
  NonFiniteLossError,
  type StopEvent,
  type TestEvent,
  type TrainEvent,
  TrainSetupError,
} from './events.js';
import { EVAL_ROWS } from '../infer/metrics.js';
import { epochEvent, startEvent, testEvent } from './session-events.js';
import { resolveClassWeights, rowWeights, totalWeight, trainingWeights } from './weights.js';

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

function* session(be: Backend, data: DataSet, partial: Partial<TrainConfig>, options: TrainOptions): Generator<void, TrainResult> {
  // Settings not given come from the data's preset, as fit() fills them (one set of defaults for
  // train, trainAsync, trainInWorker and fit).
  const preset = options.preset ?? presetFor(data);
  const config = resolvePreset(preset, data, partial);
  checkConfig(config);
  const c = resolveConfig(config);
  const { train: set, validation, test } = data;
  if (!(set.count >= 1)) throw new DataError(`${data.source}: the training set is empty; training needs at least one example`);
  if (c.earlyStopping > 0 && !validation && c.monitor !== 'trainingLoss') {
    throw new TrainSetupError(
      "Expected a validation split for early stopping but there is none: hold out a fraction of the training rows (--validation 0.1, or fit's validation option), pass data with a validation split, or stop on the training loss (--monitor trainingLoss)",
    );
  }
  if (c.monitor === 'validationAccuracy' && data.task === 'regress') {
    throw new TrainSetupError(
      'Expected monitor validationLoss for a regression run (there is no accuracy to watch) but received validationAccuracy',
    );
  }
  // Row weights (sample weight x class weight) for the loss; undefined where every row weighs 1.
  const classW = resolveClassWeights(c.classWeight, data);
  const trainW = trainingWeights(data, classW);
  const [validW, testW] = [validation && rowWeights(validation, classW), rowWeights(test, classW)];
  const lossTotal = totalWeight(trainW, set.count);
  const resumed = typeof options.resume === 'string' ? loadCheckpoint(options.resume) : options.resume;
  const resumeSource = typeof options.resume === 'string' ? options.resume : 'the checkpoint';
  const rng = options.rng ?? defaultRng(c.seed);
  let given: Mlp;
  if (resumed) {
    const why = mismatch(resumed, c, resumeSource);
    if (why) throw new TrainSetupError(why);
    given = new Mlp(resumed.sizes, undefined, undefined, checkActivations(c.activation, resumed.sizes.length - 2));
    given.params.set(
      resumed.params.length === given.params.length
        ? resumed.params
        : fail(`${resumeSource} holds ${resumed.params.length} parameters for layers ${resumed.sizes.join('-')}`),
    );
  } else {
    given =
      options.net ??
      initMlp([set.features, ...c.hidden, data.classes], rng, undefined, checkActivations(c.activation, c.hidden.length), c.init);
  }
  // Train on the backend's own memory, and hand the caller's network back: the caller's network
  // in place where the backend uses it so (a copy for WASM); a network drawn here, on a copy in
  // memory the backend allocates (native's rows then start on cache lines).
  const net = options.net && !resumed ? onBackend(be, given) : onBackendMemory(be, given);
  const done = (): Mlp => {
    if (net !== given) given.params.set(net.params);
    return given;
  };
  const sizes = [...net.sizes];
  if (net.inputs !== set.features || net.classes !== data.classes) {
    throw new TrainSetupError(
      `The network takes ${net.inputs} inputs and ${net.classes} outputs but the data has ${set.features} features and ${data.classes} ${data.task === 'regress' ? 'outputs' : 'classes'}`,
    );
  }
  const fingerprint = options.checkpoint || resumed ? dataFingerprint(set, validation, data.classes) : '';
  if (resumed && resumed.fingerprint !== fingerprint) {
    throw new TrainSetupError(
      `${resumeSource} was written for other data (a different training or validation set); resume on the same data`,
    );
  }

  const optimizer = new Optimizer(c, net.params.length, be.alloc);
  const schedule = new Schedule(c.lr, c, c.epochs);
  const early = c.earlyStopping > 0 ? new EarlyStopping(c.earlyStopping, c.monitor, net.params.length, c.tol) : null;
  let startEpoch = 1;
  let startBatch = 0;
  let startLoss = 0;
  if (resumed) {
    optimizer.restore({ step: resumed.optimizerStep, buffers: resumed.optimizer });
    schedule.restore(resumed.schedule);
    if (early && resumed.early && resumed.best) early.restore({ ...resumed.early, bestParams: resumed.best });
    rng.bitGenerator.setState(resumed.rng);
    startEpoch = resumed.epoch + 1;
    if (resumed.epoch >= c.epochs) {
      throw new TrainSetupError(
        `nothing to do: ${resumeSource} has ${resumed.epoch} epoch${resumed.epoch === 1 ? '' : 's'} done and this run asks for ${c.epochs} in all; pass --epochs (epochs) above ${resumed.epoch} to train more`,
      );
    }
    startBatch = resumed.batch;
    startLoss = resumed.lossSum;
  }

  // A batch larger than the data is the whole data each step (documented): the same steps as
  // batches of exactly the data's size, without the memory of the larger one.
  const batch = Math.min(c.batch, set.count);
  const ws = new Workspace(net, Math.max(batch, EVAL_ROWS), be.alloc, c.dropout > 0 ? batch : 0);
  const sparse = sparseInputFor(options.input ?? 'auto', set, batch, be.alloc);
  // Images are gathered one step ahead (on native's spare core); other data in the step.
  const images = set.inputs instanceof Uint8Array && set.targets instanceof Uint32Array;
  const ahead = images ? new AheadBatches(be, ws, set, batch, sparse) : undefined;
  const labels = targetBuffer(set, ws.rows, data.classes);
  const batchW = trainW && new Float32Array(ws.rows);
  const order = ahead ? ahead.order : new Uint32Array(set.count);
  const evalImages = Math.min(c.evalImages, set.count);
  const batches = Math.ceil(set.count / batch);
  const step: StepContext = { be, c, set, net, ws, optimizer, labels, batch, batches, order, ahead, batchW, trainW };
  if (resumed && resumed.batch >= batches)
    fail(`${resumeSource} is at batch ${resumed.batch} of an epoch of ${batches} batches; it was not written for this data and batch size`);
  let stopped = false;
  const emit = (e: TrainEvent) => {
    if (options.onEvent?.(e) === false) stopped = true;
  };
  let checkpointed = performance.now();
  const checkpointAt = (epochDone: number, batch: number, lossSum: number, rngState = rng.bitGenerator.getState()) => {
    if (!options.checkpoint) return;
    checkpointed = performance.now();
    const es = early?.state();
    saveCheckpoint(options.checkpoint, {
      config: c,
      sizes,
      epoch: epochDone,
      batch,
      lossSum,
      rng: rngState,
      schedule: schedule.state(),
      optimizerStep: optimizer.step,
      early: es ? { bestEpoch: es.bestEpoch, best: es.best, badEpochs: es.badEpochs } : null,
      fingerprint,
      source: options.source ?? resumed?.source ?? null,
      params: net.params,
      optimizer: optimizer.buffers,
      best: es ? es.bestParams : null,
    });
  };

  emit(startEvent(be, data, c, { preset, sizes, net, options, classW, resumed }));

  const epochs: EpochEvent[] = [];
  const interrupted = (reason: StopEvent['reason'], epoch: number, batch: number): TrainResult => {
    const stop: StopEvent = { event: 'stop', reason, epoch, batch };
    emit(stop);
    return { net: done(), epochs, stop, aborted: true, config: c };
  };
  for (let epoch = startEpoch; epoch <= c.epochs; epoch++) {
    const t0 = performance.now();
    const rngAtStart = rng.bitGenerator.getState();
    epochOrder(be, rng, order);
    const lr = schedule.lrFor(epoch);
    // The SGD step folds into backward unless alpha must first be added to the gradients.
    const target = optimizer.foldsIntoBackward && c.alpha === 0 ? ({ into: 'weights', lr } as const) : undefined;
    let lossSum = epoch === startEpoch ? startLoss : 0;
    for (let bi = epoch === startEpoch ? startBatch : 0; bi < batches; bi++) {
      const why = options.signal?.aborted ? 'aborted' : stopped ? 'callback' : null;
      if (why) {
        checkpointAt(epoch - 1, bi, lossSum, rngAtStart);
        return interrupted(why, epoch, bi);
      }
      const loss = trainStep(step, epoch, bi, lr, target);
      if (!Number.isFinite(loss) && !c.allowNonFinite) throw new NonFiniteLossError(epoch, bi + 1, lr);
      lossSum += loss;
      const seen = Math.min((bi + 1) * batch, set.count);
      if (options.onBatch?.({ epoch, batch: bi + 1, batches, rows: seen, images: seen }) === false) stopped = true;
      yield;
    }
    ahead?.restore();
    // ReLU maps NaN to 0, so NaN weights can leave the loss finite: the weights are checked too.
    if (!c.allowNonFinite) checkFiniteWeights(net.params, sizes, epoch);
    const seconds = (performance.now() - t0) / 1000;
    const e = epochEvent(be, net, data, ws, evalImages, validW, { epoch, lr, loss: lossSum / lossTotal, seconds });
    schedule.observe(epoch, e.validationLoss ?? e.loss);
    const watched = c.monitor === 'trainingLoss' ? e.loss : (e[c.monitor] as number);
    const stopNow = early?.observe(epoch, watched, net.params) ?? false;
    const due = performance.now() - checkpointed >= (options.checkpointSeconds ?? 0) * 1000;
    if (due) checkpointAt(epoch, 0, 0);
    epochs.push(e);
    emit(e);
    if (epoch - startEpoch + 1 === CHANCE_EPOCHS && data.task !== 'regress' && atChance(epochs, data.classes)) {
      emit({ event: 'warning', code: 'chance-loss', message: CHANCE_MESSAGE(epochs, data.classes) });
    }
    if (stopNow) break;
    if (epoch < c.epochs && (options.signal?.aborted || stopped)) {
      if (!due) checkpointAt(epoch, 0, 0);
      return interrupted(stopped ? 'callback' : 'aborted', epoch + 1, 0);
    }
  }
  let stop: StopEvent | undefined;
  if (early) {
    early.restoreBest(net.params);
    const last = epochs.at(-1)?.epoch ?? startEpoch - 1;
    const reason = last < c.epochs ? 'early-stopping' : 'completed';
    // The training loss: the last weights are kept (scikit-learn's rule), so no best epoch is named.
    stop = c.monitor === 'trainingLoss' ? { event: 'stop', reason, epoch: last } : { event: 'stop', reason, bestEpoch: early.bestEpoch };
    emit(stop);
  }
  if (test.count === 0) return { net: done(), epochs, stop, aborted: false, config: c };
  const tested = testEvent(be, net, data, ws, testW);
  emit(tested);
  return { net: done(), epochs, stop, test: tested, aborted: false, config: c };
}

/** What every minibatch step of a run reads: fixed for the run. */
interface StepContext {
  be: Backend;
  c: ResolvedConfig;
  set: Rows;
  net: Mlp;
  ws: Workspace;
  optimizer: Optimizer;
  labels: Targets;
  batch: number;
  batches: number;
  order: Uint32Array;
  ahead: AheadBatches | undefined;
  batchW: Float32Array | undefined;
  trainW: Float32Array | undefined;
}

/**
 * Minibatch `bi` of an epoch: gathered, forward, backward (the SGD update folded in when `target`
 * says so), alpha's penalty, the optimizer's update; returns the batch's summed loss. A function
 * of its own, apart from the session generator, so the optimising compiler works on the step alone.
 */
function trainStep(s: StepContext, epoch: number, bi: number, lr: number, target: GradientTarget | undefined): number {
  const { be, c, set, net, ws, optimizer, labels, batch, batches, order, ahead, batchW, trainW } = s;
  const start = bi * batch;
  const rows = Math.min(batch, set.count - start);
  const x = ahead?.take(start, rows, labels as Uint32Array);
  if (!ahead) gatherBatch(be, ws.X, labels, set, order, start, rows);
  if (batchW) gatherWeights(batchW, trainW!, order, start, rows);
  // The next batch of this epoch is gathered while the rest of the step runs.
  const next = start + batch;
  // Dropout's masks follow the step's position in the run (nn/dropout.ts), so a resumed run draws the same.
  const drop = c.dropout > 0 ? { p: c.dropout, seed: c.seed, step: (epoch - 1) * batches + bi } : undefined;
  forward(be, net, ws, rows, x, ahead && bi + 1 < batches ? () => ahead.begin(next, Math.min(batch, set.count - next)) : undefined, drop);
  let loss = backward(be, net, ws, labels, rows, target, x, batchW, drop);
  // alpha is scaled by the batch's rows, or its summed weight (a batch weighing 0 adds nothing).
  const norm = batchW ? totalWeight(batchW.subarray(0, rows), 0) : rows;
  if (c.alpha > 0 && norm > 0) loss += addAlphaPenalty(be, net, ws.grads, c.alpha, norm); // summed over the batch's rows
  if (target) optimizer.countFoldedStep();
  else optimizer.update(be, net.params, ws.grads.params, lr);
  return loss;
}

function fail(msg: string): never {
  throw new TrainSetupError(msg);
}
