import type { ColumnSummary } from '../data/inspect.js';
import type { DataWarning } from '../data/warnings.js';

/**
 * What a training run reports: start / epoch / stop / test / warning events (the CLI prints them, --json
 * writes them as JSON Lines) and per-batch progress.
 */
import { UserError } from '../errors.js';
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
  optimizer: string;
  schedule: string;
  /** The hidden layers' activation (a comma list when they differ). */
  activation: string;
  /** How the weights were drawn (notebook, he, glorot, auto), 'from FILE' for a warm start, or 'given' for a caller's net. */
  init: string;
  /** Whether early stopping is on; its patience in epochs, what it watches and its tol (the improvement it counts). */
  earlyStopping: boolean;
  patience?: number;
  monitor?: string;
  minDelta?: number;
  /** scikit-learn's alpha, when set. */
  alpha?: number;
  /** The hidden layers' dropout probability while training, when set. */
  dropout?: number;
  /** The weight of each class index in the loss, when class weights are set (--class-weight). */
  classWeights?: number[];
  /** Whether the training rows carry sample weights (--weight-column, fit's sampleWeight). */
  sampleWeights?: boolean;
  /** Which defaults the settings came from: 'notebook' (IDX images) or 'table' (scikit-learn's). */
  preset?: string;
  trainRows: number;
  /** Rows of the validation split (0 when there is none). */
  validationRows: number;
  testRows: number;
  /** @deprecated trainRows, kept for one release. */
  trainImages: number;
  /** @deprecated validationRows, kept for one release. */
  validationImages: number;
  /** @deprecated testRows, kept for one release. */
  testImages: number;
  data: string;
  /** classify or regress (the loss head). */
  task?: 'classify' | 'regress';
  /** The epoch a resumed run continues after (absent for a fresh run). */
  resumedAfterEpoch?: number;
  /** The model file a warm-started run continues from (fit's `from`, --init-from). */
  warmStart?: string;
  /** Tables: each column as `native-mlp inspect --json` describes it. */
  schema?: ColumnSummary[];
}

export interface EpochEvent {
  event: 'epoch';
  epoch: number;
  /** The learning rate this epoch trained at. */
  lr: number;
  /** Accuracy on the first evalImages training rows after the epoch (classification, evalImages > 0). */
  trainAccuracy?: number;
  /** RMSE in the targets' units on the first evalImages training rows (regression, evalImages > 0). */
  trainRmse?: number;
  /** Mean loss of the epoch's minibatches, as they were trained. */
  loss: number;
  /** Mean loss and accuracy (classification) or RMSE (regression) on the validation split, when there is one. */
  validationLoss?: number;
  validationAccuracy?: number;
  validationRmse?: number;
  /** Seconds of the training pass (not counting the accuracy passes). */
  seconds: number;
  rowsPerSecond: number;
  /** @deprecated rowsPerSecond, kept for one release. */
  imagesPerSecond: number;
  evalSeconds: number;
}

/**
 * Why a run ended before its last epoch, or (early stopping) which epoch's weights it kept:
 * 'early-stopping' (the monitored metric stopped improving; weights restored from bestEpoch),
 * 'completed' (early stopping was on but never triggered; weights restored from bestEpoch),
 * 'aborted' (the signal), 'callback' (onEvent or onBatch returned false).
 */
export interface StopEvent {
  event: 'stop';
  reason: 'early-stopping' | 'completed' | 'aborted' | 'callback';
  /** The epoch whose weights the network holds after an early-stopping run. */
  bestEpoch?: number;
  /** Where an interrupted run stopped: the epoch and the batches of it that were trained. */
  epoch?: number;
  batch?: number;
}

/** After training: testAccuracy for classification, testRmse (in the targets' units) for regression. */
export interface TestEvent {
  event: 'test';
  testAccuracy?: number;
  testRmse?: number;
  /** Mean loss on the test rows (cross-entropy, or 0.5 * squared error on standardised targets). */
  testLoss: number;
  /** Classification: the unweighted mean of per-class F1, and of per-class recall. */
  testMacroF1?: number;
  testBalancedAccuracy?: number;
}

/** Something about the data or the run the user should know (one line); the CLI prints it on stderr. */
export interface WarningEvent {
  event: 'warning';
  /** A data warning's code, or 'chance-loss': the loss stayed at ln(classes), what guessing uniformly gives. */
  code: DataWarning['code'] | 'chance-loss';
  message: string;
}

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  /** Rows trained so far in this epoch. */
  rows: number;
  /** @deprecated rows, kept for one release. */
  images: number;
}

export type TrainEvent = StartEvent | EpochEvent | StopEvent | TestEvent | WarningEvent;

/**
 * A NaN or infinite training loss: the run stops at once (nothing is saved) unless the config
 * allows non-finite values.
 */
export class NonFiniteLossError extends UserError {
  override name = 'NonFiniteLossError';
  constructor(
    readonly epoch: number,
    readonly batch: number,
    lr: number,
  ) {
    super(
      `the training loss became non-finite at epoch ${epoch}, batch ${batch} (lr ${lr}); ` +
        'the run diverged: try a smaller learning rate (nothing was saved; allowNonFinite / --allow-non-finite keeps going)',
    );
  }
}

/** NaN or infinite weights after an epoch whose loss stayed finite (ReLU maps NaN to 0, hiding it). */
export class NonFiniteWeightsError extends UserError {
  override name = 'NonFiniteWeightsError';
  constructor(
    readonly epoch: number,
    readonly where: string,
    value: number,
  ) {
    super(
      `the weights became non-finite in epoch ${epoch} (${where} is ${value}) although the loss stayed finite; ` +
        'the run diverged: try a smaller learning rate (nothing was saved; allowNonFinite / --allow-non-finite keeps going)',
    );
  }
}

/**
 * A run that cannot start as asked: resuming with other settings or on other data, early
 * stopping without a validation split.
 */
export class TrainSetupError extends UserError {
  override name = 'TrainSetupError';
}
