/** The events a TrainingRun (run.ts) builds: the run's start, each epoch's scores, the test split's. */
import type { Backend } from '../backend/contract.js';
import type { DataSet, Rows } from '../data/dataset.js';
import { activationText } from '../nn/activation.js';
import type { Mlp, Workspace } from '../nn/mlp.js';
import { classScores, evaluate, evaluateRegression } from '../infer/metrics.js';
import type { Checkpoint } from './checkpoint.js';
import type { Preset, ResolvedConfig } from './config.js';
import type { EpochEvent, StartEvent, TestEvent } from './events.js';
import type { TrainOptions } from './train.js';

/** Accuracy or RMSE (in the targets' units) and (weighted) mean loss of net on the first `count` rows of a split. */
function score(be: Backend, net: Mlp, data: DataSet, set: Rows, count: number, ws: Workspace, weights?: Float32Array) {
  if (data.task === 'regress') {
    const r = evaluateRegression(be, net, set, data.preprocessing, count, ws, weights);
    return { rmse: r.rmse, loss: r.loss };
  }
  const r = evaluate(be, net, set, count, ws, weights);
  return { accuracy: r.accuracy, loss: r.loss, confusion: r.confusion };
}

/** What the start event reports besides the backend, config and data. */
export interface StartFacts {
  preset: Preset;
  sizes: number[];
  net: Mlp;
  options: TrainOptions;
  classW: Float32Array | undefined;
  resumed: Checkpoint | undefined;
}

export function startEvent(be: Backend, data: DataSet, c: ResolvedConfig, f: StartFacts): StartEvent {
  const { train: set, validation, test } = data;
  const { options, classW, resumed } = f;
  return {
    event: 'start',
    backend: be.name,
    isa: be.isa(),
    threads: be.getThreads(),
    layers: f.sizes,
    epochs: c.epochs,
    batch: c.batch,
    lr: c.lr,
    seed: c.seed,
    optimizer: c.optimizer,
    schedule: c.schedule,
    activation: activationText(f.net.activations),
    init: options.net ? (options.netOrigin ?? 'given') : c.init,
    earlyStopping: c.earlyStopping > 0,
    ...(c.earlyStopping > 0 ? { monitor: c.monitor, patience: c.earlyStopping, minDelta: c.tol } : {}),
    ...(c.alpha > 0 ? { alpha: c.alpha } : {}),
    ...(c.dropout > 0 ? { dropout: c.dropout } : {}),
    preset: f.preset,
    trainRows: set.count,
    validationRows: validation?.count ?? 0,
    testRows: test.count,
    trainImages: set.count,
    validationImages: validation?.count ?? 0,
    testImages: test.count,
    data: data.source,
    task: data.task,
    ...(classW ? { classWeights: Array.from(classW) } : {}),
    ...(set.weights ? { sampleWeights: true } : {}),
    ...(resumed ? { resumedAfterEpoch: resumed.epoch } : {}),
    ...(options.warmStart !== undefined ? { warmStart: options.warmStart } : {}),
    ...(data.schema ? { schema: data.schema } : {}),
  };
}

/** An epoch's training figures, measured by the loop. */
export interface EpochRun {
  epoch: number;
  lr: number;
  loss: number;
  seconds: number;
}

/** The epoch's event: net scored on the first `evalRows` training rows and on the validation split (timed apart). */
export function epochEvent(
  be: Backend,
  net: Mlp,
  data: DataSet,
  ws: Workspace,
  evalRows: number,
  validW: Float32Array | undefined,
  run: EpochRun,
): EpochEvent {
  const { train: set, validation } = data;
  const t1 = performance.now();
  const tr = evalRows > 0 ? score(be, net, data, set, evalRows, ws) : undefined;
  const va = validation && validation.count > 0 ? score(be, net, data, validation, validation.count, ws, validW) : undefined;
  return {
    event: 'epoch',
    epoch: run.epoch,
    lr: run.lr,
    ...(tr && (tr.rmse !== undefined ? { trainRmse: tr.rmse } : { trainAccuracy: tr.accuracy })),
    loss: run.loss,
    ...(va && {
      validationLoss: va.loss,
      ...(va.rmse !== undefined ? { validationRmse: va.rmse } : { validationAccuracy: va.accuracy }),
    }),
    seconds: run.seconds,
    rowsPerSecond: set.count / run.seconds,
    imagesPerSecond: set.count / run.seconds,
    evalSeconds: (performance.now() - t1) / 1000,
  };
}

/** The test split's event: net scored on all its rows. */
export function testEvent(be: Backend, net: Mlp, data: DataSet, ws: Workspace, testW: Float32Array | undefined): TestEvent {
  const { test } = data;
  const r = score(be, net, data, test, test.count, ws, testW);
  return r.rmse !== undefined
    ? { event: 'test', testRmse: r.rmse, testLoss: r.loss }
    : { event: 'test', testAccuracy: r.accuracy!, testLoss: r.loss, ...classScores(r.confusion!, data.classes) };
}
