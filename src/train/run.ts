/**
 * One training's state between the steps of train.ts's generator: set up once (settings, network,
 * optimizer, resume), then advanced a minibatch at a time and closed an epoch at a time.
 *
 * A class rather than the generator's locals, for the optimising compiler: the setup runs once per
 * training and is never compiled; the generator that is left is a few lines; and every training
 * in a thread uses objects of this one shape, so the per-batch code is compiled once per thread
 * instead of again for each run (a sweep's thread trains many).
 */
import type { Backend } from '../backend/contract.js';
import { type DataSet, DataError, type Rows } from '../data/dataset.js';
import { initMlp } from '../nn/init.js';
import { backward, forward, type GradientTarget, Mlp, onBackend, onBackendMemory, Workspace } from '../nn/mlp.js';
import type { Targets } from '../nn/loss.js';
import { sparseInputFor } from '../nn/sparse-input.js';
import { Optimizer } from '../optim/optimizer.js';
import { addAlphaPenalty } from '../optim/alpha.js';
import { Schedule } from '../optim/schedule.js';
import { defaultRng, type Generator as RandomGenerator } from '../rng/index.js';
import { AheadBatches, epochOrder, gatherBatch, gatherWeights, targetBuffer } from './batches.js';
import { type Checkpoint, dataFingerprint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { checkConfig, type Preset, presetFor, type ResolvedConfig, resolveConfig, resolvePreset, type TrainConfig } from './config.js';
import { atChance, CHANCE_EPOCHS, CHANCE_MESSAGE, checkFiniteWeights, mismatch } from './run-checks.js';
import { checkActivations } from '../nn/activation.js';
import { EarlyStopping } from './early-stopping.js';
import { type EpochEvent, NonFiniteLossError, type StopEvent, type TestEvent, type TrainEvent, TrainSetupError } from './events.js';
import { EVAL_ROWS } from '../infer/metrics.js';
import { epochEvent, startEvent, testEvent } from './session-events.js';
import { resolveClassWeights, rowWeights, totalWeight, trainingWeights } from './weights.js';
import type { TrainOptions, TrainResult } from './train.js';

export class TrainingRun {
  readonly c: ResolvedConfig;
  /** Minibatches per epoch. */
  readonly batches: number;
  /** The first epoch this call trains (after a resume, the one after the checkpoint's). */
  readonly startEpoch: number;
  /** Early stopping ended the run after the epoch last closed. */
  ended = false;
  private readonly epochs: EpochEvent[] = [];
  private readonly data: DataSet;
  // The options the steps read, taken out of the caller's object (whose shape varies by caller).
  private readonly signal: AbortSignal | undefined;
  private readonly onBatch: TrainOptions['onBatch'];
  private readonly onEvent: TrainOptions['onEvent'];
  private readonly checkpointFile: string | undefined;
  private readonly checkpointSeconds: number;
  private readonly source: TrainOptions['source'];
  private readonly given: Mlp;
  private readonly sizes: number[];
  private readonly rng: RandomGenerator;
  private readonly step: StepContext;
  private readonly schedule: Schedule;
  private readonly early: EarlyStopping | null;
  private readonly fingerprint: string;
  private readonly resumed: Checkpoint | undefined;
  private readonly validW: Float32Array | undefined;
  private readonly testW: Float32Array | undefined;
  private readonly lossTotal: number;
  private readonly evalImages: number;
  private readonly startBatch: number;
  private readonly startLoss: number;
  /** A callback returned false: the run stops after the current step. */
  private stopped = false;
  private checkpointed = performance.now();
  // The epoch being trained:
  private t0 = 0;
  private rngAtStart: ReturnType<RandomGenerator['bitGenerator']['getState']> | undefined;
  private lr = 0;
  private target: GradientTarget | undefined;
  private lossSum = 0;

  constructor(be: Backend, data: DataSet, partial: Partial<TrainConfig>, options: TrainOptions) {
    this.data = data;
    this.signal = options.signal;
    this.onBatch = options.onBatch;
    this.onEvent = options.onEvent;
    this.checkpointFile = options.checkpoint;
    this.checkpointSeconds = options.checkpointSeconds ?? 0;
    this.source = options.source;
    // Settings not given come from the data's preset, as fit() fills them (one set of defaults for
    // train, trainAsync, trainInWorker and fit).
    const preset: Preset = options.preset ?? presetFor(data);
    const config = resolvePreset(preset, data, partial);
    checkConfig(config);
    const c = (this.c = resolveConfig(config));
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
    this.validW = validation && rowWeights(validation, classW);
    this.testW = rowWeights(test, classW);
    this.lossTotal = totalWeight(trainW, set.count);
    const resumed = (this.resumed = typeof options.resume === 'string' ? loadCheckpoint(options.resume) : options.resume);
    const resumeSource = typeof options.resume === 'string' ? options.resume : 'the checkpoint';
    const rng = (this.rng = options.rng ?? defaultRng(c.seed));
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
    this.given = given;
    // Train on the backend's own memory, and hand the caller's network back: the caller's network
    // in place where the backend uses it so (a copy for WASM); a network drawn here, on a copy in
    // memory the backend allocates (native's rows then start on cache lines).
    const net = options.net && !resumed ? onBackend(be, given) : onBackendMemory(be, given);
    this.sizes = [...net.sizes];
    if (net.inputs !== set.features || net.classes !== data.classes) {
      throw new TrainSetupError(
        `The network takes ${net.inputs} inputs and ${net.classes} outputs but the data has ${set.features} features and ${data.classes} ${data.task === 'regress' ? 'outputs' : 'classes'}`,
      );
    }
    this.fingerprint = options.checkpoint || resumed ? dataFingerprint(set, validation, data.classes) : '';
    if (resumed && resumed.fingerprint !== this.fingerprint) {
      throw new TrainSetupError(
        `${resumeSource} was written for other data (a different training or validation set); resume on the same data`,
      );
    }

    const optimizer = new Optimizer(c, net.params.length, be.alloc);
    this.schedule = new Schedule(c.lr, c, c.epochs);
    this.early = c.earlyStopping > 0 ? new EarlyStopping(c.earlyStopping, c.monitor, net.params.length, c.tol) : null;
    this.startEpoch = 1;
    this.startBatch = 0;
    this.startLoss = 0;
    if (resumed) {
      optimizer.restore({ step: resumed.optimizerStep, buffers: resumed.optimizer });
      this.schedule.restore(resumed.schedule);
      if (this.early && resumed.early && resumed.best) this.early.restore({ ...resumed.early, bestParams: resumed.best });
      rng.bitGenerator.setState(resumed.rng);
      this.startEpoch = resumed.epoch + 1;
      if (resumed.epoch >= c.epochs) {
        throw new TrainSetupError(
          `nothing to do: ${resumeSource} has ${resumed.epoch} epoch${resumed.epoch === 1 ? '' : 's'} done and this run asks for ${c.epochs} in all; pass --epochs (epochs) above ${resumed.epoch} to train more`,
        );
      }
      this.startBatch = resumed.batch;
      this.startLoss = resumed.lossSum;
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
    this.evalImages = Math.min(c.evalImages, set.count);
    const batches = (this.batches = Math.ceil(set.count / batch));
    this.step = { be, c, set, net, ws, optimizer, labels, batch, batches, order, ahead, batchW, trainW };
    if (resumed && resumed.batch >= batches)
      fail(
        `${resumeSource} is at batch ${resumed.batch} of an epoch of ${batches} batches; it was not written for this data and batch size`,
      );
    this.emit(startEvent(be, data, c, { preset, sizes: this.sizes, net, options, classW, resumed }));
  }

  /** Draws the epoch's order and learning rate; returns the epoch's first minibatch. */
  beginEpoch(epoch: number): number {
    this.t0 = performance.now();
    this.rngAtStart = this.rng.bitGenerator.getState();
    epochOrder(this.step.be, this.rng, this.step.order);
    this.lr = this.schedule.lrFor(epoch);
    // The SGD step folds into backward unless alpha must first be added to the gradients.
    this.target = this.step.optimizer.foldsIntoBackward && this.c.alpha === 0 ? { into: 'weights', lr: this.lr } : undefined;
    const first = epoch === this.startEpoch;
    this.lossSum = first ? this.startLoss : 0;
    return first ? this.startBatch : 0;
  }

  /** Trains minibatch `bi`; returns the run's result instead when it was stopped before it. */
  trainBatch(epoch: number, bi: number): TrainResult | undefined {
    const why = this.signal?.aborted ? 'aborted' : this.stopped ? 'callback' : null;
    if (why) {
      this.checkpointAt(epoch - 1, bi, this.lossSum, this.rngAtStart!);
      return this.interrupted(why, epoch, bi);
    }
    const loss = trainStep(this.step, epoch, bi, this.lr, this.target);
    if (!Number.isFinite(loss) && !this.c.allowNonFinite) throw new NonFiniteLossError(epoch, bi + 1, this.lr);
    this.lossSum += loss;
    const { batch, batches, set } = this.step;
    const seen = Math.min((bi + 1) * batch, set.count);
    if (this.onBatch?.({ epoch, batch: bi + 1, batches, rows: seen, images: seen }) === false) this.stopped = true;
    return undefined;
  }

  /**
   * Scores the epoch, checkpoints it when due and reports it; sets `ended` when early stopping
   * ends the run here. Returns the run's result instead when it was stopped meanwhile.
   */
  endEpoch(epoch: number): TrainResult | undefined {
    const { be, c, net, ws } = this.step;
    this.step.ahead?.restore();
    // ReLU maps NaN to 0, so NaN weights can leave the loss finite: the weights are checked too.
    if (!c.allowNonFinite) checkFiniteWeights(net.params, this.sizes, epoch);
    const seconds = (performance.now() - this.t0) / 1000;
    const e = epochEvent(be, net, this.data, ws, this.evalImages, this.validW, {
      epoch,
      lr: this.lr,
      loss: this.lossSum / this.lossTotal,
      seconds,
    });
    this.schedule.observe(epoch, e.validationLoss ?? e.loss);
    const watched = c.monitor === 'trainingLoss' ? e.loss : (e[c.monitor] as number);
    this.ended = this.early?.observe(epoch, watched, net.params) ?? false;
    const due = performance.now() - this.checkpointed >= this.checkpointSeconds * 1000;
    if (due) this.checkpointAt(epoch, 0, 0);
    this.epochs.push(e);
    this.emit(e);
    if (epoch - this.startEpoch + 1 === CHANCE_EPOCHS && this.data.task !== 'regress' && atChance(this.epochs, this.data.classes)) {
      this.emit({ event: 'warning', code: 'chance-loss', message: CHANCE_MESSAGE(this.epochs, this.data.classes) });
    }
    if (this.ended) return undefined;
    if (epoch < c.epochs && (this.signal?.aborted || this.stopped)) {
      if (!due) this.checkpointAt(epoch, 0, 0);
      return this.interrupted(this.stopped ? 'callback' : 'aborted', epoch + 1, 0);
    }
    return undefined;
  }

  /** After the last epoch: early stopping's best weights back, the test split scored. */
  finish(): TrainResult {
    const { be, c, net, ws } = this.step;
    const { epochs, early } = this;
    let stop: StopEvent | undefined;
    if (early) {
      early.restoreBest(net.params);
      const last = epochs.at(-1)?.epoch ?? this.startEpoch - 1;
      const reason = last < c.epochs ? 'early-stopping' : 'completed';
      // The training loss: the last weights are kept (scikit-learn's rule), so no best epoch is named.
      stop = c.monitor === 'trainingLoss' ? { event: 'stop', reason, epoch: last } : { event: 'stop', reason, bestEpoch: early.bestEpoch };
      this.emit(stop);
    }
    if (this.data.test.count === 0) return { net: this.done(), epochs, stop, aborted: false, config: c };
    const tested: TestEvent = testEvent(be, net, this.data, ws, this.testW);
    this.emit(tested);
    return { net: this.done(), epochs, stop, test: tested, aborted: false, config: c };
  }

  private emit(e: TrainEvent): void {
    if (this.onEvent?.(e) === false) this.stopped = true;
  }

  /** The caller's network, with the trained weights (see the constructor). */
  private done(): Mlp {
    if (this.step.net !== this.given) this.given.params.set(this.step.net.params);
    return this.given;
  }

  private interrupted(reason: StopEvent['reason'], epoch: number, batch: number): TrainResult {
    const stop: StopEvent = { event: 'stop', reason, epoch, batch };
    this.emit(stop);
    return { net: this.done(), epochs: this.epochs, stop, aborted: true, config: this.c };
  }

  private checkpointAt(epochDone: number, batch: number, lossSum: number, rngState = this.rng.bitGenerator.getState()): void {
    const { checkpointFile, early, schedule } = this;
    const { optimizer, net } = this.step;
    if (!checkpointFile) return;
    this.checkpointed = performance.now();
    const es = early?.state();
    saveCheckpoint(checkpointFile, {
      config: this.c,
      sizes: this.sizes,
      epoch: epochDone,
      batch,
      lossSum,
      rng: rngState,
      schedule: schedule.state(),
      optimizerStep: optimizer.step,
      early: es ? { bestEpoch: es.bestEpoch, best: es.best, badEpochs: es.badEpochs } : null,
      fingerprint: this.fingerprint,
      source: this.source ?? this.resumed?.source ?? null,
      params: net.params,
      optimizer: optimizer.buffers,
      best: es ? es.bestParams : null,
    });
  }
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
 * of its own, so the optimising compiler works on the step alone.
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
