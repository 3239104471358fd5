/**
 * The training loop: the notebook's schedule (a fresh permutation each epoch, minibatches in
 * that order with the last partial batch divided by its own size, SGD, then the accuracy on the
 * first 10,000 training images), reporting through events rather than printing.
 */
import { DataError } from '../data/idx.js';
import type { Backend } from '../backend/contract.js';
import type { DataSet } from '../data/mnist.js';
import { initMlp } from '../nn/init.js';
import { forward, type Mlp, onBackend, trainStep, Workspace } from '../nn/mlp.js';
import { type InputMode, sparseInputFor } from '../nn/sparse-input.js';
import { defaultRng, type Generator } from '../rng/index.js';
import { gatherBatch, gatherSparseBatch } from './batches.js';
import { EVAL_ROWS, evaluate } from './metrics.js';

export interface TrainConfig {
  epochs: number;
  batch: number;
  lr: number;
  /** Hidden layer sizes: [128] for the notebook. */
  hidden: number[];
  seed: number;
  /** Training images the per-epoch accuracy is measured on (the first N). */
  evalImages: number;
}

/** The notebook's settings. */
export const NOTEBOOK_CONFIG: Readonly<TrainConfig> = Object.freeze({
  epochs: 8, batch: 128, lr: 0.1, hidden: [128], seed: 0, evalImages: 10000,
});

export interface StartEvent {
  event: 'start';
  backend: string;
  isa: string;
  threads: number;
  layers: number[];
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  trainImages: number;
  testImages: number;
  data: string;
}

export interface EpochEvent {
  event: 'epoch';
  epoch: number;
  /** Accuracy on the first evalImages training images after the epoch. */
  trainAccuracy: number;
  /** Mean cross-entropy of the epoch's minibatches, as they were trained. */
  loss: number;
  /** Seconds of the training pass (not counting the accuracy pass). */
  seconds: number;
  imagesPerSecond: number;
  evalSeconds: number;
}

export interface TestEvent {
  event: 'test';
  testAccuracy: number;
  testLoss: number;
}

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  images: number;
}

export type TrainEvent = StartEvent | EpochEvent | TestEvent;

export interface TrainOptions {
  onEvent?: (e: TrainEvent) => void;
  /** Called after every minibatch; keep it cheap. */
  onBatch?: (p: BatchProgress) => void;
  /** Checked before every minibatch; an aborted signal stops the run after the last completed step. */
  signal?: AbortSignal;
  /**
   * Train this network further instead of drawing new weights (its sizes must fit the data).
   * The seed then only drives the epoch order.
   */
  net?: Mlp;
  /**
   * The random stream the epoch order is drawn from (default: default_rng(seed)). Pass the
   * generator that drew `net`'s weights to keep the notebook's single stream.
   */
  rng?: Generator;
  /**
   * How the first layer reads the batches: 'auto' (default) compresses them when the training
   * images are mostly zeros (nn/sparse-input.ts), 'dense' never, 'sparse' always. Same results
   * bit for bit; only the speed differs.
   */
  input?: InputMode;
}

export interface TrainResult {
  /** The trained network; after an abort, as of the last completed step. */
  net: Mlp;
  epochs: EpochEvent[];
  /** Absent when the run was aborted. */
  test?: TestEvent;
  aborted: boolean;
}


export function checkConfig(c: TrainConfig): void {
  const bad = (what: string, v: unknown) => {
    throw new RangeError(`Expected ${what} but received ${JSON.stringify(v)}`);
  };
  if (!Number.isInteger(c.epochs) || c.epochs < 1) bad('epochs to be an integer >= 1', c.epochs);
  if (!Number.isInteger(c.batch) || c.batch < 1) bad('batch to be an integer >= 1', c.batch);
  if (!(Number.isFinite(c.lr) && c.lr > 0)) bad('lr to be a finite number > 0', c.lr);
  if (!Array.isArray(c.hidden) || c.hidden.some((h) => !Number.isInteger(h) || h < 1)) bad('hidden to be sizes >= 1', c.hidden);
  if (!Number.isSafeInteger(c.seed) || c.seed < 0) bad('seed to be an integer >= 0', c.seed);
  if (!Number.isInteger(c.evalImages) || c.evalImages < 0) bad('evalImages to be an integer >= 0', c.evalImages);
}

export function train(be: Backend, data: DataSet, config: TrainConfig, options: TrainOptions = {}): TrainResult {
  checkConfig(config);
  const { train: set, test } = data;
  if (!(set.count >= 1)) throw new DataError(`${data.source}: the training set is empty; training needs at least one example`);
  const rng = options.rng ?? defaultRng(config.seed);
  const given = options.net ?? initMlp([set.features, ...config.hidden, data.classes], rng);
  // Train on the backend's own memory (a copy for WASM), and hand the caller's network back.
  const net = onBackend(be, given);
  const done = (): Mlp => {
    if (net !== given) given.params.set(net.params);
    return given;
  };
  const sizes = [...net.sizes];
  if (net.inputs !== set.features || net.classes !== data.classes) {
    throw new RangeError(
      `The network takes ${net.inputs} inputs and ${net.classes} classes but the data has ${set.features} pixels and ${data.classes} classes`,
    );
  }
  const ws = new Workspace(net, Math.max(config.batch, EVAL_ROWS), be.alloc);
  const labels = new Uint8Array(ws.rows);
  const sparse = sparseInputFor(options.input ?? 'auto', set, config.batch, be.name);
  const order = new Uint32Array(set.count);
  const evalImages = Math.min(config.evalImages, set.count);
  const batches = Math.ceil(set.count / config.batch);
  const emit = options.onEvent ?? (() => {});

  emit({
    event: 'start', backend: be.name, isa: be.isa(), threads: be.getThreads(), layers: sizes,
    epochs: config.epochs, batch: config.batch, lr: config.lr, seed: config.seed,
    trainImages: set.count, testImages: test.count, data: data.source,
  });

  const epochs: EpochEvent[] = [];
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const t0 = performance.now();
    rng.permutationInto(order);
    let lossSum = 0;
    for (let bi = 0; bi < batches; bi++) {
      if (options.signal?.aborted) return { net: done(), epochs, aborted: true };
      const start = bi * config.batch;
      const rows = Math.min(config.batch, set.count - start);
      if (sparse) gatherSparseBatch(be, sparse, labels, set, order, start, rows);
      else gatherBatch(be, ws.X, labels, set, order, start, rows);
      forward(be, net, ws, rows, sparse);
      lossSum += trainStep(be, net, ws, labels, rows, config.lr, sparse);
      options.onBatch?.({ epoch, batch: bi + 1, batches, images: start + rows });
    }
    const seconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const { accuracy } = evaluate(be, net, set, evalImages, ws);
    const e: EpochEvent = {
      event: 'epoch', epoch, trainAccuracy: accuracy, loss: lossSum / set.count,
      seconds, imagesPerSecond: set.count / seconds, evalSeconds: (performance.now() - t1) / 1000,
    };
    epochs.push(e);
    emit(e);
  }
  const result = evaluate(be, net, test, test.count, ws);
  const testEvent: TestEvent = { event: 'test', testAccuracy: result.accuracy, testLoss: result.loss };
  emit(testEvent);
  return { net: done(), epochs, test: testEvent, aborted: false };
}
